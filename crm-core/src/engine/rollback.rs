//! Rollback: replay the undo log newest first — delete what the runs created, restore
//! what they changed — and forget the id map so the data can be migrated again.
//!
//! Each undo entry is marked done as soon as it is applied, so an interrupted rollback
//! resumes where it stopped.

use serde::Serialize;

use crate::connector::{DeleteOutcome, Lookup, Sink, WriteOp, WriteRecord};
use crate::journal::{Journal, Undo, UndoEntry};
use crate::model::{Fields, SourceKey, Value};
use crate::Result;

use super::progress::Progress;

/// What a rollback did.
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

const PAGE: usize = 200;

/// Rolls back every run recorded in `journal`.
pub async fn rollback(
    sink: &dyn Sink,
    journal: &dyn Journal,
    progress: &dyn Progress,
) -> Result<RollbackReport> {
    let mut report = RollbackReport::default();
    let max = sink.capabilities().max_batch_size.max(1);
    undo_in_flight(sink, journal, &mut report).await?;
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
                        match o {
                            DeleteOutcome::Deleted => report.deleted += 1,
                            DeleteOutcome::NotFound => report.already_gone += 1,
                            DeleteOutcome::Failed { reason } => {
                                report
                                    .failed
                                    .push((e.object.clone(), e.dest_id.clone(), reason));
                                stuck = true;
                                continue;
                            }
                        }
                        journal.undone(e.seq)?;
                    }
                }
                Undo::Restore { before, touched } => {
                    restore(sink, journal, &group[0], before, touched, &mut report).await?;
                }
            }
            progress.advanced(group.len() as u64);
            i = j;
        }
        if stuck {
            return Ok(report);
        }
    }
    journal.finish_rollback()?;
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
    Ok(report)
}

/// Batches an interrupted run left in flight are the newest writes: whatever of them
/// landed (found by source key) is deleted, and their updates are put back, before the
/// undo log is replayed.
async fn undo_in_flight(
    sink: &dyn Sink,
    journal: &dyn Journal,
    report: &mut RollbackReport,
) -> Result<()> {
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
            for o in sink.delete(&batch.phase, &found).await? {
                match o {
                    DeleteOutcome::Deleted => report.deleted += 1,
                    DeleteOutcome::NotFound => report.already_gone += 1,
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
                restore_fields(sink, &entry, before, &touched, report).await?;
            }
        }
        journal.settle(run.id, &batch.phase, Some(&batch.batch), &[])?;
    }
    Ok(())
}

async fn restore(
    sink: &dyn Sink,
    journal: &dyn Journal,
    e: &UndoEntry,
    before: &Fields,
    touched: &[String],
    report: &mut RollbackReport,
) -> Result<()> {
    restore_fields(sink, e, before, touched, report).await?;
    // A record that cannot be restored (deleted by someone since) is reported, not retried
    // for ever.
    journal.undone(e.seq)
}

async fn restore_fields(
    sink: &dyn Sink,
    e: &UndoEntry,
    before: &Fields,
    touched: &[String],
    report: &mut RollbackReport,
) -> Result<()> {
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
    match out.first() {
        Some(o) if o.id().is_some() => report.restored += 1,
        other => report.failed.push((
            e.object.clone(),
            e.dest_id.clone(),
            format!("could not restore the before-image: {other:?}"),
        )),
    }
    Ok(())
}
