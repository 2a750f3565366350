//! The UI's state and its transitions: the only UI code that changes the simulation.
//!
//! The simulation lives behind an `Rc<RefCell<_>>` so that a tick does not copy it; every
//! action that changes anything returns a fresh `Rc` with a new `revision`, which is what Yew
//! compares to decide whether to re-render.

use std::cell::RefCell;
use std::rc::Rc;

use engine::{Command, Sim, scenario};

use crate::chart_model::{ChartMetric, ChartRange};
use yew::Reducible;

/// The speeds offered, in simulated seconds per wall-clock second.
pub const SPEEDS: [u32; 6] = [1, 10, 60, 300, 900, 3_600];

/// How far "next decision" looks ahead before giving up, in simulated seconds.
pub const DECISION_SEARCH_S: u64 = 6 * 3_600;

/// The scenario the app opens with.
pub const DEFAULT_SCENARIO: &str = "canary-bad-release";

/// The seed the app opens with.
pub const DEFAULT_SEED: u64 = 1;

/// Everything the screen shows, and the simulation it comes from.
#[derive(Debug)]
pub struct SimModel {
    /// The running simulation.
    pub sim: Rc<RefCell<Sim>>,
    /// Increases whenever anything visible changes.
    pub revision: u64,
    /// True while time runs by itself.
    pub playing: bool,
    /// Simulated seconds per wall-clock second.
    pub speed: u32,
    /// Milliseconds of simulated time not yet simulated (below one tick).
    pub carry_ms: u64,
    /// The last command refusal, shown to the user until the next command.
    pub notice: Option<String>,
    /// What the chart plots.
    pub chart_metric: ChartMetric,
    /// How much history the chart shows.
    pub chart_range: ChartRange,
}

/// What the user or the clock asks of the UI.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Wall-clock time passed while playing.
    Elapsed {
        /// Milliseconds of wall-clock time.
        wall_ms: u32,
    },
    /// Start or stop the clock.
    TogglePlay,
    /// Simulate exactly one second.
    Step,
    /// Simulate to the end of the scenario.
    RunToEnd,
    /// Simulate until the next decision point (pause, verdict, abort, completion, fault).
    RunToDecision,
    /// Change the speed to one of [`SPEEDS`].
    SetSpeed(u32),
    /// The next faster speed.
    Faster,
    /// The next slower speed.
    Slower,
    /// Start the same scenario and seed again.
    Reset,
    /// Load another scenario (keeping the seed).
    SelectScenario(String),
    /// Restart with another seed.
    SetSeed(u64),
    /// Give the simulation a command.
    Command(Command),
    /// Plot another metric.
    SetChartMetric(ChartMetric),
    /// Show another range of history.
    SetChartRange(ChartRange),
}

impl SimModel {
    /// A paused run of `scenario_id` with `seed`; unknown ids fall back to the default scenario.
    pub fn new(scenario_id: &str, seed: u64) -> SimModel {
        let scenario = scenario::builtin(scenario_id)
            .or_else(|| scenario::builtin(DEFAULT_SCENARIO))
            .expect("the default scenario is built in");
        SimModel {
            sim: Rc::new(RefCell::new(Sim::new(scenario, seed))),
            revision: 0,
            playing: false,
            speed: 60,
            carry_ms: 0,
            notice: None,
            chart_metric: ChartMetric::ErrorRate,
            chart_range: ChartRange::Quarter,
        }
    }

    fn next(&self, change: impl FnOnce(&mut SimModel)) -> Rc<SimModel> {
        let mut model = SimModel {
            sim: Rc::clone(&self.sim),
            revision: self.revision + 1,
            playing: self.playing,
            speed: self.speed,
            carry_ms: self.carry_ms,
            notice: self.notice.clone(),
            chart_metric: self.chart_metric,
            chart_range: self.chart_range,
        };
        change(&mut model);
        if model.sim.borrow().is_finished() {
            model.playing = false;
        }
        Rc::new(model)
    }

    fn restart(&self, scenario_id: &str, seed: u64) -> Rc<SimModel> {
        let mut model = SimModel::new(scenario_id, seed);
        model.revision = self.revision + 1;
        model.speed = self.speed;
        model.chart_metric = self.chart_metric;
        model.chart_range = self.chart_range;
        Rc::new(model)
    }
}

impl PartialEq for SimModel {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.sim, &other.sim) && self.revision == other.revision
    }
}

impl Reducible for SimModel {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let (scenario_id, seed) = {
            let sim = self.sim.borrow();
            (sim.scenario().id.clone(), sim.seed())
        };
        match action {
            Action::Elapsed { wall_ms } => {
                if !self.playing {
                    return self;
                }
                self.next(|model| {
                    let simulated_ms = model.carry_ms + u64::from(wall_ms) * u64::from(model.speed);
                    model.sim.borrow_mut().advance(simulated_ms / 1_000);
                    model.carry_ms = simulated_ms % 1_000;
                })
            }
            Action::TogglePlay => {
                if self.sim.borrow().is_finished() {
                    return self;
                }
                self.next(|model| {
                    model.playing = !model.playing;
                    model.notice = None;
                })
            }
            Action::Step => self.next(|model| {
                model.playing = false;
                model.notice = None;
                model.sim.borrow_mut().advance(1);
            }),
            Action::RunToEnd => self.next(|model| {
                model.notice = None;
                model.sim.borrow_mut().run_to_end();
            }),
            Action::RunToDecision => self.next(|model| {
                model.playing = false;
                let stop = model.sim.borrow_mut().run_to_decision(DECISION_SEARCH_S);
                model.notice = Some(match stop {
                    Some(record) => format!(
                        "Stopped at {}: {} — {}",
                        crate::view_model::elapsed_label(record.tick.0),
                        record.action,
                        record.reason
                    ),
                    None => {
                        "No decision point ahead: the simulation ran on without one.".to_string()
                    }
                });
            }),
            Action::SetSpeed(speed) => {
                self.next(|model| model.speed = speed.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1]))
            }
            Action::Faster => self.next(|model| {
                model.speed = SPEEDS
                    .iter()
                    .copied()
                    .find(|s| *s > model.speed)
                    .unwrap_or(model.speed)
            }),
            Action::Slower => self.next(|model| {
                model.speed = SPEEDS
                    .iter()
                    .rev()
                    .copied()
                    .find(|s| *s < model.speed)
                    .unwrap_or(model.speed)
            }),
            Action::Reset => self.restart(&scenario_id, seed),
            Action::SelectScenario(id) => self.restart(&id, seed),
            Action::SetSeed(new_seed) => self.restart(&scenario_id, new_seed),
            Action::SetChartMetric(metric) => self.next(|model| model.chart_metric = metric),
            Action::SetChartRange(range) => self.next(|model| model.chart_range = range),
            Action::Command(command) => self.next(|model| {
                let result = model.sim.borrow_mut().apply(command);
                model.notice = result.err().map(|error| error.to_string());
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn playing_advances_by_speed_and_keeps_the_remainder() {
        let model = Rc::new(SimModel::new(DEFAULT_SCENARIO, 1));
        let model = model.reduce(Action::SetSpeed(10));
        let model = model.reduce(Action::TogglePlay);
        let model = model.reduce(Action::Elapsed { wall_ms: 250 });
        // 250 ms at 10× is 2.5 simulated seconds: 2 simulated, 500 ms carried.
        assert_eq!(model.sim.borrow().now().0, 2);
        assert_eq!(model.carry_ms, 500);
        let model = model.reduce(Action::Elapsed { wall_ms: 50 });
        assert_eq!(model.sim.borrow().now().0, 3);
    }

    #[test]
    fn paused_time_does_not_move() {
        let model = Rc::new(SimModel::new(DEFAULT_SCENARIO, 1));
        let revision = model.revision;
        let model = model.reduce(Action::Elapsed { wall_ms: 1_000 });
        assert_eq!(model.sim.borrow().now().0, 0);
        assert_eq!(
            model.revision, revision,
            "no re-render when nothing changed"
        );
    }

    #[test]
    fn speed_steps_through_the_offered_speeds() {
        let model = Rc::new(SimModel::new(DEFAULT_SCENARIO, 1));
        let model = model.reduce(Action::SetSpeed(3_600)).reduce(Action::Faster);
        assert_eq!(model.speed, 3_600, "no faster than the fastest");
        let model = model.reduce(Action::Slower);
        assert_eq!(model.speed, 900);
    }

    #[test]
    fn a_refused_command_is_explained_and_the_run_goes_on() {
        let model = Rc::new(SimModel::new(DEFAULT_SCENARIO, 1));
        let model = model.reduce(Action::Command(Command::Promote));
        assert!(
            model
                .notice
                .as_deref()
                .unwrap_or("")
                .contains("nothing to promote")
                || model.notice.as_deref().unwrap_or("").contains("no rollout")
        );
        let model = model.reduce(Action::Step);
        assert_eq!(model.sim.borrow().now().0, 1);
    }

    #[test]
    fn next_decision_pauses_and_says_where() {
        let model = Rc::new(SimModel::new(DEFAULT_SCENARIO, 1)).reduce(Action::TogglePlay);
        let model = model.reduce(Action::RunToDecision);
        assert!(!model.playing);
        let notice = model.notice.clone().unwrap_or_default();
        assert!(notice.contains("RolloutPaused"), "{notice}");
    }

    #[test]
    fn reset_restarts_the_same_run() {
        let model = Rc::new(SimModel::new("canary-good-release", 4));
        let model = model.reduce(Action::RunToEnd);
        let finished_head = model.sim.borrow().audit().head().to_string();
        let model = model.reduce(Action::Reset);
        assert_eq!(model.sim.borrow().now().0, 0);
        assert_eq!(model.sim.borrow().scenario().id, "canary-good-release");
        let model = model.reduce(Action::RunToEnd);
        assert_eq!(model.sim.borrow().audit().head(), finished_head);
    }
}
