//! The rollout panel's data for the strategies that advance on a timer: Flagger's analysis loop
//! and a feature flag's percentage steps.

use engine::Sim;
use engine::controllers::feature_flag::FlagRolloutController;
use engine::controllers::flagger::{FlaggerController, FlaggerPhase};
use engine::upstream::flags::FlagProvider;

use crate::view::format::first_sentence;
use crate::view::rollout_card::{RolloutView, StepView};

/// Flagger: the weights the loop passes through, then promotion; failed checks against the
/// threshold.
pub fn flagger_view(sim: &Sim, controller: &FlaggerController) -> RolloutView {
    let (phase, message) = sim.phase();
    let profiles = &sim.scenario().versions;
    let name = |v: engine::version::VersionId| profiles[v.0 as usize].name.clone();
    let spec = &controller.spec;
    let mut weights = Vec::new();
    if spec.iterations.is_none() {
        let mut weight = 0;
        while weight < controller.max_weight() && weights.len() < 100 {
            weight = match spec.step_weights.iter().find(|w| **w > weight) {
                Some(next) => *next,
                None if spec.step_weights.is_empty() => (weight + spec.step_weight.max(1)).min(100),
                None => 100,
            };
            weights.push(weight);
        }
    }
    let in_analysis = matches!(
        controller.phase,
        FlaggerPhase::Progressing | FlaggerPhase::WaitingPromotion
    );
    let mut steps: Vec<StepView> = weights
        .iter()
        .map(|weight| StepView {
            label: format!("{weight} %"),
            state: if controller.phase == FlaggerPhase::Succeeded
                || (in_analysis && *weight < controller.canary_weight)
            {
                "done"
            } else if in_analysis && *weight == controller.canary_weight {
                "current"
            } else {
                "pending"
            },
        })
        .collect();
    steps.push(StepView {
        label: "promote".to_string(),
        state: match controller.phase {
            FlaggerPhase::Succeeded => "done",
            FlaggerPhase::WaitingPromotion | FlaggerPhase::Promoting | FlaggerPhase::Finalising => {
                "current"
            }
            _ => "pending",
        },
    });
    let banner = match controller.phase {
        FlaggerPhase::Failed => Some((
            "danger",
            format!(
                "Canary failed after {} failed checks: all traffic is back on {}.",
                controller.failed_checks,
                name(controller.primary)
            ),
        )),
        FlaggerPhase::Succeeded => Some((
            "success",
            format!(
                "{} promoted: the primary now runs it.",
                name(controller.primary)
            ),
        )),
        _ => None,
    };
    RolloutView {
        phase: phase.label().to_string(),
        phase_message: first_sentence(&message).to_string(),
        stable: name(controller.primary),
        canary: controller.canary.filter(|_| in_analysis).map(name),
        set_weight_percent: controller.canary_weight,
        actual_weight_percent: controller.canary_weight,
        steps,
        analysis_phase: None,
        measurements: Vec::new(),
        banner,
        can_promote: controller.phase == FlaggerPhase::WaitingPromotion,
        can_abort: in_analysis,
        can_retry: false,
        can_undo: in_analysis,
        codedeploy: Vec::new(),
        title: if controller.is_ab_test() {
            "Flagger A/B test".to_string()
        } else {
            "Flagger canary analysis".to_string()
        },
        replica_sets: sim.version_states(),
        details: {
            let mut details = vec![
                ("Phase".to_string(), controller.phase.label().to_string()),
                ("Interval".to_string(), format!("{} s", spec.interval_s)),
                (
                    "Failed checks".to_string(),
                    format!("{} of {}", controller.failed_checks, spec.threshold),
                ),
            ];
            if controller.is_ab_test() {
                details.push((
                    "Iterations".to_string(),
                    format!(
                        "{} of {}",
                        controller.iterations_done,
                        spec.iterations.unwrap_or(0)
                    ),
                ));
                details.push((
                    "Canary gets".to_string(),
                    format!(
                        "{} ({} of requests)",
                        spec.ab_match.join(" or "),
                        engine::metrics::percent_label(
                            engine::controllers::flagger::AB_MATCH_SHARE_BP
                        )
                    ),
                ));
            } else {
                details.push((
                    "Max weight".to_string(),
                    format!("{} %", controller.max_weight()),
                ));
            }
            details
        },
    }
}

/// A feature flag: its percentage steps, and how many users have the new path.
pub fn flag_view(sim: &Sim, controller: &FlagRolloutController) -> RolloutView {
    let (phase, message) = sim.phase();
    let profiles = &sim.scenario().versions;
    let name = |v: engine::version::VersionId| profiles[v.0 as usize].name.clone();
    let running = controller.on.is_some() && !controller.killed && !controller.completed;
    let stepping = running && !controller.deploying;
    let steps = controller
        .spec
        .steps
        .iter()
        .enumerate()
        .map(|(index, step)| StepView {
            label: format!("{} % of users", step.percent),
            state: if controller.completed || (stepping && (index as u32) < controller.step_index) {
                "done"
            } else if stepping && index as u32 == controller.step_index {
                "current"
            } else {
                "pending"
            },
        })
        .collect();
    let banner = if controller.killed {
        Some((
            "danger",
            format!(
                "Kill switch thrown: {} is off for every user, and {} serves all traffic.",
                controller.spec.flag_key,
                name(controller.off)
            ),
        ))
    } else if controller.completed {
        Some((
            "success",
            format!(
                "{} is on for every user: {} is everyone's code path.",
                controller.spec.flag_key,
                name(controller.off)
            ),
        ))
    } else {
        None
    };
    RolloutView {
        phase: phase.label().to_string(),
        phase_message: message,
        stable: name(controller.off),
        canary: controller.on.filter(|_| running).map(name),
        set_weight_percent: controller.percent,
        actual_weight_percent: controller.enabled_share_bp() / 100,
        steps,
        analysis_phase: None,
        measurements: Vec::new(),
        banner,
        can_promote: stepping,
        can_abort: running,
        can_retry: controller.killed,
        can_undo: false,
        codedeploy: Vec::new(),
        title: "Feature flag rollout".to_string(),
        replica_sets: sim.version_states(),
        details: vec![
            (
                "Flag".to_string(),
                format!(
                    "{} ({})",
                    controller.spec.flag_key,
                    match controller.spec.provider {
                        FlagProvider::Unleash => "Unleash flexibleRollout",
                        FlagProvider::LaunchDarkly => "LaunchDarkly",
                    }
                ),
            ),
            (
                "Users on".to_string(),
                format!("{} of {}", controller.enabled_users, controller.users),
            ),
        ],
    }
}
