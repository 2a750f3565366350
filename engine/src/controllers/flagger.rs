//! Flagger's analysis loop (`pkg/controller/scheduler.go`): once per `interval` the canary's
//! metrics are checked; a passing check advances the canary weight by `stepWeight` (or the next
//! of `stepWeights`) until `maxWeight` is reached, then the canary is promoted (after the
//! `confirm-promotion` gate, if any); a failing check or a metric with no data counts a failed
//! check, cumulatively, and the rollback happens on the tick after `failedChecks` reaches
//! `threshold`. With `iterations` (and no `match`) the loop is blue/green: that many passing
//! checks, then promotion. With `iterations` and `match` it is an A/B test: requests that carry
//! the matched header or cookie go to the canary, everything else to the primary, for that many
//! passing checks.
//!
//! Flagger always routes through a mesh or ingress, so weights are exact. Its Kubernetes events
//! all have the reason `Synced`; phase changes are logged with the phase's name.

use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::command::CommandError;
use crate::controllers::rollout::{
    RolloutCommands, RolloutEvent, RolloutPhase, event, percentages, set_desired_replicas,
};
use crate::metrics::{CohortKey, Metrics, WindowTotals};
use crate::time::Tick;
use crate::version::{VersionId, VersionProfile};
use crate::world::Service;
use crate::world::routing::Routing;

/// Share of traffic a blue/green analysis sends the canary (load-test traffic), in percent.
pub const BLUE_GREEN_TEST_TRAFFIC_PERCENT: u32 = 1;

/// Share of requests that carry an A/B test's header or cookie, in basis points. Real traffic
/// decides this; the simulator assumes one request in ten.
pub const AB_MATCH_SHARE_BP: u32 = 1_000;

/// A built-in metric check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlaggerMetric {
    /// `request-success-rate` (percent of non-5xx, checked against `min`) or
    /// `request-duration` (p99 in ms, checked against `max`).
    pub name: String,
    /// `thresholdRange.min`, in thousandths (99 % is 99,000).
    pub min_milli: Option<i64>,
    /// `thresholdRange.max`, in thousandths (500 ms is 500,000).
    pub max_milli: Option<i64>,
    /// The metric's `interval` (default 1m): the window each check reads.
    pub interval_s: u32,
}

/// A Flagger `Canary`'s analysis settings, with Flagger's defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlaggerSpec {
    /// The Canary's name, for messages.
    pub name: String,
    /// The target Deployment's replicas.
    pub replicas: u32,
    /// `analysis.interval` (default 60 s, at least 10 s).
    pub interval_s: u32,
    /// `analysis.threshold`: failed checks before rollback (1 when not positive).
    pub threshold: u32,
    /// `analysis.maxWeight` (default 100; with `stepWeights`, their last, at most 100).
    pub max_weight: u32,
    /// `analysis.stepWeight`.
    pub step_weight: u32,
    /// `analysis.stepWeights`.
    pub step_weights: Vec<u32>,
    /// `analysis.iterations`: a blue/green analysis of this many checks.
    pub iterations: Option<u32>,
    /// `analysis.metrics`.
    pub metrics: Vec<FlaggerMetric>,
    /// A `confirm-promotion` webhook: promotion waits for a promote command.
    pub confirm_promotion: bool,
    /// `progressDeadlineSeconds` (600): a canary not ready by then is rolled back.
    pub progress_deadline_s: u32,
    /// `analysis.match`, each written out (`header x-canary exact "insider"`): with
    /// `iterations`, an A/B test.
    #[serde(default)]
    pub ab_match: Vec<String>,
}

/// Flagger's canary phases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlaggerPhase {
    /// Nothing to roll out.
    Initialized,
    /// Analysing and shifting traffic.
    Progressing,
    /// Waiting for the `confirm-promotion` gate.
    WaitingPromotion,
    /// Copying the canary's spec to the primary.
    Promoting,
    /// Routing all traffic back to the (updated) primary.
    Finalising,
    /// Done.
    Succeeded,
    /// Rolled back.
    Failed,
}

impl FlaggerPhase {
    /// The phase as Flagger names it.
    pub fn label(self) -> &'static str {
        match self {
            FlaggerPhase::Initialized => "Initialized",
            FlaggerPhase::Progressing => "Progressing",
            FlaggerPhase::WaitingPromotion => "WaitingPromotion",
            FlaggerPhase::Promoting => "Promoting",
            FlaggerPhase::Finalising => "Finalising",
            FlaggerPhase::Succeeded => "Succeeded",
            FlaggerPhase::Failed => "Failed",
        }
    }
}

/// What one tick's metric checks saw of the canary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlaggerObserved {
    /// The canary's traffic over the last minute (the built-in metrics' window).
    pub canary_window: WindowTotals,
    /// The canary's p99 latency now, if it served any request.
    pub canary_p99_ms: Option<u32>,
    /// Ready canary pods.
    pub canary_ready: u32,
}

/// The controller's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlaggerController {
    /// The analysis settings.
    pub spec: FlaggerSpec,
    /// The version the primary runs.
    pub primary: VersionId,
    /// The version under analysis.
    pub canary: Option<VersionId>,
    /// The phase.
    pub phase: FlaggerPhase,
    /// The canary's share of traffic.
    pub canary_weight: u32,
    /// The largest share the last canary had.
    pub max_canary_weight: u32,
    /// Failed checks since this revision started.
    pub failed_checks: u32,
    /// Passing checks so far (blue/green).
    pub iterations_done: u32,
    /// When the next tick runs.
    pub next_tick: Tick,
    /// When this revision started, for the progress deadline.
    pub started_at: Tick,
    /// Set by a promote command: the `confirm-promotion` gate is open.
    pub promotion_confirmed: bool,
    /// An A/B test's routes are in place (set once the canary is ready).
    #[serde(default)]
    pub ab_routed: bool,
}

impl FlaggerController {
    /// A canary whose primary runs `version`.
    pub fn new(spec: FlaggerSpec, version: VersionId) -> FlaggerController {
        FlaggerController {
            spec,
            primary: version,
            canary: None,
            phase: FlaggerPhase::Initialized,
            canary_weight: 0,
            max_canary_weight: 0,
            failed_checks: 0,
            iterations_done: 0,
            next_tick: Tick(0),
            started_at: Tick(0),
            promotion_confirmed: false,
            ab_routed: false,
        }
    }
    /// Runs the scheduler when a tick is due.
    pub fn reconcile(&mut self, observed: &FlaggerObserved, now: Tick) -> Vec<RolloutEvent> {
        let Some(canary) = self.canary else {
            return Vec::new();
        };
        if now < self.next_tick {
            return Vec::new();
        }
        self.next_tick = now.plus_s(u64::from(self.spec.interval_s));
        let name = self.spec.name.clone();
        match self.phase {
            FlaggerPhase::Progressing | FlaggerPhase::WaitingPromotion => {
                let deadline_passed = observed.canary_ready < self.spec.replicas
                    && now.seconds_since(self.started_at)
                        >= u64::from(self.spec.progress_deadline_s);
                if self.failed_checks >= self.spec.threshold {
                    let reason = format!(
                        "Rolling back {name} failed checks threshold reached {}",
                        self.failed_checks
                    );
                    return self.roll_back(canary, Actor::Flagger, reason);
                }
                if deadline_passed {
                    let reason = format!(
                        "Rolling back {name} progress deadline exceeded canary deployment {name} not ready"
                    );
                    return self.roll_back(canary, Actor::Flagger, reason);
                }
                if self.phase == FlaggerPhase::WaitingPromotion {
                    return self.try_promote(canary);
                }
                // `IsCanaryReady`: until the canary's pods are ready the scheduler waits
                // (until the progress deadline) and no check is counted.
                if observed.canary_ready < self.spec.replicas.max(1) {
                    return Vec::new();
                }
                // An A/B test routes the matched requests to the canary once it is ready, and
                // checks them from the next interval on.
                if self.is_ab_test() && !self.ab_routed {
                    self.ab_routed = true;
                    return vec![event(
                        Actor::Flagger,
                        "Synced",
                        canary,
                        format!(
                            "Routing requests with {} to the {name} canary",
                            self.spec.ab_match.join(" or ")
                        ),
                    )];
                }
                let mut events = Vec::new();
                // At weight 0 on the first iteration only the pre-rollout hooks run (none here).
                let first_tick = self.canary_weight == 0 && self.iterations_done == 0;
                let analysed = !first_tick || self.spec.iterations.is_some();
                if let Some(halt) = analysed.then(|| self.check_metrics(observed)).flatten() {
                    self.failed_checks += 1;
                    events.push(event(Actor::Flagger, "Synced", canary, halt));
                    return events;
                }
                match self.spec.iterations {
                    Some(iterations) => {
                        self.iterations_done += 1;
                        if self.iterations_done < iterations {
                            events.push(event(
                                Actor::Flagger,
                                "Synced",
                                canary,
                                format!(
                                    "Advance {name} canary iteration {}/{iterations}",
                                    self.iterations_done
                                ),
                            ));
                        } else {
                            events.extend(self.try_promote(canary));
                        }
                    }
                    None if self.canary_weight < self.max_weight() => {
                        self.canary_weight = (self.canary_weight + self.next_step()).min(100);
                        self.max_canary_weight = self.max_canary_weight.max(self.canary_weight);
                        events.push(event(
                            Actor::Flagger,
                            "Synced",
                            canary,
                            format!("Advance {name} canary weight {}", self.canary_weight),
                        ));
                    }
                    None => events.extend(self.try_promote(canary)),
                }
                events
            }
            FlaggerPhase::Promoting => {
                self.phase = FlaggerPhase::Finalising;
                self.primary = canary;
                vec![event(
                    Actor::Flagger,
                    "Finalising",
                    canary,
                    format!("Routing all traffic to primary {name}-primary"),
                )]
            }
            FlaggerPhase::Finalising => {
                self.phase = FlaggerPhase::Succeeded;
                self.canary = None;
                self.canary_weight = 0;
                vec![event(
                    Actor::Flagger,
                    "Succeeded",
                    canary,
                    format!("Promotion completed! Scaling down {name}"),
                )]
            }
            FlaggerPhase::Initialized | FlaggerPhase::Succeeded | FlaggerPhase::Failed => {
                Vec::new()
            }
        }
    }

    /// Replicas per version: the primary at full size, the canary too while it is analysed.
    pub fn desired_replicas(&self) -> Vec<(VersionId, u32)> {
        let mut desired = vec![(self.primary, self.spec.replicas)];
        if let Some(canary) = self.canary
            && canary != self.primary
            && matches!(
                self.phase,
                FlaggerPhase::Progressing
                    | FlaggerPhase::WaitingPromotion
                    | FlaggerPhase::Promoting
            )
        {
            desired.push((canary, self.spec.replicas));
        }
        desired
    }

    /// Traffic per version, in percent.
    pub fn weights(&self) -> Vec<(VersionId, u32)> {
        match (self.canary, self.phase) {
            // Promoting copies the canary's spec to the primary: both serve the new version.
            (Some(canary), FlaggerPhase::Promoting) => vec![(canary, 100)],
            (Some(canary), FlaggerPhase::Progressing | FlaggerPhase::WaitingPromotion)
                if canary != self.primary =>
            {
                // An A/B test sends the canary the matched requests only (see `header_routes`);
                // a blue/green analysis sends it test traffic only.
                let weight = if self.is_ab_test() {
                    0
                } else if self.spec.iterations.is_some() {
                    BLUE_GREEN_TEST_TRAFFIC_PERCENT
                } else {
                    self.canary_weight
                };
                vec![(self.primary, 100 - weight), (canary, weight)]
            }
            _ => vec![(self.primary, 100)],
        }
    }

    /// True for an A/B test: iterations with a `match`.
    pub fn is_ab_test(&self) -> bool {
        self.spec.iterations.is_some() && !self.spec.ab_match.is_empty()
    }

    /// The A/B test's routes while the canary is analysed: matched requests go to the canary,
    /// the share split evenly between the matches.
    pub fn header_routes(&self) -> Vec<crate::world::routing::HeaderRoute> {
        match (self.canary, self.phase) {
            (Some(canary), FlaggerPhase::Progressing | FlaggerPhase::WaitingPromotion)
                if self.is_ab_test() && self.ab_routed && canary != self.primary =>
            {
                let share_bp = AB_MATCH_SHARE_BP / self.spec.ab_match.len() as u32;
                self.spec
                    .ab_match
                    .iter()
                    .map(|matcher| crate::world::routing::HeaderRoute {
                        matcher: matcher.clone(),
                        share_bp,
                        version: canary,
                    })
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// The phase in the simulator's terms, with Flagger's phase and numbers as the reason.
    pub fn rollout_phase(&self) -> (RolloutPhase, String) {
        let detail = format!(
            "Flagger {}: canary weight {} %, failed checks {}/{}",
            self.phase.label(),
            self.canary_weight,
            self.failed_checks,
            self.spec.threshold
        );
        let phase = match self.phase {
            FlaggerPhase::Initialized | FlaggerPhase::Succeeded => {
                return (
                    RolloutPhase::Healthy,
                    format!("Flagger {}", self.phase.label()),
                );
            }
            FlaggerPhase::WaitingPromotion => RolloutPhase::Paused,
            FlaggerPhase::Failed => RolloutPhase::Degraded,
            _ => RolloutPhase::Progressing,
        };
        (phase, detail)
    }

    /// True when nothing is being analysed or promoted.
    pub fn is_idle(&self) -> bool {
        matches!(
            self.phase,
            FlaggerPhase::Initialized | FlaggerPhase::Succeeded | FlaggerPhase::Failed
        )
    }

    /// `maxWeight`, or the last of `stepWeights` (at most 100).
    pub fn max_weight(&self) -> u32 {
        match self.spec.step_weights.last() {
            Some(last) => (*last).min(100),
            None => self.spec.max_weight.min(100),
        }
    }

    /// The weight increment for the next advance.
    fn next_step(&self) -> u32 {
        if self.spec.step_weights.is_empty() {
            return self.spec.step_weight.max(1);
        }
        self.spec
            .step_weights
            .iter()
            .find(|w| **w > self.canary_weight)
            .map_or(1, |w| w - self.canary_weight)
    }

    /// The first failing metric's "Halt advancement" message, if any check fails.
    fn check_metrics(&self, observed: &FlaggerObserved) -> Option<String> {
        let name = &self.spec.name;
        for metric in &self.spec.metrics {
            let value = match metric.name.as_str() {
                "request-success-rate" => observed
                    .canary_window
                    .error_rate_bp()
                    .map(|bp| 100.0 - f64::from(bp) / 100.0),
                "request-duration" => observed.canary_p99_ms.map(f64::from),
                _ => None,
            };
            let value = value.map(|v| (v * 1_000.0).round() as i64);
            let Some(value) = value else {
                return Some(format!(
                    "Halt advancement no values found for metric {} probably {name} is not receiving traffic",
                    metric.name
                ));
            };
            let shown = |milli: i64| {
                let text = format!("{:.2}", milli as f64 / 1_000.0);
                text.trim_end_matches('0').trim_end_matches('.').to_string()
            };
            if let Some(min) = metric.min_milli
                && value < min
            {
                return Some(format!(
                    "Halt {name} advancement {} {} < {}",
                    metric.name,
                    shown(value),
                    shown(min)
                ));
            }
            if let Some(max) = metric.max_milli
                && value > max
            {
                return Some(format!(
                    "Halt {name} advancement {} {} > {}",
                    metric.name,
                    shown(value),
                    shown(max)
                ));
            }
        }
        None
    }

    /// Promotes, or waits at a closed `confirm-promotion` gate.
    fn try_promote(&mut self, canary: VersionId) -> Vec<RolloutEvent> {
        let name = &self.spec.name;
        if self.spec.confirm_promotion && !self.promotion_confirmed {
            if self.phase == FlaggerPhase::WaitingPromotion {
                return Vec::new();
            }
            self.phase = FlaggerPhase::WaitingPromotion;
            return vec![event(
                Actor::Flagger,
                "WaitingPromotion",
                canary,
                format!(
                    "Confirm-promotion check confirm-promotion failed: waiting for approval to promote {name}"
                ),
            )];
        }
        self.phase = FlaggerPhase::Promoting;
        vec![event(
            Actor::Flagger,
            "Promoting",
            canary,
            format!("Copying {name} template spec to {name}-primary"),
        )]
    }

    fn roll_back(&mut self, canary: VersionId, actor: Actor, reason: String) -> Vec<RolloutEvent> {
        let name = self.spec.name.clone();
        self.phase = FlaggerPhase::Failed;
        self.canary_weight = 0;
        vec![
            event(actor, "Synced", canary, reason),
            event(
                Actor::Flagger,
                "Failed",
                canary,
                format!("Canary failed! Scaling down {name}"),
            ),
        ]
    }
}

impl FlaggerController {
    /// What Flagger's built-in metrics read of `service`: the canary's last minute and its p99.
    pub fn observe(&self, service: &Service, metrics: &Metrics, now: Tick) -> FlaggerObserved {
        let Some(canary) = self.canary else {
            return FlaggerObserved::default();
        };
        let key = CohortKey {
            service: service.index,
            version: canary,
        };
        FlaggerObserved {
            canary_window: metrics.window(key, now, 60),
            canary_p99_ms: metrics
                .cohort(key)
                .and_then(|series| series.latest())
                .filter(|sample| sample.tick.0 + 60 >= now.0 && sample.requests > 0)
                .map(|sample| sample.p99_ms),
            canary_ready: service.fleet.counts(canary).ready,
        }
    }

    /// Sets Flagger's replica targets and weights on `service`.
    pub fn set_targets(&self, service: &mut Service, version_count: u32) {
        let desired = self.desired_replicas();
        set_desired_replicas(service, desired.iter().copied(), version_count);
        service.stable = self.primary;
        service.routing = Routing {
            header_routes: self.header_routes(),
            user_buckets: None,
            weights: self.weights().into_iter().filter(|(_, w)| *w > 0).collect(),
        };
    }

    /// The primary's and the canary's share of traffic, in percent; in an A/B test the matched
    /// requests' share goes to the canary.
    pub fn traffic_split(&self) -> Vec<(VersionId, u32)> {
        let routes = self.header_routes();
        if routes.is_empty() {
            return self.weights();
        }
        let matched_bp: u32 = routes.iter().map(|r| r.share_bp).sum();
        percentages(&[
            (self.primary, 10_000 - matched_bp),
            (routes[0].version, matched_bp),
        ])
    }
}

impl RolloutCommands for FlaggerController {
    fn start_rollout(
        &mut self,
        version: VersionId,
        name: &str,
        actor: Actor,
        now: Tick,
        _versions: &[VersionProfile],
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        if version == self.primary && self.canary.is_none() {
            return Err(CommandError::NotApplicable(format!(
                "{name} is already the primary's version"
            )));
        }
        // A new revision restarts the analysis from weight 0.
        self.canary = Some(version);
        self.phase = FlaggerPhase::Progressing;
        self.canary_weight = 0;
        self.max_canary_weight = 0;
        self.failed_checks = 0;
        self.iterations_done = 0;
        self.ab_routed = false;
        self.started_at = now;
        self.next_tick = now.plus_s(u64::from(self.spec.interval_s));
        self.promotion_confirmed = false;
        Ok(vec![
            event(
                actor,
                "Synced",
                version,
                format!("New revision detected! Scaling up {}", self.spec.name),
            ),
            event(
                Actor::Flagger,
                "Progressing",
                version,
                format!("Starting canary analysis for {}", self.spec.name),
            ),
        ])
    }

    fn promote_rollout(
        &mut self,
        _full: bool,
        actor: Actor,
        _now: Tick,
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        let canary = self.canary.ok_or_else(|| {
            CommandError::NotApplicable("no canary is being analysed".to_string())
        })?;
        if !self.spec.confirm_promotion {
            return Err(CommandError::NotApplicable(
                "this Canary has no confirm-promotion gate to open".to_string(),
            ));
        }
        self.promotion_confirmed = true;
        Ok(vec![event(
            actor,
            "Synced",
            canary,
            format!("Confirm-promotion gate opened for {}", self.spec.name),
        )])
    }

    fn abort_rollout(
        &mut self,
        actor: Actor,
        _now: Tick,
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        let canary = self
            .canary
            .filter(|_| {
                matches!(
                    self.phase,
                    FlaggerPhase::Progressing | FlaggerPhase::WaitingPromotion
                )
            })
            .ok_or_else(|| {
                CommandError::NotApplicable("no canary is being analysed to roll back".to_string())
            })?;
        Ok(self.roll_back(
            canary,
            actor,
            format!(
                "Rolling back {}: the rollback gate was opened",
                self.spec.name
            ),
        ))
    }

    fn retry_rollout(
        &mut self,
        _actor: Actor,
        _now: Tick,
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        Err(CommandError::NotApplicable(
            "Flagger retries by detecting a new revision: start a rollout again".to_string(),
        ))
    }
}

#[cfg(test)]
mod tests;
