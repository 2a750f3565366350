//! Loads a Kubernetes Deployment or Argo Rollouts manifest from a file the user picks.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::file::callbacks::FileReader;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Props of [`ManifestLoader`].
#[derive(Properties, PartialEq)]
pub struct ManifestLoaderProps {
    /// Called with the file's name and text once it has been read.
    pub on_load: Callback<(String, String)>,
}

/// A file picker for manifests.
#[component]
pub fn ManifestLoader(props: &ManifestLoaderProps) -> Html {
    // The read is cancelled if its handle is dropped, so it is kept until the next pick.
    let reading = use_mut_ref(|| None::<FileReader>);
    let on_change = {
        let on_load = props.on_load.clone();
        let reading = Rc::clone(&reading);
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            let name = file.name();
            let on_load = on_load.clone();
            let task = gloo::file::callbacks::read_as_text(&gloo::file::File::from(file), {
                let name = name.clone();
                move |text| {
                    let text = text
                        .unwrap_or_else(|error| format!("# the file could not be read: {error}\n"));
                    on_load.emit((name, text));
                }
            });
            *RefCell::borrow_mut(&reading) = Some(task);
            // Picking the same file again should load it again.
            input.set_value("");
        })
    };
    html! {
        <label class="field manifest-loader" title="A Kubernetes Deployment or an Argo Rollouts Rollout (with its AnalysisTemplates), as YAML">
            <span>{"Manifest"}</span>
            <input id="manifest-input" type="file" accept=".yaml,.yml,.json,text/yaml" onchange={on_change} />
        </label>
    }
}
