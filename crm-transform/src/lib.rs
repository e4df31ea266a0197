//! crm-transform: what happens to a record between reading it from a source and writing it
//! to a destination.
//!
//! - [`normalise`]: pure functions that read the values CRM exports hold — `t`/`f`
//!   booleans, PostgreSQL `{a,b}` choice arrays, every date format the exports use, JSON in
//!   a cell, emails, phones, URLs, money, text limits, legacy file encodings — into
//!   canonical values, or refuse them with a [`NormaliseError`] a person can act on.
//! - [`error`]: that error type.
//!
//! The mapping spec and its proposer, and validation against a destination's descriptor,
//! live in their own modules beside these.

#![deny(missing_docs)]

pub mod error;
pub mod normalise;

pub use error::{NormaliseError, ValueKind};
