//! The rollout panel's data for a Kubernetes Deployment and an Argo blue-green Rollout (the
//! canary's is in `view_model.rs`, Flagger's and a feature flag's in `loop_view.rs`).

use engine::Sim;
use engine::controllers::blue_green::{BlueGreenController, BlueGreenStage};
use engine::controllers::deployment::DeploymentController;
use engine::upstream::kubernetes::DeploymentStrategyType;

use crate::view::format::{elapsed_label, first_sentence};
use crate::view::rollout_card::{MeasurementView, RolloutView, StepView};

/// The rollout card of a Kubernetes Deployment.
pub fn deployment_view(sim: &Sim, deployment: &DeploymentController) -> RolloutView {
    let (phase, message) = sim.phase();
    let profiles = &sim.scenario().versions;
    let name = |v: engine::version::VersionId| profiles[v.0 as usize].name.clone();
    let outcome = sim.outcome();
    let template = name(deployment.template);
    let in_flight = deployment.progressing.is_some() && outcome.result == "in_progress";
    let banner = match outcome.result.as_str() {
        "progress_deadline_exceeded" => Some((
            "danger",
            format!(
                "{template} did not progress for {} s: the Deployment is marked failed (ProgressDeadlineExceeded). Kubernetes does not roll back by itself: undo to return to the previous revision.",
                deployment.spec.progress_deadline_seconds.unwrap_or(600)
            ),
        )),
        "rolled_back" => Some((
            "danger",
            format!("Rolled back: {template} serves all traffic again."),
        )),
        "completed" => Some((
            "success",
            format!("{template} rolled out: every replica is updated and available."),
        )),
        _ => None,
    };
    let mut details = vec![
        ("Replicas".to_string(), deployment.spec.replicas.to_string()),
        (
            "Revision".to_string(),
            deployment
                .revisions
                .get(&deployment.template)
                .map_or("1".to_string(), |r| r.to_string()),
        ),
    ];
    let title = match deployment.spec.strategy {
        DeploymentStrategyType::RollingUpdate => {
            let written = |value: &Option<engine::upstream::intstr::IntOrPercent>| {
                value
                    .as_ref()
                    .map_or("0".to_string(), |v| v.written().replace('"', ""))
            };
            details.push((
                "maxSurge".to_string(),
                format!(
                    "{} ({} pods)",
                    written(&deployment.spec.max_surge),
                    deployment.spec.max_surge()
                ),
            ));
            details.push((
                "maxUnavailable".to_string(),
                format!(
                    "{} ({} pods)",
                    written(&deployment.spec.max_unavailable),
                    deployment.spec.max_unavailable()
                ),
            ));
            "Deployment: rolling update"
        }
        DeploymentStrategyType::Recreate => "Deployment: recreate",
    };
    if deployment.spec.min_ready_seconds > 0 {
        details.push((
            "minReadySeconds".to_string(),
            deployment.spec.min_ready_seconds.to_string(),
        ));
    }
    if let Some(condition) = &deployment.progressing {
        details.push(("Progressing".to_string(), condition.reason.clone()));
    }
    RolloutView {
        phase: phase.label().to_string(),
        phase_message: first_sentence(&message).to_string(),
        stable: outcome.stable_version.clone(),
        canary: in_flight.then(|| template.clone()),
        set_weight_percent: 100,
        actual_weight_percent: outcome.canary_traffic_weight_percent,
        steps: Vec::new(),
        analysis_phase: None,
        measurements: Vec::new(),
        banner,
        can_promote: false,
        can_abort: false,
        can_retry: false,
        can_undo: deployment.revisions.len() > 1,
        codedeploy: Vec::new(),
        title: title.to_string(),
        replica_sets: sim.version_states(),
        details,
    }
}

/// The rollout card of an Argo blue-green Rollout.
pub fn blue_green_view(sim: &Sim, controller: &BlueGreenController) -> RolloutView {
    let (phase, message) = sim.phase();
    let profiles = &sim.scenario().versions;
    let name = |v: engine::version::VersionId| profiles[v.0 as usize].name.clone();
    let stage_index = match &controller.stage {
        BlueGreenStage::Stable => None,
        BlueGreenStage::Preview => Some(0),
        BlueGreenStage::PrePromotion(_) => Some(1),
        BlueGreenStage::Paused { .. } | BlueGreenStage::AutoPromotionWait { .. } => Some(2),
        BlueGreenStage::ScalingUp => Some(3),
        BlueGreenStage::PostPromotion(_) => Some(4),
        BlueGreenStage::Aborted { .. } => None,
    };
    // The stages this strategy goes through, numbered as `stage_index` numbers them; stages the
    // manifest does not configure are left out.
    let spec = &controller.spec;
    let gate_label = match (spec.auto_promotion_enabled, spec.auto_promotion_seconds) {
        (false, _) => Some("pause until promoted".to_string()),
        (true, Some(seconds)) => Some(format!("auto-promote after {seconds} s")),
        (true, None) => None,
    };
    let stages: [(usize, Option<String>); 5] = [
        (0, Some("preview up".to_string())),
        (
            1,
            spec.pre_promotion_analysis
                .as_ref()
                .map(|_| "pre-promotion analysis".to_string()),
        ),
        (2, gate_label),
        (3, Some("switch active".to_string())),
        (
            4,
            spec.post_promotion_analysis
                .as_ref()
                .map(|_| "post-promotion analysis".to_string()),
        ),
    ];
    let promoted = controller.last_result.as_deref() == Some("promoted")
        && controller.stage == BlueGreenStage::Stable;
    let steps = stages
        .into_iter()
        .filter_map(|(index, label)| label.map(|label| (index, label)))
        .map(|(index, label)| StepView {
            label,
            state: match stage_index {
                Some(current) if index < current => "done",
                Some(current) if index == current => "current",
                None if promoted => "done",
                _ => "pending",
            },
        })
        .collect();
    let run = match &controller.stage {
        BlueGreenStage::PrePromotion(run) | BlueGreenStage::PostPromotion(run) => Some(run),
        _ => None,
    };
    let measurements = run
        .map(|run| {
            run.measurements
                .iter()
                .rev()
                .map(|m| MeasurementView {
                    at: format!("T+{}", elapsed_label(m.tick.0)),
                    phase: m.phase.label().to_string(),
                    text: m.explanation.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let banner = match &controller.stage {
        BlueGreenStage::Aborted { message, .. } => Some((
            "danger",
            format!(
                "Aborted: {} is active and serves all traffic; the preview is scaled down after {} s. ({})",
                name(controller.active),
                controller.spec.abort_scale_down_delay_s,
                first_sentence(message)
            ),
        )),
        BlueGreenStage::Stable if promoted => Some((
            "success",
            format!(
                "{} promoted: the active service switched to it in one step.",
                name(controller.active)
            ),
        )),
        _ => None,
    };
    let new_share = controller.new.map_or(0, |new| {
        sim.traffic_split()
            .iter()
            .find(|(v, _)| *v == new)
            .map_or(0, |(_, w)| *w)
    });
    let in_flight =
        controller.new.is_some() && !matches!(controller.stage, BlueGreenStage::Aborted { .. });
    RolloutView {
        phase: phase.label().to_string(),
        phase_message: first_sentence(&message).to_string(),
        stable: name(controller.active),
        canary: controller.new.map(name),
        set_weight_percent: if controller.new == Some(controller.active) {
            100
        } else {
            0
        },
        actual_weight_percent: new_share,
        steps,
        analysis_phase: run.map(|r| r.phase.label().to_string()),
        measurements,
        banner,
        can_promote: matches!(
            controller.stage,
            BlueGreenStage::Paused { .. } | BlueGreenStage::AutoPromotionWait { .. }
        ),
        can_abort: in_flight,
        can_retry: matches!(controller.stage, BlueGreenStage::Aborted { .. }),
        can_undo: in_flight && controller.new != Some(controller.active),
        codedeploy: Vec::new(),
        title: "Blue-green rollout".to_string(),
        replica_sets: sim.version_states(),
        details: vec![
            (
                "Active service".to_string(),
                format!(
                    "{} → {}",
                    controller.spec.active_service,
                    name(controller.active)
                ),
            ),
            (
                "Preview service".to_string(),
                match (&controller.spec.preview_service, controller.new) {
                    (Some(service), Some(new)) if new != controller.active => {
                        format!("{service} → {}", name(new))
                    }
                    (Some(service), _) => format!("{service} → (none)"),
                    (None, _) => "none".to_string(),
                },
            ),
            (
                "Scale-down delay".to_string(),
                format!("{} s", controller.spec.scale_down_delay_s),
            ),
        ],
    }
}
