//! Secrets and configuration (course 002 §9–12, appendices D and E): repository secrets, and
//! environment secrets that a job gets only once its environment's protection rules pass (an
//! environment secret wins over a repository secret of the same name); expiry and rotation;
//! every value masked as `***` wherever text is shown or exported; and configuration as a base
//! with per-environment overrides, shown merged with where each value comes from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secret {
    /// Its name, for example `PROD_ENDPOINT`.
    pub name: String,
    /// Its value (never shown).
    pub value: String,
    /// The environment it belongs to; `None` for a repository secret.
    pub environment: Option<String>,
    /// When it stops working (unix seconds), if it expires.
    pub expires_s: Option<u64>,
    /// How many times it has been set (1 when created).
    pub version: u32,
}

impl Secret {
    /// A new secret (version 1): a repository secret when `environment` is `None`.
    pub fn new(
        name: &str,
        value: &str,
        environment: Option<&str>,
        expires_s: Option<u64>,
    ) -> Secret {
        Secret {
            name: name.to_string(),
            value: value.to_string(),
            environment: environment.map(str::to_string),
            expires_s,
            version: 1,
        }
    }
}

/// A repository's secrets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretStore {
    /// Every secret.
    pub secrets: Vec<Secret>,
}

/// The replacement of a masked value.
pub const MASK: &str = "***";

impl SecretStore {
    /// The secret `name` as a job deploying to `environment` sees it at `now_s`. Environment
    /// secrets are released only when `released` (the protection rules passed).
    pub fn resolve(
        &self,
        name: &str,
        environment: Option<&str>,
        released: bool,
        now_s: u64,
    ) -> Result<&Secret, String> {
        let environment_secret = environment.filter(|_| released).and_then(|env| {
            self.secrets
                .iter()
                .find(|s| s.name == name && s.environment.as_deref() == Some(env))
        });
        let secret = environment_secret
            .or_else(|| {
                self.secrets
                    .iter()
                    .find(|s| s.name == name && s.environment.is_none())
            })
            .ok_or_else(|| match environment {
                Some(env) => {
                    format!("secret {name} is not set for the repository or the {env} environment")
                }
                None => format!("secret {name} is not set for the repository"),
            })?;
        match secret.expires_s {
            Some(expires_s) if now_s >= expires_s => Err(format!(
                "secret {name}{} expired at {}; rotate it",
                secret
                    .environment
                    .as_ref()
                    .map(|e| format!(" of {e}"))
                    .unwrap_or_default(),
                crate::time::UtcDateTime::from_unix_s(expires_s).iso8601()
            )),
            _ => Ok(secret),
        }
    }

    /// Sets a new value for `name` (in `environment`, or the repository), valid for
    /// `valid_for_s` from `now_s`. Returns the new version.
    pub fn rotate(
        &mut self,
        name: &str,
        environment: Option<&str>,
        now_s: u64,
        valid_for_s: u64,
    ) -> Result<u32, String> {
        let secret = self
            .secrets
            .iter_mut()
            .find(|s| s.name == name && s.environment.as_deref() == environment)
            .ok_or_else(|| format!("there is no secret {name} to rotate"))?;
        secret.version += 1;
        secret.value = format!("{name}-v{}-{:x}", secret.version, now_s);
        secret.expires_s = Some(now_s + valid_for_s);
        Ok(secret.version)
    }

    /// `text` with every secret value replaced by `***`, longest first so a value that
    /// contains another is masked whole.
    pub fn mask(&self, text: &str) -> String {
        let mut values: Vec<&str> = self
            .secrets
            .iter()
            .map(|s| s.value.as_str())
            .filter(|v| !v.is_empty())
            .collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values
            .into_iter()
            .fold(text.to_string(), |text, value| text.replace(value, MASK))
    }
}

/// The secrets a step's text uses: `${{ secrets.NAME }}`, in order, without repeats.
pub fn referenced_secrets(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for part in text.split("secrets.").skip(1) {
        let name: String = part
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Configuration as code: a base and per-environment overrides.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigLayers {
    /// `configs/base.yml`.
    pub base: BTreeMap<String, String>,
    /// `configs/<environment>.yml`.
    pub overrides: BTreeMap<String, BTreeMap<String, String>>,
}

impl ConfigLayers {
    /// The configuration `environment` runs with: (key, value, `base` or the environment).
    pub fn merged(&self, environment: &str) -> Vec<(String, String, String)> {
        let overrides = self.overrides.get(environment);
        let mut keys: Vec<&String> = self.base.keys().collect();
        if let Some(overrides) = overrides {
            keys.extend(overrides.keys());
        }
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .map(|key| match overrides.and_then(|o| o.get(key)) {
                Some(value) => (key.clone(), value.clone(), environment.to_string()),
                None => (
                    key.clone(),
                    self.base.get(key).cloned().unwrap_or_default(),
                    "base".to_string(),
                ),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> SecretStore {
        let secret = Secret::new;
        SecretStore {
            secrets: vec![
                secret("AI_API_KEY", "sk-repo-123456", None, None),
                secret("AI_API_KEY", "sk-prod-abcdef", Some("production"), None),
                secret(
                    "PROD_ENDPOINT",
                    "https://prod.internal",
                    Some("production"),
                    Some(1_000),
                ),
                secret(
                    "STAGING_ENDPOINT",
                    "https://staging.internal",
                    Some("staging"),
                    None,
                ),
            ],
        }
    }

    #[test]
    fn environment_secrets_are_released_after_the_rules_pass_and_win() {
        let store = store();
        assert_eq!(
            store
                .resolve("AI_API_KEY", Some("production"), true, 0)
                .unwrap()
                .value,
            "sk-prod-abcdef"
        );
        assert_eq!(
            store
                .resolve("AI_API_KEY", Some("production"), false, 0)
                .unwrap()
                .value,
            "sk-repo-123456",
            "before approval only the repository's"
        );
        assert_eq!(
            store
                .resolve("PROD_ENDPOINT", Some("production"), false, 0)
                .unwrap_err(),
            "secret PROD_ENDPOINT is not set for the repository or the production environment"
        );
        assert!(
            store
                .resolve("PROD_ENDPOINT", Some("staging"), true, 0)
                .is_err(),
            "another environment's secret"
        );
        assert_eq!(
            store
                .resolve("PROD_ENDPOINT", Some("production"), true, 1_000)
                .unwrap_err(),
            "secret PROD_ENDPOINT of production expired at 1970-01-01T00:16:40Z; rotate it"
        );
    }

    #[test]
    fn rotation_masking_and_references() {
        let mut store = store();
        assert_eq!(
            store.rotate("PROD_ENDPOINT", Some("production"), 2_000, 86_400),
            Ok(2)
        );
        assert!(
            store
                .resolve("PROD_ENDPOINT", Some("production"), true, 3_000)
                .is_ok()
        );
        let rotated = store
            .resolve("PROD_ENDPOINT", Some("production"), true, 3_000)
            .unwrap()
            .value
            .clone();
        assert_eq!(
            store.mask(&format!("curl {rotated}/health -H 'key: sk-prod-abcdef'")),
            "curl ***/health -H 'key: ***'"
        );
        assert!(store.rotate("NOPE", None, 0, 1).is_err());
        assert_eq!(
            referenced_secrets(
                "./smoke.sh --endpoint ${{ secrets.PROD_ENDPOINT }} --key ${{secrets.AI_API_KEY}} ${{ secrets.PROD_ENDPOINT }}"
            ),
            ["PROD_ENDPOINT", "AI_API_KEY"]
        );
    }

    #[test]
    fn configuration_is_base_plus_overrides() {
        let config = ConfigLayers {
            base: [
                ("log_level", "info"),
                ("timeout_ms", "30000"),
                ("model", "gpt-4o-mini"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            overrides: [(
                "production".to_string(),
                [("log_level", "warn"), ("replicas", "10")]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )]
            .into(),
        };
        let merged = config.merged("production");
        let row = |key: &str| merged.iter().find(|(k, _, _)| k == key).cloned().unwrap();
        assert_eq!(
            row("log_level"),
            (
                "log_level".to_string(),
                "warn".to_string(),
                "production".to_string()
            )
        );
        assert_eq!(row("timeout_ms").2, "base");
        assert_eq!(row("replicas").1, "10");
        assert_eq!(config.merged("staging").len(), 3);
    }
}
