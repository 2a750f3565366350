//! A chart drawn on a canvas, with its text alternative: the workspace's chart and the
//! what-if's pair share it.

use gloo::timers::callback::Timeout;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::chart::draw_error_rate_chart;
use crate::view::chart::{ChartData, chart_summary};

/// The canvas's drawing size in CSS pixels; CSS scales it to the card.
const CANVAS_WIDTH: u32 = 900;
const CANVAS_HEIGHT: u32 = 280;

/// Props of [`ChartCanvas`].
#[derive(Properties, PartialEq)]
pub struct ChartCanvasProps {
    /// What to draw.
    pub data: ChartData,
    /// The canvas's id.
    pub id: AttrValue,
    /// The id of the hidden paragraph that repeats the text alternative.
    pub summary_id: AttrValue,
}

/// The canvas. It redraws only when its data changes, one task after the render.
#[component]
pub fn ChartCanvas(props: &ChartCanvasProps) -> Html {
    let canvas_ref = use_node_ref();
    {
        let canvas_ref = canvas_ref.clone();
        use_effect_with(props.data.clone(), move |data| {
            // Drawn in a task of its own, after the page's render: its text alone took 18 ms of
            // a fast-forward frame, and together with a slice and the render it made a long
            // task. Newer data cancels a drawing that has not run yet.
            let data = data.clone();
            let drawing = Timeout::new(0, move || {
                if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>()
                    && let Some(backend) = CanvasBackend::with_canvas_object(canvas)
                {
                    // A drawing error leaves the previous frame on screen; the text alternative
                    // stays current.
                    let _ = draw_error_rate_chart(&backend.into_drawing_area(), &data);
                }
            });
            move || drop(drawing)
        });
    }
    let summary = chart_summary(&props.data);
    html! {
        <>
            <canvas id={props.id.clone()} ref={canvas_ref} width={CANVAS_WIDTH.to_string()} height={CANVAS_HEIGHT.to_string()}
                role="img" aria-label={summary.clone()}></canvas>
            <p id={props.summary_id.clone()} class="visually-hidden" aria-live="off">{ summary }</p>
        </>
    }
}
