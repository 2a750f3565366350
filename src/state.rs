//! The UI's state and its transitions: the only UI code that changes the simulation.
//!
//! The simulation lives behind an `Rc<RefCell<_>>` so that a tick does not copy it; every
//! action that changes anything returns a fresh `Rc` with a new `revision`, which is what Yew
//! compares to decide whether to re-render.

use std::cell::{Ref, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use engine::labs::{LabRun, lab_by_id};
use engine::scenario::Scenario;
use engine::{Command, Sim, scenario};
use yew::Reducible;

use crate::generated::lab_briefs::LAB_BRIEFS;
use crate::progress::SavedProgress;
use crate::run::Run;
use crate::share::SharedRun;
use crate::view::chart::{ChartMetric, ChartRange};
use crate::view::labs::WhatIf;

/// The speeds offered, in simulated seconds per wall-clock second.
pub const SPEEDS: [u32; 6] = [1, 10, 60, 300, 900, 3_600];

/// How far "next decision" looks ahead before giving up, in simulated seconds.
pub const DECISION_SEARCH_S: u64 = 6 * 3_600;

/// Simulated seconds one fast-forward slice covers for a 14-service world (about 15 ms of wasm);
/// larger worlds take proportionally smaller slices, so no slice blocks the page for long.
pub const SLICE_SERVICE_SECONDS: u64 = 14 * 1_800;

/// Slices after which a fast-forward shows its progress bar: about half a second of them.
pub const PROGRESS_AFTER_SLICES: u32 = 30;

/// Wall-clock milliseconds after which a fast-forward shows its progress bar, however few
/// slices it has run.
pub const PROGRESS_AFTER_MS: f64 = 500.0;

/// Wall-clock milliseconds of simulation one slice may take before it yields to the browser.
/// A slice is also redrawn, which on the busiest lab takes about 35 ms more: together they stay
/// under the 50 ms of a long task. How much a simulated second costs varies a hundredfold
/// between worlds (a pipeline's second costs more than a quiet service's), so slices are cut by
/// the clock, not only by simulated time.
pub const SLICE_BUDGET_MS: f64 = 8.0;

/// A slice is simulated in this many parts, checking the clock after each.
const SLICE_PARTS: u64 = 24;

/// Wall-clock milliseconds, to size fast-forward slices (never read by the simulation, whose
/// results do not depend on how a run is sliced). Natively (the unit tests) it stands still, so
/// every slice covers its whole simulated span.
fn wall_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

/// A run towards a target, done in slices so the page stays responsive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FastForward {
    /// To the end of the scenario.
    ToEnd,
    /// To the next decision point, having searched `searched_s` simulated seconds so far.
    ToDecision {
        /// Simulated seconds already searched.
        searched_s: u64,
    },
}

/// The scenario the app opens with.
pub const DEFAULT_SCENARIO: &str = "canary-bad-release";

/// The seed the app opens with.
pub const DEFAULT_SEED: u64 = 1;

/// Everything the screen shows, and the simulation it comes from.
#[derive(Debug)]
pub struct SimModel {
    /// The run in the workspace: the sandbox's simulation or a lab.
    pub run: Rc<RefCell<Run>>,
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
    /// A fast-forward in progress, advanced one slice per frame.
    pub fast_forward: Option<FastForward>,
    /// Slices the fast-forward in progress has run.
    pub fast_forward_slices: u32,
    /// When the fast-forward in progress began, in wall-clock milliseconds.
    pub fast_forward_started_ms: f64,
    /// The scenario imported from a manifest, kept so Reset and a new seed can restart it.
    pub imported: Option<Rc<Scenario>>,
    /// The screen shown.
    pub screen: Screen,
    /// Saved progress; the app writes it to the browser's storage when it changes.
    pub progress: Rc<SavedProgress>,
    /// The what-if run last asked for in the debrief, or why it could not run.
    pub what_if: Option<Rc<Result<WhatIf, String>>>,
}

/// The screens of the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Screen {
    /// The lab library, where a visitor lands.
    Library,
    /// A lab's briefing and choices.
    Briefing(String),
    /// The workspace: a lab in play, or the sandbox.
    Workspace,
    /// A finished lab's debrief.
    Debrief,
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
    /// Advance a fast-forward in progress by one slice.
    FastForwardSlice,
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
    /// Simulate the rollout the files describe, read as one set: (file name, file text) each.
    LoadManifests(Vec<(String, String)>),
    /// Restart with another seed.
    SetSeed(u64),
    /// Give the simulation a command.
    Command(Command),
    /// Plot another metric.
    SetChartMetric(ChartMetric),
    /// Show another range of history.
    SetChartRange(ChartRange),
    /// Open the lab library.
    ShowLibrary,
    /// Open a lab's briefing.
    ShowBriefing(String),
    /// Start a lab with these choices and seed.
    StartLab {
        /// The lab's id.
        lab: String,
        /// The choices made in the briefing.
        choices: BTreeMap<String, String>,
        /// The seed.
        seed: u64,
    },
    /// Replay a shared or saved lab run.
    OpenRun(SharedRun),
    /// Reveal the lab's next hint.
    RevealHint,
    /// Skip an objective the learner is stuck on.
    SkipObjective(String),
    /// Open the debrief of the lab in play (running it to its end first).
    ShowDebrief,
    /// Run a what-if variant of the finished lab.
    RunWhatIf(u32),
    /// Free play with every scenario and the manifest loader.
    ShowSandbox,
    /// Forget one lab's saved progress.
    ResetLabProgress(String),
    /// Progress read from storage at start-up, with a message if it could not be read.
    ProgressLoaded(SavedProgress, Option<String>),
    /// Tell the user something (a link that could not be opened).
    ShowNotice(String),
}

impl SimModel {
    /// The simulation every panel reads.
    pub fn sim(&self) -> Ref<'_, Sim> {
        Ref::map(self.run.borrow(), Run::sim)
    }

    /// A paused run of `scenario_id` with `seed`; unknown ids fall back to the default scenario.
    pub fn new(scenario_id: &str, seed: u64) -> SimModel {
        let scenario = scenario::builtin(scenario_id)
            .or_else(|| scenario::builtin(DEFAULT_SCENARIO))
            .expect("the default scenario is built in");
        SimModel::with_scenario(scenario, seed)
    }

    /// A paused run of `scenario` with `seed`.
    pub fn with_scenario(scenario: Scenario, seed: u64) -> SimModel {
        SimModel::with_run(Run::Sandbox(Box::new(Sim::new(scenario, seed))))
    }

    /// A fresh model around `run`.
    fn with_run(run: Run) -> SimModel {
        SimModel {
            run: Rc::new(RefCell::new(run)),
            revision: 0,
            playing: false,
            speed: 60,
            carry_ms: 0,
            notice: None,
            chart_metric: ChartMetric::ErrorRate,
            chart_range: ChartRange::Quarter,
            fast_forward: None,
            fast_forward_slices: 0,
            fast_forward_started_ms: 0.0,
            imported: None,
            screen: Screen::Workspace,
            progress: Rc::new(SavedProgress::default()),
            what_if: None,
        }
    }

    /// How far a long fast-forward has come, in percent: shown once it has run for half a
    /// second ([`PROGRESS_AFTER_MS`], or [`PROGRESS_AFTER_SLICES`] frames), so short runs do not
    /// flash a bar.
    pub fn fast_forward_progress(&self) -> Option<u32> {
        let target = self.fast_forward?;
        if self.fast_forward_slices < PROGRESS_AFTER_SLICES
            && wall_ms() - self.fast_forward_started_ms < PROGRESS_AFTER_MS
        {
            return None;
        }
        let (done, total) = match target {
            FastForward::ToEnd => {
                let sim = self.sim();
                (sim.now().0, u64::from(sim.scenario().max_duration_s))
            }
            FastForward::ToDecision { searched_s } => (searched_s, DECISION_SEARCH_S),
        };
        Some((done.saturating_mul(100) / total.max(1)).min(99) as u32)
    }

    /// Runs one slice of the fast-forward in progress and ends it when its target is reached.
    fn fast_forward_slice(&mut self) {
        let started_ms = wall_ms();
        self.fast_forward_slice_until(&|| wall_ms() - started_ms >= SLICE_BUDGET_MS);
    }

    /// One slice that ends early, after any of its parts, once `out_of_time` says so.
    fn fast_forward_slice_until(&mut self, out_of_time: &dyn Fn() -> bool) {
        let Some(target) = self.fast_forward else {
            return;
        };
        self.fast_forward_slices += 1;
        let mut sim = self.run.borrow_mut();
        let services = sim.sim().world().services.len().max(1) as u64;
        let slice_s = (SLICE_SERVICE_SECONDS / services).clamp(60, 7_200);
        let part_s = (slice_s / SLICE_PARTS).max(60);
        match target {
            FastForward::ToEnd => {
                let mut done_s = 0;
                while done_s < slice_s && !sim.sim().is_finished() {
                    let part = part_s.min(slice_s - done_s);
                    sim.advance(part);
                    done_s += part;
                    if out_of_time() {
                        break;
                    }
                }
                if sim.sim().is_finished() {
                    self.fast_forward = None;
                }
            }
            FastForward::ToDecision { searched_s } => {
                let budget = slice_s.min(DECISION_SEARCH_S - searched_s);
                let mut searched_now = 0;
                let mut found = None;
                while searched_now < budget && found.is_none() && !sim.sim().is_finished() {
                    let part = part_s.min(budget - searched_now);
                    found = sim.run_to_decision(part);
                    searched_now += part;
                    if out_of_time() {
                        break;
                    }
                }
                let searched = searched_s + searched_now;
                if let Some(record) = found {
                    self.notice = Some(format!(
                        "Stopped at {}: {} — {}",
                        crate::view::format::elapsed_label(record.tick.0),
                        record.action,
                        record.reason
                    ));
                    self.fast_forward = None;
                } else if sim.sim().is_finished() || searched >= DECISION_SEARCH_S {
                    self.notice = Some(format!(
                        "No decision point in the next {}: the simulation ran on without one.",
                        engine::time::duration_label(searched)
                    ));
                    self.fast_forward = None;
                } else {
                    self.fast_forward = Some(FastForward::ToDecision {
                        searched_s: searched,
                    });
                }
            }
        }
    }

    fn next(&self, change: impl FnOnce(&mut SimModel)) -> Rc<SimModel> {
        let mut model = SimModel {
            run: Rc::clone(&self.run),
            revision: self.revision + 1,
            playing: self.playing,
            speed: self.speed,
            carry_ms: self.carry_ms,
            notice: self.notice.clone(),
            chart_metric: self.chart_metric,
            chart_range: self.chart_range,
            fast_forward: self.fast_forward,
            fast_forward_slices: self.fast_forward_slices,
            fast_forward_started_ms: self.fast_forward_started_ms,
            imported: self.imported.clone(),
            screen: self.screen.clone(),
            progress: Rc::clone(&self.progress),
            what_if: self.what_if.clone(),
        };
        change(&mut model);
        if model.sim().is_finished() {
            model.playing = false;
        }
        Rc::new(model)
    }

    /// The model after an import: the imported scenario from its start, or (when refused) the
    /// run in progress kept with a message that says what was refused and where.
    fn load_import(
        &self,
        file_name: &str,
        result: Result<engine::import::Imported, engine::import::ImportError>,
    ) -> Rc<SimModel> {
        let seed = self.sim().seed();
        match result {
            Ok(imported) => {
                let mut model = SimModel::with_scenario(imported.scenario.clone(), seed);
                model.imported = Some(Rc::new(imported.scenario));
                model.speed = self.speed;
                model.chart_metric = self.chart_metric;
                model.chart_range = self.chart_range;
                model.notice = Some(if imported.warnings.is_empty() {
                    format!("Loaded {file_name}: a {}.", imported.kind)
                } else {
                    format!(
                        "Loaded {file_name}: a {}. How it is read: {}",
                        imported.kind,
                        imported.warnings.join("; ")
                    )
                });
                model.revision = self.revision + 1;
                Rc::new(model)
            }
            // The run in progress is kept; only the message changes.
            Err(error) => self.next(|model| {
                model.notice = Some(format!(
                    "{file_name} cannot be simulated: {}",
                    error.problems.join("; ")
                ));
            }),
        }
    }

    fn restart(&self, scenario_id: &str, seed: u64) -> Rc<SimModel> {
        let imported = self.imported.clone().filter(|s| s.id == scenario_id);
        let mut model = match &imported {
            Some(scenario) => SimModel::with_scenario(Scenario::clone(scenario), seed),
            None => SimModel::new(scenario_id, seed),
        };
        model.imported = self.imported.clone();
        model.revision = self.revision + 1;
        model.speed = self.speed;
        model.chart_metric = self.chart_metric;
        model.chart_range = self.chart_range;
        model.screen = Screen::Workspace;
        model.progress = Rc::clone(&self.progress);
        Rc::new(model)
    }

    /// The library, where a visitor lands: the default scenario stays ready in the sandbox.
    pub fn landing() -> SimModel {
        SimModel {
            screen: Screen::Library,
            ..SimModel::new(DEFAULT_SCENARIO, DEFAULT_SEED)
        }
    }

    /// A lab started (or replayed from `shared`), shown in the workspace; the run in progress is
    /// kept, with a message, when it cannot start.
    fn start_lab(&self, shared: &SharedRun) -> Rc<SimModel> {
        let started = lab_by_id(&shared.lab)
            .ok_or_else(|| format!("there is no lab \"{}\"", shared.lab))
            .and_then(|lab| LabRun::replay(&lab, &shared.choices, shared.seed, &shared.commands));
        match started {
            Ok(run) => {
                // Built around the lab's run directly: a throwaway sandbox of the same scenario
                // cost a few milliseconds of the task that starts the lab.
                let mut model = SimModel::with_run(Run::Lab(Box::new(run)));
                model.revision = self.revision + 1;
                model.speed = self.speed;
                model.progress = Rc::clone(&self.progress);
                model.screen = Screen::Workspace;
                Rc::new(model)
            }
            Err(why) => self.next(|model| {
                model.screen = Screen::Library;
                model.notice = Some(format!("The lab could not start: {why}"));
            }),
        }
    }

    /// The lab in play as a shareable run.
    pub fn shared_run(&self) -> Option<SharedRun> {
        let run = self.run.borrow();
        let lab = run.lab()?;
        Some(SharedRun {
            v: crate::share::LINK_VERSION,
            lab: lab.lab().id.clone(),
            seed: lab.sim().seed(),
            choices: lab.choices().clone(),
            commands: lab.learner_commands().to_vec(),
        })
    }
}

impl PartialEq for SimModel {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.run, &other.run) && self.revision == other.revision
    }
}

impl Reducible for SimModel {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        // Time and the simulation move only while the workspace is shown: a key pressed in the
        // library or the debrief changes nothing behind it.
        let workspace_only = matches!(
            action,
            Action::Elapsed { .. }
                | Action::TogglePlay
                | Action::Step
                | Action::RunToEnd
                | Action::RunToDecision
                | Action::Reset
                | Action::Command(_)
        );
        if workspace_only && self.screen != Screen::Workspace {
            return self;
        }
        let (scenario_id, seed) = {
            let sim = self.sim();
            (sim.scenario().id.clone(), sim.seed())
        };
        match action {
            Action::Elapsed { wall_ms } => {
                if !self.playing {
                    return self;
                }
                self.next(|model| {
                    let simulated_ms = model.carry_ms + u64::from(wall_ms) * u64::from(model.speed);
                    model.run.borrow_mut().advance(simulated_ms / 1_000);
                    model.carry_ms = simulated_ms % 1_000;
                })
            }
            Action::TogglePlay => {
                if self.sim().is_finished() {
                    return self;
                }
                self.next(|model| {
                    model.playing = !model.playing && model.fast_forward.is_none();
                    model.fast_forward = None;
                    model.notice = None;
                })
            }
            Action::Step => self.next(|model| {
                model.playing = false;
                model.fast_forward = None;
                model.notice = None;
                model.run.borrow_mut().advance(1);
            }),
            // The first slice waits for the next frame like every other, so the click's own task
            // only redraws the controls: a slice and a full redraw together made it a long task.
            Action::RunToEnd => self.next(|model| {
                model.playing = false;
                model.notice = None;
                model.fast_forward = Some(FastForward::ToEnd);
                model.fast_forward_slices = 0;
                model.fast_forward_started_ms = wall_ms();
            }),
            Action::RunToDecision => self.next(|model| {
                model.playing = false;
                model.notice = None;
                model.fast_forward = Some(FastForward::ToDecision { searched_s: 0 });
                model.fast_forward_slices = 0;
                model.fast_forward_started_ms = wall_ms();
            }),
            Action::FastForwardSlice => {
                if self.fast_forward.is_none() {
                    return self;
                }
                self.next(SimModel::fast_forward_slice)
            }
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
            Action::Reset => match self.shared_run() {
                // A lab starts again with the same choices and seed, without the commands.
                Some(shared) => self.start_lab(&SharedRun {
                    commands: Vec::new(),
                    ..shared
                }),
                None => self.restart(&scenario_id, seed),
            },
            Action::SelectScenario(id) if id.starts_with("CodeDeployDefault.") => {
                self.reduce(Action::LoadManifests(vec![(id.clone(), id)]))
            }
            Action::SelectScenario(id) => self.restart(&id, seed),
            Action::LoadManifests(files) => {
                let file_name = files
                    .iter()
                    .map(|(name, _)| name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                let sources: Vec<engine::import::SourceFile> = files
                    .iter()
                    .map(|(name, text)| engine::import::SourceFile { name, text })
                    .collect();
                self.load_import(&file_name, engine::import::import_files(&sources))
            }
            Action::SetSeed(new_seed) => self.restart(&scenario_id, new_seed),
            Action::SetChartMetric(metric) => self.next(|model| model.chart_metric = metric),
            Action::SetChartRange(range) => self.next(|model| model.chart_range = range),
            Action::Command(command) => self.next(|model| {
                let result = model.run.borrow_mut().apply(command);
                model.notice = result.err().map(|error| error.to_string());
            }),
            Action::ShowLibrary => self.next(|model| {
                model.playing = false;
                model.fast_forward = None;
                model.screen = Screen::Library;
            }),
            Action::ShowBriefing(id) => {
                if !LAB_BRIEFS.iter().any(|lab| lab.id == id) {
                    return self.next(|model| {
                        model.screen = Screen::Library;
                        model.notice = Some(format!("There is no lab \"{id}\"."));
                    });
                }
                self.next(|model| {
                    model.playing = false;
                    model.fast_forward = None;
                    model.notice = None;
                    model.screen = Screen::Briefing(id);
                })
            }
            Action::StartLab { lab, choices, seed } => self.start_lab(&SharedRun {
                v: crate::share::LINK_VERSION,
                lab,
                seed,
                choices,
                commands: Vec::new(),
            }),
            Action::OpenRun(shared) => self.start_lab(&shared),
            Action::RevealHint => self.next(|model| {
                if let Some(lab) = model.run.borrow_mut().lab_mut() {
                    lab.reveal_hint();
                }
            }),
            Action::SkipObjective(id) => self.next(|model| {
                if let Some(lab) = model.run.borrow_mut().lab_mut() {
                    model.notice = lab.skip(&id).err();
                }
            }),
            Action::ShowDebrief => {
                if self.run.borrow().lab().is_none() {
                    return self;
                }
                self.next(|model| {
                    model.playing = false;
                    model.fast_forward = None;
                    model.what_if = None;
                    if let Some(lab) = model.run.borrow_mut().lab_mut() {
                        lab.run_to_end();
                    }
                    if let Some(shared) = model.shared_run() {
                        let score = model.run.borrow().lab().map(LabRun::score);
                        if let Some(score) = score {
                            let mut progress = SavedProgress::clone(&model.progress);
                            progress.record(shared, score.total, score.passed);
                            model.progress = Rc::new(progress);
                        }
                    }
                    model.screen = Screen::Debrief;
                })
            }
            Action::RunWhatIf(index) => self.next(|model| {
                let result = model
                    .run
                    .borrow()
                    .lab()
                    .map(|lab| crate::view::labs::what_if(lab, index));
                model.what_if = result.map(Rc::new);
            }),
            Action::ShowSandbox => self.next(|model| {
                model.screen = Screen::Workspace;
                model.notice = None;
                if model.run.borrow().lab().is_some() {
                    let sandbox = SimModel::new(DEFAULT_SCENARIO, DEFAULT_SEED);
                    model.run = sandbox.run;
                }
            }),
            Action::ResetLabProgress(id) => self.next(|model| {
                let mut progress = SavedProgress::clone(&model.progress);
                progress.reset(&id);
                model.progress = Rc::new(progress);
            }),
            Action::ShowNotice(message) => self.next(|model| model.notice = Some(message)),
            Action::ProgressLoaded(progress, message) => self.next(|model| {
                model.progress = Rc::new(progress);
                if message.is_some() {
                    model.notice = message;
                }
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dispatches slices until the fast-forward in progress is done, as the frame ticker would.
    fn settle(mut model: Rc<SimModel>) -> Rc<SimModel> {
        let mut slices = 0;
        while model.fast_forward.is_some() {
            model = model.reduce(Action::FastForwardSlice);
            slices += 1;
            assert!(slices < 10_000, "a fast-forward must end");
        }
        model
    }

    #[test]
    fn run_to_end_is_sliced_and_finishes() {
        let model = Rc::new(SimModel::new("production-day", 1)).reduce(Action::RunToEnd);
        assert!(
            model.fast_forward.is_some(),
            "a simulated day takes more than one slice"
        );
        assert!(!model.sim().is_finished());
        let model = settle(model);
        assert!(model.sim().is_finished());
        let reference = engine::Sim::run_builtin("production-day", 1).unwrap();
        assert_eq!(
            model.sim().state_digest(),
            reference.state_digest(),
            "slicing changes nothing"
        );
    }

    /// Runs `target` to its end with every slice cut short (`cut`) or whole, as the browser's
    /// clock may cut them; returns the model and the slices it took.
    fn fast_forward(id: &str, target: FastForward, cut: bool) -> (SimModel, u32) {
        let mut model = SimModel::new(id, 1);
        model.fast_forward = Some(target);
        let mut slices = 0;
        while model.fast_forward.is_some() {
            model.fast_forward_slice_until(&|| cut);
            slices += 1;
            assert!(slices < 100_000, "a fast-forward must end");
        }
        (model, slices)
    }

    #[test]
    fn slices_cut_short_by_the_clock_change_nothing() {
        let (whole, whole_slices) = fast_forward("production-day", FastForward::ToEnd, false);
        let (cut, cut_slices) = fast_forward("production-day", FastForward::ToEnd, true);
        assert!(
            cut_slices > whole_slices * 10,
            "{cut_slices} vs {whole_slices}"
        );
        assert!(cut.sim().is_finished());
        assert_eq!(cut.sim().state_digest(), whole.sim().state_digest());
        assert_eq!(cut.sim().audit().head(), whole.sim().audit().head());
        let decision = FastForward::ToDecision { searched_s: 0 };
        let (whole, _) = fast_forward("canary-bad-release", decision, false);
        let (cut, _) = fast_forward("canary-bad-release", decision, true);
        assert!(
            whole
                .notice
                .as_deref()
                .is_some_and(|n| n.starts_with("Stopped at")),
            "{:?}",
            whole.notice
        );
        assert_eq!(cut.notice, whole.notice);
        assert_eq!(cut.sim().now(), whole.sim().now());
    }

    #[test]
    fn play_cancels_a_fast_forward() {
        let model = Rc::new(SimModel::new("production-day", 1)).reduce(Action::RunToEnd);
        let model = model.reduce(Action::TogglePlay);
        assert_eq!(model.fast_forward, None);
        assert!(
            !model.playing,
            "the press stops the fast-forward rather than starting play"
        );
    }

    #[test]
    fn playing_advances_by_speed_and_keeps_the_remainder() {
        let model = Rc::new(SimModel::new(DEFAULT_SCENARIO, 1));
        let model = model.reduce(Action::SetSpeed(10));
        let model = model.reduce(Action::TogglePlay);
        let model = model.reduce(Action::Elapsed { wall_ms: 250 });
        // 250 ms at 10× is 2.5 simulated seconds: 2 simulated, 500 ms carried.
        assert_eq!(model.sim().now().0, 2);
        assert_eq!(model.carry_ms, 500);
        let model = model.reduce(Action::Elapsed { wall_ms: 50 });
        assert_eq!(model.sim().now().0, 3);
    }

    #[test]
    fn paused_time_does_not_move() {
        let model = Rc::new(SimModel::new(DEFAULT_SCENARIO, 1));
        let revision = model.revision;
        let model = model.reduce(Action::Elapsed { wall_ms: 1_000 });
        assert_eq!(model.sim().now().0, 0);
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
        assert_eq!(model.sim().now().0, 1);
    }

    #[test]
    fn next_decision_pauses_and_says_where() {
        let model = Rc::new(SimModel::new(DEFAULT_SCENARIO, 1)).reduce(Action::TogglePlay);
        let model = settle(model.reduce(Action::RunToDecision));
        assert!(!model.playing);
        let notice = model.notice.clone().unwrap_or_default();
        assert!(notice.contains("RolloutPaused"), "{notice}");
    }

    #[test]
    fn reset_restarts_the_same_run() {
        let model = Rc::new(SimModel::new("canary-good-release", 4));
        let model = settle(model.reduce(Action::RunToEnd));
        let finished_head = model.sim().audit().head().to_string();
        let model = model.reduce(Action::Reset);
        assert_eq!(model.sim().now().0, 0);
        assert_eq!(model.sim().scenario().id, "canary-good-release");
        let model = settle(model.reduce(Action::RunToEnd));
        assert_eq!(model.sim().audit().head(), finished_head);
    }

    const BLUE_GREEN: &str = include_str!("../engine/tests/manifests/rollout-bluegreen.yaml");

    #[test]
    fn a_long_run_to_the_end_shows_its_progress_after_half_a_second_of_slices() {
        let mut model = Rc::new(SimModel::new("production-day", 1)).reduce(Action::RunToEnd);
        let mut seen = Vec::new();
        while model.fast_forward.is_some() {
            if model.fast_forward_slices < PROGRESS_AFTER_SLICES {
                assert_eq!(
                    model.fast_forward_progress(),
                    None,
                    "no bar for a short run"
                );
            } else if let Some(percent) = model.fast_forward_progress() {
                seen.push(percent);
            }
            model = model.reduce(Action::FastForwardSlice);
        }
        assert!(
            seen.len() > 10,
            "a day of 20 services takes many slices: {seen:?}"
        );
        assert!(
            seen.windows(2).all(|w| w[0] <= w[1]),
            "it only grows: {seen:?}"
        );
        assert!(*seen.last().unwrap() > 50, "{seen:?}");
        assert_eq!(model.fast_forward_progress(), None, "gone once finished");
    }

    #[test]
    fn several_files_load_as_one_set() {
        let split = |name: &str| {
            let path = format!(
                "{}/engine/tests/manifests/split/{name}",
                env!("CARGO_MANIFEST_DIR")
            );
            (
                name.to_string(),
                std::fs::read_to_string(path).expect("the file is in the repository"),
            )
        };
        let model =
            Rc::new(SimModel::new(DEFAULT_SCENARIO, 7)).reduce(Action::LoadManifests(vec![
                split("rollout.yaml"),
                split("deployment.yaml"),
                split("templates.yaml"),
            ]));
        assert_eq!(model.sim().scenario().id, "import:payments");
        let notice = model.notice.clone().unwrap_or_default();
        assert!(
            notice.starts_with("Loaded rollout.yaml, deployment.yaml, templates.yaml: a Rollout."),
            "{notice}"
        );
    }

    #[test]
    fn a_loaded_manifest_replaces_the_run_and_survives_a_reset() {
        let model = Rc::new(SimModel::new(DEFAULT_SCENARIO, 7)).reduce(Action::LoadManifests(
            vec![("rollout-bluegreen.yaml".to_string(), BLUE_GREEN.to_string())],
        ));
        let id = model.sim().scenario().id.clone();
        assert_eq!(id, "import:rollout-bluegreen");
        assert_eq!(model.sim().seed(), 7, "the seed is kept");
        assert!(model.sim().blue_green().is_some());
        assert!(
            model
                .notice
                .as_deref()
                .unwrap_or("")
                .starts_with("Loaded rollout-bluegreen.yaml")
        );
        let model = model.reduce(Action::Step).reduce(Action::Reset);
        assert_eq!(
            model.sim().scenario().id,
            id,
            "Reset restarts the imported scenario"
        );
        assert_eq!(model.sim().now().0, 0);
        let model = model.reduce(Action::SetSeed(9));
        assert_eq!(model.sim().scenario().id, id);
    }

    #[test]
    fn a_bad_manifest_keeps_the_run_and_says_where_and_what() {
        let model = Rc::new(SimModel::new(DEFAULT_SCENARIO, 1)).reduce(Action::Step);
        let head = model.sim().audit().head().to_string();
        let broken = BLUE_GREEN.replace("replicas: 2", "replicas: -2");
        let model = model.reduce(Action::LoadManifests(vec![(
            "broken.yaml".to_string(),
            broken,
        )]));
        assert_eq!(model.sim().scenario().id, DEFAULT_SCENARIO);
        assert_eq!(model.sim().now().0, 1, "the run in progress is kept");
        assert_eq!(model.sim().audit().head(), head);
        let notice = model.notice.clone().unwrap_or_default();
        assert!(
            notice.starts_with("broken.yaml cannot be simulated: spec.replicas: Invalid value: -2"),
            "{notice}"
        );
    }
}
