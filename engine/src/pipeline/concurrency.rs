//! Concurrency groups (semantics.md §2.6, trap 11): group names compare ignoring case; a group
//! holds at most one running and one pending run or job; a newer pending one cancels the
//! older pending one, and `cancel-in-progress` cancels the running one too.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Every group's running and pending member (run numbers).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcurrencyGroups {
    groups: BTreeMap<String, Slots>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Slots {
    running: Option<u32>,
    pending: Option<u32>,
}

/// What happens to a run that asks to join a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Admission {
    /// True when it may start now; false when it waits as the group's pending member.
    pub starts: bool,
    /// Runs cancelled to make room, each with GitHub's message.
    pub cancelled: Vec<(u32, String)>,
}

impl ConcurrencyGroups {
    /// `run` asks to join `group`.
    pub fn admit(&mut self, group: &str, run: u32, cancel_in_progress: bool) -> Admission {
        let key = group.to_lowercase();
        let slots = self.groups.entry(key).or_default();
        let message =
            format!("Canceling since a higher priority waiting request for '{group}' exists");
        let mut cancelled = Vec::new();
        if let Some(pending) = slots.pending.take() {
            cancelled.push((pending, message.clone()));
        }
        match slots.running {
            None => {
                slots.running = Some(run);
                Admission {
                    starts: true,
                    cancelled,
                }
            }
            Some(running) if cancel_in_progress => {
                cancelled.push((running, message));
                slots.running = Some(run);
                Admission {
                    starts: true,
                    cancelled,
                }
            }
            Some(_) => {
                slots.pending = Some(run);
                Admission {
                    starts: false,
                    cancelled,
                }
            }
        }
    }

    /// `run` finished (or was cancelled): the group's pending run, if any, starts.
    pub fn release(&mut self, group: &str, run: u32) -> Option<u32> {
        let slots = self.groups.get_mut(&group.to_lowercase())?;
        if slots.pending == Some(run) {
            slots.pending = None;
            return None;
        }
        if slots.running != Some(run) {
            return None;
        }
        slots.running = slots.pending.take();
        slots.running
    }

    /// The running and pending run of `group`.
    pub fn members(&self, group: &str) -> (Option<u32>, Option<u32>) {
        self.groups
            .get(&group.to_lowercase())
            .map_or((None, None), |s| (s.running, s.pending))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_running_one_pending_and_the_newest_pending_wins() {
        let mut groups = ConcurrencyGroups::default();
        assert_eq!(
            groups.admit("deploy-production", 1, false),
            Admission {
                starts: true,
                cancelled: vec![]
            }
        );
        assert_eq!(
            groups.admit("Deploy-Production", 2, false),
            Admission {
                starts: false,
                cancelled: vec![]
            },
            "names ignore case"
        );
        let third = groups.admit("DEPLOY-production", 3, false);
        assert!(!third.starts);
        assert_eq!(
            third.cancelled,
            vec![(
                2,
                "Canceling since a higher priority waiting request for 'DEPLOY-production' exists"
                    .to_string()
            )]
        );
        assert_eq!(groups.members("deploy-production"), (Some(1), Some(3)));
        assert_eq!(
            groups.release("deploy-production", 1),
            Some(3),
            "the pending run starts"
        );
        assert_eq!(groups.members("deploy-production"), (Some(3), None));
        assert_eq!(groups.release("deploy-production", 3), None);
        assert_eq!(groups.members("deploy-production"), (None, None));
    }

    #[test]
    fn cancel_in_progress_cancels_the_running_one() {
        let mut groups = ConcurrencyGroups::default();
        groups.admit("ci-main", 1, true);
        let second = groups.admit("ci-main", 2, true);
        assert!(second.starts);
        assert_eq!(
            second.cancelled.iter().map(|c| c.0).collect::<Vec<_>>(),
            [1]
        );
        assert_eq!(groups.members("ci-main"), (Some(2), None));
        // Other groups are independent.
        assert!(groups.admit("ci-develop", 3, true).starts);
    }
}
