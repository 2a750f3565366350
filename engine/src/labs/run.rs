//! A lab being played: the simulation built from the learner's choices, its objectives
//! evaluated every simulated second, the hints revealed and the objectives skipped.

use std::collections::BTreeMap;

use crate::command::{Command, CommandError, TimedCommand};
use crate::ops::release_train::Quarter;
use crate::sim::Sim;
use crate::time::Tick;
use crate::world::fault::{Fault, FaultTarget};

use super::check::{Evaluation, Subject, evaluate};
use super::progress::{Mark, Progress};
use super::score::{Score, score};
use super::spec::{Hint, Judged, Lab, LabFault};
use super::worlds;

/// A lab in play.
#[derive(Clone, Debug)]
pub struct LabRun {
    lab: Lab,
    choices: BTreeMap<String, String>,
    sim: Sim,
    progress: Vec<Progress>,
    hints_revealed: Vec<u64>,
    /// How many of the simulation's commands stand for the choices (given at the first second).
    choice_commands: u32,
    /// A quarter of releases at the learner's cadence, when the lab's world has one.
    quarter: Option<Quarter>,
}

impl LabRun {
    /// Starts `lab` with `choices` (the others at their defaults) and `seed`; refuses a choice
    /// the lab does not offer, naming it and what is allowed.
    pub fn start(
        lab: &Lab,
        choices: &BTreeMap<String, String>,
        seed: u64,
    ) -> Result<LabRun, String> {
        for (key, value) in choices {
            let Some(choice) = lab.choices.iter().find(|c| &c.key == key) else {
                let keys: Vec<&str> = lab.choices.iter().map(|c| c.key.as_str()).collect();
                return Err(format!(
                    "the lab {} has no choice `{key}` (it has {})",
                    lab.id,
                    keys.join(", ")
                ));
            };
            if !choice.options.iter().any(|o| &o.value == value) {
                let values: Vec<&str> = choice.options.iter().map(|o| o.value.as_str()).collect();
                return Err(format!(
                    "`{value}` is not a value of `{key}` (it takes {})",
                    values.join(", ")
                ));
            }
        }
        let mut chosen: BTreeMap<String, String> = BTreeMap::new();
        chosen.extend(lab.choices.iter().map(|choice| {
            let value = choices.get(&choice.key).unwrap_or(&choice.default).clone();
            (choice.key.clone(), value)
        }));
        let start = worlds::build(&lab.world, &chosen, seed)?;
        let (mut scenario, commands) = (start.scenario, start.commands);
        for fault in &lab.faults {
            scenario.faults.push(scheduled(fault)?);
        }
        let mut sim = Sim::try_new(scenario, seed)?;
        for command in &commands {
            sim.apply(command.clone())
                .map_err(|error| format!("the choices could not be applied: {error}"))?;
        }
        let mut run = LabRun {
            progress: lab
                .objectives
                .iter()
                .map(|objective| Progress::pending(&objective.id))
                .collect(),
            lab: lab.clone(),
            choices: chosen,
            choice_commands: commands.len() as u32,
            quarter: start.quarter,
            hints_revealed: Vec::new(),
            sim,
        };
        run.evaluate();
        Ok(run)
    }

    /// Starts `lab` and replays the learner's `commands` at their seconds: with the same choices
    /// and seed, the same run bit for bit.
    pub fn replay(
        lab: &Lab,
        choices: &BTreeMap<String, String>,
        seed: u64,
        commands: &[TimedCommand],
    ) -> Result<LabRun, String> {
        let mut run = LabRun::start(lab, choices, seed)?;
        for timed in commands {
            while run.sim.now() < timed.at && !run.sim.is_finished() {
                run.step();
            }
            // A command refused live is refused again, leaving the same run.
            let _ = run.apply(timed.command.clone());
        }
        Ok(run)
    }

    /// The lab.
    pub fn lab(&self) -> &Lab {
        &self.lab
    }

    /// Every choice, as made or defaulted.
    pub fn choices(&self) -> &BTreeMap<String, String> {
        &self.choices
    }

    /// The simulation.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// The quarter of releases at the learner's cadence, when the lab's world has one.
    pub fn quarter(&self) -> Option<&Quarter> {
        self.quarter.as_ref()
    }

    /// What the objectives are evaluated against.
    pub fn subject(&self) -> Subject<'_> {
        Subject {
            sim: &self.sim,
            quarter: self.quarter.as_ref(),
        }
    }

    /// Each objective's progress, in the lab's order.
    pub fn progress(&self) -> &[Progress] {
        &self.progress
    }

    /// The commands the learner gave after the choices, with their seconds.
    pub fn learner_commands(&self) -> &[TimedCommand] {
        &self.sim.commands()[self.choice_commands as usize..]
    }

    /// The second each revealed hint was revealed at.
    pub fn hints_revealed(&self) -> &[u64] {
        &self.hints_revealed
    }

    /// True once the story is over and every objective is decided.
    pub fn is_finished(&self) -> bool {
        self.sim.is_finished()
    }

    /// Gives a command as the learner, then checks the objectives.
    pub fn apply(&mut self, command: Command) -> Result<(), CommandError> {
        let result = self.sim.apply(command);
        self.evaluate();
        result
    }

    /// Simulates one second and checks the objectives.
    pub fn step(&mut self) {
        if self.sim.is_finished() {
            return;
        }
        self.sim.step();
        self.evaluate();
    }

    /// Simulates up to `seconds` seconds, checking the objectives after each.
    pub fn advance(&mut self, seconds: u64) {
        for _ in 0..seconds {
            if self.sim.is_finished() {
                break;
            }
            self.step();
        }
    }

    /// Simulates until the next decision point (see [`Sim::run_to_decision`]), checking the
    /// objectives each second; stops early at the end or after `max_s` seconds.
    pub fn run_to_decision(&mut self, max_s: u64) -> Option<crate::audit::AuditRecord> {
        let before = self.sim.audit().records().len();
        let limit = self.sim.now().plus_s(max_s);
        while !self.sim.is_finished() && self.sim.now() < limit {
            self.step();
            if let Some(record) = self.sim.audit().records()[before..]
                .iter()
                .find(|r| crate::sim::is_decision(r))
            {
                return Some(record.clone());
            }
        }
        None
    }

    /// Simulates to the end of the story, checking the objectives every second.
    pub fn run_to_end(&mut self) {
        while !self.sim.is_finished() {
            self.step();
        }
        self.evaluate();
    }

    /// Reveals the next hint, if one is left; its cost counts from now on.
    pub fn reveal_hint(&mut self) -> Option<&Hint> {
        let next = self.hints_revealed.len();
        let hint = self.lab.hints.get(next)?;
        self.hints_revealed.push(self.sim.now().0);
        Some(hint)
    }

    /// Skips the objective `id`: it earns nothing and is no longer checked.
    pub fn skip(&mut self, id: &str) -> Result<(), String> {
        let now = self.sim.now().0;
        let progress = self
            .progress
            .iter_mut()
            .find(|p| p.id == id)
            .ok_or_else(|| format!("the lab has no objective `{id}`"))?;
        if progress.mark != Mark::Pending {
            return Err(format!("the objective `{id}` is already decided"));
        }
        progress.mark = Mark::Skipped;
        progress.decided_at = Some(now);
        progress.why = "skipped".to_string();
        Ok(())
    }

    /// The score and its working, as things stand.
    pub fn score(&self) -> Score {
        score(
            &self.lab,
            &self.progress,
            &self.hints_revealed,
            &self.subject(),
        )
    }

    /// Checks every undecided objective against the simulation now; at the end of the story,
    /// decides those judged at the end and fails those never met.
    fn evaluate(&mut self) {
        let now = self.sim.now().0;
        let finished = self.sim.is_finished();
        let subject = Subject {
            sim: &self.sim,
            quarter: self.quarter.as_ref(),
        };
        for (objective, progress) in self.lab.objectives.iter().zip(&mut self.progress) {
            if progress.mark != Mark::Pending {
                continue;
            }
            if let Some(fails_when) = &objective.fails_when {
                let failing = evaluate(fails_when, &subject, &mut progress.fail_memory);
                if failing.holds {
                    let why = format!("ended early: {}", failing.why);
                    decide(progress, Mark::Failed, Evaluation { why, ..failing }, now);
                    continue;
                }
            }
            let check = evaluate(&objective.check, &subject, &mut progress.check_memory);
            match (objective.judged, check.holds, finished) {
                (Judged::Eventually, true, _) | (Judged::AtEnd, true, true) => {
                    decide(progress, Mark::Met, check, now)
                }
                (_, false, true) => decide(progress, Mark::Failed, check, now),
                _ => progress.why = check.why,
            }
        }
    }
}

fn decide(progress: &mut Progress, mark: Mark, evaluation: Evaluation, now: u64) {
    progress.mark = mark;
    progress.why = evaluation.why;
    progress.decided_at = Some(now);
}

/// A lab's fault as the simulation schedules it.
fn scheduled(fault: &LabFault) -> Result<Fault, String> {
    let kind = crate::world::fault::catalogue()
        .into_iter()
        .find(|kind| kind.id() == fault.kind)
        .ok_or_else(|| format!("there is no fault kind `{}`", fault.kind))?;
    Ok(Fault {
        kind,
        target: FaultTarget {
            environment: fault.environment.clone(),
            service: fault.service.clone(),
            version: fault.version.clone(),
            zone: None,
        },
        start: Tick(fault.at_s),
        end: fault.duration_s.map(|d| Tick(fault.at_s + d.max(1))),
    })
}
