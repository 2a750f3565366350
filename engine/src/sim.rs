//! The simulation: one service, its traffic, its rollout controller and its audit log.
//!
//! Each `step` simulates one second in a fixed order: the script's commands due now, then
//! instance lifecycles, then traffic and metrics, then the rollout controller, then replica
//! targets. All randomness comes from sub-streams of the run's seed.

use serde::{Deserialize, Serialize};

use crate::audit::{Actor, AuditLog};
use crate::command::{Command, CommandError, TimedCommand};
use crate::fleet::Fleet;
use crate::metrics::{LatencyHistogram, Metrics, SecondSample};
use crate::prng::{Prng, Stream};
use crate::rollout::{Observed, RolloutEvent, RolloutPhase, RolloutResult, RolloutStatus, phase};
use crate::scenario::Scenario;
use crate::time::{Tick, UtcDateTime};
use crate::version::VersionId;

/// Latency samples drawn per version per second; percentiles come from these.
const LATENCY_SAMPLES_PER_S: u32 = 64;

/// A running simulation.
#[derive(Clone, Debug)]
pub struct Sim {
    scenario: Scenario,
    seed: u64,
    now: Tick,
    traffic_prng: Prng,
    errors_prng: Prng,
    latency_prng: Prng,
    startup_prng: Prng,
    fleet: Fleet,
    metrics: Metrics,
    rollout: RolloutStatus,
    audit: AuditLog,
    commands: Vec<TimedCommand>,
    next_scheduled: u32,
    settled_at: Option<Tick>,
    histogram: LatencyHistogram,
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
    /// Requests served (including failed ones).
    pub requests_total: u64,
    /// Failed requests.
    pub errors_total: u64,
    /// Requests that found no ready instance.
    pub unserved_requests_total: u64,
}

impl Sim {
    /// A new run of `scenario` seeded with `seed`, at its first second.
    pub fn new(scenario: Scenario, seed: u64) -> Sim {
        let initial = VersionId(0);
        let fleet = Fleet::new_ready(
            &scenario.service,
            &scenario.versions,
            initial,
            scenario.canary.replicas,
        );
        Sim {
            seed,
            now: Tick(0),
            traffic_prng: Prng::substream(seed, Stream::Traffic),
            errors_prng: Prng::substream(seed, Stream::Errors),
            latency_prng: Prng::substream(seed, Stream::Latency),
            startup_prng: Prng::substream(seed, Stream::Startup),
            fleet,
            metrics: Metrics::default(),
            rollout: RolloutStatus::new(initial),
            audit: AuditLog::default(),
            commands: Vec::new(),
            next_scheduled: 0,
            settled_at: None,
            histogram: LatencyHistogram::default(),
            scenario,
        }
    }

    /// Re-creates a run from its defining triple: scenario, seed and the trainee's commands.
    pub fn replay(scenario: Scenario, seed: u64, commands: &[TimedCommand]) -> Sim {
        let mut sim = Sim::new(scenario, seed);
        for timed in commands {
            while sim.now < timed.at && !sim.is_finished() {
                sim.step();
            }
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
        self.run_scheduled_commands();
        self.fleet
            .reconcile(self.now, &self.scenario.versions, &mut self.startup_prng);
        self.serve_traffic();
        let observed = self.observe();
        let events = self
            .rollout
            .reconcile(&self.scenario.canary, &observed, self.now);
        self.record_events(&events);
        self.apply_replica_targets();
        self.track_settling();
        self.now = self.now.plus_s(1);
    }

    /// Steps until the scenario's story is over.
    pub fn run_to_end(&mut self) {
        while !self.is_finished() {
            self.step();
        }
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

    /// True once everything has settled and the aftermath has been shown, or at the time limit.
    pub fn is_finished(&self) -> bool {
        let settled = self
            .settled_at
            .is_some_and(|at| self.now.seconds_since(at) >= u64::from(self.scenario.settle_s));
        settled || self.now.0 >= u64::from(self.scenario.max_duration_s)
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

    /// The instances.
    pub fn fleet(&self) -> &Fleet {
        &self.fleet
    }

    /// Per-version metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The rollout controller's state.
    pub fn rollout(&self) -> &RolloutStatus {
        &self.rollout
    }

    /// The rollout phase and its reason now.
    pub fn phase(&self) -> (RolloutPhase, String) {
        phase(&self.scenario.canary, &self.rollout, &self.observe())
    }

    /// The audit log.
    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    /// Every command given by a person, with its time: with the scenario and seed this defines the run.
    pub fn commands(&self) -> &[TimedCommand] {
        &self.commands
    }

    /// Share of traffic each version receives now, in percent, stable first.
    pub fn traffic_split(&self) -> Vec<(VersionId, u32)> {
        let canary_weight = self.rollout.traffic_weight_percent;
        let mut split = vec![(self.rollout.stable, 100 - canary_weight)];
        if let Some(canary) = self.rollout.canary {
            split.push((canary, canary_weight));
        }
        split
    }

    /// How the run ended (or stands).
    pub fn outcome(&self) -> Outcome {
        let (phase, phase_message) = self.phase();
        let last = self.rollout.history.last();
        let result = if self.rollout.is_progressing() {
            "in_progress"
        } else if self.rollout.aborted.is_some() {
            "rolled_back"
        } else {
            match last.map(|r| r.result) {
                Some(RolloutResult::Promoted) => "promoted",
                Some(RolloutResult::Aborted) => "rolled_back",
                None => "no_rollout",
            }
        };
        let max_weight = if self.rollout.canary.is_some() {
            self.rollout.max_traffic_weight_percent
        } else {
            last.map_or(0, |r| r.max_traffic_weight_percent)
        };
        let (requests_total, errors_total) = self.metrics.all().fold((0, 0), |(r, e), (_, s)| {
            (r + s.requests_total, e + s.errors_total)
        });
        Outcome {
            result: result.to_string(),
            stable_version: self.scenario.profile(self.rollout.stable).name.clone(),
            phase: phase.label().to_string(),
            phase_message,
            canary_traffic_weight_percent: self.rollout.traffic_weight_percent,
            max_canary_traffic_weight_percent: max_weight,
            duration_s: self.now.0,
            requests_total,
            errors_total,
            unserved_requests_total: self.metrics.unserved_requests_total,
        }
    }

    fn apply_as(&mut self, actor: Actor, command: Command) -> Result<(), CommandError> {
        let version = match &command {
            Command::StartRollout { version } => Some(
                self.scenario
                    .version_id(version)
                    .ok_or_else(|| CommandError::UnknownVersion(version.clone()))?,
            ),
            _ => None,
        };
        let events =
            self.rollout
                .apply(&self.scenario.canary, &command, version, actor, self.now)?;
        if actor == Actor::Trainee {
            self.commands.push(TimedCommand {
                at: self.now,
                actor,
                command,
            });
        }
        self.record_events(&events);
        self.apply_replica_targets();
        self.settled_at = None;
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

    fn serve_traffic(&mut self) {
        let base = u64::from(self.scenario.base_rps);
        // ±5 % noise around the average volume.
        let total = (base * (950 + self.traffic_prng.below(101)) / 1_000) as u32;
        let split = self.traffic_split();
        let mut assigned = 0u32;
        let mut unserved = 0u32;
        for (index, (version, weight)) in split.iter().enumerate() {
            let share = if index + 1 == split.len() {
                total - assigned
            } else {
                ((u64::from(total) * u64::from(*weight) + 50) / 100) as u32
            };
            assigned += share;
            if share == 0 {
                continue;
            }
            if self.fleet.counts(*version).ready == 0 {
                unserved += share;
                continue;
            }
            let profile = &self.scenario.versions[version.0 as usize];
            let errors = self.errors_prng.binomial_bp(share, profile.error_rate_bp);
            self.histogram.clear();
            let median = f64::from(profile.latency_p50_ms);
            let sigma = f64::from(profile.latency_sigma_milli) / 1_000.0;
            for _ in 0..share.min(LATENCY_SAMPLES_PER_S) {
                let latency_ms = median * libm::exp(sigma * self.latency_prng.standard_normal());
                self.histogram
                    .record(libm::round(latency_ms).clamp(1.0, 120_000.0) as u32);
            }
            let sample = SecondSample {
                tick: self.now,
                requests: share,
                errors,
                p50_ms: self.histogram.quantile_ms(500),
                p95_ms: self.histogram.quantile_ms(950),
                p99_ms: self.histogram.quantile_ms(990),
            };
            self.metrics.record(*version, sample);
        }
        if unserved > 0 {
            self.metrics.unserved_requests_total += u64::from(unserved);
            self.metrics.downtime_s += 1;
        }
    }

    fn observe(&self) -> Observed {
        let window_s = self
            .scenario
            .canary
            .analysis
            .as_ref()
            .map_or(60, |a| a.gate.window_s);
        let canary = self.rollout.canary;
        Observed {
            stable_ready: self.fleet.counts(self.rollout.stable).ready,
            canary_ready: canary.map_or(0, |c| self.fleet.counts(c).ready),
            canary_window: canary.map_or_else(Default::default, |c| {
                self.metrics.window(c, self.now, window_s)
            }),
        }
    }

    fn record_events(&mut self, events: &[RolloutEvent]) {
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

    fn apply_replica_targets(&mut self) {
        let desired = self.rollout.desired_replicas(&self.scenario.canary);
        for index in 0..self.scenario.versions.len() as u32 {
            let version = VersionId(index);
            let replicas = desired
                .iter()
                .find(|(v, _)| *v == version)
                .map_or(0, |(_, n)| *n);
            self.fleet.set_desired(version, replicas);
        }
    }

    fn track_settling(&mut self) {
        let quiet = !self.rollout.is_progressing()
            && self.rollout.scale_down.is_none()
            && self.rollout.canary_replicas == 0
            && !self.fleet.is_converging()
            && self.next_scheduled as usize >= self.scenario.schedule.len();
        match (quiet, self.settled_at) {
            (true, None) => self.settled_at = Some(self.now),
            (false, Some(_)) => self.settled_at = None,
            _ => {}
        }
    }
}
