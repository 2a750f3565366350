//! The error-rate chart, drawn on a canvas with a text alternative.

use yew::prelude::*;

use crate::state::Action;
use crate::view::chart::{ChartData, ChartMetric, ChartRange};

use super::chart_canvas::ChartCanvas;

/// Props of [`ErrorChart`].
#[derive(Properties, PartialEq)]
pub struct ErrorChartProps {
    /// What to draw.
    pub data: ChartData,
    /// Receives metric and range changes.
    pub on_action: Callback<Action>,
}

/// The chart card, with its metric and range pickers.
#[component]
pub fn ErrorChart(props: &ErrorChartProps) -> Html {
    html! {
        <section class="card chart" aria-labelledby="chart-heading">
            <div class="card-head">
                <h2 id="chart-heading">{ format!("{} by version", props.data.metric.label()) }</h2>
                <div class="chart-controls">
                    { segmented("Metric", &ChartMetric::ALL, props.data.metric, ChartMetric::label, Action::SetChartMetric, &props.on_action) }
                    { segmented("Range", &ChartRange::ALL, props.data.range, ChartRange::label, Action::SetChartRange, &props.on_action) }
                </div>
                <ul class="legend">
                    { for props.data.series.iter().map(|s| html! {
                        <li><span class="swatch" style={format!("background: {}", s.colour)}></span>{ &s.version }</li>
                    }) }
                    if props.data.threshold.is_some() { <li><span class="swatch swatch-threshold"></span>{"threshold"}</li> }
                    if let Some(label) = &props.data.threshold_off_scale { <li class="muted">{ format!("{label}: far above") }</li> }
                </ul>
            </div>
            <ChartCanvas id="error-chart" summary_id="chart-summary" data={props.data.clone()} />
        </section>
    }
}

/// A row of toggle buttons, one pressed: the chart's metric and range pickers.
fn segmented<T: Copy + PartialEq + 'static>(
    group: &'static str,
    options: &[T],
    selected: T,
    label: fn(T) -> &'static str,
    action: fn(T) -> Action,
    on_action: &Callback<Action>,
) -> Html {
    html! {
        <div class="segmented" role="group" aria-label={group}>
            { for options.iter().map(|option| {
                let option = *option;
                let on_action = on_action.clone();
                html! { <button class={classes!("segment", (option == selected).then_some("selected"))} aria-pressed={(option == selected).to_string()}
                    onclick={Callback::from(move |_: MouseEvent| on_action.emit(action(option)))}>{ label(option) }</button> }
            }) }
        </div>
    }
}
