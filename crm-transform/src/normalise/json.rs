//! JSON held in a cell, and JSON shown as text.
//!
//! User.com `json` attributes and Customer.io object-valued attributes arrive as a JSON
//! document inside one CSV cell. [`parse_json_cell`] reads it; [`json_to_text`] turns any
//! JSON value into readable text for a destination field that only takes text:
//!
//! - `null` → empty; strings as they are; numbers and booleans as JSON writes them;
//! - arrays of scalars → elements joined with `, `;
//! - objects → one `key: value` line per member, in the document's order; nested objects
//!   and arrays of objects are indented by two spaces per level (`- ` marks array items).
//!
//! The output depends only on the value (member order is the document's, kept by
//! `serde_json`'s `preserve_order`), so the same cell always gives the same text.

use serde_json::Value as Json;

use crate::error::{NormaliseError, ValueKind};

/// Parses a cell that should hold a JSON document (any JSON value, after trimming).
pub fn parse_json_cell(raw: &str) -> Result<Json, NormaliseError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(NormaliseError::new(
            ValueKind::Json,
            raw,
            "the cell is empty; expected a JSON document",
        ));
    }
    serde_json::from_str(s).map_err(|e| {
        NormaliseError::new(
            ValueKind::Json,
            raw,
            format!("it is not valid JSON ({e}); check the export quoted the cell whole"),
        )
    })
}

/// True when the cell holds a JSON object or array (what "may hold JSON" means for a
/// sampler: bare numbers and words are JSON too, but are better read as themselves).
pub fn looks_like_json(raw: &str) -> bool {
    let s = raw.trim();
    (s.starts_with('{') || s.starts_with('['))
        && serde_json::from_str::<Json>(s).is_ok_and(|v| v.is_object() || v.is_array())
}

/// Reads a cell as JSON when it holds an object or array, and flattens it to text;
/// otherwise returns the trimmed cell as it is. Never fails.
pub fn cell_to_text(raw: &str) -> String {
    let s = raw.trim();
    if s.starts_with('{') || s.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Json>(s) {
            return json_to_text(&v);
        }
    }
    s.to_string()
}

/// Flattens a JSON value to readable, deterministic text (see the module docs).
pub fn json_to_text(value: &Json) -> String {
    if let Some(s) = scalar(value) {
        return s;
    }
    let mut out = String::new();
    write_value(&mut out, value, 0);
    // Structured values are written as lines ending in a newline; the last one is not wanted.
    if out.ends_with('\n') {
        out.pop();
    }
    out
}

fn scalar(value: &Json) -> Option<String> {
    match value {
        Json::Null => Some(String::new()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => Some(n.to_string()),
        Json::String(s) => Some(s.clone()),
        Json::Array(items) if items.iter().all(|i| !i.is_array() && !i.is_object()) => Some(
            items
                .iter()
                .filter(|i| !i.is_null())
                .filter_map(scalar)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    }
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// Writes `value` at `depth`. A scalar is written inline (no newline) only at depth 0;
/// structured values always write whole lines.
fn write_value(out: &mut String, value: &Json, depth: usize) {
    if let Some(s) = scalar(value) {
        out.push_str(&s);
        return;
    }
    match value {
        Json::Object(map) => {
            for (k, v) in map {
                indent(out, depth);
                out.push_str(k);
                out.push(':');
                write_member(out, v, depth);
            }
        }
        Json::Array(items) => {
            for item in items {
                indent(out, depth);
                out.push('-');
                write_member(out, item, depth);
            }
        }
        _ => {}
    }
}

/// Writes what follows `key:` or `-`: a scalar on the same line, or a block below.
fn write_member(out: &mut String, v: &Json, depth: usize) {
    match scalar(v) {
        Some(s) if s.is_empty() => out.push('\n'),
        Some(s) => {
            out.push(' ');
            // Multi-line strings keep their lines, indented under the key.
            let mut lines = s.lines();
            out.push_str(lines.next().unwrap_or(""));
            for line in lines {
                out.push('\n');
                indent(out, depth + 1);
                out.push_str(line);
            }
            out.push('\n');
        }
        None => {
            out.push('\n');
            write_value(out, v, depth + 1);
        }
    }
}
