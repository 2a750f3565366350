//! The simulated reviewers: when each answers a deployment waiting for review, drawn from the seed
//! within their working hours.

use crate::pipeline::windows::DeploymentWindows;
use crate::prng::{Stream, approx_normal, keyed_u64};
use crate::time::UtcDateTime;

use super::{PipelineSpec, PipelineState, PlannedReview};

impl PipelineState {
    /// Each simulated reviewer answers after their response time, in their working hours.
    pub(super) fn plan_reviews(
        &mut self,
        spec: &PipelineSpec,
        run: u32,
        environment: &str,
        now_s: u64,
        seed: u64,
    ) {
        let Some(environment_spec) = self.rules.environments.get(environment).cloned() else {
            return;
        };
        let triggered_by = self.runs[run as usize - 1].trigger.actor.clone();
        for (index, reviewer) in spec.reviewers.iter().enumerate() {
            if !environment_spec.reviewers.contains(&reviewer.login)
                || (environment_spec.prevent_self_review && reviewer.login == triggered_by)
            {
                continue;
            }
            let z = approx_normal(keyed_u64(
                seed,
                Stream::Pipeline,
                1 << 40 | u64::from(run),
                index as u64,
            ));
            let delay_s = (f64::from(reviewer.response_median_s) * libm::exp(0.5 * z))
                .round()
                .max(30.0) as u64;
            let mut due_s = now_s + delay_s;
            if reviewer.business_hours_only {
                let hours = DeploymentWindows::default();
                if !UtcDateTime::from_unix_s(due_s).is_business_hours() {
                    due_s = hours.next_open(due_s) + delay_s.min(3_600);
                }
            }
            self.planned_reviews.push(PlannedReview {
                due_s,
                run,
                environment: environment.to_string(),
                reviewer: reviewer.login.clone(),
            });
        }
    }
}
