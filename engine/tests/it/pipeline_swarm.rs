//! Swarm testing of the pipeline, as `swarm.rs` does for rollouts: each seed draws a pipeline
//! scenario and a person's stream of pipeline commands (runs for any event and ref, reviews by
//! anyone, re-runs, cancels, changed protection rules and business hours, incidents, secret
//! rotations, faults), valid or not. Every simulated second the pipeline's invariants must hold;
//! at the end the run is replayed from its commands and must give the same audit chain.
//!
//! More seeds: `DOJO_PIPELINE_SWARM_SEEDS=200 cargo test -p engine --test it pipeline_swarm`.
//! One seed: `DOJO_PIPELINE_SWARM_SEED=1234 cargo test -p engine --test it pipeline_swarm`.

use engine::audit::AuditLog;
use engine::pipeline::run::JobStatus;
use engine::prng::{Prng, Stream};
use engine::scenario::builtin;
use engine::world::fault::{FaultTarget, catalogue};
use engine::{Command, Sim};

/// Simulated seconds each seed is checked second by second.
const SAFETY_S: u64 = 3_600;

fn pick<'a>(prng: &mut Prng, items: &[&'a str]) -> &'a str {
    items[prng.below(items.len() as u64) as usize]
}

fn random_command(prng: &mut Prng, sim: &Sim) -> Command {
    let runs = sim.pipeline().map_or(0, |p| p.runs.len() as u64);
    let login = pick(prng, &["dana", "trainee", "alice", "bob", "root", "eve"]).to_string();
    match prng.below(10) {
        0 | 1 => Command::TriggerWorkflow {
            event: pick(
                prng,
                &["push", "workflow_dispatch", "pull_request", "schedule"],
            )
            .to_string(),
            branch: pick(
                prng,
                &[
                    "main",
                    "develop",
                    "feature/login",
                    "refs/tags/v3",
                    "release/2026",
                ],
            )
            .to_string(),
            login,
            inputs: match prng.below(3) {
                0 => Default::default(),
                _ => [(
                    "environment".to_string(),
                    pick(prng, &["staging", "production", "qa"]).to_string(),
                )]
                .into(),
            },
            emergency_reason: match prng.below(3) {
                0 => Some("card payments fail".to_string()),
                1 => Some("  ".to_string()),
                _ => None,
            },
            skip_tests: prng.chance(1, 2),
        },
        2 => Command::ReviewDeployment {
            environment: pick(prng, &["production", "staging"]).to_string(),
            reviewer: login,
            approve: prng.chance(2, 3),
            comment: "checked".to_string(),
        },
        3 => Command::RerunFailedJobs {
            run: 1 + prng.below(runs + 1) as u32,
        },
        4 => Command::CancelWorkflowRun {
            run: 1 + prng.below(runs + 1) as u32,
        },
        5 => {
            let name = pick(prng, &["production", "staging", "qa"]);
            let mut rules = sim
                .pipeline()
                .and_then(|p| p.rules.environments.get(name).cloned())
                .unwrap_or_else(|| {
                    engine::pipeline::environments::EnvironmentSpec::unprotected(name)
                });
            rules.reviewers = match prng.below(4) {
                0 => Vec::new(),
                1 => vec!["bob".to_string()],
                2 => vec!["alice".to_string(), "bob".to_string()],
                _ => (1..=7).map(|i| format!("user{i}")).collect(),
            };
            rules.prevent_self_review = prng.chance(1, 2);
            rules.wait_timer_min = [0, 1, 5, 50_000][prng.below(4) as usize];
            rules.can_admins_bypass = prng.chance(1, 2);
            Command::UpdateProtectionRules { rules, login }
        }
        6 => {
            let mut days = [false; 7];
            for day in &mut days {
                *day = prng.chance(2, 3);
            }
            let minutes = [0, 540, 600, 840, 1_080, 1_440, 1_500];
            Command::UpdateDeploymentWindows {
                days,
                start_minute: minutes[prng.below(7) as usize],
                end_minute: minutes[prng.below(7) as usize],
                login,
            }
        }
        7 => match prng.below(3) {
            0 => Command::AcknowledgeIncident {
                incident: 1 + prng.below(3) as u32,
                login,
            },
            1 => Command::ResolveIncident {
                incident: 1 + prng.below(3) as u32,
                login,
            },
            _ => Command::RotateSecret {
                name: pick(prng, &["PROD_ENDPOINT", "AI_API_KEY", "NO_SUCH_SECRET"]).to_string(),
                environment: prng.chance(1, 2).then(|| "production".to_string()),
                login,
            },
        },
        8 => {
            let kinds = catalogue();
            Command::InjectFault {
                fault: kinds[prng.below(kinds.len() as u64) as usize].clone(),
                target: FaultTarget {
                    environment: "production".to_string(),
                    service: None,
                    version: None,
                    zone: None,
                },
                duration_s: Some(30 + prng.below(900) as u32),
            }
        }
        _ => Command::ClearFault {
            fault_id: prng.below(4) as u32,
        },
    }
}

/// What must hold every second, whatever was asked.
fn check_pipeline(sim: &Sim, budget_before: u64) -> Result<u64, String> {
    let state = sim.pipeline().ok_or("the pipeline disappeared")?;
    if state.budget_spent_s < budget_before {
        return Err(format!(
            "the error budget spent went down from {budget_before} s to {} s",
            state.budget_spent_s
        ));
    }
    let mut deploying = Vec::new();
    for run in &state.runs {
        for job in &run.jobs {
            let open = matches!(
                job.status,
                JobStatus::InProgress { .. } | JobStatus::Waiting(_) | JobStatus::Deploying { .. }
            );
            if run.conclusion.is_some() && open {
                return Err(format!(
                    "run #{} concluded while {} is {:?}",
                    run.number, job.id, job.status
                ));
            }
            if matches!(job.status, JobStatus::Deploying { .. }) {
                deploying.push((run.number, job.id.clone()));
            }
        }
    }
    if deploying.len() > 1 {
        return Err(format!("two strategy deployments at once: {deploying:?}"));
    }
    if deploying.first() != state.deploying.as_ref() {
        return Err(format!(
            "the pipeline deploys {:?} but the jobs say {deploying:?}",
            state.deploying
        ));
    }
    for (queued, group) in &state.queued {
        let run = &state.runs[*queued as usize - 1];
        if run.conclusion.is_some() {
            return Err(format!("run #{queued} ended but still waits for '{group}'"));
        }
    }
    Ok(state.budget_spent_s)
}

/// The audit trail only grows: the record that was last a second ago is still there, unchanged.
fn check_append_only(sim: &Sim, before: &(usize, String)) -> Result<(usize, String), String> {
    let records = sim.audit().records();
    let (len, head) = before;
    if *len > 0 && records.get(len - 1).map(|r| &r.hash) != Some(head) {
        return Err(format!("record {} changed or disappeared", len - 1));
    }
    Ok((records.len(), sim.audit().head().to_string()))
}

fn run_seed(seed: u64) -> Result<(), String> {
    let mut prng = Prng::substream(seed, Stream::Swarm);
    let id = if prng.chance(1, 3) {
        "pipeline-budget-freeze"
    } else {
        "pipeline-release"
    };
    let scenario = builtin(id).ok_or("no pipeline scenario")?;
    let mut sim = Sim::try_new(scenario.clone(), seed)?;
    let mut when: Vec<u64> = (0..5 + prng.below(25))
        .map(|_| prng.below(SAFETY_S))
        .collect();
    when.sort_unstable();
    let mut next = 0;
    let mut budget = 0;
    let mut trail = (0, String::new());
    while sim.now().0 < SAFETY_S {
        while next < when.len() && when[next] <= sim.now().0 {
            let command = random_command(&mut prng, &sim);
            // Refused commands are part of the test: they must change nothing.
            let head = sim.audit().head().to_string();
            let result = sim.apply(command.clone());
            if std::env::var("DOJO_PIPELINE_SWARM_DEBUG").is_ok() {
                eprintln!("{} s {command:?} -> {result:?}", sim.now().0);
            }
            if result.is_err() && sim.audit().head() != head {
                return Err(format!("a refused {command:?} left a record"));
            }
            next += 1;
        }
        sim.step();
        let at = |why: String| format!("{id} at {} s: {why}", sim.now().0);
        budget = check_pipeline(&sim, budget).map_err(at)?;
        trail = check_append_only(&sim, &trail).map_err(at)?;
    }
    AuditLog::verify(sim.audit().records(), sim.audit().head())
        .map_err(|e| format!("{id}: the audit chain broke: {e:?}"))?;
    sim.run_to_end();
    // The run went on past the story's end; the replay is taken to the same second.
    let mut replayed = Sim::replay(scenario, seed, sim.commands());
    replayed.continue_to(sim.now());
    if replayed.audit().head() != sim.audit().head() {
        let (run, again) = (sim.audit().records(), replayed.audit().records());
        let first = run
            .iter()
            .zip(again)
            .position(|(a, b)| a.hash != b.hash)
            .unwrap_or(run.len().min(again.len()));
        let show = |r: Option<&engine::audit::AuditRecord>| {
            r.map_or("nothing".to_string(), |r| {
                format!("{} s {} {} {}", r.tick.0, r.action, r.outcome, r.reason)
            })
        };
        return Err(format!(
            "{id}: the replay of {} commands differs from record {first}: the run has {}, the replay {}",
            sim.commands().len(),
            show(run.get(first)),
            show(again.get(first))
        ));
    }
    Ok(())
}

#[test]
fn pipeline_swarm_keeps_invariants_and_replays() {
    let seeds: Vec<u64> = match std::env::var("DOJO_PIPELINE_SWARM_SEED") {
        Ok(one) => vec![one.parse().expect("DOJO_PIPELINE_SWARM_SEED is a number")],
        Err(_) => {
            let count: u64 = std::env::var("DOJO_PIPELINE_SWARM_SEEDS")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(40);
            (0..count).map(|i| 0x919E_0000 + i).collect()
        }
    };
    for seed in seeds {
        if let Err(why) = run_seed(seed) {
            panic!(
                "pipeline swarm seed {seed} failed: {why}\nreproduce with: DOJO_PIPELINE_SWARM_SEED={seed} cargo test -p engine --test it pipeline_swarm"
            );
        }
    }
}
