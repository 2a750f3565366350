//! GitHub's starter-workflow placeholders. When a user adds a starter workflow from a
//! repository's Actions tab, GitHub replaces `$default-branch` with the repository's default
//! branch, `$protected-branches` with its protected branches, and `$cron-daily` and
//! `$cron-weekly` with a schedule at a random minute and hour. A file copied from the
//! `actions/starter-workflows` repository still holds them; they are filled here as GitHub
//! would fill them for the simulated repository, and each one filled is said in a warning.

use yaml_rust2::Yaml;

/// The placeholders and what they become here: (placeholder, value, what GitHub does).
const PLACEHOLDERS: [(&str, &str, &str); 4] = [
    (
        "$default-branch",
        "main",
        "GitHub fills it with the repository's default branch; read as main",
    ),
    (
        "$protected-branches",
        "main",
        "GitHub fills it with the repository's protected branches; read as main, the one protected branch here",
    ),
    (
        "$cron-daily",
        "17 4 * * *",
        "GitHub fills it with a daily schedule at a random time; read as 17 4 * * * (04:17 UTC every day)",
    ),
    (
        "$cron-weekly",
        "17 4 * * 1",
        "GitHub fills it with a weekly schedule at a random time; read as 17 4 * * 1 (04:17 UTC every Monday)",
    ),
];

/// The document with every placeholder filled in every string (keys too), and a warning for
/// each kind of placeholder found.
pub(super) fn fill_starter_placeholders(document: &Yaml) -> (Yaml, Vec<String>) {
    let mut found = [false; PLACEHOLDERS.len()];
    let filled = fill(document, &mut found);
    let warnings = PLACEHOLDERS
        .iter()
        .zip(found)
        .filter(|(_, seen)| *seen)
        .map(|((placeholder, _, what), _)| {
            format!("{placeholder}: a starter-workflow placeholder: {what}")
        })
        .collect();
    (filled, warnings)
}

fn fill(node: &Yaml, found: &mut [bool; PLACEHOLDERS.len()]) -> Yaml {
    match node {
        Yaml::String(text) if text.contains('$') => {
            let mut text = text.clone();
            for (index, (placeholder, value, _)) in PLACEHOLDERS.iter().enumerate() {
                if text.contains(placeholder) {
                    found[index] = true;
                    text = text.replace(placeholder, value);
                }
            }
            Yaml::String(text)
        }
        Yaml::Array(items) => Yaml::Array(items.iter().map(|item| fill(item, found)).collect()),
        Yaml::Hash(map) => Yaml::Hash(
            map.iter()
                .map(|(key, value)| (fill(key, found), fill(value, found)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yaml_rust2::YamlLoader;

    #[test]
    fn placeholders_are_filled_wherever_they_are_and_said_once_each() {
        let document = YamlLoader::load_from_str(
            "on:\n  push:\n    branches: [ $default-branch, $protected-branches ]\n  pull_request:\n    branches: [ $default-branch ]\n  schedule:\n    - cron: $cron-weekly\njobs: {}\n",
        )
        .expect("valid YAML")
        .remove(0);
        let (filled, warnings) = fill_starter_placeholders(&document);
        assert_eq!(filled["on"]["push"]["branches"][0].as_str(), Some("main"));
        assert_eq!(filled["on"]["push"]["branches"][1].as_str(), Some("main"));
        assert_eq!(
            filled["on"]["schedule"][0]["cron"].as_str(),
            Some("17 4 * * 1")
        );
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings[0].starts_with("$default-branch: a starter-workflow placeholder"));
    }
}
