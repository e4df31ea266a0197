//! [`FieldDescriptor`]: one field's type and rules.

use serde::{Deserialize, Serialize};

use crate::model::Value;

/// The type of a field, in canonical terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Text (rich text is carried as markdown text).
    Text,
    /// Whole number.
    Integer,
    /// Decimal number.
    Number,
    /// Boolean.
    Boolean,
    /// Calendar date.
    Date,
    /// Instant.
    DateTime,
    /// One of the field's options.
    Select,
    /// Any of the field's options.
    MultiSelect,
    /// One email address.
    Email,
    /// Email addresses.
    Emails,
    /// Phone numbers.
    Phones,
    /// URLs.
    Urls,
    /// Money.
    Money,
    /// Postal address.
    Address,
    /// JSON.
    Json,
    /// Reference to one record of [`FieldDescriptor::reference`]'s object.
    Reference,
    /// References to records of several objects (activity targets).
    References,
}

impl FieldType {
    /// Whether `value` has a shape this type accepts (before option and length rules).
    pub fn accepts(self, value: &Value) -> bool {
        use FieldType as T;
        matches!(
            (self, value),
            (_, Value::Null)
                | (T::Text, Value::Text(_) | Value::Choice(_))
                | (T::Integer, Value::Int(_))
                | (T::Number, Value::Int(_) | Value::Decimal(_))
                | (T::Boolean, Value::Bool(_))
                | (T::Date, Value::Date(_))
                | (T::DateTime, Value::DateTime(_))
                | (T::Select, Value::Choice(_) | Value::Text(_))
                | (T::MultiSelect, Value::Choices(_))
                | (T::Email, Value::Text(_))
                | (T::Emails, Value::Emails(_))
                | (T::Phones, Value::Phones(_))
                | (T::Urls, Value::Urls(_))
                | (T::Money, Value::Money { .. })
                | (T::Address, Value::Address(_))
                | (T::Json, _)
                | (T::Reference, Value::Ref(_) | Value::Id(_))
                | (T::References, Value::Refs(_) | Value::Ids(_))
        )
    }
}

/// Where a reference field points.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reference {
    /// Target objects (one for a plain reference, several for polymorphic targets).
    pub objects: Vec<String>,
    /// Whether the record can be created without it (and the link patched afterwards):
    /// this is what lets the planner break a cycle.
    pub optional: bool,
}

/// One field of a destination object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDescriptor {
    /// Canonical field name (standard fields) or the custom field's name.
    pub name: String,
    /// Human label.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// Type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// A value must be present on create.
    #[serde(default)]
    pub required: bool,
    /// No two records may share a value (compared case-insensitively for emails and domains).
    #[serde(default)]
    pub unique: bool,
    /// Longest text accepted, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    /// Allowed values of a select or multi-select.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Target of a reference field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<Reference>,
    /// A custom (user-defined) field rather than a standard one.
    #[serde(default)]
    pub custom: bool,
    /// The destination can store this field but not give it back faithfully (write-only, or
    /// transformed on write): verification skips it.
    #[serde(default)]
    pub write_only: bool,
}

impl FieldDescriptor {
    /// A field with a type and no rules.
    pub fn new(name: impl Into<String>, ty: FieldType) -> Self {
        Self {
            name: name.into(),
            label: String::new(),
            ty,
            required: false,
            unique: false,
            max_length: None,
            options: Vec::new(),
            reference: None,
            custom: false,
            write_only: false,
        }
    }

    /// A reference field to `object`.
    pub fn reference(name: impl Into<String>, object: impl Into<String>, optional: bool) -> Self {
        let mut f = Self::new(name, FieldType::Reference);
        f.reference = Some(Reference {
            objects: vec![object.into()],
            optional,
        });
        f
    }

    /// A polymorphic reference field to any of `objects` (always optional).
    pub fn references(name: impl Into<String>, objects: &[&str]) -> Self {
        let mut f = Self::new(name, FieldType::References);
        f.reference = Some(Reference {
            objects: objects.iter().map(|s| s.to_string()).collect(),
            optional: true,
        });
        f
    }

    /// Marks the field required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Marks the field unique.
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// Sets the longest text accepted.
    pub fn max_length(mut self, n: usize) -> Self {
        self.max_length = Some(n);
        self
    }

    /// Sets the select options.
    pub fn options<I, S>(mut self, options: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.options = options.into_iter().map(Into::into).collect();
        self
    }

    /// Marks the field custom.
    pub fn custom(mut self) -> Self {
        self.custom = true;
        self
    }

    /// Sets the label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }
}

impl FieldDescriptor {
    /// The normalised values of `value` that this field's uniqueness and lookups compare:
    /// every email lower-cased, every URL as its bare domain, text trimmed and lower-cased.
    /// Empty for values that are not matched on.
    pub fn match_values(&self, value: &Value) -> Vec<String> {
        match_values(value)
    }
}

/// The normalised match values of a value (see [`FieldDescriptor::match_values`]).
pub fn match_values(value: &Value) -> Vec<String> {
    let norm = |s: &str| s.trim().to_lowercase();
    let mut out: Vec<String> = match value {
        Value::Emails(v) => v.iter().map(|e| norm(e)).collect(),
        Value::Urls(v) => v
            .iter()
            .map(|u| crate::model::normalise_domain(u))
            .collect(),
        Value::Text(s) | Value::Choice(s) | Value::Decimal(s) => vec![norm(s)],
        Value::Int(i) => vec![i.to_string()],
        Value::Phones(v) => v.iter().map(|p| p.number.clone()).collect(),
        _ => Vec::new(),
    };
    out.retain(|s| !s.is_empty());
    out.dedup();
    out
}
