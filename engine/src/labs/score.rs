//! A lab's score, always with its working: weighted objectives, minus the hints revealed, minus
//! needless or harmful actions, minus time over par; with the run's impact beside it.
//!
//! ```text
//! objectives = round(100 × Σ weight of objectives met / Σ weight of all objectives)
//! score      = objectives − Σ cost of hints revealed − Σ points × actions taken
//!              − min(10, minutes started past par), at least 0
//! passed     = score ≥ pass mark and every required objective met
//! ```

use serde::Serialize;

use crate::sim::Sim;

use super::check::{Subject, matches, measure};
use super::progress::{Mark, Progress};
use super::spec::{Lab, Metric};

/// Most points time over par can cost.
pub const MAX_TIME_PENALTY: u32 = 10;

/// The score and how it was reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Score {
    /// Points from objectives, out of 100.
    pub objectives: u32,
    /// Objectives met, of all.
    pub objectives_met: u32,
    /// Objectives in the lab.
    pub objectives_total: u32,
    /// Points the revealed hints cost.
    pub hints: u32,
    /// Hints revealed.
    pub hints_revealed: u32,
    /// Each penalised action taken: why, how many times, points lost.
    pub actions: Vec<ActionPenalty>,
    /// Seconds until every required objective was met, if it was.
    pub completed_s: Option<u64>,
    /// When the first sign of trouble was on record (an alert firing, a gate failing, a fault
    /// starting), if there was one: the start of time to detect.
    pub trouble_s: Option<u64>,
    /// Time to detect: from the trouble to the first record that reacted to it (a gate's
    /// verdict, an alert, a person's command).
    pub detect_s: Option<u64>,
    /// Time to mitigate: from the trouble to traffic back on a good version or the fault
    /// cleared.
    pub mitigate_s: Option<u64>,
    /// The lab's par, in seconds.
    pub par_s: u64,
    /// Points lost to time over par.
    pub time: u32,
    /// The score, out of 100.
    pub total: u32,
    /// The lab's pass mark.
    pub pass_mark: u32,
    /// Every required objective is met.
    pub required_met: bool,
    /// The score reaches the pass mark and every required objective is met.
    pub passed: bool,
    /// What the run cost its users.
    pub impact: Impact,
}

/// A penalised action in the score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActionPenalty {
    /// Why it is needless or harmful.
    pub why: String,
    /// How many times it was taken.
    pub count: u32,
    /// Points lost.
    pub points: u32,
}

/// What the run cost its users, measured by the simulation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Impact {
    /// Failed requests to the rolled-out service.
    pub requests_failed: i64,
    /// Requests that found no ready instance.
    pub requests_unserved: i64,
    /// Distinct users who saw a failure.
    pub users_affected: i64,
    /// Seconds in which some requests found no ready instance.
    pub downtime_s: i64,
    /// Seconds of error budget spent.
    pub budget_spent_s: i64,
}

/// Scores `progress` on `lab`, with `hints_revealed` and the actions in `sim`'s audit trail.
pub fn score(lab: &Lab, progress: &[Progress], hints_revealed: &[u64], subject: &Subject) -> Score {
    let sim = subject.sim;
    let weight_total: u32 = lab.objectives.iter().map(|o| o.weight).sum();
    let weight_met: u32 = lab
        .objectives
        .iter()
        .zip(progress)
        .filter(|(_, p)| p.mark == Mark::Met)
        .map(|(o, _)| o.weight)
        .sum();
    let objectives = if weight_total == 0 {
        0
    } else {
        (200 * weight_met + weight_total) / (2 * weight_total)
    };
    let hints: u32 = lab
        .hints
        .iter()
        .take(hints_revealed.len())
        .map(|h| h.cost)
        .sum();
    let actions: Vec<ActionPenalty> = lab
        .penalties
        .iter()
        .filter_map(|penalty| {
            let count = sim
                .audit()
                .records()
                .iter()
                .filter(|record| matches(&penalty.event, record))
                .count() as u32;
            (count > 0).then(|| ActionPenalty {
                why: penalty.why.clone(),
                count,
                points: count * penalty.points,
            })
        })
        .collect();
    let required: Vec<&Progress> = lab
        .objectives
        .iter()
        .zip(progress)
        .filter(|(o, _)| o.required)
        .map(|(_, p)| p)
        .collect();
    let required_met = required.iter().all(|p| p.mark == Mark::Met);
    let completed_s = required_met.then(|| {
        required
            .iter()
            .filter_map(|p| p.decided_at)
            .max()
            .unwrap_or(0)
    });
    let time = completed_s.map_or(0, |at| {
        let over_s = at.saturating_sub(lab.par_s);
        (over_s.div_ceil(60) as u32).min(MAX_TIME_PENALTY)
    });
    let (trouble_s, detect_s, mitigate_s) = detect_and_mitigate(sim);
    let lost = hints + actions.iter().map(|a| a.points).sum::<u32>() + time;
    let total = objectives.saturating_sub(lost);
    Score {
        objectives,
        objectives_met: progress.iter().filter(|p| p.mark == Mark::Met).count() as u32,
        objectives_total: progress.len() as u32,
        hints,
        hints_revealed: hints_revealed.len() as u32,
        actions,
        completed_s,
        trouble_s,
        detect_s,
        mitigate_s,
        par_s: lab.par_s,
        time,
        total,
        pass_mark: lab.pass_mark,
        required_met,
        passed: required_met && total >= lab.pass_mark,
        impact: Impact {
            requests_failed: measure(Metric::RequestsFailed, subject),
            requests_unserved: measure(Metric::RequestsUnserved, subject),
            users_affected: measure(Metric::UsersAffected, subject),
            downtime_s: measure(Metric::DowntimeS, subject),
            budget_spent_s: measure(Metric::BudgetSpentS, subject),
        },
    }
}

/// Records that show trouble starting.
const TROUBLE: &[&str] = &[
    "FaultInjected",
    "alert.firing",
    "AnalysisRunFailed",
    "MetricFailed",
];
/// Records that show the trouble was noticed.
const DETECTED: &[&str] = &[
    "AnalysisRunFailed",
    "alert.firing",
    "alert.acknowledged",
    "RolloutAborted",
];
/// Records that show the trouble was mitigated.
const MITIGATED: &[&str] = &[
    "RolloutAborted",
    "FaultCleared",
    "RolloutUpdated",
    "DeploymentSuccess",
];

/// (when trouble started, time to detect it, time to mitigate it), from the audit trail: the
/// first trouble record, the first detecting record at or after it, and the first mitigating
/// record after that.
fn detect_and_mitigate(sim: &Sim) -> (Option<u64>, Option<u64>, Option<u64>) {
    let records = sim.audit().records();
    let Some(trouble) = records
        .iter()
        .find(|r| TROUBLE.contains(&r.action.as_str()))
    else {
        return (None, None, None);
    };
    let start = trouble.tick.0;
    let after = |names: &[&str], from: u64| {
        records
            .iter()
            .find(|r| r.tick.0 >= from && names.contains(&r.action.as_str()))
            .map(|r| r.tick.0)
    };
    let detected = after(DETECTED, start);
    let mitigated = detected.and_then(|at| after(MITIGATED, at));
    (
        Some(start),
        detected.map(|at| at - start),
        mitigated.map(|at| at - start),
    )
}
