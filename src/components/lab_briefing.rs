//! A lab's briefing: the situation, the customer's question, what the learner will learn, the
//! objectives, and the choices as a form with their allowed values.

use std::collections::BTreeMap;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::lab_brief::LabBrief;

/// Props of [`LabBriefing`].
#[derive(Properties, PartialEq)]
pub struct LabBriefingProps {
    /// The lab.
    pub lab: &'static LabBrief,
    /// Starts the lab with the choices and seed.
    pub on_start: Callback<(BTreeMap<String, String>, u64)>,
    /// Back to the library.
    pub on_back: Callback<()>,
}

/// The briefing screen.
#[component]
pub fn LabBriefing(props: &LabBriefingProps) -> Html {
    let lab = props.lab;
    let choices = use_state(|| {
        let mut defaults = BTreeMap::new();
        defaults.extend(
            lab.choices
                .iter()
                .map(|c| (c.key.to_string(), c.default.to_string())),
        );
        defaults
    });
    let seed = use_state(|| lab.seed);
    let on_submit = {
        let (choices, seed, on_start) = (choices.clone(), seed.clone(), props.on_start.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            on_start.emit(((*choices).clone(), *seed));
        })
    };
    let on_seed = {
        let seed = seed.clone();
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            if let Ok(value) = input.value().trim().parse() {
                seed.set(value);
            }
        })
    };
    html! {
        <main id="briefing" class="briefing-screen" aria-labelledby="briefing-title">
            <p><button class="link-button" onclick={props.on_back.reform(|_| ())}>{"← All labs"}</button></p>
            <h1 id="briefing-title">{ &lab.title }</h1>
            <p class="lab-tags">
                { for lab.audiences.iter().map(|a| html! { <span class="tag">{ *a }</span> }) }
                <span class="tag tag-level">{ lab.difficulty }</span>
                <span class="tag">{ format!("{} min", lab.minutes) }</span>
            </p>
            <div class="briefing-columns">
                <section class="card" aria-labelledby="situation-heading">
                    <h2 id="situation-heading">{"The situation"}</h2>
                    <p>{ &lab.situation }</p>
                    if !lab.customer_question.is_empty() {
                        <blockquote class="customer-question"><p>{ format!("“{}”", lab.customer_question) }</p></blockquote>
                    }
                    <h2>{"You will learn to"}</h2>
                    <ul>{ for lab.learning_objectives.iter().map(|o| html! { <li>{ o }</li> }) }</ul>
                    <h2>{"Objectives, checked live"}</h2>
                    <ul class="objective-preview">
                        { for lab.objectives.iter().map(|o| html! {
                            <li>{ &o.text }{ if o.required { html! { <span class="tag">{"required"}</span> } } else { html! {} } }</li>
                        }) }
                    </ul>
                </section>
                <form class="card choices" onsubmit={on_submit} aria-labelledby="choices-heading">
                    <h2 id="choices-heading">{"Your choices"}</h2>
                    { for lab.choices.iter().map(|choice| {
                        let id = format!("choice-{}", choice.key);
                        let onchange = {
                            let (choices, key) = (choices.clone(), choice.key);
                            Callback::from(move |event: Event| {
                                let select: HtmlSelectElement = event.target_unchecked_into();
                                let mut next = (*choices).clone();
                                next.insert(key.to_string(), select.value());
                                choices.set(next);
                            })
                        };
                        let current = choices.get(choice.key).cloned().unwrap_or_default();
                        html! {
                            <div class="choice">
                                <label for={id.clone()}>{ &choice.label }</label>
                                <select id={id} {onchange}>
                                    { for choice.options.iter().map(|(value, label)| html! {
                                        <option value={*value} selected={*value == current}>{ *label }</option>
                                    }) }
                                </select>
                                if !choice.help.is_empty() { <p class="help">{ &choice.help }</p> }
                            </div>
                        }
                    }) }
                    <div class="choice">
                        <label for="lab-seed">{"Seed"}</label>
                        <input id="lab-seed" type="number" min="0" value={seed.to_string()} onchange={on_seed} />
                        <p class="help">{"The same choices and seed give the same run, every time."}</p>
                    </div>
                    <button id="start-lab" type="submit" class="primary">{"Start the lab"}</button>
                </form>
            </div>
        </main>
    }
}
