//! The engine's one integration-test binary (one binary links faster than many).

mod audit_trail;
mod cli;
mod codedeploy;
mod deployments;
mod determinism;
mod faults;
mod flagger;
mod flags;
mod pipeline;
mod quiet;
mod rollouts;
mod scenarios;
mod swarm;
mod tidy;
mod workflows;
