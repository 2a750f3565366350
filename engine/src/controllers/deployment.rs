//! A Kubernetes Deployment controller driving one service's instances: one ReplicaSet per
//! version, rolled with `strategy/kubernetes.rs`'s arithmetic, one sync a second.
//!
//! Each sync does what `rolloutRolling` does: scale the new ReplicaSet up as far as `maxSurge`
//! allows, and if it did not, scale old ReplicaSets down as far as `maxUnavailable` allows
//! (unhealthy pods first, oldest ReplicaSet first). Recreate scales every old ReplicaSet to zero,
//! waits until their pods are gone, then creates the new ones, so its downtime shows. A pod is
//! available once it has been ready for `minReadySeconds`. The Service sends traffic to every
//! ready pod, so each version's share of traffic is its share of ready pods.
//!
//! The `Progressing` condition follows `syncRolloutStatus`: it is refreshed whenever the
//! rollout progresses, becomes `NewReplicaSetAvailable` when the rollout completes, and turns
//! False with `ProgressDeadlineExceeded` when nothing has progressed for
//! `progressDeadlineSeconds`. The controller never rolls back by itself; `rollout undo` makes
//! the previous revision's ReplicaSet the new one again, under a new revision number.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::command::CommandError;
use crate::controllers::rollout::{RolloutCommands, RolloutEvent, RolloutPhase};
use crate::time::Tick;
use crate::upstream::kubernetes::{
    DeploymentCounts, DeploymentSpec, DeploymentStrategyType, ReplicaSetCounts,
    deployment_complete, deployment_progressing, deployment_timed_out, reconcile_new_replica_set,
    reconcile_old_replica_sets,
};
use crate::version::{VersionId, VersionProfile};
use crate::world::fleet::Fleet;

/// The `Progressing` condition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressingCondition {
    /// `True` while progressing or complete, `False` after the deadline.
    pub status: bool,
    /// `NewReplicaSetCreated`, `FoundNewReplicaSet`, `ReplicaSetUpdated`,
    /// `NewReplicaSetAvailable` or `ProgressDeadlineExceeded`.
    pub reason: String,
    /// The condition's message.
    pub message: String,
    /// When it last changed (`lastUpdateTime`).
    pub last_update: Tick,
}

/// The controller's state for one Deployment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentController {
    /// The Deployment's name, for ReplicaSet names and messages.
    pub name: String,
    /// Its spec.
    pub spec: DeploymentSpec,
    /// The version of the current pod template: the new ReplicaSet's.
    pub template: VersionId,
    /// Each ReplicaSet's revision (`deployment.kubernetes.io/revision`).
    pub revisions: BTreeMap<VersionId, u32>,
    /// ReplicaSets in the order they were created, oldest first.
    created: Vec<VersionId>,
    /// The `Progressing` condition, once a rollout has started.
    pub progressing: Option<ProgressingCondition>,
    /// Replica counts at the last sync, to tell whether the rollout progressed.
    last_counts: DeploymentCounts,
    /// Whether the last rollout was an undo.
    pub undone: bool,
}

impl DeploymentController {
    /// A Deployment whose ReplicaSet for `version` (revision 1) is fully rolled out.
    pub fn new(name: &str, spec: DeploymentSpec, version: VersionId) -> DeploymentController {
        DeploymentController {
            name: name.to_string(),
            spec,
            template: version,
            revisions: BTreeMap::from([(version, 1)]),
            created: vec![version],
            progressing: None,
            last_counts: DeploymentCounts::default(),
            undone: false,
        }
    }

    /// The ReplicaSet name of `version`, for example `checkout-v2`.
    pub fn replica_set_name(&self, version: VersionId, profiles: &[VersionProfile]) -> String {
        format!("{}-{}", self.name, profiles[version.0 as usize].name)
    }

    /// Changes the pod template to `version` (`kubectl set image`).
    pub fn set_template(
        &mut self,
        version: VersionId,
        actor: Actor,
        now: Tick,
        profiles: &[VersionProfile],
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        if version == self.template {
            return Err(CommandError::NotApplicable(format!(
                "{} already runs {}",
                self.name, profiles[version.0 as usize].name
            )));
        }
        self.undone = false;
        Ok(self.switch_template(version, now, profiles, actor))
    }

    /// Rolls back to the previous revision (`kubectl rollout undo`): its ReplicaSet becomes the
    /// new one again, under a new revision number.
    pub fn undo(
        &mut self,
        actor: Actor,
        now: Tick,
        profiles: &[VersionProfile],
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        let Some((&previous, &revision)) = self
            .revisions
            .iter()
            .filter(|(version, _)| **version != self.template)
            .max_by_key(|(_, revision)| **revision)
        else {
            return Err(CommandError::NotApplicable(format!(
                "{} has no previous revision to roll back to",
                self.name
            )));
        };
        let mut events = vec![RolloutEvent {
            actor,
            reason: "DeploymentRollback",
            version: previous,
            message: format!(
                "Rolled back deployment \"{}\" to revision {revision}",
                self.name
            ),
        }];
        events.extend(self.switch_template(previous, now, profiles, actor));
        self.undone = true;
        Ok(events)
    }

    /// One sync: scale ReplicaSets one move closer to the template and update the status.
    pub fn sync(
        &mut self,
        fleet: &mut Fleet,
        now: Tick,
        profiles: &[VersionProfile],
    ) -> Vec<RolloutEvent> {
        let mut events = Vec::new();
        if !self.spec.paused {
            match self.spec.strategy {
                DeploymentStrategyType::RollingUpdate => {
                    self.roll(fleet, now, profiles, &mut events);
                }
                DeploymentStrategyType::Recreate => {
                    self.recreate(fleet, now, profiles, &mut events);
                }
            }
        }
        self.sync_status(fleet, now, profiles, &mut events);
        events
    }

    /// The Deployment's status counts now.
    pub fn counts(&self, fleet: &Fleet, now: Tick) -> DeploymentCounts {
        let mut counts = DeploymentCounts::default();
        for &version in &self.created {
            let rs = self.replica_set(fleet, version, now);
            counts.replicas += rs.replicas;
            counts.ready += rs.ready;
            counts.available += rs.available;
            if version == self.template {
                counts.updated = rs.replicas;
            }
        }
        counts
    }

    /// True once every replica runs the template and is available.
    pub fn is_complete(&self, fleet: &Fleet, now: Tick) -> bool {
        deployment_complete(self.spec.replicas, &self.counts(fleet, now))
    }

    /// The phase a trainee sees and its reason, in the words of `kubectl rollout status` and
    /// Argo's phase rules.
    pub fn phase(&self, fleet: &Fleet, now: Tick) -> (RolloutPhase, String) {
        if let Some(condition) = &self.progressing
            && !condition.status
        {
            return (
                RolloutPhase::Degraded,
                format!("{}: {}", condition.reason, condition.message),
            );
        }
        if self.spec.paused {
            return (RolloutPhase::Paused, "manually paused".to_string());
        }
        let counts = self.counts(fleet, now);
        let replicas = self.spec.replicas;
        if counts.updated < replicas {
            (
                RolloutPhase::Progressing,
                format!(
                    "Waiting for rollout to finish: {} out of {replicas} new replicas have been updated",
                    counts.updated
                ),
            )
        } else if counts.replicas > counts.updated {
            (
                RolloutPhase::Progressing,
                format!(
                    "Waiting for rollout to finish: {} old replicas are pending termination",
                    counts.replicas - counts.updated
                ),
            )
        } else if counts.available < counts.updated {
            (
                RolloutPhase::Progressing,
                format!(
                    "Waiting for rollout to finish: {} of {} updated replicas are available",
                    counts.available, counts.updated
                ),
            )
        } else {
            (
                RolloutPhase::Healthy,
                format!("deployment \"{}\" successfully rolled out", self.name),
            )
        }
    }

    /// ReplicaSets that exist, oldest first.
    pub fn replica_sets(&self) -> &[VersionId] {
        &self.created
    }

    /// One ReplicaSet's spec and status.
    pub fn replica_set(&self, fleet: &Fleet, version: VersionId, now: Tick) -> ReplicaSetCounts {
        ReplicaSetCounts {
            spec_replicas: fleet.desired(version) as i32,
            replicas: fleet.live(version) as i32,
            ready: fleet.counts(version).ready as i32,
            available: fleet.available(version, now, self.spec.min_ready_seconds.max(0) as u32)
                as i32,
        }
    }

    fn switch_template(
        &mut self,
        version: VersionId,
        now: Tick,
        profiles: &[VersionProfile],
        actor: Actor,
    ) -> Vec<RolloutEvent> {
        let next_revision = self.revisions.values().max().copied().unwrap_or(0) + 1;
        let existed = self.revisions.insert(version, next_revision).is_some();
        if !self.created.contains(&version) {
            self.created.push(version);
        }
        self.template = version;
        let name = self.replica_set_name(version, profiles);
        let (reason, message) = if existed {
            (
                "FoundNewReplicaSet",
                format!("Found new replica set \"{name}\""),
            )
        } else {
            (
                "NewReplicaSetCreated",
                format!("Created new replica set \"{name}\""),
            )
        };
        self.progressing = Some(ProgressingCondition {
            status: true,
            reason: reason.to_string(),
            message: message.clone(),
            last_update: now,
        });
        vec![RolloutEvent {
            actor,
            reason,
            version,
            message,
        }]
    }

    /// `rolloutRolling`: scale the new ReplicaSet up, or else old ones down.
    fn roll(
        &mut self,
        fleet: &mut Fleet,
        now: Tick,
        profiles: &[VersionProfile],
        events: &mut Vec<RolloutEvent>,
    ) {
        let new = self.replica_set(fleet, self.template, now);
        let all_replicas: i32 = self.created.iter().map(|v| fleet.desired(*v) as i32).sum();
        if let Some(replicas) =
            reconcile_new_replica_set(&self.spec, all_replicas, new.spec_replicas)
        {
            self.scale(fleet, self.template, replicas, profiles, events);
            return;
        }
        let old_versions: Vec<VersionId> = self
            .created
            .iter()
            .copied()
            .filter(|v| *v != self.template)
            .collect();
        let mut olds: Vec<ReplicaSetCounts> = old_versions
            .iter()
            .map(|v| self.replica_set(fleet, *v, now))
            .collect();
        if reconcile_old_replica_sets(&self.spec, &new, &mut olds) > 0 {
            for (version, rs) in old_versions.iter().zip(&olds) {
                self.scale(fleet, *version, rs.spec_replicas, profiles, events);
            }
        }
    }

    /// `rolloutRecreate`: old ReplicaSets to zero, wait for their pods to go, then the new one
    /// to full size.
    fn recreate(
        &mut self,
        fleet: &mut Fleet,
        now: Tick,
        profiles: &[VersionProfile],
        events: &mut Vec<RolloutEvent>,
    ) {
        let old_versions: Vec<VersionId> = self
            .created
            .iter()
            .copied()
            .filter(|v| *v != self.template)
            .collect();
        let mut scaled_down = false;
        for version in &old_versions {
            if fleet.desired(*version) > 0 {
                self.scale(fleet, *version, 0, profiles, events);
                scaled_down = true;
            }
        }
        if scaled_down {
            return;
        }
        // New pods are created only once no old pod is running, terminating ones included.
        let old_pods_running = old_versions
            .iter()
            .any(|v| fleet.live(*v) > 0 || fleet.counts(*v).draining > 0);
        let new = self.replica_set(fleet, self.template, now);
        if !old_pods_running && new.spec_replicas != self.spec.replicas {
            self.scale(fleet, self.template, self.spec.replicas, profiles, events);
        }
    }

    fn scale(
        &self,
        fleet: &mut Fleet,
        version: VersionId,
        replicas: i32,
        profiles: &[VersionProfile],
        events: &mut Vec<RolloutEvent>,
    ) {
        let from = fleet.desired(version);
        let to = replicas.max(0) as u32;
        if from == to {
            return;
        }
        fleet.set_desired(version, to);
        let direction = if to > from { "up" } else { "down" };
        events.push(RolloutEvent {
            actor: Actor::DeploymentController,
            reason: "ScalingReplicaSet",
            version,
            message: format!(
                "Scaled {direction} replica set {} from {from} to {to}",
                self.replica_set_name(version, profiles)
            ),
        });
    }

    /// `syncRolloutStatus`: the `Progressing` condition.
    fn sync_status(
        &mut self,
        fleet: &Fleet,
        now: Tick,
        profiles: &[VersionProfile],
        events: &mut Vec<RolloutEvent>,
    ) {
        let counts = self.counts(fleet, now);
        let progressed = deployment_progressing(&self.last_counts, &counts);
        self.last_counts = counts;
        let complete = deployment_complete(self.spec.replicas, &counts);
        let name = self.replica_set_name(self.template, profiles);
        let Some(condition) = self.progressing.as_mut() else {
            return;
        };
        if complete {
            if condition.reason != "NewReplicaSetAvailable" {
                *condition = ProgressingCondition {
                    status: true,
                    reason: "NewReplicaSetAvailable".to_string(),
                    message: format!("ReplicaSet \"{name}\" has successfully progressed."),
                    last_update: now,
                };
                events.push(RolloutEvent {
                    actor: Actor::DeploymentController,
                    reason: "NewReplicaSetAvailable",
                    version: self.template,
                    message: condition.message.clone(),
                });
            }
            return;
        }
        if !condition.status {
            return;
        }
        if progressed {
            condition.reason = "ReplicaSetUpdated".to_string();
            condition.message = format!("ReplicaSet \"{name}\" is progressing.");
            condition.last_update = now;
            return;
        }
        if !self.spec.paused
            && deployment_timed_out(
                self.spec.progress_deadline_seconds,
                condition.last_update.0 as i64,
                now.0 as i64,
                false,
            )
        {
            *condition = ProgressingCondition {
                status: false,
                reason: "ProgressDeadlineExceeded".to_string(),
                message: format!("ReplicaSet \"{name}\" has timed out progressing."),
                last_update: now,
            };
            events.push(RolloutEvent {
                actor: Actor::DeploymentController,
                reason: "ProgressDeadlineExceeded",
                version: self.template,
                message: condition.message.clone(),
            });
        }
    }
}

/// A Deployment has no steps: a new template starts a rolling update (or a Recreate), and
/// `kubectl rollout undo` is the only way back.
impl RolloutCommands for DeploymentController {
    fn start_rollout(
        &mut self,
        version: VersionId,
        _name: &str,
        actor: Actor,
        now: Tick,
        versions: &[VersionProfile],
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        self.set_template(version, actor, now, versions)
    }

    fn promote_rollout(
        &mut self,
        full: bool,
        _actor: Actor,
        _now: Tick,
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        Err(no_steps_to(if full { "promote full" } else { "promote" }))
    }

    fn abort_rollout(
        &mut self,
        _actor: Actor,
        _now: Tick,
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        Err(no_steps_to("abort"))
    }

    fn retry_rollout(
        &mut self,
        _actor: Actor,
        _now: Tick,
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        Err(no_steps_to("retry"))
    }

    fn undo_rollout(
        &mut self,
        actor: Actor,
        now: Tick,
        versions: &[VersionProfile],
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        self.undo(actor, now, versions)
    }
}

fn no_steps_to(what: &str) -> CommandError {
    CommandError::NotApplicable(format!(
        "a Kubernetes Deployment has no steps to {what}: roll back with undo (kubectl rollout undo)"
    ))
}
