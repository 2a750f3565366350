//! How numbers, durations and versions read on screen, shared by every panel.

use engine::version::VersionId;

/// Colours that tell versions apart, each at least 4.5:1 against white.
pub const VERSION_COLOURS: [&str; 4] = ["#1d4ed8", "#b45309", "#6d28d9", "#0f766e"];

/// The colour of a version.
pub fn version_colour(version: VersionId) -> &'static str {
    VERSION_COLOURS[version.0 as usize % VERSION_COLOURS.len()]
}
/// A count (tokens, requests) a person reads at a glance: `950`, `12.4 k`, `3.1 M`, `2.0 B`.
pub fn count_label(tokens: u64) -> String {
    match tokens {
        0..=999 => tokens.to_string(),
        1_000..=999_999 => format!("{:.1} k", tokens as f64 / 1_000.0),
        1_000_000..=999_999_999 => format!("{:.1} M", tokens as f64 / 1_000_000.0),
        _ => format!("{:.1} B", tokens as f64 / 1_000_000_000.0),
    }
}
/// `mm:ss` under an hour, `h:mm:ss` beyond.
pub fn elapsed_label(seconds: u64) -> String {
    if seconds >= 3_600 {
        format!(
            "{}:{:02}:{:02}",
            seconds / 3_600,
            seconds / 60 % 60,
            seconds % 60
        )
    } else {
        format!("{:02}:{:02}", seconds / 60, seconds % 60)
    }
}
/// The text before the first colon: a reason code without its detail.
pub fn first_sentence(message: &str) -> &str {
    message.split(':').next().unwrap_or(message)
}
