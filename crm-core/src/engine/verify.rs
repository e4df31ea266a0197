//! Verification: read back every migrated record and compare it, field by field, with
//! what was written.

use serde::Serialize;

use crate::connector::Sink;
use crate::descriptor::DataModel;
use crate::journal::{IdEntry, Journal};
use crate::model::Value;
use crate::Result;

use super::context::CREATED_AT;

/// One field that differs from what was written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// The source record.
    pub key: String,
    /// Object.
    pub object: String,
    /// Destination id.
    pub dest_id: String,
    /// Field (`@created_at` for the creation time; `@record` when the record is gone).
    pub field: String,
    /// What was written.
    pub expected: String,
    /// What the destination holds.
    pub found: String,
}

/// The result of a verification.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    /// Records read back.
    pub records: u64,
    /// Fields compared.
    pub fields: u64,
    /// Every difference found.
    pub differences: Vec<Difference>,
}

impl VerifyReport {
    /// True when nothing differs.
    pub fn clean(&self) -> bool {
        self.differences.is_empty()
    }
}

const PAGE: usize = 200;

/// Reads back every record in the journal's id map and compares each written field.
/// Fields the model marks `write_only` are not compared.
pub async fn verify(
    sink: &dyn Sink,
    journal: &dyn Journal,
    model: &DataModel,
) -> Result<VerifyReport> {
    let mut report = VerifyReport::default();
    let mut after = 0i64;
    loop {
        let page = journal.id_entries(after, PAGE)?;
        let Some(last) = page.last() else { break };
        after = last.0;
        let mut by_object: std::collections::BTreeMap<String, Vec<IdEntry>> = Default::default();
        for (_, e) in page {
            by_object.entry(e.object.clone()).or_default().push(e);
        }
        for (object, entries) in by_object {
            let ids: Vec<String> = entries.iter().map(|e| e.dest_id.clone()).collect();
            let found = sink.read(&object, &ids).await?;
            let desc = model.get(&object);
            for (e, got) in entries.into_iter().zip(found) {
                report.records += 1;
                let Some(got) = got else {
                    report.differences.push(Difference {
                        key: e.key.to_string(),
                        object: object.clone(),
                        dest_id: e.dest_id.clone(),
                        field: "@record".into(),
                        expected: "present".into(),
                        found: "missing".into(),
                    });
                    continue;
                };
                for (field, expected) in &e.written {
                    if field == CREATED_AT {
                        report.fields += 1;
                        let found = got.created_at.map(Value::DateTime).unwrap_or(Value::Null);
                        if !expected.same_as(&found) {
                            report
                                .differences
                                .push(diff(&e, &object, field, expected, &found));
                        }
                        continue;
                    }
                    if desc
                        .and_then(|d| d.get(field))
                        .is_some_and(|f| f.write_only)
                    {
                        continue;
                    }
                    report.fields += 1;
                    let found = got.fields.get(field).cloned().unwrap_or(Value::Null);
                    if !expected.same_as(&found) {
                        report
                            .differences
                            .push(diff(&e, &object, field, expected, &found));
                    }
                }
            }
        }
    }
    Ok(report)
}

fn diff(e: &IdEntry, object: &str, field: &str, expected: &Value, found: &Value) -> Difference {
    Difference {
        key: e.key.to_string(),
        object: object.to_string(),
        dest_id: e.dest_id.clone(),
        field: field.to_string(),
        expected: expected.to_string(),
        found: found.to_string(),
    }
}
