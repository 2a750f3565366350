//! The append-only audit log.
//!
//! Every decision the simulation makes, and every command a person gives, becomes one record.
//! Each record carries the SHA-256 of the previous record's hash and its own canonical text, so
//! the last hash (the chain head) fixes the whole log: any edit, deletion, reordering or
//! truncation changes it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::time::Tick;

/// The version of the record layout and canonical text; exports carry it.
pub const AUDIT_SCHEMA_VERSION: u32 = 2;

/// The columns of a CSV export, in canonical order, then the two hashes.
pub const CSV_COLUMNS: [&str; 14] = [
    "seq",
    "tick_s",
    "time_utc",
    "actor",
    "person",
    "action",
    "environment",
    "version",
    "commit_sha",
    "branch",
    "reason",
    "outcome",
    "prev_hash",
    "hash",
];

/// The hash that precedes the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who took an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Actor {
    /// The scenario's script: the CI pipeline, the release train.
    Pipeline,
    /// The rollout controller (Argo Rollouts' role).
    RolloutController,
    /// The person using the simulator.
    Trainee,
    /// Kubernetes' Deployment controller.
    DeploymentController,
    /// Flagger's scheduler.
    Flagger,
    /// AWS CodeDeploy.
    CodeDeploy,
    /// A simulated person reviewing a deployment (the record names them).
    Reviewer,
    /// Health checks, alert rules and SLO burn-rate alerts.
    Monitor,
}

impl Actor {
    /// Every actor, for reading labels back.
    pub const ALL: [Actor; 8] = [
        Actor::Pipeline,
        Actor::RolloutController,
        Actor::Trainee,
        Actor::DeploymentController,
        Actor::Flagger,
        Actor::CodeDeploy,
        Actor::Reviewer,
        Actor::Monitor,
    ];

    /// The actor whose label is `label`.
    pub fn from_label(label: &str) -> Option<Actor> {
        Actor::ALL.into_iter().find(|actor| actor.label() == label)
    }

    /// The name shown in the log.
    pub fn label(self) -> &'static str {
        match self {
            Actor::Pipeline => "ci-pipeline",
            Actor::RolloutController => "rollouts-controller",
            Actor::Trainee => "trainee",
            Actor::DeploymentController => "deployment-controller",
            Actor::Flagger => "flagger",
            Actor::CodeDeploy => "codedeploy",
            Actor::Reviewer => "reviewer",
            Actor::Monitor => "monitor",
        }
    }

    /// True for automation, false for a person.
    pub fn is_automation(self) -> bool {
        !matches!(self, Actor::Trainee | Actor::Reviewer)
    }
}

/// One audit record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Position in the log, from zero.
    pub seq: u64,
    /// Simulated second of the run.
    pub tick: Tick,
    /// The same instant as UTC, ISO 8601.
    pub time_utc: String,
    /// Who acted.
    pub actor: Actor,
    /// The person, for people (a login such as `alice`); empty for automation.
    #[serde(default)]
    pub person: String,
    /// What happened, in the vocabulary of the real systems (`RolloutAborted`, ...).
    pub action: String,
    /// The environment concerned (empty when the action is not about one).
    #[serde(default)]
    pub environment: String,
    /// The version concerned.
    pub version: String,
    /// The version's commit SHA (empty when no version is concerned).
    #[serde(default)]
    pub commit_sha: String,
    /// The branch the change came from.
    #[serde(default)]
    pub branch: String,
    /// Why, in words a trainee can read.
    pub reason: String,
    /// How it came out: `success`, `failure`, `rolled_back`, `approved`, `rejected`,
    /// `cancelled`, `waiting`, `blocked`, `overridden`, or empty for a plain event.
    #[serde(default)]
    pub outcome: String,
    /// The previous record's hash (the genesis hash for the first record).
    pub prev_hash: String,
    /// SHA-256 of `prev_hash` and this record's canonical text, lowercase hex.
    pub hash: String,
}

impl AuditRecord {
    /// The text the hash covers (schema [`AUDIT_SCHEMA_VERSION`]): every field but the hashes,
    /// in the order of [`CSV_COLUMNS`], separated by the ASCII unit separator (U+001F), which
    /// no field may hold, so no two different records share a text.
    pub fn canonical_text(&self) -> String {
        [
            self.seq.to_string().as_str(),
            self.tick.0.to_string().as_str(),
            &self.time_utc,
            self.actor.label(),
            &self.person,
            &self.action,
            &self.environment,
            &self.version,
            &self.commit_sha,
            &self.branch,
            &self.reason,
            &self.outcome,
        ]
        .join("\u{1f}")
    }
}

/// Why a log failed verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainError {
    /// Record `seq` does not hash to its stored value or does not follow its predecessor.
    Broken {
        /// Position of the first bad record.
        position: u64,
    },
    /// The log's last hash is not the head it was expected to end with (records were removed from
    /// the end, or the head belongs to another log).
    HeadMismatch,
}

impl ChainError {
    /// What went wrong and where, for a person, given the records that were checked.
    pub fn explain(&self, records: &[AuditRecord], expected_head: &str) -> String {
        match self {
            ChainError::Broken { position } => {
                let record = &records[*position as usize];
                let prev_hash = match position {
                    0 => GENESIS_HASH,
                    p => records[*p as usize - 1].hash.as_str(),
                };
                let why = if record.seq != *position {
                    format!(
                        "its seq is {} where {position} was expected: a record before it was deleted or inserted, or records were reordered",
                        record.seq
                    )
                } else if record.prev_hash != prev_hash {
                    "its prev_hash is not the hash of the record before it: a record was deleted, inserted or moved".to_string()
                } else {
                    "its hash does not match its contents: the record was edited".to_string()
                };
                format!(
                    "record {position} ({} at {}): {why}",
                    record.action, record.time_utc
                )
            }
            ChainError::HeadMismatch => format!(
                "the chain ends at {} but the expected head is {expected_head}: records were removed from the end or added after it, or the head belongs to another log",
                records.last().map_or(GENESIS_HASH, |r| r.hash.as_str())
            ),
        }
    }
}

/// What a record is about unless it says otherwise: the environment, the branch, and each
/// version's commit SHA.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditContext {
    /// The environment the run deploys to.
    pub environment: String,
    /// The branch its changes come from.
    pub branch: String,
    /// Version name → commit SHA.
    pub commits: BTreeMap<String, String>,
}

/// A record to append, with its own environment and outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry<'a> {
    /// Who acted.
    pub actor: Actor,
    /// The person, for people.
    pub person: &'a str,
    /// What happened.
    pub action: &'a str,
    /// The environment, or `None` for the log's.
    pub environment: Option<&'a str>,
    /// The version concerned (may be empty).
    pub version: &'a str,
    /// Why.
    pub reason: String,
    /// How it came out, or `None` for what the action implies ([`implied_outcome`]).
    pub outcome: Option<&'a str>,
}

/// The outcome an action implies when its record does not name one.
pub fn implied_outcome(action: &str) -> &'static str {
    match action {
        "RolloutCompleted"
        | "NewReplicaSetAvailable"
        | "DeploymentSuccess"
        | "Succeeded"
        | "AnalysisRunSuccessful" => "success",
        "RolloutAborted" | "DeploymentRollback" => "rolled_back",
        "AnalysisRunFailed"
        | "AnalysisRunError"
        | "ProgressDeadlineExceeded"
        | "DeploymentFailure"
        | "InstanceFailure"
        | "Failed" => "failure",
        "DeploymentStop" => "stopped",
        "RolloutPaused" | "WaitingPromotion" => "waiting",
        _ => "",
    }
}

/// The log itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLog {
    records: Vec<AuditRecord>,
    /// Fills the environment, branch and commit of records that do not give their own.
    #[serde(default)]
    pub context: AuditContext,
}

impl AuditLog {
    /// An empty log whose records are about `context` unless they say otherwise.
    pub fn with_context(context: AuditContext) -> AuditLog {
        AuditLog {
            records: Vec::new(),
            context,
        }
    }

    /// Appends a record in the log's context, with the outcome its action implies.
    pub fn append(
        &mut self,
        tick: Tick,
        time_utc: String,
        actor: Actor,
        action: &str,
        version: &str,
        reason: String,
    ) -> &AuditRecord {
        self.append_entry(
            tick,
            time_utc,
            AuditEntry {
                actor,
                person: if actor == Actor::Trainee {
                    "trainee"
                } else {
                    ""
                },
                action,
                environment: None,
                version,
                reason,
                outcome: None,
            },
        )
    }

    /// Appends `entry` and returns the record.
    pub fn append_entry(
        &mut self,
        tick: Tick,
        time_utc: String,
        entry: AuditEntry,
    ) -> &AuditRecord {
        let prev_hash = self.head().to_string();
        // The unit separator delimits the canonical text, so it may not appear in a field.
        let clean = |text: &str| text.replace('\u{1f}', " ");
        let mut record = AuditRecord {
            seq: self.records.len() as u64,
            tick,
            time_utc,
            actor: entry.actor,
            person: clean(entry.person),
            action: clean(entry.action),
            environment: clean(entry.environment.unwrap_or(&self.context.environment)),
            version: clean(entry.version),
            commit_sha: self
                .context
                .commits
                .get(entry.version)
                .cloned()
                .unwrap_or_default(),
            branch: self.context.branch.clone(),
            reason: clean(&entry.reason),
            outcome: clean(
                entry
                    .outcome
                    .unwrap_or_else(|| implied_outcome(entry.action)),
            ),
            prev_hash,
            hash: String::new(),
        };
        record.hash = chain_hash(&record.prev_hash, &record.canonical_text());
        self.records.push(record);
        self.records.last().expect("a record was just pushed")
    }

    /// All records, in order.
    pub fn records(&self) -> &[AuditRecord] {
        &self.records
    }

    /// Every record's action, in order.
    pub fn actions(&self) -> Vec<&str> {
        self.records.iter().map(|r| r.action.as_str()).collect()
    }

    /// The hash of the last record: a digest of the whole log.
    pub fn head(&self) -> &str {
        self.records
            .last()
            .map_or(GENESIS_HASH, |r| r.hash.as_str())
    }

    /// Checks every link of `records` and that the chain ends at `expected_head`.
    pub fn verify(records: &[AuditRecord], expected_head: &str) -> Result<(), ChainError> {
        AuditLog::verify_from(records, 0, GENESIS_HASH, expected_head)
    }

    /// Checks the links of the records from position `from` on, given that the records before
    /// it are known to chain to `prev_hash` (a check that has already verified them), and that
    /// the chain ends at `expected_head`. With `from` 0 and the genesis hash it is [`verify`].
    ///
    /// [`verify`]: AuditLog::verify
    pub fn verify_from(
        records: &[AuditRecord],
        from: u64,
        prev_hash: &str,
        expected_head: &str,
    ) -> Result<(), ChainError> {
        let mut prev_hash = prev_hash.to_string();
        for (position, record) in records.iter().enumerate().skip(from as usize) {
            let position = position as u64;
            let expected = chain_hash(&prev_hash, &record.canonical_text());
            if record.seq != position || record.prev_hash != prev_hash || record.hash != expected {
                return Err(ChainError::Broken { position });
            }
            prev_hash = expected;
        }
        if prev_hash == expected_head {
            Ok(())
        } else {
            Err(ChainError::HeadMismatch)
        }
    }
}

/// SHA-256 over `prev_hash`, a newline and `canonical_text`, as lowercase hex: one link.
pub fn chain_hash(prev_hash: &str, canonical_text: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical_text.as_bytes());
    let digest = hasher.finalize();
    let mut hex = String::with_capacity(64);
    for byte in digest.iter() {
        hex.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        hex.push(char::from_digit(u32::from(byte & 0xF), 16).unwrap_or('0'));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_log() -> AuditLog {
        let mut log = AuditLog::default();
        for (tick, action) in [
            (1u64, "RolloutUpdated"),
            (5, "RolloutStepCompleted"),
            (9, "RolloutAborted"),
        ] {
            log.append(
                Tick(tick),
                format!("t{tick}"),
                Actor::RolloutController,
                action,
                "v2",
                format!("reason {tick}"),
            );
        }
        log
    }

    #[test]
    fn an_intact_log_verifies() {
        let log = sample_log();
        assert_eq!(AuditLog::verify(log.records(), log.head()), Ok(()));
        assert_ne!(log.head(), GENESIS_HASH);
    }

    #[test]
    fn a_suffix_verifies_from_a_verified_prefix_and_tampering_in_it_is_caught() {
        let log = sample_log();
        let records = log.records();
        for from in 0..=records.len() as u64 {
            let prev = if from == 0 {
                GENESIS_HASH
            } else {
                records[from as usize - 1].hash.as_str()
            };
            assert_eq!(
                AuditLog::verify_from(records, from, prev, log.head()),
                Ok(()),
                "from {from}"
            );
        }
        let mut tampered = records.to_vec();
        tampered[2].reason = "nothing happened".to_string();
        assert_eq!(
            AuditLog::verify_from(&tampered, 2, &records[1].hash, log.head()),
            Err(ChainError::Broken { position: 2 })
        );
        // A wrong starting hash is caught at the first record checked.
        assert_eq!(
            AuditLog::verify_from(records, 1, GENESIS_HASH, log.head()),
            Err(ChainError::Broken { position: 1 })
        );
    }

    #[test]
    fn every_kind_of_tampering_is_detected() {
        let log = sample_log();
        let head = log.head().to_string();

        let mut edited = log.records().to_vec();
        edited[1].reason = "nothing to see".to_string();
        assert_eq!(
            AuditLog::verify(&edited, &head),
            Err(ChainError::Broken { position: 1 })
        );

        let mut deleted = log.records().to_vec();
        deleted.remove(0);
        assert_eq!(
            AuditLog::verify(&deleted, &head),
            Err(ChainError::Broken { position: 0 })
        );

        let mut reordered = log.records().to_vec();
        reordered.swap(1, 2);
        assert_eq!(
            AuditLog::verify(&reordered, &head),
            Err(ChainError::Broken { position: 1 })
        );

        let truncated = &log.records()[..2];
        assert_eq!(
            AuditLog::verify(truncated, &head),
            Err(ChainError::HeadMismatch)
        );
    }

    #[test]
    fn the_hash_is_sha256_of_the_link() {
        // Pinned so that exports stay verifiable with ordinary tools such as sha256sum.
        let log = sample_log();
        let first = &log.records()[0];
        assert_eq!(first.prev_hash, GENESIS_HASH);
        assert_eq!(
            first.hash,
            chain_hash(GENESIS_HASH, &first.canonical_text())
        );
        assert_eq!(
            chain_hash("", "abc").len(),
            64,
            "hex SHA-256 is 64 characters"
        );
        // SHA-256("\nabc") from coreutils: printf '\nabc' | sha256sum.
        assert_eq!(
            chain_hash("", "abc"),
            "f39d39bfc99287b848780d4110eb663f0e7c344ae41f46a390c4135b89dc2756"
        );
    }
}
