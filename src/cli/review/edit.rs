//! Changes made on the review page, written into the mapping's TOML in place
//! (format-preserving: comments, order and layout stay as they were).

use serde::Deserialize;
use toml_edit::{DocumentMut, Item, Value};

use crm_migrate::transform::mapping::MappingSpec;

/// One change a person made on the page.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Edit {
    /// A field rule's `target`, `transform` or `on_error`.
    Field {
        /// Index of the `[[objects]]` rule.
        object: usize,
        /// Index of the rule's `[[objects.fields]]` entry.
        field: usize,
        /// `target`, `transform` or `on_error`.
        key: String,
        /// The new value.
        value: String,
    },
    /// One entry of a value map: source value `from` of `map` becomes option `value`.
    ValueMap {
        /// Index of the `[[objects]]` rule.
        object: usize,
        /// The target field the map belongs to.
        map: String,
        /// The source value.
        from: String,
        /// The destination option (`""` gives no value).
        value: String,
    },
    /// A policy; `""` removes an optional one.
    Policy {
        /// Policy name (`orphans`, `owner_fallback`, …).
        key: String,
        /// The new value (`true`/`false` for switches).
        value: String,
    },
}

/// Policies that are switches (booleans in the TOML).
const SWITCHES: [&str; 2] = ["decimal_comma", "truncate_long_text"];
/// Policies that may be left out.
const OPTIONAL: [&str; 4] = [
    "owner_fallback",
    "default_offset",
    "default_country",
    "default_currency",
];
/// Policies that take one of a few words.
const CHOICES: [&str; 3] = ["orphans", "ambiguous_match", "date_order"];

/// Replaces `item` by `value`, keeping the comments and spacing around the old value.
fn set(item: &mut Item, value: Value) {
    let mut value = value;
    if let Some(old) = item.as_value() {
        *value.decor_mut() = old.decor().clone();
    }
    *item = Item::Value(value);
}

fn objects(doc: &mut DocumentMut) -> Result<&mut toml_edit::ArrayOfTables, String> {
    doc.get_mut("objects")
        .and_then(Item::as_array_of_tables_mut)
        .ok_or_else(|| "the mapping has no [[objects]]".to_string())
}

/// Applies `edit` to the TOML text; returns the new text, which parses as a mapping.
pub(crate) fn apply(text: &str, edit: &Edit) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("not TOML: {e}"))?;
    match edit {
        Edit::Field {
            object,
            field,
            key,
            value,
        } => {
            if !["target", "transform", "on_error"].contains(&key.as_str()) {
                return Err(format!("{key:?} cannot be changed on the page"));
            }
            let o = objects(&mut doc)?
                .get_mut(*object)
                .ok_or_else(|| format!("no object rule {object}"))?;
            let f = o
                .get_mut("fields")
                .and_then(Item::as_array_of_tables_mut)
                .and_then(|a| a.get_mut(*field))
                .ok_or_else(|| format!("no field rule {field} in object rule {object}"))?;
            let value = value.trim();
            if value.is_empty() {
                return Err(format!("{key} cannot be empty"));
            }
            set(&mut f[key.as_str()], Value::from(value));
        }
        Edit::ValueMap {
            object,
            map,
            from,
            value,
        } => {
            let o = objects(&mut doc)?
                .get_mut(*object)
                .ok_or_else(|| format!("no object rule {object}"))?;
            let maps = o
                .get_mut("value_maps")
                .and_then(Item::as_table_like_mut)
                .ok_or_else(|| format!("object rule {object} has no value maps"))?;
            let entries = maps
                .get_mut(map)
                .and_then(Item::as_table_like_mut)
                .ok_or_else(|| format!("no value map for {map:?}"))?;
            match entries.get_mut(from) {
                Some(item) => set(item, Value::from(value.trim())),
                None => {
                    entries.insert(from, Item::Value(Value::from(value.trim())));
                }
            }
        }
        Edit::Policy { key, value } => {
            let k = key.as_str();
            let policies = doc
                .entry("policies")
                .or_insert(toml_edit::table())
                .as_table_like_mut()
                .ok_or_else(|| "[policies] is not a table".to_string())?;
            let value = value.trim();
            if SWITCHES.contains(&k) {
                let b = match value {
                    "true" => true,
                    "false" => false,
                    _ => return Err(format!("{k} is true or false")),
                };
                match policies.get_mut(k) {
                    Some(item) => set(item, Value::from(b)),
                    None => {
                        policies.insert(k, Item::Value(Value::from(b)));
                    }
                }
            } else if OPTIONAL.contains(&k) || CHOICES.contains(&k) {
                if value.is_empty() {
                    if CHOICES.contains(&k) {
                        return Err(format!("{k} cannot be empty"));
                    }
                    policies.remove(k);
                } else {
                    match policies.get_mut(k) {
                        Some(item) => set(item, Value::from(value)),
                        None => {
                            policies.insert(k, Item::Value(Value::from(value)));
                        }
                    }
                }
            } else {
                return Err(format!("policy {k:?} cannot be changed on the page"));
            }
        }
    }
    let out = doc.to_string();
    MappingSpec::from_toml(&out)?;
    Ok(out)
}

/// Stamps the mapping in `text` as `crm-migrate map --confirm` does (the same
/// [`MappingSpec::confirm`]), writing only `meta.confirmed` so comments and layout stay.
/// Returns the new text and the stamp.
pub(crate) fn confirm(text: &str) -> Result<(String, String), String> {
    let mut spec = MappingSpec::from_toml(text)?;
    spec.confirm();
    let stamp = spec
        .meta
        .confirmed
        .clone()
        .ok_or_else(|| "no stamp".to_string())?;
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("not TOML: {e}"))?;
    let meta = doc
        .entry("meta")
        .or_insert(toml_edit::table())
        .as_table_like_mut()
        .ok_or_else(|| "[meta] is not a table".to_string())?;
    match meta.get_mut("confirmed") {
        Some(item) => set(item, Value::from(stamp.as_str())),
        None => {
            meta.insert("confirmed", Item::Value(Value::from(stamp.as_str())));
        }
    }
    let out = doc.to_string();
    if MappingSpec::from_toml(&out)?.meta.confirmed.as_deref() != Some(stamp.as_str()) {
        return Err("the stamp did not land in [meta]".into());
    }
    Ok((out, stamp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_migrate::transform::mapping::Confirmation;

    const SPEC: &str = r#"# A note a person wrote.
[meta]
source = "usercom"
destination = "twenty"

[policies]
orphans = "queue" # keep orphans for a person

[[objects]]
source = "deals"
target = "opportunity"

# The stage column.
[[objects.fields]]
source = "stage"
target = "stage"
transform = "choice" # CHECK: is this right?

[objects.value_maps.stage]
won = "CUSTOMER" # the happy path
lost = "LOST"
"#;

    #[test]
    fn value_map_edit_keeps_comments() {
        let edit = Edit::ValueMap {
            object: 0,
            map: "stage".into(),
            from: "won".into(),
            value: "PROPOSAL".into(),
        };
        let out = apply(SPEC, &edit).unwrap();
        assert!(
            out.contains(r#"won = "PROPOSAL" # the happy path"#),
            "{out}"
        );
        assert!(out.contains("# A note a person wrote."));
        assert!(out.contains("# The stage column."));
        assert!(out.contains("# CHECK: is this right?"));
        let spec = MappingSpec::from_toml(&out).unwrap();
        assert_eq!(spec.objects[0].value_maps["stage"]["won"], "PROPOSAL");
    }

    #[test]
    fn field_and_policy_edits_land_and_bad_ones_are_refused() {
        let out = apply(
            SPEC,
            &Edit::Field {
                object: 0,
                field: 0,
                key: "transform".into(),
                value: "text".into(),
            },
        )
        .unwrap();
        assert!(out.contains(r#"transform = "text" # CHECK: is this right?"#));
        let out = apply(
            &out,
            &Edit::Policy {
                key: "orphans".into(),
                value: "reject".into(),
            },
        )
        .unwrap();
        assert!(out.contains(r#"orphans = "reject" # keep orphans for a person"#));
        let out = apply(
            &out,
            &Edit::Policy {
                key: "decimal_comma".into(),
                value: "true".into(),
            },
        )
        .unwrap();
        assert!(MappingSpec::from_toml(&out).unwrap().policies.decimal_comma);
        // Not a transform: the file would not load, so the edit is refused.
        assert!(apply(
            SPEC,
            &Edit::Field {
                object: 0,
                field: 0,
                key: "transform".into(),
                value: "shout".into(),
            },
        )
        .is_err());
        assert!(apply(
            SPEC,
            &Edit::Policy {
                key: "orphans".into(),
                value: "ignore".into(),
            },
        )
        .is_err());
        assert!(apply(
            SPEC,
            &Edit::Field {
                object: 0,
                field: 0,
                key: "source".into(),
                value: "x".into(),
            },
        )
        .is_err());
    }

    #[test]
    fn confirm_stamps_as_map_confirm_does_and_keeps_comments() {
        let (out, stamp) = confirm(SPEC).unwrap();
        let mut by_cli = MappingSpec::from_toml(SPEC).unwrap();
        by_cli.confirm();
        assert_eq!(by_cli.meta.confirmed.as_deref(), Some(stamp.as_str()));
        let spec = MappingSpec::from_toml(&out).unwrap();
        assert_eq!(spec.confirmation(), Confirmation::Confirmed);
        assert!(out.contains("# A note a person wrote."));
        assert!(out.contains(r#"won = "CUSTOMER" # the happy path"#));
        // Stamping again changes nothing.
        assert_eq!(confirm(&out).unwrap().0, out);
    }
}
