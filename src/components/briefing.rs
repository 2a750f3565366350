//! The scenario's situation and what to watch for.

use yew::prelude::*;

/// Props of [`Briefing`].
#[derive(Properties, PartialEq)]
pub struct BriefingProps {
    /// The scenario title.
    pub title: String,
    /// The situation.
    pub situation: String,
    /// What to watch for.
    pub objective: String,
}

/// The briefing card.
#[component]
pub fn Briefing(props: &BriefingProps) -> Html {
    html! {
        <section class="card briefing" aria-labelledby="briefing-heading">
            <h2 id="briefing-heading">{ &props.title }</h2>
            <p>{ &props.situation }</p>
            <p class="objective"><strong>{"Watch for: "}</strong>{ &props.objective }</p>
        </section>
    }
}
