//! The only way anything outside the engine changes a simulation.

use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::time::Tick;
use crate::world::fault::{FaultKind, FaultTarget};

/// An instruction to the simulation, from a person or from a scenario's script.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Start rolling out `version` (as `kubectl argo rollouts set image`).
    StartRollout {
        /// The version's name, for example `v2`.
        version: String,
    },
    /// Skip the current pause (`kubectl argo rollouts promote`).
    Promote,
    /// Skip every remaining step and analysis (`promote --full`).
    PromoteFull,
    /// Send all traffic back to stable and scale the canary down (`abort`).
    Abort,
    /// Start an aborted rollout again from its first step (`retry rollout`).
    Retry,
    /// Roll a Deployment back to its previous revision (`kubectl rollout undo`).
    Undo,
    /// Inject a fault now.
    InjectFault {
        /// What goes wrong.
        fault: FaultKind,
        /// Where.
        target: FaultTarget,
        /// How long; `None` lasts until cleared.
        duration_s: Option<u32>,
    },
    /// End an active fault (its number in the run's fault list).
    ClearFault {
        /// The fault's number, from zero.
        fault_id: u32,
    },
    /// Start a run of the scenario's workflow (`workflow_dispatch`, or a push).
    TriggerWorkflow {
        /// `push` or `workflow_dispatch`.
        event: String,
        /// The branch.
        branch: String,
        /// Who triggers it (a login).
        login: String,
        /// `workflow_dispatch` inputs.
        #[serde(default)]
        inputs: std::collections::BTreeMap<String, String>,
        /// An emergency override of the deployment window: its written reason.
        #[serde(default)]
        emergency_reason: Option<String>,
        /// With an emergency override, skip the tests too.
        #[serde(default)]
        skip_tests: bool,
    },
    /// Approve or reject the deployment waiting for an environment, as a reviewer.
    ReviewDeployment {
        /// The environment, for example `production`.
        environment: String,
        /// The reviewer's login.
        reviewer: String,
        /// Approve (true) or reject (false).
        approve: bool,
        /// The reviewer's comment.
        comment: String,
    },
    /// Re-run the failed jobs of a workflow run.
    RerunFailedJobs {
        /// The run number.
        run: u32,
    },
    /// Cancel a workflow run.
    CancelWorkflowRun {
        /// The run number.
        run: u32,
    },
    /// Acknowledge an incident (an alert that fired).
    AcknowledgeIncident {
        /// The incident's number.
        incident: u32,
        /// Who (a login).
        login: String,
    },
    /// Resolve an incident.
    ResolveIncident {
        /// The incident's number.
        incident: u32,
        /// Who (a login).
        login: String,
    },
    /// Give a secret a new value.
    RotateSecret {
        /// Its name.
        name: String,
        /// Its environment, or `None` for a repository secret.
        environment: Option<String>,
        /// Who (a login).
        login: String,
    },
    /// Change the business hours of the rollout environment's deployment windows.
    UpdateDeploymentWindows {
        /// Days deployments are allowed, Monday first.
        days: [bool; 7],
        /// Start, minutes after midnight UTC.
        start_minute: u32,
        /// End, exclusive, minutes after midnight UTC.
        end_minute: u32,
        /// Who (a login).
        login: String,
    },
    /// Replace an environment's protection rules (its name says which environment).
    UpdateProtectionRules {
        /// The new rules.
        rules: crate::pipeline::environments::EnvironmentSpec,
        /// Who (a login).
        login: String,
    },
}

impl Command {
    /// True for the pipeline's commands, which the rollout controllers do not take.
    pub fn is_pipeline(&self) -> bool {
        matches!(
            self,
            Command::TriggerWorkflow { .. }
                | Command::ReviewDeployment { .. }
                | Command::RerunFailedJobs { .. }
                | Command::CancelWorkflowRun { .. }
                | Command::AcknowledgeIncident { .. }
                | Command::ResolveIncident { .. }
                | Command::RotateSecret { .. }
                | Command::UpdateProtectionRules { .. }
                | Command::UpdateDeploymentWindows { .. }
        )
    }
}

impl Command {
    /// A short description for logs and buttons.
    pub fn label(&self) -> String {
        match self {
            Command::StartRollout { version } => format!("start rollout of {version}"),
            Command::Promote => "promote".to_string(),
            Command::PromoteFull => "promote full".to_string(),
            Command::Abort => "abort".to_string(),
            Command::Retry => "retry".to_string(),
            Command::Undo => "undo".to_string(),
            Command::InjectFault { fault, target, .. } => {
                format!("inject {} in {}", fault.id(), target.environment)
            }
            Command::ClearFault { fault_id } => format!("clear fault #{fault_id}"),
            Command::TriggerWorkflow { event, branch, .. } => {
                format!("run the workflow ({event} on {branch})")
            }
            Command::ReviewDeployment {
                environment,
                approve,
                ..
            } => format!(
                "{} the deployment to {environment}",
                if *approve { "approve" } else { "reject" }
            ),
            Command::RerunFailedJobs { run } => format!("re-run the failed jobs of run #{run}"),
            Command::CancelWorkflowRun { run } => format!("cancel run #{run}"),
            Command::AcknowledgeIncident { incident, .. } => {
                format!("acknowledge incident #{incident}")
            }
            Command::ResolveIncident { incident, .. } => format!("resolve incident #{incident}"),
            Command::RotateSecret { name, .. } => format!("rotate secret {name}"),
            Command::UpdateProtectionRules { rules, .. } => {
                format!("update the protection rules of {}", rules.name)
            }
            Command::UpdateDeploymentWindows { .. } => "update the deployment window".to_string(),
        }
    }
}

/// A command with the simulated second it was given at and who gave it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimedCommand {
    /// Applied before the simulation of this second.
    pub at: Tick,
    /// Who gave it.
    pub actor: Actor,
    /// What was asked.
    #[serde(flatten)]
    pub command: Command,
}

/// Why a command was refused. The simulation is unchanged and can continue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommandError {
    /// The scenario has no version of that name.
    UnknownVersion(String),
    /// The command does not apply in the rollout's current state; the text says why.
    NotApplicable(String),
}

impl CommandError {
    /// The refusal of a command that is not for a rollout controller (faults and the
    /// pipeline's commands, which the simulation handles before a controller sees them).
    pub fn not_a_rollout_command(command: &Command) -> CommandError {
        CommandError::NotApplicable(format!("{} is not a rollout command", command.label()))
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CommandError::UnknownVersion(name) => {
                write!(f, "there is no version called \"{name}\" in this scenario")
            }
            CommandError::NotApplicable(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for CommandError {}
