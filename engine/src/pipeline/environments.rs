//! GitHub environments and their protection rules (semantics.md §2.6): required reviewers (at
//! most six, one approval is enough, optionally not the person who triggered the run), a wait
//! timer (0 to 43,200 minutes), deployment branch and tag policies with `File.fnmatch` name
//! patterns, admin bypass, and pending approvals that fail the job after 30 days.

use serde::{Deserialize, Serialize};

use crate::pipeline::fnmatch::fnmatch;

/// Most reviewers an environment may require.
pub const MAX_REVIEWERS: u32 = 6;
/// Longest wait timer, in minutes (30 days).
pub const MAX_WAIT_TIMER_MIN: u32 = 43_200;
/// A pending approval fails the job after this long.
pub const APPROVAL_EXPIRY_S: u64 = 30 * 86_400;

/// An environment's settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentSpec {
    /// Its name, for example `production`.
    pub name: String,
    /// Required reviewers: logins of people or `org/team` slugs.
    pub reviewers: Vec<String>,
    /// `prevent_self_review`.
    pub prevent_self_review: bool,
    /// `wait_timer`, in minutes.
    pub wait_timer_min: u32,
    /// `deployment_branch_policy`.
    pub branch_policy: BranchPolicy,
    /// `can_admins_bypass` (GitHub's default is true).
    pub can_admins_bypass: bool,
}

/// Which refs may deploy to an environment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BranchPolicy {
    /// "No restriction".
    Any,
    /// "Protected branches only".
    ProtectedBranches,
    /// "Selected branches and tags": name patterns.
    Selected(Vec<RefPattern>),
}

impl BranchPolicy {
    /// The policy as GitHub's settings page words it, with its patterns.
    pub fn label(&self) -> String {
        match self {
            BranchPolicy::Any => "no restriction".to_string(),
            BranchPolicy::ProtectedBranches => "protected branches only".to_string(),
            BranchPolicy::Selected(patterns) => format!(
                "selected branches and tags ({})",
                patterns
                    .iter()
                    .map(|p| if p.tag {
                        format!("tag {}", p.pattern)
                    } else {
                        p.pattern.clone()
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// A deployment branch or tag policy (`{name, type}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefPattern {
    /// A `File.fnmatch` pattern.
    pub pattern: String,
    /// True for a tag pattern, false for a branch pattern.
    pub tag: bool,
}

impl RefPattern {
    /// A branch name pattern.
    pub fn branch(pattern: &str) -> RefPattern {
        RefPattern {
            pattern: pattern.to_string(),
            tag: false,
        }
    }

    /// A tag name pattern.
    pub fn tag(pattern: &str) -> RefPattern {
        RefPattern {
            pattern: pattern.to_string(),
            tag: true,
        }
    }
}

/// The ref a run deploys from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitRef {
    /// The branch or tag name, for example `main` or `v1.2.0`.
    pub name: String,
    /// True for a tag.
    pub tag: bool,
    /// True for a protected branch.
    pub protected: bool,
}

impl GitRef {
    /// The ref in words: a branch by its name, a tag as `tag v1.2.0`.
    pub fn label(&self) -> String {
        if self.tag {
            format!("tag {}", self.name)
        } else {
            self.name.clone()
        }
    }
}

impl EnvironmentSpec {
    /// An environment with no protection rules.
    pub fn unprotected(name: &str) -> EnvironmentSpec {
        EnvironmentSpec {
            name: name.to_string(),
            reviewers: Vec::new(),
            prevent_self_review: false,
            wait_timer_min: 0,
            branch_policy: BranchPolicy::Any,
            can_admins_bypass: true,
        }
    }

    /// The REST API's objections to these settings, each naming the field.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        if self.reviewers.len() as u32 > MAX_REVIEWERS {
            problems.push(format!(
                "reviewers: {} given; an environment can require at most {MAX_REVIEWERS} users or teams",
                self.reviewers.len()
            ));
        }
        if self.prevent_self_review && self.reviewers.is_empty() {
            problems.push(
                "prevent_self_review: Required reviewers must have at least one reviewer to set prevent_self_review"
                    .to_string(),
            );
        }
        if self.wait_timer_min > MAX_WAIT_TIMER_MIN {
            problems.push(format!(
                "wait_timer: {} minutes; it must be between 0 and {MAX_WAIT_TIMER_MIN} (30 days)",
                self.wait_timer_min
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Whether `git_ref` may deploy here, with GitHub's message when it may not.
    pub fn allows_ref(&self, git_ref: &GitRef) -> Result<(), String> {
        let allowed = match &self.branch_policy {
            BranchPolicy::Any => true,
            BranchPolicy::ProtectedBranches => !git_ref.tag && git_ref.protected,
            BranchPolicy::Selected(patterns) => patterns
                .iter()
                .any(|p| p.tag == git_ref.tag && fnmatch(&p.pattern, &git_ref.name)),
        };
        if allowed {
            Ok(())
        } else {
            Err(format!(
                "{} \"{}\" is not allowed to deploy to {} due to environment protection rules.",
                if git_ref.tag { "Tag" } else { "Branch" },
                git_ref.name,
                self.name
            ))
        }
    }

    /// What changed from `before` to these rules, one phrase per setting, in words.
    pub fn changes_from(&self, before: &EnvironmentSpec) -> Vec<String> {
        let list = |people: &[String]| {
            if people.is_empty() {
                "none".to_string()
            } else {
                people.join(", ")
            }
        };
        let on_off = |on: bool| if on { "on" } else { "off" };
        let mut changes = Vec::new();
        if self.reviewers != before.reviewers {
            changes.push(format!(
                "required reviewers {} → {}",
                list(&before.reviewers),
                list(&self.reviewers)
            ));
        }
        if self.prevent_self_review != before.prevent_self_review {
            changes.push(format!(
                "prevent self-review {} → {}",
                on_off(before.prevent_self_review),
                on_off(self.prevent_self_review)
            ));
        }
        if self.wait_timer_min != before.wait_timer_min {
            changes.push(format!(
                "wait timer {} → {} min",
                before.wait_timer_min, self.wait_timer_min
            ));
        }
        if self.branch_policy != before.branch_policy {
            changes.push(format!(
                "deployment branches and tags: {} → {}",
                before.branch_policy.label(),
                self.branch_policy.label()
            ));
        }
        if self.can_admins_bypass != before.can_admins_bypass {
            changes.push(format!(
                "allow administrators to bypass {} → {}",
                on_off(before.can_admins_bypass),
                on_off(self.can_admins_bypass)
            ));
        }
        changes
    }

    /// True when a job deploying here waits for something: reviewers or a wait timer.
    pub fn is_protected(&self) -> bool {
        !self.reviewers.is_empty() || self.wait_timer_min > 0
    }
}

/// A job waiting on an environment's protection rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtectionGate {
    /// The environment.
    pub environment: String,
    /// Who triggered the run.
    pub triggered_by: String,
    /// When the job started waiting (unix seconds).
    pub waiting_since_s: u64,
    /// When the wait timer ends.
    pub wait_until_s: u64,
    /// The approval, once given: (reviewer, comment, unix seconds, by admin bypass).
    pub approved: Option<(String, String, u64, bool)>,
    /// The rejection, once given: (reviewer, comment).
    pub rejected: Option<(String, String)>,
}

/// Where a gate stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GateState {
    /// Waiting: for what, in words.
    Waiting(String),
    /// Every rule passed; the job may start and the environment's secrets are released.
    Passed,
    /// A reviewer rejected the deployment: the job fails.
    Rejected(String),
    /// Nobody approved within 30 days: the job fails.
    Expired,
}

/// A reviewer's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Review {
    /// Approve and deploy.
    Approve,
    /// Reject.
    Reject,
}

impl ProtectionGate {
    /// A job of a run `triggered_by` someone starts waiting on `spec` at `now_s`.
    pub fn new(spec: &EnvironmentSpec, triggered_by: &str, now_s: u64) -> ProtectionGate {
        ProtectionGate {
            environment: spec.name.clone(),
            triggered_by: triggered_by.to_string(),
            waiting_since_s: now_s,
            wait_until_s: now_s + u64::from(spec.wait_timer_min) * 60,
            approved: None,
            rejected: None,
        }
    }

    /// `reviewer` approves or rejects, with a comment. Refused (with the reason) when they may
    /// not review: not a required reviewer and not an admin who may bypass, the person who
    /// triggered the run under `prevent_self_review`, or a review that is no longer pending.
    pub fn review(
        &mut self,
        spec: &EnvironmentSpec,
        reviewer: &str,
        is_admin: bool,
        review: Review,
        comment: &str,
        now_s: u64,
    ) -> Result<(), String> {
        if self.approved.is_some() || self.rejected.is_some() {
            return Err(format!(
                "the deployment to {} has already been reviewed",
                self.environment
            ));
        }
        if now_s >= self.waiting_since_s + APPROVAL_EXPIRY_S {
            return Err(format!(
                "the review of {} expired after 30 days; the job failed",
                self.environment
            ));
        }
        let listed = spec.reviewers.iter().any(|r| r == reviewer);
        let bypass = !listed && is_admin && spec.can_admins_bypass;
        if !listed && !bypass {
            return Err(format!(
                "{reviewer} is not a required reviewer for {} ({})",
                spec.name,
                if spec.reviewers.is_empty() {
                    "it has none".to_string()
                } else {
                    spec.reviewers.join(", ")
                }
            ));
        }
        if spec.prevent_self_review && reviewer == self.triggered_by && review == Review::Approve {
            return Err(format!(
                "{reviewer} triggered this run and {} prevents self-review: another reviewer must approve",
                spec.name
            ));
        }
        match review {
            Review::Approve => {
                self.approved = Some((reviewer.to_string(), comment.to_string(), now_s, bypass))
            }
            Review::Reject => self.rejected = Some((reviewer.to_string(), comment.to_string())),
        }
        Ok(())
    }

    /// Where the gate stands at `now_s`.
    pub fn state(&self, spec: &EnvironmentSpec, now_s: u64) -> GateState {
        if let Some((reviewer, comment)) = &self.rejected {
            return GateState::Rejected(format!(
                "{reviewer} rejected the deployment to {}{}",
                self.environment,
                if comment.is_empty() {
                    String::new()
                } else {
                    format!(": \"{comment}\"")
                }
            ));
        }
        let needs_review = !spec.reviewers.is_empty() && self.approved.is_none();
        // An admin bypass skips the wait timer as well.
        let bypassed = self.approved.as_ref().is_some_and(|a| a.3);
        let timer_left_s = if bypassed {
            0
        } else {
            self.wait_until_s.saturating_sub(now_s)
        };
        if needs_review && now_s >= self.waiting_since_s + APPROVAL_EXPIRY_S {
            return GateState::Expired;
        }
        match (needs_review, timer_left_s) {
            (false, 0) => GateState::Passed,
            (true, 0) => GateState::Waiting(format!(
                "Waiting for review: one of {} must approve the deployment to {}",
                spec.reviewers.join(", "),
                self.environment
            )),
            (false, left) => GateState::Waiting(format!(
                "Waiting: the wait timer of {} ends in {}",
                self.environment,
                crate::time::duration_label(left)
            )),
            (true, left) => GateState::Waiting(format!(
                "Waiting for review by one of {} and for the wait timer ({} left)",
                spec.reviewers.join(", "),
                crate::time::duration_label(left)
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn production() -> EnvironmentSpec {
        EnvironmentSpec {
            name: "production".to_string(),
            reviewers: vec!["alice".to_string(), "org/sre".to_string()],
            prevent_self_review: true,
            wait_timer_min: 5,
            branch_policy: BranchPolicy::Selected(vec![
                RefPattern::branch("main"),
                RefPattern::branch("release/*"),
                RefPattern::tag("v*"),
            ]),
            can_admins_bypass: true,
        }
    }

    #[test]
    fn validation_follows_the_rest_api() {
        assert_eq!(production().validate(), Ok(()));
        let mut bad = production();
        bad.reviewers = (0..7).map(|i| format!("user{i}")).collect();
        bad.wait_timer_min = 43_201;
        let problems = bad.validate().unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("reviewers: 7 given"));
        assert!(problems[1].starts_with("wait_timer: 43201 minutes"));
        let mut lonely = EnvironmentSpec::unprotected("staging");
        lonely.prevent_self_review = true;
        assert_eq!(
            lonely.validate().unwrap_err(),
            vec![
                "prevent_self_review: Required reviewers must have at least one reviewer to set prevent_self_review"
            ]
        );
        let mut longest = production();
        longest.wait_timer_min = 43_200;
        assert_eq!(longest.validate(), Ok(()));
    }

    #[test]
    fn branch_and_tag_policies() {
        let spec = production();
        let branch = |name: &str| GitRef {
            name: name.to_string(),
            tag: false,
            protected: name == "main",
        };
        assert_eq!(spec.allows_ref(&branch("main")), Ok(()));
        assert_eq!(spec.allows_ref(&branch("release/2026.03")), Ok(()));
        assert_eq!(
            spec.allows_ref(&branch("release/2026/03")),
            Err("Branch \"release/2026/03\" is not allowed to deploy to production due to environment protection rules.".to_string()),
            "* does not cross /"
        );
        assert!(spec.allows_ref(&branch("feature/login")).is_err());
        let tag = GitRef {
            name: "v1.2.0".to_string(),
            tag: true,
            protected: false,
        };
        assert_eq!(spec.allows_ref(&tag), Ok(()));
        assert!(
            spec.allows_ref(&branch("v1.2.0")).is_err(),
            "a tag pattern does not admit a branch"
        );
        let mut protected_only = production();
        protected_only.branch_policy = BranchPolicy::ProtectedBranches;
        assert_eq!(protected_only.allows_ref(&branch("main")), Ok(()));
        assert!(protected_only.allows_ref(&branch("develop")).is_err());
        assert!(protected_only.allows_ref(&tag).is_err());
    }

    #[test]
    fn one_approval_and_the_wait_timer_pass_the_gate() {
        let spec = production();
        let mut gate = ProtectionGate::new(&spec, "bob", 1_000);
        assert!(
            matches!(gate.state(&spec, 1_000), GateState::Waiting(w) if w.starts_with("Waiting for review by one of alice, org/sre and for the wait timer"))
        );
        gate.review(&spec, "alice", false, Review::Approve, "looks good", 1_060)
            .unwrap();
        assert!(
            matches!(gate.state(&spec, 1_060), GateState::Waiting(w) if w.contains("wait timer of production ends in"))
        );
        assert_eq!(
            gate.state(&spec, 1_300),
            GateState::Passed,
            "5 minutes after the job started waiting"
        );
        assert!(
            gate.review(&spec, "org/sre", false, Review::Approve, "", 1_400)
                .is_err(),
            "already reviewed"
        );
    }

    #[test]
    fn self_review_outsiders_rejection_bypass_and_expiry() {
        let spec = production();
        let mut gate = ProtectionGate::new(&spec, "alice", 0);
        assert_eq!(
            gate.review(&spec, "alice", false, Review::Approve, "", 10),
            Err("alice triggered this run and production prevents self-review: another reviewer must approve".to_string())
        );
        assert_eq!(
            gate.review(&spec, "mallory", false, Review::Approve, "", 10),
            Err("mallory is not a required reviewer for production (alice, org/sre)".to_string())
        );
        // An admin bypasses the reviewers and the timer.
        gate.review(&spec, "root", true, Review::Approve, "incident", 20)
            .unwrap();
        assert_eq!(gate.state(&spec, 20), GateState::Passed);

        let mut no_bypass_spec = spec.clone();
        no_bypass_spec.can_admins_bypass = false;
        let mut gate = ProtectionGate::new(&no_bypass_spec, "bob", 0);
        assert!(
            gate.review(&no_bypass_spec, "root", true, Review::Approve, "", 1)
                .is_err()
        );
        gate.review(
            &no_bypass_spec,
            "alice",
            false,
            Review::Reject,
            "not during the sale",
            2,
        )
        .unwrap();
        assert_eq!(
            gate.state(&no_bypass_spec, 3),
            GateState::Rejected(
                "alice rejected the deployment to production: \"not during the sale\"".to_string()
            )
        );

        let gate = ProtectionGate::new(&spec, "bob", 0);
        assert!(matches!(
            gate.state(&spec, APPROVAL_EXPIRY_S - 1),
            GateState::Waiting(_)
        ));
        assert_eq!(gate.state(&spec, APPROVAL_EXPIRY_S), GateState::Expired);
    }
}
