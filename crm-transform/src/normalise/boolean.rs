//! Yes/no values.
//!
//! Accepts, case-insensitively and ignoring surrounding whitespace:
//!
//! | true | false | where it comes from |
//! | --- | --- | --- |
//! | `t` | `f` | User.com's export (PostgreSQL text output) |
//! | `true` | `false` | JSON, most APIs |
//! | `yes` | `no` | Smart CRM, spreadsheets |
//! | `y` | `n` | Smart CRM |
//! | `1` | `0` | Customer.io, spreadsheets |
//! | `on` | `off` | HTML form checkboxes |
//!
//! Anything else is an error that quotes the value.

use crate::error::{NormaliseError, ValueKind};

/// What [`parse_bool`] accepts, for messages.
const ACCEPTED: &str = "expected one of t/f, true/false, yes/no, y/n, 1/0, on/off";

/// Reads a yes/no value. An empty cell is an error; see [`parse_bool_opt`] for cells that
/// may be empty.
pub fn parse_bool(raw: &str) -> Result<bool, NormaliseError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(NormaliseError::new(
            ValueKind::Boolean,
            raw,
            format!("the cell is empty; {ACCEPTED}"),
        ));
    }
    // Every accepted word is ASCII and at most five bytes long; anything longer is refused
    // without allocating a lower-cased copy.
    if s.len() <= 5 {
        let lower = s.to_ascii_lowercase();
        match lower.as_str() {
            "t" | "true" | "yes" | "y" | "1" | "on" => return Ok(true),
            "f" | "false" | "no" | "n" | "0" | "off" => return Ok(false),
            _ => {}
        }
    }
    Err(NormaliseError::new(ValueKind::Boolean, raw, ACCEPTED))
}

/// Reads a yes/no value from a cell that may be empty: blank → `Ok(None)`.
pub fn parse_bool_opt(raw: &str) -> Result<Option<bool>, NormaliseError> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        parse_bool(raw).map(Some)
    }
}
