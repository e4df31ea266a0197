//! # crm-core
//!
//! The part of crm-migrate every connector and tool stands on: the canonical model, the
//! data-model descriptors, the [`Source`]/[`Sink`] traits, the planner, the engine, the
//! journal and the reports.
//!
//! ## Why a journal
//!
//! A migration writes to a system we do not control, over a network that fails. Every
//! write is therefore recorded in a durable journal ([`journal`]) *before* it is sent (the
//! batch is marked in flight, with the before-image of anything it will change) and its
//! outcome is recorded *before* the next batch is acknowledged. That one discipline gives:
//! resume after a crash without duplicates (in-flight batches are reconciled through the
//! sink's lookup by source key), delta re-runs (content hashes in the id map), rollback
//! (the undo log, replayed in reverse), verification (the fields written, compared with what
//! the destination gives back) and a report whose counts add up (every source record has
//! exactly one recorded outcome per object).
//!
//! ## Why a graph
//!
//! Records point at each other: people at companies, opportunities at both, activities at
//! anything. A record can only point at one that already exists in the destination, so
//! objects are loaded in the topological order of their references ([`plan`]). A cycle is
//! broken at a reference the destination lets us leave empty; that link is patched after
//! everything is loaded.
//!
//! ## Data flow
//!
//! ```text
//! Source ──raw──▶ RecordMapper ──canonical──▶ resolve refs ──▶ dedupe/merge ──▶ Sink
//!                                                              └──▶ Journal (outcome, ids, undo)
//! ```
#![deny(missing_docs)]
#![warn(unreachable_pub)]

pub mod connector;
pub mod descriptor;
pub mod engine;
pub mod error;
pub mod journal;
pub mod memory;
pub mod model;
pub mod plan;
pub mod report;
#[cfg(feature = "testkit")]
#[cfg_attr(docsrs, doc(cfg(feature = "testkit")))]
pub mod testkit;

pub use connector::{
    CanonicalMapper, DeleteOutcome, Lookup, Mapped, Page, RawRecord, ReadBack, RecordMapper,
    Reject, Route, SchemaChange, SchemaOutcome, Sink, SinkCapabilities, Source, SourceExt, WriteOp,
    WriteOutcome, WriteRecord,
};
pub use descriptor::{DataModel, FieldDescriptor, FieldType, ObjectDescriptor, Reference};
pub use error::{Error, ErrorContext, ErrorKind, Result, RetryStatus};
pub use model::{
    Activity, ActivityKind, Address, Company, Fields, Opportunity, Person, Phone, Record, RecordId,
    Ref, SourceKey, User, Value,
};
