//! CodeDeploy's record following the controller: what it observes of the rollout each second, and
//! the rollback it starts in place.

use crate::audit::Actor;
use crate::controllers::Controller;
use crate::controllers::codedeploy::CodeDeployObserved;
use crate::metrics::CohortKey;

use super::Sim;

impl Sim {
    /// Lets CodeDeploy's record follow the controller: `since` is the first audit record of
    /// this second's controller events. A rollback it starts in place undoes the Deployment.
    pub(super) fn track_codedeploy(&mut self, since: u32) {
        if self.codedeploy.is_none() {
            return;
        }
        let observed = self.observe_codedeploy(since);
        let Some(tracker) = self.codedeploy.as_mut() else {
            return;
        };
        let actions = tracker.reconcile(&observed, self.now);
        self.record_events(&actions.events);
        if actions.redeploy.is_some()
            && let Some(deployment) = self.controller.deployment_mut()
            && let Ok(events) = deployment.undo(
                Actor::DeploymentController,
                self.now,
                &self.scenario.versions,
            )
        {
            self.record_events(&events);
        }
    }
    pub(super) fn observe_codedeploy(&self, since: u32) -> CodeDeployObserved {
        let aborted = self.audit.records()[since as usize..]
            .iter()
            .find(|r| r.action == "RolloutAborted")
            .map(|r| (r.actor, r.reason.clone()));
        let fleet = self.fleet();
        let (target, complete) = match &self.controller {
            Controller::Deployment(deployment) => {
                (deployment.template, deployment.is_complete(fleet, self.now))
            }
            controller => {
                let rollout = controller.canary().map(|c| &c.status);
                let canary = rollout.and_then(|r| r.canary);
                let aborted = rollout.is_some_and(|r| r.aborted.is_some());
                let target = match canary {
                    Some(canary) if !aborted => canary,
                    _ => controller.stable(),
                };
                let others_live: u32 = fleet
                    .versions()
                    .into_iter()
                    .filter(|v| *v != target)
                    .map(|v| fleet.live(v))
                    .sum();
                let settled = canary.is_none() || aborted;
                (target, settled && others_live == 0)
            }
        };
        let instances = fleet
            .instances()
            .iter()
            .filter(|i| i.version == target)
            .map(|i| {
                (
                    i.id,
                    i.name.clone(),
                    i.state == crate::world::fleet::InstanceState::Ready,
                    matches!(
                        i.state,
                        crate::world::fleet::InstanceState::CrashLoopBackOff { .. }
                    ),
                )
            })
            .collect();
        let period_s = self
            .codedeploy
            .as_ref()
            .map_or(60, |c| c.spec.alarm_period_s);
        // The alarm watches the errors of the revision being deployed, as an application alarm
        // would; requests that found no instance during an all-at-once update are downtime,
        // which the configuration accepts, not the revision's errors.
        let window = self.metrics.window(
            CohortKey {
                service: self.target,
                version: target,
            },
            self.now,
            period_s,
        );
        CodeDeployObserved {
            target,
            complete,
            aborted,
            instances,
            error_rate_bp: {
                let served = window.requests - window.unserved;
                (served >= 100)
                    .then(|| ((window.errors - window.unserved) * 10_000 / served) as u32)
            },
        }
    }
}
