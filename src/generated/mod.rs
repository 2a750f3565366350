//! Files written by tests from the repository's data; see each file's header.

// Written as the generator lays it out, not as rustfmt would.
#[rustfmt::skip]
pub mod lab_briefs;
