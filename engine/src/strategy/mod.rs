//! Deployment strategies as the real controllers compute them: pure functions of a spec and
//! the observed ReplicaSets, pinned to the upstream projects' own test vectors. The simulation
//! drives instances with them; see `sim.rs`.

pub mod argo_canary;
pub mod codedeploy;
pub mod flags;
pub mod intstr;
pub mod kayenta;
pub mod kubernetes;
