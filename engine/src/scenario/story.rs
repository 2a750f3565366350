//! The canary story every built-in scenario starts from: checkout rolled out from v1 with the
//! course's canary ladder and error-rate gate.

use crate::audit::Actor;
use crate::command::{Command, TimedCommand};
use crate::controllers::canary::{BackgroundAnalysis, CanarySpec, CanaryStep};
use crate::gates::analysis::{DEFAULT_CONSECUTIVE_ERROR_LIMIT, ErrorRateGate};
use crate::time::{Tick, UtcDateTime};
use crate::version::VersionProfile;
use crate::world::traffic::TrafficShape;
use crate::world::{ServiceSpec, standard_environments};

use super::spec::{Scenario, Strategy, main_branch};

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
        schema_migration: crate::version::SchemaMigration::None,
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
        schema_migration: crate::version::SchemaMigration::None,
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
        schema_migration: crate::version::SchemaMigration::None,
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
