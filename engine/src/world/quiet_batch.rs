//! Batch mode for quiet minutes: planned services are written a minute at a time instead of
//! second by second, with the same result (the model is in `quiet.rs`).
//!
//! - **Quiet everywhere.** Every service is planned or idle, so nothing needs stepping:
//!   [`World::write_quiet_minute`] writes each cohort's and environment's minute and last
//!   second, the users hit, and the dependencies as they stand after the minute.
//! - **Mixed.** Some services are busy (a fault, a rollout) and are stepped second by second.
//!   The planned ones are not served each second; [`World::add_planned_second`] adds their
//!   precomputed share of the second to their environment's totals and dependencies, and
//!   [`World::end_planned_minute`] writes them whole when the minute ends. If the minute is
//!   interrupted (a command, or a run stopping part-way), the elapsed seconds are written out
//!   one by one instead, exactly as tick-by-tick mode would have written them.
//!
//! Every sum over services is an integer (requests, tokens, millionths of a database
//! connection), so adding a planned service's share before or after a busy one changes nothing.

use crate::metrics::{CohortKey, Metrics, PeriodSample, SecondSample};
use crate::time::Tick;
use crate::version::VersionProfile;
use crate::world::minute_plan::{PlannedMinute, PlannedSecond};
use crate::world::quiet::{
    MINUTE_S, database_demand_micro, mark_users, quiet_second, second_shares, share_of_second,
};
use crate::world::{World, pool_per_mille};

impl World {
    /// Writes the rest of a minute whose first second's dependencies are updated and whose every
    /// service is planned or idle ([`World::minute_is_quiet_everywhere`]).
    pub fn write_quiet_minute(
        &mut self,
        start: Tick,
        minute_slot: u32,
        versions: &[VersionProfile],
        metrics: &mut Metrics,
    ) {
        let last_second = MINUTE_S - 1;
        // The dependencies after the minute depend on the load of its last two seconds.
        let mut demand_micro = vec![[0u64; 2]; self.environments.len()];
        let mut ai_calls = vec![[0u32; 2]; self.environments.len()];
        for service in &self.services {
            let Some(plan) = service.quiet.as_ref() else {
                continue;
            };
            let environment = service.environment as usize;
            let query_ms = self.environments[environment]
                .spec
                .dependencies
                .database_query_ms;
            for (slot, second) in [last_second - 1, last_second].into_iter().enumerate() {
                let requests = share_of_second(plan.requests, second);
                demand_micro[environment][slot] +=
                    database_demand_micro(requests, &service.spec, query_ms);
                ai_calls[environment][slot] += share_of_second(plan.ai_calls, second);
            }
        }
        let mut last_pool = Vec::with_capacity(self.environments.len());
        for (index, environment) in self.environments.iter_mut().enumerate() {
            // As `update_dependencies` leaves them at the start of the last second.
            environment.health.database_pool_per_mille = pool_per_mille(
                demand_micro[index][0],
                environment.spec.dependencies.database_pool,
                100,
            );
            environment.health.ai_calls_per_s = ai_calls[index][0];
            last_pool.push(environment.health.database_pool_per_mille);
        }
        let minutes =
            self.record_planned_minutes(start, &last_pool, minute_slot, versions, metrics);
        for (index, (minute, last)) in minutes.into_iter().enumerate() {
            let environment = &mut self.environments[index];
            environment.health.ai_tokens_today += minute.tokens;
            environment.database_demand_micro = demand_micro[index][1];
            environment.ai_calls_this_second = ai_calls[index][1];
            metrics.record_environment_minute(index as u32, minute, last);
        }
    }

    /// Starts a mixed minute at `start`: from now to its end, planned services are not served
    /// second by second. Does nothing when no service is planned.
    pub fn begin_planned_minute(&mut self, start: Tick) {
        let environments = self.environments.len();
        let mut load = vec![[PlannedSecond::default(); MINUTE_S as usize]; environments];
        let mut any = false;
        for service in &self.services {
            let Some(plan) = service.quiet.as_ref() else {
                continue;
            };
            any = true;
            let environment = &self.environments[service.environment as usize];
            let query_ms = environment.spec.dependencies.database_query_ms;
            let mut failures = plan.failures.iter().peekable();
            let shares = second_shares(plan.requests)
                .zip(second_shares(plan.ai_calls))
                .zip(second_shares(plan.slow_requests));
            let seconds = (0..MINUTE_S).zip(load[service.environment as usize].iter_mut());
            for ((second, load), ((requests, ai_calls), slow_requests)) in seconds.zip(shares) {
                let mut errors = 0;
                while failures.next_if(|(s, _)| *s == second).is_some() {
                    errors += 1;
                }
                load.requests += requests;
                load.errors += errors;
                load.ai_calls += ai_calls;
                load.tokens += ai_calls * plan.tokens_per_call;
                load.p95_ms = load.p95_ms.max(plan.percentiles_ms[1]);
                load.slow_requests += slow_requests;
                load.database_demand_micro +=
                    database_demand_micro(requests, &service.spec, query_ms);
            }
        }
        self.planned_minute = any.then(|| PlannedMinute {
            start,
            load,
            pool_per_mille: vec![[0; MINUTE_S as usize]; environments],
            elapsed: 0,
        });
    }

    /// True while a mixed minute is under way.
    pub fn planned_minute_active(&self) -> bool {
        self.planned_minute.is_some()
    }

    /// Adds the planned services' share of second `now` to their environments' totals and
    /// dependencies. Call once per stepped second of a mixed minute, after the busy services.
    pub fn add_planned_second(&mut self, now: Tick, environment_totals: &mut [SecondSample]) {
        let Some(planned) = self.planned_minute.as_mut() else {
            return;
        };
        let second = (now.0 - planned.start.0) as usize;
        for (index, environment) in self.environments.iter_mut().enumerate() {
            let load = planned.load[index][second];
            planned.pool_per_mille[index][second] = environment.health.database_pool_per_mille;
            environment.database_demand_micro += load.database_demand_micro;
            environment.ai_calls_this_second += load.ai_calls;
            environment.health.ai_tokens_today += u64::from(load.tokens);
            let total = &mut environment_totals[index];
            total.requests += load.requests;
            total.errors += load.errors;
            total.tokens += load.tokens;
            total.ai_calls += load.ai_calls;
            total.p95_ms = total.p95_ms.max(load.p95_ms);
            total.slow_requests += load.slow_requests;
        }
        planned.elapsed = second as u32 + 1;
    }

    /// Ends a mixed minute: writes each planned cohort's minute whole when all of it was
    /// stepped, or its elapsed seconds one by one when it was cut short (the rest of the minute
    /// then goes second by second, from the same plans).
    pub fn end_planned_minute(
        &mut self,
        minute_slot: u32,
        versions: &[VersionProfile],
        metrics: &mut Metrics,
    ) {
        let Some(planned) = self.planned_minute.take() else {
            return;
        };
        if planned.elapsed == MINUTE_S {
            let last_pool: Vec<u32> = planned
                .pool_per_mille
                .iter()
                .map(|seconds| seconds[MINUTE_S as usize - 1])
                .collect();
            // The environments' own series were written second by second.
            self.record_planned_minutes(planned.start, &last_pool, minute_slot, versions, metrics);
            return;
        }
        for service in &self.services {
            let Some(plan) = service.quiet.as_ref() else {
                continue;
            };
            let environment = &mut self.environments[service.environment as usize];
            let ready = service.fleet.counts(plan.version).ready;
            for second in 0..planned.elapsed {
                let sample = quiet_second(
                    plan,
                    second,
                    planned.start.plus_s(u64::from(second)),
                    &service.spec,
                    &versions[plan.version.0 as usize],
                    ready,
                    planned.pool_per_mille[service.environment as usize][second as usize],
                );
                let users = plan.failures_in(second).iter().map(|(_, user)| *user);
                mark_users(environment, minute_slot, users);
                metrics.record(
                    CohortKey {
                        service: service.index,
                        version: plan.version,
                    },
                    sample,
                );
            }
        }
    }

    /// Writes every planned cohort's whole minute (its totals and its last second, with the
    /// pool saturation `last_pool` of its environment) and marks its users. Returns, per
    /// environment, the planned services' minute and last second summed.
    fn record_planned_minutes(
        &mut self,
        start: Tick,
        last_pool: &[u32],
        minute_slot: u32,
        versions: &[VersionProfile],
        metrics: &mut Metrics,
    ) -> Vec<(PeriodSample, SecondSample)> {
        let last_second = MINUTE_S - 1;
        let last_tick = start.plus_s(u64::from(last_second));
        let mut minutes = vec![
            (
                PeriodSample {
                    start,
                    ..PeriodSample::default()
                },
                SecondSample {
                    tick: last_tick,
                    ..SecondSample::default()
                },
            );
            self.environments.len()
        ];
        for service in &self.services {
            let Some(plan) = service.quiet.as_ref() else {
                continue;
            };
            let environment_index = service.environment as usize;
            let environment = &mut self.environments[environment_index];
            let sample = quiet_second(
                plan,
                last_second,
                last_tick,
                &service.spec,
                &versions[plan.version.0 as usize],
                service.fleet.counts(plan.version).ready,
                last_pool[environment_index],
            );
            let period = plan.period();
            mark_users(
                environment,
                minute_slot,
                plan.failures.iter().map(|(_, user)| *user),
            );
            metrics.record_minute(
                CohortKey {
                    service: service.index,
                    version: plan.version,
                },
                period,
                sample,
            );
            let (minute, last) = &mut minutes[environment_index];
            minute.absorb_period(&period);
            last.absorb(&sample);
        }
        minutes
    }
}
