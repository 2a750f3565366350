//! The built-in pipeline scenarios: the course's complete pipeline taking checkout v3 from a
//! push on main to production, through tests, staging, a migration, a reviewer's approval and
//! the canary; and the same push while the error budget policy is red.

use std::collections::BTreeMap;

use crate::audit::Actor;
use crate::command::{Command, TimedCommand};
use crate::ops::slo::Slo;
use crate::pipeline::environments::{BranchPolicy, EnvironmentSpec, RefPattern, Review};
use crate::pipeline::secrets::{ConfigLayers, Secret, SecretStore};
use crate::pipeline::state::{PipelineSpec, SimulatedReviewer};
use crate::pipeline::windows::DeploymentWindows;
use crate::pipeline::workflow::{Workflow, course_pipeline};
use crate::time::Tick;

use super::spec::Scenario;

/// `pipeline-release` or `pipeline-budget-freeze`.
pub fn pipeline_scenario(id: &str) -> Option<Scenario> {
    let (title, situation, objective, budget_spent_s) = match id {
        "pipeline-release" => (
            "Complete pipeline to production",
            "dana pushes checkout v3 to main. The course's pipeline validates it, runs unit and integration tests, checks coverage, deploys to staging, runs smoke tests, migrates the production database, and then waits: production requires a reviewer (alice or bob, not dana). Once approved, a canary takes v3 to production, and the pipeline monitors it for 10 minutes.",
            "Follow the run job by job. When production waits, approve it yourself as bob (or wait for alice), and read every decision back in the audit trail.",
            600,
        ),
        "pipeline-budget-freeze" => (
            "Error budget red: deployment freeze",
            "Production has spent 81 % of this month's error budget (99.9 % over 30 days: 43.2 minutes), so the policy is red: deployments are frozen except critical fixes. dana pushes checkout v3 to main anyway.",
            "Watch the production job refused by the freeze. Then run the workflow again as an emergency fix with a written reason, and see it flagged everywhere.",
            2_100,
        ),
        _ => return None,
    };
    let mut workflow = course_pipeline();
    // Two minutes of tests instead of four keep the story short; nothing is flaky here, so
    // the story is the same for every seed (flakiness is tested on its own).
    for job in &mut workflow.jobs {
        if job.simulation.kind == crate::pipeline::workflow::JobKind::Tests {
            job.simulation.median_s = job.simulation.median_s.min(120);
        }
        job.simulation.flaky_bp = 0;
    }
    workflow
        .jobs
        .retain(|job| job.id != "monitor" || id == "pipeline-release");
    let push = Command::TriggerWorkflow {
        event: "push".to_string(),
        branch: "main".to_string(),
        login: "dana".to_string(),
        inputs: BTreeMap::new(),
        emergency_reason: None,
        skip_tests: false,
    };
    Some(pipeline_world(
        id,
        title,
        situation,
        objective,
        workflow,
        budget_spent_s,
        Some(push),
    ))
}

/// The canary story's world (checkout v1 in production, v3 to release) with `workflow` as its
/// pipeline: staging open to all, production behind alice or bob (not the person who triggered
/// the run) and the main or release/* branches or v* tags, business-hours windows, the course's
/// alert rules, and `trigger`, if any, a minute in.
pub fn pipeline_world(
    id: &str,
    title: &str,
    situation: &str,
    objective: &str,
    workflow: Workflow,
    budget_spent_s: u64,
    trigger: Option<Command>,
) -> Scenario {
    let mut scenario = super::story::canary_story(id, title, situation, objective, "v3", 30);
    let mut production = EnvironmentSpec::unprotected("production");
    production.reviewers = vec!["alice".to_string(), "bob".to_string()];
    production.prevent_self_review = true;
    production.branch_policy = BranchPolicy::Selected(vec![
        RefPattern::branch("main"),
        RefPattern::branch("release/*"),
        RefPattern::tag("v*"),
    ]);
    let environments: BTreeMap<String, EnvironmentSpec> = [
        (
            "staging".to_string(),
            EnvironmentSpec::unprotected("staging"),
        ),
        ("production".to_string(), production),
    ]
    .into();
    scenario.pipeline = Some(PipelineSpec {
        workflow,
        environments,
        windows: Some(DeploymentWindows::default()),
        admins: vec!["root".to_string()],
        reviewers: vec![SimulatedReviewer {
            login: "alice".to_string(),
            response_median_s: 20 * 60,
            business_hours_only: true,
            decision: Review::Approve,
            comment: "Staging smoke tests are green; approved.".to_string(),
        }],
        slo: Slo::THREE_NINES_30_DAYS,
        latency_slo: Slo::P95_UNDER_2S_30_DAYS,
        budget_spent_at_start_s: budget_spent_s,
        alert_rules: crate::ops::alerts::course_rules(),
        secrets: course_secrets(&scenario),
        config: course_config(),
    });
    scenario.schedule = trigger
        .map(|command| TimedCommand {
            at: Tick(60),
            actor: Actor::Pipeline,
            command,
        })
        .into_iter()
        .collect();
    scenario.max_duration_s = 3 * 3_600;
    scenario
}

/// The course's secrets (002 appendix D): the AI key and the Slack webhook for the repository,
/// and each environment's endpoint, production's expiring after 90 days.
fn course_secrets(scenario: &Scenario) -> SecretStore {
    let secret = Secret::new;
    SecretStore {
        secrets: vec![
            secret("AI_API_KEY", "sk-live-7f3a9c2e51d8", None, None),
            secret(
                "SLACK_WEBHOOK",
                "https://hooks.slack.com/services/T000/B000/x9y8z7",
                None,
                None,
            ),
            secret(
                "STAGING_ENDPOINT",
                "https://staging.internal.example.com",
                Some("staging"),
                None,
            ),
            secret(
                "PROD_ENDPOINT",
                "https://api.internal.example.com",
                Some("production"),
                Some(scenario.start_unix_s + 90 * 86_400),
            ),
        ],
    }
}

/// The course's configuration (002 appendix E): a base and the staging and production overrides.
fn course_config() -> ConfigLayers {
    let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    ConfigLayers {
        base: map(&[
            ("ai.provider", "openai"),
            ("ai.temperature", "0.7"),
            ("ai.max_tokens", "2000"),
            ("rate_limits.burst_size", "10"),
            ("monitoring.health_check_interval", "900"),
        ]),
        overrides: [
            (
                "staging".to_string(),
                map(&[
                    ("ai.model", "gpt-4o-mini"),
                    ("ai.api_key", "${AI_API_KEY}"),
                    ("deployment.endpoint", "https://staging.example.com"),
                    ("rate_limits.requests_per_minute", "50"),
                ]),
            ),
            (
                "production".to_string(),
                map(&[
                    ("ai.model", "gpt-4"),
                    ("ai.api_key", "${AI_API_KEY}"),
                    ("deployment.endpoint", "https://api.example.com"),
                    ("rate_limits.requests_per_minute", "100"),
                    ("monitoring.error_threshold", "0.02"),
                ]),
            ),
        ]
        .into(),
    }
}
