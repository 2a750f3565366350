//! The delivery pipeline inside a run: the error budget and alerts each second, workflow runs and
//! their effects, a person's pipeline commands, and the SLO read-outs.

use crate::audit::Actor;
use crate::command::{Command, CommandError};
use crate::metrics::PeriodSample;
use crate::time::Tick;

use super::Sim;

impl Sim {
    /// The rollout environment's latency SLO, when the scenario has a pipeline: the run's
    /// answered and slow requests, the p95 now, and the slow spell under way.
    pub fn latency_slo(&self) -> Option<crate::ops::slo::LatencyStatus> {
        let (spec, state) = (self.scenario.pipeline.as_ref()?, self.pipeline.as_ref()?);
        let environment = self.world.services[self.target as usize].environment;
        let series = self.metrics.environment(environment);
        Some(crate::ops::slo::LatencyStatus {
            slo: spec.latency_slo,
            answered: series.map_or(0, |s| s.requests_total - s.errors_total),
            slow: series.map_or(0, |s| s.slow_total),
            p95_now_ms: series
                .and_then(|s| s.samples().iter().rev().find(|x| x.requests > x.unserved))
                .map_or(0, |s| s.p95_ms),
            slow_streak_s: state.degraded_streak_s,
        })
    }
    /// The course's SLO dashboard for the run so far, when the scenario has a pipeline.
    pub fn slo_report(&self) -> Option<crate::ops::slo::SloReport> {
        let (spec, state) = (self.scenario.pipeline.as_ref()?, self.pipeline.as_ref()?);
        let environment = self.world.services[self.target as usize].environment;
        let series = self.metrics.environment(environment);
        let total = |read: fn(&crate::metrics::Series) -> u64| series.map_or(0, read);
        let totals = crate::ops::slo::RunTotals {
            elapsed_s: self.now.0,
            budget_spent_s: state
                .budget_spent_s
                .saturating_sub(spec.budget_spent_at_start_s),
            requests: total(|s| s.requests_total),
            errors: total(|s| s.errors_total),
            slow: total(|s| s.slow_total),
            empty_responses: total(|s| s.empty_responses_total),
        };
        Some(crate::ops::slo::SloReport::new(
            totals,
            spec.slo,
            spec.latency_slo,
        ))
    }
    /// The simulated clock as unix seconds, for the pipeline's calendar rules.
    pub(super) fn unix_now(&self) -> u64 {
        self.scenario.start_unix_s + self.now.0
    }
    /// One second of the pipeline: budget, reviewers, runs; then its effects.
    pub(super) fn step_pipeline(&mut self) {
        let Some(mut state) = self.pipeline.take() else {
            return;
        };
        if self.scenario.pipeline.is_none() {
            self.pipeline = Some(state);
            return;
        }
        // The course's consumption rules: a second in which most of the rollout environment's
        // requests failed is downtime and spends the budget in full; p95 above 2 s for 15
        // minutes or more spends half of that time; planned maintenance spends nothing.
        let environment = self.world.services[self.target as usize].environment;
        let in_maintenance = state.rules.windows.as_ref().is_some_and(|windows| {
            windows
                .maintenance
                .iter()
                .any(|w| w.is_open(self.scenario.start_unix_s + self.now.0))
        });
        if let Some(sample) = self
            .metrics
            .environment(environment)
            .and_then(|series| series.latest())
            .filter(|sample| sample.tick == self.now && sample.requests > 0)
            && !in_maintenance
        {
            let downtime_s = u64::from(sample.errors * 2 > sample.requests);
            let slow = sample.requests > sample.unserved
                && sample.p95_ms > crate::ops::slo::LATENCY_THRESHOLD_MS;
            let streak_before_s = state.degraded_streak_s;
            state.degraded_streak_s = if slow { streak_before_s + 1 } else { 0 };
            // This second's share of the rule: what the slow spell spends now, less what it
            // had spent a second ago (all of its first half at 15 minutes, then one in two).
            let spell_spent_s = |streak_s: u64| crate::ops::slo::budget_spent_s(0, streak_s, false);
            state.budget_spent_s += crate::ops::slo::budget_spent_s(downtime_s, 0, false);
            if slow {
                state.budget_spent_s +=
                    spell_spent_s(state.degraded_streak_s) - spell_spent_s(streak_before_s);
            }
        }
        let verdict = self.deploy_verdict();
        let Some(spec) = self.scenario.pipeline.as_ref() else {
            return;
        };
        let mut effects = Vec::new();
        // `on: schedule`: a run at each minute its cron expressions name (UTC), from the
        // default branch, as GitHub starts scheduled workflows.
        let unix_now = self.unix_now();
        if unix_now.is_multiple_of(60)
            && spec
                .workflow
                .triggers
                .schedules
                .iter()
                .any(|cron| cron.matches(unix_now))
        {
            let trigger = crate::pipeline::run::Trigger {
                event: "schedule".to_string(),
                git_ref: crate::pipeline::environments::GitRef {
                    name: self.scenario.branch.clone(),
                    tag: false,
                    protected: true,
                },
                sha: self
                    .scenario
                    .versions
                    .last()
                    .map(|v| v.commit_sha.clone())
                    .unwrap_or_default(),
                actor: "github-actions[bot]".to_string(),
                inputs: Default::default(),
                emergency: None,
                base_ref: None,
            };
            effects.extend(state.trigger(spec, trigger, unix_now));
        }
        if self
            .now
            .0
            .is_multiple_of(crate::ops::alerts::EVALUATION_INTERVAL_S)
            && !spec.alert_rules.is_empty()
        {
            let series = self.metrics.environment(environment);
            // A burn rate over a few seconds of history is noise: a window is read once five
            // minutes of data (the shortest window) exist, and longer ones use what there is.
            let window = |seconds: u32| -> (u64, u64) {
                if self.now.0 + 1 < u64::from(seconds.min(300)) {
                    return (0, 0);
                }
                series.map_or((0, 0), |series| {
                    long_window_totals(series, self.now, seconds)
                })
            };
            let minute = series.map(|s| s.window(self.now, 60)).unwrap_or_default();
            let half_minute = series.map(|s| s.window(self.now, 30)).unwrap_or_default();
            let readings = crate::ops::alerts::Readings {
                minute: (minute.errors, minute.requests),
                half_minute: (half_minute.errors, half_minute.requests),
                p95_max_ms: (minute.requests > minute.unserved).then_some(minute.p95_max_ms),
            };
            effects.extend(state.evaluate_alerts(
                spec,
                &self.scenario.rollout_environment,
                &readings,
                &window,
                self.now.0,
            ));
        }
        effects.extend(state.step(
            spec,
            &self.scenario.rollout_environment,
            self.seed,
            self.unix_now(),
            verdict,
        ));
        self.pipeline = Some(state);
        self.apply_pipeline_effects(effects);
    }
    /// How the strategy's rollout for a deploying job ended, once it has.
    pub(super) fn deploy_verdict(&mut self) -> Option<(bool, String)> {
        let from = self.deploy_watch_from? as usize;
        let ended = self.audit.records()[from..].iter().find_map(|record| {
            let promoted = match record.action.as_str() {
                "RolloutCompleted"
                | "NewReplicaSetAvailable"
                | "Succeeded"
                | "DeploymentSuccess" => true,
                "RolloutAborted"
                | "ProgressDeadlineExceeded"
                | "Failed"
                | "DeploymentFailure"
                | "DeploymentStop" => false,
                _ => return None,
            };
            Some((promoted, format!("{}: {}", record.action, record.reason)))
        });
        // Records already read need not be read again next second.
        self.deploy_watch_from = match ended {
            Some(_) => None,
            None => Some(self.audit.records().len() as u32),
        };
        ended
    }
    pub(super) fn apply_pipeline_effects(
        &mut self,
        effects: Vec<crate::pipeline::state::PipelineEffect>,
    ) {
        use crate::pipeline::state::PipelineEffect;
        for effect in effects {
            match effect {
                PipelineEffect::Audit {
                    actor,
                    person,
                    action,
                    environment,
                    reason,
                    outcome,
                } => {
                    let time_utc = self.utc().iso8601();
                    // The pipeline ships the scenario's newest version; its records name it, and
                    // so carry its commit SHA.
                    let version = self
                        .scenario
                        .versions
                        .last()
                        .map(|v| v.name.clone())
                        .unwrap_or_default();
                    self.audit.append_entry(
                        self.now,
                        time_utc,
                        crate::audit::AuditEntry {
                            actor,
                            person: &person,
                            action: &action,
                            environment: Some(&environment),
                            version: &version,
                            reason,
                            outcome: Some(&outcome),
                        },
                    );
                }
                PipelineEffect::StartRollout { run, sha } => {
                    let version = self
                        .scenario
                        .versions
                        .iter()
                        .find(|v| v.commit_sha == sha)
                        .or(self.scenario.versions.last())
                        .map(|v| v.name.clone())
                        .unwrap_or_default();
                    let watch_from = self.audit.records().len() as u32;
                    match self.apply_as(Actor::Pipeline, Command::StartRollout { version }) {
                        Ok(()) => self.deploy_watch_from = Some(watch_from),
                        Err(error) => {
                            let rollout_environment = self.scenario.rollout_environment.clone();
                            let now_s = self.unix_now();
                            let effects = self.pipeline.as_mut().map_or_else(Vec::new, |state| {
                                state.finish_deploy(
                                    &rollout_environment,
                                    false,
                                    &format!("run #{run}: the rollout could not start: {error}"),
                                    now_s,
                                )
                            });
                            self.apply_pipeline_effects(effects);
                        }
                    }
                }
            }
        }
    }
    /// A person's pipeline command: trigger a run, review a deployment, re-run or cancel.
    pub(super) fn apply_pipeline_command(
        &mut self,
        actor: Actor,
        command: &Command,
    ) -> Result<(), CommandError> {
        use crate::pipeline::environments::{GitRef, Review};
        let not_applicable = |why: String| CommandError::NotApplicable(why);
        // Refusals come before the state is taken out, so a refused command changes nothing.
        let emergency = match command {
            Command::TriggerWorkflow {
                emergency_reason: Some(reason),
                skip_tests,
                ..
            } => Some(
                crate::pipeline::windows::EmergencyOverride::new(reason, *skip_tests)
                    .map_err(not_applicable)?,
            ),
            _ => None,
        };
        let Some(spec) = self.scenario.pipeline.clone() else {
            return Err(not_applicable("this scenario has no pipeline".to_string()));
        };
        // A run starts only for an event its `on` takes, with the inputs GitHub would give it.
        let admitted_inputs = match command {
            Command::TriggerWorkflow {
                event,
                branch,
                inputs,
                emergency_reason,
                skip_tests,
                ..
            } => {
                // The emergency fields are the dispatch's `reason` and `skip_tests` inputs,
                // where the workflow declares them.
                let mut inputs = inputs.clone();
                for input in spec.workflow.triggers.workflow_dispatch.iter().flatten() {
                    let value = match input.name.as_str() {
                        "reason" => emergency_reason.clone(),
                        "skip_tests" => Some(skip_tests.to_string()),
                        _ => None,
                    };
                    if let Some(value) = value.filter(|_| event == "workflow_dispatch") {
                        inputs.entry(input.name.clone()).or_insert(value);
                    }
                }
                Some(
                    spec.workflow
                        .triggers
                        .admit(
                            event,
                            &crate::pipeline::triggers::git_ref_of(branch),
                            &inputs,
                        )
                        .map_err(not_applicable)?,
                )
            }
            _ => None,
        };
        let Some(mut state) = self.pipeline.take() else {
            return Err(not_applicable("this scenario has no pipeline".to_string()));
        };
        let now_s = self.unix_now();
        let result = match command {
            Command::TriggerWorkflow {
                event,
                branch,
                login,
                ..
            } => {
                let sha = self
                    .scenario
                    .versions
                    .last()
                    .map(|v| v.commit_sha.clone())
                    .unwrap_or_default();
                // A pull request runs on its merge ref, `<number>/merge`, into the named branch.
                let (git_ref, base_ref) = if event == "pull_request" {
                    let number = state.runs.len() + 1;
                    (
                        GitRef {
                            name: format!("{number}/merge"),
                            tag: false,
                            protected: false,
                        },
                        Some(branch.clone()),
                    )
                } else {
                    (crate::pipeline::triggers::git_ref_of(branch), None)
                };
                let trigger = crate::pipeline::run::Trigger {
                    event: event.clone(),
                    git_ref,
                    sha,
                    actor: login.clone(),
                    inputs: admitted_inputs.clone().unwrap_or_default(),
                    emergency,
                    base_ref,
                };
                Ok(state.trigger(&spec, trigger, now_s))
            }
            Command::ReviewDeployment {
                environment,
                reviewer,
                approve,
                comment,
            } => state.review(
                &spec,
                &self.scenario.rollout_environment,
                environment,
                reviewer,
                if *approve {
                    Review::Approve
                } else {
                    Review::Reject
                },
                comment,
                now_s,
                actor,
            ),
            Command::RerunFailedJobs { run } => state.rerun_failed(*run, actor.label()),
            Command::RotateSecret {
                name,
                environment,
                login,
            } => state.rotate_secret(name, environment.as_deref(), login, now_s),
            Command::UpdateProtectionRules { rules, login } => {
                state.update_protection_rules(rules.clone(), login)
            }
            Command::UpdateDeploymentWindows {
                days,
                start_minute,
                end_minute,
                login,
            } => state.update_deployment_windows(
                *days,
                *start_minute,
                *end_minute,
                login,
                &self.scenario.rollout_environment,
            ),
            Command::AcknowledgeIncident { incident, login }
            | Command::ResolveIncident { incident, login } => state.handle_incident(
                &spec,
                &self.scenario.rollout_environment,
                *incident,
                login,
                matches!(command, Command::ResolveIncident { .. }),
                self.now.0,
            ),
            Command::CancelWorkflowRun { run } => {
                Ok(state.cancel_run(*run, &format!("cancelled by {}", actor.label()), now_s))
            }
            _ => Ok(Vec::new()),
        };
        let effects = match result {
            Ok(effects) => effects,
            Err(why) => {
                self.pipeline = Some(state);
                return Err(not_applicable(why));
            }
        };
        // The runs take the decision in at once, so a paused trainee sees its effect: an
        // approved job starts, a new run's first jobs begin.
        let mut effects = effects;
        effects.extend(state.step(
            &spec,
            &self.scenario.rollout_environment,
            self.seed,
            now_s,
            None,
        ));
        self.pipeline = Some(state);
        self.apply_pipeline_effects(effects);
        Ok(())
    }
}

/// Errors and requests of `series` over the `window_s` seconds ending at `now`: from the
/// second tier within its hour, beyond it from the minute and hour tiers.
pub(super) fn long_window_totals(
    series: &crate::metrics::Series,
    now: Tick,
    window_s: u32,
) -> (u64, u64) {
    if window_s <= crate::metrics::SECOND_TIER_LEN {
        let totals = series.window(now, window_s);
        return (totals.errors, totals.requests);
    }
    let start = now.0.saturating_sub(u64::from(window_s));
    let since_start = |sample: &PeriodSample| sample.start.0 >= start;
    let add = |(errors, requests): (u64, u64), sample: PeriodSample| {
        (errors + sample.errors, requests + sample.requests)
    };
    if window_s <= 86_400 {
        series.minutes().filter(since_start).fold((0, 0), add)
    } else {
        series
            .hours()
            .iter()
            .copied()
            .filter(since_start)
            .fold((0, 0), add)
    }
}
