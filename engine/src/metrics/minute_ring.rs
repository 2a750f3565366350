//! The minute tier of a series: the last day's closed minutes, stored compactly.
//!
//! Every cohort and environment closes a minute every simulated minute, and a quarter's run
//! writes each ring round and round: the rings together are larger than the processor's
//! second-level cache, so each write is a cache miss. A minute is therefore stored in 32
//! bytes (counts as `u32`, the start as a minute number) instead of a 64-byte
//! [`PeriodSample`], and the ring is allocated at its final size at once, so it is not
//! rounded up to the next power of two as it grows. Readers get [`PeriodSample`]s back.
//!
//! A minute's counts saturate at `u32::MAX` (over 71 million requests a second), far beyond
//! any scenario the simulator runs. `Series` converts between the two forms.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// Minutes of per-minute history.
pub const MINUTE_TIER_LEN: u32 = 1_440;

/// The last [`MINUTE_TIER_LEN`] closed minutes, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinuteRing {
    minutes: VecDeque<StoredMinute>,
}

impl MinuteRing {
    /// Appends a closed minute, dropping the oldest once the ring holds a day.
    pub fn push(&mut self, minute: StoredMinute) {
        if self.minutes.capacity() == 0 {
            self.minutes.reserve_exact(MINUTE_TIER_LEN as usize);
        }
        if self.minutes.len() as u32 >= MINUTE_TIER_LEN {
            self.minutes.pop_front();
        }
        self.minutes.push_back(minute);
    }

    /// The minutes, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = StoredMinute> + ExactSizeIterator + '_ {
        self.minutes.iter().copied()
    }
}

/// A closed minute in 32 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredMinute {
    /// The minute's first second, divided by 60.
    pub start_minute: u32,
    /// Requests.
    pub requests: u32,
    /// Failed requests.
    pub errors: u32,
    /// Unserved requests.
    pub unserved: u32,
    /// The highest per-second p95 in the minute.
    pub p95_max_ms: u32,
    /// Answered requests slower than the latency SLO's threshold.
    pub slow_requests: u32,
    /// AI tokens.
    pub tokens: u32,
    /// Empty AI answers.
    pub empty_responses: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_keeps_a_day_and_is_allocated_once_at_that_size() {
        let mut ring = MinuteRing::default();
        for index in 0..2 * MINUTE_TIER_LEN {
            ring.push(StoredMinute {
                start_minute: index,
                ..StoredMinute::default()
            });
        }
        assert_eq!(ring.iter().len() as u32, MINUTE_TIER_LEN);
        assert_eq!(ring.minutes.capacity(), MINUTE_TIER_LEN as usize);
        let first = ring.iter().next().map(|m| m.start_minute);
        assert_eq!(first, Some(MINUTE_TIER_LEN), "the oldest day is gone");
        assert_eq!(std::mem::size_of::<StoredMinute>(), 32);
    }
}
