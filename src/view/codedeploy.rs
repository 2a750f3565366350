//! The rollout panel's CodeDeploy part: the deployment group's deployments, each with its ID,
//! status, creator and what happened, so a rollback shows as the new deployment it is.

use engine::Sim;
use engine::controllers::codedeploy::DeploymentStatus;

use crate::view::format::elapsed_label;
use crate::view::rollout_card::{CodeDeployRow, RolloutView};

/// `view` with CodeDeploy's deployments and its own words for the commands, when the run
/// stands for a CodeDeploy deployment group; otherwise `view` unchanged.
pub fn with_codedeploy(sim: &Sim, mut view: RolloutView) -> RolloutView {
    let Some(tracker) = sim.codedeploy() else {
        return view;
    };
    let name = |v: engine::version::VersionId| sim.scenario().profile(v).name.clone();
    view.title = format!("CodeDeploy: {}", tracker.spec.config_name);
    if tracker.is_in_place() {
        // In place there are no steps to promote; a person can still stop and roll back.
        view.can_abort = tracker.in_progress().is_some();
        view.can_undo = false;
    }
    view.codedeploy = tracker
        .deployments
        .iter()
        .rev()
        .map(|deployment| {
            let ended = deployment.completed_at.unwrap_or(sim.now());
            CodeDeployRow {
                id: deployment.id.clone(),
                revision: name(deployment.revision),
                status: deployment.status.label(),
                creator: deployment.creator.label(),
                timing: format!(
                    "T+{}, {} {}",
                    elapsed_label(deployment.created_at.0),
                    if deployment.status == DeploymentStatus::InProgress {
                        "running for"
                    } else {
                        "took"
                    },
                    elapsed_label(ended.0.saturating_sub(deployment.created_at.0))
                ),
                message: deployment.message.clone(),
            }
        })
        .collect();
    view
}
