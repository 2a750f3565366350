//! The rollout card of an Argo canary: its steps, the gate's measurements and its ReplicaSets.

use engine::Sim;
use engine::controllers::canary::CanaryStep;
use engine::gates::analysis::AnalysisPhase;
use engine::time::manifest_duration;
use engine::version::VersionId;

use super::format::{elapsed_label, first_sentence};
use super::rollout_card::{MeasurementView, RolloutView, StepView};

/// The rollout panel of an Argo canary: its steps, the gate's measurements, its ReplicaSets.
pub(super) fn canary_rollout(
    sim: &Sim,
    controller: &engine::controllers::canary::CanaryController,
) -> RolloutView {
    let status = &controller.status;
    let spec = &controller.spec;
    let (phase, full_phase_message) = sim.phase();
    // The banner explains an abort in full; next to the phase only its reason code is shown.
    let phase_message = first_sentence(&full_phase_message).to_string();
    let name = |v: VersionId| sim.scenario().profile(v).name.clone();
    let canary = status.canary.map(name);
    let steps = spec
        .steps
        .iter()
        .enumerate()
        .map(|(index, step)| {
            let index = index as u32;
            let state = if status.canary.is_none() {
                if status.history.last().is_some_and(|r| {
                    r.result == engine::controllers::rollout::RolloutResult::Promoted
                }) {
                    "done"
                } else {
                    "pending"
                }
            } else if index < status.step_index {
                "done"
            } else if index == status.step_index && status.aborted.is_none() {
                "current"
            } else {
                "pending"
            };
            StepView {
                label: step_label(step),
                state,
            }
        })
        .collect();
    // An analysis step's run is the one to watch while it lasts.
    let shown_run = status.step_analysis.as_ref().or(status.analysis.as_ref());
    let measurements = shown_run
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
    let banner = if let Some((_, message)) = &status.aborted {
        let verdict = status
            .analysis
            .as_ref()
            .filter(|run| matches!(run.phase, AnalysisPhase::Failed | AnalysisPhase::Error))
            .and_then(|run| run.measurements.last())
            .map(|m| format!(" The gate measured {}.", m.explanation))
            .unwrap_or_default();
        let rolled_back = if status.canary_replicas == 0 {
            "rolled back"
        } else {
            "rolling back"
        };
        Some((
            "danger",
            format!(
                "{} {rolled_back}: all traffic is on {}.{verdict} ({})",
                canary.clone().unwrap_or_default(),
                name(status.stable),
                first_sentence(message)
            ),
        ))
    } else if status.canary.is_none() {
        status.history.last().filter(|r| r.result == engine::controllers::rollout::RolloutResult::Promoted).map(|record| {
            (
                "success",
                format!("{} promoted: it passed every step and gate and now serves 100 % of traffic.", name(record.version)),
            )
        })
    } else {
        None
    };
    RolloutView {
        phase: phase.label().to_string(),
        phase_message,
        stable: name(status.stable),
        can_promote: status.pause_started_at.is_some(),
        can_abort: status.is_progressing(),
        can_retry: status.canary.is_some() && status.aborted.is_some(),
        can_undo: status.canary.is_some(),
        codedeploy: Vec::new(),
        title: if spec.traffic_routing {
            "Canary rollout".to_string()
        } else {
            "Canary rollout (pods approximate the weight)".to_string()
        },
        replica_sets: sim.version_states(),
        details: Vec::new(),
        canary,
        // With no canary in flight everything runs on stable, which Argo's dashboard shows as 100/100.
        set_weight_percent: if status.canary.is_some() {
            status.set_weight_percent
        } else {
            100
        },
        actual_weight_percent: if status.canary.is_some() {
            status.traffic_weight_percent
        } else {
            100
        },
        steps,
        analysis_phase: shown_run.map(|run| run.phase.label().to_string()),
        measurements,
        banner,
    }
}
pub(super) fn step_label(step: &CanaryStep) -> String {
    match step {
        CanaryStep::SetWeight { weight_percent } => format!("{weight_percent} %"),
        CanaryStep::Pause {
            duration_s: Some(seconds),
        } => format!("pause {}", manifest_duration(u64::from(*seconds))),
        CanaryStep::Pause { duration_s: None } => "pause until promoted".to_string(),
        CanaryStep::Analysis { gate } => format!("analysis {}", gate.metric_name),
        CanaryStep::SetCanaryScale { .. } => step.label().replace("setCanaryScale: ", "scale "),
    }
}
