//! What a lab is, as data: who it is for, the situation and the customer's question, the
//! choices the learner may make, the objectives checked against the simulation, hints, scoring
//! and the debrief. A lab file (`engine/labs/*.yaml`) reads into these types.

use std::collections::BTreeMap;

use serde::Serialize;

/// The lab file format this engine reads.
pub const SCHEMA_VERSION: u32 = 1;

/// One lab.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lab {
    /// Short identifier, used in links and on the command line.
    pub id: String,
    /// Title.
    pub title: String,
    /// The track it belongs to in the library.
    pub track: String,
    /// Who it is written for.
    pub audiences: Vec<Audience>,
    /// How hard it is.
    pub difficulty: Difficulty,
    /// About how long it takes, in minutes.
    pub minutes: u32,
    /// The situation, as the briefing tells it.
    pub situation: String,
    /// The customer's question, in their words.
    pub customer_question: String,
    /// What the learner will be able to do afterwards.
    pub learning_objectives: Vec<String>,
    /// The starting world: one of [`crate::labs::worlds::WORLDS`].
    pub world: String,
    /// The seed a run uses unless another is given.
    pub seed: u64,
    /// The choices the learner makes before the run.
    pub choices: Vec<Choice>,
    /// Faults the lab schedules, beside the starting world's own.
    pub faults: Vec<LabFault>,
    /// What is checked, every simulated second.
    pub objectives: Vec<Objective>,
    /// Hints, in the order they are revealed.
    pub hints: Vec<Hint>,
    /// Actions that cost points, with why.
    pub penalties: Vec<Penalty>,
    /// Simulated seconds within which a good run meets every required objective.
    pub par_s: u64,
    /// The score needed to pass, out of 100.
    pub pass_mark: u32,
    /// What the debrief explains, whatever happened.
    pub debrief: String,
    /// What a customer success manager can say, with `{placeholders}` filled from the run.
    pub talking_points: Vec<String>,
    /// Other choices to compare with in the what-if.
    pub variants: Vec<Variant>,
}

/// Who a lab is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// A learner doing the lab hands-on.
    Trainee,
    /// An instructor showing it to a class.
    Instructor,
    /// A customer success manager rehearsing a conversation.
    Csm,
}

impl Audience {
    /// Every audience, with the word a lab file uses.
    pub const ALL: [(Audience, &'static str); 3] = [
        (Audience::Trainee, "trainee"),
        (Audience::Instructor, "instructor"),
        (Audience::Csm, "csm"),
    ];

    /// How the library labels it.
    pub fn label(self) -> &'static str {
        match self {
            Audience::Trainee => "Trainee",
            Audience::Instructor => "Instructor",
            Audience::Csm => "CSM",
        }
    }
}

/// How hard a lab is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    /// No prior knowledge needed.
    Beginner,
    /// Knows the basics of deployments.
    Intermediate,
    /// Knows the strategies and their settings.
    Advanced,
}

impl Difficulty {
    /// Every difficulty, with the word a lab file uses.
    pub const ALL: [(Difficulty, &'static str); 3] = [
        (Difficulty::Beginner, "beginner"),
        (Difficulty::Intermediate, "intermediate"),
        (Difficulty::Advanced, "advanced"),
    ];

    /// How the library labels it.
    pub fn label(self) -> &'static str {
        match self {
            Difficulty::Beginner => "Beginner",
            Difficulty::Intermediate => "Intermediate",
            Difficulty::Advanced => "Advanced",
        }
    }
}

/// A fault a lab schedules: one of the catalogue's kinds with its default parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LabFault {
    /// The fault kind's id, as `dojo faults` lists it (`bad_build`, `cache_outage`, ...).
    pub kind: String,
    /// When it starts, in simulated seconds from the start.
    pub at_s: u64,
    /// How long it lasts; `None` lasts to the end.
    pub duration_s: Option<u64>,
    /// The environment it hits.
    pub environment: String,
    /// The service it hits, or every service of the environment.
    pub service: Option<String>,
    /// The version it hits, or every version.
    pub version: Option<String>,
}

/// A choice the learner makes in the briefing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// The key the starting world reads it by.
    pub key: String,
    /// The question, as the form asks it.
    pub label: String,
    /// Why it matters, in a sentence.
    pub help: String,
    /// The allowed values.
    pub options: Vec<ChoiceOption>,
    /// The value chosen unless the learner picks another.
    pub default: String,
}

/// One allowed value of a choice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChoiceOption {
    /// The value, as links and the command line give it.
    pub value: String,
    /// How the form shows it.
    pub label: String,
}

/// An objective: a predicate over the simulation, with its weight and what to say.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Objective {
    /// Short identifier, unique in the lab.
    pub id: String,
    /// What the checklist says.
    pub text: String,
    /// Its share of the score, relative to the others.
    pub weight: u32,
    /// A lab is passed only with every required objective met.
    pub required: bool,
    /// What must hold.
    pub check: Predicate,
    /// When it is judged.
    pub judged: Judged,
    /// What ends it early as failed.
    pub fails_when: Option<Predicate>,
    /// Said when it is met.
    pub pass_message: String,
    /// Said when it is not: what to do next.
    pub fail_message: String,
}

/// When an objective's check is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Judged {
    /// Met the first second it holds, and stays met.
    Eventually,
    /// Judged when the run ends; until then the checklist shows how it stands.
    AtEnd,
}

/// A closed vocabulary of conditions over the simulation, which compose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Predicate {
    /// Every one holds.
    All(Vec<Predicate>),
    /// At least one holds.
    Any(Vec<Predicate>),
    /// It does not hold.
    Not(Box<Predicate>),
    /// A measured value compared with a number.
    Metric {
        /// What is measured.
        metric: Metric,
        /// How it is compared.
        op: Comparison,
        /// With what.
        value: i64,
    },
    /// An audit record like this one exists.
    Event(EventMatch),
    /// The rollout ended this way (`promoted`, `rolled_back`, ...), as [`crate::Outcome`] says.
    Outcome(String),
    /// The rollout's phase is this one (`Healthy`, `Paused`, ...).
    Phase(String),
    /// The inner condition has held for the last `duration_s` seconds.
    For {
        /// How long.
        duration_s: u64,
        /// What.
        inner: Box<Predicate>,
    },
    /// The inner condition held before the first such record appeared.
    Before {
        /// The record that must not come first.
        event: EventMatch,
        /// What must hold before it.
        inner: Box<Predicate>,
    },
    /// The inner condition came to hold within `duration_s` seconds of the first such record.
    Within {
        /// How long after it.
        duration_s: u64,
        /// The record the clock starts at.
        of: EventMatch,
        /// What must come to hold.
        inner: Box<Predicate>,
    },
    /// One of the course's SLOs (`availability`, `latency`, `error_rate`, `success_rate`) passes
    /// on the run so far, as the pipeline's SLO dashboard judges it.
    SloPasses(String),
    /// The auditor's package is complete: a production deployment from `branch`, approved by
    /// one of `reviewers`, with the trail's chain verified.
    AuditorPackage {
        /// The branch it deployed from.
        branch: String,
        /// Who may have approved it.
        reviewers: Vec<String>,
    },
}

/// Which audit records a predicate looks for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EventMatch {
    /// The action, for example `workflows.approve_workflow_job`.
    pub action: String,
    /// Who: `person`, `automation` or a login.
    pub by: Option<String>,
    /// In which environment.
    pub environment: Option<String>,
    /// With which outcome (`success`, `failure`, `refused`, ...).
    pub outcome: Option<String>,
    /// Words the record's reason contains.
    pub reason_contains: Option<String>,
}

/// A value measured in the rolled-out service's environment (or the run).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Seconds in which some requests found no ready instance.
    DowntimeS,
    /// Requests to the rolled-out service that failed (unserved ones included).
    RequestsFailed,
    /// Requests that found no ready instance.
    RequestsUnserved,
    /// Distinct users who saw a failure.
    UsersAffected,
    /// The rolled-out service's error rate over the last minute, in basis points.
    ErrorRateBp,
    /// The rolled-out service's p95 latency in the last second, in milliseconds.
    P95Ms,
    /// Seconds of error budget the run spent.
    BudgetSpentS,
    /// Audit records written so far.
    AuditRecords,
    /// Users' sessions lost with pods that stopped while holding them.
    SessionsLost,
    /// Of a 99.99 % availability SLA's monthly allowance of failed requests (0.01 % of a
    /// month's requests at the run's average rate), the share this run's failures spent, in
    /// thousandths.
    SlaBudgetPermille,
    /// Releases a year at the quarter's cadence.
    DeploymentsPerYear,
    /// The quarter's median change lead time, in hours.
    LeadTimeHours,
    /// The quarter's bad releases among all, in percent.
    ChangeFailurePercent,
    /// The quarter's median time to restore service after a bad release, in minutes.
    RecoveryMinutes,
    /// Users who met a failed change's errors over the quarter.
    UsersHitByFailedChanges,
    /// Error budget failed changes spent over the quarter, in seconds.
    BudgetSpentByFailedChangesS,
}

impl Metric {
    /// Every metric, with the word a lab file uses.
    pub const ALL: [(Metric, &'static str); 16] = [
        (Metric::DowntimeS, "downtime_s"),
        (Metric::RequestsFailed, "requests_failed"),
        (Metric::RequestsUnserved, "requests_unserved"),
        (Metric::UsersAffected, "users_affected"),
        (Metric::ErrorRateBp, "error_rate_bp"),
        (Metric::P95Ms, "p95_ms"),
        (Metric::BudgetSpentS, "budget_spent_s"),
        (Metric::AuditRecords, "audit_records"),
        (Metric::SessionsLost, "sessions_lost"),
        (Metric::SlaBudgetPermille, "sla_budget_permille"),
        (Metric::DeploymentsPerYear, "deployments_per_year"),
        (Metric::LeadTimeHours, "lead_time_hours"),
        (Metric::ChangeFailurePercent, "change_failure_percent"),
        (Metric::RecoveryMinutes, "recovery_minutes"),
        (
            Metric::UsersHitByFailedChanges,
            "users_hit_by_failed_changes",
        ),
        (
            Metric::BudgetSpentByFailedChangesS,
            "budget_spent_by_failed_changes_s",
        ),
    ];

    /// The word a lab file uses.
    pub fn name(self) -> &'static str {
        Metric::ALL
            .iter()
            .find(|(metric, _)| *metric == self)
            .map_or("", |(_, name)| name)
    }
}

/// How a metric is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Comparison {
    /// `<`
    Less,
    /// `<=`
    AtMost,
    /// `==`
    Equal,
    /// `>=`
    AtLeast,
    /// `>`
    Greater,
}

impl Comparison {
    /// Every comparison, with its symbol.
    pub const ALL: [(Comparison, &'static str); 5] = [
        (Comparison::Less, "<"),
        (Comparison::AtMost, "<="),
        (Comparison::Equal, "=="),
        (Comparison::AtLeast, ">="),
        (Comparison::Greater, ">"),
    ];

    /// The symbol.
    pub fn symbol(self) -> &'static str {
        Comparison::ALL
            .iter()
            .find(|(op, _)| *op == self)
            .map_or("", |(_, symbol)| symbol)
    }

    /// True when `left op right`.
    pub fn holds(self, left: i64, right: i64) -> bool {
        match self {
            Comparison::Less => left < right,
            Comparison::AtMost => left <= right,
            Comparison::Equal => left == right,
            Comparison::AtLeast => left >= right,
            Comparison::Greater => left > right,
        }
    }
}

/// A hint, with what revealing it costs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hint {
    /// The hint.
    pub text: String,
    /// Points it costs, shown before it is revealed.
    pub cost: u32,
}

/// An action that costs points when the learner takes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Penalty {
    /// The records that count.
    pub event: EventMatch,
    /// Points per record.
    pub points: u32,
    /// Why it is needless or harmful.
    pub why: String,
}

/// A named set of choices for the what-if.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Variant {
    /// Its name.
    pub name: String,
    /// The choices it changes; the others keep the learner's.
    pub choices: BTreeMap<String, String>,
}
