//! One busy second of one service: its requests split between versions, served by the ready
//! instances of each, turned into errors and a latency shift by what they meet
//! (`conditions.rs`), recorded, and its failed requests attributed to users.

use crate::metrics::{CohortKey, LATENCY_THRESHOLD_MS, Metrics, SecondSample};
use crate::prng::{Remainder, Stream, approx_binomial, approx_normal, keyed_u64};
use crate::rounding::{round_to_i32, round_to_u32, round_to_u64};
use crate::world::conditions::request_conditions;
use crate::world::fleet::FleetChanges;
use crate::world::latency::shift_for_factor;
use crate::world::{
    MAX_ATTRIBUTED_PER_SECOND, PROBE_TIMEOUT_UTILISATION, RECENT_USER_MINUTES, SecondContext,
    ServiceEffects, World,
};

impl World {
    /// Serves one second of traffic for service `index` and records its metrics.
    pub fn serve(
        &mut self,
        index: u32,
        second: &SecondContext,
        effects: &ServiceEffects,
        changes: &FleetChanges,
        metrics: &mut Metrics,
    ) -> SecondSample {
        metrics.sessions_lost += u64::from(changes.sessions_lost);
        let SecondContext {
            now,
            seed,
            versions,
            calendar,
            unix_s,
        } = *second;
        let minute_slot = (unix_s / 60 % u64::from(RECENT_USER_MINUTES)) as usize;
        let service = &self.services[index as usize];
        let environment = &self.environments[service.environment as usize];
        let health = environment.health.clone();
        let dependencies = environment.spec.dependencies.clone();
        let users = environment.spec.users;
        let spec = &service.spec;
        let requests = spec.traffic.requests_at(
            seed,
            u64::from(index),
            now.0,
            &calendar,
            effects.spike_factor.max(0.0),
        );
        let mut split = std::mem::take(&mut self.split_buffer);
        service.routing.split_into(requests, &mut split);
        let database_share = f64::from(spec.database_share_bp) / 10_000.0;
        let ai_share = f64::from(spec.ai_share_bp) / 10_000.0;
        let capacity = f64::from(spec.capacity_rps_per_instance.max(1));
        let mut total = SecondSample {
            tick: now,
            no_data: effects.metrics_down,
            ..SecondSample::default()
        };
        let mut database_demand = 0.0;
        let mut peak_utilisation: f64 = 0.0;
        let mut errors_to_attribute = std::mem::take(&mut self.attribution_buffer);
        errors_to_attribute.clear();
        for &(version, cohort_requests) in &split {
            // A version with no traffic this second (a canary at weight 0, an idle region) has
            // nothing to record.
            if cohort_requests == 0 {
                continue;
            }
            let counts = service.fleet.counts(version);
            let profile = &versions[version.0 as usize];
            let cohort_key = u64::from(index) << 32 | u64::from(version.0);
            let mut sample = SecondSample {
                tick: now,
                requests: cohort_requests,
                no_data: effects.metrics_down,
                db_pool_per_mille: health.database_pool_per_mille,
                ..SecondSample::default()
            };
            if cohort_requests > 0 && counts.ready == 0 {
                // Nobody can answer: every request fails, and this is downtime.
                sample.errors = cohort_requests;
                sample.unserved = cohort_requests;
            } else if cohort_requests > 0 {
                let cpu_cost = f64::from(profile.cpu_cost_per_mille) / 1_000.0;
                let utilisation =
                    f64::from(cohort_requests) * cpu_cost / (f64::from(counts.ready) * capacity);
                peak_utilisation = peak_utilisation.max(utilisation);
                sample.cpu_per_mille = round_to_u32(utilisation.min(1.0) * 1_000.0);
                let conditions =
                    request_conditions(version, profile, spec, &health, effects, utilisation);
                let cache_multiplier = if health.cache_up {
                    1.0
                } else {
                    1.0 / (1.0 - f64::from(dependencies.cache_hit_bp) / 10_000.0).max(0.1)
                };
                database_demand += f64::from(cohort_requests)
                    * database_share
                    * cache_multiplier.min(5.0)
                    * f64::from(dependencies.database_query_ms)
                    / 1_000.0;
                if ai_share > 0.0 {
                    let ai_calls = round_to_u32(f64::from(cohort_requests) * ai_share);
                    let answered = round_to_u32(f64::from(ai_calls) * conditions.ai_success);
                    sample.ai_calls = ai_calls;
                    sample.tokens = answered * dependencies.ai_tokens_per_call;
                    sample.empty_responses =
                        round_to_u32(f64::from(answered) * effects.empty_ai_share);
                }
                let failure_probability = (1.0 - conditions.success).clamp(0.0, 1.0);
                sample.errors = approx_binomial(
                    cohort_requests,
                    failure_probability,
                    keyed_u64(seed, Stream::Errors, cohort_key, now.0),
                    &mut self.power_memo,
                );
                // In-flight requests of instances killed by a hung stop script fail too.
                if changes.hard_terminations > 0 && version == service.stable {
                    let in_flight = f64::from(cohort_requests) / f64::from(counts.ready.max(1))
                        * f64::from(profile.latency_p50_ms)
                        / 1_000.0;
                    sample.errors = (sample.errors
                        + (in_flight * f64::from(changes.hard_terminations)).ceil() as u32)
                        .min(cohort_requests);
                }
                // Requests still sent to pods that cannot answer them are refused: pods ready
                // without a readiness probe before their process listens, and pods that exited
                // without draining while their endpoint is being removed (whose in-flight
                // requests died with them the second they exited).
                let (not_listening, exited, exited_now) = service.fleet.refusing(version, now);
                if not_listening + exited > 0 {
                    let reaching = u64::from(counts.ready + exited);
                    let refused = (u64::from(cohort_requests) * u64::from(not_listening + exited))
                        .div_ceil(reaching.max(1));
                    let in_flight = (f64::from(cohort_requests) / reaching.max(1) as f64
                        * f64::from(profile.latency_p50_ms)
                        / 1_000.0
                        * f64::from(exited_now))
                    .ceil() as u64;
                    sample.errors = (u64::from(sample.errors) + refused + in_flight)
                        .min(u64::from(cohort_requests)) as u32;
                }
                let jitter = round_to_i32(
                    approx_normal(keyed_u64(seed, Stream::Latency, cohort_key, now.0)) * 0.5,
                );
                let latency_shift = shift_for_factor(conditions.latency_factor) + jitter;
                let template = &self.templates[version.0 as usize];
                [sample.p50_ms, sample.p95_ms, sample.p99_ms] =
                    template.percentiles_ms(latency_shift);
                sample.slow_requests = template.slower_than(
                    cohort_requests - sample.errors,
                    LATENCY_THRESHOLD_MS,
                    latency_shift,
                );
            }
            if sample.errors > 0 {
                errors_to_attribute.push((cohort_key, sample.errors));
            }
            total.absorb(&sample);
            metrics.record(
                CohortKey {
                    service: index,
                    version,
                },
                sample,
            );
        }
        let environment =
            &mut self.environments[self.services[index as usize].environment as usize];
        environment.database_demand_micro += round_to_u64(database_demand * 1_000_000.0);
        environment.health.ai_tokens_today += u64::from(total.tokens);
        environment.ai_calls_this_second += total.ai_calls;
        self.split_buffer = split;
        let service = &mut self.services[index as usize];
        service.probes_failing_s = if peak_utilisation >= PROBE_TIMEOUT_UTILISATION {
            service.probes_failing_s + 1
        } else {
            0
        };
        // Failed requests come from users drawn uniformly; the first few of each cohort-second are
        // attributed, each keyed by its second and its place in it.
        if users > 0 && !errors_to_attribute.is_empty() {
            let population = Remainder::new(u64::from(users));
            // Borrowed once, so the loop does not reload both vectors after every store.
            let affected_users = &mut environment.affected_users[..];
            let recent_affected_users = &mut environment.recent_affected_users[minute_slot][..];
            for &(cohort_key, errors) in &errors_to_attribute {
                for draw in 0..u64::from(errors.min(MAX_ATTRIBUTED_PER_SECOND)) {
                    let user = population.of(keyed_u64(
                        seed,
                        Stream::Users,
                        cohort_key,
                        now.0 * u64::from(MAX_ATTRIBUTED_PER_SECOND) + draw,
                    )) as usize;
                    affected_users[user / 64] |= 1 << (user % 64);
                    recent_affected_users[user / 64] |= 1 << (user % 64);
                }
            }
        }
        self.attribution_buffer = errors_to_attribute;
        total
    }
}
