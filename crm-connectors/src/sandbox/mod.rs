//! The sandbox destination: a SQLite database that enforces a destination's data model.
//!
//! Files: `store.rs` (schema and row access), `keys.rs` (value normalisation for the side
//! index), `enforce.rs` (the rules), `write.rs` (one record's create, update, merge or
//! delete), `sink.rs` ([`SandboxSink`] and its [`crm_core::Sink`] impl), `tests/`.
//!
#![doc = include_str!("docs.md")]

mod enforce;
mod keys;
mod sink;
mod store;
mod write;

#[cfg(test)]
mod tests;

pub use sink::SandboxSink;
