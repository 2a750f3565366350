//! The rollout card's data, whichever controller fills it: its steps, the gate's measurements, and
//! the banner.

/// One step of the ladder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepView {
    /// As written in a manifest: `setWeight: 10`.
    pub label: String,
    /// `done`, `current` or `pending`.
    pub state: &'static str,
}
/// The rollout panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RolloutView {
    /// Healthy, Progressing, Paused or Degraded.
    pub phase: String,
    /// Why.
    pub phase_message: String,
    /// The stable version's name.
    pub stable: String,
    /// The canary's name, if a rollout exists.
    pub canary: Option<String>,
    /// The weight the current step asks for.
    pub set_weight_percent: u32,
    /// The weight the router carries.
    pub actual_weight_percent: u32,
    /// The steps.
    pub steps: Vec<StepView>,
    /// The analysis run's phase, if one has started.
    pub analysis_phase: Option<String>,
    /// The latest measurements, newest first.
    pub measurements: Vec<MeasurementView>,
    /// A one-line banner for the end of a rollout: (kind, text).
    pub banner: Option<(&'static str, String)>,
    /// Which rollout commands make sense now.
    pub can_promote: bool,
    /// True while a canary is progressing.
    pub can_abort: bool,
    /// True after an abort.
    pub can_retry: bool,
    /// True when a rollback to the previous revision (`undo`) applies.
    pub can_undo: bool,
    /// What kind of rollout: "Canary rollout", "Blue-green rollout", "Deployment: rolling update".
    pub title: String,
    /// Each version's ReplicaSet: desired, ready and available pods and share of traffic.
    pub replica_sets: Vec<engine::sim::VersionState>,
    /// Strategy settings worth seeing, as (label, value).
    pub details: Vec<(String, String)>,
    /// CodeDeploy's deployments, newest first, when the run stands for a CodeDeploy group.
    pub codedeploy: Vec<crate::view::rollout_card::CodeDeployRow>,
}
/// One gate measurement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeasurementView {
    /// When, as elapsed time.
    pub at: String,
    /// Successful, Failed, Error.
    pub phase: String,
    /// The explanation.
    pub text: String,
}

/// One CodeDeploy deployment as the panel lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeDeployRow {
    /// `d-` and nine characters.
    pub id: String,
    /// The revision deployed.
    pub revision: String,
    /// `InProgress`, `Succeeded`, `Failed` or `Stopped`.
    pub status: &'static str,
    /// `user` or `codeDeployRollback`.
    pub creator: &'static str,
    /// When it started and how long it took (or has taken).
    pub timing: String,
    /// What happened.
    pub message: String,
}
