//! The header: product name, the way back to the labs, the scenario and seed (or the lab in
//! play), and the simulated clock.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::view::workspace::ClockView;

use super::manifest_loader::ManifestLoader;

/// Props of [`TopBar`].
#[derive(Properties, PartialEq)]
pub struct TopBarProps {
    /// The simulated clock.
    pub clock: ClockView,
    /// (id, title) of every scenario that can be chosen.
    pub scenarios: Vec<(String, String)>,
    /// The scenario running now.
    pub scenario_id: String,
    /// The run's seed.
    pub seed: u64,
    /// Called with a scenario id when another is chosen.
    pub on_select_scenario: Callback<String>,
    /// Called with a new seed.
    pub on_seed: Callback<u64>,
    /// Called with a manifest file's name and text.
    pub on_load_manifest: Callback<Vec<(String, String)>>,
    /// The lab in play, if any: its title replaces the scenario and manifest pickers.
    #[prop_or_default]
    pub lab_title: Option<String>,
    /// Back to the library.
    pub on_library: Callback<()>,
}

/// The header bar.
#[component]
pub fn TopBar(props: &TopBarProps) -> Html {
    let seed_error = use_state(|| None::<String>);
    let on_select = {
        let on_select_scenario = props.on_select_scenario.clone();
        Callback::from(move |event: Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            on_select_scenario.emit(select.value());
        })
    };
    let on_seed_change = {
        let on_seed = props.on_seed.clone();
        let seed_error = seed_error.clone();
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            match input.value().trim().parse::<u64>() {
                Ok(seed) => {
                    seed_error.set(None);
                    on_seed.emit(seed);
                }
                Err(_) => seed_error.set(Some(format!(
                    "Seed \"{}\" is not a whole number from 0 to {}; the run keeps its seed.",
                    input.value(),
                    u64::MAX
                ))),
            }
        })
    };
    let clock = &props.clock;
    html! {
        <header class="top-bar">
            <div class="brand"><span class="brand-mark" aria-hidden="true">{"◆"}</span>{"Deploy Dojo"}</div>
            <button id="to-library" class="header-button" onclick={props.on_library.reform(|_| ())}>{"All labs"}</button>
            if let Some(title) = &props.lab_title {
                <span class="lab-title">{ format!("Lab: {title}") }</span>
                <span class="field seed"><span>{"Seed"}</span><strong>{ props.seed }</strong></span>
            } else {
            <label class="field">
                <span>{"Scenario"}</span>
                <select id="scenario-select" onchange={on_select}>
                    <optgroup label="Scenarios">
                        { for props.scenarios.iter().map(|(id, title)| html! {
                            <option value={id.clone()} selected={*id == props.scenario_id}>{ title }</option>
                        }) }
                    </optgroup>
                    <optgroup label="AWS CodeDeploy configurations">
                        { for engine::upstream::codedeploy::PREDEFINED.iter().map(|name| html! {
                            <option value={*name} selected={props.scenario_id.strip_prefix("import:") == Some(*name)}>{ name.trim_start_matches("CodeDeployDefault.") }</option>
                        }) }
                    </optgroup>
                </select>
            </label>
            <label class="field seed">
                <span>{"Seed"}</span>
                <input id="seed-input" type="text" inputmode="numeric" value={props.seed.to_string()} onchange={on_seed_change}
                    aria-invalid={seed_error.is_some().to_string()} aria-describedby="seed-error" />
            </label>
            <ManifestLoader on_load={props.on_load_manifest.clone()} />
            }
            if let Some(error) = &*seed_error {
                <span id="seed-error" class="field-error" role="alert">{ error }</span>
            }
            <div class="clock" aria-label="Simulated time">
                <time datetime={clock.iso.clone()} class="clock-time">{ &clock.label }</time>
                <span class={classes!("badge", if clock.business_hours { "badge-ok" } else { "badge-muted" })}>
                    { if clock.business_hours { "Business hours" } else { "Outside business hours" } }
                </span>
                <span class="elapsed">{ &clock.elapsed }</span>
            </div>
        </header>
    }
}
