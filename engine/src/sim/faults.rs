//! Faults over time: their starts and ends logged, their instant effects applied, and what each
//! service experiences while they last; schema migrations at a rollout's start.

use crate::audit::Actor;
use crate::version::VersionId;
use crate::world::ServiceEffects;
use crate::world::fault::{Fault, FaultKind};
use crate::world::fleet::FleetConditions;

use super::{FaultLogged, Sim};

impl Sim {
    /// Logs faults that start or end this second and applies their instantaneous effects.
    pub(super) fn fault_transitions(&mut self) {
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
    pub(super) fn apply_migration(&mut self, new_version: VersionId, old_version: VersionId) {
        let profile = self.scenario.profile(new_version).clone();
        let old_name = self.scenario.profile(old_version).name.clone();
        let target = |version: &str| crate::world::fault::FaultTarget {
            environment: self.scenario.rollout_environment.clone(),
            service: Some(self.scenario.rollout_service.clone()),
            version: Some(version.to_string()),
            zone: None,
        };
        let (action, reason, fault) = match profile.schema_migration {
            crate::version::SchemaMigration::None => return,
            crate::version::SchemaMigration::Compatible => (
                "MigrationApplied",
                format!(
                    "{}'s backward-compatible migration applied; {old_name} keeps working",
                    profile.name
                ),
                None,
            ),
            crate::version::SchemaMigration::Breaking => (
                "MigrationApplied",
                format!(
                    "{}'s migration is not backward-compatible: {old_name} cannot read the new schema, and rolling back the code will not restore it",
                    profile.name
                ),
                Some((
                    FaultKind::BreakingSchemaChange {
                        error_rate_bp: crate::version::BREAKING_SCHEMA_ERROR_BP,
                    },
                    target(&old_name),
                )),
            ),
            crate::version::SchemaMigration::Failing => (
                "MigrationFailed",
                format!(
                    "{}'s migration failed part-way: its writes fail",
                    profile.name
                ),
                Some((
                    FaultKind::FailedMigration {
                        write_share_bp: crate::version::FAILED_MIGRATION_WRITE_BP,
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
    pub(super) fn start_fault(&mut self, id: u32, actor: Actor) {
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
    pub(super) fn apply_instant_effects(&mut self, fault: &Fault) {
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
    pub(super) fn effects_for(&self, index: u32, active: &[&Fault]) -> ServiceEffects {
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
        // Memory pressure from a leak slows requests (garbage collection, swapping) before the OOM
        // kill.
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
}

pub(super) fn describe_target(target: &crate::world::fault::FaultTarget) -> String {
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
