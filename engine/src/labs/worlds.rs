//! The starting worlds labs are built on: each is a scenario made from the learner's choices,
//! plus the commands those choices stand for (given by the learner at the first second, so the
//! audit trail shows who set what). A lab file names its world and offers some of its choices.

use std::collections::BTreeMap;

use crate::audit::Actor;
use crate::command::{Command, TimedCommand};
use crate::ops::release_train::{Cadence, Quarter, simulate};
use crate::pipeline::environments::{BranchPolicy, EnvironmentSpec, RefPattern, Review};
use crate::pipeline::state::SimulatedReviewer;
use crate::pipeline::workflow::course_pipeline;
use crate::scenario::Scenario;
use crate::scenario::pipelines::pipeline_world;
use crate::time::{Tick, UtcDateTime};

/// A starting world and the choices it reads.
#[derive(Clone, Copy, Debug)]
pub struct World {
    /// Its name, as a lab file gives it.
    pub name: &'static str,
    /// What it is.
    pub description: &'static str,
    /// The choices it reads, with their allowed values.
    pub parameters: &'static [Parameter],
}

/// A choice a starting world reads.
#[derive(Clone, Copy, Debug)]
pub struct Parameter {
    /// Its key.
    pub key: &'static str,
    /// The values it takes.
    pub values: &'static [&'static str],
}

/// Every starting world.
pub const WORLDS: &[World] = &[
    World {
        name: "release-cadence",
        description: "a quarter (13 weeks) of releases of one stream of changes at the learner's cadence, with one of its releases watched live",
        parameters: &[
            Parameter {
                key: "cadence",
                values: &["monthly", "weekly"],
            },
            Parameter {
                key: "approvers",
                values: &["five", "one"],
            },
            Parameter {
                key: "soak",
                values: &["none", "24h"],
            },
            Parameter {
                key: "canary",
                values: &["yes", "no"],
            },
        ],
    },
    World {
        name: "zero-downtime",
        description: "checkout on 4 pods at 200 requests a second with no errors of its own, released from v1 to v2 with the strategy and pod lifecycle the learner chooses",
        parameters: &[
            Parameter {
                key: "strategy",
                values: &["recreate", "rolling", "blue-green"],
            },
            Parameter {
                key: "readiness_probe",
                values: &["on", "off"],
            },
            Parameter {
                key: "graceful_shutdown",
                values: &["on", "off"],
            },
            Parameter {
                key: "sessions",
                values: &["external", "in-pods"],
            },
            Parameter {
                key: "schema_change",
                values: &["backward-compatible", "breaking"],
            },
        ],
    },
    World {
        name: "compliance",
        description: "checkout v3 through the course's pipeline to a production environment whose protection rules the learner sets; a developer tries to deploy a feature branch, then the release goes out from main",
        parameters: &[
            Parameter {
                key: "reviewers",
                values: &["compliance-team", "release-managers", "none"],
            },
            Parameter {
                key: "branches",
                values: &["main-only", "any-branch"],
            },
        ],
    },
];

/// The learner's login in every lab.
pub const LEARNER: &str = "you";

/// The members of the customer's compliance team, who review production deployments.
pub const COMPLIANCE_TEAM: [&str; 2] = ["carol", "frank"];

/// The choices a starting world reads, or `None` for an unknown world.
pub fn parameters(world: &str) -> Option<&'static [Parameter]> {
    WORLDS
        .iter()
        .find(|w| w.name == world)
        .map(|w| w.parameters)
}

/// What a lab starts from.
#[derive(Clone, Debug)]
pub struct Start {
    /// The scenario the simulation runs.
    pub scenario: Scenario,
    /// The commands the learner's choices stand for, given at the first second.
    pub commands: Vec<Command>,
    /// A quarter of releases at the learner's cadence, for worlds about cadence.
    pub quarter: Option<Quarter>,
}

/// What `world` starts from under `choices` and `seed`.
pub fn build(world: &str, choices: &BTreeMap<String, String>, seed: u64) -> Result<Start, String> {
    let choice = |key: &str| choices.get(key).map(String::as_str).unwrap_or_default();
    let plain = |scenario: Scenario| Start {
        scenario,
        commands: Vec::new(),
        quarter: None,
    };
    match world {
        "compliance" => {
            let (scenario, commands) = compliance(choice("reviewers"), choice("branches"));
            Ok(Start {
                commands,
                ..plain(scenario)
            })
        }
        "zero-downtime" => zero_downtime(
            choice("strategy"),
            choice("readiness_probe") != "off",
            choice("graceful_shutdown") != "off",
            choice("sessions") == "in-pods",
            choice("schema_change") == "breaking",
        )
        .map(plain),
        "release-cadence" => Ok(release_cadence(
            choice("cadence") == "weekly",
            choice("approvers") == "five",
            choice("soak") == "24h",
            choice("canary") == "yes",
            seed,
        )),
        other => Err(format!("there is no starting world `{other}`")),
    }
}

/// The compliance world: production starts with no protection rules; the learner's rules are
/// the first command. The workflow's jobs do not check the branch themselves. Five minutes in, eve runs the workflow from `feature/quick-fix`; twenty
/// minutes in, dana pushes v3 to main. carol of the compliance team reviews within about
/// fifteen minutes of being asked, and alice of the release managers within about twenty.
fn compliance(reviewers: &str, branches: &str) -> (Scenario, Vec<Command>) {
    let mut workflow = course_pipeline();
    // Short, steady tests keep the story to the minutes a lab has; nothing is flaky here.
    for job in &mut workflow.jobs {
        if job.simulation.kind == crate::pipeline::workflow::JobKind::Tests {
            job.simulation.median_s = job.simulation.median_s.min(120);
        }
        job.simulation.flaky_bp = 0;
        // The customer's workflow deploys whatever branch it runs on, as many do: only the
        // environment's rules stand between a branch and production.
        if job
            .condition
            .as_ref()
            .is_some_and(|condition| condition.contains("github.ref"))
        {
            job.condition = Some("!failure() && !cancelled()".to_string());
        }
    }
    workflow.jobs.retain(|job| job.id != "monitor");
    let mut scenario = pipeline_world(
        "lab-compliance",
        "Compliance and audit trail",
        "A financial-services customer must show its auditors who approved each production deployment.",
        "Set production's protection rules, watch a feature branch be refused, and produce the auditor's package.",
        workflow,
        600,
        None,
    );
    if let Some(pipeline) = scenario.pipeline.as_mut() {
        pipeline.environments.insert(
            "production".to_string(),
            EnvironmentSpec::unprotected("production"),
        );
        pipeline.reviewers = vec![
            simulated_reviewer(
                "carol",
                15 * 60,
                "Change ticket CHG-2291 checked; approved.",
            ),
            simulated_reviewer("alice", 20 * 60, "Looks fine to me; approved."),
        ];
    }
    let dispatch = |login: &str, branch: &str, event: &str| Command::TriggerWorkflow {
        event: event.to_string(),
        branch: branch.to_string(),
        login: login.to_string(),
        inputs: BTreeMap::new(),
        emergency_reason: None,
        skip_tests: false,
    };
    scenario.schedule = vec![
        TimedCommand {
            at: Tick(5 * 60),
            actor: Actor::Pipeline,
            command: dispatch("eve", "feature/quick-fix", "workflow_dispatch"),
        },
        TimedCommand {
            at: Tick(20 * 60),
            actor: Actor::Pipeline,
            command: dispatch("dana", "main", "push"),
        },
    ];
    let mut production = EnvironmentSpec::unprotected("production");
    production.reviewers = match reviewers {
        "compliance-team" => COMPLIANCE_TEAM.iter().map(|s| s.to_string()).collect(),
        "release-managers" => vec!["alice".to_string(), "bob".to_string()],
        _ => Vec::new(),
    };
    production.prevent_self_review = !production.reviewers.is_empty();
    if branches == "main-only" {
        production.branch_policy = BranchPolicy::Selected(vec![RefPattern::branch("main")]);
    }
    let commands = if production == EnvironmentSpec::unprotected("production") {
        Vec::new()
    } else {
        vec![Command::UpdateProtectionRules {
            rules: production,
            login: LEARNER.to_string(),
        }]
    };
    (scenario, commands)
}

fn simulated_reviewer(login: &str, response_median_s: u32, comment: &str) -> SimulatedReviewer {
    SimulatedReviewer {
        login: login.to_string(),
        response_median_s,
        business_hours_only: true,
        decision: Review::Approve,
        comment: comment.to_string(),
    }
}

/// The zero-downtime world: checkout's Deployment (or blue-green Rollout) as a manifest would
/// declare it, read by the import, then given the learner's pod lifecycle. Both releases answer
/// every request they receive, so any failure is the deployment's.
fn zero_downtime(
    strategy: &str,
    readiness_probe: bool,
    graceful_shutdown: bool,
    sessions_in_pods: bool,
    breaking_schema: bool,
) -> Result<Scenario, String> {
    let template = "  selector:\n    matchLabels: {app: checkout}\n  template:\n    metadata:\n      labels: {app: checkout}\n    spec:\n      containers:\n        - name: checkout\n          image: shop/checkout:v1\n          readinessProbe:\n            httpGet: {path: /ready, port: 8080}\n            periodSeconds: 5\n";
    let manifest = match strategy {
        "blue-green" => format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {{name: checkout}}\nspec:\n  replicas: 4\n{template}  strategy:\n    blueGreen:\n      activeService: checkout-active\n      previewService: checkout-preview\n      autoPromotionEnabled: true\n"
        ),
        "recreate" => format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: checkout}}\nspec:\n  replicas: 4\n  strategy: {{type: Recreate}}\n{template}"
        ),
        _ => format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: checkout}}\nspec:\n  replicas: 4\n  strategy:\n    type: RollingUpdate\n    rollingUpdate: {{maxSurge: 25%, maxUnavailable: 0}}\n{template}"
        ),
    };
    let imported = crate::import::import(&manifest).map_err(|error| error.problems.join("; "))?;
    let mut scenario = imported.scenario;
    scenario.id = format!("lab-zero-downtime-{strategy}");
    scenario.title = "Zero downtime for a 99.99 % SLA".to_string();
    for version in &mut scenario.versions {
        version.error_rate_bp = 0;
        version.startup_s = 20;
    }
    if let Some(next) = scenario.versions.last_mut() {
        next.schema_migration = if breaking_schema {
            crate::version::SchemaMigration::Breaking
        } else {
            crate::version::SchemaMigration::Compatible
        };
    }
    let lifecycle = crate::world::fleet::PodLifecycle {
        readiness_probe,
        graceful_shutdown,
        sessions_in_pods,
        active_sessions: ACTIVE_SESSIONS,
    };
    for environment in &mut scenario.environments {
        for service in &mut environment.services {
            if service.name == scenario.rollout_service {
                service.lifecycle = lifecycle;
            }
        }
    }
    Ok(scenario)
}

/// Users signed in to checkout at any moment of the zero-downtime lab.
pub const ACTIVE_SESSIONS: u32 = 1_200;

/// The release-cadence world: the quarter of releases the choices give (monthly releases are
/// tested by hand for three days, weekly ones by the pipeline's CI in 15 minutes; approvers
/// answer in eight hours by hand, or two with the pipeline's checks to read), and, to watch,
/// the canary story's bad release: caught at 10 % with a canary, or reaching everyone without.
fn release_cadence(
    weekly: bool,
    five_approvers: bool,
    soak: bool,
    canary: bool,
    seed: u64,
) -> Start {
    let cadence = Cadence {
        cadence_days: if weekly { 7 } else { 30 },
        testing_s: if weekly { 15 * 60 } else { 3 * 86_400 },
        approvers: if five_approvers { 5 } else { 1 },
        approval_s: if weekly { 2 * 3_600 } else { 8 * 3_600 },
        soak_s: if soak { 86_400 } else { 0 },
        canary,
    };
    let mut scenario =
        crate::scenario::builtin("canary-bad-release").expect("the canary stories are built in");
    // A quarter that starts on a Monday at midnight UTC.
    let quarter = simulate(cadence, seed, UtcDateTime::unix_s_of(2026, 3, 2, 0, 0));
    scenario.id = "lab-release-cadence".to_string();
    if !canary {
        // Without a canary the release goes to everyone at once and nothing gates it.
        scenario.canary.steps = vec![crate::controllers::canary::CanaryStep::SetWeight {
            weight_percent: 100,
        }];
        scenario.canary.analysis = None;
    }
    Start {
        scenario,
        commands: Vec::new(),
        quarter: Some(quarter),
    }
}
