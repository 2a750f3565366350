//! One run of a workflow over simulated time, with GitHub Actions' job semantics
//! (semantics.md §2.6, trap 10): a job starts when every job it `needs` has finished and its
//! `if` holds (implicitly `success()`), so a failed or skipped need skips it unless its
//! condition says `always()`, `failure()` or `cancelled()`; results are success, failure,
//! cancelled or skipped; a job that deploys to a protected environment shows "Waiting" until
//! its protection rules pass; "Re-run failed jobs" runs the failed and cancelled jobs and their
//! dependents again, keeping the successful ones.
//!
//! Durations are drawn per job and attempt from the seed (log-normal around the job's median),
//! and a flaky job fails at its set rate. A production deployment also waits for the
//! deployment window (an emergency override with a reason skips the wait, and may skip the
//! tests) and is refused during an error-budget freeze unless it is an emergency fix.

mod jobs;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::pipeline::concurrency::GroupPolicy;
use crate::pipeline::environments::{EnvironmentSpec, GitRef, ProtectionGate, Review};
use crate::pipeline::expr::{Context, Value};
use crate::pipeline::windows::{DeploymentWindows, EmergencyOverride};
use crate::pipeline::workflow::Workflow;

/// What started a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    /// `push`, `pull_request`, `workflow_dispatch` or `schedule`.
    pub event: String,
    /// The ref.
    pub git_ref: GitRef,
    /// The commit.
    pub sha: String,
    /// Who triggered it (a login).
    pub actor: String,
    /// `workflow_dispatch` inputs.
    pub inputs: BTreeMap<String, String>,
    /// An emergency override of the deployment window, with its reason.
    pub emergency: Option<EmergencyOverride>,
    /// For a pull request, the branch it merges into (`github.base_ref`); its ref is then
    /// the merge ref `<number>/merge`.
    #[serde(default)]
    pub base_ref: Option<String>,
}

impl Trigger {
    /// The ref in words: `main`, `tag v3`, or a pull request's `1/merge into main`.
    pub fn ref_label(&self) -> String {
        match &self.base_ref {
            Some(base) => format!("{} into {base}", self.git_ref.label()),
            None => self.git_ref.label(),
        }
    }
}

/// A job's result (`needs.<job>.result`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobResult {
    /// It succeeded.
    Success,
    /// It failed.
    Failure,
    /// It was cancelled.
    Cancelled,
    /// It did not run.
    Skipped,
}

impl JobResult {
    /// GitHub's word for it.
    pub fn label(self) -> &'static str {
        match self {
            JobResult::Success => "success",
            JobResult::Failure => "failure",
            JobResult::Cancelled => "cancelled",
            JobResult::Skipped => "skipped",
        }
    }
}

/// Where a job is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobStatus {
    /// Its needs have not all finished.
    Pending,
    /// Held by an environment's protection rules or the deployment window: why.
    Waiting(String),
    /// Running until `ends_s`; `fails` decides how it ends.
    InProgress {
        /// When it started (unix seconds).
        started_s: u64,
        /// When it ends.
        ends_s: u64,
        /// Whether it ends in failure.
        fails: bool,
    },
    /// Deploying with the rollout strategy; it ends when the rollout does.
    Deploying {
        /// When it started.
        started_s: u64,
    },
    /// Finished.
    Completed {
        /// How.
        result: JobResult,
        /// When it started, if it ran.
        started_s: Option<u64>,
        /// When it finished.
        finished_s: u64,
        /// Why, in words.
        note: String,
    },
}

/// One job of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRun {
    /// The job's id.
    pub id: String,
    /// Where it is.
    pub status: JobStatus,
    /// Attempts so far (1 for the first run).
    pub attempt: u32,
    /// Its environment, once evaluated.
    pub environment: Option<String>,
    /// Its protection gate, while it has one.
    pub gate: Option<ProtectionGate>,
    /// The review that let it through or stopped it: (reviewer, comment, unix seconds,
    /// approved, by admin bypass).
    #[serde(default)]
    pub review: Option<(String, String, u64, bool, bool)>,
    /// Its job-level concurrency group, and whether the group has let it in.
    #[serde(default)]
    pub group: Option<(String, bool)>,
    /// True once this attempt has a deployment to its environment (GitHub creates one when a
    /// job reaches its environment, whether it then waits or starts).
    #[serde(default)]
    pub deployment: bool,
}

impl JobRun {
    /// Ends the job as cancelled if it is running or waiting (or, with `pending_too`, not yet
    /// started); false when there was nothing to cancel.
    fn cancel_now(&mut self, why: &str, now_s: u64, pending_too: bool) -> bool {
        let started_s = match self.status {
            JobStatus::InProgress { started_s, .. } | JobStatus::Deploying { started_s } => {
                Some(started_s)
            }
            JobStatus::Waiting(_) => None,
            JobStatus::Pending if pending_too => None,
            JobStatus::Pending | JobStatus::Completed { .. } => return false,
        };
        self.status = JobStatus::Completed {
            result: JobResult::Cancelled,
            started_s,
            finished_s: now_s,
            note: why.to_string(),
        };
        self.gate = None;
        true
    }
}

/// What happened during a step of the run, for the audit trail and the UI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunChange {
    /// A job started.
    JobStarted {
        /// The job.
        job: String,
    },
    /// A job waits for reviewers, a timer or the window.
    JobWaiting {
        /// The job.
        job: String,
        /// The environment.
        environment: String,
        /// Why.
        reason: String,
    },
    /// A job finished.
    JobCompleted {
        /// The job.
        job: String,
        /// How.
        result: JobResult,
        /// Why.
        note: String,
    },
    /// A job reached its environment without waiting: its deployment is created as it starts.
    DeploymentCreated {
        /// The job.
        job: String,
        /// The environment.
        environment: String,
    },
    /// A job deploys to the rollout environment: the strategy takes over.
    DeployStarted {
        /// The job.
        job: String,
        /// The environment.
        environment: String,
    },
    /// A job with job-level `concurrency` asks its group to let it in.
    JobQueued {
        /// The job.
        job: String,
        /// The group, evaluated.
        group: String,
        /// `cancel-in-progress` and `queue`.
        policy: GroupPolicy,
    },
    /// The run finished.
    RunCompleted {
        /// Its conclusion.
        conclusion: JobResult,
    },
}

/// What a run needs from the world around it.
#[derive(Clone, Debug, Default)]
pub struct RunSettings<'a> {
    /// The seed, for durations and flaky failures.
    pub seed: u64,
    /// Environments by name.
    pub environments: Option<&'a BTreeMap<String, EnvironmentSpec>>,
    /// The environment the strategy rolls out to.
    pub rollout_environment: &'a str,
    /// Deployment windows for that environment.
    pub windows: Option<&'a DeploymentWindows>,
    /// Set while the error budget policy freezes deployments: why.
    pub freeze: Option<String>,
    /// Logins of admins (who may bypass protection rules).
    pub admins: &'a [String],
    /// Secrets; `None` when the scenario does not simulate them.
    pub secrets: Option<&'a crate::pipeline::secrets::SecretStore>,
    /// The schema migration the release brings, for a migration job.
    pub migration: crate::version::SchemaMigration,
}

/// A run of a workflow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRun {
    /// The run number.
    pub number: u32,
    /// What it runs.
    pub workflow: Workflow,
    /// What started it.
    pub trigger: Trigger,
    /// When it was created (unix seconds).
    pub created_s: u64,
    /// The jobs, in the workflow's order.
    pub jobs: Vec<JobRun>,
    /// Set when the run was cancelled: why.
    pub cancelled: Option<String>,
    /// Attempts of the run (re-runs add one).
    pub attempt: u32,
    /// Its conclusion, once every job has finished.
    pub conclusion: Option<JobResult>,
    /// The job that deployed with the rollout strategy; later jobs for the same environment
    /// (a traffic switch, a notification) run as ordinary work.
    #[serde(default)]
    pub strategy_job: Option<String>,
}

impl WorkflowRun {
    /// Run `number` of `workflow`, started by `trigger` at `now_s`.
    pub fn new(number: u32, workflow: Workflow, trigger: Trigger, now_s: u64) -> WorkflowRun {
        let jobs = workflow
            .jobs
            .iter()
            .map(|job| JobRun {
                id: job.id.clone(),
                status: JobStatus::Pending,
                attempt: 1,
                environment: None,
                gate: None,
                review: None,
                group: None,
                deployment: false,
            })
            .collect();
        WorkflowRun {
            number,
            workflow,
            trigger,
            created_s: now_s,
            jobs,
            cancelled: None,
            attempt: 1,
            conclusion: None,
            strategy_job: None,
        }
    }

    /// The job with this id.
    pub fn job(&self, id: &str) -> Option<&JobRun> {
        self.jobs.iter().find(|j| j.id == id)
    }

    /// Moves the run to `now_s`: finishes jobs whose time is up, starts or skips jobs whose
    /// needs have finished, and checks waiting jobs' rules. Returns what changed, in order.
    pub fn advance(&mut self, now_s: u64, settings: &RunSettings) -> Vec<RunChange> {
        let mut changes = Vec::new();
        if self.conclusion.is_some() {
            return changes;
        }
        // Several passes: a job finishing can let the next one start at the same second.
        loop {
            let before = changes.len();
            for index in 0..self.jobs.len() {
                self.advance_job(index as u32, now_s, settings, &mut changes);
            }
            if changes.len() == before {
                break;
            }
        }
        if self
            .jobs
            .iter()
            .all(|j| matches!(j.status, JobStatus::Completed { .. }))
        {
            let conclusion = self.compute_conclusion();
            self.conclusion = Some(conclusion);
            changes.push(RunChange::RunCompleted { conclusion });
        }
        changes
    }

    /// A reviewer's decision on the job waiting for `environment`.
    pub fn review(
        &mut self,
        environment: &str,
        reviewer: &str,
        review: Review,
        comment: &str,
        now_s: u64,
        settings: &RunSettings,
    ) -> Result<String, String> {
        let spec = settings
            .environments
            .and_then(|e| e.get(environment))
            .ok_or_else(|| format!("there is no environment called {environment}"))?;
        let job = self
            .jobs
            .iter_mut()
            .find(|j| {
                j.gate
                    .as_ref()
                    .is_some_and(|g| g.environment == environment)
            })
            .ok_or_else(|| {
                format!(
                    "no job of run #{} is waiting for {environment}",
                    self.number
                )
            })?;
        let is_admin = settings.admins.iter().any(|a| a == reviewer);
        let gate = job.gate.as_mut().expect("found by its gate");
        gate.review(spec, reviewer, is_admin, review, comment, now_s)?;
        Ok(job.id.clone())
    }

    /// The strategy's rollout for `job` ended: promoted or not.
    pub fn finish_deploy(&mut self, job: &str, success: bool, note: &str, now_s: u64) {
        if let Some(run) = self.jobs.iter_mut().find(|j| j.id == job)
            && let JobStatus::Deploying { started_s } = run.status
        {
            run.status = JobStatus::Completed {
                result: if success {
                    JobResult::Success
                } else {
                    JobResult::Failure
                },
                started_s: Some(started_s),
                finished_s: now_s,
                note: note.to_string(),
            };
        }
    }

    /// Cancels the run: jobs in progress or waiting end cancelled; pending ones are then
    /// decided by their conditions (`always()` and `cancelled()` still run).
    pub fn cancel(&mut self, why: &str, now_s: u64) -> Vec<RunChange> {
        let mut changes = Vec::new();
        if self.conclusion.is_some() {
            return changes;
        }
        self.cancelled = Some(why.to_string());
        for job in &mut self.jobs {
            if !job.cancel_now(why, now_s, false) {
                continue;
            }
            changes.push(RunChange::JobCompleted {
                job: job.id.clone(),
                result: JobResult::Cancelled,
                note: why.to_string(),
            });
        }
        changes
    }

    /// "Re-run failed jobs": failed and cancelled jobs, and every job that depends on one of
    /// them, run again as a new attempt; successful jobs keep their results.
    pub fn rerun_failed(&mut self) -> Result<Vec<String>, String> {
        if self.conclusion.is_none() {
            return Err(format!("run #{} is still running", self.number));
        }
        let failed: Vec<String> = self
            .jobs
            .iter()
            .filter(|j| {
                matches!(
                    j.status,
                    JobStatus::Completed {
                        result: JobResult::Failure | JobResult::Cancelled,
                        ..
                    }
                )
            })
            .map(|j| j.id.clone())
            .collect();
        if failed.is_empty() {
            return Err(format!("run #{} has no failed jobs to re-run", self.number));
        }
        let again: Vec<String> = self
            .workflow
            .jobs
            .iter()
            .filter(|job| {
                failed.contains(&job.id)
                    || self
                        .workflow
                        .ancestors(&job.id)
                        .iter()
                        .any(|a| failed.contains(a))
            })
            .map(|job| job.id.clone())
            .collect();
        for job in &mut self.jobs {
            if again.contains(&job.id) {
                job.status = JobStatus::Pending;
                job.attempt += 1;
                job.gate = None;
                job.review = None;
                job.group = None;
                job.deployment = false;
            }
        }
        self.attempt += 1;
        self.cancelled = None;
        self.conclusion = None;
        Ok(again)
    }

    /// The expression context of job `index`.
    pub fn context(&self, index: u32) -> Context {
        let spec = &self.workflow.jobs[index as usize];
        let mut context = Context::default();
        let trigger = &self.trigger;
        let prefix = if trigger.git_ref.tag {
            "refs/tags/"
        } else if trigger.base_ref.is_some() {
            "refs/pull/"
        } else {
            "refs/heads/"
        };
        if let Some(base) = &trigger.base_ref {
            context.set("github.base_ref", base);
            context.set("github.head_ref", "feature/change");
        }
        context.set("github.ref", &format!("{prefix}{}", trigger.git_ref.name));
        context.set("github.ref_name", &trigger.git_ref.name);
        context.set(
            "github.ref_type",
            if trigger.git_ref.tag { "tag" } else { "branch" },
        );
        context.set("github.event_name", &trigger.event);
        context.set("github.sha", &trigger.sha);
        context.set("github.actor", &trigger.actor);
        context.set("github.workflow", &self.workflow.name);
        context.set("github.run_number", &self.number.to_string());
        for (name, value) in &trigger.inputs {
            let value = match value.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(value.clone()),
            };
            context
                .properties
                .insert(format!("inputs.{name}"), value.clone());
            context
                .properties
                .insert(format!("github.event.inputs.{name}"), value);
        }
        let ancestors = self.workflow.ancestors(&spec.id);
        let result_of = |id: &str| {
            self.job(id).and_then(|j| match j.status {
                JobStatus::Completed { result, .. } => Some(result),
                _ => None,
            })
        };
        for need in &spec.needs {
            if let Some(result) = result_of(need) {
                context.set(&format!("needs.{need}.result"), result.label());
            }
        }
        // success(): every ancestor succeeded (a skipped one does not count as success here);
        // failure(): any ancestor failed.
        context.success = ancestors
            .iter()
            .all(|a| result_of(a) == Some(JobResult::Success));
        context.failure = ancestors
            .iter()
            .any(|a| result_of(a) == Some(JobResult::Failure));
        context.cancelled = self.cancelled.is_some();
        context
    }

    fn compute_conclusion(&self) -> JobResult {
        let results: Vec<JobResult> = self
            .jobs
            .iter()
            .filter_map(|j| match j.status {
                JobStatus::Completed { result, .. } => Some(result),
                _ => None,
            })
            .collect();
        if self.cancelled.is_some() {
            JobResult::Cancelled
        } else if results.contains(&JobResult::Failure) {
            JobResult::Failure
        } else if results.iter().all(|r| *r == JobResult::Skipped) {
            JobResult::Skipped
        } else {
            JobResult::Success
        }
    }

    /// The job's concurrency group let it in.
    pub fn admit_job(&mut self, job: &str) {
        if let Some(run) = self.jobs.iter_mut().find(|j| j.id == job)
            && let Some((_, admitted)) = run.group.as_mut()
        {
            *admitted = true;
        }
    }

    /// The group cancelled `job` (a newer one took its place, or `cancel-in-progress`).
    pub fn cancel_job(&mut self, job: &str, why: &str, now_s: u64) -> bool {
        let Some(run) = self.jobs.iter_mut().find(|j| j.id == job) else {
            return false;
        };
        run.cancel_now(why, now_s, true)
    }
}
