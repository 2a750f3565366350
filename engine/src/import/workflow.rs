//! A GitHub Actions workflow file, run as the pipeline of a scenario.

use yaml_rust2::Yaml;

use crate::command::Command;

use super::imported::{ImportError, Imported};
use super::starter_workflow::fill_starter_placeholders;

/// A GitHub Actions workflow: it runs in the canary story's world, started the way its `on`
/// allows (a push to its first branch, else a dispatch with its inputs' defaults, else its
/// first schedule), with a job for `production` taking the canary as its deployment.
pub(super) fn import_workflow_file(document: &Yaml) -> Result<Imported, ImportError> {
    let (document, placeholder_warnings) = fill_starter_placeholders(document);
    let imported = crate::pipeline::workflow_import::import_workflow(&document, "workflow")
        .map_err(|problems| ImportError { problems })?;
    let mut warnings = placeholder_warnings;
    warnings.extend(imported.warnings);
    let workflow = imported.workflow;
    let triggers = &workflow.triggers;
    let main = crate::pipeline::triggers::git_ref_of("main");
    let no_inputs = std::collections::BTreeMap::new;
    // The release is v3, so a tag filter such as `v*` is met by pushing the tag v3.
    let started = if let Some(git_ref) = triggers.push.as_ref().and_then(|f| f.example_ref("v3")) {
        Some(("push", git_ref, no_inputs()))
    } else if let Some(inputs) = &triggers.workflow_dispatch {
        let values = inputs
            .iter()
            .map(|input| {
                let value = input
                    .default
                    .clone()
                    .or_else(|| input.options.first().cloned())
                    .unwrap_or_else(|| match input.kind.as_str() {
                        "boolean" => "false".to_string(),
                        "environment" => "production".to_string(),
                        _ => format!("v3 ({} was not given a default)", input.name),
                    });
                (input.name.clone(), value)
            })
            .collect();
        Some(("workflow_dispatch", main.clone(), values))
    } else if let Some(git_ref) = triggers
        .pull_request
        .as_ref()
        .and_then(|f| f.example_ref("v3"))
        .filter(|r| !r.tag)
    {
        Some(("pull_request", git_ref, no_inputs()))
    } else if !triggers.schedules.is_empty() {
        Some(("schedule", main.clone(), no_inputs()))
    } else {
        None
    };
    if !workflow.jobs.iter().any(|job| {
        job.environment
            .as_ref()
            .is_some_and(|e| e.name.contains("production"))
    }) {
        warnings.push(
            "no job deploys to production: the run is simulated, and no rollout starts".to_string(),
        );
    }
    let steps = "steps are shown, not executed: each job takes simulated time (about 30 s plus 45 s a step), tests fail on their own one run in fifty";
    let trigger = match started {
        Some((event, git_ref, inputs)) => {
            warnings.push(format!(
                "{steps}; the run starts a minute in, as a {event} of {} {} by dana",
                if git_ref.tag { "tag" } else { "branch" },
                git_ref.name
            ));
            Some(Command::TriggerWorkflow {
                event: event.to_string(),
                branch: crate::pipeline::triggers::ref_text(&git_ref),
                login: "dana".to_string(),
                inputs,
                emergency_reason: None,
                skip_tests: false,
            })
        }
        None => {
            warnings.push(format!(
                "{steps}; no run starts: none of the workflow's events (push, pull_request, workflow_dispatch, schedule) can start it here"
            ));
            None
        }
    };
    let name = workflow.name.clone();
    let scenario = crate::scenario::pipelines::pipeline_world(
        &format!("import:{}", name.to_lowercase().replace(' ', "-")),
        &format!("Workflow: {name}"),
        &format!(
            "The workflow \"{name}\" runs against checkout in the simulated world: v1 in production, v3 to release. Production needs a reviewer (alice or bob, not dana) and only main or release/* may deploy there."
        ),
        "Follow the run's jobs, review the production deployment when it waits, and read the decisions back in the audit trail.",
        workflow,
        600,
        trigger,
    );
    Ok(Imported {
        scenario,
        kind: "GitHub Actions workflow".to_string(),
        warnings,
    })
}
