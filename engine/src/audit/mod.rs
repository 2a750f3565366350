//! The audit trail: an append-only, hash-chained log of every decision (`chain.rs`), and its
//! JSON and CSV exports, read back and verified record by record (`export.rs`).
//!
//! The audit trail uses only simulated time; everything that decides something appends to it.

pub mod chain;
pub mod export;

pub use chain::*;
