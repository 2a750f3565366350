//! The first module's root: draws the library and briefings at once, fetches the simulator's
//! chunk just after the first paint, and hands over to it when the learner needs it.

use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::first_screens::{FirstScreenCallbacks, briefing_screen, library_screen, loading_screen};
use crate::handoff::Handoff;
use crate::progress;
use crate::simulator_chunk::{self, MountSimulator};

/// Whether there is a browser to read storage and the address from: not in the native render
/// tests, where reading them would panic.
const IN_BROWSER: bool = cfg!(target_arch = "wasm32");

/// Where the simulator's chunk is.
#[derive(Clone, Copy)]
enum Chunk {
    Loading,
    Ready(MountSimulator),
    Failed,
}

/// Which first screen is shown.
#[derive(Clone, PartialEq)]
enum FirstScreen {
    Library,
    Briefing(String),
}

/// The whole app, as the page mounts it.
#[component]
pub fn Shell() -> Html {
    let screen = use_state(|| FirstScreen::Library);
    let handoff = use_state(address_handoff);
    let chunk = use_state(|| Chunk::Loading);
    let stored = use_memo((), |_| {
        if IN_BROWSER {
            progress::load_from_browser()
        } else {
            Default::default()
        }
    });
    let load = {
        let chunk = chunk.clone();
        Callback::from(move |_: ()| {
            let chunk = chunk.clone();
            chunk.set(Chunk::Loading);
            spawn_local(async move {
                chunk.set(match simulator_chunk::load().await {
                    Ok(mount) => Chunk::Ready(mount),
                    Err(_) => Chunk::Failed,
                });
            });
        })
    };
    {
        let load = load.clone();
        use_effect_with((), move |_| load.emit(()));
    }
    if let Some(handoff_now) = &*handoff {
        return match *chunk {
            Chunk::Ready(mount) => mount(Rc::clone(handoff_now)),
            Chunk::Loading => loading_screen("Loading the simulator…", None),
            Chunk::Failed => {
                let handoff = handoff.clone();
                loading_screen(
                    "Loading the simulator…",
                    Some((load, Callback::from(move |_| handoff.set(None)))),
                )
            }
        };
    }
    let hand_over = {
        let handoff = handoff.clone();
        Callback::from(move |next: Handoff| handoff.set(Some(Rc::new(next))))
    };
    let callbacks = FirstScreenCallbacks {
        on_open: {
            let screen = screen.clone();
            Callback::from(move |id| screen.set(FirstScreen::Briefing(id)))
        },
        on_reset: hand_over.reform(Handoff::ResetLab),
        on_sandbox: hand_over.reform(|_| Handoff::Sandbox),
        on_start: hand_over.reform(|(lab, choices, seed)| Handoff::StartLab { lab, choices, seed }),
        on_library: {
            let screen = screen.clone();
            Callback::from(move |_| screen.set(FirstScreen::Library))
        },
    };
    let (saved, notice) = &*stored;
    match &*screen {
        FirstScreen::Library => library_screen(&saved.summary(), notice.as_deref(), &callbacks),
        FirstScreen::Briefing(id) => briefing_screen(id, notice.as_deref(), &callbacks),
    }
}

/// A hand-over at once when the page's address opens a shared run or the sandbox.
fn address_handoff() -> Option<Rc<Handoff>> {
    if !IN_BROWSER {
        return None;
    }
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    (hash == "#sandbox" || hash.starts_with(crate::share::PREFIX))
        .then(|| Rc::new(Handoff::Address))
}
