//! crm-transform: what happens to a record between reading it from a source and writing it
//! to a destination.
//!
//! - [`normalise`]: pure functions that read the values CRM exports hold — `t`/`f`
//!   booleans, PostgreSQL `{a,b}` choice arrays, every date format the exports use, JSON in
//!   a cell, emails, phones, URLs, money, text limits, legacy file encodings — into
//!   canonical values, or refuse them with a [`NormaliseError`] a person can act on.
//! - [`error`]: that error type.
//! - [`mapping`]: the mapping spec a person reads, edits and confirms, and [`SpecMapper`],
//!   which applies it to raw records.
//! - [`propose`]: proposes a mapping from a source's [`discover::Discovery`] and the
//!   destination's model ([`HeuristicAdvisor`], or any other [`MappingAdvisor`]).
//! - [`validate`]: checks a canonical record against the destination's descriptor.

#![deny(missing_docs)]

pub mod discover;
pub mod error;
pub mod mapping;
pub mod normalise;
pub mod propose;
pub mod validate;

pub use error::{NormaliseError, ValueKind};
pub use mapping::{MappingSpec, SpecMapper};
pub use propose::{HeuristicAdvisor, MappingAdvisor, Proposal, ProposalHints};
