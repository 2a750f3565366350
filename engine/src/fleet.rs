//! The instances of one service and their lifecycle.
//!
//! An instance is scheduled, starts (its version's start-up time plus the wait for the next
//! readiness probe), becomes ready and takes traffic, and when scaled down drains its
//! connections before it terminates. The fleet converges on the desired count per version, the
//! way a ReplicaSet controller does.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::prng::Prng;
use crate::time::Tick;
use crate::version::{VersionId, VersionProfile};

/// Kubernetes' default readiness probe period.
pub const READINESS_PERIOD_S: u32 = 10;
/// How long a terminating instance keeps finishing in-flight requests.
pub const DRAIN_S: u32 = 15;

/// Where an instance is in its lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum InstanceState {
    /// Scheduled and starting; the readiness probe first passes at `ready_at`.
    Starting {
        /// The tick at which the readiness probe first passes.
        ready_at: Tick,
    },
    /// Passing its readiness probe and receiving traffic.
    Ready,
    /// Out of the load balancer, finishing in-flight requests until `terminate_at`.
    Draining {
        /// The tick at which the process exits.
        terminate_at: Tick,
    },
}

/// One running copy of a service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    /// Unique within the run, never reused.
    pub id: u32,
    /// Kubernetes-style pod name, for example `checkout-v2-7`.
    pub name: String,
    /// The version it runs.
    pub version: VersionId,
    /// Its lifecycle state.
    pub state: InstanceState,
}

/// How many instances of one version are in each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceCounts {
    /// Starting, not yet ready.
    pub starting: u32,
    /// Ready and taking traffic.
    pub ready: u32,
    /// Draining before termination.
    pub draining: u32,
}

/// All instances of one service.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fleet {
    service: String,
    instances: Vec<Instance>,
    desired: BTreeMap<VersionId, u32>,
    next_instance_id: u32,
}

impl Fleet {
    /// A fleet of `replicas` ready instances of `version`, as found at the start of a run.
    pub fn new_ready(
        service: &str,
        profiles: &[VersionProfile],
        version: VersionId,
        replicas: u32,
    ) -> Fleet {
        let mut fleet = Fleet {
            service: service.to_string(),
            ..Fleet::default()
        };
        for _ in 0..replicas {
            let instance = fleet.new_instance(profiles, version, InstanceState::Ready);
            fleet.instances.push(instance);
        }
        fleet.desired.insert(version, replicas);
        fleet
    }

    /// Every live instance, oldest first.
    pub fn instances(&self) -> &[Instance] {
        &self.instances
    }

    /// Sets how many instances of `version` should exist (draining ones do not count).
    pub fn set_desired(&mut self, version: VersionId, replicas: u32) {
        self.desired.insert(version, replicas);
    }

    /// The desired replica count of `version`.
    pub fn desired(&self, version: VersionId) -> u32 {
        self.desired.get(&version).copied().unwrap_or(0)
    }

    /// Counts per state for `version`.
    pub fn counts(&self, version: VersionId) -> InstanceCounts {
        let mut counts = InstanceCounts::default();
        for instance in self.instances.iter().filter(|i| i.version == version) {
            match instance.state {
                InstanceState::Starting { .. } => counts.starting += 1,
                InstanceState::Ready => counts.ready += 1,
                InstanceState::Draining { .. } => counts.draining += 1,
            }
        }
        counts
    }

    /// True while any instance is starting or draining.
    pub fn is_converging(&self) -> bool {
        self.instances
            .iter()
            .any(|i| i.state != InstanceState::Ready)
    }

    /// Advances lifecycles to `now` and converges on the desired counts.
    ///
    /// Order matters for determinism and is fixed: terminations, then readiness, then scale-down,
    /// then scale-up, each in instance order.
    pub fn reconcile(&mut self, now: Tick, profiles: &[VersionProfile], startup_prng: &mut Prng) {
        self.instances.retain(|instance| {
            !matches!(instance.state, InstanceState::Draining { terminate_at } if terminate_at <= now)
        });
        for instance in &mut self.instances {
            if let InstanceState::Starting { ready_at } = instance.state
                && ready_at <= now
            {
                instance.state = InstanceState::Ready;
            }
        }
        let desired: Vec<(VersionId, u32)> = self.desired.iter().map(|(v, n)| (*v, *n)).collect();
        for (version, wanted) in desired {
            let live = self.live_count(version);
            if live > wanted {
                self.scale_down(version, live - wanted, now);
            } else {
                for _ in live..wanted {
                    let jitter_s = startup_prng.below(u64::from(READINESS_PERIOD_S));
                    let startup_s = u64::from(profiles[version.0 as usize].startup_s);
                    let state = InstanceState::Starting {
                        ready_at: now.plus_s(startup_s + jitter_s + 1),
                    };
                    let instance = self.new_instance(profiles, version, state);
                    self.instances.push(instance);
                }
            }
        }
    }

    fn live_count(&self, version: VersionId) -> u32 {
        self.instances
            .iter()
            .filter(|i| i.version == version && !matches!(i.state, InstanceState::Draining { .. }))
            .count() as u32
    }

    /// Removes `surplus` instances of `version`: ones still starting first, then the newest ready
    /// ones, as a ReplicaSet controller prefers to delete pods that are not yet ready.
    fn scale_down(&mut self, version: VersionId, surplus: u32, now: Tick) {
        let mut remaining = surplus;
        for pass_starting in [true, false] {
            for instance in self.instances.iter_mut().rev() {
                if remaining == 0 {
                    return;
                }
                if instance.version != version {
                    continue;
                }
                let matches_pass = match instance.state {
                    InstanceState::Starting { .. } => pass_starting,
                    InstanceState::Ready => !pass_starting,
                    InstanceState::Draining { .. } => false,
                };
                if matches_pass {
                    instance.state = InstanceState::Draining {
                        terminate_at: now.plus_s(u64::from(DRAIN_S)),
                    };
                    remaining -= 1;
                }
            }
        }
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
            state,
        }
    }
}
