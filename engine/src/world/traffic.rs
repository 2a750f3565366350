//! How many requests arrive each second: a daily and weekly shape, noise, and spikes.
//!
//! The shape is a table of hourly factors, linearly interpolated by the minute: quiet nights,
//! a busy weekday afternoon, lighter weekends. There is no transcendental math per second, and
//! the noise is a keyed draw, so any second's volume can be computed on its own.

use serde::{Deserialize, Serialize};

use crate::prng::{Stream, approx_normal, keyed_u64};
use crate::time::UtcDateTime;

/// Share of peak traffic in each UTC hour of a weekday, in per-mille of the peak.
pub const WEEKDAY_PER_MILLE: [u32; 24] = [
    300, 240, 200, 180, 180, 220, 320, 480, 660, 820, 900, 940, //
    960, 980, 1_000, 1_000, 960, 900, 800, 700, 620, 540, 440, 360,
];

/// Weekend traffic relative to the same weekday hour, in per-mille.
pub const WEEKEND_PER_MILLE: u32 = 600;

/// The traffic a service receives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrafficShape {
    /// Requests per second at the weekday peak.
    pub peak_rps: u32,
    /// Follow the daily and weekly shape; when false the volume is flat at `peak_rps`.
    pub shaped: bool,
    /// Standard deviation of the per-second noise, in basis points of the volume.
    pub noise_bp: u32,
}

impl TrafficShape {
    /// A flat volume with 3 % noise.
    pub fn flat(rps: u32) -> TrafficShape {
        TrafficShape {
            peak_rps: rps,
            shaped: false,
            noise_bp: 300,
        }
    }

    /// A daily and weekly shape peaking at `peak_rps`, with 3 % noise.
    pub fn daily(peak_rps: u32) -> TrafficShape {
        TrafficShape {
            peak_rps,
            shaped: true,
            noise_bp: 300,
        }
    }

    /// The expected requests per second at `unix_s`, before noise and spikes.
    pub fn expected_rps(&self, unix_s: u64) -> f64 {
        self.expected_rps_at(&UtcDateTime::from_unix_s(unix_s))
    }

    /// The expected requests per second at a calendar instant, before noise and spikes.
    pub fn expected_rps_at(&self, instant: &UtcDateTime) -> f64 {
        let peak = f64::from(self.peak_rps);
        if !self.shaped {
            return peak;
        }
        let hour = usize::from(instant.hour);
        let next = WEEKDAY_PER_MILLE[(hour + 1) % 24];
        let this = WEEKDAY_PER_MILLE[hour];
        let within_hour =
            f64::from(u32::from(instant.minute) * 60 + u32::from(instant.second)) / 3_600.0;
        let mut per_mille = f64::from(this) + (f64::from(next) - f64::from(this)) * within_hour;
        if instant.weekday.is_weekend() {
            per_mille = per_mille * f64::from(WEEKEND_PER_MILLE) / 1_000.0;
        }
        peak * per_mille / 1_000.0
    }

    /// The requests arriving in second `tick` of a run for service `service_key`, with noise and a
    /// spike multiplier (1.0 for none).
    pub fn requests(
        &self,
        seed: u64,
        service_key: u64,
        tick: u64,
        unix_s: u64,
        spike_factor: f64,
    ) -> u32 {
        self.requests_at(
            seed,
            service_key,
            tick,
            &UtcDateTime::from_unix_s(unix_s),
            spike_factor,
        )
    }

    /// As [`TrafficShape::requests`], with the calendar instant already computed.
    pub fn requests_at(
        &self,
        seed: u64,
        service_key: u64,
        tick: u64,
        instant: &UtcDateTime,
        spike_factor: f64,
    ) -> u32 {
        if self.peak_rps == 0 {
            return 0;
        }
        let expected = self.expected_rps_at(instant) * spike_factor;
        let noise = approx_normal(keyed_u64(seed, Stream::Traffic, service_key, tick))
            * f64::from(self.noise_bp)
            / 10_000.0;
        let volume = expected * (1.0 + noise);
        crate::rounding::round_to_u32(volume)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nights_are_quiet_and_weekday_afternoons_busy() {
        let shape = TrafficShape::daily(1_000);
        let tuesday = |hour| UtcDateTime::unix_s_of(2026, 3, 10, hour, 0);
        let saturday = |hour| UtcDateTime::unix_s_of(2026, 3, 14, hour, 0);
        assert_eq!(shape.expected_rps(tuesday(14)), 1_000.0);
        assert_eq!(shape.expected_rps(tuesday(3)), 180.0);
        assert_eq!(shape.expected_rps(saturday(14)), 600.0);
        // Half-way through an hour is half-way between its hourly values.
        let half_past_eight = tuesday(8) + 1_800;
        assert_eq!(shape.expected_rps(half_past_eight), 740.0);
        assert_eq!(TrafficShape::flat(200).expected_rps(tuesday(3)), 200.0);
    }

    #[test]
    fn noise_is_centred_and_keyed() {
        let shape = TrafficShape::flat(1_000);
        let volumes: Vec<u32> = (0..5_000u64)
            .map(|tick| shape.requests(4, 1, tick, 0, 1.0))
            .collect();
        let mean = volumes.iter().map(|v| f64::from(*v)).sum::<f64>() / volumes.len() as f64;
        assert!((mean - 1_000.0).abs() < 3.0, "mean {mean} (seed 4)");
        assert!(
            volumes.iter().all(|v| (880..1_120).contains(v)),
            "3 % noise stays within ±12 % (seed 4)"
        );
        assert_eq!(
            shape.requests(4, 1, 17, 0, 1.0),
            volumes[17],
            "the same second gives the same volume"
        );
        assert_ne!(
            shape.requests(4, 2, 17, 0, 1.0),
            volumes[17],
            "another service has its own noise"
        );
        let spiked = shape.requests(4, 1, 17, 0, 3.0);
        assert!(
            spiked.abs_diff(volumes[17] * 3) <= 2,
            "a spike multiplies the volume: {spiked} vs 3 × {}",
            volumes[17]
        );
    }
}
