//! The discovery document.

use serde::{Deserialize, Serialize};

/// The type a field's values look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InferredType {
    /// No values at all.
    Empty,
    /// Free text.
    Text,
    /// Whole numbers.
    Integer,
    /// Decimal numbers.
    Number,
    /// Booleans (`t`/`f`, `true`/`false`, `yes`/`no`, `1`/`0`).
    Boolean,
    /// Date-times.
    DateTime,
    /// Dates.
    Date,
    /// Email addresses.
    Email,
    /// Phone numbers.
    Phone,
    /// URLs or domains.
    Url,
    /// Amounts with a currency.
    Money,
    /// JSON objects or arrays.
    Json,
    /// Lists of choices (PostgreSQL arrays, JSON arrays, `|`/`;` lists).
    Choices,
    /// A small set of repeated values (a single-choice field).
    Choice,
}

/// One field of a source object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldProfile {
    /// Field (column) name as the source spells it.
    pub name: String,
    /// The type most non-empty values fit.
    pub inferred: InferredType,
    /// Share of non-empty values that fit `inferred` (0–1).
    pub fit: f64,
    /// Records with a non-empty value.
    pub filled: u64,
    /// Share of records with no value (0–1).
    pub null_rate: f64,
    /// Distinct non-empty values seen (counted up to a cap; see `distinct_capped`).
    pub distinct: u64,
    /// True when `distinct` stopped counting at the cap.
    pub distinct_capped: bool,
    /// Share of filled values that repeat an earlier one (0–1), over the values counted.
    pub duplicate_rate: f64,
    /// Longest value, in characters.
    pub max_len: usize,
    /// For choice fields (and short text with few enough distinct values): every distinct
    /// value (list cells: every item) seen, most frequent first, up to
    /// [`super::VALUES_LISTED`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Distinct values (or list items) seen but not in `values` because of the cap.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub values_omitted: u64,
    /// Most items one list cell held (`{a,b}` → 2); 0 when no cell was a list.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub max_items: u64,
    /// For date fields written with slashes: `day_first`, `month_first` or `ambiguous`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_order: Option<String>,
    /// A few values as they appear.
    pub samples: Vec<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One source object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectProfile {
    /// Object name (`users`).
    pub name: String,
    /// Records read.
    pub count: u64,
    /// Fields in source order.
    pub fields: Vec<FieldProfile>,
    /// Rows the source could not read whole (short, long, broken quote, bad bytes): not
    /// profiled, since their cells may have shifted; each will be a reject naming its line.
    #[serde(default)]
    pub damaged: u64,
}

/// What a source holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Discovery {
    /// Source platform id.
    pub source: String,
    /// Objects.
    pub objects: Vec<ObjectProfile>,
    /// What the source says about itself beyond its records: files not in this export,
    /// unknown extra files or columns (shown at the top of `discovery.md`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Discovery {
    /// An object's profile.
    pub fn object(&self, name: &str) -> Option<&ObjectProfile> {
        self.objects.iter().find(|o| o.name == name)
    }
}
