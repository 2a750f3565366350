//! Saved progress: per lab, whether it was passed, the best score and the last run, kept in the
//! browser's localStorage as a versioned `{version, state}`.
//!
//! A value that cannot be read (corrupt, or written by a newer Deploy Dojo) is never lost and
//! never crashes the app: it is copied to a backup key, the user is told once, and progress
//! starts afresh. Older versions migrate in order, one step at a time.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::share::SharedRun;

/// The key progress is kept under.
pub const STORAGE_KEY: &str = "deploy-dojo.progress";

/// Where a value that could not be read is kept.
pub const BACKUP_KEY: &str = "deploy-dojo.progress.unreadable";

/// The format this app writes.
pub const VERSION: u32 = 1;

/// Everything saved.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedProgress {
    /// Per lab id.
    pub labs: BTreeMap<String, LabProgress>,
}

/// One lab's progress.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabProgress {
    /// Passed at least once.
    pub completed: bool,
    /// The best score so far.
    pub best_score: Option<u32>,
    /// The last finished run, to replay.
    pub last_run: Option<SharedRun>,
}

impl SavedProgress {
    /// Records a finished run of `run.lab` with `score`.
    pub fn record(&mut self, run: SharedRun, score: u32, passed: bool) {
        let entry = self.labs.entry(run.lab.clone()).or_default();
        entry.completed |= passed;
        entry.best_score = Some(entry.best_score.map_or(score, |best| best.max(score)));
        entry.last_run = Some(run);
    }

    /// Forgets one lab, keeping the others.
    pub fn reset(&mut self, lab: &str) {
        self.labs.remove(lab);
    }

    /// Per lab: (passed, best score), for the library.
    pub fn summary(&self) -> BTreeMap<String, (bool, u32)> {
        let mut summary = BTreeMap::new();
        summary.extend(
            self.labs
                .iter()
                .filter_map(|(id, p)| p.best_score.map(|best| (id.clone(), (p.completed, best)))),
        );
        summary
    }
}

/// How a stored value was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Loaded {
    /// Nothing was stored.
    Fresh,
    /// Read (and migrated, when it was older).
    Read(SavedProgress),
    /// Could not be read: back it up, start afresh and tell the user this.
    Unreadable(String),
}

/// The text stored for `progress`.
pub fn encode(progress: &SavedProgress) -> String {
    serde_json::json!({ "version": VERSION, "state": progress }).to_string()
}

/// Reads a stored value.
pub fn decode(stored: Option<&str>) -> Loaded {
    let Some(text) = stored else {
        return Loaded::Fresh;
    };
    let unreadable = |why: String| {
        Loaded::Unreadable(format!(
            "Your saved progress could not be read ({why}). It is kept under \"{BACKUP_KEY}\" in this browser's storage, and progress starts afresh."
        ))
    };
    let envelope: serde_json::Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(error) => return unreadable(format!("it is not JSON: {error}")),
    };
    let Some(version) = envelope.get("version").and_then(serde_json::Value::as_u64) else {
        return unreadable("it has no version".to_string());
    };
    if version > u64::from(VERSION) {
        return unreadable(format!(
            "it was written by a newer Deploy Dojo, format {version}; this one reads up to {VERSION}"
        ));
    }
    let mut state = envelope
        .get("state")
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    for from in version..u64::from(VERSION) {
        state = migrate(from, state);
    }
    match serde_json::from_value(state) {
        Ok(progress) => Loaded::Read(progress),
        Err(error) => unreadable(format!("its contents do not fit: {error}")),
    }
}

/// Reads saved progress from the browser's storage: what was saved, and a message when it could
/// not be read. An unreadable value is first copied to [`BACKUP_KEY`], never overwritten.
pub fn load_from_browser() -> (SavedProgress, Option<String>) {
    use gloo::storage::{LocalStorage, Storage};
    let stored = LocalStorage::raw().get_item(STORAGE_KEY).ok().flatten();
    match decode(stored.as_deref()) {
        Loaded::Fresh => (SavedProgress::default(), None),
        Loaded::Read(saved) => (saved, None),
        Loaded::Unreadable(message) => {
            if let Some(raw) = stored {
                let _ = LocalStorage::raw().set_item(BACKUP_KEY, &raw);
            }
            (SavedProgress::default(), Some(message))
        }
    }
}

/// Migrates a state of format `from` to `from + 1`. Format 1 is the first, so there is nothing
/// to migrate yet; a change of format adds its step here.
fn migrate(_from: u64, state: serde_json::Value) -> serde_json::Value {
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(lab: &str) -> SharedRun {
        SharedRun {
            v: crate::share::LINK_VERSION,
            lab: lab.to_string(),
            seed: 1,
            choices: BTreeMap::new(),
            commands: Vec::new(),
        }
    }

    #[test]
    fn progress_round_trips_and_keeps_the_best_score() {
        let mut progress = SavedProgress::default();
        progress.record(shared("a"), 80, true);
        progress.record(shared("a"), 40, false);
        progress.record(shared("b"), 55, false);
        assert_eq!(
            progress.summary(),
            [
                ("a".to_string(), (true, 80)),
                ("b".to_string(), (false, 55))
            ]
            .into()
        );
        assert_eq!(
            decode(Some(&encode(&progress))),
            Loaded::Read(progress.clone())
        );
        progress.reset("a");
        assert_eq!(progress.labs.len(), 1, "the other lab is kept");
    }

    #[test]
    fn unreadable_values_are_explained_not_lost() {
        assert_eq!(decode(None), Loaded::Fresh);
        for (stored, why) in [
            ("{not json", "it is not JSON"),
            ("{\"state\":{}}", "it has no version"),
            (
                "{\"version\":7,\"state\":{}}",
                "a newer Deploy Dojo, format 7",
            ),
            (
                "{\"version\":1,\"state\":{\"labs\":3}}",
                "its contents do not fit",
            ),
        ] {
            let Loaded::Unreadable(message) = decode(Some(stored)) else {
                panic!("{stored} must be unreadable");
            };
            assert!(
                message.contains(why) && message.contains(BACKUP_KEY),
                "{message}"
            );
        }
    }
}
