//! What the runs' changes mean outside them: audit records, deployment statuses, rollouts to start,
//! alerts to raise.

use crate::audit::Actor;
use crate::pipeline::run::{JobResult, RunChange};

use super::{PipelineEffect, PipelineSpec, PipelineState, audit, workflow_group};

impl PipelineState {
    pub(super) fn effects_of(
        &mut self,
        spec: &PipelineSpec,
        number: u32,
        change: RunChange,
        now_s: u64,
        seed: u64,
    ) -> Vec<PipelineEffect> {
        let run = &self.runs[number as usize - 1];
        let environment_of = |job: &str| {
            run.job(job)
                .and_then(|j| j.environment.clone())
                .unwrap_or_default()
        };
        // A job that deploys to an environment without the strategy: its deployment's statuses
        // follow the job.
        let plain_deployment = |job: &str| {
            run.job(job)
                .is_some_and(|j| j.deployment && j.environment.is_some())
                && run.strategy_job.as_deref() != Some(job)
        };
        match change {
            RunChange::JobStarted { job } => {
                let environment = environment_of(&job);
                let mut effects = vec![audit(
                    Actor::Pipeline,
                    "",
                    "workflows.prepared_workflow_job",
                    &environment,
                    format!("run #{number}: {job} started"),
                    "",
                )];
                if plain_deployment(&job) {
                    effects.push(audit(
                        Actor::Pipeline,
                        "",
                        "deployment_status.created",
                        &environment,
                        format!("run #{number} {job}: state in_progress"),
                        "",
                    ));
                }
                effects
            }
            RunChange::DeploymentCreated { job, environment } => vec![audit(
                Actor::Pipeline,
                "",
                "deployment.created",
                &environment,
                format!("run #{number}: {job} created a deployment to {environment}"),
                "created",
            )],
            RunChange::JobWaiting {
                job,
                environment,
                reason,
            } => {
                let effect = audit(
                    Actor::Pipeline,
                    "",
                    "deployment.created",
                    &environment,
                    format!("run #{number}: {job} is waiting: {reason}"),
                    if reason.starts_with("Blocked") {
                        "blocked"
                    } else {
                        "waiting"
                    },
                );
                if reason.contains("review") {
                    self.plan_reviews(spec, number, &environment, now_s, seed);
                }
                vec![effect]
            }
            RunChange::DeployStarted { job, environment } => {
                self.deploying = Some((number, job.clone()));
                let sha = run.trigger.sha.clone();
                let flag = run
                    .trigger
                    .emergency
                    .as_ref()
                    .map(|e| format!("; {}", e.flag()))
                    .unwrap_or_default();
                vec![
                    audit(
                        Actor::Pipeline,
                        "",
                        "deployment_status.created",
                        &environment,
                        format!(
                            "run #{number} {job}: state in_progress, the rollout of {sha} starts{flag}"
                        ),
                        if flag.is_empty() { "" } else { "overridden" },
                    ),
                    PipelineEffect::StartRollout { run: number, sha },
                ]
            }
            RunChange::JobCompleted { job, result, note } => {
                let effect = audit(
                    Actor::Pipeline,
                    "",
                    "workflow_job.completed",
                    &environment_of(&job),
                    format!("run #{number}: {job} {}: {note}", result.label()),
                    match result {
                        JobResult::Success => "success",
                        JobResult::Failure => "failure",
                        JobResult::Cancelled => "cancelled",
                        JobResult::Skipped => "skipped",
                    },
                );
                let mut effects = vec![effect];
                if plain_deployment(&job) && result != JobResult::Skipped {
                    // GitHub's deployment states have no "cancelled": a cancelled job's
                    // deployment ends in failure.
                    let (state, reason) = if result == JobResult::Success {
                        ("success", format!("run #{number} {job}: state success"))
                    } else {
                        (
                            "failure",
                            format!(
                                "run #{number} {job}: state failure (the job's result: {})",
                                result.label()
                            ),
                        )
                    };
                    let environment = environment_of(&job);
                    effects.push(audit(
                        Actor::Pipeline,
                        "",
                        "deployment_status.created",
                        &environment,
                        reason,
                        state,
                    ));
                    if state == "success" {
                        effects.extend(self.supersede(&environment, number, &job));
                    }
                }
                effects.extend(self.release_job_group(number, &job));
                effects
            }
            RunChange::JobQueued { job, group, policy } => {
                self.queue_job(number, &job, &group, policy, now_s)
            }
            RunChange::RunCompleted { conclusion } => {
                let mut effects = vec![audit(
                    Actor::Pipeline,
                    "",
                    "workflows.completed_workflow_run",
                    "",
                    format!("run #{number} completed: {}", conclusion.label()),
                    conclusion.label(),
                )];
                if let Some((group, _)) = workflow_group(spec, run)
                    && let Some(next) = self.groups.release(&group, number)
                {
                    self.queued.retain(|(q, _)| *q != next);
                    effects.push(audit(
                        Actor::Pipeline,
                        "",
                        "workflow_run.in_progress",
                        "",
                        format!("run #{next} leaves the queue of '{group}'"),
                        "",
                    ));
                }
                effects
            }
        }
    }
    /// A deployment of `job` in run `run` succeeded in `environment`: it is the active one now,
    /// and (GitHub's `auto_inactive`) the one before it turns inactive, unless the environment
    /// is `production`, whose deployments are production deployments and stay as they were.
    pub(super) fn supersede(
        &mut self,
        environment: &str,
        run: u32,
        job: &str,
    ) -> Vec<PipelineEffect> {
        let previous = self
            .active_deployments
            .insert(environment.to_string(), (run, job.to_string()));
        match previous {
            Some((previous_run, previous_job)) if environment != "production" => vec![audit(
                Actor::Pipeline,
                "",
                "deployment_status.created",
                environment,
                format!(
                    "run #{previous_run} {previous_job}: state inactive (run #{run} {job} deployed to {environment} since)"
                ),
                "inactive",
            )],
            _ => Vec::new(),
        }
    }
}
