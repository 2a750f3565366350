//! Written by `tests/lab_briefs.rs` from `engine/labs/`: do not edit by hand.

use crate::lab_brief::{ChoiceBrief, LabBrief, ObjectiveBrief};

/// Every built-in lab, in the catalogue's order.
pub static LAB_BRIEFS: &[LabBrief] = &[
    LabBrief {
        id: "monthly-to-weekly",
        title: "From monthly to weekly releases",
        track: "Customer conversations",
        audiences: &["CSM", "Trainee", "Instructor"],
        difficulty: "Beginner",
        minutes: 15,
        situation: "A customer releases checkout once a month: three days of manual testing, then five stakeholders approve one after another, then everything merged that month goes to production at once. About nine changes are merged every working day. They want to release weekly through an automated pipeline (CI in about 15 minutes, staging deployed automatically, a day of soak, one reviewer) with a canary and automatic rollback, and fear that more releases means more breakage. Choose how they release, and compare a quarter (13 weeks) of the same stream of changes. The release you watch live is the quarter's bad one.",
        customer_question: "We want to deploy more frequently but we're worried about quality. How do we move faster without breaking things?",
        learning_objectives: &["Read DORA's four key metrics and their levels for a quarter of releases.", "Explain why smaller batches fail less often and are easier to roll back.", "Explain how a canary with automatic rollback limits the users a bad change reaches."],
        objectives: &[
            ObjectiveBrief { text: "Release at least weekly (about 52 a year)", required: true },
            ObjectiveBrief { text: "Changes reach production within a week of merging (DORA High or better)", required: false },
            ObjectiveBrief { text: "Failed changes reach fewer than 1,000 users over the quarter", required: true },
            ObjectiveBrief { text: "Service is restored within an hour of a bad release (DORA Elite)", required: false },
        ],
        choices: &[
            ChoiceBrief { key: "cadence", label: "How often is a release cut?", help: "Monthly releases are tested by hand for three days; weekly ones by the pipeline's CI in about 15 minutes.", default: "monthly", options: &[("monthly", "Monthly, after manual testing"), ("weekly", "Weekly, through the automated pipeline")] },
            ChoiceBrief { key: "approvers", label: "How many people must approve?", help: "Approvers answer one after another.", default: "five", options: &[("five", "Five stakeholders"), ("one", "One reviewer")] },
            ChoiceBrief { key: "soak", label: "How long does a release soak in staging?", help: "", default: "none", options: &[("none", "No soak"), ("24h", "24 hours")] },
            ChoiceBrief { key: "canary", label: "Does a canary with automatic rollback gate production?", help: "The canary takes 10 % of traffic first; its gate rolls a bad release back within minutes.", default: "no", options: &[("yes", "Yes: 10 %, then 25 %, 50 %, 100 %"), ("no", "No: everyone at once")] },
        ],
        seed: 1,
    },
    LabBrief {
        id: "zero-downtime",
        title: "Zero downtime for a 99.99 % SLA",
        track: "Customer conversations",
        audiences: &["CSM", "Trainee", "Instructor"],
        difficulty: "Intermediate",
        minutes: 15,
        situation: "A customer runs checkout around the clock on four pods behind a load balancer, about 200 requests a second, under a 99.99 % availability SLA: 4 minutes 19 seconds of downtime a 30-day month. Release v2 is ready. Pick how it goes out and what the pods do when they start and stop, then watch the release and count what it costs the customer's users.",
        customer_question: "We have a 99.99 % uptime SLA. How can we deploy without any downtime?",
        learning_objectives: &["Tell recreate, rolling (maxSurge 25 %, maxUnavailable 0) and blue-green apart by the downtime each costs.", "Explain why a pod without a readiness probe fails requests while it starts.", "Explain why graceful shutdown and connection draining matter when pods stop.", "Keep sessions outside the pods and schema changes backward-compatible."],
        objectives: &[
            ObjectiveBrief { text: "No second without a pod to answer", required: true },
            ObjectiveBrief { text: "No request fails because of the release", required: true },
            ObjectiveBrief { text: "No user is signed out by the release", required: false },
            ObjectiveBrief { text: "v2 serves all traffic at the end", required: true },
        ],
        choices: &[
            ChoiceBrief { key: "strategy", label: "How does v2 go out?", help: "Recreate stops every v1 pod before starting v2. Rolling adds one v2 pod at a time and removes v1 pods only once it is ready. Blue-green starts all of v2 beside v1 and switches at once.", default: "recreate", options: &[("recreate", "Recreate (stop all, then start all)"), ("rolling", "Rolling update (maxSurge 25 %, maxUnavailable 0)"), ("blue-green", "Blue-green (switch when green is ready)")] },
            ChoiceBrief { key: "readiness_probe", label: "Do the pods have a readiness probe?", help: "Without one, Kubernetes counts a pod ready when its container starts, before the app listens.", default: "off", options: &[("on", "Yes: traffic only once /ready answers"), ("off", "No")] },
            ChoiceBrief { key: "graceful_shutdown", label: "Do the pods shut down gracefully?", help: "Handling SIGTERM, finishing in-flight requests and draining connections, while the endpoint is removed.", default: "off", options: &[("on", "Yes: drain, then exit"), ("off", "No: exit on SIGTERM")] },
            ChoiceBrief { key: "sessions", label: "Where do users' sessions live?", help: "", default: "in-pods", options: &[("external", "In Redis, outside the pods"), ("in-pods", "In each pod's memory")] },
            ChoiceBrief { key: "schema_change", label: "How does v2 change the database schema?", help: "While v1 and v2 run side by side, both must work with the schema.", default: "backward-compatible", options: &[("backward-compatible", "Backward-compatible (additive)"), ("breaking", "Breaking (v1 cannot read it)")] },
        ],
        seed: 1,
    },
    LabBrief {
        id: "compliance-audit-trail",
        title: "Compliance and audit trail",
        track: "Customer conversations",
        audiences: &["CSM", "Trainee"],
        difficulty: "Intermediate",
        minutes: 20,
        situation: "A financial-services customer ships its checkout service through GitHub Actions. Its auditors want proof of deployment controls: who approved every production deployment, from which branch, and a complete trail nobody can quietly edit. Today production has no protection rules at all. Five minutes into the lab, eve runs the pipeline from her branch feature/quick-fix; fifteen minutes later dana pushes release v3 to main.",
        customer_question: "Our auditors want to see who approved each production deployment and a complete audit trail. How do we provide this?",
        learning_objectives: &["Protect a production environment with required reviewers from a compliance team and a main-only branch policy.", "Read a refused deployment and an approval in the audit trail.", "Assemble an auditor's package whose chain of records verifies."],
        objectives: &[
            ObjectiveBrief { text: "Production's protection rules name the compliance team and main only", required: true },
            ObjectiveBrief { text: "eve's deployment from feature/quick-fix is refused before it reaches production", required: true },
            ObjectiveBrief { text: "A member of the compliance team approves the release from main", required: true },
            ObjectiveBrief { text: "The auditor's package is complete and its chain verifies", required: true },
        ],
        choices: &[
            ChoiceBrief { key: "reviewers", label: "Who must approve production deployments?", help: "GitHub lets up to six people or teams review; one approval is enough.", default: "none", options: &[("compliance-team", "The compliance team (carol, frank)"), ("release-managers", "The release managers (alice, bob)"), ("none", "Nobody: deploy without review")] },
            ChoiceBrief { key: "branches", label: "Which branches may deploy to production?", help: "A deployment branch policy refuses any other branch before the job starts.", default: "any-branch", options: &[("main-only", "main only"), ("any-branch", "Any branch")] },
        ],
        seed: 1,
    },
];
