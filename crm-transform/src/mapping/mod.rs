//! The mapping: a TOML document a person reads, edits and confirms ([`MappingSpec`]), the
//! gate that refuses an unconfirmed one ([`Confirmation`]), and its application to raw
//! records ([`SpecMapper`], a [`crm_core::RecordMapper`]).

mod apply;
mod confirm;
mod render;
mod schema;
mod spec;

pub use apply::SpecMapper;
pub use confirm::Confirmation;
pub use spec::{
    AmbiguousRule, Condition, CustomField, CustomFieldType, CustomObject, DateOrderRule,
    FieldMapping, MappingSpec, Meta, ObjectMapping, OnError, OrphanRule, Policies, Transform,
};
