//! AnalysisTemplate arguments as Argo Rollouts resolves them: the templates' `spec.args` (with
//! their defaults) flattened, the Rollout's `analysis.args` laid over them, every argument
//! required to end with a value, and `{{args.name}}` substituted in every string of a metric.

use std::collections::BTreeMap;

use yaml_rust2::Yaml;

use super::yaml::describe;

/// One argument: its name and, once resolved, its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Argument {
    pub(super) name: String,
    pub(super) value: Option<String>,
    /// How the value was found, when it is simulated rather than read (a secret, a field).
    pub(super) simulated_from: Option<String>,
}

/// Argo's `flattenArgs`: the args of every template in order; the same name twice must not
/// carry two different values, and a value is never replaced by a template's missing one.
pub(super) fn flatten_template_args(
    templates: &[&Yaml],
    rollout: &Yaml,
) -> Result<Vec<Argument>, String> {
    let mut combined: Vec<Argument> = Vec::new();
    for template in templates {
        for arg in template["spec"]["args"]
            .as_vec()
            .map_or(&[][..], Vec::as_slice)
        {
            let Some(name) = arg["name"].as_str() else {
                continue;
            };
            let template_name = template["metadata"]["name"].as_str().unwrap_or("?");
            let from = resolve_value_from(
                &arg["valueFrom"],
                &format!("AnalysisTemplate {template_name}: spec.args {name}"),
                rollout,
            )?;
            let value = scalar_text(&arg["value"]).or_else(|| from.as_ref().map(|f| f.0.clone()));
            match combined.iter_mut().find(|prev| prev.name == name) {
                Some(prev) => {
                    if let (Some(left), Some(right)) = (&prev.value, &value)
                        && left != right
                    {
                        return Err(format!(
                            "Argument `{name}` specified multiple times with different values: '{left}', '{right}'"
                        ));
                    }
                    if prev.value.is_none() {
                        prev.value = value;
                    }
                }
                None => combined.push(Argument {
                    name: name.to_string(),
                    value,
                    simulated_from: from.map(|(_, source)| source),
                }),
            }
        }
    }
    Ok(combined)
}

/// Argo's `MergeArgs`: the Rollout's args override the template's of the same name (args the
/// templates do not declare are ignored, as Argo ignores them); then every arg must have a
/// value, or Argo's `args.<name> was not resolved`.
pub(super) fn merge_args(
    incoming: &[Argument],
    mut template_args: Vec<Argument>,
) -> Result<Vec<Argument>, String> {
    for arg in incoming {
        if let Some(target) = template_args.iter_mut().find(|t| t.name == arg.name)
            && arg.value.is_some()
        {
            target.value.clone_from(&arg.value);
            target.simulated_from.clone_from(&arg.simulated_from);
        }
    }
    for arg in &template_args {
        if arg.value.is_none() {
            return Err(format!("args.{} was not resolved", arg.name));
        }
    }
    Ok(template_args)
}

/// The args an analysis (a step's, the background one, a blue-green one) passes: a `value`, or
/// a `valueFrom` the simulator resolves from the Rollout itself (`fieldRef`), simulates (a
/// secret's value) or derives (`podTemplateHashValue`). Problems carry their path.
pub(super) fn rollout_args(
    analysis: &Yaml,
    path: &str,
    rollout: &Yaml,
) -> (Vec<Argument>, Vec<String>) {
    let mut args = Vec::new();
    let mut problems = Vec::new();
    for (index, arg) in analysis["args"]
        .as_vec()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .enumerate()
    {
        let arg_path = format!("{path}.args[{index}]");
        let Some(name) = arg["name"].as_str() else {
            problems.push(format!("{arg_path}.name: Required value"));
            continue;
        };
        if let Some(value) = scalar_text(&arg["value"]) {
            args.push(Argument {
                name: name.to_string(),
                value: Some(value),
                simulated_from: None,
            });
            continue;
        }
        // An arg with neither a value nor a valueFrom leaves the template's default in place.
        match resolve_value_from(&arg["valueFrom"], &arg_path, rollout) {
            Ok(found) => args.push(Argument {
                name: name.to_string(),
                value: found.as_ref().map(|(value, _)| value.clone()),
                simulated_from: found.map(|(_, source)| source),
            }),
            Err(problem) => problems.push(problem),
        }
    }
    (args, problems)
}

/// A `valueFrom`: read from the Rollout (`fieldRef`), derived (`podTemplateHashValue`) or
/// simulated (a secret's value), as (value, where it came from); `None` when there is none.
fn resolve_value_from(
    from: &Yaml,
    arg_path: &str,
    rollout: &Yaml,
) -> Result<Option<(String, String)>, String> {
    if let Some(field_path) = from["fieldRef"]["fieldPath"].as_str() {
        return match field_value(rollout, field_path) {
            Some(value) => Ok(Some((value, format!("the Rollout's {field_path}")))),
            None => Err(format!(
                "{arg_path}.valueFrom.fieldRef.fieldPath: Invalid value: {field_path:?}: Analyses arguments must refer to valid object metadata supported by downwardAPI"
            )),
        };
    }
    if let Some(which) = from["podTemplateHashValue"].as_str() {
        return match which {
            "Stable" | "Latest" => Ok(Some((
                format!("{}-hash", which.to_lowercase()),
                format!("the {which} pod template hash"),
            ))),
            other => Err(format!(
                "{arg_path}.valueFrom.podTemplateHashValue: Unsupported value: {other:?}: supported values: \"Latest\", \"Stable\""
            )),
        };
    }
    if !from["secretKeyRef"].is_badvalue() {
        let secret = from["secretKeyRef"]["name"].as_str().unwrap_or("?");
        let key = from["secretKeyRef"]["key"].as_str().unwrap_or("?");
        return Ok(Some((
            format!("secret-{secret}-{key}"),
            format!("the secret {secret}/{key}, whose value is simulated"),
        )));
    }
    Ok(None)
}

/// A copy of `node` with `{{args.name}}` (spaces inside the braces allowed) replaced in every
/// string, or Argo's `failed to resolve {{tag}}` for a tag that names no argument.
pub(super) fn substitute(node: &Yaml, args: &BTreeMap<String, String>) -> Result<Yaml, String> {
    Ok(match node {
        Yaml::String(text) if text.contains("{{") => Yaml::String(substitute_text(text, args)?),
        Yaml::Array(items) => Yaml::Array(
            items
                .iter()
                .map(|item| substitute(item, args))
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Hash(map) => {
            let mut out = yaml_rust2::yaml::Hash::new();
            for (key, value) in map {
                out.insert(key.clone(), substitute(value, args)?);
            }
            Yaml::Hash(out)
        }
        other => other.clone(),
    })
}

/// One string with its `{{…}}` tags replaced.
fn substitute_text(text: &str, args: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            // fasttemplate keeps an unclosed tag as text.
            out.push_str(&rest[open..]);
            return Ok(out);
        };
        let tag = &after[..close];
        let value = tag
            .trim()
            .strip_prefix("args.")
            .and_then(|name| args.get(name))
            .ok_or_else(|| format!("failed to resolve {{{{{tag}}}}}"))?;
        out.push_str(value);
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A scalar as text, as Kubernetes reads a string field written as a number or a boolean.
fn scalar_text(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(text) => Some(text.clone()),
        Yaml::Integer(_) | Yaml::Real(_) | Yaml::Boolean(_) => Some(describe(value)),
        _ => None,
    }
}

/// The downward API's fields of the Rollout: `metadata.name`, `metadata.namespace` (`default`
/// when unset), `metadata.uid` (simulated), `metadata.labels['k']`, `metadata.annotations['k']`,
/// and any other path whose value is a scalar (Argo reads those from the Rollout as JSON).
fn field_value(rollout: &Yaml, field_path: &str) -> Option<String> {
    let metadata = &rollout["metadata"];
    match field_path {
        "metadata.name" => return metadata["name"].as_str().map(String::from),
        "metadata.namespace" => {
            return Some(
                metadata["namespace"]
                    .as_str()
                    .unwrap_or("default")
                    .to_string(),
            );
        }
        "metadata.uid" => return Some("simulated-uid".to_string()),
        _ => {}
    }
    for map in ["labels", "annotations"] {
        if let Some(key) = field_path
            .strip_prefix(&format!("metadata.{map}['"))
            .and_then(|rest| rest.strip_suffix("']"))
        {
            // As the downward API: a label or annotation that is not there reads as "".
            return Some(scalar_text(&metadata[map][key]).unwrap_or_default());
        }
    }
    if field_path.starts_with("metadata") {
        return None;
    }
    let node = field_path
        .split('.')
        .try_fold(rollout, |node, key| match &node[key] {
            Yaml::BadValue => None,
            child => Some(child),
        })?;
    scalar_text(node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use yaml_rust2::YamlLoader;

    fn yaml(text: &str) -> Yaml {
        YamlLoader::load_from_str(text).expect("test YAML parses")[0].clone()
    }

    fn arg(name: &str, value: Option<&str>) -> Argument {
        Argument {
            name: name.to_string(),
            value: value.map(String::from),
            simulated_from: None,
        }
    }

    #[test]
    fn template_args_flatten_as_argo_does() {
        let first = yaml("spec: {args: [{name: a}, {name: b, value: '1'}]}");
        let second = yaml("spec: {args: [{name: a, value: x}, {name: b, value: '1'}]}");
        let clash = yaml("spec: {args: [{name: b, value: '2'}]}");
        assert_eq!(
            flatten_template_args(&[&first, &second], &Yaml::Null),
            Ok(vec![arg("a", Some("x")), arg("b", Some("1"))])
        );
        assert_eq!(
            flatten_template_args(&[&first, &clash], &Yaml::Null),
            Err("Argument `b` specified multiple times with different values: '1', '2'".into())
        );
    }

    #[test]
    fn a_missing_arg_is_refused_with_argos_message() {
        let template = vec![arg("service-name", None), arg("prefix", Some("p"))];
        assert_eq!(
            merge_args(&[], template.clone()),
            Err("args.service-name was not resolved".into())
        );
        let merged = merge_args(&[arg("service-name", Some("web"))], template)
            .expect("every arg is resolved");
        assert_eq!(merged[0].value.as_deref(), Some("web"));
        assert_eq!(merged[1].value.as_deref(), Some("p"));
    }

    #[test]
    fn args_are_substituted_in_every_string() {
        let args = BTreeMap::from([
            ("svc".to_string(), "web".to_string()),
            ("n".to_string(), "5".to_string()),
        ]);
        let metric = yaml("{count: '{{args.n}}', q: 'rate(x{service=\"{{ args.svc }}\"}[5m])'}");
        let resolved = substitute(&metric, &args).expect("the args exist");
        assert_eq!(resolved["count"].as_str(), Some("5"));
        assert_eq!(resolved["q"].as_str(), Some("rate(x{service=\"web\"}[5m])"));
        assert_eq!(
            substitute(&yaml("q: '{{args.other}}'"), &args),
            Err("failed to resolve {{args.other}}".into())
        );
    }

    #[test]
    fn value_from_is_read_from_the_rollout_or_simulated() {
        let rollout = yaml("metadata: {name: web, labels: {app: shop}}\nspec: {replicas: 3}");
        let analysis = yaml(
            "args:\n- {name: a, valueFrom: {fieldRef: {fieldPath: metadata.name}}}\n- {name: b, valueFrom: {fieldRef: {fieldPath: \"metadata.labels['app']\"}}}\n- {name: c, valueFrom: {secretKeyRef: {name: s, key: k}}}\n- {name: d, valueFrom: {podTemplateHashValue: Latest}}\n- {name: e, valueFrom: {fieldRef: {fieldPath: metadata.nope}}}\n- {name: f, valueFrom: {fieldRef: {fieldPath: spec.replicas}}}\n- {name: g, valueFrom: {fieldRef: {fieldPath: \"metadata.labels['rev']\"}}}",
        );
        let (args, problems) = rollout_args(&analysis, "steps[0].analysis", &rollout);
        let values: Vec<_> = args
            .iter()
            .map(|a| a.value.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            values,
            ["web", "shop", "secret-s-k", "latest-hash", "3", ""]
        );
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("steps[0].analysis.args[4].valueFrom.fieldRef.fieldPath"));
    }
}
