//! Deploy Dojo's web app: a Yew front end over the `engine` crate.
//!
//! Layers, each depending only on the ones below: `engine` (the simulation) → `state` (the one
//! reducer that calls engine mutators) → `view_model` (plain data for the screen) →
//! `components` and `chart` (markup and drawing). Side effects live in `hooks`.

#![forbid(unsafe_code)]

pub mod app;
pub mod chart;
pub mod chart_model;
pub mod codedeploy_view;
pub mod components;
pub mod hooks;
pub mod loop_view;
pub mod pipeline_view;
pub mod protection_view;
pub mod rollout_view;
pub mod state;
pub mod view_model;

pub use app::App;
