//! The auditor's report (course material 000): every production deployment with who triggered
//! it, who approved it and when, the branch and commit, the checks that passed (and those that
//! did not run), any emergency override with its reason, and how the deployment ended.

use serde::Serialize;

use crate::pipeline::run::{JobResult, JobStatus};
use crate::pipeline::state::PipelineState;
use crate::time::UtcDateTime;

/// One production deployment, as an auditor reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProductionDeployment {
    /// The workflow run.
    pub run: u32,
    /// The job that deployed.
    pub job: String,
    /// Who triggered the run.
    pub triggered_by: String,
    /// The event (`push`, `workflow_dispatch`, ...).
    pub event: String,
    /// The branch or tag.
    pub git_ref: String,
    /// The commit.
    pub commit_sha: String,
    /// When the run started, UTC.
    pub started_utc: String,
    /// Who approved (or rejected) it, when, and what they wrote; `admin bypass` when an admin
    /// skipped the rules.
    pub review: Option<String>,
    /// Jobs before it that passed.
    pub checks_passed: Vec<String>,
    /// Jobs before it that did not pass, with their result.
    pub checks_not_passed: Vec<String>,
    /// The emergency override, with its reason.
    pub emergency_override: Option<String>,
    /// `success`, `failure`, `in progress`, `waiting` or `refused: ...`.
    pub result: String,
}

/// Every run's production deployment (a run whose production job did not run is listed with
/// why, since an auditor asks about refused deployments too).
pub fn production_deployments(
    state: &PipelineState,
    production: &str,
) -> Vec<ProductionDeployment> {
    state
        .runs
        .iter()
        .filter_map(|run| {
            let job_spec = run.workflow.jobs.iter().find(|job| {
                job.environment
                    .as_ref()
                    .is_some_and(|e| e.name == production || e.name.contains("production"))
            })?;
            let job = run.job(&job_spec.id)?;
            let result = match &job.status {
                JobStatus::Pending => "not reached".to_string(),
                JobStatus::Waiting(reason) => format!("waiting: {reason}"),
                JobStatus::InProgress { .. } | JobStatus::Deploying { .. } => {
                    "in progress".to_string()
                }
                JobStatus::Completed {
                    result: JobResult::Success,
                    ..
                } => "success".to_string(),
                JobStatus::Completed { result, note, .. } if note.starts_with(result.label()) => {
                    note.clone()
                }
                JobStatus::Completed { result, note, .. } => format!("{}: {note}", result.label()),
            };
            let mut checks_passed = Vec::new();
            let mut checks_not_passed = Vec::new();
            for ancestor in run.workflow.ancestors(&job_spec.id) {
                match run.job(&ancestor).map(|j| &j.status) {
                    Some(JobStatus::Completed {
                        result: JobResult::Success,
                        ..
                    }) => checks_passed.push(ancestor),
                    Some(JobStatus::Completed { result, .. }) => {
                        checks_not_passed.push(format!("{ancestor} ({})", result.label()))
                    }
                    _ => checks_not_passed.push(format!("{ancestor} (not finished)")),
                }
            }
            Some(ProductionDeployment {
                run: run.number,
                job: job_spec.id.clone(),
                triggered_by: run.trigger.actor.clone(),
                event: run.trigger.event.clone(),
                git_ref: run.trigger.ref_label(),
                commit_sha: run.trigger.sha.clone(),
                started_utc: UtcDateTime::from_unix_s(run.created_s).iso8601(),
                review: job
                    .review
                    .as_ref()
                    .map(|(reviewer, comment, at_s, approved, bypass)| {
                        format!(
                            "{} by {reviewer}{} at {}{}",
                            if *approved { "approved" } else { "rejected" },
                            if *bypass { " (admin bypass)" } else { "" },
                            UtcDateTime::from_unix_s(*at_s).iso8601(),
                            if comment.is_empty() {
                                String::new()
                            } else {
                                format!(": \"{comment}\"")
                            }
                        )
                    }),
                checks_passed,
                checks_not_passed,
                emergency_override: run.trigger.emergency.as_ref().map(|e| e.flag()),
                result,
            })
        })
        .collect()
}
