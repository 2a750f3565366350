//! AWS CodeDeploy's deployments around a simulated rollout
//! (`deployments-rollback-and-redeploy.md`).
//!
//! The instances or the traffic move under the controller that models the configuration
//! (Kubernetes' rolling arithmetic for in-place batches, the canary controller behind a traffic
//! router for canary and linear shifting). This layer keeps CodeDeploy's own record of it: each
//! deployment has an ID and a status (`InProgress`, `Succeeded`, `Failed`, `Stopped`), an
//! in-place deployment counts its succeeded and failed instances against the configuration's
//! success condition, an alarm stops a deployment, and an automatic rollback is a *new*
//! deployment, with its own ID and `creator: codeDeployRollback`, of the last known good
//! revision. Its events use the names of CodeDeploy's trigger notifications (`DeploymentStart`,
//! `InstanceFailure`, `DeploymentFailure`, `DeploymentStop`, `DeploymentRollback`,
//! `DeploymentSuccess`).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::controllers::rollout::RolloutEvent;
use crate::time::Tick;
use crate::upstream::codedeploy::{
    CodeDeployConfig, InPlaceVerdict, InstanceTally, in_place_verdict, required_successes,
};
use crate::version::VersionId;

/// A deployment group's settings that matter to the simulation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeDeploySpec {
    /// `deploymentConfigName`.
    pub config_name: String,
    /// What the configuration does.
    pub config: CodeDeployConfig,
    /// Instances (or, for ECS and Lambda, the share of traffic is what moves).
    pub instances: u32,
    /// `autoRollbackConfiguration`: roll back on `DEPLOYMENT_FAILURE` and
    /// `DEPLOYMENT_STOP_ON_ALARM`.
    pub auto_rollback: bool,
    /// The CloudWatch alarm watched during the deployment.
    pub alarm_name: String,
    /// The alarm's threshold on the error rate, in basis points.
    pub alarm_error_rate_bp: u32,
    /// The alarm's period, in seconds.
    pub alarm_period_s: u32,
}

/// A deployment's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeploymentStatus {
    /// Being deployed.
    InProgress,
    /// Done and healthy.
    Succeeded,
    /// Ended by its success condition failing.
    Failed,
    /// Stopped by an alarm or by a person.
    Stopped,
}

impl DeploymentStatus {
    /// The status as CodeDeploy names it.
    pub fn label(self) -> &'static str {
        match self {
            DeploymentStatus::InProgress => "InProgress",
            DeploymentStatus::Succeeded => "Succeeded",
            DeploymentStatus::Failed => "Failed",
            DeploymentStatus::Stopped => "Stopped",
        }
    }
}

/// Who created a deployment (`creator`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Creator {
    /// A person or a pipeline.
    User,
    /// CodeDeploy's automatic rollback.
    CodeDeployRollback,
}

impl Creator {
    /// The value of `creator`.
    pub fn label(self) -> &'static str {
        match self {
            Creator::User => "user",
            Creator::CodeDeployRollback => "codeDeployRollback",
        }
    }
}

/// One CodeDeploy deployment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeDeployDeployment {
    /// `d-` and nine letters or digits.
    pub id: String,
    /// The revision deployed.
    pub revision: VersionId,
    /// Who created it.
    pub creator: Creator,
    /// Its status.
    pub status: DeploymentStatus,
    /// When it was created.
    pub created_at: Tick,
    /// When it ended.
    pub completed_at: Option<Tick>,
    /// `errorInformation.code` when it failed or stopped (`HEALTH_CONSTRAINTS`, `ALARM_ACTIVE`,
    /// `DEPLOYMENT_STOPPED` for a stop by request).
    pub error_code: Option<String>,
    /// What happened, in words.
    pub message: String,
    /// For a rollback, the deployment that triggered it (`rollbackInfo`).
    pub rollback_of: Option<String>,
    /// For an in-place deployment, its instances so far.
    pub tally: InstanceTally,
}

/// What the controller underneath shows this second.
#[derive(Clone, Debug, Default)]
pub struct CodeDeployObserved {
    /// The revision the controller is moving to (the stable one once a shift is undone).
    pub target: VersionId,
    /// The target serves all traffic and nothing else is left running.
    pub complete: bool,
    /// Who aborted the rollout underneath this second, and why.
    pub aborted: Option<(Actor, String)>,
    /// Instances of the target revision: (id, name, true once ready, true once failed).
    pub instances: Vec<(u32, String, bool, bool)>,
    /// The service's error rate over the alarm's period, in basis points, when there was
    /// traffic to measure.
    pub error_rate_bp: Option<u32>,
}

/// What the simulation must do for CodeDeploy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodeDeployActions {
    /// Events for the audit trail.
    pub events: Vec<RolloutEvent>,
    /// Redeploy this revision in place (the controller undoes to it).
    pub redeploy: Option<VersionId>,
}

/// CodeDeploy's deployments of one deployment group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeDeployTracker {
    /// The group's settings.
    pub spec: CodeDeploySpec,
    /// Every deployment, oldest first.
    pub deployments: Vec<CodeDeployDeployment>,
    /// The last revision that deployed successfully.
    pub last_good: VersionId,
    /// The revision the controller underneath was last seen moving to.
    target: VersionId,
    succeeded_ids: BTreeSet<u32>,
    failed_ids: BTreeSet<u32>,
}

impl CodeDeployTracker {
    /// A group whose instances run `current`, the last known good revision.
    pub fn new(spec: CodeDeploySpec, current: VersionId) -> CodeDeployTracker {
        CodeDeployTracker {
            spec,
            deployments: Vec::new(),
            last_good: current,
            target: current,
            succeeded_ids: BTreeSet::new(),
            failed_ids: BTreeSet::new(),
        }
    }

    /// The deployment in progress, if any.
    pub fn in_progress(&self) -> Option<&CodeDeployDeployment> {
        self.deployments
            .last()
            .filter(|d| d.status == DeploymentStatus::InProgress)
    }

    /// True for in-place configurations, whose instances are counted.
    pub fn is_in_place(&self) -> bool {
        matches!(self.spec.config, CodeDeployConfig::InPlace { .. })
    }

    /// Follows the controller for one second.
    pub fn reconcile(&mut self, observed: &CodeDeployObserved, now: Tick) -> CodeDeployActions {
        let mut actions = CodeDeployActions::default();
        let in_progress = self
            .deployments
            .iter()
            .rposition(|d| d.status == DeploymentStatus::InProgress)
            .map(|i| i as u32);
        if let (Some(index), Some((actor, message))) = (in_progress, &observed.aborted) {
            let (code, why) = if *actor == Actor::Trainee {
                (
                    "DEPLOYMENT_STOPPED",
                    "stopped by request (Stop and roll back)".to_string(),
                )
            } else {
                (
                    "ALARM_ACTIVE",
                    format!(
                        "alarm {} went into ALARM ({})",
                        self.spec.alarm_name, message
                    ),
                )
            };
            self.end(
                index,
                DeploymentStatus::Stopped,
                code,
                why,
                now,
                &mut actions,
            );
            self.roll_back(index, now, &mut actions);
            self.target = observed.target;
            return actions;
        }
        if observed.target != self.target {
            self.target = observed.target;
            // One deployment at a time per group: a change while one runs belongs to it.
            if in_progress.is_none() {
                self.create(observed.target, Creator::User, None, now, &mut actions);
            }
        }
        let Some(index) = self
            .deployments
            .iter()
            .rposition(|d| d.status == DeploymentStatus::InProgress)
            .map(|i| i as u32)
        else {
            return actions;
        };
        if self.is_in_place() {
            self.count_instances(index, observed, now, &mut actions);
            if self.deployments[index as usize].status != DeploymentStatus::InProgress {
                return actions;
            }
        }
        // Traffic shifting is stopped by the canary controller's gate, which plays the alarm.
        if self.deployments[index as usize].creator == Creator::User
            && self.is_in_place()
            && let Some(rate_bp) = observed
                .error_rate_bp
                .filter(|rate| *rate > self.spec.alarm_error_rate_bp)
        {
            let why = format!(
                "alarm {} went into ALARM: the error rate over {} s was {} against a threshold of {}",
                self.spec.alarm_name,
                self.spec.alarm_period_s,
                percent(rate_bp),
                percent(self.spec.alarm_error_rate_bp)
            );
            self.end(
                index,
                DeploymentStatus::Stopped,
                "ALARM_ACTIVE",
                why,
                now,
                &mut actions,
            );
            self.roll_back(index, now, &mut actions);
            return actions;
        }
        if observed.complete && observed.target == self.deployments[index as usize].revision {
            let deployment = &self.deployments[index as usize];
            let why = match deployment.tally {
                tally if self.is_in_place() => format!(
                    "the revision is on {} of {} instances",
                    tally.succeeded, self.spec.instances
                ),
                _ if deployment.creator == Creator::CodeDeployRollback => {
                    "all traffic is back on the last good revision and the replacement is gone"
                        .to_string()
                }
                _ => "all traffic is on the new revision".to_string(),
            };
            self.end(
                index,
                DeploymentStatus::Succeeded,
                "",
                why,
                now,
                &mut actions,
            );
        }
        actions
    }

    /// A person stops the deployment in progress and rolls it back.
    pub fn stop_and_roll_back(&mut self, now: Tick) -> Option<CodeDeployActions> {
        let index = self
            .deployments
            .iter()
            .rposition(|d| d.status == DeploymentStatus::InProgress)? as u32;
        let mut actions = CodeDeployActions::default();
        self.end(
            index,
            DeploymentStatus::Stopped,
            "DEPLOYMENT_STOPPED",
            "stopped by request (Stop and roll back)".to_string(),
            now,
            &mut actions,
        );
        self.roll_back(index, now, &mut actions);
        Some(actions)
    }

    fn count_instances(
        &mut self,
        index: u32,
        observed: &CodeDeployObserved,
        now: Tick,
        actions: &mut CodeDeployActions,
    ) {
        let revision = self.deployments[index as usize].revision;
        let mut in_progress = 0;
        for (id, name, ready, failed) in &observed.instances {
            if self.succeeded_ids.contains(id) || self.failed_ids.contains(id) {
                continue;
            }
            if *failed {
                self.failed_ids.insert(*id);
                actions.events.push(RolloutEvent {
                    actor: Actor::CodeDeploy,
                    reason: "InstanceFailure",
                    version: revision,
                    message: format!(
                        "{} ({}): ApplicationStart failed, the process exited ({} of {} instances failed)",
                        name,
                        self.deployments[index as usize].id,
                        self.failed_ids.len(),
                        self.spec.instances
                    ),
                });
            } else if *ready {
                self.succeeded_ids.insert(*id);
            } else {
                in_progress += 1;
            }
        }
        let tally = InstanceTally {
            succeeded: self.succeeded_ids.len() as u32,
            failed: self.failed_ids.len() as u32,
            in_progress,
        };
        self.deployments[index as usize].tally = tally;
        let CodeDeployConfig::InPlace {
            minimum_healthy,
            one_at_a_time,
        } = self.spec.config
        else {
            return;
        };
        let total = self.spec.instances;
        match in_place_verdict(total, minimum_healthy, one_at_a_time, tally) {
            InPlaceVerdict::Failed => {
                let required = required_successes(total, minimum_healthy, one_at_a_time);
                let why = format!(
                    "{} of {total} instances failed; {} needs {required} to succeed{}",
                    tally.failed,
                    self.spec.config_name,
                    if one_at_a_time {
                        " (only the last one may fail)"
                    } else {
                        " and the minimum healthy to stay in service"
                    }
                );
                self.end(
                    index,
                    DeploymentStatus::Failed,
                    "HEALTH_CONSTRAINTS",
                    why,
                    now,
                    actions,
                );
                self.roll_back(index, now, actions);
            }
            // The failed instances never become available, so the controller underneath
            // never completes: CodeDeploy's success condition decides instead.
            InPlaceVerdict::Succeeded if tally.failed > 0 => {
                let why = format!(
                    "{} of {total} instances succeeded, enough for {}; {} failed",
                    tally.succeeded, self.spec.config_name, tally.failed
                );
                self.end(index, DeploymentStatus::Succeeded, "", why, now, actions);
            }
            InPlaceVerdict::Succeeded | InPlaceVerdict::InProgress => {}
        }
    }

    fn create(
        &mut self,
        revision: VersionId,
        creator: Creator,
        rollback_of: Option<String>,
        now: Tick,
        actions: &mut CodeDeployActions,
    ) {
        let id = deployment_id(self.deployments.len() as u64 + 1);
        let (reason, message) = match &rollback_of {
            Some(failed) => (
                "DeploymentRollback",
                format!(
                    "{id} created by codeDeployRollback to redeploy the last known good revision after {failed} ended"
                ),
            ),
            None => (
                "DeploymentStart",
                format!("{id} started with {}", self.spec.config_name),
            ),
        };
        actions.events.push(RolloutEvent {
            actor: Actor::CodeDeploy,
            reason,
            version: revision,
            message: message.clone(),
        });
        self.succeeded_ids.clear();
        self.failed_ids.clear();
        self.deployments.push(CodeDeployDeployment {
            id,
            revision,
            creator,
            status: DeploymentStatus::InProgress,
            created_at: now,
            completed_at: None,
            error_code: None,
            message,
            rollback_of,
            tally: InstanceTally::default(),
        });
    }

    fn end(
        &mut self,
        index: u32,
        status: DeploymentStatus,
        error_code: &str,
        why: String,
        now: Tick,
        actions: &mut CodeDeployActions,
    ) {
        let deployment = &mut self.deployments[index as usize];
        deployment.status = status;
        deployment.completed_at = Some(now);
        deployment.error_code = (!error_code.is_empty()).then(|| error_code.to_string());
        deployment.message = match &deployment.error_code {
            Some(code) => format!("{} {} ({code}): {why}", deployment.id, status.label()),
            None => format!("{} {}: {why}", deployment.id, status.label()),
        };
        if status == DeploymentStatus::Succeeded {
            self.last_good = deployment.revision;
        }
        let reason = match status {
            DeploymentStatus::Succeeded => "DeploymentSuccess",
            DeploymentStatus::Failed => "DeploymentFailure",
            DeploymentStatus::Stopped | DeploymentStatus::InProgress => "DeploymentStop",
        };
        actions.events.push(RolloutEvent {
            actor: Actor::CodeDeploy,
            reason,
            version: deployment.revision,
            message: deployment.message.clone(),
        });
    }

    fn roll_back(&mut self, index: u32, now: Tick, actions: &mut CodeDeployActions) {
        let failed = &self.deployments[index as usize];
        if !self.spec.auto_rollback || failed.revision == self.last_good {
            return;
        }
        let failed_id = failed.id.clone();
        let revision = self.last_good;
        self.create(
            revision,
            Creator::CodeDeployRollback,
            Some(failed_id),
            now,
            actions,
        );
        self.target = revision;
        if self.is_in_place() {
            actions.redeploy = Some(revision);
        }
    }
}

/// The `serial`th deployment's ID: `d-` and nine upper-case letters or digits, as CodeDeploy's
/// look, derived from the serial alone so a run always gives the same IDs.
pub fn deployment_id(serial: u64) -> String {
    const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    // SplitMix64's finaliser spreads consecutive serials over the whole space.
    let mut mixed = serial.wrapping_add(0x9E37_79B9_7F4A_7C15);
    mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    mixed ^= mixed >> 31;
    let mut id = String::from("d-");
    for _ in 0..9 {
        id.push(ALPHABET[(mixed % 36) as usize] as char);
        mixed /= 36;
    }
    id
}

fn percent(basis_points: u32) -> String {
    format!("{}.{:02} %", basis_points / 100, basis_points % 100)
}
