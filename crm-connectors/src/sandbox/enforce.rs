//! The rules a destination's data model imposes on one record, each refusal naming the rule,
//! the field and the value.

use crm_core::{DataModel, FieldDescriptor, FieldType, Fields, ObjectDescriptor, Value};
use crm_core::{RecordId, WriteOutcome};
use rusqlite::Connection;

use super::{keys, store};

/// Why a record is refused: the field at fault, if one, and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Rejection {
    pub(super) field: Option<String>,
    pub(super) reason: String,
}

/// Either the record is refused (it alone), or the store failed (the whole batch).
#[derive(Debug)]
pub(super) enum Fault {
    /// The record breaks a rule.
    Reject(Rejection),
    /// The database failed.
    Store(crm_core::Error),
}

impl Fault {
    /// Turns a refusal into its outcome; a store failure stays an error.
    pub(super) fn into_outcome(self) -> crm_core::Result<WriteOutcome> {
        match self {
            Fault::Reject(r) => Ok(WriteOutcome::Rejected {
                field: r.field,
                reason: r.reason,
            }),
            Fault::Store(e) => Err(e),
        }
    }
}

impl From<crm_core::Error> for Fault {
    fn from(e: crm_core::Error) -> Self {
        Fault::Store(e)
    }
}

/// Result of a rule check.
pub(super) type Checked<T> = std::result::Result<T, Fault>;

/// A refusal for `field` (if any) with `reason`.
pub(super) fn reject(field: Option<&str>, reason: impl Into<String>) -> Fault {
    Fault::Reject(Rejection {
        field: field.map(str::to_string),
        reason: reason.into(),
    })
}

/// A value quoted for a message, cut to 80 characters.
pub(super) fn quote(v: &impl std::fmt::Display) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(80).collect();
        format!("{cut:?}…")
    } else {
        format!("{s:?}")
    }
}

/// True when the value carries nothing (null, empty list, blank text).
pub(super) fn blank(v: &Value) -> bool {
    v.is_empty() || v.as_text().is_some_and(|s| s.trim().is_empty())
}

fn type_name(ty: FieldType) -> String {
    serde_json::to_value(ty)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{ty:?}"))
}

/// The field `name` of `obj`, or a refusal naming the unknown field.
pub(super) fn field<'a>(
    model: &DataModel,
    obj: &'a ObjectDescriptor,
    name: &str,
) -> Checked<&'a FieldDescriptor> {
    obj.get(name).ok_or_else(|| {
        reject(
            Some(name),
            format!(
                "unknown field: {} has no field {name:?} in the {} model",
                obj.name, model.name
            ),
        )
    })
}

/// Rules on one non-blank value that need no database: unresolved references, value shape,
/// length in characters, select options.
pub(super) fn check_value(fd: &FieldDescriptor, v: &Value) -> Checked<()> {
    let name = Some(fd.name.as_str());
    if v.has_refs() {
        return Err(reject(
            name,
            format!("unresolved reference in field {:?}: {}", fd.name, quote(v)),
        ));
    }
    if !fd.ty.accepts(v) {
        return Err(reject(
            name,
            format!(
                "wrong type: field {:?} is {}, got {} value {}",
                fd.name,
                type_name(fd.ty),
                v.type_name(),
                quote(v)
            ),
        ));
    }
    if let (Some(max), Some(s)) = (fd.max_length, v.as_text()) {
        let n = s.chars().count();
        if n > max {
            return Err(reject(
                name,
                format!(
                    "too long: field {:?} takes at most {max} characters, got {n}: {}",
                    fd.name,
                    quote(&s)
                ),
            ));
        }
    }
    if !fd.options.is_empty() && matches!(fd.ty, FieldType::Select | FieldType::MultiSelect) {
        let given: Vec<&str> = match v {
            Value::Choices(l) => l.iter().map(String::as_str).collect(),
            other => other.as_text().into_iter().collect(),
        };
        if let Some(bad) = given.iter().find(|g| !fd.options.iter().any(|o| o == *g)) {
            return Err(reject(
                name,
                format!(
                    "not an option: {bad:?} is not among the options of field {:?} ({})",
                    fd.name,
                    fd.options.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// A resolved reference must point at an existing record of an object the field allows.
pub(super) fn check_references(conn: &Connection, fd: &FieldDescriptor, v: &Value) -> Checked<()> {
    let ids: Vec<&RecordId> = match v {
        Value::Id(r) => vec![r],
        Value::Ids(l) => l.iter().collect(),
        _ => return Ok(()),
    };
    let name = Some(fd.name.as_str());
    for r in ids {
        if let Some(reference) = &fd.reference {
            if !reference.objects.contains(&r.object) {
                return Err(reject(
                    name,
                    format!(
                        "wrong reference: field {:?} cannot point at {} {} (allowed: {})",
                        fd.name,
                        r.object,
                        r.id,
                        reference.objects.join(", ")
                    ),
                ));
            }
        }
        if !store::exists(conn, &r.object, &r.id)? {
            return Err(reject(
                name,
                format!(
                    "broken reference: field {:?} points at {} {} which does not exist",
                    fd.name, r.object, r.id
                ),
            ));
        }
    }
    Ok(())
}

/// A unique field's value must not be held by another record (`except` is the record being
/// written, on update).
pub(super) fn check_unique(
    conn: &Connection,
    object: &str,
    fd: &FieldDescriptor,
    v: &Value,
    except: Option<&str>,
) -> Checked<()> {
    if !fd.unique {
        return Ok(());
    }
    for e in keys::entries(fd.ty, v) {
        if let Some(holder) = store::find(conn, object, &fd.name, &e.key, except)? {
            return Err(reject(
                Some(&fd.name),
                format!(
                    "duplicate: unique field {:?} value {:?} is already used by {object} {holder}",
                    fd.name, e.given
                ),
            ));
        }
    }
    Ok(())
}

/// Every rule on the fields a write sets. `except` is the id of the record being updated;
/// `create` adds the required-field rule. Blank values are only checked against `required`
/// (on update they clear the field).
pub(super) fn check_fields(
    conn: &Connection,
    model: &DataModel,
    obj: &ObjectDescriptor,
    fields: &Fields,
    except: Option<&str>,
    create: bool,
) -> Checked<()> {
    for (name, v) in fields {
        let fd = field(model, obj, name)?;
        if blank(v) {
            if fd.required && !create {
                return Err(reject(
                    Some(name),
                    format!("required field {name:?} cannot be cleared"),
                ));
            }
            continue;
        }
        check_value(fd, v)?;
    }
    if create {
        for fd in obj.fields.iter().filter(|f| f.required) {
            if !matches!(fields.get(&fd.name), Some(v) if !blank(v)) {
                return Err(reject(
                    Some(&fd.name),
                    format!("required field {:?} is missing or empty", fd.name),
                ));
            }
        }
    }
    for (name, v) in fields.iter().filter(|(_, v)| !blank(v)) {
        let fd = field(model, obj, name)?;
        check_references(conn, fd, v)?;
        check_unique(conn, &obj.name, fd, v, except)?;
    }
    Ok(())
}
