//! Deploy Dojo's simulation engine.
//!
//! ```text
//!  scenario script ─┐            ┌──────────── Command (the only way in) ◄── UI / CLI
//!                   ▼            ▼
//!   traffic ──► fleet (instances by version) ──► metrics per version per second
//!                   ▲                                   │
//!                   │ replica targets                   ▼
//!              rollout controller ◄── analysis (error-rate gate)
//!                   │
//!                   ▼
//!              audit log (hash-chained, append-only)
//! ```
//!
//! A run is fully defined by `(scenario, seed, commands)`. The engine reads no clock, does no I/O
//! and depends on no web crate, so the same triple gives the same run natively and in wasm32.
//!
//! ```
//! use engine::{Sim, scenario};
//!
//! let mut sim = Sim::new(scenario::builtin("canary-bad-release").unwrap(), 7);
//! sim.run_to_end();
//! assert_eq!(sim.outcome().result, "rolled_back");
//! assert_eq!(sim.outcome().max_canary_traffic_weight_percent, 10);
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod alerts;
pub mod analysis;
pub mod audit;
pub mod audit_export;
pub mod bluegreen;
pub mod codedeploy_run;
pub mod command;
pub mod deployment;
pub mod dora;
pub mod fault;
pub mod flag_rollout;
pub mod flagger;
pub mod fleet;
pub mod import;
pub mod latency;
pub mod metrics;
pub mod pipeline;
pub mod prng;
pub mod quiet;
pub mod quiet_batch;
pub mod report;
pub mod rollout;
pub mod routing;
pub mod scenario;
pub mod sim;
pub mod slo;
pub mod strategy;
pub mod time;
pub mod traffic;
pub mod version;
pub mod world;

pub use command::{Command, CommandError, TimedCommand};
pub use sim::{Outcome, Sim};
