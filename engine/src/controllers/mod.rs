//! The rollout controllers: one file per real controller (Argo canary and blue-green, the
//! Kubernetes Deployment, Flagger, a feature flag), behind one [`Controller`], and CodeDeploy's
//! record of deployments above them.
//!
//! A controller reads the rolled-out service's fleet and metrics, decides replica targets and
//! routing with the upstream arithmetic, and reports what it did as [`RolloutEvent`]s; it never
//! touches the pipeline, the scenario or the simulation.

pub mod argo;
pub mod blue_green;
pub mod canary;
pub mod codedeploy;
pub mod deployment;
pub mod feature_flag;
pub mod flagger;
pub mod rollout;

use crate::audit::Actor;
use crate::command::{Command, CommandError};
use crate::metrics::Metrics;
use crate::time::Tick;
use crate::version::{VersionId, VersionProfile};
use crate::world::Service;
use crate::world::fleet::Fleet;

use blue_green::BlueGreenController;
use canary::CanaryController;
use deployment::DeploymentController;
use feature_flag::FlagRolloutController;
use flagger::FlaggerController;
use rollout::{RolloutCommands, RolloutEvent, RolloutPhase, percentages};

/// The one controller that rolls out the target service, whichever strategy the scenario names.
#[derive(Clone, Debug)]
pub enum Controller {
    /// An Argo Rollouts canary, with or without a traffic router.
    Canary(CanaryController),
    /// A Kubernetes Deployment (rolling update or Recreate).
    Deployment(DeploymentController),
    /// An Argo Rollouts blue-green.
    BlueGreen(BlueGreenController),
    /// Flagger's analysis loop.
    Flagger(FlaggerController),
    /// A feature flag's percentage rollout.
    FeatureFlag(FlagRolloutController),
}

impl Controller {
    /// Applies a rollout command: the version is looked up once here, and a command that is not
    /// about the rollout is refused here, for every strategy alike.
    pub fn apply(
        &mut self,
        command: &Command,
        version: Option<VersionId>,
        actor: Actor,
        now: Tick,
        versions: &[VersionProfile],
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        let controller = self.commands();
        match command {
            Command::StartRollout { version: name } => {
                let version = version.ok_or_else(|| CommandError::UnknownVersion(name.clone()))?;
                controller.start_rollout(version, name, actor, now, versions)
            }
            Command::Promote => controller.promote_rollout(false, actor, now),
            Command::PromoteFull => controller.promote_rollout(true, actor, now),
            Command::Abort => controller.abort_rollout(actor, now),
            Command::Retry => controller.retry_rollout(actor, now),
            Command::Undo => controller.undo_rollout(actor, now, versions),
            other => Err(CommandError::not_a_rollout_command(other)),
        }
    }

    /// One second of the controller: it observes `service`, decides, and sets the service's
    /// replica targets and routing.
    pub fn reconcile(
        &mut self,
        service: &mut Service,
        metrics: &Metrics,
        now: Tick,
        versions: &[VersionProfile],
    ) -> Vec<RolloutEvent> {
        let events = match self {
            Controller::Canary(controller) => {
                let observed = controller.observe(service, metrics, now);
                controller
                    .status
                    .reconcile(&controller.spec, &observed, now)
            }
            Controller::Deployment(deployment) => {
                let events = deployment.sync(&mut service.fleet, now, versions);
                service.stable = deployment.template;
                service.route_to_ready_pods(deployment.template);
                return events;
            }
            Controller::BlueGreen(controller) => {
                let observed = controller.observe(service, metrics, now);
                controller.reconcile(&service.fleet, &observed, now, versions)
            }
            Controller::Flagger(controller) => {
                let observed = controller.observe(service, metrics, now);
                controller.reconcile(&observed, now)
            }
            Controller::FeatureFlag(controller) => {
                let on_ready = controller.on.map_or(0, |on| service.fleet.counts(on).ready);
                controller.reconcile(now, on_ready)
            }
        };
        self.set_targets(service, now, versions.len() as u32);
        events
    }

    /// Sets the replica targets and routing the controller wants on `service`, after a command.
    /// A Deployment's pods and endpoints follow its sync, each second, instead.
    pub fn set_targets(&self, service: &mut Service, now: Tick, version_count: u32) {
        match self {
            Controller::Canary(controller) => controller.set_targets(service, version_count),
            Controller::Deployment(_) => {}
            Controller::BlueGreen(controller) => {
                controller.set_targets(service, now, version_count)
            }
            Controller::Flagger(controller) => controller.set_targets(service, version_count),
            Controller::FeatureFlag(controller) => controller.set_targets(service, version_count),
        }
    }

    /// The rollout phase and its reason now.
    pub fn phase(&self, service: &Service, metrics: &Metrics, now: Tick) -> (RolloutPhase, String) {
        match self {
            Controller::Canary(controller) => canary::phase(
                &controller.spec,
                &controller.status,
                &controller.observe(service, metrics, now),
            ),
            Controller::Deployment(deployment) => deployment.phase(&service.fleet, now),
            Controller::BlueGreen(controller) => controller.phase(&service.fleet),
            Controller::Flagger(controller) => controller.rollout_phase(),
            Controller::FeatureFlag(controller) => controller.phase(),
        }
    }

    /// Share of `service`'s traffic each version receives now, in percent.
    pub fn traffic_split(&self, service: &Service) -> Vec<(VersionId, u32)> {
        match self {
            Controller::Canary(controller) if controller.spec.traffic_routing => {
                controller.status.traffic_split()
            }
            Controller::Canary(_) | Controller::Deployment(_) => {
                percentages(&service.routing.weights)
            }
            Controller::BlueGreen(controller) => controller.traffic_split(&service.fleet),
            Controller::Flagger(controller) => controller.traffic_split(),
            Controller::FeatureFlag(controller) => controller.traffic_split(),
        }
    }

    /// True when no rollout is running, pausing or scaling down.
    pub fn is_idle(&self, fleet: &Fleet, now: Tick) -> bool {
        match self {
            Controller::Canary(controller) => controller.status.is_idle(),
            Controller::Deployment(deployment) => {
                deployment.progressing.is_none() || deployment.is_complete(fleet, now)
            }
            Controller::BlueGreen(controller) => controller.is_idle(),
            Controller::Flagger(controller) => controller.is_idle(),
            Controller::FeatureFlag(controller) => controller.is_idle(),
        }
    }

    /// True while a canary is being rolled out and has not been aborted.
    pub fn is_progressing(&self) -> bool {
        self.canary().is_some_and(|c| c.status.is_progressing())
    }

    /// The version serving as stable: the one a new rollout replaces.
    pub fn stable(&self) -> VersionId {
        match self {
            Controller::Canary(controller) => controller.status.stable,
            Controller::Deployment(deployment) => deployment.template,
            Controller::BlueGreen(controller) => controller.active,
            Controller::Flagger(controller) => controller.primary,
            Controller::FeatureFlag(controller) => controller.off,
        }
    }

    /// The canary step being worked on, while a canary rolls out.
    pub fn step_index(&self) -> Option<u32> {
        self.canary()
            .filter(|c| c.status.canary.is_some())
            .map(|c| c.status.step_index)
    }

    /// Seconds a pod must be ready before it counts as available (a Deployment's
    /// `minReadySeconds`; none elsewhere).
    pub fn min_ready_s(&self) -> u32 {
        self.deployment()
            .map_or(0, |d| d.spec.min_ready_seconds.max(0) as u32)
    }

    /// The canary controller, when the strategy is an Argo canary.
    pub fn canary(&self) -> Option<&CanaryController> {
        match self {
            Controller::Canary(controller) => Some(controller),
            _ => None,
        }
    }

    /// The Deployment controller, when the strategy is a Kubernetes Deployment.
    pub fn deployment(&self) -> Option<&DeploymentController> {
        match self {
            Controller::Deployment(controller) => Some(controller),
            _ => None,
        }
    }

    /// The Deployment controller to change, when the strategy is a Kubernetes Deployment.
    pub fn deployment_mut(&mut self) -> Option<&mut DeploymentController> {
        match self {
            Controller::Deployment(controller) => Some(controller),
            _ => None,
        }
    }

    /// The blue-green controller, when the strategy is an Argo blue-green.
    pub fn blue_green(&self) -> Option<&BlueGreenController> {
        match self {
            Controller::BlueGreen(controller) => Some(controller),
            _ => None,
        }
    }

    /// Flagger's controller, when the strategy is a Flagger Canary.
    pub fn flagger(&self) -> Option<&FlaggerController> {
        match self {
            Controller::Flagger(controller) => Some(controller),
            _ => None,
        }
    }

    /// The feature-flag rollout, when the strategy is a flag.
    pub fn feature_flag(&self) -> Option<&FlagRolloutController> {
        match self {
            Controller::FeatureFlag(controller) => Some(controller),
            _ => None,
        }
    }

    fn commands(&mut self) -> &mut dyn RolloutCommands {
        match self {
            Controller::Canary(controller) => controller,
            Controller::Deployment(controller) => controller,
            Controller::BlueGreen(controller) => controller,
            Controller::Flagger(controller) => controller,
            Controller::FeatureFlag(controller) => controller,
        }
    }
}
