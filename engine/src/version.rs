//! Releases and how they behave once running.

use serde::{Deserialize, Serialize};

/// Index of a version within its scenario's version list.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct VersionId(pub u32);

/// A release and its behaviour profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionProfile {
    /// The name people use, for example `v2`.
    pub name: String,
    /// The commit the release was built from (short SHA).
    pub commit_sha: String,
    /// Who wrote the change.
    pub author: String,
    /// Share of requests that fail, in basis points (1,500 = 15 %).
    pub error_rate_bp: u32,
    /// Median request latency.
    pub latency_p50_ms: u32,
    /// Spread of the log-normal latency distribution, as sigma times 1,000.
    pub latency_sigma_milli: u32,
    /// Time from scheduling an instance to its process listening.
    pub startup_s: u32,
    /// When the change was committed, Unix seconds (lead time for changes starts here).
    pub commit_unix_s: u64,
    /// CPU one request costs relative to the service's baseline, per mille (1,000 = baseline).
    pub cpu_cost_per_mille: u32,
    /// The database migration the release brings.
    pub schema_migration: SchemaMigration,
    /// Feature flags the release ships with (off until a rollout turns them on).
    pub feature_flags: Vec<String>,
}

/// The database migration a release brings, applied when its rollout starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchemaMigration {
    /// No schema change.
    #[default]
    None,
    /// Additive and backward-compatible: old and new releases both work.
    Compatible,
    /// Incompatible with the previous release, which starts failing the moment it is applied,
    /// and keeps failing after a rollback: the schema does not roll back with the code.
    Breaking,
    /// The migration itself fails: the new release's writes fail.
    Failing,
}

/// Share of the previous release's requests that fail against a breaking schema, in basis points.
pub const BREAKING_SCHEMA_ERROR_BP: u32 = 4_000;
/// Share of the new release's requests that write (and fail) after a failed migration.
pub const FAILED_MIGRATION_WRITE_BP: u32 = 3_000;

impl VersionProfile {
    /// A healthy release: 0.4 % errors, 120 ms median latency, `startup_s` to start.
    pub fn healthy(name: &str, startup_s: u32) -> VersionProfile {
        VersionProfile {
            name: name.to_string(),
            commit_sha: String::new(),
            author: String::new(),
            error_rate_bp: 40,
            latency_p50_ms: 120,
            latency_sigma_milli: 450,
            startup_s,
            commit_unix_s: 0,
            cpu_cost_per_mille: 1_000,
            schema_migration: SchemaMigration::None,
            feature_flags: Vec::new(),
        }
    }
}
