//! The append-only audit log.
//!
//! Every decision the simulation makes, and every command a person gives, becomes one record.
//! Each record carries the SHA-256 of the previous record's hash and its own canonical text, so
//! the last hash (the chain head) fixes the whole log: any edit, deletion, reordering or
//! truncation changes it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::time::Tick;

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
}

impl Actor {
    /// The name shown in the log.
    pub fn label(self) -> &'static str {
        match self {
            Actor::Pipeline => "ci-pipeline",
            Actor::RolloutController => "rollouts-controller",
            Actor::Trainee => "trainee",
            Actor::DeploymentController => "deployment-controller",
            Actor::Flagger => "flagger",
            Actor::CodeDeploy => "codedeploy",
        }
    }

    /// True for automation, false for a person.
    pub fn is_automation(self) -> bool {
        !matches!(self, Actor::Trainee)
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
    /// What happened, in the vocabulary of the real systems (`RolloutAborted`, ...).
    pub action: String,
    /// The version concerned.
    pub version: String,
    /// Why, in words a trainee can read.
    pub reason: String,
    /// The previous record's hash (the genesis hash for the first record).
    pub prev_hash: String,
    /// SHA-256 of `prev_hash` and this record's canonical text, lowercase hex.
    pub hash: String,
}

impl AuditRecord {
    /// The text the hash covers: every field but the hashes, unit-separator delimited.
    pub fn canonical_text(&self) -> String {
        format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            self.seq,
            self.tick.0,
            self.time_utc,
            self.actor.label(),
            self.action,
            self.version,
            self.reason
        )
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

/// The log itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLog {
    records: Vec<AuditRecord>,
}

impl AuditLog {
    /// Appends a record and returns it.
    pub fn append(
        &mut self,
        tick: Tick,
        time_utc: String,
        actor: Actor,
        action: &str,
        version: &str,
        reason: String,
    ) -> &AuditRecord {
        let prev_hash = self.head().to_string();
        let mut record = AuditRecord {
            seq: self.records.len() as u64,
            tick,
            time_utc,
            actor,
            action: action.to_string(),
            version: version.to_string(),
            reason,
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
        let mut prev_hash = GENESIS_HASH.to_string();
        for (position, record) in records.iter().enumerate() {
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

fn chain_hash(prev_hash: &str, canonical_text: &str) -> String {
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
