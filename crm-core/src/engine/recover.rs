//! Reconciling batches an interrupted attempt left in flight.
//!
//! A batch in flight may have landed in full, in part, or not at all. Creates are found
//! through the sink's lookup by source key: found ones are recorded as created, the rest are
//! written again by the phase that reads them. Updates are idempotent, so they are sent
//! again and recorded with the before-image stored before the first send.

use crate::connector::WriteOp;
use crate::Result;

use super::context::Ctx;
use super::send::{find_landed, landed, send};

pub(crate) async fn reconcile(ctx: &Ctx<'_>) -> Result<usize> {
    let batches = ctx.journal.in_flight(ctx.run.id)?;
    let mut recovered = 0;
    for b in batches {
        let all: Vec<usize> = (0..b.writes.len()).collect();
        let mut settled = Vec::new();
        for (i, id) in find_landed(ctx, &b.phase, &b.writes, &all).await? {
            settled.push(landed(ctx, &b.phase, &b.writes[i], &id, None));
        }
        let updates: Vec<_> = b
            .writes
            .iter()
            .filter(|w| matches!(w.write.op, WriteOp::Update { .. }))
            .cloned()
            .collect();
        if !updates.is_empty() {
            settled.extend(send(ctx, &b.phase, &updates).await?);
        }
        for s in &mut settled {
            s.reconciled = true;
        }
        recovered += settled.len();
        tracing::info!(phase = %b.phase, batch = %b.batch, landed = settled.len(), of = b.writes.len(), "Reconciled a batch left in flight.");
        ctx.journal
            .settle(ctx.run.id, &b.phase, Some(&b.batch), &settled)?;
    }
    Ok(recovered)
}
