//! Labs: a scenario to pick, a briefing to read, choices to make, objectives checked against the
//! simulation every second, hints, a score with its working, and a debrief. A lab is a YAML file
//! (`engine/labs/*.yaml`) read with its line and column (`read.rs`, `yaml.rs`) into `spec.rs`'s
//! types; `worlds.rs` builds its starting world from the learner's choices; `run.rs` plays it,
//! `check.rs` evaluates its predicates and `score.rs` scores it.
//!
//! Labs use the simulation and everything below it; only the app and the CLI use labs.

pub mod catalogue;
pub mod check;
pub mod progress;
pub mod read;
pub mod run;
pub mod score;
pub mod spec;
pub mod worlds;
pub mod yaml;

pub use catalogue::{builtin_labs, lab_by_id};
pub use progress::{Mark, Progress};
pub use read::read_lab;
pub use run::LabRun;
pub use score::Score;
pub use spec::Lab;
