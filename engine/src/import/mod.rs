//! Real configuration in: a Kubernetes `Deployment` manifest, or an Argo Rollouts `Rollout`
//! (with the `AnalysisTemplate`s of the same multi-document file), becomes a scenario that rolls
//! the manifest's service from the version it runs to a new one.
//!
//! Invalid manifests are refused with the real systems' validation messages and the field
//! path, for example `spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be
//! 0 when `maxSurge` is 0`. Fields the simulator does not model are listed as warnings, never
//! dropped silently.

mod analysis;
mod codedeploy;
mod deployment;
mod flagger;
mod imported;
mod rollout;
mod workflow;
mod yaml;

pub use codedeploy::{CODEDEPLOY_INSTANCES, import_codedeploy};
pub use imported::{ImportError, Imported, ROLLOUT_STARTS_AT_S};

use yaml_rust2::{Yaml, YamlLoader};

use deployment::import_deployment;
use flagger::import_flagger;
use rollout::import_rollout;
use workflow::import_workflow_file;

/// Reads a manifest file's text: a Deployment or Rollout manifest, a CodeDeploy configuration
/// name, or a document with a `deploymentConfigName`.
pub fn import(text: &str) -> Result<Imported, ImportError> {
    let trimmed = text.trim();
    if trimmed.starts_with("CodeDeployDefault.") && !trimmed.contains(char::is_whitespace) {
        return import_codedeploy(trimmed);
    }
    let documents = YamlLoader::load_from_str(text).map_err(|error| ImportError {
        problems: vec![format!(
            "line {} column {}: not valid YAML: {}",
            error.marker().line(),
            error.marker().col() + 1,
            error.info()
        )],
    })?;
    let kinds: Vec<String> = documents
        .iter()
        .filter_map(|d| d["kind"].as_str().map(String::from))
        .collect();
    if let Some(workflow) = documents
        .iter()
        .find(|d| crate::pipeline::workflow_import::is_workflow(d))
    {
        return import_workflow_file(workflow);
    }
    if let Some(name) = documents
        .iter()
        .find_map(|d| d["deploymentConfigName"].as_str())
    {
        return import_codedeploy(name);
    }
    if let Some(canary) = documents
        .iter()
        .find(|d| matches!(d["kind"].as_str(), Some("Canary")))
    {
        return import_flagger(canary, &documents);
    }
    if let Some(rollout) = documents
        .iter()
        .find(|d| matches!(d["kind"].as_str(), Some("Rollout")))
    {
        let templates: Vec<&Yaml> = documents
            .iter()
            .filter(|d| {
                matches!(
                    d["kind"].as_str(),
                    Some("AnalysisTemplate" | "ClusterAnalysisTemplate")
                )
            })
            .collect();
        return import_rollout(rollout, &templates);
    }
    let Some(manifest) = documents
        .iter()
        .find(|d| matches!(d["kind"].as_str(), Some("Deployment")))
    else {
        return Err(ImportError {
            problems: vec![if kinds.is_empty() {
                "the file has no Kubernetes object (no document with a `kind`)".to_string()
            } else {
                format!(
                    "no Deployment, Rollout or Canary in the file (found: {}); those can be imported",
                    kinds.join(", ")
                )
            }],
        });
    };
    import_deployment(manifest)
}
