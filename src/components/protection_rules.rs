//! The pipeline's environments, as GitHub's settings and Deployments pages show them: each
//! environment's protection rules with a form to change them, its active deployment, and the
//! history of its deployment statuses.

use engine::Command;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::components::field::store;
use crate::state::Action;
use crate::view::protection::{EnvironmentView, RulesForm, WindowView, minute_of};

/// Props of [`ProtectionRules`].
#[derive(Properties, PartialEq)]
pub struct ProtectionRulesProps {
    /// The environments.
    pub environments: Vec<EnvironmentView>,
    /// The rollout environment's deployment window, if it has one.
    pub window: Option<WindowView>,
    /// Receives the rule changes.
    pub on_action: Callback<Action>,
}

/// Environments and their protection rules, folded away until opened.
#[component]
pub fn ProtectionRules(props: &ProtectionRulesProps) -> Html {
    if props.environments.is_empty() {
        return Html::default();
    }
    html! {
        <details id="environments-panel" class="run-form">
            <summary>{ format!("Environments and protection rules ({})", props.environments.iter().map(|e| e.name.as_str()).collect::<Vec<_>>().join(", ")) }</summary>
            if let Some(window) = &props.window {
                <WindowForm key={format!("{:?}", window)} window={window.clone()} on_action={props.on_action.clone()} />
            }
            <div class="environment-list">
                { for props.environments.iter().map(|environment| html! {
                    // Keyed by the rules, so the form starts again from the rules as they now stand.
                    <EnvironmentRules key={format!("{:?}", environment.rules)} environment={environment.clone()} on_action={props.on_action.clone()} />
                }) }
            </div>
        </details>
    }
}

#[derive(Properties, PartialEq)]
struct EnvironmentRulesProps {
    environment: EnvironmentView,
    on_action: Callback<Action>,
}

#[component]
fn EnvironmentRules(props: &EnvironmentRulesProps) -> Html {
    let environment = &props.environment;
    let form = use_state(|| RulesForm::from_rules(&environment.rules));
    let problem = use_state(|| None::<String>);
    let id = |field: &str| format!("rules-{}-{field}", environment.name);
    let on_text = |set: fn(&mut RulesForm, String)| form_field(&form, |i| i.value(), set);
    let on_tick = |set: fn(&mut RulesForm, bool)| form_field(&form, |i| i.checked(), set);
    let on_policy = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut next = (*form).clone();
            next.branch_policy = e.target_unchecked_into::<HtmlSelectElement>().value();
            form.set(next);
        })
    };
    let on_save = {
        let (form, problem, on_action) = (form.clone(), problem.clone(), props.on_action.clone());
        Callback::from(move |_: MouseEvent| match form.to_rules() {
            Ok(rules) => {
                problem.set(None);
                on_action.emit(Action::Command(Command::UpdateProtectionRules {
                    rules,
                    login: "trainee".to_string(),
                }));
            }
            Err(why) => problem.set(Some(why)),
        })
    };
    html! {
        <section class="environment-rules" aria-labelledby={id("heading")} data-environment={environment.name.clone()}>
            <h3 id={id("heading")}>{ &environment.name }</h3>
            <p class="active-deployment"><strong>{"Active deployment: "}</strong><span id={id("active")}>{ &environment.active }</span></p>
            <dl class="rule-lines">
                { for environment.rule_lines.iter().map(|(setting, value)| html! {
                    <><dt>{ *setting }</dt><dd>{ value }</dd></>
                }) }
            </dl>
            <div class="review-fields">
                <label class="stacked grow">{"Required reviewers (comma-separated, up to 6)"}
                    <input id={id("reviewers")} type="text" value={form.reviewers.clone()} onchange={on_text(|f, v| f.reviewers = v)} />
                </label>
                <label class="stacked">{"Wait timer (min)"}
                    <input id={id("wait")} type="number" min="0" max="43200" value={form.wait_timer_min.clone()} onchange={on_text(|f, v| f.wait_timer_min = v)} />
                </label>
                <label class="checkbox"><input id={id("self-review")} type="checkbox" checked={form.prevent_self_review} onchange={on_tick(|f, v| f.prevent_self_review = v)} />{"Prevent self-review"}</label>
                <label class="checkbox"><input id={id("bypass")} type="checkbox" checked={form.can_admins_bypass} onchange={on_tick(|f, v| f.can_admins_bypass = v)} />{"Administrators may bypass"}</label>
                <label class="stacked">{"Deployment branches and tags"}
                    <select id={id("policy")} onchange={on_policy}>
                        <option value="any" selected={form.branch_policy == "any"}>{"No restriction"}</option>
                        <option value="protected" selected={form.branch_policy == "protected"}>{"Protected branches only"}</option>
                        <option value="selected" selected={form.branch_policy == "selected"}>{"Selected branches and tags"}</option>
                    </select>
                </label>
                if form.branch_policy == "selected" {
                    <label class="stacked grow">{"Name patterns (tag patterns start with tag:)"}
                        <input id={id("patterns")} type="text" value={form.patterns.clone()} onchange={on_text(|f, v| f.patterns = v)} />
                    </label>
                }
            </div>
            <div class="review-buttons">
                <button id={id("save")} onclick={on_save}>{ format!("Save the rules of {}", environment.name) }</button>
                if let Some(why) = &*problem { <span class="notice" role="alert">{ why }</span> }
            </div>
            <h4>{"Deployment statuses"}</h4>
            if environment.history.is_empty() {
                <p class="muted">{"None yet."}</p>
            } else {
                <ol id={id("history")} class="status-history">
                    { for environment.history.iter().map(|(time, state, what)| html! {
                        <li><span class="muted">{ time }</span>{" "}<span class={classes!("status", format!("status-{}", state.replace(' ', "-")))}>{ state }</span>{" "}{ what }</li>
                    }) }
                </ol>
            }
        </section>
    }
}

/// A field's change handler: reads the input with `read` and stores it in the form with `set`.
fn form_field<T: 'static>(
    form: &UseStateHandle<RulesForm>,
    read: fn(&HtmlInputElement) -> T,
    set: fn(&mut RulesForm, T),
) -> Callback<Event> {
    let form = form.clone();
    Callback::from(move |e: Event| {
        let mut next = (*form).clone();
        set(
            &mut next,
            read(&e.target_unchecked_into::<HtmlInputElement>()),
        );
        form.set(next);
    })
}

#[derive(Properties, PartialEq)]
struct WindowFormProps {
    window: WindowView,
    on_action: Callback<Action>,
}

/// The business hours of the rollout environment's deployment window, to change live.
#[component]
fn WindowForm(props: &WindowFormProps) -> Html {
    let window = &props.window;
    let days = use_state(|| window.days);
    let start = use_state(|| window.start.clone());
    let end = use_state(|| window.end.clone());
    let problem = use_state(|| None::<String>);
    let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let on_day = |index: usize| {
        let days = days.clone();
        Callback::from(move |e: Event| {
            let mut next = *days;
            next[index] = e.target_unchecked_into::<HtmlInputElement>().checked();
            days.set(next);
        })
    };
    let on_time = |handle: &UseStateHandle<String>| -> Callback<Event> {
        store(handle, HtmlInputElement::value)
    };
    let on_save = {
        let (days, start, end, problem, on_action) = (
            days.clone(),
            start.clone(),
            end.clone(),
            problem.clone(),
            props.on_action.clone(),
        );
        Callback::from(
            move |_: MouseEvent| match (minute_of(&start), minute_of(&end)) {
                (Ok(start_minute), Ok(end_minute)) => {
                    problem.set(None);
                    on_action.emit(Action::Command(Command::UpdateDeploymentWindows {
                        days: *days,
                        start_minute,
                        end_minute,
                        login: "trainee".to_string(),
                    }));
                }
                (Err(why), _) | (_, Err(why)) => problem.set(Some(why)),
            },
        )
    };
    html! {
        <section id="window-form" class="environment-rules" aria-labelledby="window-heading">
            <h3 id="window-heading">{ format!("Deployment window of {}", window.environment) }</h3>
            <p class="active-deployment"><strong>{"Business hours: "}</strong><span id="window-hours">{ &window.label }</span></p>
            { for window.maintenance.iter().map(|m| html! { <p class="muted">{ format!("Maintenance window {m}") }</p> }) }
            <fieldset class="day-picker">
                <legend>{"Days deployments may start"}</legend>
                { for names.iter().enumerate().map(|(index, name)| html! {
                    <label class="checkbox"><input id={format!("window-day-{}", name.to_lowercase())} type="checkbox" checked={days[index]} onchange={on_day(index)} />{ *name }</label>
                }) }
            </fieldset>
            <div class="review-fields">
                <label class="stacked">{"Opens (UTC)"}<input id="window-start" type="time" value={(*start).clone()} onchange={on_time(&start)} /></label>
                <label class="stacked">{"Closes (UTC)"}<input id="window-end" type="time" value={(*end).clone()} onchange={on_time(&end)} /></label>
            </div>
            <div class="review-buttons">
                <button id="window-save" onclick={on_save}>{"Save the deployment window"}</button>
                if let Some(why) = &*problem { <span class="notice" role="alert">{ why }</span> }
            </div>
        </section>
    }
}
