//! The engine's one integration-test binary (one binary links faster than many).

mod audit_trail;
mod cli;
mod codedeploy;
mod deployments;
mod determinism;
mod faults;
mod flagger;
mod flags;
mod labs;
mod layout;
mod pipeline;
mod pipeline_swarm;
mod quiet;
mod rollouts;
mod scenarios;
mod swarm;
mod tidy;
mod wild_imports;
mod workflows;

/// A person's `event` on main, by dana (the pipeline scenarios' committer).
pub fn on_main(event: &str) -> engine::Command {
    engine::Command::TriggerWorkflow {
        event: event.to_string(),
        branch: "main".to_string(),
        login: "dana".to_string(),
        inputs: Default::default(),
        emergency_reason: None,
        skip_tests: false,
    }
}

/// Asserts that an import was refused with a problem that starts with `expected` (the real
/// system's message and path), printing every problem when it was not.
pub fn assert_refused(
    result: Result<engine::import::Imported, engine::import::ImportError>,
    expected: &str,
) {
    let error = result.expect_err(expected);
    assert!(
        error.problems.iter().any(|p| p.starts_with(expected)),
        "expected {expected:?}, got {:?}",
        error.problems
    );
}
