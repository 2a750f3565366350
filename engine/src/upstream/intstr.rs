//! Kubernetes' `IntOrString` for `maxSurge` and `maxUnavailable`: a count, or a percentage of
//! the desired replicas, with the apimachinery scaling and validation rules.
//!
//! Scaling follows `intstr.GetScaledValueFromIntOrPercent`: a percentage is scaled by the total
//! and rounded up (surge) or down (unavailable); a string without `%` is an error. Argo Rollouts
//! resolves the same fields with the deprecated `GetValueFromIntOrPercent`, which reads a bare
//! numeric string such as `"25"` as 25 %: [`IntOrPercent::scaled_argo`].

use serde::{Deserialize, Serialize};

/// A replica count or a percentage, as written in a manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntOrPercent {
    /// A whole number of replicas.
    Int(i64),
    /// A string, valid only as digits followed by `%` (for example `"25%"`).
    Str(String),
}

impl IntOrPercent {
    /// A percentage, for example `IntOrPercent::percent(25)` for `"25%"`.
    pub fn percent(value: u32) -> IntOrPercent {
        IntOrPercent::Str(format!("{value}%"))
    }

    /// The value scaled against `total` replicas, rounding a percentage up when `round_up`
    /// (Kubernetes' `GetScaledValueFromIntOrPercent`). The error text is apimachinery's.
    pub fn scaled(&self, total: i64, round_up: bool) -> Result<i64, String> {
        match self {
            IntOrPercent::Int(value) => Ok(*value),
            IntOrPercent::Str(text) => {
                let Some(digits) = text.strip_suffix('%') else {
                    return Err(
                        "invalid value for IntOrString: invalid type: string is not a percentage"
                            .to_string(),
                    );
                };
                let percent = parse_go_int(digits).map_err(|reason| {
                    format!("invalid value for IntOrString: invalid value {text:?}: {reason}")
                })?;
                Ok(scale_percent(percent, total, round_up))
            }
        }
    }

    /// The value as Argo Rollouts resolves it: like [`IntOrPercent::scaled`], but any string
    /// is a percentage, with or without `%` (so `"25"` is 25 %).
    pub fn scaled_argo(&self, total: i64, round_up: bool) -> Result<i64, String> {
        match self {
            IntOrPercent::Int(value) => Ok(*value),
            IntOrPercent::Str(text) => {
                let digits = text.strip_suffix('%').unwrap_or(text);
                let percent = parse_go_int(digits)
                    .map_err(|reason| format!("invalid value {text:?}: {reason}"))?;
                Ok(scale_percent(percent, total, round_up))
            }
        }
    }

    /// The value as written, for messages: `25%`, `"90"` or `0`.
    pub fn written(&self) -> String {
        match self {
            IntOrPercent::Int(value) => value.to_string(),
            IntOrPercent::Str(text) => format!("{text:?}"),
        }
    }

    /// Kubernetes' validation of a non-negative count or percentage at `field`
    /// (`ValidatePositiveIntOrPercent`), as `field: Invalid value: ...` messages.
    pub fn validation_errors(&self, field: &str) -> Vec<String> {
        match self {
            IntOrPercent::Int(value) if *value < 0 => vec![format!(
                "{field}: Invalid value: {value}: must be greater than or equal to 0"
            )],
            IntOrPercent::Int(_) => Vec::new(),
            IntOrPercent::Str(text) if !is_valid_percent(text) => vec![format!(
                "{field}: Invalid value: {text:?}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%', or '93%', regex used for validation is '[0-9]+%')"
            )],
            IntOrPercent::Str(_) => Vec::new(),
        }
    }

    /// The percentage, when the value is a valid percent string.
    pub fn percent_value(&self) -> Option<i64> {
        match self {
            IntOrPercent::Str(text) if is_valid_percent(text) => {
                text.strip_suffix('%').and_then(|d| d.parse().ok())
            }
            _ => None,
        }
    }
}

/// `[0-9]+%`, the pattern Kubernetes validates percentages with.
fn is_valid_percent(text: &str) -> bool {
    text.strip_suffix('%')
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Go's `strconv.Atoi`, with its error text.
fn parse_go_int(digits: &str) -> Result<i64, String> {
    digits
        .parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {digits:?}: invalid syntax"))
}

/// `percent` % of `total`, rounded up or down as Kubernetes does (`math.Ceil`/`math.Floor` of
/// `percent × total / 100`).
fn scale_percent(percent: i64, total: i64, round_up: bool) -> i64 {
    let product = percent * total;
    if round_up {
        product.div_euclid(100) + i64::from(product.rem_euclid(100) != 0)
    } else {
        product.div_euclid(100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> IntOrPercent {
        IntOrPercent::Str(text.to_string())
    }

    /// `TestGetIntFromIntOrPercent` and k8s-rolling-vectors.md §1.
    #[test]
    fn scaling_follows_apimachinery() {
        let cases: [(IntOrPercent, i64, bool, Result<i64, ()>); 8] = [
            (IntOrPercent::Int(123), 0, true, Ok(123)),
            (s("90%"), 100, true, Ok(90)),
            (s("90%"), 95, true, Ok(86)),
            (s("90%"), 95, false, Ok(85)),
            (s("%"), 0, false, Err(())),
            (s("90#"), 0, false, Err(())),
            (s("#%"), 0, false, Err(())),
            (s("90"), 100, false, Err(())),
        ];
        for (input, total, round_up, expected) in cases {
            let got = input.scaled(total, round_up).map_err(|_| ());
            assert_eq!(got, expected, "{input:?} of {total}, round up {round_up}");
        }
    }

    #[test]
    fn argo_reads_a_bare_number_as_a_percentage() {
        assert_eq!(s("25").scaled_argo(10, true), Ok(3));
        assert_eq!(s("25").scaled_argo(10, false), Ok(2));
        assert!(s("25").scaled(10, true).is_err(), "Kubernetes rejects it");
    }

    #[test]
    fn validation_messages_name_the_field_and_value() {
        let field = "spec.strategy.rollingUpdate.maxSurge";
        assert_eq!(
            s("90").validation_errors(field),
            vec![format!(
                "{field}: Invalid value: \"90\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%', or '93%', regex used for validation is '[0-9]+%')"
            )]
        );
        assert_eq!(
            IntOrPercent::Int(-1).validation_errors(field),
            vec![format!(
                "{field}: Invalid value: -1: must be greater than or equal to 0"
            )]
        );
        assert!(s("5%").validation_errors(field).is_empty());
        assert!(IntOrPercent::Int(0).validation_errors(field).is_empty());
    }
}
