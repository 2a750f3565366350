//! Quiet minutes give the same run whether they are stepped through second by second or written
//! whole (see `engine/src/quiet.rs`): every tier of every series, the users hit, the dependencies
//! and the state digest agree. The runs below cover days with rollouts and faults, so they mix
//! quiet, partly quiet and busy minutes.

use engine::metrics::Series;
use engine::time::Tick;
use engine::world::fault::{FaultKind, FaultTarget};
use engine::{Command, Sim, TimedCommand, scenario};

/// Steps `sim` one second at a time to `until`.
fn step_to(sim: &mut Sim, until: u64) {
    while sim.now().0 < until && !sim.is_finished() {
        sim.step();
    }
}

/// Everything a trainee can be shown of a series at `now`: totals, minutes, hours, and the
/// seconds of the last hour.
fn shown(series: &Series, now: Tick) -> String {
    let last_hour: Vec<_> = series
        .samples()
        .iter()
        .filter(|s| s.tick.0 + 3_600 >= now.0)
        .collect();
    format!(
        "{} {} {} {} {:?} {:?} {:?} {:?}",
        series.requests_total,
        series.errors_total,
        series.unserved_total,
        series.tokens_total,
        series.minutes().collect::<Vec<_>>(),
        series.hours(),
        last_hour,
        series.latest()
    )
}

/// Panics, naming the first difference, unless `stepped` and `batched` show the same.
fn assert_same_run(stepped: &Sim, batched: &Sim, label: &str) {
    assert_eq!(
        stepped.now(),
        batched.now(),
        "{label}: both runs stop at the same second"
    );
    let stepped_cohorts: Vec<_> = stepped.metrics().all().collect();
    let batched_cohorts: Vec<_> = batched.metrics().all().collect();
    assert_eq!(
        stepped_cohorts.len(),
        batched_cohorts.len(),
        "{label}: cohorts"
    );
    for ((key, a), (_, b)) in stepped_cohorts.iter().zip(&batched_cohorts) {
        assert_eq!(
            shown(a, stepped.now()),
            shown(b, batched.now()),
            "{label}: cohort {key:?}"
        );
    }
    for (index, environment) in stepped.world().environments.iter().enumerate() {
        let index = index as u32;
        let (a, b) = (
            stepped.metrics().environment(index).unwrap(),
            batched.metrics().environment(index).unwrap(),
        );
        assert_eq!(
            shown(a, stepped.now()),
            shown(b, batched.now()),
            "{label}: environment {}",
            environment.spec.name
        );
        let other = &batched.world().environments[index as usize];
        assert_eq!(environment.health, other.health, "{label}: dependencies");
        assert_eq!(environment.users_affected(), other.users_affected());
        assert_eq!(
            environment.users_affected_recently(),
            other.users_affected_recently()
        );
    }
    assert_eq!(
        stepped.audit().head(),
        batched.audit().head(),
        "{label}: audit"
    );
    assert_eq!(
        stepped.state_digest(),
        batched.state_digest(),
        "{label}: digest"
    );
}

#[test]
fn the_benchmark_world_is_the_same_stepped_or_batched() {
    // 26 hours: a day of rollouts and faults, so the last hour is compared after a long batch.
    for seed in [1u64, 9] {
        let until = 26 * 3_600;
        let mut stepped = Sim::new(scenario::bench_world(), seed);
        step_to(&mut stepped, until);
        let mut batched = Sim::new(scenario::bench_world(), seed);
        batched.advance_to(Tick(until));
        assert_eq!(stepped.minutes_written_whole(), 0);
        assert!(
            batched.minutes_written_whole() > 20 * 60,
            "most of a day is quiet: {} minutes written whole (seed {seed})",
            batched.minutes_written_whole()
        );
        assert_same_run(&stepped, &batched, &format!("bench seed {seed}"));
    }
}

#[test]
fn a_production_day_is_the_same_stepped_or_batched() {
    for seed in [1u64, 5, u64::MAX] {
        let mut stepped = Sim::new(scenario::builtin("production-day").unwrap(), seed);
        while !stepped.is_finished() {
            stepped.step();
        }
        let batched = Sim::run_builtin("production-day", seed).unwrap();
        assert!(batched.minutes_written_whole() > 0, "seed {seed}");
        assert_same_run(&stepped, &batched, &format!("production-day seed {seed}"));
    }
}

#[test]
fn a_command_in_the_middle_of_a_quiet_minute_replays_exactly() {
    let scenario = scenario::bench_world();
    // 05:00:30 on the first day: half-way through a quiet minute, long before any fault.
    let at = 5 * 3_600 + 30;
    let mut live = Sim::new(scenario.clone(), 3);
    step_to(&mut live, at);
    live.apply(Command::InjectFault {
        fault: FaultKind::BadBuild {
            error_rate_bp: 2_000,
        },
        target: FaultTarget {
            environment: "production".to_string(),
            service: Some("service-03".to_string()),
            version: None,
            zone: None,
        },
        duration_s: Some(600),
    })
    .unwrap();
    step_to(&mut live, at + 2 * 3_600);
    let commands: Vec<TimedCommand> = live.commands().to_vec();
    let mut replayed = Sim::new(scenario, 3);
    replayed.advance_to(Tick(at));
    for timed in &commands {
        replayed.apply(timed.command.clone()).unwrap();
    }
    replayed.advance_to(Tick(at + 2 * 3_600));
    assert!(replayed.minutes_written_whole() > 0);
    assert_same_run(&live, &replayed, "fault injected mid-minute");
}

#[test]
fn a_fault_that_is_not_steady_leaves_only_its_service_stepped() {
    let mut world = scenario::bench_world();
    // The first scheduled fault starts at 01:00 on service-01 for 15 minutes; a memory leak
    // changes its instances from second to second.
    world.faults[0].kind = FaultKind::MemoryLeak { mib_per_minute: 40 };
    let mut sim = Sim::new(world, 4);
    step_to(&mut sim, 3_600 + 120);
    let fault = &sim.faults()[0];
    assert_eq!(fault.target.service.as_deref(), Some("service-01"));
    assert!(!fault.kind.is_steady());
    let production = sim.world().environment_index("production").unwrap();
    for service in sim
        .world()
        .services
        .iter()
        .filter(|s| s.environment == production)
    {
        assert_eq!(
            service.quiet.is_none(),
            service.spec.name == "service-01",
            "{} is planned only if the fault is elsewhere",
            service.spec.name
        );
    }
}

/// The benchmark world cut to its first 40 minutes, with one fault of `kind` on `service`
/// (every service when `None`) from minute 10 to minute 25; `every_second` turns planning off.
fn one_fault(kind: FaultKind, service: Option<&str>, every_second: bool) -> Sim {
    let mut world = scenario::bench_world();
    world.schedule.clear();
    world.faults = vec![engine::world::fault::Fault {
        kind,
        target: FaultTarget {
            environment: "production".to_string(),
            service: service.map(String::from),
            version: None,
            zone: None,
        },
        start: Tick(600),
        end: Some(Tick(1_500)),
    }];
    world.every_second = every_second;
    Sim::new(world, 12)
}

/// A production service's requests and errors over the fault's fifteen minutes.
fn fault_window_totals(sim: &Sim, service: &str) -> (u64, u64) {
    let index = sim.world().service_index("production", service).unwrap();
    let key = engine::metrics::CohortKey {
        service: index,
        version: sim.world().services[index as usize].stable,
    };
    sim.metrics()
        .cohort(key)
        .unwrap()
        .minutes()
        .filter(|minute| (600..1_500).contains(&minute.start.0))
        .fold((0, 0), |(requests, errors), minute| {
            (requests + minute.requests, errors + minute.errors)
        })
}

#[test]
fn a_steady_fault_is_planned_and_keeps_the_per_second_models_errors_and_users() {
    // (fault, service it names, the error rate it brings, in basis points, near enough)
    let cases = [
        (
            FaultKind::BadBuild {
                error_rate_bp: 1_500,
            },
            Some("service-01"),
            1_500.0,
        ),
        (FaultKind::DatabaseOutage, None, 6_000.0),
        (
            FaultKind::SecretMissing {
                secret: "DATABASE_PASSWORD".to_string(),
            },
            Some("service-02"),
            6_000.0,
        ),
        (FaultKind::MetricsProviderDown, None, 0.0),
    ];
    for (kind, service, fault_rate_bp) in cases {
        assert!(kind.is_steady(), "{kind:?}");
        let label = kind.id();
        let mut planned = one_fault(kind.clone(), service, false);
        step_to(&mut planned, 600 + 90);
        let named = service.unwrap_or("service-03");
        let index = planned.world().service_index("production", named).unwrap();
        assert!(
            planned.world().services[index as usize].quiet.is_some(),
            "{label}: {named} is planned under the fault"
        );
        step_to(&mut planned, 2_400);
        let mut stepped = one_fault(kind.clone(), service, true);
        step_to(&mut stepped, 2_400);
        let (planned_requests, planned_errors) = fault_window_totals(&planned, named);
        let (stepped_requests, stepped_errors) = fault_window_totals(&stepped, named);
        // About 12,700 requests in the window: a rate's noise is about 30 bp. Both runs draw each
        // second's failures from the same keyed stream, so they differ mostly by the requests.
        let rate_bp = |errors: u64, requests: u64| errors as f64 * 10_000.0 / requests as f64;
        let planned_rate = rate_bp(planned_errors, planned_requests);
        let stepped_rate = rate_bp(stepped_errors, stepped_requests);
        assert!(
            (planned_rate - stepped_rate).abs() < 100.0
                && (planned_rate - fault_rate_bp).abs() < 200.0,
            "{label}: {planned_rate:.0} bp planned, {stepped_rate:.0} bp second by second, about {fault_rate_bp} expected (seed 12)"
        );
        assert!(
            (planned_requests as f64 / stepped_requests as f64 - 1.0).abs() < 0.01,
            "{label}: {planned_requests} requests planned, {stepped_requests} second by second (seed 12)"
        );
        let production = planned.world().environment_index("production").unwrap() as usize;
        let users = |sim: &Sim| f64::from(sim.world().environments[production].users_affected());
        assert!(
            (users(&planned) / users(&stepped) - 1.0).abs() < 0.05,
            "{label}: {} users hit planned, {} second by second (seed 12)",
            users(&planned),
            users(&stepped)
        );
        let series = planned
            .metrics()
            .cohort(engine::metrics::CohortKey {
                service: index,
                version: planned.world().services[index as usize].stable,
            })
            .unwrap();
        let no_data_in_window = series
            .samples()
            .iter()
            .filter(|s| (600..1_500).contains(&s.tick.0))
            .all(|s| s.no_data);
        assert_eq!(
            no_data_in_window,
            matches!(kind, FaultKind::MetricsProviderDown),
            "{label}: seconds without data exactly while the metrics provider is down"
        );
    }
}

#[test]
fn quiet_minutes_keep_the_volume_and_error_rate_of_the_curve() {
    let mut sim = Sim::new(scenario::bench_world(), 8);
    // 02:00 to 03:00 on the first day: quiet, on a falling stretch of the curve.
    step_to(&mut sim, 2 * 3_600);
    let service = sim
        .world()
        .service_index("production", "service-02")
        .unwrap();
    let start_unix_s = sim.scenario().start_unix_s;
    let shape = sim.world().services[service as usize].spec.traffic.clone();
    let version = sim.world().services[service as usize].stable;
    let error_rate_bp = sim.scenario().profile(version).error_rate_bp;
    step_to(&mut sim, 3 * 3_600);
    let series = sim
        .metrics()
        .cohort(engine::metrics::CohortKey { service, version })
        .unwrap();
    let hour: Vec<_> = series
        .samples()
        .iter()
        .filter(|s| s.tick.0 >= 2 * 3_600)
        .collect();
    assert_eq!(
        hour.len(),
        3_600,
        "every second of a quiet minute is recorded"
    );
    let expected: f64 = (2 * 3_600..3 * 3_600u64)
        .map(|tick| shape.expected_rps(start_unix_s + tick))
        .sum();
    let requests: u64 = hour.iter().map(|s| u64::from(s.requests)).sum();
    let errors: u64 = hour.iter().map(|s| u64::from(s.errors)).sum();
    assert!(
        (requests as f64 - expected).abs() < expected * 0.01,
        "{requests} requests against {expected:.0} expected (seed 8)"
    );
    let rate_bp = errors as f64 * 10_000.0 / requests as f64;
    assert!(
        (rate_bp - f64::from(error_rate_bp)).abs() < f64::from(error_rate_bp) * 0.5,
        "{rate_bp:.1} bp against the version's {error_rate_bp} bp (seed 8)"
    );
    assert!(
        hour.iter().all(|s| s.errors <= s.requests),
        "no second fails more requests than it has"
    );
}

#[test]
fn running_past_the_end_is_the_same_stepped_or_batched() {
    let until = 40 * 3_600;
    let mut stepped = Sim::new(scenario::builtin("production-day").unwrap(), 2);
    while stepped.now().0 < until {
        stepped.step();
    }
    let mut batched = Sim::new(scenario::builtin("production-day").unwrap(), 2);
    batched.continue_to(Tick(until));
    assert!(batched.minutes_written_whole() > 12 * 60);
    assert_same_run(&stepped, &batched, "production-day to 40 h");
}

/// A mixed minute of batch mode (some services planned, some stepped) gives what stepping
/// every second gives, whole or cut short.
mod mixed_minutes {
    use engine::metrics::{Metrics, SecondSample};
    use engine::time::Tick;
    use engine::version::VersionProfile;
    use engine::world::World;
    use engine::world::quiet::{MINUTE_S, MinuteContext};

    /// Steps `seconds` seconds of a planned minute on `world`, second by second (tick mode) or
    /// as a mixed minute, and returns each second's environment totals.
    fn run_minute(
        world: &mut World,
        metrics: &mut Metrics,
        start_unix_s: u64,
        versions: &[VersionProfile],
        seconds: u32,
        mixed: bool,
    ) -> Vec<Vec<SecondSample>> {
        let minute_slot =
            (start_unix_s / 60 % u64::from(engine::world::RECENT_USER_MINUTES)) as u32;
        if mixed {
            world.begin_planned_minute(Tick(0));
        }
        let mut all_totals = Vec::new();
        for second in 0..seconds {
            let tick = Tick(u64::from(second));
            world.update_dependencies(&[], start_unix_s + u64::from(second));
            let mut totals = vec![
                SecondSample {
                    tick,
                    ..SecondSample::default()
                };
                world.environments.len()
            ];
            if mixed {
                world.add_planned_second(tick, &mut totals);
            } else {
                for index in 0..world.services.len() as u32 {
                    if let Some(total) =
                        world.serve_quiet(index, tick, minute_slot, versions, metrics)
                    {
                        totals[world.services[index as usize].environment as usize].absorb(&total);
                    }
                }
            }
            all_totals.push(totals);
        }
        if mixed {
            world.end_planned_minute(minute_slot, versions, metrics);
        }
        all_totals
    }

    #[test]
    fn a_mixed_minute_cut_short_or_whole_matches_tick_by_tick() {
        let scenario = engine::scenario::bench_world();
        let versions = &scenario.versions;
        // 14:00 on a weekday: busy enough for failures in most services every minute.
        let start_unix_s = scenario.start_unix_s + 14 * 3_600;
        for seconds in [1u32, 25, MINUTE_S] {
            let mut world = World::new(&scenario.environments, versions).unwrap();
            for service in &mut world.services {
                let conditions = engine::world::fleet::FleetConditions::default();
                service.fleet.reconcile(Tick(0), 7, versions, &conditions);
            }
            let minute = MinuteContext::new(Tick(0), start_unix_s, 7, versions);
            world.plan_quiet_minutes(&minute, &vec![false; world.services.len()], &[]);
            assert!(world.services.iter().filter(|s| s.quiet.is_some()).count() > 20);
            let (mut stepped, mut mixed) = (world.clone(), world);
            let (mut stepped_metrics, mut mixed_metrics) = (Metrics::default(), Metrics::default());
            let stepped_totals = run_minute(
                &mut stepped,
                &mut stepped_metrics,
                start_unix_s,
                versions,
                seconds,
                false,
            );
            let mixed_totals = run_minute(
                &mut mixed,
                &mut mixed_metrics,
                start_unix_s,
                versions,
                seconds,
                true,
            );
            assert_eq!(
                stepped_totals, mixed_totals,
                "{seconds} s: environment totals"
            );
            assert_eq!(
                stepped.environments, mixed.environments,
                "{seconds} s: dependencies and users"
            );
            if seconds < MINUTE_S {
                assert_eq!(
                    stepped_metrics, mixed_metrics,
                    "{seconds} s: written second by second"
                );
            } else {
                for ((key, a), (_, b)) in stepped_metrics.all().zip(mixed_metrics.all()) {
                    assert_eq!(
                        (a.requests_total, a.errors_total, a.tokens_total, a.latest()),
                        (b.requests_total, b.errors_total, b.tokens_total, b.latest()),
                        "whole minute: {key:?}"
                    );
                }
                assert!(stepped_metrics.all().any(|(_, s)| s.errors_total > 0));
            }
        }
    }
}
