//! Every fault in the catalogue, injected live into a quiet production world, against a control
//! run with the same seed. Because every random draw is keyed by (seed, cohort, second) and both
//! runs simulate every second in full (no quiet minutes), the two runs differ only where the
//! fault acts, so each test can pin the effect a trainee would see.

use engine::metrics::CohortKey;
use engine::version::VersionId;
use engine::world::ServiceSpec;
use engine::world::fault::{FaultKind, FaultTarget, catalogue};
use engine::world::traffic::TrafficShape;
use engine::{Command, Sim, scenario};

const SEED: u64 = 11;
const INJECT_AT: u64 = 120;
const FAULT_S: u32 = 300;

/// A production world with checkout (flat 200 rps), catalog, and an AI assistant, no rollout.
fn quiet_world() -> engine::scenario::Scenario {
    let mut world = scenario::builtin("canary-good-release").unwrap();
    world.schedule.clear();
    world.settle_s = 3_600;
    // Both runs simulate every second, so they differ only where the fault acts.
    world.every_second = true;
    let mut assistant = ServiceSpec::typical("assistant", "v1", 6, TrafficShape::flat(150));
    assistant.ai_share_bp = 9_000;
    assistant.database_share_bp = 2_000;
    world.environments = engine::world::standard_environments(vec![
        ServiceSpec::typical("checkout", "v1", 10, TrafficShape::flat(200)),
        ServiceSpec::typical("catalog", "v1", 8, TrafficShape::flat(300)),
        assistant,
    ]);
    world
}

fn production(service: Option<&str>) -> FaultTarget {
    FaultTarget {
        environment: "production".to_string(),
        service: service.map(String::from),
        version: None,
        zone: None,
    }
}

/// Runs the quiet world to `until`, injecting `fault` at `INJECT_AT` for `FAULT_S` seconds.
fn run(fault: Option<(FaultKind, FaultTarget)>, until: u64) -> Sim {
    let mut sim = Sim::new(quiet_world(), SEED);
    sim.advance(INJECT_AT);
    if let Some((fault, target)) = fault {
        sim.apply(Command::InjectFault {
            fault,
            target,
            duration_s: Some(FAULT_S),
        })
        .expect("the fault applies");
    }
    sim.advance(until - INJECT_AT);
    sim
}

/// Totals of one service's stable cohort over the last `window_s` seconds.
struct Observed {
    requests: u64,
    errors: u64,
    unserved: u64,
    p95_ms: u32,
    tokens: u64,
    quality_bp: u32,
    ready: u32,
}

fn observe(sim: &Sim, service: &str, window_s: u64) -> Observed {
    let index = sim.world().service_index("production", service).unwrap();
    let series = sim
        .metrics()
        .cohort(CohortKey {
            service: index,
            version: VersionId(0),
        })
        .unwrap();
    let from = sim.now().0 - window_s;
    let samples: Vec<_> = series
        .samples()
        .iter()
        .filter(|s| s.tick.0 >= from)
        .collect();
    let ai_calls: u64 = samples.iter().map(|s| u64::from(s.ai_calls)).sum();
    let empty: u64 = samples.iter().map(|s| u64::from(s.empty_responses)).sum();
    let mut p95s: Vec<u32> = samples.iter().map(|s| s.p95_ms).collect();
    p95s.sort_unstable();
    Observed {
        requests: samples.iter().map(|s| u64::from(s.requests)).sum(),
        errors: samples.iter().map(|s| u64::from(s.errors)).sum(),
        unserved: samples.iter().map(|s| u64::from(s.unserved)).sum(),
        p95_ms: p95s.get(p95s.len() / 2).copied().unwrap_or(0),
        tokens: samples.iter().map(|s| u64::from(s.tokens)).sum(),
        quality_bp: (empty * 10_000)
            .checked_div(ai_calls)
            .map_or(10_000, |empty_bp| (10_000 - empty_bp) as u32),
        ready: sim.world().services[index as usize]
            .fleet
            .counts(VersionId(0))
            .ready,
    }
}

fn error_rate(o: &Observed) -> f64 {
    o.errors as f64 / o.requests.max(1) as f64
}

/// Runs with and without `fault`, observing `service` over the 120 s before `until`.
fn compare(
    fault: FaultKind,
    target: FaultTarget,
    service: &str,
    until: u64,
) -> (Observed, Observed) {
    let with = run(Some((fault, target)), until);
    let without = run(None, until);
    (
        observe(&with, service, 120),
        observe(&without, service, 120),
    )
}

const DURING: u64 = INJECT_AT + 240;

#[test]
fn every_fault_kind_has_a_test_below() {
    // The names of the test functions in this file, one per kind.
    let source = include_str!("faults.rs");
    for kind in catalogue() {
        assert!(
            source.contains(&format!("fn {}_", kind.id())),
            "no test for fault kind {}",
            kind.id()
        );
    }
}

#[test]
fn bad_build_raises_errors_of_that_service_only() {
    let (with, without) = compare(
        FaultKind::BadBuild {
            error_rate_bp: 1_500,
        },
        production(Some("checkout")),
        "checkout",
        DURING,
    );
    assert!(
        error_rate(&with) > 0.13 && error_rate(&with) < 0.18,
        "checkout error rate {} (seed {SEED})",
        error_rate(&with)
    );
    assert!(error_rate(&without) < 0.01);
    let catalog_with = observe(
        &run(
            Some((
                FaultKind::BadBuild {
                    error_rate_bp: 1_500,
                },
                production(Some("checkout")),
            )),
            DURING,
        ),
        "catalog",
        120,
    );
    assert_eq!(
        catalog_with.errors,
        observe(&run(None, DURING), "catalog", 120).errors,
        "catalog is untouched"
    );
}

#[test]
fn slow_build_raises_p95_of_that_service_only() {
    let (with, without) = compare(
        FaultKind::SlowBuild {
            latency_factor_per_mille: 3_400,
        },
        production(Some("checkout")),
        "checkout",
        DURING,
    );
    let ratio = f64::from(with.p95_ms) / f64::from(without.p95_ms);
    assert!(
        (3.0..3.9).contains(&ratio),
        "p95 {} vs {} ms",
        with.p95_ms,
        without.p95_ms
    );
    assert_eq!(with.errors, without.errors, "slow, not failing");
    let catalog = observe(
        &run(
            Some((
                FaultKind::SlowBuild {
                    latency_factor_per_mille: 3_400,
                },
                production(Some("checkout")),
            )),
            DURING,
        ),
        "catalog",
        120,
    );
    assert_eq!(
        catalog.p95_ms,
        observe(&run(None, DURING), "catalog", 120).p95_ms
    );
}

#[test]
fn crash_on_start_loops_replacement_instances() {
    let mut sim = Sim::new(quiet_world(), SEED);
    sim.advance(INJECT_AT);
    for (fault, duration) in [
        (FaultKind::CrashOnStart, Some(FAULT_S)),
        (FaultKind::InstanceLoss { count: 3 }, Some(1)),
    ] {
        sim.apply(Command::InjectFault {
            fault,
            target: production(Some("checkout")),
            duration_s: duration,
        })
        .unwrap();
    }
    sim.advance(200);
    let counts = sim.fleet().counts(VersionId(0));
    assert_eq!(counts.ready, 7);
    assert_eq!(counts.crash_looping + counts.starting, 3, "{counts:?}");
    assert!(
        sim.fleet()
            .instances()
            .iter()
            .filter(|i| i.restarts >= 2)
            .count()
            == 3,
        "each replacement crashed repeatedly"
    );
    sim.advance(u64::from(FAULT_S) + 400);
    assert_eq!(
        sim.fleet().counts(VersionId(0)).ready,
        10,
        "they recover once the fault ends"
    );
}

#[test]
fn readiness_never_true_keeps_replacements_out_of_traffic() {
    let mut sim = Sim::new(quiet_world(), SEED);
    sim.advance(INJECT_AT);
    sim.apply(Command::InjectFault {
        fault: FaultKind::ReadinessNeverTrue,
        target: production(Some("checkout")),
        duration_s: Some(FAULT_S),
    })
    .unwrap();
    sim.apply(Command::InjectFault {
        fault: FaultKind::InstanceLoss { count: 4 },
        target: production(Some("checkout")),
        duration_s: Some(1),
    })
    .unwrap();
    sim.advance(200);
    let counts = sim.fleet().counts(VersionId(0));
    assert_eq!((counts.ready, counts.starting), (6, 4), "{counts:?}");
}

#[test]
fn memory_leak_creeps_latency_up_then_restarts() {
    // 312 MiB of headroom at 1.5 MiB a second: OOM-killed about 208 s after the leak starts.
    let fault = FaultKind::MemoryLeak { mib_per_minute: 90 };
    let early = observe(
        &run(
            Some((fault.clone(), production(Some("checkout")))),
            INJECT_AT + 60,
        ),
        "checkout",
        60,
    );
    let late = observe(
        &run(
            Some((fault.clone(), production(Some("checkout")))),
            INJECT_AT + 205,
        ),
        "checkout",
        20,
    );
    assert!(
        late.p95_ms > early.p95_ms * 2,
        "p95 creeps from {} to {} ms",
        early.p95_ms,
        late.p95_ms
    );
    let after_oom = run(Some((fault, production(Some("checkout")))), INJECT_AT + 260);
    assert!(
        after_oom
            .fleet()
            .instances()
            .iter()
            .all(|i| i.restarts >= 1),
        "every instance OOM-killed and restarted"
    );
}

#[test]
fn failed_migration_fails_the_writes() {
    let (with, _) = compare(
        FaultKind::FailedMigration {
            write_share_bp: 3_000,
        },
        production(Some("checkout")),
        "checkout",
        DURING,
    );
    assert!(
        (0.27..0.34).contains(&error_rate(&with)),
        "{}",
        error_rate(&with)
    );
}

#[test]
fn breaking_schema_change_fails_the_old_reader() {
    let target = FaultTarget {
        version: Some("v1".to_string()),
        ..production(Some("checkout"))
    };
    let (with, _) = compare(
        FaultKind::BreakingSchemaChange {
            error_rate_bp: 4_000,
        },
        target,
        "checkout",
        DURING,
    );
    assert!(
        (0.37..0.44).contains(&error_rate(&with)),
        "{}",
        error_rate(&with)
    );
}

#[test]
fn database_outage_fails_database_requests() {
    let (with, without) = compare(
        FaultKind::DatabaseOutage,
        production(None),
        "checkout",
        DURING,
    );
    // 60 % of checkout's requests query the database.
    assert!(
        (0.57..0.64).contains(&error_rate(&with)),
        "{}",
        error_rate(&with)
    );
    assert!(error_rate(&without) < 0.01);
}

#[test]
fn database_pool_exhaustion_saturates_the_pool() {
    let mut sim = run(
        Some((
            FaultKind::DatabasePoolExhaustion { usable_percent: 1 },
            production(None),
        )),
        DURING,
    );
    sim.step();
    let production_index = sim.world().environment_index("production").unwrap();
    let pool = sim.world().environments[production_index as usize]
        .health
        .database_pool_per_mille;
    assert!(pool > 1_000, "pool saturation {pool} per mille");
    let (with, without) = compare(
        FaultKind::DatabasePoolExhaustion { usable_percent: 1 },
        production(None),
        "catalog",
        DURING,
    );
    assert!(
        with.errors > without.errors * 10,
        "queries time out: {} vs {}",
        with.errors,
        without.errors
    );
    assert!(with.p95_ms > without.p95_ms * 3);
}

#[test]
fn cache_outage_slows_requests_without_failing_them() {
    let (with, without) = compare(FaultKind::CacheOutage, production(None), "catalog", DURING);
    assert!(
        with.p95_ms as f64 > without.p95_ms as f64 * 1.4,
        "{} vs {}",
        with.p95_ms,
        without.p95_ms
    );
    assert_eq!(with.errors, without.errors);
}

#[test]
fn ai_provider_outage_fails_ai_calls() {
    let (with, without) = compare(
        FaultKind::AiProviderOutage,
        production(None),
        "assistant",
        DURING,
    );
    assert!(
        (0.87..0.93).contains(&error_rate(&with)),
        "90 % of assistant requests call the AI: {}",
        error_rate(&with)
    );
    assert_eq!(with.tokens, 0);
    assert!(without.tokens > 0);
}

#[test]
fn ai_rate_limited_throttles_above_the_limit() {
    let (with, _) = compare(
        FaultKind::AiRateLimited { limit_rps: 20 },
        production(None),
        "assistant",
        DURING,
    );
    // 135 AI calls a second against a limit of 20: 85 % of them get HTTP 429.
    let expected = 0.9 * (1.0 - 20.0 / 135.0);
    assert!(
        (error_rate(&with) - expected).abs() < 0.05,
        "{} vs {expected}",
        error_rate(&with)
    );
}

#[test]
fn ai_quota_exhausted_stops_ai_calls() {
    let (with, _) = compare(
        FaultKind::AiQuotaExhausted,
        production(None),
        "assistant",
        DURING,
    );
    assert!(error_rate(&with) > 0.85);
    assert_eq!(with.tokens, 0);
}

#[test]
fn silent_ai_failure_keeps_errors_flat_and_drops_quality() {
    let (with, without) = compare(
        FaultKind::SilentAiFailure { empty_bp: 3_000 },
        production(None),
        "assistant",
        DURING,
    );
    assert_eq!(
        with.errors, without.errors,
        "no errors: the failure is silent"
    );
    assert!(
        (6_800..7_200).contains(&with.quality_bp),
        "answer quality {}",
        with.quality_bp
    );
    assert_eq!(without.quality_bp, 10_000);
}

#[test]
fn metrics_provider_down_leaves_gates_without_data() {
    let sim = run(
        Some((FaultKind::MetricsProviderDown, production(None))),
        DURING,
    );
    let index = sim.world().service_index("production", "checkout").unwrap();
    let window = sim.metrics().window(
        CohortKey {
            service: index,
            version: VersionId(0),
        },
        engine::time::Tick(DURING - 1),
        60,
    );
    assert_eq!(
        window.error_rate_bp(),
        None,
        "no data, which a gate counts as an Error"
    );
    assert_eq!(window.seconds_without_data, 60);
}

#[test]
fn traffic_spike_multiplies_requests() {
    let (with, without) = compare(
        FaultKind::TrafficSpike {
            factor_per_mille: 3_000,
        },
        production(Some("catalog")),
        "catalog",
        DURING,
    );
    let ratio = with.requests as f64 / without.requests as f64;
    assert!((2.95..3.05).contains(&ratio), "{ratio}");
    // 900 rps on 8 instances of 60 rps: overloaded, so requests are shed and latency climbs.
    assert!(with.errors > without.errors * 10 && with.p95_ms > without.p95_ms * 2);
}

#[test]
fn instance_loss_is_replaced() {
    let mut sim = Sim::new(quiet_world(), SEED);
    sim.advance(INJECT_AT);
    sim.apply(Command::InjectFault {
        fault: FaultKind::InstanceLoss { count: 3 },
        target: production(Some("checkout")),
        duration_s: Some(1),
    })
    .unwrap();
    sim.step();
    assert_eq!(sim.fleet().counts(VersionId(0)).ready, 7);
    sim.advance(60);
    assert_eq!(sim.fleet().counts(VersionId(0)).ready, 10);
}

#[test]
fn zone_outage_moves_instances_out_of_the_zone() {
    let target = FaultTarget {
        zone: Some("eu-west-1b".to_string()),
        ..production(None)
    };
    let sim = run(Some((FaultKind::ZoneOutage, target)), DURING);
    assert!(
        sim.fleet().instances().iter().all(|i| i.zone != 1),
        "nothing runs in eu-west-1b"
    );
    assert_eq!(
        sim.fleet().counts(VersionId(0)).ready,
        10,
        "replaced in the other zones"
    );
}

#[test]
fn region_outage_is_downtime_until_it_ends() {
    let during = observe(
        &run(Some((FaultKind::RegionOutage, production(None))), DURING),
        "checkout",
        120,
    );
    assert_eq!(
        during.unserved, during.requests,
        "every request fails: no instance anywhere"
    );
    assert_eq!(during.ready, 0);
    let after = run(
        Some((FaultKind::RegionOutage, production(None))),
        INJECT_AT + u64::from(FAULT_S) + 120,
    );
    assert_eq!(
        after.fleet().counts(VersionId(0)).ready,
        10,
        "instances come back when the region does"
    );
    assert!(after.metrics().downtime_s >= u64::from(FAULT_S));
}

#[test]
fn secret_missing_fails_only_that_environment() {
    let (with, _) = compare(
        FaultKind::SecretMissing {
            secret: "DATABASE_PASSWORD".to_string(),
        },
        production(None),
        "checkout",
        DURING,
    );
    assert!(error_rate(&with) > 0.55);
    let staging = run(
        Some((
            FaultKind::SecretMissing {
                secret: "DATABASE_PASSWORD".to_string(),
            },
            production(None),
        )),
        DURING,
    );
    let index = staging.world().environment_index("staging").unwrap();
    let staging_errors = staging.metrics().environment(index).unwrap().errors_total;
    let control = run(None, DURING);
    assert_eq!(
        staging_errors,
        control.metrics().environment(index).unwrap().errors_total,
        "staging keeps its secret"
    );
}

#[test]
fn broken_stop_script_drops_requests_at_scale_down() {
    let mut with = Sim::new(scenario::builtin("canary-good-release").unwrap(), SEED);
    with.apply(Command::InjectFault {
        fault: FaultKind::BrokenStopScript,
        target: production(Some("checkout")),
        duration_s: None,
    })
    .unwrap();
    with.run_to_end();
    let mut without = Sim::new(scenario::builtin("canary-good-release").unwrap(), SEED);
    without.run_to_end();
    assert!(
        with.outcome().errors_total > without.outcome().errors_total,
        "in-flight requests dropped at termination"
    );
}

#[test]
fn injected_faults_are_audited_and_can_be_cleared() {
    let mut sim = Sim::new(quiet_world(), SEED);
    sim.apply(Command::InjectFault {
        fault: FaultKind::CacheOutage,
        target: production(None),
        duration_s: None,
    })
    .unwrap();
    sim.advance(30);
    sim.apply(Command::ClearFault { fault_id: 0 }).unwrap();
    assert!(
        sim.apply(Command::ClearFault { fault_id: 0 }).is_err(),
        "already cleared"
    );
    let unknown = FaultTarget {
        environment: "mars".to_string(),
        service: None,
        version: None,
        zone: None,
    };
    let refused = sim.apply(Command::InjectFault {
        fault: FaultKind::CacheOutage,
        target: unknown,
        duration_s: None,
    });
    assert!(
        refused
            .unwrap_err()
            .to_string()
            .contains("no environment called \"mars\"")
    );
    let actions = sim.audit().actions();
    assert_eq!(actions, vec!["FaultInjected", "FaultCleared"]);
    assert_eq!(
        sim.audit().records()[0].actor,
        engine::audit::Actor::Trainee
    );
}

#[test]
fn users_hit_recently_shows_an_incident_and_then_fades() {
    let recent = |sim: &Sim| {
        let index = sim.world().environment_index("production").unwrap();
        sim.world().environments[index as usize].users_affected_recently()
    };
    let before = run(None, INJECT_AT);
    let during = run(
        Some((FaultKind::DatabaseOutage, production(None))),
        INJECT_AT + 180,
    );
    let after = run(
        Some((FaultKind::DatabaseOutage, production(None))),
        INJECT_AT + u64::from(FAULT_S) + 600,
    );
    assert!(
        recent(&during) > 10 * recent(&before).max(1),
        "blast radius {} vs background {}",
        recent(&during),
        recent(&before)
    );
    assert!(
        recent(&after) * 5 < recent(&during),
        "five minutes after the outage the count falls back: {} vs {}",
        recent(&after),
        recent(&during)
    );
    let total = after.world().environments
        [after.world().environment_index("production").unwrap() as usize]
        .users_affected();
    assert!(
        total >= recent(&during),
        "the run's total keeps everyone hit"
    );
}

#[test]
fn overload_past_the_probe_timeout_triggers_liveness_restarts() {
    // Catalog has 8 instances of 60 rps: ×5 traffic (1,500 rps) is over three times capacity, so
    // probes time out and the kubelet restarts instances every 30 s; ×1.2 stays within reach.
    let restarts = |factor_per_mille| {
        let sim = run(
            Some((
                FaultKind::TrafficSpike { factor_per_mille },
                production(Some("catalog")),
            )),
            DURING,
        );
        let index = sim.world().service_index("production", "catalog").unwrap();
        sim.world().services[index as usize]
            .fleet
            .instances()
            .iter()
            .map(|i| i.restarts)
            .sum::<u32>()
    };
    assert!(
        restarts(5_000) >= 4,
        "an overloaded service is restarted by its liveness probe: {} restarts",
        restarts(5_000)
    );
    assert_eq!(
        restarts(1_200),
        0,
        "a mild spike costs latency, not restarts"
    );
}
