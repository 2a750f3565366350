//! Whole runs of the built-in scenarios, checked second by second against what a trainee must see.

use engine::audit::{Actor, AuditLog};
use engine::controllers::rollout::RolloutPhase;
use engine::{Command, Sim, scenario};

const SEEDS: std::ops::Range<u64> = 0..40;

fn reproduce(id: &str, seed: u64) -> String {
    format!("reproduce with: cargo run -p engine --bin dojo -- run {id} --seed {seed}")
}

/// Runs `id` with `seed` to its end, checking the traffic split every second.
fn run_checking_traffic(id: &str, seed: u64, max_canary_weight_percent: u32) -> Sim {
    let mut sim = Sim::new(scenario::builtin(id).expect("built-in scenario"), seed);
    while !sim.is_finished() {
        sim.step();
        let split = sim.traffic_split();
        let total: u32 = split.iter().map(|(_, weight)| weight).sum();
        assert_eq!(
            total,
            100,
            "weights must sum to 100 at {:?}; {}",
            sim.now(),
            reproduce(id, seed)
        );
        let canary_weight = sim.rollout().unwrap().traffic_weight_percent;
        assert!(
            canary_weight <= max_canary_weight_percent,
            "canary carried {canary_weight} % at {:?}, more than {max_canary_weight_percent} %; {}",
            sim.now(),
            reproduce(id, seed)
        );
    }
    sim
}

#[test]
fn the_bad_release_is_caught_at_ten_percent_and_rolled_back() {
    for seed in SEEDS {
        let id = "canary-bad-release";
        let sim = run_checking_traffic(id, seed, 10);
        let outcome = sim.outcome();
        let hint = reproduce(id, seed);
        assert_eq!(outcome.result, "rolled_back", "{hint}");
        assert_eq!(outcome.stable_version, "v1", "{hint}");
        assert_eq!(outcome.max_canary_traffic_weight_percent, 10, "{hint}");
        assert_eq!(
            sim.traffic_split(),
            vec![
                (sim.rollout().unwrap().stable, 100),
                (sim.rollout().unwrap().canary.unwrap(), 0)
            ],
            "{hint}"
        );
        assert_eq!(outcome.phase, RolloutPhase::Degraded.label(), "{hint}");
        assert_eq!(
            outcome.unserved_requests_total, 0,
            "a canary must not cause downtime; {hint}"
        );
        // The canary's instances are gone once the abort delay has passed.
        let v2 = sim.scenario().version_id("v2").unwrap();
        assert_eq!(sim.fleet().counts(v2), Default::default(), "{hint}");

        let actions = sim.audit().actions();
        let aborted_at = actions
            .iter()
            .position(|a| *a == "RolloutAborted")
            .unwrap_or_else(|| panic!("no RolloutAborted; {hint}"));
        assert_eq!(
            actions[aborted_at - 1],
            "AnalysisRunFailed",
            "the gate decided the abort; {hint}"
        );
        assert_eq!(
            actions[aborted_at + 1],
            "TrafficWeightUpdated",
            "traffic returns at once; {hint}"
        );
        assert!(
            sim.audit().records()[aborted_at]
                .reason
                .contains("> 5.0 % threshold"),
            "{hint}"
        );
        assert_eq!(
            sim.audit().records()[aborted_at].actor,
            Actor::RolloutController,
            "{hint}"
        );
        assert!(!actions.contains(&"RolloutCompleted"), "{hint}");
    }
}

#[test]
fn the_good_release_goes_to_one_hundred_percent() {
    for seed in SEEDS {
        let id = "canary-good-release";
        let sim = run_checking_traffic(id, seed, 100);
        let outcome = sim.outcome();
        let hint = reproduce(id, seed);
        assert_eq!(outcome.result, "promoted", "{hint}");
        assert_eq!(outcome.stable_version, "v3", "{hint}");
        assert_eq!(outcome.phase, "Healthy", "{hint}");
        assert_eq!(outcome.max_canary_traffic_weight_percent, 100, "{hint}");
        assert_eq!(outcome.unserved_requests_total, 0, "{hint}");
        let v1 = sim.scenario().version_id("v1").unwrap();
        let v3 = sim.scenario().version_id("v3").unwrap();
        assert_eq!(
            sim.fleet().counts(v1).ready + sim.fleet().counts(v1).draining,
            0,
            "old version scaled down; {hint}"
        );
        assert_eq!(sim.fleet().counts(v3).ready, 10, "{hint}");

        // The weights step 10 → 25 → 50 → 100, in order, each once.
        let weights: Vec<&str> = sim
            .audit()
            .records()
            .iter()
            .filter(|r| r.action == "TrafficWeightUpdated")
            .map(|r| r.reason.as_str())
            .collect();
        assert_eq!(
            weights,
            vec![
                "Traffic weight updated from 0 to 10",
                "Traffic weight updated from 10 to 25",
                "Traffic weight updated from 25 to 50",
                "Traffic weight updated from 50 to 100"
            ],
            "{hint}"
        );
        let completed_steps = sim
            .audit()
            .records()
            .iter()
            .filter(|r| r.action == "RolloutStepCompleted")
            .count();
        assert_eq!(completed_steps, 7, "{hint}");
    }
}

#[test]
fn pauses_last_their_duration() {
    let sim = run_checking_traffic("canary-good-release", 3, 100);
    let records = sim.audit().records();
    let paused: Vec<u64> = records
        .iter()
        .filter(|r| r.action == "RolloutPaused")
        .map(|r| r.tick.0)
        .collect();
    let resumed: Vec<u64> = records
        .iter()
        .filter(|r| r.action == "RolloutResumed")
        .map(|r| r.tick.0)
        .collect();
    assert_eq!(paused.len(), 3);
    assert_eq!(resumed.len(), 3);
    for (pause, resume) in paused.iter().zip(&resumed) {
        assert_eq!(resume - pause, 120, "pause: 2m lasts 120 simulated seconds");
    }
}

#[test]
fn a_trainee_abort_rolls_back_a_good_release() {
    let mut sim = Sim::new(scenario::builtin("canary-good-release").unwrap(), 5);
    while sim.rollout().unwrap().traffic_weight_percent < 25 {
        sim.step();
    }
    sim.apply(Command::Abort)
        .expect("abort applies during a rollout");
    assert_eq!(
        sim.rollout().unwrap().traffic_weight_percent,
        0,
        "abort moves traffic at once"
    );
    sim.run_to_end();
    let outcome = sim.outcome();
    assert_eq!(outcome.result, "rolled_back");
    assert_eq!(outcome.stable_version, "v1");
    let abort = sim
        .audit()
        .records()
        .iter()
        .find(|r| r.action == "RolloutAborted")
        .unwrap();
    assert_eq!(abort.actor, Actor::Trainee);
    assert_eq!(sim.commands().len(), 1);
}

#[test]
fn promote_skips_a_pause_and_refused_commands_change_nothing() {
    let mut sim = Sim::new(scenario::builtin("canary-good-release").unwrap(), 9);
    assert!(
        sim.apply(Command::Promote).is_err(),
        "nothing to promote before the rollout starts"
    );
    assert!(
        sim.apply(Command::StartRollout {
            version: "v9".to_string()
        })
        .is_err()
    );
    assert!(
        sim.commands().is_empty(),
        "refused commands are not part of the run"
    );
    while sim.rollout().unwrap().pause_started_at.is_none() {
        sim.step();
    }
    let step_before = sim.rollout().unwrap().step_index;
    sim.apply(Command::Promote)
        .expect("promote applies during a pause");
    assert_eq!(sim.rollout().unwrap().step_index, step_before + 1);
    assert!(sim.rollout().unwrap().pause_started_at.is_none());
}

#[test]
fn retry_after_abort_starts_again_from_the_first_step() {
    let mut sim = Sim::new(scenario::builtin("canary-good-release").unwrap(), 2);
    while sim.rollout().unwrap().traffic_weight_percent == 0 {
        sim.step();
    }
    sim.apply(Command::Abort).unwrap();
    assert!(
        sim.apply(Command::Promote).is_err(),
        "an aborted rollout cannot be promoted"
    );
    sim.apply(Command::Retry).unwrap();
    assert_eq!(sim.rollout().unwrap().step_index, 0);
    sim.run_to_end();
    assert_eq!(sim.outcome().result, "promoted");
}

#[test]
fn the_audit_chain_verifies_and_only_grows() {
    let mut sim = Sim::new(scenario::builtin("canary-bad-release").unwrap(), 11);
    let mut previous_len = 0;
    let mut previous_tick = 0;
    while !sim.is_finished() {
        sim.step();
        let records = sim.audit().records();
        assert!(records.len() >= previous_len);
        for record in &records[previous_len..] {
            assert!(record.tick.0 >= previous_tick, "records are in time order");
            previous_tick = record.tick.0;
        }
        previous_len = records.len();
    }
    assert_eq!(
        AuditLog::verify(sim.audit().records(), sim.audit().head()),
        Ok(())
    );
}

#[test]
fn run_to_decision_stops_at_each_teachable_moment() {
    let mut sim = Sim::new(scenario::builtin("canary-bad-release").unwrap(), 1);
    let mut stops = Vec::new();
    while let Some(record) = sim.run_to_decision(3_600) {
        stops.push((record.action.clone(), record.tick.0));
    }
    let actions: Vec<&str> = stops.iter().map(|(action, _)| action.as_str()).collect();
    assert_eq!(
        actions,
        vec!["RolloutPaused", "AnalysisRunFailed"],
        "{stops:?}"
    );
    // The pause begins the second after the 10 % step completes, and the run stops right there.
    let paused_at = sim
        .audit()
        .records()
        .iter()
        .find(|r| r.action == "RolloutPaused")
        .unwrap()
        .tick
        .0;
    assert_eq!(stops[0].1, paused_at);
    assert!(
        sim.is_finished(),
        "after the last decision the story runs to its end"
    );
}

#[test]
fn an_ordinary_day_in_production_stays_healthy_between_its_faults() {
    // The AI quota, database pool and capacities must fit the day's traffic: only the scheduled
    // faults may hurt, so errors outside them stay at the releases' own rates.
    let mut sim = Sim::new(scenario::builtin("production-day").unwrap(), 1);
    sim.run_to_end();
    let production = sim.world().environment_index("production").unwrap();
    let health = &sim.world().environments[production as usize].health;
    assert!(
        !health.ai_quota_exhausted,
        "the AI quota lasts the day ({} tokens used)",
        health.ai_tokens_today
    );
    let series = sim.metrics().environment(production).unwrap();
    // The last hour (23:00-24:00) has no fault and no rollout.
    let last_hour = series.samples();
    let requests: u64 = last_hour.iter().map(|s| u64::from(s.requests)).sum();
    let errors: u64 = last_hour.iter().map(|s| u64::from(s.errors)).sum();
    assert!(
        errors * 100 < requests,
        "{errors} errors in {requests} requests in a quiet hour"
    );
}

fn with_migration(
    id: &str,
    release: &str,
    migration: engine::version::SchemaMigration,
) -> engine::scenario::Scenario {
    let mut scenario = scenario::builtin(id).unwrap();
    let index = scenario.version_id(release).unwrap().0 as usize;
    scenario.versions[index].schema_migration = migration;
    scenario
}

fn stable_error_rate(sim: &Sim, version: &str, window_s: u32) -> f64 {
    let key = engine::metrics::CohortKey {
        service: sim.target(),
        version: sim.scenario().version_id(version).unwrap(),
    };
    let window = sim
        .metrics()
        .window(key, engine::time::Tick(sim.now().0 - 1), window_s);
    window.errors as f64 / window.requests.max(1) as f64
}

#[test]
fn a_breaking_migration_fails_the_old_release_even_after_rollback() {
    use engine::version::SchemaMigration;
    let mut sim = Sim::new(
        with_migration("canary-good-release", "v3", SchemaMigration::Breaking),
        4,
    );
    while sim.rollout().unwrap().traffic_weight_percent == 0 {
        sim.step();
    }
    sim.advance(30);
    assert!(
        stable_error_rate(&sim, "v1", 30) > 0.35,
        "v1 cannot read the new schema: {}",
        stable_error_rate(&sim, "v1", 30)
    );
    sim.apply(Command::Abort).unwrap();
    sim.advance(120);
    assert!(
        stable_error_rate(&sim, "v1", 60) > 0.35,
        "rolling back the code does not roll back the schema"
    );
    let actions = sim.audit().actions();
    assert!(actions.contains(&"MigrationApplied") && actions.contains(&"FaultInjected"));
}

#[test]
fn a_failing_migration_is_caught_by_the_gate_and_rolled_back() {
    use engine::version::SchemaMigration;
    let mut sim = Sim::new(
        with_migration("canary-good-release", "v3", SchemaMigration::Failing),
        4,
    );
    sim.run_to_end();
    let outcome = sim.outcome();
    assert_eq!(
        outcome.result, "rolled_back",
        "30 % of v3's requests fail, far above the 5 % gate"
    );
    assert_eq!(outcome.max_canary_traffic_weight_percent, 10);
    assert!(sim.audit().actions().contains(&"MigrationFailed"));
}

#[test]
fn a_compatible_migration_changes_nothing_but_the_log() {
    use engine::version::SchemaMigration;
    let mut compatible = Sim::new(
        with_migration("canary-good-release", "v3", SchemaMigration::Compatible),
        4,
    );
    compatible.run_to_end();
    let plain = Sim::run_builtin("canary-good-release", 4).unwrap();
    assert_eq!(compatible.outcome(), plain.outcome());
    assert!(compatible.audit().actions().contains(&"MigrationApplied"));
}

#[test]
fn a_heavier_release_uses_more_cpu() {
    let mut scenario = scenario::builtin("canary-good-release").unwrap();
    scenario.versions[0].cpu_cost_per_mille = 2_000;
    let mut heavy = Sim::new(scenario, 4);
    heavy.advance(30);
    let light = {
        let mut sim = Sim::new(scenario::builtin("canary-good-release").unwrap(), 4);
        sim.advance(30);
        sim
    };
    let cpu = |sim: &Sim| {
        sim.metrics()
            .cohort(engine::metrics::CohortKey {
                service: sim.target(),
                version: engine::version::VersionId(0),
            })
            .unwrap()
            .latest()
            .unwrap()
            .cpu_per_mille
    };
    assert!(
        cpu(&heavy) > cpu(&light) * 19 / 10,
        "twice the CPU per request: {} vs {}",
        cpu(&heavy),
        cpu(&light)
    );
}
