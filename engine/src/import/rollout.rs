//! An Argo Rollouts Rollout: a canary (with or without a traffic router, steps and analysis) or a
//! blue-green.

use yaml_rust2::Yaml;

use crate::controllers::canary::CanaryStep;
use crate::gates::analysis::ErrorRateGate;
use crate::scenario::Strategy;
use crate::upstream::intstr::IntOrPercent;
use crate::world::fleet::Probes;

use super::analysis::{AnalysisContext, ImportedGate};
use super::imported::{ImportError, Imported, rollout_scenario};
use super::object_fields::SelectorOwner;
use super::yaml::{Reader, describe, parse_duration_s};

/// Argo's `InvalidStepMessage`.
const INVALID_STEP: &str =
    "Step must have one of the following set: experiment, setWeight, setCanaryScale or pause";

/// An Argo Rollouts `Rollout`, with the AnalysisTemplates its analyses name and the workload
/// its `workloadRef` names found among `documents` (every document of the files given, named
/// in `files` for messages).
pub(super) fn import_rollout(
    manifest: &Yaml,
    documents: &[Yaml],
    files: &str,
) -> Result<Imported, ImportError> {
    let mut reader = Reader::default();
    let resolved = reader.resolve_workload_ref(manifest, documents, files);
    let manifest = resolved.as_ref().unwrap_or(manifest);
    let context = AnalysisContext {
        templates: documents
            .iter()
            .filter(|d| {
                matches!(
                    d["kind"].as_str(),
                    Some("AnalysisTemplate" | "ClusterAnalysisTemplate")
                )
            })
            .collect(),
        files: files.to_string(),
        rollout: manifest,
    };
    let context = &context;
    if let Some(api_version) = manifest["apiVersion"].as_str()
        && api_version != "argoproj.io/v1alpha1"
    {
        reader.warn(
            "apiVersion",
            &format!("{api_version} is read as argoproj.io/v1alpha1"),
        );
    }
    let name = reader.object_meta(manifest, "");
    let spec = &manifest["spec"];
    // With a workloadRef the selector may come from the workload, or be left out.
    let selector = if spec["selector"].is_badvalue() && resolved.is_some() {
        None
    } else {
        reader.selector(&spec["selector"], "spec.selector", SelectorOwner::Rollout)
    };
    if resolved.is_some() || spec["workloadRef"].is_badvalue() {
        reader.pod_template(&spec["template"], "spec.template", selector.as_ref());
    }
    let replicas = reader.replicas(spec, "spec.replicas", 1);
    if replicas < 0 {
        reader.error(format!(
            "spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"
        ));
    }
    let container = &spec["template"]["spec"]["containers"][0];
    let image = container["image"].as_str().unwrap_or("").to_string();
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
    reader.validate_rollout_spec(spec);
    let strategy = &spec["strategy"];
    let canary = &strategy["canary"];
    let blue_green = &strategy["blueGreen"];
    match (canary.is_badvalue(), blue_green.is_badvalue()) {
        (true, false) => {
            return import_blue_green(manifest, context, reader, name, replicas, image, probes);
        }
        (false, true) => {}
        // Neither or both: validate_rollout_spec has said why.
        _ => {
            reader.finish()?;
            return Err(ImportError {
                problems: vec!["spec.strategy: Invalid value: a Rollout needs exactly one of canary and blueGreen".to_string()],
            });
        }
    }
    let mut scenario_canary = crate::scenario::builtin("canary-good-release")
        .expect("the built-in canary scenario exists")
        .canary;
    scenario_canary.replicas = replicas.max(0) as u32;
    scenario_canary.traffic_routing = !canary["trafficRouting"].is_badvalue();
    reader.traffic_routing = scenario_canary.traffic_routing;
    reader.routing = super::yaml::Routing::of(&canary["trafficRouting"]);
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
            let parts = reader.canary_step(step, &path, context);
            scenario_canary.steps.extend(parts);
        }
    }
    scenario_canary.analysis = None;
    let background = &canary["analysis"];
    if !background.is_badvalue() {
        let path = "spec.strategy.canary.analysis";
        if let Some(ImportedGate { gate, .. }) = reader.analysis_gate(background, path, context) {
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
/// A `Rollout` with a blue-green strategy.
pub(super) fn import_blue_green(
    manifest: &Yaml,
    context: &AnalysisContext,
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
    let preview_replica_count = match &strategy["previewReplicaCount"] {
        Yaml::BadValue | Yaml::Null => None,
        _ => Some(
            reader
                .replicas(strategy, &format!("{path}.previewReplicaCount"), 0)
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
            .analysis_gate(node, &format!("{path}.{field}"), context)
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
pub(super) fn is_zero_argo(value: &IntOrPercent) -> bool {
    value.scaled_argo(100, false) == Ok(0)
}
impl Reader {
    /// One canary step, or `None` (with a problem or a warning) when it cannot be simulated.
    /// One step of a canary, validated as Argo's `ValidateRolloutStrategyCanary` does: setWeight,
    /// pause, experiment and analysis exclude each other; setCanaryScale, setHeaderRoute,
    /// setMirrorRoute and plugin may sit beside them. A step that also scales the canary is
    /// simulated as the scale, then the step.
    pub(super) fn canary_step(
        &mut self,
        step: &Yaml,
        path: &str,
        context: &AnalysisContext,
    ) -> Vec<CanaryStep> {
        let has = |key: &str| !step[key].is_badvalue();
        let (experiment, pause, set_weight, analysis) = (
            has("experiment"),
            has("pause"),
            has("setWeight"),
            has("analysis"),
        );
        let exclusive = [experiment, pause, set_weight, analysis]
            .iter()
            .filter(|set| **set)
            .count();
        if exclusive > 1 {
            self.error(format!(
                "{path}: Invalid value: \"step.Experiment: {experiment} step.Pause: {pause} step.SetWeight: {set_weight} step.Analysis: {analysis}\": {INVALID_STEP}"
            ));
            return Vec::new();
        }
        let (scale, header, mirror) = (
            has("setCanaryScale"),
            has("setHeaderRoute"),
            has("setMirrorRoute"),
        );
        if exclusive == 0 && !scale && !header && !mirror && !has("plugin") {
            // Argo prints, for each kind, whether it is missing.
            self.error(format!(
                "{path}: Invalid value: \"step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true step.SetCanaryScale: true step.SetHeaderRoute: true step.SetMirrorRoutes: true\": {INVALID_STEP}"
            ));
            return Vec::new();
        }
        let mut parts = Vec::new();
        if scale && !self.traffic_routing {
            self.error(
                "spec.strategy.canary.trafficRouting: Required value: SetCanaryScale requires TrafficRouting to be set"
                    .to_string(),
            );
        } else if scale {
            parts.extend(self.canary_step_of(step, "setCanaryScale", path, context));
        }
        let routing = &self.routing;
        let header_router = ["istio", "alb", "apisix", "plugins"]
            .iter()
            .any(|r| routing.has(r));
        let routes_refused = [
            (
                header && !header_router,
                "setHeaderRoute",
                "SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix",
            ),
            (
                mirror && !routing.has("istio"),
                "setMirrorRoute",
                "SetMirrorRoute requires TrafficRouting, supports Istio only",
            ),
        ];
        for (refused, key, message) in routes_refused {
            if refused {
                self.error(format!(
                    "{path}.{key}: Invalid value: {}: {message}",
                    describe(&step[key])
                ));
            }
        }
        if self.traffic_routing && (header || mirror) {
            match self.routing.managed_routes.clone() {
                None => self.error(
                    "spec.strategy.canary.trafficRouting.managedRoutes: Required value: Rollout has missing field 'spec.strategy.canary.trafficRouting.managedRoutes'"
                        .to_string(),
                ),
                Some(routes) => {
                    for (set, key) in [(header, "setHeaderRoute"), (mirror, "setMirrorRoute")] {
                        let name = step[key]["name"].as_str().unwrap_or("");
                        if set && !routes.iter().any(|route| route == name) {
                            self.error(format!(
                                "{path}.{key}: Invalid value: {name:?}: Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes"
                            ));
                        }
                    }
                }
            }
        }
        for (set, key) in [
            (header, "setHeaderRoute"),
            (mirror, "setMirrorRoute"),
            (has("plugin"), "plugin"),
        ] {
            if set {
                self.warn(
                    &format!("{path}.{key}"),
                    "this step is not simulated and is skipped",
                );
            }
        }
        if experiment {
            for (index, template) in step["experiment"]["templates"]
                .as_vec()
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .enumerate()
            {
                let weight = &template["weight"];
                if weight.is_badvalue() {
                    continue;
                }
                let weight_path = format!("{path}.experiment.templates[{index}].weight");
                if !self.traffic_routing {
                    self.error(format!(
                        "{weight_path}: Invalid value: {}: Experiment template weight cannot be set unless TrafficRouting is enabled",
                        describe(weight)
                    ));
                } else if !["alb", "smi", "istio"].iter().any(|r| self.routing.has(r)) {
                    self.error(format!(
                        "{weight_path}: Invalid value: {}: Experiment template weight is only available for TrafficRouting with SMI, ALB, and Istio at this time",
                        describe(weight)
                    ));
                }
            }
        }
        self.known_fields(
            step,
            path,
            &[
                "experiment",
                "pause",
                "setWeight",
                "analysis",
                "setCanaryScale",
                "setHeaderRoute",
                "setMirrorRoute",
                "plugin",
            ],
        );
        let main = [
            (experiment, "experiment"),
            (pause, "pause"),
            (set_weight, "setWeight"),
            (analysis, "analysis"),
        ]
        .into_iter()
        .find(|(set, _)| *set)
        .map(|(_, key)| key);
        if let Some(key) = main {
            parts.extend(self.canary_step_of(step, key, path, context));
        }
        parts
    }

    /// The part of `step` that `key` asks for.
    fn canary_step_of(
        &mut self,
        step: &Yaml,
        key: &str,
        path: &str,
        context: &AnalysisContext,
    ) -> Option<CanaryStep> {
        match key {
            "setWeight" => {
                let weight = self.int(step, &format!("{path}.setWeight"), 0);
                let max_weight = self.routing.max_traffic_weight.unwrap_or(100);
                if !(0..=max_weight).contains(&weight) {
                    self.error(format!(
                        "{path}.setWeight: Invalid value: {weight}: SetWeight needs to be between 0 and {max_weight}"
                    ));
                    return None;
                }
                // With maxTrafficWeight, weights are out of it rather than out of 100.
                let weight_percent = if max_weight == 100 {
                    weight as u32
                } else {
                    let percent = (i64::from(weight) * 100 + i64::from(max_weight) / 2)
                        / i64::from(max_weight.max(1));
                    self.warn(
                        &format!("{path}.setWeight"),
                        &format!(
                            "{weight} of maxTrafficWeight {max_weight}: {percent} % of traffic"
                        ),
                    );
                    percent as u32
                };
                Some(CanaryStep::SetWeight { weight_percent })
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
                let scale_path = format!("{path}.setCanaryScale");
                let replicas = (!scale["replicas"].is_badvalue()).then(|| {
                    self.replicas(scale, &format!("{scale_path}.replicas"), 0)
                        .max(0) as u32
                });
                let weight_percent = (!scale["weight"].is_badvalue()).then(|| {
                    let weight = self.int(scale, &format!("{scale_path}.weight"), 0);
                    if !(0..=100).contains(&weight) {
                        self.error(format!(
                            "{scale_path}.weight: Invalid value: {weight}: a weight is a percentage from 0 to 100"
                        ));
                    }
                    weight.clamp(0, 100) as u32
                });
                Some(CanaryStep::SetCanaryScale {
                    replicas,
                    weight_percent,
                    match_traffic_weight: scale["matchTrafficWeight"].as_bool().unwrap_or(false),
                })
            }
            "analysis" => {
                let gate =
                    self.analysis_gate(&step["analysis"], &format!("{path}.analysis"), context)?;
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
}
