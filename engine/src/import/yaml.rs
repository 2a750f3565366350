//! The YAML reader every manifest kind shares: typed fields with their paths, errors and warnings
//! collected all at once.

use yaml_rust2::Yaml;

use crate::upstream::intstr::IntOrPercent;

use super::imported::ImportError;

/// The most replicas an imported workload may ask for: every pod is simulated second by second.
pub(super) const MAX_SIMULATED_REPLICAS: i32 = 1_000;

/// Reads fields with their paths, collecting problems and warnings instead of stopping at the
/// first.
#[derive(Default)]
pub(super) struct Reader {
    pub(super) errors: Vec<String>,
    pub(super) warnings: Vec<String>,
    /// The Rollout being read has a traffic router.
    pub(super) traffic_routing: bool,
    /// What the Rollout's `trafficRouting` says, for checking its steps.
    pub(super) routing: Routing,
}
/// A Rollout's traffic routing as its steps are checked against it.
#[derive(Default)]
pub(super) struct Routing {
    /// The routers named (`istio`, `nginx`, `alb`, `plugins`, …).
    pub(super) routers: Vec<String>,
    /// The names in `managedRoutes`, when it is given.
    pub(super) managed_routes: Option<Vec<String>>,
    /// `maxTrafficWeight`, when it is given (setWeight may go up to it instead of 100).
    pub(super) max_traffic_weight: Option<i32>,
}
impl Routing {
    /// Reads a `trafficRouting` block.
    pub(super) fn of(routing: &Yaml) -> Routing {
        let keys = |node: &Yaml| -> Vec<String> {
            node.as_hash()
                .map(|hash| {
                    hash.keys()
                        .filter_map(|k| k.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        Routing {
            routers: keys(routing)
                .into_iter()
                .filter(|key| !matches!(key.as_str(), "managedRoutes" | "maxTrafficWeight"))
                .collect(),
            managed_routes: routing["managedRoutes"].as_vec().map(|routes| {
                routes
                    .iter()
                    .filter_map(|route| route["name"].as_str().map(String::from))
                    .collect()
            }),
            max_traffic_weight: routing["maxTrafficWeight"]
                .as_i64()
                .and_then(|weight| i32::try_from(weight).ok()),
        }
    }

    /// A router of this name is configured.
    pub(super) fn has(&self, router: &str) -> bool {
        self.routers.iter().any(|r| r == router)
    }
}
/// Parses an Argo duration: a bare number of seconds, or a number with `s`, `m` or `h`.
pub(super) fn parse_duration_s(value: &Yaml) -> Result<u32, String> {
    match value {
        Yaml::Integer(seconds) if *seconds >= 0 => Ok(*seconds as u32),
        Yaml::String(text) => {
            let (digits, unit_s) = match text.chars().last() {
                Some('s') => (&text[..text.len() - 1], 1),
                Some('m') => (&text[..text.len() - 1], 60),
                Some('h') => (&text[..text.len() - 1], 3_600),
                _ => (text.as_str(), 1),
            };
            digits
                .parse::<u32>()
                .ok()
                .and_then(|n| n.checked_mul(unit_s))
                .ok_or_else(|| format!("{text:?}: must be a duration such as 30s, 5m or 1h"))
        }
        other => Err(format!(
            "{}: must be a duration such as 30s, 5m or 1h",
            describe(other)
        )),
    }
}
/// Every string in a YAML subtree, for reading a provider's query whatever its shape.
pub(super) fn yaml_strings(node: &Yaml) -> Vec<String> {
    match node {
        Yaml::String(text) => vec![text.clone()],
        Yaml::Array(items) => items.iter().flat_map(yaml_strings).collect(),
        Yaml::Hash(map) => map
            .iter()
            .flat_map(|(key, value)| {
                let mut strings = yaml_strings(key);
                strings.extend(yaml_strings(value));
                strings
            })
            .collect(),
        _ => Vec::new(),
    }
}
/// A YAML value as the API server would quote it in a message.
pub(super) fn describe(value: &Yaml) -> String {
    match value {
        Yaml::String(text) => format!("{text:?}"),
        Yaml::Integer(number) => number.to_string(),
        Yaml::Real(text) => text.clone(),
        Yaml::Boolean(flag) => flag.to_string(),
        Yaml::Array(_) => "a list".to_string(),
        Yaml::Hash(_) => "an object".to_string(),
        _ => "null".to_string(),
    }
}
impl Reader {
    pub(super) fn error(&mut self, message: String) {
        self.errors.push(message);
    }

    pub(super) fn warn(&mut self, path: &str, message: &str) {
        self.warnings.push(format!("{path}: {message}"));
    }

    pub(super) fn finish(&mut self) -> Result<(), ImportError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ImportError {
                problems: std::mem::take(&mut self.errors),
            })
        }
    }

    /// The string at `path` below `root` (a dotted path), or a `Required value` problem.
    pub(super) fn required_str(&mut self, root: &Yaml, path: &str) -> Option<String> {
        let value = path.split('.').fold(root, |node, key| &node[key]);
        match value.as_str() {
            Some(text) if !text.is_empty() => Some(text.to_string()),
            _ => {
                self.error(format!("{path}: Required value"));
                None
            }
        }
    }

    /// The integer field named by the last segment of `path` in `parent`, or `default` when
    /// absent.
    pub(super) fn int(&mut self, parent: &Yaml, path: &str, default: i32) -> i32 {
        let key = path.rsplit('.').next().unwrap_or(path);
        let value = &parent[key];
        match value {
            Yaml::BadValue | Yaml::Null => default,
            Yaml::Integer(number) => match i32::try_from(*number) {
                Ok(number) => number,
                Err(_) => {
                    self.error(format!("{path}: Invalid value: {number}: out of range"));
                    default
                }
            },
            other => {
                self.error(format!(
                    "{path}: Invalid value: {}: must be an integer",
                    describe(other)
                ));
                default
            }
        }
    }

    /// A replica count: an integer the API server takes (negative ones are refused by the
    /// callers' own rules), and no more than the simulator runs.
    pub(super) fn replicas(&mut self, parent: &Yaml, path: &str, default: i32) -> i32 {
        let replicas = self.int(parent, path, default);
        if replicas > MAX_SIMULATED_REPLICAS {
            self.error(format!(
                "{path}: Invalid value: {replicas}: the simulator runs at most {MAX_SIMULATED_REPLICAS} replicas of a workload; scale the manifest down to simulate it"
            ));
            return default.min(MAX_SIMULATED_REPLICAS);
        }
        replicas
    }

    /// Refuses keys of `node` the object's schema does not have, as the API server's strict
    /// field validation (kubectl's default) does.
    pub(super) fn known_fields(&mut self, node: &Yaml, path: &str, known: &[&str]) {
        let Some(map) = node.as_hash() else {
            return;
        };
        for key in map.keys() {
            let key = key.as_str().map_or_else(|| describe(key), String::from);
            if !known.contains(&key.as_str()) {
                let field = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                self.error(format!(
                    "{field}: unknown field \"{field}\": the API server's strict field validation refuses it (known here: {})",
                    known.join(", ")
                ));
            }
        }
    }

    /// An `IntOrString` field, or `None` when absent.
    pub(super) fn int_or_percent(&mut self, parent: &Yaml, path: &str) -> Option<IntOrPercent> {
        let key = path.rsplit('.').next().unwrap_or(path);
        match &parent[key] {
            Yaml::BadValue | Yaml::Null => None,
            Yaml::Integer(number) => Some(IntOrPercent::Int(*number)),
            Yaml::String(text) => Some(IntOrPercent::Str(text.clone())),
            other => {
                self.error(format!(
                    "{path}: Invalid value: {}: must be an integer or percentage (e.g '5%')",
                    describe(other)
                ));
                None
            }
        }
    }
}
