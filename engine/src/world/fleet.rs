//! The instances of one service and their lifecycle, with Kubernetes' probe and restart rules.
//!
//! An instance is scheduled into a zone, starts (its version's start-up time), becomes ready at
//! the first readiness probe after start-up, and when scaled down drains its connections before
//! it terminates. A process that exits at start-up is restarted with Kubernetes' back-off
//! (10 s doubling to 5 min: CrashLoopBackOff); one that exceeds its memory limit is OOM-killed
//! and restarted. Nothing schedules into a zone that is down; with every zone down, new
//! instances stay Pending.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::prng::{Stream, keyed_u64, unit_from};
use crate::rounding::round_to_u32;
use crate::time::Tick;
use crate::version::{VersionId, VersionProfile};

/// Connection draining of a graceful shutdown.
pub const DRAIN_S: u32 = 15;
/// Kubernetes' default `terminationGracePeriodSeconds`: how long a hung stop script runs.
pub const TERMINATION_GRACE_S: u32 = 30;
/// How long load balancers and kube-proxy keep sending requests to a pod after it is told to
/// stop: the endpoint's removal and SIGTERM happen at the same time, and the removal takes a
/// moment to reach every node. A pod that drains keeps answering through it; one that exits at
/// once refuses those requests.
pub const ENDPOINT_LAG_S: u32 = 2;

/// How a service's pods start and stop, and where its users' sessions live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodLifecycle {
    /// The pod has a readiness probe. Without one Kubernetes marks it ready as soon as its
    /// container starts, and sends it requests before its process listens.
    pub readiness_probe: bool,
    /// The process handles SIGTERM: it stops accepting, finishes in-flight requests and drains
    /// connections. Without it, it exits at once: in-flight requests die, and requests still
    /// routed to it while its endpoint is removed are refused.
    pub graceful_shutdown: bool,
    /// Users' sessions live in the pods' memory, so a pod that stops loses its share of them
    /// (instead of in an external store such as Redis).
    pub sessions_in_pods: bool,
    /// Sessions active at any moment across the service's pods.
    pub active_sessions: u32,
}

impl Default for PodLifecycle {
    fn default() -> PodLifecycle {
        PodLifecycle {
            readiness_probe: true,
            graceful_shutdown: true,
            sessions_in_pods: false,
            active_sessions: 0,
        }
    }
}
/// Kubernetes' restart back-off: 10 s, doubling per restart, capped at 5 minutes.
pub const RESTART_BACKOFF_BASE_S: u32 = 10;
/// The cap of the restart back-off.
pub const RESTART_BACKOFF_MAX_S: u32 = 300;
/// Memory of a healthy instance.
pub const BASE_MEMORY_MIB: u32 = 200;
/// The container memory limit; above it the kernel OOM-kills the process.
pub const MEMORY_LIMIT_MIB: u32 = 512;

/// Probe settings, with Kubernetes' defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probes {
    /// `periodSeconds`: time between probes.
    pub period_s: u32,
    /// `timeoutSeconds`.
    pub timeout_s: u32,
    /// `successThreshold`: passes in a row to count as ready.
    pub success_threshold: u32,
    /// `failureThreshold`: failures in a row to count as failed.
    pub failure_threshold: u32,
    /// `initialDelaySeconds`.
    pub initial_delay_s: u32,
}

impl Default for Probes {
    fn default() -> Probes {
        Probes {
            period_s: 10,
            timeout_s: 1,
            success_threshold: 1,
            failure_threshold: 3,
            initial_delay_s: 0,
        }
    }
}

impl Probes {
    /// Seconds from container start to ready, for a process that listens after `startup_s`:
    /// the first probe at or after start-up passes, then `successThreshold − 1` more.
    pub fn seconds_to_ready(&self, startup_s: u32) -> u32 {
        let period = self.period_s.max(1);
        let first_passing = if startup_s <= self.initial_delay_s {
            self.initial_delay_s
        } else {
            self.initial_delay_s + (startup_s - self.initial_delay_s).div_ceil(period) * period
        };
        first_passing + (self.success_threshold.max(1) - 1) * period
    }
}

/// The restart back-off after `restarts` restarts.
pub fn restart_backoff_s(restarts: u32) -> u32 {
    RESTART_BACKOFF_BASE_S
        .saturating_mul(1u32 << restarts.min(5))
        .min(RESTART_BACKOFF_MAX_S)
}

/// Where an instance is in its lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum InstanceState {
    /// Cannot be scheduled: every zone is down.
    Pending,
    /// Starting; its process listens at `up_at`, and readiness is first checked at `ready_at`.
    Starting {
        /// When the process has finished starting.
        up_at: Tick,
        /// When the readiness probe first passes (if the version is healthy).
        ready_at: Tick,
    },
    /// Passing its readiness probe and receiving traffic.
    Ready,
    /// Exited; waiting out the restart back-off.
    CrashLoopBackOff {
        /// When the container is started again.
        restart_at: Tick,
    },
    /// Out of the load balancer, finishing in-flight requests until `terminate_at`.
    Draining {
        /// When the process exits.
        terminate_at: Tick,
    },
}

impl InstanceState {
    /// The state's name as the UI shows it.
    pub fn label(&self) -> &'static str {
        match self {
            InstanceState::Pending => "pending",
            InstanceState::Starting { .. } => "starting",
            InstanceState::Ready => "ready",
            InstanceState::CrashLoopBackOff { .. } => "crash-looping",
            InstanceState::Draining { .. } => "draining",
        }
    }
}

/// One running copy of a service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    /// Unique within the service, never reused.
    pub id: u32,
    /// Kubernetes-style pod name, for example `checkout-v2-7`.
    pub name: String,
    /// The version it runs.
    pub version: VersionId,
    /// The zone it runs in (index into the environment's zones).
    pub zone: u32,
    /// Its lifecycle state.
    pub state: InstanceState,
    /// Container restarts so far.
    pub restarts: u32,
    /// Resident memory, in KiB (integer so leaks accumulate exactly).
    pub memory_kib: u32,
    /// When it last became ready; `None` for instances already ready when the run began.
    #[serde(default)]
    pub ready_since: Option<Tick>,
    /// When its process listens (later than `ready_since` without a readiness probe).
    #[serde(default)]
    pub serving_from: Tick,
}

/// How many instances of one version are in each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceCounts {
    /// Not schedulable.
    pub pending: u32,
    /// Starting, not yet ready.
    pub starting: u32,
    /// Ready and taking traffic.
    pub ready: u32,
    /// Waiting to restart after a crash.
    pub crash_looping: u32,
    /// Draining before termination.
    pub draining: u32,
}

/// Conditions imposed by active faults on one service's fleet this second.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FleetConditions {
    /// Versions whose processes exit right after start-up.
    pub crash_on_start: Vec<VersionId>,
    /// Versions whose readiness probe never passes.
    pub never_ready: Vec<VersionId>,
    /// Versions leaking memory, with KiB per second.
    pub leaking: Vec<(VersionId, u32)>,
    /// Zones that are down.
    pub zones_down: Vec<u32>,
    /// Stop scripts hang: termination takes the grace period and drops in-flight requests.
    pub broken_stop_script: bool,
}

impl FleetConditions {
    /// True when no fault touches the fleet.
    pub fn is_clear(&self) -> bool {
        self.crash_on_start.is_empty()
            && self.never_ready.is_empty()
            && self.leaking.is_empty()
            && self.zones_down.is_empty()
            && !self.broken_stop_script
    }
}

/// What happened in one reconciliation, for metrics and the audit log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FleetChanges {
    /// Instances that terminated with a hung stop script, dropping in-flight requests.
    pub hard_terminations: u32,
    /// Containers that crashed at start-up.
    pub crashes: u32,
    /// Containers OOM-killed.
    pub oom_kills: u32,
    /// Sessions lost with pods that stopped while holding them.
    pub sessions_lost: u32,
}

/// All instances of one service.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fleet {
    service: String,
    service_key: u64,
    zone_count: u32,
    probes: Probes,
    instances: Vec<Instance>,
    desired: BTreeMap<VersionId, u32>,
    counts: BTreeMap<VersionId, InstanceCounts>,
    next_instance_id: u32,
    /// True when every instance is ready and counts match the desired ones.
    settled: bool,
    /// How its pods start and stop.
    #[serde(default)]
    lifecycle: PodLifecycle,
    /// Pods that exited without draining, and when: requests still reach them for
    /// [`ENDPOINT_LAG_S`] seconds.
    #[serde(default)]
    exited: Vec<(VersionId, Tick)>,
}

impl Fleet {
    /// A fleet of `replicas` ready instances of `version`, spread over `zone_count` zones.
    pub fn new_ready(
        service: &str,
        service_key: u64,
        zone_count: u32,
        probes: Probes,
        profiles: &[VersionProfile],
        version: VersionId,
        replicas: u32,
    ) -> Fleet {
        let mut fleet = Fleet {
            service: service.to_string(),
            service_key,
            zone_count: zone_count.max(1),
            probes,
            ..Fleet::default()
        };
        for index in 0..replicas {
            let mut instance = fleet.new_instance(profiles, version, InstanceState::Ready);
            instance.zone = index % fleet.zone_count;
            fleet.instances.push(instance);
        }
        fleet.desired.insert(version, replicas);
        fleet.recount();
        fleet
    }

    /// Every live instance, oldest first.
    pub fn instances(&self) -> &[Instance] {
        &self.instances
    }

    /// Sets how the pods start and stop, and where sessions live.
    pub fn set_lifecycle(&mut self, lifecycle: PodLifecycle) {
        self.lifecycle = lifecycle;
    }

    /// How the pods start and stop, and where sessions live.
    pub fn lifecycle(&self) -> PodLifecycle {
        self.lifecycle
    }

    /// Pods of `version` that receive requests they cannot answer now: (ready without a
    /// readiness probe before their process listens, exited without draining while their
    /// endpoint is still being removed, of which exited this very second).
    pub fn refusing(&self, version: VersionId, now: Tick) -> (u32, u32, u32) {
        let not_listening = self
            .instances
            .iter()
            .filter(|i| {
                i.version == version && i.state == InstanceState::Ready && i.serving_from > now
            })
            .count() as u32;
        let exited: Vec<Tick> = self
            .exited
            .iter()
            .filter(|(v, at)| *v == version && now.seconds_since(*at) < u64::from(ENDPOINT_LAG_S))
            .map(|(_, at)| *at)
            .collect();
        let exited_now = exited.iter().filter(|at| **at == now).count() as u32;
        (not_listening, exited.len() as u32, exited_now)
    }

    /// Sets how many instances of `version` should exist (draining ones do not count).
    pub fn set_desired(&mut self, version: VersionId, replicas: u32) {
        let previous = self.desired.insert(version, replicas);
        if previous != Some(replicas) {
            self.settled = false;
        }
    }

    /// The desired replica count of `version`.
    pub fn desired(&self, version: VersionId) -> u32 {
        self.desired.get(&version).copied().unwrap_or(0)
    }

    /// Counts per state for `version`.
    pub fn counts(&self, version: VersionId) -> InstanceCounts {
        self.counts.get(&version).copied().unwrap_or_default()
    }

    /// Instances of `version` that exist and are not terminating (a ReplicaSet's
    /// `status.replicas`).
    pub fn live(&self, version: VersionId) -> u32 {
        self.live_count(version)
    }

    /// Ready instances of `version` that have been ready for at least `min_ready_s` (a
    /// ReplicaSet's `status.availableReplicas`).
    pub fn available(&self, version: VersionId, now: Tick, min_ready_s: u32) -> u32 {
        self.instances
            .iter()
            .filter(|i| {
                i.version == version
                    && i.state == InstanceState::Ready
                    && i.ready_since
                        .is_none_or(|since| now.seconds_since(since) >= u64::from(min_ready_s))
            })
            .count() as u32
    }

    /// Versions with instances alive or asked for, in version order.
    pub fn versions(&self) -> Vec<VersionId> {
        let mut versions: Vec<VersionId> = self
            .desired
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(v, _)| *v)
            .chain(self.instances.iter().map(|i| i.version))
            .collect();
        versions.sort();
        versions.dedup();
        versions
    }

    /// Ready instances of every version.
    pub fn ready_total(&self) -> u32 {
        self.counts.values().map(|c| c.ready).sum()
    }

    /// True while any instance is not ready or counts differ from the desired ones.
    pub fn is_converging(&self) -> bool {
        !self.settled
    }

    /// Mean memory pressure of `version`'s ready instances: 0 at base memory, 1 at the limit.
    pub fn memory_pressure(&self, version: VersionId) -> f64 {
        let (sum, count) = self
            .instances
            .iter()
            .filter(|i| i.version == version && i.state == InstanceState::Ready)
            .fold((0u64, 0u64), |(sum, count), i| {
                (sum + u64::from(i.memory_kib), count + 1)
            });
        if count == 0 {
            return 0.0;
        }
        let mean_mib = sum as f64 / count as f64 / 1_024.0;
        ((mean_mib - f64::from(BASE_MEMORY_MIB)) / f64::from(MEMORY_LIMIT_MIB - BASE_MEMORY_MIB))
            .clamp(0.0, 1.0)
    }

    /// Restarts the newest ready instance in place, as the kubelet does after its liveness probe
    /// fails `failureThreshold` times; returns false when none is ready.
    pub fn restart_for_liveness(&mut self, now: Tick, profiles: &[VersionProfile]) -> bool {
        let probes = self.probes;
        let readiness_probe = self.lifecycle.readiness_probe;
        let Some(instance) = self
            .instances
            .iter_mut()
            .rev()
            .find(|i| i.state == InstanceState::Ready)
        else {
            return false;
        };
        instance.restarts += 1;
        instance.memory_kib = BASE_MEMORY_MIB * 1_024;
        instance.state = starting_state(
            now,
            profiles[instance.version.0 as usize].startup_s,
            &probes,
            readiness_probe,
        );
        self.after_change();
        true
    }

    /// The probe settings.
    pub fn probes(&self) -> Probes {
        self.probes
    }

    /// Removes up to `count` instances at once, newest ready first (a node or pods lost).
    pub fn lose_instances(&mut self, count: u32) -> u32 {
        let mut lost = 0;
        while lost < count {
            let Some(position) = self
                .instances
                .iter()
                .rposition(|i| !matches!(i.state, InstanceState::Draining { .. }))
            else {
                break;
            };
            self.instances.remove(position);
            lost += 1;
        }
        self.after_change();
        lost
    }

    /// Removes every instance in `zone` at once.
    pub fn lose_zone(&mut self, zone: u32) -> u32 {
        let before = self.instances.len();
        self.instances.retain(|i| i.zone != zone);
        self.after_change();
        (before - self.instances.len()) as u32
    }

    /// Removes every instance at once.
    pub fn lose_all(&mut self) -> u32 {
        let lost = self.instances.len() as u32;
        self.instances.clear();
        self.after_change();
        lost
    }

    /// Advances lifecycles to `now` and converges on the desired counts.
    ///
    /// The order is fixed for determinism: terminations, then start-up outcomes and restarts,
    /// then memory, then scheduling of pending instances, then scale-down, then scale-up, each
    /// in instance order.
    pub fn reconcile(
        &mut self,
        now: Tick,
        seed: u64,
        profiles: &[VersionProfile],
        conditions: &FleetConditions,
    ) -> FleetChanges {
        let mut changes = FleetChanges::default();
        if self.settled && conditions.is_clear() {
            return changes;
        }
        let broken_stop_script = conditions.broken_stop_script;
        let lifecycle = self.lifecycle;
        let readiness_probe = lifecycle.readiness_probe;
        let exited = &mut self.exited;
        exited.retain(|(_, at)| now.seconds_since(*at) < u64::from(ENDPOINT_LAG_S));
        self.instances.retain(|instance| match instance.state {
            InstanceState::Draining { terminate_at } if terminate_at <= now => {
                if broken_stop_script {
                    changes.hard_terminations += 1;
                }
                if !lifecycle.graceful_shutdown {
                    exited.push((instance.version, now));
                }
                false
            }
            _ => true,
        });
        let probes = self.probes;
        for instance in &mut self.instances {
            match instance.state {
                InstanceState::Starting { up_at, ready_at } => {
                    if conditions.crash_on_start.contains(&instance.version) && now >= up_at {
                        instance.state = InstanceState::CrashLoopBackOff {
                            restart_at: now.plus_s(u64::from(restart_backoff_s(instance.restarts))),
                        };
                        instance.restarts += 1;
                        changes.crashes += 1;
                    } else if now >= ready_at && !conditions.never_ready.contains(&instance.version)
                    {
                        instance.state = InstanceState::Ready;
                        instance.ready_since = Some(now);
                        instance.serving_from = up_at;
                    }
                }
                InstanceState::CrashLoopBackOff { restart_at } if now >= restart_at => {
                    let startup_s = profiles[instance.version.0 as usize].startup_s;
                    instance.state = starting_state(now, startup_s, &probes, readiness_probe);
                }
                InstanceState::Ready => {
                    if let Some((_, kib_per_s)) = conditions
                        .leaking
                        .iter()
                        .find(|(v, _)| *v == instance.version)
                    {
                        instance.memory_kib = instance.memory_kib.saturating_add(*kib_per_s);
                        if instance.memory_kib >= MEMORY_LIMIT_MIB * 1_024 {
                            // OOMKilled: the kubelet restarts the container in place.
                            instance.restarts += 1;
                            instance.memory_kib = BASE_MEMORY_MIB * 1_024;
                            let startup_s = profiles[instance.version.0 as usize].startup_s;
                            instance.state =
                                starting_state(now, startup_s, &probes, readiness_probe);
                            changes.oom_kills += 1;
                        }
                    }
                }
                _ => {}
            }
        }
        for index in 0..self.instances.len() {
            if self.instances[index].state == InstanceState::Pending
                && let Some(zone) =
                    self.pick_zone(self.instances[index].version, &conditions.zones_down)
            {
                let startup_s = self.startup_s(
                    seed,
                    profiles,
                    self.instances[index].version,
                    self.instances[index].id,
                );
                self.instances[index].zone = zone;
                self.instances[index].state =
                    starting_state(now, startup_s, &probes, readiness_probe);
            }
        }
        let desired: Vec<(VersionId, u32)> = self.desired.iter().map(|(v, n)| (*v, *n)).collect();
        for (version, wanted) in desired {
            let live = self.live_count(version);
            if live > wanted {
                changes.sessions_lost +=
                    self.scale_down(version, live - wanted, now, broken_stop_script);
            } else {
                for _ in live..wanted {
                    let mut instance = self.new_instance(profiles, version, InstanceState::Pending);
                    if let Some(zone) = self.pick_zone(version, &conditions.zones_down) {
                        let startup_s = self.startup_s(seed, profiles, version, instance.id);
                        instance.zone = zone;
                        instance.state = starting_state(now, startup_s, &probes, readiness_probe);
                    }
                    self.instances.push(instance);
                }
            }
        }
        // One pass to recount is cheaper than detecting whether anything changed.
        self.after_change();
        changes
    }

    /// The start-up time of a new `version` instance: its profile's, ±10 % per instance.
    fn startup_s(
        &self,
        seed: u64,
        profiles: &[VersionProfile],
        version: VersionId,
        instance_id: u32,
    ) -> u32 {
        let base = profiles[version.0 as usize].startup_s;
        // ±10 % per instance, keyed so it does not depend on what else was drawn this second.
        let jitter = unit_from(keyed_u64(
            seed,
            Stream::Startup,
            self.service_key,
            u64::from(instance_id),
        )) * 0.2
            - 0.1;
        round_to_u32(f64::from(base) * (1.0 + jitter)).max(1)
    }

    fn pick_zone(&self, version: VersionId, zones_down: &[u32]) -> Option<u32> {
        // The zone with the fewest instances of this version, ties to the lowest index:
        // Kubernetes' topology spread in its simplest form.
        (0..self.zone_count)
            .filter(|zone| !zones_down.contains(zone))
            .min_by_key(|zone| {
                self.instances
                    .iter()
                    .filter(|i| {
                        i.version == version
                            && i.zone == *zone
                            && !matches!(
                                i.state,
                                InstanceState::Draining { .. } | InstanceState::Pending
                            )
                    })
                    .count()
            })
    }

    fn live_count(&self, version: VersionId) -> u32 {
        self.instances
            .iter()
            .filter(|i| i.version == version && !matches!(i.state, InstanceState::Draining { .. }))
            .count() as u32
    }

    /// Removes `surplus` instances of `version`: pending and not-ready ones first, then the
    /// newest ready ones, as a ReplicaSet controller prefers. Returns the sessions lost with the
    /// ready ones, when sessions live in the pods.
    fn scale_down(
        &mut self,
        version: VersionId,
        surplus: u32,
        now: Tick,
        broken_stop_script: bool,
    ) -> u32 {
        let mut remaining = surplus;
        let grace_s = if broken_stop_script {
            TERMINATION_GRACE_S
        } else if !self.lifecycle.graceful_shutdown {
            0
        } else {
            DRAIN_S
        };
        // Each ready pod holds an equal share of the service's sessions.
        let ready = self
            .instances
            .iter()
            .filter(|i| i.state == InstanceState::Ready)
            .count() as u32;
        let sessions_per_pod = if self.lifecycle.sessions_in_pods {
            self.lifecycle.active_sessions / ready.max(1)
        } else {
            0
        };
        let mut sessions_lost = 0;
        for pass_not_ready in [true, false] {
            for instance in self.instances.iter_mut().rev() {
                if remaining == 0 {
                    return sessions_lost;
                }
                if instance.version != version {
                    continue;
                }
                let matches_pass = match instance.state {
                    InstanceState::Pending
                    | InstanceState::Starting { .. }
                    | InstanceState::CrashLoopBackOff { .. } => pass_not_ready,
                    InstanceState::Ready => !pass_not_ready,
                    InstanceState::Draining { .. } => false,
                };
                if matches_pass {
                    if instance.state == InstanceState::Ready {
                        sessions_lost += sessions_per_pod;
                    }
                    instance.state = InstanceState::Draining {
                        terminate_at: now.plus_s(u64::from(grace_s)),
                    };
                    remaining -= 1;
                }
            }
        }
        sessions_lost
    }

    fn new_instance(
        &mut self,
        profiles: &[VersionProfile],
        version: VersionId,
        state: InstanceState,
    ) -> Instance {
        let id = self.next_instance_id;
        self.next_instance_id += 1;
        Instance {
            id,
            name: format!(
                "{}-{}-{}",
                self.service, profiles[version.0 as usize].name, id
            ),
            version,
            zone: 0,
            state,
            restarts: 0,
            memory_kib: BASE_MEMORY_MIB * 1_024,
            ready_since: None,
            serving_from: Tick(0),
        }
    }

    fn after_change(&mut self) {
        self.recount();
        self.settled = self.compute_settled();
    }

    fn recount(&mut self) {
        let mut counts: BTreeMap<VersionId, InstanceCounts> = BTreeMap::new();
        counts.extend(self.desired.keys().map(|v| (*v, InstanceCounts::default())));
        for instance in &self.instances {
            let entry = counts.entry(instance.version).or_default();
            match instance.state {
                InstanceState::Pending => entry.pending += 1,
                InstanceState::Starting { .. } => entry.starting += 1,
                InstanceState::Ready => entry.ready += 1,
                InstanceState::CrashLoopBackOff { .. } => entry.crash_looping += 1,
                InstanceState::Draining { .. } => entry.draining += 1,
            }
        }
        self.counts = counts;
    }

    fn compute_settled(&self) -> bool {
        self.instances
            .iter()
            .all(|i| i.state == InstanceState::Ready)
            && self
                .desired
                .iter()
                .all(|(v, n)| self.counts(*v).ready == *n)
    }
}

/// A container starting now: its process listens after `startup_s`; it is ready when its
/// readiness probe first passes, or at once when it has none.
fn starting_state(
    now: Tick,
    startup_s: u32,
    probes: &Probes,
    readiness_probe: bool,
) -> InstanceState {
    let ready_s = if readiness_probe {
        probes.seconds_to_ready(startup_s)
    } else {
        0
    };
    InstanceState::Starting {
        up_at: now.plus_s(u64::from(startup_s)),
        ready_at: now.plus_s(u64::from(ready_s)),
    }
}

#[cfg(test)]
mod tests;
