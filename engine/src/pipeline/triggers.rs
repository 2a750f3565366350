//! Which events start a workflow (`on`), as GitHub decides it: a push or pull request passes
//! its branch and tag filters, a manual run needs `workflow_dispatch` and its required inputs,
//! and a choice input takes one of its options.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::pipeline::cron::CronSchedule;
use crate::pipeline::environments::GitRef;
use crate::pipeline::filter_pattern::{admitted_by, is_literal};

/// `on`: the events that start the workflow.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triggers {
    /// `push`, with its branch and tag filters.
    pub push: Option<RefFilter>,
    /// `pull_request`, with its base-branch filters.
    pub pull_request: Option<RefFilter>,
    /// `workflow_dispatch`, with its inputs.
    pub workflow_dispatch: Option<Vec<DispatchInput>>,
    /// `schedule`.
    pub schedules: Vec<CronSchedule>,
}
/// A `workflow_dispatch` input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchInput {
    /// Its name.
    pub name: String,
    /// `description`.
    pub description: String,
    /// `required`.
    pub required: bool,
    /// `type`: `string`, `choice`, `boolean`, `number` or `environment`.
    pub kind: String,
    /// `options`, for a choice.
    pub options: Vec<String>,
    /// `default`.
    pub default: Option<String>,
}

/// `on.<push|pull_request>`'s ref filters. Empty lists are filters not given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefFilter {
    /// `branches`.
    pub branches: Vec<String>,
    /// `branches-ignore`.
    #[serde(default)]
    pub branches_ignore: Vec<String>,
    /// `tags`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// `tags-ignore`.
    #[serde(default)]
    pub tags_ignore: Vec<String>,
}

impl RefFilter {
    /// Branch filters only.
    pub fn branches(patterns: &[&str]) -> RefFilter {
        RefFilter {
            branches: patterns.iter().map(|p| p.to_string()).collect(),
            ..RefFilter::default()
        }
    }

    /// Whether an event on `git_ref` passes, with the reason when it does not. With only tag
    /// filters a branch never passes, and with only branch filters a tag never does; with
    /// neither, every ref passes.
    pub fn admits(&self, git_ref: &GitRef) -> Result<(), String> {
        let (kind, include, ignore, other_include, other_ignore) = if git_ref.tag {
            (
                "tag",
                &self.tags,
                &self.tags_ignore,
                &self.branches,
                &self.branches_ignore,
            )
        } else {
            (
                "branch",
                &self.branches,
                &self.branches_ignore,
                &self.tags,
                &self.tags_ignore,
            )
        };
        let name = &git_ref.name;
        if !include.is_empty() {
            return if admitted_by(include, name) {
                Ok(())
            } else {
                Err(format!(
                    "{kind} {name} matches none of {kind}{} {}",
                    if kind == "branch" { "es" } else { "s" },
                    include.join(", ")
                ))
            };
        }
        if !ignore.is_empty() {
            return if admitted_by(ignore, name) {
                Err(format!(
                    "{kind} {name} is ignored by {kind}{}-ignore {}",
                    if kind == "branch" { "es" } else { "s" },
                    ignore.join(", ")
                ))
            } else {
                Ok(())
            };
        }
        if !other_include.is_empty() || !other_ignore.is_empty() {
            let other = if git_ref.tag { "branches" } else { "tags" };
            return Err(format!(
                "only {other} are filtered, so a {kind} does not start it"
            ));
        }
        Ok(())
    }

    /// A ref that passes, for a scripted event: `main`, a branch the filter names, the release
    /// tag `release_tag`, or a tag the filter names; none when nothing simple passes.
    pub fn example_ref(&self, release_tag: &str) -> Option<GitRef> {
        let branch = |name: &str| GitRef {
            name: name.to_string(),
            tag: false,
            protected: name == "main",
        };
        let tag = |name: &str| GitRef {
            name: name.to_string(),
            tag: true,
            protected: false,
        };
        let named = |patterns: &[String]| -> Vec<String> {
            patterns.iter().filter(|p| is_literal(p)).cloned().collect()
        };
        std::iter::once(branch("main"))
            .chain(named(&self.branches).iter().map(|b| branch(b)))
            .chain([tag(release_tag), tag(&format!("{release_tag}.0.0"))])
            .chain(named(&self.tags).iter().map(|t| tag(t)))
            .find(|git_ref| self.admits(git_ref).is_ok())
    }
}

/// The ref a command names: `refs/tags/v3` is a tag, `refs/heads/main` or `main` a branch;
/// `main` is the protected branch.
pub fn git_ref_of(text: &str) -> GitRef {
    let (name, tag) = match text.strip_prefix("refs/tags/") {
        Some(tag) => (tag, true),
        None => (text.strip_prefix("refs/heads/").unwrap_or(text), false),
    };
    GitRef {
        name: name.to_string(),
        tag,
        protected: !tag && name == "main",
    }
}

/// A ref as a command names it: a tag as `refs/tags/…`, a branch by its name.
pub fn ref_text(git_ref: &GitRef) -> String {
    if git_ref.tag {
        format!("refs/tags/{}", git_ref.name)
    } else {
        git_ref.name.clone()
    }
}

impl Triggers {
    /// Whether `event` on `git_ref` with `inputs` starts a run, with the inputs the run gets
    /// (a dispatch's defaults filled in), or GitHub's reason for not starting one.
    pub fn admit(
        &self,
        event: &str,
        git_ref: &GitRef,
        inputs: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, String> {
        let filtered = |filter: &Option<RefFilter>, key: &str| match filter {
            None => Err(format!(
                "the workflow does not run on {key}: `on` has no {key}"
            )),
            Some(filter) => filter
                .admits(git_ref)
                .map(|()| inputs.clone())
                .map_err(|why| format!("on.{key} does not start this workflow: {why}")),
        };
        match event {
            "push" => filtered(&self.push, "push"),
            "pull_request" => filtered(&self.pull_request, "pull_request"),
            "workflow_dispatch" => match &self.workflow_dispatch {
                None => Err("Workflow does not have 'workflow_dispatch' trigger".to_string()),
                Some(declared) => dispatch_inputs(declared, inputs),
            },
            "schedule" if self.schedules.is_empty() => {
                Err("the workflow does not run on schedule: `on` has no schedule".to_string())
            }
            _ => Ok(inputs.clone()),
        }
    }
}

/// A dispatch's inputs checked against the declared ones, as the REST API checks them, with
/// defaults filled in.
fn dispatch_inputs(
    declared: &[DispatchInput],
    given: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, String> {
    if let Some(unexpected) = given
        .keys()
        .find(|name| !declared.iter().any(|input| input.name == **name))
    {
        return Err(format!("Unexpected inputs provided: [\"{unexpected}\"]"));
    }
    let mut inputs = BTreeMap::new();
    for input in declared {
        let value = given
            .get(&input.name)
            .cloned()
            .or_else(|| input.default.clone());
        match value {
            None if input.required => {
                return Err(format!("Required input '{}' not provided", input.name));
            }
            None => {}
            Some(value) => {
                if input.kind == "choice" && !input.options.contains(&value) {
                    return Err(format!(
                        "Provided value '{value}' for input '{}' not in the list of allowed values",
                        input.name
                    ));
                }
                if input.kind == "boolean" && value != "true" && value != "false" {
                    return Err(format!(
                        "Provided value '{value}' for input '{}' is not a boolean",
                        input.name
                    ));
                }
                inputs.insert(input.name.clone(), value);
            }
        }
    }
    Ok(inputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn branch(name: &str) -> GitRef {
        GitRef {
            name: name.to_string(),
            tag: false,
            protected: false,
        }
    }

    fn tag(name: &str) -> GitRef {
        GitRef {
            name: name.to_string(),
            tag: true,
            protected: false,
        }
    }

    fn list(patterns: &[&str]) -> Vec<String> {
        patterns.iter().map(|p| p.to_string()).collect()
    }

    /// The workflow syntax page's rules for branches and tags together.
    #[test]
    fn branch_and_tag_filters_decide_each_ref_kind() {
        let only_tags = RefFilter {
            tags: list(&["v*"]),
            ..RefFilter::default()
        };
        let only_branches = RefFilter::branches(&["main", "releases/**"]);
        let ignoring = RefFilter {
            branches_ignore: list(&["docs/**"]),
            ..RefFilter::default()
        };
        let table = [
            (&only_tags, tag("v1.2.0"), true),
            (&only_tags, tag("nightly"), false),
            (&only_tags, branch("main"), false),
            (&only_branches, branch("main"), true),
            (&only_branches, branch("releases/2026/03"), true),
            (&only_branches, branch("feature/login"), false),
            (&only_branches, tag("v1.2.0"), false),
            (&ignoring, branch("docs/readme"), false),
            (&ignoring, branch("main"), true),
            (&ignoring, tag("v1"), false),
            (&RefFilter::default(), tag("v1"), true),
            (&RefFilter::default(), branch("anything/at/all"), true),
        ];
        for (filter, git_ref, expected) in table {
            assert_eq!(
                filter.admits(&git_ref).is_ok(),
                expected,
                "{filter:?} {git_ref:?}"
            );
        }
        assert_eq!(
            only_branches.admits(&branch("feature/login")),
            Err("branch feature/login matches none of branches main, releases/**".to_string())
        );
        assert_eq!(only_tags.example_ref("v3"), Some(tag("v3")));
        assert_eq!(
            only_branches.example_ref("v3").map(|r| r.name),
            Some("main".to_string())
        );
        assert_eq!(
            RefFilter::branches(&["release/2026"])
                .example_ref("v3")
                .map(|r| r.name),
            Some("release/2026".to_string())
        );
    }

    #[test]
    fn dispatch_needs_the_trigger_and_its_required_inputs() {
        let declared = vec![
            DispatchInput {
                name: "environment".to_string(),
                description: String::new(),
                required: true,
                kind: "choice".to_string(),
                options: list(&["staging", "production"]),
                default: None,
            },
            DispatchInput {
                name: "dry_run".to_string(),
                description: String::new(),
                required: false,
                kind: "boolean".to_string(),
                options: Vec::new(),
                default: Some("false".to_string()),
            },
        ];
        let triggers = Triggers {
            workflow_dispatch: Some(declared),
            ..Triggers::default()
        };
        let given = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let main = branch("main");
        type Inputs = BTreeMap<String, String>;
        let table: [(Inputs, Result<Inputs, String>); 4] = [
            (
                given(&[("environment", "staging")]),
                Ok(given(&[("dry_run", "false"), ("environment", "staging")])),
            ),
            (
                given(&[]),
                Err("Required input 'environment' not provided".to_string()),
            ),
            (
                given(&[("environment", "qa")]),
                Err(
                    "Provided value 'qa' for input 'environment' not in the list of allowed values"
                        .to_string(),
                ),
            ),
            (
                given(&[("environment", "staging"), ("region", "eu")]),
                Err("Unexpected inputs provided: [\"region\"]".to_string()),
            ),
        ];
        for (inputs, expected) in table {
            assert_eq!(
                triggers.admit("workflow_dispatch", &main, &inputs),
                expected
            );
        }
        assert_eq!(
            Triggers::default().admit("workflow_dispatch", &main, &given(&[])),
            Err("Workflow does not have 'workflow_dispatch' trigger".to_string())
        );
        assert!(
            Triggers::default()
                .admit("push", &main, &given(&[]))
                .is_err()
        );
    }
}
