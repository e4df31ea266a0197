//! [`TwentySink`]: crm-core's [`Sink`] over Twenty's REST API.

use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use crm_core::model::{fields as f, normalise_domain};
use crm_core::{
    DataModel, DeleteOutcome, Error, ErrorKind, FieldType, Lookup, ReadBack, Result, SchemaChange,
    SchemaOutcome, Sink, SinkCapabilities, WriteOutcome, WriteRecord,
};
use serde_json::{json, Value as J};
use tokio::sync::Mutex;

use super::client::TwentyClient;
use super::config::{TwentyConfig, TwentyDefaults};
use super::encode::{decode, is_uuid};
use super::meta::{Meta, ObjectMeta};
use crate::http::Request;

/// The Twenty destination. See the module docs for what it does with each recorded fact.
#[derive(Debug)]
pub struct TwentySink {
    pub(super) config: TwentyConfig,
    pub(super) client: TwentyClient,
    meta: Mutex<Option<Arc<Meta>>>,
    /// Current batch cap: halved when the server refuses a batch as too large, set to the cap
    /// a refusal states.
    pub(super) batch_cap: AtomicUsize,
    /// The cap the server stated in a refusal (0: none stated yet).
    pub(super) learned_cap: AtomicUsize,
    /// What [`Self::probe`] found.
    pub(super) found: std::sync::Mutex<Option<super::capabilities::TwentyCapabilities>>,
    /// Held while checking for (and creating) the source-key field, so concurrent batches
    /// do not race to create it and lose (the loser would write records without keys).
    key_field: Mutex<()>,
}

impl TwentySink {
    /// A sink for `config` (validated; no request is made until first use).
    pub fn new(config: TwentyConfig) -> Result<Self> {
        let client = TwentyClient::new(&config)?;
        let cap = config.effective_batch_size();
        Ok(Self {
            config,
            client,
            meta: Mutex::new(None),
            batch_cap: AtomicUsize::new(cap),
            learned_cap: AtomicUsize::new(0),
            found: std::sync::Mutex::new(None),
            key_field: Mutex::new(()),
        })
    }

    /// The API client.
    pub fn client(&self) -> &TwentyClient {
        &self.client
    }

    /// The server's model, read once from `GET /rest/metadata/objects`; falls back to
    /// [`super::twenty_standard_model`] (with a warning) when the metadata cannot be read,
    /// except for a refused key, which is an error.
    pub(super) async fn meta(&self) -> Result<Arc<Meta>> {
        let mut guard = self.meta.lock().await;
        if let Some(m) = guard.as_ref() {
            return Ok(m.clone());
        }
        let m = match self.metadata_objects().await {
            Ok(body) => {
                match Meta::from_objects(&body, &self.config.source_key_field) {
                    Some(m) => m,
                    None => {
                        tracing::warn!("Twenty metadata answer not understood; using the static standard model.");
                        Meta::fallback()
                    }
                }
            }
            Err(e) if e.kind() == ErrorKind::Unauthorized => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, "Twenty metadata unreachable; using the static standard model.");
                Meta::fallback()
            }
        };
        let m = Arc::new(m);
        *guard = Some(m.clone());
        Ok(m)
    }

    /// `GET /rest/metadata/objects`, every page: v1 answers everything at once and refuses any
    /// query string; v2.21 answers `{data:[…], pageInfo}` and pages by id (`limit` ≤ 200,
    /// `starting_after`), so later pages are asked for only when `hasNextPage` says so.
    pub(super) async fn metadata_objects(&self) -> Result<J> {
        let mut body = self
            .client
            .rest(Request::get("/rest/metadata/objects"))
            .await?;
        loop {
            let more = body.pointer("/pageInfo/hasNextPage").and_then(J::as_bool) == Some(true);
            let cursor = body
                .pointer("/pageInfo/endCursor")
                .and_then(J::as_str)
                .map(str::to_string);
            let (true, Some(cursor), Some(_)) =
                (more, cursor, body.get("data").and_then(J::as_array))
            else {
                return Ok(body);
            };
            let next = self
                .client
                .rest(
                    Request::get("/rest/metadata/objects")
                        .query("limit", "200")
                        .query("starting_after", cursor),
                )
                .await?;
            let page = next
                .get("data")
                .and_then(J::as_array)
                .cloned()
                .unwrap_or_default();
            if page.is_empty() {
                return Ok(body);
            }
            if let Some(list) = body.get_mut("data").and_then(J::as_array_mut) {
                list.extend(page);
            }
            body["pageInfo"] = next.get("pageInfo").cloned().unwrap_or(J::Null);
        }
    }

    /// Forgets the cached metadata (after a metadata change).
    pub async fn refresh_metadata(&self) {
        *self.meta.lock().await = None;
    }

    pub(super) async fn object(&self, object: &str) -> Result<(Arc<Meta>, ObjectMeta)> {
        let meta = self.meta().await?;
        meta.model.require(object)?;
        let om = meta
            .object(object)
            .cloned()
            .ok_or_else(|| Error::config(format!("twenty: no route for object {object:?}")))?;
        Ok((meta, om))
    }

    /// Makes sure `object` has the unique TEXT field that stores source keys, creating it
    /// through the metadata API when missing (and allowed). True when the field is usable.
    pub async fn ensure_source_key_field(&self, object: &str) -> Result<bool> {
        let field = &self.config.source_key_field;
        if self.object(object).await?.0.has_field(object, field) {
            return Ok(true);
        }
        let _one_at_a_time = self.key_field.lock().await;
        // Another batch may have created it while this one waited.
        let (meta, om) = self.object(object).await?;
        if meta.has_field(object, field) {
            return Ok(true);
        }
        if !meta.live || !self.config.create_source_key_field {
            return Ok(false);
        }
        let Some(object_id) = om.id.clone() else {
            return Ok(false);
        };
        let mut body = json!({
            "objectMetadataId": object_id, "type": "TEXT", "name": field,
            "label": "crm-migrate source key", "icon": "IconKey",
            "description": "Source record key written by crm-migrate", "isNullable": true, "isUnique": true,
        });
        let mut res = self
            .client
            .rest(Request::post("/rest/metadata/fields", body.clone()))
            .await;
        if matches!(&res, Err(e) if e.kind() == ErrorKind::Validation && e.message().contains("isUnique"))
        {
            if let Some(o) = body.as_object_mut() {
                o.remove("isUnique");
            }
            res = self
                .client
                .rest(Request::post("/rest/metadata/fields", body))
                .await;
        }
        match res {
            Ok(_) => {
                tracing::info!(object, field = %field, "Created the source-key field.");
                self.refresh_metadata().await;
                Ok(true)
            }
            Err(e) if e.kind() == ErrorKind::Unauthorized => Err(e),
            Err(e) => {
                // Made meanwhile by another process? Then it is usable.
                self.refresh_metadata().await;
                if self.object(object).await?.0.has_field(object, field) {
                    return Ok(true);
                }
                tracing::warn!(object, error = %e, "Cannot create the source-key field; lookups by source key are off.");
                Ok(false)
            }
        }
    }

    /// Raw records of `om` by id (`id[in]` filter, paged), keyed by id.
    pub(super) async fn fetch_raw(
        &self,
        om: &ObjectMeta,
        ids: &[String],
    ) -> Result<HashMap<String, J>> {
        let mut out = HashMap::new();
        let valid: Vec<&String> = ids.iter().filter(|i| is_uuid(i)).collect();
        for chunk in valid.chunks(TwentyDefaults::READ_PAGE) {
            let list = chunk
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(",");
            let req = Request::get(format!("/rest/{}", om.plural))
                .query("filter", format!("id[in]:[{list}]"))
                .query("limit", chunk.len().to_string());
            let body = self.client.rest(req).await?;
            for r in records(&body, &om.plural) {
                if let Some(id) = r.get("id").and_then(J::as_str) {
                    out.insert(id.to_string(), r.clone());
                }
            }
        }
        Ok(out)
    }

    /// Lists records of `om` matching `filter` (one page of `limit`).
    async fn find(&self, om: &ObjectMeta, filter: String, limit: usize) -> Result<Vec<J>> {
        let req = Request::get(format!("/rest/{}", om.plural))
            .query("filter", filter)
            .query("limit", limit.to_string());
        let body = self.client.rest(req).await?;
        Ok(records(&body, &om.plural).into_iter().cloned().collect())
    }

    async fn lookup_one(
        &self,
        meta: &Meta,
        object: &str,
        om: &ObjectMeta,
        l: &Lookup,
    ) -> Result<Option<String>> {
        let id_of = |r: &J| r.get("id").and_then(J::as_str).map(str::to_string);
        match l {
            Lookup::SourceKey(key) => {
                let field = &self.config.source_key_field;
                if !meta.has_field(object, field) {
                    if meta.live {
                        return Ok(None); // nothing was ever written with a key here
                    }
                    return Err(Error::unsupported(
                        "twenty: metadata unreachable, cannot look up by source key",
                    ));
                }
                let found = self
                    .find(om, format!("{field}[eq]:{}", quote(&key.to_string())), 2)
                    .await?;
                let want = key.to_string();
                Ok(found
                    .iter()
                    .find(|r| r.get(field).and_then(J::as_str) == Some(want.as_str()))
                    .and_then(id_of))
            }
            Lookup::Field { field, value } => {
                let desc = meta.model.require(object)?;
                let fd = desc.get(field).ok_or_else(|| {
                    Error::config(format!("twenty: {object} has no field {field:?}"))
                })?;
                let wire = om.wire.get(field).cloned().unwrap_or_else(|| field.clone());
                if object == f::USER {
                    let want = value.trim().to_lowercase();
                    // The member filter is case-sensitive (probe 15): list and compare here.
                    let all = self.find(om, "id[is]:NOT_NULL".into(), 1000).await?;
                    return Ok(all
                        .iter()
                        .find(|r| text_at(r, &wire).trim().to_lowercase() == want)
                        .and_then(id_of));
                }
                let (path, filter, norm) = field_match(fd.ty, &wire, value);
                let want = norm(value);
                let found = self.find(om, filter, 50).await?;
                Ok(found
                    .iter()
                    .find(|r| norm(&text_at(r, &path)) == want)
                    .and_then(id_of))
            }
        }
    }
}

type Norm = fn(&str) -> String;

/// How to find `value` in a field of type `ty` at `wire`: the path compared, one filter leaf
/// (case-insensitive `ilike`), and the normalisation both sides go through.
fn field_match(ty: FieldType, wire: &str, value: &str) -> (String, String, Norm) {
    match ty {
        FieldType::Emails => (
            format!("{wire}.primaryEmail"),
            format!(
                "{wire}.primaryEmail[ilike]:{}",
                quote(&value.trim().to_lowercase())
            ),
            |s| s.trim().to_lowercase(),
        ),
        FieldType::Urls => {
            let d = normalise_domain(value);
            (
                format!("{wire}.primaryLinkUrl"),
                format!("{wire}.primaryLinkUrl[ilike]:{}", quote(&format!("%{d}%"))),
                normalise_domain,
            )
        }
        _ => (
            wire.to_string(),
            format!("{wire}[ilike]:{}", quote(value.trim())),
            |s| s.trim().to_lowercase(),
        ),
    }
}

/// Field lookups asked together, answered by one `or(…)` filter per chunk.
const FIELD_LOOKUP_CHUNK: usize = 100;

impl TwentySink {
    /// Answers the `Field` lookups of `lookups` (per field, in chunks) with one request per
    /// chunk; a chunk whose answer fills a whole page (wildcards in `ilike` matched too much)
    /// is left to the one-by-one path.
    async fn batch_field_lookups(
        &self,
        meta: &Meta,
        object: &str,
        om: &ObjectMeta,
        lookups: &[Lookup],
        out: &mut [Option<Option<String>>],
    ) -> Result<()> {
        let Some(desc) = meta.model.get(object) else {
            return Ok(());
        };
        let mut by_field: std::collections::BTreeMap<&str, Vec<(usize, &str)>> = Default::default();
        for (i, l) in lookups.iter().enumerate() {
            if let Lookup::Field { field, value } = l {
                if out[i].is_none() && desc.get(field).is_some() && !value.trim().is_empty() {
                    by_field.entry(field.as_str()).or_default().push((i, value));
                }
            }
        }
        for (field, items) in by_field {
            if items.len() < 2 {
                continue;
            }
            let Some(fd) = desc.get(field) else { continue };
            let wire = om
                .wire
                .get(field)
                .cloned()
                .unwrap_or_else(|| field.to_string());
            for chunk in items.chunks(FIELD_LOOKUP_CHUNK) {
                let leaves: Vec<String> = chunk
                    .iter()
                    .map(|(_, v)| field_match(fd.ty, &wire, v).1)
                    .collect();
                let limit = TwentyDefaults::MAX_BATCH_SIZE;
                let found = self
                    .find(om, format!("or({})", leaves.join(",")), limit)
                    .await?;
                if found.len() >= limit {
                    continue;
                }
                for (i, v) in chunk {
                    let (path, _, norm) = field_match(fd.ty, &wire, v);
                    let want = norm(v);
                    out[*i] = Some(
                        found
                            .iter()
                            .find(|r| norm(&text_at(r, &path)) == want)
                            .and_then(|r| r.get("id").and_then(J::as_str).map(str::to_string)),
                    );
                }
            }
        }
        Ok(())
    }
}

/// Records per page of a full scan: v2.21 clamps `limit` to 200 (probe 09).
const SCAN_PAGE: usize = 200;

impl TwentySink {
    /// Every record of `om` matching `filter`, page by page (`limit` 200, `starting_after`
    /// the page's end cursor), handed to `each`.
    async fn scan(&self, om: &ObjectMeta, filter: &str, mut each: impl FnMut(&J)) -> Result<()> {
        let mut cursor: Option<String> = None;
        loop {
            let mut req = Request::get(format!("/rest/{}", om.plural))
                .query("filter", filter.to_string())
                .query("limit", SCAN_PAGE.to_string());
            if let Some(c) = &cursor {
                req = req.query("starting_after", c.clone());
            }
            let body = self.client.rest(req).await?;
            let page = records(&body, &om.plural);
            for r in &page {
                each(r);
            }
            let info = body.get("pageInfo");
            let more = info
                .and_then(|p| p.get("hasNextPage"))
                .and_then(J::as_bool)
                .unwrap_or(false);
            let next = info
                .and_then(|p| p.get("endCursor"))
                .and_then(J::as_str)
                .map(str::to_string);
            if !more || page.is_empty() || next.is_none() || next == cursor {
                return Ok(());
            }
            cursor = next;
        }
    }
}

/// The record list in a find-many answer (`{data:{<plural>:[…]}}`).
pub(crate) fn records<'a>(body: &'a J, plural: &str) -> Vec<&'a J> {
    let data = body.get("data");
    let list = data.and_then(|d| d.get(plural)).or_else(|| {
        data.and_then(J::as_object)
            .and_then(|o| o.values().find(|v| v.is_array()))
    });
    list.and_then(J::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn text_at(r: &J, path: &str) -> String {
    let v = match path.split_once('.') {
        Some((a, b)) => r.get(a).and_then(|x| x.get(b)),
        None => r.get(path),
    };
    v.and_then(J::as_str).unwrap_or_default().to_string()
}

/// Quotes a filter value that holds a separator of the filter grammar.
fn quote(v: &str) -> String {
    if v.contains([',', '(', ')', '[', ']']) {
        format!("\"{}\"", v.replace('"', "\\\""))
    } else {
        v.to_string()
    }
}

#[async_trait]
impl Sink for TwentySink {
    fn name(&self) -> &str {
        "twenty"
    }

    fn capabilities(&self) -> SinkCapabilities {
        SinkCapabilities {
            // The configured size, lowered to a cap the server was found (or said) to have.
            max_batch_size: self.config.effective_batch_size().min(
                self.batch_cap
                    .load(std::sync::atomic::Ordering::Relaxed)
                    .max(1),
            ),
            update: true,
            upsert: false,
            hard_delete: true,
            custom_fields: true,
            keeps_created_at: true,
            rate_limit_per_min: self.config.rate_limit_per_min,
        }
    }

    async fn check(&self) -> Result<()> {
        self.client
            .rest(Request::get("/rest/people").query("limit", "1"))
            .await
            .map_err(|e| e.with_operation("check"))?;
        // Detect, don't assume: what this server does, kept for `capabilities_found`.
        let caps = self.probe().await;
        tracing::info!(
            generation = ?caps.api_generation,
            batch_cap = ?caps.batch_cap,
            rest_upsert = ?caps.rest_upsert,
            rate_limit_headers = caps.rate_limit_headers.seen,
            "Twenty server probed."
        );
        for w in caps.active_workflows.iter().flatten() {
            tracing::warn!(workflow = %w.name, event = %w.event, skipped_for = ?w.skipped_for_sources,
                "An active workflow runs on records this migration writes.");
        }
        Ok(())
    }

    async fn data_model(&self) -> Result<DataModel> {
        Ok(self.meta().await?.model.clone())
    }

    async fn write_batch(&self, object: &str, batch: &[WriteRecord]) -> Result<Vec<WriteOutcome>> {
        self.write(object, batch)
            .await
            .map_err(|e| e.with_operation("write_batch").with_object(object))
    }

    async fn read(&self, object: &str, ids: &[String]) -> Result<Vec<Option<ReadBack>>> {
        let (meta, om) = self.object(object).await?;
        let desc = meta.model.require(object)?;
        let raw = self
            .fetch_raw(&om, ids)
            .await
            .map_err(|e| e.with_operation("read"))?;
        let target_objects: Option<Vec<String>> = desc
            .get(f::TARGETS)
            .and_then(|fd| fd.reference.as_ref())
            .map(|r| r.objects.clone());
        let mut targets = if let Some(objects) = &target_objects {
            let found: Vec<String> = ids
                .iter()
                .filter(|i| raw.contains_key(*i))
                .cloned()
                .collect();
            self.fetch_targets(&meta, &om, &found, objects)
                .await
                .map_err(|e| e.with_operation("read"))?
        } else {
            HashMap::new()
        };
        Ok(ids
            .iter()
            .map(|id| {
                raw.get(id).map(|r| {
                    let mut fields = decode(r, desc, &om);
                    if let Some(list) = targets.remove(id).filter(|l| !l.is_empty()) {
                        fields.insert(f::TARGETS.to_string(), crm_core::Value::Ids(list));
                    }
                    ReadBack {
                        id: id.clone(),
                        created_at: r
                            .get("createdAt")
                            .and_then(J::as_str)
                            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                            .map(|d| d.with_timezone(&Utc)),
                        fields,
                    }
                })
            })
            .collect())
    }

    async fn remove_own_fields(&self) -> Result<Vec<String>> {
        let field = self.config.source_key_field.clone();
        Ok(self
            .remove_source_key_fields()
            .await?
            .into_iter()
            .map(|object| format!("remove field {object}.{field} (source keys)"))
            .collect())
    }

    fn findings(&self) -> Option<serde_json::Value> {
        serde_json::to_value(self.capabilities_found()?).ok()
    }

    fn warnings(&self) -> Vec<String> {
        let Some(caps) = self.capabilities_found() else {
            return Vec::new();
        };
        caps.active_workflows
            .unwrap_or_default()
            .into_iter()
            .map(|w| {
                let unless = if w.skipped_for_sources.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (it does not fire for records created with source {})",
                        w.skipped_for_sources.join(" or ")
                    )
                };
                format!(
                    "The workflow {:?} is active and fires on {}{unless}: every record this migration writes will run it. Deactivate it in Twenty for the migration window, then turn it back on.",
                    w.name, w.event
                )
            })
            .collect()
    }

    async fn source_key_page(
        &self,
        object: &str,
        cursor: Option<String>,
    ) -> Result<Option<crm_core::connector::Page<(crm_core::SourceKey, String)>>> {
        let (meta, om) = self.object(object).await?;
        let field = &self.config.source_key_field;
        if !meta.has_field(object, field) {
            // Without the field nothing was ever written with a key here (when the model
            // is live); with a fallback model, say we cannot tell.
            return Ok(meta.live.then(|| crm_core::connector::Page {
                items: Vec::new(),
                next: None,
            }));
        }
        let mut req = Request::get(format!("/rest/{}", om.plural))
            .query("filter", format!("{field}[is]:NOT_NULL"))
            .query("limit", TwentyDefaults::MAX_BATCH_SIZE.to_string());
        if let Some(c) = cursor {
            req = req.query("starting_after", c);
        }
        let body = self
            .client
            .rest(req)
            .await
            .map_err(|e| e.with_operation("source_key_page").with_object(object))?;
        let items = records(&body, &om.plural)
            .into_iter()
            .filter_map(|r| {
                let key = r.get(field.as_str()).and_then(J::as_str)?.parse().ok()?;
                let id = r.get("id").and_then(J::as_str)?;
                Some((key, id.to_string()))
            })
            .collect();
        let info = body.get("pageInfo");
        let more = info
            .and_then(|p| p.get("hasNextPage"))
            .and_then(J::as_bool)
            .unwrap_or(false);
        let next = info
            .and_then(|p| p.get("endCursor"))
            .and_then(J::as_str)
            .filter(|_| more)
            .map(str::to_string);
        Ok(Some(crm_core::connector::Page { items, next }))
    }

    async fn lookup(&self, object: &str, lookups: &[Lookup]) -> Result<Vec<Option<String>>> {
        let (meta, om) = self.object(object).await?;
        let mut out: Vec<Option<Option<String>>> = vec![None; lookups.len()];
        // Source keys go by one `[in]` filter per page, not one request each (recovery after
        // an ambiguous failure looks up a whole batch).
        let field = &self.config.source_key_field;
        if meta.has_field(object, field) {
            let keyed: Vec<(usize, String)> = lookups
                .iter()
                .enumerate()
                .filter_map(|(i, l)| match l {
                    Lookup::SourceKey(k) => Some((i, k.to_string())),
                    Lookup::Field { .. } => None,
                })
                .filter(|(_, k)| !k.contains([',', '(', ')', '[', ']', '"']))
                .collect();
            for chunk in keyed.chunks(TwentyDefaults::READ_PAGE) {
                let list: Vec<&str> = chunk.iter().map(|(_, k)| k.as_str()).collect();
                let found = self
                    .find(
                        &om,
                        format!("{field}[in]:[{}]", list.join(",")),
                        chunk.len() * 2,
                    )
                    .await
                    .map_err(|e| e.with_operation("lookup"))?;
                let by_key: HashMap<&str, String> = found
                    .iter()
                    .filter_map(|r| {
                        let k = r.get(field.as_str()).and_then(J::as_str)?;
                        let id = r.get("id").and_then(J::as_str)?;
                        Some((k, id.to_string()))
                    })
                    .collect();
                for (i, k) in chunk {
                    out[*i] = Some(by_key.get(k.as_str()).cloned());
                }
            }
        }
        if object != f::USER {
            self.batch_field_lookups(&meta, object, &om, lookups, &mut out)
                .await
                .map_err(|e| e.with_operation("lookup"))?;
        }
        let mut answers = Vec::with_capacity(lookups.len());
        for (l, done) in lookups.iter().zip(out) {
            answers.push(match done {
                Some(a) => a,
                None => self
                    .lookup_one(&meta, object, &om, l)
                    .await
                    .map_err(|e| e.with_operation("lookup"))?,
            });
        }
        Ok(answers)
    }

    async fn delete(&self, object: &str, ids: &[String]) -> Result<Vec<DeleteOutcome>> {
        let (_, om) = self.object(object).await?;
        if object == f::TASK || object == f::NOTE {
            // Junction rows first, so no link is left pointing at a destroyed record.
            let valid: Vec<&str> = ids
                .iter()
                .filter(|i| is_uuid(i))
                .map(String::as_str)
                .collect();
            for chunk in valid.chunks(TwentyDefaults::READ_PAGE) {
                let req = Request::delete(format!("/rest/{}Targets", om.singular)).query(
                    "filter",
                    format!("{}Id[in]:[{}]", om.singular, chunk.join(",")),
                );
                if let Err(e) = self.client.rest(req).await {
                    tracing::warn!(object, error = %e, "Could not delete junction rows.");
                }
            }
        }
        // v2.21 destroys many by filter in one request (probe 10): ids in pages of 60.
        // A rollback may come without a `check`: probe once.
        let found = match self.capabilities_found() {
            Some(c) => c,
            None => self.probe().await,
        };
        let many = found.api_generation == super::capabilities::ApiGeneration::V2;
        let mut gone: HashMap<String, DeleteOutcome> = HashMap::new();
        if many {
            let valid: Vec<&str> = ids
                .iter()
                .filter(|i| is_uuid(i))
                .map(String::as_str)
                .collect();
            for chunk in valid.chunks(TwentyDefaults::READ_PAGE) {
                let req = Request::delete(format!("/rest/{}", om.plural))
                    .query("filter", format!("id[in]:[{}]", chunk.join(",")));
                match self.client.rest(req).await {
                    Ok(body) => {
                        let deleted: std::collections::HashSet<String> = records(&body, "")
                            .iter()
                            .filter_map(|r| r.get("id").and_then(J::as_str).map(str::to_string))
                            .collect();
                        for id in chunk {
                            gone.insert(
                                id.to_string(),
                                if deleted.contains(*id) {
                                    DeleteOutcome::Deleted
                                } else {
                                    DeleteOutcome::NotFound
                                },
                            );
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::Unauthorized => {
                        return Err(e.with_operation("delete"))
                    }
                    // Left to the one-by-one path below.
                    Err(e) => {
                        tracing::warn!(object, error = %e, "Destroy-many refused; deleting one by one.")
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(o) = gone.remove(id) {
                out.push(o);
                continue;
            }
            if !is_uuid(id) {
                out.push(DeleteOutcome::NotFound);
                continue;
            }
            // DELETE /rest/{plural}/{id} destroys (hard delete) on the recorded server (probe 10);
            // a missing id answers 400 EntityNotFoundError / "Record not found".
            let r = self
                .client
                .rest(Request::delete(format!("/rest/{}/{id}", om.plural)))
                .await;
            out.push(match r {
                Ok(_) => DeleteOutcome::Deleted,
                Err(e) if e.kind() == ErrorKind::NotFound => DeleteOutcome::NotFound,
                Err(e) if e.kind() == ErrorKind::Unauthorized => {
                    return Err(e.with_operation("delete"))
                }
                Err(e) => DeleteOutcome::Failed {
                    reason: e.message().to_string(),
                },
            });
        }
        Ok(out)
    }

    async fn list_unique_values(
        &self,
        object: &str,
        field: &str,
    ) -> Result<Option<Vec<(String, String)>>> {
        let (meta, om) = self.object(object).await?;
        let Some(fd) = meta.model.require(object)?.get(field) else {
            return Ok(None);
        };
        if object == f::USER || fd.reference.is_some() {
            return Ok(None);
        }
        let wire = om
            .wire
            .get(field)
            .cloned()
            .unwrap_or_else(|| field.to_string());
        let (path, _, norm) = field_match(fd.ty, &wire, "");
        let mut out = Vec::new();
        self.scan(&om, &format!("{path}[is]:NOT_NULL"), |r| {
            let v = norm(&text_at(r, &path));
            if let (false, Some(id)) = (v.is_empty(), r.get("id").and_then(J::as_str)) {
                out.push((v, id.to_string()));
            }
        })
        .await
        .map_err(|e| e.with_operation("list_unique_values").with_object(object))?;
        Ok(Some(out))
    }

    async fn apply_schema(&self, changes: &[SchemaChange]) -> Result<Vec<SchemaOutcome>> {
        match self.apply_changes(changes).await {
            Ok(out) => Ok(out),
            Err(e) => {
                // The change may have been made before the reply was lost: the next model
                // read must come from the server, not the cache.
                self.refresh_metadata().await;
                Err(e.with_operation("apply_schema"))
            }
        }
    }

    async fn revert_schema(&self, change: &SchemaChange) -> Result<()> {
        self.revert_change(change).await
    }
}
