//! The built-in catalogue: the canary stories, a production day, a feature flag, the benchmark
//! world and the pipeline scenarios, by id.

use crate::audit::Actor;
use crate::command::{Command, TimedCommand};
use crate::time::{Tick, UtcDateTime};
use crate::world::fault::Fault;
use crate::world::traffic::TrafficShape;
use crate::world::{ServiceSpec, standard_environments};

use super::spec::{Scenario, Strategy};
use super::story::canary_story;

/// The built-in scenarios' ids and titles, in the order the app lists them. The titles are the
/// ones the scenarios carry (a test checks it); listing them here lets the app's scenario picker
/// name every scenario without building each one (4 ms of a lab's start in the browser).
pub const BUILTIN_TITLES: &[(&str, &str)] = &[
    ("canary-bad-release", "Bad release caught by a canary"),
    (
        "canary-good-release",
        "Healthy release promoted by a canary",
    ),
    ("production-day", "A day in production"),
    (
        "feature-flag-rollout",
        "Feature flag: the new checkout for a growing share of users",
    ),
    ("pipeline-release", "Complete pipeline to production"),
    (
        "pipeline-budget-freeze",
        "Error budget red: deployment freeze",
    ),
];

/// The identifiers of the built-in scenarios, in the order the app lists them.
pub fn builtin_ids() -> Vec<&'static str> {
    BUILTIN_TITLES.iter().map(|(id, _)| *id).collect()
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
        "pipeline-release" | "pipeline-budget-freeze" => super::pipelines::pipeline_scenario(id),
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
pub(super) fn feature_flag_rollout() -> Scenario {
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
pub(super) fn production_day() -> Scenario {
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
