//! The built-in labs: YAML files in `engine/labs/`, embedded when the engine is built, so
//! authors copy them and the app needs no network.

use super::read::read_lab;
use super::spec::Lab;

/// Each built-in lab file: its name and its text.
pub const LAB_FILES: &[(&str, &str)] = &[
    (
        "monthly-to-weekly.yaml",
        include_str!("../../labs/monthly-to-weekly.yaml"),
    ),
    (
        "zero-downtime.yaml",
        include_str!("../../labs/zero-downtime.yaml"),
    ),
    (
        "compliance-audit-trail.yaml",
        include_str!("../../labs/compliance-audit-trail.yaml"),
    ),
];

/// The built-in labs, in the library's order. A file that does not read is left out here; a
/// test reads every file and fails on the first problem.
pub fn builtin_labs() -> Vec<Lab> {
    LAB_FILES
        .iter()
        .filter_map(|(file, text)| read_lab(file, text).ok())
        .collect()
}

/// The built-in lab `id`. A lab's file is named after its id (a test checks it), so only that
/// file is read: reading every lab's YAML took three times as long when a lab starts.
pub fn lab_by_id(id: &str) -> Option<Lab> {
    LAB_FILES
        .iter()
        .find(|(file, _)| file.strip_suffix(".yaml") == Some(id))
        .and_then(|(file, text)| read_lab(file, text).ok())
        .filter(|lab| lab.id == id)
}
