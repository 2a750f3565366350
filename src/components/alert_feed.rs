//! Alerts: open incidents with acknowledge and resolve, their timelines, and the feed of
//! notifications as the channels received them.

use engine::Command;
use yew::prelude::*;

use crate::state::Action;
use crate::view::pipeline::IncidentRow;

/// Props of [`AlertFeed`].
#[derive(Properties, PartialEq)]
pub struct AlertFeedProps {
    /// Incidents, newest first.
    pub incidents: Vec<IncidentRow>,
    /// Notifications, newest first: (when, channel, severity, text).
    pub feed: Vec<(String, String, String, String)>,
    /// Receives acknowledge and resolve.
    pub on_action: Callback<Action>,
}

/// The alert card.
#[component]
pub fn AlertFeed(props: &AlertFeedProps) -> Html {
    let command = |command: Command| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Command(command.clone())))
    };
    let firing = props
        .incidents
        .iter()
        .filter(|i| i.state == "firing")
        .count();
    html! {
        <section class="card alerts" aria-labelledby="alerts-heading">
            <div class="card-head">
                <h2 id="alerts-heading">{"Alerts"}</h2>
                <span id="alerts-summary" class={classes!("badge", if firing > 0 { "badge-danger" } else { "badge-muted" })}>
                    { match firing { 0 => "nothing firing".to_string(), 1 => "1 firing".to_string(), n => format!("{n} firing") } }
                </span>
            </div>
            if props.incidents.is_empty() {
                <p class="muted">{"No incidents. Rules: health check, error rate above 5 % for 1 min, p95 above 2 s for 5 min, error budget burning 14.4×."}</p>
            }
            <ul id="incidents" class="incidents" aria-label="Incidents, newest first">
                { for props.incidents.iter().map(|incident| html! {
                    <li class={classes!("incident", format!("incident-{}", incident.state))}>
                        <div class="incident-head">
                            <span class="incident-title">{ format!("#{} {} {}", incident.id, incident.severity, incident.rule) }</span>
                            <span class="incident-state">{ incident.state }</span>
                            if incident.state == "firing" {
                                <button class="ack" onclick={command(Command::AcknowledgeIncident { incident: incident.id, login: "trainee".to_string() })}>{"Acknowledge"}</button>
                            }
                            if incident.state != "resolved" {
                                <button class="resolve" onclick={command(Command::ResolveIncident { incident: incident.id, login: "trainee".to_string() })}>{"Resolve"}</button>
                            }
                        </div>
                        <ol class="incident-timeline">
                            { for incident.timeline.iter().map(|line| html! { <li>{ line }</li> }) }
                        </ol>
                    </li>
                }) }
            </ul>
            if !props.feed.is_empty() {
                <h3 class="feed-heading">{"Notifications"}</h3>
                <ul id="alert-feed" class="alert-feed" aria-label="Notifications, newest first">
                    { for props.feed.iter().map(|(at, channel, severity, text)| html! {
                        <li class={classes!("message", format!("message-{}", severity.to_lowercase()))}>
                            <span class="muted">{ format!("{at} · {channel}") }</span><br/>{ text }
                        </li>
                    }) }
                </ul>
            }
        </section>
    }
}
