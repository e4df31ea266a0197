//! One phase: stream every source record routed into an object, batch, write, account.

use std::collections::HashSet;
use std::sync::Mutex;

use futures::stream::{FuturesUnordered, StreamExt};

use crate::connector::{Mapped, RecordMapper, Reject, Source, SourceExt, WriteOp, WriteRecord};
use crate::journal::{InFlight, Notice, NoticeKind, Outcome, Settled, Undo};
use crate::model::{Fields, Record, SourceKey, Value};
use crate::plan::Phase;
use crate::Result;

use super::context::Ctx;
use super::prepare::prepare;
use super::progress::Progress;
use super::send::send;

/// Keys read in this attempt whose outcome is not recorded yet (bounded by the batches in
/// flight), to tell a duplicate source id from a record seen for the first time.
#[derive(Default)]
struct Unsettled(Mutex<HashSet<SourceKey>>);

impl Unsettled {
    fn insert(&self, k: &SourceKey) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(k.clone())
    }
    fn remove_all(&self, keys: &[SourceKey]) {
        let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
        for k in keys {
            s.remove(k);
        }
    }
}

/// Leaves out of a mapped record the fields this destination's model does not have (a
/// canonical record, or a mapping written for another version of the destination): each
/// costs its value, reported, not the record.
fn fit_to_model(ctx: &Ctx<'_>, mapped: Mapped) -> Mapped {
    let Some(object) = ctx.model.get(mapped.object()) else {
        return mapped;
    };
    let (mut record, mut dropped) = match mapped {
        Mapped::Record(r) => (r, Vec::new()),
        Mapped::Partial(r, d) => (r, d),
        other => return other,
    };
    let unknown: Vec<String> = record
        .fields
        .keys()
        .filter(|k| object.get(k).is_none())
        .cloned()
        .collect();
    if unknown.is_empty() && dropped.is_empty() {
        return Mapped::Record(record);
    }
    for name in unknown {
        if let Some(v) = record.fields.remove(&name) {
            dropped.push(
                Reject::new(
                    record.key.clone(),
                    &object.name,
                    format!(
                        "the destination has no field {name:?} on {}; the value was left out",
                        object.name
                    ),
                )
                .field(&name)
                .value(v.to_string()),
            );
        }
    }
    if dropped.is_empty() {
        Mapped::Record(record)
    } else {
        Mapped::Partial(record, dropped)
    }
}

fn reject_of(r: Reject, outcome: Outcome) -> Settled {
    Settled::with_reason(r.key, outcome, r.field, r.value, r.reason)
}

pub(crate) async fn run_phase(
    ctx: &Ctx<'_>,
    source: &dyn Source,
    mapper: &dyn RecordMapper,
    phase: &Phase,
    progress: &dyn Progress,
) -> Result<u64> {
    let unsettled = Unsettled::default();
    let mut source_count = 0u64;
    let mut buffer: Vec<Record> = Vec::with_capacity(ctx.batch_size);
    let mut loose: Vec<Settled> = Vec::new();
    let mut notices: Vec<(SourceKey, Notice)> = Vec::new();
    let mut inflight = FuturesUnordered::new();
    let mut batch_no = 0u64;
    if super::prepare::adopting(ctx) && ctx.model.get(&phase.object).is_some_and(|o| o.creatable) {
        super::prepare::scan_source_keys(ctx, &phase.object).await?;
    }
    let routes: Vec<_> = mapper
        .routes()
        .into_iter()
        .filter(|r| r.target == phase.object)
        .collect();
    for route in &routes {
        let mut stream = source.stream(&route.source);
        while let Some(raw) = stream.next().await {
            let raw = raw.map_err(|e| e.with_operation("read").with_object(&route.source))?;
            source_count += 1;
            progress.advanced(1);
            let mapped = match raw.damage() {
                // A row read wrong is never mapped: its cells may have shifted.
                Some(why) => Mapped::Reject(Reject::new(raw.key.clone(), &phase.object, why)),
                None => fit_to_model(ctx, mapper.map(route, &raw)),
            };
            let key = mapped.key().clone();
            let seen = ctx.journal.outcome(ctx.run.id, &phase.object, &key)?;
            let duplicate = match seen {
                Some((_, attempt)) if attempt < ctx.run.attempt => continue, // done before a resume
                Some(_) => true,
                None => !unsettled.insert(&key),
            };
            if duplicate {
                // The source holds this id twice: account for the second copy on its own.
                let dup = key.derived(&format!("duplicate-{source_count}"));
                if ctx
                    .journal
                    .outcome(ctx.run.id, &phase.object, &dup)?
                    .is_none()
                {
                    loose.push(Settled::with_reason(
                        dup,
                        Outcome::Rejected,
                        None,
                        Some(key.id.clone()),
                        format!(
                            "the source holds {key} more than once; only the first copy is loaded"
                        ),
                    ));
                }
                continue;
            }
            match mapped {
                Mapped::Record(r) => buffer.push(r),
                Mapped::Partial(r, dropped) => {
                    notices.extend(dropped.into_iter().map(|d| {
                        let field = d.field.unwrap_or_default();
                        (
                            r.key.clone(),
                            Notice::new(NoticeKind::ValueDropped, field, d.value, d.reason),
                        )
                    }));
                    buffer.push(r);
                }
                Mapped::Reject(r) => loose.push(reject_of(r, Outcome::Rejected)),
                Mapped::Queue(r) => loose.push(reject_of(r, Outcome::Queued)),
                Mapped::Skip(r) => loose.push(reject_of(r, Outcome::Skipped)),
            }
            if loose.len() >= 500 || notices.len() >= 500 {
                // Notices go in before the outcomes of their records: a record settled
                // before a crash is never re-read, so its notices must already be there.
                ctx.journal.record_notices(
                    ctx.run.id,
                    &phase.object,
                    &std::mem::take(&mut notices),
                )?;
                let keys: Vec<SourceKey> = loose.iter().map(|s| s.key.clone()).collect();
                ctx.journal
                    .settle(ctx.run.id, &phase.object, None, &std::mem::take(&mut loose))?;
                unsettled.remove_all(&keys);
            }
            if buffer.len() >= ctx.batch_size {
                ctx.journal.record_notices(
                    ctx.run.id,
                    &phase.object,
                    &std::mem::take(&mut notices),
                )?;
                batch_no += 1;
                let records = std::mem::replace(&mut buffer, Vec::with_capacity(ctx.batch_size));
                inflight.push(process_batch(ctx, phase, records, batch_no, &unsettled));
                while inflight.len() >= ctx.config.concurrency.max(1) {
                    if let Some(r) = inflight.next().await {
                        r?;
                    }
                }
            }
        }
    }
    ctx.journal
        .record_notices(ctx.run.id, &phase.object, &std::mem::take(&mut notices))?;
    if !buffer.is_empty() {
        batch_no += 1;
        inflight.push(process_batch(
            ctx,
            phase,
            std::mem::take(&mut buffer),
            batch_no,
            &unsettled,
        ));
    }
    while let Some(r) = inflight.next().await {
        r?;
    }
    ctx.journal
        .settle(ctx.run.id, &phase.object, None, &loose)?;
    settle_merges(ctx, &phase.object).await?;
    Ok(source_count)
}

async fn process_batch(
    ctx: &Ctx<'_>,
    phase: &Phase,
    records: Vec<Record>,
    batch_no: u64,
    unsettled: &Unsettled,
) -> Result<()> {
    let keys: Vec<SourceKey> = records.iter().map(|r| r.key.clone()).collect();
    let prepared = prepare(ctx, phase, records).await?;
    let batch = InFlight {
        phase: phase.object.clone(),
        batch: format!("{}-{}-{batch_no}", ctx.run.attempt, phase.object),
        writes: prepared.writes,
    };
    ctx.journal
        .start_batch(ctx.run.id, &phase.object, &batch, &prepared.settled)?;
    if !batch.writes.is_empty() {
        let settled = send(ctx, &phase.object, &batch.writes).await?;
        ctx.journal
            .settle(ctx.run.id, &phase.object, Some(&batch.batch), &settled)?;
    }
    unsettled.remove_all(&keys);
    Ok(())
}

/// Duplicates merged into a survivor: once the survivor is written, point them at it and
/// fill the survivor's blanks from them; if the survivor did not land, reject them.
async fn settle_merges(ctx: &Ctx<'_>, object: &str) -> Result<()> {
    loop {
        let rows = ctx.journal.pending_merges(ctx.run.id, object, 200)?;
        if rows.is_empty() {
            return Ok(());
        }
        for row in rows {
            let Some((survivor, dup)) = row.merged_into else {
                continue;
            };
            let Some(entry) = ctx.journal.id_entry(&survivor)? else {
                let why = ctx
                    .journal
                    .outcome(ctx.run.id, object, &survivor)?
                    .map(|(o, _)| o.as_str())
                    .unwrap_or("not loaded");
                let mut s = Settled::with_reason(
                    row.key,
                    Outcome::Rejected,
                    None,
                    None,
                    format!("duplicate of {survivor}, which was {why}; fix that record and re-run"),
                );
                s.merged_into = Some((survivor, dup));
                ctx.journal.settle(ctx.run.id, object, None, &[s])?;
                continue;
            };
            // Fill only what the destination record lacks, and record how to undo it.
            let current = ctx
                .sink
                .read(object, std::slice::from_ref(&entry.dest_id))
                .await?
                .into_iter()
                .next()
                .flatten()
                .map(|r| r.fields)
                .unwrap_or_default();
            let blanks: Fields = dup
                .fields
                .iter()
                .filter(|(k, v)| !v.is_empty() && current.get(*k).is_none_or(Value::is_empty))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let mut s = Settled::bare(row.key, Outcome::Merged);
            s.dest = Some((object.to_string(), entry.dest_id.clone()));
            s.hash = row.hash.clone();
            s.reason = row.reason;
            if !blanks.is_empty() {
                // Revert recorded before the write: the survivor may be a record that
                // predates the migration.
                let undo = Undo::Restore {
                    before: blanks.keys().map(|k| (k.clone(), Value::Null)).collect(),
                    touched: blanks.keys().cloned().collect(),
                };
                ctx.journal
                    .record_undo(ctx.run.id, object, &entry.dest_id, &undo)?;
                let write = WriteRecord {
                    key: survivor.clone(),
                    op: WriteOp::Update {
                        id: entry.dest_id.clone(),
                    },
                    created_at: None,
                    updated_at: None,
                    fields: blanks.clone(),
                };
                let landed = ctx
                    .sink
                    .write_batch(object, std::slice::from_ref(&write))
                    .await?
                    .first()
                    .and_then(|o| o.id().map(str::to_string));
                if landed.is_some() {
                    s.written = blanks;
                } else {
                    s.reason = Some(format!(
                        "{}; its extra fields could not be added to {survivor}",
                        s.reason.unwrap_or_default()
                    ));
                }
            }
            ctx.journal.settle(ctx.run.id, object, None, &[s])?;
        }
    }
}
