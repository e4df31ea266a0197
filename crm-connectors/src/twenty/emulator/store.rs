//! The in-memory workspace: objects, records, and the write rules the recorded server applies.

use super::errors::ApiError;
use super::filter::Filter;
use super::model::{stable_id, FieldDef, ObjectDef};
use super::server::Profile;
use super::values::{merge_composite, normalize_date, record_default, search_vector};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};

/// One stored record (every field, in print order).
pub(super) type Record = Map<String, Value>;

/// The workspace state.
#[derive(Debug)]
pub(super) struct Store {
    pub(super) objects: Vec<ObjectDef>,
    pub(super) records: HashMap<String, Vec<Record>>,
    /// Which recorded server's rules apply.
    pub(super) profile: Profile,
    /// Records per create-many request, when capped.
    pub(super) batch_cap: Option<usize>,
    clock_ms: i64,
    rng: u64,
}

/// Whether a value is a well-formed UUID.
pub(super) fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok() && s.len() == 36
}

impl Store {
    /// A workspace with the standard objects and no records; ids come from `seed`.
    pub(super) fn new(seed: u64, profile: Profile) -> Self {
        let objects = super::model::standard_objects(profile);
        let records = objects
            .iter()
            .map(|o| (o.singular.clone(), Vec::new()))
            .collect();
        Store {
            objects,
            records,
            profile,
            batch_cap: None,
            clock_ms: 1_795_000_000_000,
            rng: seed ^ 0x9e37_79b9_7f4a_7c15,
        }
    }

    /// A logical clock: one millisecond per call, so runs are reproducible.
    pub(super) fn now(&mut self) -> String {
        self.clock_ms += 1;
        chrono::DateTime::from_timestamp_millis(self.clock_ms)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
            .unwrap_or_default()
    }

    /// A new v4-shaped UUID from the seeded generator (splitmix64).
    pub(super) fn new_id(&mut self) -> String {
        let mut next = || {
            self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.rng;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let v = (u128::from(next()) << 64) | u128::from(next());
        let v = (v & !(0xf000u128 << 64)) | (0x4000u128 << 64);
        let v = (v & !(0xc000u128 << 48)) | (0x8000u128 << 48);
        uuid::Uuid::from_u128(v).to_string()
    }

    /// The object named by its singular or plural name.
    pub(super) fn object(&self, name: &str) -> Option<&ObjectDef> {
        self.objects
            .iter()
            .find(|o| o.singular == name || o.plural == name)
    }

    /// The records of an object (empty when unknown).
    pub(super) fn rows(&self, obj: &str) -> &[Record] {
        self.records.get(obj).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Records matching `filter`; soft-deleted ones only when the filter names `deletedAt`.
    pub(super) fn find(&self, obj: &str, filter: Option<&Filter>) -> Vec<Record> {
        let with_deleted = filter.is_some_and(Filter::mentions_deleted_at);
        self.rows(obj)
            .iter()
            .filter(|r| with_deleted || r.get("deletedAt").is_none_or(Value::is_null))
            .filter(|r| filter.is_none_or(|f| f.matches(r)))
            .cloned()
            .collect()
    }

    fn get_any(&self, obj: &str, id: &str) -> Option<&Record> {
        self.rows(obj)
            .iter()
            .find(|r| r.get("id").and_then(Value::as_str) == Some(id))
    }

    /// An active (not soft-deleted) record.
    pub(super) fn get_active(&self, obj: &str, id: &str) -> Option<&Record> {
        self.get_any(obj, id)
            .filter(|r| r.get("deletedAt").is_none_or(Value::is_null))
    }

    /// Apply sent fields over `base`, checking names, options and dates.
    fn apply(
        &self,
        obj: &ObjectDef,
        base: &mut Record,
        input: &Map<String, Value>,
    ) -> Result<(), ApiError> {
        for (key, val) in input {
            let field = obj
                .fields
                .iter()
                .find(|f| f.name == *key && !f.is_relation());
            let join = obj
                .fields
                .iter()
                .find(|f| f.join_column() == Some(key.as_str()));
            match (field, join) {
                (Some(f), _) => {
                    let v = self.check_value(obj, f, base.get(key).unwrap_or(&Value::Null), val)?;
                    base.insert(key.clone(), v);
                }
                (None, Some(_)) => {
                    base.insert(key.clone(), val.clone());
                }
                (None, None) if self.profile == Profile::V2 => {
                    return Err(ApiError::unknown_field_v2(key, &obj.singular))
                }
                (None, None) => return Err(ApiError::unknown_field(key, &obj.singular)),
            }
        }
        Ok(())
    }

    fn check_value(
        &self,
        obj: &ObjectDef,
        f: &FieldDef,
        old: &Value,
        v: &Value,
    ) -> Result<Value, ApiError> {
        if f.ftype == "RICH_TEXT_V2"
            && v.is_object()
            && v.get("markdown").is_none()
            && self.profile == Profile::V1
        {
            return Err(ApiError::markdown_required());
        }
        if self.profile == Profile::V2 {
            super::values::validate_v2(f, v).map_err(ApiError::invalid_args)?;
        }
        if super::values::composite_keys(&f.ftype).is_some() {
            return Ok(merge_composite(&f.ftype, old, v));
        }
        match f.ftype.as_str() {
            "SELECT" => match v.as_str() {
                Some(s) if !f.option_values().iter().any(|o| o == s) => {
                    Err(ApiError::invalid_enum(&obj.singular, &f.name, s))
                }
                _ => Ok(v.clone()),
            },
            "MULTI_SELECT" => {
                let opts = f.option_values();
                for s in v.as_array().into_iter().flatten().filter_map(Value::as_str) {
                    if !opts.iter().any(|o| o == s) {
                        return Err(ApiError::invalid_enum(&obj.singular, &f.name, s));
                    }
                }
                Ok(v.clone())
            }
            "DATE_TIME" | "DATE" => Ok(normalize_date(v)),
            // v2.21 answers a whole NUMBER as an integer (`429.0` sent, `429` read back: live
            // run of 2026-11-26).
            "NUMBER" if self.profile == Profile::V2 => Ok(match v.as_f64() {
                Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => json!(x as i64),
                _ => v.clone(),
            }),
            _ => Ok(v.clone()),
        }
    }

    /// A fresh record with every default filled in.
    fn blank(&mut self, obj: &ObjectDef, now: &str) -> Record {
        let mut r = Map::new();
        for f in &obj.fields {
            if let Some(join) = f.join_column() {
                r.insert(join.to_string(), Value::Null);
            } else if !f.is_relation() {
                r.insert(f.name.clone(), record_default(obj, f));
            }
        }
        r.insert("id".into(), json!(self.new_id()));
        r.insert("createdAt".into(), json!(now));
        r.insert("updatedAt".into(), json!(now));
        r.insert("deletedAt".into(), Value::Null);
        r
    }

    fn unique_key(f: &FieldDef, r: &Record) -> Option<String> {
        let v = r.get(&f.name)?;
        let s = match f.ftype.as_str() {
            "EMAILS" => v.get("primaryEmail")?.as_str()?.to_lowercase(),
            "LINKS" => v.get("primaryLinkUrl")?.as_str()?.to_string(),
            _ => v.as_str()?.to_string(),
        };
        (!s.is_empty()).then_some(s)
    }

    /// Unique values among active records (minus `skip`) and the candidates.
    fn check_unique(
        &self,
        obj: &ObjectDef,
        cands: &[Record],
        skip: &HashSet<String>,
    ) -> Result<(), ApiError> {
        for f in obj.fields.iter().filter(|f| f.unique) {
            let mut seen: HashSet<String> = self
                .rows(&obj.singular)
                .iter()
                // v2.21's unique indexes include soft-deleted rows (probe 10).
                .filter(|r| {
                    self.profile == Profile::V2 || r.get("deletedAt").is_none_or(Value::is_null)
                })
                .filter(|r| !skip.contains(r.get("id").and_then(Value::as_str).unwrap_or("")))
                .filter_map(|r| Self::unique_key(f, r))
                .collect();
            for c in cands {
                if let Some(k) = Self::unique_key(f, c) {
                    if !seen.insert(k.clone()) {
                        return Err(match self.profile {
                            Profile::V1 => ApiError::duplicate(&f.label, &k),
                            Profile::V2 => ApiError::duplicate_v2(),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    fn check_fks(&self, obj: &ObjectDef, r: &Record) -> Result<(), ApiError> {
        for f in &obj.fields {
            let Some(super::model::Relation::ManyToOne { target, join }) = &f.relation else {
                continue;
            };
            let Some(id) = r.get(join).and_then(Value::as_str) else {
                continue;
            };
            if self.get_any(target, id).is_none() {
                let constraint = if obj.singular == "person" && join == "companyId" {
                    "FK_ee066ddacfce46c9a7cb90edd1a".to_string()
                } else {
                    format!(
                        "FK_{}",
                        &stable_id(&format!("{}.{join}", obj.singular)).replace('-', "")[..27]
                    )
                };
                return Err(ApiError::foreign_key(&obj.singular, &constraint));
            }
        }
        Ok(())
    }

    fn finish(r: &mut Record) {
        let sv = search_vector(r);
        if r.contains_key("searchVector") {
            r.insert("searchVector".into(), sv);
        }
    }

    /// Create records all-or-nothing; with `upsert`, match by id or a unique field and update.
    /// Returns updated records first, then created ones (probe 04).
    pub(super) fn create_many(
        &mut self,
        name: &str,
        inputs: &[Value],
        upsert: bool,
    ) -> Result<Vec<Record>, ApiError> {
        let obj = self
            .object(name)
            .cloned()
            .ok_or_else(|| ApiError::unknown_object(name))?;
        let now = self.now();
        let mut updated: Vec<Record> = Vec::new();
        let mut created: Vec<Record> = Vec::new();
        for input in inputs {
            let Value::Object(input) = input else {
                return Err(ApiError::bad_request(
                    "BadRequestException",
                    "Each record must be an object",
                ));
            };
            let mut probe = self.blank(&obj, &now);
            self.apply(&obj, &mut probe, input)?;
            let existing = if upsert {
                self.upsert_match(&obj, input, &probe)
            } else {
                None
            };
            match existing {
                Some(mut old) => {
                    self.apply(&obj, &mut old, input)?;
                    if !input.contains_key("updatedAt") {
                        old.insert("updatedAt".into(), json!(now));
                    }
                    Self::finish(&mut old);
                    updated.push(old);
                }
                None => {
                    if let Some(id) = input.get("id").and_then(Value::as_str) {
                        if !is_uuid(id) {
                            return Err(ApiError::invalid_uuid(id));
                        }
                    }
                    Self::finish(&mut probe);
                    created.push(probe);
                }
            }
        }
        let skip: HashSet<String> = updated
            .iter()
            .filter_map(|r| r.get("id")?.as_str().map(String::from))
            .collect();
        let all: Vec<Record> = updated.iter().chain(created.iter()).cloned().collect();
        self.check_unique(&obj, &all, &skip)?;
        for r in &all {
            self.check_fks(&obj, r)?;
        }
        let rows = self.records.entry(obj.singular.clone()).or_default();
        for u in &updated {
            if let Some(slot) = rows.iter_mut().find(|r| r.get("id") == u.get("id")) {
                *slot = u.clone();
            }
        }
        rows.extend(created);
        Ok(all)
    }

    fn upsert_match(
        &self,
        obj: &ObjectDef,
        input: &Map<String, Value>,
        probe: &Record,
    ) -> Option<Record> {
        if let Some(id) = input.get("id").and_then(Value::as_str) {
            if let Some(r) = self.get_active(&obj.singular, id) {
                return Some(r.clone());
            }
        }
        for f in obj
            .fields
            .iter()
            .filter(|f| f.unique && input.contains_key(&f.name))
        {
            let Some(key) = Self::unique_key(f, probe) else {
                continue;
            };
            let hit = self.rows(&obj.singular).iter().find(|r| {
                r.get("deletedAt").is_none_or(Value::is_null)
                    && Self::unique_key(f, r).as_deref() == Some(&key)
            });
            if let Some(r) = hit {
                return Some(r.clone());
            }
        }
        None
    }

    /// Partially update active records; `deletedAt` in the patch soft-deletes (probe 10).
    pub(super) fn update_ids(
        &mut self,
        name: &str,
        ids: &[String],
        patch: &Map<String, Value>,
    ) -> Result<Vec<Record>, ApiError> {
        let obj = self
            .object(name)
            .cloned()
            .ok_or_else(|| ApiError::unknown_object(name))?;
        let now = self.now();
        let mut out = Vec::new();
        for id in ids {
            let mut r = self
                .get_active(&obj.singular, id)
                .cloned()
                .ok_or_else(|| ApiError::entity_not_found(&obj.singular, id))?;
            self.apply(&obj, &mut r, patch)?;
            if !patch.contains_key("updatedAt") {
                r.insert("updatedAt".into(), json!(now));
            }
            Self::finish(&mut r);
            out.push(r);
        }
        let skip: HashSet<String> = ids.iter().cloned().collect();
        self.check_unique(&obj, &out, &skip)?;
        for r in &out {
            self.check_fks(&obj, r)?;
        }
        self.replace(&obj.singular, &out);
        Ok(out)
    }

    fn replace(&mut self, obj: &str, recs: &[Record]) {
        if let Some(rows) = self.records.get_mut(obj) {
            for u in recs {
                if let Some(slot) = rows.iter_mut().find(|r| r.get("id") == u.get("id")) {
                    *slot = u.clone();
                }
            }
        }
    }

    /// Soft-delete (`deletedAt` = now) or restore (`deletedAt` = null) records by id.
    pub(super) fn set_deleted(
        &mut self,
        obj: &str,
        ids: &[String],
        delete: bool,
    ) -> Result<Vec<Record>, ApiError> {
        let def = self
            .object(obj)
            .cloned()
            .ok_or_else(|| ApiError::unknown_object(obj))?;
        let now = self.now();
        let mut out = Vec::new();
        for id in ids {
            let mut r = self
                .get_any(&def.singular, id)
                .cloned()
                .ok_or_else(ApiError::record_not_found)?;
            r.insert(
                "deletedAt".into(),
                if delete { json!(now) } else { Value::Null },
            );
            out.push(r);
        }
        if !delete {
            let skip: HashSet<String> = ids.iter().cloned().collect();
            self.check_unique(&def, &out, &skip)
                .map_err(|_| ApiError::raw_unique_violation())?;
        }
        self.replace(&def.singular, &out);
        Ok(out)
    }

    /// Hard-delete records by id; returns the removed records.
    pub(super) fn destroy(&mut self, obj: &str, ids: &[String]) -> Vec<Record> {
        let set: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let Some(rows) = self.records.get_mut(obj) else {
            return Vec::new();
        };
        let (gone, keep): (Vec<Record>, Vec<Record>) = rows
            .drain(..)
            .partition(|r| set.contains(r.get("id").and_then(Value::as_str).unwrap_or("")));
        *rows = keep;
        gone
    }
}
