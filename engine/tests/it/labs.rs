//! Labs: the file format and its errors, the objective predicates, the scoring formula, and each
//! built-in lab's headline numbers.

use std::collections::BTreeMap;

use engine::labs::catalogue::LAB_FILES;
use engine::labs::check::{Memory, Subject, evaluate};
use engine::labs::read::{duration_s, nearest};
use engine::labs::spec::{Comparison, EventMatch, Metric, Predicate};
use engine::labs::{LabRun, Mark, lab_by_id, read_lab};

fn choices(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn finished(id: &str, pairs: &[(&str, &str)]) -> LabRun {
    let lab = lab_by_id(id).expect("a built-in lab");
    let mut run = LabRun::start(&lab, &choices(pairs), lab.seed).expect("the lab starts");
    run.run_to_end();
    run
}

#[test]
fn every_built_in_lab_file_reads() {
    for (file, text) in LAB_FILES {
        let lab = match read_lab(file, text) {
            Ok(lab) => lab,
            Err(problems) => panic!("{}", problems.join("\n")),
        };
        // `lab_by_id` reads only the file named after the id.
        assert_eq!(
            *file,
            format!("{}.yaml", lab.id),
            "a lab file is named after its id"
        );
        assert_eq!(lab_by_id(&lab.id).map(|found| found.id), Some(lab.id));
    }
    assert!(lab_by_id("no-such-lab").is_none());
}

/// A valid lab to break one line at a time.
const MINIMAL: &str = "\
schema_version: 1
id: tiny
title: Tiny
track: Tests
audiences: [trainee]
difficulty: beginner
minutes: 5
situation: A test.
world: compliance
choices:
  - key: reviewers
    label: Who reviews?
    default: none
    options:
      - {value: none, label: Nobody}
objectives:
  - id: one
    text: Something is audited
    check:
      metric: audit_records
      op: '>='
      value: 1
    pass: good
    fail: bad
par_minutes: 10
debrief: Done.
";

#[test]
fn a_minimal_lab_reads() {
    let lab = read_lab("tiny.yaml", MINIMAL).expect("valid");
    assert_eq!(lab.id, "tiny");
    assert_eq!(lab.par_s, 600);
    assert_eq!(lab.pass_mark, 70, "the default pass mark");
    assert_eq!(
        lab.objectives[0].check,
        Predicate::Metric {
            metric: Metric::AuditRecords,
            op: Comparison::AtLeast,
            value: 1
        }
    );
}

#[test]
fn bad_lab_files_are_refused_with_line_column_and_what() {
    // (what is changed, the replacement, the problems expected, each a substring).
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "title: Tiny",
            "titel: Tiny",
            &[
                "tiny.yaml:3:1: titel: unknown key; did you mean `title`?",
                "title: `title` is required",
            ],
        ),
        (
            "minutes: 5",
            "minutes: five",
            &["tiny.yaml:7:10: minutes: expected a whole number"],
        ),
        (
            "schema_version: 1",
            "schema_version: 9",
            &["tiny.yaml:1:17: schema_version: this Deploy Dojo reads schema_version 1, not 9"],
        ),
        (
            "world: compliance",
            "world: complaince",
            &[
                "tiny.yaml:9:8: world: there is no starting world `complaince` (there are release-cadence, zero-downtime, compliance); did you mean `compliance`?",
            ],
        ),
        (
            "  - key: reviewers",
            "  - key: reviewer",
            &[
                "choices[0].key: the starting world has no choice `reviewer` (it has reviewers, branches); did you mean `reviewers`?",
            ],
        ),
        (
            "      - {value: none, label: Nobody}",
            "      - {value: everyone, label: Nobody}",
            &[
                "tiny.yaml:15:17: choices[0].options[0].value: `everyone` is not a value of `reviewers`",
                "choices[0].default: `none` is not one of the options",
            ],
        ),
        (
            "      metric: audit_records",
            "      metric: audit_record",
            &["objectives[0].check.metric: `audit_record` is not one of downtime_s"],
        ),
        (
            "      op: '>='",
            "      op: '=>'",
            &["objectives[0].check.op: `=>` is not one of <, <=, ==, >=, >"],
        ),
        (
            "difficulty: beginner",
            "difficulty: [beginner]",
            &["tiny.yaml:6:13: difficulty: expected text, found a list"],
        ),
        (
            "audiences: [trainee]",
            "audiences: [trainees]",
            &[
                "audiences[0]: `trainees` is not one of trainee, instructor, csm; did you mean `trainee`?",
            ],
        ),
        (
            "id: tiny",
            "id: Tiny Lab",
            &["tiny.yaml:2:5: id: use lowercase letters, digits and hyphens"],
        ),
        (
            "title: Tiny",
            "title: [unclosed",
            &["tiny.yaml:", "the YAML cannot be read"],
        ),
    ];
    for (from, to, expected) in cases {
        assert!(MINIMAL.contains(from), "{from}");
        let text = MINIMAL.replacen(from, to, 1);
        let problems = read_lab("tiny.yaml", &text)
            .expect_err(&format!("{from} → {to} must be refused"))
            .join("\n");
        for wanted in *expected {
            assert!(
                problems.contains(wanted),
                "{from} → {to}: expected «{wanted}» in:\n{problems}"
            );
        }
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = MINIMAL
        .replace("title: Tiny", "titel: Tiny")
        .replace("minutes: 5", "minutes: -5")
        .replace("      op: '>='", "      op: about");
    let problems = read_lab("tiny.yaml", &text).unwrap_err();
    assert!(problems.len() >= 4, "{problems:#?}");
}

#[test]
fn a_condition_needs_exactly_one_form() {
    let text = MINIMAL.replace(
        "      metric: audit_records",
        "      outcome: promoted\n      metric: audit_records",
    );
    let problems = read_lab("tiny.yaml", &text).unwrap_err().join("\n");
    assert!(
        problems.contains("objectives[0].check: a condition has exactly one of")
            && problems.contains("found metric and outcome"),
        "{problems}"
    );
}

#[test]
fn durations_and_near_misses() {
    for (text, seconds) in [
        ("90", Some(90)),
        ("90s", Some(90)),
        ("5m", Some(300)),
        ("1h30m", Some(5_400)),
        ("2d", Some(172_800)),
        ("5 minutes", None),
        ("m", None),
        ("5x", None),
    ] {
        assert_eq!(duration_s(text), seconds, "{text}");
    }
    assert_eq!(
        nearest("objectivs", &["objectives", "hints"]),
        Some("objectives")
    );
    assert_eq!(nearest("zebra", &["objectives", "hints"]), None);
}

/// The compliance lab played well: the world every predicate below is evaluated against.
fn compliant_run() -> LabRun {
    finished(
        "compliance-audit-trail",
        &[("reviewers", "compliance-team"), ("branches", "main-only")],
    )
}

fn event(action: &str) -> EventMatch {
    EventMatch {
        action: action.to_string(),
        ..EventMatch::default()
    }
}

#[test]
fn predicates_hold_as_the_run_says() {
    let run = compliant_run();
    let sim = run.sim();
    let approval = EventMatch {
        by: Some("carol".to_string()),
        environment: Some("production".to_string()),
        ..event("workflows.approve_workflow_job")
    };
    let metric = |metric, op, value| Predicate::Metric { metric, op, value };
    let cases: Vec<(&str, Predicate, bool)> = vec![
        (
            "an approval by carol",
            Predicate::Event(approval.clone()),
            true,
        ),
        (
            "an approval by bob",
            Predicate::Event(EventMatch {
                by: Some("bob".to_string()),
                ..approval.clone()
            }),
            false,
        ),
        (
            "by a person",
            Predicate::Event(EventMatch {
                by: Some("person".to_string()),
                ..event("environment.update_protection_rule")
            }),
            true,
        ),
        (
            "by automation",
            Predicate::Event(EventMatch {
                by: Some("automation".to_string()),
                ..event("environment.update_protection_rule")
            }),
            false,
        ),
        (
            "the rollout promoted",
            Predicate::Outcome("promoted".to_string()),
            true,
        ),
        ("healthy", Predicate::Phase("Healthy".to_string()), true),
        (
            "no downtime",
            metric(Metric::DowntimeS, Comparison::Equal, 0),
            true,
        ),
        (
            "records",
            metric(Metric::AuditRecords, Comparison::Greater, 10),
            true,
        ),
        (
            "not records",
            Predicate::Not(Box::new(metric(
                Metric::AuditRecords,
                Comparison::Greater,
                10,
            ))),
            false,
        ),
        (
            "all",
            Predicate::All(vec![
                Predicate::Event(approval.clone()),
                Predicate::Outcome("rolled_back".to_string()),
            ]),
            false,
        ),
        (
            "any",
            Predicate::Any(vec![
                Predicate::Event(approval.clone()),
                Predicate::Outcome("rolled_back".to_string()),
            ]),
            true,
        ),
        (
            "availability passes",
            Predicate::SloPasses("availability".to_string()),
            true,
        ),
        (
            "the package",
            Predicate::AuditorPackage {
                branch: "main".to_string(),
                reviewers: vec!["carol".to_string()],
            },
            true,
        ),
        (
            "a package from another branch",
            Predicate::AuditorPackage {
                branch: "develop".to_string(),
                reviewers: vec!["carol".to_string()],
            },
            false,
        ),
    ];
    for (name, predicate, expected) in cases {
        let evaluation = evaluate(&predicate, &Subject::of(sim), &mut Memory::default());
        assert_eq!(evaluation.holds, expected, "{name}: {}", evaluation.why);
        assert!(!evaluation.why.is_empty(), "{name} says why");
    }
}

/// Evaluates `predicate` every second of the compliance run and returns the second it first
/// held.
fn first_second_holding(predicate: &Predicate) -> Option<u64> {
    let lab = lab_by_id("compliance-audit-trail").unwrap();
    let pairs = choices(&[("reviewers", "compliance-team"), ("branches", "main-only")]);
    let mut run = LabRun::start(&lab, &pairs, lab.seed).unwrap();
    let mut memory = Memory::default();
    while !run.is_finished() {
        if evaluate(predicate, &run.subject(), &mut memory).holds {
            return Some(run.sim().now().0);
        }
        run.step();
    }
    None
}

#[test]
fn conditions_over_time() {
    let approved = Predicate::Event(EventMatch {
        by: Some("carol".to_string()),
        ..event("workflows.approve_workflow_job")
    });
    let approved_at = first_second_holding(&approved).expect("carol approves");
    // `for`: the approval has been on record for ten minutes.
    let for_ten_minutes = Predicate::For {
        duration_s: 600,
        inner: Box::new(approved.clone()),
    };
    assert_eq!(
        first_second_holding(&for_ten_minutes),
        Some(approved_at + 600)
    );
    // `before`: the rules were set before dana's run started; the approval was not.
    let dana = EventMatch {
        by: Some("dana".to_string()),
        ..event("workflows.created_workflow_run")
    };
    let rules = Predicate::Event(event("environment.update_protection_rule"));
    let before = |inner: Predicate| Predicate::Before {
        event: dana.clone(),
        inner: Box::new(inner),
    };
    assert_eq!(first_second_holding(&before(rules.clone())), Some(0));
    assert_eq!(first_second_holding(&before(approved.clone())), None);
    // `within`: carol approved within an hour of dana's run starting, not within a minute.
    let within = |duration_s| Predicate::Within {
        duration_s,
        of: dana.clone(),
        inner: Box::new(approved.clone()),
    };
    assert_eq!(first_second_holding(&within(3_600)), Some(approved_at));
    assert_eq!(first_second_holding(&within(60)), None);
}

#[test]
fn the_score_is_weighted_objectives_minus_hints_actions_and_time() {
    let lab = lab_by_id("compliance-audit-trail").unwrap();
    let good = choices(&[("reviewers", "compliance-team"), ("branches", "main-only")]);
    let mut run = LabRun::start(&lab, &good, lab.seed).unwrap();
    let first = run.reveal_hint().expect("a first hint").cost;
    let second = run.reveal_hint().expect("a second hint").cost;
    assert!(run.reveal_hint().is_none(), "two hints in all");
    run.run_to_end();
    let score = run.score();
    assert_eq!(score.objectives, 100);
    assert_eq!(score.hints, first + second);
    assert_eq!(score.total, 100 - first - second);
    assert!(score.required_met && score.passed);

    // Weights 2, 2, 2, 3: the release managers' run meets only the refusal, 2 of 9 = 22.
    let partial = finished(
        "compliance-audit-trail",
        &[("reviewers", "release-managers"), ("branches", "main-only")],
    )
    .score();
    assert_eq!(partial.objectives, 22);
    assert!(!partial.passed);

    // A skipped objective earns nothing and a required one skipped means no pass.
    let mut skipping = LabRun::start(&lab, &good, lab.seed).unwrap();
    skipping.skip("auditor-package").unwrap();
    assert!(skipping.skip("auditor-package").is_err(), "already decided");
    skipping.run_to_end();
    let score = skipping.score();
    assert_eq!(score.objectives, 67, "6 of 9, rounded");
    assert!(!score.passed, "a required objective was skipped");
}

#[test]
fn the_compliance_lab_rewards_compliance_team_reviews_and_main_only() {
    let good = compliant_run();
    assert!(
        good.progress().iter().all(|p| p.mark == Mark::Met),
        "{:#?}",
        good.progress()
    );
    assert!(good.score().passed);

    let open = finished(
        "compliance-audit-trail",
        &[("reviewers", "none"), ("branches", "any-branch")],
    );
    let refused = &open.progress()[1];
    assert_eq!(refused.mark, Mark::Failed);
    assert!(
        refused.why.contains("deployment.created"),
        "it failed because a deployment reached production: {}",
        refused.why
    );
    assert_eq!(open.score().total, 0);
}

#[test]
fn a_lab_run_replays_bit_for_bit() {
    let lab = lab_by_id("compliance-audit-trail").unwrap();
    let pairs = choices(&[("reviewers", "compliance-team"), ("branches", "main-only")]);
    let mut live = LabRun::start(&lab, &pairs, 3).unwrap();
    live.advance(1_500);
    live.apply(engine::Command::InjectFault {
        fault: engine::world::fault::FaultKind::TrafficSpike {
            factor_per_mille: 3_000,
        },
        target: engine::world::fault::FaultTarget {
            environment: "production".to_string(),
            service: None,
            version: None,
            zone: None,
        },
        duration_s: Some(120),
    })
    .unwrap();
    live.run_to_end();
    let replayed = LabRun::replay(&lab, &pairs, 3, live.learner_commands()).unwrap();
    let mut replayed = replayed;
    replayed.run_to_end();
    assert_eq!(live.learner_commands().len(), 1);
    assert_eq!(replayed.sim().audit().head(), live.sim().audit().head());
    assert_eq!(replayed.score(), live.score());
}

#[test]
fn choices_the_lab_does_not_offer_are_refused() {
    let lab = lab_by_id("compliance-audit-trail").unwrap();
    let error = LabRun::start(&lab, &choices(&[("reviewer", "none")]), 1).unwrap_err();
    assert!(error.contains("no choice `reviewer`"), "{error}");
    let error = LabRun::start(&lab, &choices(&[("reviewers", "everyone")]), 1).unwrap_err();
    assert!(
        error.contains("`everyone` is not a value of `reviewers`"),
        "{error}"
    );
}

/// The zero-downtime lab's headline numbers, pinned to Kubernetes' behaviour: recreate stops
/// every pod before starting the new ones; rolling with maxUnavailable 0 and blue-green keep the
/// old pods serving; a pod without a readiness probe is ready when its container starts, before
/// it listens; a pod that exits on SIGTERM drops its requests.
#[test]
fn the_zero_downtime_lab_counts_what_each_choice_costs() {
    struct Case {
        choices: &'static [(&'static str, &'static str)],
        downtime: bool,
        failures: bool,
        sessions_lost: bool,
    }
    let good = [
        ("readiness_probe", "on"),
        ("graceful_shutdown", "on"),
        ("sessions", "external"),
        ("schema_change", "backward-compatible"),
    ];
    let with = |strategy: &'static str, changes: &[(&'static str, &'static str)]| {
        let mut pairs: Vec<(&str, &str)> = vec![("strategy", strategy)];
        for (key, value) in good {
            let value = changes
                .iter()
                .find(|(k, _)| *k == key)
                .map_or(value, |(_, v)| *v);
            pairs.push((key, value));
        }
        Box::leak(pairs.into_boxed_slice()) as &'static [(&str, &str)]
    };
    let cases = [
        Case {
            choices: with("recreate", &[]),
            downtime: true,
            failures: true,
            sessions_lost: false,
        },
        Case {
            choices: with("rolling", &[]),
            downtime: false,
            failures: false,
            sessions_lost: false,
        },
        Case {
            choices: with("blue-green", &[]),
            downtime: false,
            failures: false,
            sessions_lost: false,
        },
        Case {
            choices: with("rolling", &[("readiness_probe", "off")]),
            downtime: false,
            failures: true,
            sessions_lost: false,
        },
        Case {
            choices: with("blue-green", &[("readiness_probe", "off")]),
            downtime: false,
            failures: true,
            sessions_lost: false,
        },
        Case {
            choices: with("rolling", &[("graceful_shutdown", "off")]),
            downtime: false,
            failures: true,
            sessions_lost: false,
        },
        Case {
            choices: with("rolling", &[("sessions", "in-pods")]),
            downtime: false,
            failures: false,
            sessions_lost: true,
        },
        Case {
            choices: with("rolling", &[("schema_change", "breaking")]),
            downtime: false,
            failures: true,
            sessions_lost: false,
        },
    ];
    for case in cases {
        let run = finished("zero-downtime", case.choices);
        let impact = run.score().impact;
        let sessions = engine::labs::check::measure(Metric::SessionsLost, &run.subject());
        let shown = format!("{:?}: {impact:?}, {sessions} sessions lost", case.choices);
        assert_eq!(impact.downtime_s > 0, case.downtime, "downtime, {shown}");
        assert_eq!(
            impact.requests_failed > 0,
            case.failures,
            "failures, {shown}"
        );
        assert_eq!(sessions > 0, case.sessions_lost, "sessions, {shown}");
        assert_eq!(
            run.sim().outcome().result,
            if case.choices[0].1 == "blue-green" {
                "promoted"
            } else {
                "completed"
            },
            "{shown}"
        );
        if !case.downtime && !case.failures && !case.sessions_lost {
            assert_eq!(run.score().total, 100, "{shown}");
            assert!(run.score().passed);
        }
    }
    // Each ready pod holds an equal share of the sessions. Recreate stops all four v1 pods at
    // once and loses every session; a rolling update stops each v1 pod beside the new ones,
    // which hold their share by then, so it loses most, not all.
    let active = i64::from(engine::labs::worlds::ACTIVE_SESSIONS);
    let lost = |strategy| {
        let run = finished("zero-downtime", with(strategy, &[("sessions", "in-pods")]));
        engine::labs::check::measure(Metric::SessionsLost, &run.subject())
    };
    assert_eq!(lost("recreate"), active);
    let rolling = lost("rolling");
    assert!(
        active / 2 < rolling && rolling < active,
        "{rolling} of {active}"
    );
    // A world without a pipeline has no SLO dashboard to pass.
    let slo = evaluate(
        &Predicate::SloPasses("availability".to_string()),
        &zero_downtime_subject(),
        &mut Memory::default(),
    );
    assert!(!slo.holds && slo.why.contains("no pipeline"), "{}", slo.why);
    // Recreate's downtime is the drain, the start-up and the first passing probe.
    let recreate = finished("zero-downtime", with("recreate", &[]));
    let downtime_s = recreate.score().impact.downtime_s;
    assert!(
        (20..=45).contains(&downtime_s),
        "recreate's downtime: {downtime_s} s"
    );
}

/// The monthly-to-weekly lab's headline numbers: weekly releases deploy four times as often,
/// changes wait less, and with a canary failed changes reach fewer users, for every seed.
#[test]
fn the_weekly_pipeline_deploys_four_times_as_often_and_hurts_fewer_users() {
    let monthly = [
        ("cadence", "monthly"),
        ("approvers", "five"),
        ("soak", "none"),
        ("canary", "no"),
    ];
    let weekly = [
        ("cadence", "weekly"),
        ("approvers", "one"),
        ("soak", "24h"),
        ("canary", "yes"),
    ];
    let lab = lab_by_id("monthly-to-weekly").unwrap();
    let (mut monthly_users, mut weekly_users) = (0, 0);
    for seed in 1..=10 {
        let start = |pairs: &[(&str, &str)]| LabRun::start(&lab, &choices(pairs), seed).unwrap();
        let (m, w) = (start(&monthly), start(&weekly));
        let (m, w) = (m.quarter().unwrap(), w.quarter().unwrap());
        assert!(
            w.deployments_per_year >= 4 * m.deployments_per_year,
            "seed {seed}: {} vs {}",
            w.deployments_per_year,
            m.deployments_per_year
        );
        assert!(w.lead_time_hours < m.lead_time_hours, "seed {seed}");
        assert!(w.users_affected <= m.users_affected, "seed {seed}");
        monthly_users += m.users_affected;
        weekly_users += w.users_affected;
    }
    assert!(
        weekly_users * 10 < monthly_users,
        "{weekly_users} vs {monthly_users}"
    );
    let graded = finished("monthly-to-weekly", &weekly).score();
    assert!(graded.passed, "{graded:?}");
    // The watched bad release: its gate failing starts the trouble, and the abort that follows
    // at once detects and mitigates it.
    let trouble = graded.trouble_s.expect("the bad release is trouble");
    assert_eq!(graded.detect_s, Some(0));
    assert!(graded.mitigate_s.is_some_and(|m| m < 60), "{graded:?}");
    assert!(trouble > 60, "after the rollout started");
    assert_eq!(
        finished("monthly-to-weekly", &monthly).score().objectives,
        0
    );
}

#[test]
fn a_lab_schedules_its_faults() {
    let text = MINIMAL.replace(
        "objectives:\n",
        "faults:\n  - {kind: cache_outage, at: 10m, for: 5m, environment: production}\nobjectives:\n",
    );
    let lab = read_lab("tiny.yaml", &text).expect("valid");
    let run = LabRun::start(&lab, &BTreeMap::new(), 1).unwrap();
    let fault = run.sim().faults().last().expect("the lab's fault");
    assert_eq!(fault.kind.id(), "cache_outage");
    assert_eq!((fault.start.0, fault.end.map(|t| t.0)), (600, Some(900)));
    assert_eq!(fault.target.environment, "production");

    let misspelt = text.replace("cache_outage", "cache_outige");
    let problems = read_lab("tiny.yaml", &misspelt).unwrap_err().join("\n");
    assert!(
        problems.contains("faults[0].kind: there is no fault kind `cache_outige`")
            && problems.contains("did you mean `cache_outage`?"),
        "{problems}"
    );
}

fn zero_downtime_subject() -> Subject<'static> {
    let run = Box::leak(Box::new(finished(
        "zero-downtime",
        &[("strategy", "rolling")],
    )));
    run.subject()
}
