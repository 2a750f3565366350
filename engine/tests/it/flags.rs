//! The feature-flag scenario: the flag turns on step by step for the same users plus new ones,
//! the new path's share of traffic follows the share of users, and the kill switch turns it off
//! for everyone at once.

use engine::controllers::feature_flag::FlagRolloutController;
use engine::upstream::flags::user_enabled;
use engine::version::VersionId;
use engine::{Command, Sim, scenario};

fn flag(sim: &Sim) -> &FlagRolloutController {
    sim.flag().expect("a flag scenario")
}

#[test]
fn the_flag_turns_on_step_by_step_for_the_same_users() {
    let mut sim = Sim::new(scenario::builtin("feature-flag-rollout").unwrap(), 1);
    let mut seen = Vec::new();
    while !sim.is_finished() {
        sim.step();
        let controller = flag(&sim);
        if seen.last() != Some(&controller.percent)
            && !controller.deploying
            && controller.on.is_some()
        {
            seen.push(controller.percent);
            // The users on at this step include every user on at the previous one.
            let key = &controller.spec.flag_key;
            for user in 0..2_000 {
                if seen.len() > 1
                    && user_enabled(controller.spec.provider, key, seen[seen.len() - 2], user)
                {
                    assert!(user_enabled(
                        controller.spec.provider,
                        key,
                        controller.percent,
                        user
                    ));
                }
            }
            let share = sim
                .traffic_split()
                .iter()
                .find(|(v, _)| *v == VersionId(2))
                .map_or(0, |(_, w)| *w);
            assert!(
                share.abs_diff(controller.percent) <= 1,
                "traffic follows users: {share} % at {} %",
                controller.percent
            );
        }
    }
    assert_eq!(seen, vec![1, 10, 25, 50, 100]);
    assert_eq!(sim.outcome().result, "promoted");
    assert_eq!(sim.outcome().stable_version, "v3");
    assert_eq!(
        sim.outcome().unserved_requests_total,
        0,
        "the new path is deployed dark first"
    );
}

#[test]
fn the_kill_switch_turns_the_flag_off_for_everyone() {
    let mut sim = Sim::new(scenario::builtin("feature-flag-rollout").unwrap(), 1);
    sim.advance(1_300);
    assert_eq!(flag(&sim).percent, 25);
    sim.apply(Command::Abort).unwrap();
    assert_eq!(sim.traffic_split(), vec![(VersionId(0), 100)]);
    assert_eq!(sim.phase().0.label(), "Degraded");
    assert!(
        sim.audit()
            .records()
            .iter()
            .any(|r| r.action == "FlagKilled")
    );
    sim.run_to_end();
    assert_eq!(sim.outcome().result, "rolled_back");
    assert_eq!(sim.fleet().desired(VersionId(2)), 0);
}
