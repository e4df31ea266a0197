//! Rollback: replay the undo log newest first — delete what the runs created, restore
//! what they changed — and forget the id map so the data can be migrated again.
//!
//! Each undo entry is marked done as soon as it is applied, together with what it did, so
//! an interrupted rollback resumes where it stopped and its report counts every attempt.

use serde::Serialize;

use crate::connector::{DeleteOutcome, Lookup, Sink, WriteOp, WriteRecord};
use crate::journal::{Journal, Undo, UndoEntry, UndoHow, UndoResult};
use crate::model::{Fields, SourceKey, Value};
use crate::Result;

use super::progress::Progress;

/// What a rollback did, over all its attempts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RollbackReport {
    /// Records deleted.
    pub deleted: u64,
    /// Records already gone.
    pub already_gone: u64,
    /// Records restored to their before-image.
    pub restored: u64,
    /// Entries that could not be undone: object, id, reason.
    pub failed: Vec<(String, String, String)>,
    /// Schema changes removed (rollback with schema removal).
    pub schema_removed: Vec<String>,
    /// Whether every entry was undone and the journal reset.
    pub complete: bool,
}

impl RollbackReport {
    /// The tally of every undo recorded in `journal` (all attempts of this rollback).
    fn tally(journal: &dyn Journal) -> Result<Self> {
        let mut r = Self::default();
        for u in journal.undo_results()? {
            match u.how {
                UndoHow::Deleted => r.deleted += 1,
                UndoHow::AlreadyGone => r.already_gone += 1,
                UndoHow::Restored => r.restored += 1,
                UndoHow::Superseded => {}
                UndoHow::Failed => {
                    r.failed
                        .push((u.object, u.dest_id, u.reason.unwrap_or_default()))
                }
            }
        }
        Ok(r)
    }

    /// Whether everything the runs wrote was undone: complete, and nothing failed.
    pub fn clean(&self) -> bool {
        self.complete && self.failed.is_empty()
    }
}

fn result(how: UndoHow, object: &str, dest_id: &str, reason: Option<String>) -> UndoResult {
    UndoResult {
        how,
        object: object.to_string(),
        dest_id: dest_id.to_string(),
        reason,
    }
}

const PAGE: usize = 200;

/// Rolls back every run recorded in `journal`.
pub async fn rollback(
    sink: &dyn Sink,
    journal: &dyn Journal,
    progress: &dyn Progress,
) -> Result<RollbackReport> {
    let max = sink.capabilities().max_batch_size.max(1);
    undo_in_flight(sink, journal).await?;
    // Deletes refused in this attempt stay pending (a later attempt tries them again).
    let mut refused: Vec<(String, String, String)> = Vec::new();
    loop {
        let page = journal.pending_undo(PAGE)?;
        if page.is_empty() {
            break;
        }
        let mut stuck = false;
        let mut i = 0;
        while i < page.len() {
            // A run of deletes of one object goes as one batch (undo order is kept: the run
            // is contiguous in the log).
            let mut j = i + 1;
            if matches!(page[i].action, Undo::Delete) {
                while j < page.len()
                    && j - i < max
                    && matches!(page[j].action, Undo::Delete)
                    && page[j].object == page[i].object
                {
                    j += 1;
                }
            }
            let group = &page[i..j];
            match &group[0].action {
                Undo::Delete => {
                    let ids: Vec<String> = group.iter().map(|e| e.dest_id.clone()).collect();
                    let outcomes = sink.delete(&group[0].object, &ids).await?;
                    for (e, o) in group.iter().zip(outcomes) {
                        let how = match o {
                            DeleteOutcome::Deleted => UndoHow::Deleted,
                            DeleteOutcome::NotFound => UndoHow::AlreadyGone,
                            DeleteOutcome::Failed { reason } => {
                                refused.push((e.object.clone(), e.dest_id.clone(), reason));
                                stuck = true;
                                continue;
                            }
                        };
                        journal
                            .record_undo_result(e.seq, &result(how, &e.object, &e.dest_id, None))?;
                    }
                }
                Undo::Restore { before, touched } => {
                    let e = &group[0];
                    if journal.undo_deletes(&e.object, &e.dest_id)? {
                        // A record the runs created (a duplicate filled its blanks): it is
                        // deleted further down the log, so there is nothing to restore.
                        journal.record_undo_result(
                            e.seq,
                            &result(UndoHow::Superseded, &e.object, &e.dest_id, None),
                        )?;
                    } else {
                        // A record that cannot be restored (deleted by someone since) is
                        // reported, not retried for ever.
                        let r = restore_fields(sink, e, before, touched).await?;
                        journal.record_undo_result(e.seq, &r)?;
                    }
                }
            }
            progress.advanced(group.len() as u64);
            i = j;
        }
        if stuck {
            let mut report = RollbackReport::tally(journal)?;
            report.failed.extend(refused);
            return Ok(report);
        }
    }
    journal.finish_rollback()?;
    let mut report = RollbackReport::tally(journal)?;
    report.complete = true;
    Ok(report)
}

/// Rolls back every run, then removes the schema changes the runs made (newest first).
pub async fn rollback_with_schema(
    sink: &dyn Sink,
    journal: &dyn Journal,
    progress: &dyn Progress,
) -> Result<RollbackReport> {
    let mut report = rollback(sink, journal, progress).await?;
    if !report.complete {
        return Ok(report);
    }
    for (seq, change) in journal.schema_changes()? {
        sink.revert_schema(&change).await?;
        journal.schema_reverted(seq)?;
        report.schema_removed.push(change.describe());
    }
    report
        .schema_removed
        .extend(sink.remove_own_fields().await?);
    Ok(report)
}

/// Batches an interrupted run left in flight are the newest writes: whatever of them
/// landed (found by source key) is deleted, and their updates are put back, before the
/// undo log is replayed.
async fn undo_in_flight(sink: &dyn Sink, journal: &dyn Journal) -> Result<()> {
    let Some(run) = journal.last_run()? else {
        return Ok(());
    };
    for batch in journal.in_flight(run.id)? {
        let creates: Vec<Lookup> = batch
            .writes
            .iter()
            .filter(|w| matches!(w.write.op, WriteOp::Create { .. }))
            .map(|w| Lookup::SourceKey(w.write.key.clone()))
            .collect();
        let found: Vec<String> = sink
            .lookup(&batch.phase, &creates)
            .await?
            .into_iter()
            .flatten()
            .collect();
        if !found.is_empty() {
            for (id, o) in found.iter().zip(sink.delete(&batch.phase, &found).await?) {
                match o {
                    DeleteOutcome::Deleted => journal
                        .record_undo_result(0, &result(UndoHow::Deleted, &batch.phase, id, None))?,
                    DeleteOutcome::NotFound => journal.record_undo_result(
                        0,
                        &result(UndoHow::AlreadyGone, &batch.phase, id, None),
                    )?,
                    DeleteOutcome::Failed { reason } => {
                        return Err(crate::Error::new(
                            crate::ErrorKind::Unexpected,
                            format!("could not delete a record of an interrupted batch: {reason}"),
                        ))
                    }
                }
            }
        }
        for w in &batch.writes {
            if let (WriteOp::Update { id }, Some(before)) = (&w.write.op, &w.before) {
                let entry = UndoEntry {
                    seq: 0,
                    object: batch.phase.clone(),
                    dest_id: id.clone(),
                    action: Undo::Delete,
                };
                let touched: Vec<String> = w.write.fields.keys().cloned().collect();
                let r = restore_fields(sink, &entry, before, &touched).await?;
                journal.record_undo_result(0, &r)?;
            }
        }
        journal.settle(run.id, &batch.phase, Some(&batch.batch), &[])?;
    }
    Ok(())
}

/// Puts `before` back into the `touched` fields of the record of `e`.
async fn restore_fields(
    sink: &dyn Sink,
    e: &UndoEntry,
    before: &Fields,
    touched: &[String],
) -> Result<UndoResult> {
    let fields: Fields = touched
        .iter()
        .map(|k| (k.clone(), before.get(k).cloned().unwrap_or(Value::Null)))
        .collect();
    let write = WriteRecord {
        key: SourceKey::new("rollback", &e.object, &e.dest_id),
        op: WriteOp::Update {
            id: e.dest_id.clone(),
        },
        created_at: None,
        updated_at: None,
        fields,
    };
    let out = sink
        .write_batch(&e.object, std::slice::from_ref(&write))
        .await?;
    Ok(match out.first() {
        Some(o) if o.id().is_some() => result(UndoHow::Restored, &e.object, &e.dest_id, None),
        other => result(
            UndoHow::Failed,
            &e.object,
            &e.dest_id,
            Some(format!("could not restore the before-image: {other:?}")),
        ),
    })
}
