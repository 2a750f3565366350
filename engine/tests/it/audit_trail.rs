//! The exported audit trail is tamper-evident: 1,000 random edits, deletions, insertions,
//! reorderings and truncations of a real run's export, in JSON and CSV, are all detected, and
//! an intact export verifies in both formats.
//!
//! Seeds: `DOJO_TAMPER_SEED=<n> cargo test -p engine --test it tamper` reruns from seed n.

use engine::audit::AuditRecord;
use engine::audit::export::{parse, to_csv, to_json, verify};
use engine::prng::Prng;
use engine::{Command, Sim, scenario};

/// A run with automation's and a person's records: the bad canary, promoted by hand once,
/// then rolled back by its gate.
fn run() -> Sim {
    let mut sim = Sim::new(scenario::builtin("canary-bad-release").unwrap(), 7);
    sim.run_to_decision(600).expect("the first pause");
    let _ = sim.apply(Command::Promote);
    sim.run_to_end();
    sim
}

#[test]
fn an_intact_export_verifies_in_both_formats() {
    let sim = run();
    let (records, head) = (sim.audit().records(), sim.audit().head());
    assert!(
        records.len() >= 10,
        "a run with enough records to tamper with"
    );
    for text in [to_json(records, head), to_csv(records, head)] {
        let verified = verify(&text, Some(head)).expect("intact");
        assert_eq!(verified.record_count, records.len() as u64);
        assert_eq!(verified.chain_head, head);
        assert_eq!(parse(&text).unwrap().records, records, "round trip");
    }
    let trainee = records
        .iter()
        .find(|r| r.person == "trainee")
        .expect("a person's record");
    assert_eq!(trainee.environment, "production");
    assert_eq!(trainee.branch, "main");
    assert!(!trainee.commit_sha.is_empty());
}

/// How a file is tampered with.
#[derive(Clone, Copy, Debug)]
enum Tampering {
    /// One field of one record changed.
    Edit,
    /// One field changed and that record's hash recomputed honestly.
    EditAndRehash,
    /// Everything from one record on re-hashed after an edit, head included: only the head
    /// kept elsewhere can catch it.
    RewriteFrom,
    /// A record removed, and the count adjusted.
    Delete,
    /// A record duplicated.
    Insert,
    /// Two records swapped.
    Swap,
    /// Records cut off the end, with the count and the head adjusted to match.
    Truncate,
}

const TAMPERINGS: [Tampering; 7] = [
    Tampering::Edit,
    Tampering::EditAndRehash,
    Tampering::RewriteFrom,
    Tampering::Delete,
    Tampering::Insert,
    Tampering::Swap,
    Tampering::Truncate,
];

#[test]
fn a_thousand_random_tamperings_are_all_detected() {
    let sim = run();
    let original = sim.audit().records().to_vec();
    let head = sim.audit().head().to_string();
    let first_seed: u64 = std::env::var("DOJO_TAMPER_SEED")
        .map(|s| s.parse().expect("DOJO_TAMPER_SEED is a number"))
        .unwrap_or(0);
    let mut counts = [0u32; 7];
    for seed in first_seed..first_seed + 1_000 {
        let mut prng = Prng::from_seed(seed);
        let kind_index = prng.below(TAMPERINGS.len() as u64) as usize;
        let kind = TAMPERINGS[kind_index];
        counts[kind_index] += 1;
        let (records, stated_head) = tamper(&original, &head, kind, &mut prng);
        assert_ne!(records, original, "seed {seed}: {kind:?} changed nothing");
        let text = if seed % 2 == 0 {
            to_json(&records, &stated_head)
        } else {
            to_csv(&records, &stated_head)
        };
        let reproduce = format!(
            "seed {seed} ({kind:?}); reproduce with DOJO_TAMPER_SEED={seed} cargo test -p engine --test it tamper"
        );
        let with_head = verify(&text, Some(&head));
        assert!(with_head.is_err(), "{reproduce}: not detected");
        // Only a rewrite that states a new head needs the head kept elsewhere to be caught.
        if stated_head == head {
            assert!(
                verify(&text, None).is_err(),
                "{reproduce}: the file alone passed"
            );
        }
    }
    println!(
        "tamperings per kind (Edit, EditAndRehash, RewriteFrom, Delete, Insert, Swap, Truncate): {counts:?}"
    );
    assert!(
        counts.iter().all(|&n| n >= 100),
        "every kind is drawn: {counts:?}"
    );
}

#[test]
fn a_detected_tampering_says_where_and_what() {
    let sim = run();
    let records = sim.audit().records();
    let head = sim.audit().head();
    let mut edited = records.to_vec();
    edited[3].reason = "approved by the CTO".to_string();
    let error = verify(&to_csv(&edited, head), None).unwrap_err();
    assert!(
        error.starts_with(&format!("record 3 ({} at", records[3].action)),
        "{error}"
    );
    assert!(error.ends_with("the record was edited"), "{error}");

    let mut deleted = records.to_vec();
    deleted.remove(2);
    let error = verify(&to_json(&deleted, head), None).unwrap_err();
    assert!(error.contains("record 2"), "{error}");
    assert!(error.contains("deleted or inserted"), "{error}");

    let truncated = &records[..records.len() - 2];
    let error = verify(
        &to_json(truncated, &truncated.last().unwrap().hash),
        Some(head),
    )
    .unwrap_err();
    assert!(error.contains("is not the expected"), "{error}");

    let error = verify("seq,tick_s\n1,2\n", None).unwrap_err();
    assert!(error.starts_with("line 1: not an audit export"), "{error}");
}

fn tamper(
    original: &[AuditRecord],
    head: &str,
    kind: Tampering,
    prng: &mut Prng,
) -> (Vec<AuditRecord>, String) {
    let mut records = original.to_vec();
    let len = records.len() as u64;
    let at = prng.below(len) as usize;
    let mut stated_head = head.to_string();
    match kind {
        Tampering::Edit => edit_field(&mut records[at], prng),
        Tampering::EditAndRehash => {
            edit_field(&mut records[at], prng);
            rehash(&mut records, at, at + 1);
            if at + 1 == records.len() {
                // Editing the last record and fixing its hash means fixing the stated head too.
                stated_head = records[at].hash.clone();
            }
        }
        Tampering::RewriteFrom => {
            edit_field(&mut records[at], prng);
            let end = records.len();
            rehash(&mut records, at, end);
            stated_head = records.last().unwrap().hash.clone();
        }
        Tampering::Delete => {
            records.remove(at);
        }
        Tampering::Insert => {
            let copy = records[at].clone();
            let to = prng.below(len + 1) as usize;
            records.insert(to, copy);
        }
        Tampering::Swap => {
            let other = (at + 1 + prng.below(len - 1) as usize) % records.len();
            records.swap(at, other);
        }
        Tampering::Truncate => {
            let keep = prng.below(len) as usize;
            records.truncate(keep);
            stated_head = records
                .last()
                .map_or(engine::audit::GENESIS_HASH.to_string(), |r| r.hash.clone());
        }
    }
    (records, stated_head)
}

fn edit_field(record: &mut AuditRecord, prng: &mut Prng) {
    match prng.below(9) {
        0 => record.reason.push('.'),
        1 => record.action.push('X'),
        2 => record.tick.0 += 1 + prng.below(100),
        3 => record.version = format!("{}-hotfix", record.version),
        4 => record.environment = "staging".to_string() + &record.environment,
        5 => record.outcome.push_str("ok"),
        6 => record.person.push_str("mallory"),
        7 => record.commit_sha.push('0'),
        _ => record.time_utc.push(' '),
    }
}

/// Recomputes the hashes of `records[from..to]` as an honest log would have.
fn rehash(records: &mut [AuditRecord], from: usize, to: usize) {
    for index in from..to {
        let prev = if index == 0 {
            engine::audit::GENESIS_HASH.to_string()
        } else {
            records[index - 1].hash.clone()
        };
        records[index].prev_hash = prev;
        records[index].hash =
            engine::audit::chain_hash(&records[index].prev_hash, &records[index].canonical_text());
    }
}
