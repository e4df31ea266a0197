//! How field values are normalised for the side index that serves lookups, uniqueness and
//! reference clean-up.

use crm_core::model::normalise_domain;
use crm_core::{FieldType, Value};

/// One indexed entry of a value: the text as given (for messages) and its normalised key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    /// The value as given.
    pub(super) given: String,
    /// The normalised key stored in the index.
    pub(super) key: String,
}

fn text_key(s: &str) -> String {
    s.trim().to_lowercase()
}

/// The normalised key of a lookup value for a field of type `ty`: domains by
/// [`normalise_domain`], everything else trimmed and lower-cased.
pub(super) fn lookup_key(ty: FieldType, s: &str) -> String {
    match ty {
        FieldType::Urls => normalise_domain(s),
        _ => text_key(s),
    }
}

/// The index entries of `value` in a field of type `ty`: one per address, URL, phone number,
/// choice or id of a list, one for a scalar; none for composite values (money, address,
/// JSON). Entries with an empty key are dropped and duplicate keys kept once.
pub(super) fn entries(ty: FieldType, value: &Value) -> Vec<Entry> {
    let of = |given: &str| Entry {
        given: given.to_string(),
        key: lookup_key(ty, given),
    };
    let mut out: Vec<Entry> = match value {
        Value::Emails(l) | Value::Choices(l) | Value::Urls(l) => l.iter().map(|s| of(s)).collect(),
        Value::Phones(l) => l.iter().map(|p| of(&p.number)).collect(),
        Value::Text(s) | Value::Choice(s) | Value::Decimal(s) => vec![of(s)],
        Value::Int(i) => vec![of(&i.to_string())],
        Value::Bool(b) => vec![of(&b.to_string())],
        Value::Date(d) => vec![of(&d.to_string())],
        Value::DateTime(d) => vec![of(&d.to_rfc3339())],
        Value::Id(r) => vec![of(&r.id)],
        Value::Ids(l) => l.iter().map(|r| of(&r.id)).collect(),
        _ => Vec::new(),
    };
    out.retain(|e| !e.key.is_empty());
    let mut seen = std::collections::HashSet::new();
    out.retain(|e| seen.insert(e.key.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_domains_normalise() {
        let e = entries(
            FieldType::Emails,
            &Value::Emails(vec!["A@X.io".into(), " a@x.io".into(), "b@x.io".into()]),
        );
        let keys: Vec<&str> = e.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["a@x.io", "b@x.io"]);
        let d = entries(
            FieldType::Urls,
            &Value::Urls(vec!["https://www.Acme.com/".into()]),
        );
        assert_eq!(d[0].key, "acme.com");
        assert_eq!(lookup_key(FieldType::Urls, "http://acme.com"), "acme.com");
        assert!(entries(FieldType::Text, &Value::Text("  ".into())).is_empty());
    }
}
