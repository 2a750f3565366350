//! What a scenario is: the starting world, the strategy, the script and its faults, and when the
//! story is over.

use serde::{Deserialize, Serialize};

use crate::command::TimedCommand;
use crate::controllers::canary::CanarySpec;
use crate::version::{VersionId, VersionProfile};
use crate::world::EnvironmentSpec;
use crate::world::fault::Fault;

/// Everything that defines a run apart from the seed and the trainee's commands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    /// Stable identifier, used on the command line and in links.
    pub id: String,
    /// The title shown in the app.
    pub title: String,
    /// The situation in two or three sentences.
    pub situation: String,
    /// What the trainee should see happen, and why it matters.
    pub objective: String,
    /// The UTC instant at which the run starts.
    pub start_unix_s: u64,
    /// Every release in the story.
    pub versions: Vec<VersionProfile>,
    /// The environments and their services.
    pub environments: Vec<EnvironmentSpec>,
    /// The environment of the service being rolled out.
    pub rollout_environment: String,
    /// The service being rolled out.
    pub rollout_service: String,
    /// The canary strategy.
    pub canary: CanarySpec,
    /// Faults the script schedules.
    pub faults: Vec<Fault>,
    /// Commands the script gives, in time order.
    pub schedule: Vec<TimedCommand>,
    /// Seconds the run continues after everything has settled, so the aftermath is visible.
    pub settle_s: u32,
    /// Hard limit on the length of a run.
    pub max_duration_s: u32,
    /// Simulate every second in full, quiet minutes too (see `quiet.rs`): for side-by-side runs
    /// that must differ only where a fault acts.
    #[serde(default)]
    pub every_second: bool,
    /// How the rolled-out service is updated.
    #[serde(default)]
    pub strategy: Strategy,
    /// When the rollout stands for an AWS CodeDeploy deployment: the deployment group, whose
    /// deployments, success conditions and rollbacks are kept as CodeDeploy keeps them.
    #[serde(default)]
    pub codedeploy: Option<crate::controllers::codedeploy::CodeDeploySpec>,
    /// The delivery pipeline around the rollout, if the scenario has one.
    #[serde(default)]
    pub pipeline: Option<crate::pipeline::state::PipelineSpec>,
    /// The branch its changes come from (`main` unless the scenario says otherwise).
    #[serde(default = "main_branch")]
    pub branch: String,
}
pub(super) fn main_branch() -> String {
    "main".to_string()
}
/// How the rolled-out service is updated.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Strategy {
    /// An Argo Rollouts canary behind a traffic router, as `canary` describes it.
    #[default]
    ArgoCanary,
    /// An Argo Rollouts blue-green strategy.
    ArgoBlueGreen {
        /// The strategy's fields.
        spec: crate::controllers::blue_green::BlueGreenSpec,
    },
    /// A feature-flag percentage rollout with sticky user bucketing.
    FeatureFlag {
        /// The plan.
        spec: crate::controllers::feature_flag::FlagRolloutSpec,
    },
    /// A Flagger `Canary`: its analysis loop.
    Flagger {
        /// The analysis settings.
        spec: crate::controllers::flagger::FlaggerSpec,
    },
    /// A Kubernetes Deployment (rolling update or recreate).
    KubernetesDeployment {
        /// `metadata.name`.
        name: String,
        /// The spec.
        spec: crate::upstream::kubernetes::DeploymentSpec,
    },
}
impl Scenario {
    /// The version with this name.
    pub fn version_id(&self, name: &str) -> Option<VersionId> {
        self.versions
            .iter()
            .position(|v| v.name == name)
            .map(|index| VersionId(index as u32))
    }

    /// The profile of `version`.
    pub fn profile(&self, version: VersionId) -> &VersionProfile {
        &self.versions[version.0 as usize]
    }
}
