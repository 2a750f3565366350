//! The course's workflows (002, appendices C and G) import with their jobs, needs, conditions,
//! environments and triggers; unsupported keys become warnings; bad files are refused with the
//! path and the reason.

use engine::pipeline::concurrency::QueuePolicy;
use engine::pipeline::environments::GitRef;
use engine::pipeline::run::{JobResult, JobStatus, RunSettings, Trigger, WorkflowRun};
use engine::pipeline::triggers::RefFilter;
use engine::pipeline::workflow_import::import_workflow;
use yaml_rust2::YamlLoader;

fn load(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/workflows/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn import(text: &str) -> Result<engine::pipeline::workflow_import::ImportedWorkflow, Vec<String>> {
    let documents = YamlLoader::load_from_str(text).map_err(|e| vec![e.to_string()])?;
    import_workflow(&documents[0], "workflow.yml")
}

#[test]
fn the_complete_pipeline_imports_as_its_job_graph() {
    let imported = import(&load("complete-pipeline.yml")).unwrap();
    let workflow = &imported.workflow;
    assert_eq!(workflow.name, "Complete CI/CD Pipeline");
    assert_eq!(
        workflow.triggers.push,
        Some(RefFilter::branches(&["develop", "main"]))
    );
    assert_eq!(
        workflow.triggers.pull_request,
        Some(RefFilter::branches(&["main"]))
    );
    let graph: Vec<(String, Vec<String>)> = workflow
        .jobs
        .iter()
        .map(|j| (j.id.clone(), j.needs.clone()))
        .collect();
    let expected: Vec<(&str, Vec<&str>)> = vec![
        ("validate", vec![]),
        ("unit-tests", vec!["validate"]),
        ("integration-tests", vec!["validate"]),
        ("quality-gate", vec!["unit-tests", "integration-tests"]),
        ("deploy-staging", vec!["quality-gate"]),
        ("deploy-production", vec!["deploy-staging"]),
    ];
    assert_eq!(
        graph,
        expected
            .iter()
            .map(|(id, needs)| (
                id.to_string(),
                needs.iter().map(|n| n.to_string()).collect()
            ))
            .collect::<Vec<_>>()
    );
    let production = workflow.job("deploy-production").unwrap();
    assert_eq!(
        production.condition.as_deref(),
        Some("github.ref == 'refs/heads/main'")
    );
    assert_eq!(production.environment.as_ref().unwrap().name, "production");
    assert_eq!(production.steps.len(), 6);
    assert_eq!(
        production.steps[1].run.as_deref(),
        Some("./scripts/deploy-blue-green.sh")
    );
    assert_eq!(production.steps[4].condition.as_deref(), Some("success()"));
    assert_eq!(
        workflow.job("unit-tests").unwrap().steps[0].uses.as_deref(),
        Some("actions/checkout@v4")
    );
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
}

#[test]
fn appendix_c_workflows_import_with_their_inputs() {
    let blue_green = import(&load("blue-green-deployment.yml")).unwrap().workflow;
    let inputs = blue_green.triggers.workflow_dispatch.as_ref().unwrap();
    assert_eq!(inputs[0].name, "target_slot");
    assert_eq!(inputs[0].kind, "choice");
    assert_eq!(inputs[0].options, ["blue", "green"]);
    assert!(inputs[0].required);
    assert_eq!(
        blue_green.job("switch-traffic").unwrap().needs,
        ["deploy-to-inactive-slot"]
    );

    let canary = import(&load("canary-deployment.yml")).unwrap().workflow;
    let rollback = canary.job("rollback").unwrap();
    assert_eq!(rollback.condition.as_deref(), Some("failure()"));
    assert_eq!(rollback.needs.len(), 4);
}

/// Runs the imported complete pipeline with nothing flaky: on main every job succeeds; on a
/// feature branch (a push the workflow would not even start for) the deploy jobs are skipped.
#[test]
fn the_imported_pipeline_runs() {
    let mut workflow = import(&load("complete-pipeline.yml")).unwrap().workflow;
    for job in &mut workflow.jobs {
        job.simulation.flaky_bp = 0;
    }
    for (branch, production) in [
        ("main", JobResult::Success),
        ("develop", JobResult::Skipped),
    ] {
        let trigger = Trigger {
            event: "push".to_string(),
            git_ref: GitRef {
                name: branch.to_string(),
                tag: false,
                protected: true,
            },
            sha: "abc1234".to_string(),
            actor: "dana".to_string(),
            inputs: Default::default(),
            emergency: None,
            base_ref: None,
        };
        let mut run = WorkflowRun::new(1, workflow.clone(), trigger, 0);
        let settings = RunSettings {
            seed: 5,
            rollout_environment: "none",
            ..RunSettings::default()
        };
        let mut now = 0;
        while run.conclusion.is_none() && now < 100_000 {
            run.advance(now, &settings);
            now += 1;
        }
        assert_eq!(run.conclusion, Some(JobResult::Success), "{branch}");
        assert!(
            matches!(run.job("deploy-production").unwrap().status, JobStatus::Completed { result, .. } if result == production),
            "{branch}"
        );
    }
}

#[test]
fn bad_workflows_are_refused_with_the_path() {
    let table = [
        (
            "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n  deploy:\n    needs: buld\n",
            "jobs.deploy.needs: Job 'deploy' depends on unknown job 'buld'.",
        ),
        (
            "on: push\njobs:\n  a:\n    needs: b\n  b:\n    needs: a\n",
            "which creates a cycle in the dependency graph.",
        ),
        (
            "on:\n  schedule:\n    - cron: '0 25 * * *'\njobs:\n  a:\n    runs-on: x\n",
            "on.schedule[0].cron: cron \"0 25 * * *\": hour \"25\": 25 is outside 0-23",
        ),
        (
            "jobs:\n  a:\n    runs-on: x\n",
            "on: the workflow has no `on`",
        ),
        ("on: push\njobs: {}\n", "jobs: No jobs defined in `jobs`"),
        (
            "on: push\njobs:\n  a:\n    if: github.ref == \"main\"\n",
            "jobs.a.if: \"github.ref == \"main\"\": strings use single quotes",
        ),
        (
            "on: push\nconcurrency:\n  group: deploy\n  queue: max\n  cancel-in-progress: true\njobs:\n  a:\n    runs-on: x\n",
            "concurrency: queue: max cannot be used with cancel-in-progress: true",
        ),
        (
            "on: push\njobs:\n  a:\n    runs-on: x\n    concurrency:\n      group: deploy\n      queue: all\n",
            "jobs.a.concurrency.queue: must be single or max, not all",
        ),
        (
            "on: push\njobs:\n  a:\n    runs-on: x\n    concurrency:\n      group: deploy\n      cancel-in-progres: true\n",
            "jobs.a.concurrency.cancel-in-progres: unexpected key",
        ),
        (
            "on:\n  push:\n    branches: [main]\n    branches-ignore: [docs/**]\njobs:\n  a:\n    runs-on: x\n",
            "on.push: you may only define one of branches and branches-ignore for a single event",
        ),
    ];
    for (text, message) in table {
        let problems = import(text).unwrap_err();
        assert!(
            problems.iter().any(|p| p.contains(message)),
            "{text}\n{problems:?}"
        );
    }
}

#[test]
fn concurrency_reads_group_cancel_in_progress_and_queue() {
    let text = "on: push\nconcurrency:\n  group: deploy-${{ github.ref }}\n  queue: max\njobs:\n  a:\n    runs-on: x\n    concurrency: db\n  b:\n    runs-on: x\n    concurrency:\n      group: ci\n      cancel-in-progress: true\n";
    let workflow = import(text).unwrap().workflow;
    let policy = workflow.concurrency.as_ref().unwrap().policy();
    assert_eq!(
        (policy.queue, policy.cancel_in_progress),
        (QueuePolicy::Max, false)
    );
    let job_policies: Vec<_> = workflow
        .jobs
        .iter()
        .map(|j| {
            let c = j.concurrency.as_ref().unwrap();
            (c.group.as_str(), c.queue, c.cancel_in_progress)
        })
        .collect();
    assert_eq!(
        job_policies,
        [
            ("db", QueuePolicy::Single, false),
            ("ci", QueuePolicy::Single, true)
        ]
    );
}

#[test]
fn unsupported_keys_are_warnings() {
    let text = "on:\n  push:\n    paths: ['src/**']\n  release:\npermissions: read-all\nx-base: &base\n  runs-on: ubuntu-latest\njobs:\n  build:\n    <<: *base\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        node: [18, 20]\n    services:\n      db:\n        image: postgres\n    retry: 2\n    steps:\n      - run: make\n        retries: 3\n";
    let imported = import(text).unwrap();
    assert_eq!(
        imported.warnings,
        [
            "permissions: read but not simulated",
            "x-base: not a workflow key the simulator knows; ignored",
            "on.push.paths: read but not simulated: every push is taken to change a file the filter lets through",
            "on.release: this event is not simulated; the run starts from push, pull_request, workflow_dispatch or schedule",
            "jobs.build.<<: a YAML merge key; GitHub Actions takes anchors and aliases but not merge keys, so the merged keys are ignored",
            "jobs.build.strategy: a matrix job runs once here, not once per combination",
            "jobs.build.services: read but not simulated",
            "jobs.build.retry: not a job key GitHub Actions knows (it would refuse the file); ignored",
            "jobs.build.steps[0].retries: read but not simulated",
        ]
    );
}

/// `dojo run --import` and the app's loader take a workflow file and run it in the simulated
/// world: the course's pipeline pushes to main and ends with the canary in production.
#[test]
fn a_workflow_file_imports_as_a_scenario_and_runs_to_production() {
    let imported = engine::import::import(&load("complete-pipeline.yml")).unwrap();
    assert_eq!(imported.kind, "GitHub Actions workflow");
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.starts_with("steps are shown, not executed"))
    );
    let mut sim = engine::Sim::new(imported.scenario, 4);
    sim.run_to_end();
    let records = sim.audit().records();
    let created = records
        .iter()
        .find(|r| r.action == "workflows.created_workflow_run")
        .unwrap();
    assert!(
        created.reason.contains("for push of main"),
        "{}",
        created.reason
    );
    assert!(
        records
            .iter()
            .any(|r| r.action == "workflows.approve_workflow_job" && r.person == "alice")
    );
    assert!(
        records
            .iter()
            .any(|r| r.action == "deployment_status.created" && r.outcome == "success")
    );
    assert_eq!(sim.outcome().result, "promoted");
    let refused =
        engine::import::import("on: push\njobs:\n  deploy:\n    needs: build\n").unwrap_err();
    assert_eq!(
        refused.problems,
        ["jobs.deploy.needs: Job 'deploy' depends on unknown job 'build'."]
    );
}

/// A release workflow that only runs for tags (`on.push.tags: ['v*']`): the scripted push is
/// the tag v3, which production's `v*` tag policy lets deploy; a push of a branch starts nothing.
#[test]
fn a_tag_filtered_workflow_runs_for_the_release_tag_only() {
    let text = "name: Release\non:\n  push:\n    tags: ['v*']\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment:\n      name: production\n      url: https://app.example.com\n    steps:\n      - run: ./deploy.sh\n";
    let imported = engine::import::import(text).unwrap();
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.ends_with("as a push of tag v3 by dana")),
        "{:?}",
        imported.warnings
    );
    let mut sim = engine::Sim::new(imported.scenario, 1);
    let refused = sim.apply(crate::on_main("push")).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "on.push does not start this workflow: only tags are filtered, so a branch does not start it"
    );
    let dispatch = sim.apply(crate::on_main("workflow_dispatch")).unwrap_err();
    assert_eq!(
        dispatch.to_string(),
        "Workflow does not have 'workflow_dispatch' trigger"
    );
    sim.run_to_end();
    let created = sim
        .audit()
        .records()
        .iter()
        .find(|r| r.action == "workflows.created_workflow_run")
        .unwrap()
        .clone();
    assert!(
        created.reason.contains("for push of tag v3"),
        "{}",
        created.reason
    );
    assert_eq!(
        sim.pipeline().unwrap().runs.len(),
        1,
        "the refused events started nothing"
    );
    assert_eq!(sim.outcome().result, "promoted");
}

/// A workflow none of whose events the simulator starts (only `release` here) imports with a
/// warning and no run.
#[test]
fn a_workflow_with_no_simulated_event_starts_no_run() {
    let text = "on:\n  release:\n    types: [published]\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm publish\n";
    let imported = engine::import::import(text).unwrap();
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("no run starts"))
    );
    let mut sim = engine::Sim::new(imported.scenario, 1);
    sim.run_to_end();
    assert!(sim.pipeline().unwrap().runs.is_empty());
}

/// A starter workflow as copied from GitHub's repository: its placeholders are read as GitHub
/// fills them when a user adds it ($default-branch and $protected-branches as the default
/// branch, $cron-weekly as a weekly schedule), each with a warning, and the run starts.
#[test]
fn starter_workflow_placeholders_are_read_as_github_fills_them() {
    let text = load("starter-deploy.yml");
    let imported = engine::import::import(&text).unwrap_or_else(|error| panic!("{error}"));
    for expected in [
        "$default-branch: a starter-workflow placeholder: GitHub fills it with the repository's default branch; read as main",
        "$protected-branches: a starter-workflow placeholder",
        "$cron-weekly: a starter-workflow placeholder: GitHub fills it with a weekly schedule at a random time; read as 17 4 * * 1",
    ] {
        assert!(
            imported.warnings.iter().any(|w| w.starts_with(expected)),
            "{expected:?} in {:?}",
            imported.warnings
        );
    }
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("as a push of branch main")),
        "the push filter is on main: {:?}",
        imported.warnings
    );
    // The placeholders left as they are would not be a valid cron.
    let raw = engine::pipeline::workflow_import::import_workflow(
        &yaml_rust2::YamlLoader::load_from_str(&text).unwrap()[0],
        "starter",
    );
    assert!(
        raw.is_err_and(|problems| problems
            .iter()
            .any(|p| p.starts_with("on.schedule[0].cron"))),
        "unfilled, $cron-weekly is not a schedule"
    );
    // The deploy job's `if: github.ref == 'refs/heads/$default-branch'` holds on main, so
    // the release reaches production.
    let mut sim = engine::Sim::new(imported.scenario, 1);
    sim.run_to_end();
    assert_eq!(sim.outcome().result, "promoted");
}
