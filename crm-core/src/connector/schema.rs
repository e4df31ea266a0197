//! Schema changes a migration makes in the destination before loading: custom fields and
//! new select options from the mapping. Each is diffed against the live model first (never
//! duplicated) and journaled, so a rollback can remove what a run added.

use serde::{Deserialize, Serialize};

use crate::descriptor::{DataModel, FieldDescriptor, ObjectDescriptor};

/// One change to a destination's model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum SchemaChange {
    /// Create a custom field.
    AddField {
        /// Object it belongs to.
        object: String,
        /// The field.
        field: FieldDescriptor,
    },
    /// Create a custom object with its fields.
    AddObject {
        /// The object (marked custom).
        object: ObjectDescriptor,
    },
    /// Add options to a select or multi-select field.
    AddOptions {
        /// Object.
        object: String,
        /// Field.
        field: String,
        /// Options to add.
        options: Vec<String>,
    },
}

impl SchemaChange {
    /// Object the change applies to.
    pub fn object(&self) -> &str {
        match self {
            SchemaChange::AddField { object, .. } | SchemaChange::AddOptions { object, .. } => {
                object
            }
            SchemaChange::AddObject { object } => &object.name,
        }
    }

    /// One line for reports: `person.planTier (select)`.
    pub fn describe(&self) -> String {
        match self {
            SchemaChange::AddField { object, field } => {
                format!("add field {object}.{} ({:?})", field.name, field.ty)
            }
            SchemaChange::AddObject { object } => {
                format!(
                    "add object {} ({} fields)",
                    object.name,
                    object.fields.len()
                )
            }
            SchemaChange::AddOptions {
                object,
                field,
                options,
            } => {
                format!("add options {} to {object}.{field}", options.join(", "))
            }
        }
    }
}

/// What happened to one change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SchemaOutcome {
    /// Made.
    Applied,
    /// Refused by the destination, with its reason.
    Rejected {
        /// Why.
        reason: String,
    },
}

impl DataModel {
    /// The part of `wanted` that this model lacks: fields it does not have, options its
    /// fields do not offer. A field that exists with another type is kept as a change, so
    /// the destination refuses it with a reason instead of it being silently skipped.
    pub fn missing(&self, wanted: &[SchemaChange]) -> Vec<SchemaChange> {
        let mut out: Vec<SchemaChange> = Vec::new();
        for change in wanted {
            match change {
                SchemaChange::AddObject { object } => match self.get(&object.name) {
                    None => out.push(change.clone()),
                    Some(existing) => {
                        // The object is there: only its missing fields are changes.
                        let fields: Vec<SchemaChange> = object
                            .fields
                            .iter()
                            .filter(|f| existing.get(&f.name).is_none())
                            .map(|f| SchemaChange::AddField {
                                object: object.name.clone(),
                                field: f.clone(),
                            })
                            .collect();
                        out.extend(fields);
                    }
                },
                SchemaChange::AddField { object, field } => {
                    let existing = self.get(object).and_then(|o| o.get(&field.name));
                    match existing {
                        Some(f) if f.ty == field.ty => {
                            let extra: Vec<String> = field
                                .options
                                .iter()
                                .filter(|o| !f.options.contains(o))
                                .cloned()
                                .collect();
                            if !extra.is_empty() && !f.options.is_empty() {
                                out.push(SchemaChange::AddOptions {
                                    object: object.clone(),
                                    field: field.name.clone(),
                                    options: extra,
                                });
                            }
                        }
                        _ => {
                            if !out.contains(change) {
                                out.push(change.clone());
                            }
                        }
                    }
                }
                SchemaChange::AddOptions {
                    object,
                    field,
                    options,
                } => {
                    let have = self
                        .get(object)
                        .and_then(|o| o.get(field))
                        .map(|f| f.options.clone())
                        .unwrap_or_default();
                    // A field with no options takes any value: adding some would constrain it.
                    if have.is_empty() {
                        continue;
                    }
                    let extra: Vec<String> = options
                        .iter()
                        .filter(|o| !have.contains(o))
                        .cloned()
                        .collect();
                    if !extra.is_empty() {
                        out.push(SchemaChange::AddOptions {
                            object: object.clone(),
                            field: field.clone(),
                            options: extra,
                        });
                    }
                }
            }
        }
        out
    }

    /// Applies a change to this description of the model (after the destination made it).
    pub fn apply(&mut self, change: &SchemaChange) {
        match change {
            SchemaChange::AddObject { object } => {
                if self.get(&object.name).is_none() {
                    self.objects.push(object.clone());
                }
            }
            SchemaChange::AddField { object, field } => {
                if let Some(o) = self.get_mut(object) {
                    if o.get(&field.name).is_none() {
                        o.fields.push(field.clone());
                    }
                }
            }
            SchemaChange::AddOptions {
                object,
                field,
                options,
            } => {
                if let Some(f) = self
                    .get_mut(object)
                    .and_then(|o| o.fields.iter_mut().find(|f| f.name == *field))
                {
                    for opt in options {
                        if !f.options.contains(opt) {
                            f.options.push(opt.clone());
                        }
                    }
                }
            }
        }
    }

    /// Undoes a change in this description of the model.
    pub fn revert(&mut self, change: &SchemaChange) {
        match change {
            SchemaChange::AddObject { object } => self.objects.retain(|o| o.name != object.name),
            SchemaChange::AddField { object, field } => {
                if let Some(o) = self.get_mut(object) {
                    o.fields.retain(|f| f.name != field.name);
                }
            }
            SchemaChange::AddOptions {
                object,
                field,
                options,
            } => {
                if let Some(f) = self
                    .get_mut(object)
                    .and_then(|o| o.fields.iter_mut().find(|f| f.name == *field))
                {
                    f.options.retain(|o| !options.contains(o));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descriptor::FieldType;

    #[test]
    fn only_what_is_missing_is_changed() {
        let mut base = DataModel::standard();
        if let Some(stage) = base
            .get_mut("opportunity")
            .and_then(|o| o.fields.iter_mut().find(|f| f.name == "stage"))
        {
            stage.options = vec!["NEW".into()];
        }
        let mut m = base.clone();
        let plan = FieldDescriptor::new("plan", FieldType::Select)
            .options(["FREE", "PRO"])
            .custom();
        let wanted = vec![
            SchemaChange::AddField {
                object: "person".into(),
                field: plan.clone(),
            },
            SchemaChange::AddField {
                object: "person".into(),
                field: plan.clone(),
            },
            SchemaChange::AddOptions {
                object: "opportunity".into(),
                field: "stage".into(),
                options: vec!["LOST".into()],
            },
        ];
        let missing = m.missing(&wanted);
        assert_eq!(missing.len(), 2, "{missing:?}");
        for c in &missing {
            m.apply(c);
        }
        assert!(m.missing(&wanted).is_empty());
        let more = vec![SchemaChange::AddField {
            object: "person".into(),
            field: plan.clone().options(["FREE", "PRO", "TEAM"]),
        }];
        assert_eq!(
            m.missing(&more),
            vec![SchemaChange::AddOptions {
                object: "person".into(),
                field: "plan".into(),
                options: vec!["TEAM".into()]
            }]
        );
        for c in missing.iter().rev() {
            m.revert(c);
        }
        assert_eq!(m, base);
        // A field that takes any value is not narrowed by adding options to it.
        let free = vec![SchemaChange::AddOptions {
            object: "person".into(),
            field: "job_title".into(),
            options: vec!["CEO".into()],
        }];
        assert!(DataModel::standard().missing(&free).is_empty());
    }

    #[test]
    fn custom_objects_are_added_once_then_only_their_new_fields() {
        let invoice = ObjectDescriptor::new("invoice")
            .field(FieldDescriptor::new("number", FieldType::Text))
            .field(FieldDescriptor::new("total", FieldType::Money));
        let wanted = vec![SchemaChange::AddObject {
            object: invoice.clone(),
        }];
        let mut m = DataModel::standard();
        assert_eq!(m.missing(&wanted), wanted);
        m.apply(&wanted[0]);
        assert!(m.missing(&wanted).is_empty());
        let more = vec![SchemaChange::AddObject {
            object: invoice
                .clone()
                .field(FieldDescriptor::new("paid", FieldType::Boolean)),
        }];
        assert!(
            matches!(&m.missing(&more)[..], [SchemaChange::AddField { object, field }] if object == "invoice" && field.name == "paid")
        );
        m.revert(&wanted[0]);
        assert_eq!(m, DataModel::standard());
    }
}
