//! Request latency as histograms on fixed logarithmic buckets.
//!
//! Each version has a template: the share of its requests in each bucket when unloaded, from a
//! log-normal distribution. Load and faults multiply latency, which on a logarithmic scale is a
//! shift by whole buckets, so a second's percentiles are O(1) lookups; nothing is ever sorted.

use serde::{Deserialize, Serialize};

/// Buckets per doubling of latency: bucket bounds are 2^(i/8) ms, about 9 % apart.
pub const BUCKETS_PER_DOUBLING: i32 = 8;
/// Number of buckets: 1 ms to 2^17 ms (about 131 s).
pub const BUCKET_COUNT: u32 = 137;

/// The upper bound of bucket `index` in milliseconds, rounded to a whole millisecond.
pub fn bucket_upper_ms(index: i32) -> u32 {
    bucket_bounds_ms()[index.clamp(0, BUCKET_COUNT as i32 - 1) as usize]
}

/// The first bucket whose upper bound is above `threshold_ms`: a request lands in it or a
/// later one exactly when it is slower than the threshold, as the percentiles read it.
pub fn first_bucket_above(threshold_ms: u32) -> i32 {
    bucket_bounds_ms().partition_point(|upper| *upper <= threshold_ms) as i32
}

fn bucket_bounds_ms() -> &'static [u32] {
    static BOUNDS: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    BOUNDS.get_or_init(|| {
        (0..BUCKET_COUNT as i32)
            .map(|i| libm::round(libm::exp2(f64::from(i) / f64::from(BUCKETS_PER_DOUBLING))) as u32)
            .collect()
    })
}

/// The bucket shift that multiplies latency by `factor` (1.0 = no shift).
pub fn shift_for_factor(factor: f64) -> i32 {
    if factor <= 1.0 {
        return 0;
    }
    libm::round(libm::log2(factor) * f64::from(BUCKETS_PER_DOUBLING)) as i32
}

/// The latency shape of one version with no load: bucket shares and precomputed percentiles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatencyTemplate {
    /// Share of requests per bucket, summing to one.
    pub shares: Vec<f64>,
    /// Bucket index of the 50th, 95th and 99th percentiles.
    pub quantile_buckets: [i32; 3],
    /// Share of requests in each bucket or a later one (the first is one).
    pub tail_shares: Vec<f64>,
}

impl LatencyTemplate {
    /// A log-normal latency distribution with the given median and sigma (of the natural log).
    pub fn log_normal(median_ms: u32, sigma: f64) -> LatencyTemplate {
        let ln_median = libm::log(f64::from(median_ms.max(1)));
        let sigma = sigma.max(0.01);
        let cdf = |upper_ms: f64| {
            0.5 * (1.0
                + libm::erf(
                    (libm::log(upper_ms) - ln_median) / (sigma * core::f64::consts::SQRT_2),
                ))
        };
        let mut shares = Vec::with_capacity(BUCKET_COUNT as usize);
        let mut below = 0.0;
        for index in 0..BUCKET_COUNT as i32 {
            let upper = libm::exp2(f64::from(index) / f64::from(BUCKETS_PER_DOUBLING));
            let cumulative = if index == BUCKET_COUNT as i32 - 1 {
                1.0
            } else {
                cdf(upper)
            };
            shares.push((cumulative - below).max(0.0));
            below = cumulative;
        }
        let quantile_buckets = [
            quantile_bucket(&shares, 0.50),
            quantile_bucket(&shares, 0.95),
            quantile_bucket(&shares, 0.99),
        ];
        let mut tail_shares = vec![0.0; shares.len()];
        let mut above = 0.0;
        for (index, share) in shares.iter().enumerate().rev() {
            above += share;
            tail_shares[index] = above;
        }
        LatencyTemplate {
            shares,
            quantile_buckets,
            tail_shares,
        }
    }

    /// The share of requests slower than `threshold_ms` when latency is shifted by `shift`
    /// buckets: those whose shifted bucket is at or after [`first_bucket_above`].
    pub fn share_slower_than(&self, threshold_ms: u32, shift: i32) -> f64 {
        let from = first_bucket_above(threshold_ms) - shift;
        if from <= 0 {
            return 1.0;
        }
        self.tail_shares.get(from as usize).copied().unwrap_or(0.0)
    }

    /// How many of `answered` requests were slower than `threshold_ms` at `shift`, rounded.
    pub fn slower_than(&self, answered: u32, threshold_ms: u32, shift: i32) -> u32 {
        crate::rounding::round_to_u32(
            f64::from(answered) * self.share_slower_than(threshold_ms, shift),
        )
    }

    /// p50, p95 and p99 in milliseconds when shifted by `shift` buckets.
    pub fn percentiles_ms(&self, shift: i32) -> [u32; 3] {
        self.quantile_buckets
            .map(|bucket| bucket_upper_ms(bucket + shift))
    }
}

/// The bucket holding quantile `q` of a histogram of shares or counts.
fn quantile_bucket(weights: &[f64], q: f64) -> i32 {
    let total: f64 = weights.iter().sum();
    let mut seen = 0.0;
    for (index, weight) in weights.iter().enumerate() {
        seen += weight;
        if seen >= q * total {
            return index as i32;
        }
    }
    weights.len() as i32 - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_normal_percentiles_match_the_closed_form() {
        // For a log-normal, p95 = median × e^(1.645 σ) and p99 = median × e^(2.326 σ).
        for (median_ms, sigma) in [(120u32, 0.45f64), (40, 0.3), (800, 0.8)] {
            let template = LatencyTemplate::log_normal(median_ms, sigma);
            let [p50, p95, p99] = template.percentiles_ms(0);
            let expected = [
                f64::from(median_ms),
                f64::from(median_ms) * libm::exp(1.644_854 * sigma),
                f64::from(median_ms) * libm::exp(2.326_348 * sigma),
            ];
            for (actual, expected) in [p50, p95, p99].iter().zip(expected) {
                let ratio = f64::from(*actual) / expected;
                // One bucket is 9 % wide and a percentile reads the bucket's upper bound.
                assert!(
                    (0.99..1.10).contains(&ratio),
                    "median {median_ms} σ {sigma}: {actual} ms vs {expected:.0} ms"
                );
            }
        }
    }

    #[test]
    fn shifting_multiplies_latency() {
        let template = LatencyTemplate::log_normal(100, 0.4);
        let unshifted = template.percentiles_ms(0)[1];
        let doubled = template.percentiles_ms(shift_for_factor(2.0))[1];
        let ratio = f64::from(doubled) / f64::from(unshifted);
        assert!((1.9..2.1).contains(&ratio), "×2 shift gave ratio {ratio}");
        assert_eq!(shift_for_factor(1.0), 0);
        assert_eq!(
            shift_for_factor(0.5),
            0,
            "load never makes a service faster than unloaded"
        );
    }

    #[test]
    fn the_slow_share_agrees_with_the_p95_and_the_closed_form() {
        // p95 reads over 2 s exactly when more than 5 % of requests are slower than 2 s, at
        // every shift: the latency SLO and the alert on p95 never disagree.
        for (median_ms, sigma) in [(120u32, 0.45f64), (40, 0.3), (800, 0.8), (1_500, 0.2)] {
            let template = LatencyTemplate::log_normal(median_ms, sigma);
            for shift in -2..60 {
                let p95_over = template.percentiles_ms(shift)[1] > 2_000;
                let share = template.share_slower_than(2_000, shift);
                assert_eq!(
                    p95_over,
                    share > 0.05,
                    "median {median_ms} σ {sigma} shift {shift}: share {share}"
                );
            }
        }
        // Unshifted, the share lies between the log-normal's survival at the bucket bounds
        // around 2 s (1,878 and 2,048 ms).
        let (median_ms, sigma) = (800.0f64, 0.8f64);
        let survival = |ms: f64| {
            0.5 * libm::erfc(
                (libm::log(ms) - libm::log(median_ms)) / (sigma * core::f64::consts::SQRT_2),
            )
        };
        let share = LatencyTemplate::log_normal(800, 0.8).share_slower_than(2_000, 0);
        assert_eq!(first_bucket_above(2_000), 88);
        assert!(
            (survival(2_048.0)..=survival(1_878.0)).contains(&share),
            "{share} vs {} to {}",
            survival(2_048.0),
            survival(1_878.0)
        );
        assert_eq!(
            LatencyTemplate::log_normal(120, 0.45).slower_than(10_000, 2_000, 0),
            0,
            "a 120 ms service has no 2 s requests"
        );
    }
}
