//! The root component: owns the state, chooses the screen (library, briefing, workspace,
//! debrief), and keeps saved progress and share links in step with the browser.

use std::rc::Rc;

use engine::scenario;
use gloo::storage::{LocalStorage, Storage};
use gloo::timers::callback::Timeout;
use yew::prelude::*;

use crate::components::{
    AlertFeed, AuditLog, Briefing, Controls, Debrief, Deferred, Environments, ErrorChart,
    FaultConsole, FleetView, Objectives, PipelinePanel, ProtectionRules, RolloutPanel, TopBar,
    TrafficSplit,
};
use crate::first_screens::{FirstScreenCallbacks, briefing_screen, library_screen, loading_screen};
use crate::generated::lab_briefs::LAB_BRIEFS;
use crate::handoff::Handoff;
use crate::hooks::{use_fast_forward, use_keyboard, use_ticker};
use crate::progress::{self, STORAGE_KEY};
use crate::state::{Action, Screen, SimModel};
use crate::view::rollout::rollout;
use crate::view::{labs, workspace};

/// Props of [`App`].
#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// What the first screen handed over.
    pub handoff: Rc<Handoff>,
}

/// The simulator and every screen, once it has taken over from the first screen
/// ([`crate::shell::Shell`]).
#[component]
pub fn App(props: &AppProps) -> Html {
    let model = use_reducer(SimModel::landing);
    use_ticker(model.playing, model.dispatcher());
    use_fast_forward(model.fast_forward.is_some(), model.dispatcher());
    use_keyboard(model.dispatcher());
    let handed_over = use_browser_state(&model, Rc::clone(&props.handoff));
    // Verifying the chain re-hashes every record, so it is done once per new head, not per frame.
    let chain_intact = {
        let head = model.sim().audit().head().to_string();
        let run = std::rc::Rc::clone(&model.run);
        *use_memo(head, move |head| {
            let run = run.borrow();
            engine::audit::AuditLog::verify(run.sim().audit().records(), head).is_ok()
        })
    };
    let on_action = {
        let dispatcher = model.dispatcher();
        Callback::from(move |action: Action| dispatcher.dispatch(action))
    };
    // Every hook above runs on every render; only now may the first render return early.
    if !handed_over {
        return loading_screen(starting_label(&props.handoff), None);
    }
    let callbacks = FirstScreenCallbacks {
        on_open: on_action.reform(Action::ShowBriefing),
        on_reset: on_action.reform(Action::ResetLabProgress),
        on_sandbox: on_action.reform(|_| Action::ShowSandbox),
        on_start: on_action.reform(|(lab, choices, seed)| Action::StartLab { lab, choices, seed }),
        on_library: on_action.reform(|_| Action::ShowLibrary),
    };
    let notice = model.notice.as_deref();
    match &model.screen {
        Screen::Library => library_screen(&model.progress.summary(), notice, &callbacks),
        Screen::Briefing(id) => briefing_screen(id, notice, &callbacks),
        Screen::Debrief => debrief_screen(&model, &on_action),
        Screen::Workspace => workspace_screen(&model, chain_intact, &on_action),
    }
}

/// Loads saved progress and does what the first screen handed over (or what the page's address
/// asks for) at start-up; saves progress when it changes. Returns whether the hand-over is done.
#[hook]
fn use_browser_state(model: &UseReducerHandle<SimModel>, handoff: Rc<Handoff>) -> bool {
    let dispatcher = model.dispatcher();
    let handed_over = use_state(|| false);
    {
        let handed_over = handed_over.clone();
        use_effect_with((), move |_| {
            let (saved, notice) = progress::load_from_browser();
            dispatcher.dispatch(Action::ProgressLoaded(saved, notice));
            // The hand-over (starting a lab builds its world) runs one task after the simulator
            // mounts, so mounting and starting are two short tasks instead of one long one.
            let timeout = Timeout::new(0, move || {
                apply_handoff(&dispatcher, &handoff);
                handed_over.set(true);
            });
            move || drop(timeout)
        });
    }
    // The first run sees the progress before anything was loaded; writing it would erase
    // what is stored, so only later changes are saved.
    let first = use_mut_ref(|| true);
    use_effect_with(model.progress.clone(), move |saved| {
        if std::mem::take(&mut *first.borrow_mut()) {
            return;
        }
        let _ = LocalStorage::raw().set_item(STORAGE_KEY, &progress::encode(saved));
    });
    *handed_over
}

/// What the simulator says it is doing in the moment before the hand-over.
fn starting_label(handoff: &Handoff) -> &'static str {
    match handoff {
        Handoff::StartLab { .. } => "Starting the lab…",
        Handoff::Sandbox => "Opening the sandbox…",
        Handoff::Address | Handoff::ResetLab(_) => "Loading the simulator…",
    }
}

/// Does what the first screen handed over, or what the page's address asks for.
fn apply_handoff(dispatcher: &UseReducerDispatcher<SimModel>, handoff: &Handoff) {
    match handoff.clone() {
        Handoff::Address => {
            let hash = web_sys::window()
                .and_then(|w| w.location().hash().ok())
                .unwrap_or_default();
            if hash == "#sandbox" {
                dispatcher.dispatch(Action::ShowSandbox);
            } else if hash.starts_with(crate::share::PREFIX) {
                match crate::share::decode(&hash) {
                    Ok(shared) => dispatcher.dispatch(Action::OpenRun(shared)),
                    Err(why) => dispatcher.dispatch(Action::ShowNotice(format!(
                        "This link cannot be opened: {why}. Pick a lab instead."
                    ))),
                }
            }
        }
        Handoff::StartLab { lab, choices, seed } => {
            dispatcher.dispatch(Action::StartLab { lab, choices, seed })
        }
        Handoff::Sandbox => dispatcher.dispatch(Action::ShowSandbox),
        Handoff::ResetLab(lab) => dispatcher.dispatch(Action::ResetLabProgress(lab)),
    }
}

fn debrief_screen(model: &UseReducerHandle<SimModel>, on_action: &Callback<Action>) -> Html {
    let run = model.run.borrow();
    let Some(lab_run) = run.lab() else {
        return html! { <p>{"No lab has been played yet."}</p> };
    };
    let view = labs::debrief(lab_run);
    let position = LAB_BRIEFS.iter().position(|lab| lab.id == view.lab_id);
    let next_lab = position
        .and_then(|p| LAB_BRIEFS.get(p + 1))
        .map(|lab| (lab.id.to_string(), lab.title.to_string()));
    let share_fragment = model
        .shared_run()
        .map(|shared| crate::share::encode(&shared))
        .unwrap_or_default();
    let report_json = serde_json::to_string_pretty(&serde_json::json!({
        "lab": view.lab_id,
        "seed": lab_run.sim().seed(),
        "choices": lab_run.choices(),
        "objectives": lab_run.progress(),
        "score": view.score,
        "audit_head": lab_run.sim().audit().head(),
        "link": share_fragment,
    }))
    .unwrap_or_default();
    let audit_csv = {
        let log = lab_run.sim().audit();
        engine::audit::export::to_csv(log.records(), log.head())
    };
    html! {
        <div class="app">
            <header class="top-bar no-print"><div class="brand"><span class="brand-mark" aria-hidden="true">{"◆"}</span>{"Deploy Dojo"}</div></header>
            <Debrief view={view} what_if={model.what_if.clone()} share_fragment={share_fragment}
                next_lab={next_lab} report_json={report_json} audit_csv={audit_csv} audit_head={lab_run.sim().audit().head().to_string()} on_action={on_action.clone()} />
        </div>
    }
}

fn workspace_screen(
    model: &UseReducerHandle<SimModel>,
    chain_intact: bool,
    on_action: &Callback<Action>,
) -> Html {
    let sim = model.sim();
    let scenario = sim.scenario();
    let checklist = model.run.borrow().lab().map(labs::checklist);
    let mut scenarios: Vec<(String, String)> = scenario::BUILTIN_TITLES
        .iter()
        .map(|(id, title)| (id.to_string(), title.to_string()))
        .collect();
    // CodeDeploy's configurations have an entry of their own in the list.
    if let Some(imported) = model
        .imported
        .as_ref()
        .filter(|s| !s.id.starts_with("import:CodeDeployDefault."))
    {
        scenarios.push((imported.id.clone(), imported.title.clone()));
    }
    let pipeline = crate::view::pipeline::pipeline(&sim);
    let alerts = pipeline
        .as_ref()
        .map(|p| (p.incidents.clone(), p.feed.clone()));
    let export_audit = {
        let run = std::rc::Rc::clone(&model.run);
        Callback::from(move |csv: bool| {
            let run = run.borrow();
            let sim = run.sim();
            let (records, head) = (sim.audit().records(), sim.audit().head());
            if csv {
                engine::audit::export::to_csv(records, head)
            } else {
                engine::audit::export::to_json(records, head)
            }
        })
    };
    let rollout = rollout(&sim);
    let clock = workspace::clock(&sim);
    let finished = clock.finished;
    let lab_title = checklist.as_ref().map(|c| c.title.clone());
    html! {
        <div class="app">
            <a class="skip-link" href="#workspace">{"Skip to the simulation"}</a>
            <TopBar clock={clock} scenarios={scenarios} scenario_id={scenario.id.clone()} seed={sim.seed()}
                lab_title={lab_title}
                on_library={on_action.reform(|_| Action::ShowLibrary)}
                on_select_scenario={on_action.reform(Action::SelectScenario)} on_seed={on_action.reform(Action::SetSeed)}
                on_load_manifest={on_action.reform(Action::LoadManifests)} />
            <Controls playing={model.playing} fast_forwarding={model.fast_forward.is_some()} progress_percent={model.fast_forward_progress()} speed={model.speed} finished={finished} on_action={on_action.clone()} />
            <div class="status-line" role="status" aria-live="polite">
                if let Some(notice) = &model.notice {
                    <span id="notice" class="notice">{ notice }</span>
                } else if finished && checklist.is_some() {
                    <span id="finished" class="finished">{"Lab complete: see the debrief in the objectives card."}</span>
                } else if finished {
                    <span id="finished" class="finished">{"Scenario complete. Reset (0) to watch it again, or pick another seed."}</span>
                }
            </div>
            <main id="workspace" class="workspace">
                <div class="column-main">
                    if let Some(pipeline) = pipeline {
                        <Deferred>
                            <PipelinePanel view={pipeline} on_action={on_action.clone()}>
                                <ProtectionRules environments={crate::view::protection::environments(&sim)} window={crate::view::protection::deployment_window(&sim)} on_action={on_action.clone()} />
                            </PipelinePanel>
                        </Deferred>
                    }
                    <RolloutPanel view={rollout} threshold={workspace::threshold_label(&sim)} on_action={on_action.clone()} />
                    <section class="card load-balancer" aria-label="Traffic and fleet">
                        <TrafficSplit shares={workspace::traffic(&sim)} />
                        <FleetView instances={workspace::fleet(&sim)} cpu_percent={workspace::fleet_cpu_percent(&sim)} />
                    </section>
                    <Deferred>
                        <ErrorChart data={crate::view::chart::chart(&sim, model.chart_metric, model.chart_range)} on_action={on_action.clone()} />
                        <Environments rows={workspace::environment_rows(&sim)} />
                    </Deferred>
                </div>
                <aside class="column-side">
                    if let Some(checklist) = checklist {
                        <Objectives view={checklist} on_action={on_action.clone()} />
                    } else {
                        <Briefing title={scenario.title.clone()} situation={scenario.situation.clone()} objective={scenario.objective.clone()} />
                    }
                    if let Some((incidents, feed)) = alerts {
                        <AlertFeed incidents={incidents} feed={feed} on_action={on_action.clone()} />
                    }
                    <Deferred>
                    <FaultConsole environments={workspace::environments(&sim)} default_environment={scenario.rollout_environment.clone()}
                        versions={scenario.versions.iter().map(|v| v.name.clone()).collect::<Vec<_>>()}
                        faults={workspace::faults(&sim)} on_action={on_action.clone()} />
                    <AuditLog rows={workspace::audit(&sim)} head={sim.audit().head().to_string()}
                        chain_intact={chain_intact}
                        export={export_audit} export_name={format!("audit-{}-seed-{}", scenario.id.replace(':', "-"), sim.seed())} />
                    </Deferred>
                </aside>
            </main>
            <footer class="shortcuts" aria-label="Keyboard shortcuts">
                { for crate::hooks::SHORTCUTS.iter().map(|(keys, what)| html! { <span><kbd>{ *keys }</kbd>{ " " }{ *what }</span> }) }
            </footer>
        </div>
    }
}
