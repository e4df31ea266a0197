//! One record's create, update or merge, and one record's delete, inside the caller's
//! transaction (the sink wraps each record in a savepoint).

use chrono::Utc;
use crm_core::{DataModel, DeleteOutcome, Fields, ObjectDescriptor, Result, Value};
use crm_core::{WriteOp, WriteOutcome, WriteRecord};
use rusqlite::Connection;

use super::enforce::{self, blank, reject, Checked};
use super::keys;
use super::store::{self, Row};

/// Who is writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// A client of the destination's API: every rule applies and the source key is stored.
    Api,
    /// The sandbox seeding records that pre-exist in the destination (workspace members):
    /// `creatable` is not checked and no source key is stored.
    Seed,
}

/// Applies one write; a rule broken is a `Rejected` outcome, a store failure an error.
pub(super) fn apply(
    conn: &Connection,
    model: &DataModel,
    object: &str,
    rec: &WriteRecord,
    origin: Origin,
) -> Result<WriteOutcome> {
    apply_checked(conn, model, object, rec, origin).or_else(|f| f.into_outcome())
}

fn apply_checked(
    conn: &Connection,
    model: &DataModel,
    object: &str,
    rec: &WriteRecord,
    origin: Origin,
) -> Checked<WriteOutcome> {
    let obj = model.get(object).ok_or_else(|| {
        reject(
            None,
            format!(
                "unknown object: {object:?} is not in the {} model",
                model.name
            ),
        )
    })?;
    match &rec.op {
        WriteOp::Create { merge_on } => {
            if !obj.creatable && origin == Origin::Api {
                return Err(reject(
                    None,
                    format!("object {object} cannot be created through the API"),
                ));
            }
            if let Some(field) = merge_on {
                if let Some(id) = merge_target(conn, model, obj, rec, field)? {
                    let before = change(conn, model, obj, &id, rec, true)?;
                    return Ok(WriteOutcome::Merged { id, before });
                }
            }
            create(conn, model, obj, rec, origin)
        }
        WriteOp::Update { id } => {
            let before = change(conn, model, obj, id, rec, false)?;
            Ok(WriteOutcome::Updated {
                id: id.clone(),
                before,
            })
        }
    }
}

/// The existing record a create merges into: one sharing the value of the unique field
/// `field`; `None` when the record has no such value or nobody holds it.
fn merge_target(
    conn: &Connection,
    model: &DataModel,
    obj: &ObjectDescriptor,
    rec: &WriteRecord,
    field: &str,
) -> Checked<Option<String>> {
    let fd = enforce::field(model, obj, field)?;
    if !fd.unique {
        return Err(reject(
            Some(field),
            format!(
                "cannot merge on field {field:?}: it is not a unique field of {}",
                obj.name
            ),
        ));
    }
    let Some(v) = rec.fields.get(field).filter(|v| !blank(v)) else {
        return Ok(None);
    };
    enforce::check_value(fd, v)?;
    for e in keys::entries(fd.ty, v) {
        if let Some(id) = store::find(conn, &obj.name, field, &e.key, None)? {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

fn create(
    conn: &Connection,
    model: &DataModel,
    obj: &ObjectDescriptor,
    rec: &WriteRecord,
    origin: Origin,
) -> Checked<WriteOutcome> {
    enforce::check_fields(conn, model, obj, &rec.fields, None, true)?;
    let source_key = (origin == Origin::Api).then(|| rec.key.clone());
    if let Some(holder) = match &source_key {
        Some(k) => store::find_by_source_key(conn, &obj.name, k)?,
        None => None,
    } {
        return Err(reject(
            None,
            format!(
                "source record {} was already written as {} {holder}",
                rec.key, obj.name
            ),
        ));
    }
    let now = Utc::now();
    let row = Row {
        id: store::next_id(conn)?,
        source_key,
        created_at: rec.created_at.unwrap_or(now),
        updated_at: rec.updated_at.unwrap_or(now),
        fields: rec
            .fields
            .iter()
            .filter(|(_, v)| !blank(v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    };
    store::insert(conn, obj, &row)?;
    Ok(WriteOutcome::Created { id: row.id })
}

/// Sets the given fields on record `id` (a blank value clears the field, except when
/// `merging`, where blank values are skipped as a create would) and returns the before-image
/// of the fields touched.
fn change(
    conn: &Connection,
    model: &DataModel,
    obj: &ObjectDescriptor,
    id: &str,
    rec: &WriteRecord,
    merging: bool,
) -> Checked<Fields> {
    let mut row = store::get(conn, &obj.name, id)?
        .ok_or_else(|| reject(None, format!("no such record: {} {id}", obj.name)))?;
    let touched: Fields = rec
        .fields
        .iter()
        .filter(|(_, v)| !(merging && blank(v)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    enforce::check_fields(conn, model, obj, &touched, Some(id), false)?;
    let mut before = Fields::new();
    for (name, v) in touched {
        let old = if blank(&v) {
            row.fields.remove(&name)
        } else {
            row.fields.insert(name.clone(), v)
        };
        before.insert(name, old.unwrap_or(Value::Null));
    }
    // The source key of the record first written is kept; a record that had none (a seeded
    // user, a record that pre-existed) takes this one, unless another record holds it.
    if row.source_key.is_none() && store::find_by_source_key(conn, &obj.name, &rec.key)?.is_none() {
        row.source_key = Some(rec.key.clone());
    }
    row.updated_at = rec.updated_at.unwrap_or_else(Utc::now);
    store::update(conn, obj, &row)?;
    Ok(before)
}

/// Deletes record `id` of `object` for good, then clears every reference to it from other
/// records (Twenty's `ON DELETE SET NULL`): a single reference is removed, a list loses
/// that id.
pub(super) fn delete(
    conn: &Connection,
    model: &DataModel,
    object: &str,
    id: &str,
) -> Result<DeleteOutcome> {
    if !store::delete(conn, object, id)? {
        return Ok(DeleteOutcome::NotFound);
    }
    let key = keys::lookup_key(crm_core::FieldType::Reference, id);
    for holder_obj in &model.objects {
        for fd in holder_obj.references() {
            let points_here = fd
                .reference
                .as_ref()
                .is_some_and(|r| r.objects.iter().any(|o| o == object));
            if !points_here {
                continue;
            }
            for holder in store::find_all(conn, &holder_obj.name, &fd.name, &key)? {
                let Some(mut row) = store::get(conn, &holder_obj.name, &holder)? else {
                    continue;
                };
                let is_gone = |r: &crm_core::RecordId| r.object == object && r.id == id;
                let keep = match row.fields.get_mut(&fd.name) {
                    Some(Value::Id(r)) => !is_gone(r),
                    Some(Value::Ids(list)) => {
                        list.retain(|r| !is_gone(r));
                        !list.is_empty()
                    }
                    _ => true,
                };
                if !keep {
                    row.fields.remove(&fd.name);
                }
                store::update(conn, holder_obj, &row)?;
            }
        }
    }
    Ok(DeleteOutcome::Deleted)
}
