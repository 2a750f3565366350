//! Deploy Dojo's web app: a Yew front end over the `engine` crate.
//!
//! Layers, each depending only on the ones below: `engine` (the simulation) → `state` (the one
//! reducer that calls engine mutators) → `view` (plain data for the screen) →
//! `components` and `chart` (markup and drawing). Side effects live in `hooks`.

#![forbid(unsafe_code)]

pub mod app;
pub mod chart;
pub mod components;
pub mod hooks;
pub mod progress;
pub mod run;
pub mod share;
pub mod state;
pub mod view;

pub use app::App;
