//! An objective's progress through a run: pending, then met, failed or skipped, with why.

use serde::Serialize;

use super::check::Memory;

/// Where an objective stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// Not decided yet.
    Pending,
    /// Met, for good.
    Met,
    /// Missed, for good.
    Failed,
    /// The learner skipped it: no credit, no more checks.
    Skipped,
}

/// One objective's progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// The objective's id.
    pub id: String,
    /// Where it stands.
    pub mark: Mark,
    /// Why, with the measured values, as of the last evaluation.
    pub why: String,
    /// The simulated second it was decided, if it was.
    pub decided_at: Option<u64>,
    /// What the objective's check remembers between seconds.
    #[serde(skip)]
    pub(super) check_memory: Memory,
    /// What its failure condition remembers.
    #[serde(skip)]
    pub(super) fail_memory: Memory,
}

impl Progress {
    /// An objective `id` not decided yet.
    pub fn pending(id: &str) -> Progress {
        Progress {
            id: id.to_string(),
            mark: Mark::Pending,
            why: String::new(),
            decided_at: None,
            check_memory: Memory::default(),
            fail_memory: Memory::default(),
        }
    }
}
