//! Plain data the journal stores and returns.

use serde::{Deserialize, Serialize};

use crate::connector::WriteRecord;
use crate::model::{Fields, Record, SourceKey, Value};

/// How a source record ended, per object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A new destination record.
    Created,
    /// An existing destination record (from an earlier run) updated.
    Updated,
    /// Merged into another record (a duplicate in the source, or a record that already
    /// existed in the destination).
    Merged,
    /// Already in the destination, carrying this migration's source key (written by an
    /// earlier run whose state directory is gone): mapped, not created again, and removed
    /// by a rollback like a record this run created.
    Adopted,
    /// Refused, with a reason.
    Rejected,
    /// Waiting for a person's decision.
    Queued,
    /// Deliberately not migrated, or unchanged since the last run.
    Skipped,
}

impl Outcome {
    /// Lower-case name, as stored and reported.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Merged => "merged",
            Outcome::Adopted => "adopted",
            Outcome::Rejected => "rejected",
            Outcome::Queued => "queued",
            Outcome::Skipped => "skipped",
        }
    }

    /// Parses [`Outcome::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "created" => Outcome::Created,
            "updated" => Outcome::Updated,
            "merged" => Outcome::Merged,
            "adopted" => Outcome::Adopted,
            "rejected" => Outcome::Rejected,
            "queued" => Outcome::Queued,
            "skipped" => Outcome::Skipped,
            _ => return None,
        })
    }
}

/// Per-object reconciliation counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counts {
    /// Source records routed into the object.
    pub source: u64,
    /// Created.
    pub created: u64,
    /// Updated.
    pub updated: u64,
    /// Merged.
    pub merged: u64,
    /// Adopted: already in the destination with this migration's source key.
    pub adopted: u64,
    /// Rejected.
    pub rejected: u64,
    /// Queued for review.
    pub queued: u64,
    /// Skipped.
    pub skipped: u64,
    /// Values left out of records that loaded (a bad value costs its field, not the
    /// record); not part of the identity, each is a field-level line in `rejects.csv`.
    pub values_dropped: u64,
    /// Optional links a loaded record is still missing (the target was not found); each is a
    /// line in `review_queue.csv`, and a later delta run makes it once the target exists.
    pub links_not_made: u64,
}

impl Counts {
    /// Sum of the outcomes.
    pub fn accounted(&self) -> u64 {
        self.created
            + self.updated
            + self.merged
            + self.adopted
            + self.rejected
            + self.queued
            + self.skipped
    }

    /// Whether every source record has an outcome: `source == accounted`.
    pub fn balanced(&self) -> bool {
        self.source == self.accounted()
    }

    /// Adds one outcome.
    pub fn add(&mut self, outcome: Outcome, n: u64) {
        match outcome {
            Outcome::Created => self.created += n,
            Outcome::Updated => self.updated += n,
            Outcome::Merged => self.merged += n,
            Outcome::Adopted => self.adopted += n,
            Outcome::Rejected => self.rejected += n,
            Outcome::Queued => self.queued += n,
            Outcome::Skipped => self.skipped += n,
        }
    }
}

/// A full run or a delta re-run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunMode {
    /// Load everything.
    Full,
    /// Re-read the source after a finished run: create new, update changed, skip unchanged.
    Delta,
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Started, not finished (crashed or still going).
    Running,
    /// Finished.
    Finished,
    /// Undone by a rollback.
    RolledBack,
}

/// A run as the journal knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    /// Run number.
    pub id: i64,
    /// How many times it was started (1 on the first attempt, more after resumes).
    pub attempt: i64,
    /// Whether this start resumed an unfinished run.
    pub resumed: bool,
    /// Full or delta.
    pub mode: RunMode,
    /// Status.
    pub status: RunStatus,
    /// Mapping/plan checksum.
    pub checksum: String,
    /// When it was first started (RFC 3339).
    pub started: String,
}

/// How to undo one write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "undo", rename_all = "snake_case")]
pub enum Undo {
    /// Delete the record this run created.
    Delete,
    /// Put these field values back (fields absent from the map are cleared).
    Restore {
        /// The before-image.
        before: Fields,
        /// Fields the write touched (those absent from `before` are cleared on restore).
        touched: Vec<String>,
    },
}

/// What undoing one write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UndoHow {
    /// The record was deleted.
    Deleted,
    /// The record was already gone.
    AlreadyGone,
    /// The record's before-image was put back.
    Restored,
    /// It could not be undone (the reason says why); a person must look.
    Failed,
    /// Nothing to do: a later entry deletes the record it would have restored.
    Superseded,
}

impl UndoHow {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            UndoHow::Deleted => "deleted",
            UndoHow::AlreadyGone => "already_gone",
            UndoHow::Restored => "restored",
            UndoHow::Failed => "failed",
            UndoHow::Superseded => "superseded",
        }
    }

    /// Parses [`UndoHow::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "deleted" => UndoHow::Deleted,
            "already_gone" => UndoHow::AlreadyGone,
            "restored" => UndoHow::Restored,
            "failed" => UndoHow::Failed,
            "superseded" => UndoHow::Superseded,
            _ => return None,
        })
    }
}

/// One write undone (or not), as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndoResult {
    /// What happened.
    pub how: UndoHow,
    /// Object.
    pub object: String,
    /// Destination id.
    pub dest_id: String,
    /// Why it failed.
    pub reason: Option<String>,
}

/// An undo-log entry.
#[derive(Debug, Clone, PartialEq)]
pub struct UndoEntry {
    /// Order of the original write (undo goes newest first).
    pub seq: i64,
    /// Object.
    pub object: String,
    /// Destination id.
    pub dest_id: String,
    /// What to do.
    pub action: Undo,
}

/// A write about to be sent, as recorded in flight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingWrite {
    /// The write.
    pub write: WriteRecord,
    /// Content hash of the source record.
    pub hash: String,
    /// What it will be if it lands: created, updated or merged.
    pub intent: Outcome,
    /// Before-image read before the write (updates and merges).
    pub before: Option<Fields>,
    /// Content values to index once written (`("email", "a@x.io")`).
    pub refs: Vec<(String, String)>,
    /// Reference fields left out of the write, to patch after all phases.
    #[serde(default)]
    pub deferred: Vec<(String, Value)>,
    /// A remark to keep with the outcome (a link dropped under the orphan policy).
    #[serde(default)]
    pub note: Option<String>,
    /// Optional links left out because their target was not found (recorded with the
    /// outcome as [`NoticeKind::LinkNotMade`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unlinked: Vec<Notice>,
}

/// What a field-level notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A value that could not be read or validated was left out; the record loaded.
    ValueDropped,
    /// An optional link was not made (its target was not found); the record loaded.
    LinkNotMade,
}

impl NoticeKind {
    /// The name stored in the journal and the reports.
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::ValueDropped => "value_dropped",
            NoticeKind::LinkNotMade => "link_not_made",
        }
    }

    /// Parses [`NoticeKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "value_dropped" => Some(NoticeKind::ValueDropped),
            "link_not_made" => Some(NoticeKind::LinkNotMade),
            _ => None,
        }
    }
}

/// A field-level fact about a record that otherwise loaded: a value left out, a link not
/// made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// What it is about.
    pub kind: NoticeKind,
    /// The field (source field for dropped values, destination field for links).
    pub field: String,
    /// The raw value (or the reference that was not found).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Why, in words a person can act on.
    pub reason: String,
}

impl Notice {
    /// A notice of `kind` on `field`.
    pub fn new(
        kind: NoticeKind,
        field: impl Into<String>,
        value: Option<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            field: field.into(),
            value,
            reason: reason.into(),
        }
    }
}

/// A notice as reported: which record of which object it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeRow {
    /// Object (phase).
    pub object: String,
    /// The source record.
    pub key: SourceKey,
    /// The notice.
    pub notice: Notice,
}

/// A batch recorded in flight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InFlight {
    /// Object (phase).
    pub phase: String,
    /// Batch id, unique within the run.
    pub batch: String,
    /// The writes.
    pub writes: Vec<PendingWrite>,
}

/// One recorded outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Settled {
    /// The source record.
    pub key: SourceKey,
    /// How it ended.
    pub outcome: Outcome,
    /// Destination object and id (created, updated, merged into a known id).
    pub dest: Option<(String, String)>,
    /// Content hash (for delta runs).
    pub hash: Option<String>,
    /// Fields written (for verification).
    pub written: Fields,
    /// How to undo the write, if one was made.
    pub undo: Option<Undo>,
    /// Content values to index (`("email", "a@x.io")`).
    pub refs: Vec<(String, String)>,
    /// Field at fault (rejects, queue).
    pub field: Option<String>,
    /// Offending value.
    pub value: Option<String>,
    /// Reason.
    pub reason: Option<String>,
    /// For a merge whose survivor is not written yet: the survivor, and the duplicate's
    /// record (to fill the survivor's blanks afterwards).
    pub merged_into: Option<(SourceKey, Record)>,
    /// Reference fields left out of the write, to patch after all phases.
    pub deferred: Vec<(String, Value)>,
    /// Found by reconciling a batch an earlier attempt left in flight (so the current
    /// attempt's read of the same record is not taken for a duplicate).
    pub reconciled: bool,
    /// Field-level notices recorded with the outcome (links not made).
    pub notices: Vec<Notice>,
}

impl Settled {
    /// An outcome with no write.
    pub fn bare(key: SourceKey, outcome: Outcome) -> Self {
        Self {
            key,
            outcome,
            dest: None,
            hash: None,
            written: Fields::new(),
            undo: None,
            refs: Vec::new(),
            field: None,
            value: None,
            reason: None,
            merged_into: None,
            deferred: Vec::new(),
            reconciled: false,
            notices: Vec::new(),
        }
    }

    /// A reject/queue/skip with its reason.
    pub fn with_reason(
        key: SourceKey,
        outcome: Outcome,
        field: Option<String>,
        value: Option<String>,
        reason: impl Into<String>,
    ) -> Self {
        let mut s = Self::bare(key, outcome);
        s.field = field;
        s.value = value;
        s.reason = Some(reason.into());
        s
    }
}

/// An outcome row as reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeRow {
    /// Object (phase).
    pub object: String,
    /// The source record.
    pub key: SourceKey,
    /// How it ended.
    pub outcome: Outcome,
    /// Destination id, if any.
    pub dest_id: Option<String>,
    /// Field at fault.
    pub field: Option<String>,
    /// Offending value.
    pub value: Option<String>,
    /// Reason.
    pub reason: Option<String>,
    /// Survivor of a merge still waiting, and the duplicate's record.
    #[serde(skip)]
    pub merged_into: Option<(SourceKey, Record)>,
    /// Content hash of the source record, as read.
    #[serde(skip)]
    pub hash: Option<String>,
}

/// An id-map entry: where a source record landed and what was written.
#[derive(Debug, Clone, PartialEq)]
pub struct IdEntry {
    /// The source record.
    pub key: SourceKey,
    /// Destination object.
    pub object: String,
    /// Destination id.
    pub dest_id: String,
    /// Content hash at the last write.
    pub hash: String,
    /// Fields written, as sent.
    pub written: Fields,
    /// Created, updated or merged.
    pub origin: Outcome,
}

/// A reference field left empty on create, to patch after all phases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deferred {
    /// Object holding the field.
    pub object: String,
    /// The record holding the field.
    pub key: SourceKey,
    /// The field.
    pub field: String,
    /// The unresolved value (`Value::Ref` or `Value::Refs`).
    pub value: Value,
}
