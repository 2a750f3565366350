//! Checks an exported audit trail the user picks: every record's hash, the chain, the count and
//! the head, and whether the head is this run's. The audit card and the debrief share it.

use yew::prelude::*;

use crate::hooks::use_text_file;

/// Props of [`VerifyFile`].
#[derive(Properties, PartialEq)]
pub struct VerifyFileProps {
    /// The live chain head, kept elsewhere: a file rewritten to a new head fails to match it.
    pub head: String,
    /// The file input's id.
    pub input_id: AttrValue,
    /// The result's id.
    pub result_id: AttrValue,
}

/// A "Verify a file…" picker and its verdict.
#[component]
pub fn VerifyFile(props: &VerifyFileProps) -> Html {
    let checked = use_state(|| None::<(bool, String)>);
    let on_verify_file = {
        let checked = checked.clone();
        let head = props.head.clone();
        use_text_file(Callback::from(move |(name, text): (String, String)| {
            checked.set(Some(match engine::audit::export::verify(&text, None) {
                Ok(verified) if verified.chain_head == head => (
                    true,
                    format!("{name}: verified, {} records, and its head is this run's", verified.record_count),
                ),
                Ok(verified) => (
                    true,
                    format!(
                        "{name}: verified, {} records, chain head {} (another run's or an earlier moment's)",
                        verified.record_count,
                        verified.chain_head.get(..16).unwrap_or_default()
                    ),
                ),
                Err(problem) => (false, format!("{name}: NOT VERIFIED: {problem}")),
            }));
        }))
    };
    html! {
        <>
            <label class="file-button">{"Verify a file…"}
                <input id={props.input_id.clone()} type="file" accept=".json,.csv" onchange={on_verify_file} />
            </label>
            if let Some((ok, message)) = &*checked {
                <p id={props.result_id.clone()} role="status" class={classes!("verify-result", if *ok { "verify-ok" } else { "verify-bad" })}>{ message }</p>
            }
        </>
    }
}
