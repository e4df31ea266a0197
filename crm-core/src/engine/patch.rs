//! The patch step: reference fields deferred to break a cycle are written once every
//! phase has loaded.

use crate::connector::{WriteOp, WriteRecord};
use crate::journal::{Outcome, Undo};
use crate::model::{Fields, Value};
use crate::Result;

use super::context::Ctx;

pub(crate) async fn patch_deferred(ctx: &Ctx<'_>) -> Result<()> {
    loop {
        let pending = ctx.journal.pending_deferred(ctx.run.id, 200)?;
        if pending.is_empty() {
            return Ok(());
        }
        for d in pending {
            let refs = match &d.value {
                Value::Ref(r) => vec![r.clone()],
                Value::Refs(v) => v.clone(),
                _ => Vec::new(),
            };
            let mut ids = Vec::new();
            let mut missing = Vec::new();
            for r in &refs {
                match ctx.resolver.resolve(r).await? {
                    Some(id) => ids.push(id),
                    None => missing.push(r.to_string()),
                }
            }
            let Some(entry) = ctx.journal.id_entry(&d.key)? else {
                ctx.journal.finish_deferred(
                    ctx.run.id,
                    &d,
                    Some("the record holding the link was not loaded"),
                )?;
                continue;
            };
            if ids.is_empty() {
                let why = format!("unresolved reference: {}", missing.join("; "));
                ctx.journal.finish_deferred(ctx.run.id, &d, Some(&why))?;
                continue;
            }
            let value = match d.value {
                Value::Ref(_) => Value::Id(ids.remove(0)),
                _ => Value::Ids(ids),
            };
            if entry.origin != Outcome::Created {
                // The record predates the migration: keep its current link to put back.
                let current = ctx
                    .sink
                    .read(&d.object, std::slice::from_ref(&entry.dest_id))
                    .await?
                    .into_iter()
                    .next()
                    .flatten()
                    .and_then(|r| r.fields.get(&d.field).cloned())
                    .unwrap_or(Value::Null);
                let mut before = Fields::new();
                before.insert(d.field.clone(), current);
                let undo = Undo::Restore {
                    before,
                    touched: vec![d.field.clone()],
                };
                ctx.journal
                    .record_undo(ctx.run.id, &d.object, &entry.dest_id, &undo)?;
            }
            let mut fields = Fields::new();
            fields.insert(d.field.clone(), value);
            let write = WriteRecord {
                key: d.key.clone(),
                op: WriteOp::Update { id: entry.dest_id },
                created_at: None,
                updated_at: None,
                fields: fields.clone(),
            };
            let out = ctx
                .sink
                .write_batch(&d.object, std::slice::from_ref(&write))
                .await?;
            let problem = match out.first() {
                Some(o) if o.id().is_some() => {
                    ctx.journal.add_written(&d.key, &fields)?;
                    (!missing.is_empty())
                        .then(|| format!("partly linked; unresolved: {}", missing.join("; ")))
                }
                Some(o) => Some(format!("the destination refused the link: {o:?}")),
                None => Some("the destination gave no answer for the link".into()),
            };
            ctx.journal
                .finish_deferred(ctx.run.id, &d, problem.as_deref())?;
        }
    }
}
