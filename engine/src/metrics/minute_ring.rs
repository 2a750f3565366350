//! The minute tier of a series: the last day's closed minutes, stored compactly.
//!
//! Every cohort and environment closes a minute every simulated minute, and a quarter's run
//! writes each ring round and round: the rings together are larger than the processor's
//! second-level cache, and its size showed in the run's speed (a ring of an hour instead of a
//! day made a quarter's run 16 % faster). A minute is therefore stored in 16 bytes (its start
//! as a minute number, requests, errors and p95, as `u32`) instead of a 64-byte
//! `PeriodSample`; the counts that are zero in most minutes (unserved, slow, tokens, empty
//! answers) are kept beside it only for the minutes where one is not. The ring is allocated at
//! its final size at once, so it is not rounded up to the next power of two as it grows.
//! Readers get `PeriodSample`s back.
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
    /// The counts that are usually zero, only for the minutes in which one is not, in the
    /// same order as `minutes`.
    extras: VecDeque<MinuteExtras>,
}

impl MinuteRing {
    /// Appends a closed minute (later than every minute held), dropping the oldest once the
    /// ring holds a day.
    pub fn push(&mut self, minute: StoredMinute, extras: MinuteExtras) {
        if self.minutes.capacity() == 0 {
            self.minutes.reserve_exact(MINUTE_TIER_LEN as usize);
        }
        if self.minutes.len() as u32 >= MINUTE_TIER_LEN
            && let Some(oldest) = self.minutes.pop_front()
            && self
                .extras
                .front()
                .is_some_and(|e| e.start_minute == oldest.start_minute)
        {
            self.extras.pop_front();
        }
        self.minutes.push_back(minute);
        if extras != MinuteExtras::none(minute.start_minute) {
            self.extras.push_back(extras);
        }
    }

    /// The minutes with their extras (zero where none were stored), oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (StoredMinute, MinuteExtras)> + '_ {
        let mut extras = self.extras.iter().peekable();
        self.minutes.iter().map(move |minute| {
            let extra = extras
                .next_if(|e| e.start_minute == minute.start_minute)
                .copied()
                .unwrap_or(MinuteExtras::none(minute.start_minute));
            (*minute, extra)
        })
    }
}

/// What every closed minute stores, in 16 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredMinute {
    /// The minute's first second, divided by 60.
    pub start_minute: u32,
    /// Requests.
    pub requests: u32,
    /// Failed requests.
    pub errors: u32,
    /// The highest per-second p95 in the minute.
    pub p95_max_ms: u32,
}

/// The counts of a minute that are zero in most minutes of most services.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinuteExtras {
    /// The minute's first second, divided by 60.
    pub start_minute: u32,
    /// Unserved requests.
    pub unserved: u32,
    /// Answered requests slower than the latency SLO's threshold.
    pub slow_requests: u32,
    /// AI tokens.
    pub tokens: u32,
    /// Empty AI answers.
    pub empty_responses: u32,
}

impl MinuteExtras {
    /// No extras for the minute `start_minute`.
    pub fn none(start_minute: u32) -> MinuteExtras {
        MinuteExtras {
            start_minute,
            ..MinuteExtras::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minute(start_minute: u32) -> StoredMinute {
        StoredMinute {
            start_minute,
            requests: start_minute,
            ..StoredMinute::default()
        }
    }

    #[test]
    fn the_ring_keeps_a_day_and_is_allocated_once_at_that_size() {
        let mut ring = MinuteRing::default();
        for index in 0..2 * MINUTE_TIER_LEN {
            ring.push(minute(index), MinuteExtras::none(index));
        }
        assert_eq!(ring.iter().count() as u32, MINUTE_TIER_LEN);
        assert_eq!(ring.minutes.capacity(), MINUTE_TIER_LEN as usize);
        let first = ring.iter().next().map(|(m, _)| m.start_minute);
        assert_eq!(first, Some(MINUTE_TIER_LEN), "the oldest day is gone");
        assert_eq!(std::mem::size_of::<StoredMinute>(), 16);
    }

    #[test]
    fn extras_are_kept_only_where_they_are_not_zero_and_leave_with_their_minute() {
        let mut ring = MinuteRing::default();
        // Every third minute has tokens.
        for index in 0..MINUTE_TIER_LEN + 10 {
            let extras = MinuteExtras {
                tokens: u32::from(index % 3 == 0) * (index + 1),
                ..MinuteExtras::none(index)
            };
            ring.push(minute(index), extras);
        }
        assert_eq!(ring.extras.len() as u32, MINUTE_TIER_LEN / 3);
        for (minute, extras) in ring.iter() {
            assert_eq!(extras.start_minute, minute.start_minute);
            let expected = u32::from(minute.start_minute % 3 == 0) * (minute.start_minute + 1);
            assert_eq!(extras.tokens, expected, "minute {}", minute.start_minute);
        }
    }
}
