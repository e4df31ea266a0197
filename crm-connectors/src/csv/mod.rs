//! A generic CSV source: a directory of `<object>.csv` files, one object per file, read in
//! pages of raw string cells — what every CSV export (User.com, Smart CRM, karmaCRM,
//! Customer.io) looks like before its own mapping.
//!
//! Files: `file.rs` (encoding detection and the decoded UTF-8 copy), `layout.rs` (delimiter
//! sniffing, header names, cursors), `rows.rs` (rows with their lines, and the quoting
//! check), `source.rs` ([`CsvSource`] and its [`crm_core::Source`] impl, damaged rows),
//! `tests.rs`, `fuzz.rs` (property tests).
//!
#![doc = include_str!("docs.md")]

mod file;
#[cfg(test)]
mod fuzz;
mod layout;
mod rows;
mod source;
#[cfg(test)]
mod tests;

pub use crm_transform::normalise::EncodingSource;
pub use file::CsvFileInfo;
pub use source::{CsvSource, PAGE_SIZE};
