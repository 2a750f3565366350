//! `dojo`: run Deploy Dojo scenarios from the command line.

use std::process::ExitCode;

use engine::report::RunReport;
use engine::{Sim, scenario};

const USAGE: &str = "\
usage:
  dojo scenarios                         list the built-in scenario ids
  dojo run <scenario> [--seed N] [--json] run a scenario to its end and report it";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(output) => {
            println!("{output}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("dojo: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<String, String> {
    match args.first().map(String::as_str) {
        Some("scenarios") => Ok(scenario::builtin_ids().join("\n")),
        Some("run") => run_scenario(&args[1..]),
        Some("--help" | "-h" | "help") => Ok(USAGE.to_string()),
        Some(other) => Err(format!("unknown command \"{other}\"")),
        None => Err("missing command".to_string()),
    }
}

fn run_scenario(args: &[String]) -> Result<String, String> {
    let mut scenario_id = None;
    let mut seed = 1u64;
    let mut json = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--json" => json = true,
            "--seed" => {
                let value = rest.next().ok_or("--seed needs a value")?;
                seed = value.parse().map_err(|_| {
                    format!(
                        "--seed must be a whole number from 0 to {}, not \"{value}\"",
                        u64::MAX
                    )
                })?;
            }
            flag if flag.starts_with("--") => return Err(format!("unknown option \"{flag}\"")),
            id if scenario_id.is_none() => scenario_id = Some(id.to_string()),
            extra => return Err(format!("unexpected argument \"{extra}\"")),
        }
    }
    let id = scenario_id.ok_or("missing scenario id (see `dojo scenarios`)")?;
    let scenario = scenario::builtin(&id).ok_or_else(|| {
        format!(
            "no built-in scenario \"{id}\"; choose one of: {}",
            scenario::builtin_ids().join(", ")
        )
    })?;
    let mut sim = Sim::new(scenario, seed);
    sim.run_to_end();
    let report = RunReport::of(&sim);
    Ok(if json {
        report.to_json()
    } else {
        report.to_text()
    })
}
