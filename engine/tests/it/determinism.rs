//! The same (scenario, seed, commands) gives the same run; another seed gives another run.
//!
//! The golden digests below are also checked in wasm32 by the web crate's
//! `tests/cross_target.rs`, which proves native and browser runs agree bit for bit.

use engine::{Command, Sim, TimedCommand, scenario};

/// The audit head of a scenario run to its end with a seed.
pub fn audit_head(id: &str, seed: u64) -> String {
    Sim::run_builtin(id, seed)
        .unwrap()
        .audit()
        .head()
        .to_string()
}

#[test]
fn the_same_seed_gives_the_same_audit_log() {
    for id in ["canary-bad-release", "canary-good-release"] {
        for seed in [0u64, 1, 42, u64::MAX] {
            let mut first = Sim::new(scenario::builtin(id).unwrap(), seed);
            first.run_to_end();
            let mut second = Sim::new(scenario::builtin(id).unwrap(), seed);
            second.run_to_end();
            assert_eq!(
                first.audit().records(),
                second.audit().records(),
                "{id} seed {seed} diverged; reproduce with: cargo run -p engine --bin dojo -- run {id} --seed {seed}"
            );
            assert_eq!(first.outcome(), second.outcome());
        }
    }
}

#[test]
fn a_different_seed_gives_a_different_audit_log() {
    for id in ["canary-bad-release", "canary-good-release"] {
        let heads: std::collections::BTreeSet<String> =
            (0..8u64).map(|seed| audit_head(id, seed)).collect();
        assert_eq!(
            heads.len(),
            8,
            "{id}: eight seeds should give eight different runs"
        );
    }
}

#[test]
fn replaying_the_commands_reproduces_the_run() {
    let scenario = scenario::builtin("canary-good-release").unwrap();
    let mut live = Sim::new(scenario.clone(), 17);
    while live.rollout().unwrap().traffic_weight_percent < 25 {
        live.step();
    }
    live.advance(40);
    live.apply(Command::Abort).unwrap();
    live.advance(10);
    live.apply(Command::Retry).unwrap();
    live.run_to_end();

    let commands: Vec<TimedCommand> = live.commands().to_vec();
    assert_eq!(commands.len(), 2);
    let replayed = Sim::replay(scenario, 17, &commands);
    assert_eq!(replayed.audit().head(), live.audit().head(), "seed 17");
    assert_eq!(replayed.outcome(), live.outcome());
}

/// A person may act after the story is over (the app keeps the world running): the replay takes
/// the world to the command's second too, not just to the story's end.
#[test]
fn commands_after_the_story_ends_replay_at_their_second() {
    let scenario = scenario::builtin("canary-good-release").unwrap();
    let mut live = Sim::new(scenario.clone(), 5);
    live.run_to_end();
    let ended = live.now().0;
    live.advance_to(engine::time::Tick(ended));
    for _ in 0..600 {
        live.step();
    }
    live.apply(Command::InjectFault {
        fault: engine::world::fault::FaultKind::RegionOutage,
        target: engine::world::fault::FaultTarget {
            environment: "production".to_string(),
            service: None,
            version: None,
            zone: None,
        },
        duration_s: Some(120),
    })
    .unwrap();
    assert_eq!(live.commands()[0].at.0, ended + 600);
    live.run_to_end();
    let replayed = Sim::replay(scenario, 5, live.commands());
    let injected = |sim: &Sim| {
        sim.audit()
            .records()
            .iter()
            .find(|r| r.action == "FaultInjected")
            .map(|r| r.tick.0)
    };
    assert_eq!(injected(&replayed), Some(ended + 600));
    assert_eq!(replayed.audit().head(), live.audit().head(), "seed 5");
}

/// Golden audit heads and state digests, shared with the wasm32 test. Regenerate with
/// `DOJO_UPDATE_GOLDEN=1 cargo test -p engine --test it golden` after an intended change.
#[test]
fn golden_digests_are_unchanged() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/audit_heads.txt");
    let actual: String = golden_cases()
        .iter()
        .map(|(id, seed)| {
            let mut sim = Sim::new(scenario::builtin(id).unwrap(), *seed);
            sim.run_to_end();
            format!(
                "{id} {seed} {} {}\n",
                sim.audit().head(),
                sim.state_digest()
            )
        })
        .collect();
    if std::env::var_os("DOJO_UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &actual).expect("write golden file");
    }
    let expected = std::fs::read_to_string(path).expect("golden file exists");
    assert_eq!(
        actual, expected,
        "audit heads changed; if intended, regenerate as the doc comment says"
    );
}

fn golden_cases() -> Vec<(&'static str, u64)> {
    scenario::builtin_ids()
        .into_iter()
        .flat_map(|id| {
            // A simulated day is slower to run than a canary story, so it gets two seeds.
            let seeds: &[u64] = if id == "production-day" {
                &[1, u64::MAX]
            } else {
                &[0, 1, 7, 1_000_003, u64::MAX]
            };
            seeds.iter().map(move |seed| (id, *seed))
        })
        .collect()
}
