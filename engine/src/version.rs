//! Releases and how they behave once running.

use serde::{Deserialize, Serialize};

/// Index of a version within its scenario's version list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
}

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
        }
    }
}
