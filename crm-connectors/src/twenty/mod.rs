//! Twenty CRM (<https://twenty.com>) as a destination.
//!
//! Twenty's standard data model ([`twenty_standard_model`]) has no HTTP dependencies and is
//! always compiled so the sandbox can enforce Twenty's rules offline. The HTTP sink
//! ([`TwentySink`], feature `twenty`) reads the live model from the server's metadata.
//!
//! Files: `descriptor.rs` (static model), `config.rs`, `client.rs` (REST calls and
//! `parse_error`), `meta.rs` (metadata → model), `encode.rs` (canonical ↔ Twenty JSON),
//! `write.rs` (batch create with bisection, updates, targets), `sink.rs`, `capabilities.rs`
//! (what the server at hand does, probed at `check`).
#![cfg_attr(feature = "twenty", doc = include_str!("docs.md"))]

mod descriptor;

pub use descriptor::{
    twenty_field_name, twenty_standard_model, twenty_v2_standard_model, IDEAL_CUSTOMER_PROFILE,
    OPPORTUNITY_STAGES, TASK_STATUSES, TWENTY_FIELD_NAMES, TWENTY_OBJECT_NAMES,
    TWENTY_RESERVED_NAMES, TWENTY_V1_ONLY_FIELDS, X_LINK,
};

#[cfg(feature = "twenty")]
mod capabilities;
#[cfg(feature = "twenty")]
pub mod client;
#[cfg(feature = "twenty")]
pub mod config;
#[cfg(all(test, feature = "twenty"))]
mod conformance_tests;
#[cfg(feature = "emulators")]
pub mod emulator;
#[cfg(feature = "twenty")]
mod encode;
#[cfg(feature = "twenty")]
mod meta;
#[cfg(feature = "twenty")]
mod schema;
#[cfg(feature = "twenty")]
mod schema_objects;
#[cfg(feature = "twenty")]
mod sink;
#[cfg(feature = "twenty")]
mod targets;
#[cfg(all(test, feature = "twenty"))]
mod tests;
#[cfg(feature = "twenty")]
mod write;

#[cfg(feature = "twenty")]
pub use capabilities::{ActiveWorkflow, ApiGeneration, TwentyCapabilities};
#[cfg(feature = "twenty")]
pub use client::{parse_error, TwentyClient};
#[cfg(feature = "twenty")]
pub use config::{TwentyConfig, TwentyDefaults};
#[cfg(feature = "twenty")]
pub use schema::option_value;
#[cfg(feature = "twenty")]
pub use sink::TwentySink;
