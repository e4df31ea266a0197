//! Discovery: what a source holds — objects, counts, and for every field its inferred type,
//! fill and duplicate rates and a few samples — as the proposer's input and a person's
//! first look at the data (`discovery.json`, `discovery.md`).

mod types;

pub use types::{Discovery, FieldProfile, InferredType, ObjectProfile};
