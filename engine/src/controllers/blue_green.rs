//! Argo Rollouts' blue-green strategy (`docs/features/bluegreen.md`): the new ReplicaSet comes
//! up behind the preview service while the active service keeps all production traffic; after
//! the pre-promotion analysis and the promotion gate (a pause when `autoPromotionEnabled` is
//! false, or `autoPromotionSeconds`), the new ReplicaSet is scaled to full size and the active
//! service's selector is switched to it in one step. A post-promotion analysis that fails
//! switches the selector back; otherwise the old ReplicaSet is scaled down after
//! `scaleDownDelaySeconds`. An abort keeps (or puts back) the old version active and scales the
//! preview down after `abortScaleDownDelaySeconds`.
//!
//! The preview service receives test traffic only: 1 % of requests, as testers hitting the
//! preview would, so the pre-promotion analysis has something to measure.

use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::command::CommandError;
use crate::controllers::argo;
use crate::controllers::rollout::{
    RolloutCommands, RolloutEvent, RolloutPhase, event, percentages, set_desired_replicas,
};
use crate::gates::analysis::{AnalysisPhase, AnalysisRun, ErrorRateGate};
use crate::metrics::{CohortKey, Metrics, WindowTotals};
use crate::time::{Tick, duration_label};
use crate::version::{VersionId, VersionProfile};
use crate::world::Service;
use crate::world::fleet::Fleet;
use crate::world::routing::{HeaderRoute, Routing};

/// Share of requests that reach the preview service before promotion, in basis points.
pub const PREVIEW_TEST_TRAFFIC_BP: u32 = 100;

/// A blue-green strategy's fields, with Argo's defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlueGreenSpec {
    /// `spec.replicas`.
    pub replicas: u32,
    /// `activeService`: the Service production traffic goes through.
    pub active_service: String,
    /// `previewService`, if any.
    pub preview_service: Option<String>,
    /// `previewReplicaCount`: the new ReplicaSet's size before promotion (full size if unset).
    pub preview_replica_count: Option<u32>,
    /// `autoPromotionEnabled` (default true); false pauses before the switch.
    pub auto_promotion_enabled: bool,
    /// `autoPromotionSeconds`: wait this long before promoting automatically.
    pub auto_promotion_seconds: Option<u32>,
    /// `scaleDownDelaySeconds` (default 30): how long the old ReplicaSet stays after the switch.
    pub scale_down_delay_s: u32,
    /// `abortScaleDownDelaySeconds` (default 30): how long the preview stays after an abort.
    pub abort_scale_down_delay_s: u32,
    /// `prePromotionAnalysis`: measured on the preview before the switch.
    pub pre_promotion_analysis: Option<ErrorRateGate>,
    /// `postPromotionAnalysis`: measured on the new active version after the switch.
    pub post_promotion_analysis: Option<ErrorRateGate>,
}

/// Where a blue-green update stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlueGreenStage {
    /// No update in progress.
    Stable,
    /// The new ReplicaSet is coming up behind the preview service.
    Preview,
    /// The pre-promotion analysis is measuring the preview.
    PrePromotion(AnalysisRun),
    /// Waiting for a promote (`autoPromotionEnabled: false`).
    Paused {
        /// When the pause began.
        since: Tick,
    },
    /// Waiting out `autoPromotionSeconds`.
    AutoPromotionWait {
        /// When it promotes.
        until: Tick,
    },
    /// Scaling the new ReplicaSet to full size before the switch.
    ScalingUp,
    /// Switched; the post-promotion analysis is verifying the new active version.
    PostPromotion(AnalysisRun),
    /// Aborted: the old version is active; the preview is scaled down after the delay.
    Aborted {
        /// When.
        at: Tick,
        /// Why.
        message: String,
    },
}

/// The blue-green controller's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlueGreenController {
    /// The strategy.
    pub spec: BlueGreenSpec,
    /// The version the active service selects.
    pub active: VersionId,
    /// The version being rolled out (before the switch, the preview; after it, the new active).
    pub new: Option<VersionId>,
    /// The version active before the switch, kept until it is scaled down.
    pub previous: Option<VersionId>,
    /// The stage.
    pub stage: BlueGreenStage,
    /// A ReplicaSet to scale to zero at the given second.
    pub scale_down: Option<(VersionId, Tick)>,
    /// The newest revision.
    pub revision: u32,
    /// How the last update ended: promoted or rolled back.
    pub last_result: Option<String>,
}

/// The traffic each analysis can see this second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlueGreenObserved {
    /// The new version's traffic over the analysis window.
    pub new_window: WindowTotals,
}

impl BlueGreenController {
    /// A blue-green Rollout fully on `version`.
    pub fn new(spec: BlueGreenSpec, version: VersionId) -> BlueGreenController {
        BlueGreenController {
            spec,
            active: version,
            new: None,
            previous: None,
            stage: BlueGreenStage::Stable,
            scale_down: None,
            revision: 1,
            last_result: None,
        }
    }
    /// One reconciliation.
    pub fn reconcile(
        &mut self,
        fleet: &Fleet,
        observed: &BlueGreenObserved,
        now: Tick,
        profiles: &[VersionProfile],
    ) -> Vec<RolloutEvent> {
        let mut events = Vec::new();
        if let Some((version, at)) = self.scale_down
            && now >= at
        {
            self.scale_down = None;
            if Some(version) == self.previous {
                self.previous = None;
            }
            events.push(event(
                Actor::RolloutController,
                "ScalingReplicaSet",
                version,
                format!(
                    "Scaled down ReplicaSet {} from {} to 0",
                    profiles[version.0 as usize].name,
                    fleet.desired(version)
                ),
            ));
        }
        let Some(new) = self.new else {
            return events;
        };
        let new_available = fleet.counts(new).ready;
        let revision = self.revision;
        let preview_ready = new_available >= self.preview_size();
        let full_ready = new_available >= self.spec.replicas;
        let pre_promotion = self.spec.pre_promotion_analysis.clone();
        let next = match &mut self.stage {
            BlueGreenStage::Stable | BlueGreenStage::Aborted { .. } => Next::Stay,
            BlueGreenStage::Paused { .. } => Next::Stay,
            BlueGreenStage::Preview if preview_ready => match pre_promotion {
                Some(gate) => Next::StartPrePromotion(gate),
                None => Next::PromotionGate,
            },
            BlueGreenStage::Preview => Next::Stay,
            BlueGreenStage::PrePromotion(run) => {
                match measure(run, observed.new_window, now, new, &mut events) {
                    None => Next::Stay,
                    Some(AnalysisPhase::Successful) => Next::PromotionGate,
                    Some(AnalysisPhase::Inconclusive) => {
                        Next::PauseInconclusive(run.message.clone())
                    }
                    Some(phase) => Next::Abort(format!(
                        "Rollout aborted update to revision {revision}: Blue/green pre-promotion analysis phase {}: {}",
                        verdict(phase),
                        run.message
                    )),
                }
            }
            BlueGreenStage::AutoPromotionWait { until } if now >= *until => Next::ScaleUp,
            BlueGreenStage::AutoPromotionWait { .. } => Next::Stay,
            BlueGreenStage::ScalingUp if full_ready => Next::Switch,
            BlueGreenStage::ScalingUp => Next::Stay,
            BlueGreenStage::PostPromotion(run) => {
                match measure(run, observed.new_window, now, new, &mut events) {
                    None => Next::Stay,
                    Some(AnalysisPhase::Successful) => Next::Finish,
                    Some(phase) => Next::Abort(format!(
                        "Rollout aborted update to revision {revision}: Blue/green post-promotion analysis phase {}: {}",
                        verdict(phase),
                        run.message
                    )),
                }
            }
        };
        match next {
            Next::Stay => {}
            Next::StartPrePromotion(gate) => {
                events.push(event(
                    Actor::RolloutController,
                    "AnalysisRunRunning",
                    new,
                    format!(
                        "Pre-promotion analysis started on the preview: {} must stay at or below {}",
                        gate.metric_name,
                        crate::metrics::percent_label(gate.max_error_rate_bp)
                    ),
                ));
                self.stage = BlueGreenStage::PrePromotion(AnalysisRun::start(gate, now));
            }
            Next::PromotionGate => self.promotion_gate(new, now, &mut events),
            Next::PauseInconclusive(message) => {
                // A person decides: promote or abort.
                self.stage = BlueGreenStage::Paused { since: now };
                events.push(event(
                    Actor::RolloutController,
                    "RolloutPaused",
                    new,
                    format!("Rollout is paused (InconclusiveAnalysisRun): {message}"),
                ));
            }
            Next::ScaleUp => self.stage = BlueGreenStage::ScalingUp,
            Next::Switch => self.switch_active(new, now, profiles, &mut events),
            Next::Finish => self.finish(new, now, &mut events),
            Next::Abort(message) => {
                events.extend(self.abort(new, Actor::RolloutController, now, message));
            }
        }
        events
    }

    /// Replicas each version should have now.
    pub fn desired_replicas(&self, now: Tick) -> Vec<(VersionId, u32)> {
        let mut desired = vec![(self.active, self.spec.replicas)];
        if let Some(previous) = self.previous
            && previous != self.active
        {
            desired.push((previous, self.spec.replicas));
        }
        if let Some(new) = self.new
            && new != self.active
        {
            let size = match &self.stage {
                BlueGreenStage::Aborted { at, .. } => {
                    if now.seconds_since(*at) >= u64::from(self.spec.abort_scale_down_delay_s) {
                        0
                    } else {
                        self.preview_size()
                    }
                }
                BlueGreenStage::ScalingUp => self.spec.replicas,
                BlueGreenStage::Stable => 0,
                _ => self.preview_size(),
            };
            desired.push((new, size));
        }
        if let Some((version, _)) = self.scale_down
            && !desired.iter().any(|(v, _)| *v == version)
        {
            desired.push((version, self.spec.replicas));
        }
        desired
    }

    /// Production traffic to the active version; test traffic to the preview before the switch,
    /// once it has a ready pod (`preview_ready`) to answer.
    pub fn routing(&self, preview_ready: bool) -> Routing {
        let mut routing = Routing::single(self.active);
        if let Some(new) = self.new
            && new != self.active
            && preview_ready
            && !matches!(
                self.stage,
                BlueGreenStage::Aborted { .. } | BlueGreenStage::Stable
            )
        {
            routing.header_routes.push(HeaderRoute {
                matcher: format!(
                    "preview service {}",
                    self.spec.preview_service.as_deref().unwrap_or("(none)")
                ),
                share_bp: PREVIEW_TEST_TRAFFIC_BP,
                version: new,
            });
        }
        routing
    }

    /// The phase and its reason, in the order of Argo's `CalculateRolloutPhase`.
    pub fn phase(&self, fleet: &Fleet) -> (RolloutPhase, String) {
        match &self.stage {
            BlueGreenStage::Aborted { message, .. } => {
                return (RolloutPhase::Degraded, format!("RolloutAborted: {message}"));
            }
            BlueGreenStage::Paused { .. } => {
                return (RolloutPhase::Paused, "BlueGreenPause".to_string());
            }
            _ => {}
        }
        let Some(new) = self.new else {
            return if fleet.counts(self.active).ready < self.spec.replicas {
                (
                    RolloutPhase::Progressing,
                    "updated replicas are still becoming available".to_string(),
                )
            } else {
                (RolloutPhase::Healthy, String::new())
            };
        };
        let desired = fleet.desired(new);
        let reason = if desired < self.spec.replicas && self.active != new {
            "more replicas need to be updated"
        } else if fleet.counts(new).ready < desired {
            "updated replicas are still becoming available"
        } else if self.active != new {
            "active service cutover pending"
        } else {
            "waiting for post-promotion verification to complete"
        };
        (RolloutPhase::Progressing, reason.to_string())
    }

    /// True when nothing is moving: no update, no pending scale-down.
    pub fn is_idle(&self) -> bool {
        matches!(
            self.stage,
            BlueGreenStage::Stable | BlueGreenStage::Aborted { .. }
        ) && self.scale_down.is_none()
    }

    fn preview_size(&self) -> u32 {
        self.spec
            .preview_replica_count
            .unwrap_or(self.spec.replicas)
            .min(self.spec.replicas)
    }

    /// After the preview is ready and analysed: pause, wait, or go straight to the switch.
    fn promotion_gate(&mut self, new: VersionId, now: Tick, events: &mut Vec<RolloutEvent>) {
        if !self.spec.auto_promotion_enabled {
            self.stage = BlueGreenStage::Paused { since: now };
            events.push(event(
                Actor::RolloutController,
                "RolloutPaused",
                new,
                "Rollout is paused (BlueGreenPause) until promoted".to_string(),
            ));
        } else if let Some(seconds) = self.spec.auto_promotion_seconds {
            self.stage = BlueGreenStage::AutoPromotionWait {
                until: now.plus_s(u64::from(seconds)),
            };
            events.push(event(
                Actor::RolloutController,
                "RolloutPaused",
                new,
                format!(
                    "Rollout is paused (BlueGreenPause): promoting automatically in {}",
                    duration_label(u64::from(seconds))
                ),
            ));
        } else {
            self.stage = BlueGreenStage::ScalingUp;
        }
    }

    fn switch_active(
        &mut self,
        new: VersionId,
        now: Tick,
        profiles: &[VersionProfile],
        events: &mut Vec<RolloutEvent>,
    ) {
        let old = self.active;
        self.previous = Some(old);
        self.active = new;
        events.push(event(
            Actor::RolloutController,
            "SwitchService",
            new,
            format!(
                "Switched selector for service '{}' from '{}' to '{}'",
                self.spec.active_service,
                profiles[old.0 as usize].name,
                profiles[new.0 as usize].name
            ),
        ));
        match self.spec.post_promotion_analysis.clone() {
            Some(gate) => {
                events.push(event(
                    Actor::RolloutController,
                    "AnalysisRunRunning",
                    new,
                    format!(
                        "Post-promotion analysis started: {} must stay at or below {}",
                        gate.metric_name,
                        crate::metrics::percent_label(gate.max_error_rate_bp)
                    ),
                ));
                self.stage = BlueGreenStage::PostPromotion(AnalysisRun::start(gate, now));
            }
            None => self.finish(new, now, events),
        }
    }

    fn finish(&mut self, new: VersionId, now: Tick, events: &mut Vec<RolloutEvent>) {
        if let Some(previous) = self.previous {
            self.scale_down = Some((
                previous,
                now.plus_s(u64::from(self.spec.scale_down_delay_s)),
            ));
        }
        self.new = None;
        self.stage = BlueGreenStage::Stable;
        self.last_result = Some("promoted".to_string());
        events.push(event(
            Actor::RolloutController,
            "RolloutCompleted",
            new,
            format!("Rollout completed update to revision {}", self.revision),
        ));
    }

    fn abort(
        &mut self,
        new: VersionId,
        actor: Actor,
        now: Tick,
        message: String,
    ) -> Vec<RolloutEvent> {
        let mut events = Vec::new();
        if self.active == new
            && let Some(previous) = self.previous
        {
            // Aborted after the switch: the old ReplicaSet is still up, so switch straight back.
            self.active = previous;
            events.push(event(
                actor,
                "SwitchService",
                previous,
                format!(
                    "Switched selector for service '{}' back to the previous ReplicaSet",
                    self.spec.active_service
                ),
            ));
        }
        self.stage = BlueGreenStage::Aborted {
            at: now,
            message: message.clone(),
        };
        self.last_result = Some("rolled_back".to_string());
        events.insert(0, event(actor, "RolloutAborted", new, message));
        events
    }

    fn require_new(&self, what: &str) -> Result<VersionId, CommandError> {
        match (&self.stage, self.new) {
            (BlueGreenStage::Aborted { .. }, _) => Err(CommandError::NotApplicable(format!(
                "the rollout was aborted; retry it before you {what}"
            ))),
            (BlueGreenStage::Stable, _) | (_, None) => Err(CommandError::NotApplicable(format!(
                "no update is in progress to {what}"
            ))),
            (_, Some(new)) => Ok(new),
        }
    }
}

impl BlueGreenController {
    /// What the analyses can see of `service`: the new version's traffic over the window.
    pub fn observe(&self, service: &Service, metrics: &Metrics, now: Tick) -> BlueGreenObserved {
        let window_s = self
            .spec
            .pre_promotion_analysis
            .as_ref()
            .or(self.spec.post_promotion_analysis.as_ref())
            .map_or(60, |gate| gate.window_s);
        BlueGreenObserved {
            new_window: self.new.map_or_else(Default::default, |new| {
                metrics.window(
                    CohortKey {
                        service: service.index,
                        version: new,
                    },
                    now,
                    window_s,
                )
            }),
        }
    }

    /// Sets the replica targets and routing (active, and preview test traffic) on `service`.
    pub fn set_targets(&self, service: &mut Service, now: Tick, version_count: u32) {
        let desired = self.desired_replicas(now);
        let routing = self.routing(self.preview_ready(&service.fleet));
        set_desired_replicas(service, desired.iter().copied(), version_count);
        service.stable = self.active;
        service.routing = routing;
    }

    /// The active service's share of traffic and the preview's test traffic, in percent.
    pub fn traffic_split(&self, fleet: &Fleet) -> Vec<(VersionId, u32)> {
        let routing = self.routing(self.preview_ready(fleet));
        let preview_bp: u32 = routing.header_routes.iter().map(|r| r.share_bp).sum();
        let mut shares = vec![(self.active, 10_000 - preview_bp)];
        shares.extend(
            routing
                .header_routes
                .iter()
                .map(|r| (r.version, r.share_bp)),
        );
        percentages(&shares)
    }

    /// True when the preview has a ready pod to answer test traffic.
    fn preview_ready(&self, fleet: &Fleet) -> bool {
        self.new.is_some_and(|new| fleet.counts(new).ready > 0)
    }
}

impl RolloutCommands for BlueGreenController {
    fn start_rollout(
        &mut self,
        version: VersionId,
        name: &str,
        actor: Actor,
        _now: Tick,
        _versions: &[VersionProfile],
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        if !matches!(
            self.stage,
            BlueGreenStage::Stable | BlueGreenStage::Aborted { .. }
        ) {
            return Err(argo::update_in_progress("an update"));
        }
        if version == self.active {
            return Err(CommandError::NotApplicable(format!(
                "{name} is already the active version"
            )));
        }
        self.revision += 1;
        self.new = Some(version);
        self.stage = BlueGreenStage::Preview;
        Ok(argo::revision_created(actor, version, self.revision))
    }

    fn promote_rollout(
        &mut self,
        full: bool,
        actor: Actor,
        _now: Tick,
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        let new = self.require_new("promote")?;
        match &self.stage {
            BlueGreenStage::Paused { .. } | BlueGreenStage::AutoPromotionWait { .. } => {}
            BlueGreenStage::Preview | BlueGreenStage::PrePromotion(_) if full => {}
            _ => {
                return Err(CommandError::NotApplicable(
                    "the rollout is not paused before promotion, so there is nothing to promote"
                        .to_string(),
                ));
            }
        }
        self.stage = BlueGreenStage::ScalingUp;
        Ok(vec![event(
            actor,
            "RolloutResumed",
            new,
            if full {
                "Rollout is resumed: promoting fully, skipping analysis".to_string()
            } else {
                "Rollout is resumed".to_string()
            },
        )])
    }

    fn abort_rollout(
        &mut self,
        actor: Actor,
        now: Tick,
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        let new = self.require_new("abort")?;
        let reason = argo::aborted_by(self.revision, actor);
        Ok(self.abort(new, actor, now, reason))
    }

    fn retry_rollout(
        &mut self,
        actor: Actor,
        _now: Tick,
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        let (BlueGreenStage::Aborted { .. }, Some(new)) = (&self.stage, self.new) else {
            return Err(argo::nothing_to_retry());
        };
        self.stage = BlueGreenStage::Preview;
        self.scale_down = None;
        Ok(vec![argo::retried(actor, new, self.revision)])
    }

    fn undo_rollout(
        &mut self,
        actor: Actor,
        now: Tick,
        _versions: &[VersionProfile],
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        let mut events = Vec::new();

        let Some(new) = self.new else {
            return Err(CommandError::NotApplicable(
                "no update is in progress to undo".to_string(),
            ));
        };
        if self.active == new {
            return Err(CommandError::NotApplicable(
                "the new version is already active; abort to switch back".to_string(),
            ));
        }
        self.revision += 1;
        self.stage = BlueGreenStage::Stable;
        self.new = None;
        self.scale_down = Some((new, now));
        self.last_result = Some("rolled_back".to_string());
        events.push(event(
            actor,
            "RolloutUpdated",
            self.active,
            format!(
                "Rollout updated to revision {}: rolled back to the active ReplicaSet",
                self.revision
            ),
        ));

        Ok(events)
    }
}

/// What a reconciliation does once it has looked at the stage.
enum Next {
    Stay,
    StartPrePromotion(ErrorRateGate),
    PromotionGate,
    PauseInconclusive(String),
    ScaleUp,
    Switch,
    Finish,
    Abort(String),
}

/// Takes a measurement when one is due and returns the run's phase once it has decided.
fn measure(
    run: &mut AnalysisRun,
    window: WindowTotals,
    now: Tick,
    new: VersionId,
    events: &mut Vec<RolloutEvent>,
) -> Option<AnalysisPhase> {
    if !run.is_due(now) {
        return None;
    }
    let measurement = run.measure(now, window).clone();
    let reason = match measurement.phase {
        AnalysisPhase::Successful => "MetricSuccessful",
        AnalysisPhase::Failed => "MetricFailed",
        AnalysisPhase::Error => "MetricError",
        AnalysisPhase::Inconclusive | AnalysisPhase::Running => "MetricInconclusive",
    };
    events.push(event(
        Actor::RolloutController,
        reason,
        new,
        format!("{}: {}", run.gate.metric_name, measurement.explanation),
    ));
    match run.phase {
        AnalysisPhase::Running => None,
        phase => {
            let reason = match phase {
                AnalysisPhase::Successful => "AnalysisRunSuccessful",
                AnalysisPhase::Error => "AnalysisRunError",
                _ => "AnalysisRunFailed",
            };
            events.push(event(
                Actor::RolloutController,
                reason,
                new,
                format!("Analysis run {}: {}", phase.label(), run.message),
            ));
            Some(phase)
        }
    }
}

fn verdict(phase: AnalysisPhase) -> &'static str {
    if phase == AnalysisPhase::Error {
        "error"
    } else {
        "failed"
    }
}
