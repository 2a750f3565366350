//! The rollout card as the controller underneath shows it, with CodeDeploy's deployments where the
//! scenario has them.

use engine::Sim;

use super::canary::canary_rollout;
use super::rollout_card::RolloutView;

/// The rollout panel.
pub fn rollout(sim: &Sim) -> RolloutView {
    let view = strategy_rollout(sim);
    crate::view::codedeploy::with_codedeploy(sim, view)
}
/// The rollout panel as the controller underneath shows it.
pub(super) fn strategy_rollout(sim: &Sim) -> RolloutView {
    use engine::controllers::Controller;
    match sim.controller() {
        Controller::Canary(controller) => canary_rollout(sim, controller),
        Controller::Deployment(deployment) => {
            crate::view::deployment_and_blue_green::deployment_view(sim, deployment)
        }
        Controller::BlueGreen(controller) => {
            crate::view::deployment_and_blue_green::blue_green_view(sim, controller)
        }
        Controller::Flagger(controller) => {
            crate::view::flagger_and_flag::flagger_view(sim, controller)
        }
        Controller::FeatureFlag(controller) => {
            crate::view::flagger_and_flag::flag_view(sim, controller)
        }
    }
}
