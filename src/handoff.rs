//! What the first screen asks of the simulator when it hands over.

use std::collections::BTreeMap;

/// The first thing the simulator does when it takes over from the first screen
/// ([`crate::shell::Shell`]), which draws the library and briefings before the simulator's
/// chunk has loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handoff {
    /// Open what the page's address asks for: a shared run or the sandbox.
    Address,
    /// Start a lab with these choices and seed.
    StartLab {
        /// The lab's id.
        lab: String,
        /// The learner's choices, by key.
        choices: BTreeMap<String, String>,
        /// The seed.
        seed: u64,
    },
    /// Open the sandbox.
    Sandbox,
    /// Forget one lab's saved progress and show the library.
    ResetLab(String),
}
