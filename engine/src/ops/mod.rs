//! Operations around the rollout: service-level objectives and error budgets, alert rules,
//! incidents and notifications, and DORA's delivery metrics.
//!
//! These files compute from numbers they are handed (and `metrics` labels); the pipeline and the
//! simulation feed them.

pub mod alerts;
pub mod dora;
pub mod release_train;
pub mod slo;
