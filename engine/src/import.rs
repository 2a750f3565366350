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
use crate::fleet::Probes;
use crate::scenario::{Scenario, Strategy};
use crate::strategy::intstr::IntOrPercent;
use crate::strategy::kubernetes::{DeploymentSpec, DeploymentStrategyType, validate_deployment};
use crate::time::Tick;
use crate::traffic::TrafficShape;
use crate::version::VersionProfile;
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

/// Reads a manifest file's text.
pub fn import(text: &str) -> Result<Imported, ImportError> {
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
    let Some(manifest) = documents
        .iter()
        .find(|d| matches!(d["kind"].as_str(), Some("Deployment")))
    else {
        return Err(ImportError {
            problems: vec![if kinds.is_empty() {
                "the file has no Kubernetes object (no document with a `kind`)".to_string()
            } else {
                format!(
                    "no Deployment in the file (found: {}); Deployment manifests can be imported",
                    kinds.join(", ")
                )
            }],
        });
    };
    import_deployment(manifest)
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

/// The scenario for an imported service: `replicas` of it at its current version in
/// production on flat traffic, and a rollout to the next version after a minute.
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

/// Reads fields with their paths, collecting problems and warnings instead of stopping at the
/// first.
#[derive(Default)]
struct Reader {
    errors: Vec<String>,
    warnings: Vec<String>,
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
