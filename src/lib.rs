//! # crm-migrate
//!
//! Moves a company's CRM data from one platform to another — every standard and custom
//! field, the links between records, the owners, the activity history with its original
//! timestamps — and proves it did so field by field, and can undo it.
//!
//! This facade re-exports the three crates:
//! - [`core`] (`crm-core`): canonical model, descriptors, `Source`/`Sink` traits, planner,
//!   engine, journal, reports;
//! - [`transform`] (`crm-transform`): normalisers, mapping, validation;
//! - [`connectors`] (`crm-connectors`): the platforms, each behind a feature.
//!
//! ```no_run
//! use crm_migrate::core::{engine::Engine, journal::SqliteJournal, CanonicalMapper};
//! use crm_migrate::connectors::{canonical::CanonicalSource, sandbox::SandboxSink, twenty};
//!
//! # async fn run() -> crm_migrate::core::Result<()> {
//! let source = CanonicalSource::open("sample/")?;
//! let mapper = CanonicalMapper::new(["company", "person", "opportunity", "task", "note"]);
//! let sink = SandboxSink::open("sandbox.sqlite", twenty::twenty_standard_model())?;
//! let journal = SqliteJournal::open("state/")?;
//! let summary = Engine::new(&source, &mapper, &sink, &journal).run().await?;
//! assert!(summary.balanced());
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub use crm_connectors as connectors;
pub use crm_core as core;
pub use crm_transform as transform;
