//! Share links: a lab run in the URL fragment (`#run=…`), versioned and base64url-encoded, so
//! opening the link replays the same run exactly. The fragment never reaches a server, and a
//! link far longer than a query string allows still opens.

use std::collections::BTreeMap;

use engine::command::TimedCommand;
use serde::{Deserialize, Serialize};

/// The link format this app writes and reads.
pub const LINK_VERSION: u32 = 1;

/// The fragment's prefix.
pub const PREFIX: &str = "#run=";

/// Everything that defines a lab run: with the engine's determinism, the rest follows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedRun {
    /// The link format.
    pub v: u32,
    /// The lab's id.
    pub lab: String,
    /// The seed.
    pub seed: u64,
    /// The choices as made.
    pub choices: BTreeMap<String, String>,
    /// The learner's commands after the choices, with their seconds.
    pub commands: Vec<TimedCommand>,
}

/// The fragment for `run`.
pub fn encode(run: &SharedRun) -> String {
    let json = serde_json::to_string(run).unwrap_or_default();
    format!("{PREFIX}{}", base64url_encode(json.as_bytes()))
}

/// The run a fragment holds, or what is wrong with it.
pub fn decode(fragment: &str) -> Result<SharedRun, String> {
    let payload = fragment.strip_prefix(PREFIX).ok_or_else(|| {
        "the link does not hold a lab run (it should start with #run=)".to_string()
    })?;
    let bytes = base64url_decode(payload)
        .map_err(|position| format!("the link is damaged at character {position}"))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|error| format!("the link's contents cannot be read: {error}"))?;
    match value.get("v").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(LINK_VERSION) => {}
        Some(v) => {
            return Err(format!(
                "the link was made by a Deploy Dojo with link format {v}; this one reads format {LINK_VERSION}"
            ));
        }
        None => return Err("the link has no format version".to_string()),
    }
    serde_json::from_value(value).map_err(|error| format!("the link's run is incomplete: {error}"))
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// RFC 4648 base64url without padding.
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let word = chunk
            .iter()
            .enumerate()
            .fold(0u32, |word, (i, b)| word | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            text.push(char::from(ALPHABET[(word >> (18 - 6 * i) & 63) as usize]));
        }
    }
    text
}

/// Decodes base64url (padding optional); an error gives the 1-based position of the first
/// character that cannot be.
pub fn base64url_decode(text: &str) -> Result<Vec<u8>, usize> {
    let text = text.trim_end_matches('=');
    let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
    let mut word = 0u32;
    let mut bits = 0;
    for (position, character) in text.bytes().enumerate() {
        let value = ALPHABET
            .iter()
            .position(|a| *a == character)
            .ok_or(position + 1)? as u32;
        word = word << 6 | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((word >> bits & 0xff) as u8);
        }
    }
    if bits >= 6 {
        return Err(text.len());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc_4648_vectors() {
        // RFC 4648 section 10, without padding.
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url_encode(plain.as_bytes()), encoded);
            assert_eq!(base64url_decode(encoded).unwrap(), plain.as_bytes());
        }
        // The URL-safe alphabet: 0xfb 0xff is "-_8" (not "+/8").
        assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64url_decode("Zm9v=").unwrap(), b"foo");
        assert_eq!(base64url_decode("Zm9*"), Err(4));
    }

    #[test]
    fn a_run_survives_the_link() {
        let run = SharedRun {
            v: LINK_VERSION,
            lab: "compliance-audit-trail".to_string(),
            seed: 7,
            choices: [("reviewers".to_string(), "compliance-team".to_string())].into(),
            commands: vec![TimedCommand {
                at: engine::time::Tick(90),
                actor: engine::audit::Actor::Trainee,
                command: engine::Command::Promote,
            }],
        };
        let link = encode(&run);
        assert!(link.starts_with("#run="));
        let payload = &link[PREFIX.len()..];
        assert!(!payload.contains('+') && !payload.contains('/') && !payload.contains('='));
        assert_eq!(decode(&link), Ok(run));
    }

    #[test]
    fn broken_or_foreign_links_say_what_is_wrong() {
        assert!(
            decode("#sandbox")
                .unwrap_err()
                .contains("does not hold a lab run")
        );
        assert!(
            decode("#run=abc*def")
                .unwrap_err()
                .contains("damaged at character 4")
        );
        let not_json = format!("#run={}", base64url_encode(b"hello"));
        assert!(decode(&not_json).unwrap_err().contains("cannot be read"));
        let future = format!("#run={}", base64url_encode(br#"{"v":9}"#));
        assert!(decode(&future).unwrap_err().contains("link format 9"));
        let incomplete = format!("#run={}", base64url_encode(br#"{"v":1,"lab":"x"}"#));
        assert!(decode(&incomplete).unwrap_err().contains("incomplete"));
    }
}
