//! The only way anything outside the engine changes a simulation.

use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::fault::{FaultKind, FaultTarget};
use crate::time::Tick;

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
