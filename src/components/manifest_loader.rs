//! Loads a Kubernetes Deployment or Argo Rollouts manifest from a file the user picks.

use yew::prelude::*;

use crate::hooks::use_text_file;

/// Props of [`ManifestLoader`].
#[derive(Properties, PartialEq)]
pub struct ManifestLoaderProps {
    /// Called with the file's name and text once it has been read.
    pub on_load: Callback<(String, String)>,
}

/// A file picker for manifests.
#[component]
pub fn ManifestLoader(props: &ManifestLoaderProps) -> Html {
    let on_change = use_text_file(props.on_load.clone());
    html! {
        <label class="field manifest-loader" title="A Kubernetes Deployment or an Argo Rollouts Rollout (with its AnalysisTemplates), as YAML">
            <span>{"Manifest"}</span>
            <input id="manifest-input" type="file" accept=".yaml,.yml,.json,text/yaml" onchange={on_change} />
        </label>
    }
}
