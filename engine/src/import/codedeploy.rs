//! AWS CodeDeploy's predefined deployment configurations, by name.

use crate::controllers::canary::CanaryStep;
use crate::scenario::Strategy;
use crate::upstream::intstr::IntOrPercent;
use crate::upstream::kubernetes::{DeploymentSpec, DeploymentStrategyType};
use crate::world::fleet::Probes;

use super::imported::{ImportError, Imported, rollout_scenario};

/// Instances in an imported CodeDeploy deployment group.
pub const CODEDEPLOY_INSTANCES: u32 = 10;

/// A CodeDeploy predefined configuration, applied to a 10-instance service. In-place
/// configurations run as batches bounded by the minimum healthy hosts (Kubernetes' rolling
/// arithmetic with no surge); canary and linear configurations shift traffic exactly, and an
/// alarm on the error rate (above 5 % over a minute) stops and rolls back the deployment.
pub fn import_codedeploy(name: &str) -> Result<Imported, ImportError> {
    use crate::upstream::codedeploy::{
        CodeDeployConfig, Platform, max_in_flight, predefined, traffic_steps,
    };
    let (platform, config) = predefined(name).map_err(|message| ImportError {
        problems: vec![format!("deploymentConfigName: {message}")],
    })?;
    let service = match platform {
        Platform::Server => "app-ec2",
        Platform::Ecs => "app-ecs",
        Platform::Lambda => "app-lambda",
    };
    let mut warnings = Vec::new();
    let (strategy, title) = match config {
        CodeDeployConfig::InPlace {
            minimum_healthy,
            one_at_a_time,
        } => {
            let batch = max_in_flight(CODEDEPLOY_INSTANCES, minimum_healthy, one_at_a_time);
            if batch == 0 {
                return Err(ImportError {
                    problems: vec![format!(
                        "{name}: HEALTH_CONSTRAINTS: the minimum healthy hosts leave no instance to deploy to"
                    )],
                });
            }
            warnings.push(format!(
                "{name}: in-place batches of {batch} of {CODEDEPLOY_INSTANCES} instances are simulated with Kubernetes' rolling arithmetic (maxSurge 0, maxUnavailable {batch}); events use Kubernetes' names"
            ));
            (
                Strategy::KubernetesDeployment {
                    name: service.to_string(),
                    spec: DeploymentSpec {
                        replicas: CODEDEPLOY_INSTANCES as i32,
                        strategy: DeploymentStrategyType::RollingUpdate,
                        max_surge: Some(IntOrPercent::Int(0)),
                        max_unavailable: Some(IntOrPercent::Int(i64::from(batch))),
                        ..DeploymentSpec::default()
                    },
                },
                format!("{name}: {CODEDEPLOY_INSTANCES} instances, {batch} at a time"),
            )
        }
        _ => {
            warnings.push(format!(
                "{name}: traffic shifting is simulated with the canary controller behind a traffic router; a CloudWatch alarm on the error rate (above 5 % over a minute) stops the deployment and rolls traffic back"
            ));
            (
                Strategy::ArgoCanary,
                format!("{name}: traffic shifted to the new version"),
            )
        }
    };
    let mut scenario = rollout_scenario(
        service,
        "example/app:v1",
        CODEDEPLOY_INSTANCES,
        Probes::default(),
        strategy,
        title,
    );
    scenario.id = format!("import:{name}");
    scenario.situation = format!(
        "The deployment group {service} runs revision v1 on {CODEDEPLOY_INSTANCES} {}. A minute in, a deployment of v2 starts with {name}; a CloudWatch alarm watches its error rate, and automatic rollback is on.",
        if matches!(platform, Platform::Server) {
            "instances"
        } else {
            "tasks"
        }
    );
    scenario.objective = "Follow the deployment's status and the instances or traffic it moves; if it fails or is stopped, watch the rollback arrive as a new deployment of the last good revision.".to_string();
    if !matches!(config, CodeDeployConfig::InPlace { .. }) {
        let canary = &mut scenario.canary;
        canary.traffic_routing = true;
        canary.steps = traffic_steps(config)
            .into_iter()
            .flat_map(|(weight, wait_min)| {
                let mut steps = vec![CanaryStep::SetWeight {
                    weight_percent: weight,
                }];
                if wait_min > 0 {
                    steps.push(CanaryStep::Pause {
                        duration_s: Some(wait_min * 60),
                    });
                }
                steps
            })
            .collect();
        if let Some(analysis) = canary.analysis.as_mut() {
            analysis.gate.metric_name = "cloudwatch-alarm-error-rate".to_string();
            analysis.gate.max_error_rate_bp = 500;
            analysis.starting_step = 0;
        }
    }
    scenario.codedeploy = Some(crate::controllers::codedeploy::CodeDeploySpec {
        config_name: name.to_string(),
        config,
        instances: CODEDEPLOY_INSTANCES,
        auto_rollback: true,
        alarm_name: "cloudwatch-alarm-error-rate".to_string(),
        alarm_error_rate_bp: 500,
        alarm_period_s: 60,
    });
    warnings.push(format!(
        "{name}: automatic rollback is on for DEPLOYMENT_FAILURE and DEPLOYMENT_STOP_ON_ALARM; a rollback is a new deployment of the last good revision"
    ));
    Ok(Imported {
        scenario,
        kind: "CodeDeploy configuration".to_string(),
        warnings,
    })
}
