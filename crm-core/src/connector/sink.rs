//! [`Sink`]: writes canonical records to a destination, reads them back, finds and deletes them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::capability::SinkCapabilities;
use super::outcome::{DeleteOutcome, WriteOutcome};
use super::schema::{SchemaChange, SchemaOutcome};
use crate::descriptor::DataModel;
use crate::model::{Fields, SourceKey};
use crate::Result;

/// Whether a write creates a record or updates one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum WriteOp {
    /// Create a record. With `merge_on`, a record sharing that unique field's value is
    /// updated instead (needs [`SinkCapabilities::upsert`]).
    Create {
        /// Unique field to merge on, if any.
        merge_on: Option<String>,
    },
    /// Update the record with this id: set the given fields; `Value::Null` clears one.
    Update {
        /// Destination id.
        id: String,
    },
}

/// One record to write: references already resolved to destination ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WriteRecord {
    /// The source record (the sink stores it so [`Lookup::SourceKey`] can find the record).
    pub key: SourceKey,
    /// Create or update.
    pub op: WriteOp,
    /// Original creation time, kept where the sink can.
    pub created_at: Option<DateTime<Utc>>,
    /// Original update time.
    pub updated_at: Option<DateTime<Utc>>,
    /// Fields to write.
    pub fields: Fields,
}

/// How to find a record that may already be in the destination.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Lookup {
    /// The record written for this source record (recovery after an ambiguous failure).
    SourceKey(SourceKey),
    /// A record whose `field` equals `value`, compared case-insensitively (email, domain,
    /// name): matching owners and pre-existing records.
    Field {
        /// Field name.
        field: String,
        /// Value.
        value: String,
    },
}

/// A record as read back from the destination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadBack {
    /// Destination id.
    pub id: String,
    /// Creation time as stored.
    pub created_at: Option<DateTime<Utc>>,
    /// Fields as stored, in canonical terms.
    pub fields: Fields,
}

/// A platform to write to.
///
/// Every write is a batch and reports one [`WriteOutcome`] per input record, in order: a
/// bad record is rejected on its own and the rest of the batch lands. A `write_batch` that
/// returns `Err` may or may not have been applied (a timeout after the server committed);
/// the engine then finds out through [`Sink::lookup`] before writing again, so a sink must be
/// able to find a record by the source key it was written with.
#[async_trait]
pub trait Sink: Send + Sync {
    /// Connector name (`sandbox`, `twenty`, …).
    fn name(&self) -> &str;

    /// What this sink can do.
    fn capabilities(&self) -> SinkCapabilities;

    /// Checks the destination can be reached and the credentials work.
    async fn check(&self) -> Result<()>;

    /// The destination's data model, read live where the platform allows.
    async fn data_model(&self) -> Result<DataModel>;

    /// Writes a batch of records of `object`; one outcome per record, in order.
    async fn write_batch(&self, object: &str, batch: &[WriteRecord]) -> Result<Vec<WriteOutcome>>;

    /// Reads records of `object` by id; `None` for an id that is not there.
    async fn read(&self, object: &str, ids: &[String]) -> Result<Vec<Option<ReadBack>>>;

    /// Finds records of `object`; one answer per lookup, in order.
    async fn lookup(&self, object: &str, lookups: &[Lookup]) -> Result<Vec<Option<String>>>;

    /// Deletes records of `object` by id (permanently where the platform can).
    async fn delete(&self, object: &str, ids: &[String]) -> Result<Vec<DeleteOutcome>>;

    /// Makes schema changes (custom fields, select options); one outcome per change. The
    /// engine sends only what [`DataModel::missing`] says the live model lacks. Sinks that
    /// cannot change a schema keep this default, and a mapping that needs changes fails
    /// with [`crate::ErrorKind::Unsupported`] before any record moves.
    async fn apply_schema(&self, changes: &[SchemaChange]) -> Result<Vec<SchemaOutcome>> {
        Err(crate::Error::unsupported(format!(
            "the {} destination cannot make schema changes ({} needed)",
            self.name(),
            changes.len()
        )))
    }

    /// One page of the records of `object` that carry a source key (records this tool
    /// wrote): `(source key, destination id)`, and the cursor of the next page. A first run
    /// reads them all once, so that records a run whose state directory was lost wrote are
    /// adopted instead of created again, at one request per page instead of one lookup
    /// per batch. `Ok(None)`: this sink cannot list them (the engine then asks
    /// [`Sink::lookup`] batch by batch).
    async fn source_key_page(
        &self,
        object: &str,
        cursor: Option<String>,
    ) -> Result<Option<super::source::Page<(SourceKey, String)>>> {
        let _ = (object, cursor);
        Ok(None)
    }

    /// What this sink found out about the destination when it was checked (its version,
    /// limits, side effects), as JSON for the run's `capabilities.json`; `None` when it has
    /// nothing to say.
    fn findings(&self) -> Option<serde_json::Value> {
        None
    }

    /// What a person should know before anything is written to this destination (for
    /// example automations that fire on every record created), each in words a person
    /// acts on. Read after [`Sink::check`].
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }

    /// Removes the fields the sink made on its own to do its work (not from the mapping:
    /// Twenty's source-key field), once the records are gone; returns what it removed, one
    /// line each. A rollback with schema removal calls it last.
    async fn remove_own_fields(&self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }

    /// Removes a change this tool made (rollback with schema removal).
    async fn revert_schema(&self, change: &SchemaChange) -> Result<()> {
        Err(crate::Error::unsupported(format!(
            "the {} destination cannot remove {}",
            self.name(),
            change.describe()
        )))
    }

    /// Every record of `object` with a value in the unique field `field`, as `(value, id)`,
    /// the value normalised the way [`Lookup::Field`] compares it (emails lower-cased and
    /// trimmed, domains normalised), read in one paged pass (a prescan of existing unique keys,
    /// instead of lookups per batch). `Ok(None)` (the default): not supported, look them up.
    async fn list_unique_values(
        &self,
        object: &str,
        field: &str,
    ) -> Result<Option<Vec<(String, String)>>> {
        let _ = (object, field);
        Ok(None)
    }
}
