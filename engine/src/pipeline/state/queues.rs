//! Concurrency groups inside the pipeline: runs and jobs queued behind the one holding their group,
//! and released when it finishes.

use crate::audit::Actor;
use crate::pipeline::concurrency::GroupPolicy;

use super::{JOB_KEY_SPAN, PipelineEffect, PipelineState, audit, job_key};

impl PipelineState {
    /// A job of run `number` asks its job-level group `group` to let it in.
    pub(super) fn queue_job(
        &mut self,
        number: u32,
        job: &str,
        group: &str,
        policy: GroupPolicy,
        now_s: u64,
    ) -> Vec<PipelineEffect> {
        let Some(key) = job_key(&self.runs, number, job) else {
            return Vec::new();
        };
        let admission = self.groups.admit(group, key, policy);
        let mut effects = Vec::new();
        for (cancelled, message) in admission.cancelled {
            let (run, index) = (cancelled / JOB_KEY_SPAN, cancelled % JOB_KEY_SPAN);
            let Some(other) = self.runs.get_mut(run as usize - 1) else {
                continue;
            };
            let Some(other_job) = other.jobs.get(index as usize).map(|j| j.id.clone()) else {
                continue;
            };
            if other.cancel_job(&other_job, &message, now_s) {
                effects.push(audit(
                    Actor::Pipeline,
                    "",
                    "workflow_job.completed",
                    "",
                    format!("run #{run}: {other_job} cancelled: {message}"),
                    "cancelled",
                ));
            }
        }
        if admission.starts {
            if let Some(run) = self.runs.get_mut(number as usize - 1) {
                run.admit_job(job);
            }
        } else {
            effects.push(audit(
                Actor::Pipeline,
                "",
                "workflow_job.queued",
                "",
                format!("run #{number}: {job} waits for concurrency group '{group}'"),
                "waiting",
            ));
        }
        effects
    }
    /// A job with a job-level group finished: the group's pending job, if any, goes in.
    pub(super) fn release_job_group(&mut self, number: u32, job: &str) -> Vec<PipelineEffect> {
        let Some(run) = self.runs.get(number as usize - 1) else {
            return Vec::new();
        };
        let Some((group, _)) = run.job(job).and_then(|j| j.group.clone()) else {
            return Vec::new();
        };
        let Some(key) = job_key(&self.runs, number, job) else {
            return Vec::new();
        };
        let Some(next) = self.groups.release(&group, key) else {
            return Vec::new();
        };
        let (next_run, index) = (next / JOB_KEY_SPAN, next % JOB_KEY_SPAN);
        let Some(other) = self.runs.get_mut(next_run as usize - 1) else {
            return Vec::new();
        };
        let Some(next_job) = other.jobs.get(index as usize).map(|j| j.id.clone()) else {
            return Vec::new();
        };
        other.admit_job(&next_job);
        vec![audit(
            Actor::Pipeline,
            "",
            "workflow_job.in_progress",
            "",
            format!("run #{next_run}: {next_job} leaves the queue of '{group}'"),
            "",
        )]
    }
}
