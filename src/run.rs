//! What the workspace plays: free play of a scenario (the sandbox), or a lab, whose objectives
//! are checked every simulated second. Both show the same panels, read from the same [`Sim`].

use engine::labs::LabRun;
use engine::{Command, CommandError, Sim};

/// A run in the workspace.
#[derive(Clone, Debug)]
pub enum Run {
    /// Free play: any scenario, any manifest.
    Sandbox(Box<Sim>),
    /// A lab, with its choices, objectives, hints and score.
    Lab(Box<LabRun>),
}

impl Run {
    /// The simulation every panel reads.
    pub fn sim(&self) -> &Sim {
        match self {
            Run::Sandbox(sim) => sim,
            Run::Lab(lab) => lab.sim(),
        }
    }

    /// The lab, when one is being played.
    pub fn lab(&self) -> Option<&LabRun> {
        match self {
            Run::Sandbox(_) => None,
            Run::Lab(lab) => Some(lab),
        }
    }

    /// The lab to change, when one is being played.
    pub fn lab_mut(&mut self) -> Option<&mut LabRun> {
        match self {
            Run::Sandbox(_) => None,
            Run::Lab(lab) => Some(lab),
        }
    }

    /// Simulates up to `seconds` seconds (a lab checks its objectives after each).
    pub fn advance(&mut self, seconds: u64) {
        match self {
            Run::Sandbox(sim) => sim.advance(seconds),
            Run::Lab(lab) => lab.advance(seconds),
        }
    }

    /// Simulates to the next decision point, at most `max_s` seconds ahead.
    pub fn run_to_decision(&mut self, max_s: u64) -> Option<engine::audit::AuditRecord> {
        match self {
            Run::Sandbox(sim) => sim.run_to_decision(max_s),
            Run::Lab(lab) => lab.run_to_decision(max_s),
        }
    }

    /// Gives a command as the learner.
    pub fn apply(&mut self, command: Command) -> Result<(), CommandError> {
        match self {
            Run::Sandbox(sim) => sim.apply(command),
            Run::Lab(lab) => lab.apply(command),
        }
    }
}
