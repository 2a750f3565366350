//! What the screen shows, as plain data derived from the simulation.
//!
//! Components receive these values as props. Keeping the derivation here, away from markup,
//! lets native tests check what a trainee would read without a browser.

use engine::Sim;
use engine::metrics::percent_label;

use crate::view::format::{count_label, elapsed_label, version_colour};

/// The clock in the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockView {
    /// For example `Tue 14:02:31 UTC`.
    pub label: String,
    /// ISO 8601 for machines and tooltips.
    pub iso: String,
    /// Inside Monday–Friday 09:00–18:00 UTC.
    pub business_hours: bool,
    /// Time since the run started, for example `T+2 min 31 s`.
    pub elapsed: String,
    /// True once the story is over.
    pub finished: bool,
}

/// One instance tile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceView {
    /// Pod name.
    pub name: String,
    /// Version name.
    pub version: String,
    /// Version colour.
    pub colour: &'static str,
    /// `pending`, `starting`, `ready`, `crash-looping` or `draining`.
    pub state: &'static str,
}

/// One share of the traffic split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrafficShareView {
    /// Version name.
    pub version: String,
    /// Version colour.
    pub colour: &'static str,
    /// Percent of requests.
    pub percent: u32,
    /// `stable` or `canary`.
    pub role: &'static str,
}

/// One audit row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    /// Position in the log.
    pub seq: u64,
    /// Elapsed time.
    pub at: String,
    /// UTC time of day.
    pub time_utc: String,
    /// Who.
    pub actor: String,
    /// True for a person.
    pub human: bool,
    /// What.
    pub action: String,
    /// Which version.
    pub version: String,
    /// Which environment.
    pub environment: String,
    /// How it came out (`success`, `rolled_back`, ...), or empty.
    pub outcome: String,
    /// Why.
    pub reason: String,
}

/// One fault of the run, for the fault console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRow {
    /// Its number, used to clear it.
    pub id: u32,
    /// Its kind, in words.
    pub kind: String,
    /// Where, for example `production/checkout`.
    pub target: String,
    /// When, for example `T+02:00 → T+07:00`.
    pub window: String,
    /// Active now.
    pub active: bool,
    /// Scheduled for later.
    pub pending: bool,
}

/// Every fault of the run, newest first.
pub fn faults(sim: &Sim) -> Vec<FaultRow> {
    let now = sim.now();
    sim.faults()
        .iter()
        .enumerate()
        .rev()
        .map(|(id, fault)| FaultRow {
            id: id as u32,
            kind: fault.kind.id().replace('_', " "),
            target: match &fault.target.service {
                Some(service) => format!("{}/{service}", fault.target.environment),
                None => fault.target.environment.clone(),
            },
            window: format!(
                "T+{} → {}",
                elapsed_label(fault.start.0),
                fault.end.map_or("until cleared".to_string(), |end| format!(
                    "T+{}",
                    elapsed_label(end.0)
                ))
            ),
            active: fault.is_active(now),
            pending: fault.start > now,
        })
        .collect()
}

/// Environments with their services, for the fault console.
pub fn environments(sim: &Sim) -> Vec<(String, Vec<String>)> {
    sim.world()
        .environments
        .iter()
        .map(|e| {
            (
                e.spec.name.clone(),
                e.spec.services.iter().map(|s| s.name.clone()).collect(),
            )
        })
        .collect()
}

/// One environment's row in the overview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvironmentRow {
    /// Name.
    pub name: String,
    /// Services.
    pub services: u32,
    /// Ready instances.
    pub ready: u32,
    /// Instances in any state.
    pub instances: u32,
    /// Instances not ready, by state, for example `2 crash-looping`.
    pub trouble: Vec<String>,
    /// Requests in the last second.
    pub requests_per_s: u32,
    /// Error rate over the last 60 s.
    pub error_rate: String,
    /// True when the error rate is above 5 %.
    pub unhealthy: bool,
    /// The worst p95 latency last second, for example `182 ms`; `—` when nothing was served. `—`
    /// when nothing was served.
    pub p95: String,
    /// Distinct users who saw a failed request in the last five minutes.
    pub users_affected: u32,
    /// Database pool saturation.
    pub database: String,
    /// Cache status.
    pub cache: &'static str,
    /// AI provider status.
    pub ai: String,
}

/// Every environment, in promotion order.
pub fn environment_rows(sim: &Sim) -> Vec<EnvironmentRow> {
    let world = sim.world();
    world
        .environments
        .iter()
        .enumerate()
        .map(|(index, environment)| {
            let services: Vec<_> = world
                .services
                .iter()
                .filter(|s| s.environment == index as u32)
                .collect();
            let mut ready = 0;
            let mut instances = 0;
            let mut states: std::collections::BTreeMap<&'static str, u32> =
                std::collections::BTreeMap::new();
            for service in &services {
                for instance in service.fleet.instances() {
                    instances += 1;
                    match instance.state.label() {
                        "ready" => ready += 1,
                        other => *states.entry(other).or_default() += 1,
                    }
                }
            }
            let series = sim.metrics().environment(index as u32);
            let window = series
                .map(|s| s.window(engine::time::Tick(sim.now().0.saturating_sub(1)), 60))
                .unwrap_or_default();
            let rate_bp = window.error_rate_bp();
            let health = &environment.health;
            EnvironmentRow {
                name: environment.spec.name.clone(),
                services: services.len() as u32,
                ready,
                instances,
                trouble: states
                    .into_iter()
                    .map(|(state, count)| format!("{count} {state}"))
                    .collect(),
                requests_per_s: series.and_then(|s| s.latest()).map_or(0, |s| s.requests),
                error_rate: rate_bp.map_or("—".to_string(), percent_label),
                unhealthy: rate_bp.is_some_and(|bp| bp > 500),
                p95: series
                    .and_then(|s| s.latest())
                    .filter(|s| s.requests > s.unserved)
                    .map_or("—".to_string(), |s| format!("{} ms", s.p95_ms)),
                users_affected: environment.users_affected_recently(),
                database: if health.database_up {
                    format!("pool {} %", health.database_pool_per_mille / 10)
                } else {
                    "down".to_string()
                },
                cache: if health.cache_up { "up" } else { "down" },
                ai: if !health.ai_up {
                    "down".to_string()
                } else if health.ai_quota_exhausted {
                    "quota used up".to_string()
                } else if health.ai_calls_per_s > health.ai_limit_rps {
                    "throttled".to_string()
                } else if health.ai_tokens_today > 0 {
                    format!("up · {} tokens today", count_label(health.ai_tokens_today))
                } else {
                    "up".to_string()
                },
            }
        })
        .collect()
}

/// The header clock.
pub fn clock(sim: &Sim) -> ClockView {
    let utc = sim.utc();
    ClockView {
        label: utc.clock_label(),
        iso: utc.iso8601(),
        business_hours: utc.is_business_hours(),
        elapsed: format!("T+{}", elapsed_label(sim.now().0)),
        finished: sim.is_finished(),
    }
}

/// Every live instance, oldest first.
pub fn fleet(sim: &Sim) -> Vec<InstanceView> {
    sim.fleet()
        .instances()
        .iter()
        .map(|instance| InstanceView {
            name: instance.name.clone(),
            version: sim.scenario().profile(instance.version).name.clone(),
            colour: version_colour(instance.version),
            state: instance.state.label(),
        })
        .collect()
}

/// CPU saturation of the rolled-out service's stable instances last second, in percent.
pub fn fleet_cpu_percent(sim: &Sim) -> Option<u32> {
    let key = engine::metrics::CohortKey {
        service: sim.target(),
        version: sim.controller().stable(),
    };
    sim.metrics()
        .cohort(key)
        .and_then(|s| s.latest())
        .filter(|s| s.tick.0 + 1 >= sim.now().0)
        .map(|s| s.cpu_per_mille / 10)
}

/// The traffic split, stable first.
pub fn traffic(sim: &Sim) -> Vec<TrafficShareView> {
    sim.traffic_split()
        .into_iter()
        .enumerate()
        .map(|(index, (version, percent))| TrafficShareView {
            version: sim.scenario().profile(version).name.clone(),
            colour: version_colour(version),
            percent,
            role: match (index, sim.blue_green(), sim.deployment()) {
                (_, Some(controller), _) if controller.active == version => "active",
                (_, Some(_), _) => "preview",
                (_, _, Some(deployment)) if deployment.template == version => "current template",
                (_, _, Some(_)) => "previous",
                (0, _, _) => "stable",
                _ => "canary",
            },
        })
        .collect()
}

/// The audit log, newest first.
pub fn audit(sim: &Sim) -> Vec<AuditRow> {
    sim.audit()
        .records()
        .iter()
        .rev()
        .map(|r| AuditRow {
            seq: r.seq,
            at: format!("T+{}", elapsed_label(r.tick.0)),
            time_utc: r.time_utc.get(11..19).unwrap_or(&r.time_utc).to_string(),
            actor: if r.person.is_empty() {
                r.actor.label().to_string()
            } else {
                r.person.clone()
            },
            human: !r.actor.is_automation(),
            action: r.action.clone(),
            version: r.version.clone(),
            environment: r.environment.clone(),
            outcome: r.outcome.clone(),
            reason: r.reason.clone(),
        })
        .collect()
}

/// Percent label for the gate threshold, for example `5.0 %`.
pub fn threshold_label(sim: &Sim) -> Option<String> {
    gate_bp(sim).map(percent_label)
}

/// The error-rate gate of the scenario's strategy, in basis points, if it has one.
pub fn gate_bp(sim: &Sim) -> Option<u32> {
    if let Some(controller) = sim.blue_green() {
        return controller
            .spec
            .pre_promotion_analysis
            .as_ref()
            .or(controller.spec.post_promotion_analysis.as_ref())
            .map(|gate| gate.max_error_rate_bp);
    }
    if sim.deployment().is_some() || sim.flagger().is_some() || sim.flag().is_some() {
        return None;
    }
    let canary = &sim.scenario().canary;
    canary
        .analysis
        .as_ref()
        .map(|a| a.gate.max_error_rate_bp)
        .or_else(|| {
            canary.steps.iter().find_map(|step| match step {
                engine::controllers::canary::CanaryStep::Analysis { gate } => {
                    Some(gate.max_error_rate_bp)
                }
                _ => None,
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::rollout::rollout;
    use engine::scenario;

    fn finished(id: &str) -> Sim {
        Sim::run_builtin(id, 1).expect("a built-in scenario")
    }

    #[test]
    fn a_rolled_back_run_reads_as_one() {
        let sim = finished("canary-bad-release");
        let view = rollout(&sim);
        assert_eq!(view.phase, "Degraded");
        let (kind, text) = view.banner.expect("a banner after the rollback");
        assert_eq!(kind, "danger");
        assert!(
            text.starts_with("v2 rolled back: all traffic is on v1."),
            "{text}"
        );
        assert!(text.contains("> 5.0 % threshold"), "{text}");
        assert_eq!(
            traffic(&sim)
                .iter()
                .map(|s| (s.version.as_str(), s.percent))
                .collect::<Vec<_>>(),
            vec![("v1", 100), ("v2", 0)]
        );
        assert!(view.can_retry && !view.can_abort && !view.can_promote);
    }

    #[test]
    fn a_promoted_run_reads_as_one() {
        let sim = finished("canary-good-release");
        let view = rollout(&sim);
        assert_eq!(view.phase, "Healthy");
        assert_eq!(view.banner.map(|b| b.0), Some("success"));
        assert!(view.steps.iter().all(|s| s.state == "done"));
        assert_eq!(
            (view.set_weight_percent, view.actual_weight_percent),
            (100, 100),
            "steady state reads 100/100"
        );
        assert_eq!(
            fleet(&sim)
                .iter()
                .filter(|i| i.version == "v3" && i.state == "ready")
                .count(),
            10
        );
    }

    #[test]
    fn tokens_read_at_a_glance() {
        assert_eq!(count_label(950), "950");
        assert_eq!(count_label(12_400), "12.4 k");
        assert_eq!(count_label(3_100_000), "3.1 M");
        assert_eq!(count_label(1_994_300_000), "2.0 B");
    }

    #[test]
    fn the_clock_reads_as_a_person_would() {
        let sim = Sim::new(scenario::builtin("canary-bad-release").unwrap(), 1);
        let view = clock(&sim);
        assert_eq!(view.label, "Tue 14:00:00 UTC");
        assert!(view.business_hours);
        assert_eq!(view.elapsed, "T+00:00");
        assert_eq!(elapsed_label(3_725), "1:02:05");
    }
}
