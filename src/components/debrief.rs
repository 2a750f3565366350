//! The debrief: the score and its working, the key numbers, the objectives with what to do
//! next, one timeline of the learner's actions and the simulation's events, the what-if, the
//! talking points for a customer conversation, and what to do now.

use std::rc::Rc;

use yew::prelude::*;

use crate::hooks::download_text;
use crate::state::Action;
use crate::view::labs::{Debrief as DebriefView, WhatIf};

use super::chart_canvas::ChartCanvas;
use super::verify_file::VerifyFile;

/// Props of [`Debrief`].
#[derive(Properties, PartialEq)]
pub struct DebriefProps {
    /// The debrief.
    pub view: DebriefView,
    /// The what-if last run, if any.
    pub what_if: Option<Rc<Result<WhatIf, String>>>,
    /// The share link's fragment for this run.
    pub share_fragment: String,
    /// The next lab in the library: (id, title).
    pub next_lab: Option<(String, String)>,
    /// The report to export, as JSON.
    pub report_json: String,
    /// The run's audit trail as CSV, with its chain head.
    pub audit_csv: String,
    /// The run's chain head, to check an exported trail against.
    pub audit_head: String,
    /// Run again, next lab, what-if, library.
    pub on_action: Callback<Action>,
}

/// The debrief screen.
#[component]
pub fn Debrief(props: &DebriefProps) -> Html {
    let view = &props.view;
    let score = &view.score;
    let verdict = if score.passed { "Passed" } else { "Not passed" };
    let run_again = {
        let id = view.lab_id.clone();
        props
            .on_action
            .reform(move |_| Action::ShowBriefing(id.clone()))
    };
    let library = props.on_action.reform(|_| Action::ShowLibrary);
    let export = {
        let (json, name) = (
            props.report_json.clone(),
            format!("debrief-{}.json", view.lab_id),
        );
        Callback::from(move |_| download_text(&name, "application/json", &json))
    };
    let export_audit = {
        let (csv, name) = (
            props.audit_csv.clone(),
            format!("audit-{}.csv", view.lab_id),
        );
        Callback::from(move |_| download_text(&name, "text/csv", &csv))
    };
    let print = Callback::from(|_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    });
    let actions_lost: u32 = score.actions.iter().map(|a| a.points).sum();
    html! {
        <main id="debrief" class="debrief" aria-labelledby="debrief-title">
            <p class="no-print"><button class="link-button" onclick={library.clone()}>{"← All labs"}</button></p>
            <h1 id="debrief-title">{ format!("Debrief: {}", view.title) }</h1>
            <div class="debrief-top">
                <section class={classes!("card", "score-card", if score.passed { "passed" } else { "failed" })} aria-labelledby="score-heading">
                    <h2 id="score-heading">{"Score"}</h2>
                    <p class="score-total"><span id="score-total">{ score.total }</span><span class="score-out-of">{" / 100"}</span></p>
                    <p id="verdict" class="verdict">{ format!("{verdict} (pass mark {}, every required objective met: {})", score.pass_mark, if score.required_met { "yes" } else { "no" }) }</p>
                    <table class="breakdown" aria-label="How the score was reached">
                        <tbody>
                            <tr><th scope="row">{ format!("Objectives ({} of {} met, weighted)", score.objectives_met, score.objectives_total) }</th><td>{ score.objectives }</td></tr>
                            <tr><th scope="row">{ format!("Hints revealed ({})", score.hints_revealed) }</th><td>{ format!("−{}", score.hints) }</td></tr>
                            { for score.actions.iter().map(|a| html! {
                                <tr><th scope="row">{ format!("{} (×{})", a.why, a.count) }</th><td>{ format!("−{}", a.points) }</td></tr>
                            }) }
                            if score.actions.is_empty() {
                                <tr><th scope="row">{"Needless or harmful actions"}</th><td>{ format!("−{actions_lost}") }</td></tr>
                            }
                            <tr><th scope="row">{ match score.completed_s {
                                Some(at) => format!("Time: done at {} (par {})", crate::view::format::elapsed_label(at), crate::view::format::elapsed_label(score.par_s)),
                                None => format!("Time: not done (par {})", crate::view::format::elapsed_label(score.par_s)),
                            } }</th><td>{ format!("−{}", score.time) }</td></tr>
                            <tr class="total"><th scope="row">{"Total"}</th><td>{ score.total }</td></tr>
                            if let (Some(detect), Some(trouble)) = (score.detect_s, score.trouble_s) {
                                <tr><th scope="row">{ format!("Trouble began at {}: detected in {}{}", crate::view::format::elapsed_label(trouble), engine::time::duration_label(detect),
                                    score.mitigate_s.map(|m| format!(", mitigated in {}", engine::time::duration_label(m))).unwrap_or_default()) }</th><td>{""}</td></tr>
                            }
                        </tbody>
                    </table>
                </section>
                <section class="card" aria-labelledby="numbers-heading">
                    <h2 id="numbers-heading">{"Key numbers"}</h2>
                    <dl class="key-numbers">
                        { for view.numbers.iter().map(|n| html! { <><dt>{ n.label }</dt><dd>{ &n.value }</dd></> }) }
                    </dl>
                    <h3>{"Your choices"}</h3>
                    <ul>{ for view.choices.iter().map(|(q, a)| html! { <li>{ format!("{q} ") }<strong>{ a }</strong></li> }) }</ul>
                </section>
            </div>
            <section class="card" aria-labelledby="run-chart-heading">
                <h2 id="run-chart-heading">{"Error rate by version"}</h2>
                <ChartCanvas id="debrief-chart" summary_id="debrief-chart-summary" data={view.chart.clone()} />
            </section>
            <section class="card" aria-labelledby="debrief-objectives-heading">
                <h2 id="debrief-objectives-heading">{"Objectives"}</h2>
                <ul class="debrief-objectives">
                    { for view.objectives.iter().map(|(mark, text, said)| html! {
                        <li><span class="objective-mark" aria-hidden="true">{ *mark }</span><div><strong>{ text }</strong><p>{ said }</p></div></li>
                    }) }
                </ul>
                <p class="explanation">{ &view.explanation }</p>
            </section>
            if !view.variants.is_empty() {
                <section class="card what-if" aria-labelledby="what-if-heading">
                    <h2 id="what-if-heading">{"What if?"}</h2>
                    <p>{"The same lab, seed and commands under other choices, run to the end. Both runs are deterministic, so the comparison is exact."}</p>
                    <div class="what-if-buttons">
                        { for view.variants.iter().map(|(index, name)| {
                            let index = *index;
                            html! { <button class="what-if-variant" onclick={props.on_action.reform(move |_| Action::RunWhatIf(index))}>{ name }</button> }
                        }) }
                    </div>
                    { what_if_table(props.what_if.as_deref()) }
                </section>
            }
            if !view.talking_points.is_empty() {
                <section class="card csm-card" aria-labelledby="talking-heading">
                    <h2 id="talking-heading">{"For the customer conversation"}</h2>
                    <ul>{ for view.talking_points.iter().map(|p| html! { <li>{ p }</li> }) }</ul>
                </section>
            }
            <section class="card" aria-labelledby="timeline-heading">
                <h2 id="timeline-heading">{"Timeline"}</h2>
                <table class="timeline">
                    <thead><tr><th scope="col">{"When"}</th><th scope="col"><span class="visually-hidden">{"Mark"}</span></th><th scope="col">{"Who"}</th><th scope="col">{"What"}</th><th scope="col">{"Why"}</th></tr></thead>
                    <tbody>
                        { for view.timeline.iter().map(|line| html! {
                            <tr class={classes!((line.who == "objective").then_some("objective-line"))}>
                                <td class="nowrap">{ &line.at }</td><td aria-label={mark_label(line.mark)}>{ line.mark }</td><td>{ &line.who }</td><td>{ &line.what }</td><td>{ &line.why }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </section>
            <nav class="debrief-actions no-print" aria-label="What next">
                <button id="run-again" class="primary" onclick={run_again}>{"Run again"}</button>
                if let Some((id, title)) = &props.next_lab {
                    <button id="next-lab" onclick={ { let id = id.clone(); props.on_action.reform(move |_| Action::ShowBriefing(id.clone())) } }>{ format!("Next lab: {title}") }</button>
                }
                <button id="export-debrief" onclick={export}>{"Export the debrief (JSON)"}</button>
                <button id="export-audit-csv" onclick={export_audit}>{"Export the audit trail (CSV)"}</button>
                <VerifyFile head={props.audit_head.clone()} input_id="debrief-verify-input" result_id="debrief-verify-result" />
                <button id="print-debrief" onclick={print}>{"Print a one-page summary"}</button>
                <a id="share-link" href={props.share_fragment.clone()}>{"Link to this run"}</a>
                <button onclick={library}>{"All labs"}</button>
            </nav>
        </main>
    }
}

fn mark_label(mark: &str) -> &'static str {
    match mark {
        "✓" => "went right",
        "✗" => "went wrong",
        _ => "event",
    }
}

fn what_if_table(result: Option<&Result<WhatIf, String>>) -> Html {
    match result {
        None => html! {},
        Some(Err(why)) => {
            html! { <p class="notice">{ format!("The what-if could not run: {why}") }</p> }
        }
        Some(Ok(what_if)) => html! {
            <>
                <p>{ format!("{}: ", what_if.name) }{ for what_if.changed.iter().map(|(q, a)| html! { <>{ format!("{q} ") }<strong>{ a }</strong>{" "}</> }) }</p>
                <table id="what-if-table" class="what-if-table">
                    <thead><tr><th scope="col">{""}</th><th scope="col">{"Your run"}</th><th scope="col">{ &what_if.name }</th></tr></thead>
                    <tbody>
                        { for what_if.rows.iter().map(|(label, ours, theirs, better)| html! {
                            <tr class={classes!((*better != 0).then_some("differs"))}>
                                <th scope="row">{ *label }</th>
                                <td class={classes!((*better < 0).then_some("better"))}>{ ours }</td>
                                <td class={classes!((*better > 0).then_some("better"))}>{ theirs }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                <div class="what-if-charts">
                    <figure>
                        <figcaption>{"Your run: error rate by version"}</figcaption>
                        <ChartCanvas id="what-if-chart-ours" summary_id="what-if-chart-ours-summary" data={what_if.charts.0.clone()} />
                    </figure>
                    <figure>
                        <figcaption>{ format!("{}: error rate by version", what_if.name) }</figcaption>
                        <ChartCanvas id="what-if-chart-theirs" summary_id="what-if-chart-theirs-summary" data={what_if.charts.1.clone()} />
                    </figure>
                </div>
            </>
        },
    }
}
