//! The audit trail, newest first: the chain's verification status, filters, export as JSON or
//! CSV, and a check of an exported file.

use yew::prelude::*;

use crate::hooks::download_text;
use crate::view::workspace::AuditRow;

use super::verify_file::VerifyFile;

/// Props of [`AuditLog`].
#[derive(Properties, PartialEq)]
pub struct AuditLogProps {
    /// Records, newest first.
    pub rows: Vec<AuditRow>,
    /// The hash of the newest record.
    pub head: String,
    /// True when the live chain verifies end to end.
    pub chain_intact: bool,
    /// Builds the export: `true` for CSV, `false` for JSON.
    pub export: Callback<bool, String>,
    /// The file name an export is saved under, without extension.
    pub export_name: String,
}

/// Which records the table shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    All,
    People,
    Automation,
    Decisions,
}

/// The audit card.
#[component]
pub fn AuditLog(props: &AuditLogProps) -> Html {
    let who = use_state(|| Who::All);
    let search = use_state(String::new);
    let export = |csv: bool| {
        let build = props.export.clone();
        let name = props.export_name.clone();
        Callback::from(move |_: MouseEvent| {
            let text = build.emit(csv);
            if csv {
                download_text(&format!("{name}.csv"), "text/csv", &text);
            } else {
                download_text(&format!("{name}.json"), "application/json", &text);
            }
        })
    };
    let on_who = {
        let who = who.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            who.set(match select.value().as_str() {
                "people" => Who::People,
                "automation" => Who::Automation,
                "decisions" => Who::Decisions,
                _ => Who::All,
            });
        })
    };
    let on_search = {
        let search = search.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            search.set(input.value());
        })
    };
    let needle = search.to_lowercase();
    let shown: Vec<&AuditRow> = props
        .rows
        .iter()
        .filter(|row| match *who {
            Who::All => true,
            Who::People => row.human,
            Who::Automation => !row.human,
            Who::Decisions => !row.outcome.is_empty(),
        })
        .filter(|row| {
            needle.is_empty()
                || [
                    &row.action,
                    &row.actor,
                    &row.reason,
                    &row.version,
                    &row.environment,
                ]
                .iter()
                .any(|text| text.to_lowercase().contains(&needle))
        })
        .collect();
    let count = |n: usize| match n {
        1 => "1 record".to_string(),
        n => format!("{n} records"),
    };
    html! {
        <section class="card audit" aria-labelledby="audit-heading">
            <div class="card-head">
                <h2 id="audit-heading">{"Audit trail"}</h2>
                <span class="muted">{ count(props.rows.len()) }</span>
            </div>
            <p class="chain-head">
                <span id="audit-status" class={classes!("badge", if props.chain_intact { "badge-ok" } else { "badge-danger" })}>
                    { if props.chain_intact { "Chain verified" } else { "Chain BROKEN" } }
                </span>
                {" head "}<code id="audit-head" title={props.head.clone()}>{ props.head.get(..16).unwrap_or(&props.head) }</code>
            </p>
            <div class="audit-tools" role="group" aria-label="Export and verify">
                <button id="export-json" onclick={export(false)}>{"Export JSON"}</button>
                <button id="export-csv" onclick={export(true)}>{"Export CSV"}</button>
                <VerifyFile head={props.head.clone()} input_id="verify-input" result_id="verify-result" />
            </div>
            <div class="audit-filters">
                <label class="stacked">{"Show"}
                    <select id="audit-who" onchange={on_who}>
                        <option value="all" selected={*who == Who::All}>{"everything"}</option>
                        <option value="people" selected={*who == Who::People}>{"people"}</option>
                        <option value="automation" selected={*who == Who::Automation}>{"automation"}</option>
                        <option value="decisions" selected={*who == Who::Decisions}>{"decisions with an outcome"}</option>
                    </select>
                </label>
                <label class="stacked">{"Search"}
                    <input id="audit-search" type="search" value={(*search).clone()} oninput={on_search} placeholder="action, actor, reason…" />
                </label>
                if shown.len() != props.rows.len() {
                    <span class="muted" id="audit-shown">{ format!("{} shown", count(shown.len())) }</span>
                }
            </div>
            <div class="audit-scroll" tabindex="0" aria-label="Audit records, newest first">
                <table id="audit-table">
                    <thead><tr><th scope="col">{"When"}</th><th scope="col">{"What"}</th><th scope="col">{"Why"}</th></tr></thead>
                    <tbody>
                        { for shown.iter().map(|row| html! {
                            <tr key={row.seq} class={classes!(row.action.contains("Aborted").then_some("row-danger"), row.action.contains("Completed").then_some("row-success"))}>
                                <td class="nowrap">{ &row.at }<br/><span class="muted">{ &row.time_utc }</span></td>
                                <td>
                                    <span class="action">{ &row.action }</span><br/>
                                    <span class={classes!("actor", row.human.then_some("actor-human"))}>{ &row.actor }</span>
                                    if !row.version.is_empty() { <span class="muted">{ format!(" · {}", row.version) }</span> }
                                    if !row.environment.is_empty() { <span class="muted">{ format!(" · {}", row.environment) }</span> }
                                </td>
                                <td class="reason">{ &row.reason }
                                    if !row.outcome.is_empty() { <span class={classes!("outcome", format!("outcome-{}", row.outcome))}>{ format!(" [{}]", row.outcome.replace('_', " ")) }</span> }
                                </td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}
