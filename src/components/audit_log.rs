//! The audit trail, newest first, with the chain head.

use yew::prelude::*;

use crate::view_model::AuditRow;

/// Props of [`AuditLog`].
#[derive(Properties, PartialEq)]
pub struct AuditLogProps {
    /// Records, newest first.
    pub rows: Vec<AuditRow>,
    /// The hash of the newest record.
    pub head: String,
}

/// The audit table.
#[component]
pub fn AuditLog(props: &AuditLogProps) -> Html {
    html! {
        <section class="card audit" aria-labelledby="audit-heading">
            <div class="card-head">
                <h2 id="audit-heading">{"Audit trail"}</h2>
                <span class="muted">{ match props.rows.len() { 1 => "1 record".to_string(), count => format!("{count} records") } }</span>
            </div>
            <p class="chain-head">{"Chain head "}<code id="audit-head" title={props.head.clone()}>{ props.head.get(..16).unwrap_or(&props.head) }</code></p>
            <div class="audit-scroll" tabindex="0" aria-label="Audit records, newest first">
                <table id="audit-table">
                    <thead><tr><th scope="col">{"When"}</th><th scope="col">{"What"}</th><th scope="col">{"Why"}</th></tr></thead>
                    <tbody>
                        { for props.rows.iter().map(|row| html! {
                            <tr key={row.seq} class={classes!(row.action.contains("Aborted").then_some("row-danger"), row.action.contains("Completed").then_some("row-success"))}>
                                <td class="nowrap">{ &row.at }<br/><span class="muted">{ &row.time_utc }</span></td>
                                <td>
                                    <span class="action">{ &row.action }</span><br/>
                                    <span class={classes!("actor", row.human.then_some("actor-human"))}>{ &row.actor }</span>
                                    if !row.version.is_empty() { <span class="muted">{ format!(" · {}", row.version) }</span> }
                                </td>
                                <td class="reason">{ &row.reason }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}
