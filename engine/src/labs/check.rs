//! Objectives' predicates evaluated against the simulation, never against what the learner
//! clicked. Each evaluation says why, with the rule and the measured values, as the gates do.
//!
//! Conditions over time (`for`, `before`, `within`) remember what they saw in a [`Memory`],
//! keyed by the node's place in its predicate (counted depth first), so every node is evaluated
//! every time, even when an `all` or `any` already knows its answer.

use std::collections::BTreeMap;

use crate::Sim;
use crate::audit::{Actor, AuditRecord};
use crate::ops::release_train::Quarter;
use crate::time::duration_label;

use super::spec::{EventMatch, Metric, Predicate};

/// Whether a predicate holds now, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    /// It holds.
    pub holds: bool,
    /// The rule and the measured values, in words.
    pub why: String,
}

/// What the time-bound conditions of one predicate remember between seconds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Memory {
    /// Per `for` node: the second since which its condition has held.
    since: BTreeMap<u32, u64>,
    /// Per `before` or `within` node: its verdict once it can no longer change.
    settled: BTreeMap<u32, bool>,
    /// Audit records already read, per event node, and the second of the first match.
    first_match: BTreeMap<u32, (u32, Option<u64>)>,
    /// Per auditor's-package node: the audit records it was last judged at, and the verdict,
    /// which cannot change until a record is added.
    package: BTreeMap<u32, (u32, Evaluation)>,
    /// How many audit records are known to chain correctly, and their head: the log only
    /// grows, so each check verifies only the records added since the last.
    verified_chain: Option<(u64, String)>,
}

/// What predicates are evaluated against: the simulation, and the quarter of releases when the
/// lab's world has one.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    /// The simulation.
    pub sim: &'a Sim,
    /// A quarter of releases at the learner's cadence.
    pub quarter: Option<&'a Quarter>,
}

impl<'a> Subject<'a> {
    /// The simulation alone.
    pub fn of(sim: &'a Sim) -> Subject<'a> {
        Subject { sim, quarter: None }
    }
}

/// Evaluates `predicate` against `subject` now.
pub fn evaluate(predicate: &Predicate, subject: &Subject, memory: &mut Memory) -> Evaluation {
    let mut next_id = 0;
    evaluate_node(predicate, subject, memory, &mut next_id)
}

/// Seconds in a 30-day month, the period SLAs are counted over.
pub const SECONDS_PER_MONTH: i64 = 30 * 86_400;

/// A metric's value now.
pub fn measure(metric: Metric, subject: &Subject) -> i64 {
    let sim = subject.sim;
    let quarter = |read: fn(&Quarter) -> u64| subject.quarter.map_or(0, |q| read(q) as i64);
    let target = sim.target();
    let cohorts = || sim.metrics().cohorts_of(target).map(|(_, series)| series);
    let sum = |read: fn(&crate::metrics::Series) -> u64| cohorts().map(read).sum::<u64>() as i64;
    match metric {
        Metric::DowntimeS => sim.metrics().downtime_s as i64,
        Metric::RequestsFailed => sum(|s| s.errors_total),
        Metric::RequestsUnserved => sum(|s| s.unserved_total),
        Metric::UsersAffected => {
            let environment = sim.world().services[target as usize].environment;
            i64::from(sim.world().environments[environment as usize].users_affected())
        }
        Metric::ErrorRateBp => {
            let (errors, requests) = cohorts()
                .map(|series| series.window(sim.now(), 60))
                .fold((0, 0), |(e, r), w| (e + w.errors, r + w.requests));
            i64::from(crate::metrics::rate_bp(errors, requests))
        }
        Metric::P95Ms => cohorts()
            .filter_map(|series| series.latest())
            .filter(|sample| sample.tick.0 + 1 >= sim.now().0 && sample.requests > 0)
            .map(|sample| i64::from(sample.p95_ms))
            .max()
            .unwrap_or(0),
        Metric::BudgetSpentS => match (sim.pipeline(), sim.scenario().pipeline.as_ref()) {
            (Some(state), Some(spec)) => state
                .budget_spent_s
                .saturating_sub(spec.budget_spent_at_start_s)
                as i64,
            _ => 0,
        },
        Metric::AuditRecords => sim.audit().records().len() as i64,
        Metric::SessionsLost => sim.metrics().sessions_lost as i64,
        Metric::DeploymentsPerYear => quarter(|q| q.deployments_per_year),
        Metric::LeadTimeHours => quarter(|q| q.lead_time_hours),
        Metric::ChangeFailurePercent => quarter(|q| q.change_failure_percent),
        Metric::RecoveryMinutes => quarter(|q| q.recovery_minutes),
        Metric::UsersHitByFailedChanges => quarter(|q| q.users_affected),
        Metric::BudgetSpentByFailedChangesS => quarter(|q| q.budget_spent_s),
        Metric::SlaBudgetPermille => {
            let requests = sum(|s| s.requests_total);
            let failed = sum(|s| s.errors_total);
            let elapsed_s = sim.now().0.max(1) as i64;
            // 0.01 % of a 30-day month of requests at this run's average rate.
            let allowed = (requests * SECONDS_PER_MONTH / elapsed_s / 10_000).max(1);
            failed * 1_000 / allowed
        }
    }
}

/// True when `record` is one `wanted` describes.
pub fn matches(wanted: &EventMatch, record: &AuditRecord) -> bool {
    let by_matches = match wanted.by.as_deref() {
        None => true,
        Some("person") => is_person(record),
        Some("automation") => !is_person(record),
        Some(login) => record.person == login,
    };
    record.action == wanted.action
        && by_matches
        && wanted
            .environment
            .as_ref()
            .is_none_or(|e| &record.environment == e)
        && wanted.outcome.as_ref().is_none_or(|o| &record.outcome == o)
        && wanted
            .reason_contains
            .as_ref()
            .is_none_or(|words| record.reason.contains(words.as_str()))
}

fn is_person(record: &AuditRecord) -> bool {
    !record.person.is_empty() || record.actor == Actor::Trainee
}

fn describe(wanted: &EventMatch) -> String {
    let mut text = format!("`{}`", wanted.action);
    if let Some(by) = &wanted.by {
        text.push_str(&format!(" by {by}"));
    }
    if let Some(environment) = &wanted.environment {
        text.push_str(&format!(" in {environment}"));
    }
    if let Some(outcome) = &wanted.outcome {
        text.push_str(&format!(" ({outcome})"));
    }
    if let Some(words) = &wanted.reason_contains {
        text.push_str(&format!(" saying \"{words}\""));
    }
    text
}

/// The second of the first record matching `wanted`, reading only records not read before.
fn first_match(wanted: &EventMatch, sim: &Sim, memory: &mut Memory, id: u32) -> Option<u64> {
    let (read, found) = memory.first_match.entry(id).or_insert((0, None));
    if found.is_none() {
        let records = sim.audit().records();
        *found = records[*read as usize..]
            .iter()
            .find(|record| matches(wanted, record))
            .map(|record| record.tick.0);
        *read = records.len() as u32;
    }
    *found
}

fn evaluate_node(
    predicate: &Predicate,
    subject: &Subject,
    memory: &mut Memory,
    next_id: &mut u32,
) -> Evaluation {
    let sim = subject.sim;
    let id = *next_id;
    *next_id += 1;
    let now = sim.now().0;
    match predicate {
        Predicate::All(parts) | Predicate::Any(parts) => {
            let results: Vec<Evaluation> = parts
                .iter()
                .map(|part| evaluate_node(part, subject, memory, next_id))
                .collect();
            let all = matches!(predicate, Predicate::All(_));
            let holds = if all {
                results.iter().all(|r| r.holds)
            } else {
                results.iter().any(|r| r.holds)
            };
            // Say why with the parts that decided it: the failing ones of a failing `all`, the
            // holding ones of a holding `any`.
            let deciding: Vec<&str> = results
                .iter()
                .filter(|r| r.holds == holds)
                .map(|r| r.why.as_str())
                .collect();
            Evaluation {
                holds,
                why: deciding.join("; "),
            }
        }
        Predicate::Not(inner) => {
            let inner = evaluate_node(inner, subject, memory, next_id);
            Evaluation {
                holds: !inner.holds,
                why: format!("not ({})", inner.why),
            }
        }
        Predicate::Metric { metric, op, value } => {
            let measured = measure(*metric, subject);
            Evaluation {
                holds: op.holds(measured, *value),
                why: format!(
                    "{} is {measured} (rule: {} {value})",
                    metric.name(),
                    op.symbol()
                ),
            }
        }
        Predicate::Event(wanted) => match first_match(wanted, sim, memory, id) {
            Some(at) => Evaluation {
                holds: true,
                why: format!("{} at {}", describe(wanted), clock(at)),
            },
            None => Evaluation {
                holds: false,
                why: format!("no {} yet", describe(wanted)),
            },
        },
        Predicate::Outcome(wanted) => {
            let outcome = sim.outcome().result;
            Evaluation {
                holds: &outcome == wanted,
                why: format!("the rollout is {outcome} (needs {wanted})"),
            }
        }
        Predicate::Phase(wanted) => {
            let (phase, _) = sim.phase();
            Evaluation {
                holds: phase.label() == wanted,
                why: format!("the rollout is {} (needs {wanted})", phase.label()),
            }
        }
        Predicate::For { duration_s, inner } => {
            let inner = evaluate_node(inner, subject, memory, next_id);
            if !inner.holds {
                memory.since.remove(&id);
                return Evaluation {
                    holds: false,
                    why: format!(
                        "{} (must hold for {})",
                        inner.why,
                        duration_label(*duration_s)
                    ),
                };
            }
            let since = *memory.since.entry(id).or_insert(now);
            let held_s = now - since;
            Evaluation {
                holds: held_s >= *duration_s,
                why: format!(
                    "{} for {} of {}",
                    inner.why,
                    duration_label(held_s),
                    duration_label(*duration_s)
                ),
            }
        }
        Predicate::Before { event, inner } => {
            let inner = evaluate_node(inner, subject, memory, next_id);
            let event_at = first_match(event, sim, memory, id);
            if let Some(holds) = memory.settled.get(&id) {
                return Evaluation {
                    holds: *holds,
                    why: format!("{} before {}", inner.why, describe(event)),
                };
            }
            // Settled once the condition holds with the record still to come (met), or once the
            // record came first (missed for good).
            let settled = match event_at {
                None if inner.holds => Some(true),
                Some(_) => Some(false),
                None => None,
            };
            if let Some(holds) = settled {
                memory.settled.insert(id, holds);
            }
            Evaluation {
                holds: settled == Some(true),
                why: match event_at {
                    Some(at) => format!("{} came first, at {}", describe(event), clock(at)),
                    None => format!("{}, before {}", inner.why, describe(event)),
                },
            }
        }
        Predicate::Within {
            duration_s,
            of,
            inner,
        } => {
            let inner = evaluate_node(inner, subject, memory, next_id);
            if let Some(holds) = memory.settled.get(&id) {
                return Evaluation {
                    holds: *holds,
                    why: format!(
                        "{} within {} of {}",
                        inner.why,
                        duration_label(*duration_s),
                        describe(of)
                    ),
                };
            }
            let Some(started) = first_match(of, sim, memory, id) else {
                return Evaluation {
                    holds: false,
                    why: format!("waiting for {}", describe(of)),
                };
            };
            let deadline = started + duration_s;
            let settled = if inner.holds && now <= deadline {
                Some(true)
            } else if now > deadline {
                Some(false)
            } else {
                None
            };
            if let Some(holds) = settled {
                memory.settled.insert(id, holds);
            }
            Evaluation {
                holds: settled == Some(true),
                why: format!(
                    "{} ({} left of {} after {})",
                    inner.why,
                    duration_label(deadline.saturating_sub(now)),
                    duration_label(*duration_s),
                    describe(of)
                ),
            }
        }
        Predicate::SloPasses(name) => {
            let objective = sim
                .slo_report()
                .and_then(|report| report.objectives.into_iter().find(|o| &o.name == name));
            match objective {
                Some(o) => Evaluation {
                    holds: o.pass,
                    why: format!(
                        "the {name} SLO is {} against {} ({})",
                        o.value,
                        o.target,
                        if o.pass { "PASS" } else { "FAIL" }
                    ),
                },
                None => Evaluation {
                    holds: false,
                    why: format!("the run has no {name} SLO (it has no pipeline)"),
                },
            }
        }
        Predicate::AuditorPackage { branch, reviewers } => {
            let records = sim.audit().records().len() as u32;
            match memory.package.get(&id) {
                Some((seen, evaluation)) if *seen == records => evaluation.clone(),
                _ => {
                    let evaluation =
                        auditor_package(sim, branch, reviewers, &mut memory.verified_chain);
                    memory.package.insert(id, (records, evaluation.clone()));
                    evaluation
                }
            }
        }
    }
}

/// The auditor's package: a production deployment from `branch` that one of `reviewers`
/// approved, in a trail whose chain verifies.
fn auditor_package(
    sim: &Sim,
    branch: &str,
    reviewers: &[String],
    verified_chain: &mut Option<(u64, String)>,
) -> Evaluation {
    let log = sim.audit();
    let records = log.records();
    let (from, prev_hash) = match verified_chain.as_ref() {
        // Only a prefix of this very log counts: its head must still sit where it was.
        Some((count, head))
            if *count <= records.len() as u64
                && (*count == 0 || records[*count as usize - 1].hash == *head) =>
        {
            (*count, head.clone())
        }
        _ => (0, crate::audit::GENESIS_HASH.to_string()),
    };
    let verified =
        crate::audit::AuditLog::verify_from(records, from, &prev_hash, log.head()).is_ok();
    if verified {
        *verified_chain = Some((records.len() as u64, log.head().to_string()));
    }
    let report = sim
        .pipeline()
        .map(|state| {
            crate::pipeline::auditor::production_deployments(
                state,
                &sim.scenario().rollout_environment,
            )
        })
        .unwrap_or_default();
    let approved = report.iter().find(|deployment| {
        deployment.git_ref == branch
            && deployment.result == "success"
            && deployment.review.as_ref().is_some_and(|review| {
                reviewers
                    .iter()
                    .any(|login| review.starts_with(&format!("approved by {login}")))
            })
    });
    let why = match (approved, verified) {
        (Some(deployment), true) => format!(
            "run #{} deployed {} to production, {}; the chain verifies",
            deployment.run,
            deployment.git_ref,
            deployment.review.clone().unwrap_or_default()
        ),
        (Some(_), false) => "the audit chain does not verify".to_string(),
        (None, _) => format!(
            "no successful production deployment from {branch} approved by {} yet ({} in the report)",
            reviewers.join(" or "),
            report.len()
        ),
    };
    Evaluation {
        holds: approved.is_some() && verified,
        why,
    }
}

fn clock(second: u64) -> String {
    format!("T+{}", duration_label(second))
}
