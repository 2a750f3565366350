//! A Flagger Canary with the Deployment it targets: its analysis loop, metrics and A/B matches.

use yaml_rust2::Yaml;

use crate::scenario::Strategy;
use crate::world::fleet::Probes;

use super::imported::{ImportError, Imported, rollout_scenario};
use super::object_fields::SelectorOwner;
use super::yaml::{Reader, parse_duration_s};

/// A Flagger `Canary`, with the Deployment it targets when the file has it.
pub(super) fn import_flagger(canary: &Yaml, documents: &[Yaml]) -> Result<Imported, ImportError> {
    let mut reader = Reader::default();
    if let Some(api_version) = canary["apiVersion"].as_str()
        && !api_version.starts_with("flagger.app/")
    {
        reader.warn(
            "apiVersion",
            &format!("{api_version} is read as flagger.app/v1beta1"),
        );
    }
    let name = reader.object_meta(canary, "").unwrap_or_default();
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
            // The API server refuses the Deployment the Canary targets as it refuses any.
            reader.object_meta(deployment, "Deployment: ");
            let selector = reader.selector(
                &deployment["spec"]["selector"],
                "Deployment: spec.selector",
                SelectorOwner::Deployment,
            );
            reader.pod_template(
                &deployment["spec"]["template"],
                "Deployment: spec.template",
                selector.as_ref(),
            );
            let container = &deployment["spec"]["template"]["spec"]["containers"][0];
            (
                reader.replicas(&deployment["spec"], "spec.replicas", 1),
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
/// The scenario for an imported service: `replicas` of it at its current version in
/// production on flat traffic, and a rollout to the next version after a minute.
/// Flagger's `analysis.match` (Istio's HTTP match requests), each written out for people:
/// `header x-canary exact "insider"`, `cookie regex "^(.*?;)?(canary=always)(;.*)?$"`. Matches
/// on anything but headers are warned about and left out.
pub(super) fn flagger_matches(reader: &mut Reader, matches: &Yaml) -> Vec<String> {
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
