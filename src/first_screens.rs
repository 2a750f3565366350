//! The library and a lab's briefing: the screens the first module draws on its own, and the
//! simulator draws the same way once it has taken over.

use std::collections::BTreeMap;

use yew::prelude::*;

use crate::components::{LabBriefing, LabLibrary};
use crate::generated::lab_briefs::LAB_BRIEFS;
use crate::view::labs;

/// What the library and briefing screens can ask for.
#[derive(Clone, PartialEq)]
pub struct FirstScreenCallbacks {
    /// Opens a lab's briefing.
    pub on_open: Callback<String>,
    /// Forgets one lab's saved progress.
    pub on_reset: Callback<String>,
    /// Opens the sandbox.
    pub on_sandbox: Callback<()>,
    /// Starts a lab: (lab, choices, seed).
    pub on_start: Callback<(String, BTreeMap<String, String>, u64)>,
    /// Back to the library.
    pub on_library: Callback<()>,
}

/// The app's header on the library and briefing screens.
pub fn brand_header() -> Html {
    html! {
        <header class="top-bar"><div class="brand"><span class="brand-mark" aria-hidden="true">{"◆"}</span>{"Deploy Dojo"}</div></header>
    }
}

/// The status line with `notice`, if any.
pub fn notice_line(notice: Option<&str>) -> Html {
    html! {
        <div class="status-line" role="status" aria-live="polite">
            if let Some(notice) = notice {
                <span id="notice" class="notice">{ notice }</span>
            }
        </div>
    }
}

/// The library, with per lab (passed, best score) from `summary`.
pub fn library_screen(
    summary: &BTreeMap<String, (bool, u32)>,
    notice: Option<&str>,
    callbacks: &FirstScreenCallbacks,
) -> Html {
    html! {
        <div class="app">
            { brand_header() }
            { notice_line(notice) }
            <LabLibrary tracks={labs::library(LAB_BRIEFS, summary)}
                on_open={callbacks.on_open.clone()}
                on_reset={callbacks.on_reset.clone()}
                on_sandbox={callbacks.on_sandbox.clone()} />
        </div>
    }
}

/// The briefing of the built-in lab `id`.
pub fn briefing_screen(id: &str, notice: Option<&str>, callbacks: &FirstScreenCallbacks) -> Html {
    let Some(lab) = LAB_BRIEFS.iter().find(|lab| lab.id == id) else {
        return html! { <p>{"There is no such lab."}</p> };
    };
    let on_start = callbacks.on_start.clone();
    html! {
        <div class="app">
            { brand_header() }
            { notice_line(notice) }
            <LabBriefing key={lab.id} lab={lab}
                on_start={Callback::from(move |(choices, seed)| on_start.emit((lab.id.to_string(), choices, seed)))}
                on_back={callbacks.on_library.clone()} />
        </div>
    }
}

/// Shown while the simulator loads or starts (`title` says which); with `(retry, back)` when its
/// chunk could not be fetched.
pub fn loading_screen(title: &'static str, failed: Option<(Callback<()>, Callback<()>)>) -> Html {
    html! {
        <div class="app">
            { brand_header() }
            <main id="simulator-loading" class="loading-screen" aria-busy={failed.is_none().to_string()}>
                if let Some((retry, back)) = failed {
                    <h1>{"The simulator could not be loaded"}</h1>
                    <p role="alert">{"Its file did not arrive: check the network connection, then try again. Your progress is kept."}</p>
                    <p>
                        <button id="retry-simulator" class="primary" onclick={retry.reform(|_| ())}>{"Try again"}</button>
                        { " " }
                        <button class="link-button" onclick={back.reform(|_| ())}>{"← All labs"}</button>
                    </p>
                } else {
                    <h1>{ title }</h1>
                    <progress aria-label={title}></progress>
                }
            </main>
        </div>
    }
}
