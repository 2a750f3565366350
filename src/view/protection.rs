//! The pipeline's environments as GitHub's Environments and Deployments pages show them: each
//! environment's protection rules, its active deployment, and the history of its deployment
//! statuses (read from the audit trail).

use engine::Sim;
use engine::pipeline::environments::EnvironmentSpec;

/// Status records shown per environment, newest first.
const HISTORY_LEN: usize = 8;

/// The rollout environment's business hours, for the deployment-window form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowView {
    /// The environment they guard.
    pub environment: String,
    /// `Mon–Fri 09:00–18:00 UTC`.
    pub label: String,
    /// Days deployments may start, Monday first.
    pub days: [bool; 7],
    /// `09:00`.
    pub start: String,
    /// `18:00`.
    pub end: String,
    /// The maintenance windows, in words.
    pub maintenance: Vec<String>,
}

/// The deployment window of the pipeline's rollout environment, if it has one.
pub fn deployment_window(sim: &Sim) -> Option<WindowView> {
    let windows = sim.pipeline()?.rules.windows.as_ref()?;
    let clock = |minute: u32| format!("{:02}:{:02}", minute / 60, minute % 60);
    Some(WindowView {
        environment: sim.scenario().rollout_environment.clone(),
        label: windows.hours_label(),
        days: windows.days,
        start: clock(windows.start_minute),
        end: clock(windows.end_minute),
        maintenance: windows
            .maintenance
            .iter()
            .map(|w| {
                format!(
                    "{}: {} for {} min",
                    w.label, w.schedule.expression, w.duration_min
                )
            })
            .collect(),
    })
}

/// `09:30` as 570 minutes after midnight; `24:00` is the end of the day.
pub fn minute_of(clock: &str) -> Result<u32, String> {
    let parsed = clock.split_once(':').and_then(|(h, m)| {
        let (hours, minutes) = (h.trim().parse::<u32>().ok()?, m.trim().parse::<u32>().ok()?);
        (minutes < 60 && hours * 60 + minutes <= 24 * 60).then_some(hours * 60 + minutes)
    });
    parsed.ok_or_else(|| format!("deployment window: {clock:?} is not a time such as 09:00"))
}

/// One environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvironmentView {
    /// Its name.
    pub name: String,
    /// Its protection rules as they stand, for the edit form.
    pub rules: EnvironmentSpec,
    /// The rules in words: (setting, value).
    pub rule_lines: Vec<(&'static str, String)>,
    /// The deployment running there now, in words.
    pub active: String,
    /// Deployment statuses, newest first: (time, state, what happened).
    pub history: Vec<(String, String, String)>,
}

/// The environments of the scenario's pipeline, in name order.
pub fn environments(sim: &Sim) -> Vec<EnvironmentView> {
    let Some(state) = sim.pipeline() else {
        return Vec::new();
    };
    let records = sim.audit().records();
    state
        .rules
        .environments
        .values()
        .map(|rules| {
            let statuses: Vec<_> = records
                .iter()
                .filter(|r| {
                    r.environment == rules.name
                        && matches!(
                            r.action.as_str(),
                            "deployment.created" | "deployment_status.created"
                        )
                })
                .collect();
            let active = statuses
                .iter()
                .rev()
                .find(|r| r.outcome == "success")
                .map(|r| {
                    format!(
                        "{} (commit {}) since {}",
                        r.version,
                        r.commit_sha,
                        clock(&r.time_utc)
                    )
                })
                .unwrap_or_else(|| {
                    if rules.name == sim.scenario().rollout_environment {
                        let stable = sim.outcome().stable_version;
                        format!("{stable}, deployed before this scenario began")
                    } else {
                        "no deployment yet".to_string()
                    }
                });
            EnvironmentView {
                name: rules.name.clone(),
                rules: rules.clone(),
                rule_lines: rule_lines(rules),
                active,
                history: statuses
                    .iter()
                    .rev()
                    .take(HISTORY_LEN)
                    .map(|r| {
                        (
                            clock(&r.time_utc).to_string(),
                            status_of(&r.outcome, &r.reason).replace('_', " "),
                            r.reason.clone(),
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The rules as GitHub's environment settings page lists them.
fn rule_lines(rules: &EnvironmentSpec) -> Vec<(&'static str, String)> {
    let yes_no = |on: bool| if on { "yes" } else { "no" }.to_string();
    vec![
        (
            "Required reviewers",
            if rules.reviewers.is_empty() {
                "none".to_string()
            } else {
                format!("{} (one approval is enough)", rules.reviewers.join(", "))
            },
        ),
        ("Prevent self-review", yes_no(rules.prevent_self_review)),
        (
            "Wait timer",
            if rules.wait_timer_min == 0 {
                "none".to_string()
            } else {
                format!("{} min", rules.wait_timer_min)
            },
        ),
        ("Deployment branches and tags", rules.branch_policy.label()),
        ("Administrators may bypass", yes_no(rules.can_admins_bypass)),
    ]
}

/// A status record's state: its outcome, or the `state …` its reason names (an in-progress
/// status has no outcome yet).
fn status_of<'a>(outcome: &'a str, reason: &'a str) -> &'a str {
    if !outcome.is_empty() {
        return outcome;
    }
    reason
        .split_once("state ")
        .and_then(|(_, rest)| rest.split([',', ' ', ')']).next())
        .filter(|state| !state.is_empty())
        .unwrap_or("recorded")
}

/// `2026-03-10T10:31:37Z` as `10:31:37`.
fn clock(time_utc: &str) -> &str {
    time_utc.get(11..19).unwrap_or(time_utc)
}

/// The edit form's fields, as text and ticks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulesForm {
    /// The environment.
    pub name: String,
    /// Reviewers, comma-separated.
    pub reviewers: String,
    /// Prevent self-review.
    pub prevent_self_review: bool,
    /// The wait timer in minutes, as typed.
    pub wait_timer_min: String,
    /// `any`, `protected` or `selected`.
    pub branch_policy: String,
    /// Name patterns for `selected`, comma-separated; a tag pattern starts with `tag:`.
    pub patterns: String,
    /// Administrators may bypass.
    pub can_admins_bypass: bool,
}

impl RulesForm {
    /// The form filled in with `rules`.
    pub fn from_rules(rules: &EnvironmentSpec) -> RulesForm {
        use engine::pipeline::environments::BranchPolicy;
        let (branch_policy, patterns) = match &rules.branch_policy {
            BranchPolicy::Any => ("any", String::new()),
            BranchPolicy::ProtectedBranches => ("protected", String::new()),
            BranchPolicy::Selected(patterns) => (
                "selected",
                patterns
                    .iter()
                    .map(|p| {
                        if p.tag {
                            format!("tag:{}", p.pattern)
                        } else {
                            p.pattern.clone()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        };
        RulesForm {
            name: rules.name.clone(),
            reviewers: rules.reviewers.join(", "),
            prevent_self_review: rules.prevent_self_review,
            wait_timer_min: rules.wait_timer_min.to_string(),
            branch_policy: branch_policy.to_string(),
            patterns,
            can_admins_bypass: rules.can_admins_bypass,
        }
    }

    /// The rules the form describes, or what is wrong with a field. Limits (six reviewers,
    /// 43,200 minutes) are the engine's to check, with the REST API's words.
    pub fn to_rules(&self) -> Result<EnvironmentSpec, String> {
        use engine::pipeline::environments::{BranchPolicy, RefPattern};
        let list = |text: &str| -> Vec<String> {
            text.split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(str::to_string)
                .collect()
        };
        let wait_timer_min = self.wait_timer_min.trim().parse::<u32>().map_err(|_| {
            format!(
                "{}: the wait timer must be a whole number of minutes, not {:?}",
                self.name, self.wait_timer_min
            )
        })?;
        let branch_policy = match self.branch_policy.as_str() {
            "protected" => BranchPolicy::ProtectedBranches,
            "selected" => {
                let patterns: Vec<RefPattern> = list(&self.patterns)
                    .iter()
                    .map(|p| match p.strip_prefix("tag:") {
                        Some(tag) => RefPattern::tag(tag.trim()),
                        None => RefPattern::branch(p),
                    })
                    .collect();
                if patterns.is_empty() {
                    return Err(format!(
                        "{}: selected branches and tags needs at least one name pattern, such as main or release/*",
                        self.name
                    ));
                }
                BranchPolicy::Selected(patterns)
            }
            _ => BranchPolicy::Any,
        };
        Ok(EnvironmentSpec {
            name: self.name.clone(),
            reviewers: list(&self.reviewers),
            prevent_self_review: self.prevent_self_review,
            wait_timer_min,
            branch_policy,
            can_admins_bypass: self.can_admins_bypass,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::pipeline::environments::{BranchPolicy, RefPattern};

    #[test]
    fn a_status_without_an_outcome_reads_its_state_from_the_reason() {
        let table = [
            ("success", "anything", "success"),
            (
                "",
                "run #1 deploy-production: state in_progress, the rollout starts",
                "in_progress",
            ),
            ("", "no status in words", "recorded"),
        ];
        for (outcome, reason, state) in table {
            assert_eq!(status_of(outcome, reason), state, "{reason}");
        }
    }

    #[test]
    fn window_times_read_as_minutes() {
        let table = [
            ("09:00", Ok(540)),
            ("17:30", Ok(1_050)),
            ("24:00", Ok(1_440)),
            ("24:01", Err(())),
            ("9", Err(())),
            ("09:75", Err(())),
        ];
        for (clock, expected) in table {
            assert_eq!(minute_of(clock).map_err(|_| ()), expected, "{clock}");
        }
    }

    #[test]
    fn the_form_round_trips_rules_and_names_a_bad_field() {
        let mut rules = EnvironmentSpec::unprotected("production");
        rules.reviewers = vec!["alice".to_string(), "org/sre".to_string()];
        rules.prevent_self_review = true;
        rules.wait_timer_min = 15;
        rules.branch_policy =
            BranchPolicy::Selected(vec![RefPattern::branch("release/*"), RefPattern::tag("v*")]);
        let form = RulesForm::from_rules(&rules);
        assert_eq!(form.patterns, "release/*, tag:v*");
        assert_eq!(form.to_rules(), Ok(rules));
        let typed = RulesForm {
            reviewers: " bob ,, carol ".to_string(),
            wait_timer_min: "ten".to_string(),
            ..form.clone()
        };
        assert_eq!(
            typed.to_rules(),
            Err(
                "production: the wait timer must be a whole number of minutes, not \"ten\""
                    .to_string()
            )
        );
        let fixed = RulesForm {
            wait_timer_min: " 10 ".to_string(),
            ..typed
        };
        let parsed = fixed.to_rules().unwrap();
        assert_eq!(parsed.reviewers, ["bob", "carol"]);
        assert_eq!(parsed.wait_timer_min, 10);
        let no_patterns = RulesForm {
            patterns: " , ".to_string(),
            ..form
        };
        assert!(
            no_patterns
                .to_rules()
                .unwrap_err()
                .contains("needs at least one name pattern")
        );
    }
}
