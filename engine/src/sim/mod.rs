//! The simulation: [`Sim`] owns the world, its faults, the one rollout controller, the
//! pipeline and the audit log, and is the only thing that changes them. It may use every other
//! folder of the crate; nothing but the report and the CLI uses it.
//!
//! Each second runs in a fixed order (`step.rs`): the script's commands due now; fault starts
//! and ends; dependency health; for each service in world order its fleet and then its traffic;
//! environment totals; the rollout controller; CodeDeploy's record; the pipeline. Commands
//! (`commands.rs`) come between seconds; `batch.rs` runs ahead writing quiet minutes whole;
//! `outcome.rs` and `digest.rs` read a run out. All randomness is keyed by the run's seed.

mod batch;
mod codedeploy;
mod commands;
mod decision;
mod digest;
mod faults;
mod outcome;
mod pipeline;
mod step;
mod timeline;

pub use decision::{DECISION_ACTIONS, is_decision};
pub use timeline::{Outcome, TimelineEntry, VersionState};

use crate::audit::AuditLog;
use crate::command::TimedCommand;
use crate::controllers::Controller;
use crate::controllers::blue_green::BlueGreenController;
use crate::controllers::canary::{CanaryController, RolloutStatus};
use crate::controllers::codedeploy::CodeDeployTracker;
use crate::controllers::deployment::DeploymentController;
use crate::controllers::feature_flag::FlagRolloutController;
use crate::controllers::flagger::FlaggerController;
use crate::controllers::rollout::RolloutPhase;
use crate::metrics::{Metrics, SecondSample};
use crate::scenario::Scenario;
use crate::time::{Tick, UtcDateTime};
use crate::version::VersionId;
use crate::world::fault::Fault;
use crate::world::fleet::Fleet;
use crate::world::{ServiceEffects, World};

/// Which moments of a fault's life are already in the audit log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct FaultLogged {
    /// Its start was logged and its instant effects applied.
    pub(super) started: bool,
    /// Its end was logged (when it ran out, or when someone cleared it).
    pub(super) ended: bool,
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
    /// Reused each stepped second for the environments' totals, so a second allocates nothing.
    environment_totals: Vec<SecondSample>,
    /// Reused each stepped second: which environments a fault touches.
    environments_faulted: Vec<bool>,
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
            environment_totals: Vec::new(),
            environments_faulted: Vec::new(),
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

    /// CodeDeploy's deployments, when the scenario stands for a CodeDeploy group.
    pub fn codedeploy(&self) -> Option<&CodeDeployTracker> {
        self.codedeploy.as_ref()
    }

    /// The blue-green controller, when the scenario's strategy is blue-green.
    pub fn blue_green(&self) -> Option<&BlueGreenController> {
        self.controller.blue_green()
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

    /// The Flagger controller, when the scenario's strategy is a Flagger Canary.
    pub fn flagger(&self) -> Option<&FlaggerController> {
        self.controller.flagger()
    }

    /// The feature-flag rollout, when the scenario's strategy is a flag.
    pub fn flag(&self) -> Option<&FlagRolloutController> {
        self.controller.feature_flag()
    }
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
