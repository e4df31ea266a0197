//! The traits a platform implements: [`Source`] to read, [`Sink`] to write, and
//! [`RecordMapper`] to turn a source's raw records into canonical ones.
//!
//! They are small and object-safe (`&dyn Source`, `&dyn Sink`), so a third party adds a
//! platform in its own crate without touching this one.

mod capability;
mod mapper;
mod outcome;
mod schema;
mod sink;
mod source;

pub use capability::SinkCapabilities;
pub use mapper::{CanonicalMapper, Mapped, RecordMapper, Reject, Route};
pub use outcome::{DeleteOutcome, WriteOutcome};
pub use schema::{SchemaChange, SchemaOutcome};
pub use sink::{Lookup, ReadBack, Sink, WriteOp, WriteRecord};
pub use source::{Page, RawRecord, Source, SourceExt, DAMAGED_FIELD};
