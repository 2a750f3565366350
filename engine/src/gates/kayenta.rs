//! A Kayenta-style canary judge (spinnaker/kayenta's `MannWhitneyClassifier` and
//! `WeightedSumScorer`): each metric of the canary is compared with the baseline's by a
//! Mann-Whitney U test, giving Pass, High, Low or Nodata; groups score the share of metrics that
//! pass; the weighted sum is judged against the pass and marginal thresholds. Unlike Kayenta,
//! which adds unseeded noise when both series are constant, this judge is deterministic.

/// How a metric compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricClass {
    /// No meaningful difference.
    Pass,
    /// The canary is higher.
    High,
    /// The canary is lower.
    Low,
    /// A series had no data.
    Nodata,
    /// No data on a metric that must have it.
    NodataFail,
}

/// Which direction of change counts against the canary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Only an increase is bad (errors, latency).
    Increase,
    /// Only a decrease is bad (throughput, success).
    Decrease,
    /// Both are.
    Either,
}

/// One metric's judging settings.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricConfig {
    /// Its name.
    pub name: String,
    /// Its group, for scoring.
    pub group: String,
    /// Which change is bad.
    pub direction: Direction,
    /// A critical metric that does not pass fails the whole run.
    pub critical: bool,
    /// No data fails the metric instead of being ignored.
    pub must_have_data: bool,
    /// `effectSize.allowedIncrease` (mean ratio, default 1.0).
    pub allowed_increase: f64,
    /// `effectSize.allowedDecrease` (mean ratio, default 1.0).
    pub allowed_decrease: f64,
}

/// A metric's verdict and why.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricVerdict {
    /// The metric's name.
    pub name: String,
    /// Its group.
    pub group: String,
    /// The classification.
    pub class: MetricClass,
    /// Whether it was critical.
    pub critical: bool,
    /// The rule, the values and the limit, in words.
    pub explanation: String,
}

/// The run's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunVerdict {
    /// The score reached the pass threshold.
    Pass,
    /// Between marginal and pass.
    Marginal,
    /// At or below marginal.
    Fail,
}

/// Kayenta's tolerance: a difference smaller than a quarter of the estimate is not one.
pub const TOLERANCE: f64 = 0.25;

/// The normal quantile for Kayenta's 98 % confidence interval.
const Z_98: f64 = 2.326_347_874_040_840_8;

/// Compares the canary's (`experiment`) samples with the baseline's (`control`).
pub fn classify(config: &MetricConfig, control: &[f64], experiment: &[f64]) -> MetricVerdict {
    let verdict = |class, explanation: String| MetricVerdict {
        name: config.name.clone(),
        group: config.group.clone(),
        class,
        critical: config.critical,
        explanation,
    };
    if control.is_empty() || experiment.is_empty() {
        let class = if config.must_have_data {
            MetricClass::NodataFail
        } else {
            MetricClass::Nodata
        };
        return verdict(
            class,
            format!(
                "no data ({} baseline and {} canary samples)",
                control.len(),
                experiment.len()
            ),
        );
    }
    if control == experiment {
        return verdict(MetricClass::Pass, "identical series".to_string());
    }
    let (estimate, low, high) = hodges_lehmann_interval(control, experiment);
    let mean = |values: &[f64]| values.iter().sum::<f64>() / values.len() as f64;
    let (control_mean, experiment_mean) = (mean(control), mean(experiment));
    let ratio = if control_mean == 0.0 {
        if experiment_mean == 0.0 {
            1.0
        } else {
            f64::INFINITY
        }
    } else {
        experiment_mean / control_mean
    };
    let margin = TOLERANCE * estimate.abs();
    let mut class = if low > margin && ratio >= config.allowed_increase {
        MetricClass::High
    } else if high < -margin && ratio <= 1.0 / config.allowed_decrease.max(f64::MIN_POSITIVE) {
        MetricClass::Low
    } else {
        MetricClass::Pass
    };
    class = match (config.direction, class) {
        (Direction::Increase, MetricClass::Low) | (Direction::Decrease, MetricClass::High) => {
            MetricClass::Pass
        }
        (_, class) => class,
    };
    verdict(
        class,
        format!(
            "canary − baseline: estimate {estimate:.4}, 98 % interval [{low:.4}, {high:.4}], mean ratio {ratio:.3} (baseline mean {control_mean:.4}, canary mean {experiment_mean:.4})"
        ),
    )
}

/// The Hodges-Lehmann estimate of `experiment − control` and its 98 % confidence interval
/// from the Mann-Whitney U distribution's normal approximation: the median of all pairwise
/// differences, and the differences at ranks `Cα` and `mn − Cα + 1`.
pub fn hodges_lehmann_interval(control: &[f64], experiment: &[f64]) -> (f64, f64, f64) {
    let mut differences: Vec<f64> = experiment
        .iter()
        .flat_map(|e| control.iter().map(move |c| e - c))
        .collect();
    differences.sort_by(f64::total_cmp);
    let count = differences.len();
    let median = if count % 2 == 1 {
        differences[count / 2]
    } else {
        (differences[count / 2 - 1] + differences[count / 2]) / 2.0
    };
    let (m, n) = (control.len() as f64, experiment.len() as f64);
    let c_alpha = (m * n / 2.0 - Z_98 * (m * n * (m + n + 1.0) / 12.0).sqrt())
        .floor()
        .max(1.0) as usize;
    let low = differences[(c_alpha - 1).min(count - 1)];
    let high = differences[(count - c_alpha).min(count - 1)];
    (median, low, high)
}

/// Kayenta's `WeightedSumScorer`: each group scores `Pass / (Pass + High + Low + NodataFail)`
/// × 100 (100 when every metric had no data); groups without a weight share what the weighted
/// ones leave; the summary is the weighted sum rounded to two decimals. A critical metric that
/// does not pass, or no data on half the metrics or more, scores 0.
pub fn score(verdicts: &[MetricVerdict], group_weights: &[(String, f64)]) -> f64 {
    if verdicts
        .iter()
        .any(|v| v.critical && v.class != MetricClass::Pass)
    {
        return 0.0;
    }
    let nodata = verdicts
        .iter()
        .filter(|v| matches!(v.class, MetricClass::Nodata | MetricClass::NodataFail))
        .count();
    if !verdicts.is_empty() && nodata * 2 >= verdicts.len() {
        return 0.0;
    }
    let mut groups: Vec<&str> = verdicts.iter().map(|v| v.group.as_str()).collect();
    groups.sort();
    groups.dedup();
    let explicit: f64 = group_weights
        .iter()
        .filter(|(g, _)| groups.contains(&g.as_str()))
        .map(|(_, w)| w)
        .sum();
    let unweighted = groups
        .iter()
        .filter(|g| !group_weights.iter().any(|(name, _)| name == *g))
        .count();
    let shared = if unweighted > 0 {
        (100.0 - explicit).max(0.0) / unweighted as f64
    } else {
        0.0
    };
    let total: f64 = groups
        .iter()
        .map(|group| {
            let members: Vec<&MetricVerdict> =
                verdicts.iter().filter(|v| v.group == *group).collect();
            let pass = members
                .iter()
                .filter(|v| v.class == MetricClass::Pass)
                .count();
            let counted = members
                .iter()
                .filter(|v| v.class != MetricClass::Nodata)
                .count();
            let group_score = if counted == 0 {
                100.0
            } else {
                pass as f64 / counted as f64 * 100.0
            };
            let weight = group_weights
                .iter()
                .find(|(name, _)| name == group)
                .map_or(shared, |(_, w)| *w);
            group_score * weight / 100.0
        })
        .sum();
    (total * 100.0).round() / 100.0
}

/// `ThresholdScoreClassifier`: Pass at or above `pass`, Marginal above `marginal`, else Fail.
pub fn judge(score: f64, pass: f64, marginal: f64) -> RunVerdict {
    if score >= pass {
        RunVerdict::Pass
    } else if score > marginal {
        RunVerdict::Marginal
    } else {
        RunVerdict::Fail
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(name: &str, group: &str) -> MetricConfig {
        MetricConfig {
            name: name.to_string(),
            group: group.to_string(),
            direction: Direction::Either,
            critical: false,
            must_have_data: false,
            allowed_increase: 1.0,
            allowed_decrease: 1.0,
        }
    }

    fn verdict(group: &str, class: MetricClass) -> MetricVerdict {
        MetricVerdict {
            name: format!("{group}-{class:?}"),
            group: group.to_string(),
            class,
            critical: false,
            explanation: String::new(),
        }
    }

    fn series(base: f64, step: f64) -> Vec<f64> {
        (0..30).map(|i| base + step * f64::from(i % 7)).collect()
    }

    #[test]
    fn a_clearly_higher_canary_is_high_and_a_similar_one_passes() {
        let errors = config("error-rate", "errors");
        let baseline = series(1.0, 0.1);
        assert_eq!(
            classify(&errors, &baseline, &series(3.0, 0.1)).class,
            MetricClass::High
        );
        assert_eq!(
            classify(&errors, &baseline, &series(0.2, 0.1)).class,
            MetricClass::Low
        );
        assert_eq!(
            classify(&errors, &baseline, &series(1.02, 0.1)).class,
            MetricClass::Pass
        );
        assert_eq!(
            classify(&errors, &baseline, &baseline).class,
            MetricClass::Pass
        );
    }

    #[test]
    fn direction_masks_the_harmless_side_and_no_data_is_reported() {
        let mut latency = config("latency", "latency");
        latency.direction = Direction::Increase;
        assert_eq!(
            classify(&latency, &series(100.0, 5.0), &series(20.0, 5.0)).class,
            MetricClass::Pass,
            "faster is not a failure"
        );
        assert_eq!(
            classify(&latency, &[], &series(1.0, 0.1)).class,
            MetricClass::Nodata
        );
        latency.must_have_data = true;
        assert_eq!(classify(&latency, &[], &[]).class, MetricClass::NodataFail);
    }

    #[test]
    fn the_effect_size_must_reach_the_allowed_increase() {
        let mut errors = config("error-rate", "errors");
        errors.allowed_increase = 2.0;
        let verdict = classify(&errors, &series(1.0, 0.01), &series(1.5, 0.01));
        assert_eq!(verdict.class, MetricClass::Pass, "{}", verdict.explanation);
        errors.allowed_increase = 1.2;
        assert_eq!(
            classify(&errors, &series(1.0, 0.01), &series(1.5, 0.01)).class,
            MetricClass::High
        );
    }

    /// The scorer's arithmetic, as `WeightedSumScorer` defines it.
    #[test]
    fn groups_score_their_passing_share_and_weights_split_the_rest() {
        use MetricClass::*;
        let verdicts = vec![
            verdict("errors", Pass),
            verdict("errors", High),
            verdict("latency", Pass),
            verdict("latency", Pass),
            verdict("latency", Nodata),
        ];
        // errors 50, latency 100 (no data is not counted); equal weights: 75.
        assert_eq!(score(&verdicts, &[]), 75.0);
        // errors weighted 70, latency takes the remaining 30: 35 + 30 = 65.
        assert_eq!(score(&verdicts, &[("errors".to_string(), 70.0)]), 65.0);
        // Three groups without weights share 100: 33.33 each, rounded to two decimals.
        let three = vec![verdict("a", Pass), verdict("b", High), verdict("c", High)];
        assert_eq!(score(&three, &[]), 33.33);
        let mut critical = verdicts.clone();
        critical[1].critical = true;
        assert_eq!(
            score(&critical, &[]),
            0.0,
            "a critical metric that does not pass"
        );
        let mostly_empty = vec![verdict("a", Nodata), verdict("a", Pass)];
        assert_eq!(
            score(&mostly_empty, &[]),
            0.0,
            "half the metrics without data"
        );
        assert_eq!(judge(95.0, 95.0, 75.0), RunVerdict::Pass);
        assert_eq!(judge(80.0, 95.0, 75.0), RunVerdict::Marginal);
        assert_eq!(judge(75.0, 95.0, 75.0), RunVerdict::Fail);
    }

    #[test]
    fn the_interval_brackets_the_estimate() {
        let (estimate, low, high) = hodges_lehmann_interval(&series(1.0, 0.1), &series(2.0, 0.1));
        assert!((estimate - 1.0).abs() < 1e-9, "{estimate}");
        assert!(low <= estimate && estimate <= high, "[{low}, {high}]");
    }
}
