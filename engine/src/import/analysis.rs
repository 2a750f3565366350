//! Argo AnalysisTemplates and their metrics read into a gate: conditions, limits, latency bounds
//! and Kayenta thresholds.

use yaml_rust2::Yaml;

use crate::gates::analysis::ErrorRateGate;

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
impl Reader {
    /// The gate an analysis (a step's or the background one) runs: the first metric of its
    /// first template, simulated as the canary's error rate.
    pub(super) fn analysis_gate(
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
}
