//! One job's way through a run: its needs and `if`, entering an environment (protection rules,
//! reviews, wait timers, windows), waiting, starting, and its result.

use crate::pipeline::environments::{EnvironmentSpec, GateState, ProtectionGate};
use crate::pipeline::expr::{evaluate_condition, interpolate};
use crate::pipeline::windows::WindowVerdict;
use crate::pipeline::workflow::JobKind;
use crate::prng::{Stream, approx_normal, keyed_u64};

use super::{JobResult, JobStatus, RunChange, RunSettings, WorkflowRun};

impl WorkflowRun {
    pub(super) fn advance_job(
        &mut self,
        index: u32,
        now_s: u64,
        settings: &RunSettings,
        changes: &mut Vec<RunChange>,
    ) {
        let i = index as usize;
        let spec = self.workflow.jobs[i].clone();
        match self.jobs[i].status.clone() {
            JobStatus::Pending => {
                let needs_done = spec.needs.iter().all(|need| {
                    self.job(need)
                        .is_some_and(|j| matches!(j.status, JobStatus::Completed { .. }))
                });
                if !needs_done {
                    return;
                }
                let context = self.context(index);
                let condition = spec.condition.as_deref().unwrap_or("success()");
                let runs = match evaluate_condition(condition, &context) {
                    Ok(runs) => runs,
                    Err(problem) => {
                        self.complete(
                            index,
                            JobResult::Failure,
                            None,
                            now_s,
                            &format!("the if condition cannot be evaluated: {problem}"),
                            changes,
                        );
                        return;
                    }
                };
                if !runs {
                    let note = if !context.success && spec.condition.is_none() {
                        // success() looks at every ancestor, not only the direct needs.
                        let blocking: Vec<String> = self
                            .workflow
                            .ancestors(&spec.id)
                            .into_iter()
                            .filter(|id| {
                                !matches!(
                                    self.job(id).map(|j| &j.status),
                                    Some(JobStatus::Completed {
                                        result: JobResult::Success,
                                        ..
                                    })
                                )
                            })
                            .collect();
                        if blocking.iter().any(|b| spec.needs.contains(b)) {
                            format!(
                                "skipped: needed job {} did not succeed",
                                blocking
                                    .iter()
                                    .filter(|b| spec.needs.contains(b))
                                    .cloned()
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        } else {
                            format!(
                                "skipped: earlier job {} did not succeed, and success() looks at every job before this one",
                                blocking.join(", ")
                            )
                        }
                    } else {
                        format!("skipped: if: {condition} is false")
                    };
                    self.complete(index, JobResult::Skipped, None, now_s, &note, changes);
                    return;
                }
                if spec.simulation.kind == JobKind::Tests
                    && self
                        .trigger
                        .emergency
                        .as_ref()
                        .is_some_and(|e| e.skip_tests)
                {
                    let note = format!(
                        "skipped by the emergency override: {}",
                        self.trigger
                            .emergency
                            .as_ref()
                            .map(|e| e.reason.as_str())
                            .unwrap_or_default()
                    );
                    self.complete(index, JobResult::Skipped, None, now_s, &note, changes);
                    return;
                }
                if let Some(environment) = &spec.environment {
                    let name = interpolate(&environment.name, &context)
                        .unwrap_or_else(|_| environment.name.clone());
                    self.jobs[i].environment = Some(name);
                }
                // Job-level concurrency: the job waits until its group lets it in.
                if let Some(concurrency) = &spec.concurrency {
                    let group = interpolate(&concurrency.group, &context)
                        .unwrap_or_else(|_| concurrency.group.clone());
                    self.jobs[i].group = Some((group.clone(), false));
                    self.jobs[i].status = JobStatus::Waiting(format!(
                        "Pending: waiting for concurrency group '{group}'"
                    ));
                    changes.push(RunChange::JobQueued {
                        job: spec.id.clone(),
                        group,
                        policy: concurrency.policy(),
                    });
                    return;
                }
                self.proceed(index, now_s, settings, changes);
            }
            JobStatus::Waiting(_) => {
                if self.jobs[i]
                    .group
                    .as_ref()
                    .is_some_and(|(_, admitted)| !admitted)
                {
                    return;
                }
                self.proceed(index, now_s, settings, changes);
            }
            JobStatus::InProgress {
                started_s,
                ends_s,
                fails,
            } if now_s >= ends_s => {
                let (result, note) = if fails {
                    (
                        JobResult::Failure,
                        match spec.simulation.kind {
                            JobKind::Tests => {
                                "a test failed (flaky: it may pass on a re-run)".to_string()
                            }
                            JobKind::Migration => {
                                let quarter = crate::time::duration_label((ends_s - started_s) / 4);
                                format!(
                                    "backed up the database ({quarter}), the migration failed, and the database was restored from the backup ({quarter})"
                                )
                            }
                            _ => "a step exited with code 1".to_string(),
                        },
                    )
                } else if spec.simulation.kind == JobKind::Migration {
                    use crate::version::SchemaMigration;
                    let total = ends_s - started_s;
                    let what = match settings.migration {
                        SchemaMigration::None => "found no schema change to apply",
                        SchemaMigration::Compatible => "applied a backward-compatible migration",
                        SchemaMigration::Breaking => {
                            "applied a BREAKING migration: the running version cannot read the new schema, and a rollback will not undo it"
                        }
                        SchemaMigration::Failing => "applied the migration",
                    };
                    (
                        JobResult::Success,
                        format!(
                            "backed up the database ({}), then {what} ({})",
                            crate::time::duration_label(total / 3),
                            crate::time::duration_label(total - total / 3)
                        ),
                    )
                } else {
                    (
                        JobResult::Success,
                        format!("took {}", crate::time::duration_label(ends_s - started_s)),
                    )
                };
                self.complete(index, result, Some(started_s), now_s, &note, changes);
            }
            JobStatus::InProgress { .. }
            | JobStatus::Deploying { .. }
            | JobStatus::Completed { .. } => {}
        }
    }
    /// The checks before a job that deploys to `environment` may run, in GitHub's order and
    /// then the course's: the branch policy, the deployment window and the error-budget freeze
    /// (for the rollout environment), and the protection rules.
    pub(super) fn enter_environment(
        &mut self,
        index: u32,
        environment: &str,
        now_s: u64,
        settings: &RunSettings,
        changes: &mut Vec<RunChange>,
    ) {
        let i = index as usize;
        let spec = settings
            .environments
            .and_then(|e| e.get(environment))
            .cloned()
            .unwrap_or_else(|| EnvironmentSpec::unprotected(environment));
        if let Err(refused) = spec.allows_ref(&self.trigger.git_ref) {
            self.complete(index, JobResult::Failure, None, now_s, &refused, changes);
            return;
        }
        let is_rollout = environment == settings.rollout_environment;
        if is_rollout && self.trigger.emergency.is_none() {
            if let Some(freeze) = &settings.freeze {
                self.complete(index, JobResult::Failure, None, now_s, freeze, changes);
                return;
            }
            if let Some(WindowVerdict::Blocked { reason, .. }) =
                settings.windows.map(|w| w.check(now_s))
            {
                self.wait(index, environment, format!("Blocked: {reason}"), changes);
                return;
            }
        }
        if spec.is_protected() {
            let gate = self.jobs[i]
                .gate
                .get_or_insert_with(|| ProtectionGate::new(&spec, &self.trigger.actor, now_s))
                .clone();
            if let Some((reviewer, comment, at_s, bypass)) = &gate.approved {
                self.jobs[i].review =
                    Some((reviewer.clone(), comment.clone(), *at_s, true, *bypass));
            } else if let Some((reviewer, comment)) = &gate.rejected {
                self.jobs[i].review =
                    Some((reviewer.clone(), comment.clone(), now_s, false, false));
            }
            match gate.state(&spec, now_s) {
                GateState::Passed => {}
                GateState::Waiting(reason) => {
                    self.wait(index, environment, reason, changes);
                    return;
                }
                GateState::Rejected(reason) => {
                    self.jobs[i].gate = None;
                    self.complete(index, JobResult::Failure, None, now_s, &reason, changes);
                    return;
                }
                GateState::Expired => {
                    self.jobs[i].gate = None;
                    self.complete(
                        index,
                        JobResult::Failure,
                        None,
                        now_s,
                        "no reviewer approved within 30 days",
                        changes,
                    );
                    return;
                }
            }
        }
        self.jobs[i].gate = None;
        if !self.jobs[i].deployment {
            self.jobs[i].deployment = true;
            changes.push(RunChange::DeploymentCreated {
                job: self.jobs[i].id.clone(),
                environment: environment.to_string(),
            });
        }
        let takes_the_strategy = self
            .strategy_job
            .as_ref()
            .is_none_or(|job| *job == self.jobs[i].id);
        if is_rollout
            && self.workflow.jobs[i].simulation.kind == JobKind::Deploy
            && takes_the_strategy
        {
            if let Some(problem) = self.missing_secret(index, Some(environment), now_s, settings) {
                self.complete(index, JobResult::Failure, None, now_s, &problem, changes);
                return;
            }
            self.strategy_job = Some(self.jobs[i].id.clone());
            self.jobs[i].status = JobStatus::Deploying { started_s: now_s };
            changes.push(RunChange::DeployStarted {
                job: self.jobs[i].id.clone(),
                environment: environment.to_string(),
            });
        } else {
            self.start(index, now_s, settings, changes);
        }
    }
    /// Lets a job whose needs, condition and group allow it go on: into its environment's
    /// rules, or straight to work.
    pub(super) fn proceed(
        &mut self,
        index: u32,
        now_s: u64,
        settings: &RunSettings,
        changes: &mut Vec<RunChange>,
    ) {
        match self.jobs[index as usize].environment.clone() {
            Some(name) => self.enter_environment(index, &name, now_s, settings, changes),
            None => self.start(index, now_s, settings, changes),
        }
    }
    pub(super) fn wait(
        &mut self,
        index: u32,
        environment: &str,
        reason: String,
        changes: &mut Vec<RunChange>,
    ) {
        let i = index as usize;
        // What the job waits for, not the countdown in the words, decides whether it is news.
        let kind = |reason: &str| {
            if reason.starts_with("Blocked") {
                0
            } else if reason.starts_with("Pending") {
                3
            } else if reason.contains("review") {
                1
            } else {
                2
            }
        };
        let news = match &self.jobs[i].status {
            JobStatus::Waiting(previous) => kind(previous) != kind(&reason),
            _ => true,
        };
        self.jobs[i].status = JobStatus::Waiting(reason.clone());
        if news {
            self.jobs[i].deployment = true;
            changes.push(RunChange::JobWaiting {
                job: self.jobs[i].id.clone(),
                environment: environment.to_string(),
                reason,
            });
        }
    }
    pub(super) fn start(
        &mut self,
        index: u32,
        now_s: u64,
        settings: &RunSettings,
        changes: &mut Vec<RunChange>,
    ) {
        let i = index as usize;
        let environment = self.jobs[i].environment.clone();
        if let Some(problem) = self.missing_secret(index, environment.as_deref(), now_s, settings) {
            self.complete(index, JobResult::Failure, None, now_s, &problem, changes);
            return;
        }
        let simulation = &self.workflow.jobs[i].simulation;
        let key = (u64::from(self.number) << 32) | u64::from(index);
        let attempt = u64::from(self.jobs[i].attempt);
        let z = approx_normal(keyed_u64(settings.seed, Stream::Pipeline, key, attempt * 2));
        let sigma = libm::log(1.0 + f64::from(simulation.spread_percent) / 100.0);
        let duration_s = (f64::from(simulation.median_s) * libm::exp(sigma * z))
            .round()
            .max(1.0) as u64;
        let fails = keyed_u64(settings.seed, Stream::Pipeline, key, attempt * 2 + 1) % 10_000
            < u64::from(simulation.flaky_bp);
        // A migration job backs the database up first (a third of its time), then migrates;
        // a failing migration is restored from that backup, which takes as long again.
        let (duration_s, fails) = match (simulation.kind, settings.migration) {
            (JobKind::Migration, crate::version::SchemaMigration::Failing) => {
                (duration_s + duration_s / 3, true)
            }
            _ => (duration_s, fails),
        };
        self.jobs[i].status = JobStatus::InProgress {
            started_s: now_s,
            ends_s: now_s + duration_s,
            fails,
        };
        changes.push(RunChange::JobStarted {
            job: self.jobs[i].id.clone(),
        });
    }
    /// The first secret a job's steps use that it cannot have: missing, expired, or another
    /// environment's. A job runs with its environment's secrets only once its rules passed,
    /// which by the time it starts they have.
    pub(super) fn missing_secret(
        &self,
        index: u32,
        environment: Option<&str>,
        now_s: u64,
        settings: &RunSettings,
    ) -> Option<String> {
        let store = settings.secrets?;
        let spec = &self.workflow.jobs[index as usize];
        spec.steps
            .iter()
            .filter_map(|step| step.run.as_deref())
            .flat_map(crate::pipeline::secrets::referenced_secrets)
            .find_map(|name| {
                store
                    .resolve(&name, environment, environment.is_some(), now_s)
                    .err()
                    .map(|why| format!("Error: {why}"))
            })
    }
    pub(super) fn complete(
        &mut self,
        index: u32,
        result: JobResult,
        started_s: Option<u64>,
        now_s: u64,
        note: &str,
        changes: &mut Vec<RunChange>,
    ) {
        let i = index as usize;
        self.jobs[i].status = JobStatus::Completed {
            result,
            started_s,
            finished_s: now_s,
            note: note.to_string(),
        };
        changes.push(RunChange::JobCompleted {
            job: self.jobs[i].id.clone(),
            result,
            note: note.to_string(),
        });
    }
}
