//! The simulation: the world, its faults, the rollout controller and the audit log.
//!
//! Each `step` simulates one second in a fixed order: the script's commands due now; fault
//! starts and ends; dependency health; for each service in world order, its fleet and then its
//! traffic; environment totals; the rollout controller; replica targets and routing. All
//! randomness is keyed by the run's seed.

use serde::{Deserialize, Serialize};

use crate::audit::{Actor, AuditLog};
use crate::command::{Command, CommandError, TimedCommand};
use crate::controllers::Controller;
use crate::controllers::blue_green::BlueGreenController;
use crate::controllers::canary::{CanaryController, RolloutStatus};
use crate::controllers::codedeploy::{CodeDeployObserved, CodeDeployTracker};
use crate::controllers::deployment::DeploymentController;
use crate::controllers::feature_flag::FlagRolloutController;
use crate::controllers::flagger::FlaggerController;
use crate::controllers::rollout::{RolloutEvent, RolloutPhase, RolloutResult};
use crate::metrics::{CohortKey, Metrics, SECOND_TIER_LEN, SecondSample};
use crate::scenario::Scenario;
use crate::time::{Tick, UtcDateTime};
use crate::world::fault::{Fault, FaultKind};
use crate::world::fleet::{Fleet, FleetConditions};
use crate::world::quiet::{MINUTE_S, MinuteContext};
use crate::world::version::VersionId;
use crate::world::{SecondContext, ServiceEffects, World};

/// Audit actions at which "run to the next decision" stops: moments a person would want to
/// look, decide, or explain.
pub const DECISION_ACTIONS: [&str; 17] = [
    "WaitingPromotion",
    "deployment.created",
    "workflows.approve_workflow_job",
    "workflows.reject_workflow_job",
    "workflows.completed_workflow_run",
    "alert.firing",
    "Failed",
    "Succeeded",
    "ProgressDeadlineExceeded",
    "NewReplicaSetAvailable",
    "RolloutPaused",
    "AnalysisRunFailed",
    "AnalysisRunError",
    "AnalysisRunSuccessful",
    "RolloutAborted",
    "RolloutCompleted",
    "FaultInjected",
];

/// True when "run to the next decision" stops at `record`: one of [`DECISION_ACTIONS`], except a
/// deployment that was created and started at once (no reviewer, timer or window to wait for).
pub fn is_decision(record: &crate::audit::AuditRecord) -> bool {
    DECISION_ACTIONS.contains(&record.action.as_str())
        && !(record.action == "deployment.created" && record.outcome == "created")
}

/// Which moments of a fault's life are already in the audit log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct FaultLogged {
    /// Its start was logged and its instant effects applied.
    started: bool,
    /// Its end was logged (when it ran out, or when someone cleared it).
    ended: bool,
}

/// A running simulation.
#[derive(Clone, Debug)]
pub struct Sim {
    scenario: Scenario,
    seed: u64,
    now: Tick,
    world: World,
    target: u32,
    metrics: Metrics,
    audit: AuditLog,
    commands: Vec<TimedCommand>,
    faults: Vec<Fault>,
    /// Per fault (same index as `faults`): which of its start and end have been logged.
    fault_logged: Vec<FaultLogged>,
    /// Ids of the faults active at `now`; recomputed only when the set can change.
    active_faults: Vec<u32>,
    /// The next second at which a fault starts or ends, when the active set must be recomputed.
    next_fault_change: Option<Tick>,
    /// Set when a command changes the fault list.
    faults_changed: bool,
    /// What a service experiences with no fault in its environment, built once.
    no_effects: ServiceEffects,
    next_scheduled: u32,
    settled_at: Option<Tick>,
    /// Quiet minutes batch mode wrote whole: a measure of speed, not part of the run's state.
    minutes_written_whole: u64,
    /// The controller rolling out the target service, whichever the strategy.
    controller: Controller,
    /// CodeDeploy's record of the rollout, when the scenario stands for a CodeDeploy group.
    codedeploy: Option<CodeDeployTracker>,
    /// The delivery pipeline, when the scenario has one.
    pipeline: Option<crate::pipeline::state::PipelineState>,
    /// While a pipeline job deploys with the strategy: the first audit record of its rollout.
    deploy_watch_from: Option<u32>,
    /// Every change of the rollout's state (see [`TimelineEntry`]).
    timeline: Vec<TimelineEntry>,
}

/// The rolled-out service's rollout state at a moment it changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// Simulated second.
    pub t_s: u64,
    /// The same moment in UTC.
    pub time_utc: String,
    /// The canary step being worked on, counting from zero (none outside a canary).
    pub step_index: Option<u32>,
    /// `Healthy`, `Progressing`, `Paused` or `Degraded`.
    pub phase: String,
    /// Why.
    pub reason: String,
    /// Each version with pods, asked for or running.
    pub versions: Vec<VersionState>,
}

/// One version's replicas and traffic in a [`TimelineEntry`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionState {
    /// The version's name.
    pub version: String,
    /// Replicas asked for (its ReplicaSet's `spec.replicas`).
    pub desired: u32,
    /// Ready replicas.
    pub ready: u32,
    /// Replicas ready for at least `minReadySeconds`.
    pub available: u32,
    /// Share of the service's traffic, in percent.
    pub weight_percent: u32,
}

/// How a run ended, for reports and tests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// `rolled_back`, `promoted`, `in_progress` or `no_rollout`: how the last rollout ended.
    pub result: String,
    /// The version serving traffic at the end.
    pub stable_version: String,
    /// The rollout phase at the end.
    pub phase: String,
    /// The phase's reason.
    pub phase_message: String,
    /// Share of traffic the canary carries at the end.
    pub canary_traffic_weight_percent: u32,
    /// The largest share of traffic the last rolled-out version carried before it ended.
    pub max_canary_traffic_weight_percent: u32,
    /// Simulated seconds the run lasted.
    pub duration_s: u64,
    /// Requests to the rolled-out service (including failed ones).
    pub requests_total: u64,
    /// Failed requests to the rolled-out service.
    pub errors_total: u64,
    /// Requests to the rolled-out service that found no ready instance.
    pub unserved_requests_total: u64,
    /// Distinct users in the rolled-out service's environment who saw a failure.
    pub users_affected: u32,
}

impl Sim {
    /// A new run of `scenario` seeded with `seed`, at its first second.
    ///
    /// Panics only if a built-in scenario is inconsistent; scenarios from outside go through
    /// [`Sim::try_new`].
    pub fn new(scenario: Scenario, seed: u64) -> Sim {
        Sim::try_new(scenario, seed).expect("a consistent scenario")
    }

    /// A new run, or why the scenario cannot run.
    pub fn try_new(scenario: Scenario, seed: u64) -> Result<Sim, String> {
        let world = World::new(&scenario.environments, &scenario.versions)?;
        let target = world
            .service_index(&scenario.rollout_environment, &scenario.rollout_service)
            .ok_or_else(|| {
                format!(
                    "the rollout targets {}/{}, which the scenario does not define",
                    scenario.rollout_environment, scenario.rollout_service
                )
            })?;
        let stable = world.services[target as usize].stable;
        Ok(Sim {
            seed,
            now: Tick(0),
            target,
            metrics: Metrics::default(),
            audit: AuditLog::with_context(crate::audit::AuditContext {
                environment: scenario.rollout_environment.clone(),
                branch: scenario.branch.clone(),
                commits: scenario
                    .versions
                    .iter()
                    .map(|v| (v.name.clone(), v.commit_sha.clone()))
                    .collect(),
            }),
            commands: Vec::new(),
            faults: scenario.faults.clone(),
            fault_logged: vec![FaultLogged::default(); scenario.faults.len()],
            active_faults: Vec::new(),
            next_fault_change: None,
            faults_changed: true,
            no_effects: ServiceEffects {
                spike_factor: 1.0,
                ..ServiceEffects::default()
            },
            next_scheduled: 0,
            settled_at: None,
            minutes_written_whole: 0,
            controller: controller_for(&scenario, &world, target, stable),
            pipeline: scenario.pipeline.as_ref().map(|spec| {
                let release = scenario
                    .versions
                    .last()
                    .map(|v| v.schema_migration)
                    .unwrap_or_default();
                crate::pipeline::state::PipelineState::new(spec, release)
            }),
            deploy_watch_from: None,
            codedeploy: scenario
                .codedeploy
                .clone()
                .map(|spec| CodeDeployTracker::new(spec, stable)),
            timeline: Vec::new(),
            world,
            scenario,
        })
    }

    /// The built-in scenario `id` run with `seed` to the end of its story, or `None` for an
    /// unknown id.
    pub fn run_builtin(id: &str, seed: u64) -> Option<Sim> {
        let mut sim = Sim::new(crate::scenario::builtin(id)?, seed);
        sim.run_to_end();
        Some(sim)
    }

    /// Re-creates a run from its defining triple: scenario, seed and the trainee's commands.
    pub fn replay(scenario: Scenario, seed: u64, commands: &[TimedCommand]) -> Sim {
        let mut sim = Sim::new(scenario, seed);
        for timed in commands {
            // Past the story's end too: a person may act after the scenario is complete, and the
            // world went on running when they did.
            sim.continue_to(timed.at);
            // A command that was refused live is refused again here, leaving the same run.
            let _ = sim.apply_as(timed.actor, timed.command.clone());
        }
        sim.run_to_end();
        sim
    }

    /// Gives a command from the trainee at the current second.
    pub fn apply(&mut self, command: Command) -> Result<(), CommandError> {
        self.apply_as(Actor::Trainee, command)
    }

    /// Simulates one second.
    pub fn step(&mut self) {
        self.step_or_write_minute(false, true);
    }

    /// Simulates up to `until` (or the end of the story), writing quiet minutes whole where the
    /// result is the same as stepping: every minute that ends at least an hour before `until`,
    /// so the last hour's second tier is filled second by second (see `quiet.rs`).
    pub fn advance_to(&mut self, until: Tick) {
        self.advance_in_batches(until, true);
    }

    /// As [`Sim::advance_to`], but the world keeps running past the end of the story (for
    /// `dojo run --until`).
    pub fn continue_to(&mut self, until: Tick) {
        self.advance_in_batches(until, false);
    }

    fn advance_in_batches(&mut self, until: Tick, stop_at_end: bool) {
        while self.now < until && !(stop_at_end && self.is_finished()) {
            let may_write_minute = self.minute_fits_before(until.0)
                && (!stop_at_end || self.minute_ends_before_the_end());
            self.step_or_write_minute(may_write_minute, stop_at_end);
        }
        self.end_planned_minute(self.minute_slot());
    }

    /// Simulates one second or, when `may_write_minute` and the minute starting now is quiet
    /// everywhere, the whole minute at once (unless `stop_at_end` and the story would end inside
    /// it).
    fn step_or_write_minute(&mut self, may_write_minute: bool, stop_at_end: bool) {
        self.run_scheduled_commands();
        // Faults only start or end at known seconds; scanning the list at any other is wasted.
        if self.faults_changed || self.next_fault_change.is_some_and(|at| at <= self.now) {
            self.fault_transitions();
        }
        let unix_s = self.scenario.start_unix_s + self.now.0;
        self.refresh_active_faults();
        let active: Vec<&Fault> = self
            .active_faults
            .iter()
            .map(|id| &self.faults[*id as usize])
            .collect();
        self.world.update_dependencies(&active, unix_s);
        drop(active);
        let minute_slot = self.minute_slot();
        if self.now.0.is_multiple_of(u64::from(MINUTE_S)) && !self.scenario.every_second {
            let busy = self.busy_services();
            let minute = MinuteContext::new(self.now, unix_s, self.seed, &self.scenario.versions);
            self.world.plan_quiet_minutes(&minute, &busy);
            if may_write_minute && self.minute_is_quiet_everywhere() {
                self.track_settling();
                let settle_s = u64::from(self.scenario.settle_s);
                let minute_end = self.now.0 + u64::from(MINUTE_S);
                if !stop_at_end
                    || self
                        .settled_at
                        .is_none_or(|at| at.0 + settle_s >= minute_end)
                {
                    self.world.write_quiet_minute(
                        self.now,
                        minute_slot,
                        &self.scenario.versions,
                        &mut self.metrics,
                    );
                    self.now = Tick(minute_end);
                    self.minutes_written_whole += 1;
                    return;
                }
            }
            if may_write_minute {
                // Busy services are stepped; the planned ones are written when the minute ends.
                self.world.begin_planned_minute(self.now);
            }
        }
        let planned_minute = self.world.planned_minute_active();
        let active: Vec<&Fault> = self
            .active_faults
            .iter()
            .map(|id| &self.faults[*id as usize])
            .collect();
        let calendar = UtcDateTime::from_unix_s(unix_s);
        let mut environment_totals: Vec<SecondSample> = vec![
            SecondSample {
                tick: self.now,
                ..SecondSample::default()
            };
            self.world.environments.len()
        ];
        let mut any_unserved = false;
        for index in 0..self.world.services.len() as u32 {
            if planned_minute && self.world.services[index as usize].quiet.is_some() {
                continue;
            }
            if let Some(total) = self.world.serve_quiet(
                index,
                self.now,
                minute_slot,
                &self.scenario.versions,
                &mut self.metrics,
            ) {
                let environment = self.world.services[index as usize].environment as usize;
                environment_totals[environment].absorb(&total);
                continue;
            }
            let service = &self.world.services[index as usize];
            // An idle service (no traffic, settled, untouched by faults) has nothing to simulate
            // this second; skipping it changes no draw, because every draw is keyed.
            if service.spec.traffic.peak_rps == 0
                && !service.fleet.is_converging()
                && !active.iter().any(|f| {
                    f.target.environment
                        == self.world.environments[service.environment as usize]
                            .spec
                            .name
                })
            {
                continue;
            }
            let environment_name = &self.world.environments[service.environment as usize]
                .spec
                .name;
            let owned_effects;
            let effects = if active
                .iter()
                .any(|f| &f.target.environment == environment_name)
            {
                owned_effects = self.effects_for(index, &active);
                &owned_effects
            } else {
                &self.no_effects
            };
            let service = &mut self.world.services[index as usize];
            let changes = service.fleet.reconcile(
                self.now,
                self.seed,
                &self.scenario.versions,
                &effects.fleet,
            );
            let second = SecondContext {
                now: self.now,
                unix_s,
                seed: self.seed,
                versions: &self.scenario.versions,
                calendar,
            };
            let total = self
                .world
                .serve(index, &second, effects, &changes, &mut self.metrics);
            let environment = self.world.services[index as usize].environment as usize;
            environment_totals[environment].absorb(&total);
            self.world.services[index as usize]
                .restart_if_liveness_failing(self.now, &self.scenario.versions);
            any_unserved |= total.unserved > 0;
        }
        if planned_minute {
            self.world
                .add_planned_second(self.now, &mut environment_totals);
        }
        for (environment, sample) in environment_totals.into_iter().enumerate() {
            self.metrics.record_environment(environment as u32, sample);
        }
        if any_unserved {
            self.metrics.downtime_s += 1;
        }
        let events_before = self.audit.records().len();
        let events = self.controller.reconcile(
            &mut self.world.services[self.target as usize],
            &self.metrics,
            self.now,
            &self.scenario.versions,
        );
        self.record_events(&events);
        self.track_codedeploy(events_before as u32);
        self.step_pipeline();
        self.record_timeline(self.audit.records().len() > events_before);
        self.track_settling();
        self.now = self.now.plus_s(1);
        if planned_minute && self.now.0.is_multiple_of(u64::from(MINUTE_S)) {
            self.end_planned_minute(minute_slot);
        }
    }

    /// Ends a mixed minute of batch mode (see `quiet_batch.rs`): whole at its end, or cut short
    /// before a command or when a run stops part-way, so the state is always as stepping leaves it.
    fn end_planned_minute(&mut self, minute_slot: u32) {
        self.world
            .end_planned_minute(minute_slot, &self.scenario.versions, &mut self.metrics);
    }

    /// The slot of the current minute in the ring of recently hit users.
    fn minute_slot(&self) -> u32 {
        let unix_s = self.scenario.start_unix_s + self.now.0;
        (unix_s / 60 % u64::from(crate::world::RECENT_USER_MINUTES)) as u32
    }

    /// Steps until the scenario's story is over, writing quiet minutes whole while the end is
    /// more than an hour away.
    pub fn run_to_end(&mut self) {
        while !self.is_finished() {
            let may_write_minute = self.minute_fits_before(self.earliest_finish());
            self.step_or_write_minute(may_write_minute, true);
        }
        self.end_planned_minute(self.minute_slot());
    }

    /// Steps `seconds` seconds, stopping early if the story is over.
    pub fn advance(&mut self, seconds: u64) {
        for _ in 0..seconds {
            if self.is_finished() {
                break;
            }
            self.step();
        }
    }

    /// Steps until the next decision point: a rollout pause, a gate verdict, an abort or
    /// completion, or a fault starting; stops early at the end of the story or after `max_s`
    /// simulated seconds. Returns the record that stopped it, if any.
    pub fn run_to_decision(&mut self, max_s: u64) -> Option<crate::audit::AuditRecord> {
        let before = self.audit.records().len();
        let limit = self.now.plus_s(max_s);
        while !self.is_finished() && self.now < limit {
            // Decisions come from faults and commands already scheduled, or from a running
            // rollout; so with no rollout running, a minute an hour before the next scheduled
            // change can be written whole.
            let horizon = if self.rollout_is_idle() {
                limit
                    .0
                    .min(self.earliest_finish())
                    .min(self.next_scheduled_change().unwrap_or(u64::MAX))
            } else {
                self.now.0
            };
            let may_write_minute = self.minute_fits_before(horizon);
            self.step_or_write_minute(may_write_minute, true);
            if let Some(record) = self.audit.records()[before..]
                .iter()
                .find(|r| is_decision(r))
            {
                let record = record.clone();
                self.end_planned_minute(self.minute_slot());
                return Some(record);
            }
        }
        self.end_planned_minute(self.minute_slot());
        None
    }

    /// True once everything has settled and the aftermath has been shown, or at the time limit.
    pub fn is_finished(&self) -> bool {
        let settled = self
            .settled_at
            .is_some_and(|at| self.now.seconds_since(at) >= u64::from(self.scenario.settle_s));
        settled || self.now.0 >= u64::from(self.scenario.max_duration_s)
    }

    /// How many quiet minutes were written whole rather than stepped through (see `quiet.rs`).
    pub fn minutes_written_whole(&self) -> u64 {
        self.minutes_written_whole
    }

    /// The scenario being run.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The run's seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The next second to be simulated.
    pub fn now(&self) -> Tick {
        self.now
    }

    /// The current simulated instant on the UTC calendar.
    pub fn utc(&self) -> UtcDateTime {
        UtcDateTime::from_unix_s(self.scenario.start_unix_s + self.now.0)
    }

    /// The environments and services.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The index of the service being rolled out.
    pub fn target(&self) -> u32 {
        self.target
    }

    /// The instances of the service being rolled out.
    pub fn fleet(&self) -> &Fleet {
        &self.world.services[self.target as usize].fleet
    }

    /// Every cohort's and environment's metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The controller rolling out the target service.
    pub fn controller(&self) -> &Controller {
        &self.controller
    }

    /// The Kubernetes Deployment controller, when the scenario's strategy is a Deployment.
    pub fn deployment(&self) -> Option<&DeploymentController> {
        self.controller.deployment()
    }

    /// The delivery pipeline, when the scenario has one.
    pub fn pipeline(&self) -> Option<&crate::pipeline::state::PipelineState> {
        self.pipeline.as_ref()
    }

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

    /// CodeDeploy's deployments, when the scenario stands for a CodeDeploy group.
    pub fn codedeploy(&self) -> Option<&CodeDeployTracker> {
        self.codedeploy.as_ref()
    }

    /// The blue-green controller, when the scenario's strategy is blue-green.
    pub fn blue_green(&self) -> Option<&BlueGreenController> {
        self.controller.blue_green()
    }

    /// Each version of the rolled-out service with pods, asked for or running, or with traffic:
    /// its desired, ready and available replicas and its share of traffic now.
    pub fn version_states(&self) -> Vec<VersionState> {
        let fleet = self.fleet();
        let min_ready_s = self.controller.min_ready_s();
        let split = self.traffic_split();
        fleet
            .versions()
            .into_iter()
            .chain(split.iter().filter(|(_, w)| *w > 0).map(|(v, _)| *v))
            .collect::<std::collections::BTreeSet<VersionId>>()
            .into_iter()
            .map(|version| VersionState {
                version: self.scenario.profile(version).name.clone(),
                desired: fleet.desired(version),
                ready: fleet.counts(version).ready,
                available: fleet.available(version, self.now, min_ready_s),
                weight_percent: split
                    .iter()
                    .find(|(v, _)| *v == version)
                    .map_or(0, |(_, w)| *w),
            })
            .collect()
    }

    /// Every change of the rolled-out service's rollout state so far.
    pub fn timeline(&self) -> &[TimelineEntry] {
        &self.timeline
    }

    /// The canary controller's state, when the scenario's strategy is an Argo canary.
    pub fn rollout(&self) -> Option<&RolloutStatus> {
        self.controller.canary().map(|c| &c.status)
    }

    /// The rollout phase and its reason now.
    pub fn phase(&self) -> (RolloutPhase, String) {
        self.controller.phase(
            &self.world.services[self.target as usize],
            &self.metrics,
            self.now,
        )
    }

    /// The audit log.
    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    /// A SHA-256 digest of the whole observable state: the audit chain head, then for every
    /// cohort and environment its totals, its closed minutes and its latest second, then users
    /// hit and dependency health. Two runs with equal digests showed a trainee the same thing.
    pub fn state_digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(self.audit.head().as_bytes());
        let absorb_series = |hasher: &mut Sha256, series: &crate::metrics::Series| {
            for value in [
                series.requests_total,
                series.errors_total,
                series.unserved_total,
                series.tokens_total,
                series.slow_total,
                series.empty_responses_total,
            ] {
                hasher.update(value.to_le_bytes());
            }
            for minute in series.minutes() {
                for value in [
                    minute.start.0,
                    minute.requests,
                    minute.errors,
                    minute.unserved,
                    u64::from(minute.p95_max_ms),
                    minute.slow_requests,
                    minute.tokens,
                    minute.empty_responses,
                ] {
                    hasher.update(value.to_le_bytes());
                }
            }
            if let Some(latest) = series.latest() {
                for value in [
                    latest.tick.0,
                    u64::from(latest.p50_ms),
                    u64::from(latest.p95_ms),
                    u64::from(latest.p99_ms),
                    u64::from(latest.cpu_per_mille),
                    u64::from(latest.db_pool_per_mille),
                ] {
                    hasher.update(value.to_le_bytes());
                }
            }
        };
        for (key, series) in self.metrics.all() {
            hasher.update(key.service.to_le_bytes());
            hasher.update(key.version.0.to_le_bytes());
            absorb_series(&mut hasher, series);
        }
        for (index, environment) in self.world.environments.iter().enumerate() {
            if let Some(series) = self.metrics.environment(index as u32) {
                absorb_series(&mut hasher, series);
            }
            hasher.update(environment.users_affected().to_le_bytes());
            hasher.update(environment.health.ai_tokens_today.to_le_bytes());
            hasher.update(environment.health.database_pool_per_mille.to_le_bytes());
        }
        hasher.update(self.metrics.downtime_s.to_le_bytes());
        hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    /// Every command given by a person, with its time: with the scenario and seed this defines the run.
    pub fn commands(&self) -> &[TimedCommand] {
        &self.commands
    }

    /// Every fault of the run, scheduled or injected, in the order they were added (their ids).
    pub fn faults(&self) -> &[Fault] {
        &self.faults
    }

    /// Share of the rolled-out service's traffic each version receives now, in percent.
    pub fn traffic_split(&self) -> Vec<(VersionId, u32)> {
        self.controller
            .traffic_split(&self.world.services[self.target as usize])
    }

    /// How the run ended (or stands).
    pub fn outcome(&self) -> Outcome {
        let (phase, phase_message) = self.phase();
        let (requests_total, errors_total, unserved) =
            self.metrics
                .cohorts_of(self.target)
                .fold((0, 0, 0), |(r, e, u), (_, s)| {
                    (
                        r + s.requests_total,
                        e + s.errors_total,
                        u + s.unserved_total,
                    )
                });
        let environment = self.world.services[self.target as usize].environment as usize;
        let (result, stable, weight, max_weight) = match &self.controller {
            Controller::FeatureFlag(controller) => {
                let result = match (&controller.on, controller.killed, controller.completed) {
                    (None, _, _) => "no_rollout",
                    (Some(_), true, _) => "rolled_back",
                    (Some(_), _, true) => "promoted",
                    _ => "in_progress",
                };
                (
                    result,
                    controller.off,
                    controller.percent,
                    controller.percent,
                )
            }
            Controller::Flagger(controller) => {
                let result = match controller.phase {
                    crate::controllers::flagger::FlaggerPhase::Initialized => "no_rollout",
                    crate::controllers::flagger::FlaggerPhase::Succeeded => "promoted",
                    crate::controllers::flagger::FlaggerPhase::Failed => "rolled_back",
                    _ => "in_progress",
                };
                (
                    result,
                    controller.primary,
                    controller.canary_weight,
                    controller.max_canary_weight,
                )
            }
            Controller::Deployment(deployment) => self.deployment_outcome(deployment),
            Controller::BlueGreen(controller) => {
                let result = match (&controller.stage, &controller.last_result) {
                    (crate::controllers::blue_green::BlueGreenStage::Stable, Some(result)) => {
                        result.as_str()
                    }
                    (crate::controllers::blue_green::BlueGreenStage::Stable, None) => "no_rollout",
                    (crate::controllers::blue_green::BlueGreenStage::Aborted { .. }, _) => {
                        "rolled_back"
                    }
                    _ => "in_progress",
                };
                let result: &'static str = match result {
                    "promoted" => "promoted",
                    "rolled_back" => "rolled_back",
                    "no_rollout" => "no_rollout",
                    _ => "in_progress",
                };
                let new_share = controller.new.map_or(0, |new| {
                    self.traffic_split()
                        .iter()
                        .find(|(v, _)| *v == new)
                        .map_or(0, |(_, w)| *w)
                });
                let switched = controller.previous.is_some() || result == "promoted";
                let max_share = if switched {
                    100
                } else if controller.new.is_some() {
                    crate::controllers::blue_green::PREVIEW_TEST_TRAFFIC_BP / 100
                } else {
                    0
                };
                (result, controller.active, new_share, max_share)
            }
            Controller::Canary(controller) => canary_outcome(&controller.status),
        };
        Outcome {
            result: result.to_string(),
            stable_version: self.scenario.profile(stable).name.clone(),
            phase: phase.label().to_string(),
            phase_message,
            canary_traffic_weight_percent: weight,
            max_canary_traffic_weight_percent: max_weight,
            duration_s: self.now.0,
            requests_total,
            errors_total,
            unserved_requests_total: unserved,
            users_affected: self.world.environments[environment].users_affected(),
        }
    }

    fn apply_as(&mut self, actor: Actor, command: Command) -> Result<(), CommandError> {
        // A mixed minute cannot continue past a command; the seconds so far are written out.
        self.end_planned_minute(self.minute_slot());
        let previous_version = self.controller.stable();
        let events = match &command {
            Command::InjectFault {
                fault,
                target,
                duration_s,
            } => {
                self.validate_fault_target(target)?;
                self.faults.push(Fault {
                    kind: fault.clone(),
                    target: target.clone(),
                    start: self.now,
                    end: duration_s.map(|d| self.now.plus_s(u64::from(d.max(1)))),
                });
                self.fault_logged.push(FaultLogged::default());
                self.faults_changed = true;
                // Logged and applied at once, so a paused trainee sees it immediately.
                self.start_fault(self.faults.len() as u32 - 1, actor);
                Vec::new()
            }
            command if command.is_pipeline() => {
                self.apply_pipeline_command(actor, command)?;
                Vec::new()
            }
            Command::ClearFault { fault_id } => {
                let now = self.now;
                let fault = self
                    .faults
                    .get_mut(*fault_id as usize)
                    .filter(|f| f.is_active(now) || f.start > now)
                    .ok_or_else(|| {
                        CommandError::NotApplicable(format!("fault #{fault_id} is not active"))
                    })?;
                fault.end = Some(now);
                self.faults_changed = true;
                self.fault_logged[*fault_id as usize].ended = true;
                let label = format!("{} in {}", fault.kind.id(), fault.target.environment);
                let time_utc = self.utc().iso8601();
                self.audit.append(
                    now,
                    time_utc,
                    actor,
                    "FaultCleared",
                    "",
                    format!("fault #{fault_id} ({label}) cleared"),
                );
                Vec::new()
            }
            _ => {
                let version = match &command {
                    Command::StartRollout { version } => Some(
                        self.scenario
                            .version_id(version)
                            .ok_or_else(|| CommandError::UnknownVersion(version.clone()))?,
                    ),
                    _ => None,
                };
                let codedeploy_stops = command == Command::Abort
                    && self.controller.deployment().is_some()
                    && self
                        .codedeploy
                        .as_ref()
                        .is_some_and(|c| c.in_progress().is_some());
                if codedeploy_stops {
                    // CodeDeploy's Stop & roll back: a new deployment of the last good revision,
                    // which in place undoes the Deployment batch by batch.
                    let actions = self
                        .codedeploy
                        .as_mut()
                        .and_then(|c| c.stop_and_roll_back(self.now))
                        .unwrap_or_default();
                    self.record_events(&actions.events);
                    match (actions.redeploy, self.controller.deployment_mut()) {
                        (Some(_), Some(deployment)) => deployment.undo(
                            Actor::DeploymentController,
                            self.now,
                            &self.scenario.versions,
                        )?,
                        _ => Vec::new(),
                    }
                } else {
                    self.controller.apply(
                        &command,
                        version,
                        actor,
                        self.now,
                        &self.scenario.versions,
                    )?
                }
            }
        };
        let migration = match &command {
            Command::StartRollout { version } => self
                .scenario
                .version_id(version)
                .map(|v| (v, previous_version)),
            _ => None,
        };
        if actor == Actor::Trainee {
            self.commands.push(TimedCommand {
                at: self.now,
                actor,
                command,
            });
        }
        let events_before = self.audit.records().len();
        self.record_events(&events);
        self.track_codedeploy(events_before as u32);
        if let Some((new_version, old_version)) = migration {
            self.apply_migration(new_version, old_version);
        }
        self.controller.set_targets(
            &mut self.world.services[self.target as usize],
            self.now,
            self.scenario.versions.len() as u32,
        );
        self.settled_at = None;
        // The rest of this minute is no longer quiet: it is simulated second by second.
        self.world.clear_quiet_minutes();
        Ok(())
    }

    /// True when the minute starting now could be written whole and still leave the hour
    /// before `horizon` to be simulated second by second.
    fn minute_fits_before(&self, horizon: u64) -> bool {
        self.now.0.is_multiple_of(u64::from(MINUTE_S))
            && self.now.0 + u64::from(MINUTE_S) + u64::from(SECOND_TIER_LEN) <= horizon
    }

    /// True when the story cannot end inside the minute starting now.
    fn minute_ends_before_the_end(&self) -> bool {
        self.now.0 + u64::from(MINUTE_S) <= u64::from(self.scenario.max_duration_s)
    }

    /// The earliest second at which the story could end: it cannot settle before its scheduled
    /// commands and fault changes are behind it.
    fn earliest_finish(&self) -> u64 {
        let max = u64::from(self.scenario.max_duration_s);
        let settle_s = u64::from(self.scenario.settle_s);
        let earliest = match (self.next_scheduled_change(), self.settled_at) {
            (Some(at), _) => at,
            (None, Some(settled)) => settled.0 + settle_s,
            (None, None) => self.now.0 + settle_s,
        };
        earliest.min(max)
    }

    /// The next second at which a scheduled command runs or a fault starts or ends.
    fn next_scheduled_change(&self) -> Option<u64> {
        let command = self
            .scenario
            .schedule
            .get(self.next_scheduled as usize)
            .map(|c| c.at.0);
        let fault = self.next_fault_change.map(|at| at.0);
        command.into_iter().chain(fault).min()
    }

    /// Per service: true when something may change it this minute, so it must be simulated
    /// second by second: a fault on it (or on what its environment shares) active now or
    /// starting or ending this minute, the rollout, or a scheduled command.
    fn busy_services(&self) -> Vec<bool> {
        let minute_end = self.now.plus_s(u64::from(MINUTE_S));
        let command_due = self
            .scenario
            .schedule
            .get(self.next_scheduled as usize)
            .is_some_and(|c| c.at < minute_end);
        let mut busy = vec![command_due; self.world.services.len()];
        if !self.rollout_is_idle() {
            busy[self.target as usize] = true;
        }
        let change_due = self.next_fault_change.is_some_and(|at| at < minute_end);
        let touching: Vec<&Fault> = if change_due {
            let now = self.now;
            self.faults
                .iter()
                .filter(|f| f.end.is_none_or(|end| end > now) && f.start < minute_end)
                .collect()
        } else {
            self.active_faults
                .iter()
                .map(|id| &self.faults[*id as usize])
                .collect()
        };
        for fault in touching {
            let Some(environment) = self.world.environment_index(&fault.target.environment) else {
                continue;
            };
            let whole_environment =
                fault.kind.affects_whole_environment() || fault.target.service.is_none();
            for service in self
                .world
                .services
                .iter()
                .filter(|s| s.environment == environment)
            {
                if whole_environment || fault.target.service.as_ref() == Some(&service.spec.name) {
                    busy[service.index as usize] = true;
                }
            }
        }
        busy
    }

    /// True when no rollout is running, pausing or scaling down, and no workflow is due.
    fn rollout_is_idle(&self) -> bool {
        // A scheduled workflow due this minute is not idle time.
        if let Some(spec) = &self.scenario.pipeline
            && spec
                .workflow
                .triggers
                .schedules
                .iter()
                .any(|cron| cron.matches(self.unix_now()))
        {
            return false;
        }
        if self.pipeline.as_ref().is_some_and(|p| p.is_busy()) {
            return false;
        }
        self.controller.is_idle(self.fleet(), self.now)
    }

    /// True when the minute starting now can be written whole: every service is planned or
    /// idle, and no rollout or fault is in play anywhere.
    fn minute_is_quiet_everywhere(&self) -> bool {
        self.rollout_is_idle()
            && self.active_faults.is_empty()
            && self.world.minute_is_quiet_everywhere()
    }

    fn validate_fault_target(
        &self,
        target: &crate::world::fault::FaultTarget,
    ) -> Result<(), CommandError> {
        let environment = self
            .world
            .environment_index(&target.environment)
            .ok_or_else(|| {
                CommandError::NotApplicable(format!(
                    "there is no environment called \"{}\"",
                    target.environment
                ))
            })?;
        if let Some(service) = &target.service
            && self
                .world
                .service_index(&target.environment, service)
                .is_none()
        {
            return Err(CommandError::NotApplicable(format!(
                "there is no service \"{service}\" in {}",
                target.environment
            )));
        }
        if let Some(version) = &target.version
            && self.scenario.version_id(version).is_none()
        {
            return Err(CommandError::UnknownVersion(version.clone()));
        }
        if let Some(zone) = &target.zone
            && !self.world.environments[environment as usize]
                .spec
                .zones
                .contains(zone)
        {
            return Err(CommandError::NotApplicable(format!(
                "{} has no zone \"{zone}\"",
                target.environment
            )));
        }
        Ok(())
    }

    fn run_scheduled_commands(&mut self) {
        while let Some(timed) = self.scenario.schedule.get(self.next_scheduled as usize) {
            if timed.at > self.now {
                break;
            }
            let timed = timed.clone();
            self.next_scheduled += 1;
            if let Err(error) = self.apply_as(timed.actor, timed.command.clone()) {
                // A scripted command that no longer applies (the trainee got there first) is logged, not fatal.
                let time_utc = self.utc().iso8601();
                self.audit.append(
                    self.now,
                    time_utc,
                    timed.actor,
                    "CommandRefused",
                    "",
                    format!("{}: {error}", timed.command.label()),
                );
            }
        }
    }

    /// Logs faults that start or end this second and applies their instantaneous effects.
    fn fault_transitions(&mut self) {
        let now = self.now;
        for id in 0..self.faults.len() {
            if self.faults[id].start != now && self.faults[id].end != Some(now) {
                continue;
            }
            let fault = self.faults[id].clone();
            let label = format!(
                "fault #{id} {} in {}",
                fault.kind.id(),
                describe_target(&fault.target)
            );
            if fault.start == now && !self.fault_logged[id].started {
                self.start_fault(id as u32, Actor::Pipeline);
            }
            if fault.end == Some(now) && !self.fault_logged[id].ended {
                self.fault_logged[id].ended = true;
                let time_utc = self.utc().iso8601();
                self.audit.append(
                    now,
                    time_utc,
                    Actor::Pipeline,
                    "FaultCleared",
                    "",
                    format!("{label} ended"),
                );
            }
        }
    }

    /// Runs the migration a release brings as its rollout starts. A breaking schema fails the
    /// previous release at once (and a rollback does not undo it); a failed migration fails the
    /// new release's writes. Both become faults, so they show and can be cleared like any other.
    fn apply_migration(&mut self, new_version: VersionId, old_version: VersionId) {
        let profile = self.scenario.profile(new_version).clone();
        let old_name = self.scenario.profile(old_version).name.clone();
        let target = |version: &str| crate::world::fault::FaultTarget {
            environment: self.scenario.rollout_environment.clone(),
            service: Some(self.scenario.rollout_service.clone()),
            version: Some(version.to_string()),
            zone: None,
        };
        let (action, reason, fault) = match profile.schema_migration {
            crate::world::version::SchemaMigration::None => return,
            crate::world::version::SchemaMigration::Compatible => (
                "MigrationApplied",
                format!(
                    "{}'s backward-compatible migration applied; {old_name} keeps working",
                    profile.name
                ),
                None,
            ),
            crate::world::version::SchemaMigration::Breaking => (
                "MigrationApplied",
                format!(
                    "{}'s migration is not backward-compatible: {old_name} cannot read the new schema, and rolling back the code will not restore it",
                    profile.name
                ),
                Some((
                    FaultKind::BreakingSchemaChange {
                        error_rate_bp: crate::world::version::BREAKING_SCHEMA_ERROR_BP,
                    },
                    target(&old_name),
                )),
            ),
            crate::world::version::SchemaMigration::Failing => (
                "MigrationFailed",
                format!(
                    "{}'s migration failed part-way: its writes fail",
                    profile.name
                ),
                Some((
                    FaultKind::FailedMigration {
                        write_share_bp: crate::world::version::FAILED_MIGRATION_WRITE_BP,
                    },
                    target(&profile.name),
                )),
            ),
        };
        let time_utc = self.utc().iso8601();
        self.audit.append(
            self.now,
            time_utc,
            Actor::Pipeline,
            action,
            &profile.name,
            reason,
        );
        if let Some((kind, target)) = fault {
            self.faults.push(Fault {
                kind,
                target,
                start: self.now,
                end: None,
            });
            self.fault_logged.push(FaultLogged::default());
            self.faults_changed = true;
            self.start_fault(self.faults.len() as u32 - 1, Actor::Pipeline);
        }
    }

    fn start_fault(&mut self, id: u32, actor: Actor) {
        let id_index = id as usize;
        self.fault_logged[id_index].started = true;
        let fault = self.faults[id_index].clone();
        let time_utc = self.utc().iso8601();
        let version = fault.target.version.clone().unwrap_or_default();
        let label = format!(
            "fault #{id} {} in {}",
            fault.kind.id(),
            describe_target(&fault.target)
        );
        self.audit.append(
            self.now,
            time_utc,
            actor,
            "FaultInjected",
            &version,
            format!("{label}: {}", fault.kind.effect()),
        );
        self.apply_instant_effects(&fault);
    }

    fn apply_instant_effects(&mut self, fault: &Fault) {
        let Some(environment) = self.world.environment_index(&fault.target.environment) else {
            return;
        };
        let zone = fault
            .target
            .zone
            .as_ref()
            .and_then(|z| {
                self.world.environments[environment as usize]
                    .spec
                    .zones
                    .iter()
                    .position(|name| name == z)
            })
            .unwrap_or(0) as u32;
        for service in self
            .world
            .services
            .iter_mut()
            .filter(|s| s.environment == environment)
        {
            if fault
                .target
                .service
                .as_ref()
                .is_some_and(|name| name != &service.spec.name)
            {
                continue;
            }
            match fault.kind {
                FaultKind::InstanceLoss { count } => {
                    service.fleet.lose_instances(count);
                }
                FaultKind::ZoneOutage => {
                    service.fleet.lose_zone(zone);
                }
                FaultKind::RegionOutage => {
                    service.fleet.lose_all();
                }
                _ => {}
            }
        }
    }

    /// What the active faults do to service `index` this second.
    fn effects_for(&self, index: u32, active: &[&Fault]) -> ServiceEffects {
        let service = &self.world.services[index as usize];
        let environment = &self.world.environments[service.environment as usize].spec;
        let mut effects = ServiceEffects {
            spike_factor: 1.0,
            fleet: FleetConditions::default(),
            ..ServiceEffects::default()
        };
        let versions_of = |fault: &Fault| -> Vec<VersionId> {
            match &fault.target.version {
                Some(name) => self.scenario.version_id(name).into_iter().collect(),
                None => (0..self.scenario.versions.len() as u32)
                    .map(VersionId)
                    .collect(),
            }
        };
        for fault in active {
            if fault.target.environment != environment.name
                || fault
                    .target
                    .service
                    .as_ref()
                    .is_some_and(|s| s != &service.spec.name)
            {
                continue;
            }
            match &fault.kind {
                FaultKind::BadBuild { error_rate_bp }
                | FaultKind::BreakingSchemaChange { error_rate_bp } => {
                    effects.extra_error.extend(
                        versions_of(fault)
                            .into_iter()
                            .map(|v| (v, f64::from(*error_rate_bp) / 10_000.0)),
                    );
                }
                FaultKind::FailedMigration { write_share_bp } => {
                    effects.extra_error.extend(
                        versions_of(fault)
                            .into_iter()
                            .map(|v| (v, f64::from(*write_share_bp) / 10_000.0)),
                    );
                }
                FaultKind::SlowBuild {
                    latency_factor_per_mille,
                } => {
                    effects.latency_factor.extend(
                        versions_of(fault)
                            .into_iter()
                            .map(|v| (v, f64::from(*latency_factor_per_mille) / 1_000.0)),
                    );
                }
                FaultKind::CrashOnStart => effects.fleet.crash_on_start.extend(versions_of(fault)),
                FaultKind::ReadinessNeverTrue => {
                    effects.fleet.never_ready.extend(versions_of(fault))
                }
                FaultKind::MemoryLeak { mib_per_minute } => {
                    let kib_per_s = mib_per_minute * 1_024 / 60;
                    effects
                        .fleet
                        .leaking
                        .extend(versions_of(fault).into_iter().map(|v| (v, kib_per_s)));
                }
                FaultKind::SilentAiFailure { empty_bp } => {
                    effects.empty_ai_share = f64::from(*empty_bp) / 10_000.0
                }
                FaultKind::MetricsProviderDown => effects.metrics_down = true,
                FaultKind::TrafficSpike { factor_per_mille } => {
                    effects.spike_factor *= f64::from(*factor_per_mille) / 1_000.0
                }
                FaultKind::ZoneOutage => {
                    let zone = fault
                        .target
                        .zone
                        .as_ref()
                        .and_then(|z| environment.zones.iter().position(|name| name == z))
                        .unwrap_or(0) as u32;
                    effects.fleet.zones_down.push(zone);
                }
                FaultKind::RegionOutage => effects
                    .fleet
                    .zones_down
                    .extend(0..environment.zones.len() as u32),
                FaultKind::SecretMissing { .. } => effects.secret_missing = true,
                FaultKind::BrokenStopScript => effects.fleet.broken_stop_script = true,
                FaultKind::InstanceLoss { .. }
                | FaultKind::DatabaseOutage
                | FaultKind::DatabasePoolExhaustion { .. }
                | FaultKind::CacheOutage
                | FaultKind::AiProviderOutage
                | FaultKind::AiRateLimited { .. }
                | FaultKind::AiQuotaExhausted => {}
            }
        }
        // Memory pressure from a leak slows requests (garbage collection, swapping) before the OOM kill.
        for version in effects
            .fleet
            .leaking
            .iter()
            .map(|(v, _)| *v)
            .collect::<Vec<_>>()
        {
            let pressure = service.fleet.memory_pressure(version);
            effects
                .latency_factor
                .push((version, 1.0 + 2.0 * pressure * pressure));
        }
        effects
    }

    /// The simulated clock as unix seconds, for the pipeline's calendar rules.
    fn unix_now(&self) -> u64 {
        self.scenario.start_unix_s + self.now.0
    }

    /// One second of the pipeline: budget, reviewers, runs; then its effects.
    fn step_pipeline(&mut self) {
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
    fn deploy_verdict(&mut self) -> Option<(bool, String)> {
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

    fn apply_pipeline_effects(&mut self, effects: Vec<crate::pipeline::state::PipelineEffect>) {
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
    fn apply_pipeline_command(
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

    /// Lets CodeDeploy's record follow the controller: `since` is the first audit record of
    /// this second's controller events. A rollback it starts in place undoes the Deployment.
    fn track_codedeploy(&mut self, since: u32) {
        if self.codedeploy.is_none() {
            return;
        }
        let observed = self.observe_codedeploy(since);
        let Some(tracker) = self.codedeploy.as_mut() else {
            return;
        };
        let actions = tracker.reconcile(&observed, self.now);
        self.record_events(&actions.events);
        if actions.redeploy.is_some()
            && let Some(deployment) = self.controller.deployment_mut()
            && let Ok(events) = deployment.undo(
                Actor::DeploymentController,
                self.now,
                &self.scenario.versions,
            )
        {
            self.record_events(&events);
        }
    }

    fn observe_codedeploy(&self, since: u32) -> CodeDeployObserved {
        let aborted = self.audit.records()[since as usize..]
            .iter()
            .find(|r| r.action == "RolloutAborted")
            .map(|r| (r.actor, r.reason.clone()));
        let fleet = self.fleet();
        let (target, complete) = match &self.controller {
            Controller::Deployment(deployment) => {
                (deployment.template, deployment.is_complete(fleet, self.now))
            }
            controller => {
                let rollout = controller.canary().map(|c| &c.status);
                let canary = rollout.and_then(|r| r.canary);
                let aborted = rollout.is_some_and(|r| r.aborted.is_some());
                let target = match canary {
                    Some(canary) if !aborted => canary,
                    _ => controller.stable(),
                };
                let others_live: u32 = fleet
                    .versions()
                    .into_iter()
                    .filter(|v| *v != target)
                    .map(|v| fleet.live(v))
                    .sum();
                let settled = canary.is_none() || aborted;
                (target, settled && others_live == 0)
            }
        };
        let instances = fleet
            .instances()
            .iter()
            .filter(|i| i.version == target)
            .map(|i| {
                (
                    i.id,
                    i.name.clone(),
                    i.state == crate::world::fleet::InstanceState::Ready,
                    matches!(
                        i.state,
                        crate::world::fleet::InstanceState::CrashLoopBackOff { .. }
                    ),
                )
            })
            .collect();
        let period_s = self
            .codedeploy
            .as_ref()
            .map_or(60, |c| c.spec.alarm_period_s);
        // The alarm watches the errors of the revision being deployed, as an application alarm
        // would; requests that found no instance during an all-at-once update are downtime,
        // which the configuration accepts, not the revision's errors.
        let window = self.metrics.window(
            CohortKey {
                service: self.target,
                version: target,
            },
            self.now,
            period_s,
        );
        CodeDeployObserved {
            target,
            complete,
            aborted,
            instances,
            error_rate_bp: {
                let served = window.requests - window.unserved;
                (served >= 100)
                    .then(|| ((window.errors - window.unserved) * 10_000 / served) as u32)
            },
        }
    }

    fn record_events(&mut self, events: &[RolloutEvent]) {
        if events.is_empty() {
            return;
        }
        let time_utc = self.utc().iso8601();
        for event in events {
            let version = self.scenario.profile(event.version).name.clone();
            self.audit.append(
                self.now,
                time_utc.clone(),
                event.actor,
                event.reason,
                &version,
                event.message.clone(),
            );
        }
    }

    /// The Flagger controller, when the scenario's strategy is a Flagger Canary.
    pub fn flagger(&self) -> Option<&FlaggerController> {
        self.controller.flagger()
    }

    /// The feature-flag rollout, when the scenario's strategy is a flag.
    pub fn flag(&self) -> Option<&FlagRolloutController> {
        self.controller.feature_flag()
    }

    /// A Deployment's result, the version serving (the template once complete, else the newest
    /// other ReplicaSet still asked for), and the template's share of traffic now and at most.
    fn deployment_outcome(
        &self,
        deployment: &DeploymentController,
    ) -> (&'static str, VersionId, u32, u32) {
        let fleet = self.fleet();
        let complete = deployment.is_complete(fleet, self.now);
        let result = match &deployment.progressing {
            None => "no_rollout",
            Some(condition) if !condition.status => "progress_deadline_exceeded",
            Some(_) if complete && deployment.undone => "rolled_back",
            Some(_) if complete => "completed",
            Some(_) => "in_progress",
        };
        let serving = if complete {
            deployment.template
        } else {
            deployment
                .revisions
                .iter()
                .filter(|(v, _)| **v != deployment.template && fleet.desired(**v) > 0)
                .max_by_key(|(_, revision)| **revision)
                .map_or(deployment.template, |(v, _)| *v)
        };
        let template_name = &self.scenario.profile(deployment.template).name;
        let weight_of = |versions: &[VersionState]| {
            versions
                .iter()
                .find(|v| &v.version == template_name)
                .map_or(0, |v| v.weight_percent)
        };
        let weight = self
            .traffic_split()
            .iter()
            .find(|(v, _)| *v == deployment.template)
            .map_or(0, |(_, w)| *w);
        let max_weight = self
            .timeline
            .iter()
            .map(|entry| weight_of(&entry.versions))
            .max()
            .unwrap_or(0)
            .max(weight);
        (result, serving, weight, max_weight)
    }

    /// Appends a timeline entry when the rolled-out service's replicas, traffic, step or phase
    /// changed this second. The phase is only recomputed when something else changed or
    /// `events_logged`, since only those move it.
    fn record_timeline(&mut self, events_logged: bool) {
        let service = &self.world.services[self.target as usize];
        if service.quiet.is_some() && !events_logged {
            return;
        }
        let versions = self.version_states();
        let step_index = self.controller.step_index();
        let last = self.timeline.last();
        if !events_logged
            && last.is_some_and(|l| l.versions == versions && l.step_index == step_index)
        {
            return;
        }
        let (phase, reason) = self.phase();
        let phase = phase.label().to_string();
        if last.is_some_and(|l| {
            l.versions == versions
                && l.step_index == step_index
                && l.phase == phase
                && l.reason == reason
        }) {
            return;
        }
        self.timeline.push(TimelineEntry {
            t_s: self.now.0,
            time_utc: self.utc().iso8601(),
            step_index,
            phase,
            reason,
            versions,
        });
    }

    /// Recomputes the active fault set when a fault starts or ends now, or a command changed it.
    fn refresh_active_faults(&mut self) {
        let now = self.now;
        if !self.faults_changed && self.next_fault_change.is_none_or(|at| at > now) {
            return;
        }
        self.faults_changed = false;
        self.active_faults = (0..self.faults.len() as u32)
            .filter(|id| self.faults[*id as usize].is_active(now))
            .collect();
        self.next_fault_change = self
            .faults
            .iter()
            .flat_map(|f| [Some(f.start), f.end])
            .flatten()
            .filter(|at| *at > now)
            .min();
    }

    fn track_settling(&mut self) {
        // A fault active now, or any start or end still ahead, keeps the story going.
        let faults_pending = !self.active_faults.is_empty()
            || self.next_fault_change.is_some_and(|at| at > self.now);
        let quiet = self.rollout_is_idle()
            && !self.controller.is_progressing()
            && !self.fleet().is_converging()
            && !faults_pending
            && self.next_scheduled as usize >= self.scenario.schedule.len();
        match (quiet, self.settled_at) {
            (true, None) => self.settled_at = Some(self.now),
            (false, Some(_)) => self.settled_at = None,
            _ => {}
        }
    }
}

/// Errors and requests of `series` over the `window_s` seconds ending at `now`: from the
/// second tier within its hour, beyond it from the minute and hour tiers.
fn long_window_totals(series: &crate::metrics::Series, now: Tick, window_s: u32) -> (u64, u64) {
    if window_s <= crate::metrics::SECOND_TIER_LEN {
        let totals = series.window(now, window_s);
        return (totals.errors, totals.requests);
    }
    let start = now.0.saturating_sub(u64::from(window_s));
    let tier = if window_s <= 86_400 {
        series.minutes()
    } else {
        series.hours()
    };
    tier.iter()
        .filter(|sample| sample.start.0 >= start)
        .fold((0, 0), |(errors, requests), sample| {
            (errors + sample.errors, requests + sample.requests)
        })
}

fn describe_target(target: &crate::world::fault::FaultTarget) -> String {
    let mut text = target.environment.clone();
    if let Some(service) = &target.service {
        text.push('/');
        text.push_str(service);
    }
    if let Some(version) = &target.version {
        text.push_str(&format!(" ({version})"));
    }
    if let Some(zone) = &target.zone {
        text.push_str(&format!(" zone {zone}"));
    }
    text
}

/// A canary's result (from its history once it ended), its stable version, and the canary's
/// share of traffic now and at most.
fn canary_outcome(rollout: &RolloutStatus) -> (&'static str, VersionId, u32, u32) {
    let last = rollout.history.last();
    let result = if rollout.is_progressing() {
        "in_progress"
    } else if rollout.aborted.is_some() {
        "rolled_back"
    } else {
        match last.map(|r| r.result) {
            Some(RolloutResult::Promoted) => "promoted",
            Some(RolloutResult::Aborted) => "rolled_back",
            None => "no_rollout",
        }
    };
    let max_weight = if rollout.canary.is_some() {
        rollout.max_traffic_weight_percent
    } else {
        last.map_or(0, |r| r.max_traffic_weight_percent)
    };
    (
        result,
        rollout.stable,
        rollout.traffic_weight_percent,
        max_weight,
    )
}

/// The controller the scenario's strategy names, with `stable` fully rolled out.
fn controller_for(
    scenario: &Scenario,
    world: &World,
    target: u32,
    stable: VersionId,
) -> Controller {
    use crate::scenario::Strategy;
    match &scenario.strategy {
        Strategy::KubernetesDeployment { name, spec } => {
            Controller::Deployment(DeploymentController::new(name, spec.clone(), stable))
        }
        Strategy::FeatureFlag { spec } => {
            let service = &world.services[target as usize];
            let users = world.environments[service.environment as usize].spec.users;
            Controller::FeatureFlag(FlagRolloutController::new(spec.clone(), stable, users))
        }
        Strategy::Flagger { spec } => {
            Controller::Flagger(FlaggerController::new(spec.clone(), stable))
        }
        Strategy::ArgoBlueGreen { spec } => {
            Controller::BlueGreen(BlueGreenController::new(spec.clone(), stable))
        }
        Strategy::ArgoCanary => {
            Controller::Canary(CanaryController::new(scenario.canary.clone(), stable))
        }
    }
}
