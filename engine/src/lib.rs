//! Deploy Dojo's simulation engine.
//!
//! ```text
//!  scenario/ ─┐              ┌──────────── Command (the only way in) ◄── UI / CLI
//!             ▼              ▼
//!   world/ (traffic ──► fleet by version) ──► metrics/ per version per second
//!             ▲                                   │
//!             │ replica targets and routing       ▼
//!      controllers/ (one Controller) ◄──── gates/ (analysis runs, the judge)
//!             │        uses upstream/ (the real systems' arithmetic)
//!             ▼
//!   sim/ ──► pipeline/ ──► ops/ (SLOs, alerts, DORA) ──► audit/ (hash-chained, append-only)
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

pub mod audit;
pub mod command;
pub mod controllers;
pub mod gates;
pub mod import;
pub mod labs;
pub mod metrics;
pub mod ops;
pub mod pipeline;
pub mod prng;
pub mod report;
pub mod rounding;
pub mod scenario;
pub mod sim;
pub mod time;
pub mod upstream;
pub mod version;
pub mod world;

pub use command::{Command, CommandError, TimedCommand};
pub use sim::{Outcome, Sim};
