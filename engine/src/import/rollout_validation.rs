//! The checks of Argo Rollouts' `ValidateRolloutSpec` and `ValidateRolloutStrategy*` that are
//! not about one canary step, with Argo's message text.
//!
//! Argo builds the paths of its strategy errors from `spec.strategy` without the strategy's
//! own name (`spec.strategy.steps[1]`); the messages here name the field where it is written
//! (`spec.strategy.canary.steps[1]`), so that a reader can find it.

use yaml_rust2::Yaml;

use super::yaml::{Reader, describe};

/// Argo's `MissingFieldMessage`.
pub(super) fn missing_field(field: &str) -> String {
    format!("Rollout has missing field '{field}'")
}

/// The traffic routers whose Rollouts must name both a canary and a stable Service
/// (Argo's `requireCanaryStableServices`).
fn needs_canary_and_stable_services(routing: &Yaml, canary: &Yaml) -> bool {
    let has = |key: &str| !routing[key].is_badvalue();
    (has("alb") && canary["pingPong"].is_badvalue())
        || (has("istio") && routing["istio"]["destinationRule"].is_badvalue())
        || ["smi", "apisix", "ambassador", "nginx", "appMesh", "traefik"]
            .iter()
            .any(|key| has(key))
}

/// The fields of Argo Rollouts' `RolloutSpec`.
const ROLLOUT_SPEC_FIELDS: [&str; 13] = [
    "replicas",
    "selector",
    "template",
    "workloadRef",
    "minReadySeconds",
    "strategy",
    "revisionHistoryLimit",
    "paused",
    "progressDeadlineSeconds",
    "progressDeadlineAbort",
    "restartAt",
    "analysis",
    "rollbackWindow",
];
/// The fields of `CanaryStrategy`.
const CANARY_FIELDS: [&str; 17] = [
    "canaryService",
    "stableService",
    "steps",
    "trafficRouting",
    "maxUnavailable",
    "maxSurge",
    "analysis",
    "antiAffinity",
    "canaryMetadata",
    "stableMetadata",
    "scaleDownDelaySeconds",
    "scaleDownDelayRevisionLimit",
    "abortScaleDownDelaySeconds",
    "dynamicStableScale",
    "pingPong",
    "minPodsPerReplicaSet",
    "replicaProgressThreshold",
];
/// The fields of `BlueGreenStrategy`.
const BLUE_GREEN_FIELDS: [&str; 14] = [
    "activeService",
    "previewService",
    "previewReplicaCount",
    "autoPromotionEnabled",
    "autoPromotionSeconds",
    "maxUnavailable",
    "scaleDownDelaySeconds",
    "scaleDownDelayRevisionLimit",
    "prePromotionAnalysis",
    "postPromotionAnalysis",
    "antiAffinity",
    "previewMetadata",
    "activeMetadata",
    "abortScaleDownDelaySeconds",
];

impl Reader {
    /// The spec-wide checks: the strategy named once, the timings not negative, the progress
    /// deadline past minReadySeconds, and each strategy's own rules.
    pub(super) fn validate_rollout_spec(&mut self, spec: &Yaml) {
        self.known_fields(spec, "spec", &ROLLOUT_SPEC_FIELDS);
        self.known_fields(&spec["strategy"], "spec.strategy", &["canary", "blueGreen"]);
        for field in [
            "minReadySeconds",
            "revisionHistoryLimit",
            "progressDeadlineSeconds",
        ] {
            let value = self.int(spec, &format!("spec.{field}"), 0);
            if value < 0 {
                self.error(format!(
                    "spec.{field}: Invalid value: {value}: must be greater than or equal to 0"
                ));
            }
        }
        let min_ready_s = self.int(spec, "spec.minReadySeconds", 0);
        let deadline_s = self.int(spec, "spec.progressDeadlineSeconds", 600);
        if deadline_s <= min_ready_s {
            self.error(format!(
                "spec.progressDeadlineSeconds: Invalid value: {deadline_s}: must be greater than minReadySeconds"
            ));
        }
        let strategy = &spec["strategy"];
        let (canary, blue_green) = (&strategy["canary"], &strategy["blueGreen"]);
        match (canary.is_badvalue(), blue_green.is_badvalue()) {
            (true, true) => self.error(format!(
                "spec.strategy: Required value: {}",
                missing_field(".spec.strategy.canary or .spec.strategy.blueGreen")
            )),
            (false, false) => self.error(
                "spec.strategy: Invalid value: \"blueGreen: true canary: true\": Multiple Strategies can not be listed"
                    .to_string(),
            ),
            (true, false) => self.validate_blue_green(blue_green),
            (false, true) => self.validate_canary(canary),
        }
    }

    /// `ValidateRolloutStrategyBlueGreen`.
    fn validate_blue_green(&mut self, blue_green: &Yaml) {
        self.known_fields(blue_green, "spec.strategy.blueGreen", &BLUE_GREEN_FIELDS);
        let active = blue_green["activeService"].as_str().unwrap_or("");
        let preview = blue_green["previewService"].as_str().unwrap_or("");
        if active == preview {
            self.error(format!(
                "spec.strategy.blueGreen.activeService: Invalid value: {active:?}: This rollout uses the same service for the active and preview services, but two different services are required."
            ));
        }
        self.validate_anti_affinity(
            &blue_green["antiAffinity"],
            "spec.strategy.blueGreen.antiAffinity",
        );
    }

    /// `ValidateRolloutStrategyCanary`, but for the steps (read one by one in `canary_step`).
    fn validate_canary(&mut self, canary: &Yaml) {
        let path = "spec.strategy.canary";
        self.known_fields(canary, path, &CANARY_FIELDS);
        let canary_service = canary["canaryService"].as_str().unwrap_or("");
        let stable_service = canary["stableService"].as_str().unwrap_or("");
        if !canary_service.is_empty() && canary_service == stable_service {
            self.error(format!(
                "{path}.stableService: Invalid value: {stable_service:?}: This rollout uses the same service for the stable and canary services, but two different services are required."
            ));
        }
        let routing = &canary["trafficRouting"];
        let has_routing = !(routing.is_badvalue() || routing.is_null());
        if has_routing && needs_canary_and_stable_services(routing, canary) {
            for (field, value) in [
                ("stableService", stable_service),
                ("canaryService", canary_service),
            ] {
                if value.is_empty() {
                    self.error(format!(
                        "{path}.{field}: Invalid value: \"\": Canary service and Stable service must to be set to use Traffic Routing"
                    ));
                }
            }
        }
        let dynamic_stable_scale = canary["dynamicStableScale"].as_bool() == Some(true);
        let scale_down_delay = &canary["scaleDownDelaySeconds"];
        let has_scale_down_delay = !(scale_down_delay.is_badvalue() || scale_down_delay.is_null());
        if !has_routing {
            if has_scale_down_delay {
                self.error(format!(
                    "{path}.scaleDownDelaySeconds: Invalid value: {}: Canary scaleDownDelaySeconds can only be used with traffic routing",
                    describe(scale_down_delay)
                ));
            }
            if dynamic_stable_scale {
                self.error(format!(
                    "{path}.dynamicStableScale: Invalid value: true: Canary dynamicStableScale can only be used with traffic routing"
                ));
            }
        } else {
            if has_scale_down_delay && dynamic_stable_scale {
                self.error(format!(
                    "{path}.dynamicStableScale: Invalid value: true: Canary dynamicStableScale cannot be used with scaleDownDelaySeconds"
                ));
            }
        }
        self.validate_anti_affinity(&canary["antiAffinity"], &format!("{path}.antiAffinity"));
    }

    /// `ValidateRolloutStrategyAntiAffinity`: exactly one of preferred and required, and a
    /// preferred weight from 1 to 100.
    fn validate_anti_affinity(&mut self, anti_affinity: &Yaml, path: &str) {
        if anti_affinity.is_badvalue() || anti_affinity.is_null() {
            return;
        }
        let preferred = &anti_affinity["preferredDuringSchedulingIgnoredDuringExecution"];
        let required = &anti_affinity["requiredDuringSchedulingIgnoredDuringExecution"];
        let (has_preferred, has_required) = (!preferred.is_badvalue(), !required.is_badvalue());
        if has_preferred == has_required {
            self.error(format!(
                "{path}: Invalid value: \"antiAffinity.PreferredDuringSchedulingIgnoredDuringExecution: {has_preferred} antiAffinity.RequiredDuringSchedulingIgnoredDuringExecution: {has_required}\": AntiAffinity must have exactly one strategy listed"
            ));
        }
        if has_preferred {
            let weight = self.int(preferred, &format!("{path}.weight"), 0);
            if !(1..=100).contains(&weight) {
                self.error(format!(
                    "{path}.weight: Invalid value: {weight}: AntiAffinity weight must be between 1-100"
                ));
            }
        }
    }
}
