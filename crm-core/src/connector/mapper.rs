//! [`RecordMapper`]: from a source's raw records to canonical records, rejects and skips.

use serde::{Deserialize, Serialize};

use super::source::RawRecord;
use crate::model::{Record, SourceKey};

/// Which source object feeds which canonical object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Route {
    /// Object in the source (`users`).
    pub source: String,
    /// Canonical object it becomes (`person`).
    pub target: String,
}

impl Route {
    /// Builds a route.
    pub fn new(source: impl Into<String>, target: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            target: target.into(),
        }
    }
}

/// A record that could not be migrated as it is, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reject {
    /// The source record.
    pub key: SourceKey,
    /// The canonical object (phase) it was routed to.
    pub object: String,
    /// The field at fault, if one.
    pub field: Option<String>,
    /// The offending value, quoted as the source gave it.
    pub value: Option<String>,
    /// Why, in words a person can act on.
    pub reason: String,
}

impl Reject {
    /// A reject of `key` in `object` for `reason`.
    pub fn new(key: SourceKey, object: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            key,
            object: object.into(),
            field: None,
            value: None,
            reason: reason.into(),
        }
    }

    /// Names the field at fault.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Quotes the offending value.
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }
}

/// What one raw record becomes in one canonical object.
#[derive(Debug, Clone, PartialEq)]
pub enum Mapped {
    /// A canonical record to load.
    Record(Record),
    /// A canonical record to load without some of its values: each value that could not be
    /// read or validated costs its field, not the record, and is reported field by field.
    Partial(Record, Vec<Reject>),
    /// Cannot be loaded: a reject with its reason.
    Reject(Reject),
    /// Needs a person's decision: goes to the review queue.
    Queue(Reject),
    /// Deliberately not migrated (e.g. an anonymous visitor), with the reason.
    Skip(Reject),
}

impl Mapped {
    /// The source record this outcome is about.
    pub fn key(&self) -> &SourceKey {
        match self {
            Mapped::Record(r) | Mapped::Partial(r, _) => &r.key,
            Mapped::Reject(r) | Mapped::Queue(r) | Mapped::Skip(r) => &r.key,
        }
    }

    /// The canonical object this outcome belongs to.
    pub fn object(&self) -> &str {
        match self {
            Mapped::Record(r) | Mapped::Partial(r, _) => &r.object,
            Mapped::Reject(r) | Mapped::Queue(r) | Mapped::Skip(r) => &r.object,
        }
    }
}

/// Turns raw records into canonical records.
///
/// `map` is called once per raw record and canonical object routed from its source object;
/// it returns what the record becomes in *that* object (an event routed both to `task` and
/// `note` is mapped twice and becomes a record in one and a skip in the other).
pub trait RecordMapper: Send + Sync {
    /// Source object → canonical object routes.
    fn routes(&self) -> Vec<Route>;

    /// What `raw` (from `route.source`) becomes in `route.target`.
    fn map(&self, route: &Route, raw: &RawRecord) -> Mapped;

    /// A checksum of the mapping; a run refuses to resume under a different one.
    fn checksum(&self) -> String;
}

/// The mapper for sources that already hold canonical records (the memory source and JSONL
/// staging files): each raw record is a serialised [`Record`], routed by its `object`.
#[derive(Debug, Clone)]
pub struct CanonicalMapper {
    routes: Vec<Route>,
}

impl CanonicalMapper {
    /// Routes each source object in `objects` to the canonical object of the same name.
    pub fn new<I, S>(objects: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            routes: objects
                .into_iter()
                .map(|o| {
                    let o = o.into();
                    Route::new(o.clone(), o)
                })
                .collect(),
        }
    }
}

impl RecordMapper for CanonicalMapper {
    fn routes(&self) -> Vec<Route> {
        self.routes.clone()
    }

    fn map(&self, route: &Route, raw: &RawRecord) -> Mapped {
        let value = serde_json::Value::Object(raw.fields.clone());
        match serde_json::from_value::<Record>(value) {
            Ok(mut r) if r.object == route.target => {
                r.key = raw.key.clone();
                Mapped::Record(r)
            }
            Ok(r) => Mapped::Skip(Reject::new(
                raw.key.clone(),
                &route.target,
                format!("record belongs to {:?}", r.object),
            )),
            Err(e) => Mapped::Reject(Reject::new(
                raw.key.clone(),
                &route.target,
                format!("not a canonical record: {e}"),
            )),
        }
    }

    fn checksum(&self) -> String {
        let mut names: Vec<String> = self
            .routes
            .iter()
            .map(|r| format!("{}>{}", r.source, r.target))
            .collect();
        names.sort();
        format!("canonical:{}", names.join(","))
    }
}
