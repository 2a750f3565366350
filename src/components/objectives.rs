//! The live checklist of a lab in play: each objective ticks as the simulation meets it, with
//! why; hints with their cost shown first; a way out of a stuck objective; the running score.

use yew::prelude::*;

use crate::state::Action;
use crate::view::labs::Checklist;

/// Props of [`Objectives`].
#[derive(Properties, PartialEq)]
pub struct ObjectivesProps {
    /// The checklist.
    pub view: Checklist,
    /// Hints, skips and the debrief.
    pub on_action: Callback<Action>,
}

/// The objectives card.
#[component]
pub fn Objectives(props: &ObjectivesProps) -> Html {
    let view = &props.view;
    let on_hint = props.on_action.reform(|_| Action::RevealHint);
    let on_debrief = props.on_action.reform(|_| Action::ShowDebrief);
    html! {
        <section class="card objectives" aria-labelledby="objectives-heading">
            <div class="card-head">
                <h2 id="objectives-heading">{"Objectives"}</h2>
                <span id="running-score" class="running-score">{ format!("Score so far: {}", view.score) }</span>
            </div>
            <ol class="checklist" aria-live="polite">
                { for view.items.iter().map(|item| {
                    let skip = {
                        let id = item.id.clone();
                        props.on_action.reform(move |_| Action::SkipObjective(id.clone()))
                    };
                    html! {
                        <li class={classes!("objective", item.state)} id={format!("objective-{}", item.id)} data-state={item.state}>
                            <span class="objective-mark" aria-hidden="true">{ item.mark }</span>
                            <div class="objective-body">
                                <span class="objective-text">{ &item.text }</span>
                                <span class="visually-hidden">{ format!(" ({})", item.state) }</span>
                                if item.required { <span class="tag">{"required"}</span> }
                                if !item.why.is_empty() { <span class="objective-why">{ &item.why }</span> }
                            </div>
                            if item.state == "pending" && !view.finished {
                                <button class="link-button skip" onclick={skip} aria-label={format!("Skip: {}", item.text)}>{"Skip"}</button>
                            }
                        </li>
                    }
                }) }
            </ol>
            if !view.hints.is_empty() {
                <div class="hints">
                    <h3>{"Hints"}</h3>
                    <ol>{ for view.hints.iter().map(|h| html! { <li>{ h }</li> }) }</ol>
                </div>
            }
            <div class="objectives-actions">
                if let Some(cost) = view.next_hint_cost {
                    <button id="reveal-hint" onclick={on_hint}>{ format!("Reveal a hint (−{cost} points)") }</button>
                } else {
                    <span class="muted">{"No more hints."}</span>
                }
                <button id="show-debrief" class={classes!(view.finished.then_some("primary"))} onclick={on_debrief}>
                    { if view.finished { "See the debrief" } else { "End the lab and debrief" } }
                </button>
            </div>
        </section>
    }
}
