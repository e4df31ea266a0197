//! Discovery: what a source holds — objects, counts, and for every field its inferred type,
//! fill and duplicate rates and a few samples — as the proposer's input and a person's
//! first look at the data (`discovery.json`, `discovery.md`).
//!
//! [`discover`] reads a source once, in bounded memory ([`ObjectProfiler`] keeps fixed-size
//! counters per field); `infer.rs` says what each value could be and which type a field is;
//! [`Discovery::to_markdown`] and [`Discovery::write`] render the result.

mod infer;
mod profile;
mod render;
#[cfg(test)]
mod tests;
mod types;

pub use profile::{
    discover, ObjectProfiler, DISTINCT_CAP, SAMPLES, SAMPLE_CHARS, TOP_CAP, VALUES_LISTED,
};
pub use types::{Discovery, FieldProfile, InferredType, ObjectProfile};
