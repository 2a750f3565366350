//! A quarter of releases for one stream of changes, released at a cadence: how batch size,
//! testing, approvals, soak time and a canary shape DORA's metrics and what failed changes cost
//! users. Deterministic from the seed, and fast: a quarter is a few hundred integer draws.
//!
//! The model, step by step:
//! - **Changes.** Developers merge changes in working hours (Monday to Friday, 09:00 to 18:00
//!   UTC): each working hour a keyed draw of 0 to 2 changes, about 9 a day. Each change is bad
//!   with a keyed chance of [`BAD_CHANGE_PER_MILLE`] ‰, independent of the others.
//! - **Releases.** At every cadence boundary (the first Monday 10:00, then every `cadence_days`)
//!   a release is cut with every change merged since the last cut. It is bad when any of its
//!   changes is: a batch of `n` changes is bad with probability `1 − (1 − p)ⁿ`, so bigger
//!   batches fail more often.
//! - **Lead time.** Each release then waits for its testing, each approver in turn (an approver
//!   answers in `approval_s`), and its soak before production; the rollout itself takes
//!   [`ROLLOUT_S`]. A change's lead time is from its merge to the end of its release's rollout.
//! - **A bad release.** With a canary, the gate catches it at 10 % of traffic within
//!   [`CANARY_DETECT_S`] and rolls back in a minute. Without, it reaches every user; monitoring
//!   notices in [`MONITOR_DETECT_S`] and a person rolls back in [`MANUAL_ROLLBACK_S`]. While it
//!   is exposed it fails [`BAD_RELEASE_ERROR_PERCENT`] % of its users' requests.
//! - **Impact.** Users affected are the exposed share of [`USERS_PER_HOUR`] over the exposure;
//!   the error budget spent is the exposure in seconds weighted by the share of traffic and of
//!   requests failing, as downtime-equivalent seconds.

use serde::Serialize;

use crate::ops::dora::{DeploymentRecord, DoraReport, report};
use crate::prng::{Stream, keyed_u64};
use crate::time::UtcDateTime;

/// A bad change in a thousand.
pub const BAD_CHANGE_PER_MILLE: u64 = 3;
/// The rollout's own duration.
pub const ROLLOUT_S: u64 = 30 * 60;
/// How soon a canary's gate catches a bad release.
pub const CANARY_DETECT_S: u64 = 5 * 60;
/// How soon monitoring notices a bad release that reached everyone.
pub const MONITOR_DETECT_S: u64 = 30 * 60;
/// How long a person takes to roll a bad release back by hand.
pub const MANUAL_ROLLBACK_S: u64 = 45 * 60;
/// Requests a bad release fails while exposed, in percent.
pub const BAD_RELEASE_ERROR_PERCENT: u64 = 30;
/// Users of the service in an hour.
pub const USERS_PER_HOUR: u64 = 6_000;
/// The canary's share of traffic when the gate catches a bad release, in percent.
pub const CANARY_PERCENT: u64 = 10;

/// How a team releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Cadence {
    /// Days between release cuts (30 monthly, 7 weekly).
    pub cadence_days: u64,
    /// Testing before approval: days of manual testing, or the CI pipeline's minutes.
    pub testing_s: u64,
    /// People who must approve, one after another.
    pub approvers: u32,
    /// How long each approver takes to answer.
    pub approval_s: u64,
    /// Time in staging before production.
    pub soak_s: u64,
    /// A canary with automatic rollback gates production.
    pub canary: bool,
}

/// One release of the quarter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Release {
    /// When it was cut (unix seconds).
    pub cut_s: u64,
    /// When it was running in production.
    pub deployed_s: u64,
    /// Changes in it.
    pub changes: u32,
    /// It carried a bad change.
    pub bad: bool,
    /// Users who met its failures.
    pub users_affected: u64,
    /// Error budget it spent, as downtime-equivalent seconds.
    pub budget_spent_s: u64,
}

/// A quarter of releases and what they add up to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Quarter {
    /// The cadence released at.
    pub cadence: Cadence,
    /// Every release, in order.
    pub releases: Vec<Release>,
    /// Changes merged in the quarter.
    pub changes: u32,
    /// Releases a year at this cadence.
    pub deployments_per_year: u64,
    /// Median change lead time, merge to production, in hours.
    pub lead_time_hours: u64,
    /// Bad releases among all, in percent.
    pub change_failure_percent: u64,
    /// Median time to restore service after a bad release, in minutes (0 with none).
    pub recovery_minutes: u64,
    /// Users who met a failed change's errors.
    pub users_affected: u64,
    /// Error budget failed changes spent, downtime-equivalent seconds.
    pub budget_spent_s: u64,
    /// DORA's metrics and levels for the quarter.
    pub dora: DoraReport,
}

/// Weeks in the quarter.
pub const WEEKS: u64 = 13;

/// Simulates a quarter of releases at `cadence`, from `start_unix_s` (a Monday 00:00 UTC), for
/// the changes `seed` draws.
pub fn simulate(cadence: Cadence, seed: u64, start_unix_s: u64) -> Quarter {
    const HOUR_S: u64 = 3_600;
    let end_s = start_unix_s + WEEKS * 7 * 86_400;
    // Changes: (merged at, bad), drawn per working hour from the seed alone, so every cadence
    // releases the same stream.
    let mut merged: Vec<(u64, bool)> = Vec::new();
    let mut hour = start_unix_s;
    while hour < end_s {
        let time = UtcDateTime::from_unix_s(hour);
        if !time.weekday.is_weekend() && (9..18).contains(&time.hour) {
            let count = keyed_u64(seed, Stream::Swarm, 1, hour) % 3;
            for index in 0..count {
                let bad =
                    keyed_u64(seed, Stream::Swarm, 2 + index, hour) % 1_000 < BAD_CHANGE_PER_MILLE;
                merged.push((hour + index * 20 * 60, bad));
            }
        }
        hour += HOUR_S;
    }
    let cadence_s = cadence.cadence_days.max(1) * 86_400;
    let first_cut = start_unix_s + 10 * HOUR_S;
    let path_s = cadence.testing_s
        + u64::from(cadence.approvers) * cadence.approval_s
        + cadence.soak_s
        + ROLLOUT_S;
    let mut releases = Vec::new();
    let mut records = Vec::new();
    let mut leads: Vec<u64> = Vec::new();
    let mut next_change = 0;
    let mut cut = first_cut;
    while cut < end_s {
        let batch: Vec<(u64, bool)> = merged[next_change..]
            .iter()
            .take_while(|(at, _)| *at <= cut)
            .copied()
            .collect();
        next_change += batch.len();
        cut += cadence_s;
        if batch.is_empty() {
            continue;
        }
        let cut_s = cut - cadence_s;
        let deployed_s = cut_s + path_s;
        let bad = batch.iter().any(|(_, bad)| *bad);
        let (exposure_s, share_percent) = if cadence.canary {
            (CANARY_DETECT_S + 60, CANARY_PERCENT)
        } else {
            (MONITOR_DETECT_S + MANUAL_ROLLBACK_S, 100)
        };
        let (users_affected, budget_spent_s) = if bad {
            (
                USERS_PER_HOUR * exposure_s * share_percent / HOUR_S / 100,
                exposure_s * share_percent * BAD_RELEASE_ERROR_PERCENT / 10_000,
            )
        } else {
            (0, 0)
        };
        let mut batch_leads: Vec<u64> = batch.iter().map(|(at, _)| deployed_s - at).collect();
        batch_leads.sort_unstable();
        let median_lead = batch_leads[batch_leads.len() / 2];
        leads.extend(batch_leads);
        records.push(DeploymentRecord {
            committed_s: deployed_s - median_lead,
            deployed_s,
            failed: bad,
            recovered_s: bad.then_some(deployed_s + exposure_s),
            rework: false,
        });
        releases.push(Release {
            cut_s,
            deployed_s,
            changes: batch.len() as u32,
            bad,
            users_affected,
            budget_spent_s,
        });
    }
    leads.sort_unstable();
    let bad: Vec<&Release> = releases.iter().filter(|r| r.bad).collect();
    let recovery_minutes = if bad.is_empty() {
        0
    } else if cadence.canary {
        (CANARY_DETECT_S + 60) / 60
    } else {
        (MONITOR_DETECT_S + MANUAL_ROLLBACK_S) / 60
    };
    Quarter {
        cadence,
        changes: merged.len() as u32,
        deployments_per_year: 365 / cadence.cadence_days.max(1),
        lead_time_hours: leads.get(leads.len() / 2).copied().unwrap_or(0) / HOUR_S,
        change_failure_percent: (bad.len() * 100 / releases.len().max(1)) as u64,
        recovery_minutes,
        users_affected: releases.iter().map(|r| r.users_affected).sum(),
        budget_spent_s: releases.iter().map(|r| r.budget_spent_s).sum(),
        dora: report(&records, WEEKS * 7 * 86_400),
        releases,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MONDAY: u64 = 1_772_409_600; // 2026-03-02 00:00 UTC, a Monday.

    fn monthly() -> Cadence {
        Cadence {
            cadence_days: 30,
            testing_s: 3 * 86_400,
            approvers: 5,
            approval_s: 8 * 3_600,
            soak_s: 0,
            canary: false,
        }
    }

    fn weekly() -> Cadence {
        Cadence {
            cadence_days: 7,
            testing_s: 15 * 60,
            approvers: 1,
            approval_s: 2 * 3_600,
            soak_s: 24 * 3_600,
            canary: true,
        }
    }

    #[test]
    fn the_quarter_starts_on_a_monday() {
        let time = UtcDateTime::from_unix_s(MONDAY);
        assert_eq!((time.weekday, time.hour), (crate::time::Weekday::Monday, 0));
    }

    #[test]
    fn every_cadence_releases_the_same_changes() {
        for seed in 0..20 {
            let (a, b) = (
                simulate(monthly(), seed, MONDAY),
                simulate(weekly(), seed, MONDAY),
            );
            assert_eq!(a.changes, b.changes, "seed {seed}");
            let released = |q: &Quarter| q.releases.iter().map(|r| r.changes).sum::<u32>();
            assert!(released(&a) <= a.changes && released(&b) <= b.changes);
            assert!(
                (500..=670).contains(&a.changes),
                "about 9 a working day: {}",
                a.changes
            );
        }
    }

    #[test]
    fn weekly_with_a_canary_deploys_four_times_as_often_and_hurts_fewer_users() {
        let (mut monthly_users, mut weekly_users, mut monthly_bad, mut weekly_bad) = (0, 0, 0, 0);
        for seed in 0..50 {
            let (m, w) = (
                simulate(monthly(), seed, MONDAY),
                simulate(weekly(), seed, MONDAY),
            );
            assert_eq!((m.deployments_per_year, w.deployments_per_year), (12, 52));
            assert!(w.lead_time_hours < m.lead_time_hours, "seed {seed}");
            monthly_users += m.users_affected;
            weekly_users += w.users_affected;
            monthly_bad += m.change_failure_percent;
            weekly_bad += w.change_failure_percent;
        }
        assert!(
            weekly_users * 10 < monthly_users,
            "{weekly_users} vs {monthly_users}"
        );
        assert!(weekly_bad < monthly_bad, "smaller batches fail less often");
    }

    #[test]
    fn a_bad_batch_costs_what_the_model_says() {
        // A bad release reaching everyone for 75 minutes: 7,500 users, and 30 % of 4,500 s.
        let q = (0..200)
            .map(|seed| simulate(monthly(), seed, MONDAY))
            .find(|q| q.releases.iter().any(|r| r.bad))
            .expect("some seed has a bad monthly release");
        let bad = q.releases.iter().find(|r| r.bad).unwrap();
        assert_eq!(bad.users_affected, 7_500);
        assert_eq!(bad.budget_spent_s, 1_350);
        assert_eq!(q.recovery_minutes, 75);
    }
}
