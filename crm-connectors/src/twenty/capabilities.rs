//! What the Twenty server at hand does, found out at the start of a run instead of assumed
//! (issue 10): [`TwentyCapabilities`], filled by [`TwentySink::probe`] from the metadata the
//! sink reads anyway, two reads of the workflow tables, and what the answers themselves say
//! (a stated batch cap, rate-limit headers).

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};
use serde_json::Value as J;

use super::config::TwentyDefaults;
use super::descriptor::TWENTY_V1_ONLY_FIELDS;
use super::sink::{records, TwentySink};
use crate::http::{RateHeaders, Request};

/// Which generation of Twenty's API the server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ApiGeneration {
    /// The metadata API prints `isCustom` and wraps entities (`{data:{objects:[…]}}`):
    /// Twenty 1.x, as recorded in `reference/twenty-live/`.
    V1,
    /// The metadata API prints `applicationId` and no `isCustom`, lists as `{data:[…]}`:
    /// Twenty 2.x, as recorded in `reference/twenty-v2-live/`.
    V2,
    /// The metadata could not be read.
    #[default]
    Unknown,
}

/// A workflow that runs when records are created or updated: it acts behind the migration's
/// back (the v2.21 seed "Create company when adding a new person" fires on `person.upserted`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveWorkflow {
    /// The workflow's name.
    pub name: String,
    /// The trigger's event (`person.upserted`, `company.created`, …).
    pub event: String,
    /// `createdBy.source` values the trigger's filter excludes (records created with one of
    /// them do not fire it), as the trigger's settings state.
    pub skipped_for_sources: Vec<String>,
}

/// What the server was found to do. Serialisable, for the run report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwentyCapabilities {
    /// The API generation, read from the shape of the metadata answer.
    pub api_generation: ApiGeneration,
    /// Records per batch request the server takes: the cap it stated in a refusal, else the
    /// known cap of its generation (v2: `QUERY_MAX_RECORDS` = 200), else `None` (v1 has none).
    pub batch_cap: Option<usize>,
    /// Where `batch_cap` comes from.
    pub batch_cap_source: String,
    /// Whether `POST /rest/batch/{plural}?upsert=true` upserts: inferred from the generation
    /// (recorded: honoured by v2.21, probe 03; ignored by v1.4, probe 04).
    pub rest_upsert: Option<bool>,
    /// Task/note target columns by target object (`person` → `targetPersonId` on v2,
    /// `personId` on v1), read from the junction objects' metadata.
    pub target_columns: BTreeMap<String, String>,
    /// Type of the task body field and its name: `(RICH_TEXT, bodyV2)` on v2.21 (live),
    /// `(RICH_TEXT_V2, bodyV2)` on v1.4.
    pub rich_text: Option<(String, String)>,
    /// Standard fields of the v1 model this server does not have (`person.city`, …).
    pub missing_v1_fields: Vec<String>,
    /// The server's rate-limit headers, as seen so far (v2.21 sends none: paced client-side).
    pub rate_limit_headers: RateHeaders,
    /// Active workflows triggered by record creation or update; `None` when the workflow
    /// objects could not be read (a v1 server, or a key without access).
    pub active_workflows: Option<Vec<ActiveWorkflow>>,
}

/// `createdBy.source` values a trigger's step filters exclude (`IS_NOT` on the actor source).
fn skipped_sources(trigger: &J) -> Vec<String> {
    let mut out = Vec::new();
    for f in trigger
        .pointer("/settings/filter/stepFilters")
        .and_then(J::as_array)
        .into_iter()
        .flatten()
    {
        let on_source = f
            .get("stepOutputKey")
            .and_then(J::as_str)
            .is_some_and(|k| k.contains("createdBy.source"));
        if on_source && f.get("operand").and_then(J::as_str) == Some("IS_NOT") {
            let v = f.get("value").and_then(J::as_str).unwrap_or_default();
            let parsed: Vec<String> = serde_json::from_str(v).unwrap_or_else(|_| vec![v.into()]);
            out.extend(parsed);
        }
    }
    out
}

impl TwentySink {
    /// Finds out what the server does (cheaply: the metadata it reads anyway, and two reads of
    /// the workflow tables) and keeps it for [`Self::capabilities_found`]. Never fails the run:
    /// what cannot be read stays unknown. A stated batch cap lowers the sink's batch size.
    pub async fn probe(&self) -> TwentyCapabilities {
        let mut caps = TwentyCapabilities::default();
        if let Ok(body) = self.metadata_objects().await {
            let list = body
                .pointer("/data/objects")
                .or_else(|| body.get("data"))
                .and_then(J::as_array)
                .cloned()
                .unwrap_or_default();
            let first = list.first();
            caps.api_generation = match first {
                Some(o) if o.get("isCustom").is_some() => ApiGeneration::V1,
                Some(o) if o.get("applicationId").is_some() => ApiGeneration::V2,
                _ => ApiGeneration::Unknown,
            };
            let fields_of = |singular: &str| -> Vec<J> {
                list.iter()
                    .find(|o| o.get("nameSingular").and_then(J::as_str) == Some(singular))
                    .and_then(|o| o.get("fields"))
                    .and_then(J::as_array)
                    .cloned()
                    .unwrap_or_default()
            };
            let task = fields_of("task");
            caps.rich_text = task
                .iter()
                .find(|f| {
                    f.get("type")
                        .and_then(J::as_str)
                        .is_some_and(|t| t.starts_with("RICH_TEXT"))
                })
                .map(|f| {
                    let s = |k: &str| f.get(k).and_then(J::as_str).unwrap_or_default().to_string();
                    (s("type"), s("name"))
                });
            for (object, field) in TWENTY_V1_ONLY_FIELDS {
                let wire = super::descriptor::twenty_field_name(object, field).unwrap_or(field);
                let singular = super::descriptor::TWENTY_OBJECT_NAMES
                    .iter()
                    .find(|(c, _, _)| c == object)
                    .map(|(_, s, _)| *s)
                    .unwrap_or(object);
                let has = fields_of(singular)
                    .iter()
                    .any(|f| f.get("name").and_then(J::as_str) == Some(wire));
                if !has && !list.is_empty() {
                    caps.missing_v1_fields.push(format!("{singular}.{wire}"));
                }
            }
        }
        if let Ok(meta) = self.meta().await {
            // The columns the write path uses: the metadata's join column, else `<object>Id`
            // (a v1 server that prints no relation details).
            let known = meta.target_columns.get("taskTarget");
            let targets = meta
                .model
                .get(crm_core::model::fields::TASK)
                .and_then(|t| t.get(crm_core::model::fields::TARGETS))
                .and_then(|fd| fd.reference.as_ref())
                .map(|r| r.objects.clone())
                .unwrap_or_default();
            caps.target_columns = targets
                .into_iter()
                .map(|o| {
                    let col = known
                        .and_then(|k| k.get(&o))
                        .cloned()
                        .unwrap_or_else(|| format!("{o}Id"));
                    (o, col)
                })
                .collect();
        }
        let learned = self.learned_cap.load(Ordering::Relaxed);
        (caps.batch_cap, caps.batch_cap_source) = if learned > 0 {
            (Some(learned), "stated by the server in a refusal".into())
        } else {
            match caps.api_generation {
                ApiGeneration::V2 => (
                    Some(TwentyDefaults::MAX_BATCH_SIZE),
                    "known for Twenty 2.x (QUERY_MAX_RECORDS = 200; a refusal stating another cap re-splits)".into(),
                ),
                ApiGeneration::V1 => (None, "none on Twenty 1.x (the body limit of 10 MB applies)".into()),
                ApiGeneration::Unknown => (None, "unknown".into()),
            }
        };
        if let Some(cap) = caps.batch_cap {
            self.batch_cap.fetch_min(cap.max(1), Ordering::Relaxed);
        }
        caps.rest_upsert = match caps.api_generation {
            ApiGeneration::V2 => Some(true),
            ApiGeneration::V1 => Some(false),
            ApiGeneration::Unknown => None,
        };
        caps.active_workflows = self.active_workflows().await;
        caps.rate_limit_headers = self.client.http().rate_headers();
        *self.found.lock().unwrap_or_else(|e| e.into_inner()) = Some(caps.clone());
        caps
    }

    /// What [`Self::probe`] found (the rate-limit headers and a stated batch cap brought up to
    /// date), or `None` before the first probe. `TwentySink::check` probes.
    pub fn capabilities_found(&self) -> Option<TwentyCapabilities> {
        let mut caps = self
            .found
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()?;
        caps.rate_limit_headers = self.client.http().rate_headers();
        let learned = self.learned_cap.load(Ordering::Relaxed);
        if learned > 0 {
            caps.batch_cap = Some(learned);
            caps.batch_cap_source = "stated by the server in a refusal".into();
        }
        Some(caps)
    }

    /// Active workflows whose trigger fires on record creation or update (`DATABASE_EVENT`
    /// triggers on `*.created`, `*.updated`, `*.upserted`), with the `createdBy.source` values
    /// their filters skip; `None` when the workflow objects cannot be read.
    pub async fn active_workflows(&self) -> Option<Vec<ActiveWorkflow>> {
        let triggers = self
            .client
            .rest(Request::get("/rest/workflowAutomatedTriggers").query("limit", "200"))
            .await
            .ok()?;
        let workflows = self
            .client
            .rest(Request::get("/rest/workflows").query("limit", "200"))
            .await
            .ok()?;
        let active: BTreeMap<String, String> = records(&workflows, "workflows")
            .into_iter()
            .filter(|w| {
                w.get("statuses")
                    .and_then(J::as_array)
                    .is_some_and(|s| s.iter().any(|x| x.as_str() == Some("ACTIVE")))
            })
            .filter_map(|w| {
                Some((
                    w.get("id")?.as_str()?.to_string(),
                    w.get("name").and_then(J::as_str).unwrap_or("").to_string(),
                ))
            })
            .collect();
        let mut out = Vec::new();
        for t in records(&triggers, "workflowAutomatedTriggers") {
            if t.get("type").and_then(J::as_str) != Some("DATABASE_EVENT") {
                continue;
            }
            let event = t
                .pointer("/settings/eventName")
                .and_then(J::as_str)
                .unwrap_or_default();
            let fires = [".created", ".updated", ".upserted"]
                .iter()
                .any(|e| event.ends_with(e));
            let Some(name) = t
                .get("workflowId")
                .and_then(J::as_str)
                .and_then(|id| active.get(id))
            else {
                continue;
            };
            if fires {
                out.push(ActiveWorkflow {
                    name: name.clone(),
                    event: event.to_string(),
                    skipped_for_sources: skipped_sources(t),
                });
            }
        }
        Some(out)
    }
}
