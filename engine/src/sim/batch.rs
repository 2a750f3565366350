//! Running ahead: to a time, to the end of the story, or to the next decision, writing quiet
//! minutes whole where the result is the same as stepping.

use crate::metrics::SECOND_TIER_LEN;
use crate::time::Tick;
use crate::world::ServiceEffects;
use crate::world::fault::Fault;
use crate::world::quiet::MINUTE_S;

use super::Sim;
use super::decision::is_decision;

impl Sim {
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
    pub(super) fn advance_in_batches(&mut self, until: Tick, stop_at_end: bool) {
        while self.now < until && !(stop_at_end && self.is_finished()) {
            let may_write_minute = self.minute_fits_before(until.0)
                && (!stop_at_end || self.minute_ends_before_the_end());
            self.step_or_write_minute(may_write_minute, stop_at_end);
        }
        self.end_planned_minute(self.minute_slot());
    }
    /// Ends a mixed minute of batch mode (see `quiet_batch.rs`): whole at its end, or cut short
    /// before a command or when a run stops part-way, so the state is always as stepping leaves it.
    pub(super) fn end_planned_minute(&mut self, minute_slot: u32) {
        self.world
            .end_planned_minute(minute_slot, &self.scenario.versions, &mut self.metrics);
    }
    /// The slot of the current minute in the ring of recently hit users.
    pub(super) fn minute_slot(&self) -> u32 {
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
    /// True when the minute starting now could be written whole and still leave the hour
    /// before `horizon` to be simulated second by second.
    pub(super) fn minute_fits_before(&self, horizon: u64) -> bool {
        self.now.0.is_multiple_of(u64::from(MINUTE_S))
            && self.now.0 + u64::from(MINUTE_S) + u64::from(SECOND_TIER_LEN) <= horizon
    }
    /// True when the story cannot end inside the minute starting now.
    pub(super) fn minute_ends_before_the_end(&self) -> bool {
        self.now.0 + u64::from(MINUTE_S) <= u64::from(self.scenario.max_duration_s)
    }
    /// The earliest second at which the story could end: it cannot settle before its scheduled
    /// commands and fault changes are behind it.
    pub(super) fn earliest_finish(&self) -> u64 {
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
    pub(super) fn next_scheduled_change(&self) -> Option<u64> {
        let command = self
            .scenario
            .schedule
            .get(self.next_scheduled as usize)
            .map(|c| c.at.0);
        let fault = self.next_fault_change.map(|at| at.0);
        command.into_iter().chain(fault).min()
    }
    /// Per service: true when something may change it this minute, so it must be simulated
    /// second by second: a fault on it (or on what its environment shares) starting or ending
    /// this minute, or active now and not steady
    /// ([`crate::world::fault::FaultKind::is_steady`]), the rollout, or a scheduled command. A
    /// steady fault that lasts the whole minute leaves the services it touches to be planned
    /// under it.
    pub(super) fn busy_services(&self) -> Vec<bool> {
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
            let lasts_the_minute =
                fault.start <= self.now && fault.end.is_none_or(|end| end >= minute_end);
            if fault.kind.is_steady() && lasts_the_minute {
                continue;
            }
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
    /// What the active faults do to each service not `busy` in an environment a fault touches,
    /// ordered by service: the steady effects its minute is planned under.
    pub(super) fn steady_effects(&self, busy: &[bool]) -> Vec<(u32, ServiceEffects)> {
        if self.active_faults.is_empty() {
            return Vec::new();
        }
        let active: Vec<&Fault> = self
            .active_faults
            .iter()
            .map(|id| &self.faults[*id as usize])
            .collect();
        let mut faulted = Vec::new();
        self.faulted_environments(&active, &mut faulted);
        self.world
            .services
            .iter()
            .filter(|service| {
                faulted[service.environment as usize] && !busy[service.index as usize]
            })
            .map(|service| (service.index, self.effects_for(service.index, &active)))
            .collect()
    }
    /// Fills `faulted`, indexed by environment, with whether one of the `active` faults targets it.
    pub(super) fn faulted_environments(&self, active: &[&Fault], faulted: &mut Vec<bool>) {
        faulted.clear();
        faulted.resize(self.world.environments.len(), false);
        for fault in active {
            for (environment, faulted) in self.world.environments.iter().zip(faulted.iter_mut()) {
                *faulted |= environment.spec.name == fault.target.environment;
            }
        }
    }
    /// True when no rollout is running, pausing or scaling down, and no workflow is due.
    pub(super) fn rollout_is_idle(&self) -> bool {
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
    /// idle, no rollout is in play, and every active fault is steady (the services it touches
    /// were planned under it).
    pub(super) fn minute_is_quiet_everywhere(&self) -> bool {
        self.rollout_is_idle()
            && self
                .active_faults
                .iter()
                .all(|id| self.faults[*id as usize].kind.is_steady())
            && self.world.minute_is_quiet_everywhere()
    }
}
