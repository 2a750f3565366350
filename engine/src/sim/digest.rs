//! A digest of everything a run shows, for the determinism checks.

use super::Sim;

impl Sim {
    /// A SHA-256 digest of the whole observable state: the audit chain head, then for every
    /// cohort and environment its totals, its closed minutes and its latest second, then users
    /// hit and dependency health. Two runs with equal digests showed a trainee the same thing.
    pub fn state_digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(self.audit.head().as_bytes());
        let absorb_series = |hasher: &mut Sha256, series: &crate::metrics::Series| {
            for value in [
                series.requests_total,
                series.errors_total,
                series.unserved_total,
                series.tokens_total,
                series.slow_total,
                series.empty_responses_total,
            ] {
                hasher.update(value.to_le_bytes());
            }
            for minute in series.minutes() {
                for value in [
                    minute.start.0,
                    minute.requests,
                    minute.errors,
                    minute.unserved,
                    u64::from(minute.p95_max_ms),
                    minute.slow_requests,
                    minute.tokens,
                    minute.empty_responses,
                ] {
                    hasher.update(value.to_le_bytes());
                }
            }
            if let Some(latest) = series.latest() {
                for value in [
                    latest.tick.0,
                    u64::from(latest.p50_ms),
                    u64::from(latest.p95_ms),
                    u64::from(latest.p99_ms),
                    u64::from(latest.cpu_per_mille),
                    u64::from(latest.db_pool_per_mille),
                ] {
                    hasher.update(value.to_le_bytes());
                }
            }
        };
        for (key, series) in self.metrics.all() {
            hasher.update(key.service.to_le_bytes());
            hasher.update(key.version.0.to_le_bytes());
            absorb_series(&mut hasher, series);
        }
        for (index, environment) in self.world.environments.iter().enumerate() {
            if let Some(series) = self.metrics.environment(index as u32) {
                absorb_series(&mut hasher, series);
            }
            hasher.update(environment.users_affected().to_le_bytes());
            hasher.update(environment.health.ai_tokens_today.to_le_bytes());
            hasher.update(environment.health.database_pool_per_mille.to_le_bytes());
        }
        hasher.update(self.metrics.downtime_s.to_le_bytes());
        hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}
