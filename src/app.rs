//! The root component: owns the simulation state and lays out the workspace.

use engine::scenario;
use yew::prelude::*;

use crate::components::{
    AlertFeed, AuditLog, Briefing, Controls, Environments, ErrorChart, FaultConsole, FleetView,
    PipelinePanel, ProtectionRules, RolloutPanel, TopBar, TrafficSplit,
};
use crate::hooks::{use_fast_forward, use_keyboard, use_ticker};
use crate::state::{Action, DEFAULT_SCENARIO, DEFAULT_SEED, SimModel};
use crate::view::rollout::rollout;
use crate::view::workspace;

/// The whole app.
#[component]
pub fn App() -> Html {
    let model = use_reducer(|| SimModel::new(DEFAULT_SCENARIO, DEFAULT_SEED));
    use_ticker(model.playing, model.dispatcher());
    use_fast_forward(model.fast_forward.is_some(), model.dispatcher());
    use_keyboard(model.dispatcher());
    let on_action = {
        let dispatcher = model.dispatcher();
        Callback::from(move |action: Action| dispatcher.dispatch(action))
    };
    let sim = model.sim.borrow();
    let scenario = sim.scenario();
    let mut scenarios: Vec<(String, String)> = scenario::builtin_ids()
        .into_iter()
        .filter_map(scenario::builtin)
        .map(|s| (s.id, s.title))
        .collect();
    // CodeDeploy's configurations have an entry of their own in the list.
    if let Some(imported) = model
        .imported
        .as_ref()
        .filter(|s| !s.id.starts_with("import:CodeDeployDefault."))
    {
        scenarios.push((imported.id.clone(), imported.title.clone()));
    }
    // Verifying the chain re-hashes every record, so it is done once per new head, not per frame.
    let chain_intact = {
        let sim_for_check = std::rc::Rc::clone(&model.sim);
        *use_memo(sim.audit().head().to_string(), move |head| {
            let sim = sim_for_check.borrow();
            engine::audit::AuditLog::verify(sim.audit().records(), head).is_ok()
        })
    };
    let pipeline = crate::view::pipeline::pipeline(&sim);
    let alerts = pipeline
        .as_ref()
        .map(|p| (p.incidents.clone(), p.feed.clone()));
    let export_audit = {
        let sim = std::rc::Rc::clone(&model.sim);
        Callback::from(move |csv: bool| {
            let sim = sim.borrow();
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
    html! {
        <div class="app">
            <a class="skip-link" href="#workspace">{"Skip to the simulation"}</a>
            <TopBar clock={clock} scenarios={scenarios} scenario_id={scenario.id.clone()} seed={sim.seed()}
                on_select_scenario={on_action.reform(Action::SelectScenario)} on_seed={on_action.reform(Action::SetSeed)}
                on_load_manifest={on_action.reform(|(name, text)| Action::LoadManifest(name, text))} />
            <Controls playing={model.playing} fast_forwarding={model.fast_forward.is_some()} speed={model.speed} finished={finished} on_action={on_action.clone()} />
            <div class="status-line" role="status" aria-live="polite">
                if let Some(notice) = &model.notice {
                    <span id="notice" class="notice">{ notice }</span>
                } else if finished {
                    <span id="finished" class="finished">{"Scenario complete. Reset (0) to watch it again, or pick another seed."}</span>
                }
            </div>
            <main id="workspace" class="workspace">
                <div class="column-main">
                    if let Some(pipeline) = pipeline {
                        <PipelinePanel view={pipeline} on_action={on_action.clone()}>
                            <ProtectionRules environments={crate::view::protection::environments(&sim)} window={crate::view::protection::deployment_window(&sim)} on_action={on_action.clone()} />
                        </PipelinePanel>
                    }
                    <RolloutPanel view={rollout} threshold={workspace::threshold_label(&sim)} on_action={on_action.clone()} />
                    <section class="card load-balancer" aria-label="Traffic and fleet">
                        <TrafficSplit shares={workspace::traffic(&sim)} />
                        <FleetView instances={workspace::fleet(&sim)} cpu_percent={workspace::fleet_cpu_percent(&sim)} />
                    </section>
                    <ErrorChart data={crate::view::chart::chart(&sim, model.chart_metric, model.chart_range)} on_action={on_action.clone()} />
                    <Environments rows={workspace::environment_rows(&sim)} />
                </div>
                <aside class="column-side">
                    <Briefing title={scenario.title.clone()} situation={scenario.situation.clone()} objective={scenario.objective.clone()} />
                    if let Some((incidents, feed)) = alerts {
                        <AlertFeed incidents={incidents} feed={feed} on_action={on_action.clone()} />
                    }
                    <FaultConsole environments={workspace::environments(&sim)} default_environment={scenario.rollout_environment.clone()}
                        versions={scenario.versions.iter().map(|v| v.name.clone()).collect::<Vec<_>>()}
                        faults={workspace::faults(&sim)} on_action={on_action.clone()} />
                    <AuditLog rows={workspace::audit(&sim)} head={sim.audit().head().to_string()}
                        chain_intact={chain_intact}
                        export={export_audit} export_name={format!("audit-{}-seed-{}", scenario.id.replace(':', "-"), sim.seed())} />
                </aside>
            </main>
            <footer class="shortcuts" aria-label="Keyboard shortcuts">
                { for crate::hooks::SHORTCUTS.iter().map(|(keys, what)| html! { <span><kbd>{ *keys }</kbd>{ " " }{ *what }</span> }) }
            </footer>
        </div>
    }
}
