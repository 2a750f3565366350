//! How a run ended or stands: the outcome, each version's replicas and traffic, and the timeline's
//! entries.

use crate::controllers::Controller;
use crate::controllers::canary::RolloutStatus;
use crate::controllers::deployment::DeploymentController;
use crate::controllers::rollout::RolloutResult;
use crate::version::VersionId;

use super::Sim;
use super::timeline::{Outcome, VersionState};

impl Sim {
    /// How the run ended (or stands).
    pub fn outcome(&self) -> Outcome {
        let (phase, phase_message) = self.phase();
        let (requests_total, errors_total, unserved) =
            self.metrics
                .cohorts_of(self.target)
                .fold((0, 0, 0), |(r, e, u), (_, s)| {
                    (
                        r + s.requests_total,
                        e + s.errors_total,
                        u + s.unserved_total,
                    )
                });
        let environment = self.world.services[self.target as usize].environment as usize;
        let (result, stable, weight, max_weight) = match &self.controller {
            Controller::FeatureFlag(controller) => {
                let result = match (&controller.on, controller.killed, controller.completed) {
                    (None, _, _) => "no_rollout",
                    (Some(_), true, _) => "rolled_back",
                    (Some(_), _, true) => "promoted",
                    _ => "in_progress",
                };
                (
                    result,
                    controller.off,
                    controller.percent,
                    controller.percent,
                )
            }
            Controller::Flagger(controller) => {
                let result = match controller.phase {
                    crate::controllers::flagger::FlaggerPhase::Initialized => "no_rollout",
                    crate::controllers::flagger::FlaggerPhase::Succeeded => "promoted",
                    crate::controllers::flagger::FlaggerPhase::Failed => "rolled_back",
                    _ => "in_progress",
                };
                (
                    result,
                    controller.primary,
                    controller.canary_weight,
                    controller.max_canary_weight,
                )
            }
            Controller::Deployment(deployment) => self.deployment_outcome(deployment),
            Controller::BlueGreen(controller) => {
                let result = match (&controller.stage, &controller.last_result) {
                    (crate::controllers::blue_green::BlueGreenStage::Stable, Some(result)) => {
                        result.as_str()
                    }
                    (crate::controllers::blue_green::BlueGreenStage::Stable, None) => "no_rollout",
                    (crate::controllers::blue_green::BlueGreenStage::Aborted { .. }, _) => {
                        "rolled_back"
                    }
                    _ => "in_progress",
                };
                let result: &'static str = match result {
                    "promoted" => "promoted",
                    "rolled_back" => "rolled_back",
                    "no_rollout" => "no_rollout",
                    _ => "in_progress",
                };
                let new_share = controller.new.map_or(0, |new| {
                    self.traffic_split()
                        .iter()
                        .find(|(v, _)| *v == new)
                        .map_or(0, |(_, w)| *w)
                });
                let switched = controller.previous.is_some() || result == "promoted";
                let max_share = if switched {
                    100
                } else if controller.new.is_some() {
                    crate::controllers::blue_green::PREVIEW_TEST_TRAFFIC_BP / 100
                } else {
                    0
                };
                (result, controller.active, new_share, max_share)
            }
            Controller::Canary(controller) => canary_outcome(&controller.status),
        };
        Outcome {
            result: result.to_string(),
            stable_version: self.scenario.profile(stable).name.clone(),
            phase: phase.label().to_string(),
            phase_message,
            canary_traffic_weight_percent: weight,
            max_canary_traffic_weight_percent: max_weight,
            duration_s: self.now.0,
            requests_total,
            errors_total,
            unserved_requests_total: unserved,
            users_affected: self.world.environments[environment].users_affected(),
        }
    }
    /// A Deployment's result, the version serving (the template once complete, else the newest
    /// other ReplicaSet still asked for), and the template's share of traffic now and at most.
    pub(super) fn deployment_outcome(
        &self,
        deployment: &DeploymentController,
    ) -> (&'static str, VersionId, u32, u32) {
        let fleet = self.fleet();
        let complete = deployment.is_complete(fleet, self.now);
        let result = match &deployment.progressing {
            None => "no_rollout",
            Some(condition) if !condition.status => "progress_deadline_exceeded",
            Some(_) if complete && deployment.undone => "rolled_back",
            Some(_) if complete => "completed",
            Some(_) => "in_progress",
        };
        let serving = if complete {
            deployment.template
        } else {
            deployment
                .revisions
                .iter()
                .filter(|(v, _)| **v != deployment.template && fleet.desired(**v) > 0)
                .max_by_key(|(_, revision)| **revision)
                .map_or(deployment.template, |(v, _)| *v)
        };
        let template_name = &self.scenario.profile(deployment.template).name;
        let weight_of = |versions: &[VersionState]| {
            versions
                .iter()
                .find(|v| &v.version == template_name)
                .map_or(0, |v| v.weight_percent)
        };
        let weight = self
            .traffic_split()
            .iter()
            .find(|(v, _)| *v == deployment.template)
            .map_or(0, |(_, w)| *w);
        let max_weight = self
            .timeline
            .iter()
            .map(|entry| weight_of(&entry.versions))
            .max()
            .unwrap_or(0)
            .max(weight);
        (result, serving, weight, max_weight)
    }
    /// Each version of the rolled-out service with pods, asked for or running, or with traffic:
    /// its desired, ready and available replicas and its share of traffic now.
    pub fn version_states(&self) -> Vec<VersionState> {
        let fleet = self.fleet();
        let min_ready_s = self.controller.min_ready_s();
        let split = self.traffic_split();
        // Sorted and deduplicated as `Fleet::versions` does, which shares its sort's code.
        let mut versions = fleet.versions();
        versions.extend(split.iter().filter(|(_, w)| *w > 0).map(|(v, _)| *v));
        versions.sort();
        versions.dedup();
        versions
            .into_iter()
            .map(|version| VersionState {
                version: self.scenario.profile(version).name.clone(),
                desired: fleet.desired(version),
                ready: fleet.counts(version).ready,
                available: fleet.available(version, self.now, min_ready_s),
                weight_percent: split
                    .iter()
                    .find(|(v, _)| *v == version)
                    .map_or(0, |(_, w)| *w),
            })
            .collect()
    }
}

/// A canary's result (from its history once it ended), its stable version, and the canary's
/// share of traffic now and at most.
pub(super) fn canary_outcome(rollout: &RolloutStatus) -> (&'static str, VersionId, u32, u32) {
    let last = rollout.history.last();
    let result = if rollout.is_progressing() {
        "in_progress"
    } else if rollout.aborted.is_some() {
        "rolled_back"
    } else {
        match last.map(|r| r.result) {
            Some(RolloutResult::Promoted) => "promoted",
            Some(RolloutResult::Aborted) => "rolled_back",
            None => "no_rollout",
        }
    };
    let max_weight = if rollout.canary.is_some() {
        rollout.max_traffic_weight_percent
    } else {
        last.map_or(0, |r| r.max_traffic_weight_percent)
    };
    (
        result,
        rollout.stable,
        rollout.traffic_weight_percent,
        max_weight,
    )
}
