//! `dojo labs` and `dojo lab`: list, run, grade and validate labs from the command line, so an
//! instructor can grade in CI.

use std::collections::BTreeMap;

use engine::command::TimedCommand;
use engine::labs::{LabRun, Mark, builtin_labs, lab_by_id, read_lab};

use super::Failure;

/// `dojo labs`: one line per built-in lab.
pub fn list() -> String {
    builtin_labs()
        .iter()
        .map(|lab| {
            let audiences: Vec<&str> = lab.audiences.iter().map(|a| a.label()).collect();
            format!(
                "{:<26} {} ({}, {} min, {})",
                lab.id,
                lab.title,
                lab.difficulty.label(),
                lab.minutes,
                audiences.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `dojo lab validate FILE` or `dojo lab <id> [--seed N] [--choice k=v …] [--commands FILE]
/// [--json]`.
pub fn lab(args: &[String]) -> Result<String, Failure> {
    match args.first().map(String::as_str) {
        Some("validate") => validate(&args[1..]),
        Some(id) if !id.starts_with('-') => play(id, &args[1..]),
        _ => Err("dojo lab needs a lab id (see dojo labs) or validate FILE".into()),
    }
}

fn validate(args: &[String]) -> Result<String, Failure> {
    let [file] = args else {
        return Err("dojo lab validate needs one lab file".into());
    };
    let text = std::fs::read_to_string(file)
        .map_err(|error| Failure::Input(format!("{file}: {error}")))?;
    let lab = read_lab(file, &text).map_err(|problems| Failure::Input(problems.join("\n")))?;
    Ok(format!(
        "{file}: a valid lab, {} ({} objectives, {} choices, {} hints)",
        lab.id,
        lab.objectives.len(),
        lab.choices.len(),
        lab.hints.len()
    ))
}

fn play(id: &str, args: &[String]) -> Result<String, Failure> {
    let lab = lab_by_id(id).ok_or_else(|| {
        Failure::Input(format!("there is no lab \"{id}\"; `dojo labs` lists them"))
    })?;
    let mut seed = lab.seed;
    let mut choices = BTreeMap::new();
    let mut commands: Vec<TimedCommand> = Vec::new();
    let mut json = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--json" => json = true,
            "--seed" => {
                let value = rest.next().ok_or("--seed needs a value")?;
                seed = value
                    .parse()
                    .map_err(|_| format!("--seed must be a whole number, not \"{value}\""))?;
            }
            "--choice" => {
                let value = rest.next().ok_or("--choice needs key=value")?;
                let (key, choice) = value
                    .split_once('=')
                    .ok_or_else(|| format!("--choice needs key=value, not \"{value}\""))?;
                choices.insert(key.to_string(), choice.to_string());
            }
            "--commands" => {
                let file = rest.next().ok_or("--commands needs a JSON file")?;
                let text = std::fs::read_to_string(file)
                    .map_err(|error| Failure::Input(format!("{file}: {error}")))?;
                commands = serde_json::from_str(&text).map_err(|error| {
                    Failure::Input(format!(
                        "{file}:{}:{}: not a list of timed commands: {error}",
                        error.line(),
                        error.column()
                    ))
                })?;
            }
            other => return Err(format!("unknown option \"{other}\" for dojo lab").into()),
        }
    }
    let mut run = LabRun::replay(&lab, &choices, seed, &commands).map_err(Failure::Input)?;
    run.run_to_end();
    let score = run.score();
    if json {
        let report = serde_json::json!({
            "lab": lab.id,
            "seed": seed,
            "choices": run.choices(),
            "objectives": run.progress(),
            "score": score,
            "audit_head": run.sim().audit().head(),
        });
        return serde_json::to_string_pretty(&report)
            .map_err(|error| Failure::Input(error.to_string()));
    }
    let mut lines = vec![
        format!("{} (seed {seed})", lab.title),
        format!(
            "choices: {}",
            run.choices()
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        String::new(),
    ];
    for (objective, progress) in lab.objectives.iter().zip(run.progress()) {
        let mark = match progress.mark {
            Mark::Met => "✓",
            Mark::Failed => "✗",
            Mark::Skipped => "-",
            Mark::Pending => "…",
        };
        lines.push(format!(
            "{mark} {} (weight {})",
            objective.text, objective.weight
        ));
        lines.push(format!("    {}", progress.why));
    }
    lines.push(String::new());
    lines.push(format!(
        "score {} / 100: objectives {} − hints {} − actions {} − time {}; pass mark {}: {}",
        score.total,
        score.objectives,
        score.hints,
        score.actions.iter().map(|a| a.points).sum::<u32>(),
        score.time,
        score.pass_mark,
        if score.passed { "PASSED" } else { "NOT PASSED" }
    ));
    lines.push(format!(
        "impact: {} failed requests, {} users affected, {} s of downtime, {} s of error budget",
        score.impact.requests_failed,
        score.impact.users_affected,
        score.impact.downtime_s,
        score.impact.budget_spent_s
    ));
    lines.push(format!("audit head {}", run.sim().audit().head()));
    Ok(lines.join("\n"))
}
