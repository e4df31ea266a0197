//! Table and property tests for the normalisers, one module per normaliser.

mod boolean;
mod choice;
mod damaged_cells;
mod datetime;
mod email;
mod encoding;
mod json;
mod money;
mod phone;
mod text;
mod url;

use crm_transform::NormaliseError;

/// Asserts that `r` failed and that its message quotes `value`.
#[track_caller]
pub fn assert_quotes<T: std::fmt::Debug>(r: Result<T, NormaliseError>, value: &str) {
    match r {
        Ok(v) => panic!("expected an error for {value:?}, got {v:?}"),
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains(&format!(
                    "\"{}\"",
                    value.replace('\\', "\\\\").replace('"', "\\\"")
                )),
                "message {msg:?} does not quote {value:?}"
            );
            assert!(!e.reason.is_empty());
        }
    }
}
