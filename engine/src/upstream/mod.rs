//! The real systems' arithmetic: pure functions of a spec and the observed replicas, ported from
//! Kubernetes, Argo Rollouts, AWS CodeDeploy, Unleash and LaunchDarkly and pinned to their own
//! test vectors.
//!
//! These files use nothing else in the crate; the controllers and the import call them.

pub mod apimachinery;
pub mod argo_canary;
pub mod codedeploy;
pub mod flags;
pub mod intstr;
pub mod kubernetes;
