//! Tests of `fleet.rs`.

use super::*;

fn profiles() -> Vec<VersionProfile> {
    vec![
        VersionProfile::healthy("v1", 20),
        VersionProfile::healthy("v2", 20),
    ]
}

fn run(fleet: &mut Fleet, from: u64, to: u64, conditions: &FleetConditions) -> FleetChanges {
    let mut total = FleetChanges::default();
    for tick in from..to {
        let changes = fleet.reconcile(Tick(tick), 1, &profiles(), conditions);
        total.crashes += changes.crashes;
        total.oom_kills += changes.oom_kills;
        total.hard_terminations += changes.hard_terminations;
    }
    total
}

#[test]
fn readiness_waits_for_the_first_probe_after_start_up() {
    // (start-up s, probes, seconds to ready): probes every period from the initial delay.
    let defaults = Probes::default();
    let cases = [
        (20u32, defaults, 20u32),
        (21, defaults, 30),
        (0, defaults, 0),
        (
            5,
            Probes {
                initial_delay_s: 15,
                ..defaults
            },
            15,
        ),
        (
            16,
            Probes {
                initial_delay_s: 15,
                ..defaults
            },
            25,
        ),
        (
            20,
            Probes {
                success_threshold: 3,
                ..defaults
            },
            40,
        ),
    ];
    for (startup_s, probes, expected) in cases {
        assert_eq!(
            probes.seconds_to_ready(startup_s),
            expected,
            "start-up {startup_s} s with {probes:?}"
        );
    }
    assert_eq!(
        (
            defaults.period_s,
            defaults.timeout_s,
            defaults.success_threshold,
            defaults.failure_threshold
        ),
        (10, 1, 1, 3),
        "Kubernetes defaults"
    );
}

#[test]
fn each_version_starts_in_its_own_time() {
    let profiles = vec![
        VersionProfile::healthy("v1", 20),
        VersionProfile::healthy("v2", 60),
    ];
    let mut fleet = Fleet::new_ready("api", 1, 3, Probes::default(), &profiles, VersionId(0), 1);
    fleet.set_desired(VersionId(1), 1);
    let clear = FleetConditions::default();
    for tick in 0..50 {
        fleet.reconcile(Tick(tick), 1, &profiles, &clear);
    }
    assert_eq!(
        fleet.counts(VersionId(1)).ready,
        0,
        "v2 takes about 60 s, not v1's 20 s"
    );
    for tick in 50..90 {
        fleet.reconcile(Tick(tick), 1, &profiles, &clear);
    }
    assert_eq!(fleet.counts(VersionId(1)).ready, 1);
}

#[test]
fn restart_back_off_doubles_to_five_minutes() {
    let delays: Vec<u32> = (0..8).map(restart_backoff_s).collect();
    assert_eq!(delays, vec![10, 20, 40, 80, 160, 300, 300, 300]);
}

#[test]
fn a_crashing_version_loops_with_growing_back_off() {
    let mut fleet = Fleet::new_ready("api", 1, 3, Probes::default(), &profiles(), VersionId(0), 2);
    fleet.set_desired(VersionId(1), 1);
    let conditions = FleetConditions {
        crash_on_start: vec![VersionId(1)],
        ..FleetConditions::default()
    };
    let changes = run(&mut fleet, 0, 400, &conditions);
    let crashing = fleet
        .instances()
        .iter()
        .find(|i| i.version == VersionId(1))
        .unwrap();
    // Crashes at ~20 s, then restarts after 10, 20, 40, 80, 160 s of back-off (plus start-up).
    assert!(
        (4..=6).contains(&changes.crashes),
        "{} crashes in 400 s",
        changes.crashes
    );
    assert_eq!(crashing.restarts, changes.crashes);
    assert_eq!(fleet.counts(VersionId(1)).ready, 0);
    assert_eq!(
        fleet.counts(VersionId(0)).ready,
        2,
        "the stable version is untouched"
    );
}

#[test]
fn never_ready_instances_stay_starting() {
    let mut fleet = Fleet::new_ready("api", 1, 3, Probes::default(), &profiles(), VersionId(0), 1);
    fleet.set_desired(VersionId(1), 2);
    run(
        &mut fleet,
        0,
        300,
        &FleetConditions {
            never_ready: vec![VersionId(1)],
            ..FleetConditions::default()
        },
    );
    assert_eq!(
        fleet.counts(VersionId(1)),
        InstanceCounts {
            starting: 2,
            ..InstanceCounts::default()
        }
    );
}

#[test]
fn a_memory_leak_ends_in_oom_kills() {
    let mut fleet = Fleet::new_ready("api", 1, 3, Probes::default(), &profiles(), VersionId(0), 2);
    // 312 MiB of headroom at 1 MiB a second: OOM after 312 s.
    let conditions = FleetConditions {
        leaking: vec![(VersionId(0), 1_024)],
        ..FleetConditions::default()
    };
    let early = run(&mut fleet, 0, 200, &conditions);
    assert_eq!(early.oom_kills, 0);
    assert!(fleet.memory_pressure(VersionId(0)) > 0.6);
    let later = run(&mut fleet, 200, 320, &conditions);
    assert_eq!(later.oom_kills, 2);
    assert!(fleet.instances().iter().all(|i| i.restarts == 1));
}

#[test]
fn lost_zones_take_their_instances_and_block_scheduling() {
    let mut fleet = Fleet::new_ready("api", 1, 3, Probes::default(), &profiles(), VersionId(0), 6);
    assert_eq!(
        fleet.instances().iter().filter(|i| i.zone == 1).count(),
        2,
        "spread evenly"
    );
    assert_eq!(fleet.lose_zone(1), 2);
    run(
        &mut fleet,
        0,
        60,
        &FleetConditions {
            zones_down: vec![1],
            ..FleetConditions::default()
        },
    );
    assert_eq!(
        fleet.counts(VersionId(0)).ready,
        6,
        "replaced in the other zones"
    );
    assert!(fleet.instances().iter().all(|i| i.zone != 1));
    fleet.lose_all();
    run(
        &mut fleet,
        60,
        120,
        &FleetConditions {
            zones_down: vec![0, 1, 2],
            ..FleetConditions::default()
        },
    );
    assert_eq!(fleet.counts(VersionId(0)).pending, 6, "nowhere to schedule");
}

#[test]
fn a_broken_stop_script_takes_the_grace_period_and_drops_requests() {
    let mut fleet = Fleet::new_ready("api", 1, 3, Probes::default(), &profiles(), VersionId(0), 3);
    fleet.set_desired(VersionId(0), 1);
    let conditions = FleetConditions {
        broken_stop_script: true,
        ..FleetConditions::default()
    };
    let changes = run(&mut fleet, 0, u64::from(DRAIN_S) + 1, &conditions);
    assert_eq!(
        changes.hard_terminations, 0,
        "still hanging after the normal drain time"
    );
    let changes = run(
        &mut fleet,
        u64::from(DRAIN_S) + 1,
        u64::from(TERMINATION_GRACE_S) + 1,
        &conditions,
    );
    assert_eq!(changes.hard_terminations, 2);
    assert_eq!(fleet.instances().len(), 1);
}
