//! The simulated world: environments, their services and dependencies, their instances
//! (`fleet.rs`), traffic (`traffic.rs`), routing, latency, faults, and what one second of
//! traffic does to them (`serve.rs`, `conditions.rs`), second by second or a quiet minute at a
//! time (`quiet.rs`, `quiet_batch.rs`, `minute_plan.rs`). The world uses only metrics, versions, time and the
//! seeded generator; controllers and the simulation drive it.
//!
//! Each second a service's requests are split between versions by its routing, served by the
//! ready instances of each version, and turned into errors and a latency histogram shift by
//! the version's profile, the load, the dependencies and the active faults. All randomness is
//! keyed by (seed, stream, cohort, second), so a second's outcome never depends on draws made
//! for anything else.

pub mod conditions;
pub mod fault;
pub mod fleet;
pub mod latency;
pub mod minute_plan;
pub mod quiet;
pub mod quiet_batch;
pub mod routing;
pub mod serve;
pub mod traffic;

use serde::{Deserialize, Serialize};

use crate::prng::PowerMemo;
use crate::rounding::round_to_u32;
use crate::time::{Tick, UtcDateTime};
use crate::version::{VersionId, VersionProfile};
use crate::world::fault::{Fault, FaultKind};
use crate::world::fleet::{Fleet, FleetConditions, Probes};
use crate::world::latency::LatencyTemplate;
use crate::world::routing::Routing;
use crate::world::traffic::TrafficShape;

/// The kinds of environment a promotion chain passes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnvironmentKind {
    /// Development.
    Development,
    /// Quality assurance.
    Qa,
    /// User acceptance testing.
    Uat,
    /// Staging: production's twin.
    Staging,
    /// A canary slice of production.
    Canary,
    /// Production, primary region.
    ProductionPrimary,
    /// Production, disaster-recovery region.
    ProductionDr,
}

impl EnvironmentKind {
    /// Every kind, in promotion order.
    pub const ALL: [EnvironmentKind; 7] = [
        EnvironmentKind::Development,
        EnvironmentKind::Qa,
        EnvironmentKind::Uat,
        EnvironmentKind::Staging,
        EnvironmentKind::Canary,
        EnvironmentKind::ProductionPrimary,
        EnvironmentKind::ProductionDr,
    ];

    /// The usual name, for example `production`.
    pub fn default_name(self) -> &'static str {
        match self {
            EnvironmentKind::Development => "dev",
            EnvironmentKind::Qa => "qa",
            EnvironmentKind::Uat => "uat",
            EnvironmentKind::Staging => "staging",
            EnvironmentKind::Canary => "canary",
            EnvironmentKind::ProductionPrimary => "production",
            EnvironmentKind::ProductionDr => "production-dr",
        }
    }
}

/// The dependencies an environment's services share.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DependencySpec {
    /// Database connections in the pool.
    pub database_pool: u32,
    /// How long one query holds a connection.
    pub database_query_ms: u32,
    /// Share of reads the cache answers, in basis points.
    pub cache_hit_bp: u32,
    /// AI calls per second the provider allows.
    pub ai_rate_limit_rps: u32,
    /// AI tokens allowed per UTC day.
    pub ai_daily_token_quota: u64,
    /// Tokens one AI call uses.
    pub ai_tokens_per_call: u32,
}

impl Default for DependencySpec {
    fn default() -> Self {
        DependencySpec {
            database_pool: 100,
            database_query_ms: 20,
            cache_hit_bp: 8_000,
            ai_rate_limit_rps: 200,
            ai_daily_token_quota: 10_000_000_000,
            ai_tokens_per_call: 600,
        }
    }
}

/// A service as a scenario describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceSpec {
    /// Its name, for example `checkout`.
    pub name: String,
    /// The version running at the start (a name from the scenario's versions).
    pub version: String,
    /// Instances at full size.
    pub replicas: u32,
    /// The traffic it receives.
    pub traffic: TrafficShape,
    /// Requests per second one instance serves at full CPU.
    pub capacity_rps_per_instance: u32,
    /// Share of requests that query the database, in basis points.
    pub database_share_bp: u32,
    /// Share of requests that call the AI provider, in basis points.
    pub ai_share_bp: u32,
    /// Probe settings.
    pub probes: Probes,
    /// How its pods start and stop, and where sessions live.
    #[serde(default)]
    pub lifecycle: crate::world::fleet::PodLifecycle,
}

impl ServiceSpec {
    /// A service with typical settings: 60 % of requests query the database, none use AI.
    pub fn typical(name: &str, version: &str, replicas: u32, traffic: TrafficShape) -> ServiceSpec {
        ServiceSpec {
            name: name.to_string(),
            version: version.to_string(),
            replicas,
            traffic,
            capacity_rps_per_instance: 60,
            database_share_bp: 6_000,
            ai_share_bp: 0,
            probes: Probes::default(),
            lifecycle: crate::world::fleet::PodLifecycle::default(),
        }
    }
}

/// An environment as a scenario describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentSpec {
    /// Its name, for example `production`.
    pub name: String,
    /// Its kind.
    pub kind: EnvironmentKind,
    /// Availability zones, for example `eu-west-1a`.
    pub zones: Vec<String>,
    /// Active users (ids 0 to users − 1).
    pub users: u32,
    /// Its shared dependencies.
    pub dependencies: DependencySpec,
    /// Its services.
    pub services: Vec<ServiceSpec>,
}

/// Health of an environment's dependencies, recomputed every second.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DependencyHealth {
    /// Database pool saturation, per mille (above 1,000 queries queue and time out).
    pub database_pool_per_mille: u32,
    /// The database answers.
    pub database_up: bool,
    /// The cache answers.
    pub cache_up: bool,
    /// The AI provider answers.
    pub ai_up: bool,
    /// AI calls per second the provider allows right now.
    pub ai_limit_rps: u32,
    /// AI calls last second.
    pub ai_calls_per_s: u32,
    /// Tokens used since the last UTC midnight.
    pub ai_tokens_today: u64,
    /// The daily token quota is used up.
    pub ai_quota_exhausted: bool,
}

/// A running environment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    /// Its specification.
    pub spec: EnvironmentSpec,
    /// Its dependencies' health this second.
    pub health: DependencyHealth,
    /// Users who saw at least one failed request, one bit per user id.
    pub(crate) affected_users: Vec<u64>,
    /// The same for each of the last few minutes (a ring, indexed by minute), so the blast
    /// radius of an incident can be read without a day's background errors drowning it.
    pub(crate) recent_affected_users: Vec<Vec<u64>>,
    /// Database connections wanted last second, in millionths of a connection (fed into this
    /// second's saturation). An integer, so the sum does not depend on the order services add
    /// to it.
    pub(crate) database_demand_micro: u64,
    /// AI calls made so far this second, by every service of the environment.
    pub(crate) ai_calls_this_second: u32,
}

impl Environment {
    /// Distinct users who have seen at least one failed request since the run started.
    pub fn users_affected(&self) -> u32 {
        self.affected_users
            .iter()
            .map(|word| word.count_ones())
            .sum()
    }

    /// Distinct users who saw a failed request in the current and previous
    /// `RECENT_USER_MINUTES − 1` minutes.
    pub fn users_affected_recently(&self) -> u32 {
        (0..self.affected_users.len())
            .map(|word| {
                self.recent_affected_users
                    .iter()
                    .fold(0u64, |union, minute| union | minute[word])
                    .count_ones()
            })
            .sum()
    }
}

/// A running service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Service {
    /// Its index in the world.
    pub index: u32,
    /// Its environment's index.
    pub environment: u32,
    /// Its specification.
    pub spec: ServiceSpec,
    /// Its instances.
    pub fleet: Fleet,
    /// The version it runs when no rollout is in progress.
    pub stable: VersionId,
    /// How requests are split between versions.
    pub routing: Routing,
    /// Seconds in a row its instances have been too overloaded to answer probes in time.
    pub probes_failing_s: u32,
    /// This minute's plan when the minute is quiet (see `quiet.rs`).
    #[serde(skip)]
    pub quiet: Option<crate::world::minute_plan::QuietMinute>,
}

impl Service {
    /// Without a traffic router a Service sends traffic to every ready pod (a Deployment's, or
    /// a canary's without a router): each version's weight is its ready pods, not counting
    /// those its ReplicaSet has just been scaled below (a terminating pod leaves the endpoints
    /// at once). With none ready, requests go to `fallback` and fail.
    pub fn route_to_ready_pods(&mut self, fallback: VersionId) {
        let fleet = &self.fleet;
        let mut weights: Vec<(VersionId, u32)> = fleet
            .versions()
            .into_iter()
            .map(|v| (v, fleet.counts(v).ready.min(fleet.desired(v))))
            .filter(|(_, ready)| *ready > 0)
            .collect();
        if weights.is_empty() {
            weights.push((fallback, 1));
        }
        self.routing = Routing {
            header_routes: Vec::new(),
            user_buckets: None,
            weights,
        };
    }

    /// When its instances have failed their liveness probe `failureThreshold` times in a row
    /// (overloaded past the probe timeout), the kubelet restarts one. The lost capacity makes the
    /// overload worse: the cascading failure trainees must learn to recognise.
    pub fn restart_if_liveness_failing(&mut self, now: Tick, versions: &[VersionProfile]) {
        let probes = self.fleet.probes();
        if self.probes_failing_s >= probes.failure_threshold * probes.period_s.max(1) {
            self.probes_failing_s = 0;
            self.fleet.restart_for_liveness(now, versions);
        }
    }
}

/// Every environment and service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct World {
    /// Environments in scenario order.
    pub environments: Vec<Environment>,
    /// Services of every environment, in scenario order.
    pub services: Vec<Service>,
    pub(crate) templates: Vec<LatencyTemplate>,
    /// Reused for each service's routing split, so a second allocates nothing.
    #[serde(skip)]
    split_buffer: Vec<(VersionId, u32)>,
    /// Reused for the failed requests to attribute to users.
    #[serde(skip)]
    attribution_buffer: Vec<(u64, u32)>,
    /// Powers the binomial draws computed before, kept across seconds and minutes.
    #[serde(skip)]
    pub(crate) power_memo: PowerMemo,
    /// The mixed minute under way in batch mode, if any (see `quiet_batch.rs`).
    #[serde(skip)]
    pub(crate) planned_minute: Option<crate::world::minute_plan::PlannedMinute>,
}

/// The second being simulated, shared by every service.
#[derive(Clone, Copy, Debug)]
pub struct SecondContext<'a> {
    /// The simulated second.
    pub now: Tick,
    /// The same second as Unix time.
    pub unix_s: u64,
    /// The run's seed.
    pub seed: u64,
    /// The scenario's versions.
    pub versions: &'a [VersionProfile],
    /// The same second on the calendar.
    pub calendar: UtcDateTime,
}

/// Utilisation at which probes queue behind requests long enough to time out (1 s).
pub const PROBE_TIMEOUT_UTILISATION: f64 = 2.0;

/// Minutes over which "users affected recently" is counted.
pub const RECENT_USER_MINUTES: u32 = 5;

/// Failed requests attributed to users in one cohort-second, by the per-second model and by a
/// planned minute alike: the first 64.
pub const MAX_ATTRIBUTED_PER_SECOND: u32 = 64;

/// What the active faults do to one service this second.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceEffects {
    /// Traffic multiplier.
    pub spike_factor: f64,
    /// Per version: added error probability.
    pub extra_error: Vec<(VersionId, f64)>,
    /// Per version: latency multiplier.
    pub latency_factor: Vec<(VersionId, f64)>,
    /// Fleet conditions.
    pub fleet: FleetConditions,
    /// The metrics provider has no data.
    pub metrics_down: bool,
    /// A secret this service needs is missing or expired.
    pub secret_missing: bool,
    /// Share of AI answers that are empty.
    pub empty_ai_share: f64,
}

impl World {
    /// The world of `environments` at the start of a run.
    pub fn new(
        environments: &[EnvironmentSpec],
        versions: &[VersionProfile],
    ) -> Result<World, String> {
        let templates = versions
            .iter()
            .map(|v| {
                LatencyTemplate::log_normal(
                    v.latency_p50_ms,
                    f64::from(v.latency_sigma_milli) / 1_000.0,
                )
            })
            .collect();
        let mut world = World {
            environments: Vec::new(),
            services: Vec::new(),
            templates,
            split_buffer: Vec::new(),
            power_memo: PowerMemo::default(),
            attribution_buffer: Vec::new(),
            planned_minute: None,
        };
        for (env_index, spec) in environments.iter().enumerate() {
            for service_spec in &spec.services {
                let version_index = versions
                    .iter()
                    .position(|v| v.name == service_spec.version)
                    .ok_or_else(|| {
                        format!(
                            "service {}/{} runs version \"{}\", which the scenario does not define",
                            spec.name, service_spec.name, service_spec.version
                        )
                    })?;
                let stable = VersionId(version_index as u32);
                let index = world.services.len() as u32;
                let fleet_name = service_spec.name.clone();
                world.services.push(Service {
                    index,
                    environment: env_index as u32,
                    fleet: {
                        let mut fleet = Fleet::new_ready(
                            &fleet_name,
                            u64::from(index),
                            spec.zones.len() as u32,
                            service_spec.probes,
                            versions,
                            stable,
                            service_spec.replicas,
                        );
                        fleet.set_lifecycle(service_spec.lifecycle);
                        fleet
                    },
                    stable,
                    routing: Routing::single(stable),
                    probes_failing_s: 0,
                    quiet: None,
                    spec: service_spec.clone(),
                });
            }
            world.environments.push(Environment {
                spec: spec.clone(),
                health: DependencyHealth {
                    database_up: true,
                    cache_up: true,
                    ai_up: true,
                    ai_limit_rps: spec.dependencies.ai_rate_limit_rps,
                    ..DependencyHealth::default()
                },
                affected_users: vec![0; spec.users.div_ceil(64) as usize],
                recent_affected_users: vec![
                    vec![0; spec.users.div_ceil(64) as usize];
                    RECENT_USER_MINUTES as usize
                ],
                database_demand_micro: 0,
                ai_calls_this_second: 0,
            });
        }
        Ok(world)
    }

    /// The index of the environment called `name`.
    pub fn environment_index(&self, name: &str) -> Option<u32> {
        self.environments
            .iter()
            .position(|e| e.spec.name == name)
            .map(|i| i as u32)
    }

    /// The index of service `service` in environment `environment`.
    pub fn service_index(&self, environment: &str, service: &str) -> Option<u32> {
        let env = self.environment_index(environment)?;
        self.services
            .iter()
            .find(|s| s.environment == env && s.spec.name == service)
            .map(|s| s.index)
    }

    /// Updates dependency health from the active faults, before services are served.
    pub fn update_dependencies(&mut self, faults: &[&Fault], unix_s: u64) {
        let midnight = unix_s.is_multiple_of(86_400);
        let new_minute = unix_s.is_multiple_of(60);
        let minute_slot = (unix_s / 60 % u64::from(RECENT_USER_MINUTES)) as usize;
        for environment in self.environments.iter_mut() {
            let name = &environment.spec.name;
            let here: Vec<&FaultKind> = faults
                .iter()
                .filter(|f| &f.target.environment == name)
                .map(|f| &f.kind)
                .collect();
            let spec = &environment.spec.dependencies;
            let health = &mut environment.health;
            if midnight {
                health.ai_tokens_today = 0;
            }
            if new_minute {
                environment.recent_affected_users[minute_slot]
                    .iter_mut()
                    .for_each(|word| *word = 0);
            }
            health.database_up = !here
                .iter()
                .any(|k| matches!(k, FaultKind::DatabaseOutage | FaultKind::RegionOutage));
            health.cache_up = !here
                .iter()
                .any(|k| matches!(k, FaultKind::CacheOutage | FaultKind::RegionOutage));
            health.ai_up = !here
                .iter()
                .any(|k| matches!(k, FaultKind::AiProviderOutage));
            health.ai_limit_rps = here
                .iter()
                .filter_map(|k| {
                    if let FaultKind::AiRateLimited { limit_rps } = k {
                        Some(*limit_rps)
                    } else {
                        None
                    }
                })
                .min()
                .unwrap_or(spec.ai_rate_limit_rps);
            health.ai_quota_exhausted = here
                .iter()
                .any(|k| matches!(k, FaultKind::AiQuotaExhausted))
                || health.ai_tokens_today >= spec.ai_daily_token_quota;
            let usable_percent = here
                .iter()
                .filter_map(|k| {
                    if let FaultKind::DatabasePoolExhaustion { usable_percent } = k {
                        Some(*usable_percent)
                    } else {
                        None
                    }
                })
                .min()
                .unwrap_or(100);
            health.database_pool_per_mille = pool_per_mille(
                environment.database_demand_micro,
                spec.database_pool,
                usable_percent,
            );
            environment.database_demand_micro = 0;
            // The provider's limit applies to the whole environment's calls of the last second.
            health.ai_calls_per_s = environment.ai_calls_this_second;
            environment.ai_calls_this_second = 0;
        }
    }
}

/// Database pool saturation in per mille when `demand_micro` millionths of a connection are
/// wanted of a pool of `pool` of which `usable_percent` is usable.
pub fn pool_per_mille(demand_micro: u64, pool: u32, usable_percent: u32) -> u32 {
    let usable_connections = f64::from(pool) * f64::from(usable_percent.max(1)) / 100.0;
    round_to_u32(demand_micro as f64 / 1_000_000.0 / usable_connections * 1_000.0)
}

/// How load slows a service: no effect up to 70 % CPU, then a steep queueing curve, capped.
pub fn load_latency_factor(utilisation: f64) -> f64 {
    if utilisation <= 0.7 {
        1.0
    } else {
        let over = ((utilisation - 0.7) / 0.3).min(3.0);
        1.0 + over * over * 3.0
    }
}

/// The seven environments of a promotion chain with a small service in each, and `production`
/// as `production_services`.
pub fn standard_environments(production_services: Vec<ServiceSpec>) -> Vec<EnvironmentSpec> {
    EnvironmentKind::ALL
        .iter()
        .map(|kind| {
            let name = kind.default_name().to_string();
            let zones = match kind {
                EnvironmentKind::ProductionPrimary => {
                    vec!["eu-west-1a", "eu-west-1b", "eu-west-1c"]
                }
                EnvironmentKind::ProductionDr => vec!["eu-central-1a", "eu-central-1b"],
                _ => vec!["eu-west-1a"],
            }
            .into_iter()
            .map(String::from)
            .collect();
            let (users, services) = match kind {
                EnvironmentKind::ProductionPrimary => (20_000, production_services.clone()),
                EnvironmentKind::ProductionDr => (
                    0,
                    production_services
                        .iter()
                        .map(|s| ServiceSpec {
                            replicas: 2,
                            traffic: TrafficShape::flat(0),
                            ..s.clone()
                        })
                        .collect(),
                ),
                EnvironmentKind::Canary => (0, Vec::new()),
                _ => (
                    50,
                    production_services
                        .iter()
                        .take(1)
                        .map(|s| ServiceSpec {
                            replicas: 1,
                            traffic: TrafficShape::flat(2),
                            ..s.clone()
                        })
                        .collect(),
                ),
            };
            EnvironmentSpec {
                name,
                kind: *kind,
                zones,
                users,
                dependencies: DependencySpec::default(),
                services,
            }
        })
        .collect()
}
