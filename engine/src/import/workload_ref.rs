//! A Rollout's `workloadRef`: as Argo Rollouts does, the Rollout takes the pod template (and,
//! when it has none, the selector) of the Deployment or PodTemplate it names, found here among
//! the files given instead of in a cluster.

use yaml_rust2::Yaml;

use super::yaml::Reader;

impl Reader {
    /// The Rollout with the referenced workload's template in place, or `None` when it has no
    /// `workloadRef` (or the reference cannot be followed, with a problem recorded).
    pub(super) fn resolve_workload_ref(
        &mut self,
        rollout: &Yaml,
        documents: &[Yaml],
        files: &str,
    ) -> Option<Yaml> {
        let reference = &rollout["spec"]["workloadRef"];
        if reference.is_badvalue() || reference.is_null() {
            return None;
        }
        let kind = reference["kind"].as_str().unwrap_or("");
        let Some(name) = reference["name"].as_str() else {
            self.error("spec.workloadRef.name: Required value".to_string());
            return None;
        };
        if !matches!(kind, "Deployment" | "PodTemplate") {
            self.error(format!(
                "spec.workloadRef.kind: Unsupported value: {kind:?}: supported values: \"Deployment\", \"PodTemplate\""
            ));
            return None;
        }
        let template = &rollout["spec"]["template"];
        if !(template.is_badvalue() || template.is_null() || is_empty_hash(template)) {
            // Argo's ValidateRolloutSpec: the template must come from the reference alone.
            self.error(
                "spec.template: Internal error: template must be empty for workload reference rollout"
                    .to_string(),
            );
            return None;
        }
        let Some(workload) = documents.iter().find(|d| {
            d["kind"].as_str() == Some(kind) && d["metadata"]["name"].as_str() == Some(name)
        }) else {
            self.error(format!(
                "spec.workloadRef: Not found: {kind} \"{name}\": not in {files}; load the file that holds it together with this one"
            ));
            return None;
        };
        let (workload_template, workload_selector) = match kind {
            "Deployment" => (
                workload["spec"]["template"].clone(),
                workload["spec"]["selector"].clone(),
            ),
            _ => (workload["template"].clone(), Yaml::BadValue),
        };
        let mut resolved = rollout.clone();
        if let Yaml::Hash(root) = &mut resolved
            && let Some(Yaml::Hash(spec)) = root.get_mut(&Yaml::String("spec".to_string()))
        {
            spec.insert(Yaml::String("template".to_string()), workload_template);
            let has_selector = spec
                .get(&Yaml::String("selector".to_string()))
                .is_some_and(|s| !s.is_null());
            if !has_selector && !workload_selector.is_badvalue() {
                spec.insert(Yaml::String("selector".to_string()), workload_selector);
            }
        }
        self.warn(
            "spec.workloadRef",
            &format!("the pod template comes from {kind} {name}"),
        );
        if let Some(scale_down) = reference["scaleDown"].as_str() {
            self.warn(
                "spec.workloadRef.scaleDown",
                &format!(
                    "{scale_down:?}: read but not simulated: the referenced {kind}'s own pods are not in the simulation"
                ),
            );
        }
        Some(resolved)
    }
}

/// `{}`: an empty mapping, which Argo counts as no template.
fn is_empty_hash(node: &Yaml) -> bool {
    node.as_hash().is_some_and(|hash| hash.is_empty())
}
