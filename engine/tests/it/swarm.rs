//! Swarm testing after TigerBeetle's VOPR: each seed draws a world, a strategy (router or basic
//! canary, rolling update, Recreate, blue-green, Flagger, feature flag), a release, faults and a trainee's
//! commands; invariants are checked every simulated second (safety), then every fault
//! is cleared and the world must settle (liveness). A failure prints the seed and how to rerun it.
//!
//! More seeds: `DOJO_SWARM_SEEDS=500 cargo test -p engine --test it swarm`.
//! One seed: `DOJO_SWARM_SEED=1234 cargo test -p engine --test it swarm`; add
//! `DOJO_SWARM_DEBUG=1` to print the end of its audit log when it fails to recover.

use engine::controllers::blue_green::BlueGreenSpec;
use engine::controllers::feature_flag::{FlagRolloutSpec, FlagStep};
use engine::controllers::flagger::{FlaggerMetric, FlaggerSpec};
use engine::prng::{Prng, Stream};
use engine::scenario::{Scenario, Strategy, builtin};
use engine::upstream::flags::FlagProvider;
use engine::upstream::intstr::IntOrPercent;
use engine::upstream::kubernetes::{DeploymentSpec, DeploymentStrategyType};
use engine::version::VersionId;
use engine::world::fault::{FaultKind, FaultTarget, catalogue};
use engine::world::traffic::TrafficShape;
use engine::world::{ServiceSpec, standard_environments};
use engine::{Command, Sim};

const SAFETY_S: u64 = 1_500;
const LIVENESS_S: u64 = 1_200;

fn swarm_world(prng: &mut Prng) -> Scenario {
    let release = if prng.chance(1, 2) {
        "canary-bad-release"
    } else {
        "canary-good-release"
    };
    let mut scenario = builtin(release).expect("built in");
    let mut services = vec![ServiceSpec::typical(
        "checkout",
        "v1",
        10,
        TrafficShape::flat(50 + prng.below(400) as u32),
    )];
    for index in 0..prng.below(4) {
        let mut spec = ServiceSpec::typical(
            &format!("svc{index}"),
            "v1",
            1 + prng.below(12) as u32,
            TrafficShape::daily(10 + prng.below(600) as u32),
        );
        spec.ai_share_bp = if prng.chance(1, 3) {
            prng.below(10_001) as u32
        } else {
            0
        };
        services.push(spec);
    }
    scenario.environments = standard_environments(services);
    scenario.schedule[0].at = engine::time::Tick(prng.below(300));
    scenario.strategy = random_strategy(prng, &mut scenario);
    scenario.settle_s = 0;
    scenario.max_duration_s = (SAFETY_S + LIVENESS_S) as u32 + 10;
    scenario
}

/// One of the strategies, with random settings (never both surge and unavailability zero,
/// which validation refuses).
fn random_strategy(prng: &mut Prng, scenario: &mut Scenario) -> Strategy {
    let replicas = scenario.canary.replicas;
    let (surge, unavailable) = loop {
        let pair = (prng.below(4) as i64, prng.below(4) as i64);
        if pair != (0, 0) {
            break pair;
        }
    };
    match prng.below(7) {
        0 => Strategy::ArgoCanary,
        6 => Strategy::FeatureFlag {
            spec: FlagRolloutSpec {
                provider: if prng.chance(1, 2) {
                    FlagProvider::Unleash
                } else {
                    FlagProvider::LaunchDarkly
                },
                flag_key: "swarm-flag".to_string(),
                steps: [5, 25, 100]
                    .into_iter()
                    .map(|percent| FlagStep {
                        percent,
                        hold_s: prng.below(300) as u32,
                    })
                    .collect(),
                replicas,
            },
        },
        1 => {
            scenario.canary.traffic_routing = false;
            scenario.canary.max_surge = IntOrPercent::Int(surge);
            scenario.canary.max_unavailable = IntOrPercent::Int(unavailable);
            Strategy::ArgoCanary
        }
        2 | 3 => Strategy::KubernetesDeployment {
            name: "checkout".to_string(),
            spec: DeploymentSpec {
                replicas: replicas as i32,
                strategy: if prng.chance(1, 2) {
                    DeploymentStrategyType::RollingUpdate
                } else {
                    DeploymentStrategyType::Recreate
                },
                max_surge: Some(IntOrPercent::Int(surge)),
                max_unavailable: Some(IntOrPercent::Int(unavailable)),
                min_ready_seconds: prng.below(30) as i32,
                progress_deadline_seconds: Some(120 + prng.below(600) as i32),
                ..DeploymentSpec::default()
            },
        },
        4 => Strategy::ArgoBlueGreen {
            spec: BlueGreenSpec {
                replicas,
                active_service: "active".to_string(),
                preview_service: Some("preview".to_string()),
                preview_replica_count: prng.chance(1, 2).then(|| 1 + prng.below(10) as u32),
                auto_promotion_enabled: prng.chance(1, 2),
                auto_promotion_seconds: prng.chance(1, 2).then(|| prng.below(120) as u32),
                scale_down_delay_s: 30,
                abort_scale_down_delay_s: prng.below(60) as u32,
                pre_promotion_analysis: prng
                    .chance(1, 2)
                    .then(|| scenario.canary.analysis.as_ref().unwrap().gate.clone()),
                post_promotion_analysis: prng
                    .chance(1, 2)
                    .then(|| scenario.canary.analysis.as_ref().unwrap().gate.clone()),
            },
        },
        _ => Strategy::Flagger {
            spec: FlaggerSpec {
                name: "checkout".to_string(),
                replicas,
                interval_s: 10 + prng.below(60) as u32,
                threshold: 1 + prng.below(5) as u32,
                max_weight: 30 + prng.below(71) as u32,
                step_weight: 5 + prng.below(30) as u32,
                step_weights: Vec::new(),
                iterations: prng.chance(1, 4).then(|| 1 + prng.below(5) as u32),
                metrics: vec![FlaggerMetric {
                    name: "request-success-rate".to_string(),
                    min_milli: Some(99_000),
                    max_milli: None,
                    interval_s: 60,
                }],
                confirm_promotion: prng.chance(1, 3),
                progress_deadline_s: 600,
                ab_match: if prng.chance(1, 2) {
                    vec!["header x-canary exact \"insider\"".to_string()]
                } else {
                    Vec::new()
                },
            },
        },
    }
}

fn random_fault(prng: &mut Prng, scenario: &Scenario) -> (FaultKind, FaultTarget) {
    let kinds = catalogue();
    let kind = kinds[prng.below(kinds.len() as u64) as usize].clone();
    let environment =
        &scenario.environments[prng.below(scenario.environments.len() as u64) as usize];
    let service = (!environment.services.is_empty() && prng.chance(1, 2)).then(|| {
        environment.services[prng.below(environment.services.len() as u64) as usize]
            .name
            .clone()
    });
    let version = prng.chance(1, 3).then(|| {
        scenario.versions[prng.below(scenario.versions.len() as u64) as usize]
            .name
            .clone()
    });
    let zone = prng
        .chance(1, 2)
        .then(|| environment.zones[prng.below(environment.zones.len() as u64) as usize].clone());
    (
        kind,
        FaultTarget {
            environment: environment.name.clone(),
            service,
            version,
            zone,
        },
    )
}

fn check_invariants(sim: &Sim, previous_audit_len: usize) -> Result<(), String> {
    let split = sim.traffic_split();
    let total: u32 = split.iter().map(|(_, w)| w).sum();
    if total != 100 {
        return Err(format!("traffic weights sum to {total}"));
    }
    let versions = sim.scenario().versions.len() as u32;
    if let Some((version, _)) = split.iter().find(|(v, w)| *w > 0 && v.0 >= versions) {
        return Err(format!("traffic to unknown version {version:?}"));
    }
    for service in &sim.world().services {
        for version in 0..versions {
            let counts = service.fleet.counts(VersionId(version));
            let live = service
                .fleet
                .instances()
                .iter()
                .filter(|i| i.version == VersionId(version))
                .count() as u32;
            let counted = counts.pending
                + counts.starting
                + counts.ready
                + counts.crash_looping
                + counts.draining;
            if counted != live || counts.ready > live {
                return Err(format!(
                    "{} v{version}: counts {counts:?} but {live} instances",
                    service.spec.name
                ));
            }
        }
    }
    for (key, series) in sim.metrics().all() {
        if let Some(sample) = series.latest()
            && (sample.errors > sample.requests || sample.unserved > sample.errors)
        {
            return Err(format!("cohort {key:?}: {sample:?}"));
        }
    }
    let records = sim.audit().records();
    if records.len() < previous_audit_len {
        return Err("the audit log shrank".to_string());
    }
    for pair in records.windows(2) {
        if pair[1].tick < pair[0].tick || pair[1].seq != pair[0].seq + 1 {
            return Err(format!("audit records out of order at seq {}", pair[1].seq));
        }
    }
    Ok(())
}

fn run_seed(seed: u64) -> Result<(), String> {
    let mut prng = Prng::substream(seed, Stream::Swarm);
    let scenario = swarm_world(&mut prng);
    let fault_count = prng.below(6);
    let mut plan: Vec<(u64, Command)> = (0..fault_count)
        .map(|_| {
            let (fault, target) = random_fault(&mut prng, &scenario);
            let at = prng.below(SAFETY_S - 200);
            let duration_s = Some(30 + prng.below(600) as u32);
            (
                at,
                Command::InjectFault {
                    fault,
                    target,
                    duration_s,
                },
            )
        })
        .collect();
    for _ in 0..prng.below(4) {
        let command = match prng.below(5) {
            0 => Command::Abort,
            1 => Command::Promote,
            2 => Command::PromoteFull,
            3 => Command::Undo,
            _ => Command::Retry,
        };
        plan.push((prng.below(SAFETY_S), command));
    }
    plan.sort_by_key(|(at, _)| *at);
    let mut sim = Sim::try_new(scenario, seed)?;
    let mut audit_len = 0;
    let mut next = 0;
    while sim.now().0 < SAFETY_S {
        while next < plan.len() && plan[next].0 <= sim.now().0 {
            // Refused commands are part of the test: they must leave the world consistent.
            let _ = sim.apply(plan[next].1.clone());
            next += 1;
        }
        sim.step();
        check_invariants(&sim, audit_len).map_err(|why| format!("at {} s: {why}", sim.now().0))?;
        audit_len = sim.audit().records().len();
    }
    // Liveness: clear every fault still active, then the rolled-out service must settle.
    for id in 0..sim.faults().len() as u32 {
        let _ = sim.apply(Command::ClearFault { fault_id: id });
    }
    // A rollout still waiting for a person is promoted so it can finish.
    let _ = sim.apply(Command::PromoteFull);
    for _ in 0..LIVENESS_S {
        sim.step();
        check_invariants(&sim, audit_len).map_err(|why| format!("at {} s: {why}", sim.now().0))?;
        audit_len = sim.audit().records().len();
    }
    let outcome = sim.outcome();
    let stable = sim
        .scenario()
        .version_id(&outcome.stable_version)
        .ok_or("the serving version is unknown")?;
    let counts = sim.fleet().counts(stable);
    if counts.ready != sim.scenario().canary.replicas {
        if std::env::var("DOJO_SWARM_DEBUG").is_ok() {
            for r in sim.audit().records().iter().rev().take(25).rev() {
                eprintln!("{} {} {} {}", r.tick.0, r.action, r.version, r.reason);
            }
            eprintln!("{:?}", sim.rollout());
            eprintln!(
                "routing {:?} traffic_routing {}",
                sim.world().services[sim.target() as usize].routing,
                sim.scenario().canary.traffic_routing
            );
        }
        return Err(format!(
            "after {LIVENESS_S} s without faults {} ({:?}) has {counts:?}",
            outcome.stable_version,
            sim.scenario().strategy
        ));
    }
    Ok(())
}

#[test]
fn swarm_keeps_invariants_and_recovers() {
    let seeds: Vec<u64> = match std::env::var("DOJO_SWARM_SEED") {
        Ok(one) => vec![one.parse().expect("DOJO_SWARM_SEED is a number")],
        Err(_) => {
            let count: u64 = std::env::var("DOJO_SWARM_SEEDS")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(300);
            (0..count).map(|i| 0x5EED_0000 + i).collect()
        }
    };
    for seed in seeds {
        if let Err(why) = run_seed(seed) {
            panic!(
                "swarm seed {seed} failed {why}\nreproduce with: DOJO_SWARM_SEED={seed} cargo test -p engine --test it swarm"
            );
        }
    }
}

#[test]
fn a_thousand_seeds_run_twice_give_identical_digests() {
    let scenario = builtin("canary-bad-release").unwrap();
    for seed in 0..1_000u64 {
        let mut first = Sim::new(scenario.clone(), seed);
        first.run_to_end();
        let mut second = Sim::new(scenario.clone(), seed);
        second.run_to_end();
        assert_eq!(
            first.audit().head(),
            second.audit().head(),
            "seed {seed} diverged; reproduce with: cargo run -p engine --bin dojo -- run canary-bad-release --seed {seed}"
        );
    }
}
