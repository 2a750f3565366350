//! Kubernetes Deployments imported from manifests and rolled by the simulated controller: the
//! invariants `maxSurge` and `maxUnavailable` promise, the scaling order the upstream
//! fencepost comments spell out, Recreate's downtime, `minReadySeconds`, the progress deadline
//! (which marks the rollout failed and does not roll back) and `rollout undo`.

use engine::import::{ROLLOUT_STARTS_AT_S, import};
use engine::world::fault::{FaultKind, FaultTarget};
use engine::{Command, Sim};

/// A Deployment manifest with the given replicas and strategy block (YAML lines under
/// `strategy:`, already indented by four spaces) and extra spec lines.
fn manifest(replicas: u32, strategy: &str, extra_spec: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
{extra_spec}  strategy:
{strategy}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: example/web:v1
"
    )
}

fn rolling(surge: &str, unavailable: &str) -> String {
    format!(
        "    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: {surge}\n      maxUnavailable: {unavailable}"
    )
}

fn sim_of(yaml: &str) -> Sim {
    let imported = import(yaml).unwrap_or_else(|error| panic!("{error}\n{yaml}"));
    Sim::new(imported.scenario, 1)
}

/// Steps to the end, checking after every second that the old and new ReplicaSets together
/// never ask for more than `max_pods` and that at least `min_available` pods stay available.
fn run_checking(sim: &mut Sim, max_pods: u32, min_available: u32, label: &str) {
    while !sim.is_finished() {
        sim.step();
        let deployment = sim.deployment().expect("a Deployment scenario");
        let fleet = sim.fleet();
        let asked: u32 = deployment
            .replica_sets()
            .iter()
            .map(|v| fleet.desired(*v))
            .sum();
        assert!(
            asked <= max_pods,
            "{label}: {asked} pods asked for at {} s, more than {max_pods}",
            sim.now().0
        );
        let counts = deployment.counts(fleet, sim.now());
        assert!(
            counts.available as u32 >= min_available,
            "{label}: only {} available at {} s, fewer than {min_available}",
            counts.available,
            sim.now().0
        );
    }
}

/// (replicas, maxSurge, maxUnavailable, the most pods at once, the fewest available).
#[test]
fn rolling_updates_keep_the_promised_bounds() {
    let cases = [
        (3, "25%", "25%", 4, 3),
        (10, "25%", "25%", 13, 8),
        (10, "0", "1", 10, 9),
        (10, "3", "0", 13, 10),
        (10, "0%", "30%", 10, 7),
        (4, "100%", "0", 8, 4),
        (5, "1", "100%", 6, 0),
    ];
    for (replicas, surge, unavailable, max_pods, min_available) in cases {
        let yaml = manifest(replicas, &rolling(surge, unavailable), "");
        let mut sim = sim_of(&yaml);
        let label = format!("replicas {replicas}, maxSurge {surge}, maxUnavailable {unavailable}");
        run_checking(&mut sim, max_pods, min_available, &label);
        let outcome = sim.outcome();
        assert_eq!(outcome.result, "completed", "{label}: {outcome:?}");
        assert_eq!(outcome.stable_version, "v2", "{label}");
        if min_available == replicas {
            assert_eq!(
                outcome.unserved_requests_total, 0,
                "{label}: no request finds no pod when nothing may be unavailable"
            );
        }
    }
}

/// The scaling sequences in the comments of `ResolveFenceposts`: with maxSurge 0 the old
/// ReplicaSet shrinks first; with surge the new one grows first.
#[test]
fn scaling_order_follows_the_fenceposts() {
    let cases = [
        (2, "0%", "1%", "old-1 new+1 old-1 new+1"),
        (1, "0%", "1%", "old-1 new+1"),
        (2, "1%", "25%", "new+1 old-1 new+1 old-1"),
        (1, "1%", "25%", "new+1 old-1"),
        (2, "1%", "0%", "new+1 old-1 new+1 old-1"),
        (1, "1%", "0%", "new+1 old-1"),
    ];
    for (replicas, surge, unavailable, expected) in cases {
        let mut sim = sim_of(&manifest(replicas, &rolling(surge, unavailable), ""));
        sim.run_to_end();
        let moves: Vec<String> = sim
            .audit()
            .records()
            .iter()
            .filter(|r| r.action == "ScalingReplicaSet")
            .map(|r| {
                let side = if r.version == "v2" { "new" } else { "old" };
                let sign = if r.reason.contains("Scaled up") {
                    "+"
                } else {
                    "-"
                };
                format!("{side}{sign}1")
            })
            .collect();
        assert_eq!(
            moves.join(" "),
            expected,
            "{replicas} desired, maxSurge {surge}, maxUnavailable {unavailable}"
        );
    }
}

#[test]
fn recreate_takes_everything_down_before_starting_the_new_version() {
    let mut sim = sim_of(&manifest(4, "    type: Recreate", ""));
    sim.run_to_end();
    let scaling: Vec<(u64, String)> = sim
        .audit()
        .records()
        .iter()
        .filter(|r| r.action == "ScalingReplicaSet")
        .map(|r| (r.tick.0, r.reason.clone()))
        .collect();
    assert_eq!(scaling.len(), 2, "{scaling:?}");
    assert!(
        scaling[0]
            .1
            .contains("Scaled down replica set web-v1 from 4 to 0")
    );
    assert!(
        scaling[1]
            .1
            .contains("Scaled up replica set web-v2 from 0 to 4")
    );
    assert!(
        scaling[1].0 > scaling[0].0,
        "the new pods come after the old ones are gone: {scaling:?}"
    );
    let outcome = sim.outcome();
    assert_eq!(outcome.result, "completed");
    assert!(
        outcome.unserved_requests_total > 1_000,
        "the downtime shows: {} requests found no pod",
        outcome.unserved_requests_total
    );
}

#[test]
fn min_ready_seconds_delays_the_old_pods_going() {
    let strategy = rolling("1", "0");
    let quick = {
        let mut sim = sim_of(&manifest(3, &strategy, ""));
        sim.run_to_end();
        sim
    };
    let patient = {
        let mut sim = sim_of(&manifest(3, &strategy, "  minReadySeconds: 30\n"));
        sim.run_to_end();
        sim
    };
    let first_old_down = |sim: &Sim| {
        sim.audit()
            .records()
            .iter()
            .find(|r| r.action == "ScalingReplicaSet" && r.reason.contains("Scaled down"))
            .map(|r| r.tick.0)
            .unwrap()
    };
    assert_eq!(
        first_old_down(&patient),
        first_old_down(&quick) + 30,
        "an old pod goes only once the new one has been ready for 30 s"
    );
}

#[test]
fn the_progress_deadline_marks_the_rollout_failed_without_rolling_back() {
    let mut sim = sim_of(&manifest(
        4,
        &rolling("1", "0"),
        "  progressDeadlineSeconds: 120\n",
    ));
    sim.advance(ROLLOUT_STARTS_AT_S);
    sim.apply(Command::InjectFault {
        fault: FaultKind::ReadinessNeverTrue,
        target: FaultTarget {
            environment: "production".to_string(),
            service: Some("web".to_string()),
            version: Some("v2".to_string()),
            zone: None,
        },
        duration_s: None,
    })
    .unwrap();
    let decision = sim.run_to_decision(3_600).expect("the deadline passes");
    assert_eq!(decision.action, "ProgressDeadlineExceeded");
    let condition = sim.deployment().unwrap().progressing.clone().unwrap();
    assert!(!condition.status);
    assert_eq!(condition.reason, "ProgressDeadlineExceeded");
    // 120 s without progress after the new pod was created at 61 s.
    assert_eq!(decision.tick.0, 61 + 121, "{condition:?}");
    let (phase, reason) = sim.phase();
    assert_eq!(phase.label(), "Degraded");
    assert!(reason.contains("has timed out progressing"), "{reason}");
    // Nothing rolls back by itself: the old pods keep serving, the stuck new pod stays.
    sim.advance(600);
    assert_eq!(sim.fleet().desired(engine::version::VersionId(0)), 4);
    assert_eq!(sim.fleet().desired(engine::version::VersionId(1)), 1);
    assert_eq!(sim.outcome().result, "progress_deadline_exceeded");
    // `kubectl rollout undo` brings revision 1 back as revision 3.
    sim.apply(Command::Undo).unwrap();
    sim.run_to_end();
    let deployment = sim.deployment().unwrap();
    assert_eq!(deployment.revisions.values().max(), Some(&3));
    assert_eq!(sim.outcome().result, "rolled_back");
    assert_eq!(sim.outcome().stable_version, "v1");
    assert_eq!(sim.fleet().desired(engine::version::VersionId(1)), 0);
    assert!(
        sim.audit()
            .records()
            .iter()
            .any(|r| r.action == "DeploymentRollback"
                && r.reason == "Rolled back deployment \"web\" to revision 1")
    );
}

#[test]
fn canary_commands_do_not_apply_to_a_deployment() {
    let mut sim = sim_of(&manifest(3, &rolling("1", "0"), ""));
    sim.advance(ROLLOUT_STARTS_AT_S + 5);
    let refused = sim.apply(Command::Promote).unwrap_err().to_string();
    assert!(refused.contains("kubectl rollout undo"), "{refused}");
}

#[test]
fn the_timeline_records_each_change_with_replicas_and_weights() {
    let mut sim = sim_of(&manifest(3, &rolling("1", "0"), ""));
    sim.run_to_end();
    let timeline = sim.timeline();
    assert!(timeline.len() >= 6, "{timeline:#?}");
    assert_eq!(timeline[0].phase, "Healthy");
    assert!(timeline.iter().any(|e| e.phase == "Progressing"));
    assert_eq!(timeline.last().unwrap().phase, "Healthy");
    for pair in timeline.windows(2) {
        assert!(pair[0].t_s < pair[1].t_s, "one entry per change, in order");
        assert!(
            pair[0].versions != pair[1].versions
                || pair[0].phase != pair[1].phase
                || pair[0].reason != pair[1].reason,
            "an entry only when something changed: {pair:#?}"
        );
    }
    for entry in timeline {
        let total: u32 = entry.versions.iter().map(|v| v.weight_percent).sum();
        assert_eq!(total, 100, "weights sum to 100 %: {entry:?}");
        for version in &entry.versions {
            assert!(version.available <= version.ready.max(version.available));
        }
    }
}

#[test]
fn invalid_manifests_get_the_api_servers_messages() {
    let cases = [
        (
            manifest(3, &rolling("0", "0"), ""),
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0",
        ),
        (
            manifest(3, &rolling("\"25\"", "1"), ""),
            "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"25\": a valid percent string must be a numeric string followed by an ending '%'",
        ),
        (
            manifest(
                3,
                "    type: Recreate\n    rollingUpdate:\n      maxSurge: 1",
                "",
            ),
            "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
        ),
        (
            manifest(3, &rolling("1", "110%"), ""),
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"110%\": must not be greater than 100%",
        ),
        (
            manifest(3, "    type: BlueGreen", ""),
            "spec.strategy.type: Unsupported value: \"BlueGreen\": supported values: \"Recreate\", \"RollingUpdate\"",
        ),
        (
            manifest(
                3,
                &rolling("1", "0"),
                "  progressDeadlineSeconds: 5\n  minReadySeconds: 10\n",
            ),
            "spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds",
        ),
        (
            manifest(3, &rolling("1", "0"), "").replace("name: web\nspec", "labels: {}\nspec"),
            "metadata.name: Required value",
        ),
        (
            "kind: Deployment\nspec:\n  replicas: [1, 2\nmetadata: {}\n".to_string(),
            "line 4 column 9: not valid YAML",
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n".to_string(),
            "no Deployment, Rollout or Canary in the file (found: Service)",
        ),
    ];
    for (yaml, expected) in cases {
        crate::assert_refused(import(&yaml), expected);
    }
}

/// The object fields the API server validates on every Deployment, with its messages: the
/// name and labels (RFC 1123, qualified names), the selector and the template's labels, and
/// the containers' names, ports and resource quantities.
#[test]
fn object_fields_get_the_api_servers_messages() {
    let base = manifest(3, &rolling("1", "0"), "");
    let with_resources = |resources: &str| {
        base.replace(
            "        image: example/web:v1\n",
            &format!("        image: example/web:v1\n        resources:\n{resources}"),
        )
    };
    let cases = [
        (
            base.replace("  replicas: 3\n", "  replicas: 3\n  replica: 4\n"),
            "spec.replica: unknown field \"spec.replica\": the API server's strict field validation refuses it",
        ),
        (
            base.replace("  name: web\n", "  name: Web_App\n"),
            "metadata.name: Invalid value: \"Web_App\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ),
        (
            base.replace("  name: web\n", "  name: web\n  labels:\n    tier: front end\n"),
            "metadata.labels: Invalid value: \"front end\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
        (
            base.replace("  name: web\n", "  name: web\n  labels:\n    -team: a\n"),
            "metadata.labels: Invalid value: \"-team\": name part must consist of alphanumeric characters",
        ),
        (
            base.replace("  selector:\n    matchLabels:\n      app: web\n", ""),
            "spec.selector: Required value",
        ),
        (
            base.replace("    matchLabels:\n      app: web\n", "    matchLabels: {}\n"),
            "spec.selector: Invalid value: {}: empty selector is invalid for deployment",
        ),
        (
            base.replace("      labels:\n        app: web\n", "      labels:\n        app: api\n"),
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"api\"}: `selector` does not match template `labels`",
        ),
        (
            base.replace(
                "    matchLabels:\n      app: web\n",
                "    matchLabels:\n      app: web\n    matchExpressions:\n    - {key: tier, operator: In, values: [front]}\n",
            ),
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`",
        ),
        (
            base.replace(
                "    matchLabels:\n      app: web\n",
                "    matchLabels:\n      app: web\n    matchExpressions:\n    - {key: tier, operator: Has}\n",
            ),
            "spec.selector.matchExpressions[0].operator: Invalid value: \"Has\": not a valid selector operator",
        ),
        (
            base.replace("      - name: web\n", "      - name: Web\n"),
            "spec.template.spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'",
        ),
        (
            base.replace(
                "        image: example/web:v1\n",
                "        image: example/web:v1\n      - name: web\n        image: example/sidecar:1\n",
            ),
            "spec.template.spec.containers[1].name: Duplicate value: \"web\"",
        ),
        (
            base.replace("        image: example/web:v1\n", ""),
            "spec.template.spec.containers[0].image: Required value",
        ),
        (
            base.replace(
                "        image: example/web:v1\n",
                "        image: example/web:v1\n        ports:\n        - containerPort: 70000\n",
            ),
            "spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
        ),
        (
            base.replace("    spec:\n      containers:", "    spec:\n      restartPolicy: Never\n      containers:"),
            "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
        ),
        (
            with_resources("          limits:\n            memory: 128MB\n"),
            "spec.template.spec.containers[0].resources.limits[memory]: Invalid value: \"128MB\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        ),
        (
            with_resources("          requests:\n            cpu: \"-100m\"\n"),
            "spec.template.spec.containers[0].resources.requests[cpu]: Invalid value: \"-100m\": must be greater than or equal to 0",
        ),
        (
            with_resources("          requests:\n            cpu: \"2\"\n          limits:\n            cpu: 500m\n"),
            "spec.template.spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 500m",
        ),
        (
            with_resources("          limits:\n            gpu: 1\n"),
            "spec.template.spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must be a standard resource type or fully qualified",
        ),
    ];
    for (yaml, expected) in cases {
        crate::assert_refused(import(&yaml), expected);
    }
    // Valid quantities and labels of every form import, and resources stay a warning.
    let valid = with_resources(
        "          requests: {cpu: 250m, memory: 64Mi, ephemeral-storage: 1Gi}\n          limits: {cpu: 1, memory: 0.5Gi, nvidia.com/gpu: 1}\n",
    )
    .replace(
        "  name: web\n",
        "  name: web.v2\n  labels:\n    app.kubernetes.io/name: web\n    version: \"\"\n",
    );
    let imported = import(&valid).unwrap_or_else(|error| panic!("valid: {error}"));
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.starts_with("spec.template.spec.containers[0].resources")),
        "{:?}",
        imported.warnings
    );
}
