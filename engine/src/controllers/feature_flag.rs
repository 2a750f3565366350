//! A feature-flag percentage rollout: one binary with both code paths, and a flag that turns
//! the new path on for a growing share of users, bucketed as the flag service does
//! (`strategy/flags.rs`), so a user who has the new path keeps it as the percentage rises. The
//! kill switch (abort) turns it off for everyone at once; nothing is redeployed.

use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::command::CommandError;
use crate::controllers::rollout::{
    RolloutCommands, RolloutEvent, RolloutPhase, event, percentages, set_desired_replicas,
};
use crate::time::{Tick, duration_label};
use crate::upstream::flags::{FlagProvider, user_enabled};
use crate::version::{VersionId, VersionProfile};
use crate::world::Service;
use crate::world::routing::{Routing, UserBucketRoute};

/// One step of a flag rollout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagStep {
    /// Users with the flag on, in percent.
    pub percent: u32,
    /// How long to hold before the next step.
    pub hold_s: u32,
}

/// A flag rollout's plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagRolloutSpec {
    /// Whose bucketing to follow.
    pub provider: FlagProvider,
    /// The flag's key (Unleash's `groupId`, LaunchDarkly's flag key and salt).
    pub flag_key: String,
    /// The percentages, in order; the last should be 100.
    pub steps: Vec<FlagStep>,
    /// Instances of the service (both code paths run in every instance).
    pub replicas: u32,
}

/// The rollout's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagRolloutController {
    /// The plan.
    pub spec: FlagRolloutSpec,
    /// The code path everyone has with the flag off.
    pub off: VersionId,
    /// The code path behind the flag, once a rollout started.
    pub on: Option<VersionId>,
    /// The step reached, counting from zero.
    pub step_index: u32,
    /// When that step began.
    pub step_started: Tick,
    /// The percentage now.
    pub percent: u32,
    /// Users the flag is on for now.
    pub enabled_users: u32,
    /// Users in the environment.
    pub users: u32,
    /// The kill switch was thrown.
    pub killed: bool,
    /// The flag reached 100 % and the old path is retired.
    pub completed: bool,
    /// The new code path is being deployed dark; the flag turns on once it is ready.
    pub deploying: bool,
}

impl FlagRolloutController {
    /// A service on `off` with a flag at 0 % for `users` users.
    pub fn new(spec: FlagRolloutSpec, off: VersionId, users: u32) -> FlagRolloutController {
        FlagRolloutController {
            spec,
            off,
            on: None,
            step_index: 0,
            step_started: Tick(0),
            percent: 0,
            enabled_users: 0,
            users,
            killed: false,
            completed: false,
            deploying: false,
        }
    }
    /// Turns the flag on once the new path's `on_ready` instances are all ready, then moves to
    /// the next step when each hold is over.
    pub fn reconcile(&mut self, now: Tick, on_ready: u32) -> Vec<RolloutEvent> {
        let Some(on) = self.on else {
            return Vec::new();
        };
        if self.killed || self.completed {
            return Vec::new();
        }
        if self.deploying {
            if on_ready < self.spec.replicas {
                return Vec::new();
            }
            self.deploying = false;
            return self.enter_step(0, on, Actor::RolloutController, now);
        }
        let step = self.spec.steps[self.step_index as usize];
        if self.percent >= 100 {
            self.completed = true;
            self.off = on;
            return vec![event(
                Actor::RolloutController,
                "FlagRolloutCompleted",
                on,
                format!("{} is on for every user", self.spec.flag_key),
            )];
        }
        if now.seconds_since(self.step_started) >= u64::from(step.hold_s)
            && (self.step_index as usize) + 1 < self.spec.steps.len()
        {
            return self.enter_step(self.step_index + 1, on, Actor::RolloutController, now);
        }
        Vec::new()
    }

    /// The share of requests on the new path, in basis points (users are equally busy).
    pub fn enabled_share_bp(&self) -> u32 {
        if self.users == 0 {
            return self.percent * 100;
        }
        (u64::from(self.enabled_users) * 10_000 / u64::from(self.users)) as u32
    }

    /// The phase and its reason.
    pub fn phase(&self) -> (RolloutPhase, String) {
        match self.on {
            Some(_) if self.killed => (
                RolloutPhase::Degraded,
                format!("FlagKilled: {} is off for every user", self.spec.flag_key),
            ),
            Some(_) if self.deploying => (
                RolloutPhase::Progressing,
                format!("deploying the code path behind {} dark", self.spec.flag_key),
            ),
            Some(_) if !self.completed => (
                RolloutPhase::Progressing,
                format!(
                    "{} on for {} % of users ({} of {})",
                    self.spec.flag_key, self.percent, self.enabled_users, self.users
                ),
            ),
            _ => (RolloutPhase::Healthy, String::new()),
        }
    }

    /// True when no flag rollout is moving.
    pub fn is_idle(&self) -> bool {
        self.on.is_none() || self.killed || self.completed
    }

    fn enter_step(
        &mut self,
        index: u32,
        on: VersionId,
        actor: Actor,
        now: Tick,
    ) -> Vec<RolloutEvent> {
        let step = self.spec.steps[index as usize];
        self.step_index = index;
        self.step_started = now;
        self.percent = step.percent.min(100);
        self.enabled_users = (0..self.users)
            .filter(|user| {
                user_enabled(self.spec.provider, &self.spec.flag_key, self.percent, *user)
            })
            .count() as u32;
        vec![event(
            actor,
            "FlagRolloutUpdated",
            on,
            format!(
                "{} on for {} % of users: {} of {}, the same users as before plus new ones{}",
                self.spec.flag_key,
                self.percent,
                self.enabled_users,
                self.users,
                if step.hold_s > 0 && self.percent < 100 {
                    format!("; next step in {}", duration_label(u64::from(step.hold_s)))
                } else {
                    String::new()
                }
            ),
        )]
    }

    fn require_running(&self, what: &str) -> Result<VersionId, CommandError> {
        match self.on {
            Some(on) if !self.killed && !self.completed => Ok(on),
            _ => Err(CommandError::NotApplicable(format!(
                "no flag rollout is in progress to {what}"
            ))),
        }
    }
}

impl FlagRolloutController {
    /// Both code paths run at full size while the flag is between 0 and 100 %; requests from
    /// users the flag is on for take the new path.
    pub fn set_targets(&self, service: &mut Service, version_count: u32) {
        let off = self.off;
        let on = self.on.filter(|on| *on != off && !self.killed);
        let replicas = self.spec.replicas;
        let share_bp = self.enabled_share_bp();
        let desired: Vec<(VersionId, u32)> = std::iter::once(off)
            .chain(on)
            .map(|version| (version, replicas))
            .collect();
        set_desired_replicas(service, desired.iter().copied(), version_count);
        service.stable = off;
        service.routing = Routing {
            header_routes: Vec::new(),
            user_buckets: on.filter(|_| share_bp > 0).map(|version| UserBucketRoute {
                percent_bp: share_bp,
                version,
                salt: 0,
            }),
            weights: vec![(off, 100)],
        };
    }

    /// The share of requests on each code path, in percent.
    pub fn traffic_split(&self) -> Vec<(VersionId, u32)> {
        match self.on.filter(|on| *on != self.off && !self.killed) {
            Some(on) => {
                let share_bp = self.enabled_share_bp().min(10_000);
                percentages(&[(self.off, 10_000 - share_bp), (on, share_bp)])
            }
            None => vec![(self.off, 100)],
        }
    }
}

impl RolloutCommands for FlagRolloutController {
    fn start_rollout(
        &mut self,
        version: VersionId,
        name: &str,
        actor: Actor,
        _now: Tick,
        _versions: &[VersionProfile],
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        if self.on.is_some() && !self.completed && !self.killed {
            return Err(CommandError::NotApplicable(
                "a flag rollout is already in progress".to_string(),
            ));
        }
        if version == self.off {
            return Err(CommandError::NotApplicable(format!(
                "{name} is already everyone's code path"
            )));
        }
        self.on = Some(version);
        self.killed = false;
        self.completed = false;
        self.deploying = true;
        self.percent = 0;
        self.enabled_users = 0;
        Ok(vec![event(
            actor,
            "FlagRolloutUpdated",
            version,
            format!(
                "{name} deployed dark behind {}: off for every user until it is ready",
                self.spec.flag_key
            ),
        )])
    }

    fn promote_rollout(
        &mut self,
        full: bool,
        actor: Actor,
        now: Tick,
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        let on = self.require_running("promote")?;
        if self.deploying {
            return Err(CommandError::NotApplicable(
                "the new code path is still being deployed".to_string(),
            ));
        }
        let next = if full {
            self.spec.steps.len() as u32 - 1
        } else {
            (self.step_index + 1).min(self.spec.steps.len() as u32 - 1)
        };
        Ok(self.enter_step(next, on, actor, now))
    }

    fn abort_rollout(
        &mut self,
        actor: Actor,
        _now: Tick,
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        let on = self.require_running("turn off")?;
        self.killed = true;
        self.percent = 0;
        self.enabled_users = 0;
        Ok(vec![event(
            actor,
            "FlagKilled",
            on,
            format!("Kill switch: {} is off for every user", self.spec.flag_key),
        )])
    }

    fn retry_rollout(
        &mut self,
        actor: Actor,
        _now: Tick,
    ) -> Result<Vec<RolloutEvent>, CommandError> {
        let (Some(on), true) = (self.on, self.killed) else {
            return Err(CommandError::NotApplicable(
                "only a flag turned off by the kill switch can be retried".to_string(),
            ));
        };
        self.killed = false;
        self.deploying = true;
        Ok(vec![event(
            actor,
            "FlagRolloutUpdated",
            on,
            format!(
                "Retrying {}: the code path is redeployed dark, then turned on again from the first step",
                self.spec.flag_key
            ),
        )])
    }
}
