//! The lab library: labs grouped by track, with who they are for, difficulty, duration,
//! completion and best score; the sandbox one click away.

use yew::prelude::*;

use crate::view::labs::LabCard;

/// Props of [`LabLibrary`].
#[derive(Properties, PartialEq)]
pub struct LabLibraryProps {
    /// Tracks in order, each with its labs.
    pub tracks: Vec<(String, Vec<LabCard>)>,
    /// Opens a lab's briefing.
    pub on_open: Callback<String>,
    /// Forgets one lab's saved progress.
    pub on_reset: Callback<String>,
    /// Opens the sandbox.
    pub on_sandbox: Callback<()>,
}

/// The library screen.
#[component]
pub fn LabLibrary(props: &LabLibraryProps) -> Html {
    html! {
        <main id="library" class="library" aria-labelledby="library-heading">
            <h1 id="library-heading">{"Labs"}</h1>
            <p class="library-intro">{"Pick a lab, read the briefing, make your choices and watch them play out. Every objective is checked against the simulation as it runs, and the debrief tells you what went right, what went wrong and why."}</p>
            { for props.tracks.iter().map(|(track, cards)| html! {
                <section class="track" aria-label={track.clone()}>
                    <h2>{ track }</h2>
                    <ul class="lab-cards">
                        { for cards.iter().map(|card| lab_card(card, &props.on_open, &props.on_reset)) }
                    </ul>
                </section>
            }) }
            <section class="track" aria-label="Sandbox">
                <h2>{"Sandbox"}</h2>
                <div class="lab-card sandbox-card">
                    <p>{"Free play: every scenario, the fault console and the manifest loader, with no objectives."}</p>
                    <button id="open-sandbox" onclick={props.on_sandbox.reform(|_| ())}>{"Open the sandbox"}</button>
                </div>
            </section>
        </main>
    }
}

fn lab_card(card: &LabCard, on_open: &Callback<String>, on_reset: &Callback<String>) -> Html {
    let open = {
        let id = card.id.clone();
        on_open.reform(move |_| id.clone())
    };
    let reset = {
        let id = card.id.clone();
        on_reset.reform(move |_| id.clone())
    };
    let status = match (card.completed, card.best_score) {
        (true, Some(best)) => {
            html! { <span class="badge badge-ok">{ format!("Passed · best {best}") }</span> }
        }
        (false, Some(best)) => {
            html! { <span class="badge badge-muted">{ format!("Tried · best {best}") }</span> }
        }
        _ => html! { <span class="badge badge-muted">{"Not started"}</span> },
    };
    html! {
        <li class="lab-card" id={format!("lab-{}", card.id)}>
            <h3><button class="lab-open" onclick={open} aria-describedby={format!("lab-{}-teaser", card.id)}>{ &card.title }</button></h3>
            <p class="lab-tags">
                { for card.audiences.iter().map(|a| html! { <span class="tag">{ *a }</span> }) }
                <span class="tag tag-level">{ card.difficulty }</span>
                <span class="tag">{ format!("{} min", card.minutes) }</span>
                { status }
            </p>
            <p class="lab-teaser" id={format!("lab-{}-teaser", card.id)}>{ &card.teaser }</p>
            if card.best_score.is_some() {
                <button class="link-button" onclick={reset} aria-label={format!("Reset progress of {}", card.title)}>{"Reset progress"}</button>
            }
        </li>
    }
}
