//! Turning a batch of canonical records into writes: skip what is unchanged, resolve
//! references, merge duplicates, find records that already exist, read before-images.

use crate::connector::{Lookup, WriteOp, WriteRecord};
use crate::descriptor::match_values;
use crate::journal::{IdEntry, Notice, NoticeKind, Outcome, PendingWrite, Settled};
use crate::model::{fields as f, Fields, Record, Value};
use crate::plan::Phase;
use crate::Result;

use super::config::{AdoptPolicy, AmbiguityPolicy, OrphanPolicy};
use super::context::Ctx;
use super::resolve::{index_entries, Resolution};

/// A batch made ready: writes to send, and outcomes that need no write.
pub(crate) struct Prepared {
    pub(crate) writes: Vec<PendingWrite>,
    pub(crate) settled: Vec<Settled>,
}

struct Candidate {
    record: Record,
    hash: String,
    deferred: Vec<(String, Value)>,
    dropped: Vec<String>,
    /// Optional links left out because their target was not found.
    unlinked: Vec<Notice>,
    /// Existing destination id, why we update it, and what the last run wrote.
    update: Option<(String, Outcome, Option<IdEntry>)>,
}

pub(crate) async fn prepare(
    ctx: &Ctx<'_>,
    phase: &Phase,
    records: Vec<Record>,
) -> Result<Prepared> {
    let object = ctx.model.require(&phase.object)?;
    let mut settled = Vec::new();
    if !object.creatable {
        settled.extend(match_only(ctx, &phase.object, records).await?);
        return Ok(Prepared {
            writes: Vec::new(),
            settled,
        });
    }
    let dedupe = ctx.config.dedupe.get(&phase.object);
    let mut candidates = Vec::with_capacity(records.len());
    for mut record in records {
        let hash = record.content_hash();
        let prior = ctx.journal.id_entry(&record.key)?;
        if let Some(p) = &prior {
            // Unchanged records are skipped, unless an earlier run could not make one of
            // their links: the target may exist now.
            if p.hash == hash && !ctx.journal.has_open_links(&phase.object, &record.key)? {
                settled.push(Settled::with_reason(
                    record.key.clone(),
                    Outcome::Skipped,
                    None,
                    None,
                    "unchanged since the last run",
                ));
                continue;
            }
        }
        let (deferred, dropped, unlinked) = match resolve_fields(ctx, phase, &mut record).await? {
            Ok(x) => x,
            Err(s) => {
                settled.push(s);
                continue;
            }
        };
        let update = prior.map(|p| (p.dest_id.clone(), Outcome::Updated, Some(p)));
        candidates.push(Candidate {
            record,
            hash,
            deferred,
            dropped,
            unlinked,
            update,
        });
    }

    // Duplicates within the run: claim every new record's dedupe value in one transaction;
    // a record whose value another one holds merges into it.
    if let Some(field) = dedupe {
        let first_value = |r: &Record| {
            r.get(field)
                .map(match_values)
                .and_then(|v| v.into_iter().next())
        };
        let mut claims = Vec::new();
        let mut claimed = Vec::new();
        for (i, c) in candidates.iter().enumerate() {
            if c.update.is_none() {
                if let Some(v) = first_value(&c.record) {
                    claims.push((v, c.record.key.clone()));
                    claimed.push(i);
                }
            }
        }
        let holders = ctx.journal.claim_many(ctx.run.id, &phase.object, &claims)?;
        let mut merged = std::collections::HashMap::new();
        for ((i, holder), (value, _)) in claimed.into_iter().zip(holders).zip(&claims) {
            if let Some(h) = holder {
                merged.insert(i, (h, value.clone()));
            }
        }
        if !merged.is_empty() {
            let mut kept = Vec::with_capacity(candidates.len());
            for (i, c) in candidates.into_iter().enumerate() {
                match merged.remove(&i) {
                    Some((holder, value)) => {
                        let mut s = Settled::bare(c.record.key.clone(), Outcome::Merged);
                        s.hash = Some(c.hash);
                        s.reason = Some(format!("duplicate of {holder} by {field} {value:?}"));
                        s.merged_into = Some((holder, c.record));
                        settled.push(s);
                    }
                    None => kept.push(c),
                }
            }
            candidates = kept;
        }
    }

    if adopting(ctx) {
        adopt_existing(ctx, &phase.object, &mut candidates).await?;
    }
    if let (true, Some(field)) = (ctx.config.merge_existing, dedupe) {
        find_existing(ctx, &phase.object, field, &mut candidates).await?;
    }

    let mut writes = Vec::with_capacity(candidates.len());
    let ids: Vec<String> = candidates
        .iter()
        .filter_map(|c| c.update.as_ref().map(|u| u.0.clone()))
        .collect();
    let mut current = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(ctx.batch_size.max(1)) {
        current.extend(ctx.sink.read(&phase.object, chunk).await?);
    }
    let mut current = current.into_iter();
    for mut c in candidates {
        let refs = index_entries(&c.record.fields);
        let note =
            (!c.dropped.is_empty()).then(|| format!("link dropped: {}", c.dropped.join("; ")));
        let Some((id, intent, prior)) = c.update.take() else {
            writes.push((create(c, refs), note));
            continue;
        };
        let now = current.next().flatten();
        let Some(now) = now else {
            if intent == Outcome::Updated {
                settled.push(Settled::with_reason(
                    c.record.key,
                    Outcome::Queued,
                    None,
                    Some(id),
                    "the record was deleted in the destination since the last run",
                ));
            } else {
                // The match vanished between lookup and read: create instead.
                writes.push((create(c, refs), note));
            }
            continue;
        };
        if let (Outcome::Updated, Some(p), false) = (intent, &prior, ctx.config.overwrite_conflicts)
        {
            let conflict = p.written.iter().find(|(k, v)| {
                !k.starts_with('@') && !v.same_as(now.fields.get(*k).unwrap_or(&Value::Null))
            });
            if let Some((k, v)) = conflict {
                let found = now.fields.get(k).map(|x| x.to_string()).unwrap_or_default();
                settled.push(Settled::with_reason(
                    c.record.key,
                    Outcome::Queued,
                    Some(k.clone()),
                    Some(found.clone()),
                    format!(
                        "conflict: changed in the destination since the last run (written {:?}, now {:?}); \
                         not overwritten (run with --overwrite-conflicts to replace it)",
                        v.to_string(),
                        found
                    ),
                ));
                continue;
            }
        }
        // A record merged into another one owns only the fields it wrote; elsewhere it may
        // fill blanks, never overwrite the survivor's values.
        let owned = |k: &str| match &prior {
            Some(p) if p.origin == Outcome::Merged => {
                p.written.contains_key(k) || now.fields.get(k).is_none_or(Value::is_empty)
            }
            _ => true,
        };
        let mut diff = Fields::new();
        for (k, v) in &c.record.fields {
            if owned(k) && !v.same_as(now.fields.get(k).unwrap_or(&Value::Null)) {
                diff.insert(k.clone(), v.clone());
            }
        }
        if let Some(p) = &prior {
            for k in p.written.keys() {
                if !k.starts_with('@')
                    && !c.record.fields.contains_key(k)
                    && now.fields.contains_key(k)
                {
                    diff.insert(k.clone(), Value::Null);
                }
            }
        }
        let before: Fields = diff
            .keys()
            .map(|k| (k.clone(), now.fields.get(k).cloned().unwrap_or(Value::Null)))
            .collect();
        if diff.is_empty() && c.deferred.is_empty() {
            let mut s = Settled::bare(c.record.key, intent);
            if intent == Outcome::Updated {
                s = Settled::with_reason(
                    s.key,
                    Outcome::Skipped,
                    None,
                    None,
                    "no destination field changed",
                );
            } else {
                s.dest = Some((phase.object.clone(), id));
                s.hash = Some(c.hash);
                s.refs = refs;
                s.reason = Some("already in the destination with the same values".into());
                if intent == Outcome::Adopted {
                    // This migration wrote it: a rollback removes it.
                    s.undo = Some(crate::journal::Undo::Delete);
                    s.written = c.record.fields.clone();
                    s.reason = Some(
                        "already in the destination with this migration's source key (adopted)"
                            .into(),
                    );
                }
            }
            s.notices = c.unlinked;
            settled.push(s);
            continue;
        }
        writes.push((
            PendingWrite {
                write: WriteRecord {
                    key: c.record.key,
                    op: WriteOp::Update { id },
                    created_at: None,
                    updated_at: c.record.updated_at,
                    fields: diff,
                },
                hash: c.hash,
                intent,
                before: Some(before),
                refs,
                deferred: c.deferred,
                note: None,
                unlinked: c.unlinked,
            },
            note,
        ));
    }
    // Notes about dropped links travel as the reason of the eventual outcome.
    let writes = writes
        .into_iter()
        .map(|(mut w, note)| {
            w.note = note;
            w
        })
        .collect();
    Ok(Prepared { writes, settled })
}

/// A create of a candidate record.
fn create(c: Candidate, refs: Vec<(String, String)>) -> PendingWrite {
    PendingWrite {
        write: WriteRecord {
            key: c.record.key,
            op: WriteOp::Create { merge_on: None },
            created_at: c.record.created_at,
            updated_at: c.record.updated_at,
            fields: c.record.fields,
        },
        hash: c.hash,
        intent: Outcome::Created,
        before: None,
        refs,
        deferred: c.deferred,
        note: None,
        unlinked: c.unlinked,
    }
}

/// What resolving a record's references left: deferred fields, links dropped under the
/// `drop_link` policy, and optional links not made (target not found).
type Resolved = (Vec<(String, Value)>, Vec<String>, Vec<Notice>);

/// Resolves every reference field of `record` in place. Returns what was left out, or the
/// outcome that ends the record.
///
/// A reference the destination requires holds the record back when its target is not found
/// (queued, or rejected under the `reject` orphan policy). An optional one does not: the
/// record loads without that link, which is reported as a link not made and made by a
/// later delta run once the target exists — unless the orphan policy is `reject`, which
/// asks for every link or nothing.
async fn resolve_fields(
    ctx: &Ctx<'_>,
    phase: &Phase,
    record: &mut Record,
) -> Result<std::result::Result<Resolved, Settled>> {
    let descriptor = ctx.model.get(&phase.object);
    let names: Vec<String> = record
        .fields
        .iter()
        .filter(|(_, v)| v.has_refs())
        .map(|(k, _)| k.clone())
        .collect();
    let mut deferred = Vec::new();
    let mut dropped = Vec::new();
    let mut unlinked = Vec::new();
    for name in names {
        let optional = descriptor
            .and_then(|d| d.get(&name))
            .is_none_or(|f| !f.required && f.reference.as_ref().is_none_or(|r| r.optional));
        let Some(value) = record.fields.remove(&name) else {
            continue;
        };
        if phase.deferred.contains(&name) {
            deferred.push((name, value));
            continue;
        }
        let refs = match &value {
            Value::Ref(r) => vec![r.clone()],
            Value::Refs(v) => v.clone(),
            _ => continue,
        };
        let mut ids = Vec::with_capacity(refs.len());
        for r in &refs {
            let mut found = match ctx.resolver.resolve_exactly(r).await? {
                Resolution::Ambiguous(_) if ctx.config.ambiguous == AmbiguityPolicy::Reject => {
                    return Ok(Err(Settled::with_reason(
                        record.key.clone(),
                        Outcome::Rejected,
                        Some(name.clone()),
                        Some(r.to_string()),
                        format!(
                            "ambiguous reference: more than one {r} exists; make the value unique, \
                             or set the mapping's ambiguous_match = \"first\""
                        ),
                    )));
                }
                other => other.pick(true),
            };
            if found.is_none() && r.object() == f::USER {
                if let Some(fallback) = &ctx.config.owner_fallback {
                    found = ctx
                        .resolver
                        .resolve(&crate::model::Ref::email(f::USER, fallback))
                        .await?;
                }
            }
            match found {
                Some(id) => ids.push(id),
                None => match ctx.config.orphans {
                    OrphanPolicy::DropLink if optional => dropped.push(format!("{name} → {r}")),
                    OrphanPolicy::Queue if optional => {
                        let why = unresolved_reason(ctx, r)?;
                        unlinked.push(Notice::new(
                            NoticeKind::LinkNotMade,
                            name.clone(),
                            Some(r.to_string()),
                            format!("link not made ({why}); the record loaded without it, and a delta run makes it once the target exists"),
                        ));
                    }
                    policy => {
                        let outcome = if policy == OrphanPolicy::Reject {
                            Outcome::Rejected
                        } else {
                            Outcome::Queued
                        };
                        let why = format!("unresolved reference: {}", unresolved_reason(ctx, r)?);
                        return Ok(Err(Settled::with_reason(
                            record.key.clone(),
                            outcome,
                            Some(name.clone()),
                            Some(r.to_string()),
                            why,
                        )));
                    }
                },
            }
        }
        match value {
            Value::Ref(_) => {
                if let Some(id) = ids.into_iter().next() {
                    record.fields.insert(name, Value::Id(id));
                }
            }
            _ => {
                if !ids.is_empty() {
                    record.fields.insert(name, Value::Ids(ids));
                }
            }
        }
    }
    Ok(Ok((deferred, dropped, unlinked)))
}

/// Why a reference found nothing, for a person: what became of its target in this run.
fn unresolved_reason(ctx: &Ctx<'_>, r: &crate::model::Ref) -> Result<String> {
    Ok(match r {
        crate::model::Ref::Key { object, key } => match ctx.journal.outcome(ctx.run.id, object, key)? {
            Some((_, _)) if object == f::USER => format!(
                "{r} is not a member of the destination workspace: invite them, or set owner_fallback"
            ),
            Some((o, _)) => format!("the {r} was {} in this run (see the report)", o.as_str()),
            None => format!("no {r} was migrated or exists in the destination"),
        },
        crate::model::Ref::Email { object, .. } if object == f::USER => {
            format!("no {r} is a member of the destination workspace: invite them, or set owner_fallback")
        }
        _ => format!("no {r} was migrated or exists in the destination"),
    })
}

/// Whether this run looks for records a run with a lost state directory wrote.
pub(crate) fn adopting(ctx: &Ctx<'_>) -> bool {
    match ctx.config.adopt {
        AdoptPolicy::Always => true,
        AdoptPolicy::FirstRun => ctx.run.id == 1,
        AdoptPolicy::Never => false,
    }
}

/// Reads, once per run and object, every record of `object` the destination holds with a
/// source key into the journal (one request per page), where the sink can list them.
pub(crate) async fn scan_source_keys(ctx: &Ctx<'_>, object: &str) -> Result<()> {
    if ctx.journal.keys_scanned(ctx.run.id, object, false)? {
        return Ok(());
    }
    let mut cursor = None;
    loop {
        let Some(page) = ctx.sink.source_key_page(object, cursor).await? else {
            return Ok(()); // not listable: adoption asks batch by batch
        };
        ctx.journal.remember_keys(object, &page.items)?;
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    tracing::info!(object, "Read the source keys already in the destination.");
    ctx.journal.keys_scanned(ctx.run.id, object, true)?;
    Ok(())
}

/// Marks candidates that already exist in the destination under their own source key (a
/// run whose state directory was lost wrote them) as adopted: from the keys read at the
/// start of the phase where the sink can list them, else one lookup per batch.
async fn adopt_existing(ctx: &Ctx<'_>, object: &str, candidates: &mut [Candidate]) -> Result<()> {
    let idx: Vec<usize> = (0..candidates.len())
        .filter(|i| candidates[*i].update.is_none())
        .collect();
    if ctx.journal.keys_scanned(ctx.run.id, object, false)? {
        for i in idx {
            if let Some(id) = ctx.journal.known_key(object, &candidates[i].record.key)? {
                candidates[i].update = Some((id, Outcome::Adopted, None));
            }
        }
        return Ok(());
    }
    for chunk in idx.chunks(ctx.batch_size.max(1)) {
        let lookups: Vec<Lookup> = chunk
            .iter()
            .map(|i| Lookup::SourceKey(candidates[*i].record.key.clone()))
            .collect();
        let found = ctx.sink.lookup(object, &lookups).await?;
        for (i, id) in chunk.iter().zip(found) {
            if let Some(id) = id {
                candidates[*i].update = Some((id, Outcome::Adopted, None));
            }
        }
    }
    Ok(())
}

/// Marks candidates whose dedupe value already exists in the destination as merges.
async fn find_existing(
    ctx: &Ctx<'_>,
    object: &str,
    field: &str,
    candidates: &mut [Candidate],
) -> Result<()> {
    let mut idx = Vec::new();
    let mut lookups = Vec::new();
    for (i, c) in candidates.iter().enumerate() {
        if c.update.is_some() {
            continue;
        }
        if let Some(v) = c
            .record
            .get(field)
            .map(match_values)
            .and_then(|v| v.into_iter().next())
        {
            idx.push(i);
            lookups.push(Lookup::Field {
                field: field.to_string(),
                value: v,
            });
        }
    }
    let mut found = Vec::with_capacity(lookups.len());
    for chunk in lookups.chunks(ctx.batch_size.max(1)) {
        found.extend(ctx.sink.lookup(object, chunk).await?);
    }
    for (i, id) in idx.into_iter().zip(found) {
        if let Some(id) = id {
            candidates[i].update = Some((id, Outcome::Merged, None));
        }
    }
    Ok(())
}

/// Objects the destination will not let us create (workspace members): match by email.
async fn match_only(ctx: &Ctx<'_>, object: &str, records: Vec<Record>) -> Result<Vec<Settled>> {
    let mut out = Vec::with_capacity(records.len());
    let mut pending = Vec::new();
    for r in records {
        let email = [f::EMAIL, f::EMAILS]
            .iter()
            .find_map(|k| r.get(k).map(match_values))
            .and_then(|v| v.into_iter().next());
        match email {
            Some(e) => pending.push((r, e)),
            None => out.push(Settled::with_reason(
                r.key,
                Outcome::Queued,
                Some(f::EMAIL.into()),
                None,
                format!("no email to match a {object} by; {object} records cannot be created, only matched"),
            )),
        }
    }
    let lookups: Vec<Lookup> = pending
        .iter()
        .map(|(_, e)| Lookup::Field {
            field: f::EMAIL.into(),
            value: e.clone(),
        })
        .collect();
    let mut found = Vec::with_capacity(lookups.len());
    for chunk in lookups.chunks(ctx.batch_size.max(1)) {
        found.extend(ctx.sink.lookup(object, chunk).await?);
    }
    for ((r, email), id) in pending.into_iter().zip(found) {
        match id {
            Some(id) => {
                let mut s = Settled::bare(r.key.clone(), Outcome::Merged);
                s.hash = Some(r.content_hash());
                s.dest = Some((object.to_string(), id));
                s.refs = vec![("email".into(), email)];
                s.reason = Some("matched an existing member by email".into());
                out.push(s);
            }
            None => out.push(Settled::with_reason(
                r.key,
                Outcome::Queued,
                Some(f::EMAIL.into()),
                Some(email),
                format!(
                    "no {object} with this email in the destination: invite them, or set an owner fallback"
                ),
            )),
        }
    }
    Ok(out)
}
