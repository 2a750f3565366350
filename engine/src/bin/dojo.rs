//! `dojo`: run Deploy Dojo scenarios from the command line.

#[path = "dojo/labs.rs"]
mod labs;

use std::process::ExitCode;

use engine::report::RunReport;
use engine::{Sim, scenario};

const USAGE: &str = "\
usage:
  dojo scenarios                           list the built-in scenario ids
  dojo faults                              list the fault kinds and their effects
  dojo run <scenario> [--seed N] [--until T] [--json] [--audit FILE]
                                           run a scenario to its end (or to simulated time T,
                                           e.g. 90s, 30m, 24h, 12w) and report it; --audit
                                           writes the audit trail to FILE (.csv or .json)
  dojo run --import FILE [--import FILE ...] [--seed N] [--until T] [--json]
                                           simulate the rollout a Kubernetes Deployment or
                                           Argo Rollout manifest (or a CodeDeploy configuration
                                           name, e.g. CodeDeployDefault.HalfAtATime) describes,
                                           from its current version to the next, and report it
                                           with its timeline; several files (or a folder of
                                           .yaml files) are read as one set, so a Rollout
                                           finds its templates and workloadRef in the others
  dojo verify-audit FILE [--head H]        check an exported audit trail (JSON or CSV) or the
                                           trail in a `dojo run --json` report: every
                                           record's hash, the chain, the count and the head
  dojo bench [--hours H]                   measure simulation speed on a 20-service world
  dojo labs                                list the built-in labs
  dojo lab <id> [--seed N] [--choice k=v ...] [--commands FILE] [--json]
                                           run a lab to its end with the given choices (and
                                           the learner's timed commands, a JSON list) and
                                           print its objectives, score and breakdown
  dojo lab validate FILE                   check a lab file; problems say line and column";

/// Why a command failed: a mistake in the command line (answered with the usage), or an
/// input the run cannot use, such as an invalid manifest (answered with its problems only).
enum Failure {
    Usage(String),
    Input(String),
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Usage(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Failure {
        Failure::Usage(message.to_string())
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(output) => {
            println!("{output}");
            ExitCode::SUCCESS
        }
        Err(Failure::Input(problems)) => {
            eprintln!("dojo: {problems}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(message)) => {
            eprintln!("dojo: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<String, Failure> {
    match args.first().map(String::as_str) {
        Some("scenarios") => Ok(scenario::builtin_ids().join("\n")),
        Some("faults") => Ok(engine::world::fault::catalogue()
            .iter()
            .map(|kind| format!("{:<26} {}", kind.id(), kind.effect()))
            .collect::<Vec<_>>()
            .join("\n")),
        Some("bench") => Ok(bench(&args[1..])?),
        Some("run") => run_scenario(&args[1..]),
        Some("verify-audit") => verify_audit(&args[1..]),
        Some("labs") => Ok(labs::list()),
        Some("lab") => labs::lab(&args[1..]),
        Some("--help" | "-h" | "help") => Ok(USAGE.to_string()),
        Some(other) => Err(format!("unknown command \"{other}\"").into()),
        None => Err("missing command".into()),
    }
}

fn run_scenario(args: &[String]) -> Result<String, Failure> {
    let mut scenario_id = None;
    let mut import_paths: Vec<String> = Vec::new();
    let mut seed = 1u64;
    let mut json = false;
    let mut until_s = None;
    let mut audit_path: Option<String> = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--json" => json = true,
            "--audit" => {
                let value = rest
                    .next()
                    .ok_or("--audit needs a file name ending .csv or .json")?;
                audit_path = Some(value.clone());
            }
            "--import" => {
                let value = rest
                    .next()
                    .ok_or("--import needs a manifest file or a folder of them")?;
                import_paths.push(value.clone());
            }
            "--seed" => {
                let value = rest.next().ok_or("--seed needs a value")?;
                seed = value.parse().map_err(|_| {
                    format!(
                        "--seed must be a whole number from 0 to {}, not \"{value}\"",
                        u64::MAX
                    )
                })?;
            }
            "--until" => {
                let value = rest
                    .next()
                    .ok_or("--until needs a simulated time such as 90s, 30m, 24h or 12w")?;
                until_s = Some(parse_duration_s(value)?);
            }
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option \"{flag}\"").into());
            }
            id if scenario_id.is_none() => scenario_id = Some(id.to_string()),
            extra => return Err(format!("unexpected argument \"{extra}\"").into()),
        }
    }
    let mut warnings = Vec::new();
    let scenario = match (import_paths.as_slice(), scenario_id) {
        ([_, ..], Some(id)) => {
            return Err(format!("give a scenario id or --import FILE, not both (\"{id}\")").into());
        }
        ([name], None)
            if name.starts_with("CodeDeployDefault.") && !std::path::Path::new(name).exists() =>
        {
            let imported = engine::import::import_codedeploy(name).map_err(|error| {
                Failure::Input(format!(
                    "{name} cannot be simulated:\n  {}",
                    error.problems.join("\n  ")
                ))
            })?;
            warnings = imported.warnings;
            imported.scenario
        }
        ([_, ..], None) => {
            let files = read_import_files(&import_paths)?;
            let sources: Vec<engine::import::SourceFile> = files
                .iter()
                .map(|(name, text)| engine::import::SourceFile { name, text })
                .collect();
            let imported = engine::import::import_files(&sources).map_err(|error| {
                Failure::Input(format!(
                    "{} cannot be simulated:\n  {}",
                    import_paths.join(", "),
                    error.problems.join("\n  ")
                ))
            })?;
            warnings = imported.warnings;
            imported.scenario
        }
        ([], Some(id)) => scenario::builtin(&id).ok_or_else(|| {
            format!(
                "no built-in scenario \"{id}\"; choose one of: {}",
                scenario::builtin_ids().join(", ")
            )
        })?,
        ([], None) => {
            return Err("missing scenario id (see `dojo scenarios`) or --import FILE".into());
        }
    };
    let mut sim = Sim::new(scenario, seed);
    match until_s {
        // Past the scenario's own end the world keeps running with nothing scheduled.
        Some(seconds) => sim.continue_to(engine::time::Tick(seconds)),
        None => sim.run_to_end(),
    }
    if let Some(path) = audit_path {
        let records = sim.audit().records();
        let head = sim.audit().head();
        let text = if path.ends_with(".csv") {
            engine::audit::export::to_csv(records, head)
        } else {
            engine::audit::export::to_json(records, head)
        };
        std::fs::write(&path, text)
            .map_err(|error| Failure::Input(format!("{path}: cannot write it: {error}")))?;
    }
    let mut report = RunReport::of(&sim);
    report.warnings = warnings;
    Ok(if json {
        report.to_json()
    } else {
        report.to_text()
    })
}

/// The files `--import` names: each file as given, and the `.yaml` and `.yml` files of each
/// folder in name order, as (name, text).
fn read_import_files(paths: &[String]) -> Result<Vec<(String, String)>, Failure> {
    let read = |path: &str| {
        std::fs::read_to_string(path)
            .map_err(|error| Failure::Input(format!("{path}: cannot read it: {error}")))
    };
    let mut files = Vec::new();
    for path in paths {
        if std::path::Path::new(path).is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|error| Failure::Input(format!("{path}: cannot read it: {error}")))?;
            let mut names: Vec<String> = entries
                .filter_map(|entry| entry.ok())
                .map(|entry| entry.path().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".yaml") || name.ends_with(".yml"))
                .collect();
            names.sort();
            if names.is_empty() {
                return Err(Failure::Input(format!(
                    "{path}: the folder has no .yaml or .yml file"
                )));
            }
            for name in names {
                let text = read(&name)?;
                files.push((name, text));
            }
        } else {
            files.push((path.clone(), read(path)?));
        }
    }
    Ok(files)
}

/// `dojo verify-audit FILE [--head H]`: exit 0 with a summary when the export is intact, 1
/// with the first problem (where and what) when it is not.
fn verify_audit(args: &[String]) -> Result<String, Failure> {
    let (path, head) = match args {
        [path] => (path, None),
        [path, flag, head] if flag == "--head" => (path, Some(head.as_str())),
        _ => return Err("usage: dojo verify-audit FILE [--head H]".into()),
    };
    let text = std::fs::read_to_string(path)
        .map_err(|error| Failure::Input(format!("{path}: cannot read it: {error}")))?;
    let verified = engine::audit::export::verify(&text, head)
        .map_err(|problem| Failure::Input(format!("{path}: NOT VERIFIED: {problem}")))?;
    Ok(format!(
        "{path}: verified: {} records, chain head {}",
        verified.record_count, verified.chain_head
    ))
}

/// Parses `90`, `90s`, `30m`, `24h`, `7d` or `12w` into seconds.
fn parse_duration_s(text: &str) -> Result<u64, String> {
    let (number, unit_s) = match text.chars().last() {
        Some('s') => (&text[..text.len() - 1], 1),
        Some('m') => (&text[..text.len() - 1], 60),
        Some('h') => (&text[..text.len() - 1], 3_600),
        Some('d') => (&text[..text.len() - 1], 86_400),
        Some('w') => (&text[..text.len() - 1], 604_800),
        _ => (text, 1),
    };
    let value: u64 = number
        .parse()
        .map_err(|_| format!("\"{text}\" is not a simulated time; write a whole number with s, m, h, d or w, for example 24h"))?;
    value
        .checked_mul(unit_s)
        .ok_or_else(|| format!("\"{text}\" is too long"))
}

/// Simulates the benchmark world and reports speed: 20 production services at about
/// 1,000 requests a second in total, a canary rollout, and faults, for 24 hours and 12 weeks,
/// with the run's state digest, which a change made only for speed must leave as it was.
fn bench(args: &[String]) -> Result<String, String> {
    let hours: Vec<u64> = match args {
        [flag, value] if flag == "--hours" => vec![
            value
                .parse()
                .map_err(|_| format!("--hours needs a whole number, not \"{value}\""))?,
        ],
        [] => vec![24, 12 * 7 * 24],
        _ => return Err("usage: dojo bench [--hours H]".to_string()),
    };
    let mut lines = vec![format!(
        "{:>10} {:>12} {:>16} {:>14} {:>16}  {}",
        "simulated", "wall", "sim-s / wall-s", "audit records", "whole minutes", "state digest"
    )];
    for hours in hours {
        let mut sim = Sim::new(engine::scenario::bench_world(), 1);
        let simulated_s = hours * 3_600;
        let started = std::time::Instant::now();
        // `continue_to`, not `advance_to`: the benchmark's story settles after its last fault
        // (day 85), and the world must keep running to the hour reported.
        sim.continue_to(engine::time::Tick(simulated_s));
        let wall = started.elapsed().as_secs_f64();
        lines.push(format!(
            "{:>9}h {:>11.3}s {:>16.0} {:>14} {:>15.1}%  {}",
            hours,
            wall,
            simulated_s as f64 / wall,
            sim.audit().records().len(),
            sim.minutes_written_whole() as f64 * 60.0 * 100.0 / simulated_s as f64,
            // A speed-up must leave the run exactly as it was: compare this before and after.
            &sim.state_digest()[..16]
        ));
    }
    Ok(lines.join("\n"))
}
