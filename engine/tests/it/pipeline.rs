//! Workflow runs with GitHub Actions' job semantics, pinned to the documented behaviour
//! (semantics.md §2.6 and trap 10), and the course's rules for windows, overrides and freezes.

use std::collections::BTreeMap;

use engine::pipeline::environments::{BranchPolicy, EnvironmentSpec, GitRef, RefPattern, Review};
use engine::pipeline::run::{JobResult, JobStatus, RunChange, RunSettings, Trigger, WorkflowRun};
use engine::pipeline::windows::{DeploymentWindows, EmergencyOverride};
use engine::pipeline::workflow::{
    JobEnvironment, JobKind, JobSimulation, JobSpec, Triggers, Workflow, course_pipeline,
};
use engine::time::UtcDateTime;

/// Tuesday 10 March 2026, 10:00 UTC.
fn tuesday_10am() -> u64 {
    UtcDateTime::unix_s_of(2026, 3, 10, 10, 0)
}

fn push(branch: &str) -> Trigger {
    Trigger {
        event: "push".to_string(),
        git_ref: GitRef {
            name: branch.to_string(),
            tag: false,
            protected: branch == "main",
        },
        sha: "9b07d31".to_string(),
        actor: "dana".to_string(),
        inputs: BTreeMap::new(),
        emergency: None,
        base_ref: None,
    }
}

/// Settings of a run deploying to production with `environments`.
fn settings_with(environments: &BTreeMap<String, EnvironmentSpec>) -> RunSettings<'_> {
    RunSettings {
        seed: 3,
        environments: Some(environments),
        rollout_environment: "production",
        ..RunSettings::default()
    }
}

/// Settings of a run with no environments, drawing from `seed`.
fn bare_settings(seed: u64) -> RunSettings<'static> {
    RunSettings {
        seed,
        rollout_environment: "production",
        ..RunSettings::default()
    }
}

/// A job that takes a minute and fails when `fails`.
fn job(id: &str, needs: &[&str], condition: Option<&str>, fails: bool) -> JobSpec {
    JobSpec {
        id: id.to_string(),
        name: id.to_string(),
        needs: needs.iter().map(|n| n.to_string()).collect(),
        condition: condition.map(str::to_string),
        environment: None,
        concurrency: None,
        runs_on: "ubuntu-latest".to_string(),
        timeout_min: 360,
        steps: Vec::new(),
        simulation: JobSimulation {
            median_s: 60,
            spread_percent: 0,
            flaky_bp: if fails { 10_000 } else { 0 },
            kind: JobKind::Work,
        },
    }
}

fn workflow(jobs: Vec<JobSpec>) -> Workflow {
    Workflow {
        name: "test".to_string(),
        triggers: Triggers::default(),
        concurrency: None,
        jobs,
    }
}

/// Runs to the end (no environments), returning each job's result.
fn results(workflow: Workflow, trigger: Trigger) -> Vec<(String, JobResult)> {
    let mut run = WorkflowRun::new(1, workflow, trigger, 0);
    let settings = bare_settings(1);
    for now in 0..10_000 {
        run.advance(now, &settings);
        if run.conclusion.is_some() {
            break;
        }
    }
    run.jobs
        .iter()
        .map(|j| match &j.status {
            JobStatus::Completed { result, .. } => (j.id.clone(), *result),
            other => panic!("{} did not finish: {other:?}", j.id),
        })
        .collect()
}

/// (jobs, expected results): GitHub's documented propagation of failure and skips.
#[test]
fn needs_and_conditions_decide_which_jobs_run() {
    use JobResult::{Failure, Skipped, Success};
    let table: Vec<(Vec<JobSpec>, Vec<JobResult>)> = vec![
        // A failed need skips its dependents, and theirs.
        (
            vec![
                job("build", &[], None, true),
                job("test", &["build"], None, false),
                job("deploy", &["test"], None, false),
            ],
            vec![Failure, Skipped, Skipped],
        ),
        // if: failure() runs when any ancestor failed, even through a skipped job.
        (
            vec![
                job("build", &[], None, true),
                job("test", &["build"], None, false),
                job("rollback", &["test"], Some("failure()"), false),
            ],
            vec![Failure, Skipped, Success],
        ),
        // always() runs whatever happened.
        (
            vec![
                job("build", &[], None, true),
                job("notify", &["build"], Some("always()"), false),
            ],
            vec![Failure, Success],
        ),
        // A skipped need skips its dependents, but failure() stays false.
        (
            vec![
                job(
                    "build",
                    &[],
                    Some("github.ref == 'refs/heads/release'"),
                    false,
                ),
                job("deploy", &["build"], None, false),
                job("rollback", &["build"], Some("failure()"), false),
            ],
            vec![Skipped, Skipped, Skipped],
        ),
        // A condition without a status function still needs success().
        (
            vec![
                job("build", &[], None, true),
                job(
                    "deploy",
                    &["build"],
                    Some("github.ref == 'refs/heads/main'"),
                    false,
                ),
            ],
            vec![Failure, Skipped],
        ),
        // Independent jobs run; the run fails if any job failed.
        (
            vec![job("lint", &[], None, true), job("unit", &[], None, false)],
            vec![Failure, Success],
        ),
        // needs.<job>.result can be read.
        (
            vec![
                job("build", &[], None, true),
                job(
                    "report",
                    &["build"],
                    Some("always() && needs.build.result == 'failure'"),
                    false,
                ),
            ],
            vec![Failure, Success],
        ),
    ];
    for (jobs, expected) in table {
        let names: Vec<String> = jobs
            .iter()
            .map(|j| {
                format!(
                    "{}{}",
                    j.id,
                    j.condition
                        .as_ref()
                        .map(|c| format!(" if {c}"))
                        .unwrap_or_default()
                )
            })
            .collect();
        let actual: Vec<JobResult> = results(workflow(jobs), push("main"))
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        assert_eq!(actual, expected, "{names:?}");
    }
}

#[test]
fn the_canary_workflow_rolls_back_with_if_failure() {
    // Appendix C's canary workflow: rollback needs every stage and runs if: failure().
    let jobs = vec![
        job("deploy-canary-10", &[], None, false),
        job("deploy-canary-25", &["deploy-canary-10"], None, true),
        job("deploy-canary-50", &["deploy-canary-25"], None, false),
        job("deploy-canary-100", &["deploy-canary-50"], None, false),
        job(
            "rollback",
            &[
                "deploy-canary-10",
                "deploy-canary-25",
                "deploy-canary-50",
                "deploy-canary-100",
            ],
            Some("failure()"),
            false,
        ),
    ];
    let results = results(workflow(jobs), push("main"));
    assert_eq!(
        results
            .iter()
            .map(|(id, r)| format!("{id}={}", r.label()))
            .collect::<Vec<_>>(),
        [
            "deploy-canary-10=success",
            "deploy-canary-25=failure",
            "deploy-canary-50=skipped",
            "deploy-canary-100=skipped",
            "rollback=success"
        ]
    );
}

fn environments() -> BTreeMap<String, EnvironmentSpec> {
    let mut production = EnvironmentSpec::unprotected("production");
    production.reviewers = vec!["alice".to_string(), "bob".to_string()];
    production.prevent_self_review = true;
    production.branch_policy = BranchPolicy::Selected(vec![RefPattern::branch("main")]);
    [
        (
            "staging".to_string(),
            EnvironmentSpec::unprotected("staging"),
        ),
        ("production".to_string(), production),
    ]
    .into()
}

/// Steps the course pipeline second by second; returns the run and what changed when.
fn course_run(
    trigger: Trigger,
    start_s: u64,
    settings: &RunSettings,
    until_s: u64,
) -> (WorkflowRun, Vec<(u64, RunChange)>) {
    let mut workflow = course_pipeline();
    for job in &mut workflow.jobs {
        job.simulation.flaky_bp = 0;
        // Job-level groups are the pipeline state's to admit; a lone run has none.
        job.concurrency = None;
    }
    let mut run = WorkflowRun::new(1, workflow, trigger, start_s);
    let mut log = Vec::new();
    for now in start_s..until_s {
        for change in run.advance(now, settings) {
            log.push((now, change));
        }
    }
    (run, log)
}

#[test]
fn a_push_to_develop_deploys_to_staging_and_skips_production() {
    let environments = environments();
    let settings = settings_with(&environments);
    let start = tuesday_10am();
    let (run, _) = course_run(push("develop"), start, &settings, start + 4 * 3_600);
    let result = |id: &str| match &run.job(id).unwrap().status {
        JobStatus::Completed { result, note, .. } => (*result, note.clone()),
        other => panic!("{id}: {other:?}"),
    };
    assert_eq!(result("deploy-staging").0, JobResult::Success);
    assert_eq!(
        result("deploy-production"),
        (
            JobResult::Skipped,
            "skipped: if: !failure() && !cancelled() && github.ref == 'refs/heads/main' is false"
                .to_string()
        )
    );
    assert_eq!(
        result("monitor"),
        (
            JobResult::Skipped,
            "skipped: if: !failure() && !cancelled() && needs.deploy-production.result == 'success' is false"
                .to_string()
        )
    );
    // A skipped job does not fail the run: the check is green although nothing reached production.
    assert_eq!(run.conclusion, Some(JobResult::Success));
}

#[test]
fn production_waits_for_a_reviewer_and_self_review_is_refused() {
    let environments = environments();
    let settings = settings_with(&environments);
    let start = tuesday_10am();
    let mut trigger = push("main");
    trigger.actor = "alice".to_string();
    let (mut run, log) = course_run(trigger, start, &settings, start + 2 * 3_600);
    let waiting = log.iter().find_map(|(_, c)| match c {
        RunChange::JobWaiting { job, reason, .. } => Some((job.clone(), reason.clone())),
        _ => None,
    });
    assert_eq!(
        waiting,
        Some((
            "deploy-production".to_string(),
            "Waiting for review: one of alice, bob must approve the deployment to production"
                .to_string()
        ))
    );
    let now = start + 2 * 3_600;
    assert_eq!(
        run.review("production", "alice", Review::Approve, "ship it", now, &settings),
        Err("alice triggered this run and production prevents self-review: another reviewer must approve".to_string())
    );
    assert_eq!(
        run.review("production", "bob", Review::Approve, "LGTM", now, &settings),
        Ok("deploy-production".to_string())
    );
    let changes = run.advance(now, &settings);
    assert!(
        changes.contains(&RunChange::DeployStarted {
            job: "deploy-production".to_string(),
            environment: "production".to_string()
        }),
        "{changes:?}"
    );
    run.finish_deploy("deploy-production", true, "promoted", now + 600);
    let mut concluded = None;
    for t in now + 600..now + 3_600 {
        for change in run.advance(t, &settings) {
            if let RunChange::RunCompleted { conclusion } = change {
                concluded = Some(conclusion);
            }
        }
    }
    assert_eq!(concluded, Some(JobResult::Success));
}

#[test]
fn a_branch_outside_the_policy_cannot_deploy_and_a_rejection_fails_the_job() {
    let mut environments = environments();
    let production = environments.get_mut("production").unwrap();
    production.branch_policy = BranchPolicy::Selected(vec![RefPattern::branch("release/*")]);
    let settings = settings_with(&environments);
    let start = tuesday_10am();
    let (run, _) = course_run(push("main"), start, &settings, start + 2 * 3_600);
    assert!(
        matches!(&run.job("deploy-production").unwrap().status, JobStatus::Completed { result: JobResult::Failure, note, .. } if note == "Branch \"main\" is not allowed to deploy to production due to environment protection rules.")
    );

    let environments = self::environments();
    let settings = settings_with(&environments);
    let (mut run, _) = course_run(push("main"), start, &settings, start + 2 * 3_600);
    run.review(
        "production",
        "bob",
        Review::Reject,
        "not during the sale",
        start + 2 * 3_600,
        &settings,
    )
    .unwrap();
    run.advance(start + 2 * 3_600, &settings);
    assert!(
        matches!(&run.job("deploy-production").unwrap().status, JobStatus::Completed { result: JobResult::Failure, note, .. } if note.contains("bob rejected the deployment to production"))
    );
}

#[test]
fn a_saturday_push_waits_for_monday_unless_an_emergency_override_has_a_reason() {
    let windows = DeploymentWindows::default();
    let environments: BTreeMap<String, EnvironmentSpec> = [(
        "production".to_string(),
        EnvironmentSpec::unprotected("production"),
    )]
    .into();
    let settings = RunSettings {
        windows: Some(&windows),
        ..settings_with(&environments)
    };
    let saturday = UtcDateTime::unix_s_of(2026, 3, 14, 14, 30);
    let (run, log) = course_run(push("main"), saturday, &settings, saturday + 3 * 3_600);
    let reason = log.iter().find_map(|(_, c)| match c {
        RunChange::JobWaiting { job, reason, .. } if job == "deploy-production" => {
            Some(reason.clone())
        }
        _ => None,
    });
    assert!(
        reason.as_deref().is_some_and(
            |r| r.ends_with("Next deployment window: Monday 09:00 UTC (2026-03-16T09:00:00Z)")
        ),
        "{reason:?}"
    );
    assert!(matches!(
        run.job("deploy-production").unwrap().status,
        JobStatus::Waiting(_)
    ));

    // The intent is kept: on Monday at 09:00 the job goes ahead.
    let monday = UtcDateTime::unix_s_of(2026, 3, 16, 9, 0);
    let mut run = run;
    assert!(run.advance(monday - 1, &settings).is_empty());
    let changes = run.advance(monday, &settings);
    assert!(
        matches!(changes.first(), Some(RunChange::DeployStarted { .. })),
        "{changes:?}"
    );

    // An emergency override with a reason deploys at once and may skip the tests.
    let mut hotfix = push("main");
    hotfix.emergency = Some(
        EmergencyOverride::new("CVE-2026-1234 is being exploited in production", true).unwrap(),
    );
    let (run, log) = course_run(hotfix, saturday, &settings, saturday + 3 * 3_600);
    assert!(
        matches!(run.job("unit-tests").unwrap().status, JobStatus::Completed { result: JobResult::Skipped, ref note, .. } if note.starts_with("skipped by the emergency override"))
    );
    assert!(
        log.iter()
            .any(|(_, c)| matches!(c, RunChange::DeployStarted { .. })),
        "{:#?}",
        run.jobs
            .iter()
            .map(|j| (&j.id, &j.status))
            .collect::<Vec<_>>()
    );
    assert!(
        EmergencyOverride::new("", false).is_err(),
        "no reason, no override"
    );
}

#[test]
fn an_error_budget_freeze_refuses_a_normal_deploy_but_not_an_emergency_fix() {
    let environments: BTreeMap<String, EnvironmentSpec> = [(
        "production".to_string(),
        EnvironmentSpec::unprotected("production"),
    )]
    .into();
    let freeze = "Deployment freeze: the error budget policy is red (12.0 % of the budget left); only critical fixes may deploy".to_string();
    let settings = RunSettings {
        freeze: Some(freeze.clone()),
        ..settings_with(&environments)
    };
    let start = tuesday_10am();
    let (run, _) = course_run(push("main"), start, &settings, start + 2 * 3_600);
    assert!(
        matches!(&run.job("deploy-production").unwrap().status, JobStatus::Completed { result: JobResult::Failure, note, .. } if *note == freeze)
    );
    let mut fix = push("main");
    fix.emergency =
        Some(EmergencyOverride::new("payments are failing for every customer", false).unwrap());
    let (run, _) = course_run(fix, start, &settings, start + 2 * 3_600);
    assert!(matches!(
        run.job("deploy-production").unwrap().status,
        JobStatus::Deploying { .. }
    ));
}

#[test]
fn flaky_jobs_fail_at_their_rate_and_rerunning_failed_jobs_reruns_their_dependents() {
    // 2,000 runs of a job that fails one time in ten.
    let mut failures = 0;
    for number in 0..2_000u32 {
        let mut flaky = job("test", &[], None, false);
        flaky.simulation.flaky_bp = 1_000;
        let mut run = WorkflowRun::new(number, workflow(vec![flaky]), push("main"), 0);
        let settings = bare_settings(11);
        run.advance(0, &settings);
        run.advance(100_000, &settings);
        failures += u32::from(run.conclusion == Some(JobResult::Failure));
    }
    assert!(
        (160..=240).contains(&failures),
        "{failures} of 2,000 failed at a 10 % rate"
    );

    let mut run = WorkflowRun::new(
        7,
        workflow(vec![
            job("build", &[], None, false),
            job("test", &["build"], None, true),
            job("deploy", &["test"], None, false),
        ]),
        push("main"),
        0,
    );
    let settings = bare_settings(11);
    for now in 0..1_000 {
        run.advance(now, &settings);
    }
    assert_eq!(run.conclusion, Some(JobResult::Failure));
    run.workflow.jobs[1].simulation.flaky_bp = 0;
    assert_eq!(
        run.rerun_failed(),
        Ok(vec!["test".to_string(), "deploy".to_string()])
    );
    assert!(
        matches!(
            run.job("build").unwrap().status,
            JobStatus::Completed {
                result: JobResult::Success,
                ..
            }
        ),
        "kept"
    );
    for now in 1_000..2_000 {
        run.advance(now, &settings);
    }
    assert_eq!(run.conclusion, Some(JobResult::Success));
    assert_eq!(run.job("test").unwrap().attempt, 2);
}

#[test]
fn cancelling_a_run_cancels_running_jobs_and_cancelled_still_runs() {
    let mut run = WorkflowRun::new(
        1,
        workflow(vec![
            job("build", &[], None, false),
            job("deploy", &["build"], None, false),
            job("cleanup", &["deploy"], Some("cancelled()"), false),
        ]),
        push("main"),
        0,
    );
    let settings = bare_settings(1);
    run.advance(0, &settings);
    let changes = run.cancel(
        "Canceling since a higher priority waiting request for 'deploy' exists",
        30,
    );
    assert_eq!(changes.len(), 1);
    for now in 30..500 {
        run.advance(now, &settings);
    }
    let results: Vec<&str> = run
        .jobs
        .iter()
        .map(|j| match j.status {
            JobStatus::Completed { result, .. } => result.label(),
            _ => "unfinished",
        })
        .collect();
    assert_eq!(results, ["cancelled", "skipped", "success"]);
    assert_eq!(run.conclusion, Some(JobResult::Cancelled));
}

#[test]
fn environment_names_can_come_from_inputs() {
    let mut deploy = job("deploy", &[], None, false);
    deploy.environment = Some(JobEnvironment {
        name: "${{ inputs.environment }}".to_string(),
        url: None,
    });
    deploy.simulation.kind = JobKind::Deploy;
    let mut trigger = push("main");
    trigger.event = "workflow_dispatch".to_string();
    trigger
        .inputs
        .insert("environment".to_string(), "staging".to_string());
    let mut run = WorkflowRun::new(1, workflow(vec![deploy]), trigger, 0);
    let settings = bare_settings(1);
    run.advance(0, &settings);
    assert_eq!(
        run.job("deploy").unwrap().environment.as_deref(),
        Some("staging")
    );
    assert!(
        matches!(
            run.job("deploy").unwrap().status,
            JobStatus::InProgress { .. }
        ),
        "staging is not the rollout environment: plain work"
    );
}

mod in_the_simulation {
    use engine::{Command, Sim, scenario};

    fn review(environment: &str, reviewer: &str, approve: bool, comment: &str) -> Command {
        Command::ReviewDeployment {
            environment: environment.to_string(),
            reviewer: reviewer.to_string(),
            approve,
            comment: comment.to_string(),
        }
    }

    fn actions(sim: &Sim) -> Vec<(String, String, String)> {
        sim.audit()
            .records()
            .iter()
            .map(|r| (r.action.clone(), r.person.clone(), r.outcome.clone()))
            .collect()
    }

    #[test]
    fn the_pipeline_takes_a_push_to_production_through_a_reviewer_and_the_canary() {
        let mut sim = Sim::new(scenario::builtin("pipeline-release").unwrap(), 1);
        let waiting = sim.run_to_decision(3_600).expect("production waits");
        assert_eq!(waiting.action, "deployment.created");
        assert_eq!(waiting.environment, "production");
        assert_eq!(waiting.outcome, "waiting");
        // dana pushed; she cannot approve her own deployment.
        let refused = sim
            .apply(review("production", "dana", true, "mine"))
            .unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("dana is not a required reviewer"),
            "{refused}"
        );
        sim.apply(review("production", "bob", true, "Staging looks good"))
            .unwrap();
        sim.run_to_end();
        let log = actions(&sim);
        let approve = log
            .iter()
            .find(|(a, _, _)| a == "workflows.approve_workflow_job")
            .unwrap();
        assert_eq!(
            (approve.1.as_str(), approve.2.as_str()),
            ("bob", "approved")
        );
        assert!(
            log.iter()
                .any(|(a, _, o)| a == "deployment_status.created" && o == "success")
        );
        assert_eq!(
            log.last().unwrap(),
            &(
                "workflows.completed_workflow_run".to_string(),
                String::new(),
                "success".to_string()
            )
        );
        assert_eq!(sim.outcome().result, "promoted");
        assert_eq!(sim.outcome().stable_version, "v3");
        // Every job with an environment has a deployment: staging's two jobs (deploy and smoke
        // tests) each create one, in progress while the job runs, successful when it ends; the
        // second's success makes the first inactive (`auto_inactive`).
        let staging: Vec<(&str, &str)> = sim
            .audit()
            .records()
            .iter()
            .filter(|r| r.environment == "staging" && r.action.starts_with("deployment"))
            .map(|r| (r.action.as_str(), r.outcome.as_str()))
            .collect();
        let one = [
            ("deployment.created", "created"),
            ("deployment_status.created", ""),
            ("deployment_status.created", "success"),
        ];
        assert_eq!(
            staging,
            [
                &one[..],
                &one[..],
                &[("deployment_status.created", "inactive")]
            ]
            .concat()
        );
        let inactive = sim
            .audit()
            .records()
            .iter()
            .find(|r| r.outcome == "inactive")
            .unwrap();
        assert_eq!(
            inactive.reason,
            "run #1 deploy-staging: state inactive (run #1 smoke-tests deployed to staging since)"
        );
        let pipeline = sim.pipeline().unwrap();
        assert_eq!(pipeline.deployments.len(), 1);
        assert!(!pipeline.deployments[0].failed);
        let report = engine::pipeline::auditor::production_deployments(
            sim.pipeline().unwrap(),
            "production",
        );
        assert_eq!(report.len(), 1);
        let deployment = &report[0];
        assert_eq!(
            (
                deployment.triggered_by.as_str(),
                deployment.git_ref.as_str(),
                deployment.result.as_str()
            ),
            ("dana", "main", "success")
        );
        assert!(
            deployment
                .review
                .as_deref()
                .is_some_and(|r| r.starts_with("approved by bob at 2026-03-10T")
                    && r.ends_with(": \"Staging looks good\"")),
            "{:?}",
            deployment.review
        );
        assert_eq!(deployment.checks_passed.len(), 7);
        assert!(deployment.checks_not_passed.is_empty());
        assert_eq!(deployment.emergency_override, None);
        // The trainee's review is part of the run's defining commands.
        let replayed = Sim::replay(
            scenario::builtin("pipeline-release").unwrap(),
            1,
            sim.commands(),
        );
        assert_eq!(replayed.audit().head(), sim.audit().head());
    }

    fn production_rules(sim: &Sim) -> engine::pipeline::environments::EnvironmentSpec {
        sim.pipeline().unwrap().rules.environments["production"].clone()
    }

    fn update(rules: engine::pipeline::environments::EnvironmentSpec) -> Command {
        Command::UpdateProtectionRules {
            rules,
            login: "root".to_string(),
        }
    }

    /// The REST API's objections, each with the field; a refused change changes nothing.
    #[test]
    fn protection_rule_changes_are_checked_like_the_rest_api() {
        let mut sim = Sim::new(scenario::builtin("pipeline-release").unwrap(), 1);
        let before = production_rules(&sim);
        let with = |change: &dyn Fn(&mut engine::pipeline::environments::EnvironmentSpec)| {
            let mut rules = before.clone();
            change(&mut rules);
            rules
        };
        let table: Vec<(engine::pipeline::environments::EnvironmentSpec, &str)> = vec![
            (
                with(&|r| r.reviewers.clear()),
                "prevent_self_review: Required reviewers must have at least one reviewer to set prevent_self_review",
            ),
            (
                with(&|r| r.reviewers = (1..=7).map(|i| format!("user{i}")).collect()),
                "reviewers: 7 given; an environment can require at most 6 users or teams",
            ),
            (
                with(&|r| r.wait_timer_min = 43_201),
                "wait_timer: 43201 minutes; it must be between 0 and 43200 (30 days)",
            ),
            (
                with(&|r| r.name = "prod".to_string()),
                "there is no environment \"prod\"; this repository has production, staging",
            ),
            (
                before.clone(),
                "the protection rules of production are unchanged",
            ),
        ];
        let head = sim.audit().head().to_string();
        for (rules, message) in table {
            let error = sim.apply(update(rules)).unwrap_err().to_string();
            assert!(error.contains(message), "{error}");
        }
        assert_eq!(production_rules(&sim), before);
        assert_eq!(sim.audit().head(), head, "refusals leave no record");
    }

    /// Dropping the reviewers and setting a 5-minute wait timer: the next deployment waits five
    /// minutes, then goes ahead without a review; the change is audited in GitHub's words.
    #[test]
    fn changed_protection_rules_apply_to_the_next_deployment() {
        let mut world = scenario::builtin("pipeline-release").unwrap();
        world.schedule.clear();
        let mut sim = Sim::new(world, 1);
        let mut rules = production_rules(&sim);
        rules.reviewers.clear();
        rules.prevent_self_review = false;
        rules.wait_timer_min = 5;
        sim.apply(update(rules)).unwrap();
        let record = sim.audit().records().last().unwrap().clone();
        assert_eq!(
            (
                record.action.as_str(),
                record.person.as_str(),
                record.environment.as_str()
            ),
            ("environment.update_protection_rule", "root", "production")
        );
        assert_eq!(
            record.reason,
            "root changed the protection rules of production: required reviewers alice, bob → none; prevent self-review on → off; wait timer 0 → 5 min"
        );
        sim.apply(super::concurrency_in_the_simulation::push())
            .unwrap();
        sim.run_to_end();
        let log = actions(&sim);
        assert!(
            !log.iter()
                .any(|(a, _, _)| a == "workflows.approve_workflow_job"),
            "nobody had to approve"
        );
        let records = sim.audit().records();
        let created = records
            .iter()
            .find(|r| r.action == "deployment.created" && r.environment == "production")
            .unwrap();
        let started = records
            .iter()
            .find(|r| {
                r.action == "deployment_status.created"
                    && r.environment == "production"
                    && r.reason.contains("state in_progress")
            })
            .unwrap();
        assert!(
            (300..=302).contains(&(started.tick.0 - created.tick.0)),
            "waited {} s",
            started.tick.0 - created.tick.0
        );
        assert_eq!(sim.outcome().result, "promoted");
        let replayed = Sim::replay(
            {
                let mut world = scenario::builtin("pipeline-release").unwrap();
                world.schedule.clear();
                world
            },
            1,
            sim.commands(),
        );
        assert_eq!(replayed.audit().head(), sim.audit().head());
    }

    fn hours(days: [bool; 7], start_minute: u32, end_minute: u32) -> Command {
        Command::UpdateDeploymentWindows {
            days,
            start_minute,
            end_minute,
            login: "trainee".to_string(),
        }
    }

    const WEEKDAYS: [bool; 7] = [true, true, true, true, true, false, false];

    /// Business hours changed live: a refused change changes nothing; closing at 14:05 on a
    /// Tuesday blocks the production job that arrives at 14:09 until Wednesday 09:00.
    #[test]
    fn changed_business_hours_hold_the_next_deployment() {
        let mut world = scenario::builtin("pipeline-release").unwrap();
        world.schedule.clear();
        let mut sim = Sim::new(world, 1);
        for (command, problem) in [
            (
                hours([false; 7], 540, 1_080),
                "deployment window: pick at least one day",
            ),
            (
                hours(WEEKDAYS, 1_080, 540),
                "the hours must start before they end within one day, not 18:00–09:00",
            ),
            (
                hours(WEEKDAYS, 540, 1_080),
                "the deployment window of production is unchanged",
            ),
        ] {
            let error = sim.apply(command).unwrap_err().to_string();
            assert!(error.contains(problem), "{error}");
        }
        sim.apply(hours(WEEKDAYS, 540, 14 * 60 + 5)).unwrap();
        let record = sim.audit().records().last().unwrap();
        assert_eq!(record.action, "deployment_window.update");
        assert_eq!(
            record.reason,
            "trainee changed the business hours of production: Mon–Fri 09:00–18:00 UTC → Mon–Fri 09:00–14:05 UTC"
        );
        sim.apply(super::concurrency_in_the_simulation::push())
            .unwrap();
        let blocked = sim.run_to_decision(3_600).unwrap();
        assert_eq!(
            (blocked.action.as_str(), blocked.outcome.as_str()),
            ("deployment.created", "blocked")
        );
        assert!(
            blocked.reason.contains("Wednesday 09:00 UTC"),
            "{}",
            blocked.reason
        );
    }

    /// Cancelling a run whose production job handed over to the strategy: the deployment ends
    /// in failure, the pipeline stops waiting for the rollout, and the rollout goes on.
    #[test]
    fn cancelling_a_run_mid_rollout_lets_the_rollout_go_on() {
        let mut sim = Sim::new(scenario::builtin("pipeline-release").unwrap(), 1);
        sim.run_to_decision(3_600).expect("production waits");
        sim.apply(review("production", "bob", true, "go")).unwrap();
        sim.advance(60);
        assert!(sim.pipeline().unwrap().deploying.is_some());
        sim.apply(Command::CancelWorkflowRun { run: 1 }).unwrap();
        let state = sim.pipeline().unwrap();
        assert_eq!(state.deploying, None);
        assert_eq!(
            state.runs[0].conclusion.map(|c| c.label()),
            Some("cancelled")
        );
        let status = sim
            .audit()
            .records()
            .iter()
            .rev()
            .find(|r| r.action == "deployment_status.created")
            .unwrap();
        assert_eq!(
            (status.outcome.as_str(), status.reason.as_str()),
            (
                "failure",
                "run #1 deploy-production: state failure (the run was cancelled; the rollout it started goes on without the pipeline)"
            )
        );
        sim.run_to_end();
        assert_eq!(
            sim.outcome().result,
            "promoted",
            "the rollout itself finished"
        );
    }

    /// A pull request runs on its merge ref: the course's deploy jobs (`github.ref ==
    /// 'refs/heads/main'`) are skipped, and a job that deploys anyway meets production's branch
    /// policy with GitHub's message.
    #[test]
    fn a_pull_request_runs_on_its_merge_ref_and_does_not_deploy() {
        let mut world = scenario::builtin("pipeline-release").unwrap();
        world.schedule.clear();
        let mut sim = Sim::new(world.clone(), 1);
        sim.apply(crate::on_main("pull_request")).unwrap();
        sim.advance(1_800);
        let run = &sim.pipeline().unwrap().runs[0];
        assert_eq!(run.trigger.ref_label(), "1/merge into main");
        let status = |job: &str| {
            run.job(job)
                .map(|j| format!("{:?}", j.status))
                .unwrap_or_default()
        };
        assert!(
            status("unit-tests").contains("Success"),
            "{}",
            status("unit-tests")
        );
        assert!(
            status("deploy-staging").contains("Skipped"),
            "{}",
            status("deploy-staging")
        );
        assert!(
            status("deploy-production").contains("Skipped"),
            "{}",
            status("deploy-production")
        );
        // Without the job's condition, production's policy (main, release/*, v* tags) refuses it.
        let pipeline = world.pipeline.as_mut().unwrap();
        for job in &mut pipeline.workflow.jobs {
            job.condition = None;
        }
        let mut sim = Sim::new(world, 1);
        sim.apply(crate::on_main("pull_request")).unwrap();
        sim.advance(1_800);
        let refused = sim
            .audit()
            .records()
            .iter()
            .find(|r| r.action == "workflow_job.completed" && r.environment == "production")
            .unwrap();
        assert!(
            refused
                .reason
                .contains("Branch \"1/merge\" is not allowed to deploy to production due to environment protection rules."),
            "{}",
            refused.reason
        );
    }

    #[test]
    fn a_simulated_reviewer_approves_in_their_own_time() {
        let mut sim = Sim::new(scenario::builtin("pipeline-release").unwrap(), 2);
        sim.run_to_end();
        let approval = sim
            .audit()
            .records()
            .iter()
            .find(|r| r.action == "workflows.approve_workflow_job")
            .unwrap();
        assert_eq!(approval.person, "alice");
        let waited_from = sim
            .audit()
            .records()
            .iter()
            .find(|r| r.action == "deployment.created")
            .unwrap()
            .tick;
        assert!(approval.tick.0 > waited_from.0 + 60, "alice takes a while");
        assert_eq!(sim.outcome().result, "promoted");
    }

    #[test]
    fn a_red_error_budget_freezes_production_until_an_emergency_fix_with_a_reason() {
        let mut sim = Sim::new(scenario::builtin("pipeline-budget-freeze").unwrap(), 1);
        sim.run_to_end();
        let refused = sim
            .audit()
            .records()
            .iter()
            .find(|r| r.action == "workflow_job.completed" && r.outcome == "failure")
            .unwrap();
        assert!(
            refused.reason.contains(
                "deploy-production failure: Deployment freeze: the error budget policy is red"
            ),
            "{}",
            refused.reason
        );
        assert_eq!(sim.outcome().result, "no_rollout");

        let dispatch = |reason: Option<&str>| Command::TriggerWorkflow {
            event: "workflow_dispatch".to_string(),
            branch: "main".to_string(),
            login: "dana".to_string(),
            inputs: Default::default(),
            emergency_reason: reason.map(str::to_string),
            skip_tests: true,
        };
        let error = sim.apply(dispatch(Some("   "))).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("an emergency override needs a written reason"),
            "{error}"
        );
        sim.apply(dispatch(Some(
            "Checkout fails for every customer paying by card",
        )))
        .unwrap();
        let waiting = sim
            .run_to_decision(3_600)
            .expect("production waits for a reviewer");
        assert_eq!(waiting.action, "deployment.created");
        sim.apply(review("production", "bob", true, "emergency fix"))
            .unwrap();
        sim.run_to_end();
        let records = sim.audit().records();
        let created = records
            .iter()
            .rev()
            .find(|r| r.action == "workflows.created_workflow_run")
            .unwrap();
        assert_eq!(created.outcome, "overridden");
        assert!(created.reason.contains(
            "EMERGENCY OVERRIDE (tests skipped): Checkout fails for every customer paying by card"
        ));
        assert!(records.iter().any(|r| {
            r.action == "workflow_job.completed"
                && r.reason
                    .contains("unit-tests skipped: skipped by the emergency override")
        }));
        assert_eq!(sim.outcome().result, "promoted");
        let deployments = &sim.pipeline().unwrap().deployments;
        assert!(
            deployments.last().unwrap().rework,
            "an emergency fix is unplanned work"
        );
        let report = engine::pipeline::auditor::production_deployments(
            sim.pipeline().unwrap(),
            "production",
        );
        assert_eq!(report.len(), 2, "the refused deployment is listed too");
        assert!(
            report[0].result.starts_with("failure: Deployment freeze"),
            "{}",
            report[0].result
        );
        assert!(
            sim.audit().records().iter().any(|r| r.reason.contains("smoke-tests skipped: skipped: earlier job integration-tests, unit-tests did not succeed, and success() looks at every job before this one")),
            "the smoke tests say why they were skipped"
        );
        assert_eq!(
            report[1].emergency_override.as_deref(),
            Some(
                "EMERGENCY OVERRIDE (tests skipped): Checkout fails for every customer paying by card"
            )
        );
        assert!(
            report[1]
                .checks_not_passed
                .contains(&"unit-tests (skipped)".to_string()),
            "{:?}",
            report[1].checks_not_passed
        );
    }
}

mod alerts_in_the_simulation {
    use engine::world::fault::{FaultKind, FaultTarget};
    use engine::{Command, Sim, scenario};

    #[test]
    fn a_bad_build_fires_alerts_that_are_acknowledged_and_resolve_when_cleared() {
        let mut sim = Sim::new(scenario::builtin("pipeline-release").unwrap(), 1);
        sim.advance(120);
        sim.apply(Command::InjectFault {
            fault: FaultKind::BadBuild {
                error_rate_bp: 2_000,
            },
            target: FaultTarget {
                environment: "production".to_string(),
                service: None,
                version: None,
                zone: None,
            },
            duration_s: None,
        })
        .unwrap();
        let injected_at = sim.now().0;
        // The error-rate rule fires after its minute; the fast burn rule once five minutes of
        // data show the budget burning.
        let fired = sim
            .run_to_decision(600)
            .expect("the error-rate alert fires");
        assert_eq!(fired.action, "alert.firing");
        assert!(
            fired.tick.0 >= injected_at + 60,
            "HighErrorRate waits its `for` of 1 min"
        );
        assert!(
            fired
                .reason
                .starts_with("incident #1: [CRITICAL] HighErrorRate in production: error rate"),
            "{}",
            fired.reason
        );
        assert_eq!(fired.outcome, "firing");
        let burn = sim.run_to_decision(600).expect("the budget burns");
        assert!(
            burn.reason
                .starts_with("incident #2: [CRITICAL] ErrorBudgetFastBurn"),
            "{}",
            burn.reason
        );
        let channels: Vec<String> = sim
            .pipeline()
            .unwrap()
            .alerts
            .feed
            .iter()
            .map(|n| n.channel.clone())
            .collect();
        assert_eq!(
            channels,
            [
                "Slack #deploys",
                "PagerDuty checkout-oncall",
                "PagerDuty checkout-oncall",
                "Discord #sre"
            ]
        );
        let acknowledge = || Command::AcknowledgeIncident {
            incident: 1,
            login: "bob".to_string(),
        };
        sim.apply(acknowledge()).unwrap();
        assert!(sim.apply(acknowledge()).is_err(), "once");
        sim.apply(Command::ClearFault { fault_id: 0 }).unwrap();
        sim.advance(180);
        let records = sim.audit().records();
        let ack = records
            .iter()
            .find(|r| r.action == "alert.acknowledged")
            .unwrap();
        assert_eq!(ack.person, "bob");
        let resolved = records
            .iter()
            .find(|r| r.action == "alert.resolved" && r.reason.contains("HighErrorRate"))
            .expect("it clears");
        assert_eq!(resolved.actor.label(), "monitor");
        let incident = &sim.pipeline().unwrap().alerts.incidents[0];
        assert_eq!(incident.timeline.len(), 3, "{:?}", incident.timeline);
    }
}

mod secrets_in_the_simulation {
    use engine::{Command, Sim, scenario};

    /// `world` run to its production review, approved by bob, and run to the end.
    fn approved_by_bob(world: scenario::Scenario) -> Sim {
        let mut sim = Sim::new(world, 1);
        sim.run_to_decision(3_600).unwrap();
        sim.apply(approve_as_bob("production", "")).unwrap();
        sim.run_to_end();
        sim
    }

    fn approve_as_bob(environment: &str, comment: &str) -> Command {
        Command::ReviewDeployment {
            environment: environment.to_string(),
            reviewer: "bob".to_string(),
            approve: true,
            comment: comment.to_string(),
        }
    }

    fn production_job(sim: &Sim) -> String {
        sim.audit()
            .records()
            .iter()
            .filter(|r| r.action == "workflow_job.completed")
            .map(|r| r.reason.clone())
            .find(|r| r.contains("deploy-production") || r.contains("deploy-staging failure"))
            .unwrap_or_default()
    }

    #[test]
    fn a_missing_or_expired_secret_fails_one_environment_only_and_rotation_mends_it() {
        // Production's endpoint secret removed: staging deploys, production fails.
        let mut world = scenario::builtin("pipeline-release").unwrap();
        let pipeline = world.pipeline.as_mut().unwrap();
        pipeline
            .secrets
            .secrets
            .retain(|s| s.name != "PROD_ENDPOINT");
        let sim = approved_by_bob(world);
        let records = sim.audit().records();
        assert!(
            records
                .iter()
                .any(|r| r.reason.contains("deploy-staging success"))
        );
        assert!(
            production_job(&sim).contains("deploy-production failure: Error: secret PROD_ENDPOINT is not set for the repository or the production environment"),
            "{}",
            production_job(&sim)
        );
        assert_eq!(sim.outcome().result, "no_rollout");

        // The same secret expired before the run: rotating it lets a new run through.
        let mut world = scenario::builtin("pipeline-release").unwrap();
        let start = world.start_unix_s;
        let pipeline = world.pipeline.as_mut().unwrap();
        for secret in &mut pipeline.secrets.secrets {
            if secret.name == "PROD_ENDPOINT" {
                secret.expires_s = Some(start);
            }
        }
        let mut sim = approved_by_bob(world);
        assert!(
            production_job(&sim).contains(
                "secret PROD_ENDPOINT of production expired at 2026-03-10T14:00:00Z; rotate it"
            ),
            "{}",
            production_job(&sim)
        );
        sim.apply(Command::RotateSecret {
            name: "PROD_ENDPOINT".to_string(),
            environment: Some("production".to_string()),
            login: "bob".to_string(),
        })
        .unwrap();
        let rotated = sim.audit().records().last().unwrap().clone();
        assert_eq!(rotated.action, "environment.update_actions_secret");
        assert!(rotated.reason.contains("(value ***)"), "{}", rotated.reason);
        sim.apply(Command::RerunFailedJobs { run: 1 }).unwrap();
        // The re-run reaches production within a second (its concurrency group lets it in)
        // and waits for a review again.
        let waiting = sim.run_to_decision(60).expect("production waits again");
        assert_eq!(waiting.action, "deployment.created");
        sim.apply(approve_as_bob("production", "after rotation"))
            .unwrap();
        sim.run_to_end();
        assert_eq!(sim.outcome().result, "promoted");
        // No secret value is in the audit trail or its export.
        let export = engine::audit::export::to_csv(sim.audit().records(), sim.audit().head());
        for secret in &sim.pipeline().unwrap().secrets.secrets {
            assert!(!export.contains(&secret.value), "{} leaked", secret.name);
        }
    }
}

mod migrations_in_the_pipeline {
    use engine::version::SchemaMigration;
    use engine::{Sim, scenario};

    fn migration_note(migration: SchemaMigration) -> (String, String) {
        let mut world = scenario::builtin("pipeline-release").unwrap();
        world.versions.last_mut().unwrap().schema_migration = migration;
        let mut sim = Sim::new(world, 1);
        sim.run_to_end();
        let note = sim
            .audit()
            .records()
            .iter()
            .find(|r| {
                r.reason.starts_with("run #1: migrate-production")
                    && r.action == "workflow_job.completed"
            })
            .map(|r| r.reason.clone())
            .unwrap_or_default();
        (note, sim.outcome().result)
    }

    #[test]
    fn the_migration_step_backs_up_migrates_and_restores_on_failure() {
        let (note, result) = migration_note(SchemaMigration::Compatible);
        assert!(
            note.contains("success: backed up the database (")
                && note.contains("then applied a backward-compatible migration ("),
            "{note}"
        );
        assert_eq!(result, "promoted");
        let (note, _) = migration_note(SchemaMigration::Breaking);
        assert!(
            note.contains(
                "applied a BREAKING migration: the running version cannot read the new schema"
            ),
            "{note}"
        );
        let (note, result) = migration_note(SchemaMigration::Failing);
        assert!(
            note.contains("failure: backed up the database (")
                && note.contains(
                    "the migration failed, and the database was restored from the backup ("
                ),
            "{note}"
        );
        assert_eq!(result, "no_rollout", "production is never reached");
    }
}

mod schedules_in_the_simulation {
    use engine::pipeline::cron::CronSchedule;
    use engine::{Sim, scenario};

    /// The course's maintenance workflow runs on `0 2 * * 0`; here a half-hourly schedule
    /// starts runs at 14:00, 14:30 and 15:00 in a world that starts at 14:00 with no push.
    #[test]
    fn a_schedule_starts_runs_at_its_minutes() {
        let mut world = scenario::builtin("pipeline-release").unwrap();
        world.schedule.clear();
        let pipeline = world.pipeline.as_mut().unwrap();
        pipeline.workflow.triggers.schedules = vec![CronSchedule::parse("*/30 * * * *").unwrap()];
        // Only the jobs before production, so the runs end on their own.
        pipeline.workflow.jobs.retain(|job| {
            ["validate", "unit-tests", "integration-tests"].contains(&job.id.as_str())
        });
        let mut sim = Sim::new(world, 1);
        sim.continue_to(engine::time::Tick(3_700));
        let runs: Vec<(u64, String)> = sim
            .audit()
            .records()
            .iter()
            .filter(|r| r.action == "workflows.created_workflow_run")
            .map(|r| (r.tick.0, r.reason.clone()))
            .collect();
        assert_eq!(
            runs.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
            [0, 1_800, 3_600]
        );
        assert!(
            runs[0]
                .1
                .contains("for schedule of main (e5f2a18) by github-actions[bot]"),
            "{}",
            runs[0].1
        );
    }
}

mod concurrency_in_the_simulation {
    use engine::pipeline::concurrency::QueuePolicy;
    use engine::pipeline::workflow::ConcurrencySpec;
    use engine::{Command, Sim, scenario};

    /// The course pipeline cut to its first job, under one workflow-level group per branch.
    fn sim_with_group(queue: QueuePolicy) -> Sim {
        let mut world = scenario::builtin("pipeline-release").unwrap();
        world.schedule.clear();
        let pipeline = world.pipeline.as_mut().unwrap();
        pipeline.workflow.concurrency = Some(ConcurrencySpec {
            group: "${{ github.workflow }}-${{ github.ref }}".to_string(),
            cancel_in_progress: false,
            queue,
        });
        pipeline.workflow.jobs.retain(|job| job.id == "validate");
        let mut sim = Sim::new(world, 1);
        sim.advance(10);
        sim
    }

    fn started_at(sim: &Sim, run: u32) -> Option<u64> {
        sim.audit()
            .records()
            .iter()
            .find(|r| r.reason == format!("run #{run}: validate started"))
            .map(|r| r.tick.0)
    }

    fn finished_at(sim: &Sim, run: u32) -> u64 {
        sim.audit()
            .records()
            .iter()
            .find(|r| r.reason.starts_with(&format!("run #{run} completed")))
            .unwrap()
            .tick
            .0
    }

    fn conclusions(sim: &Sim) -> Vec<&'static str> {
        sim.pipeline()
            .unwrap()
            .runs
            .iter()
            .map(|r| r.conclusion.map_or("running", |c| c.label()))
            .collect()
    }

    pub(super) fn push() -> Command {
        crate::on_main("push")
    }

    /// One running, one pending; a newer pending run cancels the older pending one; the pending
    /// run starts when the running one ends. Group names ignore case.
    #[test]
    fn a_workflow_concurrency_group_keeps_one_running_and_one_pending() {
        let mut sim = sim_with_group(QueuePolicy::Single);
        for _ in 0..3 {
            sim.apply(push()).unwrap();
        }
        let records = sim.audit().records();
        let cancelled = records
            .iter()
            .find(|r| r.action == "workflows.cancel_workflow_run")
            .unwrap();
        assert_eq!(
            cancelled.reason,
            "run #2: Canceling since a higher priority waiting request for 'Complete CI/CD Pipeline-refs/heads/main' exists"
        );
        assert!(records.iter().any(|r| r.action == "workflow_run.pending" && r.reason.starts_with("run #3 waits")));
        sim.advance(600);
        assert_eq!(conclusions(&sim), ["success", "cancelled", "success"]);
        assert_eq!(
            started_at(&sim, 3),
            Some(finished_at(&sim, 1)),
            "run #3 starts when run #1 ends"
        );
        let with_sha = sim
            .audit()
            .records()
            .iter()
            .filter(|r| r.action.starts_with("workflow"))
            .all(|r| r.commit_sha == "e5f2a18");
        assert!(with_sha, "pipeline records carry the release's commit");
    }

    /// `queue: max`: nobody is replaced; the waiting runs start one after another, in the order
    /// they began waiting.
    #[test]
    fn queue_max_runs_every_push_in_order() {
        let mut sim = sim_with_group(QueuePolicy::Max);
        for _ in 0..4 {
            sim.apply(push()).unwrap();
        }
        assert!(
            !sim.audit()
                .records()
                .iter()
                .any(|r| r.action == "workflows.cancel_workflow_run")
        );
        sim.advance(1_200);
        assert_eq!(
            conclusions(&sim),
            ["success", "success", "success", "success"]
        );
        for run in 2..=4 {
            assert_eq!(
                started_at(&sim, run),
                Some(finished_at(&sim, run - 1)),
                "run #{run} starts when run #{} ends",
                run - 1
            );
        }
    }
}

mod error_budget_in_the_simulation {
    use engine::world::fault::{FaultKind, FaultTarget};
    use engine::{Command, Sim, scenario};

    fn spent_after(fault: FaultKind, seconds: u64) -> u64 {
        let mut world = scenario::builtin("pipeline-release").unwrap();
        world.schedule.clear();
        let mut sim = Sim::new(world, 1);
        let before = sim.pipeline().unwrap().budget_spent_s;
        sim.apply(Command::InjectFault {
            fault,
            target: FaultTarget {
                environment: "production".to_string(),
                service: None,
                version: None,
                zone: None,
            },
            duration_s: Some(seconds as u32),
        })
        .unwrap();
        sim.continue_to(engine::time::Tick(seconds + 120));
        sim.pipeline().unwrap().budget_spent_s - before
    }

    /// Downtime spends the budget in full; slowness counts half, and only from 15 minutes on.
    #[test]
    fn downtime_counts_in_full_and_slowness_half_after_fifteen_minutes() {
        let outage = spent_after(FaultKind::RegionOutage, 300);
        assert!(
            (290..=420).contains(&outage),
            "a 5-minute outage spent {outage} s"
        );
        let slow = |seconds| {
            spent_after(
                FaultKind::SlowBuild {
                    latency_factor_per_mille: 20_000,
                },
                seconds,
            )
        };
        assert_eq!(
            slow(600),
            0,
            "10 minutes of slowness is under the 15-minute rule"
        );
        let twenty = slow(1_200);
        assert!(
            (500..=700).contains(&twenty),
            "20 minutes slow spent {twenty} s, about half"
        );
    }
}

mod latency_slo_in_the_simulation {
    use engine::time::Tick;
    use engine::world::fault::{FaultKind, FaultTarget};
    use engine::{Command, Sim, scenario};

    /// The pipeline scenario with every version slow at rest (median 1.5 s, σ 0.3), so about
    /// a sixth to a quarter of its requests are over 2 s; `every_second` turns quiet minutes
    /// off.
    fn slow_service_share_ppm(every_second: bool) -> (u32, u64) {
        let mut world = scenario::builtin("pipeline-release").unwrap();
        world.schedule.clear();
        world.every_second = every_second;
        for version in &mut world.versions {
            version.latency_p50_ms = 1_500;
            version.latency_sigma_milli = 300;
        }
        let mut sim = Sim::new(world, 7);
        sim.continue_to(Tick(3 * 3_600));
        let status = sim.latency_slo().unwrap();
        assert!(status.answered > 0);
        (1_000_000 - status.fast_ppm(), sim.minutes_written_whole())
    }

    /// Quiet minutes written whole count slow requests as stepping second by second does.
    #[test]
    fn slow_requests_count_the_same_in_quiet_minutes_and_second_by_second() {
        let (stepped, whole_when_stepped) = slow_service_share_ppm(true);
        let (batched, whole) = slow_service_share_ppm(false);
        assert_eq!(whole_when_stepped, 0);
        assert!(whole > 60, "{whole} minutes written whole");
        for share in [stepped, batched] {
            assert!(
                (150_000..=250_000).contains(&share),
                "slow share {share} ppm"
            );
        }
        assert!(
            stepped.abs_diff(batched) < 20_000,
            "stepped {stepped} ppm, batched {batched} ppm"
        );
    }

    /// A 20-minute slowdown breaks the latency SLO for a short run, and its spell passes the
    /// 15 minutes after which it spends the availability budget.
    #[test]
    fn a_slow_build_spends_the_latency_budget() {
        let mut world = scenario::builtin("pipeline-release").unwrap();
        world.schedule.clear();
        let mut sim = Sim::new(world, 1);
        sim.continue_to(Tick(600));
        let before = sim.latency_slo().unwrap();
        assert_eq!(before.slow, 0, "a healthy service has no 2 s requests");
        assert!(before.met() && before.p95_now_ms < 2_000);
        sim.apply(Command::InjectFault {
            fault: FaultKind::SlowBuild {
                latency_factor_per_mille: 20_000,
            },
            target: FaultTarget {
                environment: "production".to_string(),
                service: None,
                version: None,
                zone: None,
            },
            duration_s: Some(1_200),
        })
        .unwrap();
        sim.continue_to(Tick(600 + 1_000));
        let during = sim.latency_slo().unwrap();
        assert!(during.p95_now_ms > 2_000);
        assert!(during.spends_availability_budget(), "{during:?}");
        assert!(!during.met(), "{during:?}");
        assert!(during.remaining_ppm() < 0);
        sim.continue_to(Tick(600 + 1_200 + 120));
        let after = sim.latency_slo().unwrap();
        assert!(after.p95_now_ms < 2_000);
        assert_eq!(after.slow_streak_s, 0);
        assert!(after.slow >= during.slow);
    }

    /// A ten-minute region outage in an hour fails availability, error rate and success rate
    /// on the course's dashboard; the latency of the answered requests still passes.
    #[test]
    fn the_slo_dashboard_after_an_outage() {
        let mut world = scenario::builtin("pipeline-release").unwrap();
        world.schedule.clear();
        let mut sim = Sim::new(world, 3);
        let healthy = sim.slo_report().unwrap();
        assert!(healthy.objectives.iter().all(|o| o.pass), "{healthy:?}");
        sim.apply(Command::InjectFault {
            fault: FaultKind::RegionOutage,
            target: FaultTarget {
                environment: "production".to_string(),
                service: None,
                version: None,
                zone: None,
            },
            duration_s: Some(600),
        })
        .unwrap();
        sim.continue_to(Tick(3_600));
        let report = sim.slo_report().unwrap();
        let verdicts: Vec<(&str, bool)> = report
            .objectives
            .iter()
            .map(|o| (o.name.as_str(), o.pass))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("availability", false),
                ("latency", true),
                ("error_rate", false),
                ("success_rate", false)
            ]
        );
        assert!(
            report.objectives[0].detail.starts_with("10 min"),
            "{}",
            report.objectives[0].detail
        );
        let json = engine::report::RunReport::of(&sim).to_json();
        assert!(json.contains("\"slos\"") && json.contains("\"error_rate\""));
    }
}

mod job_concurrency_in_the_simulation {
    use engine::{Command, Sim, scenario};

    /// The course's production job is in the group `deploy-production`: a second run's
    /// production job waits until the first run's has finished, while its other jobs run.
    #[test]
    fn a_second_production_job_waits_for_the_first() {
        let mut world = scenario::builtin("pipeline-release").unwrap();
        world.schedule.clear();
        let mut sim = Sim::new(world, 1);
        let push = super::concurrency_in_the_simulation::push;
        sim.apply(push()).unwrap();
        sim.advance(30);
        sim.apply(push()).unwrap();
        sim.run_to_decision(3_600)
            .expect("run #1 waits for a reviewer");
        sim.advance(120);
        let queued = sim
            .audit()
            .records()
            .iter()
            .find(|r| r.action == "workflow_job.queued")
            .expect("run #2's production job queues");
        assert_eq!(
            queued.reason,
            "run #2: deploy-production waits for concurrency group 'deploy-production'"
        );
        let review = |who: &str| Command::ReviewDeployment {
            environment: "production".to_string(),
            reviewer: who.to_string(),
            approve: true,
            comment: String::new(),
        };
        sim.apply(review("bob")).unwrap();
        // Run #1 deploys and monitors; then run #2's production job leaves the queue.
        let mut left_queue = None;
        for _ in 0..200 {
            sim.advance(30);
            left_queue = sim
                .audit()
                .records()
                .iter()
                .find(|r| r.action == "workflow_job.in_progress")
                .map(|r| (r.tick.0, r.reason.clone()));
            if left_queue.is_some() {
                break;
            }
        }
        let (at, reason) = left_queue.expect("the group lets run #2 in");
        assert_eq!(
            reason,
            "run #2: deploy-production leaves the queue of 'deploy-production'"
        );
        let first_done = sim
            .audit()
            .records()
            .iter()
            .find(|r| {
                r.reason
                    .starts_with("run #1 deploy-production: state success")
            })
            .unwrap()
            .tick
            .0;
        assert_eq!(
            at, first_done,
            "the group admits the next job as the first finishes"
        );
    }
}
