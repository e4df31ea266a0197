//! Data-model descriptors: what objects and fields a destination has, and their rules.
//!
//! A destination declares its model once; the planner (load order), the validator (rules),
//! the mapper (what fields exist) and the sandbox (enforcement) all read the same
//! [`DataModel`].

mod field;
mod object;

pub use field::{match_values, FieldDescriptor, FieldType, Reference};
pub use object::{DataModel, ObjectDescriptor};
