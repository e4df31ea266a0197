//! Choice fields: one value or a list of values packed into one cell.
//!
//! Forms read by [`parse_choices`]:
//!
//! - PostgreSQL arrays, as User.com's export writes multi-choice attributes and tags:
//!   `{}` (empty), `{Daily digest,Weekly summary}`, `{"A, B",C}`; inside double quotes a
//!   backslash escapes the next character (`\"`, `\\`); an unquoted `NULL` (any case) is a null
//!   element and is dropped, a quoted `"NULL"` is the text `NULL`. Nested arrays are refused.
//! - JSON arrays: `["a","b"]`; numbers and booleans become their text, `null` is dropped.
//! - Separated lists: `a|b` (User.com's import separator), `a;b`, or any separator given as
//!   [`ListFormat::Separated`] (karmaCRM joins tags with `,`).
//!
//! Every element is trimmed and empty elements are dropped. [`parse_single_choice`] unwraps a
//! one-element array (`{Gold}` → `Gold`). [`encode_pg_array`] writes the PostgreSQL form back.

use crate::error::{NormaliseError, ValueKind};

/// How a cell packs its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ListFormat {
    /// `{…}` → PostgreSQL array, `[…]` → JSON array, else split on `|`, else on `;`,
    /// else one value. Commas are never split on here: choice labels contain them.
    #[default]
    Auto,
    /// A PostgreSQL array literal.
    PgArray,
    /// A JSON array.
    JsonArray,
    /// Values separated by this character, without quoting.
    Separated(char),
}

/// Reads a cell holding any number of choices. An empty cell is an empty list.
pub fn parse_choices(raw: &str, format: ListFormat) -> Result<Vec<String>, NormaliseError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(Vec::new());
    }
    match format {
        ListFormat::PgArray => parse_pg_array(raw),
        ListFormat::JsonArray => parse_json_array(raw),
        ListFormat::Separated(sep) => Ok(split(s, sep)),
        ListFormat::Auto if s.starts_with('{') => parse_pg_array(raw),
        ListFormat::Auto if s.starts_with('[') => parse_json_array(raw),
        ListFormat::Auto if s.contains('|') => Ok(split(s, '|')),
        ListFormat::Auto if s.contains(';') => Ok(split(s, ';')),
        ListFormat::Auto => Ok(vec![s.to_string()]),
    }
}

/// Reads a cell holding at most one choice: a plain value, or an array of one element
/// (`{Gold}`, `["Gold"]`). Empty cell or empty array → `None`; several values → error.
///
/// With [`ListFormat::Auto`] only array syntax is unwrapped: a plain value is taken whole,
/// even if it holds `|` or `;`.
pub fn parse_single_choice(
    raw: &str,
    format: ListFormat,
) -> Result<Option<String>, NormaliseError> {
    let s = raw.trim();
    let mut items = match format {
        ListFormat::Auto if !s.starts_with('{') && !s.starts_with('[') => {
            return Ok((!s.is_empty()).then(|| s.to_string()));
        }
        f => parse_choices(raw, f)?,
    };
    match items.len() {
        0 => Ok(None),
        1 => Ok(items.pop()),
        n => Err(NormaliseError::new(
            ValueKind::Choice,
            raw,
            format!("holds {n} values but the field takes one; map it to a multi-choice field"),
        )),
    }
}

/// Parses a PostgreSQL array literal (`{a,"b, c",NULL}`) into its non-null, non-empty,
/// trimmed elements.
pub fn parse_pg_array(raw: &str) -> Result<Vec<String>, NormaliseError> {
    let err = |why: &str| NormaliseError::new(ValueKind::Choice, raw, why);
    let s = raw.trim();
    let inner = s
        .strip_prefix('{')
        .ok_or_else(|| err("a PostgreSQL array starts with `{`"))?;
    let mut chars = inner.chars().peekable();
    let mut out = Vec::new();
    let mut closed = false;
    while chars.peek().is_some() {
        // One element, up to the next unquoted `,` or `}`.
        let mut item = String::new();
        let (mut quoted, mut was_quoted, mut ended_by) = (false, false, None);
        while let Some(c) = chars.next() {
            if quoted {
                match c {
                    '\\' => item.push(
                        chars
                            .next()
                            .ok_or_else(|| err("ends with a lone backslash"))?,
                    ),
                    '"' => quoted = false,
                    c => item.push(c),
                }
                continue;
            }
            match c {
                ',' | '}' => {
                    ended_by = Some(c);
                    break;
                }
                c if was_quoted && c.is_whitespace() => {}
                _ if was_quoted => {
                    return Err(err("has text after a quoted element; expected `,` or `}`"))
                }
                '"' if item.trim().is_empty() => {
                    item.clear();
                    quoted = true;
                    was_quoted = true;
                }
                '"' => return Err(err("has a double quote inside an unquoted element")),
                '{' => return Err(err("nested arrays are not supported")),
                '\\' => item.push(
                    chars
                        .next()
                        .ok_or_else(|| err("ends with a lone backslash"))?,
                ),
                c => item.push(c),
            }
        }
        if quoted {
            return Err(err("has an unclosed double quote"));
        }
        let Some(end) = ended_by else {
            return Err(err("has no closing `}`"));
        };
        let text = item.trim();
        let is_null = !was_quoted && text.eq_ignore_ascii_case("NULL");
        if !is_null && !text.is_empty() {
            out.push(text.to_string());
        }
        if end == '}' {
            closed = true;
            break;
        }
    }
    if !closed {
        return Err(err("has no closing `}`"));
    }
    if chars.any(|c| !c.is_whitespace()) {
        return Err(err("has text after the closing `}`"));
    }
    Ok(out)
}

/// Writes items as a PostgreSQL array literal, quoting every element that needs it (so that
/// [`parse_pg_array`] reads back the same items, trimmed).
pub fn encode_pg_array<S: AsRef<str>>(items: &[S]) -> String {
    let mut out = String::from("{");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let item = item.as_ref();
        let needs_quotes = item.is_empty()
            || item.eq_ignore_ascii_case("NULL")
            || item
                .chars()
                .any(|c| matches!(c, ',' | '{' | '}' | '"' | '\\') || c.is_whitespace());
        if needs_quotes {
            out.push('"');
            for c in item.chars() {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        } else {
            out.push_str(item);
        }
    }
    out.push('}');
    out
}

fn parse_json_array(raw: &str) -> Result<Vec<String>, NormaliseError> {
    let err = |why: String| NormaliseError::new(ValueKind::Choice, raw, why);
    let v: serde_json::Value =
        serde_json::from_str(raw.trim()).map_err(|e| err(format!("is not valid JSON ({e})")))?;
    let serde_json::Value::Array(items) = v else {
        return Err(err("is JSON but not an array".into()));
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let text = match item {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => s,
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => return Err(err("has a nested array or object as an element".into())),
        };
        let t = text.trim();
        if !t.is_empty() {
            out.push(t.to_string());
        }
    }
    Ok(out)
}

fn split(s: &str, sep: char) -> Vec<String> {
    s.split(sep)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}
