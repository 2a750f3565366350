//! A Kubernetes Deployment manifest, validated as the API server does, and its pod template's
//! probes.

use yaml_rust2::Yaml;

use crate::scenario::Strategy;
use crate::upstream::intstr::IntOrPercent;
use crate::upstream::kubernetes::{DeploymentSpec, DeploymentStrategyType, validate_deployment};
use crate::world::fleet::Probes;

use super::imported::{ImportError, Imported, rollout_scenario};
use super::object_fields::SelectorOwner;
use super::yaml::Reader;

/// A `Deployment`: its strategy, replicas, timings and probes.
pub(super) fn import_deployment(manifest: &Yaml) -> Result<Imported, ImportError> {
    let mut reader = Reader::default();
    if let Some(api_version) = manifest["apiVersion"].as_str()
        && api_version != "apps/v1"
    {
        reader.warn("apiVersion", &format!("{api_version} is read as apps/v1"));
    }
    let name = reader.object_meta(manifest, "");
    let spec = &manifest["spec"];
    reader.known_fields(
        spec,
        "spec",
        &[
            "replicas",
            "selector",
            "template",
            "strategy",
            "minReadySeconds",
            "revisionHistoryLimit",
            "paused",
            "progressDeadlineSeconds",
        ],
    );
    reader.known_fields(
        &spec["strategy"],
        "spec.strategy",
        &["type", "rollingUpdate"],
    );
    reader.known_fields(
        &spec["strategy"]["rollingUpdate"],
        "spec.strategy.rollingUpdate",
        &["maxSurge", "maxUnavailable"],
    );
    let selector = reader.selector(
        &spec["selector"],
        "spec.selector",
        SelectorOwner::Deployment,
    );
    reader.pod_template(&spec["template"], "spec.template", selector.as_ref());
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
        replicas: reader.replicas(spec, "spec.replicas", 1),
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
pub(super) fn describe_strategy(spec: &DeploymentSpec) -> String {
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
impl Reader {
    /// A readiness probe's timings, with Kubernetes defaults for what is not given.
    pub(super) fn probes(&mut self, probe: &Yaml, path: &str) -> Probes {
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
