//! [`Record`]: the one shape every canonical record takes inside the engine.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::key::SourceKey;
use super::value::Value;

/// Field name → value, ordered so that hashes and reports are stable.
pub type Fields = BTreeMap<String, Value>;

/// A canonical record: where it came from, what it is, when it was made, and its fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Identity in the source.
    pub key: SourceKey,
    /// Canonical object (`person`, `company`, `opportunity`, `task`, `note`, `user`, or a
    /// custom object's name).
    pub object: String,
    /// When the record was created in the source (kept on write where the sink can).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// When the record was last changed in the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// Standard and custom fields.
    #[serde(default)]
    pub fields: Fields,
}

impl Record {
    /// An empty record of `object` with `key`.
    pub fn new(object: impl Into<String>, key: SourceKey) -> Self {
        Self {
            key,
            object: object.into(),
            created_at: None,
            updated_at: None,
            fields: Fields::new(),
        }
    }

    /// Sets a field (builder style); empty values are not stored.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.set(name, value);
        self
    }

    /// Sets a field; empty values remove it.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        let value = value.into();
        let name = name.into();
        if value.is_empty() {
            self.fields.remove(&name);
        } else {
            self.fields.insert(name, value);
        }
    }

    /// A field's value.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields.get(name)
    }

    /// A text field's value.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_text)
    }

    /// Stable hash of the record's content (object, timestamps, fields): a delta run compares
    /// it with the hash stored at the last write to tell changed records from unchanged.
    pub fn content_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.object.as_bytes());
        h.update([0]);
        if let Some(c) = self.created_at {
            h.update(c.to_rfc3339().as_bytes());
        }
        h.update([0]);
        if let Some(u) = self.updated_at {
            h.update(u.to_rfc3339().as_bytes());
        }
        h.update([0]);
        // BTreeMap iterates in key order, and serde_json of a Value is deterministic.
        let fields = serde_json::to_vec(&self.fields).unwrap_or_default();
        h.update(&fields);
        hex::encode(&h.finalize()[..16])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_changes_with_content_only() {
        let k = SourceKey::new("s", "o", "1");
        let a = Record::new("person", k.clone()).with("first_name", "Ada");
        let b = Record::new("person", k).with("first_name", "Ada");
        assert_eq!(a.content_hash(), b.content_hash());
        let c = b.clone().with("first_name", "Adа"); // Cyrillic a
        assert_ne!(a.content_hash(), c.content_hash());
    }

    #[test]
    fn empty_values_are_not_stored() {
        let r = Record::new("person", SourceKey::new("s", "o", "1")).with("city", "");
        assert!(r.get("city").is_none());
    }
}
