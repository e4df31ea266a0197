//! Typed values carried by canonical records.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::key::{RecordId, Ref};

/// A phone number: the number as given, plus country and calling code when known.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Phone {
    /// The number (E.164 when it could be normalised, raw otherwise).
    pub number: String,
    /// ISO 3166 alpha-2 country, e.g. `PL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Calling code with `+`, e.g. `+48`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calling_code: Option<String>,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Address {
    /// First street line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street1: Option<String>,
    /// Second street line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street2: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Postcode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// State or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A typed value.
///
/// References start as [`Value::Ref`]/[`Value::Refs`] (as the source gave them) and are
/// replaced by [`Value::Id`]/[`Value::Ids`] (destination ids) when the engine resolves them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// No value.
    Null,
    /// Boolean.
    Bool(bool),
    /// Whole number.
    Int(i64),
    /// Decimal number kept as its exact decimal text (`"12.50"`).
    Decimal(String),
    /// Text (also rich text as markdown).
    Text(String),
    /// Calendar date.
    Date(NaiveDate),
    /// Instant in UTC.
    DateTime(DateTime<Utc>),
    /// One choice among a field's options.
    Choice(String),
    /// Several choices.
    Choices(Vec<String>),
    /// Email addresses, the primary first.
    Emails(Vec<String>),
    /// Phone numbers, the primary first.
    Phones(Vec<Phone>),
    /// URLs, the primary first.
    Urls(Vec<String>),
    /// Money in micros of the currency (1 unit = 1,000,000), exact.
    Money {
        /// Amount × 1,000,000.
        micros: i64,
        /// ISO 4217 code.
        currency: String,
    },
    /// Postal address.
    Address(Address),
    /// Arbitrary JSON.
    Json(serde_json::Value),
    /// Unresolved reference to one record.
    Ref(Ref),
    /// Unresolved references to several records (activity targets).
    Refs(Vec<Ref>),
    /// Resolved reference: a destination record.
    Id(RecordId),
    /// Resolved references.
    Ids(Vec<RecordId>),
}

impl Value {
    /// True for `Null`, empty text and empty lists: "nothing to write".
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Text(s) | Value::Choice(s) | Value::Decimal(s) => s.is_empty(),
            Value::Choices(v) | Value::Emails(v) | Value::Urls(v) => v.is_empty(),
            Value::Phones(v) => v.is_empty(),
            Value::Refs(v) => v.is_empty(),
            Value::Ids(v) => v.is_empty(),
            Value::Json(j) => j.is_null(),
            _ => false,
        }
    }

    /// The value's type name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Decimal(_) => "decimal",
            Value::Text(_) => "text",
            Value::Date(_) => "date",
            Value::DateTime(_) => "date_time",
            Value::Choice(_) => "choice",
            Value::Choices(_) => "choices",
            Value::Emails(_) => "emails",
            Value::Phones(_) => "phones",
            Value::Urls(_) => "urls",
            Value::Money { .. } => "money",
            Value::Address(_) => "address",
            Value::Json(_) => "json",
            Value::Ref(_) => "ref",
            Value::Refs(_) => "refs",
            Value::Id(_) => "id",
            Value::Ids(_) => "ids",
        }
    }

    /// Text content, if the value is text-like.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) | Value::Choice(s) | Value::Decimal(s) => Some(s),
            _ => None,
        }
    }

    /// True when the value still holds unresolved references.
    pub fn has_refs(&self) -> bool {
        matches!(self, Value::Ref(_) | Value::Refs(_))
    }

    /// Compares two values the way a destination stores them: lists of choices, emails and
    /// ids compare as sets in order of first appearance ignoring case for emails.
    pub fn same_as(&self, other: &Value) -> bool {
        match (self, other) {
            (a, b) if a.is_empty() && b.is_empty() => true,
            (Value::Emails(a), Value::Emails(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|(x, y)| x.trim().eq_ignore_ascii_case(y.trim()))
            }
            // Destinations keep instants to the millisecond (Twenty, most SQL stores): a
            // value sent with microseconds is the same instant if it agrees to the millisecond.
            (Value::DateTime(a), Value::DateTime(b)) => {
                (*a - *b).num_microseconds().is_some_and(|d| d.abs() < 1000)
                    && a.timestamp_millis() == b.timestamp_millis()
            }
            (Value::Choices(a), Value::Choices(b)) => {
                let mut a = a.clone();
                let mut b = b.clone();
                a.sort();
                b.sort();
                a == b
            }
            (Value::Ids(a), Value::Ids(b)) => {
                let mut a = a.clone();
                let mut b = b.clone();
                a.sort();
                b.sort();
                a == b
            }
            // A number is the same number however it is typed: destinations without an
            // integer type (Twenty) read `429` back for the decimal `429` or `429.0`.
            (Value::Int(i), Value::Decimal(d)) | (Value::Decimal(d), Value::Int(i)) => {
                same_number(&i.to_string(), d)
            }
            (Value::Decimal(a), Value::Decimal(b)) => same_number(a, b),
            (a, b) => a == b,
        }
    }
}

/// Whether two decimal texts are one number (`429`, `429.0`, `429.00`; `-0` and `0`).
fn same_number(a: &str, b: &str) -> bool {
    fn canonical(s: &str) -> String {
        let s = s.trim();
        let (neg, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let int = int.trim_start_matches('0');
        let frac = frac.trim_end_matches('0');
        let body = match (int.is_empty(), frac.is_empty()) {
            (true, true) => return "0".into(),
            (_, true) => int.to_string(),
            (true, false) => format!("0.{frac}"),
            (false, false) => format!("{int}.{frac}"),
        };
        if neg {
            format!("-{body}")
        } else {
            body
        }
    }
    a == b || canonical(a) == canonical(b)
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Decimal(s) | Value::Text(s) | Value::Choice(s) => f.write_str(s),
            Value::Date(d) => write!(f, "{d}"),
            Value::DateTime(d) => write!(f, "{}", d.to_rfc3339()),
            Value::Choices(v) | Value::Emails(v) | Value::Urls(v) => f.write_str(&v.join(";")),
            Value::Phones(v) => {
                let n: Vec<&str> = v.iter().map(|p| p.number.as_str()).collect();
                f.write_str(&n.join(";"))
            }
            Value::Money { micros, currency } => {
                let sign = if *micros < 0 { "-" } else { "" };
                let abs = micros.unsigned_abs();
                write!(
                    f,
                    "{sign}{}.{:06} {currency}",
                    abs / 1_000_000,
                    abs % 1_000_000
                )
            }
            Value::Address(a) => {
                let parts: Vec<&str> = [
                    &a.street1,
                    &a.street2,
                    &a.city,
                    &a.postcode,
                    &a.state,
                    &a.country,
                ]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect();
                f.write_str(&parts.join(", "))
            }
            Value::Json(j) => write!(f, "{j}"),
            Value::Ref(r) => write!(f, "{r}"),
            Value::Refs(v) => {
                let s: Vec<String> = v.iter().map(|r| r.to_string()).collect();
                f.write_str(&s.join("; "))
            }
            Value::Id(r) => write!(f, "{}:{}", r.object, r.id),
            Value::Ids(v) => {
                let s: Vec<String> = v.iter().map(|r| format!("{}:{}", r.object, r.id)).collect();
                f.write_str(&s.join(";"))
            }
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<DateTime<Utc>> for Value {
    fn from(d: DateTime<Utc>) -> Self {
        Value::DateTime(d)
    }
}

impl From<Ref> for Value {
    fn from(r: Ref) -> Self {
        Value::Ref(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_displays_exactly() {
        let v = Value::Money {
            micros: -12_500_001,
            currency: "EUR".into(),
        };
        assert_eq!(v.to_string(), "-12.500001 EUR");
    }

    #[test]
    fn values_round_trip_through_json() {
        let v = Value::Phones(vec![Phone {
            number: "+48123456789".into(),
            country: Some("PL".into()),
            calling_code: Some("+48".into()),
        }]);
        let j = serde_json::to_string(&v).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&j).unwrap(), v);
    }

    #[test]
    fn same_as_ignores_email_case_and_choice_order() {
        assert!(Value::Emails(vec!["A@x.io".into()]).same_as(&Value::Emails(vec!["a@x.io".into()])));
        assert!(
            Value::Emails(vec![" A@x.io ".into()]).same_as(&Value::Emails(vec!["a@x.io".into()]))
        );
        assert!(Value::Choices(vec!["b".into(), "a".into()])
            .same_as(&Value::Choices(vec!["a".into(), "b".into()])));
        assert!(Value::Null.same_as(&Value::Text(String::new())));
        assert!(!Value::Int(1).same_as(&Value::Int(2)));
        let t = chrono::DateTime::parse_from_rfc3339("2020-01-06T09:07:00.100057Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let ms = chrono::DateTime::parse_from_rfc3339("2020-01-06T09:07:00.100Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let next = chrono::DateTime::parse_from_rfc3339("2020-01-06T09:07:00.101Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert!(
            Value::DateTime(t).same_as(&Value::DateTime(ms)),
            "kept to the millisecond"
        );
        assert!(!Value::DateTime(t).same_as(&Value::DateTime(next)));
    }
}

#[cfg(test)]
mod number_tests {
    use super::Value;

    #[test]
    fn numbers_compare_by_value_whatever_their_type() {
        let d = |s: &str| Value::Decimal(s.into());
        assert!(Value::Int(429).same_as(&d("429")));
        assert!(d("429.00").same_as(&Value::Int(429)));
        assert!(d("0.50").same_as(&d(".5")));
        assert!(d("-0").same_as(&Value::Int(0)));
        assert!(!Value::Int(429).same_as(&d("429.5")));
        assert!(!d("12").same_as(&d("120")));
    }
}
