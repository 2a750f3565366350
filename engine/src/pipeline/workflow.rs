//! A workflow as a job graph, with GitHub Actions' fields: triggers, `needs`, `if`,
//! `environment`, `concurrency`, and steps whose `run` and `uses` are shown, not executed.
//! Each job also says how the simulation treats it: how long it takes, how often it fails on
//! its own (a flaky test), and whether it deploys.

use serde::{Deserialize, Serialize};

use crate::pipeline::concurrency::{GroupPolicy, QueuePolicy};
use crate::pipeline::triggers::RefFilter;
pub use crate::pipeline::triggers::{DispatchInput, Triggers};

/// A workflow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workflow {
    /// `name`.
    pub name: String,
    /// `on`.
    pub triggers: Triggers,
    /// Workflow-level `concurrency`.
    pub concurrency: Option<ConcurrencySpec>,
    /// The jobs, in the file's order.
    pub jobs: Vec<JobSpec>,
}

/// `concurrency`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcurrencySpec {
    /// `group`, possibly with `${{ }}` expressions.
    pub group: String,
    /// `cancel-in-progress`.
    pub cancel_in_progress: bool,
    /// `queue`: `single` (the default) or `max`.
    #[serde(default)]
    pub queue: QueuePolicy,
}

impl ConcurrencySpec {
    /// What the group does with a newcomer.
    pub fn policy(&self) -> GroupPolicy {
        GroupPolicy {
            cancel_in_progress: self.cancel_in_progress,
            queue: self.queue,
        }
    }
}

/// A job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSpec {
    /// Its key under `jobs`.
    pub id: String,
    /// `name`, or the id.
    pub name: String,
    /// `needs`.
    pub needs: Vec<String>,
    /// `if`.
    pub condition: Option<String>,
    /// `environment`: its name (possibly an expression) and URL.
    pub environment: Option<JobEnvironment>,
    /// Job-level `concurrency`.
    pub concurrency: Option<ConcurrencySpec>,
    /// `runs-on`.
    pub runs_on: String,
    /// `timeout-minutes` (GitHub's default is 360).
    pub timeout_min: u32,
    /// `steps`.
    pub steps: Vec<StepSpec>,
    /// How the simulation runs it.
    pub simulation: JobSimulation,
}

/// A job's `environment`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobEnvironment {
    /// `name`.
    pub name: String,
    /// `url`.
    pub url: Option<String>,
}

/// A step: shown, not executed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepSpec {
    /// `name`, or what it runs.
    pub name: String,
    /// `run`.
    pub run: Option<String>,
    /// `uses`.
    pub uses: Option<String>,
    /// `if`.
    pub condition: Option<String>,
}

/// How the simulation runs a job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSimulation {
    /// Median duration, in seconds.
    pub median_s: u32,
    /// Spread of the duration: the 84th percentile is this much above the median, in percent.
    pub spread_percent: u32,
    /// Chance that a run of the job fails on its own (a flaky test), in basis points.
    pub flaky_bp: u32,
    /// What the job does besides taking time.
    pub kind: JobKind,
}

/// What a job does in the simulated world.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobKind {
    /// Builds, checks, notifications: it takes time and may fail.
    Work,
    /// Tests: skipped when an emergency override skips tests.
    Tests,
    /// Deploys to its environment; to the scenario's rollout environment, by the strategy.
    Deploy,
    /// Runs the database migration before the deployment.
    Migration,
}

impl Workflow {
    /// The job with this id.
    pub fn job(&self, id: &str) -> Option<&JobSpec> {
        self.jobs.iter().find(|j| j.id == id)
    }

    /// GitHub's objections to the job graph: unknown needs and cycles, each naming the job.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        if self.jobs.is_empty() {
            problems.push("jobs: No jobs defined in `jobs`".to_string());
        }
        for job in &self.jobs {
            for need in &job.needs {
                if self.job(need).is_none() {
                    problems.push(format!(
                        "jobs.{}.needs: Job '{}' depends on unknown job '{need}'.",
                        job.id, job.id
                    ));
                }
            }
        }
        if problems.is_empty()
            && let Some((job, need)) = self.find_cycle()
        {
            problems.push(format!(
                "jobs.{job}.needs: Job '{job}' depends on job '{need}' which creates a cycle in the dependency graph."
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Every job `id` depends on, directly or through others.
    pub fn ancestors(&self, id: &str) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        let mut stack: Vec<String> = self.job(id).map_or_else(Vec::new, |j| j.needs.clone());
        while let Some(next) = stack.pop() {
            if found.contains(&next) {
                continue;
            }
            if let Some(job) = self.job(&next) {
                stack.extend(job.needs.iter().cloned());
            }
            found.push(next);
        }
        found.sort();
        found
    }

    fn find_cycle(&self) -> Option<(String, String)> {
        for job in &self.jobs {
            for need in &job.needs {
                if need == &job.id || self.ancestors(need).contains(&job.id) {
                    return Some((job.id.clone(), need.clone()));
                }
            }
        }
        None
    }
}

impl JobSimulation {
    /// What the simulation assumes for a job it knows only by its steps: about 30 s to start
    /// plus 45 s a step, tests twice as long and failing on their own one run in fifty.
    pub fn inferred(id: &str, steps: u32, has_environment: bool) -> JobSimulation {
        let lower = id.to_ascii_lowercase();
        let kind = if has_environment {
            JobKind::Deploy
        } else if lower.contains("migrat") {
            JobKind::Migration
        } else if lower.contains("test") {
            JobKind::Tests
        } else {
            JobKind::Work
        };
        let base_s = 30 + 45 * steps.max(1);
        JobSimulation {
            median_s: if kind == JobKind::Tests {
                base_s * 2
            } else {
                base_s
            },
            spread_percent: 25,
            flaky_bp: if kind == JobKind::Tests { 200 } else { 0 },
            kind,
        }
    }
}

/// The course's complete pipeline (002 §19–21 and appendix G): validate → unit and integration
/// tests → quality gate → deploy to staging → smoke tests → production, behind approval and
/// the rollout strategy → monitor.
pub fn course_pipeline() -> Workflow {
    let job = |id: &str,
               name: &str,
               needs: &[&str],
               kind: JobKind,
               median_s: u32,
               steps: &[(&str, &str)]| JobSpec {
        id: id.to_string(),
        name: name.to_string(),
        needs: needs.iter().map(|n| n.to_string()).collect(),
        condition: None,
        environment: None,
        concurrency: None,
        runs_on: "ubuntu-latest".to_string(),
        timeout_min: 360,
        steps: steps
            .iter()
            .map(|(name, run)| StepSpec {
                name: name.to_string(),
                run: (!run.starts_with("uses:")).then(|| run.to_string()),
                uses: run.strip_prefix("uses:").map(|u| u.trim().to_string()),
                condition: None,
            })
            .collect(),
        simulation: JobSimulation {
            median_s,
            spread_percent: 25,
            flaky_bp: if kind == JobKind::Tests { 200 } else { 0 },
            kind,
        },
    };
    let mut jobs = vec![
        job(
            "validate",
            "Validate",
            &[],
            JobKind::Work,
            60,
            &[
                ("Checkout", "uses: actions/checkout@v4"),
                ("Install dependencies", "npm ci"),
                ("Validate prompts", "npm run validate:prompts"),
                ("Security scan", "npm audit --audit-level=moderate"),
            ],
        ),
        job(
            "unit-tests",
            "Unit tests",
            &["validate"],
            JobKind::Tests,
            180,
            &[
                ("Install dependencies", "npm ci"),
                ("Run unit tests", "npm run test:unit"),
            ],
        ),
        job(
            "integration-tests",
            "Integration tests",
            &["validate"],
            JobKind::Tests,
            240,
            &[
                ("Install dependencies", "npm ci"),
                ("Run integration tests", "npm run test:integration"),
            ],
        ),
        job(
            "quality-gate",
            "Quality gate",
            &["unit-tests", "integration-tests"],
            JobKind::Work,
            45,
            &[(
                "Check coverage threshold",
                "test $(jq '.total.lines.pct' coverage/coverage-summary.json) -ge 80",
            )],
        ),
        job(
            "deploy-staging",
            "Deploy to staging",
            &["quality-gate"],
            JobKind::Deploy,
            120,
            &[("Deploy to staging", "./scripts/deploy.sh")],
        ),
        job(
            "smoke-tests",
            "Smoke tests on staging",
            &["deploy-staging"],
            JobKind::Tests,
            90,
            &[(
                "Staging smoke tests",
                "./scripts/smoke-test.sh --endpoint ${{ secrets.STAGING_ENDPOINT }}",
            )],
        ),
        job(
            "migrate-production",
            "Migrate production database",
            &["smoke-tests"],
            JobKind::Migration,
            90,
            &[
                ("Back up the database", "./scripts/backup-db.sh"),
                ("Run migrations", "npm run migrate"),
            ],
        ),
        job(
            "deploy-production",
            "Deploy to production",
            &["migrate-production"],
            JobKind::Deploy,
            60,
            &[
                (
                    "Progressive rollout",
                    "./scripts/deploy-canary.sh --version ${{ github.sha }}",
                ),
                (
                    "Production smoke tests",
                    "./scripts/smoke-test.sh --endpoint ${{ secrets.PROD_ENDPOINT }}",
                ),
            ],
        ),
        job(
            "monitor",
            "Monitor for 10 minutes",
            &["deploy-production"],
            JobKind::Work,
            600,
            &[("Monitor", "./scripts/monitor-metrics.sh --duration 600")],
        ),
    ];
    // A skipped job skips everything downstream of it unless a condition says otherwise
    // (success() looks at every ancestor). Tests skipped by an emergency override must not
    // stop the fix, so the jobs after them go on when nothing failed (`!failure()`).
    let unless_failed = |extra: &str| Some(format!("!failure() && !cancelled(){extra}"));
    jobs[3].condition = unless_failed("");
    jobs[4].condition = unless_failed(
        " && (github.ref == 'refs/heads/develop' || github.ref == 'refs/heads/main')",
    );
    jobs[4].environment = Some(JobEnvironment {
        name: "staging".to_string(),
        url: Some("https://staging.example.com".to_string()),
    });
    // The smoke tests reach staging's endpoint, a staging secret, so they run in staging.
    jobs[5].environment = Some(JobEnvironment {
        name: "staging".to_string(),
        url: Some("https://staging.example.com".to_string()),
    });
    jobs[6].condition = unless_failed(" && github.ref == 'refs/heads/main'");
    jobs[7].condition = unless_failed(" && github.ref == 'refs/heads/main'");
    jobs[8].condition = unless_failed(" && needs.deploy-production.result == 'success'");
    jobs[7].environment = Some(JobEnvironment {
        name: "production".to_string(),
        url: Some("https://app.example.com".to_string()),
    });
    jobs[7].concurrency = Some(ConcurrencySpec {
        group: "deploy-production".to_string(),
        cancel_in_progress: false,
        queue: QueuePolicy::Single,
    });
    Workflow {
        name: "Complete CI/CD Pipeline".to_string(),
        triggers: Triggers {
            push: Some(RefFilter::branches(&["develop", "main"])),
            pull_request: Some(RefFilter::branches(&["main"])),
            workflow_dispatch: Some(vec![
                DispatchInput {
                    name: "environment".to_string(),
                    description: "Where to deploy".to_string(),
                    required: true,
                    kind: "choice".to_string(),
                    options: vec!["staging".to_string(), "production".to_string()],
                    default: Some("production".to_string()),
                },
                DispatchInput {
                    name: "skip_tests".to_string(),
                    description: "Skip the tests (emergency only)".to_string(),
                    required: false,
                    kind: "boolean".to_string(),
                    options: Vec::new(),
                    default: Some("false".to_string()),
                },
                DispatchInput {
                    name: "reason".to_string(),
                    description: "Why this deployment is needed now".to_string(),
                    required: false,
                    kind: "string".to_string(),
                    options: Vec::new(),
                    default: None,
                },
            ]),
            schedules: Vec::new(),
        },
        concurrency: None,
        jobs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_course_pipeline_is_a_valid_graph() {
        let workflow = course_pipeline();
        assert_eq!(workflow.validate(), Ok(()));
        assert_eq!(
            workflow.ancestors("deploy-production"),
            [
                "deploy-staging",
                "integration-tests",
                "migrate-production",
                "quality-gate",
                "smoke-tests",
                "unit-tests",
                "validate"
            ]
        );
    }

    #[test]
    fn unknown_needs_and_cycles_are_named() {
        let mut workflow = course_pipeline();
        workflow.jobs[3].needs.push("lint".to_string());
        assert_eq!(
            workflow.validate(),
            Err(vec![
                "jobs.quality-gate.needs: Job 'quality-gate' depends on unknown job 'lint'."
                    .to_string()
            ])
        );
        let mut workflow = course_pipeline();
        workflow.jobs[0].needs.push("monitor".to_string());
        let problems = workflow.validate().unwrap_err();
        assert!(
            problems[0].ends_with("which creates a cycle in the dependency graph."),
            "{problems:?}"
        );
    }
}
