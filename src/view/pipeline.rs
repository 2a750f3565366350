//! The pipeline card's data: the newest run's job graph with each job's state, the review a
//! waiting job asks for, the deployment-window badge, the error budget gauge and DORA's metrics.

use engine::Sim;
use engine::pipeline::run::{JobStatus, WorkflowRun};
use engine::pipeline::windows::WindowVerdict;

use crate::view::format::{count_label, elapsed_label};

/// The pipeline card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipelineView {
    /// `Run #2 · Complete CI/CD Pipeline · push of main by dana`, or the workflow's name.
    pub title: String,
    /// The newest run's number, if there is one.
    pub run: Option<u32>,
    /// Its conclusion, once it has one.
    pub conclusion: Option<&'static str>,
    /// Its emergency override, flagged.
    pub override_flag: Option<String>,
    /// Where the newest run waits for its workflow's concurrency group, in words.
    pub queue_note: Option<String>,
    /// The jobs, in the workflow's order.
    pub jobs: Vec<JobBox>,
    /// Columns in the graph.
    pub columns: u32,
    /// The review a waiting job asks for.
    pub review: Option<ReviewRequest>,
    /// The deployment window now: (open, text).
    pub window: Option<(bool, String)>,
    /// The error budget.
    pub budget: BudgetGauge,
    /// The latency SLO.
    pub latency: Option<LatencyGauge>,
    /// The course's SLO dashboard for the run.
    pub slos: Vec<engine::ops::slo::Objective>,
    /// DORA's metrics: (name, value, level, unverified).
    pub dora: Vec<(&'static str, String, &'static str, bool)>,
    /// True when the newest run failed or was cancelled and can be re-run.
    pub can_rerun: bool,
    /// True while the newest run is unfinished.
    pub can_cancel: bool,
    /// The branches the workflow runs on, for the run form.
    pub branches: Vec<String>,
    /// True when the workflow's dispatch declares a `reason` input, which the reason field
    /// fills on every run, not only an emergency one.
    pub dispatch_reason: bool,
    /// The event the run form starts: `workflow_dispatch` when the workflow has it, else
    /// `push` (a simulated push to the chosen branch).
    pub run_event: &'static str,
    /// `workflow_dispatch` inputs for the run form: (name, description, kind, options,
    /// default). The emergency fields cover `reason` and `skip_tests`.
    pub inputs: Vec<(String, String, String, Vec<String>, String)>,
    /// The auditor's report: production deployments, each as (heading, lines).
    pub auditor: Vec<(String, Vec<String>)>,
    /// Secrets: (name, scope, `v2, expires …` or `expired`, environment for rotation).
    pub secrets: Vec<(String, String, String, Option<String>)>,
    /// The rollout environment's configuration, merged: (key, value, source).
    pub config: Vec<(String, String, String)>,
    /// Incidents, newest first.
    pub incidents: Vec<IncidentRow>,
    /// Notifications, newest first: (when, channel, severity, text).
    pub feed: Vec<(String, String, String, String)>,
}

/// One incident in the alert panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncidentRow {
    /// Its number.
    pub id: u32,
    /// `CRITICAL`, `WARNING` or `INFO`.
    pub severity: &'static str,
    /// The rule.
    pub rule: String,
    /// `firing`, `acknowledged` or `resolved`.
    pub state: &'static str,
    /// Its timeline, in words.
    pub timeline: Vec<String>,
}

/// One job in the graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobBox {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `pending`, `waiting`, `in-progress`, `deploying`, `success`, `failure`, `cancelled`, `skipped`.
    pub state: &'static str,
    /// What the state means here, in words.
    pub note: String,
    /// Its column: one more than its deepest need.
    pub column: u32,
    /// Its environment, if it deploys.
    pub environment: Option<String>,
    /// The environment's `url`, as the workflow gives it (possibly an expression).
    pub url: Option<String>,
}

/// A deployment waiting for a reviewer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewRequest {
    /// The environment.
    pub environment: String,
    /// The job.
    pub job: String,
    /// Why it waits.
    pub reason: String,
    /// Who may review: the required reviewers, then admins.
    pub reviewers: Vec<String>,
    /// Who triggered the run.
    pub triggered_by: String,
}

/// The error budget gauge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetGauge {
    /// `green`, `yellow`, `red` or `exhausted`.
    pub policy: &'static str,
    /// Share left, in percent (0–100).
    pub remaining_percent: u32,
    /// `18.2 of 43.2 min spent`.
    pub text: String,
    /// What the policy asks for.
    pub actions: &'static str,
}

/// The latency SLO gauge: how much of its allowance of slow requests is left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LatencyGauge {
    /// The budget policy's colour for the share left (`green` … `exhausted`).
    pub colour: &'static str,
    /// Share of the allowance of slow requests left, in percent (0–100).
    pub remaining_percent: u32,
    /// True while the SLO holds.
    pub met: bool,
    /// `99.2 % of 152,300 answered requests under 2 s (target 95 %) · p95 now 180 ms`.
    pub text: String,
    /// The slow spell under way and what it does to the availability budget.
    pub spell: String,
}

/// The card's data, when the scenario has a pipeline.
pub fn pipeline(sim: &Sim) -> Option<PipelineView> {
    let (state, spec) = (sim.pipeline()?, sim.scenario().pipeline.as_ref()?);
    let run = state.runs.last();
    let workflow = run.map_or(&spec.workflow, |r| &r.workflow);
    let columns_of = |id: &str| column(workflow, id);
    let mut jobs: Vec<JobBox> = workflow
        .jobs
        .iter()
        .map(|job| {
            let (state, note) = run
                .and_then(|r| r.job(&job.id))
                .map_or(("pending", "not started".to_string()), |j| {
                    describe(&j.status)
                });
            JobBox {
                id: job.id.clone(),
                name: job.name.clone(),
                state,
                note,
                column: columns_of(&job.id),
                environment: run
                    .and_then(|r| r.job(&job.id))
                    .and_then(|j| j.environment.clone())
                    .or_else(|| job.environment.as_ref().map(|e| e.name.clone())),
                url: job.environment.as_ref().and_then(|e| e.url.clone()),
            }
        })
        .collect();
    // A run waiting for its workflow's group has not started any job.
    if let Some((_, group)) = run.and_then(|r| state.queued.iter().find(|(q, _)| *q == r.number)) {
        for job in jobs.iter_mut().filter(|j| j.state == "pending") {
            job.note = format!("the run waits for concurrency group '{group}'");
        }
    }
    let review = run.and_then(|r| review_request(r, spec, state));
    let policy = state.policy(spec);
    let remaining_ppm = spec
        .slo
        .remaining_ppm(state.budget_spent_s)
        .clamp(0, 1_000_000);
    let budget_min_tenths = spec.slo.budget_s() / 6;
    let spent_tenths = state.budget_spent_s / 6;
    // A frequency measured over less than a day would extrapolate one deployment wildly.
    let dora_report = engine::ops::dora::report(&state.deployments, sim.now().0.max(86_400));
    let metric = |name: &'static str, m: &engine::ops::dora::Metric| {
        (name, m.value.clone(), m.level, m.unverified)
    };
    Some(PipelineView {
        title: match run {
            Some(r) => format!(
                "Run #{} · {} · {} of {} by {}",
                r.number,
                r.workflow.name,
                r.trigger.event,
                r.trigger.ref_label(),
                r.trigger.actor
            ),
            None => format!("{} · no run yet", spec.workflow.name),
        },
        run: run.map(|r| r.number),
        conclusion: run.and_then(|r| r.conclusion).map(|c| c.label()),
        override_flag: run.and_then(|r| r.trigger.emergency.as_ref().map(|e| e.flag())),
        queue_note: run.and_then(|r| queue_note(state, r.number)),
        columns: jobs.iter().map(|j| j.column).max().unwrap_or(0) + 1,
        jobs,
        review,
        window: state.rules.windows.as_ref().map(|windows| {
            match windows.check(sim.scenario().start_unix_s + sim.now().0) {
                WindowVerdict::Open { window } => (true, format!("Deployments open: {window}")),
                WindowVerdict::Blocked { reason, .. } => {
                    (false, format!("Deployments blocked: {reason}"))
                }
            }
        }),
        budget: BudgetGauge {
            policy: policy.label(),
            remaining_percent: (remaining_ppm / 10_000) as u32,
            text: format!(
                "{}.{} of {}.{} min spent ({} % left, {} SLO over {} days)",
                spent_tenths / 10,
                spent_tenths % 10,
                budget_min_tenths / 10,
                budget_min_tenths % 10,
                remaining_ppm / 10_000,
                engine::metrics::percent_label(spec.slo.target_ppm / 100),
                spec.slo.window_s / 86_400
            ),
            actions: policy.actions(),
        },
        latency: sim.latency_slo().map(|status| latency_gauge(&status)),
        slos: sim.slo_report().map_or_else(Vec::new, |r| r.objectives),
        dora: vec![
            metric("Deployment frequency", &dora_report.deployment_frequency),
            metric("Lead time for changes", &dora_report.lead_time),
            metric("Change fail rate", &dora_report.change_fail_rate),
            metric(
                "Failed deployment recovery time",
                &dora_report.recovery_time,
            ),
            metric("Rework rate", &dora_report.rework_rate),
        ],
        can_rerun: run.is_some_and(|r| {
            matches!(
                r.conclusion,
                Some(
                    engine::pipeline::run::JobResult::Failure
                        | engine::pipeline::run::JobResult::Cancelled
                )
            )
        }),
        can_cancel: run.is_some_and(|r| r.conclusion.is_none()),
        auditor: engine::pipeline::auditor::production_deployments(
            state,
            &sim.scenario().rollout_environment,
        )
        .into_iter()
        .map(|d| {
            let mut lines = vec![
                format!(
                    "Triggered by {} ({} of {}, commit {}) at {}",
                    d.triggered_by, d.event, d.git_ref, d.commit_sha, d.started_utc
                ),
                format!("Review: {}", d.review.unwrap_or_else(|| "none".to_string())),
                format!(
                    "Checks passed: {}",
                    if d.checks_passed.is_empty() {
                        "none".to_string()
                    } else {
                        d.checks_passed.join(", ")
                    }
                ),
            ];
            if !d.checks_not_passed.is_empty() {
                lines.push(format!("Did not pass: {}", d.checks_not_passed.join(", ")));
            }
            if let Some(flag) = d.emergency_override {
                lines.push(flag);
            }
            (format!("Run #{} · {}: {}", d.run, d.job, d.result), lines)
        })
        .collect(),
        secrets: state
            .secrets
            .secrets
            .iter()
            .map(|secret| {
                let now_s = sim.scenario().start_unix_s + sim.now().0;
                let status = match secret.expires_s {
                    Some(expires) if now_s >= expires => format!("v{}, EXPIRED", secret.version),
                    Some(expires) => format!(
                        "v{}, expires {}",
                        secret.version,
                        engine::time::UtcDateTime::from_unix_s(expires)
                            .iso8601()
                            .get(..10)
                            .unwrap_or_default()
                    ),
                    None => format!("v{}", secret.version),
                };
                (
                    secret.name.clone(),
                    secret
                        .environment
                        .clone()
                        .unwrap_or_else(|| "repository".to_string()),
                    status,
                    secret.environment.clone(),
                )
            })
            .collect(),
        config: spec
            .config
            .merged(&sim.scenario().rollout_environment)
            .into_iter()
            .map(|(key, value, source)| (key, state.secrets.mask(&value), source))
            .collect(),
        incidents: state
            .alerts
            .incidents
            .iter()
            .rev()
            .map(|incident| IncidentRow {
                id: incident.id,
                severity: incident.severity.label(),
                rule: incident.rule.clone(),
                state: match (&incident.resolved, &incident.acknowledged) {
                    (Some(_), _) => "resolved",
                    (None, Some(_)) => "acknowledged",
                    (None, None) => "firing",
                },
                timeline: incident
                    .timeline
                    .iter()
                    .map(|(at, text)| format!("T+{} {text}", elapsed_label(*at)))
                    .collect(),
            })
            .collect(),
        feed: state
            .alerts
            .feed
            .iter()
            .rev()
            .take(8)
            .map(|n| {
                (
                    format!("T+{}", elapsed_label(n.at_s)),
                    n.channel.clone(),
                    n.severity.clone(),
                    n.text.clone(),
                )
            })
            .collect(),
        inputs: spec
            .workflow
            .triggers
            .workflow_dispatch
            .iter()
            .flatten()
            .filter(|input| !matches!(input.name.as_str(), "reason" | "skip_tests"))
            .map(|input| {
                (
                    input.name.clone(),
                    input.description.clone(),
                    input.kind.clone(),
                    input.options.clone(),
                    input
                        .default
                        .clone()
                        .or_else(|| input.options.first().cloned())
                        .unwrap_or_else(|| {
                            if input.kind == "boolean" {
                                "false".to_string()
                            } else {
                                String::new()
                            }
                        }),
                )
            })
            .collect(),
        dispatch_reason: spec
            .workflow
            .triggers
            .workflow_dispatch
            .iter()
            .flatten()
            .any(|input| input.name == "reason"),
        run_event: if spec.workflow.triggers.workflow_dispatch.is_some() {
            "workflow_dispatch"
        } else {
            "push"
        },
        branches: {
            // The branches the push filter names, main first: a dispatch may run on any branch.
            let mut branches = vec!["main".to_string()];
            if let Some(filter) = &spec.workflow.triggers.push {
                branches.extend(
                    filter
                        .branches
                        .iter()
                        .filter(|b| engine::pipeline::filter_pattern::is_literal(b) && *b != "main")
                        .cloned(),
                );
            }
            branches
        },
    })
}

fn column(workflow: &engine::pipeline::workflow::Workflow, id: &str) -> u32 {
    let Some(job) = workflow.job(id) else {
        return 0;
    };
    // The graph was validated, so it has no cycles; the depth bound is a guard all the same.
    job.needs
        .iter()
        .map(|need| {
            if need == id {
                0
            } else {
                column(workflow, need) + 1
            }
        })
        .max()
        .unwrap_or(0)
        .min(32)
}

fn describe(status: &JobStatus) -> (&'static str, String) {
    match status {
        JobStatus::Pending => ("pending", "waiting for the jobs it needs".to_string()),
        JobStatus::Waiting(reason) => ("waiting", reason.clone()),
        JobStatus::InProgress { .. } => ("in-progress", "running".to_string()),
        JobStatus::Deploying { .. } => (
            "deploying",
            "the strategy is rolling the release out".to_string(),
        ),
        JobStatus::Completed {
            result,
            started_s,
            finished_s,
            note,
        } => (
            match result {
                engine::pipeline::run::JobResult::Success => "success",
                engine::pipeline::run::JobResult::Failure => "failure",
                engine::pipeline::run::JobResult::Cancelled => "cancelled",
                engine::pipeline::run::JobResult::Skipped => "skipped",
            },
            match started_s {
                Some(started) if !note.starts_with("took") => {
                    format!("{note} (after {})", elapsed_label(finished_s - started))
                }
                _ => note.clone(),
            },
        ),
    }
}

fn review_request(
    run: &WorkflowRun,
    spec: &engine::pipeline::state::PipelineSpec,
    state: &engine::pipeline::state::PipelineState,
) -> Option<ReviewRequest> {
    let job = run.jobs.iter().find(|j| {
        j.gate
            .as_ref()
            .is_some_and(|g| g.approved.is_none() && g.rejected.is_none())
            && matches!(&j.status, JobStatus::Waiting(reason) if reason.contains("review"))
    })?;
    let environment = job.gate.as_ref()?.environment.clone();
    let environment_spec = state.rules.environments.get(&environment)?;
    let mut reviewers = environment_spec.reviewers.clone();
    if environment_spec.can_admins_bypass {
        reviewers.extend(spec.admins.iter().cloned());
    }
    Some(ReviewRequest {
        reason: match &job.status {
            JobStatus::Waiting(reason) => reason.clone(),
            _ => String::new(),
        },
        job: job.id.clone(),
        environment,
        reviewers,
        triggered_by: run.trigger.actor.clone(),
    })
}

/// The latency SLO in words and a gauge.
fn latency_gauge(status: &engine::ops::slo::LatencyStatus) -> LatencyGauge {
    let remaining_ppm = status.remaining_ppm();
    let target_percent = engine::metrics::percent_label(status.slo.target_ppm / 100);
    let threshold_s = engine::ops::slo::LATENCY_THRESHOLD_MS / 1_000;
    let spell = if status.slow_streak_s == 0 {
        format!("p95 is under {threshold_s} s now.")
    } else if status.spends_availability_budget() {
        format!(
            "p95 has been over {threshold_s} s for {}: from 15 min a slow spell spends the availability budget at half rate, and it is doing so.",
            engine::time::duration_label(status.slow_streak_s)
        )
    } else {
        format!(
            "p95 has been over {threshold_s} s for {}; at 15 min the spell starts to spend the availability budget at half rate.",
            engine::time::duration_label(status.slow_streak_s)
        )
    };
    LatencyGauge {
        colour: engine::ops::slo::BudgetPolicy::for_remaining_ppm(remaining_ppm).label(),
        remaining_percent: (remaining_ppm.clamp(0, 1_000_000) / 10_000) as u32,
        met: status.met(),
        text: format!(
            "{} of {} answered requests under {threshold_s} s (target {target_percent}: p95 under {threshold_s} s) · {} slow · p95 now {} ms",
            engine::metrics::percent_label(status.fast_ppm() / 100),
            count_label(status.answered),
            count_label(status.slow),
            status.p95_now_ms,
        ),
        spell,
    }
}

/// `Run #3 waits for concurrency group 'deploy': 2nd of 3 in line; run #1 is running.`
fn queue_note(state: &engine::pipeline::state::PipelineState, number: u32) -> Option<String> {
    let (_, group) = state.queued.iter().find(|(queued, _)| *queued == number)?;
    let (running, pending) = state.groups.members(group);
    let place = pending.iter().position(|p| *p == number)? + 1;
    let ordinal = match place {
        1 => "1st".to_string(),
        2 => "2nd".to_string(),
        3 => "3rd".to_string(),
        n => format!("{n}th"),
    };
    Some(format!(
        "Run #{number} waits for concurrency group '{group}': {ordinal} of {} in line{}",
        pending.len(),
        running.map_or(String::new(), |r| format!("; run #{r} is running"))
    ))
}
