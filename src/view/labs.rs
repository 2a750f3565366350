//! The lab screens' data: the library's cards, the briefing, the live checklist, and the
//! debrief with its timeline and what-if.

use std::collections::BTreeMap;

use engine::labs::spec::Metric;
use engine::labs::{LabRun, Mark, Score};

use crate::lab_brief::LabBrief;
use crate::view::chart::{ChartData, ChartMetric, ChartRange, chart};
use crate::view::format::elapsed_label;

/// A lab's card in the library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabCard {
    /// The lab's id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The customer's question, or the situation's first sentence.
    pub teaser: String,
    /// Audience labels.
    pub audiences: Vec<&'static str>,
    /// Difficulty label.
    pub difficulty: &'static str,
    /// Minutes it takes.
    pub minutes: u32,
    /// Completed (passed) at least once.
    pub completed: bool,
    /// Best score so far.
    pub best_score: Option<u32>,
}

/// The library: cards grouped by track, in the catalogue's order.
pub fn library(
    labs: &[LabBrief],
    best: &BTreeMap<String, (bool, u32)>,
) -> Vec<(String, Vec<LabCard>)> {
    let mut tracks: Vec<(String, Vec<LabCard>)> = Vec::new();
    for lab in labs {
        let card = LabCard {
            id: lab.id.to_string(),
            title: lab.title.to_string(),
            teaser: if lab.customer_question.is_empty() {
                lab.situation
                    .split(". ")
                    .next()
                    .unwrap_or_default()
                    .to_string()
            } else {
                format!("“{}”", lab.customer_question)
            },
            audiences: lab.audiences.to_vec(),
            difficulty: lab.difficulty,
            minutes: lab.minutes,
            completed: best.get(lab.id).is_some_and(|(passed, _)| *passed),
            best_score: best.get(lab.id).map(|(_, score)| *score),
        };
        match tracks.iter_mut().find(|(track, _)| track == lab.track) {
            Some((_, cards)) => cards.push(card),
            None => tracks.push((lab.track.to_string(), vec![card])),
        }
    }
    tracks
}

/// One objective in the live checklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChecklistItem {
    /// The objective's id.
    pub id: String,
    /// What it asks.
    pub text: String,
    /// `met`, `failed`, `skipped` or `pending`.
    pub state: &'static str,
    /// The mark shown: ✓, ✗, – or ○.
    pub mark: &'static str,
    /// Why, with the measured values.
    pub why: String,
    /// Required for a pass.
    pub required: bool,
    /// Its weight.
    pub weight: u32,
}

/// The checklist card: objectives, hints and the running score.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checklist {
    /// The lab's title.
    pub title: String,
    /// Objectives, in the lab's order.
    pub items: Vec<ChecklistItem>,
    /// The hints revealed so far.
    pub hints: Vec<String>,
    /// The cost of the next hint, if one is left.
    pub next_hint_cost: Option<u32>,
    /// The running score, out of 100.
    pub score: u32,
    /// The run is over: the debrief is ready.
    pub finished: bool,
}

fn mark_of(mark: Mark) -> (&'static str, &'static str) {
    match mark {
        Mark::Met => ("met", "✓"),
        Mark::Failed => ("failed", "✗"),
        Mark::Skipped => ("skipped", "–"),
        Mark::Pending => ("pending", "○"),
    }
}

/// The live checklist of `run`.
pub fn checklist(run: &LabRun) -> Checklist {
    let lab = run.lab();
    let items = lab
        .objectives
        .iter()
        .zip(run.progress())
        .map(|(objective, progress)| {
            let (state, mark) = mark_of(progress.mark);
            ChecklistItem {
                id: objective.id.clone(),
                text: objective.text.clone(),
                state,
                mark,
                why: progress.why.clone(),
                required: objective.required,
                weight: objective.weight,
            }
        })
        .collect();
    let revealed = run.hints_revealed().len();
    Checklist {
        title: lab.title.clone(),
        items,
        hints: lab
            .hints
            .iter()
            .take(revealed)
            .map(|h| h.text.clone())
            .collect(),
        next_hint_cost: lab.hints.get(revealed).map(|h| h.cost),
        score: run.score().total,
        finished: run.is_finished(),
    }
}

/// One line of the debrief's timeline: the learner's actions and the simulation's events
/// merged, each with a mark and a reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineLine {
    /// When, as elapsed time.
    pub at: String,
    /// ✓, ✗ or · (an event that decided nothing by itself).
    pub mark: &'static str,
    /// `you`, a login, or the automation that acted.
    pub who: String,
    /// What happened.
    pub what: String,
    /// Why it matters.
    pub why: String,
}

/// A row of key numbers, for the debrief and the what-if.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyNumber {
    /// What is counted.
    pub label: &'static str,
    /// The value, as shown.
    pub value: String,
    /// The raw number, to compare runs.
    pub raw: i64,
    /// True when less is better.
    pub lower_is_better: bool,
    /// False for counts that are neither better nor worse (records written).
    pub compared: bool,
}

/// The debrief.
#[derive(Clone, Debug, PartialEq)]
pub struct Debrief {
    /// The lab's id.
    pub lab_id: String,
    /// Title.
    pub title: String,
    /// The score and its working.
    pub score: Score,
    /// Each objective: mark, text, and what the lab says about it.
    pub objectives: Vec<(&'static str, String, String)>,
    /// The key numbers of the run.
    pub numbers: Vec<KeyNumber>,
    /// The merged timeline.
    pub timeline: Vec<TimelineLine>,
    /// The lab's explanation.
    pub explanation: String,
    /// The talking points, filled from the run's numbers.
    pub talking_points: Vec<String>,
    /// The choices as made: (question, answer).
    pub choices: Vec<(String, String)>,
    /// The what-if variants: (index, name).
    pub variants: Vec<(u32, String)>,
    /// The run's error rate by version, over a range that holds the whole run.
    pub chart: ChartData,
}

/// The key numbers of a finished run: a quarter's DORA metrics first when the lab has one.
pub fn key_numbers(run: &LabRun) -> Vec<KeyNumber> {
    let mut numbers = run_numbers(run);
    // The score and objectives first, then the quarter, then the watched run.
    let quarter = run.quarter().map(quarter_numbers).unwrap_or_default();
    numbers.splice(2..2, quarter);
    numbers
}

/// A quarter of releases as DORA counts it, each metric with its level.
fn quarter_numbers(quarter: &engine::ops::release_train::Quarter) -> Vec<KeyNumber> {
    let dora = &quarter.dora;
    let number = |label, raw: u64, value: String, lower_is_better| KeyNumber {
        label,
        value,
        raw: raw as i64,
        lower_is_better,
        compared: true,
    };
    vec![
        number(
            "Deployments a year",
            quarter.deployments_per_year,
            format!(
                "{} ({})",
                quarter.deployments_per_year, dora.deployment_frequency.level
            ),
            false,
        ),
        number(
            "Lead time for changes",
            quarter.lead_time_hours,
            format!("{} h ({})", quarter.lead_time_hours, dora.lead_time.level),
            true,
        ),
        number(
            "Change failure rate",
            quarter.change_failure_percent,
            format!(
                "{} % ({})",
                quarter.change_failure_percent, dora.change_fail_rate.level
            ),
            true,
        ),
        number(
            "Recovery time",
            quarter.recovery_minutes,
            format!(
                "{} min ({})",
                quarter.recovery_minutes, dora.recovery_time.level
            ),
            true,
        ),
        number(
            "Users hit by failed changes",
            quarter.users_affected,
            quarter.users_affected.to_string(),
            true,
        ),
        number(
            "Error budget spent by failed changes",
            quarter.budget_spent_s,
            engine::time::duration_label(quarter.budget_spent_s),
            true,
        ),
    ]
}

/// The numbers of the watched run itself.
fn run_numbers(run: &LabRun) -> Vec<KeyNumber> {
    let score = run.score();
    let number = |label, raw: i64, lower_is_better| KeyNumber {
        label,
        value: raw.to_string(),
        raw,
        lower_is_better,
        compared: true,
    };
    vec![
        number("Score", i64::from(score.total), false),
        number("Objectives met", i64::from(score.objectives_met), false),
        number("Failed requests", score.impact.requests_failed, true),
        number("Users affected", score.impact.users_affected, true),
        KeyNumber {
            value: engine::time::duration_label(score.impact.downtime_s.max(0) as u64),
            ..number("Downtime", score.impact.downtime_s, true)
        },
        number("Error budget spent (s)", score.impact.budget_spent_s, true),
        number(
            "Sessions lost",
            engine::labs::check::measure(Metric::SessionsLost, &run.subject()),
            true,
        ),
        {
            let permille = engine::labs::check::measure(Metric::SlaBudgetPermille, &run.subject());
            KeyNumber {
                value: format!("{}.{} %", permille / 10, permille % 10),
                ..number("99.99 % SLA budget spent", permille, true)
            }
        },
        number(
            "Approvals on record",
            count(run, "workflows.approve_workflow_job"),
            false,
        ),
        KeyNumber {
            compared: false,
            ..number(
                "Audit records",
                run.sim().audit().records().len() as i64,
                false,
            )
        },
    ]
}

fn count(run: &LabRun, action: &str) -> i64 {
    run.sim()
        .audit()
        .records()
        .iter()
        .filter(|r| r.action == action)
        .count() as i64
}

/// The debrief of a finished `run`.
pub fn debrief(run: &LabRun) -> Debrief {
    let lab = run.lab();
    let score = run.score();
    let numbers = key_numbers(run);
    let objectives = lab
        .objectives
        .iter()
        .zip(run.progress())
        .map(|(objective, progress)| {
            let (_, mark) = mark_of(progress.mark);
            let said = match progress.mark {
                Mark::Met => objective.pass_message.clone(),
                Mark::Skipped => "Skipped: no credit.".to_string(),
                _ => objective.fail_message.clone(),
            };
            (
                mark,
                objective.text.clone(),
                format!("{said} ({})", progress.why),
            )
        })
        .collect();
    let mut timeline: Vec<(u64, u32, TimelineLine)> = run
        .sim()
        .audit()
        .records()
        .iter()
        .filter(|record| {
            !record.person.is_empty()
                || engine::sim::is_decision(record)
                || record.outcome == "failure"
        })
        .map(|record| {
            let mark = match record.outcome.as_str() {
                "failure" | "rejected" | "rolled_back" | "blocked" => "✗",
                "success" | "approved" => "✓",
                _ => "·",
            };
            let who = if record.person.is_empty() {
                record.actor.label().to_string()
            } else {
                record.person.clone()
            };
            (
                record.tick.0,
                0,
                TimelineLine {
                    at: elapsed_label(record.tick.0),
                    mark,
                    who,
                    what: record.action.clone(),
                    why: record.reason.clone(),
                },
            )
        })
        .collect();
    for (objective, progress) in lab.objectives.iter().zip(run.progress()) {
        let (Some(at), (_, mark)) = (progress.decided_at, mark_of(progress.mark)) else {
            continue;
        };
        timeline.push((
            at,
            1,
            TimelineLine {
                at: elapsed_label(at),
                mark,
                who: "objective".to_string(),
                what: objective.text.clone(),
                why: progress.why.clone(),
            },
        ));
    }
    timeline.sort_by_key(|(at, order, _)| (*at, *order));
    let quarter_value = |read: fn(&engine::ops::release_train::Quarter) -> u64| {
        run.quarter()
            .map_or_else(String::new, |q| read(q).to_string())
    };
    let values: BTreeMap<&str, String> = [
        (
            "deployments_per_year",
            quarter_value(|q| q.deployments_per_year),
        ),
        ("lead_time_hours", quarter_value(|q| q.lead_time_hours)),
        (
            "change_failure_percent",
            quarter_value(|q| q.change_failure_percent),
        ),
        ("recovery_minutes", quarter_value(|q| q.recovery_minutes)),
        (
            "users_hit_by_failed_changes",
            quarter_value(|q| q.users_affected),
        ),
        (
            "approvals",
            count(run, "workflows.approve_workflow_job").to_string(),
        ),
        (
            "audit_records",
            run.sim().audit().records().len().to_string(),
        ),
        ("score", score.total.to_string()),
        ("users_affected", score.impact.users_affected.to_string()),
        ("requests_failed", score.impact.requests_failed.to_string()),
        ("downtime_s", score.impact.downtime_s.to_string()),
    ]
    .into();
    let talking_points = lab
        .talking_points
        .iter()
        .map(|point| fill(point, &values))
        .collect();
    Debrief {
        lab_id: lab.id.clone(),
        title: lab.title.clone(),
        score,
        objectives,
        numbers,
        timeline: timeline.into_iter().map(|(_, _, line)| line).collect(),
        explanation: lab.debrief.clone(),
        talking_points,
        choices: lab
            .choices
            .iter()
            .map(|choice| {
                let value = run.choices().get(&choice.key).cloned().unwrap_or_default();
                let label = choice
                    .options
                    .iter()
                    .find(|o| o.value == value)
                    .map_or(value, |o| o.label.clone());
                (choice.label.clone(), label)
            })
            .collect(),
        variants: lab
            .variants
            .iter()
            .enumerate()
            .map(|(index, v)| (index as u32, v.name.clone()))
            .collect(),
        chart: chart(
            run.sim(),
            ChartMetric::ErrorRate,
            range_holding(run.sim().now().0),
        ),
    }
}

/// `text` with each `{name}` replaced by its value.
fn fill(text: &str, values: &BTreeMap<&str, String>) -> String {
    values.iter().fold(text.to_string(), |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

/// The what-if: the learner's run beside the same lab and seed under a variant's choices, with
/// the same commands, both run to the end.
#[derive(Clone, Debug, PartialEq)]
pub struct WhatIf {
    /// The variant's name.
    pub name: String,
    /// The variant's choices as they differ: (question, answer).
    pub changed: Vec<(String, String)>,
    /// Rows: label, the learner's value, the variant's value, which is better (-1 the
    /// learner's, 1 the variant's, 0 the same).
    pub rows: Vec<(&'static str, String, String, i8)>,
    /// Each run's error rate by version, on one time axis: (the learner's, the variant's).
    pub charts: (ChartData, ChartData),
}

/// Both runs' error rate over a range that holds the longer run, on one time axis.
fn charts_on_one_axis(ours: &LabRun, theirs: &LabRun) -> (ChartData, ChartData) {
    let range = range_holding(ours.sim().now().0.max(theirs.sim().now().0));
    let (mut a, mut b) = (
        chart(ours.sim(), ChartMetric::ErrorRate, range),
        chart(theirs.sim(), ChartMetric::ErrorRate, range),
    );
    let x_range = (a.x_range.0.min(b.x_range.0), a.x_range.1.max(b.x_range.1));
    let y_max = a.y_max.max(b.y_max);
    for data in [&mut a, &mut b] {
        data.x_range = x_range;
        data.y_max = y_max;
    }
    (a, b)
}

/// The shortest chart range that holds `seconds` of a run.
fn range_holding(seconds: u64) -> ChartRange {
    ChartRange::ALL
        .into_iter()
        .find(|range| range.seconds() >= seconds)
        .unwrap_or(ChartRange::Day)
}

/// Runs variant `index` of the lab in `run` and compares it with `run`.
pub fn what_if(run: &LabRun, index: u32) -> Result<WhatIf, String> {
    let lab = run.lab();
    let variant = lab
        .variants
        .get(index as usize)
        .ok_or_else(|| format!("the lab has no variant {index}"))?;
    let mut choices = run.choices().clone();
    choices.extend(variant.choices.clone());
    let mut other = LabRun::replay(lab, &choices, run.sim().seed(), run.learner_commands())?;
    other.run_to_end();
    let ours = key_numbers(run);
    let theirs = key_numbers(&other);
    let rows = ours
        .iter()
        .zip(&theirs)
        .map(|(a, b)| {
            let better = match a.raw.cmp(&b.raw) {
                _ if !a.compared => 0,
                std::cmp::Ordering::Equal => 0,
                std::cmp::Ordering::Less if a.lower_is_better => -1,
                std::cmp::Ordering::Greater if !a.lower_is_better => -1,
                _ => 1,
            };
            (a.label, a.value.clone(), b.value.clone(), better)
        })
        .collect();
    let changed = lab
        .choices
        .iter()
        .filter(|c| run.choices().get(&c.key) != choices.get(&c.key))
        .map(|c| {
            let value = choices.get(&c.key).cloned().unwrap_or_default();
            let label = c
                .options
                .iter()
                .find(|o| o.value == value)
                .map_or(value, |o| o.label.clone());
            (c.label.clone(), label)
        })
        .collect();
    Ok(WhatIf {
        name: variant.name.clone(),
        changed,
        rows,
        charts: charts_on_one_axis(run, &other),
    })
}
