//! The plans of quiet minutes as data: one service's minute drawn whole ([`QuietMinute`]), and a
//! mixed minute of batch mode ([`PlannedMinute`]). The world keeps them; `quiet.rs` and
//! `quiet_batch.rs` make and spend them.

use crate::metrics::PeriodSample;
use crate::time::Tick;
use crate::version::VersionId;

/// Seconds in a minute.
pub const MINUTE_S: u32 = 60;

/// One service's quiet minute, drawn at its first second.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuietMinute {
    /// The minute's first second.
    pub start: Tick,
    /// The one version serving.
    pub version: VersionId,
    /// Requests in the minute.
    pub requests: u32,
    /// Failed requests in the minute.
    pub errors: u32,
    /// AI calls in the minute.
    pub ai_calls: u32,
    /// p50, p95 and p99 for every second of the minute.
    pub percentiles_ms: [u32; 3],
    /// Answered requests slower than the latency SLO's threshold in the minute.
    pub slow_requests: u32,
    /// Each failed request as (second of the minute, user id), ordered by second; the user is
    /// [`NO_USER`] past a second's attribution limit or when the environment models no users.
    pub failures: Vec<(u32, u32)>,
    /// Tokens an AI call uses: the environment's, or 0 while the provider answers nothing.
    pub tokens_per_call: u32,
    /// The metrics provider is down: every second is recorded without data.
    pub no_data: bool,
}

/// Marks a failure attributed to no user.
pub const NO_USER: u32 = u32::MAX;

impl QuietMinute {
    /// The second of the minute `now` is, if the plan covers it.
    pub fn second_of(&self, now: Tick) -> Option<u32> {
        now.0
            .checked_sub(self.start.0)
            .filter(|offset| *offset < u64::from(MINUTE_S))
            .map(|offset| offset as u32)
    }

    /// The minute as the minute tier records it.
    pub fn period(&self) -> PeriodSample {
        PeriodSample {
            start: self.start,
            requests: u64::from(self.requests),
            errors: u64::from(self.errors),
            unserved: 0,
            p95_max_ms: self.percentiles_ms[1],
            slow_requests: u64::from(self.slow_requests),
            tokens: u64::from(self.ai_calls) * u64::from(self.tokens_per_call),
            empty_responses: 0,
        }
    }

    /// The failures in second `second` of the minute.
    pub(crate) fn failures_in(&self, second: u32) -> &[(u32, u32)] {
        let first = self.failures.partition_point(|(s, _)| *s < second);
        // A second holds a few failures at most, so walking them beats a second search.
        let count = self.failures[first..]
            .iter()
            .take_while(|(s, _)| *s == second)
            .count();
        &self.failures[first..first + count]
    }
}

/// The part of a minute's `total` that falls in second `second`: spread as evenly as integers
/// allow, so every second gets ⌊total/60⌋ or ⌈total/60⌉ and the seconds sum to `total`.
pub fn share_of_second(total: u32, second: u32) -> u32 {
    let total = u64::from(total);
    let minute = u64::from(MINUTE_S);
    (total * u64::from(second + 1) / minute - total * u64::from(second) / minute) as u32
}

/// Every second's [`share_of_second`] of `total`, in order, without a division per second: with
/// `total = 60q + r`, second `s` gets `q`, plus one when `r·(s+1) mod 60` wraps, which an
/// accumulator of `r` tracks.
pub fn second_shares(total: u32) -> impl Iterator<Item = u32> {
    let (whole, rest) = (total / MINUTE_S, total % MINUTE_S);
    let mut carried = 0;
    (0..MINUTE_S).map(move |_| {
        carried += rest;
        if carried >= MINUTE_S {
            carried -= MINUTE_S;
            whole + 1
        } else {
            whole
        }
    })
}

/// A minute in which planned services are written whole while busy ones are stepped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlannedMinute {
    pub(crate) start: Tick,
    /// Per environment and second: what its planned services add.
    pub(crate) load: Vec<[PlannedSecond; MINUTE_S as usize]>,
    /// Per environment and elapsed second: the database pool saturation the second began with.
    pub(crate) pool_per_mille: Vec<[u32; MINUTE_S as usize]>,
    /// Seconds of the minute stepped so far.
    pub(crate) elapsed: u32,
}

/// What an environment's planned services add to one second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct PlannedSecond {
    pub(crate) requests: u32,
    pub(crate) errors: u32,
    pub(crate) tokens: u32,
    pub(crate) ai_calls: u32,
    pub(crate) p95_ms: u32,
    pub(crate) slow_requests: u32,
    pub(crate) database_demand_micro: u64,
}
