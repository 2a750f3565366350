//! Keyboard shortcuts for the whole app.

use engine::Command;
use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::state::{Action, SimModel};

/// The shortcuts, as shown in the footer: (keys, what they do).
pub const SHORTCUTS: [(&str, &str); 8] = [
    ("Space", "play / pause"),
    ("→", "step one second"),
    ("N", "next decision"),
    ("+ / −", "faster / slower"),
    ("E", "run to end"),
    ("R", "roll back (abort)"),
    ("A", "promote"),
    ("0", "reset"),
];

/// The action a key asks for, if any.
pub fn action_for_key(key: &str) -> Option<Action> {
    Some(match key {
        " " => Action::TogglePlay,
        "ArrowRight" => Action::Step,
        "+" | "=" => Action::Faster,
        "-" | "_" => Action::Slower,
        "e" | "E" => Action::RunToEnd,
        "n" | "N" => Action::RunToDecision,
        "r" | "R" => Action::Command(Command::Abort),
        "a" | "A" => Action::Command(Command::Promote),
        "0" => Action::Reset,
        _ => return None,
    })
}

/// Listens for shortcuts on the document, ignoring keys typed into form fields.
#[hook]
pub fn use_keyboard(dispatcher: UseReducerDispatcher<SimModel>) {
    use_effect_with((), move |_| {
        let listener = web_sys::window()
            .and_then(|w| w.document())
            .map(|document| {
                // Not passive: Space must not also scroll the page, so the handler prevents the default.
                EventListener::new_with_options(
                    &document,
                    "keydown",
                    EventListenerOptions::enable_prevent_default(),
                    move |event| {
                        let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                            return;
                        };
                        if event.ctrl_key() || event.meta_key() || event.alt_key() {
                            return;
                        }
                        let typing = event
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                            .is_some_and(|element| {
                                matches!(
                                    element.tag_name().as_str(),
                                    "INPUT" | "SELECT" | "TEXTAREA"
                                )
                            });
                        // Space and Enter on a focused button already click it; do not act twice.
                        let on_button = event
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                            .is_some_and(|element| element.tag_name() == "BUTTON");
                        if typing || (on_button && event.key() == " ") {
                            return;
                        }
                        if let Some(action) = action_for_key(&event.key()) {
                            event.prevent_default();
                            dispatcher.dispatch(action);
                        }
                    },
                )
            });
        move || drop(listener)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_shortcut_does_something() {
        for key in [" ", "ArrowRight", "+", "-", "e", "n", "r", "a", "0"] {
            assert!(action_for_key(key).is_some(), "key {key:?}");
        }
        assert_eq!(action_for_key("x"), None);
    }
}
