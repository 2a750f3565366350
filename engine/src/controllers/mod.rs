//! The rollout controllers: one file per real controller (Argo canary and blue-green, the
//! Kubernetes Deployment, Flagger, a feature flag) and CodeDeploy's record above them.
//!
//! Controllers read the fleet and gates and decide replica targets and traffic weights with the
//! upstream arithmetic; they never touch the pipeline, the scenario or the simulation.

pub mod blue_green;
pub mod canary;
pub mod codedeploy;
pub mod deployment;
pub mod feature_flag;
pub mod flagger;
