//! DORA's five metrics for a run (semantics.md §2.9): deployment frequency, change lead time
//! (commit to running in production), change fail rate, failed deployment recovery time and
//! deployment rework rate, each with the 2024 report's performance level where it has one.
//! The Medium and Low change-fail-rate and recovery figures in semantics.md are marked
//! unverified there, and the levels that rest on them say so.

use serde::{Deserialize, Serialize};

/// One production deployment, as DORA counts it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentRecord {
    /// When its change was committed (unix seconds).
    pub committed_s: u64,
    /// When it was running in production.
    pub deployed_s: u64,
    /// It needed immediate intervention: a rollback or a hotfix.
    pub failed: bool,
    /// When service was restored after a failed deployment.
    pub recovered_s: Option<u64>,
    /// It was unplanned, done to fix a production incident.
    pub rework: bool,
}

/// One metric with its level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Metric {
    /// The value, in words (`3.0 a day`, `2 h 10 min`, `25 %`).
    pub value: String,
    /// `Elite`, `High`, `Medium` or `Low`, or `—` when there is no data or no level.
    pub level: &'static str,
    /// True when the level rests on a figure semantics.md marks unverified.
    pub unverified: bool,
}

/// The five metrics.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DoraReport {
    /// Deployments per day over the period.
    pub deployment_frequency: Metric,
    /// Median commit-to-production time.
    pub lead_time: Metric,
    /// Share of deployments that failed.
    pub change_fail_rate: Metric,
    /// Median time from a failed deployment to recovery.
    pub recovery_time: Metric,
    /// Share of deployments that were unplanned fixes.
    pub rework_rate: Metric,
}

const HOUR_S: u64 = 3_600;
const DAY_S: u64 = 86_400;

/// The metrics of `deployments` over a period of `period_s` seconds.
pub fn report(deployments: &[DeploymentRecord], period_s: u64) -> DoraReport {
    let count = deployments.len() as u64;
    let none = || Metric {
        value: "no deployments".to_string(),
        level: "—",
        unverified: false,
    };
    if count == 0 {
        return DoraReport {
            deployment_frequency: Metric {
                value: "0 a day".to_string(),
                level: "Low",
                unverified: false,
            },
            lead_time: none(),
            change_fail_rate: none(),
            recovery_time: none(),
            rework_rate: none(),
        };
    }
    // Deployments per day, in thousandths.
    let per_day_milli = count * DAY_S * 1_000 / period_s.max(1);
    // On demand (several a day), daily to weekly, weekly to monthly, or rarer.
    let at_least_one_per = |days: u64| count * days * DAY_S >= period_s;
    let frequency_level = if count * DAY_S > period_s {
        "Elite"
    } else if at_least_one_per(7) {
        "High"
    } else if at_least_one_per(30) {
        "Medium"
    } else {
        "Low"
    };
    let lead_s = median(
        deployments
            .iter()
            .map(|d| d.deployed_s.saturating_sub(d.committed_s))
            .collect(),
    );
    let lead_level = match lead_s {
        s if s < DAY_S => "Elite",
        s if s <= 7 * DAY_S => "High",
        s if s <= 30 * DAY_S => "Medium",
        _ => "Low",
    };
    let failed = deployments.iter().filter(|d| d.failed).count() as u64;
    let fail_bp = failed * 10_000 / count;
    let (fail_level, fail_unverified) = match fail_bp {
        r if r <= 500 => ("Elite", false),
        r if r <= 2_000 => ("High", false),
        _ => ("Low", true),
    };
    let recoveries: Vec<u64> = deployments
        .iter()
        .filter(|d| d.failed)
        .filter_map(|d| d.recovered_s.map(|r| r.saturating_sub(d.deployed_s)))
        .collect();
    let recovery_time = if recoveries.is_empty() {
        Metric {
            value: if failed == 0 {
                "no failed deployments".to_string()
            } else {
                "not recovered yet".to_string()
            },
            level: "—",
            unverified: false,
        }
    } else {
        let recovery_s = median(recoveries);
        let (level, unverified) = match recovery_s {
            s if s < HOUR_S => ("Elite", false),
            s if s < DAY_S => ("High", false),
            s if s <= 30 * DAY_S => ("Low", true),
            _ => ("Low", true),
        };
        Metric {
            value: crate::time::duration_label(recovery_s),
            level,
            unverified,
        }
    };
    let rework = deployments.iter().filter(|d| d.rework).count() as u64;
    DoraReport {
        deployment_frequency: Metric {
            value: format!(
                "{}.{} a day",
                per_day_milli / 1_000,
                per_day_milli % 1_000 / 100
            ),
            level: frequency_level,
            unverified: false,
        },
        lead_time: Metric {
            value: crate::time::duration_label(lead_s),
            level: lead_level,
            unverified: false,
        },
        change_fail_rate: Metric {
            value: format!("{} % ({failed} of {count})", fail_bp / 100),
            level: fail_level,
            unverified: fail_unverified,
        },
        recovery_time,
        rework_rate: Metric {
            value: format!("{} % ({rework} of {count})", rework * 100 / count),
            // The 2024 report gives no levels for rework.
            level: "—",
            unverified: false,
        },
    }
}

fn median(mut values: Vec<u64>) -> u64 {
    values.sort_unstable();
    values.get(values.len() / 2).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(
        committed_s: u64,
        deployed_s: u64,
        failed: bool,
        recovered_s: Option<u64>,
        rework: bool,
    ) -> DeploymentRecord {
        DeploymentRecord {
            committed_s,
            deployed_s,
            failed,
            recovered_s,
            rework,
        }
    }

    #[test]
    fn a_week_of_deployments() {
        // 14 deployments in 7 days, each 3 h after its commit; 2 failed and recovered in 30 and
        // 50 minutes; one of them was followed by an unplanned fix.
        let mut deployments: Vec<DeploymentRecord> = (0..14u64)
            .map(|i| deployment(i * 43_200, i * 43_200 + 3 * HOUR_S, false, None, false))
            .collect();
        deployments[3].failed = true;
        deployments[3].recovered_s = Some(deployments[3].deployed_s + 1_800);
        deployments[9].failed = true;
        deployments[9].recovered_s = Some(deployments[9].deployed_s + 3_000);
        deployments[10].rework = true;
        let report = report(&deployments, 7 * DAY_S);
        assert_eq!(report.deployment_frequency.value, "2.0 a day");
        assert_eq!(report.deployment_frequency.level, "Elite");
        assert_eq!(
            report.lead_time.value,
            crate::time::duration_label(3 * HOUR_S)
        );
        assert_eq!(report.lead_time.level, "Elite");
        assert_eq!(report.change_fail_rate.value, "14 % (2 of 14)");
        assert_eq!(report.change_fail_rate.level, "High");
        assert_eq!(
            report.recovery_time.level, "Elite",
            "median of 30 and 50 min is under an hour"
        );
        assert_eq!(report.rework_rate.value, "7 % (1 of 14)");
    }

    /// The 2024 levels, at their edges.
    #[test]
    fn levels() {
        let weekly = report(&[deployment(0, 2 * DAY_S, false, None, false)], 7 * DAY_S);
        assert_eq!(weekly.deployment_frequency.level, "High");
        assert_eq!(weekly.lead_time.level, "High");
        let monthly = report(&[deployment(0, 20 * DAY_S, false, None, false)], 30 * DAY_S);
        assert_eq!(monthly.deployment_frequency.level, "Medium");
        assert_eq!(monthly.lead_time.level, "Medium");
        let rare = report(
            &[deployment(0, 60 * DAY_S, true, Some(70 * DAY_S), false)],
            90 * DAY_S,
        );
        assert_eq!(rare.deployment_frequency.level, "Low");
        assert_eq!(rare.lead_time.level, "Low");
        assert_eq!(rare.change_fail_rate.level, "Low");
        assert!(
            rare.change_fail_rate.unverified,
            "Low's 40 % is marked unverified"
        );
        assert!(rare.recovery_time.unverified);
        assert_eq!(report(&[], DAY_S).lead_time.level, "—");
    }
}
