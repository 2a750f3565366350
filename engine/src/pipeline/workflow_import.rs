//! GitHub Actions workflow files in: `name`, `on` (push, pull_request, workflow_dispatch with
//! its inputs, schedule), `concurrency`, and `jobs` with `needs`, `if`, `environment` (a name,
//! or `name` and `url`), `concurrency`, `runs-on`, `timeout-minutes` and `steps`. Keys the
//! simulator does not model are reported as warnings with their path, never dropped silently.

use yaml_rust2::Yaml;
use yaml_rust2::yaml::Hash;

use crate::pipeline::concurrency::QueuePolicy;
use crate::pipeline::cron::CronSchedule;
use crate::pipeline::triggers::RefFilter;
use crate::pipeline::workflow::{
    ConcurrencySpec, DispatchInput, JobEnvironment, JobSimulation, JobSpec, StepSpec, Triggers,
    Workflow,
};

/// A workflow read from a file, with the keys that were read but not simulated.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedWorkflow {
    /// The workflow.
    pub workflow: Workflow,
    /// One line per key not simulated, with its path.
    pub warnings: Vec<String>,
}

/// True when a YAML document looks like a workflow: it has `jobs` and `on`.
pub fn is_workflow(document: &Yaml) -> bool {
    document["jobs"].as_hash().is_some() && !document["on"].is_badvalue()
}

/// Reads a workflow document. Problems (a missing `on` or `jobs`, bad `needs`, a bad cron
/// expression) are all reported, each with its path.
pub fn import_workflow(document: &Yaml, file_name: &str) -> Result<ImportedWorkflow, Vec<String>> {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let Some(top) = document.as_hash() else {
        return Err(vec![
            "the file is not a mapping of workflow keys".to_string(),
        ]);
    };
    for (key, _) in top {
        let key = key.as_str().unwrap_or_default();
        match key {
            "name" | "on" | "jobs" | "concurrency" | "run-name" | "env" => {}
            "permissions" | "defaults" => warnings.push(format!("{key}: read but not simulated")),
            other => warnings.push(format!(
                "{other}: not a workflow key the simulator knows; ignored"
            )),
        }
    }
    let triggers = read_triggers(&document["on"], &mut problems, &mut warnings);
    let concurrency = read_concurrency(&document["concurrency"], "concurrency", &mut problems);
    let mut jobs = Vec::new();
    match document["jobs"].as_hash() {
        Some(map) if !map.is_empty() => {
            for (id, job) in map {
                let id = id.as_str().unwrap_or_default().to_string();
                jobs.push(read_job(&id, job, &mut problems, &mut warnings));
            }
        }
        _ => problems.push("jobs: No jobs defined in `jobs`".to_string()),
    }
    let workflow = Workflow {
        name: document["name"]
            .as_str()
            .map_or_else(|| file_name.to_string(), str::to_string),
        triggers,
        concurrency,
        jobs,
    };
    if problems.is_empty()
        && let Err(graph_problems) = workflow.validate()
    {
        problems.extend(graph_problems);
    }
    if problems.is_empty() {
        Ok(ImportedWorkflow { workflow, warnings })
    } else {
        Err(problems)
    }
}

fn read_triggers(on: &Yaml, problems: &mut Vec<String>, warnings: &mut Vec<String>) -> Triggers {
    let mut triggers = Triggers::default();
    let mut add = |event: &str,
                   body: &Yaml,
                   problems: &mut Vec<String>,
                   warnings: &mut Vec<String>| {
        // `branches`, `branches-ignore`, `tags` and `tags-ignore`; paths are not simulated.
        let filter = |body: &Yaml, problems: &mut Vec<String>, warnings: &mut Vec<String>| {
            let list = |key: &str| -> Vec<String> {
                match &body[key] {
                    Yaml::Array(items) => items.iter().filter_map(scalar_text).collect(),
                    Yaml::String(one) => vec![one.clone()],
                    _ => Vec::new(),
                }
            };
            let filter = RefFilter {
                branches: list("branches"),
                branches_ignore: list("branches-ignore"),
                tags: list("tags"),
                tags_ignore: list("tags-ignore"),
            };
            for (include, ignore, what) in [
                (&filter.branches, &filter.branches_ignore, "branches"),
                (&filter.tags, &filter.tags_ignore, "tags"),
            ] {
                if !include.is_empty() && !ignore.is_empty() {
                    problems.push(format!(
                        "on.{event}: you may only define one of {what} and {what}-ignore for a single event"
                    ));
                }
            }
            for key in ["paths", "paths-ignore"] {
                if !matches!(body[key], Yaml::BadValue | Yaml::Null) {
                    warnings.push(format!(
                        "on.{event}.{key}: read but not simulated: every push is taken to change a file the filter lets through"
                    ));
                }
            }
            filter
        };
        match event {
            "push" => triggers.push = Some(filter(body, problems, warnings)),
            "pull_request" | "pull_request_target" => {
                triggers.pull_request = Some(filter(body, problems, warnings))
            }
            "workflow_dispatch" => {
                let mut inputs = Vec::new();
                if let Some(map) = body["inputs"].as_hash() {
                    for (name, input) in map {
                        let name = name.as_str().unwrap_or_default().to_string();
                        inputs.push(DispatchInput {
                            description: input["description"].as_str().unwrap_or_default().to_string(),
                            required: input["required"].as_bool().unwrap_or(false),
                            kind: input["type"].as_str().unwrap_or("string").to_string(),
                            options: input["options"]
                                .as_vec()
                                .map(|o| o.iter().filter_map(scalar_text).collect())
                                .unwrap_or_default(),
                            default: scalar_text(&input["default"]),
                            name,
                        });
                    }
                }
                triggers.workflow_dispatch = Some(inputs);
            }
            "schedule" => {
                for (index, entry) in body.as_vec().map(Vec::as_slice).unwrap_or_default().iter().enumerate() {
                    match entry["cron"].as_str().map(CronSchedule::parse) {
                        Some(Ok(schedule)) => triggers.schedules.push(schedule),
                        Some(Err(problem)) => problems.push(format!("on.schedule[{index}].cron: {problem}")),
                        None => problems.push(format!("on.schedule[{index}]: each schedule needs a cron")),
                    }
                }
            }
            other => warnings.push(format!("on.{other}: this event is not simulated; the run starts from push, pull_request, workflow_dispatch or schedule")),
        }
    };
    match on {
        Yaml::String(event) => add(event, &Yaml::Null, problems, warnings),
        Yaml::Array(events) => {
            for event in events {
                if let Some(event) = event.as_str() {
                    add(event, &Yaml::Null, problems, warnings);
                }
            }
        }
        Yaml::Hash(map) => {
            for (event, body) in map {
                add(event.as_str().unwrap_or_default(), body, problems, warnings);
            }
        }
        Yaml::BadValue => {
            problems.push("on: the workflow has no `on`: say which events start it".to_string())
        }
        _ => problems.push("on: must be an event name, a list of them, or a mapping".to_string()),
    }
    triggers
}

fn read_concurrency(
    node: &Yaml,
    path: &str,
    problems: &mut Vec<String>,
) -> Option<ConcurrencySpec> {
    match node {
        Yaml::BadValue | Yaml::Null => None,
        Yaml::String(group) => Some(ConcurrencySpec {
            group: group.clone(),
            cancel_in_progress: false,
            queue: QueuePolicy::Single,
        }),
        Yaml::Hash(map) => {
            for key in map.keys() {
                let key = key.as_str().unwrap_or_default();
                if !matches!(key, "group" | "cancel-in-progress" | "queue") {
                    problems.push(format!(
                        "{path}.{key}: unexpected key; a concurrency mapping has group, cancel-in-progress and queue"
                    ));
                }
            }
            let Some(group) = node["group"].as_str() else {
                problems.push(format!("{path}.group: a concurrency mapping needs a group"));
                return None;
            };
            let cancel_in_progress = match &node["cancel-in-progress"] {
                Yaml::Boolean(b) => *b,
                Yaml::String(text) => text.contains("true"),
                _ => false,
            };
            let queue = match &node["queue"] {
                Yaml::BadValue | Yaml::Null => QueuePolicy::Single,
                Yaml::String(text) if text == "single" => QueuePolicy::Single,
                Yaml::String(text) if text == "max" => QueuePolicy::Max,
                other => {
                    problems.push(format!(
                        "{path}.queue: must be single or max, not {}",
                        scalar_text(other).unwrap_or_else(|| "a mapping or a list".to_string())
                    ));
                    QueuePolicy::Single
                }
            };
            if queue == QueuePolicy::Max && cancel_in_progress {
                problems.push(format!(
                    "{path}: queue: max cannot be used with cancel-in-progress: true; a queue keeps every waiting run, cancel-in-progress cancels them"
                ));
            }
            Some(ConcurrencySpec {
                group: group.to_string(),
                cancel_in_progress,
                queue,
            })
        }
        _ => {
            problems.push(format!(
                "{path}: must be a group name or a mapping with group"
            ));
            None
        }
    }
}

fn read_job(
    id: &str,
    job: &Yaml,
    problems: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> JobSpec {
    let path = format!("jobs.{id}");
    if let Some(map) = job.as_hash() {
        for (key, _) in map {
            let key = key.as_str().unwrap_or_default();
            match key {
                "name" | "needs" | "if" | "environment" | "concurrency" | "runs-on"
                | "timeout-minutes" | "steps" | "env" => {}
                "strategy" => warnings.push(format!(
                    "{path}.strategy: a matrix job runs once here, not once per combination"
                )),
                "uses" => warnings.push(format!(
                    "{path}.uses: a reusable workflow runs here as one simulated job"
                )),
                "<<" => warnings.push(format!(
                    "{path}.<<: a YAML merge key; GitHub Actions takes anchors and aliases but not merge keys, so the merged keys are ignored"
                )),
                "permissions" | "snapshot" | "outputs" | "defaults" | "continue-on-error"
                | "container" | "services" | "with" | "secrets" => {
                    warnings.push(format!("{path}.{key}: read but not simulated"))
                }
                other => warnings.push(format!(
                    "{path}.{other}: not a job key GitHub Actions knows (it would refuse the file); ignored"
                )),
            }
        }
    } else {
        problems.push(format!("{path}: a job must be a mapping"));
    }
    let needs = match &job["needs"] {
        Yaml::String(one) => vec![one.clone()],
        Yaml::Array(list) => list
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect(),
        Yaml::BadValue | Yaml::Null => Vec::new(),
        _ => {
            problems.push(format!(
                "{path}.needs: must be a job id or a list of job ids"
            ));
            Vec::new()
        }
    };
    let condition = match &job["if"] {
        Yaml::BadValue | Yaml::Null => None,
        Yaml::Boolean(b) => Some(b.to_string()),
        other => scalar_text(other),
    };
    if let Some(condition) = &condition
        && let Err(problem) = crate::pipeline::expr::evaluate(condition, &Default::default())
        && !problem.contains("is not simulated")
    {
        problems.push(format!("{path}.if: {problem}"));
    }
    let environment = match &job["environment"] {
        Yaml::String(name) => Some(JobEnvironment {
            name: name.clone(),
            url: None,
        }),
        Yaml::Hash(_) => job["environment"]["name"]
            .as_str()
            .map(|name| JobEnvironment {
                name: name.to_string(),
                url: job["environment"]["url"].as_str().map(str::to_string),
            }),
        _ => None,
    };
    let steps: Vec<StepSpec> = job["steps"]
        .as_vec()
        .map(|list| {
            list.iter()
                .enumerate()
                .map(|(index, step)| read_step(step, &format!("{path}.steps[{index}]"), warnings))
                .collect()
        })
        .unwrap_or_default();
    let runs_on = match &job["runs-on"] {
        Yaml::String(label) => label.clone(),
        Yaml::Array(labels) => labels
            .iter()
            .filter_map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        _ => "ubuntu-latest".to_string(),
    };
    let timeout_min = job["timeout-minutes"]
        .as_i64()
        .map_or(360, |t| t.clamp(1, 360 * 24) as u32);
    JobSpec {
        id: id.to_string(),
        name: job["name"]
            .as_str()
            .map_or_else(|| id.to_string(), str::to_string),
        simulation: JobSimulation::inferred(id, steps.len() as u32, environment.is_some()),
        needs,
        condition,
        environment,
        concurrency: read_concurrency(
            &job["concurrency"],
            &format!("{path}.concurrency"),
            problems,
        ),
        runs_on,
        timeout_min,
        steps,
    }
}

fn read_step(step: &Yaml, path: &str, warnings: &mut Vec<String>) -> StepSpec {
    let empty = Hash::new();
    for (key, _) in step.as_hash().unwrap_or(&empty) {
        match key.as_str().unwrap_or_default() {
            "name" | "run" | "uses" | "if" | "with" | "env" | "id" | "shell"
            | "working-directory" | "timeout-minutes" | "continue-on-error" => {}
            other => warnings.push(format!("{path}.{other}: read but not simulated")),
        }
    }
    let run = step["run"].as_str().map(str::to_string);
    let uses = step["uses"].as_str().map(str::to_string);
    StepSpec {
        name: step["name"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| {
                uses.clone()
                    .or_else(|| {
                        run.as_ref()
                            .map(|r| r.lines().next().unwrap_or_default().to_string())
                    })
                    .unwrap_or_else(|| "step".to_string())
            }),
        run,
        uses,
        condition: scalar_text(&step["if"]),
    }
}

fn scalar_text(node: &Yaml) -> Option<String> {
    match node {
        Yaml::String(text) | Yaml::Real(text) => Some(text.clone()),
        Yaml::Integer(n) => Some(n.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}
