//! One simulated second, in its fixed order of work, and the records it leaves: audit events, the
//! timeline, and whether the story has settled.

use crate::controllers::rollout::RolloutEvent;
use crate::metrics::SecondSample;
use crate::time::{Tick, UtcDateTime};
use crate::world::SecondContext;
use crate::world::fault::Fault;
use crate::world::quiet::{MINUTE_S, MinuteContext};

use super::Sim;
use super::timeline::TimelineEntry;

impl Sim {
    /// Simulates one second.
    pub fn step(&mut self) {
        self.step_or_write_minute(false, true);
    }
    /// Simulates one second or, when `may_write_minute` and the minute starting now is quiet
    /// everywhere, the whole minute at once (unless `stop_at_end` and the story would end inside
    /// it).
    pub(super) fn step_or_write_minute(&mut self, may_write_minute: bool, stop_at_end: bool) {
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
            let steady = self.steady_effects(&busy);
            self.world.plan_quiet_minutes(&minute, &busy, &steady);
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
        let mut environment_totals = std::mem::take(&mut self.environment_totals);
        environment_totals.clear();
        environment_totals.resize(
            self.world.environments.len(),
            SecondSample {
                tick: self.now,
                ..SecondSample::default()
            },
        );
        // Which environments a fault touches, decided once rather than per service by name.
        let mut faulted = std::mem::take(&mut self.environments_faulted);
        self.faulted_environments(&active, &mut faulted);
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
            let environment_faulted = faulted[service.environment as usize];
            // An idle service (no traffic, settled, untouched by faults) has nothing to simulate
            // this second; skipping it changes no draw, because every draw is keyed.
            if service.spec.traffic.peak_rps == 0
                && !service.fleet.is_converging()
                && !environment_faulted
            {
                continue;
            }
            let owned_effects;
            let effects = if environment_faulted {
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
        for (environment, sample) in environment_totals.iter().enumerate() {
            self.metrics.record_environment(environment as u32, *sample);
        }
        self.environment_totals = environment_totals;
        self.environments_faulted = faulted;
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
    pub(super) fn record_events(&mut self, events: &[RolloutEvent]) {
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
    /// Appends a timeline entry when the rolled-out service's replicas, traffic, step or phase
    /// changed this second. The phase is only recomputed when something else changed or
    /// `events_logged`, since only those move it.
    pub(super) fn record_timeline(&mut self, events_logged: bool) {
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
    pub(super) fn track_settling(&mut self) {
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
    /// Recomputes the active fault set when a fault starts or ends now, or a command changed it.
    pub(super) fn refresh_active_faults(&mut self) {
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
}
