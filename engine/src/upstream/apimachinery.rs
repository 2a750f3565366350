//! Kubernetes' apimachinery rules for the fields every object shares, with the API server's
//! message text: names (RFC 1123), label keys and values, label selectors and resource
//! quantities (`128Mi`, `250m`, `1e3`).
//!
//! Each check returns the messages `k8s.io/apimachinery/pkg/util/validation` would; the caller
//! adds the field path and the value, as `field.Invalid` does.

use std::collections::BTreeMap;

/// `k8s.io/apimachinery/pkg/api/resource.ErrFormatWrong`.
pub const QUANTITY_FORMAT_MESSAGE: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/// `IsDNS1123Subdomain`: object names such as a Deployment's.
pub fn dns1123_subdomain_problems(value: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if value.len() > 253 {
        problems.push(max_len_message(253));
    }
    if value.is_empty() || !value.split('.').all(is_dns1123_label_shape) {
        problems.push(regex_message(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*",
            &["example.com"],
        ));
    }
    problems
}

/// `IsDNS1123Label`: container names, and the parts of a subdomain.
pub fn dns1123_label_problems(value: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if value.len() > 63 {
        problems.push(max_len_message(63));
    }
    if !is_dns1123_label_shape(value) {
        problems.push(regex_message(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?",
            &["my-name", "123-abc"],
        ));
    }
    problems
}

/// `IsQualifiedName`: label keys, an optional DNS subdomain prefix and `/` before the name.
pub fn qualified_name_problems(value: &str) -> Vec<String> {
    const NAME_MESSAGE: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    const NAME_FORMAT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    const EXAMPLES: [&str; 3] = ["MyName", "my.name", "123-abc"];
    let mut problems = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                problems.push("prefix part must be non-empty".to_string());
            } else {
                problems.extend(
                    dns1123_subdomain_problems(prefix)
                        .into_iter()
                        .map(|message| format!("prefix part {message}")),
                );
            }
            name
        }
        _ => {
            problems.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_message(NAME_MESSAGE, NAME_FORMAT, &EXAMPLES)
            ));
            return problems;
        }
    };
    if name.is_empty() {
        problems.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        problems.push(format!("name part {}", max_len_message(63)));
    }
    if !is_qualified_name_shape(name) {
        problems.push(format!(
            "name part {}",
            regex_message(NAME_MESSAGE, NAME_FORMAT, &EXAMPLES)
        ));
    }
    problems
}

/// `IsValidLabelValue`: empty, or a qualified name's shape of at most 63 characters.
pub fn label_value_problems(value: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if value.len() > 63 {
        problems.push(max_len_message(63));
    }
    if !(value.is_empty() || is_qualified_name_shape(value)) {
        problems.push(regex_message(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?",
            &["MyValue", "my_value", "12345"],
        ));
    }
    problems
}

/// A label selector's requirement operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectorOperator {
    /// The label is one of the values.
    In,
    /// The label is absent or none of the values.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
}

impl SelectorOperator {
    /// The operator as written in a manifest, or `None` for one Kubernetes does not know.
    pub fn parse(text: &str) -> Option<SelectorOperator> {
        match text {
            "In" => Some(SelectorOperator::In),
            "NotIn" => Some(SelectorOperator::NotIn),
            "Exists" => Some(SelectorOperator::Exists),
            "DoesNotExist" => Some(SelectorOperator::DoesNotExist),
            _ => None,
        }
    }
}

/// One `matchExpressions` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectorRequirement {
    /// The label key.
    pub key: String,
    /// How the label is compared.
    pub operator: SelectorOperator,
    /// The values `In` and `NotIn` compare with.
    pub values: Vec<String>,
}

/// A label selector: `matchLabels` and `matchExpressions`, all of which must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    /// Labels that must be present with these values.
    pub match_labels: BTreeMap<String, String>,
    /// Further requirements.
    pub match_expressions: Vec<SelectorRequirement>,
}

impl LabelSelector {
    /// The selector selects nothing in particular (Kubernetes refuses it for a Deployment).
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// Whether `labels` satisfy every part of the selector, as `labels.Selector.Matches`.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels
            .iter()
            .all(|(key, value)| labels.get(key) == Some(value))
            && self.match_expressions.iter().all(|requirement| {
                let label = labels.get(&requirement.key);
                match requirement.operator {
                    SelectorOperator::In => label.is_some_and(|v| requirement.values.contains(v)),
                    SelectorOperator::NotIn => {
                        label.is_none_or(|v| !requirement.values.contains(v))
                    }
                    SelectorOperator::Exists => label.is_some(),
                    SelectorOperator::DoesNotExist => label.is_none(),
                }
            })
    }
}

/// Labels as Go prints a `map[string]string` with `%#v`, as the API server quotes them:
/// `map[string]string{"app":"web"}`.
pub fn go_string_map(labels: &BTreeMap<String, String>) -> String {
    let entries: Vec<String> = labels
        .iter()
        .map(|(key, value)| format!("{key:?}:{value:?}"))
        .collect();
    format!("map[string]string{{{}}}", entries.join(", "))
}

/// A quantity's value in its base unit (cores, bytes), parsed as `resource.ParseQuantity`
/// does, or the API server's message for why it cannot be.
pub fn parse_quantity(text: &str) -> Result<f64, String> {
    let format_wrong = || QUANTITY_FORMAT_MESSAGE.to_string();
    let bytes = text.as_bytes();
    let mut position = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        position += 1;
    }
    let number_start = position;
    while position < bytes.len() && (bytes[position].is_ascii_digit() || bytes[position] == b'.') {
        position += 1;
    }
    let number = &text[number_start..position];
    if number.is_empty() {
        return Err(format_wrong());
    }
    let suffix = &text[position..];
    if !suffix
        .chars()
        .all(|c| "eEinumkKMGTP+-0123456789".contains(c))
    {
        return Err(format_wrong());
    }
    let mantissa: f64 = if number.matches('.').count() > 1 || number == "." {
        return Err("unable to parse numeric part of quantity".to_string());
    } else {
        number
            .parse()
            .map_err(|_| "unable to parse numeric part of quantity".to_string())?
    };
    let scale = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64 * 1024.0,
        "Gi" => 1024f64 * 1024.0 * 1024.0,
        "Ti" => 1024f64 * 1024.0 * 1024.0 * 1024.0,
        "Pi" => 1024f64 * 1024.0 * 1024.0 * 1024.0 * 1024.0,
        "Ei" => 1024f64 * 1024.0 * 1024.0 * 1024.0 * 1024.0 * 1024.0,
        exponent if exponent.starts_with(['e', 'E']) => {
            let power: i32 = exponent[1..]
                .parse()
                .map_err(|_| "unable to parse quantity's suffix".to_string())?;
            libm::pow(10.0, f64::from(power.clamp(-400, 400)))
        }
        _ => return Err("unable to parse quantity's suffix".to_string()),
    };
    let sign = if text.starts_with('-') { -1.0 } else { 1.0 };
    Ok(sign * mantissa * scale)
}

/// `MaxLenError`.
fn max_len_message(length: u32) -> String {
    format!("must be no more than {length} characters")
}

/// `RegexError`, with its examples joined as Kubernetes joins them (note the two spaces).
fn regex_message(message: &str, format: &str, examples: &[&str]) -> String {
    let mut text = format!("{message} (e.g. ");
    for (index, example) in examples.iter().enumerate() {
        if index > 0 {
            text.push_str(" or ");
        }
        text.push_str(&format!("'{example}', "));
    }
    text.push_str(&format!("regex used for validation is '{format}')"));
    text
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
fn is_dns1123_label_shape(value: &str) -> bool {
    let alphanumeric = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    value.starts_with(alphanumeric)
        && value.ends_with(alphanumeric)
        && value.chars().all(|c| alphanumeric(c) || c == '-')
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
fn is_qualified_name_shape(value: &str) -> bool {
    let alphanumeric = |c: char| c.is_ascii_alphanumeric();
    value.starts_with(alphanumeric)
        && value.ends_with(alphanumeric)
        && value
            .chars()
            .all(|c| alphanumeric(c) || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_rfc_1123() {
        // (value, valid as a subdomain, valid as a label): apimachinery's validation_test.go.
        let cases = [
            ("a", true, true),
            ("ab", true, true),
            ("a-b", true, true),
            ("0", true, true),
            ("a.b", true, false),
            ("a-1.b-2.c", true, false),
            ("", false, false),
            ("A", false, false),
            ("a_b", false, false),
            ("-a", false, false),
            ("a-", false, false),
            ("a..b", false, false),
            ("a.", false, false),
            (".a", false, false),
            ("a b", false, false),
        ];
        for (value, subdomain, label) in cases {
            assert_eq!(
                dns1123_subdomain_problems(value).is_empty(),
                subdomain,
                "{value:?}"
            );
            assert_eq!(dns1123_label_problems(value).is_empty(), label, "{value:?}");
        }
        assert_eq!(
            dns1123_label_problems("My_App"),
            [
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
            ]
        );
        assert_eq!(
            dns1123_label_problems(&"a".repeat(64)),
            ["must be no more than 63 characters"]
        );
    }

    #[test]
    fn label_keys_and_values_follow_apimachinery() {
        for valid in [
            "simple",
            "now-with-dashes",
            "1-starts-with-num",
            "1234",
            "simple/simple",
            "now-with-dashes/simple",
            "example.com/Upper_Case",
            "app.kubernetes.io/name",
        ] {
            assert!(qualified_name_problems(valid).is_empty(), "{valid:?}");
        }
        for invalid in [
            "nospecialchars%^=@",
            "cantendwithadash-",
            "-cantstartwithadash",
            "only/one/slash",
            "Example.com/name",
            "/simple",
            "simple/",
            "",
        ] {
            assert!(!qualified_name_problems(invalid).is_empty(), "{invalid:?}");
        }
        assert_eq!(
            qualified_name_problems("/simple"),
            ["prefix part must be non-empty"]
        );
        for valid in [
            "",
            "simple",
            "now-with-dashes",
            "1-starts-with-num",
            "end-with-num-1",
            "1234",
            "Upper_Case.v2",
        ] {
            assert!(label_value_problems(valid).is_empty(), "{valid:?}");
        }
        for invalid in [
            "nospecialchars%^=@",
            "Tama-nui-te-rā.is.Māori.sun",
            "\\backslashes",
            "-starts-with-dash",
            "ends-with-dash-",
            ".starts.with.dot",
            "ends.with.dot.",
            "with space",
        ] {
            assert!(!label_value_problems(invalid).is_empty(), "{invalid:?}");
        }
    }

    #[test]
    fn quantities_parse_as_the_api_server_does() {
        // (text, value in base units): resource/quantity_test.go's table.
        let cases: [(&str, f64); 14] = [
            ("0", 0.0),
            ("100m", 0.1),
            ("1", 1.0),
            ("1.5", 1.5),
            ("128Mi", 134_217_728.0),
            ("1Gi", 1_073_741_824.0),
            ("1G", 1e9),
            ("500M", 5e8),
            ("1e3", 1e3),
            ("1E-3", 1e-3),
            ("+5", 5.0),
            ("-5", -5.0),
            (".5", 0.5),
            ("5.", 5.0),
        ];
        for (text, expected) in cases {
            let value = parse_quantity(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert!(
                (value - expected).abs() <= expected.abs() * 1e-12,
                "{text}: {value}"
            );
        }
        for (text, message) in [
            ("128MB", QUANTITY_FORMAT_MESSAGE),
            ("2mi", "unable to parse quantity's suffix"),
            ("1 Gi", QUANTITY_FORMAT_MESSAGE),
            ("Gi", QUANTITY_FORMAT_MESSAGE),
            ("", QUANTITY_FORMAT_MESSAGE),
            ("1.2.3", "unable to parse numeric part of quantity"),
            ("1iK", "unable to parse quantity's suffix"),
            ("one", QUANTITY_FORMAT_MESSAGE),
        ] {
            assert_eq!(parse_quantity(text), Err(message.to_string()), "{text:?}");
        }
    }

    #[test]
    fn selectors_match_as_labels_selector_does() {
        let labels = BTreeMap::from([
            ("app".to_string(), "web".to_string()),
            ("tier".to_string(), "front".to_string()),
        ]);
        let requirement = |key: &str, operator, values: &[&str]| SelectorRequirement {
            key: key.to_string(),
            operator,
            values: values.iter().map(|v| v.to_string()).collect(),
        };
        let with = |expressions: Vec<SelectorRequirement>| LabelSelector {
            match_labels: BTreeMap::from([("app".to_string(), "web".to_string())]),
            match_expressions: expressions,
        };
        assert!(with(vec![]).matches(&labels));
        assert!(
            with(vec![requirement(
                "tier",
                SelectorOperator::In,
                &["front", "back"]
            )])
            .matches(&labels)
        );
        assert!(
            !with(vec![requirement(
                "tier",
                SelectorOperator::NotIn,
                &["front"]
            )])
            .matches(&labels)
        );
        assert!(with(vec![requirement("zone", SelectorOperator::NotIn, &["a"])]).matches(&labels));
        assert!(with(vec![requirement("tier", SelectorOperator::Exists, &[])]).matches(&labels));
        assert!(
            !with(vec![requirement(
                "tier",
                SelectorOperator::DoesNotExist,
                &[]
            )])
            .matches(&labels)
        );
        assert!(
            !LabelSelector {
                match_labels: BTreeMap::from([("app".to_string(), "api".to_string())]),
                ..LabelSelector::default()
            }
            .matches(&labels)
        );
        assert_eq!(
            go_string_map(&labels),
            r#"map[string]string{"app":"web", "tier":"front"}"#
        );
    }
}
