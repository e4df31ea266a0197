//! Behaviour of the sandbox. `rules.rs`: each rule refuses the right record alone, and a
//! refusal leaves no trace; `ops.rs`: merges, updates, deletes, lookups, reads, seeding.

mod ops;
mod rules;

use chrono::{TimeZone, Utc};
use crm_core::model::fields as f;
use crm_core::{DataModel, DeleteOutcome, Lookup, ReadBack, RecordId, Ref, Sink, SourceKey, Value};
use crm_core::{WriteOp, WriteOutcome, WriteRecord};

use super::SandboxSink;
use crate::twenty::twenty_standard_model;

/// Twenty's model with two extra rules to exercise: company name required and at most 20
/// characters long.
pub(super) fn model() -> DataModel {
    let mut m = twenty_standard_model();
    if let Some(c) = m.get_mut(f::COMPANY) {
        for fd in c.fields.iter_mut().filter(|fd| fd.name == f::NAME) {
            fd.required = true;
            fd.max_length = Some(20);
        }
    }
    m
}

pub(super) fn sink() -> SandboxSink {
    SandboxSink::in_memory(model()).unwrap()
}

pub(super) fn key(id: &str) -> SourceKey {
    SourceKey::new("test", "rows", id)
}

pub(super) fn rec(k: &str, op: WriteOp, fields: Vec<(&str, Value)>) -> WriteRecord {
    WriteRecord {
        key: key(k),
        op,
        created_at: None,
        updated_at: None,
        fields: fields
            .into_iter()
            .map(|(n, v)| (n.to_string(), v))
            .collect(),
    }
}

pub(super) fn create(k: &str, fields: Vec<(&str, Value)>) -> WriteRecord {
    rec(k, WriteOp::Create { merge_on: None }, fields)
}

pub(super) fn update(k: &str, id: &str, fields: Vec<(&str, Value)>) -> WriteRecord {
    rec(k, WriteOp::Update { id: id.into() }, fields)
}

pub(super) fn text(s: &str) -> Value {
    Value::Text(s.into())
}

pub(super) fn emails(l: &[&str]) -> Value {
    Value::Emails(l.iter().map(|s| s.to_string()).collect())
}

pub(super) fn id(object: &str, id: &str) -> Value {
    Value::Id(RecordId::new(object, id))
}

pub(super) fn created(o: &WriteOutcome) -> String {
    match o {
        WriteOutcome::Created { id } => id.clone(),
        other => panic!("expected Created, got {other:?}"),
    }
}

#[track_caller]
pub(super) fn assert_rejected(o: &WriteOutcome, field: Option<&str>, needles: &[&str]) {
    match o {
        WriteOutcome::Rejected { field: got, reason } => {
            assert_eq!(got.as_deref(), field, "{reason}");
            for n in needles {
                assert!(reason.contains(n), "{reason:?} should mention {n:?}");
            }
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

pub(super) async fn read_one(s: &SandboxSink, object: &str, id: &str) -> Option<ReadBack> {
    s.read(object, &[id.to_string()]).await.unwrap().remove(0)
}

pub(super) async fn one(s: &SandboxSink, object: &str, r: WriteRecord) -> WriteOutcome {
    s.write_batch(object, &[r]).await.unwrap().remove(0)
}
