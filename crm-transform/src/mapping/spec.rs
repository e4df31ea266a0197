//! [`MappingSpec`]: the mapping a person reads, edits and confirms (TOML).
//!
//! ```toml
//! [meta]
//! source = "usercom"
//! destination = "twenty"
//!
//! [policies]
//! orphans = "queue"
//! date_order = "day_first"
//!
//! [[objects]]
//! source = "users"
//! target = "person"
//! id = "id"
//! created_at = "created_at"
//!
//! [[objects.fields]]
//! source = "E-mail Address"
//! target = "emails"
//! transform = "emails"
//! confidence = 0.97
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The whole mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct MappingSpec {
    /// What it maps from and to, and its confirmation.
    #[serde(default)]
    pub meta: Meta,
    /// Rules that apply to every object.
    #[serde(default)]
    pub policies: Policies,
    /// Source object → canonical object rules.
    #[serde(default)]
    pub objects: Vec<ObjectMapping>,
    /// Custom objects to create in the destination before loading (their fields are the
    /// `custom_fields` whose `object` names them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_objects: Vec<CustomObject>,
    /// Custom fields to create in the destination before loading.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_fields: Vec<CustomField>,
}

/// A custom object the destination needs before loading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomObject {
    /// Object name (destination naming rules apply: camelCase for Twenty).
    pub name: String,
    /// Human label (singular).
    #[serde(default)]
    pub label: String,
}

/// Provenance and confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Meta {
    /// Source platform id.
    #[serde(default)]
    pub source: String,
    /// Destination platform id.
    #[serde(default)]
    pub destination: String,
    /// Set by `crm-migrate map --confirm`: `sha256:<hex>` of the spec's content without
    /// this field. Any later edit that changes the mapping invalidates it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<String>,
    /// Who or what proposed it (`heuristic`, a model name, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_by: Option<String>,
}

/// What to do with an unresolvable reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OrphanRule {
    /// Reject the record.
    Reject,
    /// Queue the record for review.
    #[default]
    Queue,
    /// Load the record without the link (the report lists it).
    DropLink,
}

/// What to do when a match (owner by name, company by name) is ambiguous.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AmbiguousRule {
    /// Take the first match.
    First,
    /// Reject the record.
    #[default]
    Reject,
}

/// Day-first or month-first for slash dates in this source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DateOrderRule {
    /// ISO only; slash dates accepted only when unambiguous.
    #[default]
    Iso,
    /// `31/12/2024`.
    DayFirst,
    /// `12/31/2024`.
    MonthFirst,
}

/// Rules for the whole mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policies {
    /// Per canonical object, the unique field duplicates merge on.
    #[serde(default = "default_dedupe")]
    pub dedupe: BTreeMap<String, String>,
    /// Unresolvable references.
    #[serde(default)]
    pub orphans: OrphanRule,
    /// Email of the member who owns records whose owner cannot be found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_fallback: Option<String>,
    /// Ambiguous matches.
    #[serde(default)]
    pub ambiguous_match: AmbiguousRule,
    /// Slash-date order of this source.
    #[serde(default)]
    pub date_order: DateOrderRule,
    /// Offset of date-times written without one, e.g. `+01:00` (UTC when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_offset: Option<String>,
    /// Country of phone numbers written without a calling code (ISO alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_country: Option<String>,
    /// Currency of amounts written without one (ISO 4217).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_currency: Option<String>,
    /// Decimal comma in amounts (`1.234,50`).
    #[serde(default)]
    pub decimal_comma: bool,
    /// Cut text longer than the destination allows (and note it) instead of rejecting.
    #[serde(default = "yes")]
    pub truncate_long_text: bool,
}

fn yes() -> bool {
    true
}

fn default_dedupe() -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    m.insert("person".into(), "emails".into());
    m.insert("company".into(), "domain".into());
    m
}

impl Default for Policies {
    fn default() -> Self {
        Self {
            dedupe: default_dedupe(),
            orphans: OrphanRule::default(),
            owner_fallback: None,
            ambiguous_match: AmbiguousRule::default(),
            date_order: DateOrderRule::default(),
            default_offset: None,
            default_country: None,
            default_currency: None,
            decimal_comma: false,
            truncate_long_text: true,
        }
    }
}

/// A condition on a raw record (split rules and skips).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    /// Source field.
    pub field: String,
    /// True when the field's value (trimmed, case-insensitive) is one of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub equals: Vec<String>,
    /// True when the field is empty or absent (`true`), or present (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty: Option<bool>,
}

/// One source object feeding one canonical object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectMapping {
    /// Source object (`users`).
    pub source: String,
    /// Canonical object (`person`).
    pub target: String,
    /// Source field holding the record id (`id`).
    #[serde(default = "default_id")]
    pub id: String,
    /// Source field with the creation time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Source field with the last-change time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Only records matching this become `target` (1:many splits: the others are skipped
    /// here and loaded by their own rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// Records matching this are skipped, with `skip_reason`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_when: Option<Condition>,
    /// Why `skip_when` records are not migrated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    /// Fields set to a constant on every record (e.g. `kind = "meeting"`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub constants: BTreeMap<String, String>,
    /// Field rules.
    #[serde(default)]
    pub fields: Vec<FieldMapping>,
    /// Per target field, source value → destination option (`won` → `CUSTOMER`); a value
    /// mapped to `""` gives no value, so a later rule for the same field can fill it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub value_maps: BTreeMap<String, BTreeMap<String, String>>,
}

fn default_id() -> String {
    "id".into()
}

/// What to do with a value that cannot be read or validated.
///
/// By default a bad value costs its field, not the record: the record loads without it and
/// the value, field and reason are reported as a field-level line in `rejects.csv`. A
/// field the destination requires fails the record whatever this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// Reject the whole record, naming field, value and reason.
    Reject,
    /// Queue the whole record for review.
    Queue,
    /// Load the record without this value (the default), reporting it field by field.
    #[default]
    DropField,
}

/// How a source value becomes a canonical value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// Text as is (trimmed; control characters removed).
    Text,
    /// JSON or text, flattened to readable text.
    JsonText,
    /// Boolean (`t`/`f`, `yes`/`no`, …).
    Bool,
    /// Whole number.
    Integer,
    /// Decimal number (kept exact).
    Number,
    /// Date-time → UTC.
    DateTime,
    /// Date.
    Date,
    /// One choice (through the field's value map).
    Choice,
    /// Several choices (PostgreSQL arrays, JSON arrays, `|`/`;` lists).
    Choices,
    /// Email addresses (one or several in a cell).
    Emails,
    /// One email as text (users).
    Email,
    /// Phone numbers.
    Phones,
    /// URLs.
    Urls,
    /// A web domain (company domains).
    Domain,
    /// Money (currency from the value or the policy's default).
    Money,
    /// JSON value.
    Json,
    /// Reference by source id (set `ref_object`, and `ref_source` to the source object).
    RefKey,
    /// Reference by email.
    RefEmail,
    /// Reference by domain.
    RefDomain,
    /// Reference by name.
    RefName,
    /// Several references by source id (polymorphic targets: one rule per target object).
    RefKeys,
    /// A chat transcript (JSON array of messages with `created_at`, `author`, `content`)
    /// as markdown, one timestamped line per message.
    Transcript,
}

/// One source field → one canonical field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldMapping {
    /// Source field (column or attribute name).
    pub source: String,
    /// Canonical or custom field.
    pub target: String,
    /// How the value is read.
    pub transform: Transform,
    /// For references: the canonical object pointed at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref_object: Option<String>,
    /// For references by source id: the source object of the target (`companies`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref_source: Option<String>,
    /// For money: the source field holding the currency code (else the amount's own code,
    /// else `policies.default_currency`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Unreadable values.
    #[serde(default)]
    pub on_error: OnError,
    /// When the value is left out (it could not be read or validated), keep the raw text
    /// in this (text) field instead, so nothing is lost: e.g. an invalid email kept in a
    /// custom `invalidEmail` field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_raw_in: Option<String>,
    /// How sure the proposer was (0–1); informational.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// Why the proposer flagged this line for a person's attention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
    /// A few source values, to help the reader; informational.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub samples: Vec<String>,
}

/// A field type for a custom field to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldType {
    /// Text.
    Text,
    /// Number.
    Number,
    /// Boolean.
    Boolean,
    /// Date-time.
    DateTime,
    /// Date.
    Date,
    /// Select.
    Select,
    /// Multi-select.
    MultiSelect,
    /// Links.
    Links,
    /// Emails.
    Emails,
    /// Phones.
    Phones,
    /// Currency.
    Currency,
    /// JSON.
    RawJson,
}

/// A custom field the destination needs before loading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomField {
    /// Canonical object it belongs to.
    pub object: String,
    /// Field name (destination naming rules apply).
    pub name: String,
    /// Human label.
    pub label: String,
    /// Type.
    #[serde(rename = "type")]
    pub ty: CustomFieldType,
    /// Options of a select / multi-select.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

impl MappingSpec {
    /// Source → target pairs in spec order.
    pub fn routes(&self) -> Vec<(String, String)> {
        self.objects
            .iter()
            .map(|o| (o.source.clone(), o.target.clone()))
            .collect()
    }

    /// The rule for `source` → `target`.
    pub fn object(&self, source: &str, target: &str) -> Option<&ObjectMapping> {
        self.objects
            .iter()
            .find(|o| o.source == source && o.target == target)
    }
}
