//! Real configuration in: a Kubernetes `Deployment` manifest, or an Argo Rollouts `Rollout`
//! (with the `AnalysisTemplate`s of the same multi-document file), becomes a scenario that rolls
//! the manifest's service from the version it runs to a new one.
//!
//! Invalid manifests are refused with the real systems' validation messages and the field
//! path, for example `spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be
//! 0 when `maxSurge` is 0`. Fields the simulator does not model are listed as warnings, never
//! dropped silently.

use yaml_rust2::{Yaml, YamlLoader};

use crate::audit::Actor;
use crate::command::{Command, TimedCommand};
use crate::controllers::canary::CanaryStep;
use crate::gates::analysis::ErrorRateGate;
use crate::scenario::{Scenario, Strategy};
use crate::time::Tick;
use crate::upstream::intstr::IntOrPercent;
use crate::upstream::kubernetes::{DeploymentSpec, DeploymentStrategyType, validate_deployment};
use crate::world::fleet::Probes;
use crate::world::traffic::TrafficShape;
use crate::world::version::VersionProfile;
use crate::world::{ServiceSpec, standard_environments};

/// When the imported rollout starts: after a minute of steady traffic on the current version.
pub const ROLLOUT_STARTS_AT_S: u64 = 60;

/// A manifest turned into a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    /// The scenario: the service at its current version, and a rollout to the next at
    /// [`ROLLOUT_STARTS_AT_S`].
    pub scenario: Scenario,
    /// `Deployment` or `Rollout`.
    pub kind: String,
    /// Fields read but not simulated, each with its path.
    pub warnings: Vec<String>,
}

/// Why a manifest cannot be simulated: every problem found, each with where and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// One line per problem.
    pub problems: Vec<String>,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.problems.join("\n"))
    }
}

impl std::error::Error for ImportError {}

/// Reads a manifest file's text: a Deployment or Rollout manifest, a CodeDeploy configuration
/// name, or a document with a `deploymentConfigName`.
pub fn import(text: &str) -> Result<Imported, ImportError> {
    let trimmed = text.trim();
    if trimmed.starts_with("CodeDeployDefault.") && !trimmed.contains(char::is_whitespace) {
        return import_codedeploy(trimmed);
    }
    let documents = YamlLoader::load_from_str(text).map_err(|error| ImportError {
        problems: vec![format!(
            "line {} column {}: not valid YAML: {}",
            error.marker().line(),
            error.marker().col() + 1,
            error.info()
        )],
    })?;
    let kinds: Vec<String> = documents
        .iter()
        .filter_map(|d| d["kind"].as_str().map(String::from))
        .collect();
    if let Some(workflow) = documents
        .iter()
        .find(|d| crate::pipeline::workflow_import::is_workflow(d))
    {
        return import_workflow_file(workflow);
    }
    if let Some(name) = documents
        .iter()
        .find_map(|d| d["deploymentConfigName"].as_str())
    {
        return import_codedeploy(name);
    }
    if let Some(canary) = documents
        .iter()
        .find(|d| matches!(d["kind"].as_str(), Some("Canary")))
    {
        return import_flagger(canary, &documents);
    }
    if let Some(rollout) = documents
        .iter()
        .find(|d| matches!(d["kind"].as_str(), Some("Rollout")))
    {
        let templates: Vec<&Yaml> = documents
            .iter()
            .filter(|d| {
                matches!(
                    d["kind"].as_str(),
                    Some("AnalysisTemplate" | "ClusterAnalysisTemplate")
                )
            })
            .collect();
        return import_rollout(rollout, &templates);
    }
    let Some(manifest) = documents
        .iter()
        .find(|d| matches!(d["kind"].as_str(), Some("Deployment")))
    else {
        return Err(ImportError {
            problems: vec![if kinds.is_empty() {
                "the file has no Kubernetes object (no document with a `kind`)".to_string()
            } else {
                format!(
                    "no Deployment, Rollout or Canary in the file (found: {}); those can be imported",
                    kinds.join(", ")
                )
            }],
        });
    };
    import_deployment(manifest)
}

/// A GitHub Actions workflow: it runs in the canary story's world, started the way its `on`
/// allows (a push to its first branch, else a dispatch with its inputs' defaults, else its
/// first schedule), with a job for `production` taking the canary as its deployment.
fn import_workflow_file(document: &Yaml) -> Result<Imported, ImportError> {
    let imported = crate::pipeline::workflow_import::import_workflow(document, "workflow")
        .map_err(|problems| ImportError { problems })?;
    let mut warnings = imported.warnings;
    let workflow = imported.workflow;
    let triggers = &workflow.triggers;
    let main = crate::pipeline::triggers::git_ref_of("main");
    let no_inputs = std::collections::BTreeMap::new;
    // The release is v3, so a tag filter such as `v*` is met by pushing the tag v3.
    let started = if let Some(git_ref) = triggers.push.as_ref().and_then(|f| f.example_ref("v3")) {
        Some(("push", git_ref, no_inputs()))
    } else if let Some(inputs) = &triggers.workflow_dispatch {
        let values = inputs
            .iter()
            .map(|input| {
                let value = input
                    .default
                    .clone()
                    .or_else(|| input.options.first().cloned())
                    .unwrap_or_else(|| match input.kind.as_str() {
                        "boolean" => "false".to_string(),
                        "environment" => "production".to_string(),
                        _ => format!("v3 ({} was not given a default)", input.name),
                    });
                (input.name.clone(), value)
            })
            .collect();
        Some(("workflow_dispatch", main.clone(), values))
    } else if let Some(git_ref) = triggers
        .pull_request
        .as_ref()
        .and_then(|f| f.example_ref("v3"))
        .filter(|r| !r.tag)
    {
        Some(("pull_request", git_ref, no_inputs()))
    } else if !triggers.schedules.is_empty() {
        Some(("schedule", main.clone(), no_inputs()))
    } else {
        None
    };
    if !workflow.jobs.iter().any(|job| {
        job.environment
            .as_ref()
            .is_some_and(|e| e.name.contains("production"))
    }) {
        warnings.push(
            "no job deploys to production: the run is simulated, and no rollout starts".to_string(),
        );
    }
    let steps = "steps are shown, not executed: each job takes simulated time (about 30 s plus 45 s a step), tests fail on their own one run in fifty";
    let trigger = match started {
        Some((event, git_ref, inputs)) => {
            warnings.push(format!(
                "{steps}; the run starts a minute in, as a {event} of {} {} by dana",
                if git_ref.tag { "tag" } else { "branch" },
                git_ref.name
            ));
            Some(Command::TriggerWorkflow {
                event: event.to_string(),
                branch: crate::pipeline::triggers::ref_text(&git_ref),
                login: "dana".to_string(),
                inputs,
                emergency_reason: None,
                skip_tests: false,
            })
        }
        None => {
            warnings.push(format!(
                "{steps}; no run starts: none of the workflow's events (push, pull_request, workflow_dispatch, schedule) can start it here"
            ));
            None
        }
    };
    let name = workflow.name.clone();
    let scenario = crate::scenario::pipelines::pipeline_world(
        &format!("import:{}", name.to_lowercase().replace(' ', "-")),
        &format!("Workflow: {name}"),
        &format!(
            "The workflow \"{name}\" runs against checkout in the simulated world: v1 in production, v3 to release. Production needs a reviewer (alice or bob, not dana) and only main or release/* may deploy there."
        ),
        "Follow the run's jobs, review the production deployment when it waits, and read the decisions back in the audit trail.",
        workflow,
        600,
        trigger,
    );
    Ok(Imported {
        scenario,
        kind: "GitHub Actions workflow".to_string(),
        warnings,
    })
}

/// Instances in an imported CodeDeploy deployment group.
pub const CODEDEPLOY_INSTANCES: u32 = 10;

/// A CodeDeploy predefined configuration, applied to a 10-instance service. In-place
/// configurations run as batches bounded by the minimum healthy hosts (Kubernetes' rolling
/// arithmetic with no surge); canary and linear configurations shift traffic exactly, and an
/// alarm on the error rate (above 5 % over a minute) stops and rolls back the deployment.
pub fn import_codedeploy(name: &str) -> Result<Imported, ImportError> {
    use crate::upstream::codedeploy::{
        CodeDeployConfig, Platform, max_in_flight, predefined, traffic_steps,
    };
    let (platform, config) = predefined(name).map_err(|message| ImportError {
        problems: vec![format!("deploymentConfigName: {message}")],
    })?;
    let service = match platform {
        Platform::Server => "app-ec2",
        Platform::Ecs => "app-ecs",
        Platform::Lambda => "app-lambda",
    };
    let mut warnings = Vec::new();
    let (strategy, title) = match config {
        CodeDeployConfig::InPlace {
            minimum_healthy,
            one_at_a_time,
        } => {
            let batch = max_in_flight(CODEDEPLOY_INSTANCES, minimum_healthy, one_at_a_time);
            if batch == 0 {
                return Err(ImportError {
                    problems: vec![format!(
                        "{name}: HEALTH_CONSTRAINTS: the minimum healthy hosts leave no instance to deploy to"
                    )],
                });
            }
            warnings.push(format!(
                "{name}: in-place batches of {batch} of {CODEDEPLOY_INSTANCES} instances are simulated with Kubernetes' rolling arithmetic (maxSurge 0, maxUnavailable {batch}); events use Kubernetes' names"
            ));
            (
                Strategy::KubernetesDeployment {
                    name: service.to_string(),
                    spec: DeploymentSpec {
                        replicas: CODEDEPLOY_INSTANCES as i32,
                        strategy: DeploymentStrategyType::RollingUpdate,
                        max_surge: Some(IntOrPercent::Int(0)),
                        max_unavailable: Some(IntOrPercent::Int(i64::from(batch))),
                        ..DeploymentSpec::default()
                    },
                },
                format!("{name}: {CODEDEPLOY_INSTANCES} instances, {batch} at a time"),
            )
        }
        _ => {
            warnings.push(format!(
                "{name}: traffic shifting is simulated with the canary controller behind a traffic router; a CloudWatch alarm on the error rate (above 5 % over a minute) stops the deployment and rolls traffic back"
            ));
            (
                Strategy::ArgoCanary,
                format!("{name}: traffic shifted to the new version"),
            )
        }
    };
    let mut scenario = rollout_scenario(
        service,
        "example/app:v1",
        CODEDEPLOY_INSTANCES,
        Probes::default(),
        strategy,
        title,
    );
    scenario.id = format!("import:{name}");
    scenario.situation = format!(
        "The deployment group {service} runs revision v1 on {CODEDEPLOY_INSTANCES} {}. A minute in, a deployment of v2 starts with {name}; a CloudWatch alarm watches its error rate, and automatic rollback is on.",
        if matches!(platform, Platform::Server) {
            "instances"
        } else {
            "tasks"
        }
    );
    scenario.objective = "Follow the deployment's status and the instances or traffic it moves; if it fails or is stopped, watch the rollback arrive as a new deployment of the last good revision.".to_string();
    if !matches!(config, CodeDeployConfig::InPlace { .. }) {
        let canary = &mut scenario.canary;
        canary.traffic_routing = true;
        canary.steps = traffic_steps(config)
            .into_iter()
            .flat_map(|(weight, wait_min)| {
                let mut steps = vec![CanaryStep::SetWeight {
                    weight_percent: weight,
                }];
                if wait_min > 0 {
                    steps.push(CanaryStep::Pause {
                        duration_s: Some(wait_min * 60),
                    });
                }
                steps
            })
            .collect();
        if let Some(analysis) = canary.analysis.as_mut() {
            analysis.gate.metric_name = "cloudwatch-alarm-error-rate".to_string();
            analysis.gate.max_error_rate_bp = 500;
            analysis.starting_step = 0;
        }
    }
    scenario.codedeploy = Some(crate::controllers::codedeploy::CodeDeploySpec {
        config_name: name.to_string(),
        config,
        instances: CODEDEPLOY_INSTANCES,
        auto_rollback: true,
        alarm_name: "cloudwatch-alarm-error-rate".to_string(),
        alarm_error_rate_bp: 500,
        alarm_period_s: 60,
    });
    warnings.push(format!(
        "{name}: automatic rollback is on for DEPLOYMENT_FAILURE and DEPLOYMENT_STOP_ON_ALARM; a rollback is a new deployment of the last good revision"
    ));
    Ok(Imported {
        scenario,
        kind: "CodeDeploy configuration".to_string(),
        warnings,
    })
}

/// A `Deployment`: its strategy, replicas, timings and probes.
fn import_deployment(manifest: &Yaml) -> Result<Imported, ImportError> {
    let mut reader = Reader::default();
    if let Some(api_version) = manifest["apiVersion"].as_str()
        && api_version != "apps/v1"
    {
        reader.warn("apiVersion", &format!("{api_version} is read as apps/v1"));
    }
    let name = reader.required_str(manifest, "metadata.name");
    let spec = &manifest["spec"];
    let strategy_node = &spec["strategy"];
    let strategy = match strategy_node["type"].as_str() {
        None | Some("RollingUpdate") => DeploymentStrategyType::RollingUpdate,
        Some("Recreate") => DeploymentStrategyType::Recreate,
        Some(other) => {
            reader.error(format!(
                "spec.strategy.type: Unsupported value: \"{other}\": supported values: \"Recreate\", \"RollingUpdate\""
            ));
            DeploymentStrategyType::RollingUpdate
        }
    };
    let rolling = &strategy_node["rollingUpdate"];
    let has_rolling_block = !rolling.is_badvalue() && !rolling.is_null();
    let default_quarter =
        (strategy == DeploymentStrategyType::RollingUpdate).then(|| IntOrPercent::percent(25));
    let deployment = DeploymentSpec {
        replicas: reader.int(spec, "spec.replicas", 1),
        strategy,
        max_surge: reader
            .int_or_percent(rolling, "spec.strategy.rollingUpdate.maxSurge")
            .or(default_quarter.clone()),
        max_unavailable: reader
            .int_or_percent(rolling, "spec.strategy.rollingUpdate.maxUnavailable")
            .or(default_quarter),
        min_ready_seconds: reader.int(spec, "spec.minReadySeconds", 0),
        progress_deadline_seconds: Some(reader.int(spec, "spec.progressDeadlineSeconds", 600)),
        revision_history_limit: reader.int(spec, "spec.revisionHistoryLimit", 10),
        paused: spec["paused"].as_bool().unwrap_or(false),
    };
    for problem in validate_deployment(&deployment, has_rolling_block) {
        reader.error(problem);
    }
    let container = &spec["template"]["spec"]["containers"][0];
    let image = container["image"].as_str().unwrap_or("").to_string();
    if image.is_empty() {
        reader.error("spec.template.spec.containers[0].image: Required value".to_string());
    }
    let probes = reader.probes(
        &container["readinessProbe"],
        "spec.template.spec.containers[0].readinessProbe",
    );
    for unmodelled in ["livenessProbe", "startupProbe", "resources"] {
        if !container[unmodelled].is_badvalue() {
            reader.warn(
                &format!("spec.template.spec.containers[0].{unmodelled}"),
                "read but not simulated (the simulator uses Kubernetes defaults)",
            );
        }
    }
    reader.finish()?;
    let name = name.unwrap_or_default();
    let scenario = rollout_scenario(
        &name,
        &image,
        deployment.replicas.max(0) as u32,
        probes,
        Strategy::KubernetesDeployment {
            name: name.clone(),
            spec: deployment.clone(),
        },
        format!(
            "Deployment {name}: {} replicas, {}",
            deployment.replicas,
            describe_strategy(&deployment)
        ),
    );
    Ok(Imported {
        scenario,
        kind: "Deployment".to_string(),
        warnings: reader.warnings,
    })
}

/// An Argo Rollouts `Rollout` with a canary strategy, and the AnalysisTemplates its steps and
/// background analysis name.
fn import_rollout(manifest: &Yaml, templates: &[&Yaml]) -> Result<Imported, ImportError> {
    let mut reader = Reader::default();
    if let Some(api_version) = manifest["apiVersion"].as_str()
        && api_version != "argoproj.io/v1alpha1"
    {
        reader.warn(
            "apiVersion",
            &format!("{api_version} is read as argoproj.io/v1alpha1"),
        );
    }
    let name = reader.required_str(manifest, "metadata.name");
    let spec = &manifest["spec"];
    let replicas = reader.int(spec, "spec.replicas", 1);
    if replicas < 0 {
        reader.error(format!(
            "spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"
        ));
    }
    if !spec["workloadRef"].is_badvalue() {
        reader.error(
            "spec.workloadRef: not simulated: put the pod template in the Rollout (spec.template)"
                .to_string(),
        );
    }
    let container = &spec["template"]["spec"]["containers"][0];
    let image = container["image"].as_str().unwrap_or("").to_string();
    if image.is_empty() && spec["workloadRef"].is_badvalue() {
        reader.error("spec.template.spec.containers[0].image: Required value".to_string());
    }
    let probes = reader.probes(
        &container["readinessProbe"],
        "spec.template.spec.containers[0].readinessProbe",
    );
    for (field, what) in [
        (
            "minReadySeconds",
            "pods count as available as soon as they are ready",
        ),
        (
            "progressDeadlineSeconds",
            "the progress deadline is simulated for Deployments only",
        ),
    ] {
        if !spec[field].is_badvalue() {
            reader.warn(
                &format!("spec.{field}"),
                &format!("read but not simulated: {what}"),
            );
        }
    }
    let strategy = &spec["strategy"];
    let canary = &strategy["canary"];
    let blue_green = &strategy["blueGreen"];
    match (canary.is_badvalue(), blue_green.is_badvalue()) {
        (false, false) => reader.error(
            "spec.strategy: Invalid value: \"canary, blueGreen\": Multiple Strategies can not be listed"
                .to_string(),
        ),
        (true, true) => reader.error(
            "spec.strategy: Required value: a Rollout needs a canary or a blueGreen strategy"
                .to_string(),
        ),
        (true, false) => {
            return import_blue_green(manifest, templates, reader, name, replicas, image, probes);
        }
        (false, true) => {}
    }
    let mut scenario_canary = crate::scenario::builtin("canary-good-release")
        .expect("the built-in canary scenario exists")
        .canary;
    scenario_canary.replicas = replicas.max(0) as u32;
    scenario_canary.traffic_routing = !canary["trafficRouting"].is_badvalue();
    reader.traffic_routing = scenario_canary.traffic_routing;
    if let Some(surge) = reader.int_or_percent(canary, "spec.strategy.canary.maxSurge") {
        scenario_canary.max_surge = surge;
    }
    if let Some(unavailable) = reader.int_or_percent(canary, "spec.strategy.canary.maxUnavailable")
    {
        scenario_canary.max_unavailable = unavailable;
    }
    if crate::upstream::argo_canary::argo_surge_and_unavailable(
        &scenario_canary.max_surge,
        &scenario_canary.max_unavailable,
        replicas,
    )
    .is_ok_and(|(surge, unavailable)| surge == 0 && unavailable == 1)
        && is_zero_argo(&scenario_canary.max_surge)
        && is_zero_argo(&scenario_canary.max_unavailable)
    {
        reader.error(
            "spec.strategy.canary.maxSurge: Invalid value: 0: MaxSurge and MaxUnavailable both can not be zero"
                .to_string(),
        );
    }
    scenario_canary.scale_down_delay_s = reader
        .int(canary, "spec.strategy.canary.scaleDownDelaySeconds", 30)
        .max(0) as u32;
    scenario_canary.abort_scale_down_delay_s = reader
        .int(
            canary,
            "spec.strategy.canary.abortScaleDownDelaySeconds",
            30,
        )
        .max(0) as u32;
    scenario_canary.steps = Vec::new();
    if let Some(steps) = canary["steps"].as_vec() {
        for (index, step) in steps.iter().enumerate() {
            let path = format!("spec.strategy.canary.steps[{index}]");
            if let Some(step) = reader.canary_step(step, &path, templates) {
                scenario_canary.steps.push(step);
            }
        }
    }
    scenario_canary.analysis = None;
    let background = &canary["analysis"];
    if !background.is_badvalue() {
        let path = "spec.strategy.canary.analysis";
        if let Some(ImportedGate { gate, .. }) = reader.analysis_gate(background, path, templates) {
            let starting_step = reader.int(background, &format!("{path}.startingStep"), 0);
            scenario_canary.analysis = Some(crate::controllers::canary::BackgroundAnalysis {
                gate,
                starting_step: starting_step.max(0) as u32,
            });
        }
    }
    for unmodelled in [
        "canaryService",
        "stableService",
        "dynamicStableScale",
        "antiAffinity",
    ] {
        if !canary[unmodelled].is_badvalue() {
            reader.warn(
                &format!("spec.strategy.canary.{unmodelled}"),
                "read but not simulated",
            );
        }
    }
    reader.finish()?;
    let name = name.unwrap_or_default();
    let title = format!(
        "Rollout {name}: {replicas} replicas, canary {} with {} steps",
        if scenario_canary.traffic_routing {
            "behind a traffic router"
        } else {
            "without a traffic router (weights approximated by pods)"
        },
        scenario_canary.steps.len()
    );
    let mut scenario = rollout_scenario(
        &name,
        &image,
        replicas.max(0) as u32,
        probes,
        Strategy::ArgoCanary,
        title,
    );
    scenario.canary = scenario_canary;
    Ok(Imported {
        scenario,
        kind: "Rollout".to_string(),
        warnings: reader.warnings,
    })
}

/// A Flagger `Canary`, with the Deployment it targets when the file has it.
fn import_flagger(canary: &Yaml, documents: &[Yaml]) -> Result<Imported, ImportError> {
    let mut reader = Reader::default();
    if let Some(api_version) = canary["apiVersion"].as_str()
        && !api_version.starts_with("flagger.app/")
    {
        reader.warn(
            "apiVersion",
            &format!("{api_version} is read as flagger.app/v1beta1"),
        );
    }
    let name = reader
        .required_str(canary, "metadata.name")
        .unwrap_or_default();
    let spec = &canary["spec"];
    let target = reader.required_str(canary, "spec.targetRef.name");
    let deployment = target.as_ref().and_then(|target| {
        documents.iter().find(|d| {
            d["kind"].as_str() == Some("Deployment")
                && d["metadata"]["name"].as_str() == Some(target.as_str())
        })
    });
    let (replicas, image, probes) = match deployment {
        Some(deployment) => {
            let container = &deployment["spec"]["template"]["spec"]["containers"][0];
            (
                reader.int(&deployment["spec"], "spec.replicas", 1),
                container["image"].as_str().unwrap_or("").to_string(),
                reader.probes(
                    &container["readinessProbe"],
                    "Deployment: spec.template.spec.containers[0].readinessProbe",
                ),
            )
        }
        None => {
            reader.warn(
                "spec.targetRef",
                "the target Deployment is not in the file: 2 replicas of version v1 are assumed",
            );
            (2, "app:v1".to_string(), Probes::default())
        }
    };
    let analysis = &spec["analysis"];
    if analysis.is_badvalue() && !spec["skipAnalysis"].as_bool().unwrap_or(false) {
        reader.error("spec.analysis: Required value".to_string());
    }
    let duration = |reader: &mut Reader, field: &str, default: u32| -> u32 {
        match &analysis[field] {
            Yaml::BadValue | Yaml::Null => default,
            value => parse_duration_s(value).unwrap_or_else(|reason| {
                reader.error(format!("spec.analysis.{field}: Invalid value: {reason}"));
                default
            }),
        }
    };
    let mut interval_s = duration(&mut reader, "interval", 60);
    if interval_s < 10 {
        reader.warn(
            "spec.analysis.interval",
            "below Flagger's minimum of 10 s; 10 s is used",
        );
        interval_s = 10;
    }
    let threshold = reader.int(analysis, "spec.analysis.threshold", 0);
    let step_weights: Vec<u32> = analysis["stepWeights"]
        .as_vec()
        .map(|weights| {
            weights
                .iter()
                .filter_map(|w| w.as_i64())
                .map(|w| w.clamp(0, 100) as u32)
                .collect()
        })
        .unwrap_or_default();
    let iterations = match &analysis["iterations"] {
        Yaml::BadValue | Yaml::Null => None,
        _ => Some(reader.int(analysis, "spec.analysis.iterations", 0).max(0) as u32),
    };
    let ab_match = flagger_matches(&mut reader, &analysis["match"]);
    if !ab_match.is_empty() && iterations.is_none() {
        reader.warn(
            "spec.analysis.match",
            "is used with iterations (an A/B test); with stepWeight only the weights are simulated",
        );
    }
    let mut metrics = Vec::new();
    if let Some(list) = analysis["metrics"].as_vec() {
        for (index, metric) in list.iter().enumerate() {
            let path = format!("spec.analysis.metrics[{index}]");
            let metric_name = metric["name"].as_str().unwrap_or_default().to_string();
            if !matches!(
                metric_name.as_str(),
                "request-success-rate" | "request-duration"
            ) || !metric["templateRef"].is_badvalue()
            {
                reader.warn(
                    &path,
                    &format!("custom metric \"{metric_name}\" is not simulated; only the built-in request-success-rate and request-duration are"),
                );
                continue;
            }
            let bound = |key: &str| -> Option<i64> {
                match &metric["thresholdRange"][key] {
                    Yaml::Integer(n) => Some(n * 1_000),
                    Yaml::Real(text) => text
                        .parse::<f64>()
                        .ok()
                        .map(|v| (v * 1_000.0).round() as i64),
                    _ => None,
                }
            };
            let metric_interval = match &metric["interval"] {
                Yaml::BadValue | Yaml::Null => 60,
                value => parse_duration_s(value).unwrap_or(60),
            };
            metrics.push(crate::controllers::flagger::FlaggerMetric {
                name: metric_name,
                min_milli: bound("min"),
                max_milli: bound("max"),
                interval_s: metric_interval,
            });
        }
    }
    let mut confirm_promotion = false;
    if let Some(webhooks) = analysis["webhooks"].as_vec() {
        for (index, webhook) in webhooks.iter().enumerate() {
            match webhook["type"].as_str() {
                Some("confirm-promotion") => confirm_promotion = true,
                other => reader.warn(
                    &format!("spec.analysis.webhooks[{index}]"),
                    &format!(
                        "{} webhooks are not simulated (they always pass)",
                        other.unwrap_or("rollout")
                    ),
                ),
            }
        }
    }
    let skip_analysis = spec["skipAnalysis"].as_bool().unwrap_or(false);
    let flagger_spec = crate::controllers::flagger::FlaggerSpec {
        name: name.clone(),
        replicas: replicas.max(0) as u32,
        interval_s,
        threshold: threshold.max(1) as u32,
        max_weight: reader
            .int(analysis, "spec.analysis.maxWeight", 100)
            .clamp(0, 100) as u32,
        step_weight: reader.int(analysis, "spec.analysis.stepWeight", 0).max(0) as u32,
        step_weights,
        iterations: if skip_analysis { Some(0) } else { iterations },
        metrics: if skip_analysis { Vec::new() } else { metrics },
        confirm_promotion,
        progress_deadline_s: reader.int(spec, "spec.progressDeadlineSeconds", 600).max(0) as u32,
        ab_match: if iterations.is_some() {
            ab_match
        } else {
            Vec::new()
        },
    };
    if flagger_spec.iterations.is_none()
        && flagger_spec.step_weight == 0
        && flagger_spec.step_weights.is_empty()
    {
        reader.error(
            "spec.analysis: Invalid value: a canary analysis needs stepWeight or stepWeights (or iterations for blue/green)"
                .to_string(),
        );
    }
    reader.finish()?;
    let title = format!(
        "Flagger Canary {name}: {}",
        match (
            flagger_spec.iterations,
            flagger_spec.step_weights.is_empty()
        ) {
            (Some(n), _) if !flagger_spec.ab_match.is_empty() => {
                format!("A/B test, {n} iterations every {interval_s} s")
            }
            (Some(n), _) => format!("blue/green, {n} iterations every {interval_s} s"),
            (None, true) => format!(
                "+{} % every {interval_s} s up to {} %",
                flagger_spec.step_weight, flagger_spec.max_weight
            ),
            (None, false) => format!("steps {:?} every {interval_s} s", flagger_spec.step_weights),
        }
    );
    let service = target.unwrap_or_else(|| name.clone());
    let scenario = rollout_scenario(
        &service,
        &image,
        replicas.max(0) as u32,
        probes,
        Strategy::Flagger { spec: flagger_spec },
        title,
    );
    Ok(Imported {
        scenario,
        kind: "Canary".to_string(),
        warnings: reader.warnings,
    })
}

/// A `Rollout` with a blue-green strategy.
fn import_blue_green(
    manifest: &Yaml,
    templates: &[&Yaml],
    mut reader: Reader,
    name: Option<String>,
    replicas: i32,
    image: String,
    probes: Probes,
) -> Result<Imported, ImportError> {
    let path = "spec.strategy.blueGreen";
    let strategy = &manifest["spec"]["strategy"]["blueGreen"];
    let active_service = reader.required_str(manifest, &format!("{path}.activeService"));
    let preview_service = strategy["previewService"].as_str().map(String::from);
    if preview_service.is_some() && preview_service == active_service {
        reader.error(format!(
            "{path}.previewService: Invalid value: {:?}: This rollout uses the same service for the active and preview services, but two different services are required.",
            preview_service.clone().unwrap_or_default()
        ));
    }
    let preview_replica_count = match &strategy["previewReplicaCount"] {
        Yaml::BadValue | Yaml::Null => None,
        _ => Some(
            reader
                .int(strategy, &format!("{path}.previewReplicaCount"), 0)
                .max(0) as u32,
        ),
    };
    let auto_promotion_enabled = match &strategy["autoPromotionEnabled"] {
        Yaml::Boolean(enabled) => *enabled,
        Yaml::BadValue | Yaml::Null => true,
        other => {
            reader.error(format!(
                "{path}.autoPromotionEnabled: Invalid value: {}: must be true or false",
                describe(other)
            ));
            true
        }
    };
    let auto_promotion_seconds = match &strategy["autoPromotionSeconds"] {
        Yaml::BadValue | Yaml::Null => None,
        _ => Some(
            reader
                .int(strategy, &format!("{path}.autoPromotionSeconds"), 0)
                .max(0) as u32,
        ),
    };
    let analysis = |reader: &mut Reader, field: &str| -> Option<ErrorRateGate> {
        let node = &strategy[field];
        if node.is_badvalue() {
            return None;
        }
        reader
            .analysis_gate(node, &format!("{path}.{field}"), templates)
            .map(|imported| imported.gate)
    };
    let pre_promotion_analysis = analysis(&mut reader, "prePromotionAnalysis");
    let post_promotion_analysis = analysis(&mut reader, "postPromotionAnalysis");
    let spec = crate::controllers::blue_green::BlueGreenSpec {
        replicas: replicas.max(0) as u32,
        active_service: active_service.unwrap_or_default(),
        preview_service,
        preview_replica_count,
        auto_promotion_enabled,
        auto_promotion_seconds,
        scale_down_delay_s: reader
            .int(strategy, &format!("{path}.scaleDownDelaySeconds"), 30)
            .max(0) as u32,
        abort_scale_down_delay_s: reader
            .int(strategy, &format!("{path}.abortScaleDownDelaySeconds"), 30)
            .max(0) as u32,
        pre_promotion_analysis,
        post_promotion_analysis,
    };
    for unmodelled in [
        "maxUnavailable",
        "scaleDownDelayRevisionLimit",
        "antiAffinity",
        "activeMetadata",
        "previewMetadata",
    ] {
        if !strategy[unmodelled].is_badvalue() {
            reader.warn(&format!("{path}.{unmodelled}"), "read but not simulated");
        }
    }
    reader.finish()?;
    let name = name.unwrap_or_default();
    let title = format!(
        "Rollout {name}: {replicas} replicas, blue-green{}",
        if spec.auto_promotion_enabled {
            ""
        } else {
            " with a manual promotion gate"
        }
    );
    let scenario = rollout_scenario(
        &name,
        &image,
        replicas.max(0) as u32,
        probes,
        Strategy::ArgoBlueGreen { spec },
        title,
    );
    Ok(Imported {
        scenario,
        kind: "Rollout".to_string(),
        warnings: reader.warnings,
    })
}

/// A count or percentage Argo reads as zero.
fn is_zero_argo(value: &IntOrPercent) -> bool {
    value.scaled_argo(100, false) == Ok(0)
}

/// Parses an Argo duration: a bare number of seconds, or a number with `s`, `m` or `h`.
fn parse_duration_s(value: &Yaml) -> Result<u32, String> {
    match value {
        Yaml::Integer(seconds) if *seconds >= 0 => Ok(*seconds as u32),
        Yaml::String(text) => {
            let (digits, unit_s) = match text.chars().last() {
                Some('s') => (&text[..text.len() - 1], 1),
                Some('m') => (&text[..text.len() - 1], 60),
                Some('h') => (&text[..text.len() - 1], 3_600),
                _ => (text.as_str(), 1),
            };
            digits
                .parse::<u32>()
                .ok()
                .and_then(|n| n.checked_mul(unit_s))
                .ok_or_else(|| format!("{text:?}: must be a duration such as 30s, 5m or 1h"))
        }
        other => Err(format!(
            "{}: must be a duration such as 30s, 5m or 1h",
            describe(other)
        )),
    }
}

/// The scenario for an imported service: `replicas` of it at its current version in
/// production on flat traffic, and a rollout to the next version after a minute.
/// Flagger's `analysis.match` (Istio's HTTP match requests), each written out for people:
/// `header x-canary exact "insider"`, `cookie regex "^(.*?;)?(canary=always)(;.*)?$"`. Matches
/// on anything but headers are warned about and left out.
fn flagger_matches(reader: &mut Reader, matches: &Yaml) -> Vec<String> {
    let mut written = Vec::new();
    let Some(list) = matches.as_vec() else {
        if !matches.is_badvalue() && !matches.is_null() {
            reader.error("spec.analysis.match: Invalid value: must be a list".to_string());
        }
        return written;
    };
    for (index, entry) in list.iter().enumerate() {
        let Some(map) = entry.as_hash() else {
            continue;
        };
        for (key, value) in map {
            let key = key.as_str().unwrap_or_default();
            if key != "headers" {
                reader.warn(
                    &format!("spec.analysis.match[{index}].{key}"),
                    "only header and cookie matches are simulated",
                );
                continue;
            }
            let Some(headers) = value.as_hash() else {
                continue;
            };
            for (header, condition) in headers {
                let header = header.as_str().unwrap_or_default().to_ascii_lowercase();
                let (operator, operand) = condition
                    .as_hash()
                    .and_then(|c| c.iter().next())
                    .map(|(op, v)| {
                        (
                            op.as_str().unwrap_or("exact").to_string(),
                            v.as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .unwrap_or_else(|| ("exact".to_string(), String::new()));
                written.push(if header == "cookie" {
                    format!("cookie {operator} \"{operand}\"")
                } else {
                    format!("header {header} {operator} \"{operand}\"")
                });
            }
        }
    }
    written
}

fn rollout_scenario(
    name: &str,
    image: &str,
    replicas: u32,
    probes: Probes,
    strategy: Strategy,
    title: String,
) -> Scenario {
    let current = image_tag(image);
    let next = next_version_name(&current);
    let mut scenario = crate::scenario::builtin("canary-good-release")
        .expect("the built-in canary scenario exists");
    let mut service = ServiceSpec::typical(name, &current, replicas, TrafficShape::flat(200));
    // Enough capacity that a rolling update with a pod or two down does not overload the rest.
    service.capacity_rps_per_instance = (400 / replicas.max(1)).max(60);
    service.probes = probes;
    scenario.id = format!("import:{name}");
    scenario.title = title;
    scenario.situation = format!(
        "{name} runs {current} on {replicas} replicas. A minute in, its pod template changes to {next}, and the controller rolls it out as the manifest says."
    );
    scenario.objective = "Follow the ReplicaSets, the traffic each version gets, and the rollout's phase as the real controller would move them.".to_string();
    scenario.versions = vec![
        VersionProfile::healthy(&current, 20),
        VersionProfile::healthy(&next, 20),
    ];
    scenario.environments = standard_environments(vec![service]);
    scenario.rollout_environment = "production".to_string();
    scenario.rollout_service = name.to_string();
    scenario.canary.replicas = replicas;
    scenario.schedule = vec![TimedCommand {
        at: Tick(ROLLOUT_STARTS_AT_S),
        actor: Actor::Pipeline,
        command: Command::StartRollout { version: next },
    }];
    scenario.strategy = strategy;
    scenario.settle_s = 120;
    scenario.max_duration_s = 4 * 3_600;
    scenario
}

/// `nginx:1.14.2` → `1.14.2`; an image without a tag runs `latest`.
fn image_tag(image: &str) -> String {
    let last_segment = image.rsplit('/').next().unwrap_or(image);
    let without_digest = last_segment.split('@').next().unwrap_or(last_segment);
    match without_digest.split_once(':') {
        Some((_, tag)) if !tag.is_empty() => tag.to_string(),
        _ => "latest".to_string(),
    }
}

/// The version after `current`: its last number plus one (`1.14.2` → `1.14.3`, `v1` → `v2`),
/// or `current-next` when it has no number.
fn next_version_name(current: &str) -> String {
    let digits_start = current
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    match current[digits_start..].parse::<u64>() {
        Ok(number) if digits_start < current.len() => {
            format!("{}{}", &current[..digits_start], number + 1)
        }
        _ => format!("{current}-next"),
    }
}

fn describe_strategy(spec: &DeploymentSpec) -> String {
    match spec.strategy {
        DeploymentStrategyType::Recreate => "Recreate".to_string(),
        DeploymentStrategyType::RollingUpdate => format!(
            "RollingUpdate (maxSurge {}, maxUnavailable {})",
            spec.max_surge
                .as_ref()
                .map_or("0".to_string(), |v| v.written()),
            spec.max_unavailable
                .as_ref()
                .map_or("0".to_string(), |v| v.written())
        ),
    }
}

/// An analysis gate read from a template, and whether its `count` was written as 0.
struct ImportedGate {
    gate: ErrorRateGate,
    explicit_zero_count: bool,
}

/// Reads fields with their paths, collecting problems and warnings instead of stopping at the
/// first.
#[derive(Default)]
struct Reader {
    errors: Vec<String>,
    warnings: Vec<String>,
    /// The Rollout being read has a traffic router.
    traffic_routing: bool,
}

impl Reader {
    fn error(&mut self, message: String) {
        self.errors.push(message);
    }

    fn warn(&mut self, path: &str, message: &str) {
        self.warnings.push(format!("{path}: {message}"));
    }

    fn finish(&mut self) -> Result<(), ImportError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ImportError {
                problems: std::mem::take(&mut self.errors),
            })
        }
    }

    /// The string at `path` below `root` (a dotted path), or a `Required value` problem.
    fn required_str(&mut self, root: &Yaml, path: &str) -> Option<String> {
        let value = path.split('.').fold(root, |node, key| &node[key]);
        match value.as_str() {
            Some(text) if !text.is_empty() => Some(text.to_string()),
            _ => {
                self.error(format!("{path}: Required value"));
                None
            }
        }
    }

    /// The integer field named by the last segment of `path` in `parent`, or `default` when
    /// absent.
    fn int(&mut self, parent: &Yaml, path: &str, default: i32) -> i32 {
        let key = path.rsplit('.').next().unwrap_or(path);
        let value = &parent[key];
        match value {
            Yaml::BadValue | Yaml::Null => default,
            Yaml::Integer(number) => match i32::try_from(*number) {
                Ok(number) => number,
                Err(_) => {
                    self.error(format!("{path}: Invalid value: {number}: out of range"));
                    default
                }
            },
            other => {
                self.error(format!(
                    "{path}: Invalid value: {}: must be an integer",
                    describe(other)
                ));
                default
            }
        }
    }

    /// An `IntOrString` field, or `None` when absent.
    fn int_or_percent(&mut self, parent: &Yaml, path: &str) -> Option<IntOrPercent> {
        let key = path.rsplit('.').next().unwrap_or(path);
        match &parent[key] {
            Yaml::BadValue | Yaml::Null => None,
            Yaml::Integer(number) => Some(IntOrPercent::Int(*number)),
            Yaml::String(text) => Some(IntOrPercent::Str(text.clone())),
            other => {
                self.error(format!(
                    "{path}: Invalid value: {}: must be an integer or percentage (e.g '5%')",
                    describe(other)
                ));
                None
            }
        }
    }

    /// One canary step, or `None` (with a problem or a warning) when it cannot be simulated.
    fn canary_step(&mut self, step: &Yaml, path: &str, templates: &[&Yaml]) -> Option<CanaryStep> {
        let keys: Vec<&str> = step
            .as_hash()
            .map(|hash| hash.keys().filter_map(|k| k.as_str()).collect())
            .unwrap_or_default();
        if keys.len() != 1 {
            self.error(format!(
                "{path}: Invalid value: {}: Step must have one of the following set: experiment, setWeight, setCanaryScale or pause",
                if keys.is_empty() { "{}".to_string() } else { keys.join(", ") }
            ));
            return None;
        }
        match keys[0] {
            "setWeight" => {
                let weight = self.int(step, &format!("{path}.setWeight"), 0);
                if !(0..=100).contains(&weight) {
                    self.error(format!(
                        "{path}.setWeight: Invalid value: {weight}: SetWeight needs to be between 0 and 100"
                    ));
                    return None;
                }
                Some(CanaryStep::SetWeight {
                    weight_percent: weight as u32,
                })
            }
            "pause" => {
                let duration = &step["pause"]["duration"];
                if duration.is_badvalue() || duration.is_null() {
                    return Some(CanaryStep::Pause { duration_s: None });
                }
                match parse_duration_s(duration) {
                    Ok(seconds) => Some(CanaryStep::Pause {
                        duration_s: Some(seconds),
                    }),
                    Err(reason) => {
                        self.error(format!("{path}.pause.duration: Invalid value: {reason}"));
                        None
                    }
                }
            }
            "setCanaryScale" => {
                let scale = &step["setCanaryScale"];
                if !self.traffic_routing {
                    self.warn(
                        &format!("{path}.setCanaryScale"),
                        "applies only with a traffic router; Argo ignores it here",
                    );
                }
                let field = |key: &str| scale[key].as_i64().map(|v| v.max(0) as u32);
                Some(CanaryStep::SetCanaryScale {
                    replicas: field("replicas"),
                    weight_percent: field("weight"),
                    match_traffic_weight: scale["matchTrafficWeight"].as_bool().unwrap_or(false),
                })
            }
            "analysis" => {
                let gate =
                    self.analysis_gate(&step["analysis"], &format!("{path}.analysis"), templates)?;
                if gate.explicit_zero_count {
                    self.warn(
                        &format!("{path}.analysis"),
                        "count 0: Argo does not execute an inline analysis with count 0, so the step is skipped",
                    );
                    return None;
                }
                Some(CanaryStep::Analysis { gate: gate.gate })
            }
            other => {
                self.warn(
                    &format!("{path}.{other}"),
                    "this step is not simulated and is skipped",
                );
                None
            }
        }
    }

    /// The gate an analysis (a step's or the background one) runs: the first metric of its
    /// first template, simulated as the canary's error rate.
    fn analysis_gate(
        &mut self,
        analysis: &Yaml,
        path: &str,
        templates: &[&Yaml],
    ) -> Option<ImportedGate> {
        let Some(template_name) = analysis["templates"][0]["templateName"].as_str() else {
            self.error(format!("{path}.templates[0].templateName: Required value"));
            return None;
        };
        let Some(template) = templates
            .iter()
            .find(|t| t["metadata"]["name"].as_str() == Some(template_name))
        else {
            self.error(format!(
                "{path}.templates[0].templateName: Not found: \"{template_name}\": no AnalysisTemplate of that name in the file"
            ));
            return None;
        };
        let metric = &template["spec"]["metrics"][0];
        let metric_path = format!("AnalysisTemplate {template_name}: spec.metrics[0]");
        let metric_name = metric["name"].as_str().unwrap_or(template_name).to_string();
        let interval_s = match &metric["interval"] {
            Yaml::BadValue | Yaml::Null => 0,
            value => parse_duration_s(value).unwrap_or_else(|reason| {
                self.error(format!("{metric_path}.interval: Invalid value: {reason}"));
                0
            }),
        };
        let initial_delay_s = match &metric["initialDelay"] {
            Yaml::BadValue | Yaml::Null => 0,
            value => parse_duration_s(value).unwrap_or_else(|reason| {
                self.error(format!(
                    "{metric_path}.initialDelay: Invalid value: {reason}"
                ));
                0
            }),
        };
        let count = match &metric["count"] {
            // With neither count nor interval Argo takes exactly one measurement.
            Yaml::BadValue | Yaml::Null if interval_s == 0 => 1,
            Yaml::BadValue | Yaml::Null => 0,
            Yaml::Integer(n) if *n >= 0 => *n as u32,
            Yaml::String(text) => text.parse().unwrap_or_else(|_| {
                self.error(format!(
                    "{metric_path}.count: Invalid value: {text:?}: must be a whole number"
                ));
                0
            }),
            other => {
                self.error(format!(
                    "{metric_path}.count: Invalid value: {}: must be a whole number",
                    describe(other)
                ));
                0
            }
        };
        let mut failure_limit = self.int(metric, &format!("{metric_path}.failureLimit"), 0);
        if metric["failureLimit"].is_badvalue() && !metric["maxFailures"].is_badvalue() {
            failure_limit = self.int(metric, &format!("{metric_path}.maxFailures"), 0);
            self.warn(
                &format!("{metric_path}.maxFailures"),
                "the legacy name of failureLimit; read as failureLimit",
            );
        }
        let consecutive_error_limit = self.int(
            metric,
            &format!("{metric_path}.consecutiveErrorLimit"),
            crate::gates::analysis::DEFAULT_CONSECUTIVE_ERROR_LIMIT as i32,
        );
        let latency_limit_ms = latency_bound_ms(metric);
        let (success_bp, failure_bp) = condition_bounds(metric);
        // Only one condition: the other is its complement. Neither: 5 %.
        let threshold_bp = failure_bp.or(success_bp).unwrap_or(500);
        let success_max_bp = success_bp
            .filter(|_| failure_bp.is_some())
            .map(|bp| bp.min(threshold_bp));
        let simulated_as = match (kayenta_thresholds(metric), latency_limit_ms) {
            (Some(thresholds), _) => format!(
                "a Kayenta judgement of the new version against the stable one (error rate and p95, 10 s buckets), passing at a score of {} or more and failing at {} or less",
                thresholds.pass, thresholds.marginal
            ),
            (None, latency) => match latency {
                Some(limit_ms) => format!(
                    "a latency query: simulated as the new version's p95, failing above {limit_ms} ms"
                ),
                None => format!(
                    "simulated as the new version's error rate, failing above {}{}",
                    crate::metrics::percent_label(threshold_bp),
                    success_max_bp
                        .filter(|bp| *bp < threshold_bp)
                        .map(|bp| format!(
                            ", succeeding at or below {} and inconclusive in between",
                            crate::metrics::percent_label(bp)
                        ))
                        .unwrap_or_default()
                ),
            },
        };
        self.warn(&format!("{metric_path}.provider"), &simulated_as);
        let dry_run = template["spec"]["dryRun"].as_vec().is_some_and(|list| {
            list.iter().any(|entry| {
                entry["metricName"].as_str() == Some(metric_name.as_str())
                    || entry["metricName"].as_str() == Some("*")
            })
        });
        let inconclusive_limit = self.int(metric, &format!("{metric_path}.inconclusiveLimit"), 0);
        Some(ImportedGate {
            gate: ErrorRateGate {
                metric_name,
                initial_delay_s,
                interval_s: interval_s.max(1),
                window_s: interval_s.clamp(10, 300),
                max_error_rate_bp: threshold_bp,
                failure_limit: failure_limit.max(0) as u32,
                consecutive_error_limit: consecutive_error_limit.max(0) as u32,
                count,
                success_max_bp,
                inconclusive_limit: inconclusive_limit.max(0) as u32,
                dry_run,
                p95_max_ms: latency_limit_ms,
                kayenta: kayenta_thresholds(metric),
                consecutive_success_limit: self
                    .int(metric, &format!("{metric_path}.consecutiveSuccessLimit"), 0)
                    .max(0) as u32,
            },
            explicit_zero_count: matches!(metric["count"], Yaml::Integer(0)),
        })
    }

    /// A readiness probe's timings, with Kubernetes defaults for what is not given.
    fn probes(&mut self, probe: &Yaml, path: &str) -> Probes {
        let defaults = Probes::default();
        if probe.is_badvalue() || probe.is_null() {
            return defaults;
        }
        let mut field = |key: &str, default: u32, minimum: i32| -> u32 {
            let full = format!("{path}.{key}");
            let value = self.int(probe, &full, default as i32);
            if value < minimum {
                self.error(format!(
                    "{full}: Invalid value: {value}: must be greater than or equal to {minimum}"
                ));
                return default;
            }
            value as u32
        };
        Probes {
            period_s: field("periodSeconds", defaults.period_s, 1),
            timeout_s: field("timeoutSeconds", defaults.timeout_s, 1),
            success_threshold: field("successThreshold", defaults.success_threshold, 1),
            failure_threshold: field("failureThreshold", defaults.failure_threshold, 1),
            initial_delay_s: field("initialDelaySeconds", defaults.initial_delay_s, 0),
        }
    }
}

/// The thresholds of a `kayenta` provider (`threshold: {pass, marginal}`), if it is one.
fn kayenta_thresholds(metric: &Yaml) -> Option<crate::gates::analysis::KayentaThresholds> {
    let provider = &metric["provider"]["kayenta"];
    if provider.is_badvalue() {
        return None;
    }
    let value = |key: &str, default: i64| provider["threshold"][key].as_i64().unwrap_or(default);
    Some(crate::gates::analysis::KayentaThresholds {
        pass: value("pass", 95).clamp(0, 100) as u32,
        marginal: value("marginal", 75).clamp(0, 100) as u32,
    })
}

/// The latency limit a metric's conditions imply, in milliseconds, when its query is about
/// latency (it mentions duration, latency or a quantile): the bound of `result < x` (success)
/// or `result > x` (failure), in seconds when the query's unit is seconds or x is at most 10.
fn latency_bound_ms(metric: &Yaml) -> Option<u32> {
    let query = yaml_strings(&metric["provider"]).join(" ").to_lowercase();
    let about_latency = ["duration", "latency", "quantile", "_seconds", "p95", "p99"]
        .iter()
        .any(|needle| query.contains(needle));
    if !about_latency {
        return None;
    }
    let bound = |condition: Option<&str>| -> Option<f64> {
        condition?
            .rsplit(|c: char| !(c.is_ascii_digit() || c == '.'))
            .find(|part| !part.is_empty() && part.parse::<f64>().is_ok())?
            .parse()
            .ok()
    };
    let value = bound(metric["successCondition"].as_str())
        .or_else(|| bound(metric["failureCondition"].as_str()))?;
    let in_seconds = query.contains("_seconds") || value <= 10.0;
    Some(if in_seconds { value * 1_000.0 } else { value }.round() as u32)
}

/// Every string in a YAML subtree, for reading a provider's query whatever its shape.
fn yaml_strings(node: &Yaml) -> Vec<String> {
    match node {
        Yaml::String(text) => vec![text.clone()],
        Yaml::Array(items) => items.iter().flat_map(yaml_strings).collect(),
        Yaml::Hash(map) => map
            .iter()
            .flat_map(|(key, value)| {
                let mut strings = yaml_strings(key);
                strings.extend(yaml_strings(value));
                strings
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The error-rate bounds a metric's conditions imply, in basis points: (success, failure).
/// A condition `result <= x` (or `<`) with x at most 1 bounds the error ratio from above; one
/// `result >= x` (or `>`) bounds a success ratio from below, so errors may reach 1 − x. A
/// success condition gives the rate at or below which a measurement succeeds; a failure
/// condition the rate above which it fails.
fn condition_bounds(metric: &Yaml) -> (Option<u32>, Option<u32>) {
    let parse = |condition: Option<&str>| -> Option<(bool, f64)> {
        let condition = condition?;
        let upper_bound = condition.contains('<');
        let number: f64 = condition
            .rsplit(|c: char| !(c.is_ascii_digit() || c == '.'))
            .find(|part| !part.is_empty() && part.parse::<f64>().is_ok())?
            .parse()
            .ok()?;
        (number <= 1.0).then_some((upper_bound, number))
    };
    let to_bp = |ratio: f64| (ratio * 10_000.0).round().clamp(0.0, 10_000.0) as u32;
    let success = parse(metric["successCondition"].as_str()).map(|(upper_bound, value)| {
        // `result <= x` on errors, or `result >= x` on successes.
        if upper_bound {
            to_bp(value)
        } else {
            to_bp(1.0 - value)
        }
    });
    let failure = parse(metric["failureCondition"].as_str()).map(|(upper_bound, value)| {
        // `result > x` on errors, or `result < x` on successes.
        if upper_bound {
            to_bp(1.0 - value)
        } else {
            to_bp(value)
        }
    });
    (success, failure)
}

/// A YAML value as the API server would quote it in a message.
fn describe(value: &Yaml) -> String {
    match value {
        Yaml::String(text) => format!("{text:?}"),
        Yaml::Integer(number) => number.to_string(),
        Yaml::Real(text) => text.clone(),
        Yaml::Boolean(flag) => flag.to_string(),
        Yaml::Array(_) => "a list".to_string(),
        Yaml::Hash(_) => "an object".to_string(),
        _ => "null".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_the_image_tag() {
        assert_eq!(image_tag("nginx:1.14.2"), "1.14.2");
        assert_eq!(image_tag("registry.example.com:5000/team/app:v7"), "v7");
        assert_eq!(image_tag("argoproj/rollouts-demo:blue"), "blue");
        assert_eq!(image_tag("nginx"), "latest");
        assert_eq!(next_version_name("1.14.2"), "1.14.3");
        assert_eq!(next_version_name("v1"), "v2");
        assert_eq!(next_version_name("blue"), "blue-next");
    }
}
