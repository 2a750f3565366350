//! Argo Rollouts' own words, shared by its canary and blue-green controllers: a new revision, an
//! abort by a person, and a retry, as `kubectl argo rollouts` reports them.

use crate::audit::Actor;
use crate::command::CommandError;
use crate::controllers::rollout::{RolloutEvent, event};
use crate::version::VersionId;

/// A new revision of the template: `RolloutUpdated` by whoever changed it, then the
/// controller's `NewReplicaSetCreated` at size 0.
pub fn revision_created(actor: Actor, version: VersionId, revision: u32) -> Vec<RolloutEvent> {
    vec![
        event(
            actor,
            "RolloutUpdated",
            version,
            format!("Rollout updated to revision {revision}"),
        ),
        event(
            Actor::RolloutController,
            "NewReplicaSetCreated",
            version,
            format!("Created ReplicaSet for revision {revision} with size 0"),
        ),
    ]
}

/// Why a rollout was aborted when a person (or the pipeline) aborted it.
pub fn aborted_by(revision: u32, actor: Actor) -> String {
    format!(
        "Rollout aborted update to revision {revision} by {}",
        actor.label()
    )
}

/// `RolloutRetry`: an aborted revision is rolled out again from its first step.
pub fn retried(actor: Actor, version: VersionId, revision: u32) -> RolloutEvent {
    event(
        actor,
        "RolloutRetry",
        version,
        format!("Retrying rollout of revision {revision}"),
    )
}

/// The refusal of a retry when the rollout was not aborted.
pub fn nothing_to_retry() -> CommandError {
    CommandError::NotApplicable("only an aborted rollout can be retried".to_string())
}

/// The refusal of a new revision while one is rolling out.
pub fn update_in_progress(what: &str) -> CommandError {
    CommandError::NotApplicable(format!(
        "{what} is already in progress: abort it or let it finish first"
    ))
}
