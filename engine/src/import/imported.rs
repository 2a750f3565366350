//! What an import gives (a scenario and its warnings) or why it is refused, and the scenario every
//! imported rollout shares.

use crate::audit::Actor;
use crate::command::{Command, TimedCommand};
use crate::scenario::{Scenario, Strategy};
use crate::time::Tick;
use crate::version::VersionProfile;
use crate::world::fleet::Probes;
use crate::world::traffic::TrafficShape;
use crate::world::{ServiceSpec, standard_environments};

/// When the imported rollout starts: after a minute of steady traffic on the current version.
pub const ROLLOUT_STARTS_AT_S: u64 = 60;

/// A manifest turned into a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    /// The scenario: the service at its current version, and a rollout to the next at
    /// [`ROLLOUT_STARTS_AT_S`].
    pub scenario: Scenario,
    /// `Deployment` or `Rollout`.
    pub kind: String,
    /// Fields read but not simulated, each with its path.
    pub warnings: Vec<String>,
}
/// Why a manifest cannot be simulated: every problem found, each with where and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// One line per problem.
    pub problems: Vec<String>,
}
impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.problems.join("\n"))
    }
}
impl std::error::Error for ImportError {}
pub(super) fn rollout_scenario(
    name: &str,
    image: &str,
    replicas: u32,
    probes: Probes,
    strategy: Strategy,
    title: String,
) -> Scenario {
    let current = image_tag(image);
    let next = next_version_name(&current);
    let mut scenario = crate::scenario::builtin("canary-good-release")
        .expect("the built-in canary scenario exists");
    let mut service = ServiceSpec::typical(name, &current, replicas, TrafficShape::flat(200));
    // Enough capacity that a rolling update with a pod or two down does not overload the rest.
    service.capacity_rps_per_instance = (400 / replicas.max(1)).max(60);
    service.probes = probes;
    scenario.id = format!("import:{name}");
    scenario.title = title;
    scenario.situation = format!(
        "{name} runs {current} on {replicas} replicas. A minute in, its pod template changes to {next}, and the controller rolls it out as the manifest says."
    );
    scenario.objective = "Follow the ReplicaSets, the traffic each version gets, and the rollout's phase as the real controller would move them.".to_string();
    scenario.versions = vec![
        VersionProfile::healthy(&current, 20),
        VersionProfile::healthy(&next, 20),
    ];
    scenario.environments = standard_environments(vec![service]);
    scenario.rollout_environment = "production".to_string();
    scenario.rollout_service = name.to_string();
    scenario.canary.replicas = replicas;
    scenario.schedule = vec![TimedCommand {
        at: Tick(ROLLOUT_STARTS_AT_S),
        actor: Actor::Pipeline,
        command: Command::StartRollout { version: next },
    }];
    scenario.strategy = strategy;
    scenario.settle_s = 120;
    scenario.max_duration_s = 4 * 3_600;
    scenario
}
/// `nginx:1.14.2` → `1.14.2`; an image without a tag runs `latest`.
pub(super) fn image_tag(image: &str) -> String {
    let last_segment = image.rsplit('/').next().unwrap_or(image);
    let without_digest = last_segment.split('@').next().unwrap_or(last_segment);
    match without_digest.split_once(':') {
        Some((_, tag)) if !tag.is_empty() => tag.to_string(),
        _ => "latest".to_string(),
    }
}
/// The version after `current`: its last number plus one (`1.14.2` → `1.14.3`, `v1` → `v2`),
/// or `current-next` when it has no number.
pub(super) fn next_version_name(current: &str) -> String {
    // The tag may hold any Unicode, so the digits start after the last non-digit's bytes.
    let digits_start = current
        .char_indices()
        .rfind(|(_, c)| !c.is_ascii_digit())
        .map_or(0, |(i, c)| i + c.len_utf8());
    match current[digits_start..]
        .parse::<u64>()
        .ok()
        .and_then(|number| number.checked_add(1))
    {
        Some(next) if digits_start < current.len() => {
            format!("{}{next}", &current[..digits_start])
        }
        _ => format!("{current}-next"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_the_image_tag() {
        assert_eq!(image_tag("nginx:1.14.2"), "1.14.2");
        assert_eq!(image_tag("registry.example.com:5000/team/app:v7"), "v7");
        assert_eq!(image_tag("argoproj/rollouts-demo:blue"), "blue");
        assert_eq!(image_tag("nginx"), "latest");
        assert_eq!(next_version_name("1.14.2"), "1.14.3");
        assert_eq!(next_version_name("v1"), "v2");
        assert_eq!(next_version_name("blue"), "blue-next");
        assert_eq!(next_version_name("grün7"), "grün8");
        assert_eq!(next_version_name("ü"), "ü-next");
        assert_eq!(
            next_version_name("18446744073709551615"),
            "18446744073709551615-next"
        );
    }
}
