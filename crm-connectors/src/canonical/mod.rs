//! The canonical staging format: one JSON Lines file per canonical object
//! (`company.jsonl`, `person.jsonl`, …), each line a serialised [`crm_core::Record`].
//!
//! It is the "bring your own extract" source — anything that can write canonical records
//! can be migrated — and the format of the bundled sample ([`sample`]). Read it with
//! [`crm_core::CanonicalMapper`].

mod sample;
mod source;

pub use sample::{generate, SampleSummary, MEMBERS_FILE};
pub use source::{CanonicalSource, CANONICAL_SCHEME};
