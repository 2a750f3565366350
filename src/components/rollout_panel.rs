//! The rollout: phase, step ladder, weights and the gate's measurements.

use engine::Command;
use yew::prelude::*;

use crate::state::Action;
use crate::view::rollout_card::RolloutView;

/// Props of [`RolloutPanel`].
#[derive(Properties, PartialEq)]
pub struct RolloutPanelProps {
    /// The rollout.
    pub view: RolloutView,
    /// The gate threshold, for example `5.0 %`.
    pub threshold: Option<String>,
    /// Receives the rollout commands.
    pub on_action: Callback<Action>,
}

/// The rollout panel.
#[component]
pub fn RolloutPanel(props: &RolloutPanelProps) -> Html {
    let view = &props.view;
    let phase_class = format!("phase phase-{}", view.phase.to_lowercase());
    let act = |command: Command| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Command(command.clone())))
    };
    html! {
        <section class="card rollout" aria-labelledby="rollout-heading">
            <div class="card-head">
                <h2 id="rollout-heading">{ &view.title }</h2>
                <div class="rollout-actions" role="group" aria-label="Rollout commands">
                    <button id="promote" onclick={act(Command::Promote)} disabled={!view.can_promote} title="A">{"Promote"}</button>
                    <button id="promote-full" onclick={act(Command::PromoteFull)} disabled={!view.can_abort || view.steps.is_empty()}>{"Promote full"}</button>
                    <button id="abort" class="danger" onclick={act(Command::Abort)} disabled={!view.can_abort} title="R">{ if view.codedeploy.is_empty() { "Abort & roll back" } else { "Stop & roll back" } }</button>
                    <button id="retry" onclick={act(Command::Retry)} disabled={!view.can_retry}>{"Retry"}</button>
                    <button id="undo" onclick={act(Command::Undo)} disabled={!view.can_undo} title="Roll back to the previous revision">{"Undo"}</button>
                    <span id="rollout-phase" class={phase_class}>{ &view.phase }</span>
                </div>
            </div>
            <p class="phase-message">
                { match &view.canary {
                    Some(canary) => format!("{} → {}", view.stable, canary),
                    None => format!("{} stable", view.stable),
                } }
                if !view.phase_message.is_empty() { <span class="muted">{ format!(" · {}", view.phase_message) }</span> }
            </p>
            if let Some((kind, text)) = &view.banner {
                <div id="rollout-banner" class={classes!("banner", format!("banner-{kind}"))} role="status">{ text }</div>
            }
            if !view.steps.is_empty() {
            <ol class="step-ladder" aria-label="Rollout steps">
                { for view.steps.iter().enumerate().map(|(index, step)| html! {
                    <li class={classes!("step", format!("step-{}", step.state))} aria-current={(step.state == "current").then_some("step")}>
                        <span class="step-number">{ index + 1 }</span>
                        <span class="step-label">{ &step.label }</span>
                        <span class="visually-hidden">{ format!(" ({})", step.state) }</span>
                    </li>
                }) }
            </ol>
            }
            if !view.details.is_empty() {
                <dl class="details">
                    { for view.details.iter().map(|(label, value)| html! {
                        <div><dt>{ label }</dt><dd>{ value }</dd></div>
                    }) }
                </dl>
            }
            if !view.codedeploy.is_empty() {
                <table id="codedeploy-deployments" class="replica-sets codedeploy">
                    <caption class="visually-hidden">{"CodeDeploy deployments, newest first"}</caption>
                    <thead><tr><th scope="col">{"Deployment"}</th><th scope="col">{"Revision"}</th><th scope="col">{"Status"}</th><th scope="col">{"Creator"}</th><th scope="col">{"When"}</th></tr></thead>
                    <tbody>
                        { for view.codedeploy.iter().map(|row| html! {
                            <tr title={row.message.clone()}>
                                <th scope="row">{ &row.id }</th>
                                <td>{ &row.revision }</td>
                                <td class={classes!("status", format!("status-{}", row.status.to_lowercase()))}>{ row.status }</td>
                                <td>{ row.creator }</td>
                                <td>{ &row.timing }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                <ul id="codedeploy-messages" class="codedeploy-messages" aria-label="What happened, newest first">
                    { for view.codedeploy.iter().take(2).map(|row| html! { <li>{ &row.message }</li> }) }
                </ul>
            }
            <table id="replica-sets" class="replica-sets">
                <caption class="visually-hidden">{"ReplicaSets: pods asked for, ready and available, and share of traffic"}</caption>
                <thead><tr><th scope="col">{"Version"}</th><th scope="col">{"Desired"}</th><th scope="col">{"Ready"}</th><th scope="col">{"Available"}</th><th scope="col">{"Traffic"}</th></tr></thead>
                <tbody>
                    { for view.replica_sets.iter().map(|rs| html! {
                        <tr>
                            <th scope="row">{ &rs.version }</th>
                            <td>{ rs.desired }</td>
                            <td>{ rs.ready }</td>
                            <td>{ rs.available }</td>
                            <td>{ format!("{} %", rs.weight_percent) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            if view.title.starts_with("Canary") {
            <dl class="weights">
                <div><dt>{"Set weight"}</dt><dd id="set-weight">{ format!("{} %", view.set_weight_percent) }</dd></div>
                <div><dt>{"Actual weight"}</dt><dd id="actual-weight">{ format!("{} %", view.actual_weight_percent) }</dd></div>
                <div><dt>{"Gate"}</dt><dd>{ props.threshold.as_ref().map_or("none".to_string(), |t| format!("≤ {t} errors")) }</dd></div>
                <div><dt>{"Analysis"}</dt><dd id="analysis-phase">{ view.analysis_phase.clone().unwrap_or_else(|| "not started".to_string()) }</dd></div>
            </dl>
            } else if let Some(phase) = &view.analysis_phase {
                <p class="muted">{ format!("Analysis: {phase}") }{ props.threshold.as_ref().map(|t| format!(" · fails above {t} errors")).unwrap_or_default() }</p>
            }
            if !view.measurements.is_empty() {
                <ul class="measurements" aria-label="Gate measurements, newest first">
                    { for view.measurements.iter().take(4).map(|m| html! {
                        <li class={classes!("measurement", format!("measurement-{}", m.phase.to_lowercase()))}>
                            <span class="measurement-phase">{ &m.phase }</span>
                            <span class="muted">{ &m.at }</span>
                            <span>{ &m.text }</span>
                        </li>
                    }) }
                </ul>
            }
        </section>
    }
}
