//! Scenarios: the starting world, the script, and when the story is over.

pub mod pipelines;

use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::command::{Command, TimedCommand};
use crate::controllers::canary::{BackgroundAnalysis, CanarySpec, CanaryStep};
use crate::gates::analysis::{DEFAULT_CONSECUTIVE_ERROR_LIMIT, ErrorRateGate};
use crate::time::{Tick, UtcDateTime};
use crate::world::fault::Fault;
use crate::world::traffic::TrafficShape;
use crate::world::version::{VersionId, VersionProfile};
use crate::world::{EnvironmentSpec, ServiceSpec, standard_environments};

/// Everything that defines a run apart from the seed and the trainee's commands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    /// Stable identifier, used on the command line and in links.
    pub id: String,
    /// The title shown in the app.
    pub title: String,
    /// The situation in two or three sentences.
    pub situation: String,
    /// What the trainee should see happen, and why it matters.
    pub objective: String,
    /// The UTC instant at which the run starts.
    pub start_unix_s: u64,
    /// Every release in the story.
    pub versions: Vec<VersionProfile>,
    /// The environments and their services.
    pub environments: Vec<EnvironmentSpec>,
    /// The environment of the service being rolled out.
    pub rollout_environment: String,
    /// The service being rolled out.
    pub rollout_service: String,
    /// The canary strategy.
    pub canary: CanarySpec,
    /// Faults the script schedules.
    pub faults: Vec<Fault>,
    /// Commands the script gives, in time order.
    pub schedule: Vec<TimedCommand>,
    /// Seconds the run continues after everything has settled, so the aftermath is visible.
    pub settle_s: u32,
    /// Hard limit on the length of a run.
    pub max_duration_s: u32,
    /// Simulate every second in full, quiet minutes too (see `quiet.rs`): for side-by-side runs
    /// that must differ only where a fault acts.
    #[serde(default)]
    pub every_second: bool,
    /// How the rolled-out service is updated.
    #[serde(default)]
    pub strategy: Strategy,
    /// When the rollout stands for an AWS CodeDeploy deployment: the deployment group, whose
    /// deployments, success conditions and rollbacks are kept as CodeDeploy keeps them.
    #[serde(default)]
    pub codedeploy: Option<crate::controllers::codedeploy::CodeDeploySpec>,
    /// The delivery pipeline around the rollout, if the scenario has one.
    #[serde(default)]
    pub pipeline: Option<crate::pipeline::state::PipelineSpec>,
    /// The branch its changes come from (`main` unless the scenario says otherwise).
    #[serde(default = "main_branch")]
    pub branch: String,
}

fn main_branch() -> String {
    "main".to_string()
}

/// How the rolled-out service is updated.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Strategy {
    /// An Argo Rollouts canary behind a traffic router, as `canary` describes it.
    #[default]
    ArgoCanary,
    /// An Argo Rollouts blue-green strategy.
    ArgoBlueGreen {
        /// The strategy's fields.
        spec: crate::controllers::blue_green::BlueGreenSpec,
    },
    /// A feature-flag percentage rollout with sticky user bucketing.
    FeatureFlag {
        /// The plan.
        spec: crate::controllers::feature_flag::FlagRolloutSpec,
    },
    /// A Flagger `Canary`: its analysis loop.
    Flagger {
        /// The analysis settings.
        spec: crate::controllers::flagger::FlaggerSpec,
    },
    /// A Kubernetes Deployment (rolling update or recreate).
    KubernetesDeployment {
        /// `metadata.name`.
        name: String,
        /// The spec.
        spec: crate::upstream::kubernetes::DeploymentSpec,
    },
}

impl Scenario {
    /// The version with this name.
    pub fn version_id(&self, name: &str) -> Option<VersionId> {
        self.versions
            .iter()
            .position(|v| v.name == name)
            .map(|index| VersionId(index as u32))
    }

    /// The profile of `version`.
    pub fn profile(&self, version: VersionId) -> &VersionProfile {
        &self.versions[version.0 as usize]
    }
}

/// The identifiers of the built-in scenarios, in the order the app lists them.
pub fn builtin_ids() -> Vec<&'static str> {
    vec![
        "canary-bad-release",
        "canary-good-release",
        "production-day",
        "feature-flag-rollout",
        "pipeline-release",
        "pipeline-budget-freeze",
    ]
}

/// A built-in scenario by id.
pub fn builtin(id: &str) -> Option<Scenario> {
    match id {
        "canary-bad-release" => Some(canary_story(
            id,
            "Bad release caught by a canary",
            "checkout v2 ships with a bug that fails about 15 % of requests. The pipeline starts a canary: 10 % of traffic, pause, 25 %, pause, 50 %, pause, 100 %, with a background error-rate gate.",
            "Watch the gate catch the bad release while it carries only 10 % of traffic, and the automatic rollback send every request back to v1.",
            "v2",
            1_500,
        )),
        "canary-good-release" => Some(canary_story(
            id,
            "Healthy release promoted by a canary",
            "checkout v3 is a healthy release. The same canary steps and error-rate gate apply: 10 %, 25 %, 50 %, then 100 %.",
            "Watch a healthy release pass every gate measurement and become the new stable version, and the old version scale down after the delay.",
            "v3",
            30,
        )),
        "production-day" => Some(production_day()),
        "feature-flag-rollout" => Some(feature_flag_rollout()),
        "pipeline-release" | "pipeline-budget-freeze" => {
            crate::scenario::pipelines::pipeline_scenario(id)
        }
        _ => None,
    }
}

/// The benchmark world: 20 production services sharing about 1,000 requests a second on a
/// daily curve, the other six environments, a canary rollout of checkout every day at 10:00
/// (alternating bad and good releases) and a fault every few hours.
pub fn bench_world() -> Scenario {
    use crate::world::fault::{FaultKind, FaultTarget};
    let mut world = production_day();
    world.id = "bench".to_string();
    let mut services = vec![ServiceSpec::typical(
        "checkout",
        "v1",
        10,
        TrafficShape::daily(50),
    )];
    for index in 1..20 {
        let mut spec = ServiceSpec::typical(
            &format!("service-{index:02}"),
            "v1",
            4,
            TrafficShape::daily(50),
        );
        spec.ai_share_bp = if index % 5 == 0 { 5_000 } else { 0 };
        services.push(spec);
    }
    world.environments = standard_environments(services);
    let days = 12 * 7;
    world.schedule = (0..days)
        .flat_map(|day| {
            let release = if day % 2 == 0 { "v2" } else { "v3" };
            [TimedCommand {
                at: Tick(day * 86_400 + 10 * 3_600),
                actor: Actor::Pipeline,
                command: Command::StartRollout {
                    version: release.to_string(),
                },
            }]
        })
        .collect();
    let kinds = crate::world::fault::catalogue();
    world.faults = (0..days * 4)
        .map(|slot| {
            let kind = kinds[(slot as usize * 7) % kinds.len()].clone();
            let kind = if matches!(kind, FaultKind::RegionOutage) {
                FaultKind::CacheOutage
            } else {
                kind
            };
            Fault {
                kind,
                target: FaultTarget {
                    environment: "production".to_string(),
                    service: Some(format!("service-{:02}", 1 + slot % 19)),
                    version: None,
                    zone: None,
                },
                start: Tick(slot * 21_600 + 3_600),
                end: Some(Tick(slot * 21_600 + 3_600 + 900)),
            }
        })
        .collect();
    world.max_duration_s = u32::MAX;
    world
}

/// The new checkout ships dark behind a flag and is turned on for 1 %, 10 %, 25 %, 50 % and then
/// every user, ten minutes apart, bucketed as Unleash's `flexibleRollout` does.
fn feature_flag_rollout() -> Scenario {
    use crate::controllers::feature_flag::{FlagRolloutSpec, FlagStep};
    let mut story = canary_story(
        "feature-flag-rollout",
        "Feature flag: the new checkout for a growing share of users",
        "checkout v3 is deployed dark: both code paths run, and the flag new-checkout decides which one a user gets. It is turned on for 1 %, 10 %, 25 % and 50 % of users, ten minutes apart, then for everyone.",
        "Watch the same users keep the new checkout as the percentage rises (the bucket is a hash of the flag and the user), and use Abort as the kill switch: it turns the new path off for everyone at once, with nothing to redeploy.",
        "v3",
        30,
    );
    story.strategy = Strategy::FeatureFlag {
        spec: FlagRolloutSpec {
            provider: crate::upstream::flags::FlagProvider::Unleash,
            flag_key: "new-checkout".to_string(),
            steps: [1, 10, 25, 50, 100]
                .into_iter()
                .map(|percent| FlagStep {
                    percent,
                    hold_s: 600,
                })
                .collect(),
            replicas: 10,
        },
    };
    story.settle_s = 300;
    story.max_duration_s = 3 * 3_600;
    story
}

/// A day in production: seven environments, five production services on a daily traffic
/// curve, a mid-morning release of checkout, and the faults of an ordinary bad day.
fn production_day() -> Scenario {
    use crate::world::fault::{FaultKind, FaultTarget};
    let mut story = canary_story(
        "production-day",
        "A day in production",
        "Seven environments from dev to production DR. Production runs checkout, catalog, search, accounts and an AI assistant on a daily traffic curve. Checkout v3 ships at 10:00; the cache fails at 13:00 and traffic spikes in the evening.",
        "Watch the daily shape of traffic, how the cache outage loads the database and slows every service, and how the canary still ships v3.",
        "v3",
        30,
    );
    story.start_unix_s = UtcDateTime::unix_s_of(2026, 3, 10, 0, 0);
    story.schedule[0].at = Tick(10 * 3_600);
    let mut assistant = ServiceSpec::typical("assistant", "v1", 6, TrafficShape::daily(150));
    assistant.ai_share_bp = 9_000;
    assistant.database_share_bp = 2_000;
    let checkout = ServiceSpec::typical("checkout", "v1", 10, TrafficShape::daily(200));
    story.environments = standard_environments(vec![
        checkout,
        ServiceSpec::typical("catalog", "v1", 8, TrafficShape::daily(300)),
        ServiceSpec::typical("search", "v1", 8, TrafficShape::daily(250)),
        ServiceSpec::typical("accounts", "v1", 4, TrafficShape::daily(100)),
        assistant,
    ]);
    let production = |service: Option<&str>| FaultTarget {
        environment: "production".to_string(),
        service: service.map(String::from),
        version: None,
        zone: None,
    };
    story.faults = vec![
        Fault {
            kind: FaultKind::CacheOutage,
            target: production(None),
            start: Tick(13 * 3_600),
            end: Some(Tick(13 * 3_600 + 1_200)),
        },
        Fault {
            kind: FaultKind::TrafficSpike {
                factor_per_mille: 2_500,
            },
            target: production(Some("catalog")),
            start: Tick(19 * 3_600),
            end: Some(Tick(19 * 3_600 + 900)),
        },
    ];
    // The story is the whole day, not just the release.
    story.settle_s = 86_400;
    story.max_duration_s = 86_400;
    story
}

/// The canary story shared by the built-in scenarios: checkout v1 is stable, `release` rolls out.
pub(crate) fn canary_story(
    id: &str,
    title: &str,
    situation: &str,
    objective: &str,
    release: &str,
    release_error_rate_bp: u32,
) -> Scenario {
    let stable = VersionProfile {
        name: "v1".to_string(),
        commit_sha: "a41c9e2".to_string(),
        author: "priya".to_string(),
        error_rate_bp: 40,
        latency_p50_ms: 120,
        latency_sigma_milli: 450,
        startup_s: 20,
        commit_unix_s: 0,
        cpu_cost_per_mille: 1_000,
        schema_migration: crate::world::version::SchemaMigration::None,
        feature_flags: Vec::new(),
    };
    let bad = VersionProfile {
        name: "v2".to_string(),
        commit_sha: "9b07d31".to_string(),
        author: "sam".to_string(),
        error_rate_bp: 1_500,
        latency_p50_ms: 135,
        latency_sigma_milli: 500,
        startup_s: 20,
        commit_unix_s: 0,
        cpu_cost_per_mille: 1_000,
        schema_migration: crate::world::version::SchemaMigration::None,
        feature_flags: Vec::new(),
    };
    let good = VersionProfile {
        name: "v3".to_string(),
        commit_sha: "e5f2a18".to_string(),
        author: "sam".to_string(),
        error_rate_bp: 30,
        latency_p50_ms: 110,
        latency_sigma_milli: 420,
        startup_s: 20,
        commit_unix_s: 0,
        cpu_cost_per_mille: 1_000,
        schema_migration: crate::world::version::SchemaMigration::None,
        feature_flags: Vec::new(),
    };
    let release_day = UtcDateTime::unix_s_of(2026, 3, 10, 9, 0);
    let mut versions = vec![
        VersionProfile {
            commit_unix_s: release_day - 7 * 86_400,
            ..stable
        },
        VersionProfile {
            commit_unix_s: release_day + 1_800,
            feature_flags: vec!["new-checkout-flow".to_string()],
            ..bad
        },
        VersionProfile {
            commit_unix_s: release_day + 2_700,
            feature_flags: vec!["new-checkout-flow".to_string()],
            ..good
        },
    ];
    if let Some(profile) = versions.iter_mut().find(|v| v.name == release) {
        profile.error_rate_bp = release_error_rate_bp;
    }
    let two_minutes = Some(120);
    Scenario {
        id: id.to_string(),
        title: title.to_string(),
        situation: situation.to_string(),
        objective: objective.to_string(),
        // Tuesday 10 March 2026, 14:00 UTC: inside business hours.
        start_unix_s: UtcDateTime::unix_s_of(2026, 3, 10, 14, 0),
        versions,
        environments: standard_environments(vec![ServiceSpec::typical(
            "checkout",
            "v1",
            10,
            TrafficShape::flat(200),
        )]),
        rollout_environment: "production".to_string(),
        rollout_service: "checkout".to_string(),
        every_second: false,
        codedeploy: None,
        pipeline: None,
        branch: main_branch(),
        strategy: Strategy::ArgoCanary,
        faults: Vec::new(),
        canary: CanarySpec {
            replicas: 10,
            traffic_routing: true,
            max_surge: crate::upstream::intstr::IntOrPercent::percent(25),
            max_unavailable: crate::upstream::intstr::IntOrPercent::percent(25),
            steps: vec![
                CanaryStep::SetWeight { weight_percent: 10 },
                CanaryStep::Pause {
                    duration_s: two_minutes,
                },
                CanaryStep::SetWeight { weight_percent: 25 },
                CanaryStep::Pause {
                    duration_s: two_minutes,
                },
                CanaryStep::SetWeight { weight_percent: 50 },
                CanaryStep::Pause {
                    duration_s: two_minutes,
                },
                CanaryStep::SetWeight {
                    weight_percent: 100,
                },
            ],
            analysis: Some(BackgroundAnalysis {
                gate: ErrorRateGate {
                    metric_name: "error-rate".to_string(),
                    initial_delay_s: 30,
                    interval_s: 30,
                    window_s: 60,
                    max_error_rate_bp: 500,
                    failure_limit: 0,
                    consecutive_error_limit: DEFAULT_CONSECUTIVE_ERROR_LIMIT,
                    count: 0,
                    success_max_bp: None,
                    inconclusive_limit: 0,
                    dry_run: false,
                    p95_max_ms: None,
                    kayenta: None,
                    consecutive_success_limit: 0,
                },
                // From the first pause on, when the canary carries traffic.
                starting_step: 1,
            }),
            scale_down_delay_s: 30,
            abort_scale_down_delay_s: 30,
        },
        schedule: vec![TimedCommand {
            at: Tick(60),
            actor: Actor::Pipeline,
            command: Command::StartRollout {
                version: release.to_string(),
            },
        }],
        settle_s: 90,
        max_duration_s: 4 * 3_600,
    }
}
