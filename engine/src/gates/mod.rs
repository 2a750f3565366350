//! Gates: analysis runs that measure a version's metrics against the conditions an
//! AnalysisTemplate names, and the Kayenta-style judge that compares it with the stable version.
//!
//! Gates read metrics and the clock's `Tick`; the controllers own their runs and act on verdicts.

pub mod analysis;
pub mod kayenta;
