//! AWS CodeDeploy's predefined deployment configurations (`deployment-configurations.md`):
//! in-place batches bounded by the minimum healthy hosts (EC2/on-premises), and time-based
//! canary and linear traffic shifting (ECS and Lambda).

use serde::{Deserialize, Serialize};

/// `minimumHealthyHosts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MinimumHealthyHosts {
    /// `HOST_COUNT`: this many instances stay healthy.
    HostCount(u32),
    /// `FLEET_PERCENT`: this share stays healthy, rounded up to whole instances.
    FleetPercent(u32),
}

/// What a configuration does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CodeDeployConfig {
    /// EC2/on-premises in place: instances are updated in batches that keep the minimum healthy.
    InPlace {
        /// The minimum that must stay healthy.
        minimum_healthy: MinimumHealthyHosts,
        /// `OneAtATime` updates one instance at a time whatever the arithmetic says.
        one_at_a_time: bool,
    },
    /// `TimeBasedCanary`: `percentage` of traffic, then the rest after `interval_min`.
    TimeBasedCanary {
        /// `canaryPercentage`.
        percentage: u32,
        /// `canaryInterval`, in minutes.
        interval_min: u32,
    },
    /// `TimeBasedLinear`: `percentage` more traffic every `interval_min`.
    TimeBasedLinear {
        /// `linearPercentage`.
        percentage: u32,
        /// `linearInterval`, in minutes.
        interval_min: u32,
    },
    /// Every request to the new version at once.
    AllAtOnceTraffic,
}

/// The compute platform a configuration belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    /// EC2 and on-premises instances.
    Server,
    /// Amazon ECS.
    Ecs,
    /// AWS Lambda.
    Lambda,
}

/// Every predefined configuration name.
pub const PREDEFINED: [&str; 17] = [
    "CodeDeployDefault.OneAtATime",
    "CodeDeployDefault.HalfAtATime",
    "CodeDeployDefault.AllAtOnce",
    "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
    "CodeDeployDefault.ECSLinear10PercentEvery3Minutes",
    "CodeDeployDefault.ECSCanary10Percent5Minutes",
    "CodeDeployDefault.ECSCanary10Percent15Minutes",
    "CodeDeployDefault.ECSAllAtOnce",
    "CodeDeployDefault.LambdaCanary10Percent5Minutes",
    "CodeDeployDefault.LambdaCanary10Percent10Minutes",
    "CodeDeployDefault.LambdaCanary10Percent15Minutes",
    "CodeDeployDefault.LambdaCanary10Percent30Minutes",
    "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
    "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes",
    "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes",
    "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes",
    "CodeDeployDefault.LambdaAllAtOnce",
];

/// The predefined configuration called `name`, or AWS's error for an unknown one.
pub fn predefined(name: &str) -> Result<(Platform, CodeDeployConfig), String> {
    let unknown = || format!("No deployment configuration found for name: {name}");
    let short = name
        .strip_prefix("CodeDeployDefault.")
        .ok_or_else(unknown)?;
    let in_place = |minimum_healthy, one_at_a_time| CodeDeployConfig::InPlace {
        minimum_healthy,
        one_at_a_time,
    };
    let config = match short {
        "OneAtATime" => (
            Platform::Server,
            in_place(MinimumHealthyHosts::FleetPercent(99), true),
        ),
        "HalfAtATime" => (
            Platform::Server,
            in_place(MinimumHealthyHosts::FleetPercent(50), false),
        ),
        "AllAtOnce" => (
            Platform::Server,
            in_place(MinimumHealthyHosts::FleetPercent(0), false),
        ),
        "ECSAllAtOnce" => (Platform::Ecs, CodeDeployConfig::AllAtOnceTraffic),
        "LambdaAllAtOnce" => (Platform::Lambda, CodeDeployConfig::AllAtOnceTraffic),
        other => {
            let (platform, rest) = if let Some(rest) = other.strip_prefix("ECS") {
                (Platform::Ecs, rest)
            } else if let Some(rest) = other.strip_prefix("Lambda") {
                (Platform::Lambda, rest)
            } else {
                return Err(unknown());
            };
            if !PREDEFINED.contains(&name) {
                return Err(unknown());
            }
            let number = |text: &str| -> Result<u32, String> {
                text.trim_end_matches("Minutes")
                    .trim_end_matches("Minute")
                    .parse()
                    .map_err(|_| unknown())
            };
            if let Some(rest) = rest.strip_prefix("Canary") {
                let (percentage, minutes) = rest.split_once("Percent").ok_or_else(unknown)?;
                (
                    platform,
                    CodeDeployConfig::TimeBasedCanary {
                        percentage: percentage.parse().map_err(|_| unknown())?,
                        interval_min: number(minutes)?,
                    },
                )
            } else if let Some(rest) = rest.strip_prefix("Linear") {
                let (percentage, every) = rest.split_once("PercentEvery").ok_or_else(unknown)?;
                (
                    platform,
                    CodeDeployConfig::TimeBasedLinear {
                        percentage: percentage.parse().map_err(|_| unknown())?,
                        interval_min: number(every)?,
                    },
                )
            } else {
                return Err(unknown());
            }
        }
    };
    Ok(config)
}

/// Instances an in-place deployment may take out of service at once for `total` instances:
/// the minimum healthy is subtracted (a fleet percentage rounded up to whole instances), and
/// `OneAtATime` is one. Zero means the deployment cannot start (`HEALTH_CONSTRAINTS`).
pub fn max_in_flight(total: u32, minimum_healthy: MinimumHealthyHosts, one_at_a_time: bool) -> u32 {
    if one_at_a_time {
        return total.min(1);
    }
    total.saturating_sub(minimum_healthy_count(total, minimum_healthy))
}

/// How many instances of an in-place deployment have finished, each way, and how many are
/// being deployed to now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceTally {
    /// Instances whose lifecycle events all succeeded.
    pub succeeded: u32,
    /// Instances where a lifecycle event failed.
    pub failed: u32,
    /// Instances being deployed to.
    pub in_progress: u32,
}

/// Where an in-place deployment stands by its instances.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InPlaceVerdict {
    /// More instances to deploy to, or some still in progress.
    InProgress,
    /// Every instance was tried and enough succeeded.
    Succeeded,
    /// Too many failed for the success condition, or going on would leave fewer healthy
    /// instances than the minimum (`HEALTH_CONSTRAINTS`).
    Failed,
}

/// The fewest instances that must succeed for an in-place deployment to `total` instances to
/// succeed (`deployment-configurations.md`): the minimum healthy hosts, but at least one
/// (`AllAtOnce` succeeds if one instance does). `OneAtATime` needs every instance but the last.
pub fn required_successes(
    total: u32,
    minimum_healthy: MinimumHealthyHosts,
    one_at_a_time: bool,
) -> u32 {
    if one_at_a_time {
        return total.saturating_sub(1).max(1).min(total);
    }
    minimum_healthy_count(total, minimum_healthy).clamp(1, total.max(1))
}

/// The success condition of an in-place deployment. `OneAtATime` fails at the first failed
/// instance unless it is the last one; the others fail once the required successes are out
/// of reach, or once deploying to one more instance would take the healthy ones (untouched
/// or succeeded) below the minimum.
pub fn in_place_verdict(
    total: u32,
    minimum_healthy: MinimumHealthyHosts,
    one_at_a_time: bool,
    tally: InstanceTally,
) -> InPlaceVerdict {
    let finished = tally.succeeded + tally.failed;
    let untouched = total.saturating_sub(finished + tally.in_progress);
    if one_at_a_time {
        return match tally.failed {
            0 if finished >= total => InPlaceVerdict::Succeeded,
            0 => InPlaceVerdict::InProgress,
            1 if tally.succeeded + 1 >= total => InPlaceVerdict::Succeeded,
            _ => InPlaceVerdict::Failed,
        };
    }
    let required = required_successes(total, minimum_healthy, false);
    if tally.failed > total.saturating_sub(required) {
        return InPlaceVerdict::Failed;
    }
    if untouched > 0
        && tally.in_progress == 0
        && untouched - 1 + tally.succeeded < minimum_healthy_count(total, minimum_healthy)
    {
        return InPlaceVerdict::Failed;
    }
    if finished >= total {
        InPlaceVerdict::Succeeded
    } else {
        InPlaceVerdict::InProgress
    }
}

/// Instances that must stay healthy: a fleet percentage is rounded up to whole instances.
fn minimum_healthy_count(total: u32, minimum_healthy: MinimumHealthyHosts) -> u32 {
    match minimum_healthy {
        MinimumHealthyHosts::HostCount(count) => count,
        MinimumHealthyHosts::FleetPercent(percent) => {
            (u64::from(percent) * u64::from(total)).div_ceil(100) as u32
        }
    }
}

/// The traffic steps of a time-based configuration: (percent, minutes to wait after it).
pub fn traffic_steps(config: CodeDeployConfig) -> Vec<(u32, u32)> {
    match config {
        CodeDeployConfig::TimeBasedCanary {
            percentage,
            interval_min,
        } => vec![(percentage, interval_min), (100, 0)],
        CodeDeployConfig::TimeBasedLinear {
            percentage,
            interval_min,
        } => {
            let mut steps = Vec::new();
            let mut weight = 0;
            while weight < 100 {
                weight = (weight + percentage.max(1)).min(100);
                steps.push((weight, if weight < 100 { interval_min } else { 0 }));
            }
            steps
        }
        CodeDeployConfig::AllAtOnceTraffic | CodeDeployConfig::InPlace { .. } => vec![(100, 0)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked examples for 10 instances in `deployment-configurations.md`.
    #[test]
    fn minimum_healthy_hosts_bound_each_batch() {
        use MinimumHealthyHosts::{FleetPercent, HostCount};
        assert_eq!(
            max_in_flight(10, FleetPercent(95), false),
            0,
            "95 % keeps all 10: it fails at once"
        );
        assert_eq!(max_in_flight(10, HostCount(9), false), 1);
        assert_eq!(max_in_flight(10, HostCount(8), false), 2);
        assert_eq!(
            max_in_flight(10, FleetPercent(0), false),
            10,
            "0 is all at once"
        );
        // HalfAtATime deploys to at most floor(n/2) at once.
        for (total, batch) in [(10, 5), (9, 4), (5, 2), (1, 0)] {
            assert_eq!(
                max_in_flight(total, FleetPercent(50), false),
                batch,
                "{total} instances"
            );
        }
        assert_eq!(max_in_flight(10, FleetPercent(99), true), 1, "OneAtATime");
    }

    /// The success conditions of `deployment-configurations.md` for 10 instances:
    /// (configuration, succeeded, failed, in progress, verdict).
    #[test]
    fn in_place_success_conditions() {
        use InPlaceVerdict::{Failed, InProgress, Succeeded};
        use MinimumHealthyHosts::{FleetPercent, HostCount};
        let one = (FleetPercent(99), true);
        let half = (FleetPercent(50), false);
        let all = (FleetPercent(0), false);
        let table = [
            // OneAtATime: every instance, but a failure on the last still succeeds.
            (one, 0, 0, 1, InProgress),
            (one, 5, 0, 1, InProgress),
            (one, 10, 0, 0, Succeeded),
            (one, 9, 1, 0, Succeeded),
            (one, 3, 1, 0, Failed),
            (one, 0, 1, 0, Failed),
            // HalfAtATime: at least half (rounded up) must succeed; half at most offline.
            (half, 5, 0, 0, InProgress),
            (half, 5, 5, 0, Succeeded),
            (half, 4, 6, 0, Failed),
            (half, 0, 5, 0, Failed),
            (half, 4, 1, 0, InProgress),
            (half, 4, 1, 5, InProgress),
            // AllAtOnce: one success is enough.
            (all, 0, 0, 10, InProgress),
            (all, 1, 9, 0, Succeeded),
            (all, 0, 10, 0, Failed),
            // HOST_COUNT 9 goes one at a time and stops at the first failure.
            ((HostCount(9), false), 1, 0, 0, InProgress),
            ((HostCount(9), false), 1, 1, 0, Failed),
            ((HostCount(8), false), 2, 1, 0, InProgress),
        ];
        for ((minimum, one_at_a_time), succeeded, failed, in_progress, expected) in table {
            let tally = InstanceTally {
                succeeded,
                failed,
                in_progress,
            };
            assert_eq!(
                in_place_verdict(10, minimum, one_at_a_time, tally),
                expected,
                "{minimum:?} one at a time {one_at_a_time}: {tally:?}"
            );
        }
        assert_eq!(required_successes(10, FleetPercent(50), false), 5);
        assert_eq!(required_successes(9, FleetPercent(50), false), 5);
        assert_eq!(required_successes(10, FleetPercent(0), false), 1);
        assert_eq!(required_successes(10, FleetPercent(99), true), 9);
    }

    #[test]
    fn predefined_names_resolve() {
        assert_eq!(
            predefined("CodeDeployDefault.LambdaCanary10Percent5Minutes"),
            Ok((
                Platform::Lambda,
                CodeDeployConfig::TimeBasedCanary {
                    percentage: 10,
                    interval_min: 5
                }
            ))
        );
        assert_eq!(
            predefined("CodeDeployDefault.ECSLinear10PercentEvery3Minutes"),
            Ok((
                Platform::Ecs,
                CodeDeployConfig::TimeBasedLinear {
                    percentage: 10,
                    interval_min: 3
                }
            ))
        );
        assert_eq!(
            predefined("CodeDeployDefault.LambdaLinear10PercentEvery1Minute").map(|(_, c)| c),
            Ok(CodeDeployConfig::TimeBasedLinear {
                percentage: 10,
                interval_min: 1
            })
        );
        for name in PREDEFINED {
            assert!(predefined(name).is_ok(), "{name}");
        }
        assert_eq!(
            predefined("CodeDeployDefault.ECSCanary10Percent30Minutes"),
            Err("No deployment configuration found for name: CodeDeployDefault.ECSCanary10Percent30Minutes".to_string()),
            "ECS has 5 and 15 minute canaries only"
        );
        assert!(predefined("OneAtATime").is_err());
    }

    #[test]
    fn canary_shifts_twice_and_linear_every_interval() {
        assert_eq!(
            traffic_steps(CodeDeployConfig::TimeBasedCanary {
                percentage: 10,
                interval_min: 5
            }),
            vec![(10, 5), (100, 0)]
        );
        let linear = traffic_steps(CodeDeployConfig::TimeBasedLinear {
            percentage: 10,
            interval_min: 1,
        });
        assert_eq!(linear.len(), 10);
        assert_eq!(linear[0], (10, 1));
        assert_eq!(linear[9], (100, 0));
    }
}
