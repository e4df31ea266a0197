//! The journal (state store): everything a run must remember to resume, verify, re-run
//! and roll back.
//!
//! It behaves like a database migrator: one process at a time per state directory (a lock
//! file), a checksum of the mapping and plan stored with the run (a resume under a
//! different one is refused), every batch marked *in flight* with its full content before it
//! is sent, and every apply paired with its revert in the undo log (the created id to
//! delete, or the before-image to restore).
//!
//! [`SqliteJournal`] is the default: a SQLite file in the state directory, or an in-memory
//! database for tests and dry runs.

mod sqlite;
mod sqlite_notices;
mod sqlite_rows;
mod types;

pub use sqlite::SqliteJournal;
pub use types::{
    Counts, Deferred, IdEntry, InFlight, Notice, NoticeKind, NoticeRow, Outcome, OutcomeRow,
    PendingWrite, RunInfo, RunMode, RunStatus, Settled, Undo, UndoEntry, UndoHow, UndoResult,
};

use crate::model::{Fields, SourceKey, Value};
use crate::Result;

/// The state store the engine, verify and rollback read and write.
///
/// Calls are synchronous and local (an embedded database); every method that records
/// several facts records them atomically.
pub trait Journal: Send + Sync {
    /// Starts a run with the mapping/plan `checksum`, or resumes the unfinished one.
    ///
    /// Fails when an unfinished run has a different checksum, or when a finished run is
    /// followed by a full (non-delta) run without a rollback.
    fn begin_run(&self, checksum: &str, mode: RunMode, plan: &str) -> Result<RunInfo>;

    /// Marks the run finished.
    fn finish_run(&self, run: i64) -> Result<()>;

    /// The newest run, if any.
    fn last_run(&self) -> Result<Option<RunInfo>>;

    /// Whether `phase` of `run` is complete.
    fn phase_done(&self, run: i64, phase: &str) -> Result<bool>;

    /// Marks `phase` complete, with the number of source records routed into it.
    fn finish_phase(&self, run: i64, phase: &str, source_count: u64) -> Result<()>;

    /// The outcome already recorded for `key` in `phase` of `run`, and the attempt that
    /// recorded it.
    fn outcome(&self, run: i64, phase: &str, key: &SourceKey) -> Result<Option<(Outcome, i64)>>;

    /// The id-map entry of `key` (any run that was not rolled back).
    fn id_entry(&self, key: &SourceKey) -> Result<Option<IdEntry>>;

    /// Where the record `key` landed, `(object, destination id)`: [`Journal::id_entry`]
    /// without the fields it wrote (what resolving a reference needs, read for every link).
    fn dest_of(&self, key: &SourceKey) -> Result<Option<(String, String)>> {
        Ok(self.id_entry(key)?.map(|e| (e.object, e.dest_id)))
    }

    /// A destination id found by content (`kind` = email/domain/name) for `object`, and
    /// whether more than one record holds that value (the id is then the first one's).
    fn find_ref(&self, object: &str, kind: &str, value: &str) -> Result<Option<(String, bool)>>;

    /// Remembers a destination id found by content (e.g. a workspace member by email).
    fn remember_ref(&self, object: &str, kind: &str, value: &str, id: &str) -> Result<()>;

    /// Claims dedupe values of `object` within `run`, in order, in one transaction: each
    /// `(value, key)` gets the key that already holds the value, if another one does (so
    /// the first of several duplicates in one batch holds it).
    fn claim_many(
        &self,
        run: i64,
        object: &str,
        claims: &[(String, SourceKey)],
    ) -> Result<Vec<Option<SourceKey>>>;

    /// Records a batch as in flight (before it is sent) together with outcomes that need
    /// no write (merges, skips, rejects found while preparing it).
    fn start_batch(
        &self,
        run: i64,
        phase: &str,
        batch: &InFlight,
        settled: &[Settled],
    ) -> Result<()>;

    /// Records outcomes (and clears the in-flight batch `batch`, if given), atomically.
    fn settle(&self, run: i64, phase: &str, batch: Option<&str>, settled: &[Settled])
        -> Result<()>;

    /// Batches left in flight by an interrupted attempt.
    fn in_flight(&self, run: i64) -> Result<Vec<InFlight>>;

    /// Records a reference field to patch after all phases.
    fn defer(&self, run: i64, deferred: &Deferred) -> Result<()>;

    /// Deferred references not yet patched, up to `limit`.
    fn pending_deferred(&self, run: i64, limit: usize) -> Result<Vec<Deferred>>;

    /// Marks a deferred reference patched (or given up, with a reason).
    fn finish_deferred(&self, run: i64, d: &Deferred, problem: Option<&str>) -> Result<()>;

    /// Merged outcomes of `phase` still waiting for their survivor's id.
    fn pending_merges(&self, run: i64, phase: &str, limit: usize) -> Result<Vec<OutcomeRow>>;

    /// Adds fields written to an existing id-map entry (a fill-blanks merge).
    fn add_written(&self, key: &SourceKey, fields: &Fields) -> Result<()>;

    /// Outcome counts per object for `run`, in first-seen order.
    fn counts(&self, run: i64) -> Result<Vec<(String, Counts)>>;

    /// Records field-level notices (values left out of records that still load), each once
    /// per `(run, phase, record, kind, field)`: recording again after a resume changes
    /// nothing.
    fn record_notices(&self, run: i64, phase: &str, notices: &[(SourceKey, Notice)]) -> Result<()>;

    /// Notices of `kind` recorded in `run`, in order.
    fn notices(&self, run: i64, kind: NoticeKind) -> Result<Vec<NoticeRow>>;

    /// Whether the record `key` of `object` still misses a link an earlier run could not
    /// make (so a delta run must not skip it as unchanged).
    fn has_open_links(&self, object: &str, key: &SourceKey) -> Result<bool>;

    /// Rows per source object (export file) for `run`: each source record counted once,
    /// under the outcome that describes it best across the objects it was routed to
    /// (loaded beats rejected beats queued beats skipped), so each file's total equals its
    /// exported rows.
    fn source_rows(&self, run: i64) -> Result<Vec<(String, Counts)>>;

    /// Outcome rows of `run` of one kind (rejects, queued, skipped), in order.
    fn rows(&self, run: i64, outcome: Outcome) -> Result<Vec<OutcomeRow>>;

    /// The rows [`Journal::rows`] returns, handed to `each` one at a time and in the same
    /// order, so a report over millions of rows holds one of them at a time. `each` must not
    /// call the journal (an implementation may hold its lock meanwhile). The default
    /// collects [`Journal::rows`]; the SQLite journal streams.
    fn each_row(
        &self,
        run: i64,
        outcome: Outcome,
        each: &mut dyn FnMut(OutcomeRow) -> Result<()>,
    ) -> Result<()> {
        self.rows(run, outcome)?.into_iter().try_for_each(each)
    }

    /// The notices [`Journal::notices`] returns, handed to `each` one at a time and in the
    /// same order (see [`Journal::each_row`]).
    fn each_notice(
        &self,
        run: i64,
        kind: NoticeKind,
        each: &mut dyn FnMut(NoticeRow) -> Result<()>,
    ) -> Result<()> {
        self.notices(run, kind)?.into_iter().try_for_each(each)
    }

    /// Problems left by the patch step.
    fn link_problems(&self, run: i64) -> Result<Vec<(Deferred, String)>>;

    /// Id-map entries after `after` (by rowid), up to `limit`, for verification.
    fn id_entries(&self, after: i64, limit: usize) -> Result<Vec<(i64, IdEntry)>>;

    /// Records how to undo a write *before* it is sent (the link patch and the fill-blanks
    /// of a merge change records that may predate the migration).
    fn record_undo(&self, run: i64, object: &str, dest_id: &str, undo: &Undo) -> Result<()>;

    /// Records a schema change this run made in the destination.
    fn record_schema(&self, run: i64, change: &crate::connector::SchemaChange) -> Result<()>;

    /// Schema changes made and not reverted, newest first: `(seq, change)`.
    fn schema_changes(&self) -> Result<Vec<(i64, crate::connector::SchemaChange)>>;

    /// Marks a schema change reverted.
    fn schema_reverted(&self, seq: i64) -> Result<()>;

    /// Undo entries not yet undone, newest first, up to `limit`.
    fn pending_undo(&self, limit: usize) -> Result<Vec<UndoEntry>>;

    /// Records what undoing one write did (`seq` 0 for a write that was only in flight) and,
    /// for an undo-log entry, marks it done, atomically. A rollback's report is the tally
    /// of these over all its attempts.
    fn record_undo_result(&self, seq: i64, result: &UndoResult) -> Result<()>;

    /// Remembers records of `object` found in the destination with a source key.
    fn remember_keys(&self, object: &str, keys: &[(SourceKey, String)]) -> Result<()>;

    /// The destination id of a record of `object` found with source key `key`, if any.
    fn known_key(&self, object: &str, key: &SourceKey) -> Result<Option<String>>;

    /// Marks the destination's source keys of `object` read in full for `run`, or (with
    /// `done` false) asks whether they were.
    fn keys_scanned(&self, run: i64, object: &str, done: bool) -> Result<bool>;

    /// Whether the undo log also deletes the record `dest_id` of `object` (a record the
    /// runs created): restoring an earlier image of it first would be wasted.
    fn undo_deletes(&self, object: &str, dest_id: &str) -> Result<bool>;

    /// Every undo result since the last run started, in order.
    fn undo_results(&self) -> Result<Vec<UndoResult>>;

    /// After every undo entry is done: forgets the id map so the data can be migrated again,
    /// and marks the runs rolled back.
    fn finish_rollback(&self) -> Result<()>;

    /// The value written for `field` of the record `key`, as recorded in the id map.
    fn written_value(&self, key: &SourceKey, field: &str) -> Result<Option<Value>> {
        Ok(self
            .id_entry(key)?
            .and_then(|e| e.written.get(field).cloned()))
    }
}
