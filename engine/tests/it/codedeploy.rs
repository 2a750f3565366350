//! CodeDeploy's predefined configurations imported by name: in-place batches keep the minimum
//! healthy hosts, canary shifts traffic twice, linear every interval, and the alarm stops a bad
//! release and rolls traffic back.

use engine::controllers::codedeploy::{
    CodeDeployDeployment, Creator, DeploymentStatus, deployment_id,
};
use engine::import::{CODEDEPLOY_INSTANCES, import, import_codedeploy};
use engine::time::Tick;
use engine::version::VersionId;
use engine::world::fault::{Fault, FaultKind, FaultTarget};
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

/// A release whose instances crash on start, imported with `config`.
fn crashing_release(config: &str) -> Sim {
    let mut scenario = import_codedeploy(config).unwrap().scenario;
    let service = scenario.rollout_service.clone();
    scenario.faults.push(Fault {
        kind: FaultKind::CrashOnStart,
        target: FaultTarget {
            environment: "production".to_string(),
            service: Some(service),
            version: Some(scenario.versions[1].name.clone()),
            zone: None,
        },
        start: Tick(0),
        end: None,
    });
    Sim::new(scenario, 1)
}

fn deployments(sim: &Sim) -> &[CodeDeployDeployment] {
    &sim.codedeploy().expect("a CodeDeploy group").deployments
}

/// (config, failed instances when the success condition gives up).
#[test]
fn a_failed_in_place_deployment_is_rolled_back_by_a_new_deployment() {
    for (config, failed) in [
        ("CodeDeployDefault.OneAtATime", 1),
        ("CodeDeployDefault.HalfAtATime", 5),
        ("CodeDeployDefault.AllAtOnce", 10),
    ] {
        let mut sim = crashing_release(config);
        sim.run_to_end();
        let runs = deployments(&sim);
        assert_eq!(runs.len(), 2, "{config}: {runs:#?}");
        let (first, rollback) = (&runs[0], &runs[1]);
        assert_eq!(first.status, DeploymentStatus::Failed, "{config}");
        assert_eq!(first.error_code.as_deref(), Some("HEALTH_CONSTRAINTS"));
        assert_eq!(first.tally.failed, failed, "{config}: {}", first.message);
        assert_eq!(first.revision, VersionId(1));
        assert_eq!(rollback.creator, Creator::CodeDeployRollback);
        assert_eq!(rollback.rollback_of.as_deref(), Some(first.id.as_str()));
        assert_eq!(
            rollback.revision,
            VersionId(0),
            "the last known good revision"
        );
        assert_eq!(rollback.status, DeploymentStatus::Succeeded, "{config}");
        assert_ne!(rollback.id, first.id);
        let took_s = rollback.completed_at.unwrap().0 - rollback.created_at.0;
        assert!(took_s > 0, "{config}: the redeploy takes time");
        let fleet = sim.fleet();
        assert_eq!(fleet.counts(VersionId(0)).ready, CODEDEPLOY_INSTANCES);
        assert_eq!(fleet.live(VersionId(1)), 0, "{config}");
        let actions: Vec<(&str, &str)> = sim
            .audit()
            .records()
            .iter()
            .filter(|r| r.actor.label() == "codedeploy" && r.action != "InstanceFailure")
            .map(|r| (r.action.as_str(), r.version.as_str()))
            .collect();
        assert_eq!(
            actions,
            [
                ("DeploymentStart", "v2"),
                ("DeploymentFailure", "v2"),
                ("DeploymentRollback", "v1"),
                ("DeploymentSuccess", "v1"),
            ],
            "{config}"
        );
    }
}

#[test]
fn a_healthy_deployment_succeeds_once() {
    for config in [
        "CodeDeployDefault.HalfAtATime",
        "CodeDeployDefault.LambdaCanary10Percent5Minutes",
    ] {
        let mut sim = sim_of(config);
        sim.run_to_end();
        let runs = deployments(&sim);
        assert_eq!(runs.len(), 1, "{config}");
        assert_eq!(runs[0].status, DeploymentStatus::Succeeded, "{config}");
        assert_eq!(runs[0].creator, Creator::User);
        assert_eq!(sim.codedeploy().unwrap().last_good, VersionId(1));
    }
}

#[test]
fn the_alarm_stops_traffic_shifting_and_a_rollback_deployment_shifts_it_back() {
    let mut scenario = import_codedeploy("CodeDeployDefault.ECSLinear10PercentEvery1Minutes")
        .unwrap()
        .scenario;
    scenario.versions[1].error_rate_bp = 2_000;
    let mut sim = Sim::new(scenario, 3);
    sim.run_to_end();
    let runs = deployments(&sim);
    assert_eq!(runs.len(), 2, "{runs:#?}");
    assert_eq!(runs[0].status, DeploymentStatus::Stopped);
    assert_eq!(runs[0].error_code.as_deref(), Some("ALARM_ACTIVE"));
    assert!(
        runs[0].message.contains("cloudwatch-alarm-error-rate"),
        "{}",
        runs[0].message
    );
    assert_eq!(runs[1].creator, Creator::CodeDeployRollback);
    assert_eq!(runs[1].status, DeploymentStatus::Succeeded);
    assert_eq!(sim.traffic_split()[0], (VersionId(0), 100));
}

#[test]
fn stop_and_roll_back_by_hand_works_in_place_and_for_traffic() {
    for config in [
        "CodeDeployDefault.OneAtATime",
        "CodeDeployDefault.ECSCanary10Percent15Minutes",
    ] {
        let mut sim = sim_of(config);
        sim.advance(180);
        assert!(
            sim.codedeploy().unwrap().in_progress().is_some(),
            "{config}"
        );
        sim.apply(Command::Abort).unwrap();
        sim.run_to_end();
        let runs = deployments(&sim);
        assert_eq!(runs.len(), 2, "{config}: {runs:#?}");
        assert_eq!(runs[0].status, DeploymentStatus::Stopped, "{config}");
        assert_eq!(runs[0].error_code.as_deref(), Some("DEPLOYMENT_STOPPED"));
        assert_eq!(runs[1].revision, VersionId(0));
        assert_eq!(runs[1].status, DeploymentStatus::Succeeded, "{config}");
        assert_eq!(sim.fleet().live(VersionId(1)), 0, "{config}");
    }
}

#[test]
fn deployment_ids_look_like_codedeploys_and_differ() {
    let ids: Vec<String> = (1..=1_000).map(deployment_id).collect();
    for id in &ids {
        assert_eq!(id.len(), 11, "{id}");
        assert!(id.starts_with("d-"), "{id}");
        assert!(
            id[2..]
                .chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()),
            "{id}"
        );
    }
    let distinct: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len());
}
