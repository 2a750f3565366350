//! Scenarios: what a run starts from (`spec.rs`), the canary story the built-ins share
//! (`story.rs`), the built-in catalogue (`catalogue.rs`) and the pipeline scenarios
//! (`pipelines.rs`).
//!
//! A scenario names world, controller and pipeline specs; it is read by the simulation and
//! written by the import, and uses neither.

mod catalogue;
pub mod pipelines;
mod spec;
mod story;

pub use catalogue::{BUILTIN_TITLES, bench_world, builtin, builtin_ids};
pub use spec::{Scenario, Strategy};
