//! CodeDeploy's predefined configurations imported by name: in-place batches keep the minimum
//! healthy hosts, canary shifts traffic twice, linear every interval, and the alarm stops a bad
//! release and rolls traffic back.

use engine::import::{CODEDEPLOY_INSTANCES, import, import_codedeploy};
use engine::version::VersionId;
use engine::{Command, Sim};

fn sim_of(name: &str) -> Sim {
    Sim::new(import_codedeploy(name).unwrap().scenario, 1)
}

/// (config, most instances out of service at once).
#[test]
fn in_place_batches_keep_the_minimum_healthy() {
    for (name, batch) in [
        ("CodeDeployDefault.OneAtATime", 1),
        ("CodeDeployDefault.HalfAtATime", 5),
        ("CodeDeployDefault.AllAtOnce", 10),
    ] {
        let mut sim = sim_of(name);
        let mut started = false;
        let mut fewest_ready = CODEDEPLOY_INSTANCES;
        while !sim.is_finished() {
            sim.step();
            let fleet = sim.fleet();
            let ready = fleet.counts(VersionId(0)).ready + fleet.counts(VersionId(1)).ready;
            started |= fleet.desired(VersionId(1)) > 0;
            if started {
                fewest_ready = fewest_ready.min(ready);
            }
        }
        assert_eq!(sim.outcome().result, "completed", "{name}");
        assert_eq!(
            fewest_ready,
            CODEDEPLOY_INSTANCES - batch,
            "{name}: {batch} at a time, so {} stay healthy",
            CODEDEPLOY_INSTANCES - batch
        );
    }
}

#[test]
fn a_canary_configuration_shifts_ten_percent_then_the_rest() {
    let mut sim = sim_of("CodeDeployDefault.LambdaCanary10Percent5Minutes");
    let paused = sim.run_to_decision(3_600).expect("the canary interval");
    assert_eq!(paused.action, "RolloutPaused");
    assert!(sim.traffic_split().contains(&(VersionId(1), 10)));
    let resumed_at = sim.now().0;
    sim.run_to_end();
    let completed = sim
        .audit()
        .records()
        .iter()
        .find(|r| r.action == "RolloutCompleted")
        .expect("promoted");
    assert!(
        completed.tick.0 >= resumed_at + 300,
        "10 % for five minutes first"
    );
    assert_eq!(sim.outcome().result, "promoted");
}

#[test]
fn a_linear_configuration_adds_ten_percent_every_interval() {
    let mut sim = sim_of("CodeDeployDefault.ECSLinear10PercentEvery1Minutes");
    sim.run_to_end();
    let shifts: Vec<String> = sim
        .audit()
        .records()
        .iter()
        .filter(|r| r.action == "TrafficWeightUpdated")
        .map(|r| r.reason.clone())
        .collect();
    assert_eq!(shifts.len(), 10, "{shifts:?}");
    assert_eq!(shifts[0], "Traffic weight updated from 0 to 10");
    assert_eq!(shifts[9], "Traffic weight updated from 90 to 100");
}

#[test]
fn the_alarm_stops_a_bad_release_and_rolls_traffic_back() {
    let mut scenario = import_codedeploy("CodeDeployDefault.ECSCanary10Percent5Minutes")
        .unwrap()
        .scenario;
    scenario.versions[1].error_rate_bp = 2_000;
    let mut sim = Sim::new(scenario, 1);
    sim.run_to_end();
    assert_eq!(sim.outcome().result, "rolled_back");
    assert_eq!(sim.outcome().max_canary_traffic_weight_percent, 10);
    assert_eq!(sim.traffic_split()[0], (VersionId(0), 100));
    // A person can stop one too.
    let mut sim = sim_of("CodeDeployDefault.ECSCanary10Percent15Minutes");
    sim.run_to_decision(3_600).unwrap();
    sim.apply(Command::Abort).unwrap();
    assert_eq!(sim.outcome().result, "rolled_back");
}

#[test]
fn names_and_documents_import_and_unknown_names_are_refused() {
    assert!(import("CodeDeployDefault.AllAtOnce\n").is_ok());
    assert!(import("deploymentConfigName: CodeDeployDefault.LambdaAllAtOnce\n").is_ok());
    let error = import("CodeDeployDefault.TwoAtATime").unwrap_err();
    assert_eq!(
        error.problems,
        vec![
            "deploymentConfigName: No deployment configuration found for name: CodeDeployDefault.TwoAtATime"
        ]
    );
}
