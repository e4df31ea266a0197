//! `write_batch`: client-side checks, REST batch create with bisection of failed batches,
//! updates with before-images, and task/note target rows.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;

use chrono::SecondsFormat;
use crm_core::descriptor::match_values;
use crm_core::model::{fields as f, Fields, Value};
use crm_core::{Error, ErrorKind, Result, WriteOp, WriteOutcome, WriteRecord};
use futures::future::BoxFuture;
use rand::RngCore;
use serde_json::{json, Map, Value as J};

use super::client::{error_message, is_too_large, parse_error};
use super::config::TwentyDefaults;
use super::encode::{decode, encode, Refusal};
use super::meta::{Meta, ObjectMeta};
use super::sink::TwentySink;
use crate::http::Request;

type Item = (usize, J);

/// A random UUID v4, so created ids are known before the answer (the server keeps a supplied id).
pub(super) fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The cap a "Maximum number of records to upsert is N." refusal states (v2.21, probe 02).
pub(super) fn stated_cap(body: &str) -> Option<usize> {
    let m = error_message(body)?;
    let rest = m.split("Maximum number of records").nth(1)?;
    let digits: String = rest
        .split(" is ")
        .nth(1)?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn rejected(r: Refusal) -> WriteOutcome {
    WriteOutcome::Rejected {
        field: r.field,
        reason: r.reason,
    }
}

fn outcome_of(e: &Error) -> WriteOutcome {
    if e.is_temporary() {
        WriteOutcome::Retry {
            reason: e.message().to_string(),
        }
    } else {
        WriteOutcome::Rejected {
            field: None,
            reason: e.message().to_string(),
        }
    }
}

impl TwentySink {
    pub(super) async fn write(
        &self,
        object: &str,
        batch: &[WriteRecord],
    ) -> Result<Vec<WriteOutcome>> {
        let (meta, om) = self.object(object).await?;
        let desc = meta.model.require(object)?.clone();
        let mut out: Vec<Option<WriteOutcome>> = vec![None; batch.len()];
        let has_creates = batch.iter().any(|w| matches!(w.op, WriteOp::Create { .. }));
        let key_ok = has_creates && desc.creatable && self.ensure_source_key_field(object).await?;
        let (meta, om) = if key_ok {
            self.object(object).await?
        } else {
            (meta, om)
        };

        // Updates: read the before-images in one go, then PATCH one by one.
        let upd_ids: Vec<String> = batch
            .iter()
            .filter_map(|w| match &w.op {
                WriteOp::Update { id } => Some(id.clone()),
                _ => None,
            })
            .collect();
        let existing = if upd_ids.is_empty() {
            HashMap::new()
        } else {
            self.fetch_raw(&om, &upd_ids).await?
        };
        let mut creates: Vec<Item> = Vec::new();
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        for (i, w) in batch.iter().enumerate() {
            match &w.op {
                WriteOp::Update { id } => {
                    let Some(old) = existing.get(id) else {
                        out[i] = Some(WriteOutcome::Rejected {
                            field: None,
                            reason: format!("no {object} with id {id}"),
                        });
                        continue;
                    };
                    out[i] = Some(self.update(&desc, &om, id, old, w).await?);
                }
                WriteOp::Create { .. } if !desc.creatable => {
                    out[i] = Some(WriteOutcome::Rejected {
                        field: None,
                        reason: format!("{object} records cannot be created through Twenty's API"),
                    });
                }
                WriteOp::Create { .. } => match encode(&w.fields, &desc, &om, None) {
                    Err(r) => out[i] = Some(rejected(r)),
                    Ok(mut body) => {
                        // Two new records with one unique value fail the whole REST batch.
                        let dup = desc.fields.iter().filter(|fd| fd.unique).find_map(|fd| {
                            let v = w.fields.get(&fd.name)?;
                            let first = match_values(v).into_iter().next()?;
                            match seen.get(&(fd.name.clone(), first.clone())) {
                                Some(j) => Some((fd.name.clone(), first, *j)),
                                None => {
                                    seen.insert((fd.name.clone(), first), i);
                                    None
                                }
                            }
                        });
                        if let Some((field, value, j)) = dup {
                            out[i] = Some(WriteOutcome::Rejected { field: Some(field), reason: format!("duplicate value {value:?}: record {j} of the same batch has it") });
                            continue;
                        }
                        body.insert("id".into(), json!(uuid_v4()));
                        if let Some(c) = w.created_at {
                            body.insert(
                                "createdAt".into(),
                                json!(c.to_rfc3339_opts(SecondsFormat::Millis, true)),
                            );
                        }
                        if let Some(u) = w.updated_at {
                            body.insert(
                                "updatedAt".into(),
                                json!(u.to_rfc3339_opts(SecondsFormat::Millis, true)),
                            );
                        }
                        if key_ok {
                            body.insert(
                                self.config.source_key_field.clone(),
                                json!(w.key.to_string()),
                            );
                        }
                        if let (Some(src), true) = (
                            &self.config.created_by_source,
                            meta.has_field(object, "createdBy") || !meta.live,
                        ) {
                            body.entry("createdBy")
                                .or_insert_with(|| json!({"source": src, "name": "crm-migrate"}));
                        }
                        creates.push((i, J::Object(body)));
                    }
                },
            }
        }

        let mut created: Vec<(usize, WriteOutcome)> = Vec::new();
        for chunk in self.chunks(creates) {
            self.isolate(&om.plural, &chunk, false, &mut created)
                .await?;
        }
        for (i, o) in created {
            out[i] = Some(o);
        }
        if object == f::TASK || object == f::NOTE {
            self.link_targets(&meta, &om, batch, &mut out).await?;
        }
        Ok(out
            .into_iter()
            .map(|o| {
                o.unwrap_or(WriteOutcome::Retry {
                    reason: "not sent".into(),
                })
            })
            .collect())
    }

    /// Splits creates by the current batch cap and the body-size limit.
    fn chunks(&self, items: Vec<Item>) -> Vec<Vec<Item>> {
        let cap = self.batch_cap.load(Ordering::Relaxed).max(1);
        let mut out: Vec<Vec<Item>> = Vec::new();
        let mut cur: Vec<Item> = Vec::new();
        let mut bytes = 0usize;
        for it in items {
            let n = it.1.to_string().len() + 1;
            if !cur.is_empty() && (cur.len() >= cap || bytes + n > TwentyDefaults::MAX_BODY_BYTES) {
                out.push(std::mem::take(&mut cur));
                bytes = 0;
            }
            bytes += n;
            cur.push(it);
        }
        if !cur.is_empty() {
            out.push(cur);
        }
        out
    }

    /// Sends `items` as one REST batch; on a record-level refusal, splits it in halves until
    /// the bad records stand alone and are rejected with the server's message. A half that
    /// must hold the fault (its sibling landed) is split without being sent. Returns true when
    /// every item was created.
    fn isolate<'a>(
        &'a self,
        plural: &'a str,
        items: &'a [Item],
        known_bad: bool,
        out: &'a mut Vec<(usize, WriteOutcome)>,
    ) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            if items.is_empty() {
                return Ok(true);
            }
            if !known_bad || items.len() == 1 {
                let body = J::Array(items.iter().map(|(_, j)| j.clone()).collect());
                let resp = self
                    .client
                    .raw(Request::post(format!("/rest/batch/{plural}"), body))
                    .await?;
                if resp.is_success() {
                    let j = resp.json().unwrap_or(J::Null);
                    let returned: Vec<String> = super::sink::records(&j, "")
                        .iter()
                        .filter_map(|r| r.get("id").and_then(J::as_str).map(str::to_string))
                        .collect();
                    let set: HashSet<&String> = returned.iter().collect();
                    for (k, (i, rec)) in items.iter().enumerate() {
                        let ours = rec
                            .get("id")
                            .and_then(J::as_str)
                            .unwrap_or_default()
                            .to_string();
                        let id = if set.contains(&ours) || returned.len() != items.len() {
                            ours
                        } else {
                            returned[k].clone()
                        };
                        out.push((*i, WriteOutcome::Created { id }));
                    }
                    return Ok(true);
                }
                let err = parse_error(resp.status, &resp.body);
                if err.kind() == ErrorKind::Unauthorized {
                    return Err(err);
                }
                let too_large = is_too_large(resp.status, &resp.body);
                if items.len() == 1 {
                    let size = items[0].1.to_string().len();
                    let o = if too_large && size > TwentyDefaults::MAX_BODY_BYTES {
                        WriteOutcome::Rejected {
                            field: None,
                            reason: format!(
                                "record of {size} bytes is over the request size limit"
                            ),
                        }
                    } else if error_message(&resp.body).is_none() && resp.status >= 500 {
                        WriteOutcome::Retry {
                            reason: err.message().to_string(),
                        }
                    } else {
                        outcome_of(&err)
                    };
                    out.push((items[0].0, o));
                    return Ok(false);
                }
                if let Some(cap) = stated_cap(&resp.body).filter(|c| *c >= 1 && *c < items.len()) {
                    // The server said its cap ("Maximum number of records to upsert is 200.",
                    // v2.21 probe 02): re-split at it, no halving. Nothing was stored.
                    self.batch_cap.fetch_min(cap, Ordering::Relaxed);
                    self.learned_cap.store(cap, Ordering::Relaxed);
                    tracing::warn!(
                        records = items.len(),
                        new_cap = cap,
                        "Twenty refused the batch as over its cap; re-splitting at the cap."
                    );
                    let mut all_ok = true;
                    for part in items.chunks(cap) {
                        all_ok &= self.isolate(plural, part, false, out).await?;
                    }
                    return Ok(all_ok);
                }
                if too_large {
                    let half = (items.len() / 2).max(1);
                    self.batch_cap.fetch_min(half, Ordering::Relaxed);
                    tracing::warn!(
                        records = items.len(),
                        new_cap = half,
                        "Twenty refused the batch as too large; halving it."
                    );
                } else if err.is_temporary() && error_message(&resp.body).is_none()
                    || resp.status == 429
                    || err.kind() == ErrorKind::RateLimited
                {
                    for (i, _) in items {
                        out.push((*i, outcome_of(&err)));
                    }
                    return Ok(false);
                }
            }
            let (left, right) = items.split_at(items.len() / 2);
            let left_ok = self.isolate(plural, left, false, out).await?;
            self.isolate(plural, right, left_ok, out).await?;
            Ok(false)
        })
    }

    async fn update(
        &self,
        desc: &crm_core::ObjectDescriptor,
        om: &ObjectMeta,
        id: &str,
        old: &J,
        w: &WriteRecord,
    ) -> Result<WriteOutcome> {
        let body = match encode(&w.fields, desc, om, Some(old)) {
            Ok(b) => b,
            Err(r) => return Ok(rejected(r)),
        };
        let stored = decode(old, desc, om);
        let before: Fields = w
            .fields
            .keys()
            .map(|k| (k.clone(), stored.get(k).cloned().unwrap_or(Value::Null)))
            .collect();
        if body.is_empty() {
            return Ok(WriteOutcome::Updated {
                id: id.to_string(),
                before,
            });
        }
        match self
            .client
            .rest(Request::patch(
                format!("/rest/{}/{id}", om.plural),
                J::Object(body),
            ))
            .await
        {
            Ok(_) => Ok(WriteOutcome::Updated {
                id: id.to_string(),
                before,
            }),
            Err(e) if e.kind() == ErrorKind::Unauthorized => Err(e),
            Err(e) => Ok(outcome_of(&e)),
        }
    }

    /// Creates `taskTarget` / `noteTarget` rows for the records just created. A record whose
    /// rows fail is destroyed again and rejected, so no half-linked activity is left behind.
    async fn link_targets(
        &self,
        meta: &Meta,
        om: &ObjectMeta,
        batch: &[WriteRecord],
        out: &mut [Option<WriteOutcome>],
    ) -> Result<()> {
        let junction = format!("{}Target", om.singular);
        let cols = meta
            .target_columns
            .get(&junction)
            .cloned()
            .unwrap_or_default();
        let mut per_record: Vec<(usize, String, Vec<J>)> = Vec::new();
        for (i, w) in batch.iter().enumerate() {
            let (Some(WriteOutcome::Created { id }), Some(Value::Ids(targets))) =
                (&out[i], w.fields.get(f::TARGETS))
            else {
                continue;
            };
            let rows: Vec<J> = targets
                .iter()
                .map(|t| {
                    let col = cols
                        .get(&t.object)
                        .cloned()
                        .unwrap_or_else(|| format!("{}Id", t.object));
                    let mut m = Map::new();
                    m.insert(format!("{}Id", om.singular), json!(id));
                    m.insert(col, json!(t.id));
                    J::Object(m)
                })
                .collect();
            if !rows.is_empty() {
                per_record.push((i, id.clone(), rows));
            }
        }
        if per_record.is_empty() {
            return Ok(());
        }
        let path = format!("/rest/batch/{junction}s");
        // Rows go in requests of at most the batch cap (a batch of 200 tasks with two targets
        // each is 400 rows, over v2's cap); a request refused falls back to one per record.
        let cap = self.batch_cap.load(Ordering::Relaxed).max(1);
        let mut groups: Vec<Vec<(usize, String, Vec<J>)>> = vec![Vec::new()];
        let mut rows_in_group = 0;
        for rec in per_record {
            if rows_in_group > 0 && rows_in_group + rec.2.len() > cap {
                groups.push(Vec::new());
                rows_in_group = 0;
            }
            rows_in_group += rec.2.len();
            if let Some(g) = groups.last_mut() {
                g.push(rec);
            }
        }
        for group in groups {
            self.link_group(&path, om, group, out).await?;
        }
        Ok(())
    }

    /// One request for the rows of `group`; if refused, one per record, and a record whose
    /// rows are refused is destroyed again and rejected.
    async fn link_group(
        &self,
        path: &str,
        om: &ObjectMeta,
        group: Vec<(usize, String, Vec<J>)>,
        out: &mut [Option<WriteOutcome>],
    ) -> Result<()> {
        let all: Vec<J> = group.iter().flat_map(|(_, _, r)| r.clone()).collect();
        if all.is_empty()
            || self
                .client
                .rest(Request::post(path, J::Array(all)))
                .await
                .is_ok()
        {
            return Ok(());
        }
        for (i, id, rows) in group {
            if let Err(e) = self.client.rest(Request::post(path, J::Array(rows))).await {
                if e.kind() == ErrorKind::Unauthorized {
                    return Err(e);
                }
                let _ = self
                    .client
                    .rest(Request::delete(format!("/rest/{}/{id}", om.plural)))
                    .await;
                out[i] = Some(WriteOutcome::Rejected {
                    field: Some(f::TARGETS.into()),
                    reason: format!("targets could not be linked: {}", e.message()),
                });
            }
        }
        Ok(())
    }
}
