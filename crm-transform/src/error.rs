//! Errors raised by crm-transform.
//!
//! A [`NormaliseError`] is what a normaliser returns when a source value cannot be turned
//! into the canonical form. It quotes the offending value and says, in words a person can
//! act on, what was expected, so that it can go straight into a reject or a report.

use std::fmt;

/// The longest part of an offending value quoted in a message, in characters.
///
/// Longer values are cut (at a character boundary) and marked with `…`, so a whole CSV
/// file pasted in one cell does not end up in a report line.
pub const MAX_QUOTED_CHARS: usize = 120;

/// What kind of value a normaliser was reading when it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueKind {
    /// A yes/no value.
    Boolean,
    /// An instant (date and time).
    DateTime,
    /// A calendar date.
    Date,
    /// A choice or list of choices.
    Choice,
    /// A JSON document.
    Json,
    /// An email address.
    Email,
    /// A phone number.
    Phone,
    /// A country code given as a setting (e.g. the default country for phones).
    Country,
    /// A web address.
    Url,
    /// An amount of money or a plain decimal number.
    Money,
    /// An ISO 4217 currency code.
    Currency,
    /// Bytes of a file that should hold text.
    Encoding,
}

impl ValueKind {
    /// The kind in words, with an article: "a date-time", "an email address".
    pub fn describe(self) -> &'static str {
        match self {
            ValueKind::Boolean => "a yes/no value",
            ValueKind::DateTime => "a date-time",
            ValueKind::Date => "a date",
            ValueKind::Choice => "a choice list",
            ValueKind::Json => "JSON",
            ValueKind::Email => "an email address",
            ValueKind::Phone => "a phone number",
            ValueKind::Country => "a country code",
            ValueKind::Url => "a web address",
            ValueKind::Money => "an amount",
            ValueKind::Currency => "a currency code",
            ValueKind::Encoding => "text",
        }
    }
}

impl fmt::Display for ValueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// A value that a normaliser could not read.
///
/// Displays as `cannot read "<value>" as <kind>: <reason>`, e.g.
/// `cannot read "maybe" as a yes/no value: expected one of t/f, true/false, …`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read {} as {kind}: {reason}", quote(value))]
#[non_exhaustive]
pub struct NormaliseError {
    /// What was being read.
    pub kind: ValueKind,
    /// The offending value as given (cut to [`MAX_QUOTED_CHARS`] characters).
    pub value: String,
    /// Why it was refused and what would be accepted.
    pub reason: String,
}

impl NormaliseError {
    /// A new error for `value`, read as `kind`, refused because of `reason`.
    pub fn new(kind: ValueKind, value: &str, reason: impl Into<String>) -> Self {
        NormaliseError {
            kind,
            value: cut(value),
            reason: reason.into(),
        }
    }
}

/// Cuts `value` to [`MAX_QUOTED_CHARS`] characters, marking the cut with `…`.
fn cut(value: &str) -> String {
    match value.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((i, _)) => format!("{}…", &value[..i]),
        None => value.to_string(),
    }
}

/// Quotes a value for a message: double quotes, with control characters escaped so a
/// value holding a newline stays on one line.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_quotes_the_value_and_the_reason() {
        let e = NormaliseError::new(ValueKind::Boolean, "maybe", "expected yes or no");
        assert_eq!(
            e.to_string(),
            "cannot read \"maybe\" as a yes/no value: expected yes or no"
        );
    }

    #[test]
    fn long_values_are_cut_and_controls_escaped() {
        let long = "é".repeat(500);
        let e = NormaliseError::new(ValueKind::Json, &long, "x");
        assert_eq!(e.value.chars().count(), MAX_QUOTED_CHARS + 1);
        assert!(e.value.ends_with('…'));
        let e = NormaliseError::new(ValueKind::Email, "a\nb\"c", "x");
        assert!(e.to_string().contains(r#""a\nb\"c""#));
    }
}
