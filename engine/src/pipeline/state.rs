//! The delivery pipeline inside a simulation: workflow runs started by the scenario's script or
//! by a person, their concurrency groups, simulated reviewers who answer in their working
//! hours, the error budget that can freeze production, and the production deployments DORA
//! counts. The simulation asks it to step once a second and applies what it returns: audit
//! records, and the start of the strategy's rollout when a job deploys to production.

mod effects;
mod queues;
mod reviewers;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::ops::dora::DeploymentRecord;
use crate::ops::slo::{BudgetPolicy, Slo};
use crate::pipeline::concurrency::{ConcurrencyGroups, GroupPolicy};
use crate::pipeline::environments::{EnvironmentSpec, Review};
use crate::pipeline::expr::interpolate;
use crate::pipeline::run::{JobStatus, RunSettings, Trigger, WorkflowRun};
use crate::pipeline::windows::DeploymentWindows;
use crate::pipeline::workflow::Workflow;

/// A scenario's pipeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineSpec {
    /// The workflow every run runs.
    pub workflow: Workflow,
    /// Environments by name, with their protection rules.
    pub environments: BTreeMap<String, EnvironmentSpec>,
    /// Deployment windows of the rollout environment, if it has any.
    pub windows: Option<DeploymentWindows>,
    /// Logins of repository admins.
    pub admins: Vec<String>,
    /// The people who review deployments, as the simulation plays them.
    pub reviewers: Vec<SimulatedReviewer>,
    /// The availability SLO of the rollout environment.
    pub slo: Slo,
    /// Its latency SLO: the share of answered requests under 2,000 ms.
    #[serde(default = "course_latency_slo")]
    pub latency_slo: Slo,
    /// Budget already spent in the SLO window when the scenario starts, in seconds.
    pub budget_spent_at_start_s: u64,
    /// Alert rules on the rollout environment.
    #[serde(default)]
    pub alert_rules: Vec<crate::ops::alerts::AlertRule>,
    /// Repository and environment secrets; with none, secrets are not checked.
    #[serde(default)]
    pub secrets: crate::pipeline::secrets::SecretStore,
    /// Configuration: a base and per-environment overrides.
    #[serde(default)]
    pub config: crate::pipeline::secrets::ConfigLayers,
}

/// The rules a person may change while runs go on, copied from the scenario at the start.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveRules {
    /// Each environment's protection rules, by name.
    pub environments: BTreeMap<String, EnvironmentSpec>,
    /// The rollout environment's deployment windows, if it has any.
    pub windows: Option<DeploymentWindows>,
}

fn course_latency_slo() -> Slo {
    Slo::P95_UNDER_2S_30_DAYS
}

/// A reviewer the simulation plays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimulatedReviewer {
    /// Their login.
    pub login: String,
    /// Typical time to respond, in seconds.
    pub response_median_s: u32,
    /// True when they answer only in business hours (Mon–Fri 09:00–18:00 UTC).
    pub business_hours_only: bool,
    /// What they decide.
    pub decision: Review,
    /// What they write.
    pub comment: String,
}

/// Something the simulation must do for the pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PipelineEffect {
    /// An audit record.
    Audit {
        /// Who.
        actor: Actor,
        /// The person, for people.
        person: String,
        /// What, in GitHub's vocabulary.
        action: String,
        /// Where.
        environment: String,
        /// Why, in words.
        reason: String,
        /// How it came out.
        outcome: String,
    },
    /// A job deploys to the rollout environment: start the strategy's rollout of the run's
    /// commit.
    StartRollout {
        /// The run.
        run: u32,
        /// Its commit.
        sha: String,
    },
}

/// A reviewer's answer, planned when a job starts waiting for them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedReview {
    /// When they answer (unix seconds).
    pub due_s: u64,
    /// The run.
    pub run: u32,
    /// The environment.
    pub environment: String,
    /// Who.
    pub reviewer: String,
}

/// The pipeline's state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PipelineState {
    /// Every run, oldest first; run numbers start at 1.
    pub runs: Vec<WorkflowRun>,
    /// Concurrency groups.
    pub groups: ConcurrencyGroups,
    /// Runs waiting for their group: (run number, group).
    pub queued: Vec<(u32, String)>,
    /// Reviews the simulated reviewers will give.
    pub planned_reviews: Vec<PlannedReview>,
    /// The run whose job is deploying with the strategy, and the job.
    pub deploying: Option<(u32, String)>,
    /// Production deployments so far, for DORA.
    pub deployments: Vec<DeploymentRecord>,
    /// Error budget spent in the SLO window, in seconds.
    pub budget_spent_s: u64,
    /// Consecutive seconds of p95 above 2 s in the rollout environment.
    #[serde(default)]
    pub degraded_streak_s: u64,
    /// Alerts, incidents and the notification feed.
    pub alerts: crate::ops::alerts::Alerts,
    /// The secrets as they stand (rotation changes them).
    pub secrets: crate::pipeline::secrets::SecretStore,
    /// The protection rules and deployment windows as they stand (a person may change them).
    #[serde(default)]
    pub rules: LiveRules,
    /// Each environment's latest successful deployment: (run, job).
    #[serde(default)]
    pub active_deployments: BTreeMap<String, (u32, String)>,
    /// The schema migration of the release the pipeline ships.
    #[serde(default)]
    pub release_migration: crate::version::SchemaMigration,
}

impl PipelineState {
    /// The state at the start of a scenario that ships a release bringing `release_migration`.
    pub fn new(
        spec: &PipelineSpec,
        release_migration: crate::version::SchemaMigration,
    ) -> PipelineState {
        PipelineState {
            budget_spent_s: spec.budget_spent_at_start_s,
            secrets: spec.secrets.clone(),
            rules: LiveRules {
                environments: spec.environments.clone(),
                windows: spec.windows.clone(),
            },
            release_migration,
            ..PipelineState::default()
        }
    }

    /// The error budget policy now.
    pub fn policy(&self, spec: &PipelineSpec) -> BudgetPolicy {
        BudgetPolicy::for_remaining_ppm(spec.slo.remaining_ppm(self.budget_spent_s))
    }

    /// True while any run is unfinished.
    pub fn is_busy(&self) -> bool {
        self.runs.iter().any(|r| r.conclusion.is_none())
    }

    /// Starts a run for `trigger` at `now_s`, in its concurrency group if the workflow has one.
    pub fn trigger(
        &mut self,
        spec: &PipelineSpec,
        trigger: Trigger,
        now_s: u64,
    ) -> Vec<PipelineEffect> {
        let number = self.runs.len() as u32 + 1;
        let run = WorkflowRun::new(number, spec.workflow.clone(), trigger, now_s);
        let mut effects = vec![audit(
            Actor::Pipeline,
            &run.trigger.actor,
            "workflows.created_workflow_run",
            "",
            format!(
                "run #{number} of \"{}\" for {} of {} ({}) by {}{}{}",
                spec.workflow.name,
                run.trigger.event,
                run.trigger.ref_label(),
                run.trigger.sha,
                run.trigger.actor,
                if run.trigger.inputs.is_empty() {
                    String::new()
                } else {
                    format!(
                        " with inputs {}",
                        run.trigger
                            .inputs
                            .iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
                run.trigger
                    .emergency
                    .as_ref()
                    .map(|e| format!("; {}", e.flag()))
                    .unwrap_or_default()
            ),
            if run.trigger.emergency.is_some() {
                "overridden"
            } else {
                ""
            },
        )];
        let group = workflow_group(spec, &run);
        self.runs.push(run);
        if let Some((group, policy)) = group {
            let admission = self.groups.admit(&group, number, policy);
            let turned_away = admission.cancelled.iter().any(|(c, _)| *c == number);
            for (cancelled, message) in admission.cancelled {
                effects.extend(self.cancel_run(cancelled, &message, now_s));
            }
            if !admission.starts && !turned_away {
                self.queued.push((number, group.clone()));
                effects.push(audit(
                    Actor::Pipeline,
                    "",
                    "workflow_run.pending",
                    "",
                    format!("run #{number} waits for concurrency group '{group}'"),
                    "waiting",
                ));
            }
        }
        effects
    }

    /// A person or a simulated reviewer reviews the deployment to `environment`.
    #[allow(clippy::too_many_arguments)]
    pub fn review(
        &mut self,
        spec: &PipelineSpec,
        rollout_environment: &str,
        environment: &str,
        reviewer: &str,
        review: Review,
        comment: &str,
        now_s: u64,
        actor: Actor,
    ) -> Result<Vec<PipelineEffect>, String> {
        let no_secrets = crate::pipeline::secrets::SecretStore::default();
        let rules = self.rules.clone();
        let settings = self.settings(spec, &rules, rollout_environment, 0, &no_secrets);
        let run = self
            .runs
            .iter_mut()
            .rev()
            .find(|r| {
                r.jobs.iter().any(|j| {
                    j.gate
                        .as_ref()
                        .is_some_and(|g| g.environment == environment)
                })
            })
            .ok_or_else(|| format!("no job is waiting for a review of {environment}"))?;
        let job = run.review(environment, reviewer, review, comment, now_s, &settings)?;
        let (action, outcome) = match review {
            Review::Approve => ("workflows.approve_workflow_job", "approved"),
            Review::Reject => ("workflows.reject_workflow_job", "rejected"),
        };
        Ok(vec![audit(
            actor,
            reviewer,
            action,
            environment,
            format!(
                "{reviewer} {outcome} {job} of run #{} for {}{}",
                run.number,
                environment,
                if comment.is_empty() {
                    String::new()
                } else {
                    format!(": \"{comment}\"")
                }
            ),
            outcome,
        )])
    }

    /// Evaluates the alert rules (every [`crate::ops::alerts::EVALUATION_INTERVAL_S`] seconds).
    pub fn evaluate_alerts(
        &mut self,
        spec: &PipelineSpec,
        environment: &str,
        readings: &crate::ops::alerts::Readings,
        window: &dyn Fn(u32) -> (u64, u64),
        now_s: u64,
    ) -> Vec<PipelineEffect> {
        self.alerts
            .evaluate(
                &spec.alert_rules,
                &spec.slo,
                environment,
                readings,
                window,
                now_s,
            )
            .into_iter()
            .map(|change| alert_effect(change, environment))
            .collect()
    }

    /// A person acknowledges (or resolves) an incident.
    pub fn handle_incident(
        &mut self,
        spec: &PipelineSpec,
        environment: &str,
        incident: u32,
        who: &str,
        resolve: bool,
        now_s: u64,
    ) -> Result<Vec<PipelineEffect>, String> {
        let change = if resolve {
            self.alerts
                .resolve(&spec.alert_rules, incident, who, now_s)?
        } else {
            self.alerts.acknowledge(incident, who, now_s)?
        };
        Ok(vec![alert_effect(change, environment)])
    }

    /// A person rotates a secret: a new value, valid for 90 days.
    pub fn rotate_secret(
        &mut self,
        name: &str,
        environment: Option<&str>,
        who: &str,
        now_s: u64,
    ) -> Result<Vec<PipelineEffect>, String> {
        let version = self.secrets.rotate(name, environment, now_s, 90 * 86_400)?;
        let (action, scope) = match environment {
            Some(env) => ("environment.update_actions_secret", env.to_string()),
            None => ("repo.update_actions_secret", "the repository".to_string()),
        };
        Ok(vec![audit(
            Actor::Trainee,
            who,
            action,
            environment.unwrap_or(""),
            format!(
                "{who} rotated secret {name} of {scope} to version {version} (value {}), valid for 90 days",
                crate::pipeline::secrets::MASK
            ),
            "success",
        )])
    }

    /// `who` replaces the protection rules of `rules.name`. Deployments already waiting keep
    /// the wait timer they started with; reviews and branch checks from now on follow the new
    /// rules.
    pub fn update_protection_rules(
        &mut self,
        rules: EnvironmentSpec,
        who: &str,
    ) -> Result<Vec<PipelineEffect>, String> {
        let before = self.rules.environments.get(&rules.name).ok_or_else(|| {
            format!(
                "there is no environment {:?}; this repository has {}",
                rules.name,
                self.rules
                    .environments
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        rules.validate().map_err(|problems| problems.join("; "))?;
        let changes = rules.changes_from(before);
        if changes.is_empty() {
            return Err(format!(
                "the protection rules of {} are unchanged",
                rules.name
            ));
        }
        let effect = audit(
            Actor::Trainee,
            who,
            "environment.update_protection_rule",
            &rules.name,
            format!(
                "{who} changed the protection rules of {}: {}",
                rules.name,
                changes.join("; ")
            ),
            "success",
        );
        self.rules.environments.insert(rules.name.clone(), rules);
        Ok(vec![effect])
    }

    /// `who` changes the business hours of the rollout environment's deployment windows (its
    /// maintenance windows stay). A deployment already waiting for a window is checked against
    /// the new hours from the next second.
    pub fn update_deployment_windows(
        &mut self,
        days: [bool; 7],
        start_minute: u32,
        end_minute: u32,
        who: &str,
        rollout_environment: &str,
    ) -> Result<Vec<PipelineEffect>, String> {
        let before =
            self.rules.windows.clone().ok_or_else(|| {
                format!("{rollout_environment} has no deployment windows to change")
            })?;
        let after = DeploymentWindows {
            days,
            start_minute,
            end_minute,
            ..before.clone()
        };
        after.validate()?;
        if after == before {
            return Err(format!(
                "the deployment window of {rollout_environment} is unchanged"
            ));
        }
        let effect = audit(
            Actor::Trainee,
            who,
            "deployment_window.update",
            rollout_environment,
            format!(
                "{who} changed the business hours of {rollout_environment}: {} → {}",
                before.hours_label(),
                after.hours_label()
            ),
            "success",
        );
        self.rules.windows = Some(after);
        Ok(vec![effect])
    }

    /// Re-runs the failed jobs of run `number`.
    pub fn rerun_failed(&mut self, number: u32, who: &str) -> Result<Vec<PipelineEffect>, String> {
        let run = self
            .runs
            .get_mut(number.saturating_sub(1) as usize)
            .ok_or_else(|| format!("there is no run #{number}"))?;
        let jobs = run.rerun_failed()?;
        Ok(vec![audit(
            Actor::Trainee,
            who,
            "workflows.rerun_workflow_run",
            "",
            format!(
                "{who} re-ran the failed jobs of run #{number}: {}",
                jobs.join(", ")
            ),
            "",
        )])
    }

    /// Cancels run `number`.
    pub fn cancel_run(&mut self, number: u32, why: &str, now_s: u64) -> Vec<PipelineEffect> {
        let Some(run) = self.runs.get_mut(number.saturating_sub(1) as usize) else {
            return Vec::new();
        };
        if run.conclusion.is_some() {
            return Vec::new();
        }
        // Deployments under way (running, waiting, or handed to the strategy) end with the run.
        let open_deployments: Vec<(String, String)> = run
            .jobs
            .iter()
            .filter(|j| {
                j.deployment
                    && matches!(
                        j.status,
                        JobStatus::InProgress { .. }
                            | JobStatus::Waiting(_)
                            | JobStatus::Deploying { .. }
                    )
            })
            .filter_map(|j| Some((j.id.clone(), j.environment.clone()?)))
            .collect();
        run.cancel(why, now_s);
        let grouped: Vec<String> = run
            .jobs
            .iter()
            .filter(|j| j.group.is_some())
            .map(|j| j.id.clone())
            .collect();
        let mut effects = vec![audit(
            Actor::Pipeline,
            "",
            "workflows.cancel_workflow_run",
            "",
            format!("run #{number}: {why}"),
            "cancelled",
        )];
        for (job, environment) in open_deployments {
            // The rollout a cancelled job started goes on in the cluster; the pipeline stops
            // waiting for it.
            let handed_over = self.deploying.as_ref() == Some(&(number, job.clone()));
            if handed_over {
                self.deploying = None;
            }
            effects.push(audit(
                Actor::Pipeline,
                "",
                "deployment_status.created",
                &environment,
                format!(
                    "run #{number} {job}: state failure (the run was cancelled{})",
                    if handed_over {
                        "; the rollout it started goes on without the pipeline"
                    } else {
                        ""
                    }
                ),
                "failure",
            ));
        }
        for job in grouped {
            effects.extend(self.release_job_group(number, &job));
        }
        self.queued.retain(|(queued, _)| *queued != number);
        effects
    }

    /// The strategy's rollout for the deploying job ended: promoted or not. The job ends, the
    /// deployment is counted for DORA, and the job's concurrency group lets the next one in.
    pub fn finish_deploy(
        &mut self,
        rollout_environment: &str,
        promoted: bool,
        note: &str,
        now_s: u64,
    ) -> Vec<PipelineEffect> {
        let Some((run, job)) = self.deploying.take() else {
            return Vec::new();
        };
        let Some(workflow_run) = self.runs.get_mut(run as usize - 1) else {
            return Vec::new();
        };
        // A failed change hurts from the moment its rollout starts.
        let started_s = match workflow_run.job(&job).map(|j| &j.status) {
            Some(JobStatus::Deploying { started_s }) => *started_s,
            _ => now_s,
        };
        workflow_run.finish_deploy(&job, promoted, note, now_s);
        let outcome = if promoted { "success" } else { "failure" };
        let mut effects = vec![audit(
            Actor::Pipeline,
            "",
            "deployment_status.created",
            rollout_environment,
            format!("run #{run} {job}: state {outcome} ({note})"),
            outcome,
        )];
        if promoted {
            effects.extend(self.supersede(rollout_environment, run, &job));
        }
        let Some(workflow_run) = self.runs.get(run as usize - 1) else {
            return effects;
        };
        self.deployments.push(DeploymentRecord {
            committed_s: workflow_run.created_s,
            deployed_s: if promoted { now_s } else { started_s },
            failed: !promoted,
            // A rollback restores the previous version: recovery ends with it.
            recovered_s: (!promoted).then_some(now_s),
            rework: workflow_run.trigger.emergency.is_some(),
        });
        effects.extend(self.release_job_group(run, &job));
        effects
    }

    /// One second of the pipeline at `now_s` (unix seconds). `rollout_result` is the strategy's
    /// verdict on a deployment in progress: promoted (true) or rolled back (false).
    pub fn step(
        &mut self,
        spec: &PipelineSpec,
        rollout_environment: &str,
        seed: u64,
        now_s: u64,
        rollout_result: Option<(bool, String)>,
    ) -> Vec<PipelineEffect> {
        let mut effects = Vec::new();
        if let Some((promoted, note)) = rollout_result {
            effects.extend(self.finish_deploy(rollout_environment, promoted, &note, now_s));
        }
        let due: Vec<PlannedReview> = self
            .planned_reviews
            .iter()
            .filter(|r| r.due_s <= now_s)
            .cloned()
            .collect();
        self.planned_reviews.retain(|r| r.due_s > now_s);
        for planned in due {
            let Some(reviewer) = spec.reviewers.iter().find(|r| r.login == planned.reviewer) else {
                continue;
            };
            if let Ok(review) = self.review(
                spec,
                rollout_environment,
                &planned.environment,
                &reviewer.login,
                reviewer.decision,
                &reviewer.comment,
                now_s,
                Actor::Reviewer,
            ) {
                effects.extend(review);
            }
        }
        // Nothing to advance most seconds: every run has ended or waits for its group.
        let waiting_for_group = |number: u32| self.queued.iter().any(|(q, _)| *q == number);
        let active = (1..=self.runs.len() as u32).any(|number| {
            self.runs[number as usize - 1].conclusion.is_none() && !waiting_for_group(number)
        });
        if !active {
            return effects;
        }
        // The secrets are lent to this second's runs and put back after.
        let secrets = std::mem::take(&mut self.secrets);
        // The rules as they stand this second; a change made by a command applies from the next.
        let rules = self.rules.clone();
        let settings = self.settings(spec, &rules, rollout_environment, seed, &secrets);
        for index in 0..self.runs.len() {
            let number = index as u32 + 1;
            if self.runs[index].conclusion.is_some()
                || self.queued.iter().any(|(q, _)| *q == number)
            {
                continue;
            }
            let changes = self.runs[index].advance(now_s, &settings);
            for change in changes {
                effects.extend(self.effects_of(spec, number, change, now_s, seed));
            }
        }
        self.secrets = secrets;
        effects
    }

    fn settings<'a>(
        &self,
        spec: &'a PipelineSpec,
        rules: &'a LiveRules,
        rollout_environment: &'a str,
        seed: u64,
        secrets: &'a crate::pipeline::secrets::SecretStore,
    ) -> RunSettings<'a> {
        let policy = self.policy(spec);
        RunSettings {
            seed,
            environments: Some(&rules.environments),
            rollout_environment,
            windows: rules.windows.as_ref(),
            freeze: policy.freezes_deployments().then(|| {
                format!(
                    "Deployment freeze: the error budget policy is {} ({} of the budget left); only critical fixes (an emergency override with a reason) may deploy",
                    policy.label(),
                    crate::metrics::percent_label((spec.slo.remaining_ppm(self.budget_spent_s).max(0) / 100) as u32)
                )
            }),
            admins: &spec.admins,
            secrets: (!secrets.secrets.is_empty()).then_some(secrets),
            migration: self.release_migration,
        }
    }
}

/// The run's workflow-level concurrency group, evaluated, and its policy.
fn workflow_group(spec: &PipelineSpec, run: &WorkflowRun) -> Option<(String, GroupPolicy)> {
    spec.workflow.concurrency.as_ref().map(|c| {
        (
            interpolate(&c.group, &run.context(0)).unwrap_or_else(|_| c.group.clone()),
            c.policy(),
        )
    })
}

/// Job-level group members are keyed run × 1,000 + the job's index in its run.
const JOB_KEY_SPAN: u32 = 1_000;

fn job_key(runs: &[WorkflowRun], number: u32, job: &str) -> Option<u32> {
    let run = runs.get(number.checked_sub(1)? as usize)?;
    let index = run.jobs.iter().position(|j| j.id == job)? as u32;
    Some(number * JOB_KEY_SPAN + index)
}

fn alert_effect(change: crate::ops::alerts::AlertChange, environment: &str) -> PipelineEffect {
    let actor = if change.person.is_empty() {
        Actor::Monitor
    } else {
        Actor::Trainee
    };
    audit(
        actor,
        &change.person,
        change.action,
        environment,
        change.reason,
        change.outcome,
    )
}

fn audit(
    actor: Actor,
    person: &str,
    action: &str,
    environment: &str,
    reason: String,
    outcome: &str,
) -> PipelineEffect {
    PipelineEffect::Audit {
        actor,
        person: person.to_string(),
        action: action.to_string(),
        environment: environment.to_string(),
        reason,
        outcome: outcome.to_string(),
    }
}
