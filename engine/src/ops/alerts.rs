//! Health checks and alerts (course 002 §15–17 and appendix F): rules with a severity, a
//! threshold and a `for` duration, evaluated every 15 s as Prometheus does (pending while the
//! condition holds for less than `for`, then firing, resolved when it clears), SLO burn-rate
//! rules, and notifications routed to channels (Slack, Discord, PagerDuty, email) whose
//! messages say what failed, the value against its threshold, the environment and the runbook
//! step. Firing alerts open incidents that a person acknowledges and resolves.

use serde::{Deserialize, Serialize};

use crate::ops::slo::Slo;

/// How often rules are evaluated, in seconds.
pub const EVALUATION_INTERVAL_S: u64 = 15;

/// An alert's severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Wakes someone up.
    Critical,
    /// Needs attention today.
    Warning,
    /// For the record.
    Info,
}

impl Severity {
    /// `CRITICAL`, `WARNING` or `INFO`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Critical => "CRITICAL",
            Severity::Warning => "WARNING",
            Severity::Info => "INFO",
        }
    }
}

/// What a rule measures in the rollout environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Condition {
    /// The error rate over the last minute is above this many basis points.
    ErrorRateAbove {
        /// The threshold.
        threshold_bp: u32,
    },
    /// The worst p95 latency over the last minute is above this.
    P95Above {
        /// The threshold.
        threshold_ms: u32,
    },
    /// The health check fails: most requests of the last 30 s failed or found no instance.
    HealthCheckFailing,
    /// The SLO's error budget burns at least this fast over both windows.
    BurnRate {
        /// The rate, in tenths (14.4× is 144).
        rate_tenths: u32,
        /// The long window.
        long_window_s: u32,
        /// The short window.
        short_window_s: u32,
    },
}

/// A notification channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Channel {
    /// A Slack channel, for example `#deploys`.
    Slack(String),
    /// A Discord channel.
    Discord(String),
    /// A PagerDuty service.
    PagerDuty(String),
    /// An email address.
    Email(String),
}

impl Channel {
    /// `Slack #deploys`.
    pub fn label(&self) -> String {
        match self {
            Channel::Slack(name) => format!("Slack {name}"),
            Channel::Discord(name) => format!("Discord {name}"),
            Channel::PagerDuty(name) => format!("PagerDuty {name}"),
            Channel::Email(address) => format!("email {address}"),
        }
    }
}

/// An alert rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRule {
    /// Its name, for example `HighErrorRate`.
    pub name: String,
    /// How bad.
    pub severity: Severity,
    /// What it watches.
    pub condition: Condition,
    /// How long the condition must hold before the alert fires, in seconds.
    pub for_s: u32,
    /// Where notifications go.
    pub channels: Vec<Channel>,
    /// The runbook step to take.
    pub runbook: String,
}

/// What the rules can read this evaluation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Readings {
    /// Errors and requests over the last 60 s.
    pub minute: (u64, u64),
    /// Errors (including unserved) and requests over the last 30 s.
    pub half_minute: (u64, u64),
    /// Worst per-second p95 over the last 60 s, if anything was served.
    pub p95_max_ms: Option<u32>,
}

/// An alert's lifecycle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlertPhase {
    /// The condition holds, not yet for long enough.
    Pending {
        /// Since when.
        since_s: u64,
    },
    /// Firing.
    Firing {
        /// Since when.
        since_s: u64,
    },
}

/// A notification in the feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// Simulated second.
    pub at_s: u64,
    /// The channel.
    pub channel: String,
    /// The severity, or `RESOLVED`.
    pub severity: String,
    /// The incident it belongs to.
    pub incident: u32,
    /// The message.
    pub text: String,
}

/// An incident: one firing of one rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    /// Its number, from 1.
    pub id: u32,
    /// The rule.
    pub rule: String,
    /// The severity.
    pub severity: Severity,
    /// When it fired.
    pub opened_s: u64,
    /// Who acknowledged it, and when.
    pub acknowledged: Option<(String, u64)>,
    /// When it was resolved, and by whom (`monitor` when the condition cleared).
    pub resolved: Option<(String, u64)>,
    /// What happened, in order: (second, text).
    pub timeline: Vec<(u64, String)>,
}

/// What an evaluation or a person's action changed, for the audit trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertChange {
    /// `alert.firing`, `alert.resolved`, `alert.acknowledged`.
    pub action: &'static str,
    /// The person, for people.
    pub person: String,
    /// Why, in words.
    pub reason: String,
    /// `firing`, `resolved`, `acknowledged`.
    pub outcome: &'static str,
}

/// The rules and their state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alerts {
    /// Each rule's phase, by rule index.
    pub phases: Vec<Option<AlertPhase>>,
    /// Each rule's open incident, by rule index.
    pub open: Vec<Option<u32>>,
    /// Every incident, oldest first.
    pub incidents: Vec<Incident>,
    /// Every notification, oldest first.
    pub feed: Vec<Notification>,
}

impl Alerts {
    /// Evaluates `rules` at `now_s` (a whole evaluation interval) for `environment`.
    pub fn evaluate(
        &mut self,
        rules: &[AlertRule],
        slo: &Slo,
        environment: &str,
        readings: &Readings,
        window: &dyn Fn(u32) -> (u64, u64),
        now_s: u64,
    ) -> Vec<AlertChange> {
        self.phases.resize(rules.len(), None);
        self.open.resize(rules.len(), None);
        let mut changes = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            let measured = measure(rule.condition, slo, readings, window);
            match (measured.breached, self.phases[index].clone()) {
                (true, None) if rule.for_s == 0 => self.fire(
                    index as u32,
                    rule,
                    environment,
                    &measured.text,
                    now_s,
                    &mut changes,
                ),
                (true, None) => self.phases[index] = Some(AlertPhase::Pending { since_s: now_s }),
                (true, Some(AlertPhase::Pending { since_s }))
                    if now_s >= since_s + u64::from(rule.for_s) =>
                {
                    self.fire(
                        index as u32,
                        rule,
                        environment,
                        &measured.text,
                        now_s,
                        &mut changes,
                    )
                }
                (false, Some(AlertPhase::Firing { .. })) => {
                    self.phases[index] = None;
                    if let Some(id) = self.open[index].take() {
                        self.resolve_incident(
                            id,
                            "monitor",
                            &format!("{} cleared: {}", rule.name, measured.text),
                            now_s,
                            rule,
                            &mut changes,
                        );
                    }
                }
                (false, Some(AlertPhase::Pending { .. })) => self.phases[index] = None,
                _ => {}
            }
        }
        changes
    }

    /// A person acknowledges incident `id`.
    pub fn acknowledge(&mut self, id: u32, who: &str, now_s: u64) -> Result<AlertChange, String> {
        let incident = self.incident_mut(id)?;
        if incident.resolved.is_some() {
            return Err(format!("incident #{id} is already resolved"));
        }
        if let Some((by, _)) = &incident.acknowledged {
            return Err(format!("incident #{id} was already acknowledged by {by}"));
        }
        incident.acknowledged = Some((who.to_string(), now_s));
        incident
            .timeline
            .push((now_s, format!("acknowledged by {who}")));
        Ok(AlertChange {
            action: "alert.acknowledged",
            person: who.to_string(),
            reason: format!("{who} acknowledged incident #{id} ({})", incident.rule),
            outcome: "acknowledged",
        })
    }

    /// A person resolves incident `id`.
    pub fn resolve(
        &mut self,
        rules: &[AlertRule],
        id: u32,
        who: &str,
        now_s: u64,
    ) -> Result<AlertChange, String> {
        let incident = self.incident_mut(id)?;
        if incident.resolved.is_some() {
            return Err(format!("incident #{id} is already resolved"));
        }
        let rule_name = incident.rule.clone();
        let index = rules.iter().position(|r| r.name == rule_name);
        if let Some(index) = index
            && self.open.get(index) == Some(&Some(id))
        {
            self.open[index] = None;
        }
        let mut changes = Vec::new();
        let rule = index.map(|i| rules[i].clone());
        match rule {
            Some(rule) => self.resolve_incident(
                id,
                who,
                &format!("resolved by {who}"),
                now_s,
                &rule,
                &mut changes,
            ),
            None => return Err(format!("incident #{id} has no rule")),
        }
        changes
            .pop()
            .ok_or_else(|| format!("incident #{id} could not be resolved"))
    }

    fn incident_mut(&mut self, id: u32) -> Result<&mut Incident, String> {
        self.incidents
            .iter_mut()
            .find(|i| i.id == id)
            .ok_or_else(|| format!("there is no incident #{id}"))
    }

    fn fire(
        &mut self,
        index: u32,
        rule: &AlertRule,
        environment: &str,
        measured: &str,
        now_s: u64,
        changes: &mut Vec<AlertChange>,
    ) {
        let index = index as usize;
        self.phases[index] = Some(AlertPhase::Firing { since_s: now_s });
        let id = self.incidents.len() as u32 + 1;
        let text = format!(
            "[{}] {} in {environment}: {measured}{}. Runbook: {}",
            rule.severity.label(),
            rule.name,
            if rule.for_s > 0 {
                format!(
                    " for {}",
                    crate::time::duration_label(u64::from(rule.for_s))
                )
            } else {
                String::new()
            },
            rule.runbook
        );
        for channel in &rule.channels {
            self.feed.push(Notification {
                at_s: now_s,
                channel: channel.label(),
                severity: rule.severity.label().to_string(),
                incident: id,
                text: text.clone(),
            });
        }
        self.incidents.push(Incident {
            id,
            rule: rule.name.clone(),
            severity: rule.severity,
            opened_s: now_s,
            acknowledged: None,
            resolved: None,
            timeline: vec![(
                now_s,
                format!(
                    "fired: {measured}; notified {}",
                    rule.channels
                        .iter()
                        .map(Channel::label)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )],
        });
        self.open[index] = Some(id);
        changes.push(AlertChange {
            action: "alert.firing",
            person: String::new(),
            reason: format!("incident #{id}: {text}"),
            outcome: "firing",
        });
    }

    fn resolve_incident(
        &mut self,
        id: u32,
        who: &str,
        why: &str,
        now_s: u64,
        rule: &AlertRule,
        changes: &mut Vec<AlertChange>,
    ) {
        let Some(incident) = self.incidents.iter_mut().find(|i| i.id == id) else {
            return;
        };
        if incident.resolved.is_some() {
            return;
        }
        incident.resolved = Some((who.to_string(), now_s));
        incident.timeline.push((now_s, why.to_string()));
        for channel in &rule.channels {
            self.feed.push(Notification {
                at_s: now_s,
                channel: channel.label(),
                severity: "RESOLVED".to_string(),
                incident: id,
                text: format!("[RESOLVED] {}: {why}", rule.name),
            });
        }
        changes.push(AlertChange {
            action: "alert.resolved",
            person: if who == "monitor" {
                String::new()
            } else {
                who.to_string()
            },
            reason: format!("incident #{id} ({}): {why}", rule.name),
            outcome: "resolved",
        });
    }
}

struct Measured {
    breached: bool,
    text: String,
}

fn measure(
    condition: Condition,
    slo: &Slo,
    readings: &Readings,
    window: &dyn Fn(u32) -> (u64, u64),
) -> Measured {
    let rate_bp = |(errors, requests): (u64, u64)| {
        (errors * 10_000).checked_div(requests).unwrap_or(0) as u32
    };
    match condition {
        Condition::ErrorRateAbove { threshold_bp } => {
            let rate = rate_bp(readings.minute);
            Measured {
                breached: readings.minute.1 > 0 && rate > threshold_bp,
                text: format!(
                    "error rate {} over the last minute (threshold {})",
                    crate::metrics::percent_label(rate),
                    crate::metrics::percent_label(threshold_bp)
                ),
            }
        }
        Condition::P95Above { threshold_ms } => Measured {
            breached: readings.p95_max_ms.is_some_and(|p95| p95 > threshold_ms),
            text: format!(
                "p95 latency {} over the last minute (threshold {threshold_ms} ms)",
                readings
                    .p95_max_ms
                    .map_or("—".to_string(), |p| format!("{p} ms"))
            ),
        },
        Condition::HealthCheckFailing => {
            let (errors, requests) = readings.half_minute;
            Measured {
                breached: requests > 0 && errors * 2 > requests,
                text: format!(
                    "health check failing: {} of requests failed over the last 30 s (threshold 50 %)",
                    crate::metrics::percent_label(rate_bp(readings.half_minute))
                ),
            }
        }
        Condition::BurnRate {
            rate_tenths,
            long_window_s,
            short_window_s,
        } => {
            let burn = |seconds: u32| {
                let (errors, events) = window(seconds);
                slo.burn_rate_milli(errors, events)
            };
            let (long, short) = (burn(long_window_s), burn(short_window_s));
            let threshold = u64::from(rate_tenths) * 100;
            Measured {
                breached: long >= threshold && short >= threshold,
                text: format!(
                    "error budget burning {}.{}× over {} and {}.{}× over {} (threshold {}.{}×)",
                    long / 1_000,
                    long % 1_000 / 100,
                    crate::time::duration_label(u64::from(long_window_s)),
                    short / 1_000,
                    short % 1_000 / 100,
                    crate::time::duration_label(u64::from(short_window_s)),
                    rate_tenths / 10,
                    rate_tenths % 10
                ),
            }
        }
    }
}

/// The course's alert rules (002 §17 and appendix F), routed as it routes them.
pub fn course_rules() -> Vec<AlertRule> {
    let runbook = |step: &str| format!("incident runbook (002 appendix H): {step}");
    vec![
        AlertRule {
            name: "HealthCheckFailed".to_string(),
            severity: Severity::Critical,
            condition: Condition::HealthCheckFailing,
            for_s: 60,
            channels: vec![
                Channel::PagerDuty("checkout-oncall".to_string()),
                Channel::Slack("#incidents".to_string()),
            ],
            runbook: runbook("step 1, confirm the outage, then roll back to the last good version"),
        },
        AlertRule {
            name: "HighErrorRate".to_string(),
            severity: Severity::Critical,
            condition: Condition::ErrorRateAbove { threshold_bp: 500 },
            for_s: 60,
            channels: vec![
                Channel::Slack("#deploys".to_string()),
                Channel::PagerDuty("checkout-oncall".to_string()),
            ],
            runbook: runbook(
                "step 2, compare the canary with stable and roll back if the canary is worse",
            ),
        },
        AlertRule {
            name: "SlowResponses".to_string(),
            severity: Severity::Warning,
            condition: Condition::P95Above {
                threshold_ms: 2_000,
            },
            for_s: 300,
            channels: vec![
                Channel::Slack("#deploys".to_string()),
                Channel::Email("sre@example.com".to_string()),
            ],
            runbook: runbook("step 3, check the AI provider's latency and the database pool"),
        },
        AlertRule {
            name: "ErrorBudgetFastBurn".to_string(),
            severity: Severity::Critical,
            condition: Condition::BurnRate {
                rate_tenths: 144,
                long_window_s: 3_600,
                short_window_s: 300,
            },
            for_s: 0,
            channels: vec![
                Channel::PagerDuty("checkout-oncall".to_string()),
                Channel::Discord("#sre".to_string()),
            ],
            runbook: runbook("step 4, freeze deployments and find what is spending the budget"),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readings(errors: u64, requests: u64) -> Readings {
        Readings {
            minute: (errors, requests),
            half_minute: (errors / 2, requests / 2),
            p95_max_ms: Some(180),
        }
    }

    #[test]
    fn pending_for_the_for_duration_then_firing_then_resolved() {
        let rules = vec![course_rules().remove(1)];
        let slo = Slo::THREE_NINES_30_DAYS;
        let quiet = |_: u32| (0, 1_000);
        let mut alerts = Alerts::default();
        assert!(
            alerts
                .evaluate(&rules, &slo, "production", &readings(80, 1_000), &quiet, 0)
                .is_empty(),
            "8 % starts pending"
        );
        assert!(matches!(
            alerts.phases[0],
            Some(AlertPhase::Pending { since_s: 0 })
        ));
        assert!(
            alerts
                .evaluate(&rules, &slo, "production", &readings(80, 1_000), &quiet, 45)
                .is_empty()
        );
        let fired = alerts.evaluate(&rules, &slo, "production", &readings(80, 1_000), &quiet, 60);
        assert_eq!(fired.len(), 1);
        assert_eq!(alerts.feed.len(), 2, "Slack and PagerDuty");
        assert_eq!(
            alerts.feed[0].text,
            "[CRITICAL] HighErrorRate in production: error rate 8.0 % over the last minute (threshold 5.0 %) for 1 min. Runbook: incident runbook (002 appendix H): step 2, compare the canary with stable and roll back if the canary is worse"
        );
        assert_eq!(alerts.feed[0].channel, "Slack #deploys");
        assert_eq!(
            alerts.acknowledge(1, "bob", 90).unwrap().outcome,
            "acknowledged"
        );
        assert!(alerts.acknowledge(1, "alice", 91).is_err(), "once");
        let resolved =
            alerts.evaluate(&rules, &slo, "production", &readings(2, 1_000), &quiet, 120);
        assert_eq!(resolved[0].action, "alert.resolved");
        assert_eq!(
            alerts.incidents[0].resolved,
            Some(("monitor".to_string(), 120))
        );
        assert_eq!(
            alerts.incidents[0].timeline.len(),
            3,
            "fired, acknowledged, resolved"
        );
        // A blip shorter than `for` never fires.
        alerts.evaluate(
            &rules,
            &slo,
            "production",
            &readings(80, 1_000),
            &quiet,
            135,
        );
        assert!(
            alerts
                .evaluate(&rules, &slo, "production", &readings(1, 1_000), &quiet, 150)
                .is_empty()
        );
        assert_eq!(alerts.incidents.len(), 1);
    }

    #[test]
    fn burn_rate_and_health_rules() {
        let rules = course_rules();
        let slo = Slo::THREE_NINES_30_DAYS;
        // 2 % errors in both windows: 20× burn.
        let burning = |_: u32| (200, 10_000);
        let mut alerts = Alerts::default();
        let changes = alerts.evaluate(
            &rules[3..],
            &slo,
            "production",
            &readings(0, 1_000),
            &burning,
            0,
        );
        assert_eq!(changes.len(), 1, "for 0: fires at once");
        assert!(
            changes[0].reason.contains(
                "error budget burning 20.0× over 1 h and 20.0× over 5 min (threshold 14.4×)"
            ),
            "{}",
            changes[0].reason
        );
        let mut health = Alerts::default();
        let down = Readings {
            minute: (900, 1_000),
            half_minute: (450, 500),
            p95_max_ms: None,
        };
        health.evaluate(&rules[..1], &slo, "production", &down, &burning, 0);
        let fired = health.evaluate(&rules[..1], &slo, "production", &down, &burning, 60);
        assert!(
            fired[0]
                .reason
                .contains("health check failing: 90.0 % of requests failed"),
            "{}",
            fired[0].reason
        );
        assert_eq!(
            health.resolve(&rules[..1], 1, "alice", 70).unwrap().person,
            "alice"
        );
    }
}
