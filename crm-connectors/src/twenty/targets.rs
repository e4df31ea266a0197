//! Reading task and note targets back (the junction rows `taskTargets` / `noteTargets`), so
//! verification can check every link an activity was written with.

use std::collections::HashMap;

use crm_core::{RecordId, Result};
use serde_json::Value as J;

use super::meta::{Meta, ObjectMeta};
use super::sink::{records, TwentySink};
use crate::http::Request;

/// Junction rows per request.
const PAGE: usize = 200;

impl TwentySink {
    /// The targets of the records `ids` of a task-like object, by record id; empty when the
    /// server has no junction object for it.
    pub(super) async fn fetch_targets(
        &self,
        meta: &Meta,
        om: &ObjectMeta,
        ids: &[String],
        objects: &[String],
    ) -> Result<HashMap<String, Vec<RecordId>>> {
        let junction = format!("{}Target", om.singular);
        let Some(known) = meta.target_columns.get(&junction) else {
            return Ok(HashMap::new());
        };
        // The same column rule as the write path: the metadata's join column, else `<object>Id`.
        let cols: Vec<(String, String)> = objects
            .iter()
            .map(|o| {
                (
                    o.clone(),
                    known.get(o).cloned().unwrap_or_else(|| format!("{o}Id")),
                )
            })
            .collect();
        let parent = format!("{}Id", om.singular);
        let mut out: HashMap<String, Vec<RecordId>> = HashMap::new();
        for chunk in ids.chunks(20) {
            let list = chunk.join(",");
            let mut cursor: Option<String> = None;
            loop {
                let mut req = Request::get(format!("/rest/{junction}s"))
                    .query("filter", format!("{parent}[in]:[{list}]"))
                    .query("limit", PAGE.to_string());
                if let Some(c) = &cursor {
                    req = req.query("starting_after", c.clone());
                }
                let body = self.client.rest(req).await?;
                for row in records(&body, &format!("{junction}s")) {
                    let Some(owner) = row.get(&parent).and_then(J::as_str) else {
                        continue;
                    };
                    for (object, col) in &cols {
                        if let Some(target) = row.get(col).and_then(J::as_str) {
                            out.entry(owner.to_string())
                                .or_default()
                                .push(RecordId::new(object, target));
                        }
                    }
                }
                let info = body.get("pageInfo");
                let more = info
                    .and_then(|p| p.get("hasNextPage"))
                    .and_then(J::as_bool)
                    .unwrap_or(false);
                cursor = info
                    .and_then(|p| p.get("endCursor"))
                    .and_then(J::as_str)
                    .map(str::to_string);
                if !more || cursor.is_none() {
                    break;
                }
            }
        }
        Ok(out)
    }
}
