//! The moments "run to the next decision" stops at: those a person would want to look at,
//! decide on, or explain.

/// Audit actions at which "run to the next decision" stops: moments a person would want to
/// look, decide, or explain.
pub const DECISION_ACTIONS: [&str; 17] = [
    "WaitingPromotion",
    "deployment.created",
    "workflows.approve_workflow_job",
    "workflows.reject_workflow_job",
    "workflows.completed_workflow_run",
    "alert.firing",
    "Failed",
    "Succeeded",
    "ProgressDeadlineExceeded",
    "NewReplicaSetAvailable",
    "RolloutPaused",
    "AnalysisRunFailed",
    "AnalysisRunError",
    "AnalysisRunSuccessful",
    "RolloutAborted",
    "RolloutCompleted",
    "FaultInjected",
];
/// True when "run to the next decision" stops at `record`: one of [`DECISION_ACTIONS`], except a
/// deployment that was created and started at once (no reviewer, timer or window to wait for).
pub fn is_decision(record: &crate::audit::AuditRecord) -> bool {
    DECISION_ACTIONS.contains(&record.action.as_str())
        && !(record.action == "deployment.created" && record.outcome == "created")
}
