//! Per-version request metrics, one sample per simulated second.
//!
//! Latency percentiles come from a fixed log-bucketed histogram (integer bounds, no sorting),
//! so they are cheap and identical on every target. History per version is a bounded ring:
//! memory does not grow with the length of a run.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::time::Tick;
use crate::version::VersionId;

/// Seconds of per-second history kept per version.
pub const HISTORY_S: u32 = 3_600;

/// What one version served in one simulated second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondSample {
    /// The second this sample covers.
    pub tick: Tick,
    /// Requests routed to this version.
    pub requests: u32,
    /// Of those, requests that failed.
    pub errors: u32,
    /// Median latency.
    pub p50_ms: u32,
    /// 95th percentile latency.
    pub p95_ms: u32,
    /// 99th percentile latency.
    pub p99_ms: u32,
}

impl SecondSample {
    /// Error rate in basis points, zero when there were no requests.
    pub fn error_rate_bp(&self) -> u32 {
        rate_bp(u64::from(self.errors), u64::from(self.requests))
    }
}

/// Request and error totals over a window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowTotals {
    /// Requests in the window.
    pub requests: u64,
    /// Failed requests in the window.
    pub errors: u64,
    /// Seconds of data the window actually covered.
    pub seconds_covered: u32,
}

impl WindowTotals {
    /// Error rate in basis points, `None` when there was no traffic (no data).
    pub fn error_rate_bp(&self) -> Option<u32> {
        (self.requests > 0).then(|| rate_bp(self.errors, self.requests))
    }
}

/// `part / whole` in basis points (1 bp = 0.01 %), rounded down; zero when `whole` is zero.
pub fn rate_bp(part: u64, whole: u64) -> u32 {
    part.saturating_mul(10_000)
        .checked_div(whole)
        .map_or(0, |bp| bp as u32)
}

/// Formats basis points as a percentage with one decimal, for example `15.2 %`.
pub fn percent_label(bp: u32) -> String {
    format!("{}.{} %", bp / 100, bp % 100 / 10)
}

/// A latency histogram with fixed logarithmic buckets from 1 ms to two minutes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LatencyHistogram {
    counts: Vec<u32>,
    total: u32,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        LatencyHistogram {
            counts: vec![0; bucket_upper_bounds_ms().len()],
            total: 0,
        }
    }
}

impl LatencyHistogram {
    /// Records one latency.
    pub fn record(&mut self, latency_ms: u32) {
        let bounds = bucket_upper_bounds_ms();
        let index = bounds
            .partition_point(|&upper| upper < latency_ms)
            .min(bounds.len() - 1);
        self.counts[index] += 1;
        self.total += 1;
    }

    /// The latency at quantile `per_mille / 1000` (the upper bound of its bucket), zero if empty.
    pub fn quantile_ms(&self, per_mille: u32) -> u32 {
        if self.total == 0 {
            return 0;
        }
        // The rank of the wanted sample, 1-based, rounded up.
        let rank = (u64::from(self.total) * u64::from(per_mille))
            .div_ceil(1_000)
            .max(1);
        let mut seen = 0u64;
        for (index, count) in self.counts.iter().enumerate() {
            seen += u64::from(*count);
            if seen >= rank {
                return bucket_upper_bounds_ms()[index];
            }
        }
        *bucket_upper_bounds_ms().last().unwrap_or(&0)
    }

    /// Forgets every recorded latency.
    pub fn clear(&mut self) {
        self.counts.iter_mut().for_each(|c| *c = 0);
        self.total = 0;
    }
}

/// Bucket upper bounds: every millisecond up to 10, then about 5 % apart up to 120,000 ms.
fn bucket_upper_bounds_ms() -> &'static [u32] {
    static BOUNDS: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    BOUNDS.get_or_init(|| {
        let mut bounds = Vec::new();
        let mut upper = 1u32;
        while upper < 120_000 {
            bounds.push(upper);
            upper = (upper + 1).max(upper + upper / 20);
        }
        bounds.push(120_000);
        bounds
    })
}

/// The history of one version's metrics.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohortSeries {
    samples: VecDeque<SecondSample>,
    /// Requests over the whole run.
    pub requests_total: u64,
    /// Failed requests over the whole run.
    pub errors_total: u64,
}

impl CohortSeries {
    /// The retained per-second samples, oldest first.
    pub fn samples(&self) -> &VecDeque<SecondSample> {
        &self.samples
    }

    /// The most recent sample, if any.
    pub fn latest(&self) -> Option<&SecondSample> {
        self.samples.back()
    }

    /// Totals over the `window_s` seconds ending at `now` (inclusive).
    pub fn window(&self, now: Tick, window_s: u32) -> WindowTotals {
        let first_tick = now.0.saturating_sub(u64::from(window_s).saturating_sub(1));
        let mut totals = WindowTotals::default();
        for sample in self
            .samples
            .iter()
            .rev()
            .take_while(|s| s.tick.0 >= first_tick)
        {
            if sample.tick <= now {
                totals.requests += u64::from(sample.requests);
                totals.errors += u64::from(sample.errors);
                totals.seconds_covered += 1;
            }
        }
        totals
    }

    fn push(&mut self, sample: SecondSample) {
        if self.samples.len() as u32 >= HISTORY_S {
            self.samples.pop_front();
        }
        self.requests_total += u64::from(sample.requests);
        self.errors_total += u64::from(sample.errors);
        self.samples.push_back(sample);
    }
}

/// Metrics of every version of the service, plus requests nobody could serve.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metrics {
    by_version: BTreeMap<VersionId, CohortSeries>,
    /// Requests that found no ready instance: downtime as users see it.
    pub unserved_requests_total: u64,
    /// Seconds in which at least one request found no ready instance.
    pub downtime_s: u64,
}

impl Metrics {
    /// Records one second of one version.
    pub fn record(&mut self, version: VersionId, sample: SecondSample) {
        self.by_version.entry(version).or_default().push(sample);
    }

    /// The series of `version`, if it ever served.
    pub fn series(&self, version: VersionId) -> Option<&CohortSeries> {
        self.by_version.get(&version)
    }

    /// Every version's series, in version order.
    pub fn all(&self) -> impl Iterator<Item = (VersionId, &CohortSeries)> {
        self.by_version.iter().map(|(v, s)| (*v, s))
    }

    /// Totals of `version` over the `window_s` seconds ending at `now`.
    pub fn window(&self, version: VersionId, now: Tick, window_s: u32) -> WindowTotals {
        self.series(version)
            .map(|s| s.window(now, window_s))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_quantiles_bracket_recorded_values() {
        let mut histogram = LatencyHistogram::default();
        for latency_ms in 1..=1_000u32 {
            histogram.record(latency_ms);
        }
        // Bucket bounds are at most about 5 % apart, so each quantile is within 5 % above the truth.
        for (per_mille, truth_ms) in [(500u32, 500u32), (950, 950), (990, 990)] {
            let estimate = histogram.quantile_ms(per_mille);
            assert!(
                estimate >= truth_ms && estimate <= truth_ms + truth_ms / 19,
                "quantile {per_mille}/1000 estimated {estimate} ms, true {truth_ms} ms"
            );
        }
        histogram.clear();
        assert_eq!(histogram.quantile_ms(500), 0);
    }

    #[test]
    fn windows_sum_only_their_seconds() {
        let mut series = CohortSeries::default();
        for tick in 0..100u64 {
            series.push(SecondSample {
                tick: Tick(tick),
                requests: 10,
                errors: u32::from(tick >= 90),
                ..SecondSample::default()
            });
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
    fn history_is_bounded() {
        let mut series = CohortSeries::default();
        for tick in 0..u64::from(HISTORY_S) * 2 {
            series.push(SecondSample {
                tick: Tick(tick),
                requests: 1,
                ..SecondSample::default()
            });
        }
        assert_eq!(series.samples().len() as u32, HISTORY_S);
        assert_eq!(series.requests_total, u64::from(HISTORY_S) * 2);
    }

    #[test]
    fn percent_labels_have_one_decimal() {
        assert_eq!(percent_label(1_523), "15.2 %");
        assert_eq!(percent_label(500), "5.0 %");
        assert_eq!(percent_label(7), "0.0 %");
    }
}
