//! What a run reports as data: the rolled-out service's state at each change (the timeline),
//! each version's replicas and traffic, and how the run ended.

use serde::{Deserialize, Serialize};

/// How a run ended, for reports and tests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// `rolled_back`, `promoted`, `in_progress` or `no_rollout`: how the last rollout ended.
    pub result: String,
    /// The version serving traffic at the end.
    pub stable_version: String,
    /// The rollout phase at the end.
    pub phase: String,
    /// The phase's reason.
    pub phase_message: String,
    /// Share of traffic the canary carries at the end.
    pub canary_traffic_weight_percent: u32,
    /// The largest share of traffic the last rolled-out version carried before it ended.
    pub max_canary_traffic_weight_percent: u32,
    /// Simulated seconds the run lasted.
    pub duration_s: u64,
    /// Requests to the rolled-out service (including failed ones).
    pub requests_total: u64,
    /// Failed requests to the rolled-out service.
    pub errors_total: u64,
    /// Requests to the rolled-out service that found no ready instance.
    pub unserved_requests_total: u64,
    /// Distinct users in the rolled-out service's environment who saw a failure.
    pub users_affected: u32,
}

/// The rolled-out service's rollout state at a moment it changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// Simulated second.
    pub t_s: u64,
    /// The same moment in UTC.
    pub time_utc: String,
    /// The canary step being worked on, counting from zero (none outside a canary).
    pub step_index: Option<u32>,
    /// `Healthy`, `Progressing`, `Paused` or `Degraded`.
    pub phase: String,
    /// Why.
    pub reason: String,
    /// Each version with pods, asked for or running.
    pub versions: Vec<VersionState>,
}

/// One version's replicas and traffic in a [`TimelineEntry`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionState {
    /// The version's name.
    pub version: String,
    /// Replicas asked for (its ReplicaSet's `spec.replicas`).
    pub desired: u32,
    /// Ready replicas.
    pub ready: u32,
    /// Replicas ready for at least `minReadySeconds`.
    pub available: u32,
    /// Share of the service's traffic, in percent.
    pub weight_percent: u32,
}
