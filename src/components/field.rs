//! Change handlers that copy what a form field holds into a component's state.

use wasm_bindgen::JsCast;
use yew::prelude::*;

/// A handler that stores `read(field)` in `state` when the field changes (on `Event`) or as
/// the person types (on `InputEvent`).
pub fn store<E, F, V>(state: &UseStateHandle<V>, read: fn(&F) -> V) -> Callback<E>
where
    E: TargetCast + 'static,
    F: JsCast + AsRef<web_sys::EventTarget> + 'static,
    V: 'static,
{
    let state = state.clone();
    Callback::from(move |event: E| state.set(read(&event.target_unchecked_into::<F>())))
}
