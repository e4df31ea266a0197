//! Sending a prepared batch: retries with backoff, and reconciliation of ambiguous
//! failures through the sink's lookup, so that nothing is written twice.

use std::collections::BTreeSet;

use crate::connector::{Lookup, WriteOp, WriteOutcome};
use crate::journal::{Outcome, PendingWrite, Settled, Undo};
use crate::model::Value;
use crate::{Error, ErrorKind, Result};

use super::context::{Ctx, CREATED_AT};

/// The outcome of a write that landed with destination id `id`.
pub(crate) fn landed(
    ctx: &Ctx<'_>,
    object: &str,
    pw: &PendingWrite,
    id: &str,
    reported: Option<&WriteOutcome>,
) -> Settled {
    let mut written = pw.write.fields.clone();
    let create = matches!(pw.write.op, WriteOp::Create { .. });
    if let (true, true, Some(c)) = (create, ctx.keeps_created_at, pw.write.created_at) {
        written.insert(CREATED_AT.into(), Value::DateTime(c));
    }
    // A create the sink merged into an existing record (its own upsert) must be undone by
    // restoring, never by deleting someone else's record.
    let (outcome, undo) = match (reported, &pw.before) {
        (Some(WriteOutcome::Merged { before, .. }), None)
        | (Some(WriteOutcome::Updated { before, .. }), None) => (
            Outcome::Merged,
            Some(Undo::Restore {
                before: before.clone(),
                touched: pw.write.fields.keys().cloned().collect(),
            }),
        ),
        // A record this migration wrote in a run whose state is gone: it goes on rollback.
        (_, Some(_)) if pw.intent == Outcome::Adopted => (Outcome::Adopted, Some(Undo::Delete)),
        (_, Some(before)) => (
            pw.intent,
            Some(Undo::Restore {
                before: before.clone(),
                touched: pw.write.fields.keys().cloned().collect(),
            }),
        ),
        (_, None) => (Outcome::Created, Some(Undo::Delete)),
    };
    let mut s = Settled::bare(pw.write.key.clone(), outcome);
    s.dest = Some((object.to_string(), id.to_string()));
    s.hash = Some(pw.hash.clone());
    s.written = written;
    s.undo = undo;
    s.refs = pw.refs.clone();
    s.deferred = pw.deferred.clone();
    s.reason = pw.note.clone();
    s.notices = pw.unlinked.clone();
    s
}

/// Finds which creates of `writes` (by index) already landed, through the source key.
pub(crate) async fn find_landed(
    ctx: &Ctx<'_>,
    object: &str,
    writes: &[PendingWrite],
    idx: &[usize],
) -> Result<Vec<(usize, String)>> {
    let creates: Vec<usize> = idx
        .iter()
        .copied()
        .filter(|i| matches!(writes[*i].write.op, WriteOp::Create { .. }))
        .collect();
    let mut out = Vec::new();
    for chunk in creates.chunks(ctx.batch_size.max(1)) {
        let lookups: Vec<Lookup> = chunk
            .iter()
            .map(|i| Lookup::SourceKey(writes[*i].write.key.clone()))
            .collect();
        let found = ctx.sink.lookup(object, &lookups).await?;
        for (i, id) in chunk.iter().zip(found) {
            if let Some(id) = id {
                out.push((*i, id));
            }
        }
    }
    Ok(out)
}

/// Sends `writes` until each has a final outcome, retrying temporary failures.
pub(crate) async fn send(
    ctx: &Ctx<'_>,
    object: &str,
    writes: &[PendingWrite],
) -> Result<Vec<Settled>> {
    let mut settled = Vec::with_capacity(writes.len());
    let mut pending: Vec<usize> = (0..writes.len()).collect();
    let mut attempt = 0u32;
    let mut last_problem = String::new();
    while !pending.is_empty() {
        attempt += 1;
        let mut done = BTreeSet::new();
        for chunk in pending.chunks(ctx.batch_size.max(1)) {
            let batch: Vec<_> = chunk.iter().map(|i| writes[*i].write.clone()).collect();
            match ctx.sink.write_batch(object, &batch).await {
                Ok(outcomes) if outcomes.len() == batch.len() => {
                    for (i, out) in chunk.iter().zip(outcomes) {
                        let pw = &writes[*i];
                        match &out {
                            WriteOutcome::Created { id }
                            | WriteOutcome::Updated { id, .. }
                            | WriteOutcome::Merged { id, .. } => {
                                settled.push(landed(ctx, object, pw, id, Some(&out)));
                                done.insert(*i);
                            }
                            WriteOutcome::Rejected { field, reason } => {
                                let value = field
                                    .as_ref()
                                    .and_then(|f| pw.write.fields.get(f))
                                    .map(|v| v.to_string());
                                settled.push(Settled::with_reason(
                                    pw.write.key.clone(),
                                    Outcome::Rejected,
                                    field.clone(),
                                    value,
                                    reason.clone(),
                                ));
                                done.insert(*i);
                            }
                            WriteOutcome::Retry { reason } => last_problem = reason.clone(),
                        }
                    }
                }
                Ok(outcomes) => {
                    last_problem = format!(
                        "the sink answered {} outcomes for {} records",
                        outcomes.len(),
                        batch.len()
                    );
                    tracing::warn!(object, problem = %last_problem, "Ambiguous batch answer; reconciling.");
                    for (i, id) in find_landed(ctx, object, writes, chunk).await? {
                        settled.push(landed(ctx, object, &writes[i], &id, None));
                        done.insert(i);
                    }
                }
                Err(e) if e.is_temporary() => {
                    last_problem = e.to_string();
                    tracing::warn!(object, error = %e, attempt, "Batch failed; reconciling before retrying.");
                    for (i, id) in find_landed(ctx, object, writes, chunk).await? {
                        settled.push(landed(ctx, object, &writes[i], &id, None));
                        done.insert(i);
                    }
                }
                Err(e) => return Err(e.with_operation("write_batch").with_object(object)),
            }
        }
        pending.retain(|i| !done.contains(i));
        if pending.is_empty() {
            break;
        }
        if attempt >= ctx.config.max_attempts {
            return Err(Error::new(
                ErrorKind::Transport,
                format!(
                    "{} {object} records still not written after {attempt} attempts (last problem: {last_problem}); \
                     the run can be resumed",
                    pending.len()
                ),
            )
            .persist());
        }
        tokio::time::sleep(ctx.config.backoff_for(attempt)).await;
    }
    Ok(settled)
}
