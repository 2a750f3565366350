//! A person's and the script's commands: applied between seconds, recorded with the second they
//! were given at, and replayed.

use crate::audit::Actor;
use crate::command::{Command, CommandError, TimedCommand};
use crate::scenario::Scenario;
use crate::world::fault::Fault;

use super::{FaultLogged, Sim};

impl Sim {
    /// Re-creates a run from its defining triple: scenario, seed and the trainee's commands.
    pub fn replay(scenario: Scenario, seed: u64, commands: &[TimedCommand]) -> Sim {
        let mut sim = Sim::new(scenario, seed);
        for timed in commands {
            // Past the story's end too: a person may act after the scenario is complete, and the
            // world went on running when they did.
            sim.continue_to(timed.at);
            // A command that was refused live is refused again here, leaving the same run.
            let _ = sim.apply_as(timed.actor, timed.command.clone());
        }
        sim.run_to_end();
        sim
    }
    /// Gives a command from the trainee at the current second.
    pub fn apply(&mut self, command: Command) -> Result<(), CommandError> {
        self.apply_as(Actor::Trainee, command)
    }
    pub(super) fn apply_as(&mut self, actor: Actor, command: Command) -> Result<(), CommandError> {
        // A mixed minute cannot continue past a command; the seconds so far are written out.
        self.end_planned_minute(self.minute_slot());
        let previous_version = self.controller.stable();
        let events = match &command {
            Command::InjectFault {
                fault,
                target,
                duration_s,
            } => {
                self.validate_fault_target(target)?;
                self.faults.push(Fault {
                    kind: fault.clone(),
                    target: target.clone(),
                    start: self.now,
                    end: duration_s.map(|d| self.now.plus_s(u64::from(d.max(1)))),
                });
                self.fault_logged.push(FaultLogged::default());
                self.faults_changed = true;
                // Logged and applied at once, so a paused trainee sees it immediately.
                self.start_fault(self.faults.len() as u32 - 1, actor);
                Vec::new()
            }
            command if command.is_pipeline() => {
                self.apply_pipeline_command(actor, command)?;
                Vec::new()
            }
            Command::ClearFault { fault_id } => {
                let now = self.now;
                let fault = self
                    .faults
                    .get_mut(*fault_id as usize)
                    .filter(|f| f.is_active(now) || f.start > now)
                    .ok_or_else(|| {
                        CommandError::NotApplicable(format!("fault #{fault_id} is not active"))
                    })?;
                fault.end = Some(now);
                self.faults_changed = true;
                self.fault_logged[*fault_id as usize].ended = true;
                let label = format!("{} in {}", fault.kind.id(), fault.target.environment);
                let time_utc = self.utc().iso8601();
                self.audit.append(
                    now,
                    time_utc,
                    actor,
                    "FaultCleared",
                    "",
                    format!("fault #{fault_id} ({label}) cleared"),
                );
                Vec::new()
            }
            _ => {
                let version = match &command {
                    Command::StartRollout { version } => Some(
                        self.scenario
                            .version_id(version)
                            .ok_or_else(|| CommandError::UnknownVersion(version.clone()))?,
                    ),
                    _ => None,
                };
                let codedeploy_stops = command == Command::Abort
                    && self.controller.deployment().is_some()
                    && self
                        .codedeploy
                        .as_ref()
                        .is_some_and(|c| c.in_progress().is_some());
                if codedeploy_stops {
                    // CodeDeploy's Stop & roll back: a new deployment of the last good revision,
                    // which in place undoes the Deployment batch by batch.
                    let actions = self
                        .codedeploy
                        .as_mut()
                        .and_then(|c| c.stop_and_roll_back(self.now))
                        .unwrap_or_default();
                    self.record_events(&actions.events);
                    match (actions.redeploy, self.controller.deployment_mut()) {
                        (Some(_), Some(deployment)) => deployment.undo(
                            Actor::DeploymentController,
                            self.now,
                            &self.scenario.versions,
                        )?,
                        _ => Vec::new(),
                    }
                } else {
                    self.controller.apply(
                        &command,
                        version,
                        actor,
                        self.now,
                        &self.scenario.versions,
                    )?
                }
            }
        };
        let migration = match &command {
            Command::StartRollout { version } => self
                .scenario
                .version_id(version)
                .map(|v| (v, previous_version)),
            _ => None,
        };
        if actor == Actor::Trainee {
            self.commands.push(TimedCommand {
                at: self.now,
                actor,
                command,
            });
        }
        let events_before = self.audit.records().len();
        self.record_events(&events);
        self.track_codedeploy(events_before as u32);
        if let Some((new_version, old_version)) = migration {
            self.apply_migration(new_version, old_version);
        }
        self.controller.set_targets(
            &mut self.world.services[self.target as usize],
            self.now,
            self.scenario.versions.len() as u32,
        );
        self.settled_at = None;
        // The rest of this minute is no longer quiet: it is simulated second by second.
        self.world.clear_quiet_minutes();
        Ok(())
    }
    pub(super) fn validate_fault_target(
        &self,
        target: &crate::world::fault::FaultTarget,
    ) -> Result<(), CommandError> {
        let environment = self
            .world
            .environment_index(&target.environment)
            .ok_or_else(|| {
                CommandError::NotApplicable(format!(
                    "there is no environment called \"{}\"",
                    target.environment
                ))
            })?;
        if let Some(service) = &target.service
            && self
                .world
                .service_index(&target.environment, service)
                .is_none()
        {
            return Err(CommandError::NotApplicable(format!(
                "there is no service \"{service}\" in {}",
                target.environment
            )));
        }
        if let Some(version) = &target.version
            && self.scenario.version_id(version).is_none()
        {
            return Err(CommandError::UnknownVersion(version.clone()));
        }
        if let Some(zone) = &target.zone
            && !self.world.environments[environment as usize]
                .spec
                .zones
                .contains(zone)
        {
            return Err(CommandError::NotApplicable(format!(
                "{} has no zone \"{zone}\"",
                target.environment
            )));
        }
        Ok(())
    }
    pub(super) fn run_scheduled_commands(&mut self) {
        while let Some(timed) = self.scenario.schedule.get(self.next_scheduled as usize) {
            if timed.at > self.now {
                break;
            }
            let timed = timed.clone();
            self.next_scheduled += 1;
            if let Err(error) = self.apply_as(timed.actor, timed.command.clone()) {
                // A scripted command that no longer applies (the trainee got there first) is
                // logged, not fatal.
                let time_utc = self.utc().iso8601();
                self.audit.append(
                    self.now,
                    time_utc,
                    timed.actor,
                    "CommandRefused",
                    "",
                    format!("{}: {error}", timed.command.label()),
                );
            }
        }
    }
}
