//! What every rollout controller reports in the same terms: the phase as Argo names it, how a
//! rollout ended, and the events that become audit records.

use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::command::CommandError;
use crate::time::Tick;
use crate::version::{VersionId, VersionProfile};

/// The rollout's phase, as Argo names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RolloutPhase {
    /// Fully rolled out and available.
    Healthy,
    /// Moving towards the desired state.
    Progressing,
    /// Waiting at a pause.
    Paused,
    /// Aborted or failed.
    Degraded,
}

impl RolloutPhase {
    /// The phase name.
    pub fn label(self) -> &'static str {
        match self {
            RolloutPhase::Healthy => "Healthy",
            RolloutPhase::Progressing => "Progressing",
            RolloutPhase::Paused => "Paused",
            RolloutPhase::Degraded => "Degraded",
        }
    }
}

/// How an earlier rollout ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RolloutResult {
    /// The new version became stable.
    Promoted,
    /// Traffic went back to the old version.
    Aborted,
}

/// A finished rollout, for the outcome report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutRecord {
    /// The version rolled out.
    pub version: VersionId,
    /// Its revision number.
    pub revision: u32,
    /// How it ended.
    pub result: RolloutResult,
    /// The largest traffic share it ever carried.
    pub max_traffic_weight_percent: u32,
    /// When it ended.
    pub ended_at: Tick,
}

/// Something the controller did, named with Argo's event reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RolloutEvent {
    /// Who decided.
    pub actor: Actor,
    /// The event reason, for example `RolloutAborted`.
    pub reason: &'static str,
    /// The version concerned.
    pub version: VersionId,
    /// The event message.
    pub message: String,
}

/// An event by `actor` with the real controller's `reason` and `message`.
pub fn event(
    actor: Actor,
    reason: &'static str,
    version: VersionId,
    message: String,
) -> RolloutEvent {
    RolloutEvent {
        actor,
        reason,
        version,
        message,
    }
}

/// Weights (in any unit) as whole percentages that sum to 100: each rounded down, the
/// remainder to the largest.
pub fn percentages(weights: &[(VersionId, u32)]) -> Vec<(VersionId, u32)> {
    let total: u32 = weights.iter().map(|(_, w)| *w).sum();
    if total == 0 {
        return weights.iter().map(|(v, _)| (*v, 0)).collect();
    }
    let mut shares: Vec<(VersionId, u32)> = weights
        .iter()
        .map(|(v, w)| (*v, (u64::from(*w) * 100 / u64::from(total)) as u32))
        .collect();
    let assigned: u32 = shares.iter().map(|(_, p)| *p).sum();
    if let Some(largest) = shares.iter_mut().max_by_key(|(_, p)| *p) {
        largest.1 += 100 - assigned;
    }
    shares
}

/// Sets `service`'s ReplicaSets to `desired` (every other version of the `version_count` to 0).
/// The first target given for a version counts.
pub fn set_desired_replicas(
    service: &mut crate::world::Service,
    desired: impl Iterator<Item = (VersionId, u32)> + Clone,
    version_count: u32,
) {
    for index in 0..version_count {
        let version = VersionId(index);
        let replicas = desired
            .clone()
            .find(|(v, _)| *v == version)
            .map_or(0, |(_, n)| n);
        service.fleet.set_desired(version, replicas);
    }
}

/// The rollout commands every controller answers, each in its own terms.
/// [`crate::controllers::Controller`]
/// hands a [`crate::Command`] to exactly one of these, so the dispatch, the version lookup and
/// the refusal of other commands live once for every strategy.
pub trait RolloutCommands {
    /// Starts rolling out `version` (named `name` in messages).
    fn start_rollout(
        &mut self,
        version: VersionId,
        name: &str,
        actor: Actor,
        now: Tick,
        versions: &[VersionProfile],
    ) -> Result<Vec<RolloutEvent>, CommandError>;

    /// Resumes from a pause (`full`: skips every remaining step and analysis).
    fn promote_rollout(
        &mut self,
        full: bool,
        actor: Actor,
        now: Tick,
    ) -> Result<Vec<RolloutEvent>, CommandError>;

    /// Aborts the rollout in progress: traffic goes back to the stable version.
    fn abort_rollout(&mut self, actor: Actor, now: Tick)
    -> Result<Vec<RolloutEvent>, CommandError>;

    /// Retries an aborted rollout.
    fn retry_rollout(&mut self, actor: Actor, now: Tick)
    -> Result<Vec<RolloutEvent>, CommandError>;

    /// Rolls back to the previous version (`kubectl rollout undo` and its equivalents). A
    /// controller with no undo of its own (Flagger, a feature flag) rolls back by aborting.
    fn undo_rollout(
        &mut self,
        actor: Actor,
        now: Tick,
        _versions: &[VersionProfile],
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        self.abort_rollout(actor, now)
    }
}
