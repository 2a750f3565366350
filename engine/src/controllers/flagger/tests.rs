//! Tests of `flagger.rs`.

use super::*;

fn spec(step_weight: u32, max_weight: u32, threshold: u32) -> FlaggerSpec {
    FlaggerSpec {
        name: "podinfo".to_string(),
        replicas: 2,
        interval_s: 60,
        threshold,
        max_weight,
        step_weight,
        step_weights: Vec::new(),
        iterations: None,
        ab_match: Vec::new(),
        metrics: vec![FlaggerMetric {
            name: "request-success-rate".to_string(),
            min_milli: Some(99_000),
            max_milli: None,
            interval_s: 60,
        }],
        confirm_promotion: false,
        progress_deadline_s: 600,
    }
}

fn observed(requests: u64, errors: u64) -> FlaggerObserved {
    FlaggerObserved {
        canary_window: WindowTotals {
            requests,
            errors,
            unserved: 0,
            seconds_covered: 60,
            seconds_without_data: 0,
            p95_max_ms: 120,
        },
        canary_p99_ms: Some(100),
        canary_ready: 2,
    }
}

/// Ticks the controller `ticks` times, a minute apart, with the same observation.
fn run(controller: &mut FlaggerController, seen: FlaggerObserved, ticks: u64) -> Vec<String> {
    let mut log = Vec::new();
    for tick in 1..=ticks {
        for e in controller.reconcile(&seen, Tick(tick * 60)) {
            log.push(e.message);
        }
    }
    log
}

fn started(spec: FlaggerSpec) -> FlaggerController {
    let mut controller = FlaggerController::new(spec, VersionId(0));
    controller
        .start_rollout(VersionId(1), "v2", Actor::Pipeline, Tick(0), &[])
        .unwrap();
    controller
}

#[test]
fn weight_overshoots_max_weight_then_promotes() {
    // maxWeight 50, stepWeight 20: 20, 40, 60, then promotion.
    let mut controller = started(spec(20, 50, 1));
    let log = run(&mut controller, observed(1_000, 0), 6);
    assert_eq!(
        log,
        vec![
            "Advance podinfo canary weight 20",
            "Advance podinfo canary weight 40",
            "Advance podinfo canary weight 60",
            "Copying podinfo template spec to podinfo-primary",
            "Routing all traffic to primary podinfo-primary",
            "Promotion completed! Scaling down podinfo",
        ]
    );
    assert_eq!(controller.phase, FlaggerPhase::Succeeded);
    assert_eq!(controller.primary, VersionId(1));
}

#[test]
fn failed_checks_count_cumulatively_and_roll_back_on_the_next_tick() {
    let mut controller = started(spec(10, 50, 2));
    let bad = observed(1_000, 50);
    let log = run(&mut controller, bad, 4);
    assert_eq!(log.len(), 5, "{log:?}");
    assert_eq!(
        log[0], "Advance podinfo canary weight 10",
        "the first tick, at weight 0, runs only the pre-rollout hooks"
    );
    assert!(
        log[1].starts_with("Halt podinfo advancement request-success-rate 95 < 99"),
        "{}",
        log[1]
    );
    assert!(log[2].starts_with("Halt"));
    assert_eq!(controller.failed_checks, 2);
    assert_eq!(
        log[3], "Rolling back podinfo failed checks threshold reached 2",
        "the tick after the second failure"
    );
    assert_eq!(log[4], "Canary failed! Scaling down podinfo");
    assert_eq!(controller.phase, FlaggerPhase::Failed);
    assert_eq!(controller.weights(), vec![(VersionId(0), 100)]);
}

#[test]
fn no_data_is_a_failed_check() {
    let mut controller = started(spec(10, 50, 5));
    let log = run(&mut controller, observed(0, 0), 2);
    assert!(log[1].starts_with("Halt advancement no values found for metric request-success-rate"));
    assert_eq!(controller.failed_checks, 1);
}

#[test]
fn an_unready_canary_is_waited_for_without_counting_failed_checks() {
    let mut controller = started(spec(10, 50, 5));
    let mut unready = observed(0, 0);
    unready.canary_ready = 0;
    let log = run(&mut controller, unready, 4);
    assert!(log.is_empty(), "{log:?}");
    assert_eq!(controller.failed_checks, 0);
    assert_eq!(controller.canary_weight, 0);
}

#[test]
fn step_weights_and_the_promotion_gate() {
    let mut spec = spec(0, 0, 1);
    spec.step_weights = vec![1, 10, 50];
    spec.confirm_promotion = true;
    let mut controller = started(spec);
    let log = run(&mut controller, observed(1_000, 0), 5);
    assert_eq!(
        &log[..3],
        &[
            "Advance podinfo canary weight 1",
            "Advance podinfo canary weight 10",
            "Advance podinfo canary weight 50",
        ]
    );
    assert!(log[3].starts_with("Confirm-promotion check"));
    assert_eq!(controller.phase, FlaggerPhase::WaitingPromotion);
    assert_eq!(log.len(), 4, "it waits: {log:?}");
    controller
        .promote_rollout(false, Actor::Trainee, Tick(330))
        .unwrap();
    let log = controller.reconcile(&observed(1_000, 0), Tick(360));
    assert_eq!(
        log[0].message,
        "Copying podinfo template spec to podinfo-primary"
    );
}

#[test]
fn iterations_make_a_blue_green_analysis() {
    let mut spec = spec(0, 0, 1);
    spec.iterations = Some(3);
    let mut controller = started(spec);
    let log = run(&mut controller, observed(1_000, 0), 3);
    assert_eq!(
        log,
        vec![
            "Advance podinfo canary iteration 1/3",
            "Advance podinfo canary iteration 2/3",
            "Copying podinfo template spec to podinfo-primary",
        ]
    );
}
