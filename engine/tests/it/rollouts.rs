//! Argo Rollouts' own example manifests (written out again in `engine/tests/manifests/`)
//! imported and simulated: the replica counts Argo's arithmetic gives at each step, the phases,
//! and what an analysis step does with a good and a bad release.

use engine::import::import;
use engine::version::VersionId;
use engine::{Command, Sim};

fn sim_of(file: &str) -> Sim {
    Sim::new(imported(file), 1)
}

fn imported(file: &str) -> engine::scenario::Scenario {
    let path = format!("{}/tests/manifests/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the manifest is in the repository");
    import(&text)
        .unwrap_or_else(|error| panic!("{file}: {error}"))
        .scenario
}

/// (stable, canary) `spec.replicas` and ready pods now.
fn replicas(sim: &Sim) -> ((u32, u32), (u32, u32)) {
    let fleet = sim.fleet();
    let (stable, canary) = (VersionId(0), VersionId(1));
    (
        (fleet.desired(stable), fleet.desired(canary)),
        (fleet.counts(stable).ready, fleet.counts(canary).ready),
    )
}

#[test]
fn rollout_canary_moves_pods_to_each_weight() {
    let mut sim = sim_of("rollout-canary.yaml");
    // setWeight 20 of 5 pods without a router: 1 canary, 4 stable; then the indefinite pause.
    let paused = sim.run_to_decision(3_600).expect("the first pause");
    assert_eq!(paused.action, "RolloutPaused");
    assert_eq!(replicas(&sim), ((4, 1), (4, 1)));
    assert_eq!(sim.phase().0.label(), "Paused");
    assert_eq!(sim.phase().1, "CanaryPauseStep");
    let split = sim.traffic_split();
    assert!(
        split.contains(&(VersionId(1), 20)),
        "one pod of five takes a fifth of the traffic: {split:?}"
    );
    // Promoted: 40 % (2 of 5), pause 40 s; 60 % (3 of 5), pause 20 s; 80 % (4 of 5), pause 20 s.
    sim.apply(Command::Promote).unwrap();
    for (stable, canary) in [(3, 2), (2, 3), (1, 4)] {
        let paused = sim.run_to_decision(3_600).expect("a timed pause");
        assert_eq!(paused.action, "RolloutPaused", "{paused:?}");
        assert_eq!(
            replicas(&sim),
            ((stable, canary), (stable, canary)),
            "at {} s",
            sim.now().0
        );
    }
    sim.run_to_end();
    assert_eq!(sim.outcome().result, "promoted");
    assert_eq!(sim.phase().0.label(), "Healthy");
    assert_eq!(sim.fleet().desired(VersionId(1)), 5);
    assert_eq!(sim.fleet().desired(VersionId(0)), 0);
    assert_eq!(sim.outcome().unserved_requests_total, 0);
}

#[test]
fn rollout_rolling_update_stays_within_surge_and_unavailability() {
    let mut sim = sim_of("rollout-rolling-update.yaml");
    // maxSurge 1 and maxUnavailable 1 of 5 replicas: at most 6 pods, at least 4 ready.
    let mut started = false;
    while !sim.is_finished() {
        sim.step();
        let ((stable, canary), (stable_ready, canary_ready)) = replicas(&sim);
        started |= canary > 0;
        assert!(
            stable + canary <= 6,
            "at {} s: {stable} + {canary}",
            sim.now().0
        );
        if started {
            assert!(
                stable_ready + canary_ready >= 4,
                "at {} s: {stable_ready} + {canary_ready} ready",
                sim.now().0
            );
        }
    }
    assert_eq!(sim.outcome().result, "promoted");
    assert_eq!(replicas(&sim), ((0, 5), (0, 5)));
}

#[test]
fn rollout_analysis_step_promotes_a_good_release() {
    let mut sim = sim_of("rollout-analysis-step.yaml");
    sim.run_to_end();
    let actions: Vec<&str> = sim
        .audit()
        .records()
        .iter()
        .map(|r| r.action.as_str())
        .collect();
    let successful = actions.iter().filter(|a| **a == "MetricSuccessful").count();
    assert_eq!(successful, 2, "count: 2 measurements: {actions:?}");
    assert!(actions.contains(&"AnalysisRunSuccessful"));
    assert_eq!(sim.outcome().result, "promoted");
}

#[test]
fn rollout_analysis_step_aborts_a_bad_release() {
    let mut scenario = imported("rollout-analysis-step.yaml");
    scenario.versions[1].error_rate_bp = 2_000;
    let mut sim = Sim::new(scenario, 1);
    let decision = sim.run_to_decision(3_600).expect("the analysis decides");
    assert_eq!(decision.action, "AnalysisRunFailed", "{decision:?}");
    assert!(
        decision.reason.contains("failed (2) > failureLimit (1)"),
        "{}",
        decision.reason
    );
    sim.run_to_end();
    let (phase, reason) = sim.phase();
    assert_eq!(phase.label(), "Degraded");
    assert!(
        reason.contains("Step-based analysis phase failed"),
        "{reason}"
    );
    // Without a router the abort takes the canary's pods away and restores the stable ones.
    assert_eq!(replicas(&sim).0, (4, 0));
    assert_eq!(sim.outcome().result, "rolled_back");
}

#[test]
fn invalid_rollouts_get_argos_messages() {
    let base = std::fs::read_to_string(format!(
        "{}/tests/manifests/rollout-canary.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let cases = [
        (
            base.replace("setWeight: 40", "setWeight: 140"),
            "spec.strategy.canary.steps[2].setWeight: Invalid value: 140: SetWeight needs to be between 0 and 100",
        ),
        (
            base.replace(
                "    canary:\n",
                "    canary:\n      maxSurge: 0\n      maxUnavailable: 0\n",
            ),
            "spec.strategy.canary.maxSurge: Invalid value: 0: MaxSurge and MaxUnavailable both can not be zero",
        ),
        (
            base.replace("- pause: {}", "- {}"),
            "spec.strategy.canary.steps[1]: Invalid value: \"step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true step.SetCanaryScale: true step.SetHeaderRoute: true step.SetMirrorRoutes: true\": Step must have one of the following set: experiment, setWeight, setCanaryScale or pause",
        ),
        // Argo's hasMultipleStepsType: setWeight, pause, experiment and analysis exclude each
        // other in one step.
        (
            base.replace("- pause: {}", "- {pause: {}, setWeight: 5}"),
            "spec.strategy.canary.steps[1]: Invalid value: \"step.Experiment: false step.Pause: true step.SetWeight: true step.Analysis: false\": Step must have one of the following set: experiment, setWeight, setCanaryScale or pause",
        ),
        (
            base.replace("- pause: {duration: 40}", "- pause: {duration: soon}"),
            "spec.strategy.canary.steps[3].pause.duration: Invalid value: \"soon\"",
        ),
        (
            base.replace(
                "    canary:\n",
                "    blueGreen:\n      activeService: a\n    canary:\n",
            ),
            "spec.strategy: Invalid value: \"blueGreen: true canary: true\": Multiple Strategies can not be listed",
        ),
        (
            base.replace("    canary:\n", "    rollingUpdate:\n"),
            "spec.strategy: Required value: Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen'",
        ),
        // Strict field validation: Argo's old `trafficManagement` is no field of today's CRD.
        (
            base.replace("    canary:\n", "    canary:\n      trafficManagement:\n        smi: {}\n"),
            "spec.strategy.canary.trafficManagement: unknown field \"spec.strategy.canary.trafficManagement\"",
        ),
        // ValidateRolloutSpec: the selector is required without a workloadRef.
        (
            base.replace("  selector:\n    matchLabels:\n      app: rollout-canary\n", ""),
            "spec.selector: Required value: Rollout has missing field '.spec.selector'",
        ),
        (
            base.replace("      app: rollout-canary\n  template", "      app: other\n  template"),
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"rollout-canary\"}: `selector` does not match template `labels`",
        ),
        (
            base.replace("  replicas: 5\n", "  replicas: 5\n  minReadySeconds: 700\n"),
            "spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds",
        ),
        // ValidateRolloutStrategyCanary's rules that are not about one step.
        (
            base.replace("    canary:\n", "    canary:\n      scaleDownDelaySeconds: 30\n"),
            "spec.strategy.canary.scaleDownDelaySeconds: Invalid value: 30: Canary scaleDownDelaySeconds can only be used with traffic routing",
        ),
        (
            base.replace("    canary:\n", "    canary:\n      dynamicStableScale: true\n"),
            "spec.strategy.canary.dynamicStableScale: Invalid value: true: Canary dynamicStableScale can only be used with traffic routing",
        ),
        (
            base.replace("    canary:\n", "    canary:\n      canaryService: web\n      stableService: web\n"),
            "spec.strategy.canary.stableService: Invalid value: \"web\": This rollout uses the same service for the stable and canary services, but two different services are required.",
        ),
        (
            base.replace("    canary:\n", "    canary:\n      trafficRouting:\n        smi: {}\n"),
            "spec.strategy.canary.stableService: Invalid value: \"\": Canary service and Stable service must to be set to use Traffic Routing",
        ),
        (
            base.replace("    canary:\n", "    canary:\n      antiAffinity: {}\n"),
            "spec.strategy.canary.antiAffinity: Invalid value: \"antiAffinity.PreferredDuringSchedulingIgnoredDuringExecution: false antiAffinity.RequiredDuringSchedulingIgnoredDuringExecution: false\": AntiAffinity must have exactly one strategy listed",
        ),
        (
            base.replace("- pause: {}", "- experiment:\n          templates:\n          - {name: baseline, specRef: stable, weight: 5}"),
            "spec.strategy.canary.steps[1].experiment.templates[0].weight: Invalid value: 5: Experiment template weight cannot be set unless TrafficRouting is enabled",
        ),
    ];
    for (yaml, expected) in cases {
        crate::assert_refused(import(&yaml), expected);
    }
}

#[test]
fn rollout_bluegreen_waits_for_promotion_then_switches_at_once() {
    let mut sim = sim_of("rollout-bluegreen.yaml");
    // The preview comes up at full size (no previewReplicaCount) and the rollout pauses.
    let paused = sim.run_to_decision(3_600).expect("the promotion gate");
    assert_eq!(paused.action, "RolloutPaused");
    assert_eq!(sim.phase().0.label(), "Paused");
    assert_eq!(sim.phase().1, "BlueGreenPause");
    assert_eq!(replicas(&sim), ((2, 2), (2, 2)));
    assert!(
        sim.traffic_split().contains(&(VersionId(0), 99)),
        "production traffic stays on the active version: {:?}",
        sim.traffic_split()
    );
    sim.advance(600);
    assert_eq!(
        sim.phase().0.label(),
        "Paused",
        "it waits as long as it takes"
    );
    sim.apply(Command::Promote).unwrap();
    sim.step();
    sim.step();
    assert_eq!(
        sim.traffic_split(),
        vec![(VersionId(1), 100)],
        "the switch moves all traffic in one step"
    );
    assert!(
        sim.audit().records().iter().any(|r| r.action == "SwitchService"
            && r.reason.contains("'rollout-bluegreen-active'"))
    );
    // The old ReplicaSet stays for scaleDownDelaySeconds (30 s), then goes.
    sim.advance(25);
    assert_eq!(sim.fleet().desired(VersionId(0)), 2);
    sim.run_to_end();
    assert_eq!(sim.fleet().desired(VersionId(0)), 0);
    assert_eq!(sim.outcome().result, "promoted");
    assert_eq!(sim.outcome().stable_version, "blue-next");
    assert_eq!(sim.phase().0.label(), "Healthy");
    assert_eq!(sim.outcome().unserved_requests_total, 0);
}

#[test]
fn a_blue_green_abort_keeps_the_old_version_active() {
    let mut sim = sim_of("rollout-bluegreen.yaml");
    sim.run_to_decision(3_600).expect("the promotion gate");
    sim.apply(Command::Abort).unwrap();
    let (phase, reason) = sim.phase();
    assert_eq!(phase.label(), "Degraded");
    assert!(
        reason.starts_with("RolloutAborted: Rollout aborted update to revision 2"),
        "{reason}"
    );
    sim.advance(29);
    assert_eq!(
        sim.fleet().desired(VersionId(1)),
        2,
        "the preview stays for the abort delay"
    );
    sim.advance(2);
    assert_eq!(sim.fleet().desired(VersionId(1)), 0);
    assert_eq!(sim.traffic_split(), vec![(VersionId(0), 100)]);
    assert_eq!(sim.outcome().result, "rolled_back");
}

#[test]
fn a_failing_post_promotion_analysis_switches_back() {
    let yaml = std::fs::read_to_string(format!(
        "{}/tests/manifests/rollout-bluegreen.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .replace(
        "      autoPromotionEnabled: false\n",
        "      postPromotionAnalysis:\n        templates:\n        - templateName: error-rate\n",
    ) + "---
kind: AnalysisTemplate
apiVersion: argoproj.io/v1alpha1
metadata:
  name: error-rate
spec:
  metrics:
  - name: error-rate
    interval: 10s
    count: 3
    successCondition: result[0] <= 0.05
    provider:
      prometheus:
        query: sum(rate(errors[1m])) / sum(rate(requests[1m]))
";
    let mut scenario = import(&yaml).unwrap().scenario;
    scenario.versions[1].error_rate_bp = 2_500;
    let mut sim = Sim::new(scenario, 3);
    let decision = sim.run_to_decision(3_600).expect("the analysis decides");
    assert_eq!(decision.action, "AnalysisRunFailed", "{decision:?}");
    sim.step();
    let (phase, reason) = sim.phase();
    assert_eq!(phase.label(), "Degraded");
    assert!(
        reason.contains("Blue/green post-promotion analysis phase failed"),
        "{reason}"
    );
    assert_eq!(
        sim.traffic_split(),
        vec![(VersionId(0), 100)],
        "the selector is switched back to the old ReplicaSet, still up"
    );
    assert_eq!(sim.fleet().counts(VersionId(0)).ready, 2);
}

#[test]
fn an_inconclusive_background_analysis_pauses_until_a_person_decides() {
    let yaml = std::fs::read_to_string(format!(
        "{}/tests/manifests/rollout-canary.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .replace(
        "    canary:\n      steps:\n      - setWeight: 20\n      - pause: {}\n",
        "    canary:\n      analysis:\n        templates:\n        - templateName: error-band\n      steps:\n      - setWeight: 20\n      - pause: {duration: 10m}\n",
    )
        + "---
kind: AnalysisTemplate
apiVersion: argoproj.io/v1alpha1
metadata:
  name: error-band
spec:
  metrics:
  - name: error-band
    interval: 30s
    successCondition: result[0] <= 0.01
    failureCondition: result[0] > 0.05
    provider:
      prometheus:
        query: errors / requests
";
    let mut scenario = import(&yaml).unwrap().scenario;
    scenario.versions[1].error_rate_bp = 300;
    let mut sim = Sim::new(scenario, 2);
    // The step's own pause comes first; the analysis then finds 3 % between 1 % and 5 %.
    let paused = (0..5)
        .filter_map(|_| sim.run_to_decision(3_600))
        .find(|r| {
            r.reason
                .starts_with("Rollout is paused (InconclusiveAnalysisRun)")
        })
        .expect("the analysis pauses the rollout");
    assert!(
        paused.reason.contains("neither the success condition"),
        "{}",
        paused.reason
    );
    assert_eq!(
        sim.phase(),
        (
            engine::controllers::rollout::RolloutPhase::Paused,
            "InconclusiveAnalysisRun".to_string()
        )
    );
    let weight = sim.rollout().unwrap().set_weight_percent;
    sim.advance(900);
    assert_eq!(
        sim.rollout().unwrap().set_weight_percent,
        weight,
        "nothing moves while it waits"
    );
    assert!(sim.rollout().unwrap().pause_started_at.is_some());
    sim.apply(Command::Abort).unwrap();
    sim.run_to_end();
    assert_eq!(sim.outcome().result, "rolled_back");
}

#[test]
fn a_latency_template_fails_a_slow_release_on_its_p95() {
    let yaml = std::fs::read_to_string(format!(
        "{}/tests/manifests/rollout-analysis-step.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .replace("templateName: random-fail", "templateName: latency")
        + "---
kind: AnalysisTemplate
apiVersion: argoproj.io/v1alpha1
metadata:
  name: latency
spec:
  metrics:
  - name: p95-latency
    interval: 10s
    count: 3
    successCondition: result[0] < 0.5
    provider:
      prometheus:
        query: histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[1m])) by (le))
";
    let imported = import(&yaml).unwrap();
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("simulated as the new version's p95, failing above 500 ms")),
        "{:?}",
        imported.warnings
    );
    let mut scenario = imported.scenario;
    let healthy = Sim::new(scenario.clone(), 1);
    let mut healthy = healthy;
    healthy.run_to_end();
    assert_eq!(
        healthy.outcome().result,
        "promoted",
        "a normal release stays under 500 ms"
    );
    scenario.versions[1].latency_p50_ms *= 8;
    let mut slow = Sim::new(scenario, 1);
    let decision = slow.run_to_decision(3_600).expect("the analysis decides");
    assert_eq!(decision.action, "AnalysisRunFailed", "{decision:?}");
    assert!(
        slow.audit()
            .records()
            .iter()
            .any(|r| r.action == "MetricFailed" && r.reason.contains("> 500 ms limit")),
    );
}

#[test]
fn a_kayenta_template_judges_the_canary_against_the_baseline() {
    let yaml = std::fs::read_to_string(format!(
        "{}/tests/manifests/rollout-analysis-step.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .replace("templateName: random-fail", "templateName: kayenta-judge")
        + "---
kind: AnalysisTemplate
apiVersion: argoproj.io/v1alpha1
metadata:
  name: kayenta-judge
spec:
  metrics:
  - name: kayenta
    interval: 60s
    count: 2
    provider:
      kayenta:
        address: http://kayenta.example
        application: rollout-analysis-step
        canaryConfigName: errors-and-latency
        threshold:
          pass: 90
          marginal: 75
";
    let scenario = import(&yaml).unwrap().scenario;
    let mut good = Sim::new(scenario.clone(), 4);
    good.run_to_end();
    let judged: Vec<String> = good
        .audit()
        .records()
        .iter()
        .filter(|r| r.action == "MetricSuccessful")
        .map(|r| r.reason.clone())
        .collect();
    // The first measurement comes as the canary starts, with too little data (an Error,
    // tolerated); the second judges a minute of it.
    assert_eq!(judged.len(), 1, "{judged:?}");
    assert!(judged[0].contains("Kayenta score 100.00"), "{}", judged[0]);
    assert!(
        good.audit()
            .records()
            .iter()
            .any(|r| r.action == "MetricError" && r.reason.contains("too little data to judge"))
    );
    assert_eq!(good.outcome().result, "promoted");

    let mut bad_scenario = scenario;
    bad_scenario.versions[1].error_rate_bp = 1_500;
    let mut bad = Sim::new(bad_scenario, 4);
    let decision = bad.run_to_decision(3_600).expect("the judge decides");
    assert_eq!(decision.action, "AnalysisRunFailed", "{decision:?}");
    assert!(
        bad.audit()
            .records()
            .iter()
            .any(|r| r.action == "MetricFailed" && r.reason.contains("error-rate High")),
    );
}

#[test]
fn set_canary_scale_sets_pods_apart_from_traffic_behind_a_router() {
    let yaml = std::fs::read_to_string(format!(
        "{}/tests/manifests/rollout-canary.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .replace(
        "    canary:\n      steps:\n      - setWeight: 20\n      - pause: {}\n",
        "    canary:\n      canaryService: rollout-canary-canary\n      stableService: rollout-canary-stable\n      trafficRouting:\n        nginx:\n          stableIngress: rollout-canary\n      steps:\n      - setCanaryScale:\n          replicas: 1\n      - setWeight: 60\n      - pause: {}\n      - setCanaryScale:\n          matchTrafficWeight: true\n",
    );
    let mut sim = Sim::new(import(&yaml).unwrap().scenario, 1);
    let paused = sim.run_to_decision(3_600).expect("the pause");
    assert_eq!(paused.action, "RolloutPaused");
    assert!(
        sim.traffic_split().contains(&(VersionId(1), 60)),
        "{:?}",
        sim.traffic_split()
    );
    assert_eq!(
        replicas(&sim).0,
        (5, 1),
        "one canary pod carries 60 % of traffic"
    );
    sim.apply(Command::Promote).unwrap();
    sim.advance(5);
    assert_eq!(
        sim.fleet().desired(VersionId(1)),
        3,
        "matchTrafficWeight: ceil(60 % of 5)"
    );
    sim.run_to_end();
    assert_eq!(sim.outcome().result, "promoted");
}

/// Argo's own e2e Rollout behind Istio with `maxTrafficWeight: 1000`: `setWeight: 200` is a
/// fifth of the traffic.
#[test]
fn weights_are_out_of_max_traffic_weight() {
    let base = std::fs::read_to_string(format!(
        "{}/tests/manifests/rollout-canary.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let yaml = base
        .replace(
            "    canary:\n",
            "    canary:\n      canaryService: c\n      stableService: s\n      trafficRouting:\n        maxTrafficWeight: 1000\n        istio: {virtualService: {name: vs, routes: [primary]}}\n",
        )
        .replace("setWeight: 20", "setWeight: 200");
    let imported = import(&yaml).expect("Argo accepts it");
    assert_eq!(
        imported.scenario.canary.steps[0],
        engine::controllers::canary::CanaryStep::SetWeight { weight_percent: 20 }
    );
    let too_much = yaml.replace("setWeight: 200", "setWeight: 1200");
    let error = import(&too_much).expect_err("above maxTrafficWeight");
    assert!(
        error.problems.iter().any(|p| p
            == "spec.strategy.canary.steps[0].setWeight: Invalid value: 1200: SetWeight needs to be between 0 and 1000"),
        "{:?}",
        error.problems
    );
}

/// Argo lets setCanaryScale, setHeaderRoute, setMirrorRoute and plugin sit beside the step's one
/// kind: such a Rollout imports, the scale simulated before the weight and the routes warned
/// about, and every step the API server takes is kept.
#[test]
fn steps_may_combine_a_kind_with_scale_and_routes_as_argo_allows() {
    let base = std::fs::read_to_string(format!(
        "{}/tests/manifests/rollout-canary.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let routed = base.replace(
        "    canary:\n",
        "    canary:\n      canaryService: rollout-canary-canary\n      stableService: rollout-canary-stable\n      trafficRouting:\n        nginx:\n          stableIngress: rollout-canary\n",
    );
    let combined = routed.replace(
        "setWeight: 40",
        "setWeight: 40\n        setCanaryScale: {weight: 40}\n        plugin: {name: argoproj-labs/step-plugin}",
    );
    assert_ne!(combined, base, "the manifest has a setWeight: 40 step");
    let imported = import(&combined).expect("Argo accepts the combined step");
    let steps = &imported.scenario.canary.steps;
    let scale_at = steps
        .iter()
        .position(|s| {
            matches!(
                s,
                engine::controllers::canary::CanaryStep::SetCanaryScale { .. }
            )
        })
        .expect("the scale is simulated");
    assert!(matches!(
        steps[scale_at + 1],
        engine::controllers::canary::CanaryStep::SetWeight { weight_percent: 40 }
    ));
    assert!(
        imported.warnings.iter().any(|w| w.contains("plugin")),
        "{:?}",
        imported.warnings
    );
    // Without a traffic router Argo refuses the scale and the routes.
    for (step, expected) in [
        (
            "setWeight: 40\n        setCanaryScale: {weight: 40}",
            "spec.strategy.canary.trafficRouting: Required value: SetCanaryScale requires TrafficRouting to be set",
        ),
        (
            "setWeight: 40\n        setHeaderRoute: {name: canary-header}",
            "spec.strategy.canary.steps[2].setHeaderRoute: Invalid value: ",
        ),
    ] {
        crate::assert_refused(import(&base.replace("setWeight: 40", step)), expected);
    }
}
