//! Configuration as people write it: AnalysisTemplates with arguments, ClusterAnalysisTemplates,
//! a Rollout whose pod template comes from a Deployment by `workloadRef`, and the objects of
//! one release spread over several files. Each rule is pinned to Argo Rollouts' behaviour
//! (`utils/analysis/helpers.go`, `utils/template`, `pkg/apis/rollouts/validation`).

use engine::controllers::canary::CanaryStep;
use engine::import::{ImportError, Imported, SourceFile, import, import_files};

fn manifest(path: &str) -> String {
    let full = format!("{}/tests/manifests/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|error| panic!("{full}: {error}"))
}

/// The split folder's files, with `edit` applied to the one named `edited`.
fn split_files(edited: &str, edit: impl Fn(String) -> String) -> Vec<(String, String)> {
    ["rollout.yaml", "deployment.yaml", "templates.yaml"]
        .iter()
        .map(|name| {
            let text = manifest(&format!("split/{name}"));
            let text = if *name == edited { edit(text) } else { text };
            (name.to_string(), text)
        })
        .collect()
}

fn import_all(files: &[(String, String)]) -> Result<Imported, ImportError> {
    let sources: Vec<SourceFile> = files
        .iter()
        .map(|(name, text)| SourceFile { name, text })
        .collect();
    import_files(&sources)
}

fn analysis_steps(imported: &Imported) -> Vec<&engine::gates::analysis::ErrorRateGate> {
    imported
        .scenario
        .canary
        .steps
        .iter()
        .filter_map(|step| match step {
            CanaryStep::Analysis { gate } => Some(gate),
            _ => None,
        })
        .collect()
}

#[test]
fn template_args_fill_the_metric_and_a_secret_is_simulated() {
    let imported = import(&manifest("rollout-secret-args.yaml")).expect("Argo accepts it");
    let gates = analysis_steps(&imported);
    assert_eq!(gates.len(), 1);
    // count "{{args.count}}" and interval "{{args.interval}}" with the template's values.
    assert_eq!((gates[0].count, gates[0].interval_s), (3, 20));
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("check-url") && w.contains("secret check-endpoint/url")),
        "{:?}",
        imported.warnings
    );
}

#[test]
fn a_rollout_imports_with_its_deployment_and_templates_from_other_files() {
    let imported = import_all(&split_files("", |text| text)).expect("Argo accepts the set");
    let scenario = &imported.scenario;
    // The pod template is the Deployment's: its image tag and its readiness probe.
    assert_eq!(scenario.versions[0].name, "4.1.0");
    let service = &scenario.environments[0].services[0];
    assert_eq!(service.probes.period_s, 5);
    assert_eq!(scenario.canary.replicas, 5);
    // The background analysis: the first metric of success-rate, its args from the Rollout's
    // metadata, failureLimit from an arg, 1 − 0.95 as the error-rate bound.
    let background = scenario
        .canary
        .analysis
        .as_ref()
        .expect("background analysis");
    assert_eq!(background.gate.metric_name, "success-rate");
    assert_eq!(background.gate.failure_limit, 2);
    assert_eq!(background.gate.interval_s, 60);
    assert_eq!(background.gate.max_error_rate_bp, 500);
    // The step analysis reads the ClusterAnalysisTemplate and its latency bound (0.3 s).
    let gates = analysis_steps(&imported);
    assert_eq!(gates[0].metric_name, "latency-p95");
    assert_eq!(gates[0].p95_max_ms, Some(300));
    assert_eq!(gates[0].count, 4);
    for expected in [
        "spec.workloadRef: the pod template comes from Deployment payments",
        "spec.workloadRef.scaleDown",
        "spec.strategy.canary.analysis: the gate follows the first metric; error-budget not simulated",
    ] {
        assert!(
            imported.warnings.iter().any(|w| w.starts_with(expected)),
            "{expected:?} in {:?}",
            imported.warnings
        );
    }
}

#[test]
fn what_argo_refuses_in_analyses_and_references_is_refused_with_its_message() {
    let cases: Vec<(Vec<(String, String)>, &str)> = vec![
        // MergeArgs: an arg without a value or default that the Rollout does not give.
        (
            split_files("rollout.yaml", |t| {
                t.replace("          args:\n          - name: service-name\n            value: payments\n", "")
            }),
            "spec.strategy.canary.steps[2].analysis.args: args.service-name was not resolved",
        ),
        // clusterScope names a ClusterAnalysisTemplate; an AnalysisTemplate of that name is not it.
        (
            split_files("rollout.yaml", |t| {
                t.replace("templateName: success-rate", "templateName: success-rate\n          clusterScope: true")
            }),
            "spec.strategy.canary.analysis.templates[0].templateName: Not found: \"success-rate\": no ClusterAnalysisTemplate of that name in rollout.yaml, deployment.yaml, templates.yaml",
        ),
        // A placeholder naming no argument.
        (
            split_files("templates.yaml", |t| t.replace("{{args.threshold}}", "{{args.thresold}}")),
            "AnalysisTemplate success-rate: spec.metrics[0]: failed to resolve {{args.thresold}}",
        ),
        // flattenArgs: the same arg with two values in two templates of one analysis.
        (
            split_files("rollout.yaml", |t| {
                t.replace(
                    "        - templateName: success-rate\n",
                    "        - templateName: success-rate\n        - templateName: latency-p95\n          clusterScope: true\n",
                )
            })
            .into_iter()
            .map(|(name, text)| {
                let text = if name == "templates.yaml" {
                    text.replacen("  - name: service-name\n  metrics:", "  - name: namespace\n    value: other\n  metrics:", 1)
                } else {
                    text
                };
                (name, text)
            })
            .collect(),
            "spec.strategy.canary.analysis: Argument `namespace` specified multiple times with different values: 'default', 'other'",
        ),
        // flattenMetrics: two templates with a metric of the same name.
        (
            split_files("templates.yaml", |t| t.replace("- name: latency-p95\n    interval", "- name: success-rate\n    interval"))
                .into_iter()
                .map(|(name, text)| {
                    let text = if name == "rollout.yaml" {
                        text.replace("        - templateName: success-rate\n", "        - templateName: success-rate\n        - templateName: latency-p95\n          clusterScope: true\n")
                    } else {
                        text
                    };
                    (name, text)
                })
                .collect(),
            "spec.strategy.canary.analysis: two metrics have the same name 'success-rate'",
        ),
        // A fieldRef outside the metadata the downward API offers.
        (
            split_files("rollout.yaml", |t| t.replace("fieldPath: metadata.namespace", "fieldPath: metadata.generation")),
            "spec.strategy.canary.analysis.args[1].valueFrom.fieldRef.fieldPath: Invalid value: \"metadata.generation\": Analyses arguments must refer to valid object metadata supported by downwardAPI",
        ),
        // workloadRef to a Deployment not among the files.
        (
            split_files("deployment.yaml", |t| t.replace("name: payments\n  namespace", "name: payment\n  namespace")),
            "spec.workloadRef: Not found: Deployment \"payments\": not in rollout.yaml, deployment.yaml, templates.yaml",
        ),
        // Argo's ValidateRolloutSpec: a referenced template and an inline one exclude each other.
        (
            split_files("rollout.yaml", |t| {
                t.replace("  strategy:\n", "  template:\n    spec:\n      containers: [{name: x, image: x:1}]\n  strategy:\n")
            }),
            "spec.template: Internal error: template must be empty for workload reference rollout",
        ),
        (
            split_files("rollout.yaml", |t| t.replace("kind: Deployment", "kind: StatefulSet")),
            "spec.workloadRef.kind: Unsupported value: \"StatefulSet\"",
        ),
    ];
    for (files, expected) in cases {
        crate::assert_refused(import_all(&files), expected);
    }
}

#[test]
fn a_yaml_error_in_one_of_several_files_names_the_file() {
    let files = split_files("templates.yaml", |t| {
        t.replace("  metrics:", "  metrics: [\n")
    });
    let error = import_all(&files).expect_err("templates.yaml is broken");
    assert!(
        error.problems[0].starts_with("templates.yaml: line "),
        "{:?}",
        error.problems
    );
}

#[test]
fn a_helm_chart_template_is_named_as_one_and_a_missing_template_file_is_asked_for() {
    let helm = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: {{ template \"guestbook.fullname\" . }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n";
    let error = import(helm).expect_err("a chart template is not a manifest");
    assert_eq!(
        error.problems,
        [
            "line 4: a Helm chart template, not a manifest (`{{ … }}` with .Values, .Release, .Chart, template or include): render it with `helm template` and import the output"
        ]
    );
    // Argo's own `{{args.…}}` and GitHub's `${{ … }}` are not Helm's.
    import(&manifest("rollout-secret-args.yaml")).expect("args placeholders are Argo's");
    let alone = split_files("", |text| text)
        .into_iter()
        .filter(|(name, _)| name != "templates.yaml")
        .collect::<Vec<_>>();
    let error = import_all(&alone).expect_err("the templates are in another file");
    assert!(
        error.problems.iter().any(|p| p.ends_with(
            "in rollout.yaml, deployment.yaml; load the file that holds it together with this one"
        )),
        "{:?}",
        error.problems
    );
}
