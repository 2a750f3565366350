//! The live fault console: inject any fault from the catalogue, see and clear active ones.

use engine::Command;
use engine::world::fault::{FaultKind, FaultTarget, catalogue};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::components::field::store;
use crate::state::Action;
use crate::view::workspace::FaultRow;

/// Durations offered, in seconds; `None` lasts until cleared.
const DURATIONS: [(Option<u32>, &str); 4] = [
    (Some(60), "1 min"),
    (Some(300), "5 min"),
    (Some(900), "15 min"),
    (None, "until cleared"),
];

/// Props of [`FaultConsole`].
#[derive(Properties, PartialEq)]
pub struct FaultConsoleProps {
    /// (environment, its services), in scenario order.
    pub environments: Vec<(String, Vec<String>)>,
    /// The environment selected first.
    pub default_environment: String,
    /// The scenario's versions, oldest first.
    pub versions: Vec<String>,
    /// Faults of the run, newest first.
    pub faults: Vec<FaultRow>,
    /// Receives the inject and clear commands.
    pub on_action: Callback<Action>,
}

/// The fault console card.
#[component]
pub fn FaultConsole(props: &FaultConsoleProps) -> Html {
    let kinds = catalogue();
    let kind_index = use_state(|| 0usize);
    let environment = use_state(|| props.default_environment.clone());
    let service = use_state(String::new);
    let version = use_state(String::new);
    let duration_index = use_state(|| 1usize);
    let on_select = |state: UseStateHandle<String>| -> Callback<Event> {
        store(&state, HtmlSelectElement::value)
    };
    let on_index = |state: UseStateHandle<usize>| -> Callback<Event> {
        store(&state, |select: &HtmlSelectElement| {
            select.value().parse().unwrap_or(0)
        })
    };
    let services = props
        .environments
        .iter()
        .find(|(name, _)| *name == *environment)
        .map(|(_, s)| s.clone())
        .unwrap_or_default();
    let inject = {
        let on_action = props.on_action.clone();
        let kind: FaultKind = kinds[(*kind_index).min(kinds.len() - 1)].clone();
        let target = FaultTarget {
            environment: (*environment).clone(),
            service: (!service.is_empty() && services.contains(&*service))
                .then(|| (*service).clone()),
            version: (!version.is_empty() && props.versions.contains(&*version))
                .then(|| (*version).clone()),
            zone: None,
        };
        let duration_s = DURATIONS[(*duration_index).min(DURATIONS.len() - 1)].0;
        Callback::from(move |_: MouseEvent| {
            on_action.emit(Action::Command(Command::InjectFault {
                fault: kind.clone(),
                target: target.clone(),
                duration_s,
            }))
        })
    };
    let selected_effect = kinds[(*kind_index).min(kinds.len() - 1)].effect();
    html! {
        <section class="card faults" aria-labelledby="faults-heading">
            <div class="card-head"><h2 id="faults-heading">{"Fault console"}</h2><span class="muted">{ format!("{} kinds", kinds.len()) }</span></div>
            <div class="fault-form">
                <label class="stacked">{"Fault"}
                    <select id="fault-kind" onchange={on_index(kind_index.clone())}>
                        { for kinds.iter().enumerate().map(|(index, kind)| html! { <option value={index.to_string()} selected={index == *kind_index}>{ kind.id().replace('_', " ") }</option> }) }
                    </select>
                </label>
                <label class="stacked">{"Environment"}
                    <select id="fault-environment" onchange={on_select(environment.clone())}>
                        { for props.environments.iter().map(|(name, _)| html! { <option value={name.clone()} selected={*name == *environment}>{ name }</option> }) }
                    </select>
                </label>
                <label class="stacked">{"Service"}
                    <select id="fault-service" onchange={on_select(service.clone())}>
                        <option value="" selected={service.is_empty()}>{"all services"}</option>
                        { for services.iter().map(|name| html! { <option value={name.clone()} selected={*name == *service}>{ name }</option> }) }
                    </select>
                </label>
                <label class="stacked">{"Version"}
                    <select id="fault-version" onchange={on_select(version.clone())}>
                        <option value="" selected={version.is_empty()}>{"all versions"}</option>
                        { for props.versions.iter().map(|name| html! { <option value={name.clone()} selected={*name == *version}>{ name }</option> }) }
                    </select>
                </label>
                <label class="stacked">{"For"}
                    <select id="fault-duration" onchange={on_index(duration_index.clone())}>
                        { for DURATIONS.iter().enumerate().map(|(index, (_, label))| html! { <option value={index.to_string()} selected={index == *duration_index}>{ *label }</option> }) }
                    </select>
                </label>
                <button id="inject-fault" class="danger" onclick={inject}>{"Inject"}</button>
            </div>
            <p class="fault-effect muted">{ selected_effect }</p>
            if !props.faults.is_empty() {
                <ul class="fault-list" aria-label="Faults in this run">
                    { for props.faults.iter().map(|fault| {
                        let on_action = props.on_action.clone();
                        let id = fault.id;
                        html! {
                            <li class={classes!("fault-row", fault.active.then_some("fault-active"))} data-fault={fault.kind.clone()}>
                                <span class="fault-state">{ if fault.active { "● active" } else if fault.pending { "○ scheduled" } else { "✓ ended" } }</span>
                                <span><strong>{ &fault.kind }</strong>{ format!(" · {} · {}", fault.target, fault.window) }</span>
                                if fault.active || fault.pending {
                                    <button class="small" onclick={Callback::from(move |_: MouseEvent| on_action.emit(Action::Command(Command::ClearFault { fault_id: id })))}>{"Clear"}</button>
                                }
                            </li>
                        }
                    }) }
                </ul>
            }
        </section>
    }
}
