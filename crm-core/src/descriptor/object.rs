//! [`ObjectDescriptor`] and [`DataModel`].

use serde::{Deserialize, Serialize};

use super::field::FieldDescriptor;
use crate::{Error, Result};

/// One object of a destination's model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectDescriptor {
    /// Canonical object name (`person`, …) or the custom object's name.
    pub name: String,
    /// Human label.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// Fields.
    pub fields: Vec<FieldDescriptor>,
    /// Whether records can be created through the API. Workspace members usually cannot:
    /// the engine matches them instead.
    #[serde(default = "yes")]
    pub creatable: bool,
    /// A custom object rather than a standard one.
    #[serde(default)]
    pub custom: bool,
}

fn yes() -> bool {
    true
}

impl ObjectDescriptor {
    /// An object with no fields.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            label: String::new(),
            fields: Vec::new(),
            creatable: true,
            custom: false,
        }
    }

    /// Adds a field (builder style).
    pub fn field(mut self, field: FieldDescriptor) -> Self {
        self.fields.push(field);
        self
    }

    /// Marks the object as matched only, never created.
    pub fn match_only(mut self) -> Self {
        self.creatable = false;
        self
    }

    /// Looks a field up by name.
    pub fn get(&self, name: &str) -> Option<&FieldDescriptor> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Fields that reference other objects.
    pub fn references(&self) -> impl Iterator<Item = &FieldDescriptor> {
        self.fields.iter().filter(|f| f.reference.is_some())
    }
}

/// A destination's whole model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataModel {
    /// Name (`twenty`, `freshsales`, …).
    pub name: String,
    /// Objects.
    pub objects: Vec<ObjectDescriptor>,
    /// Names the destination refuses for new fields and objects whatever the object (its
    /// reserved keywords), compared case-insensitively. Empty when the destination has none
    /// or they are unknown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reserved_names: Vec<String>,
}

impl DataModel {
    /// An empty model.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            objects: Vec::new(),
            reserved_names: Vec::new(),
        }
    }

    /// Declares the names the destination refuses for new fields and objects (builder style).
    pub fn reserved<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.reserved_names
            .extend(names.into_iter().map(Into::into));
        self
    }

    /// Whether `name` is one of the destination's reserved names (case-insensitively).
    pub fn is_reserved(&self, name: &str) -> bool {
        self.reserved_names
            .iter()
            .any(|r| r.eq_ignore_ascii_case(name))
    }

    /// Why a new field `name` cannot be created on `object`, or `None` when it can: the
    /// name is reserved by the destination, or the object already has a field whose name
    /// differs from it only in case.
    pub fn field_name_problem(&self, object: &str, name: &str) -> Option<String> {
        if self.is_reserved(name) {
            return Some(format!(
                "{name:?} is a reserved name in {} and cannot name a new field",
                self.name
            ));
        }
        if let Some(o) = self.get(object) {
            if let Some(f) = o
                .fields
                .iter()
                .find(|f| f.name != name && f.name.eq_ignore_ascii_case(name))
            {
                return Some(format!(
                    "{object} already has a field {:?} that differs only in case",
                    f.name
                ));
            }
        }
        None
    }

    /// Adds an object (builder style).
    pub fn object(mut self, object: ObjectDescriptor) -> Self {
        self.objects.push(object);
        self
    }

    /// Looks an object up by name.
    pub fn get(&self, name: &str) -> Option<&ObjectDescriptor> {
        self.objects.iter().find(|o| o.name == name)
    }

    /// Looks an object up by name, mutably.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut ObjectDescriptor> {
        self.objects.iter_mut().find(|o| o.name == name)
    }

    /// Looks an object up by name or fails naming it.
    pub fn require(&self, name: &str) -> Result<&ObjectDescriptor> {
        self.get(name).ok_or_else(|| {
            Error::config(format!(
                "object {name:?} is not in the {} model (it has: {})",
                self.name,
                self.objects
                    .iter()
                    .map(|o| o.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }

    /// Checks the model is coherent: unique names, references to objects that exist.
    pub fn check(&self) -> Result<()> {
        let mut seen = std::collections::HashSet::new();
        for o in &self.objects {
            if !seen.insert(&o.name) {
                return Err(Error::config(format!("object {:?} declared twice", o.name)));
            }
            let mut fields = std::collections::HashSet::new();
            for f in &o.fields {
                if !fields.insert(&f.name) {
                    return Err(Error::config(format!(
                        "field {}.{} declared twice",
                        o.name, f.name
                    )));
                }
                if let Some(r) = &f.reference {
                    for t in &r.objects {
                        if self.get(t).is_none() {
                            return Err(Error::config(format!(
                                "field {}.{} references unknown object {t:?}",
                                o.name, f.name
                            )));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The canonical standard model: person, company, opportunity, task, note and user with
    /// their standard fields and no platform limits. Destinations start from it or declare
    /// their own; tests and the memory sink use it as it is.
    pub fn standard() -> Self {
        use super::field::{FieldDescriptor as F, FieldType as T};
        use crate::model::fields as f;
        let targets = [f::PERSON, f::COMPANY, f::OPPORTUNITY];
        DataModel::new("standard")
            .object(
                ObjectDescriptor::new(f::USER)
                    .match_only()
                    .field(F::new(f::FIRST_NAME, T::Text))
                    .field(F::new(f::LAST_NAME, T::Text))
                    .field(F::new(f::EMAIL, T::Email).unique()),
            )
            .object(
                ObjectDescriptor::new(f::COMPANY)
                    .field(F::new(f::NAME, T::Text))
                    .field(F::new(f::DOMAIN, T::Urls).unique())
                    .field(F::new(f::ADDRESS, T::Address))
                    .field(F::new(f::EMPLOYEES, T::Integer))
                    .field(F::new(f::ANNUAL_REVENUE, T::Money))
                    .field(F::new(f::LINKEDIN, T::Urls))
                    .field(F::new(f::TAGS, T::MultiSelect))
                    .field(F::reference(f::OWNER, f::USER, true)),
            )
            .object(
                ObjectDescriptor::new(f::PERSON)
                    .field(F::new(f::FIRST_NAME, T::Text))
                    .field(F::new(f::LAST_NAME, T::Text))
                    .field(F::new(f::EMAILS, T::Emails).unique())
                    .field(F::new(f::PHONES, T::Phones))
                    .field(F::new(f::JOB_TITLE, T::Text))
                    .field(F::new(f::CITY, T::Text))
                    .field(F::new(f::LINKEDIN, T::Urls))
                    .field(F::new(f::TAGS, T::MultiSelect))
                    .field(F::reference(f::COMPANY_REF, f::COMPANY, true))
                    .field(F::reference(f::OWNER, f::USER, true)),
            )
            .object(
                ObjectDescriptor::new(f::OPPORTUNITY)
                    .field(F::new(f::NAME, T::Text))
                    .field(F::new(f::AMOUNT, T::Money))
                    .field(F::new(f::CLOSE_DATE, T::DateTime))
                    .field(F::new(f::STAGE, T::Select))
                    .field(F::new(f::TAGS, T::MultiSelect))
                    .field(F::reference(f::COMPANY_REF, f::COMPANY, true))
                    .field(F::reference(f::POINT_OF_CONTACT, f::PERSON, true))
                    .field(F::reference(f::OWNER, f::USER, true)),
            )
            .object(
                ObjectDescriptor::new(f::TASK)
                    .field(F::new(f::TITLE, T::Text))
                    .field(F::new(f::BODY, T::Text))
                    .field(F::new(f::KIND, T::Select))
                    .field(F::new(f::OCCURRED_AT, T::DateTime))
                    .field(F::new(f::DUE_AT, T::DateTime))
                    .field(F::new(f::STATUS, T::Select))
                    .field(F::new(f::DURATION_SECS, T::Integer))
                    .field(F::new(f::OUTCOME, T::Text))
                    .field(F::new(f::PROPERTIES, T::Json))
                    .field(F::reference(f::ASSIGNEE, f::USER, true))
                    .field(F::references(f::TARGETS, &targets)),
            )
            .object(
                ObjectDescriptor::new(f::NOTE)
                    .field(F::new(f::TITLE, T::Text))
                    .field(F::new(f::BODY, T::Text))
                    .field(F::new(f::OCCURRED_AT, T::DateTime))
                    .field(F::new(f::PROPERTIES, T::Json))
                    .field(F::references(f::TARGETS, &targets)),
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_model_is_coherent() {
        DataModel::standard().check().unwrap();
    }

    #[test]
    fn unknown_reference_target_is_an_error() {
        let m = DataModel::new("x").object(
            ObjectDescriptor::new("a").field(FieldDescriptor::reference("b", "nope", true)),
        );
        let e = m.check().unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
    }
}
