//! Quiet minutes: a minute in which nothing changes is drawn once instead of sixty times.
//!
//! A minute is quiet for an environment when, at its first second, nothing in it is changing:
//! no fault touches it and none starts or ends during the minute, no rollout or scheduled
//! command is due, every service with traffic is settled on one version, and the minute's load
//! stays below every threshold where the per-second model does something non-linear (CPU 70 %,
//! database pool 80 %, the AI provider's rate limit and daily quota). In such a minute the
//! per-second model has nothing to decide, so the quiet model draws the minute's totals once
//! and spreads them over its seconds:
//! - requests: the closed-form sum of the traffic curve over the minute (it is linear within an
//!   hour) with minute-level noise, spread over the seconds as evenly as integers allow;
//! - failed requests: one binomial draw for the minute, each failure placed at a keyed random
//!   request of the minute, and so in a second;
//! - latency: one jitter for the minute;
//! - users: each failure's user is a keyed draw, attributed in the second the failure falls in.
//!
//! Tick-by-tick mode (`Sim::step`) reads each second from the plan. Batch mode
//! (`Sim::advance_to`) writes a whole minute at once: its totals into the minute tier, its last
//! second into the second tier, its users and the dependencies' state after its last second.
//! Both read the same plan, so a run shows the same numbers either way; the second tier is
//! filled densely for the last hour before wherever a batch stops. `engine/tests/it/quiet.rs`
//! runs scenarios both ways and compares every tier.

use crate::metrics::{CohortKey, LATENCY_THRESHOLD_MS, Metrics, SecondSample};
use crate::prng::{HalfDraws, PowerMemo, Prng, Stream, approx_binomial, approx_normal, keyed_u64};
use crate::rounding::{ceil_to_u32, round_to_i32, round_to_u32};
use crate::time::{Tick, UtcDateTime};
use crate::version::{VersionId, VersionProfile};
use crate::world::conditions::request_conditions;
use crate::world::latency::shift_for_factor;
use crate::world::{
    Environment, MAX_ATTRIBUTED_PER_SECOND, ServiceEffects, ServiceSpec, World, pool_per_mille,
};

pub use crate::world::minute_plan::{
    MINUTE_S, NO_USER, QuietMinute, second_shares, share_of_second,
};

/// CPU utilisation up to which load does not slow a service (see `world::load_latency_factor`).
pub const QUIET_MAX_UTILISATION: f64 = 0.7;

/// Database pool saturation, per mille, up to which queries do not queue.
pub const QUIET_MAX_POOL_PER_MILLE: u32 = 800;

/// The per-second noise of sixty independent seconds sums to √60 times one second's deviation,
/// so relative to the minute's volume it shrinks by 1/√60.
const MINUTE_NOISE_SCALE: f64 = 0.129_099_444_873_580_56;

/// Database connections a quiet second of `requests` wants (the cache is up), in millionths:
/// requests × share × query time, with the share in basis points and the time in milliseconds.
pub(crate) fn database_demand_micro(requests: u32, spec: &ServiceSpec, query_ms: u32) -> u64 {
    u64::from(requests) * u64::from(spec.database_share_bp) * u64::from(query_ms) / 10
}

/// AI calls `requests` requests make.
fn ai_calls_for(requests: u32, spec: &ServiceSpec) -> u32 {
    // Most services call no AI; rounding zero is zero.
    if spec.ai_share_bp == 0 {
        return 0;
    }
    round_to_u32(f64::from(requests) * f64::from(spec.ai_share_bp) / 10_000.0)
}

/// What a minute's plans need to know of the run.
#[derive(Clone, Copy, Debug)]
pub struct MinuteContext<'a> {
    /// The minute's first second.
    pub start: Tick,
    /// The same second as Unix time.
    pub unix_s: u64,
    /// The run's seed.
    pub seed: u64,
    /// The scenario's versions.
    pub versions: &'a [VersionProfile],
    /// The minute's first second on the calendar.
    pub first: UtcDateTime,
    /// The minute's last second on the calendar.
    pub last: UtcDateTime,
}

impl MinuteContext<'_> {
    /// The context of the minute starting at `start` (`unix_s` on the calendar).
    pub fn new(
        start: Tick,
        unix_s: u64,
        seed: u64,
        versions: &[VersionProfile],
    ) -> MinuteContext<'_> {
        MinuteContext {
            start,
            unix_s,
            seed,
            versions,
            first: UtcDateTime::from_unix_s(unix_s),
            last: UtcDateTime::from_unix_s(unix_s + u64::from(MINUTE_S - 1)),
        }
    }
}

impl World {
    /// Plans the minute starting now for every service not marked busy that is quiet, and
    /// clears every other plan. Call at a minute's first second, after the dependencies have
    /// been updated for it. `busy` is indexed by service. `steady` holds, ordered by service,
    /// what the active faults do to each service of an environment that a fault touches; every
    /// such fault must be steady ([`crate::world::fault::FaultKind::is_steady`]) and last the
    /// whole minute, or the services it touches must be marked busy.
    pub fn plan_quiet_minutes(
        &mut self,
        minute: &MinuteContext,
        busy: &[bool],
        steady: &[(u32, ServiceEffects)],
    ) {
        let mut spare_failures: Vec<Vec<(u32, u32)>> = Vec::with_capacity(self.services.len());
        for service in &mut self.services {
            if let Some(plan) = service.quiet.take() {
                spare_failures.push(plan.failures);
            }
        }
        let mut power_memo = std::mem::take(&mut self.power_memo);
        let mut faulted_environments = vec![false; self.environments.len()];
        for (index, _) in steady {
            faulted_environments[self.services[*index as usize].environment as usize] = true;
        }
        for (index, version, curve) in self.quiet_services(minute, busy, &faulted_environments) {
            let mut failures = spare_failures.pop().unwrap_or_default();
            failures.clear();
            let effects = steady
                .binary_search_by_key(&index, |(service, _)| *service)
                .ok()
                .map(|at| &steady[at].1);
            let plan = self.plan_service(
                index,
                version,
                minute,
                curve,
                effects,
                failures,
                &mut power_memo,
            );
            self.services[index as usize].quiet = Some(plan);
        }
        self.power_memo = power_memo;
    }

    /// Drops every plan, so the rest of the minute is simulated second by second (a command
    /// changed something).
    pub fn clear_quiet_minutes(&mut self) {
        for service in &mut self.services {
            service.quiet = None;
        }
    }

    /// True when every service either has a plan for this minute or has no traffic and nothing
    /// to do: the whole minute can be written at once.
    pub fn minute_is_quiet_everywhere(&self) -> bool {
        self.services.iter().all(|service| {
            service.quiet.is_some()
                || (service.spec.traffic.peak_rps == 0 && !service.fleet.is_converging())
        })
    }

    /// One second of a planned service, in tick-by-tick mode: records it and returns its total.
    pub fn serve_quiet(
        &mut self,
        index: u32,
        now: Tick,
        minute_slot: u32,
        versions: &[VersionProfile],
        metrics: &mut Metrics,
    ) -> Option<SecondSample> {
        let service = &self.services[index as usize];
        let plan = service.quiet.as_ref()?;
        let second = plan.second_of(now)?;
        let environment = &mut self.environments[service.environment as usize];
        let sample = quiet_second(
            plan,
            second,
            now,
            &service.spec,
            &versions[plan.version.0 as usize],
            service.fleet.counts(plan.version).ready,
            environment.health.database_pool_per_mille,
        );
        environment.database_demand_micro += database_demand_micro(
            sample.requests,
            &service.spec,
            environment.spec.dependencies.database_query_ms,
        );
        environment.ai_calls_this_second += sample.ai_calls;
        environment.health.ai_tokens_today += u64::from(sample.tokens);
        let users = plan.failures_in(second).iter().map(|(_, user)| *user);
        mark_users(environment, minute_slot, users);
        metrics.record(
            CohortKey {
                service: index,
                version: plan.version,
            },
            sample,
        );
        let mut total = SecondSample {
            tick: now,
            ..SecondSample::default()
        };
        total.absorb(&sample);
        Some(total)
    }

    /// The services quiet this minute, with the version they serve. A service is quiet when it
    /// is not busy, serves one settled version, and stays below 70 % CPU in its busiest
    /// possible second; and its environment's shared dependencies must stay below their
    /// thresholds all minute whatever every service there does, planned or not, which also makes
    /// one service's plan independent of whether its neighbours are planned. In an environment
    /// a steady fault touches (`faulted_environments`), a database or AI provider that answers
    /// nothing is steady too: no load changes what it does.
    fn quiet_services(
        &self,
        minute: &MinuteContext,
        busy: &[bool],
        faulted_environments: &[bool],
    ) -> Vec<(u32, VersionId, CurveEnds)> {
        // Per environment: the busiest possible second's database demand and AI calls.
        let mut busiest_load = vec![(0u64, 0u32); self.environments.len()];
        let mut quiet = Vec::with_capacity(self.services.len());
        for service in self.services.iter().filter(|s| s.spec.traffic.peak_rps > 0) {
            let environment = &self.environments[service.environment as usize];
            let curve = CurveEnds {
                first_rps: service.spec.traffic.expected_rps_at(&minute.first),
                last_rps: service.spec.traffic.expected_rps_at(&minute.last),
            };
            let busiest = busiest_second(&service.spec, curve);
            let load = &mut busiest_load[service.environment as usize];
            load.0 += database_demand_micro(
                busiest,
                &service.spec,
                environment.spec.dependencies.database_query_ms,
            );
            load.1 += ai_calls_for(busiest, &service.spec) + 1;
            let version = service.stable;
            let routing = &service.routing;
            let single_version = routing.header_routes.is_empty()
                && routing.user_buckets.is_none()
                && routing
                    .weights
                    .iter()
                    .all(|(v, w)| *v == version || *w == 0);
            let ready = service.fleet.counts(version).ready;
            let profile = &minute.versions[version.0 as usize];
            let utilisation = f64::from(busiest) * f64::from(profile.cpu_cost_per_mille)
                / 1_000.0
                / (f64::from(ready.max(1))
                    * f64::from(service.spec.capacity_rps_per_instance.max(1)));
            if !busy.get(service.index as usize).copied().unwrap_or(true)
                && single_version
                && !service.fleet.is_converging()
                && service.probes_failing_s == 0
                && ready > 0
                && utilisation <= QUIET_MAX_UTILISATION
            {
                quiet.push((service.index, version, curve));
            }
        }
        let minute_aligned = minute.unix_s.is_multiple_of(u64::from(MINUTE_S));
        let dependencies_quiet: Vec<bool> = self
            .environments
            .iter()
            .zip(busiest_load)
            .zip(faulted_environments)
            .map(|((environment, (demand_micro, ai_calls)), faulted)| {
                let health = &environment.health;
                let dependencies = &environment.spec.dependencies;
                let tokens_bound = u64::from(ai_calls)
                    * u64::from(MINUTE_S)
                    * u64::from(dependencies.ai_tokens_per_call);
                let database_quiet = health.database_pool_per_mille <= QUIET_MAX_POOL_PER_MILLE
                    && pool_per_mille(demand_micro, dependencies.database_pool, 100)
                        <= QUIET_MAX_POOL_PER_MILLE;
                let ai_quiet = health.ai_calls_per_s <= health.ai_limit_rps
                    && ai_calls <= health.ai_limit_rps
                    && health.ai_tokens_today + tokens_bound < dependencies.ai_daily_token_quota;
                let ai_silent = !health.ai_up || health.ai_quota_exhausted;
                minute_aligned
                    && health.cache_up
                    && if *faulted {
                        (!health.database_up || database_quiet) && (ai_silent || ai_quiet)
                    } else {
                        health.database_up && database_quiet && !ai_silent && ai_quiet
                    }
            })
            .collect();
        quiet.retain(|(index, _, _)| {
            dependencies_quiet[self.services[*index as usize].environment as usize]
        });
        quiet
    }

    /// Draws one service's minute, under the steady faults' `effects` when its environment has
    /// any.
    #[allow(clippy::too_many_arguments)]
    fn plan_service(
        &self,
        index: u32,
        version: VersionId,
        minute: &MinuteContext,
        curve: CurveEnds,
        effects: Option<&ServiceEffects>,
        mut failures: Vec<(u32, u32)>,
        power_memo: &mut PowerMemo,
    ) -> QuietMinute {
        let service = &self.services[index as usize];
        let environment = &self.environments[service.environment as usize];
        let spec = &service.spec;
        let cohort_key = u64::from(index) << 32 | u64::from(version.0);
        let start = minute.start.0;
        let seed = minute.seed;
        // The curve is linear within an hour, so sixty seconds sum to 30 × (first + last).
        let expected = 30.0 * (curve.first_rps + curve.last_rps);
        let noise = approx_normal(keyed_u64(
            seed,
            Stream::MinuteTraffic,
            u64::from(index),
            start,
        )) * f64::from(spec.traffic.noise_bp)
            / 10_000.0
            * MINUTE_NOISE_SCALE;
        let requests = round_to_u32(expected * (1.0 + noise));
        let profile = &minute.versions[version.0 as usize];
        let health = &environment.health;
        let mut tokens_per_call = environment.spec.dependencies.ai_tokens_per_call;
        let (failure_probability, latency_factor) = match effects {
            None => (f64::from(profile.error_rate_bp) / 10_000.0, 1.0),
            Some(effects) => {
                // Below 70 % CPU, load neither slows nor sheds (`quiet_services` checked it).
                let conditions = request_conditions(
                    version,
                    profile,
                    spec,
                    health,
                    effects,
                    QUIET_MAX_UTILISATION,
                );
                if conditions.ai_success == 0.0 {
                    tokens_per_call = 0;
                }
                (
                    (1.0 - conditions.success).clamp(0.0, 1.0),
                    conditions.latency_factor,
                )
            }
        };
        // Under a fault that fails one request a second or more, each second's failures are drawn
        // as the per-second model draws them (the same stream and key), from the second's share
        // of the requests; fewer are drawn for the minute and placed, as in a quiet minute.
        let many_failures = f64::from(requests) * failure_probability >= f64::from(MINUTE_S);
        let errors = if effects.is_none() || !many_failures {
            let errors = approx_binomial(
                requests,
                failure_probability,
                keyed_u64(seed, Stream::MinuteErrors, cohort_key, start),
                power_memo,
            );
            let mut placement = HalfDraws::new(Prng::from_seed(keyed_u64(
                seed,
                Stream::MinuteErrorPlacement,
                cohort_key,
                start,
            )));
            failures.reserve(errors as usize);
            place_failures(errors, requests, &mut placement, &mut failures);
            errors
        } else {
            let mut errors = 0;
            for (second, requests) in (0..MINUTE_S).zip(second_shares(requests)) {
                let failed = approx_binomial(
                    requests,
                    failure_probability,
                    keyed_u64(seed, Stream::Errors, cohort_key, start + u64::from(second)),
                    power_memo,
                );
                failures.extend(std::iter::repeat_n((second, NO_USER), failed as usize));
                errors += failed;
            }
            errors
        };
        let population = environment.spec.users;
        if population > 0 {
            let mut users = HalfDraws::new(Prng::from_seed(keyed_u64(
                seed,
                Stream::MinuteUsers,
                cohort_key,
                start,
            )));
            let mut second = 0;
            let mut attributed = 0;
            for (failed_in, user) in &mut failures {
                if *failed_in != second {
                    second = *failed_in;
                    attributed = 0;
                }
                if attributed < MAX_ATTRIBUTED_PER_SECOND {
                    *user = users.below(population);
                    attributed += 1;
                }
            }
        }
        let jitter = round_to_i32(
            approx_normal(keyed_u64(seed, Stream::MinuteLatency, cohort_key, start)) * 0.5,
        );
        let template = &self.templates[version.0 as usize];
        let shift = shift_for_factor(latency_factor) + jitter;
        QuietMinute {
            start: minute.start,
            version,
            requests,
            errors,
            ai_calls: ai_calls_for(requests, spec),
            percentiles_ms: template.percentiles_ms(shift),
            slow_requests: template.slower_than(requests - errors, LATENCY_THRESHOLD_MS, shift),
            failures,
            tokens_per_call,
            no_data: effects.is_some_and(|effects| effects.metrics_down),
        }
    }
}

/// A service's expected requests a second at a minute's first and last second, before noise:
/// worked out once for the quiet check and the plan.
#[derive(Clone, Copy, Debug)]
struct CurveEnds {
    first_rps: f64,
    last_rps: f64,
}

/// The most requests a second of this minute can see, planned or not: the busier end of the
/// curve with the largest noise `approx_normal` can draw (3.47 deviations), and one more for
/// rounding.
fn busiest_second(spec: &ServiceSpec, curve: CurveEnds) -> u32 {
    let expected = curve.first_rps.max(curve.last_rps);
    let noise = 3.47 * f64::from(spec.traffic.noise_bp) / 10_000.0;
    ceil_to_u32(expected * (1.0 + noise)) + 1
}

/// Chooses `count` distinct requests of a minute of `total` uniformly and appends each one's
/// second to `failures` (with [`NO_USER`]), ordered by second. A draw picks a second and a slot
/// in it (no second has more than ⌈total/60⌉ requests); a slot past the second's requests or
/// already chosen (chosen requests are the first ones of their second) is drawn again, so every
/// request not yet chosen is equally likely. When most requests are chosen, the ones left out
/// are drawn instead, so the loop stays short.
fn place_failures(count: u32, total: u32, rng: &mut HalfDraws, failures: &mut Vec<(u32, u32)>) {
    // Most quiet minutes fail nothing.
    if count == 0 {
        return;
    }
    let complement = count > total / 2;
    let draws = if complement { total - count } else { count };
    let widest = total.div_ceil(MINUTE_S).max(1);
    let mut chosen = [0u32; MINUTE_S as usize];
    // Bit s is set once second s has a chosen request, so the list can be written in order
    // from the counts, visiting only those seconds, without sorting.
    let mut seconds_chosen = 0u64;
    for _ in 0..draws {
        loop {
            let second = rng.below(MINUTE_S);
            let slot = rng.below(widest);
            if slot >= chosen[second as usize] && slot < share_of_second(total, second) {
                chosen[second as usize] += 1;
                seconds_chosen |= 1 << second;
                break;
            }
        }
    }
    if complement {
        for (second, left_out) in (0..MINUTE_S).zip(chosen) {
            let failed = share_of_second(total, second) - left_out;
            failures.extend(std::iter::repeat_n((second, NO_USER), failed as usize));
        }
    } else {
        while seconds_chosen != 0 {
            let second = seconds_chosen.trailing_zeros();
            seconds_chosen &= seconds_chosen - 1;
            let failed = chosen[second as usize] as usize;
            failures.extend(std::iter::repeat_n((second, NO_USER), failed));
        }
    }
}

/// Second `second` of a planned minute, as its cohort records it, in an environment whose
/// database pool is at `db_pool_per_mille` that second.
pub(crate) fn quiet_second(
    plan: &QuietMinute,
    second: u32,
    tick: Tick,
    spec: &ServiceSpec,
    profile: &VersionProfile,
    ready: u32,
    db_pool_per_mille: u32,
) -> SecondSample {
    let requests = share_of_second(plan.requests, second);
    let ai_calls = share_of_second(plan.ai_calls, second);
    let utilisation = f64::from(requests) * f64::from(profile.cpu_cost_per_mille)
        / 1_000.0
        / (f64::from(ready.max(1)) * f64::from(spec.capacity_rps_per_instance.max(1)));
    let [p50_ms, p95_ms, p99_ms] = plan.percentiles_ms;
    SecondSample {
        tick,
        requests,
        errors: plan.failures_in(second).len() as u32,
        unserved: 0,
        p50_ms,
        p95_ms,
        p99_ms,
        slow_requests: share_of_second(plan.slow_requests, second),
        cpu_per_mille: round_to_u32(utilisation.min(1.0) * 1_000.0),
        db_pool_per_mille,
        tokens: ai_calls * plan.tokens_per_call,
        empty_responses: 0,
        ai_calls,
        no_data: plan.no_data,
    }
}

/// Marks `users` as hit, over the run and in the current minute; [`NO_USER`] marks no one.
pub(crate) fn mark_users(
    environment: &mut Environment,
    minute_slot: u32,
    users: impl Iterator<Item = u32>,
) {
    // Borrowed once, so the loop does not reload both vectors after every store.
    let affected_users = &mut environment.affected_users[..];
    let recent_affected_users = &mut environment.recent_affected_users[minute_slot as usize][..];
    for user in users.filter(|user| *user != NO_USER) {
        let (word, bit) = ((user / 64) as usize, user % 64);
        affected_users[word] |= 1 << bit;
        recent_affected_users[word] |= 1 << bit;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_spread_a_minute_evenly_and_sum_to_it() {
        for total in [0u32, 1, 59, 60, 61, 119, 3_000, 3_037, 1_000_000] {
            let shares: Vec<u32> = (0..MINUTE_S).map(|s| share_of_second(total, s)).collect();
            assert_eq!(
                shares.iter().map(|s| u64::from(*s)).sum::<u64>(),
                u64::from(total)
            );
            assert!(
                second_shares(total).eq(shares.iter().copied()),
                "{total}: the running shares are the same"
            );
            let low = total / MINUTE_S;
            assert!(
                shares.iter().all(|s| *s == low || *s == low + 1),
                "{total}: every second gets ⌊total/60⌋ or ⌈total/60⌉"
            );
        }
    }

    #[test]
    fn placed_failures_are_ordered_and_never_exceed_their_seconds_requests() {
        let mut rng = HalfDraws::new(Prng::from_seed(11));
        for (count, total) in [
            (0u32, 0u32),
            (0, 100),
            (3, 5),
            (40, 61),
            (61, 61),
            (7, 3_000),
        ] {
            let mut failures = Vec::new();
            place_failures(count, total, &mut rng, &mut failures);
            assert_eq!(failures.len() as u32, count, "{count} of {total}");
            assert!(failures.is_sorted_by_key(|(second, _)| *second));
            for second in 0..MINUTE_S {
                let in_second = failures.iter().filter(|(s, _)| *s == second).count() as u32;
                assert!(in_second <= share_of_second(total, second));
            }
        }
    }

    #[test]
    fn placed_failures_spread_evenly_over_the_minute() {
        // 100,000 failures of 6,000,000 requests: about 1,667 a second.
        let mut failures = Vec::new();
        place_failures(
            100_000,
            6_000_000,
            &mut HalfDraws::new(Prng::from_seed(5)),
            &mut failures,
        );
        for second in 0..MINUTE_S {
            let in_second = failures.iter().filter(|(s, _)| *s == second).count();
            assert!(
                (1_500..1_840).contains(&in_second),
                "second {second}: {in_second} (seed 5)"
            );
        }
    }

    #[test]
    fn a_plan_covers_exactly_its_minute() {
        let plan = QuietMinute {
            start: Tick(120),
            failures: vec![(0, 4), (3, 9), (3, 2), (59, NO_USER)],
            ..QuietMinute::default()
        };
        assert_eq!(plan.second_of(Tick(119)), None);
        assert_eq!(plan.second_of(Tick(120)), Some(0));
        assert_eq!(plan.second_of(Tick(179)), Some(59));
        assert_eq!(plan.second_of(Tick(180)), None);
        assert_eq!(plan.failures_in(3), &[(3, 9), (3, 2)]);
        assert!(plan.failures_in(4).is_empty());
        assert_eq!(plan.failures_in(59).len(), 1);
    }
}
