//! Loads a Kubernetes Deployment or Argo Rollouts manifest from the files the user picks: a
//! Rollout may come with its AnalysisTemplates and the Deployment its `workloadRef` names.

use yew::prelude::*;

use crate::hooks::use_text_files;

/// Props of [`ManifestLoader`].
#[derive(Properties, PartialEq)]
pub struct ManifestLoaderProps {
    /// Called with every picked file's name and text once all have been read.
    pub on_load: Callback<Vec<(String, String)>>,
}

/// A file picker for manifests.
#[component]
pub fn ManifestLoader(props: &ManifestLoaderProps) -> Html {
    let on_change = use_text_files(props.on_load.clone());
    html! {
        <label class="field manifest-loader" title="A Kubernetes Deployment, an Argo Rollouts Rollout or a GitHub workflow, as YAML; pick several files to load a Rollout with its AnalysisTemplates and Deployment">
            <span>{"Manifest"}</span>
            <input id="manifest-input" type="file" accept=".yaml,.yml,.json,text/yaml" multiple=true onchange={on_change} />
        </label>
    }
}
