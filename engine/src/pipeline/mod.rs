//! The delivery pipeline around a rollout: workflows as job graphs with GitHub Actions'
//! semantics, environments and their protection rules, deployment windows, cron schedules,
//! secrets, and the pipeline's state inside a run (`state.rs`) with the auditor's report of its
//! production deployments (`auditor.rs`). The pipeline uses ops (budgets, alerts, DORA), the
//! audit trail's actors, metrics labels, versions, time and the seeded generator, never the
//! controllers or the simulation.

pub mod auditor;
pub mod concurrency;
pub mod cron;
pub mod environments;
pub mod expr;
pub mod filter_pattern;
pub mod fnmatch;
pub mod run;
pub mod secrets;
pub mod state;
pub mod triggers;
pub mod windows;
pub mod workflow;
pub mod workflow_import;
