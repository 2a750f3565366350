//! What the library and a lab's briefing show of each built-in lab, as static data.
//!
//! The first screen must not wait for the simulator: reading the lab files needs the YAML
//! parser and the whole lab model, which load as a split chunk after the first paint. So the
//! few fields the library and briefing show are kept in `crate::generated::lab_briefs`,
//! written out from the lab files by `tests/lab_briefs.rs`, which fails (and rewrites the file)
//! whenever a lab file changes and this copy is stale.

/// One built-in lab, as the library and its briefing show it.
#[derive(Debug, PartialEq, Eq)]
pub struct LabBrief {
    /// The lab's id, as in links and on the command line.
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// The track it belongs to in the library.
    pub track: &'static str,
    /// Labels of who it is written for.
    pub audiences: &'static [&'static str],
    /// Label of how hard it is.
    pub difficulty: &'static str,
    /// About how long it takes, in minutes.
    pub minutes: u32,
    /// The situation, as the briefing tells it.
    pub situation: &'static str,
    /// The customer's question, in their words (may be empty).
    pub customer_question: &'static str,
    /// What the learner will be able to do afterwards.
    pub learning_objectives: &'static [&'static str],
    /// The objectives checked live.
    pub objectives: &'static [ObjectiveBrief],
    /// The choices the learner makes before the run.
    pub choices: &'static [ChoiceBrief],
    /// The seed a run uses unless another is given.
    pub seed: u64,
}

/// An objective, as the briefing lists it.
#[derive(Debug, PartialEq, Eq)]
pub struct ObjectiveBrief {
    /// What is checked.
    pub text: &'static str,
    /// Whether the lab cannot be passed without it.
    pub required: bool,
}

/// A choice in the briefing's form.
#[derive(Debug, PartialEq, Eq)]
pub struct ChoiceBrief {
    /// The key the lab's file uses.
    pub key: &'static str,
    /// The form's label.
    pub label: &'static str,
    /// Help under the field (may be empty).
    pub help: &'static str,
    /// The value chosen unless the learner changes it.
    pub default: &'static str,
    /// The allowed values: (value, label).
    pub options: &'static [(&'static str, &'static str)],
}
