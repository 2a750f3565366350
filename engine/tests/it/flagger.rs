//! Flagger's documented podinfo Canary imported and simulated: promotion after
//! `maxWeight / stepWeight` passing ticks, rollback on the tick after `threshold` failed
//! checks, and the `confirm-promotion` gate.

use engine::import::import;
use engine::version::VersionId;
use engine::{Command, Sim};

fn podinfo() -> String {
    std::fs::read_to_string(format!(
        "{}/tests/manifests/flagger-podinfo.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn messages(sim: &Sim) -> Vec<(u64, String)> {
    sim.audit()
        .records()
        .iter()
        .map(|r| (r.tick.0, r.reason.clone()))
        .collect()
}

#[test]
fn a_healthy_canary_advances_each_interval_and_is_promoted() {
    let mut sim = Sim::new(import(&podinfo()).unwrap().scenario, 1);
    sim.run_to_end();
    let log = messages(&sim);
    let advances: Vec<&(u64, String)> = log
        .iter()
        .filter(|(_, m)| m.starts_with("Advance podinfo canary weight"))
        .collect();
    assert_eq!(advances.len(), 5, "10, 20, 30, 40, 50: {log:?}");
    for pair in advances.windows(2) {
        assert_eq!(pair[1].0 - pair[0].0, 60, "one advance per 1m interval");
    }
    assert_eq!(advances[4].1, "Advance podinfo canary weight 50");
    let promoting = log
        .iter()
        .find(|(_, m)| m == "Copying podinfo template spec to podinfo-primary")
        .expect("promoted");
    assert_eq!(
        promoting.0,
        advances[4].0 + 60,
        "maxWeight reached: promotion on the next tick"
    );
    assert_eq!(sim.outcome().result, "promoted");
    assert_eq!(sim.outcome().max_canary_traffic_weight_percent, 50);
    assert_eq!(sim.traffic_split(), vec![(VersionId(1), 100)]);
}

#[test]
fn a_failing_canary_is_rolled_back_on_the_tick_after_the_threshold() {
    let mut scenario = import(&podinfo()).unwrap().scenario;
    scenario.versions[1].error_rate_bp = 500;
    let mut sim = Sim::new(scenario, 1);
    sim.run_to_end();
    let log = messages(&sim);
    let halts: Vec<&(u64, String)> = log
        .iter()
        .filter(|(_, m)| m.starts_with("Halt podinfo advancement request-success-rate"))
        .collect();
    assert_eq!(halts.len(), 5, "threshold 5: {log:?}");
    let rollback = log
        .iter()
        .find(|(_, m)| m == "Rolling back podinfo failed checks threshold reached 5")
        .expect("rolled back");
    assert_eq!(
        rollback.0,
        halts[4].0 + 60,
        "on the tick after the fifth failed check"
    );
    assert!(
        log.iter()
            .any(|(_, m)| m == "Canary failed! Scaling down podinfo")
    );
    assert_eq!(sim.outcome().result, "rolled_back");
    assert_eq!(
        sim.outcome().max_canary_traffic_weight_percent,
        10,
        "it never advanced past the first step"
    );
    assert_eq!(sim.traffic_split(), vec![(VersionId(0), 100)]);
    assert_eq!(sim.fleet().desired(VersionId(1)), 0);
}

#[test]
fn the_confirm_promotion_gate_waits_for_a_person() {
    let yaml = podinfo().replace(
        "      - name: load-test\n",
        "      - name: gate\n        type: confirm-promotion\n        url: http://flagger-loadtester.test/gate/check\n      - name: load-test\n",
    );
    let mut sim = Sim::new(import(&yaml).unwrap().scenario, 1);
    let decision = sim.run_to_decision(3_600).expect("the gate closes");
    assert_eq!(decision.action, "WaitingPromotion");
    assert_eq!(sim.phase().0.label(), "Paused");
    sim.advance(600);
    assert_eq!(sim.outcome().result, "in_progress", "it waits");
    sim.apply(Command::Promote).unwrap();
    sim.run_to_end();
    assert_eq!(sim.outcome().result, "promoted");
}

fn abtest() -> String {
    std::fs::read_to_string(format!(
        "{}/tests/manifests/flagger-abtest.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn an_ab_test_sends_only_matched_requests_to_the_canary_for_its_iterations() {
    let imported = import(&abtest()).unwrap();
    assert_eq!(
        imported.scenario.title,
        "Flagger Canary abtest: A/B test, 10 iterations every 60 s"
    );
    let mut sim = Sim::new(imported.scenario, 1);
    // Mid-analysis: the canary gets the matched requests (10 % of them here) and no weight.
    sim.advance(60 + 5 * 60);
    let target = sim.target();
    let routing = &sim.world().services[target as usize].routing;
    assert_eq!(routing.weights, vec![(VersionId(0), 100)]);
    let routes: Vec<(&str, u32, VersionId)> = routing
        .header_routes
        .iter()
        .map(|r| (r.matcher.as_str(), r.share_bp, r.version))
        .collect();
    assert_eq!(
        routes,
        vec![
            ("header x-canary regex \".*insider.*\"", 500, VersionId(1)),
            (
                "cookie regex \"^(.*?;)?(canary=always)(;.*)?$\"",
                500,
                VersionId(1)
            ),
        ]
    );
    let window = sim.metrics().window(
        engine::metrics::CohortKey {
            service: target,
            version: VersionId(1),
        },
        sim.now(),
        60,
    );
    let all = sim.metrics().window(
        engine::metrics::CohortKey {
            service: target,
            version: VersionId(0),
        },
        sim.now(),
        60,
    );
    let share_bp = window.requests * 10_000 / (window.requests + all.requests);
    assert!(
        (800..=1_200).contains(&share_bp),
        "about one request in ten reaches the canary: {share_bp} bp"
    );
    sim.run_to_end();
    let log = messages(&sim);
    let iterations: Vec<&String> = log
        .iter()
        .map(|(_, m)| m)
        .filter(|m| m.starts_with("Advance abtest canary iteration"))
        .collect();
    assert_eq!(iterations.len(), 9, "{log:?}");
    assert_eq!(iterations[8], "Advance abtest canary iteration 9/10");
    assert_eq!(sim.outcome().result, "promoted");
    assert_eq!(sim.traffic_split(), vec![(VersionId(1), 100)]);
}

#[test]
fn a_failing_ab_test_is_rolled_back_and_its_users_return_to_the_primary() {
    let mut scenario = import(&abtest()).unwrap().scenario;
    scenario.versions[1].error_rate_bp = 500;
    let mut sim = Sim::new(scenario, 1);
    sim.run_to_end();
    assert_eq!(sim.outcome().result, "rolled_back");
    assert!(
        sim.world().services[sim.target() as usize]
            .routing
            .header_routes
            .is_empty()
    );
    assert_eq!(sim.traffic_split(), vec![(VersionId(0), 100)]);
}
