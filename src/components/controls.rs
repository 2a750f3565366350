//! Time controls and rollout commands.

use yew::prelude::*;

use crate::state::{Action, SPEEDS};

/// Props of [`Controls`].
#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// True while time runs.
    pub playing: bool,
    /// True while running to the end or to the next decision.
    pub fast_forwarding: bool,
    /// How far a long run to the end or to a decision has come, in percent, once it has run for
    /// about half a second.
    #[prop_or_default]
    pub progress_percent: Option<u32>,
    /// The current speed.
    pub speed: u32,
    /// True once the scenario has ended.
    pub finished: bool,
    /// Receives every action.
    pub on_action: Callback<Action>,
}

/// The control bar.
#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let act = |action: Action| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(action.clone()))
    };
    html! {
        <nav class="controls" aria-label="Simulation controls">
            <div class="control-group">
                <button id="play" class="primary" onclick={act(Action::TogglePlay)} disabled={props.finished}
                    aria-pressed={props.playing.to_string()} title="Space">
                    { if props.playing || props.fast_forwarding { "❚❚ Pause" } else { "▶ Play" } }
                </button>
                <button id="step" onclick={act(Action::Step)} disabled={props.finished} title="→">{"Step 1 s"}</button>
                <button id="next-decision" onclick={act(Action::RunToDecision)} disabled={props.finished || props.fast_forwarding} title="N">{"Next decision »"}</button>
                <button id="run-to-end" onclick={act(Action::RunToEnd)} disabled={props.finished || props.fast_forwarding} title="E">{ if props.fast_forwarding { "Running…" } else { "Run to end" } }</button>
                <button id="reset" onclick={act(Action::Reset)} title="0">{"↺ Reset"}</button>
                { for props.progress_percent.map(|percent| html! {
                    <span class="run-progress">
                        <progress id="run-progress" max="100" value={percent.to_string()}
                            aria-label="Simulated so far">{ format!("{percent} %") }</progress>
                        <span class="run-progress-label" aria-hidden="true">{ format!("{percent} %") }</span>
                    </span>
                }) }
            </div>
            <div class="control-group speed" role="group" aria-label="Speed">
                <span class="group-label">{"Speed"}</span>
                { for SPEEDS.iter().map(|speed| html! {
                    <button class={classes!("speed-button", (*speed == props.speed).then_some("selected"))}
                        aria-pressed={(*speed == props.speed).to_string()}
                        onclick={act(Action::SetSpeed(*speed))}>{ format!("{speed}×") }</button>
                }) }
            </div>
        </nav>
    }
}
