//! The `dojo` command line as a user runs it: the built binary, its output and exit codes.

use std::process::{Command, Output};

fn dojo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dojo"))
        .args(args)
        .output()
        .expect("the dojo binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn scenarios_lists_every_built_in_id() {
    let output = dojo(&["scenarios"]);
    assert!(output.status.success());
    let ids: Vec<String> = stdout(&output).lines().map(String::from).collect();
    assert_eq!(ids, engine::scenario::builtin_ids());
}

#[test]
fn the_listed_titles_are_the_scenarios_own() {
    for (id, title) in engine::scenario::BUILTIN_TITLES {
        let scenario = engine::scenario::builtin(id).expect("a listed scenario builds");
        assert_eq!(
            (scenario.id.as_str(), scenario.title.as_str()),
            (*id, *title)
        );
    }
}

#[test]
fn run_json_has_the_report_fields_and_a_verifiable_chain() {
    let output = dojo(&["run", "canary-bad-release", "--seed", "3", "--json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    assert_eq!(report["seed"], 3);
    assert_eq!(report["scenario"], "canary-bad-release");
    assert_eq!(report["outcome"]["result"], "rolled_back");
    assert_eq!(report["outcome"]["max_canary_traffic_weight_percent"], 10);
    let audit = report["audit"].as_array().expect("audit is a list");
    assert!(audit.iter().any(|r| r["action"] == "RolloutAborted"));
    assert_eq!(
        report["audit_head"],
        audit.last().unwrap()["hash"],
        "the head is the last record's hash"
    );
    // The records re-verify as a chain once parsed back.
    let records: Vec<engine::audit::AuditRecord> =
        serde_json::from_value(report["audit"].clone()).unwrap();
    assert_eq!(
        engine::audit::AuditLog::verify(&records, report["audit_head"].as_str().unwrap()),
        Ok(())
    );
    // The same seed on the library gives the same head.
    assert_eq!(
        report["audit_head"],
        engine::Sim::run_builtin("canary-bad-release", 3)
            .unwrap()
            .audit()
            .head()
    );
}

#[test]
fn run_text_summarises_and_until_stops_at_the_time_asked() {
    let output = dojo(&["run", "production-day", "--until", "2h"]);
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(
        text.contains("duration     7200 s, ended 2026-03-10T02:00:00Z"),
        "{text}"
    );
    assert!(
        text.contains("outcome      no_rollout"),
        "the 10:00 release has not happened by 02:00"
    );
}

#[test]
fn faults_lists_every_kind_with_its_effect() {
    let output = dojo(&["faults"]);
    let text = stdout(&output);
    assert_eq!(
        text.lines().count(),
        engine::world::fault::catalogue().len()
    );
    assert!(text.contains("silent_ai_failure") && text.contains("status 200"));
}

#[test]
fn bad_input_is_explained_with_exit_code_two() {
    // (arguments, what the message must say)
    let cases: [(&[&str], &str); 6] = [
        (
            &["run", "nope"],
            "no built-in scenario \"nope\"; choose one of: canary-bad-release",
        ),
        (
            &["run", "canary-bad-release", "--seed", "minus-one"],
            "--seed must be a whole number",
        ),
        (
            &["run", "canary-bad-release", "--until", "3q"],
            "\"3q\" is not a simulated time",
        ),
        (
            &["run", "canary-bad-release", "--colour"],
            "unknown option \"--colour\"",
        ),
        (&["launch"], "unknown command \"launch\""),
        (&[], "missing command"),
    ];
    for (args, message) in cases {
        let output = dojo(args);
        assert_eq!(output.status.code(), Some(2), "dojo {args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "dojo {args:?} said {stderr}");
        assert!(stderr.contains("usage:"), "and shows the usage");
    }
}

#[test]
fn labs_are_listed_run_graded_and_validated() {
    let listed = stdout(&dojo(&["labs"]));
    assert!(listed.contains("compliance-audit-trail"), "{listed}");

    let output = dojo(&[
        "lab",
        "compliance-audit-trail",
        "--choice",
        "reviewers=compliance-team",
        "--choice",
        "branches=main-only",
        "--json",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    assert_eq!(report["score"]["total"], 100);
    assert_eq!(report["score"]["passed"], true);
    assert_eq!(report["objectives"][0]["mark"], "met");

    let text = stdout(&dojo(&["lab", "compliance-audit-trail"]));
    assert!(text.contains("NOT PASSED") && text.contains("✗"), "{text}");

    let refused = dojo(&["lab", "compliance-audit-trail", "--choice", "reviewers=all"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("`all` is not a value of `reviewers`")
    );

    let file = std::env::temp_dir().join(format!("dojo-lab-{}.yaml", std::process::id()));
    let (name, text) = engine::labs::catalogue::LAB_FILES[0];
    std::fs::write(&file, text).unwrap();
    let valid = dojo(&["lab", "validate", file.to_str().unwrap()]);
    assert!(
        valid.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&valid.stderr)
    );
    std::fs::write(&file, text.replacen("pass_mark:", "pass_mrk:", 1)).unwrap();
    let invalid = dojo(&["lab", "validate", file.to_str().unwrap()]);
    std::fs::remove_file(&file).ok();
    assert_eq!(invalid.status.code(), Some(1));
    let problems = String::from_utf8_lossy(&invalid.stderr).into_owned();
    assert!(
        problems.contains(".yaml:")
            && problems.contains("pass_mrk: unknown key; did you mean `pass_mark`?"),
        "{problems}"
    );
}

#[test]
fn a_run_report_is_verified_as_an_audit_trail_and_scenarios_end_with_a_newline() {
    let report = dojo(&["run", "canary-bad-release", "--seed", "3", "--json"]);
    let text = stdout(&report);
    let head = serde_json::from_str::<serde_json::Value>(&text).unwrap()["audit_head"]
        .as_str()
        .unwrap()
        .to_string();
    let file = std::env::temp_dir().join(format!("dojo-report-{}.json", std::process::id()));
    std::fs::write(&file, &text).unwrap();
    let verified = dojo(&["verify-audit", file.to_str().unwrap(), "--head", &head]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    assert!(stdout(&verified).contains(&format!("chain head {head}")));
    let mut edited: serde_json::Value = serde_json::from_str(&text).unwrap();
    edited["audit"][1]["reason"] = serde_json::Value::from("nothing happened here");
    std::fs::write(&file, edited.to_string()).unwrap();
    let tampered = dojo(&["verify-audit", file.to_str().unwrap()]);
    std::fs::remove_file(&file).ok();
    assert_eq!(tampered.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&tampered.stderr).contains("NOT VERIFIED"));

    assert!(stdout(&dojo(&["scenarios"])).ends_with('\n'));
}

#[test]
fn several_import_files_or_a_folder_import_as_one_set() {
    let folder = format!("{}/tests/manifests/split", env!("CARGO_MANIFEST_DIR"));
    let whole = dojo(&["run", "--import", &folder, "--until", "5m", "--json"]);
    assert!(
        whole.status.success(),
        "{}",
        String::from_utf8_lossy(&whole.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&whole)).expect("valid JSON");
    assert_eq!(report["scenario"], "import:payments");
    // Without the templates file, the missing templates name the files searched.
    let rollout = format!("{folder}/rollout.yaml");
    let deployment = format!("{folder}/deployment.yaml");
    let partial = dojo(&["run", "--import", &rollout, "--import", &deployment]);
    assert_eq!(
        partial.status.code(),
        Some(1),
        "a file the simulator refuses"
    );
    let stderr = String::from_utf8_lossy(&partial.stderr);
    assert!(
        stderr.contains(&format!(
            "no AnalysisTemplate of that name in {rollout}, {deployment}"
        )),
        "{stderr}"
    );
}
