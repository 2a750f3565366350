//! Metrics per version cohort and per environment, one sample per simulated second.
//!
//! History is kept in three bounded tiers: every second for the last hour, every minute for the
//! last day, every hour for the last quarter. The second tier keeps the hour before its newest
//! sample; readers take the part they need by time, not by count. A simulated quarter therefore
//! holds a fixed amount of memory per cohort, whatever the length of the run.
//!
//! Metrics use only time and versions; everything above them reads them.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::time::Tick;
use crate::version::VersionId;

mod minute_ring;

pub use minute_ring::MINUTE_TIER_LEN;
use minute_ring::{MinuteExtras, MinuteRing, StoredMinute};

/// Seconds of per-second history.
pub const SECOND_TIER_LEN: u32 = 3_600;
/// The course's latency SLO threshold (002 appendix I: p95 under 2,000 ms): an answered request
/// slower than this is counted as slow, a bad event for the latency SLO.
pub const LATENCY_THRESHOLD_MS: u32 = 2_000;
/// Hours of per-hour history (13 weeks).
pub const HOUR_TIER_LEN: u32 = 2_184;

/// Samples of the second tier a run writing whole minutes keeps (one a minute over its hour), the
/// least room the tier is shrunk to.
const SPARSE_SECOND_TIER: u32 = 64;

/// What one cohort (a version of a service) did in one simulated second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondSample {
    /// The second this sample covers.
    pub tick: Tick,
    /// Requests routed to this cohort.
    pub requests: u32,
    /// Failed requests, including unserved ones.
    pub errors: u32,
    /// Requests that found no ready instance (downtime).
    pub unserved: u32,
    /// Median latency.
    pub p50_ms: u32,
    /// 95th percentile latency.
    pub p95_ms: u32,
    /// 99th percentile latency.
    pub p99_ms: u32,
    /// Answered requests slower than the latency SLO's threshold ([`LATENCY_THRESHOLD_MS`]).
    pub slow_requests: u32,
    /// CPU saturation of the cohort's ready instances, per mille.
    pub cpu_per_mille: u32,
    /// Database connection pool saturation in the environment, per mille (may exceed 1,000).
    pub db_pool_per_mille: u32,
    /// AI tokens used.
    pub tokens: u32,
    /// AI answers that came back empty but "successful".
    pub empty_responses: u32,
    /// AI calls made.
    pub ai_calls: u32,
    /// The metrics provider returned no data for this second.
    pub no_data: bool,
}

impl SecondSample {
    /// Error rate in basis points, zero when there were no requests.
    pub fn error_rate_bp(&self) -> u32 {
        rate_bp(u64::from(self.errors), u64::from(self.requests))
    }

    /// Adds another sample's counts into this one, keeping the worse p95: how cohorts sum to a
    /// service and services to an environment.
    pub fn absorb(&mut self, other: &SecondSample) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.unserved += other.unserved;
        self.slow_requests += other.slow_requests;
        self.tokens += other.tokens;
        self.ai_calls += other.ai_calls;
        self.empty_responses += other.empty_responses;
        self.p95_ms = self.p95_ms.max(other.p95_ms);
    }

    /// Success rate in basis points, 10,000 when there were no requests.
    pub fn success_rate_bp(&self) -> u32 {
        10_000 - self.error_rate_bp()
    }

    /// Share of AI answers that were not empty, in basis points: the quality signal that a
    /// silent AI failure lowers while errors stay flat.
    pub fn answer_quality_bp(&self) -> u32 {
        if self.ai_calls == 0 {
            10_000
        } else {
            10_000 - rate_bp(u64::from(self.empty_responses), u64::from(self.ai_calls))
        }
    }
}

/// A downsampled period (a minute or an hour).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodSample {
    /// The first second of the period.
    pub start: Tick,
    /// Requests.
    pub requests: u64,
    /// Failed requests.
    pub errors: u64,
    /// Unserved requests.
    pub unserved: u64,
    /// The highest per-second p95 in the period.
    pub p95_max_ms: u32,
    /// Answered requests slower than the latency SLO's threshold.
    pub slow_requests: u64,
    /// AI tokens.
    pub tokens: u64,
    /// Empty AI answers.
    pub empty_responses: u64,
}

impl PeriodSample {
    fn absorb_second(&mut self, sample: &SecondSample) {
        self.requests += u64::from(sample.requests);
        self.errors += u64::from(sample.errors);
        self.unserved += u64::from(sample.unserved);
        self.p95_max_ms = self.p95_max_ms.max(sample.p95_ms);
        self.slow_requests += u64::from(sample.slow_requests);
        self.tokens += u64::from(sample.tokens);
        self.empty_responses += u64::from(sample.empty_responses);
    }

    /// Adds another period's counts into this one, keeping the worse p95.
    pub fn absorb_period(&mut self, other: &PeriodSample) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.unserved += other.unserved;
        self.p95_max_ms = self.p95_max_ms.max(other.p95_max_ms);
        self.slow_requests += other.slow_requests;
        self.tokens += other.tokens;
        self.empty_responses += other.empty_responses;
    }

    /// Error rate in basis points.
    pub fn error_rate_bp(&self) -> u32 {
        rate_bp(self.errors, self.requests)
    }

    /// The minute tier's compact form of this minute (see `minute_ring.rs`).
    fn to_stored(self) -> (StoredMinute, MinuteExtras) {
        debug_assert!(self.start.0.is_multiple_of(60), "a minute starts on one");
        let narrow = |count: u64| u32::try_from(count).unwrap_or(u32::MAX);
        let start_minute = narrow(self.start.0 / 60);
        let minute = StoredMinute {
            start_minute,
            requests: narrow(self.requests),
            errors: narrow(self.errors),
            p95_max_ms: self.p95_max_ms,
        };
        let extras = MinuteExtras {
            start_minute,
            unserved: narrow(self.unserved),
            slow_requests: narrow(self.slow_requests),
            tokens: narrow(self.tokens),
            empty_responses: narrow(self.empty_responses),
        };
        (minute, extras)
    }

    fn from_stored(minute: StoredMinute, extras: MinuteExtras) -> PeriodSample {
        PeriodSample {
            start: Tick(u64::from(minute.start_minute) * 60),
            requests: u64::from(minute.requests),
            errors: u64::from(minute.errors),
            unserved: u64::from(extras.unserved),
            p95_max_ms: minute.p95_max_ms,
            slow_requests: u64::from(extras.slow_requests),
            tokens: u64::from(extras.tokens),
            empty_responses: u64::from(extras.empty_responses),
        }
    }
}

/// Request and error totals over a window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowTotals {
    /// Requests in the window.
    pub requests: u64,
    /// Failed requests in the window.
    pub errors: u64,
    /// Of the failed requests, those that found no ready instance.
    pub unserved: u64,
    /// Seconds of data the window actually covered.
    pub seconds_covered: u32,
    /// Seconds in the window for which the metrics provider had no data.
    pub seconds_without_data: u32,
    /// The highest per-second p95 latency in the window among seconds that served requests.
    pub p95_max_ms: u32,
}

impl WindowTotals {
    /// Error rate in basis points, `None` when there was no data at all.
    pub fn error_rate_bp(&self) -> Option<u32> {
        (self.requests > 0).then(|| rate_bp(self.errors, self.requests))
    }
}

/// `part / whole` in basis points (1 bp = 0.01 %), rounded down; zero when `whole` is zero.
pub fn rate_bp(part: u64, whole: u64) -> u32 {
    part.saturating_mul(10_000)
        .checked_div(whole)
        .map_or(0, |bp| bp.min(u64::from(u32::MAX)) as u32)
}

/// Formats basis points as a percentage with one decimal, for example `15.2 %`.
pub fn percent_label(bp: u32) -> String {
    format!("{}.{} %", bp / 100, bp % 100 / 10)
}

/// The history of one cohort, or of one environment, in three tiers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    seconds: VecDeque<SecondSample>,
    minutes: MinuteRing,
    hours: VecDeque<PeriodSample>,
    open_minute: Option<PeriodSample>,
    open_hour: Option<PeriodSample>,
    /// Requests over the whole run.
    pub requests_total: u64,
    /// Failed requests over the whole run.
    pub errors_total: u64,
    /// Unserved requests over the whole run.
    pub unserved_total: u64,
    /// Answered requests slower than the latency SLO's threshold over the whole run.
    #[serde(default)]
    pub slow_total: u64,
    /// AI tokens over the whole run.
    pub tokens_total: u64,
    /// Empty AI answers over the whole run.
    #[serde(default)]
    pub empty_responses_total: u64,
}

impl Series {
    /// The per-second samples of the last hour, oldest first.
    pub fn samples(&self) -> &VecDeque<SecondSample> {
        &self.seconds
    }

    /// Closed minutes of the last day, oldest first.
    pub fn minutes(&self) -> impl Iterator<Item = PeriodSample> + '_ {
        self.minutes
            .iter()
            .map(|(minute, extras)| PeriodSample::from_stored(minute, extras))
    }

    /// Closed hours of the last quarter, oldest first.
    pub fn hours(&self) -> &VecDeque<PeriodSample> {
        &self.hours
    }

    /// The most recent sample, if any.
    pub fn latest(&self) -> Option<&SecondSample> {
        self.seconds.back()
    }

    /// Totals over the `window_s` seconds ending at `now` (inclusive). Seconds without data
    /// (metrics provider down) count as covered but contribute no requests.
    pub fn window(&self, now: Tick, window_s: u32) -> WindowTotals {
        let first_tick = now.0.saturating_sub(u64::from(window_s).saturating_sub(1));
        let mut totals = WindowTotals::default();
        for sample in self
            .seconds
            .iter()
            .rev()
            .take_while(|s| s.tick.0 >= first_tick)
        {
            if sample.tick > now {
                continue;
            }
            totals.seconds_covered += 1;
            if sample.no_data {
                totals.seconds_without_data += 1;
            } else {
                totals.requests += u64::from(sample.requests);
                totals.errors += u64::from(sample.errors);
                totals.unserved += u64::from(sample.unserved);
                if sample.requests > sample.unserved {
                    totals.p95_max_ms = totals.p95_max_ms.max(sample.p95_ms);
                }
            }
        }
        totals
    }

    /// Appends one second, rolling it into the minute and hour tiers.
    pub fn push(&mut self, sample: SecondSample) {
        self.requests_total += u64::from(sample.requests);
        self.errors_total += u64::from(sample.errors);
        self.unserved_total += u64::from(sample.unserved);
        self.slow_total += u64::from(sample.slow_requests);
        self.tokens_total += u64::from(sample.tokens);
        self.empty_responses_total += u64::from(sample.empty_responses);
        let minute_start = Tick(sample.tick.0 - sample.tick.0 % 60);
        if self.open_minute.is_some_and(|m| m.start != minute_start) {
            self.close_minute();
        }
        self.open_minute
            .get_or_insert(PeriodSample {
                start: minute_start,
                ..PeriodSample::default()
            })
            .absorb_second(&sample);
        self.push_second_tier(sample);
    }

    /// Appends a whole minute written at once (a quiet minute in batch mode): its totals go to
    /// the minute tier and only its last second to the second tier. The second tier is dense
    /// again once the last hour has been simulated second by second.
    pub fn push_minute(&mut self, minute: PeriodSample, last_second: SecondSample) {
        self.requests_total += minute.requests;
        self.errors_total += minute.errors;
        self.unserved_total += minute.unserved;
        self.slow_total += minute.slow_requests;
        self.tokens_total += minute.tokens;
        self.empty_responses_total += minute.empty_responses;
        if self.open_minute.is_some_and(|m| m.start != minute.start) {
            self.close_minute();
        }
        match &mut self.open_minute {
            Some(open) => open.absorb_period(&minute),
            // An empty minute that absorbs this one is this one.
            None => self.open_minute = Some(minute),
        }
        self.push_second_tier(last_second);
    }

    /// Keeps the second tier to the hour before its newest sample.
    fn push_second_tier(&mut self, sample: SecondSample) {
        while self
            .seconds
            .front()
            .is_some_and(|oldest| oldest.tick.0 + u64::from(SECOND_TIER_LEN) <= sample.tick.0)
        {
            self.seconds.pop_front();
        }
        // Batch mode keeps about one sample a minute here, but an hour stepped second by second
        // grows the ring to thousands; writing a sample a minute around that ring touches a cold
        // cache line at each end. Giving the room back keeps a quiet quarter's rings small.
        let kept = self.seconds.len().max(SPARSE_SECOND_TIER as usize);
        if self.seconds.capacity() >= 8 * kept {
            self.seconds.shrink_to(2 * kept);
        }
        self.seconds.push_back(sample);
    }

    fn close_minute(&mut self) {
        let Some(minute) = self.open_minute.take() else {
            return;
        };
        let (stored, extras) = minute.to_stored();
        self.minutes.push(stored, extras);
        let hour_start = Tick(minute.start.0 - minute.start.0 % 3_600);
        if self.open_hour.is_some_and(|h| h.start != hour_start) {
            let hour = self.open_hour.take().unwrap_or_default();
            if self.hours.len() as u32 >= HOUR_TIER_LEN {
                self.hours.pop_front();
            }
            self.hours.push_back(hour);
        }
        self.open_hour
            .get_or_insert(PeriodSample {
                start: hour_start,
                ..PeriodSample::default()
            })
            .absorb_period(&minute);
    }
}

/// Identifies a cohort: a version of a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CohortKey {
    /// The service's index in the world.
    pub service: u32,
    /// The version.
    pub version: VersionId,
}

/// Every cohort's and every environment's history.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metrics {
    /// Indexed by service, then version: the same order as sorting by `CohortKey`.
    cohorts: Vec<Vec<Option<Series>>>,
    /// Indexed by environment.
    environments: Vec<Option<Series>>,
    /// Seconds in which at least one request anywhere found no ready instance.
    pub downtime_s: u64,
    /// Users' sessions lost with pods that stopped while holding them.
    pub sessions_lost: u64,
}

impl Metrics {
    /// Records one second of one cohort.
    pub fn record(&mut self, key: CohortKey, sample: SecondSample) {
        self.cohort_mut(key).push(sample);
    }

    /// Records one second of one environment (the sum of its cohorts).
    pub fn record_environment(&mut self, environment: u32, sample: SecondSample) {
        self.environment_mut(environment).push(sample);
    }

    /// Records a whole minute of one cohort at once: its totals and its last second.
    pub fn record_minute(
        &mut self,
        key: CohortKey,
        minute: PeriodSample,
        last_second: SecondSample,
    ) {
        self.cohort_mut(key).push_minute(minute, last_second);
    }

    /// Records a whole minute of one environment at once: its totals and its last second.
    pub fn record_environment_minute(
        &mut self,
        environment: u32,
        minute: PeriodSample,
        last_second: SecondSample,
    ) {
        self.environment_mut(environment)
            .push_minute(minute, last_second);
    }

    fn cohort_mut(&mut self, key: CohortKey) -> &mut Series {
        let service = key.service as usize;
        if self.cohorts.len() <= service {
            self.cohorts.resize_with(service + 1, Vec::new);
        }
        let versions = &mut self.cohorts[service];
        let version = key.version.0 as usize;
        if versions.len() <= version {
            versions.resize_with(version + 1, || None);
        }
        versions[version].get_or_insert_with(Series::default)
    }

    fn environment_mut(&mut self, environment: u32) -> &mut Series {
        let index = environment as usize;
        if self.environments.len() <= index {
            self.environments.resize_with(index + 1, || None);
        }
        self.environments[index].get_or_insert_with(Series::default)
    }

    /// The series of a cohort, if it ever served.
    pub fn cohort(&self, key: CohortKey) -> Option<&Series> {
        self.cohorts
            .get(key.service as usize)?
            .get(key.version.0 as usize)?
            .as_ref()
    }

    /// The series of an environment.
    pub fn environment(&self, environment: u32) -> Option<&Series> {
        self.environments.get(environment as usize)?.as_ref()
    }

    /// Every cohort of `service`, in version order.
    pub fn cohorts_of(&self, service: u32) -> impl Iterator<Item = (VersionId, &Series)> {
        self.cohorts
            .get(service as usize)
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(version, series)| series.as_ref().map(|s| (VersionId(version as u32), s)))
    }

    /// Every cohort, by service then version.
    pub fn all(&self) -> impl Iterator<Item = (CohortKey, &Series)> {
        self.cohorts
            .iter()
            .enumerate()
            .flat_map(|(service, versions)| {
                versions
                    .iter()
                    .enumerate()
                    .filter_map(move |(version, series)| {
                        series.as_ref().map(|s| {
                            (
                                CohortKey {
                                    service: service as u32,
                                    version: VersionId(version as u32),
                                },
                                s,
                            )
                        })
                    })
            })
    }

    /// Totals of a cohort over the `window_s` seconds ending at `now`.
    pub fn window(&self, key: CohortKey, now: Tick, window_s: u32) -> WindowTotals {
        self.cohort(key)
            .map(|s| s.window(now, window_s))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn second(tick: u64, requests: u32, errors: u32) -> SecondSample {
        SecondSample {
            tick: Tick(tick),
            requests,
            errors,
            ..SecondSample::default()
        }
    }

    #[test]
    fn windows_sum_only_their_seconds() {
        let mut series = Series::default();
        for tick in 0..100u64 {
            series.push(second(tick, 10, u32::from(tick >= 90)));
        }
        let last_ten = series.window(Tick(99), 10);
        assert_eq!(
            (last_ten.requests, last_ten.errors, last_ten.seconds_covered),
            (100, 10, 10)
        );
        assert_eq!(last_ten.error_rate_bp(), Some(1_000));
        let earlier = series.window(Tick(89), 30);
        assert_eq!((earlier.requests, earlier.errors), (300, 0));
        assert_eq!(WindowTotals::default().error_rate_bp(), None);
    }

    #[test]
    fn seconds_without_data_are_not_zero_errors() {
        let mut series = Series::default();
        for tick in 0..60u64 {
            series.push(SecondSample {
                no_data: true,
                ..second(tick, 100, 50)
            });
        }
        let window = series.window(Tick(59), 60);
        assert_eq!(
            window.error_rate_bp(),
            None,
            "no data, not 0 % and not 50 %"
        );
        assert_eq!(window.seconds_without_data, 60);
    }

    #[test]
    fn a_minute_reads_back_from_the_minute_tier_as_it_was_written() {
        let minute = PeriodSample {
            start: Tick(7_776_000),
            requests: 3_000_000,
            errors: 12,
            unserved: 3,
            p95_max_ms: 2_401,
            slow_requests: 40,
            tokens: 1_500_000,
            empty_responses: 9,
        };
        let huge = PeriodSample {
            start: Tick(7_776_060),
            requests: u64::from(u32::MAX) + 5,
            ..PeriodSample::default()
        };
        let mut series = Series::default();
        series.push_minute(minute, second(7_776_059, 1, 0));
        series.push_minute(huge, second(7_776_119, 1, 0));
        series.close_minute();
        let minutes: Vec<PeriodSample> = series.minutes().collect();
        assert_eq!(minutes[0], minute);
        assert_eq!(
            minutes[1].requests,
            u64::from(u32::MAX),
            "a minute's counts saturate at u32::MAX"
        );
        assert_eq!(series.requests_total, 3_000_000 + u64::from(u32::MAX) + 5);
    }

    #[test]
    fn tiers_are_bounded_and_conserve_totals() {
        let mut series = Series::default();
        // Two simulated days, one request a second.
        let seconds = 2 * 86_400u64;
        for tick in 0..seconds {
            series.push(second(tick, 1, u32::from(tick % 100 == 0)));
        }
        assert_eq!(series.samples().len() as u32, SECOND_TIER_LEN);
        assert_eq!(series.minutes().count() as u32, MINUTE_TIER_LEN);
        assert_eq!(
            series.hours().len(),
            47,
            "47 closed hours; the 48th is still open"
        );
        assert_eq!(series.requests_total, seconds);
        assert!(series.minutes().all(|m| m.requests == 60));
        assert!(
            series
                .hours()
                .iter()
                .all(|h| h.requests == 3_600 && h.errors == 36)
        );
    }

    #[test]
    fn whole_minutes_after_a_stepped_hour_keep_a_small_second_tier() {
        let mut series = Series::default();
        for tick in 0..u64::from(SECOND_TIER_LEN) {
            series.push(second(tick, 1, 0));
        }
        let stepped_room = series.samples().capacity();
        // Two hours of whole minutes: one sample a minute stays in the tier.
        for minute in 60..180u64 {
            let start = Tick(minute * 60);
            let period = PeriodSample {
                start,
                requests: 60,
                ..PeriodSample::default()
            };
            series.push_minute(period, second(minute * 60 + 59, 1, 0));
        }
        assert_eq!(series.samples().len(), 60, "the last hour's minutes");
        assert!(
            series.samples().capacity() <= 4 * SPARSE_SECOND_TIER as usize,
            "room {} kept after a stepped hour's {stepped_room}",
            series.samples().capacity()
        );
        assert_eq!(series.requests_total, u64::from(SECOND_TIER_LEN) + 120 * 60);
    }

    #[test]
    fn quality_and_success_rates() {
        let sample = SecondSample {
            requests: 200,
            errors: 10,
            ai_calls: 100,
            empty_responses: 30,
            ..SecondSample::default()
        };
        assert_eq!(sample.success_rate_bp(), 9_500);
        assert_eq!(sample.answer_quality_bp(), 7_000);
        assert_eq!(percent_label(1_523), "15.2 %");
    }
}
