//! The fault catalogue: what can go wrong, with parameters, a start and an end.
//!
//! A fault is scheduled by a scenario or injected live with [`crate::Command::InjectFault`]. Each
//! kind names what it hits (a version, a service, an environment, a zone or a dependency) and has
//! an effect a trainee can see in the metrics; `sim.rs` and `world.rs` apply the effects.

use serde::{Deserialize, Serialize};

use crate::time::Tick;

/// One kind of fault, with its parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// A release fails a share of requests.
    BadBuild {
        /// Extra error rate in basis points (1,500 = 15 %).
        error_rate_bp: u32,
    },
    /// A release is slower: latency multiplied.
    SlowBuild {
        /// Latency multiplier in per-mille (3,400 = ×3.4).
        latency_factor_per_mille: u32,
    },
    /// Instances of a release exit right after start-up and enter CrashLoopBackOff.
    CrashOnStart,
    /// Instances of a release start but their readiness probe never passes.
    ReadinessNeverTrue,
    /// Instances leak memory: latency creeps up until they are OOM-killed and restarted.
    MemoryLeak {
        /// Memory growth per simulated minute, in MiB.
        mib_per_minute: u32,
    },
    /// A release's database migration failed: its writes fail.
    FailedMigration {
        /// Share of the release's requests that write, in basis points.
        write_share_bp: u32,
    },
    /// A breaking schema change: the old release can no longer read the new schema.
    BreakingSchemaChange {
        /// Share of the old release's requests that fail, in basis points.
        error_rate_bp: u32,
    },
    /// The environment's database is unreachable.
    DatabaseOutage,
    /// The database connection pool is smaller than normal (leaked connections).
    DatabasePoolExhaustion {
        /// Connections still usable, in percent of the pool.
        usable_percent: u32,
    },
    /// The cache is down: every read goes to the database, slower.
    CacheOutage,
    /// The AI provider is unreachable.
    AiProviderOutage,
    /// The AI provider throttles to a lower rate (HTTP 429 above it).
    AiRateLimited {
        /// The allowed AI calls per second.
        limit_rps: u32,
    },
    /// The AI token quota is exhausted: AI calls fail until it resets.
    AiQuotaExhausted,
    /// The AI provider returns empty answers with status 200: no errors, worse results.
    SilentAiFailure {
        /// Share of AI answers that come back empty, in basis points.
        empty_bp: u32,
    },
    /// The metrics provider returns no data: gates measure nothing (an Error, not a failure).
    MetricsProviderDown,
    /// Traffic multiplies.
    TrafficSpike {
        /// Volume multiplier in per-mille (3,000 = ×3).
        factor_per_mille: u32,
    },
    /// Instances (or the node under them) disappear at once; the ReplicaSet replaces them.
    InstanceLoss {
        /// How many instances.
        count: u32,
    },
    /// A zone goes dark: its instances are lost and nothing can be scheduled there.
    ZoneOutage,
    /// The whole environment's region is lost.
    RegionOutage,
    /// A secret is missing or expired in one environment: calls that need it fail.
    SecretMissing {
        /// The secret's name, for example `DATABASE_PASSWORD`.
        secret: String,
    },
    /// The stop script hangs: terminating instances drop their in-flight requests and take the
    /// full grace period to go.
    BrokenStopScript,
}

/// What a fault hits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FaultTarget {
    /// The environment's name, for example `production`.
    pub environment: String,
    /// The service's name, or `None` for every service in the environment.
    pub service: Option<String>,
    /// The version's name, or `None` for every version.
    pub version: Option<String>,
    /// The zone's name, for zone faults.
    pub zone: Option<String>,
}

/// A fault with its schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// What goes wrong.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Where.
    pub target: FaultTarget,
    /// The first second it is active.
    pub start: Tick,
    /// The first second it is no longer active; `None` lasts until cleared.
    pub end: Option<Tick>,
}

impl Fault {
    /// True at `now`.
    pub fn is_active(&self, now: Tick) -> bool {
        now >= self.start && self.end.is_none_or(|end| now < end)
    }
}

impl FaultKind {
    /// True for faults that act on what an environment's services share (the database, the
    /// cache, the AI provider, the region, the incoming traffic), so they reach every service
    /// there whichever one they name.
    pub fn affects_whole_environment(&self) -> bool {
        matches!(
            self,
            FaultKind::DatabaseOutage
                | FaultKind::DatabasePoolExhaustion { .. }
                | FaultKind::CacheOutage
                | FaultKind::AiProviderOutage
                | FaultKind::AiRateLimited { .. }
                | FaultKind::AiQuotaExhausted
                | FaultKind::RegionOutage
                | FaultKind::TrafficSpike { .. }
        )
    }

    /// True for the kinds a minute can be planned under (`world/quiet.rs`): their effect on a
    /// service is the same every second they last, as long as its load stays below the quiet
    /// thresholds. They fail a fixed share of requests, slow them by a fixed factor, take away a
    /// dependency that then answers nothing whatever the load, or keep metrics from arriving.
    /// The other kinds move instances, change the traffic, or feed back from one second to the
    /// next: a rate limit on the last second's calls, a pool shrunk towards its queueing
    /// threshold, a cache whose misses load the database, empty answers rounded second by second.
    pub fn is_steady(&self) -> bool {
        matches!(
            self,
            FaultKind::BadBuild { .. }
                | FaultKind::SlowBuild { .. }
                | FaultKind::FailedMigration { .. }
                | FaultKind::BreakingSchemaChange { .. }
                | FaultKind::DatabaseOutage
                | FaultKind::AiProviderOutage
                | FaultKind::AiQuotaExhausted
                | FaultKind::MetricsProviderDown
                | FaultKind::SecretMissing { .. }
        )
    }

    /// The kind's identifier, as `dojo faults` lists it.
    pub fn id(&self) -> &'static str {
        match self {
            FaultKind::BadBuild { .. } => "bad_build",
            FaultKind::SlowBuild { .. } => "slow_build",
            FaultKind::CrashOnStart => "crash_on_start",
            FaultKind::ReadinessNeverTrue => "readiness_never_true",
            FaultKind::MemoryLeak { .. } => "memory_leak",
            FaultKind::FailedMigration { .. } => "failed_migration",
            FaultKind::BreakingSchemaChange { .. } => "breaking_schema_change",
            FaultKind::DatabaseOutage => "database_outage",
            FaultKind::DatabasePoolExhaustion { .. } => "database_pool_exhaustion",
            FaultKind::CacheOutage => "cache_outage",
            FaultKind::AiProviderOutage => "ai_provider_outage",
            FaultKind::AiRateLimited { .. } => "ai_rate_limited",
            FaultKind::AiQuotaExhausted => "ai_quota_exhausted",
            FaultKind::SilentAiFailure { .. } => "silent_ai_failure",
            FaultKind::MetricsProviderDown => "metrics_provider_down",
            FaultKind::TrafficSpike { .. } => "traffic_spike",
            FaultKind::InstanceLoss { .. } => "instance_loss",
            FaultKind::ZoneOutage => "zone_outage",
            FaultKind::RegionOutage => "region_outage",
            FaultKind::SecretMissing { .. } => "secret_missing",
            FaultKind::BrokenStopScript => "broken_stop_script",
        }
    }

    /// What a trainee will see, in one sentence.
    pub fn effect(&self) -> String {
        match self {
            FaultKind::BadBuild { error_rate_bp } => format!(
                "the release fails {} of requests",
                crate::metrics::percent_label(*error_rate_bp)
            ),
            FaultKind::SlowBuild {
                latency_factor_per_mille,
            } => format!(
                "the release's latency is multiplied by {}.{}",
                latency_factor_per_mille / 1_000,
                latency_factor_per_mille % 1_000 / 100
            ),
            FaultKind::CrashOnStart => {
                "new instances exit after start-up and back off in CrashLoopBackOff".to_string()
            }
            FaultKind::ReadinessNeverTrue => {
                "new instances start but never pass their readiness probe".to_string()
            }
            FaultKind::MemoryLeak { mib_per_minute } => format!(
                "memory grows {mib_per_minute} MiB a minute; latency creeps up until OOM kills restart the instance"
            ),
            FaultKind::FailedMigration { write_share_bp } => format!(
                "the migration failed: the release's writes ({} of requests) fail",
                crate::metrics::percent_label(*write_share_bp)
            ),
            FaultKind::BreakingSchemaChange { error_rate_bp } => format!(
                "the old release cannot read the new schema: {} of its requests fail",
                crate::metrics::percent_label(*error_rate_bp)
            ),
            FaultKind::DatabaseOutage => {
                "the database is unreachable: requests that need it fail".to_string()
            }
            FaultKind::DatabasePoolExhaustion { usable_percent } => format!(
                "only {usable_percent} % of database connections are usable: queries queue, slow down and time out"
            ),
            FaultKind::CacheOutage => {
                "the cache is down: reads go to the database, latency and database load rise"
                    .to_string()
            }
            FaultKind::AiProviderOutage => {
                "the AI provider is unreachable: AI calls fail".to_string()
            }
            FaultKind::AiRateLimited { limit_rps } => {
                format!("the AI provider allows {limit_rps} calls a second; the rest get HTTP 429")
            }
            FaultKind::AiQuotaExhausted => {
                "the AI token quota is used up: AI calls fail until it resets".to_string()
            }
            FaultKind::SilentAiFailure { empty_bp } => format!(
                "{} of AI answers come back empty with status 200: no errors, worse answers",
                crate::metrics::percent_label(*empty_bp)
            ),
            FaultKind::MetricsProviderDown => {
                "the metrics provider returns no data: gates measure nothing".to_string()
            }
            FaultKind::TrafficSpike { factor_per_mille } => format!(
                "traffic is multiplied by {}.{}",
                factor_per_mille / 1_000,
                factor_per_mille % 1_000 / 100
            ),
            FaultKind::InstanceLoss { count } => {
                format!("{count} instance(s) disappear; their ReplicaSet replaces them")
            }
            FaultKind::ZoneOutage => {
                "a zone goes dark: its instances are lost and nothing schedules there".to_string()
            }
            FaultKind::RegionOutage => {
                "the region is lost: every instance in the environment is gone".to_string()
            }
            FaultKind::SecretMissing { secret } => {
                format!("secret {secret} is missing or expired here: calls that need it fail")
            }
            FaultKind::BrokenStopScript => {
                "terminating instances drop in-flight requests and take the full grace period"
                    .to_string()
            }
        }
    }
}

/// One example of every fault kind, with typical parameters, in catalogue order.
pub fn catalogue() -> Vec<FaultKind> {
    vec![
        FaultKind::BadBuild {
            error_rate_bp: 1_500,
        },
        FaultKind::SlowBuild {
            latency_factor_per_mille: 3_400,
        },
        FaultKind::CrashOnStart,
        FaultKind::ReadinessNeverTrue,
        FaultKind::MemoryLeak { mib_per_minute: 40 },
        FaultKind::FailedMigration {
            write_share_bp: 3_000,
        },
        FaultKind::BreakingSchemaChange {
            error_rate_bp: 4_000,
        },
        FaultKind::DatabaseOutage,
        FaultKind::DatabasePoolExhaustion { usable_percent: 20 },
        FaultKind::CacheOutage,
        FaultKind::AiProviderOutage,
        FaultKind::AiRateLimited { limit_rps: 20 },
        FaultKind::AiQuotaExhausted,
        FaultKind::SilentAiFailure { empty_bp: 3_000 },
        FaultKind::MetricsProviderDown,
        FaultKind::TrafficSpike {
            factor_per_mille: 3_000,
        },
        FaultKind::InstanceLoss { count: 3 },
        FaultKind::ZoneOutage,
        FaultKind::RegionOutage,
        FaultKind::SecretMissing {
            secret: "DATABASE_PASSWORD".to_string(),
        },
        FaultKind::BrokenStopScript,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_has_every_kind_once() {
        let ids: Vec<&str> = catalogue().iter().map(FaultKind::id).collect();
        let unique: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len());
        assert!(ids.len() >= 17, "the product asks for at least 17 kinds");
    }

    #[test]
    fn faults_are_active_from_start_until_end() {
        let fault = Fault {
            kind: FaultKind::CacheOutage,
            target: FaultTarget {
                environment: "production".to_string(),
                service: None,
                version: None,
                zone: None,
            },
            start: Tick(10),
            end: Some(Tick(20)),
        };
        assert!(!fault.is_active(Tick(9)));
        assert!(fault.is_active(Tick(10)));
        assert!(fault.is_active(Tick(19)));
        assert!(!fault.is_active(Tick(20)));
    }
}
