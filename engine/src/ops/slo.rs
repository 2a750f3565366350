//! SLOs and error budgets (SRE Workbook, "Alerting on SLOs"; course 002 appendix I): the
//! budget for a window (99.9 % over 30 days is 43.2 minutes), burn rates, the multi-window
//! burn-rate alerts (14.4× over 1 h and 5 min, 6× over 6 h and 30 min, 1× over 3 days and
//! 6 h), and the course's error budget policy (green, yellow, red, exhausted).

use serde::{Deserialize, Serialize};

/// The course's latency SLO threshold; the metrics count the requests slower than it.
pub use crate::metrics::LATENCY_THRESHOLD_MS;

/// An availability SLO: the share of good events over a rolling window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slo {
    /// The target, in parts per million (99.9 % is 999,000).
    pub target_ppm: u32,
    /// The window, in seconds (30 days is 2,592,000).
    pub window_s: u64,
}

/// One multi-window burn-rate alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BurnRateRule {
    /// The burn rate, in tenths (14.4× is 144).
    pub burn_rate_tenths: u32,
    /// The long window, in seconds.
    pub long_window_s: u32,
    /// The short window, in seconds.
    pub short_window_s: u32,
    /// Share of the 30-day budget the rule spends before it fires, in percent.
    pub budget_consumed_percent: u32,
    /// `page` or `ticket`.
    pub severity: &'static str,
}

/// The Workbook's three rules.
pub const BURN_RATE_RULES: [BurnRateRule; 3] = [
    BurnRateRule {
        burn_rate_tenths: 144,
        long_window_s: 3_600,
        short_window_s: 300,
        budget_consumed_percent: 2,
        severity: "page",
    },
    BurnRateRule {
        burn_rate_tenths: 60,
        long_window_s: 6 * 3_600,
        short_window_s: 1_800,
        budget_consumed_percent: 5,
        severity: "page",
    },
    BurnRateRule {
        burn_rate_tenths: 10,
        long_window_s: 3 * 86_400,
        short_window_s: 6 * 3_600,
        budget_consumed_percent: 10,
        severity: "ticket",
    },
];

/// The error budget policy's colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetPolicy {
    /// 100–75 % left: normal cadence.
    Green,
    /// 75–25 % left: fewer deployments, enhanced review.
    Yellow,
    /// Under 25 % left: deployment freeze except critical fixes.
    Red,
    /// Nothing left: complete freeze.
    Exhausted,
}

impl BudgetPolicy {
    /// The policy for the share of budget left, in parts per million (may be negative).
    pub fn for_remaining_ppm(remaining_ppm: i64) -> BudgetPolicy {
        match remaining_ppm {
            r if r <= 0 => BudgetPolicy::Exhausted,
            r if r < 250_000 => BudgetPolicy::Red,
            r if r < 750_000 => BudgetPolicy::Yellow,
            _ => BudgetPolicy::Green,
        }
    }

    /// True when non-critical deployments are frozen.
    pub fn freezes_deployments(self) -> bool {
        matches!(self, BudgetPolicy::Red | BudgetPolicy::Exhausted)
    }

    /// What the policy asks for, in the course's words.
    pub fn actions(self) -> &'static str {
        match self {
            BudgetPolicy::Green => {
                "normal deployment cadence; standard change review; experimentation permitted"
            }
            BudgetPolicy::Yellow => {
                "fewer deployments (2–3 a week); enhanced change review; focus on reliability"
            }
            BudgetPolicy::Red => {
                "deployment freeze except critical fixes; every change needs VP approval"
            }
            BudgetPolicy::Exhausted => "complete deployment freeze; emergency reliability sprint",
        }
    }

    /// `green`, `yellow`, `red` or `exhausted`.
    pub fn label(self) -> &'static str {
        match self {
            BudgetPolicy::Green => "green",
            BudgetPolicy::Yellow => "yellow",
            BudgetPolicy::Red => "red",
            BudgetPolicy::Exhausted => "exhausted",
        }
    }
}

impl Slo {
    /// 99.9 % over 30 days.
    pub const THREE_NINES_30_DAYS: Slo = Slo {
        target_ppm: 999_000,
        window_s: 30 * 86_400,
    };

    /// The course's latency SLO, p95 under 2,000 ms: 95 % of answered requests faster than
    /// [`LATENCY_THRESHOLD_MS`], over 30 days.
    pub const P95_UNDER_2S_30_DAYS: Slo = Slo {
        target_ppm: 950_000,
        window_s: 30 * 86_400,
    };

    /// The budget of bad time in the window, in seconds: (1 − SLO) × window.
    pub fn budget_s(self) -> u64 {
        self.window_s * u64::from(1_000_000 - self.target_ppm) / 1_000_000
    }

    /// The budget of bad events for `events` events: (1 − SLO) × events.
    pub fn budget_events(self, events: u64) -> u64 {
        events * u64::from(1_000_000 - self.target_ppm) / 1_000_000
    }

    /// The burn rate in thousandths: the observed error ratio over (1 − SLO).
    pub fn burn_rate_milli(self, errors: u64, events: u64) -> u64 {
        if events == 0 {
            return 0;
        }
        errors * 1_000_000_000 / (events * u64::from(1_000_000 - self.target_ppm))
    }

    /// The share of an event budget left after `bad` of `events` were bad, in ppm (negative
    /// once overspent; the whole budget while there are no events).
    pub fn remaining_events_ppm(self, bad: u64, events: u64) -> i64 {
        // In millionths of an event, so a budget under one request still counts.
        let budget = (u128::from(events) * u128::from(1_000_000 - self.target_ppm)).max(1);
        let spent_ppm = u128::from(bad) * 1_000_000_000_000 / budget;
        1_000_000 - spent_ppm.min(i64::MAX as u128 / 2) as i64
    }

    /// The share of the budget left after `bad_s` seconds of budget spent, in ppm.
    pub fn remaining_ppm(self, bad_s: u64) -> i64 {
        let budget = self.budget_s().max(1) as i64;
        1_000_000 - (bad_s as i64) * 1_000_000 / budget
    }

    /// The rules that fire, given `(errors, events)` over a window of `window_s` seconds: a
    /// rule fires when both its long and its short window burn at least its rate.
    pub fn firing_rules(self, window: &dyn Fn(u32) -> (u64, u64)) -> Vec<BurnRateRule> {
        BURN_RATE_RULES
            .into_iter()
            .filter(|rule| {
                let threshold = u64::from(rule.burn_rate_tenths) * 100;
                let burns = |seconds: u32| {
                    let (errors, events) = window(seconds);
                    events > 0 && self.burn_rate_milli(errors, events) >= threshold
                };
                burns(rule.long_window_s) && burns(rule.short_window_s)
            })
            .collect()
    }
}

/// Where the latency SLO stands: the run's answered and slow requests in the rollout
/// environment, the p95 of the last second, and how long p95 has been over the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatencyStatus {
    /// The SLO.
    pub slo: Slo,
    /// Requests answered (not failed) since the run began.
    pub answered: u64,
    /// Of those, the ones slower than [`LATENCY_THRESHOLD_MS`].
    pub slow: u64,
    /// The p95 of the last second with traffic.
    pub p95_now_ms: u32,
    /// Seconds p95 has been over the threshold without a break.
    pub slow_streak_s: u64,
}

impl LatencyStatus {
    /// The share of answered requests under the threshold, in ppm (all of them while nothing
    /// was answered).
    pub fn fast_ppm(&self) -> u32 {
        if self.answered == 0 {
            return 1_000_000;
        }
        ((self.answered - self.slow.min(self.answered)) * 1_000_000 / self.answered) as u32
    }

    /// The share of the latency budget (5 % of answered requests may be slow) left, in ppm.
    pub fn remaining_ppm(&self) -> i64 {
        self.slo.remaining_events_ppm(self.slow, self.answered)
    }

    /// True while the SLO holds: at least its target share of requests under the threshold.
    pub fn met(&self) -> bool {
        self.fast_ppm() >= self.slo.target_ppm
    }

    /// True once a slow spell counts against the availability budget (15 minutes, at half).
    pub fn spends_availability_budget(&self) -> bool {
        self.slow_streak_s >= DEGRADED_COUNTS_AFTER_S
    }
}

/// The course's SLO dashboard for a run (002 appendix I, `calculate-slo.js`): availability,
/// latency, error rate and success rate, each against its target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SloReport {
    /// The four objectives, in the course's order.
    pub objectives: Vec<Objective>,
}

/// One objective of the dashboard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objective {
    /// `availability`, `latency`, `error_rate` or `success_rate`.
    pub name: String,
    /// The target in words: `≥ 99.9 %`, `p95 ≤ 2000 ms`, `≤ 1.0 %`, `≥ 99.0 %` (the course's
    /// script passes each at its bound).
    pub target: String,
    /// The measured value in words.
    pub value: String,
    /// True when the objective holds (the course's PASS).
    pub pass: bool,
    /// What the value is made of.
    pub detail: String,
}

/// What the dashboard is computed from: the rollout environment's totals over the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunTotals {
    /// Seconds simulated.
    pub elapsed_s: u64,
    /// Seconds of availability budget the run spent (downtime in full, long slow spells at
    /// half, maintenance not at all).
    pub budget_spent_s: u64,
    /// Requests.
    pub requests: u64,
    /// Failed requests (unserved ones included).
    pub errors: u64,
    /// Answered requests slower than [`LATENCY_THRESHOLD_MS`].
    pub slow: u64,
    /// AI answers that came back empty.
    pub empty_responses: u64,
}

/// The course's error rate SLO: at most 1 % of requests fail, in ppm.
pub const ERROR_RATE_TARGET_PPM: u32 = 10_000;
/// The course's success rate SLO: at least 99 % of requests complete with an answer, in ppm.
pub const SUCCESS_RATE_TARGET_PPM: u32 = 990_000;

impl SloReport {
    /// The dashboard for a run with `totals`, under the availability SLO `availability` and the
    /// latency SLO `latency`.
    pub fn new(totals: RunTotals, availability: Slo, latency: Slo) -> SloReport {
        let ppm = |part: u64, whole: u64| {
            if whole == 0 {
                0
            } else {
                (u128::from(part) * 1_000_000 / u128::from(whole)) as u32
            }
        };
        let percent = |ppm: u32| format!("{}.{:03} %", ppm / 10_000, ppm % 10_000 / 10);
        let target_percent = |ppm: u32| format!("{}.{} %", ppm / 10_000, ppm % 10_000 / 1_000);
        let available_ppm = 1_000_000 - ppm(totals.budget_spent_s, totals.elapsed_s).min(1_000_000);
        let answered = totals.requests - totals.errors.min(totals.requests);
        let latency_status = LatencyStatus {
            slo: latency,
            answered,
            slow: totals.slow,
            p95_now_ms: 0,
            slow_streak_s: 0,
        };
        let fast_ppm = latency_status.fast_ppm();
        let error_ppm = ppm(totals.errors, totals.requests);
        let succeeded = answered - totals.empty_responses.min(answered);
        let success_ppm = if totals.requests == 0 {
            1_000_000
        } else {
            ppm(succeeded, totals.requests)
        };
        let run_budget_tenths_s =
            totals.elapsed_s * u64::from(1_000_000 - availability.target_ppm) / 100_000;
        let run_budget = if run_budget_tenths_s < 600 {
            format!(
                "{}.{} s",
                run_budget_tenths_s / 10,
                run_budget_tenths_s % 10
            )
        } else {
            crate::time::duration_label(run_budget_tenths_s / 10)
        };
        SloReport {
            objectives: vec![
                Objective {
                    name: "availability".to_string(),
                    target: format!("≥ {}", target_percent(availability.target_ppm)),
                    value: percent(available_ppm),
                    pass: available_ppm >= availability.target_ppm,
                    detail: format!(
                        "{} of downtime counted against the budget in {}; this run's allowance is {}",
                        crate::time::duration_label(totals.budget_spent_s),
                        crate::time::duration_label(totals.elapsed_s),
                        run_budget
                    ),
                },
                Objective {
                    name: "latency".to_string(),
                    target: format!("p95 ≤ {} ms", LATENCY_THRESHOLD_MS),
                    value: format!("{} under {} ms", percent(fast_ppm), LATENCY_THRESHOLD_MS),
                    pass: latency_status.met(),
                    detail: format!(
                        "{} of {} answered requests slower; p95 holds while at least {} are faster",
                        grouped(totals.slow),
                        grouped(answered),
                        target_percent(latency.target_ppm)
                    ),
                },
                Objective {
                    name: "error_rate".to_string(),
                    target: format!("≤ {}", target_percent(ERROR_RATE_TARGET_PPM)),
                    value: percent(error_ppm),
                    pass: error_ppm <= ERROR_RATE_TARGET_PPM,
                    detail: format!(
                        "{} of {} requests failed",
                        grouped(totals.errors),
                        grouped(totals.requests)
                    ),
                },
                Objective {
                    name: "success_rate".to_string(),
                    target: format!("≥ {}", target_percent(SUCCESS_RATE_TARGET_PPM)),
                    value: percent(success_ppm),
                    pass: success_ppm >= SUCCESS_RATE_TARGET_PPM,
                    detail: format!(
                        "{} of {} requests answered, not failed and not empty",
                        grouped(succeeded),
                        grouped(totals.requests)
                    ),
                },
            ],
        }
    }
}

/// `1234567` as `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How long p95 must stay over the threshold before degraded performance spends the
/// availability budget (the course's consumption rules: 15 minutes, counted at half).
pub const DEGRADED_COUNTS_AFTER_S: u64 = 15 * 60;

/// Seconds of budget an interval spends under the course's consumption rules: downtime counts
/// in full, degraded performance (p95 over 2 s for 15 minutes or more) counts half, and
/// planned maintenance counts nothing.
pub fn budget_spent_s(downtime_s: u64, degraded_s: u64, in_maintenance: bool) -> u64 {
    if in_maintenance {
        return 0;
    }
    let degraded = if degraded_s >= DEGRADED_COUNTS_AFTER_S {
        degraded_s / 2
    } else {
        0
    };
    downtime_s + degraded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_and_burn_rates() {
        let slo = Slo::THREE_NINES_30_DAYS;
        assert_eq!(slo.budget_s(), 2_592, "43.2 minutes");
        assert_eq!(slo.budget_events(10_000_000), 10_000);
        // 1.44 % errors burn a 99.9 % budget 14.4 times as fast as it allows.
        assert_eq!(slo.burn_rate_milli(144, 10_000), 14_400);
        assert_eq!(slo.burn_rate_milli(1, 1_000), 1_000);
        // 14.4× for an hour spends 2 % of a 30-day budget: 14.4 × 1 h / 720 h.
        assert_eq!(144 * 3_600 * 100 / (10 * 30 * 86_400), 2);
        assert_eq!(60 * 6 * 3_600 * 100 / (10 * 30 * 86_400), 5);
        assert_eq!(10 * 3 * 86_400 * 100 / (10 * 30 * 86_400), 10);
    }

    #[test]
    fn multi_window_rules_need_both_windows() {
        let slo = Slo::THREE_NINES_30_DAYS;
        // 2 % errors everywhere: 20×, so the two page rules fire, and the ticket rule too.
        let everywhere = |_: u32| (200, 10_000);
        assert_eq!(slo.firing_rules(&everywhere).len(), 3);
        // A spike that has already ended: the 1 h window burns at 15×, the last 5 min at 0.
        let ended = |seconds: u32| {
            if seconds <= 300 {
                (0, 10_000)
            } else {
                (150, 10_000)
            }
        };
        let fired: Vec<u32> = slo
            .firing_rules(&ended)
            .iter()
            .map(|r| r.burn_rate_tenths)
            .collect();
        assert!(
            !fired.contains(&144),
            "the short window resets the page: {fired:?}"
        );
        // 0.7 % errors: 7× pages on the 6 h rule only.
        let slow = |_: u32| (70, 10_000);
        let fired: Vec<u32> = slo
            .firing_rules(&slow)
            .iter()
            .map(|r| r.burn_rate_tenths)
            .collect();
        assert_eq!(fired, [60, 10]);
    }

    #[test]
    fn the_latency_slo_allows_five_percent_slow_requests() {
        let status = |answered: u64, slow: u64| LatencyStatus {
            slo: Slo::P95_UNDER_2S_30_DAYS,
            answered,
            slow,
            p95_now_ms: 0,
            slow_streak_s: 0,
        };
        // (answered, slow, fast share ppm, budget left ppm, met)
        let table = [
            (0, 0, 1_000_000, 1_000_000, true),
            (100_000, 0, 1_000_000, 1_000_000, true),
            (100_000, 1_250, 987_500, 750_000, true),
            (100_000, 5_000, 950_000, 0, true),
            (100_000, 5_001, 949_990, -200, false),
            (100_000, 10_000, 900_000, -1_000_000, false),
        ];
        for (answered, slow, fast, left, met) in table {
            let s = status(answered, slow);
            assert_eq!(
                (s.fast_ppm(), s.remaining_ppm(), s.met()),
                (fast, left, met),
                "{slow} slow of {answered}"
            );
        }
        // A long run does not overflow: a billion answered, a tenth slow.
        assert_eq!(
            status(1_000_000_000, 100_000_000).remaining_ppm(),
            -1_000_000
        );
        let spell = |slow_streak_s| LatencyStatus {
            slow_streak_s,
            ..status(1, 0)
        };
        assert!(!spell(899).spends_availability_budget());
        assert!(spell(900).spends_availability_budget());
    }

    /// The course's `calculate-slo.js` passes each objective at its bound (`>=`, `<=`).
    #[test]
    fn the_dashboard_passes_at_the_bounds_like_the_course_script() {
        let verdicts = |totals: RunTotals| -> Vec<(String, String, bool)> {
            SloReport::new(totals, Slo::THREE_NINES_30_DAYS, Slo::P95_UNDER_2S_30_DAYS)
                .objectives
                .into_iter()
                .map(|o| (o.name, o.value, o.pass))
                .collect()
        };
        let day = RunTotals {
            elapsed_s: 100_000,
            budget_spent_s: 100,
            requests: 1_000_000,
            errors: 10_000,
            slow: 49_500,
            empty_responses: 0,
        };
        let owned = |rows: &[(&str, &str, bool)]| -> Vec<(String, String, bool)> {
            rows.iter()
                .map(|(n, v, p)| (n.to_string(), v.to_string(), *p))
                .collect()
        };
        assert_eq!(
            verdicts(day),
            owned(&[
                ("availability", "99.900 %", true),
                ("latency", "95.000 % under 2000 ms", true),
                ("error_rate", "1.000 %", true),
                ("success_rate", "99.000 %", true),
            ])
        );
        let worse = RunTotals {
            budget_spent_s: 101,
            errors: 10_001,
            slow: 49_501,
            ..day
        };
        assert_eq!(
            verdicts(worse)
                .into_iter()
                .map(|(_, _, pass)| pass)
                .collect::<Vec<_>>(),
            [false, false, false, false]
        );
        // Empty AI answers are not failures, but they are not successes either.
        let empty = RunTotals {
            errors: 0,
            empty_responses: 10_001,
            ..day
        };
        assert_eq!(
            verdicts(empty)[2..],
            owned(&[
                ("error_rate", "0.000 %", true),
                ("success_rate", "98.999 %", false)
            ])[..]
        );
        assert_eq!(
            SloReport::new(day, Slo::THREE_NINES_30_DAYS, Slo::P95_UNDER_2S_30_DAYS).objectives[2]
                .detail,
            "10,000 of 1,000,000 requests failed"
        );
        // Nothing measured yet fails nothing.
        assert!(
            verdicts(RunTotals::default())
                .iter()
                .all(|(_, _, pass)| *pass)
        );
    }

    #[test]
    fn the_policy_colours() {
        let slo = Slo::THREE_NINES_30_DAYS;
        let table = [
            (0, BudgetPolicy::Green),
            (648, BudgetPolicy::Green),
            (649, BudgetPolicy::Yellow),
            (1_944, BudgetPolicy::Yellow),
            (1_945, BudgetPolicy::Red),
            (2_591, BudgetPolicy::Red),
            (2_592, BudgetPolicy::Exhausted),
            (5_000, BudgetPolicy::Exhausted),
        ];
        for (bad_s, policy) in table {
            assert_eq!(
                BudgetPolicy::for_remaining_ppm(slo.remaining_ppm(bad_s)),
                policy,
                "{bad_s} s spent"
            );
        }
        assert!(BudgetPolicy::Red.freezes_deployments());
        assert!(!BudgetPolicy::Yellow.freezes_deployments());
        assert_eq!(budget_spent_s(600, 0, false), 600);
        assert_eq!(
            budget_spent_s(0, 20 * 60, false),
            600,
            "degraded for 20 min counts half"
        );
        assert_eq!(
            budget_spent_s(0, 10 * 60, false),
            0,
            "under 15 min does not count"
        );
        assert_eq!(
            budget_spent_s(600, 0, true),
            0,
            "planned maintenance is free"
        );
    }
}
