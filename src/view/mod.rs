//! The screen's data: plain values derived from a [`engine::Sim`], one file per panel, tested
//! natively. Components import from here and nowhere else in the engine's state.
//!
//! - `workspace.rs`: the clock, fleet, traffic split, environments, faults and audit rows;
//! - `rollout.rs`: the rollout card, filled by `canary.rs`, `deployment_and_blue_green.rs` or
//!   `flagger_and_flag.rs` (by controller) and `codedeploy.rs`, into `rollout_card.rs`'s types;
//! - `pipeline.rs` and `protection.rs`: the pipeline card and the environments as GitHub
//!   shows them;
//! - `chart.rs`: the chart's series, thresholds and markers;
//! - `format.rs`: how numbers, durations and versions read on screen.

pub mod canary;
pub mod chart;
pub mod codedeploy;
pub mod deployment_and_blue_green;
pub mod flagger_and_flag;
pub mod format;
pub mod labs;
pub mod pipeline;
pub mod protection;
pub mod rollout;
pub mod rollout_card;
pub mod workspace;
