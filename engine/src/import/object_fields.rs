//! The fields the API server validates on every workload we read, with its messages and field
//! paths: the object's name and labels, the selector and whether it matches the pod template's
//! labels, and the pod template's containers (names, images, ports, resource quantities).
//! Valid fields the simulator does not model are left to the callers' warnings.

use std::collections::{BTreeMap, BTreeSet};

use yaml_rust2::Yaml;

use crate::upstream::apimachinery::{
    LabelSelector, SelectorOperator, SelectorRequirement, dns1123_label_problems,
    dns1123_subdomain_problems, go_string_map, label_value_problems, parse_quantity,
    qualified_name_problems,
};

use super::yaml::{Reader, describe};

/// Who checks the selector, which decides the message for a missing one.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum SelectorOwner {
    /// `apps/v1` Deployment: the API server.
    Deployment,
    /// Argo Rollouts' `ValidateRolloutSpec`.
    Rollout,
}

impl Reader {
    /// `metadata.name` (a DNS subdomain) and `metadata.labels`, below `prefix` (`""` for the
    /// object itself). Returns the name when there is one.
    pub(super) fn object_meta(&mut self, object: &Yaml, prefix: &str) -> Option<String> {
        let metadata = &object["metadata"];
        let name = match &metadata["name"] {
            Yaml::String(name) if !name.is_empty() => {
                for problem in dns1123_subdomain_problems(name) {
                    self.error(format!(
                        "{prefix}metadata.name: Invalid value: {name:?}: {problem}"
                    ));
                }
                Some(name.clone())
            }
            Yaml::BadValue | Yaml::Null | Yaml::String(_)
                if metadata["generateName"].as_str().is_some() =>
            {
                None
            }
            Yaml::BadValue | Yaml::Null | Yaml::String(_) => {
                self.error(format!(
                    "{prefix}metadata.name: Required value: name or generateName is required"
                ));
                None
            }
            other => {
                self.error(format!(
                    "{prefix}metadata.name: Invalid value: {}: must be a string",
                    describe(other)
                ));
                None
            }
        };
        self.labels(&metadata["labels"], &format!("{prefix}metadata.labels"));
        name
    }

    /// A label map, each key a qualified name and each value a label value (`ValidateLabels`).
    pub(super) fn labels(&mut self, node: &Yaml, path: &str) -> BTreeMap<String, String> {
        let mut labels = BTreeMap::new();
        let Some(map) = self.string_map(node, path) else {
            return labels;
        };
        for (key, value) in map {
            for problem in qualified_name_problems(&key) {
                self.error(format!("{path}: Invalid value: {key:?}: {problem}"));
            }
            for problem in label_value_problems(&value) {
                self.error(format!("{path}: Invalid value: {value:?}: {problem}"));
            }
            labels.insert(key, value);
        }
        labels
    }

    /// The workload's selector: required (with the owner's message), not empty, its labels
    /// and expressions valid. `None` when it is missing or unusable.
    pub(super) fn selector(
        &mut self,
        node: &Yaml,
        path: &str,
        owner: SelectorOwner,
    ) -> Option<LabelSelector> {
        if node.is_badvalue() || node.is_null() {
            self.error(match owner {
                SelectorOwner::Deployment => format!("{path}: Required value"),
                SelectorOwner::Rollout => {
                    format!("{path}: Required value: Rollout has missing field '.{path}'")
                }
            });
            return None;
        }
        if node.as_hash().is_none() {
            self.error(format!(
                "{path}: Invalid value: {}: must be an object with matchLabels or matchExpressions",
                describe(node)
            ));
            return None;
        }
        let match_labels = self.labels(&node["matchLabels"], &format!("{path}.matchLabels"));
        let mut match_expressions = Vec::new();
        for (index, expression) in node["matchExpressions"]
            .as_vec()
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .enumerate()
        {
            let expression_path = format!("{path}.matchExpressions[{index}]");
            let key = expression["key"].as_str().unwrap_or("").to_string();
            for problem in qualified_name_problems(&key) {
                self.error(format!(
                    "{expression_path}.key: Invalid value: {key:?}: {problem}"
                ));
            }
            let operator_text = expression["operator"].as_str().unwrap_or("");
            let Some(operator) = SelectorOperator::parse(operator_text) else {
                self.error(format!(
                    "{expression_path}.operator: Invalid value: {operator_text:?}: not a valid selector operator"
                ));
                continue;
            };
            let values: Vec<String> = expression["values"]
                .as_vec()
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            match operator {
                SelectorOperator::In | SelectorOperator::NotIn if values.is_empty() => {
                    self.error(format!(
                        "{expression_path}.values: Required value: must be specified when `operator` is 'In' or 'NotIn'"
                    ));
                }
                SelectorOperator::Exists | SelectorOperator::DoesNotExist if !values.is_empty() => {
                    self.error(format!(
                        "{expression_path}.values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
                    ));
                }
                _ => {}
            }
            match_expressions.push(SelectorRequirement {
                key,
                operator,
                values,
            });
        }
        let selector = LabelSelector {
            match_labels,
            match_expressions,
        };
        if selector.is_empty() {
            self.error(format!(
                "{path}: Invalid value: {{}}: empty selector is invalid for deployment"
            ));
            return None;
        }
        Some(selector)
    }

    /// A pod template as `ValidatePodTemplateSpecForReplicaSet` checks it: its labels match
    /// the selector, its restart policy is Always, and its containers are valid.
    pub(super) fn pod_template(
        &mut self,
        template: &Yaml,
        path: &str,
        selector: Option<&LabelSelector>,
    ) {
        let labels_path = format!("{path}.metadata.labels");
        let labels = self.labels(&template["metadata"]["labels"], &labels_path);
        if let Some(selector) = selector
            && !selector.matches(&labels)
        {
            self.error(format!(
                "{labels_path}: Invalid value: {}: `selector` does not match template `labels`",
                go_string_map(&labels)
            ));
        }
        let pod = &template["spec"];
        if let Some(policy) = pod["restartPolicy"].as_str()
            && policy != "Always"
        {
            self.error(format!(
                "{path}.spec.restartPolicy: Unsupported value: {policy:?}: supported values: \"Always\""
            ));
        }
        let containers = pod["containers"].as_vec().map_or(&[][..], Vec::as_slice);
        if containers.is_empty() {
            self.error(format!("{path}.spec.containers: Required value"));
        }
        let mut names = BTreeSet::new();
        for (index, container) in containers.iter().enumerate() {
            let container_path = format!("{path}.spec.containers[{index}]");
            match container["name"].as_str() {
                None | Some("") => self.error(format!("{container_path}.name: Required value")),
                Some(name) => {
                    for problem in dns1123_label_problems(name) {
                        self.error(format!(
                            "{container_path}.name: Invalid value: {name:?}: {problem}"
                        ));
                    }
                    if !names.insert(name.to_string()) {
                        self.error(format!("{container_path}.name: Duplicate value: {name:?}"));
                    }
                }
            }
            if container["image"]
                .as_str()
                .is_none_or(|image| image.trim().is_empty())
            {
                self.error(format!("{container_path}.image: Required value"));
            }
            self.container_ports(container, &container_path);
            self.resources(
                &container["resources"],
                &format!("{container_path}.resources"),
            );
        }
    }

    /// Container ports: numbers from 1 to 65535, protocols TCP, UDP or SCTP.
    fn container_ports(&mut self, container: &Yaml, container_path: &str) {
        for (index, port) in container["ports"]
            .as_vec()
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .enumerate()
        {
            let port_path = format!("{container_path}.ports[{index}]");
            match &port["containerPort"] {
                Yaml::Integer(number) if (1..=65_535).contains(number) => {}
                Yaml::BadValue | Yaml::Null => {
                    self.error(format!("{port_path}.containerPort: Required value"));
                }
                other => self.error(format!(
                    "{port_path}.containerPort: Invalid value: {}: must be between 1 and 65535, inclusive",
                    describe(other)
                )),
            }
            if let Some(protocol) = port["protocol"].as_str()
                && !matches!(protocol, "TCP" | "UDP" | "SCTP")
            {
                self.error(format!(
                    "{port_path}.protocol: Unsupported value: {protocol:?}: supported values: \"SCTP\", \"TCP\", \"UDP\""
                ));
            }
        }
    }

    /// `resources.requests` and `resources.limits`: quantities, standard or qualified names,
    /// not negative, and no request above its limit (`ValidateResourceRequirements`).
    fn resources(&mut self, resources: &Yaml, path: &str) {
        if resources.is_badvalue() || resources.is_null() {
            return;
        }
        let mut parsed: BTreeMap<&str, BTreeMap<String, (String, f64)>> = BTreeMap::new();
        for part in ["limits", "requests"] {
            let part_path = format!("{path}.{part}");
            let Some(map) = resources[part].as_hash() else {
                if !(resources[part].is_badvalue() || resources[part].is_null()) {
                    self.error(format!(
                        "{part_path}: Invalid value: {}: must be a map of resource names to quantities",
                        describe(&resources[part])
                    ));
                }
                continue;
            };
            for (key, value) in map {
                let name = key.as_str().map_or_else(|| describe(key), String::from);
                let entry_path = format!("{part_path}[{name}]");
                let standard = matches!(name.as_str(), "cpu" | "memory" | "ephemeral-storage")
                    || name.starts_with("hugepages-")
                    || name.contains('/');
                if !standard {
                    self.error(format!(
                        "{entry_path}: Invalid value: {name:?}: must be a standard resource type or fully qualified"
                    ));
                    continue;
                }
                let text = match value {
                    Yaml::String(text) => text.clone(),
                    Yaml::Integer(_) | Yaml::Real(_) => describe(value),
                    other => {
                        self.error(format!(
                            "{entry_path}: Invalid value: {}: {}",
                            describe(other),
                            crate::upstream::apimachinery::QUANTITY_FORMAT_MESSAGE
                        ));
                        continue;
                    }
                };
                match parse_quantity(&text) {
                    Ok(amount) if amount < 0.0 => self.error(format!(
                        "{entry_path}: Invalid value: {text:?}: must be greater than or equal to 0"
                    )),
                    Ok(amount) => {
                        parsed.entry(part).or_default().insert(name, (text, amount));
                    }
                    Err(problem) => {
                        self.error(format!("{entry_path}: Invalid value: {text:?}: {problem}"));
                    }
                }
            }
        }
        let (Some(limits), Some(requests)) = (parsed.get("limits"), parsed.get("requests")) else {
            return;
        };
        for (name, (request_text, request)) in requests {
            if let Some((limit_text, limit)) = limits.get(name)
                && request > limit
            {
                self.error(format!(
                    "{path}.requests: Invalid value: {request_text:?}: must be less than or equal to {name} limit of {limit_text}"
                ));
            }
        }
    }

    /// A map of strings (labels, annotations), or a problem when it is another shape or a
    /// value is not a string (the API server cannot decode it).
    fn string_map(&mut self, node: &Yaml, path: &str) -> Option<Vec<(String, String)>> {
        match node {
            Yaml::BadValue | Yaml::Null => None,
            Yaml::Hash(map) => {
                let mut entries = Vec::new();
                for (key, value) in map {
                    let key = key.as_str().map_or_else(|| describe(key), String::from);
                    match value {
                        Yaml::String(text) => entries.push((key, text.clone())),
                        Yaml::Null => entries.push((key, String::new())),
                        other => self.error(format!(
                            "{path}.{key}: Invalid value: {}: must be a string (quote it: \"{}\")",
                            describe(other),
                            describe(other).trim_matches('"')
                        )),
                    }
                }
                Some(entries)
            }
            other => {
                self.error(format!(
                    "{path}: Invalid value: {}: must be a map of strings",
                    describe(other)
                ));
                None
            }
        }
    }
}
