//! Metric gates: an error-rate check run as an Argo Rollouts AnalysisRun.
//!
//! A measurement is taken every `interval_s` over the last `window_s` seconds of the canary's
//! traffic. The metric behaves as an Argo metric with `successCondition: result <= threshold`
//! and `failureCondition: result > threshold`: a measurement with no data is an Error (not a
//! failure), the metric fails when failures exceed `failureLimit`, and errors only fail it when
//! more than `consecutiveErrorLimit` happen in a row.

use serde::{Deserialize, Serialize};

use crate::metrics::{WindowTotals, percent_label};
use crate::time::{Tick, duration_label};

/// Argo Rollouts' default `consecutiveErrorLimit`.
pub const DEFAULT_CONSECUTIVE_ERROR_LIMIT: u32 = 4;
/// Measurements kept per run, as Argo keeps ten by default.
pub const MEASUREMENTS_RETAINED: u32 = 10;

/// An error-rate gate: "error rate above `max_error_rate_bp` over `window_s` fails".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorRateGate {
    /// The metric's name, shown in verdicts.
    pub metric_name: String,
    /// Wait before the first measurement.
    pub initial_delay_s: u32,
    /// Time between measurements.
    pub interval_s: u32,
    /// How far back each measurement looks.
    pub window_s: u32,
    /// The failure threshold: a measured rate above this fails, at or below it succeeds.
    pub max_error_rate_bp: u32,
    /// Failed measurements tolerated before the metric fails.
    pub failure_limit: u32,
    /// Errors (no data, query failures) tolerated in a row before the metric errors.
    pub consecutive_error_limit: u32,
    /// Measurements to take before the run succeeds; 0 measures until the run is terminated.
    #[serde(default)]
    pub count: u32,
    /// The success condition's bound, when it is stricter than the failure threshold: a rate
    /// at or below it succeeds, one above `max_error_rate_bp` fails, and one in between makes
    /// neither condition true, which Argo calls Inconclusive.
    #[serde(default)]
    pub success_max_bp: Option<u32>,
    /// Inconclusive measurements tolerated before the metric is Inconclusive (Argo default 0).
    #[serde(default)]
    pub inconclusive_limit: u32,
    /// A dry-run metric is measured and shown but never decides the run.
    #[serde(default)]
    pub dry_run: bool,
    /// `consecutiveSuccessLimit`: with more than 0, the metric succeeds once this many
    /// measurements in a row succeed; with a `count`, reaching it without that streak is
    /// Inconclusive.
    #[serde(default)]
    pub consecutive_success_limit: u32,
    /// A latency gate instead: the highest per-second p95 over the window must stay at or
    /// below this many milliseconds (the error-rate fields are then unused).
    #[serde(default)]
    pub p95_max_ms: Option<u32>,
    /// A Kayenta judgement instead: the canary's per-second error rate and p95 against the
    /// baseline's (`strategy/kayenta.rs`), Successful at or above `pass`, Failed at or below
    /// `marginal`, Inconclusive in between.
    #[serde(default)]
    pub kayenta: Option<KayentaThresholds>,
}

/// Kayenta's score thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KayentaThresholds {
    /// The score that passes.
    pub pass: u32,
    /// The score at or below which the canary fails.
    pub marginal: u32,
}

/// Per-second samples of the canary and of the baseline (stable) over a window, for a judge:
/// (error rate in basis points, p95 in ms), one per second that served requests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JudgeSamples {
    /// The baseline's seconds.
    pub baseline: Vec<(u32, u32)>,
    /// The canary's seconds.
    pub canary: Vec<(u32, u32)>,
}

/// The outcome of one measurement, or of a whole run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AnalysisPhase {
    /// Passed.
    Successful,
    /// Still measuring.
    Running,
    /// Neither condition held; needs a human.
    Inconclusive,
    /// The measurement could not be taken.
    Error,
    /// Failed.
    Failed,
}

impl AnalysisPhase {
    /// The phase name as Argo spells it.
    pub fn label(self) -> &'static str {
        match self {
            AnalysisPhase::Successful => "Successful",
            AnalysisPhase::Running => "Running",
            AnalysisPhase::Inconclusive => "Inconclusive",
            AnalysisPhase::Error => "Error",
            AnalysisPhase::Failed => "Failed",
        }
    }
}

/// One measurement and the reason for its verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measurement {
    /// When it was taken.
    pub tick: Tick,
    /// Successful, Failed or Error.
    pub phase: AnalysisPhase,
    /// The measured error rate, absent when there was no data.
    pub error_rate_bp: Option<u32>,
    /// Requests in the window.
    pub requests: u64,
    /// Failed requests in the window.
    pub errors: u64,
    /// The verdict in words: rule, values, window.
    pub explanation: String,
}

/// A running or finished analysis of one canary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisRun {
    /// The gate being evaluated.
    pub gate: ErrorRateGate,
    /// When the next measurement is due.
    pub next_measurement_at: Tick,
    /// The most recent measurements, oldest first.
    pub measurements: Vec<Measurement>,
    /// Successful measurements so far.
    pub successful: u32,
    /// Failed measurements so far.
    pub failed: u32,
    /// Errored measurements so far.
    pub errored: u32,
    /// Errors since the last non-error measurement.
    pub consecutive_errors: u32,
    /// Inconclusive measurements so far.
    #[serde(default)]
    pub inconclusive: u32,
    /// Successes since the last measurement that was not one.
    #[serde(default)]
    pub consecutive_successes: u32,
    /// The run's phase.
    pub phase: AnalysisPhase,
    /// Why the run has its phase.
    pub message: String,
}

impl AnalysisRun {
    /// A run starting at `now`.
    pub fn start(gate: ErrorRateGate, now: Tick) -> AnalysisRun {
        AnalysisRun {
            next_measurement_at: now.plus_s(u64::from(gate.initial_delay_s)),
            gate,
            measurements: Vec::new(),
            successful: 0,
            failed: 0,
            errored: 0,
            consecutive_errors: 0,
            inconclusive: 0,
            consecutive_successes: 0,
            phase: AnalysisPhase::Running,
            message: String::from("waiting for the first measurement"),
        }
    }

    /// True when a measurement is due at `now` and the run is still going.
    pub fn is_due(&self, now: Tick) -> bool {
        self.phase == AnalysisPhase::Running && now >= self.next_measurement_at
    }

    /// Takes a measurement from the canary's window totals and re-assesses the run.
    pub fn measure(&mut self, now: Tick, window: WindowTotals) -> &Measurement {
        self.measure_judged(now, window, None)
    }

    /// As [`AnalysisRun::measure`], with the samples a Kayenta gate judges.
    pub fn measure_judged(
        &mut self,
        now: Tick,
        window: WindowTotals,
        samples: Option<&JudgeSamples>,
    ) -> &Measurement {
        let measurement = match (&self.gate.kayenta, samples) {
            (Some(thresholds), Some(samples)) => {
                judge_measurement(&self.gate, *thresholds, now, window, samples)
            }
            _ => evaluate(&self.gate, now, window),
        };
        match measurement.phase {
            AnalysisPhase::Successful => {
                self.successful += 1;
                self.consecutive_errors = 0;
                self.consecutive_successes += 1;
            }
            AnalysisPhase::Failed => {
                self.failed += 1;
                self.consecutive_errors = 0;
            }
            AnalysisPhase::Error => {
                self.errored += 1;
                self.consecutive_errors += 1;
            }
            AnalysisPhase::Inconclusive => {
                self.inconclusive += 1;
                self.consecutive_errors = 0;
            }
            AnalysisPhase::Running => {}
        }
        self.next_measurement_at = now.plus_s(u64::from(self.gate.interval_s.max(1)));
        let (mut phase, mut message) = assess(
            &self.gate,
            self.failed,
            self.consecutive_errors,
            self.inconclusive,
        );
        if measurement.phase != AnalysisPhase::Successful {
            self.consecutive_successes = 0;
        }
        let taken = self.successful + self.failed + self.errored + self.inconclusive;
        let streak = self.gate.consecutive_success_limit;
        if phase == AnalysisPhase::Running && streak > 0 && self.consecutive_successes >= streak {
            phase = AnalysisPhase::Successful;
            message = format!(
                "metric \"{}\" assessed Successful due to consecutiveSuccesses ({}) >= consecutiveSuccessLimit ({streak})",
                self.gate.metric_name, self.consecutive_successes
            );
        } else if phase == AnalysisPhase::Running
            && streak > 0
            && self.gate.count > 0
            && taken >= self.gate.count
        {
            // Both limits set, count reached, neither met.
            phase = AnalysisPhase::Inconclusive;
            message = format!(
                "metric \"{}\" reached count ({}) without consecutiveSuccessLimit ({streak}) successes in a row",
                self.gate.metric_name, self.gate.count
            );
        } else if phase == AnalysisPhase::Running && self.gate.count > 0 && taken >= self.gate.count
        {
            // Every measurement asked for was taken and no limit was breached.
            phase = AnalysisPhase::Successful;
            message = format!(
                "metric \"{}\" completed {taken} of {} measurements without breaching a limit",
                self.gate.metric_name, self.gate.count
            );
        }
        self.phase = phase;
        self.message = if phase == AnalysisPhase::Running {
            format!(
                "last measurement {}: {}",
                measurement.phase.label(),
                measurement.explanation
            )
        } else {
            format!("{message}; last measurement: {}", measurement.explanation)
        };
        if self.measurements.len() as u32 >= MEASUREMENTS_RETAINED {
            self.measurements.remove(0);
        }
        self.measurements.push(measurement);
        self.measurements
            .last()
            .expect("a measurement was just pushed")
    }

    /// Ends an indefinite run: Successful unless a limit was already breached (Argo's rule).
    pub fn terminate(&mut self) {
        if self.phase == AnalysisPhase::Running {
            self.phase = AnalysisPhase::Successful;
            self.message = format!(
                "run terminated after {} measurement(s), none breaching a limit",
                self.successful + self.failed + self.errored
            );
        }
    }
}

/// A Kayenta measurement: error rate and p95 judged against the baseline, then scored.
fn judge_measurement(
    gate: &ErrorRateGate,
    thresholds: KayentaThresholds,
    now: Tick,
    window: WindowTotals,
    samples: &JudgeSamples,
) -> Measurement {
    use crate::gates::kayenta::{Direction, MetricConfig, RunVerdict, classify, judge, score};
    let metric = |name: &str| MetricConfig {
        name: name.to_string(),
        group: name.to_string(),
        direction: Direction::Increase,
        critical: false,
        must_have_data: false,
        allowed_increase: 1.0,
        allowed_decrease: 1.0,
    };
    let column = |rows: &[(u32, u32)], pick: fn(&(u32, u32)) -> u32| -> Vec<f64> {
        rows.iter().map(|row| f64::from(pick(row))).collect()
    };
    let verdicts = [
        classify(
            &metric("error-rate"),
            &column(&samples.baseline, |r| r.0),
            &column(&samples.canary, |r| r.0),
        ),
        classify(
            &metric("p95-latency"),
            &column(&samples.baseline, |r| r.1),
            &column(&samples.canary, |r| r.1),
        ),
    ];
    let summary = score(&verdicts, &[]);
    let verdict = judge(
        summary,
        f64::from(thresholds.pass),
        f64::from(thresholds.marginal),
    );
    // Fewer than three buckets on either side is too little to judge: no data, an Error.
    let phase = if samples.canary.len() < 3 || samples.baseline.len() < 3 {
        AnalysisPhase::Error
    } else {
        match verdict {
            RunVerdict::Pass => AnalysisPhase::Successful,
            RunVerdict::Marginal => AnalysisPhase::Inconclusive,
            RunVerdict::Fail => AnalysisPhase::Failed,
        }
    };
    if phase == AnalysisPhase::Error {
        return Measurement {
            tick: now,
            phase,
            error_rate_bp: window.error_rate_bp(),
            requests: window.requests,
            errors: window.errors,
            explanation: format!(
                "too little data to judge: {} baseline and {} canary 10 s buckets over the last {} (3 of each needed)",
                samples.baseline.len(),
                samples.canary.len(),
                duration_label(u64::from(gate.window_s))
            ),
        };
    }
    let classes: Vec<String> = verdicts
        .iter()
        .map(|v| format!("{} {:?} ({})", v.name, v.class, v.explanation))
        .collect();
    Measurement {
        tick: now,
        phase,
        error_rate_bp: window.error_rate_bp(),
        requests: window.requests,
        errors: window.errors,
        explanation: format!(
            "Kayenta score {summary:.2} over the last {} (pass {}, marginal {}): {}",
            duration_label(u64::from(gate.window_s)),
            thresholds.pass,
            thresholds.marginal,
            classes.join("; ")
        ),
    }
}

/// One measurement's verdict: the truth table of Argo's success and failure conditions.
pub fn evaluate(gate: &ErrorRateGate, now: Tick, window: WindowTotals) -> Measurement {
    let window_label = duration_label(u64::from(gate.window_s));
    if let Some(limit_ms) = gate.p95_max_ms {
        let (phase, explanation) = match window.error_rate_bp() {
            None => (
                AnalysisPhase::Error,
                format!("no data: the canary served no requests in the last {window_label}"),
            ),
            Some(_) if window.p95_max_ms > limit_ms => (
                AnalysisPhase::Failed,
                format!(
                    "p95 latency {} ms (highest second over the last {window_label}) > {limit_ms} ms limit",
                    window.p95_max_ms
                ),
            ),
            Some(_) => (
                AnalysisPhase::Successful,
                format!(
                    "p95 latency {} ms (highest second over the last {window_label}) <= {limit_ms} ms limit",
                    window.p95_max_ms
                ),
            ),
        };
        return Measurement {
            tick: now,
            phase,
            error_rate_bp: window.error_rate_bp(),
            requests: window.requests,
            errors: window.errors,
            explanation,
        };
    }
    let threshold = percent_label(gate.max_error_rate_bp);
    let (phase, explanation) = match window.error_rate_bp() {
        None => (
            AnalysisPhase::Error,
            format!("no data: the canary served no requests in the last {window_label}"),
        ),
        Some(rate_bp) if rate_bp > gate.max_error_rate_bp => (
            AnalysisPhase::Failed,
            format!(
                "error rate {} ({} of {} requests over the last {window_label}) > {threshold} threshold",
                percent_label(rate_bp),
                window.errors,
                window.requests
            ),
        ),
        Some(rate_bp) if rate_bp > gate.success_max_bp.unwrap_or(gate.max_error_rate_bp) => (
            AnalysisPhase::Inconclusive,
            format!(
                "error rate {} ({} of {} requests over the last {window_label}): neither the success condition (<= {}) nor the failure condition (> {threshold}) holds",
                percent_label(rate_bp),
                window.errors,
                window.requests,
                percent_label(gate.success_max_bp.unwrap_or(gate.max_error_rate_bp))
            ),
        ),
        Some(rate_bp) => (
            AnalysisPhase::Successful,
            format!(
                "error rate {} ({} of {} requests over the last {window_label}) <= {} threshold",
                percent_label(rate_bp),
                window.errors,
                window.requests,
                percent_label(gate.success_max_bp.unwrap_or(gate.max_error_rate_bp))
            ),
        ),
    };
    Measurement {
        tick: now,
        phase,
        error_rate_bp: window.error_rate_bp(),
        requests: window.requests,
        errors: window.errors,
        explanation,
    }
}

/// The metric's phase from its counters, with Argo's limits (all strict): failed when
/// `failed > failureLimit`, errored when `consecutiveErrors > consecutiveErrorLimit`,
/// inconclusive when `inconclusive > inconclusiveLimit`, otherwise still running. A dry-run
/// metric never leaves Running.
pub fn assess(
    gate: &ErrorRateGate,
    failed: u32,
    consecutive_errors: u32,
    inconclusive: u32,
) -> (AnalysisPhase, String) {
    if gate.dry_run {
        return (
            AnalysisPhase::Running,
            String::from("dry run: measured and shown, never deciding"),
        );
    }
    if failed > gate.failure_limit {
        (
            AnalysisPhase::Failed,
            format!(
                "metric \"{}\" assessed Failed due to failed ({failed}) > failureLimit ({})",
                gate.metric_name, gate.failure_limit
            ),
        )
    } else if consecutive_errors > gate.consecutive_error_limit {
        (
            AnalysisPhase::Error,
            format!(
                "metric \"{}\" assessed Error due to consecutiveErrors ({consecutive_errors}) > consecutiveErrorLimit ({})",
                gate.metric_name, gate.consecutive_error_limit
            ),
        )
    } else if inconclusive > gate.inconclusive_limit {
        (
            AnalysisPhase::Inconclusive,
            format!(
                "metric \"{}\" assessed Inconclusive due to inconclusive ({inconclusive}) > inconclusiveLimit ({})",
                gate.metric_name, gate.inconclusive_limit
            ),
        )
    } else {
        (AnalysisPhase::Running, String::from("measuring"))
    }
}

/// (error rate, p95) of a cohort in each 10-second bucket of the `window_s` seconds ending at
/// `now` that served requests: single seconds carry too few requests for a judge to compare.
pub fn judge_samples(
    metrics: &crate::metrics::Metrics,
    key: crate::metrics::CohortKey,
    now: Tick,
    window_s: u32,
) -> Vec<(u32, u32)> {
    const BUCKET_S: u64 = 10;
    let first = now.0.saturating_sub(u64::from(window_s));
    let Some(series) = metrics.cohort(key) else {
        return Vec::new();
    };
    let mut buckets: Vec<(u64, u64, u64, u32)> = Vec::new();
    for sample in series
        .samples()
        .iter()
        .filter(|s| s.tick.0 >= first && s.requests > s.unserved && !s.no_data)
    {
        let bucket = sample.tick.0 / BUCKET_S;
        match buckets.last_mut() {
            Some(last) if last.0 == bucket => {
                last.1 += u64::from(sample.requests);
                last.2 += u64::from(sample.errors);
                last.3 = last.3.max(sample.p95_ms);
            }
            _ => buckets.push((
                bucket,
                u64::from(sample.requests),
                u64::from(sample.errors),
                sample.p95_ms,
            )),
        }
    }
    buckets
        .into_iter()
        .map(|(_, requests, errors, p95)| (crate::metrics::rate_bp(errors, requests), p95))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(failure_limit: u32) -> ErrorRateGate {
        ErrorRateGate {
            metric_name: "error-rate".to_string(),
            initial_delay_s: 0,
            interval_s: 30,
            window_s: 60,
            max_error_rate_bp: 500,
            failure_limit,
            consecutive_error_limit: DEFAULT_CONSECUTIVE_ERROR_LIMIT,
            count: 0,
            success_max_bp: None,
            inconclusive_limit: 0,
            dry_run: false,
            p95_max_ms: None,
            kayenta: None,
            consecutive_success_limit: 0,
        }
    }

    fn window(requests: u64, errors: u64) -> WindowTotals {
        WindowTotals {
            requests,
            errors,
            unserved: 0,
            seconds_covered: 60,
            seconds_without_data: 0,
            p95_max_ms: 120,
        }
    }

    /// successCondition `result <= 0.01`, failureCondition `result > 0.05`: both false in
    /// between is Inconclusive, and failure wins.
    #[test]
    fn both_conditions_leave_an_inconclusive_band() {
        let mut banded = gate(0);
        banded.success_max_bp = Some(100);
        for (errors, expected) in [
            (5, AnalysisPhase::Successful),
            (10, AnalysisPhase::Successful),
            (30, AnalysisPhase::Inconclusive),
            (50, AnalysisPhase::Inconclusive),
            (51, AnalysisPhase::Failed),
        ] {
            let measured = evaluate(&banded, Tick(60), window(1_000, errors));
            assert_eq!(
                measured.phase, expected,
                "{errors} of 1,000: {}",
                measured.explanation
            );
        }
        let mut run = AnalysisRun::start(banded.clone(), Tick(0));
        run.measure(Tick(0), window(1_000, 30));
        assert_eq!(
            run.phase,
            AnalysisPhase::Inconclusive,
            "inconclusive (1) > inconclusiveLimit (0)"
        );
        assert!(
            run.message
                .contains("inconclusive (1) > inconclusiveLimit (0)"),
            "{}",
            run.message
        );
        banded.inconclusive_limit = 1;
        let mut run = AnalysisRun::start(banded, Tick(0));
        run.measure(Tick(0), window(1_000, 30));
        assert_eq!(
            run.phase,
            AnalysisPhase::Running,
            "one inconclusive is tolerated"
        );
    }

    #[test]
    fn a_latency_gate_reads_the_worst_p95_of_the_window() {
        let mut latency = gate(0);
        latency.p95_max_ms = Some(2_000);
        let mut slow = window(1_000, 0);
        slow.p95_max_ms = 2_400;
        let measured = evaluate(&latency, Tick(60), slow);
        assert_eq!(measured.phase, AnalysisPhase::Failed);
        assert_eq!(
            measured.explanation,
            "p95 latency 2400 ms (highest second over the last 1 min) > 2000 ms limit"
        );
        slow.p95_max_ms = 2_000;
        assert_eq!(
            evaluate(&latency, Tick(60), slow).phase,
            AnalysisPhase::Successful
        );
        assert_eq!(
            evaluate(&latency, Tick(60), window(0, 0)).phase,
            AnalysisPhase::Error
        );
    }

    #[test]
    fn a_success_streak_ends_the_run_and_a_missing_one_is_inconclusive() {
        let mut streak = gate(5);
        streak.consecutive_success_limit = 2;
        let mut run = AnalysisRun::start(streak.clone(), Tick(0));
        run.measure(Tick(0), window(1_000, 0));
        run.measure(Tick(30), window(1_000, 900));
        run.measure(Tick(60), window(1_000, 0));
        assert_eq!(run.phase, AnalysisPhase::Running, "the streak was broken");
        run.measure(Tick(90), window(1_000, 0));
        assert_eq!(run.phase, AnalysisPhase::Successful, "{}", run.message);
        streak.count = 3;
        let mut run = AnalysisRun::start(streak, Tick(0));
        for (tick, errors) in [(0, 0), (30, 900), (60, 0)] {
            run.measure(Tick(tick), window(1_000, errors));
        }
        assert_eq!(run.phase, AnalysisPhase::Inconclusive, "{}", run.message);
    }

    #[test]
    fn a_dry_run_metric_never_decides() {
        let mut dry = gate(0);
        dry.dry_run = true;
        let mut run = AnalysisRun::start(dry, Tick(0));
        for tick in 0..5 {
            run.measure(Tick(tick * 30), window(1_000, 900));
        }
        assert_eq!(run.failed, 5);
        assert_eq!(run.phase, AnalysisPhase::Running);
    }

    #[test]
    fn measurement_truth_table() {
        // (requests, errors, expected phase): the threshold itself passes, just above it fails,
        // and no traffic is an Error, never a failure.
        let cases = [
            (1_000u64, 50u64, AnalysisPhase::Successful),
            (1_000, 51, AnalysisPhase::Failed),
            (1_000, 0, AnalysisPhase::Successful),
            (1_000, 150, AnalysisPhase::Failed),
            (0, 0, AnalysisPhase::Error),
        ];
        for (requests, errors, expected) in cases {
            let measurement = evaluate(&gate(0), Tick(10), window(requests, errors));
            assert_eq!(
                measurement.phase, expected,
                "{requests} requests, {errors} errors"
            );
        }
    }

    #[test]
    fn failure_limit_counts_failures_not_streaks() {
        let mut run = AnalysisRun::start(gate(1), Tick(0));
        run.measure(Tick(0), window(100, 20));
        assert_eq!(
            run.phase,
            AnalysisPhase::Running,
            "one failure is within failureLimit 1"
        );
        run.measure(Tick(30), window(100, 0));
        assert_eq!(run.phase, AnalysisPhase::Running);
        run.measure(Tick(60), window(100, 20));
        assert_eq!(
            run.phase,
            AnalysisPhase::Failed,
            "the second failure exceeds failureLimit 1"
        );
        assert!(
            run.message.contains("failed (2) > failureLimit (1)"),
            "{}",
            run.message
        );
    }

    #[test]
    fn errors_fail_only_past_the_consecutive_limit() {
        let mut run = AnalysisRun::start(gate(0), Tick(0));
        for i in 0..DEFAULT_CONSECUTIVE_ERROR_LIMIT {
            run.measure(Tick(u64::from(i) * 30), window(0, 0));
            assert_eq!(
                run.phase,
                AnalysisPhase::Running,
                "{} errors in a row",
                i + 1
            );
        }
        run.measure(Tick(200), window(0, 0));
        assert_eq!(run.phase, AnalysisPhase::Error);
    }

    #[test]
    fn a_success_resets_the_error_streak() {
        let mut run = AnalysisRun::start(gate(0), Tick(0));
        for i in 0..4u64 {
            run.measure(Tick(i * 30), window(0, 0));
        }
        run.measure(Tick(150), window(100, 1));
        assert_eq!(run.consecutive_errors, 0);
        for i in 0..4u64 {
            run.measure(Tick(180 + i * 30), window(0, 0));
        }
        assert_eq!(run.phase, AnalysisPhase::Running);
    }

    #[test]
    fn terminating_a_clean_run_succeeds() {
        let mut run = AnalysisRun::start(gate(0), Tick(0));
        run.measure(Tick(0), window(100, 1));
        run.terminate();
        assert_eq!(run.phase, AnalysisPhase::Successful);
        assert!(run.measurements.len() as u32 <= MEASUREMENTS_RETAINED);
    }
}
