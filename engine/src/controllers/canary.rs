//! The canary rollout controller, after Argo Rollouts with a traffic router.
//!
//! With a traffic router the canary's weight is exact and its replica count is
//! `ceil(weight × replicas / 100)`; the stable ReplicaSet stays at full size throughout. A
//! setWeight step completes once enough canary replicas are ready and the router carries the
//! weight. Background analysis starts at `starting_step`; a failed analysis aborts the rollout:
//! traffic returns to stable at once and the canary is scaled down after the abort delay.
//!
//! `reconcile` (in `canary/reconcile.rs`) reads the observed world and returns what happened as [`RolloutEvent`]s; the
//! simulation turns those into audit records and replica targets. `phase` is a pure function of
//! spec, status and observation, in the rule order of Argo's `CalculateRolloutPhase`.

mod reconcile;

use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::command::CommandError;
use crate::controllers::argo;
use crate::controllers::rollout::{
    RolloutCommands, RolloutEvent, RolloutPhase, RolloutRecord, RolloutResult, event,
    set_desired_replicas,
};
use crate::gates::analysis::{AnalysisRun, ErrorRateGate, JudgeSamples, judge_samples};
use crate::metrics::WindowTotals;
use crate::metrics::{CohortKey, Metrics};
use crate::time::{Tick, manifest_duration};
use crate::upstream::intstr::IntOrPercent;
use crate::version::{VersionId, VersionProfile};
use crate::world::Service;

/// One step of a canary strategy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CanaryStep {
    /// Send this share of traffic to the canary.
    SetWeight {
        /// Percent of traffic, 0 to 100.
        weight_percent: u32,
    },
    /// Wait, for a duration or (with none) until promoted.
    Pause {
        /// Seconds to wait; `None` waits for a promote.
        duration_s: Option<u32>,
    },
    /// Set the canary's pod count apart from its traffic (`setCanaryScale`, traffic router only):
    /// a fixed number of replicas, a weight's worth of them, or back to matching the traffic.
    SetCanaryScale {
        /// `replicas`.
        replicas: Option<u32>,
        /// `weight`: percent of `spec.replicas`, rounded up.
        weight_percent: Option<u32>,
        /// `matchTrafficWeight: true` ends the override.
        match_traffic_weight: bool,
    },
    /// Run an analysis and wait for its verdict (an inline, blocking `analysis` step).
    Analysis {
        /// The metric and its limits; `count` measurements, or with 0 until it fails or the
        /// step is promoted past.
        gate: ErrorRateGate,
    },
}

impl CanaryStep {
    /// The step as written in a Rollout manifest, for example `setWeight: 10` or `pause: 2m`.
    pub fn label(&self) -> String {
        match self {
            CanaryStep::SetWeight { weight_percent } => format!("setWeight: {weight_percent}"),
            CanaryStep::Pause {
                duration_s: Some(seconds),
            } => format!("pause: {}", manifest_duration(u64::from(*seconds))),
            CanaryStep::Pause { duration_s: None } => "pause: until promoted".to_string(),
            CanaryStep::Analysis { gate } => format!("analysis: {}", gate.metric_name),
            CanaryStep::SetCanaryScale {
                replicas: Some(replicas),
                ..
            } => format!("setCanaryScale: {replicas} replicas"),
            CanaryStep::SetCanaryScale {
                weight_percent: Some(weight),
                ..
            } => format!("setCanaryScale: weight {weight}"),
            CanaryStep::SetCanaryScale { .. } => "setCanaryScale: matchTrafficWeight".to_string(),
        }
    }
}

/// Background analysis: a gate evaluated alongside the steps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackgroundAnalysis {
    /// The gate.
    pub gate: ErrorRateGate,
    /// The step index from which the analysis runs (Argo's `startingStep`).
    pub starting_step: u32,
}

/// A canary strategy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanarySpec {
    /// Instances of the service at full size.
    pub replicas: u32,
    /// The steps, in order.
    pub steps: Vec<CanaryStep>,
    /// Background analysis, if any.
    pub analysis: Option<BackgroundAnalysis>,
    /// After promotion, how long the old version keeps running (Argo default 30 s).
    pub scale_down_delay_s: u32,
    /// After an abort, how long the canary keeps running (Argo default 30 s).
    pub abort_scale_down_delay_s: u32,
    /// A traffic router (service mesh or ingress) splits traffic by weight. Without one the
    /// canary's share of traffic is its share of ready pods, and replica counts approximate the
    /// weight (`strategy/argo_canary.rs`).
    #[serde(default = "router_by_default")]
    pub traffic_routing: bool,
    /// `maxSurge` (Argo's default `"25"`, read as 25 %); used without a traffic router.
    #[serde(default = "quarter")]
    pub max_surge: IntOrPercent,
    /// `maxUnavailable` (default `"25"`); used without a traffic router.
    #[serde(default = "quarter")]
    pub max_unavailable: IntOrPercent,
}

fn router_by_default() -> bool {
    true
}

fn quarter() -> IntOrPercent {
    IntOrPercent::Str("25".to_string())
}

/// A pending scale-down of a ReplicaSet that no longer takes traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleDown {
    /// The version to scale down.
    pub version: VersionId,
    /// When.
    pub at: Tick,
}

/// What the controller sees of the world this second.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observed {
    /// Ready instances of the stable version.
    pub stable_ready: u32,
    /// Ready instances of the canary.
    pub canary_ready: u32,
    /// Stable instances that exist and are not terminating.
    pub stable_live: u32,
    /// Canary instances that exist and are not terminating.
    pub canary_live: u32,
    /// The canary's traffic over the analysis window ending now.
    pub canary_window: WindowTotals,
    /// Per-second samples of canary and stable, when a Kayenta gate needs them.
    pub judge: Option<crate::gates::analysis::JudgeSamples>,
}

/// The Argo canary controller: its strategy and its state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanaryController {
    /// The canary strategy (steps, analysis, router).
    pub spec: CanarySpec,
    /// Where the rollout stands.
    pub status: RolloutStatus,
}

/// The controller's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutStatus {
    /// The version serving production traffic.
    pub stable: VersionId,
    /// The version being rolled out, if any.
    pub canary: Option<VersionId>,
    /// The revision number of the newest ReplicaSet.
    pub revision: u32,
    /// Index of the current step (equal to the step count when all are done).
    pub step_index: u32,
    /// Replicas wanted for the canary.
    pub canary_replicas: u32,
    /// The weight the last setWeight step asked for.
    pub set_weight_percent: u32,
    /// The weight the traffic router actually carries to the canary.
    pub traffic_weight_percent: u32,
    /// The largest weight the current canary has carried.
    pub max_traffic_weight_percent: u32,
    /// When the current pause began.
    pub pause_started_at: Option<Tick>,
    /// When and why the rollout was aborted.
    pub aborted: Option<(Tick, String)>,
    /// Set by promote-full: skip the remaining steps.
    pub promote_full: bool,
    /// The background analysis run of the current canary.
    pub analysis: Option<AnalysisRun>,
    /// A ReplicaSet waiting to be scaled down.
    pub scale_down: Option<ScaleDown>,
    /// Finished rollouts, oldest first.
    pub history: Vec<RolloutRecord>,
    /// Replicas wanted for the stable version; `None` is full size (always, with a router).
    #[serde(default)]
    pub stable_replicas: Option<u32>,
    /// The run of the current analysis step, if one is under way.
    #[serde(default)]
    pub step_analysis: Option<AnalysisRun>,
    /// Why the rollout is paused when it is not a pause step: `InconclusiveAnalysisRun`.
    #[serde(default)]
    pub pause_reason: Option<String>,
}

impl RolloutStatus {
    /// A fully rolled-out `stable` version at revision 1.
    pub fn new(stable: VersionId) -> RolloutStatus {
        RolloutStatus {
            stable,
            canary: None,
            revision: 1,
            step_index: 0,
            canary_replicas: 0,
            set_weight_percent: 0,
            traffic_weight_percent: 0,
            max_traffic_weight_percent: 0,
            pause_started_at: None,
            aborted: None,
            promote_full: false,
            analysis: None,
            scale_down: None,
            history: Vec::new(),
            stable_replicas: None,
            step_analysis: None,
            pause_reason: None,
        }
    }

    /// True while a canary is being rolled out and has not been aborted.
    pub fn is_progressing(&self) -> bool {
        self.canary.is_some() && self.aborted.is_none()
    }

    /// True when no rollout is running, pausing or scaling down. An aborted rollout whose
    /// canary is scaled to zero is idle too: it waits, all traffic on stable, for a retry.
    pub fn is_idle(&self) -> bool {
        (self.canary.is_none() || self.aborted.is_some())
            && self.scale_down.is_none()
            && self.canary_replicas == 0
    }

    /// The router's split: the canary's weight, the rest to stable.
    pub fn traffic_split(&self) -> Vec<(VersionId, u32)> {
        let mut split = Vec::with_capacity(2);
        self.write_traffic_split(&mut split);
        split
    }

    /// Writes [`RolloutStatus::traffic_split`] into `split`, reusing its room: the controller
    /// sets the router's weights every second.
    pub fn write_traffic_split(&self, split: &mut Vec<(VersionId, u32)>) {
        let canary_weight = self.traffic_weight_percent;
        split.clear();
        split.push((self.stable, 100 - canary_weight));
        if let Some(canary) = self.canary {
            split.push((canary, canary_weight));
        }
    }

    /// Replica targets per version this second: the stable's, the canary's and a scaling-down
    /// version's, those that exist.
    pub fn desired_replicas(
        &self,
        spec: &CanarySpec,
    ) -> impl Iterator<Item = (VersionId, u32)> + Clone {
        let stable = (self.stable, self.stable_replicas.unwrap_or(spec.replicas));
        let canary = self.canary.map(|canary| (canary, self.canary_replicas));
        let scale_down = self
            .scale_down
            .map(|scale_down| (scale_down.version, spec.replicas));
        std::iter::once(stable).chain(canary).chain(scale_down)
    }

    fn abort(
        &mut self,
        canary: VersionId,
        actor: Actor,
        now: Tick,
        message: String,
    ) -> Vec<RolloutEvent> {
        let mut events = Vec::new();
        self.aborted = Some((now, message.clone()));
        self.pause_started_at = None;
        self.promote_full = false;
        if let Some(run) = self.analysis.as_mut() {
            run.terminate();
        }
        self.step_analysis = None;
        self.pause_reason = None;
        events.push(event(actor, "RolloutAborted", canary, message));
        self.set_traffic_weight(canary, 0, &mut events);
        events
    }

    fn require_canary(&self, what: &str) -> Result<VersionId, CommandError> {
        match self.canary {
            Some(canary) if self.aborted.is_none() => Ok(canary),
            Some(_) => Err(CommandError::NotApplicable(format!(
                "the rollout was aborted; retry it before you {what}"
            ))),
            None => Err(CommandError::NotApplicable(format!(
                "no rollout is in progress to {what}"
            ))),
        }
    }

    fn reset_progress(&mut self) {
        self.step_index = 0;
        self.set_weight_percent = 0;
        self.traffic_weight_percent = 0;
        self.max_traffic_weight_percent = 0;
        self.pause_started_at = None;
        self.aborted = None;
        self.promote_full = false;
        self.analysis = None;
        self.step_analysis = None;
        self.pause_reason = None;
    }

    fn record_end(&mut self, version: VersionId, result: RolloutResult, now: Tick) {
        self.history.push(RolloutRecord {
            version,
            revision: self.revision,
            result,
            max_traffic_weight_percent: self.max_traffic_weight_percent,
            ended_at: now,
        });
    }
}

impl CanaryController {
    /// A fully rolled-out `stable` version under `spec`.
    pub fn new(spec: CanarySpec, stable: VersionId) -> CanaryController {
        CanaryController {
            spec,
            status: RolloutStatus::new(stable),
        }
    }

    /// What the controller sees of `service` this second: ready and live pods, and the canary's
    /// traffic over its gate's window (bucketed against the stable's for a Kayenta judge).
    pub fn observe(&self, service: &Service, metrics: &Metrics, now: Tick) -> Observed {
        let status = &self.status;
        let gate = self.current_gate();
        let window_s = gate.map_or(60, |g| g.window_s);
        let canary = status.canary;
        let fleet = &service.fleet;
        let cohort = |version: VersionId| CohortKey {
            service: service.index,
            version,
        };
        let judge = match (gate.and_then(|g| g.kayenta), canary) {
            (Some(_), Some(canary)) => Some(JudgeSamples {
                baseline: judge_samples(metrics, cohort(status.stable), now, window_s),
                canary: judge_samples(metrics, cohort(canary), now, window_s),
            }),
            _ => None,
        };
        Observed {
            judge,
            stable_ready: fleet.counts(status.stable).ready,
            canary_ready: canary.map_or(0, |c| fleet.counts(c).ready),
            stable_live: fleet.live(status.stable),
            canary_live: canary.map_or(0, |c| fleet.live(c)),
            canary_window: canary.map_or_else(Default::default, |c| {
                metrics.window(cohort(c), now, window_s)
            }),
        }
    }

    /// Sets the canary's and the stable's replica targets on `service`, and its routing: the
    /// router's weights, or without a router every ready pod.
    pub fn set_targets(&self, service: &mut Service, version_count: u32) {
        set_desired_replicas(
            service,
            self.status.desired_replicas(&self.spec),
            version_count,
        );
        service.stable = self.status.stable;
        if self.spec.traffic_routing {
            let routing = &mut service.routing;
            routing.header_routes.clear();
            routing.user_buckets = None;
            self.status.write_traffic_split(&mut routing.weights);
        } else {
            service.route_to_ready_pods(self.status.stable);
        }
    }

    /// The gate a canary measurement uses now: the current analysis step's, else the
    /// background analysis's.
    fn current_gate(&self) -> Option<&ErrorRateGate> {
        match self.spec.steps.get(self.status.step_index as usize) {
            Some(CanaryStep::Analysis { gate }) if self.status.canary.is_some() => Some(gate),
            _ => self.spec.analysis.as_ref().map(|a| &a.gate),
        }
    }
}

impl RolloutCommands for CanaryController {
    fn start_rollout(
        &mut self,
        version: VersionId,
        name: &str,
        actor: Actor,
        now: Tick,
        _versions: &[VersionProfile],
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        let status = &mut self.status;
        if version == status.stable && status.canary.is_none() {
            return Err(CommandError::NotApplicable(format!(
                "{name} is already the stable version"
            )));
        }
        if status.is_progressing() {
            return Err(argo::update_in_progress("a rollout"));
        }
        if let Some(old_canary) = status.canary.take() {
            // A new version replaces an aborted canary, which is scaled away immediately.
            status.record_end(old_canary, RolloutResult::Aborted, now);
        }
        status.revision += 1;
        status.canary = Some(version);
        status.reset_progress();
        Ok(argo::revision_created(actor, version, status.revision))
    }

    fn promote_rollout(
        &mut self,
        full: bool,
        actor: Actor,
        _now: Tick,
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        let (spec, status) = (&self.spec, &mut self.status);
        if full {
            let canary = status.require_canary("promote fully")?;
            status.promote_full = true;
            status.pause_started_at = None;
            return Ok(vec![event(
                actor,
                "RolloutResumed",
                canary,
                "Rollout is resumed: promoting fully, skipping the remaining steps and analysis"
                    .to_string(),
            )]);
        }

        let canary = status.require_canary("promote")?;
        if status.pause_started_at.is_none() {
            return Err(CommandError::NotApplicable(
                "the rollout is not paused, so there is nothing to promote".to_string(),
            ));
        }
        status.pause_started_at = None;
        if status.pause_reason.take().is_some() && status.step_analysis.is_none() {
            // Paused by an inconclusive background analysis: a person judged it; a
            // fresh run starts and the current step carries on.
            status.analysis = None;
            return Ok(vec![event(
                actor,
                "RolloutResumed",
                canary,
                "Rollout is resumed: the inconclusive analysis was judged by a person".to_string(),
            )]);
        }
        status.step_analysis = None;
        Ok(vec![
            event(
                actor,
                "RolloutResumed",
                canary,
                "Rollout is resumed".to_string(),
            ),
            status.complete_step(spec, canary, Actor::RolloutController),
        ])
    }

    fn abort_rollout(
        &mut self,
        actor: Actor,
        now: Tick,
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        let status = &mut self.status;
        let canary = status.require_canary("abort")?;
        let reason = argo::aborted_by(status.revision, actor);
        Ok(status.abort(canary, actor, now, reason))
    }

    fn retry_rollout(
        &mut self,
        actor: Actor,
        _now: Tick,
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        let status = &mut self.status;
        let Some(canary) = status.canary.filter(|_| status.aborted.is_some()) else {
            return Err(argo::nothing_to_retry());
        };
        status.reset_progress();
        Ok(vec![argo::retried(actor, canary, status.revision)])
    }

    fn undo_rollout(
        &mut self,
        actor: Actor,
        now: Tick,
        _versions: &[VersionProfile],
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        let mut events = Vec::new();
        let (spec, status) = (&self.spec, &mut self.status);

        // `kubectl argo rollouts undo`: the template goes back to the stable revision,
        // which Argo fast-tracks: no steps, all traffic to stable, the canary scaled away.
        let canary = status.require_canary("undo")?;
        status.record_end(canary, RolloutResult::Aborted, now);
        status.revision += 1;
        status.canary = None;
        status.aborted = None;
        status.canary_replicas = 0;
        // Without a router the stable ReplicaSet was shrunk for the canary: back to full.
        status.stable_replicas = None;
        status.traffic_weight_percent = 0;
        status.pause_started_at = None;
        status.analysis = None;
        status.scale_down = Some(ScaleDown {
            version: canary,
            at: now.plus_s(u64::from(spec.scale_down_delay_s)),
        });
        events.push(event(
            actor,
            "RolloutUpdated",
            status.stable,
            format!(
                "Rollout updated to revision {}: rolled back to the stable ReplicaSet",
                status.revision
            ),
        ));
        events.push(event(
                    Actor::RolloutController,
                    "RolloutCompleted",
                    status.stable,
                    format!(
                        "Rollout completed update to revision {}: steps skipped, the stable ReplicaSet is the desired one",
                        status.revision
                    ),
                ));

        Ok(events)
    }
}

/// Canary replicas behind a traffic router: `ceil(weight × replicas / 100)`.
pub fn canary_replicas_for(weight_percent: u32, replicas: u32) -> u32 {
    (weight_percent.min(100) * replicas).div_ceil(100)
}

/// The rollout's phase and its reason, in the rule order of Argo's `CalculateRolloutPhase`.
pub fn phase(
    spec: &CanarySpec,
    status: &RolloutStatus,
    observed: &Observed,
) -> (RolloutPhase, String) {
    if let Some((_, message)) = &status.aborted {
        return (RolloutPhase::Degraded, format!("RolloutAborted: {message}"));
    }
    if status.pause_started_at.is_some() {
        let reason = status.pause_reason.as_deref().unwrap_or("CanaryPauseStep");
        return (RolloutPhase::Paused, reason.to_string());
    }
    match status.canary {
        Some(_) => {
            if observed.canary_ready < status.canary_replicas {
                (
                    RolloutPhase::Progressing,
                    "updated replicas are still becoming available".to_string(),
                )
            } else if status.canary_replicas < spec.replicas {
                (
                    RolloutPhase::Progressing,
                    "more replicas need to be updated".to_string(),
                )
            } else {
                (
                    RolloutPhase::Progressing,
                    "waiting for all steps to complete".to_string(),
                )
            }
        }
        None if observed.stable_ready < spec.replicas => (
            RolloutPhase::Progressing,
            "updated replicas are still becoming available".to_string(),
        ),
        None => (RolloutPhase::Healthy, String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canary_replicas_round_up_behind_a_router() {
        // (weight %, replicas, canary replicas): ceil(weight × replicas / 100).
        let cases = [
            (10u32, 10u32, 1u32),
            (25, 10, 3),
            (50, 10, 5),
            (100, 10, 10),
            (1, 10, 1),
            (0, 10, 0),
            (33, 3, 1),
            (34, 3, 2),
        ];
        for (weight, replicas, expected) in cases {
            assert_eq!(
                canary_replicas_for(weight, replicas),
                expected,
                "weight {weight} of {replicas}"
            );
        }
    }
}
