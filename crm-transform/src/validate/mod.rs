//! Validation of a canonical record against the destination's descriptor: every failure is
//! a [`Reject`] naming the record, the field, the value and the rule.
//!
//! References are checked later, by the engine, once the records they point at are loaded.
//! Uniqueness within the run is the engine's too (duplicates merge on the dedupe key).

use crm_core::descriptor::FieldType;
use crm_core::{ObjectDescriptor, Record, Reject, Value};

use crate::mapping::Policies;
use crate::normalise::limit;

/// Checks `record` against `object`; cuts over-long text when the policy allows.
///
/// A value that breaks a rule costs its field, not the record: it is taken out of
/// `record` and returned as a field-level [`Reject`] (field, value, rule). The record
/// itself fails only when a field the destination requires is missing (or was taken out).
pub fn validate(
    record: &mut Record,
    object: &ObjectDescriptor,
    policies: &Policies,
) -> Result<Vec<Reject>, Box<Reject>> {
    let key = record.key.clone();
    let reject = |field: &str, value: String, reason: String| {
        Reject::new(key.clone(), &object.name, reason)
            .field(field)
            .value(value)
    };
    let mut dropped = Vec::new();
    let mut bad = Vec::new();
    for (name, value) in record.fields.iter_mut() {
        if let Some(r) = check_value(name, value, object, policies) {
            dropped.push(reject(name, r.0, r.1));
            bad.push(name.clone());
        }
    }
    for name in &bad {
        record.fields.remove(name);
    }
    if object.creatable {
        if let Some(missing) = object
            .fields
            .iter()
            .find(|f| f.required && record.get(&f.name).is_none_or(Value::is_empty))
        {
            // A required value that was dropped is the reason the record fails.
            if let Some(d) = dropped
                .iter()
                .find(|d| d.field.as_deref() == Some(&missing.name))
            {
                let mut d = d.clone();
                d.reason = format!(
                    "{} (and {}.{} is required)",
                    d.reason, object.name, missing.name
                );
                return Err(Box::new(d));
            }
            return Err(Box::new(reject(
                &missing.name,
                String::new(),
                format!("{}.{} is required", object.name, missing.name),
            )));
        }
    }
    Ok(dropped)
}

/// The rule `value` breaks in field `name` of `object`, as `(value, reason)`, after cutting
/// over-long text when the policy allows.
fn check_value(
    name: &str,
    value: &mut Value,
    object: &ObjectDescriptor,
    policies: &Policies,
) -> Option<(String, String)> {
    let Some(field) = object.get(name) else {
        return Some((
            value.to_string(),
            format!("the destination has no field {name:?} on {}", object.name),
        ));
    };
    if !field.ty.accepts(value) {
        return Some((
            value.to_string(),
            format!(
                "a {} value cannot go into a {:?} field",
                value.type_name(),
                field.ty
            ),
        ));
    }
    if let (Some(max), Value::Text(t)) = (field.max_length, &mut *value) {
        if t.chars().count() > max {
            if !policies.truncate_long_text {
                return Some((
                    t.clone(),
                    format!("longer than the {max} characters the destination allows"),
                ));
            }
            *t = limit(t, max).0;
        }
    }
    if !field.options.is_empty() {
        let chosen: Vec<&str> = match &*value {
            Value::Choice(c) | Value::Text(c) if field.ty == FieldType::Select => {
                vec![c.as_str()]
            }
            Value::Choices(v) => v.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        };
        if let Some(bad) = chosen
            .iter()
            .find(|c| !field.options.iter().any(|o| o == *c))
        {
            return Some((
                bad.to_string(),
                format!(
                    "{bad:?} is not an option of {}.{name} ({}); add it to the value map or as a new option",
                    object.name,
                    field.options.join(", ")
                ),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_core::descriptor::{FieldDescriptor as F, ObjectDescriptor as O};
    use crm_core::SourceKey;

    fn object() -> O {
        O::new("opportunity")
            .field(F::new("name", FieldType::Text).required().max_length(5))
            .field(F::new("stage", FieldType::Select).options(["NEW", "WON"]))
            .field(F::new("amount", FieldType::Money))
    }

    fn rec() -> Record {
        Record::new("opportunity", SourceKey::new("s", "deals", "7")).with("name", "Deal")
    }

    #[test]
    fn each_rule_names_field_value_and_reason() {
        let p = Policies::default();
        let mut colour = rec().with("colour", "red");
        let r = validate(&mut colour, &object(), &p).unwrap().remove(0);
        assert_eq!(
            (r.field.as_deref(), r.value.as_deref()),
            (Some("colour"), Some("red"))
        );
        assert!(colour.get("colour").is_none() && colour.text("name") == Some("Deal"));
        let mut lost = rec().with("stage", Value::Choice("LOST".into()));
        let r = validate(&mut lost, &object(), &p).unwrap().remove(0);
        assert!(
            r.reason.contains("NEW, WON") && r.value.as_deref() == Some("LOST"),
            "{r:?}"
        );
        assert!(lost.get("stage").is_none(), "the bad value is taken out");
        let r = validate(&mut rec().with("amount", "12"), &object(), &p)
            .unwrap()
            .remove(0);
        assert!(r.reason.contains("text value"), "{r:?}");
        // A value dropped from a required field fails the record, saying both.
        let long = Policies {
            truncate_long_text: false,
            ..Policies::default()
        };
        let r = validate(&mut rec().with("name", "Enormous deal"), &object(), &long).unwrap_err();
        assert!(
            r.reason.contains("5 characters") && r.reason.contains("required"),
            "{r:?}"
        );
        let mut missing = Record::new("opportunity", SourceKey::new("s", "deals", "8"));
        let r = validate(&mut missing, &object(), &p).unwrap_err();
        assert!(r.reason.contains("required") && r.key.id == "8", "{r:?}");
        assert!(validate(
            &mut rec().with("stage", Value::Choice("WON".into())),
            &object(),
            &p
        )
        .unwrap()
        .is_empty());
    }

    #[test]
    fn long_text_is_cut_or_rejected_by_policy() {
        let mut r = rec().with("name", "Enormous deal");
        validate(&mut r, &object(), &Policies::default()).unwrap();
        assert_eq!(r.text("name"), Some("Enorm"));
        let strict = Policies {
            truncate_long_text: false,
            ..Policies::default()
        };
        let e = validate(&mut rec().with("name", "Enormous deal"), &object(), &strict).unwrap_err();
        assert!(e.reason.contains("5 characters"), "{e:?}");
        let f = O::new("opportunity").field(F::new("name", FieldType::Text).max_length(5));
        let mut optional = rec().with("name", "Enormous deal");
        let d = validate(&mut optional, &f, &strict).unwrap();
        assert_eq!(d.len(), 1);
        assert!(optional.get("name").is_none());
    }
}
