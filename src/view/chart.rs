//! What the metrics chart shows: a metric per version of the rolled-out service over a range,
//! with its threshold and event markers, as plain data.
//!
//! Ranges up to an hour read the per-second tier; the day range reads the per-minute tier, which
//! is how a long run stays cheap to draw.

use engine::Sim;
use engine::metrics::{PeriodSample, SecondSample};
use engine::time::duration_label;

use crate::view::format::version_colour;

/// At most this many points per line, about one per two pixels.
pub const CHART_MAX_POINTS: usize = 450;
/// Seconds over which each error-rate point averages in the second-tier ranges.
pub const ERROR_RATE_SMOOTHING_S: u32 = 10;
/// The course's default latency threshold: p95 under 2,000 ms.
pub const P95_THRESHOLD_MS: f64 = 2_000.0;

/// Which metric the chart plots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartMetric {
    /// Failed requests in percent.
    ErrorRate,
    /// 95th percentile latency in milliseconds.
    P95,
    /// Requests per second.
    Requests,
}

impl ChartMetric {
    /// Every metric, in the order the buttons show them.
    pub const ALL: [ChartMetric; 3] = [
        ChartMetric::ErrorRate,
        ChartMetric::P95,
        ChartMetric::Requests,
    ];

    /// The button label.
    pub fn label(self) -> &'static str {
        match self {
            ChartMetric::ErrorRate => "Error rate",
            ChartMetric::P95 => "p95 latency",
            ChartMetric::Requests => "Requests/s",
        }
    }

    /// The unit written after values.
    pub fn unit(self) -> &'static str {
        match self {
            ChartMetric::ErrorRate => "%",
            ChartMetric::P95 => "ms",
            ChartMetric::Requests => "req/s",
        }
    }
}

/// How much history the chart shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartRange {
    /// The last 15 minutes, per second.
    Quarter,
    /// The last hour, per second.
    Hour,
    /// The last day, per minute.
    Day,
}

impl ChartRange {
    /// Every range, in the order the buttons show them.
    pub const ALL: [ChartRange; 3] = [ChartRange::Quarter, ChartRange::Hour, ChartRange::Day];

    /// Seconds covered.
    pub fn seconds(self) -> u64 {
        match self {
            ChartRange::Quarter => 900,
            ChartRange::Hour => 3_600,
            ChartRange::Day => 86_400,
        }
    }

    /// The button label.
    pub fn label(self) -> &'static str {
        match self {
            ChartRange::Quarter => "15 min",
            ChartRange::Hour => "1 h",
            ChartRange::Day => "24 h",
        }
    }
}

/// One line of the chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartSeries {
    /// Version name.
    pub version: String,
    /// Version colour.
    pub colour: &'static str,
    /// (elapsed seconds, value).
    pub points: Vec<(f64, f64)>,
    /// The latest value, for the text alternative; `None` once the version stopped serving.
    pub latest: Option<f64>,
}

/// The chart's data.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartData {
    /// The metric plotted.
    pub metric: ChartMetric,
    /// The range shown.
    pub range: ChartRange,
    /// Visible range of elapsed seconds.
    pub x_range: (f64, f64),
    /// Top of the y axis.
    pub y_max: f64,
    /// The threshold line and its label, if the metric has one and it is near enough to the data
    /// to draw without flattening the lines.
    pub threshold: Option<(f64, String)>,
    /// The label of a threshold far above the data, which the chart names instead of drawing.
    pub threshold_off_scale: Option<String>,
    /// One line per version that served traffic in the range.
    pub series: Vec<ChartSeries>,
    /// Vertical markers: (elapsed seconds, label).
    pub markers: Vec<(f64, String)>,
}

/// The chart of `metric` over `range` for the rolled-out service.
pub fn chart(sim: &Sim, metric: ChartMetric, range: ChartRange) -> ChartData {
    let now = sim.now().0;
    let span = range.seconds();
    let x_start = now.saturating_sub(span) as f64;
    let x_end = now.max(span / 3) as f64;
    let threshold = match metric {
        // The gate line only where a gate exists (a Deployment has none).
        ChartMetric::ErrorRate => crate::view::workspace::gate_bp(sim).map(|bp| {
            let percent = f64::from(bp) / 100.0;
            (percent, format!("gate {percent:.0} %"))
        }),
        ChartMetric::P95 => Some((P95_THRESHOLD_MS, "p95 limit 2,000 ms".to_string())),
        ChartMetric::Requests => None,
    };
    // The axis follows the data from a floor per metric, so a step in a low line stays visible.
    let mut y_max: f64 = match metric {
        // The gate line is what a trainee watches the canary cross: always in view.
        ChartMetric::ErrorRate => threshold.as_ref().map_or(2.0, |(value, _)| value * 1.2),
        ChartMetric::P95 => 500.0,
        ChartMetric::Requests => 10.0,
    };
    let mut series = Vec::new();
    for (version, cohort) in sim.metrics().cohorts_of(sim.target()) {
        let points = match range {
            ChartRange::Quarter | ChartRange::Hour => second_points(
                cohort
                    .samples()
                    .iter()
                    .filter(|s| s.tick.0 as f64 >= x_start),
                metric,
                |tick| cohort.window(tick, ERROR_RATE_SMOOTHING_S).error_rate_bp(),
            ),
            ChartRange::Day => minute_points(
                cohort.minutes().filter(|m| m.start.0 as f64 >= x_start),
                metric,
            ),
        };
        if points.is_empty() {
            continue;
        }
        let peak = points.iter().map(|(_, v)| *v).fold(0.0, f64::max);
        y_max = y_max.max(peak * 1.15);
        let latest = cohort
            .latest()
            .filter(|s| s.tick.0 + 1 >= now && s.requests > s.unserved)
            .map(|s| {
                second_value(s, metric, || {
                    cohort
                        .window(s.tick, ERROR_RATE_SMOOTHING_S)
                        .error_rate_bp()
                })
            });
        series.push(ChartSeries {
            version: sim.scenario().profile(version).name.clone(),
            colour: version_colour(version),
            points,
            latest,
        });
    }
    let (threshold, threshold_off_scale) = match threshold {
        Some((value, label)) if value <= y_max * 1.5 => {
            y_max = y_max.max(value * 1.15);
            (Some((value, label)), None)
        }
        Some((_, label)) => (None, Some(label)),
        None => (None, None),
    };
    if metric == ChartMetric::ErrorRate {
        y_max = y_max.min(100.0);
    }
    let markers = sim
        .audit()
        .records()
        .iter()
        .filter_map(|r| match r.action.as_str() {
            "RolloutUpdated" => Some((r.tick.0 as f64, format!("{} rollout", r.version))),
            "RolloutAborted" => Some((r.tick.0 as f64, "rollback".to_string())),
            "RolloutCompleted" => Some((r.tick.0 as f64, "promoted".to_string())),
            "FaultInjected" => Some((r.tick.0 as f64, "fault".to_string())),
            _ => None,
        })
        .filter(|(tick, _)| *tick >= x_start)
        .collect();
    ChartData {
        metric,
        range,
        x_range: (x_start, x_end),
        y_max: y_max.max(1.0),
        threshold,
        threshold_off_scale,
        series,
        markers,
    }
}

/// A text alternative for the chart.
pub fn chart_summary(data: &ChartData) -> String {
    let unit = data.metric.unit();
    let mut parts: Vec<String> = data
        .series
        .iter()
        .map(|s| match s.latest {
            Some(value) if data.metric == ChartMetric::ErrorRate => {
                format!("{} {value:.1} {unit}", s.version)
            }
            Some(value) => format!("{} {value:.0} {unit}", s.version),
            None => format!("{} no longer serving", s.version),
        })
        .collect();
    if parts.is_empty() {
        parts.push("no traffic yet".to_string());
    }
    let smoothing = match (data.metric, data.range) {
        (_, ChartRange::Day) => ", per minute,",
        (ChartMetric::ErrorRate, _) => ", 10-second rolling,",
        _ => ", per second,",
    };
    let threshold = match (&data.threshold, &data.threshold_off_scale) {
        (Some((_, label)), _) => format!(" Threshold: {label}."),
        (None, Some(label)) => format!(" Threshold: {label}, far above every line."),
        (None, None) => String::new(),
    };
    format!(
        "{} per version{smoothing} over the last {}: {}.{threshold}",
        data.metric.label(),
        duration_label(data.range.seconds()),
        parts.join(", ")
    )
}

fn second_value(
    sample: &SecondSample,
    metric: ChartMetric,
    rolling_error_rate_bp: impl FnOnce() -> Option<u32>,
) -> f64 {
    match metric {
        ChartMetric::ErrorRate => rolling_error_rate_bp().map_or(0.0, |bp| f64::from(bp) / 100.0),
        ChartMetric::P95 => f64::from(sample.p95_ms),
        ChartMetric::Requests => f64::from(sample.requests),
    }
}

fn second_points<'a>(
    samples: impl Iterator<Item = &'a SecondSample>,
    metric: ChartMetric,
    rolling: impl Fn(engine::time::Tick) -> Option<u32>,
) -> Vec<(f64, f64)> {
    let samples: Vec<&SecondSample> = samples
        .filter(|s| s.requests > s.unserved || metric == ChartMetric::Requests)
        .collect();
    let stride = samples.len().div_ceil(CHART_MAX_POINTS).max(1);
    samples
        .iter()
        .enumerate()
        .filter(|(index, _)| index % stride == 0 || index + 1 == samples.len())
        .map(|(_, sample)| {
            (
                sample.tick.0 as f64,
                second_value(sample, metric, || rolling(sample.tick)),
            )
        })
        .collect()
}

fn minute_points(
    minutes: impl Iterator<Item = PeriodSample>,
    metric: ChartMetric,
) -> Vec<(f64, f64)> {
    let minutes: Vec<PeriodSample> = minutes.filter(|m| m.requests > 0).collect();
    let stride = minutes.len().div_ceil(CHART_MAX_POINTS).max(1);
    minutes
        .iter()
        .enumerate()
        .filter(|(index, _)| index % stride == 0 || index + 1 == minutes.len())
        .map(|(_, minute)| {
            let value = match metric {
                ChartMetric::ErrorRate => f64::from(minute.error_rate_bp()) / 100.0,
                ChartMetric::P95 => f64::from(minute.p95_max_ms),
                ChartMetric::Requests => minute.requests as f64 / 60.0,
            };
            (minute.start.0 as f64, value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::scenario;

    fn finished(id: &str) -> Sim {
        Sim::run_builtin(id, 1).expect("a built-in scenario")
    }

    #[test]
    fn the_error_chart_shows_each_version_and_the_gate() {
        let sim = finished("canary-bad-release");
        let data = chart(&sim, ChartMetric::ErrorRate, ChartRange::Quarter);
        assert_eq!(data.threshold, Some((5.0, "gate 5 %".to_string())));
        let names: Vec<&str> = data.series.iter().map(|s| s.version.as_str()).collect();
        assert_eq!(names, vec!["v1", "v2"]);
        let v2 = &data.series[1];
        assert!(
            v2.points.iter().any(|(_, p)| *p > 5.0),
            "the bad release shows above the threshold"
        );
        assert_eq!(v2.latest, None, "v2 no longer serves after the rollback");
        assert!(data.markers.iter().any(|(_, label)| label == "rollback"));
        assert!(
            data.series
                .iter()
                .all(|s| s.points.len() <= CHART_MAX_POINTS)
        );
        let summary = chart_summary(&data);
        assert!(
            summary.contains("v2 no longer serving") && summary.contains("Threshold: gate 5 %"),
            "{summary}"
        );
    }

    #[test]
    fn a_day_of_requests_comes_from_the_minute_tier_and_shows_the_daily_shape() {
        let sim = finished("production-day");
        let data = chart(&sim, ChartMetric::Requests, ChartRange::Day);
        assert_eq!(data.threshold, None);
        let stable: Vec<(f64, f64)> = data.series.iter().flat_map(|s| s.points.clone()).collect();
        assert!(
            stable.len() > 200 && stable.len() <= 2 * CHART_MAX_POINTS,
            "{} points",
            stable.len()
        );
        let at = |hour: f64| {
            stable
                .iter()
                .min_by_key(|(t, _)| ((t - hour * 3_600.0).abs()) as u64)
                .map(|(_, v)| *v)
                .unwrap()
        };
        assert!(
            at(15.0) > at(3.0) * 3.0,
            "afternoon {} vs night {} req/s",
            at(15.0),
            at(3.0)
        );
        assert!(
            chart_summary(&data).contains("per minute, over the last 1 day")
                || chart_summary(&data).contains("per minute, over the last 24 h"),
            "{}",
            chart_summary(&data)
        );
    }

    #[test]
    fn a_far_threshold_is_named_not_drawn() {
        let sim = finished("canary-good-release");
        let data = chart(&sim, ChartMetric::P95, ChartRange::Quarter);
        assert_eq!(
            data.threshold, None,
            "p95 near 300 ms: a 2,000 ms line would flatten it"
        );
        assert_eq!(
            data.threshold_off_scale.as_deref(),
            Some("p95 limit 2,000 ms")
        );
        assert!(
            data.y_max < 1_000.0,
            "the axis follows the data: {}",
            data.y_max
        );
        assert!(chart_summary(&data).contains("far above every line"));
    }

    #[test]
    fn the_cache_outage_shows_on_the_latency_chart() {
        let mut sim = Sim::new(scenario::builtin("production-day").unwrap(), 1);
        sim.advance(13 * 3_600 + 600);
        let data = chart(&sim, ChartMetric::P95, ChartRange::Hour);
        let points = &data.series[0].points;
        let before = points
            .iter()
            .filter(|(t, _)| *t < 13.0 * 3_600.0)
            .map(|(_, v)| *v)
            .fold(0.0, f64::max);
        let during = points
            .iter()
            .filter(|(t, _)| *t > 13.0 * 3_600.0 + 60.0)
            .map(|(_, v)| *v)
            .fold(f64::MAX, f64::min);
        assert!(
            during > before,
            "p95 during the cache outage {during} ms stays above the worst before it {before} ms"
        );
        assert!(data.markers.iter().any(|(_, label)| label == "fault"));
    }
}
