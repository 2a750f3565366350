//! The wall clock that drives simulated time while playing.

use gloo::timers::callback::Interval;
use yew::prelude::*;

use crate::state::{Action, SimModel};

/// Wall-clock milliseconds between simulation updates: ten a second is smooth enough to watch
/// and leaves the main thread idle most of the time.
pub const FRAME_MS: u32 = 100;

/// Wall-clock milliseconds between fast-forward slices: one per display frame.
pub const SLICE_MS: u32 = 16;

/// While `fast_forwarding`, dispatches [`Action::FastForwardSlice`] every frame.
#[hook]
pub fn use_fast_forward(fast_forwarding: bool, dispatcher: UseReducerDispatcher<SimModel>) {
    use_effect_with(fast_forwarding, move |fast_forwarding| {
        let interval = fast_forwarding.then(|| {
            Interval::new(SLICE_MS, move || {
                dispatcher.dispatch(Action::FastForwardSlice)
            })
        });
        move || drop(interval)
    });
}

/// While `playing`, dispatches [`Action::Elapsed`] every [`FRAME_MS`].
///
/// The interval lives only while playing, so a paused simulator costs nothing.
#[hook]
pub fn use_ticker(playing: bool, dispatcher: UseReducerDispatcher<SimModel>) {
    use_effect_with(playing, move |playing| {
        let interval = playing.then(|| {
            Interval::new(FRAME_MS, move || {
                dispatcher.dispatch(Action::Elapsed { wall_ms: FRAME_MS })
            })
        });
        move || drop(interval)
    });
}
