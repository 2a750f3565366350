//! One reconciliation of the canary: measurements and their gates, step progress, scaling with or
//! without a router, promotion and scale-downs.

use crate::audit::Actor;
use crate::controllers::rollout::{RolloutEvent, RolloutResult, event};
use crate::gates::analysis::{AnalysisPhase, AnalysisRun, ErrorRateGate};
use crate::time::{Tick, duration_label};

use super::{CanarySpec, CanaryStep, Observed, RolloutStatus, ScaleDown, canary_replicas_for};
use crate::upstream::argo_canary::{
    BasicCanaryInput, ReplicaSetState, approximate_weighted_counts, argo_surge_and_unavailable,
    basic_canary_replica_counts,
};
use crate::version::VersionId;

/// A gate's rule in words, for the event that starts its run.
pub(super) fn gate_rule(gate: &ErrorRateGate) -> String {
    match (gate.kayenta, gate.p95_max_ms) {
        (Some(thresholds), _) => format!(
            "a Kayenta judgement against the stable version (pass at {}, fail at {} or less)",
            thresholds.pass, thresholds.marginal
        ),
        (None, Some(limit_ms)) => format!("p95 latency at most {limit_ms} ms"),
        (None, None) => format!(
            "error rate at most {}",
            crate::metrics::percent_label(gate.max_error_rate_bp)
        ),
    }
}
/// The event reason for one measurement's verdict.
pub(super) fn measurement_reason(phase: AnalysisPhase) -> &'static str {
    match phase {
        AnalysisPhase::Successful => "MetricSuccessful",
        AnalysisPhase::Failed => "MetricFailed",
        AnalysisPhase::Error => "MetricError",
        AnalysisPhase::Inconclusive | AnalysisPhase::Running => "MetricInconclusive",
    }
}
pub(super) fn scaling_event(version: VersionId, from: u32, to: u32) -> RolloutEvent {
    let direction = if to > from { "up" } else { "down" };
    event(
        Actor::RolloutController,
        "ScalingReplicaSet",
        version,
        format!("Scaled {direction} canary ReplicaSet from {from} to {to}"),
    )
}
impl RolloutStatus {
    /// One reconciliation: measurements, step progress, promotion, scale-downs.
    pub fn reconcile(
        &mut self,
        spec: &CanarySpec,
        observed: &Observed,
        now: Tick,
    ) -> Vec<RolloutEvent> {
        let mut events = Vec::new();
        if let Some(scale_down) = self.scale_down
            && now >= scale_down.at
        {
            self.scale_down = None;
            events.push(event(
                Actor::RolloutController,
                "ScalingReplicaSet",
                scale_down.version,
                format!(
                    "Scaled down the previous ReplicaSet from {} to 0",
                    spec.replicas
                ),
            ));
        }
        let Some(canary) = self.canary else {
            return events;
        };
        if self.aborted.is_some() && !spec.traffic_routing {
            // Without a router the weight drops to 0 and pods follow at once, within the limits.
            self.scale_basic(spec, observed, canary, 0, &mut events);
            return events;
        }
        if let Some((aborted_at, _)) = &self.aborted {
            let scale_down_at = aborted_at.plus_s(u64::from(spec.abort_scale_down_delay_s));
            if self.canary_replicas > 0 && now >= scale_down_at {
                events.push(scaling_event(canary, self.canary_replicas, 0));
                self.canary_replicas = 0;
            }
            return events;
        }

        self.run_analysis(spec, observed, canary, now, &mut events);
        if self.aborted.is_some() || self.pause_reason.is_some() {
            return events;
        }

        let steps_done = self.promote_full || self.step_index as usize >= spec.steps.len();
        if !spec.traffic_routing {
            let weight = if steps_done {
                100
            } else {
                self.current_set_weight(spec)
            };
            self.scale_basic(spec, observed, canary, weight, &mut events);
        }
        if steps_done {
            self.promote(spec, observed, canary, now, &mut events);
            return events;
        }
        match spec.steps[self.step_index as usize] {
            CanaryStep::SetWeight { weight_percent } if !spec.traffic_routing => {
                self.set_weight_percent = weight_percent;
                if self.at_desired_counts(spec, observed, weight_percent) {
                    events.push(self.complete_step(spec, canary, Actor::RolloutController));
                }
            }
            CanaryStep::SetCanaryScale { .. } if !spec.traffic_routing => {
                // Argo applies setCanaryScale only with a traffic router.
                events.push(self.complete_step(spec, canary, Actor::RolloutController));
            }
            CanaryStep::SetCanaryScale { .. } => {
                let wanted = self.canary_scale(spec).unwrap_or_else(|| {
                    canary_replicas_for(self.current_set_weight(spec), spec.replicas)
                });
                if wanted != self.canary_replicas {
                    events.push(scaling_event(canary, self.canary_replicas, wanted));
                    self.canary_replicas = wanted;
                }
                if observed.canary_ready >= wanted {
                    events.push(self.complete_step(spec, canary, Actor::RolloutController));
                }
            }
            CanaryStep::SetWeight { weight_percent } => {
                let wanted_replicas = self
                    .canary_scale(spec)
                    .unwrap_or_else(|| canary_replicas_for(weight_percent, spec.replicas));
                if wanted_replicas > self.canary_replicas {
                    events.push(scaling_event(canary, self.canary_replicas, wanted_replicas));
                    self.canary_replicas = wanted_replicas;
                }
                self.set_weight_percent = weight_percent;
                // The router only moves traffic once the canary can carry it.
                if observed.canary_ready >= wanted_replicas {
                    self.set_traffic_weight(canary, weight_percent, &mut events);
                    events.push(self.complete_step(spec, canary, Actor::RolloutController));
                }
            }
            CanaryStep::Analysis { ref gate } => {
                self.run_step_analysis(spec, gate, observed, canary, now, &mut events);
            }
            CanaryStep::Pause { duration_s } => match self.pause_started_at {
                None => {
                    self.pause_started_at = Some(now);
                    let until = duration_s.map_or("until promoted".to_string(), |s| {
                        format!("for {}", duration_label(u64::from(s)))
                    });
                    events.push(event(
                        Actor::RolloutController,
                        "RolloutPaused",
                        canary,
                        format!("Rollout is paused (CanaryPauseStep) {until}"),
                    ));
                }
                Some(started) => {
                    if let Some(seconds) = duration_s
                        && now.seconds_since(started) >= u64::from(seconds)
                    {
                        self.pause_started_at = None;
                        events.push(event(
                            Actor::RolloutController,
                            "RolloutResumed",
                            canary,
                            "Rollout is resumed: pause duration elapsed".to_string(),
                        ));
                        events.push(self.complete_step(spec, canary, Actor::RolloutController));
                    }
                }
            },
        }
        events
    }
    pub(super) fn run_analysis(
        &mut self,
        spec: &CanarySpec,
        observed: &Observed,
        canary: VersionId,
        now: Tick,
        events: &mut Vec<RolloutEvent>,
    ) {
        let Some(background) = &spec.analysis else {
            return;
        };
        if self.analysis.is_none()
            && self.step_index >= background.starting_step
            && !self.promote_full
        {
            self.analysis = Some(AnalysisRun::start(background.gate.clone(), now));
            events.push(event(
                Actor::RolloutController,
                "AnalysisRunRunning",
                canary,
                format!(
                    "Background analysis started: {} must stay at or below {}",
                    background.gate.metric_name,
                    crate::metrics::percent_label(background.gate.max_error_rate_bp)
                ),
            ));
        }
        let Some(run) = self.analysis.as_mut() else {
            return;
        };
        if !run.is_due(now) {
            return;
        }
        let measurement = run
            .measure_judged(now, observed.canary_window, observed.judge.as_ref())
            .clone();
        events.push(event(
            Actor::RolloutController,
            measurement_reason(measurement.phase),
            canary,
            format!("{}: {}", run.gate.metric_name, measurement.explanation),
        ));
        let (phase, message) = (run.phase, run.message.clone());
        if phase == AnalysisPhase::Inconclusive {
            self.pause_inconclusive(canary, now, &message, events);
        }
        if matches!(phase, AnalysisPhase::Failed | AnalysisPhase::Error) {
            let reason = if phase == AnalysisPhase::Failed {
                "AnalysisRunFailed"
            } else {
                "AnalysisRunError"
            };
            events.push(event(
                Actor::RolloutController,
                reason,
                canary,
                format!("Analysis run {}: {message}", phase.label()),
            ));
            let verdict = if phase == AnalysisPhase::Failed {
                "failed"
            } else {
                "error"
            };
            events.extend(self.abort(canary, Actor::RolloutController, now, format!("Rollout aborted update to revision {}: Background analysis phase {verdict}: {message}", self.revision)));
        }
    }
    pub(super) fn promote(
        &mut self,
        spec: &CanarySpec,
        observed: &Observed,
        canary: VersionId,
        now: Tick,
        events: &mut Vec<RolloutEvent>,
    ) {
        if !spec.traffic_routing {
            // Without a router, promotion is complete once the pods are: the canary at full
            // size and available, the stable ReplicaSet gone.
            if !self.at_desired_counts(spec, observed, 100) {
                return;
            }
            self.finish_analysis(canary, events);
            self.record_end(canary, RolloutResult::Promoted, now);
            self.stable = canary;
            self.canary = None;
            self.canary_replicas = 0;
            self.stable_replicas = None;
            self.traffic_weight_percent = 0;
            events.push(event(
                Actor::RolloutController,
                "RolloutCompleted",
                canary,
                format!("Rollout completed update to revision {}", self.revision),
            ));
            return;
        }
        if self.canary_replicas < spec.replicas {
            events.push(scaling_event(canary, self.canary_replicas, spec.replicas));
            self.canary_replicas = spec.replicas;
        }
        if observed.canary_ready < spec.replicas {
            return;
        }
        self.set_traffic_weight(canary, 100, events);
        self.finish_analysis(canary, events);
        let old_stable = self.stable;
        self.record_end(canary, RolloutResult::Promoted, now);
        self.stable = canary;
        self.canary = None;
        self.canary_replicas = 0;
        // Traffic now goes to the new stable version through the stable service: weight 0 on the
        // canary route is the same 100 % on the same pods.
        self.traffic_weight_percent = 0;
        self.scale_down = Some(ScaleDown {
            version: old_stable,
            at: now.plus_s(u64::from(spec.scale_down_delay_s)),
        });
        events.push(event(
            Actor::RolloutController,
            "RolloutCompleted",
            canary,
            format!("Rollout completed update to revision {}", self.revision),
        ));
    }
    /// An inline analysis step: start the run, take measurements when due, and complete the
    /// step on success or abort on failure ("Step-based analysis phase failed").
    pub(super) fn run_step_analysis(
        &mut self,
        spec: &CanarySpec,
        gate: &ErrorRateGate,
        observed: &Observed,
        canary: VersionId,
        now: Tick,
        events: &mut Vec<RolloutEvent>,
    ) {
        let run = self.step_analysis.get_or_insert_with(|| {
            events.push(event(
                Actor::RolloutController,
                "AnalysisRunRunning",
                canary,
                format!(
                    "Step analysis started: {} measurements of {}, {} every {}",
                    if gate.count == 0 {
                        "repeated".to_string()
                    } else {
                        gate.count.to_string()
                    },
                    gate.metric_name,
                    gate_rule(gate),
                    duration_label(u64::from(gate.interval_s))
                ),
            ));
            AnalysisRun::start(gate.clone(), now)
        });
        if !run.is_due(now) {
            return;
        }
        let measurement = run
            .measure_judged(now, observed.canary_window, observed.judge.as_ref())
            .clone();
        events.push(event(
            Actor::RolloutController,
            measurement_reason(measurement.phase),
            canary,
            format!("{}: {}", run.gate.metric_name, measurement.explanation),
        ));
        let (phase, message) = (run.phase, run.message.clone());
        match phase {
            AnalysisPhase::Successful => {
                self.step_analysis = None;
                events.push(event(
                    Actor::RolloutController,
                    "AnalysisRunSuccessful",
                    canary,
                    format!("Analysis run Successful: {message}"),
                ));
                events.push(self.complete_step(spec, canary, Actor::RolloutController));
            }
            AnalysisPhase::Failed | AnalysisPhase::Error => {
                let (reason, verdict) = if phase == AnalysisPhase::Failed {
                    ("AnalysisRunFailed", "failed")
                } else {
                    ("AnalysisRunError", "error")
                };
                events.push(event(
                    Actor::RolloutController,
                    reason,
                    canary,
                    format!("Analysis run {}: {message}", phase.label()),
                ));
                events.extend(self.abort(
                    canary,
                    Actor::RolloutController,
                    now,
                    format!(
                        "Rollout aborted update to revision {}: Step-based analysis phase {verdict}: {message}",
                        self.revision
                    ),
                ));
            }
            AnalysisPhase::Inconclusive => self.pause_inconclusive(canary, now, &message, events),
            AnalysisPhase::Running => {}
        }
    }
    /// An inconclusive analysis pauses the rollout until a person promotes or aborts it.
    pub(super) fn pause_inconclusive(
        &mut self,
        canary: VersionId,
        now: Tick,
        message: &str,
        events: &mut Vec<RolloutEvent>,
    ) {
        self.pause_started_at = Some(now);
        self.pause_reason = Some("InconclusiveAnalysisRun".to_string());
        events.push(event(
            Actor::RolloutController,
            "RolloutPaused",
            canary,
            format!("Rollout is paused (InconclusiveAnalysisRun): {message}"),
        ));
    }
    /// Ends the background analysis of a promoted canary as Successful.
    pub(super) fn finish_analysis(&mut self, canary: VersionId, events: &mut Vec<RolloutEvent>) {
        if let Some(run) = self.analysis.as_mut() {
            run.terminate();
            events.push(event(
                Actor::RolloutController,
                "AnalysisRunSuccessful",
                canary,
                format!("Analysis run Successful: {}", run.message),
            ));
        }
    }
    /// The canary's pod count a `setCanaryScale` step at or before the current one sets, unless
    /// a later one matched the traffic again (Argo's `UseSetCanaryScale`).
    pub(super) fn canary_scale(&self, spec: &CanarySpec) -> Option<u32> {
        if !spec.traffic_routing || spec.steps.is_empty() {
            return None;
        }
        let last = (self.step_index as usize).min(spec.steps.len() - 1);
        spec.steps[..=last]
            .iter()
            .rev()
            .find_map(|step| match step {
                CanaryStep::SetCanaryScale {
                    match_traffic_weight: true,
                    ..
                } => Some(None),
                CanaryStep::SetCanaryScale {
                    replicas: Some(replicas),
                    ..
                } => Some(Some(*replicas)),
                CanaryStep::SetCanaryScale {
                    weight_percent: Some(weight),
                    ..
                } => Some(Some(canary_replicas_for(*weight, spec.replicas))),
                _ => None,
            })?
    }
    /// The weight of the last setWeight step at or before the current one (0 if none yet):
    /// Argo's `GetCurrentSetWeight`.
    pub(super) fn current_set_weight(&self, spec: &CanarySpec) -> u32 {
        spec.steps[..=(self.step_index as usize).min(spec.steps.len().saturating_sub(1))]
            .iter()
            .rev()
            .find_map(|step| match step {
                CanaryStep::SetWeight { weight_percent } => Some(*weight_percent),
                _ => None,
            })
            .unwrap_or(0)
    }
    /// Moves the canary and stable replica counts one sync towards `weight` without a router
    /// (`CalculateReplicaCountsForBasicCanary`), and tracks the canary's share of ready pods.
    pub(super) fn scale_basic(
        &mut self,
        spec: &CanarySpec,
        observed: &Observed,
        canary: VersionId,
        weight: u32,
        events: &mut Vec<RolloutEvent>,
    ) {
        let replicas = spec.replicas as i32;
        let (max_surge, max_unavailable) =
            argo_surge_and_unavailable(&spec.max_surge, &spec.max_unavailable, replicas)
                .unwrap_or((0, 1));
        let stable_replicas = self.stable_replicas.unwrap_or(spec.replicas);
        let (canary_count, stable_count) = basic_canary_replica_counts(&BasicCanaryInput {
            replicas,
            weight: weight as i32,
            max_surge,
            max_unavailable,
            canary: Some(ReplicaSetState {
                spec_replicas: self.canary_replicas as i32,
                available: observed.canary_ready as i32,
            }),
            stable: Some(ReplicaSetState {
                spec_replicas: stable_replicas as i32,
                available: observed.stable_ready as i32,
            }),
            older_replicas: 0,
        });
        let (canary_count, stable_count) = (canary_count.max(0) as u32, stable_count.max(0) as u32);
        if canary_count != self.canary_replicas {
            events.push(scaling_event(canary, self.canary_replicas, canary_count));
            self.canary_replicas = canary_count;
        }
        if stable_count != stable_replicas {
            events.push(event(
                Actor::RolloutController,
                "ScalingReplicaSet",
                self.stable,
                format!(
                    "Scaled {} stable ReplicaSet from {stable_replicas} to {stable_count}",
                    if stable_count > stable_replicas {
                        "up"
                    } else {
                        "down"
                    }
                ),
            ));
            self.stable_replicas = Some(stable_count);
        }
        let serving = observed.canary_ready + observed.stable_ready;
        if serving > 0 {
            let share = (observed.canary_ready * 100).div_ceil(serving).min(100);
            self.traffic_weight_percent = share;
            self.max_traffic_weight_percent = self.max_traffic_weight_percent.max(share);
        }
    }
    /// Argo's `AtDesiredReplicaCountsForCanary` without a router: the canary at its count for
    /// `weight` with every pod available, and the stable at its count with every pod created.
    pub(super) fn at_desired_counts(
        &self,
        spec: &CanarySpec,
        observed: &Observed,
        weight: u32,
    ) -> bool {
        let replicas = spec.replicas as i32;
        let (max_surge, _) =
            argo_surge_and_unavailable(&spec.max_surge, &spec.max_unavailable, replicas)
                .unwrap_or((0, 1));
        let (canary, stable) = approximate_weighted_counts(replicas, weight as i32, max_surge);
        let (canary, stable) = (canary.max(0) as u32, stable.max(0) as u32);
        self.canary_replicas == canary
            && observed.canary_ready == canary
            && self.stable_replicas.unwrap_or(spec.replicas) == stable
            && observed.stable_live == stable
    }
    pub(super) fn complete_step(
        &mut self,
        spec: &CanarySpec,
        canary: VersionId,
        actor: Actor,
    ) -> RolloutEvent {
        let step = &spec.steps[self.step_index as usize];
        self.step_index += 1;
        event(
            actor,
            "RolloutStepCompleted",
            canary,
            format!(
                "Rollout step {}/{} completed ({})",
                self.step_index,
                spec.steps.len(),
                step.label()
            ),
        )
    }
    pub(super) fn set_traffic_weight(
        &mut self,
        canary: VersionId,
        weight_percent: u32,
        events: &mut Vec<RolloutEvent>,
    ) {
        if self.traffic_weight_percent != weight_percent {
            events.push(event(
                Actor::RolloutController,
                "TrafficWeightUpdated",
                canary,
                format!(
                    "Traffic weight updated from {} to {}",
                    self.traffic_weight_percent, weight_percent
                ),
            ));
            self.traffic_weight_percent = weight_percent;
            self.max_traffic_weight_percent = self.max_traffic_weight_percent.max(weight_percent);
        }
    }
}
