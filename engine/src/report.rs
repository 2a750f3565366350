//! The machine-readable report of a run, as `dojo run --json` prints it.

use serde::Serialize;

use crate::audit::AuditRecord;
use crate::command::TimedCommand;
use crate::sim::{Outcome, Sim, TimelineEntry};

/// Everything needed to check or reproduce a run.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport<'a> {
    /// The scenario's id.
    pub scenario: &'a str,
    /// The seed.
    pub seed: u64,
    /// The trainee's commands; with scenario and seed they define the run.
    pub commands: &'a [TimedCommand],
    /// How it ended.
    pub outcome: Outcome,
    /// The UTC instant the run ended.
    pub ended_at_utc: String,
    /// Every audit record, in order.
    pub audit: &'a [AuditRecord],
    /// The hash of the last audit record: a digest of the whole log.
    pub audit_head: &'a str,
    /// Every change of the rollout's state: time, step, phase and reason, and each version's
    /// desired, ready and available replicas and traffic weight.
    pub timeline: &'a [TimelineEntry],
    /// CodeDeploy's deployments, when the run stands for a CodeDeploy deployment group: a
    /// rollback is a deployment of its own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub codedeploy_deployments: Vec<CodeDeployEntry>,
    /// The auditor's report: every production deployment of the pipeline, with who triggered
    /// and approved it, the branch, the checks that passed and any override.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub production_deployments: Vec<crate::pipeline::auditor::ProductionDeployment>,
    /// The course's SLO dashboard for the run, when the scenario has a pipeline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slos: Option<crate::ops::slo::SloReport>,
    /// Fields of an imported manifest that were read but not simulated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// One CodeDeploy deployment in a [`RunReport`], with the names CodeDeploy's API uses.
#[derive(Clone, Debug, Serialize)]
pub struct CodeDeployEntry {
    /// `deploymentId`.
    pub deployment_id: String,
    /// The revision deployed.
    pub revision: String,
    /// `creator`: `user` or `codeDeployRollback`.
    pub creator: &'static str,
    /// `status`.
    pub status: &'static str,
    /// Simulated second it was created.
    pub created_at_s: u64,
    /// Simulated second it ended.
    pub completed_at_s: Option<u64>,
    /// `errorInformation.code`.
    pub error_code: Option<String>,
    /// `rollbackInfo.rollbackTriggeringDeploymentId`.
    pub rollback_triggering_deployment_id: Option<String>,
    /// In-place instances that succeeded.
    pub instances_succeeded: u32,
    /// In-place instances that failed.
    pub instances_failed: u32,
    /// What happened.
    pub message: String,
}

impl<'a> RunReport<'a> {
    /// The report of `sim` as it stands.
    pub fn of(sim: &'a Sim) -> RunReport<'a> {
        RunReport {
            scenario: &sim.scenario().id,
            seed: sim.seed(),
            commands: sim.commands(),
            outcome: sim.outcome(),
            ended_at_utc: sim.utc().iso8601(),
            audit: sim.audit().records(),
            audit_head: sim.audit().head(),
            timeline: sim.timeline(),
            codedeploy_deployments: sim.codedeploy().map_or_else(Vec::new, |tracker| {
                tracker
                    .deployments
                    .iter()
                    .map(|d| CodeDeployEntry {
                        deployment_id: d.id.clone(),
                        revision: sim.scenario().profile(d.revision).name.clone(),
                        creator: d.creator.label(),
                        status: d.status.label(),
                        created_at_s: d.created_at.0,
                        completed_at_s: d.completed_at.map(|t| t.0),
                        error_code: d.error_code.clone(),
                        rollback_triggering_deployment_id: d.rollback_of.clone(),
                        instances_succeeded: d.tally.succeeded,
                        instances_failed: d.tally.failed,
                        message: d.message.clone(),
                    })
                    .collect()
            }),
            production_deployments: sim.pipeline().map_or_else(Vec::new, |state| {
                crate::pipeline::auditor::production_deployments(
                    state,
                    &sim.scenario().rollout_environment,
                )
            }),
            slos: sim.slo_report(),
            warnings: Vec::new(),
        }
    }

    /// Pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
    }

    /// A summary for people, one fact per line.
    pub fn to_text(&self) -> String {
        let outcome = &self.outcome;
        let mut text = String::new();
        text.push_str(&format!(
            "scenario     {} (seed {})\n",
            self.scenario, self.seed
        ));
        text.push_str(&format!("outcome      {}\n", outcome.result));
        text.push_str(&format!("stable       {}\n", outcome.stable_version));
        text.push_str(&format!(
            "phase        {} {}\n",
            outcome.phase, outcome.phase_message
        ));
        text.push_str(&format!(
            "max canary   {} % of traffic\n",
            outcome.max_canary_traffic_weight_percent
        ));
        text.push_str(&format!(
            "requests     {} served, {} failed, {} found no ready instance\n",
            outcome.requests_total, outcome.errors_total, outcome.unserved_requests_total
        ));
        text.push_str(&format!(
            "duration     {} s, ended {}\n",
            outcome.duration_s, self.ended_at_utc
        ));
        text.push_str(&format!(
            "audit        {} records, head {}\n\n",
            self.audit.len(),
            self.audit_head
        ));
        for warning in &self.warnings {
            text.push_str(&format!("warning      {warning}\n"));
        }
        if !self.codedeploy_deployments.is_empty() {
            text.push_str("codedeploy\n");
            for deployment in &self.codedeploy_deployments {
                text.push_str(&format!(
                    "{:>5} s  {} {:<10} {:<18} {}\n",
                    deployment.created_at_s,
                    deployment.deployment_id,
                    deployment.status,
                    deployment.creator,
                    deployment.message
                ));
            }
            text.push('\n');
        }
        if !self.production_deployments.is_empty() {
            text.push_str("production deployments (auditor's report)\n");
            for d in &self.production_deployments {
                text.push_str(&format!(
                    "  run #{} {} of {} ({}) by {} at {}: {}\n    review: {}\n    checks passed: {}\n",
                    d.run,
                    d.event,
                    d.git_ref,
                    d.commit_sha,
                    d.triggered_by,
                    d.started_utc,
                    d.result,
                    d.review.as_deref().unwrap_or("none"),
                    d.checks_passed.join(", ")
                ));
                if !d.checks_not_passed.is_empty() {
                    text.push_str(&format!(
                        "    not passed: {}\n",
                        d.checks_not_passed.join(", ")
                    ));
                }
                if let Some(flag) = &d.emergency_override {
                    text.push_str(&format!("    {flag}\n"));
                }
            }
            text.push('\n');
        }
        if let Some(slos) = &self.slos {
            text.push_str("SLOs (rollout environment, this run)\n");
            for o in &slos.objectives {
                text.push_str(&format!(
                    "  {:<13} {:<5} {:<22} target {:<14} {}\n",
                    o.name,
                    if o.pass { "PASS" } else { "FAIL" },
                    o.value,
                    o.target,
                    o.detail
                ));
            }
            text.push('\n');
        }
        text.push_str("timeline\n");
        for entry in self.timeline {
            let versions: Vec<String> = entry
                .versions
                .iter()
                .map(|v| {
                    format!(
                        "{} {}/{}/{} ({} %)",
                        v.version, v.desired, v.ready, v.available, v.weight_percent
                    )
                })
                .collect();
            text.push_str(&format!(
                "{:>5} s  {:<11} {}  [{}]\n",
                entry.t_s,
                entry.phase,
                versions.join(", "),
                entry.reason
            ));
        }
        text.push_str("\naudit\n");
        for record in self.audit {
            text.push_str(&format!(
                "{:>5} s  {:<20} {:<22} {:<3} {}\n",
                record.tick.0,
                record.actor.label(),
                record.action,
                record.version,
                record.reason
            ));
        }
        text
    }
}
