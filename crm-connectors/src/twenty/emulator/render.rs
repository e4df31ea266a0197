//! Turning stored records into response JSON: REST records (with `depth`) and GraphQL selections.

use super::gql_parse::Field;
use super::model::{capitalize, Relation};
use super::store::{Record, Store};
use base64::Engine;
use serde_json::{json, Map, Value};

/// REST prints `amountMicros` as a string (probe 06); GraphQL as a number.
pub(super) fn rest_record(store: &Store, obj: &str, r: &Record, depth: u8) -> Value {
    let mut out = Map::new();
    for (k, v) in r {
        let v = match v {
            Value::Object(m) if m.contains_key("amountMicros") => {
                let mut m = m.clone();
                if let Some(n) = m.get("amountMicros").filter(|n| n.is_number()).cloned() {
                    m.insert("amountMicros".into(), json!(n.to_string()));
                }
                Value::Object(m)
            }
            other => other.clone(),
        };
        out.insert(k.clone(), v);
    }
    if depth > 0 {
        if let Some(def) = store.object(obj) {
            for f in def.fields.iter().filter(|f| f.is_relation()) {
                let v = match &f.relation {
                    Some(Relation::ManyToOne { target, join }) => r
                        .get(join)
                        .and_then(Value::as_str)
                        .and_then(|id| store.get_active(target, id))
                        .map(|t| rest_record(store, target, t, 0))
                        .unwrap_or(Value::Null),
                    Some(Relation::OneToMany { target, join }) => {
                        let id = r.get("id").cloned().unwrap_or(Value::Null);
                        Value::Array(
                            store
                                .find(target, None)
                                .iter()
                                .filter(|t| t.get(join) == Some(&id))
                                .map(|t| rest_record(store, target, t, 0))
                                .collect(),
                        )
                    }
                    None => Value::Null,
                };
                out.insert(f.name.clone(), v);
            }
        }
    }
    Value::Object(out)
}

/// A cursor: base64 of a JSON object, as the server makes them.
pub(super) fn cursor(v: &Value) -> String {
    base64::engine::general_purpose::STANDARD.encode(v.to_string())
}

/// Decode a cursor back into its JSON object.
pub(super) fn decode_cursor(s: &str) -> Option<Value> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(s).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Project a record onto a GraphQL selection, resolving relations through the store.
pub(super) fn project_record(store: &Store, obj: &str, r: &Record, sel: &[Field]) -> Value {
    let def = store.object(obj);
    let mut out = Map::new();
    for f in sel {
        let key = f.alias.clone().unwrap_or_else(|| f.name.clone());
        let v = if f.name == "__typename" {
            json!(capitalize(def.map(|d| d.singular.as_str()).unwrap_or(obj)))
        } else if let Some(v) = r.get(&f.name) {
            project_json(v, &f.selection)
        } else {
            match def
                .and_then(|d| d.fields.iter().find(|x| x.name == f.name))
                .and_then(|x| x.relation.clone())
            {
                Some(Relation::ManyToOne { target, join }) => r
                    .get(&join)
                    .and_then(Value::as_str)
                    .and_then(|id| store.get_active(&target, id))
                    .map(|t| project_record(store, &target, t, &f.selection))
                    .unwrap_or(Value::Null),
                Some(Relation::OneToMany { target, join }) => {
                    let id = r.get("id").cloned().unwrap_or(Value::Null);
                    let rows: Vec<Record> = store
                        .find(&target, None)
                        .into_iter()
                        .filter(|t| t.get(&join) == Some(&id))
                        .collect();
                    connection(store, &target, &rows, false, &f.selection)
                }
                None => Value::Null,
            }
        };
        out.insert(key, v);
    }
    Value::Object(out)
}

/// A GraphQL connection (`totalCount`, `pageInfo`, `edges{cursor node}`) over records.
pub(super) fn connection(
    store: &Store,
    obj: &str,
    rows: &[Record],
    more: bool,
    sel: &[Field],
) -> Value {
    connection_with_total(store, obj, rows, rows.len(), more, sel)
}

/// As [`connection`], with an explicit total count.
pub(super) fn connection_with_total(
    store: &Store,
    obj: &str,
    rows: &[Record],
    total: usize,
    more: bool,
    sel: &[Field],
) -> Value {
    let cur = |r: &Record| cursor(&json!({"id": r.get("id").cloned().unwrap_or(Value::Null)}));
    let mut out = Map::new();
    for f in sel {
        let key = f.alias.clone().unwrap_or_else(|| f.name.clone());
        let v = match f.name.as_str() {
            "totalCount" => json!(total),
            "pageInfo" => {
                let info = json!({
                    "hasNextPage": more,
                    "hasPreviousPage": false,
                    "startCursor": rows.first().map(cur),
                    "endCursor": rows.last().map(cur),
                });
                project_json(&info, &f.selection)
            }
            "edges" => Value::Array(
                rows.iter()
                    .map(|r| {
                        let mut e = Map::new();
                        for ef in &f.selection {
                            let k = ef.alias.clone().unwrap_or_else(|| ef.name.clone());
                            match ef.name.as_str() {
                                "cursor" => e.insert(k, json!(cur(r))),
                                "node" => e.insert(k, project_record(store, obj, r, &ef.selection)),
                                _ => e.insert(k, Value::Null),
                            };
                        }
                        Value::Object(e)
                    })
                    .collect(),
            ),
            _ => Value::Null,
        };
        out.insert(key, v);
    }
    Value::Object(out)
}

/// Project plain JSON onto a selection; an array under a selection with `edges` becomes a
/// connection (used by the metadata API).
pub(super) fn project_json(v: &Value, sel: &[Field]) -> Value {
    if sel.is_empty() {
        return v.clone();
    }
    match v {
        Value::Array(items) if sel.iter().any(|f| f.name == "edges") => {
            let mut out = Map::new();
            for f in sel {
                let key = f.alias.clone().unwrap_or_else(|| f.name.clone());
                let val = match f.name.as_str() {
                    "edges" => Value::Array(
                        items
                            .iter()
                            .map(|item| {
                                let mut e = Map::new();
                                for ef in &f.selection {
                                    let k = ef.alias.clone().unwrap_or_else(|| ef.name.clone());
                                    e.insert(k, project_json(item, &ef.selection));
                                }
                                Value::Object(e)
                            })
                            .collect(),
                    ),
                    "pageInfo" => project_json(
                        &json!({"hasNextPage": false, "hasPreviousPage": false, "startCursor": null, "endCursor": null}),
                        &f.selection,
                    ),
                    _ => Value::Null,
                };
                out.insert(key, val);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| project_json(i, sel)).collect()),
        Value::Object(m) => {
            let mut out = Map::new();
            for f in sel {
                let key = f.alias.clone().unwrap_or_else(|| f.name.clone());
                out.insert(
                    key,
                    m.get(&f.name)
                        .map(|x| project_json(x, &f.selection))
                        .unwrap_or(Value::Null),
                );
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Base64 of a plain string (the metadata API's `arrayconnection:N` cursors).
pub(super) fn cursor_raw(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}
