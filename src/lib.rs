//! Deploy Dojo's web app: a Yew front end over the `engine` crate.
//!
//! Layers, each depending only on the ones below: `engine` (the simulation) → `state` (the one
//! reducer that calls engine mutators) → `view` (plain data for the screen) →
//! `components` and `chart` (markup and drawing). Side effects live in `hooks`.

// Denied everywhere but the one split point (`simulator_chunk`), whose macro needs it.
#![deny(unsafe_code)]

pub mod app;
pub mod chart;
pub mod components;
pub mod first_screens;
pub mod generated;
pub mod handoff;
pub mod hooks;
pub mod lab_brief;
pub mod progress;
pub mod run;
pub mod share;
pub mod shell;
pub mod simulator_chunk;
pub mod state;
pub mod view;

pub use app::App;
pub use shell::Shell;
