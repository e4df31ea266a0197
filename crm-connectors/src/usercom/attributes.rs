//! The custom attribute schema (`GET attributes/`, or `attributes.csv` beside an export):
//! labels and declared types for the proposal. It is never required: without it, types
//! come from the values.

use crm_core::{RawRecord, Source};
use crm_transform::normalise::{parse_bool, parse_choices, ListFormat};
use crm_transform::propose::DeclaredType;
use serde_json::Value as Json;

/// The object holding the attribute schema, in both sources.
pub const ATTRIBUTES_OBJECT: &str = "attributes";

/// One custom attribute as User.com declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AttributeDef {
    /// Display name (`Favourite colour`).
    pub name: String,
    /// Slug, the column name in exports (`favourite_colour`).
    pub name_std: String,
    /// `boolean`, `date`, `datetime`, `fixed`, `float`, `integer`, `json` or `string`.
    pub value_type: String,
    /// `clientuser` (contacts), `company`, `deal`, `activity`, `product` or `ticket`.
    pub content_type: String,
    /// For `fixed`: the declared choices.
    pub choices: Vec<String>,
    /// For `fixed`: several choices at once.
    pub multiple: bool,
}

impl AttributeDef {
    /// Reads one attribute record, from the API (JSON values) or a CSV (texts); `None`
    /// when it has no slug.
    pub fn from_record(record: &RawRecord) -> Option<Self> {
        let text = |k: &str| -> String {
            match record.fields.get(k) {
                Some(Json::String(s)) => s.trim().to_string(),
                Some(Json::Null) | None => String::new(),
                Some(other) => other.to_string(),
            }
        };
        let name_std = text("name_std");
        if name_std.is_empty() {
            return None;
        }
        let choices = match record.fields.get("choices") {
            Some(Json::Array(items)) => items
                .iter()
                .filter_map(|v| match v {
                    Json::String(s) => Some(s.trim().to_string()),
                    Json::Null => None,
                    other => Some(other.to_string()),
                })
                .filter(|s| !s.is_empty())
                .collect(),
            Some(Json::String(s)) => parse_choices(s, ListFormat::Auto).unwrap_or_default(),
            _ => Vec::new(),
        };
        let multiple = match record.fields.get("allow_multiple_choices") {
            Some(Json::Bool(b)) => *b,
            Some(Json::String(s)) => parse_bool(s).unwrap_or(false),
            _ => false,
        };
        Some(Self {
            name: text("name"),
            name_std,
            value_type: text("value_type").to_lowercase(),
            content_type: text("content_type").to_lowercase(),
            choices,
            multiple,
        })
    }

    /// The export object whose rows carry this attribute (`users` for `clientuser`).
    pub fn object(&self) -> Option<&'static str> {
        match self.content_type.as_str() {
            "clientuser" | "user" | "users" => Some("users"),
            "company" | "companies" => Some("companies"),
            "deal" | "deals" => Some("deals"),
            "activity" | "activities" => Some("activities"),
            _ => None,
        }
    }

    /// The declared type, as the proposer takes it.
    pub fn declared(&self) -> Option<DeclaredType> {
        Some(match self.value_type.as_str() {
            "boolean" => DeclaredType::Boolean,
            "date" => DeclaredType::Date,
            "datetime" => DeclaredType::DateTime,
            "float" | "integer" => DeclaredType::Number,
            "json" => DeclaredType::Json,
            "string" => DeclaredType::Text,
            "fixed" if self.multiple => DeclaredType::Choices,
            "fixed" => DeclaredType::Choice,
            _ => return None,
        })
    }
}

/// The attribute schema `source` offers (its `attributes` object), or none: a source
/// without one, or one that cannot be read (a warning says why), gives an empty list.
pub async fn read_attributes(source: &dyn Source) -> Vec<AttributeDef> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        match source.read_page(ATTRIBUTES_OBJECT, cursor.clone()).await {
            Ok(page) => {
                out.extend(page.items.iter().filter_map(AttributeDef::from_record));
                match page.next {
                    Some(n) if Some(&n) != cursor.as_ref() => cursor = Some(n),
                    _ => break,
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "No User.com attribute schema read; types come from the values.");
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_core::SourceKey;

    fn record(pairs: &[(&str, Json)]) -> RawRecord {
        RawRecord {
            key: SourceKey::new("usercom", "attributes", "1"),
            fields: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    #[test]
    fn csv_and_api_attributes_read_alike() {
        let csv = record(&[
            ("name", Json::from("Favourite colour")),
            ("name_std", Json::from("favourite_colour")),
            ("value_type", Json::from("FIXED")),
            ("content_type", Json::from("clientuser")),
            ("choices", Json::from("{Red,\"Blue, dark\"}")),
            ("allow_multiple_choices", Json::from("t")),
        ]);
        let api = record(&[
            ("name", Json::from("Favourite colour")),
            ("name_std", Json::from("favourite_colour")),
            ("value_type", Json::from("fixed")),
            ("content_type", Json::from("clientuser")),
            ("choices", serde_json::json!(["Red", "Blue, dark"])),
            ("allow_multiple_choices", Json::Bool(true)),
        ]);
        let a = AttributeDef::from_record(&csv).unwrap();
        assert_eq!(a, AttributeDef::from_record(&api).unwrap());
        assert_eq!(a.choices, ["Red", "Blue, dark"]);
        assert_eq!(a.object(), Some("users"));
        assert_eq!(a.declared(), Some(DeclaredType::Choices));
        assert_eq!(
            AttributeDef::from_record(&record(&[("name", Json::from("x"))])),
            None
        );
    }
}
