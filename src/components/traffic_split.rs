//! The traffic split behind the load balancer.

use yew::prelude::*;

use crate::view::workspace::TrafficShareView;

/// Props of [`TrafficSplit`].
#[derive(Properties, PartialEq)]
pub struct TrafficSplitProps {
    /// Shares, stable first.
    pub shares: Vec<TrafficShareView>,
}

/// A bar split by version, with the percentages written out.
#[component]
pub fn TrafficSplit(props: &TrafficSplitProps) -> Html {
    let summary = props
        .shares
        .iter()
        .map(|s| format!("{} {} %", s.version, s.percent))
        .collect::<Vec<_>>()
        .join(", ");
    html! {
        <section class="traffic" aria-labelledby="traffic-heading">
            <div class="card-head"><h2 id="traffic-heading">{"Traffic split"}</h2><span id="traffic-summary" class="muted">{ &summary }</span></div>
            <div class="split-bar" role="img" aria-label={format!("Traffic split: {summary}")}>
                { for props.shares.iter().filter(|s| s.percent > 0).map(|share| html! {
                    <div class="split-part" style={format!("width: {}%; background: {};", share.percent, share.colour)}>
                        { format!("{} · {} %", share.version, share.percent) }
                    </div>
                }) }
            </div>
            <ul class="legend">
                { for props.shares.iter().map(|share| html! {
                    <li data-version={share.version.clone()}>
                        <span class="swatch" style={format!("background: {}", share.colour)}></span>
                        { format!("{} ({}) ", share.version, share.role) }<strong>{ format!("{} %", share.percent) }</strong>
                    </li>
                }) }
            </ul>
        </section>
    }
}
