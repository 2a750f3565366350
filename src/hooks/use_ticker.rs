//! The wall clock that drives simulated time while playing.

use gloo::timers::callback::Interval;
use yew::prelude::*;

use crate::state::{Action, SimModel};

/// Wall-clock milliseconds between simulation updates: ten a second is smooth enough to watch
/// and leaves the main thread idle most of the time.
pub const FRAME_MS: u32 = 100;

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
