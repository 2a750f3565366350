//! Concurrency groups (semantics.md §2.6, trap 11): group names compare ignoring case; a group
//! holds at most one running run or job. By default (`queue: single`) it holds one pending
//! member too, and a newer pending one cancels the older; with `queue: max` (GitHub's changelog
//! of 2026-05-07) up to 100 wait in line and start in the order they began waiting.
//! `cancel-in-progress` cancels the running one too.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How many members a `queue: max` group lets wait.
pub const MAX_PENDING: u32 = 100;

/// `concurrency.queue`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueuePolicy {
    /// One pending member; a newer one replaces it.
    #[default]
    Single,
    /// Up to [`MAX_PENDING`] pending members, first in first out.
    Max,
}

/// What a group does with a newcomer: `cancel-in-progress` and `queue`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupPolicy {
    /// `cancel-in-progress`.
    pub cancel_in_progress: bool,
    /// `queue`.
    #[serde(default)]
    pub queue: QueuePolicy,
}

/// Every group's running member and its pending members (run numbers or job keys).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcurrencyGroups {
    groups: BTreeMap<String, Slots>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Slots {
    running: Option<u32>,
    /// Oldest first.
    pending: Vec<u32>,
}

/// What happens to a run that asks to join a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Admission {
    /// True when it may start now; false when it waits as one of the group's pending members
    /// (or was itself cancelled, in which case it is in `cancelled`).
    pub starts: bool,
    /// Runs cancelled to make room, each with GitHub's message.
    pub cancelled: Vec<(u32, String)>,
}

impl ConcurrencyGroups {
    /// `run` asks to join `group`.
    pub fn admit(&mut self, group: &str, run: u32, policy: GroupPolicy) -> Admission {
        let key = group.to_lowercase();
        let slots = self.groups.entry(key).or_default();
        let message =
            format!("Canceling since a higher priority waiting request for '{group}' exists");
        let mut cancelled = Vec::new();
        if policy.queue == QueuePolicy::Single {
            cancelled.extend(slots.pending.drain(..).map(|p| (p, message.clone())));
        }
        match slots.running {
            None => {
                slots.running = Some(run);
                Admission {
                    starts: true,
                    cancelled,
                }
            }
            Some(running) if policy.cancel_in_progress => {
                cancelled.push((running, message));
                slots.running = Some(run);
                Admission {
                    starts: true,
                    cancelled,
                }
            }
            Some(_) if slots.pending.len() as u32 >= MAX_PENDING => {
                // A full queue keeps its order: the newcomer is the one turned away.
                cancelled.push((
                    run,
                    format!(
                        "Canceling since the queue of '{group}' already holds {MAX_PENDING} pending requests"
                    ),
                ));
                Admission {
                    starts: false,
                    cancelled,
                }
            }
            Some(_) => {
                slots.pending.push(run);
                Admission {
                    starts: false,
                    cancelled,
                }
            }
        }
    }

    /// `run` finished (or was cancelled): the group's oldest pending member, if any, starts.
    pub fn release(&mut self, group: &str, run: u32) -> Option<u32> {
        let slots = self.groups.get_mut(&group.to_lowercase())?;
        if let Some(at) = slots.pending.iter().position(|p| *p == run) {
            slots.pending.remove(at);
            return None;
        }
        if slots.running != Some(run) {
            return None;
        }
        slots.running = (!slots.pending.is_empty()).then(|| slots.pending.remove(0));
        slots.running
    }

    /// The running member of `group` and its pending members, oldest first.
    pub fn members(&self, group: &str) -> (Option<u32>, &[u32]) {
        self.groups
            .get(&group.to_lowercase())
            .map_or((None, &[][..]), |s| (s.running, &s.pending[..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SINGLE: GroupPolicy = GroupPolicy {
        cancel_in_progress: false,
        queue: QueuePolicy::Single,
    };
    const MAX: GroupPolicy = GroupPolicy {
        cancel_in_progress: false,
        queue: QueuePolicy::Max,
    };

    #[test]
    fn one_running_one_pending_and_the_newest_pending_wins() {
        let mut groups = ConcurrencyGroups::default();
        assert_eq!(
            groups.admit("deploy-production", 1, SINGLE),
            Admission {
                starts: true,
                cancelled: vec![]
            }
        );
        assert_eq!(
            groups.admit("Deploy-Production", 2, SINGLE),
            Admission {
                starts: false,
                cancelled: vec![]
            },
            "names ignore case"
        );
        let third = groups.admit("DEPLOY-production", 3, SINGLE);
        assert!(!third.starts);
        assert_eq!(
            third.cancelled,
            vec![(
                2,
                "Canceling since a higher priority waiting request for 'DEPLOY-production' exists"
                    .to_string()
            )]
        );
        assert_eq!(groups.members("deploy-production"), (Some(1), &[3][..]));
        assert_eq!(
            groups.release("deploy-production", 1),
            Some(3),
            "the pending run starts"
        );
        assert_eq!(groups.members("deploy-production"), (Some(3), &[][..]));
        assert_eq!(groups.release("deploy-production", 3), None);
        assert_eq!(groups.members("deploy-production"), (None, &[][..]));
    }

    #[test]
    fn cancel_in_progress_cancels_the_running_one() {
        let mut groups = ConcurrencyGroups::default();
        let policy = GroupPolicy {
            cancel_in_progress: true,
            queue: QueuePolicy::Single,
        };
        groups.admit("ci-main", 1, policy);
        let second = groups.admit("ci-main", 2, policy);
        assert!(second.starts);
        assert_eq!(
            second.cancelled.iter().map(|c| c.0).collect::<Vec<_>>(),
            [1]
        );
        assert_eq!(groups.members("ci-main"), (Some(2), &[][..]));
        // Other groups are independent.
        assert!(groups.admit("ci-develop", 3, policy).starts);
    }

    #[test]
    fn queue_max_keeps_every_waiting_run_and_starts_them_in_order() {
        let mut groups = ConcurrencyGroups::default();
        assert!(groups.admit("deploy", 1, MAX).starts);
        for run in 2..=4 {
            let admission = groups.admit("deploy", run, MAX);
            assert!(!admission.starts);
            assert!(admission.cancelled.is_empty(), "nobody is replaced");
        }
        assert_eq!(groups.members("deploy"), (Some(1), &[2, 3, 4][..]));
        // A waiting run that is cancelled leaves the line without starting anyone.
        assert_eq!(groups.release("deploy", 3), None);
        assert_eq!(groups.release("deploy", 1), Some(2), "first in, first out");
        assert_eq!(groups.release("deploy", 2), Some(4));
        assert_eq!(groups.members("deploy"), (Some(4), &[][..]));
    }

    #[test]
    fn a_full_queue_turns_the_newcomer_away_and_keeps_its_order() {
        let mut groups = ConcurrencyGroups::default();
        groups.admit("deploy", 1, MAX);
        for run in 2..2 + MAX_PENDING {
            assert!(groups.admit("deploy", run, MAX).cancelled.is_empty());
        }
        let newcomer = 2 + MAX_PENDING;
        let admission = groups.admit("deploy", newcomer, MAX);
        assert!(!admission.starts);
        assert_eq!(
            admission.cancelled.iter().map(|c| c.0).collect::<Vec<_>>(),
            [newcomer]
        );
        assert!(admission.cancelled[0].1.contains("100 pending"));
        let (_, pending) = groups.members("deploy");
        assert_eq!(pending.len() as u32, MAX_PENDING);
        assert_eq!(pending.first(), Some(&2));
        assert_eq!(pending.last(), Some(&(1 + MAX_PENDING)));
    }

    #[test]
    fn a_single_queue_newcomer_cancels_a_line_left_by_queue_max() {
        // Two workflows may share a group with different policies; the single one replaces
        // whoever waits.
        let mut groups = ConcurrencyGroups::default();
        groups.admit("deploy", 1, MAX);
        groups.admit("deploy", 2, MAX);
        groups.admit("deploy", 3, MAX);
        let admission = groups.admit("deploy", 4, SINGLE);
        assert_eq!(
            admission.cancelled.iter().map(|c| c.0).collect::<Vec<_>>(),
            [2, 3]
        );
        assert_eq!(groups.members("deploy"), (Some(1), &[4][..]));
    }
}
