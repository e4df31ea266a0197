//! [`MemorySink`]: a destination in memory that enforces uniqueness, merges, and fails on
//! command.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::connector::{
    DeleteOutcome, Lookup, ReadBack, Sink, SinkCapabilities, WriteOp, WriteOutcome, WriteRecord,
};
use crate::descriptor::{match_values, DataModel};
use crate::model::{Fields, SourceKey, Value};
use crate::{Error, ErrorKind, Result};

/// A scripted failure of the next `write_batch` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Fail with a temporary transport error; nothing is applied.
    FailBefore,
    /// Apply the batch, then fail with a temporary transport error (a timeout after the
    /// server committed).
    FailAfterCommit,
    /// Apply only the first `n` records and answer `Retry` for the others (throttled).
    ThrottleAfter(usize),
}

#[derive(Debug, Clone)]
struct Row {
    key: Option<SourceKey>,
    created_at: DateTime<Utc>,
    fields: Fields,
}

#[derive(Debug, Default)]
struct State {
    objects: BTreeMap<String, BTreeMap<String, Row>>,
    /// `(object, field, match value)` → id, for the model's unique fields.
    unique: HashMap<(String, String, String), String>,
    /// `(object, source key)` → id.
    keys: HashMap<(String, SourceKey), String>,
    next_id: u64,
    faults: VecDeque<Fault>,
    write_calls: usize,
    source_key_lookups: usize,
    key_pages: usize,
}

/// A sink in memory.
///
/// It enforces the unique fields of its model (emails case-insensitively, URLs by domain),
/// merges a create into an existing record when asked (`merge_on`), refuses unresolved
/// references, keeps `created_at`, deletes hard and nulls references to a deleted record.
#[derive(Debug)]
pub struct MemorySink {
    model: DataModel,
    max_batch: usize,
    list_keys: bool,
    state: Mutex<State>,
}

impl MemorySink {
    /// A sink enforcing `model`.
    pub fn new(model: DataModel) -> Self {
        Self {
            model,
            max_batch: 100,
            list_keys: true,
            state: Mutex::new(State::default()),
        }
    }

    /// Makes [`Sink::source_key_page`] unsupported, as on a destination that cannot list
    /// records by source key (the engine then looks them up batch by batch).
    pub fn without_key_listing(mut self) -> Self {
        self.list_keys = false;
        self
    }

    /// Pages of source keys read so far through [`Sink::source_key_page`].
    pub fn key_pages(&self) -> usize {
        self.st().key_pages
    }

    /// Sets the largest batch accepted.
    pub fn max_batch(mut self, n: usize) -> Self {
        self.max_batch = n.max(1);
        self
    }

    fn st(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a fault for a future `write_batch` call.
    pub fn push_fault(&self, fault: Fault) {
        self.st().faults.push_back(fault);
    }

    /// Drops the faults not yet used.
    pub fn clear_faults(&self) {
        self.st().faults.clear();
    }

    /// Number of source-key lookups asked so far (one per key).
    pub fn source_key_lookups(&self) -> usize {
        self.st().source_key_lookups
    }

    /// Number of `write_batch` calls so far.
    pub fn write_calls(&self) -> usize {
        self.st().write_calls
    }

    /// Inserts users (workspace members) directly; returns their ids.
    pub fn seed_users(&self, users: &[(&str, &str, &str)]) -> Vec<String> {
        users
            .iter()
            .map(|(email, first, last)| {
                let mut fields = Fields::new();
                fields.insert("email".into(), Value::Text(email.to_string()));
                fields.insert("first_name".into(), Value::Text(first.to_string()));
                fields.insert("last_name".into(), Value::Text(last.to_string()));
                self.seed("user", fields)
            })
            .collect()
    }

    /// Inserts a record directly (a record that existed before the migration); returns its id.
    pub fn seed(&self, object: &str, fields: Fields) -> String {
        let unique = self.unique_fields(object);
        let mut st = self.st();
        st.next_id += 1;
        let id = format!("{object}-{}", st.next_id);
        Self::index(&mut st, object, &id, &unique, &fields, true);
        st.objects.entry(object.into()).or_default().insert(
            id.clone(),
            Row {
                key: None,
                created_at: Utc::now(),
                fields,
            },
        );
        id
    }

    /// Changes a field behind the migration's back (to test verification and conflicts).
    pub fn tamper(&self, object: &str, id: &str, field: &str, value: Value) -> bool {
        let unique = self.unique_fields(object);
        let mut st = self.st();
        let Some(row) = st.objects.get_mut(object).and_then(|o| o.get_mut(id)) else {
            return false;
        };
        let old = row.fields.clone();
        row.fields.insert(field.to_string(), value);
        let new = row.fields.clone();
        Self::index(&mut st, object, id, &unique, &old, false);
        Self::index(&mut st, object, id, &unique, &new, true);
        true
    }

    /// Number of records of `object`.
    pub fn count(&self, object: &str) -> usize {
        self.st().objects.get(object).map_or(0, BTreeMap::len)
    }

    /// Every record, sorted: `(object, id, fields)`.
    pub fn snapshot(&self) -> Vec<(String, String, Fields)> {
        let st = self.st();
        st.objects
            .iter()
            .flat_map(|(o, rows)| {
                rows.iter()
                    .map(move |(id, r)| (o.clone(), id.clone(), r.fields.clone()))
            })
            .collect()
    }

    /// Source keys stored on records of `object` (to check for duplicates).
    pub fn source_keys(&self, object: &str) -> Vec<SourceKey> {
        self.st()
            .objects
            .get(object)
            .map(|rows| rows.values().filter_map(|r| r.key.clone()).collect())
            .unwrap_or_default()
    }

    fn index(
        st: &mut State,
        object: &str,
        id: &str,
        unique: &[String],
        fields: &Fields,
        add: bool,
    ) {
        for f in unique {
            for v in fields.get(f).map(match_values).unwrap_or_default() {
                let k = (object.to_string(), f.clone(), v);
                if add {
                    st.unique.insert(k, id.to_string());
                } else if st.unique.get(&k).is_some_and(|x| x == id) {
                    st.unique.remove(&k);
                }
            }
        }
    }

    fn holder(
        st: &State,
        object: &str,
        field: &str,
        values: &[String],
        except: Option<&str>,
    ) -> Option<String> {
        values.iter().find_map(|v| {
            st.unique
                .get(&(object.to_string(), field.to_string(), v.clone()))
                .filter(|id| Some(id.as_str()) != except)
                .cloned()
        })
    }

    fn unique_fields(&self, object: &str) -> Vec<String> {
        self.model
            .get(object)
            .map(|o| {
                o.fields
                    .iter()
                    .filter(|f| f.unique)
                    .map(|f| f.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn find_by(
        rows: &BTreeMap<String, Row>,
        field: &str,
        values: &[String],
        except: Option<&str>,
    ) -> Option<String> {
        rows.iter()
            .filter(|(id, _)| Some(id.as_str()) != except)
            .find(|(_, r)| {
                r.fields
                    .get(field)
                    .map(|v| match_values(v).iter().any(|x| values.contains(x)))
                    .unwrap_or(false)
            })
            .map(|(id, _)| id.clone())
    }

    fn apply(&self, st: &mut State, object: &str, w: &WriteRecord) -> WriteOutcome {
        if let Some((name, _)) = w.fields.iter().find(|(_, v)| v.has_refs()) {
            return WriteOutcome::Rejected {
                field: Some(name.clone()),
                reason: "unresolved reference".into(),
            };
        }
        for (name, v) in &w.fields {
            let targets: Vec<&crate::model::RecordId> = match v {
                Value::Id(r) => vec![r],
                Value::Ids(list) => list.iter().collect(),
                _ => continue,
            };
            for t in targets {
                if !st
                    .objects
                    .get(&t.object)
                    .is_some_and(|rows| rows.contains_key(&t.id))
                {
                    return WriteOutcome::Rejected {
                        field: Some(name.clone()),
                        reason: format!("{} {} does not exist", t.object, t.id),
                    };
                }
            }
        }
        let unique = self.unique_fields(object);
        let target = match &w.op {
            WriteOp::Update { id } => {
                if !st.objects.get(object).is_some_and(|r| r.contains_key(id)) {
                    return WriteOutcome::Rejected {
                        field: None,
                        reason: format!("no {object} with id {id}"),
                    };
                }
                Some((id.clone(), false))
            }
            WriteOp::Create { merge_on } => merge_on.as_ref().and_then(|f| {
                let vals = w.fields.get(f).map(match_values).unwrap_or_default();
                let found = if unique.contains(f) {
                    Self::holder(st, object, f, &vals, None)
                } else {
                    st.objects
                        .get(object)
                        .and_then(|rows| Self::find_by(rows, f, &vals, None))
                };
                found.map(|id| (id, true))
            }),
        };
        for f in &unique {
            let vals = w.fields.get(f).map(match_values).unwrap_or_default();
            let except = target.as_ref().map(|(id, _)| id.as_str());
            if let Some(other) = Self::holder(st, object, f, &vals, except) {
                return WriteOutcome::Rejected {
                    field: Some(f.clone()),
                    reason: format!(
                        "duplicate {f} {:?}: already held by {other}",
                        vals.join(",")
                    ),
                };
            }
        }
        match target {
            Some((id, merged)) => {
                let Some(row) = st.objects.get_mut(object).and_then(|r| r.get_mut(&id)) else {
                    return WriteOutcome::Rejected {
                        field: None,
                        reason: format!("no {object} with id {id}"),
                    };
                };
                let old = row.fields.clone();
                let mut before = Fields::new();
                for (k, v) in &w.fields {
                    before.insert(k.clone(), row.fields.get(k).cloned().unwrap_or(Value::Null));
                    if v.is_empty() {
                        row.fields.remove(k);
                    } else {
                        row.fields.insert(k.clone(), v.clone());
                    }
                }
                let newly_keyed = row.key.is_none();
                if newly_keyed {
                    row.key = Some(w.key.clone());
                }
                let new = row.fields.clone();
                Self::index(st, object, &id, &unique, &old, false);
                Self::index(st, object, &id, &unique, &new, true);
                if newly_keyed {
                    st.keys
                        .insert((object.to_string(), w.key.clone()), id.clone());
                }
                if merged {
                    WriteOutcome::Merged { id, before }
                } else {
                    WriteOutcome::Updated { id, before }
                }
            }
            None => {
                st.next_id += 1;
                let id = format!("{object}-{}", st.next_id);
                let fields: Fields = w
                    .fields
                    .iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                Self::index(st, object, &id, &unique, &fields, true);
                st.keys
                    .insert((object.to_string(), w.key.clone()), id.clone());
                st.objects.entry(object.to_string()).or_default().insert(
                    id.clone(),
                    Row {
                        key: Some(w.key.clone()),
                        created_at: w.created_at.unwrap_or_else(Utc::now),
                        fields,
                    },
                );
                WriteOutcome::Created { id }
            }
        }
    }
}

#[async_trait]
impl Sink for MemorySink {
    fn name(&self) -> &str {
        "memory"
    }

    fn capabilities(&self) -> SinkCapabilities {
        SinkCapabilities {
            max_batch_size: self.max_batch,
            update: true,
            upsert: true,
            hard_delete: true,
            custom_fields: true,
            keeps_created_at: true,
            rate_limit_per_min: None,
        }
    }

    async fn check(&self) -> Result<()> {
        Ok(())
    }

    async fn data_model(&self) -> Result<DataModel> {
        Ok(self.model.clone())
    }

    async fn write_batch(&self, object: &str, batch: &[WriteRecord]) -> Result<Vec<WriteOutcome>> {
        self.model.require(object)?;
        if batch.len() > self.max_batch {
            return Err(Error::config(format!(
                "batch of {} exceeds the maximum of {}",
                batch.len(),
                self.max_batch
            )));
        }
        let mut st = self.st();
        st.write_calls += 1;
        let fault = st.faults.pop_front();
        if fault == Some(Fault::FailBefore) {
            return Err(Error::new(
                ErrorKind::Transport,
                "scripted failure before commit",
            ));
        }
        let creatable = self.model.get(object).is_some_and(|o| o.creatable);
        let mut out = Vec::with_capacity(batch.len());
        for (i, w) in batch.iter().enumerate() {
            if let Some(Fault::ThrottleAfter(n)) = fault {
                if i >= n {
                    out.push(WriteOutcome::Retry {
                        reason: "scripted throttle".into(),
                    });
                    continue;
                }
            }
            if !creatable && matches!(w.op, WriteOp::Create { .. }) {
                out.push(WriteOutcome::Rejected {
                    field: None,
                    reason: format!("{object} records cannot be created through the API"),
                });
                continue;
            }
            out.push(self.apply(&mut st, object, w));
        }
        if fault == Some(Fault::FailAfterCommit) {
            return Err(Error::new(
                ErrorKind::Transport,
                "scripted timeout after commit",
            ));
        }
        Ok(out)
    }

    async fn read(&self, object: &str, ids: &[String]) -> Result<Vec<Option<ReadBack>>> {
        let st = self.st();
        let rows = st.objects.get(object);
        Ok(ids
            .iter()
            .map(|id| {
                rows.and_then(|r| r.get(id)).map(|row| ReadBack {
                    id: id.clone(),
                    created_at: Some(row.created_at),
                    fields: row.fields.clone(),
                })
            })
            .collect())
    }

    async fn source_key_page(
        &self,
        object: &str,
        cursor: Option<String>,
    ) -> Result<Option<crate::connector::Page<(SourceKey, String)>>> {
        if !self.list_keys {
            return Ok(None);
        }
        const PAGE: usize = 200;
        let offset: usize = match cursor {
            Some(c) => c
                .parse()
                .map_err(|_| Error::unexpected(format!("bad cursor {c:?}")))?,
            None => 0,
        };
        let mut st = self.st();
        st.key_pages += 1;
        let mut keys: Vec<(SourceKey, String)> = st
            .keys
            .iter()
            .filter(|((o, _), _)| o == object)
            .map(|((_, k), id)| (k.clone(), id.clone()))
            .collect();
        keys.sort();
        let items: Vec<_> = keys.iter().skip(offset).take(PAGE).cloned().collect();
        let next = (offset + PAGE < keys.len()).then(|| (offset + PAGE).to_string());
        Ok(Some(crate::connector::Page { items, next }))
    }

    async fn lookup(&self, object: &str, lookups: &[Lookup]) -> Result<Vec<Option<String>>> {
        let unique = self.unique_fields(object);
        let mut st = self.st();
        st.source_key_lookups += lookups
            .iter()
            .filter(|l| matches!(l, Lookup::SourceKey(_)))
            .count();
        let empty = BTreeMap::new();
        let rows = st.objects.get(object).unwrap_or(&empty);
        Ok(lookups
            .iter()
            .map(|l| match l {
                Lookup::SourceKey(k) => st.keys.get(&(object.to_string(), k.clone())).cloned(),
                Lookup::Field { field, value } => {
                    let want = if field == "domain" {
                        vec![crate::model::normalise_domain(value)]
                    } else {
                        match_values(&Value::Text(value.clone()))
                    };
                    if unique.contains(field) {
                        Self::holder(&st, object, field, &want, None)
                    } else {
                        Self::find_by(rows, field, &want, None)
                    }
                }
            })
            .collect())
    }

    async fn delete(&self, object: &str, ids: &[String]) -> Result<Vec<DeleteOutcome>> {
        let unique = self.unique_fields(object);
        let mut st = self.st();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let removed = st.objects.get_mut(object).and_then(|rows| rows.remove(id));
            let Some(removed) = removed else {
                out.push(DeleteOutcome::NotFound);
                continue;
            };
            Self::index(&mut st, object, id, &unique, &removed.fields, false);
            if let Some(k) = removed.key {
                st.keys.remove(&(object.to_string(), k));
            }
            // ON DELETE SET NULL for references to the deleted record.
            for rows in st.objects.values_mut() {
                for row in rows.values_mut() {
                    row.fields.retain(
                        |_, v| !matches!(v, Value::Id(r) if r.object == object && r.id == *id),
                    );
                    for v in row.fields.values_mut() {
                        if let Value::Ids(list) = v {
                            list.retain(|r| !(r.object == object && r.id == *id));
                        }
                    }
                }
            }
            out.push(DeleteOutcome::Deleted);
        }
        Ok(out)
    }
}
