//! What a cohort's requests meet in one second: the chance that one succeeds, how much slower
//! it is answered, and the share of its AI calls the provider answers. The per-second model
//! (`World::serve`) and a minute planned under steady faults (`quiet.rs`) both read them from
//! here, so the two cannot drift apart.

use crate::version::{VersionId, VersionProfile};
use crate::world::{DependencyHealth, ServiceEffects, ServiceSpec, load_latency_factor};

/// What one version's requests meet in one second, before its errors are drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RequestConditions {
    /// The probability that one request succeeds.
    pub success: f64,
    /// How much slower than the version's own latency requests are answered.
    pub latency_factor: f64,
    /// The share of AI calls the provider answers (1 for a service that makes none).
    pub ai_success: f64,
}

/// The conditions of `version`'s requests at CPU `utilisation`, with the environment's
/// dependencies in `health` and the active faults' `effects`. The factors are applied in one
/// fixed order, so a run's floating-point results are the same wherever they are computed.
pub fn request_conditions(
    version: VersionId,
    profile: &VersionProfile,
    spec: &ServiceSpec,
    health: &DependencyHealth,
    effects: &ServiceEffects,
    utilisation: f64,
) -> RequestConditions {
    let database_share = f64::from(spec.database_share_bp) / 10_000.0;
    let ai_share = f64::from(spec.ai_share_bp) / 10_000.0;
    let mut success = 1.0 - f64::from(profile.error_rate_bp) / 10_000.0;
    for (v, extra) in &effects.extra_error {
        if *v == version {
            success *= 1.0 - extra.clamp(0.0, 1.0);
        }
    }
    if utilisation > 1.0 {
        // Requests beyond capacity are shed.
        success /= utilisation;
    }
    if effects.secret_missing {
        success *= 1.0 - (database_share + ai_share).min(1.0);
    }
    let mut latency_factor = load_latency_factor(utilisation);
    // Database: unreachable fails its queries; a saturated pool queues and times out.
    if database_share > 0.0 {
        if !health.database_up {
            success *= 1.0 - database_share;
        } else {
            let pool = f64::from(health.database_pool_per_mille) / 1_000.0;
            if pool > 1.0 {
                success *= 1.0 - database_share * (1.0 - 1.0 / pool);
                latency_factor *= 5.0;
            } else if pool > 0.8 {
                latency_factor *= 1.0 + (pool - 0.8) * 10.0;
            }
        }
        if !health.cache_up {
            latency_factor *= 1.6;
        }
    }
    // AI provider: an outage, the quota and the rate limit fail calls.
    let mut ai_success = 1.0;
    if ai_share > 0.0 {
        if !health.ai_up || health.ai_quota_exhausted {
            ai_success = 0.0;
        }
        if health.ai_calls_per_s > health.ai_limit_rps {
            ai_success *= f64::from(health.ai_limit_rps) / f64::from(health.ai_calls_per_s);
        }
        success *= 1.0 - ai_share * (1.0 - ai_success);
    }
    for (v, factor) in &effects.latency_factor {
        if *v == version {
            latency_factor *= factor;
        }
    }
    RequestConditions {
        success,
        latency_factor,
        ai_success,
    }
}
