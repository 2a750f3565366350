//! Real configuration in: a Kubernetes `Deployment` manifest, or an Argo Rollouts `Rollout`
//! (with the `AnalysisTemplate`s of the same multi-document file), becomes a scenario that rolls
//! the manifest's service from the version it runs to a new one.
//!
//! Invalid manifests are refused with the real systems' validation messages and the field
//! path, for example `spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be
//! 0 when `maxSurge` is 0`. Fields the simulator does not model are listed as warnings, never
//! dropped silently.

mod analysis;
mod analysis_args;
mod codedeploy;
mod deployment;
mod flagger;
mod imported;
mod object_fields;
mod rollout;
mod rollout_validation;
mod starter_workflow;
mod workflow;
mod workload_ref;
mod yaml;

pub use codedeploy::{CODEDEPLOY_INSTANCES, import_codedeploy};
pub use imported::{ImportError, Imported, ROLLOUT_STARTS_AT_S};

use yaml_rust2::{Yaml, YamlLoader};

use deployment::import_deployment;
use flagger::import_flagger;
use rollout::import_rollout;
use workflow::import_workflow_file;

/// A file given to the importer: its name, for messages, and its text.
#[derive(Clone, Copy, Debug)]
pub struct SourceFile<'a> {
    /// The file's name as the user knows it (`rollout.yaml`).
    pub name: &'a str,
    /// The whole text of the file.
    pub text: &'a str,
}

/// Reads a manifest file's text: a Deployment or Rollout manifest, a CodeDeploy configuration
/// name, or a document with a `deploymentConfigName`.
pub fn import(text: &str) -> Result<Imported, ImportError> {
    import_files(&[SourceFile {
        name: "the file",
        text,
    }])
}

/// Reads several files as one set, as `kubectl apply -f` reads a folder: a Rollout in one file
/// finds its AnalysisTemplates and the Deployment its `workloadRef` names in the others.
pub fn import_files(files: &[SourceFile]) -> Result<Imported, ImportError> {
    if let [only] = files {
        let trimmed = only.text.trim();
        if trimmed.starts_with("CodeDeployDefault.") && !trimmed.contains(char::is_whitespace) {
            return import_codedeploy(trimmed);
        }
    }
    let mut documents = Vec::new();
    let mut problems = Vec::new();
    let file_prefix = |file: &SourceFile| {
        if files.len() > 1 {
            format!("{}: ", file.name)
        } else {
            String::new()
        }
    };
    for file in files {
        if let Some(line) = helm_template_line(file.text) {
            problems.push(format!(
                "{}line {line}: a Helm chart template, not a manifest (`{{{{ … }}}}` with .Values, .Release, .Chart, template or include): render it with `helm template` and import the output",
                file_prefix(file)
            ));
            continue;
        }
        match YamlLoader::load_from_str(file.text) {
            Ok(loaded) => documents.extend(loaded.into_iter().map(|doc| (file.name, doc))),
            Err(error) => problems.push(format!(
                "{}line {} column {}: not valid YAML: {}",
                file_prefix(file),
                error.marker().line(),
                error.marker().col() + 1,
                error.info()
            )),
        }
    }
    if !problems.is_empty() {
        return Err(ImportError { problems });
    }
    let names: Vec<&str> = files.iter().map(|file| file.name).collect();
    let mut imported = import_documents(&documents, &names)?;
    // The first object of the kind simulated is the one imported; say so of the others.
    let kind = imported.kind.clone();
    for (file, extra) in documents
        .iter()
        .filter(|(_, d)| d["kind"].as_str() == Some(kind.as_str()))
        .skip(1)
    {
        imported.warnings.push(format!(
            "{file}: {kind} {}: only the first {kind} of the files is simulated",
            extra["metadata"]["name"].as_str().unwrap_or("?")
        ));
    }
    Ok(imported)
}

/// The first line (from 1) that holds Helm's template syntax, if any. `{{args.x}}` (Argo) and
/// `${{ … }}` (GitHub) are not Helm's and do not count.
fn helm_template_line(text: &str) -> Option<u32> {
    const HELM_WORDS: [&str; 7] = [
        ".Values",
        ".Release",
        ".Chart",
        "template \"",
        "include \"",
        "{{-",
        "-}}",
    ];
    text.lines()
        .position(|line| line.contains("{{") && HELM_WORDS.iter().any(|word| line.contains(word)))
        .map(|index| index as u32 + 1)
}

/// The object to simulate among the documents of every file, in order of preference: a
/// workflow, a CodeDeploy configuration, a Flagger Canary, a Rollout, a Deployment.
fn import_documents(
    documents: &[(&str, Yaml)],
    file_names: &[&str],
) -> Result<Imported, ImportError> {
    let yaml_documents: Vec<Yaml> = documents.iter().map(|(_, d)| d.clone()).collect();
    let kinds: Vec<String> = documents
        .iter()
        .filter_map(|(_, d)| d["kind"].as_str().map(String::from))
        .collect();
    if let Some(workflow) = yaml_documents
        .iter()
        .find(|d| crate::pipeline::workflow_import::is_workflow(d))
    {
        return import_workflow_file(workflow);
    }
    if let Some(name) = yaml_documents
        .iter()
        .find_map(|d| d["deploymentConfigName"].as_str())
    {
        return import_codedeploy(name);
    }
    if let Some(canary) = yaml_documents
        .iter()
        .find(|d| matches!(d["kind"].as_str(), Some("Canary")))
    {
        return import_flagger(canary, &yaml_documents);
    }
    if let Some(rollout) = yaml_documents
        .iter()
        .find(|d| matches!(d["kind"].as_str(), Some("Rollout")))
    {
        let files = file_names.join(", ");
        return import_rollout(rollout, &yaml_documents, &files);
    }
    let Some(manifest) = yaml_documents
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
