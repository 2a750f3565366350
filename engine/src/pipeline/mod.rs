//! The delivery pipeline around a rollout: workflows as job graphs with GitHub Actions'
//! semantics, environments and their protection rules, deployment windows, and cron schedules.

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
