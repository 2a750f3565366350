//! Argo AnalysisTemplates and their metrics read into a gate: conditions, limits, latency bounds
//! and Kayenta thresholds.

use std::collections::BTreeMap;

use yaml_rust2::Yaml;

use crate::gates::analysis::ErrorRateGate;

use super::analysis_args::{flatten_template_args, merge_args, rollout_args, substitute};
use super::yaml::{Reader, describe, parse_duration_s, yaml_strings};

/// An analysis gate read from a template, and whether its `count` was written as 0.
pub(super) struct ImportedGate {
    pub(super) gate: ErrorRateGate,
    pub(super) explicit_zero_count: bool,
}
/// The thresholds of a `kayenta` provider (`threshold: {pass, marginal}`), if it is one.
pub(super) fn kayenta_thresholds(
    metric: &Yaml,
) -> Option<crate::gates::analysis::KayentaThresholds> {
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
pub(super) fn latency_bound_ms(metric: &Yaml) -> Option<u32> {
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
/// The error-rate bounds a metric's conditions imply, in basis points: (success, failure).
/// A condition `result <= x` (or `<`) with x at most 1 bounds the error ratio from above; one
/// `result >= x` (or `>`) bounds a success ratio from below, so errors may reach 1 − x. A
/// success condition gives the rate at or below which a measurement succeeds; a failure
/// condition the rate above which it fails.
pub(super) fn condition_bounds(metric: &Yaml) -> (Option<u32>, Option<u32>) {
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
/// Where an analysis finds its templates and the Rollout its args may read.
pub(super) struct AnalysisContext<'a> {
    /// The AnalysisTemplates and ClusterAnalysisTemplates of every file given.
    pub(super) templates: Vec<&'a Yaml>,
    /// The files searched, for the message when a template is missing.
    pub(super) files: String,
    /// The Rollout, for args read with `valueFrom.fieldRef`.
    pub(super) rollout: &'a Yaml,
}
impl Reader {
    /// An integer field of a metric, which Argo also takes as a string so that an arg can
    /// fill it (`failureLimit: "{{args.limit}}"`).
    fn metric_int(&mut self, metric: &Yaml, path: &str, default: i32) -> i32 {
        let key = path.rsplit('.').next().unwrap_or(path);
        match &metric[key] {
            Yaml::String(text) if text.trim().parse::<i32>().is_ok() => {
                text.trim().parse().unwrap_or(default)
            }
            _ => self.int(metric, path, default),
        }
    }

    /// The templates an analysis names, each found by kind (`clusterScope: true` for a
    /// ClusterAnalysisTemplate) and name, or a problem naming the files searched.
    fn analysis_templates<'a>(
        &mut self,
        analysis: &Yaml,
        path: &str,
        context: &AnalysisContext<'a>,
    ) -> Option<Vec<&'a Yaml>> {
        let entries = analysis["templates"]
            .as_vec()
            .map_or(&[][..], Vec::as_slice);
        if entries.is_empty() {
            self.error(format!("{path}.templates: Required value"));
            return None;
        }
        let mut found = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            let Some(name) = entry["templateName"].as_str() else {
                self.error(format!(
                    "{path}.templates[{index}].templateName: Required value"
                ));
                continue;
            };
            let kind = if entry["clusterScope"].as_bool() == Some(true) {
                "ClusterAnalysisTemplate"
            } else {
                "AnalysisTemplate"
            };
            match context.templates.iter().find(|t| {
                t["kind"].as_str() == Some(kind) && t["metadata"]["name"].as_str() == Some(name)
            }) {
                Some(template) => found.push(*template),
                None => self.error(format!(
                    "{path}.templates[{index}].templateName: Not found: \"{name}\": no {kind} of that name in {}; load the file that holds it together with this one",
                    context.files
                )),
            }
        }
        (found.len() == entries.len()).then_some(found)
    }

    /// The gate an analysis (a step's, the background one or a blue-green one) runs: its
    /// templates flattened and their args resolved as Argo does, the first metric simulated
    /// as the new version's error rate, latency or Kayenta score.
    pub(super) fn analysis_gate(
        &mut self,
        analysis: &Yaml,
        path: &str,
        context: &AnalysisContext,
    ) -> Option<ImportedGate> {
        let templates = self.analysis_templates(analysis, path, context)?;
        let template_args = match flatten_template_args(&templates, context.rollout) {
            Ok(args) => args,
            Err(problem) => {
                self.error(format!("{path}: {problem}"));
                return None;
            }
        };
        let (incoming, problems) = rollout_args(analysis, path, context.rollout);
        let problems_found = !problems.is_empty();
        self.errors.extend(problems);
        let args = match merge_args(&incoming, template_args) {
            Ok(args) => args,
            Err(problem) => {
                self.error(format!("{path}.args: {problem}"));
                return None;
            }
        };
        if problems_found {
            return None;
        }
        for arg in &args {
            if let Some(source) = &arg.simulated_from {
                self.warn(
                    &format!("{path}.args {}", arg.name),
                    &format!("taken from {source}"),
                );
            }
        }
        let mut values: BTreeMap<String, String> = BTreeMap::new();
        values.extend(args.into_iter().map(|arg| {
            let value = arg.value.unwrap_or_default();
            (arg.name, value)
        }));
        let mut metrics: Vec<(&str, usize, &Yaml)> = Vec::new();
        for template in &templates {
            let template_name = template["metadata"]["name"].as_str().unwrap_or("?");
            for (index, metric) in template["spec"]["metrics"]
                .as_vec()
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .enumerate()
            {
                let name = metric["name"].as_str().unwrap_or("");
                if metrics
                    .iter()
                    .any(|(_, _, m)| m["name"].as_str() == Some(name))
                {
                    self.error(format!("{path}: two metrics have the same name '{name}'"));
                    return None;
                }
                metrics.push((template_name, index, metric));
            }
        }
        let Some(&(template_name, metric_index, metric)) = metrics.first() else {
            let template_name = templates[0]["metadata"]["name"].as_str().unwrap_or("?");
            self.error(format!(
                "AnalysisTemplate {template_name}: spec.metrics: Required value"
            ));
            return None;
        };
        let metric_path = format!("AnalysisTemplate {template_name}: spec.metrics[{metric_index}]");
        let metric = match substitute(metric, &values) {
            Ok(metric) => metric,
            Err(problem) => {
                self.error(format!("{metric_path}: {problem}"));
                return None;
            }
        };
        let metric = &metric;
        if metrics.len() > 1 {
            let others: Vec<&str> = metrics[1..]
                .iter()
                .map(|(_, _, m)| m["name"].as_str().unwrap_or("?"))
                .collect();
            self.warn(
                path,
                &format!(
                    "the gate follows the first metric; {} not simulated",
                    others.join(", ")
                ),
            );
        }
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
        let mut failure_limit = self.metric_int(metric, &format!("{metric_path}.failureLimit"), 0);
        if metric["failureLimit"].is_badvalue() && !metric["maxFailures"].is_badvalue() {
            failure_limit = self.metric_int(metric, &format!("{metric_path}.maxFailures"), 0);
            self.warn(
                &format!("{metric_path}.maxFailures"),
                "the legacy name of failureLimit; read as failureLimit",
            );
        }
        let consecutive_error_limit = self.metric_int(
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
        let dry_run = templates.iter().any(|template| {
            template["spec"]["dryRun"].as_vec().is_some_and(|list| {
                list.iter().any(|entry| {
                    entry["metricName"].as_str() == Some(metric_name.as_str())
                        || entry["metricName"].as_str() == Some("*")
                })
            })
        });
        let inconclusive_limit =
            self.metric_int(metric, &format!("{metric_path}.inconclusiveLimit"), 0);
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
                    .metric_int(metric, &format!("{metric_path}.consecutiveSuccessLimit"), 0)
                    .max(0) as u32,
            },
            explicit_zero_count: matches!(metric["count"], Yaml::Integer(0)),
        })
    }
}
