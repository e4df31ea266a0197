//! `POST /graphql`: the record operations a client sends, executed against the store.

use super::errors::ApiError;
use super::filter;
use super::gql_parse::{parse, Field, GValue};
use super::model::{capitalize, ObjectDef};
use super::render::{connection_with_total, decode_cursor, project_record};
use super::server::{json_response, lock, Shared};
use super::store::{Record, Store};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Response};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// The recorded GraphQL answer to a bad token (HTTP 200, probe 11).
pub(super) fn unauthenticated() -> Response<Body> {
    let mut r = json_response(
        200,
        &json!({"errors": [{"message": "No payload", "extensions": {
        "userFriendlyMessage": "You must be authenticated to perform this action.",
        "subCode": "UNAUTHENTICATED", "code": "UNAUTHENTICATED"}}]}),
    );
    r.headers_mut().insert(
        "content-type",
        axum::http::HeaderValue::from_static("application/json"),
    );
    r
}

/// A syntax/validation error with its location (HTTP 200).
pub(super) fn located(msg: &str, pos: (usize, usize)) -> Response<Body> {
    json_response(
        200,
        &json!({"errors": [{"message": msg, "locations": [{"line": pos.0, "column": pos.1}]}]}),
    )
}

fn bad_variables(msg: &str) -> Response<Body> {
    json_response(
        400,
        &json!({"errors": [{"message": msg, "extensions": {
        "http": {"status": 400}, "code": "BAD_USER_INPUT", "userFriendlyMessage": "An error occurred."}}]}),
    )
}

/// Split a body into (query, variables).
pub(super) fn read_body(body: &Bytes) -> Option<(String, Map<String, Value>)> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let q = v.get("query")?.as_str()?.to_string();
    let vars = v
        .get("variables")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    Some((q, vars))
}

fn resolve_root(store: &Store, name: &str) -> Option<(&'static str, ObjectDef)> {
    for o in &store.objects {
        if name == o.plural {
            return Some(("list", o.clone()));
        }
        if name == o.singular {
            return Some(("one", o.clone()));
        }
        for verb in ["create", "update", "delete", "destroy", "restore"] {
            if name == format!("{verb}{}", capitalize(&o.singular)) {
                return Some((verb, o.clone()));
            }
            if name == format!("{verb}{}", capitalize(&o.plural)) {
                let many: &'static str = match verb {
                    "create" => "createMany",
                    "update" => "updateMany",
                    "delete" => "deleteMany",
                    "destroy" => "destroyMany",
                    _ => "restoreMany",
                };
                return Some((many, o.clone()));
            }
        }
    }
    None
}

/// Check a `data` input against the object's fields: the GraphQL type checks.
fn check_input(o: &ObjectDef, data: &Value, update: bool) -> Result<(), (String, Option<String>)> {
    let items: Vec<&Value> = match data {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let type_name = format!(
        "{}{}Input",
        capitalize(&o.singular),
        if update { "Update" } else { "Create" }
    );
    for item in items {
        for (k, v) in item.as_object().into_iter().flatten() {
            let field = o.fields.iter().find(|f| f.name == *k && !f.is_relation());
            let join = o.fields.iter().any(|f| f.join_column() == Some(k.as_str()));
            match field {
                None if !join => {
                    return Err((
                        format!("Field \"{k}\" is not defined by type \"{type_name}\"."),
                        Some(k.clone()),
                    ))
                }
                Some(f) if f.ftype == "SELECT" => {
                    if let Some(s) = v
                        .as_str()
                        .filter(|s| !f.option_values().iter().any(|x| x == s))
                    {
                        let e = format!("{}{}Enum", capitalize(&o.singular), capitalize(&f.name));
                        return Err((
                            format!("Value \"{s}\" does not exist in \"{e}\" enum."),
                            None,
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// The `/graphql` handler.
pub(super) async fn handle(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    if !shared.authorized(&headers) {
        return unauthenticated();
    }
    let Some((query, vars)) = read_body(&body) else {
        return bad_variables("Must provide query string.");
    };
    let op = match parse(&query) {
        Ok(op) => op,
        Err((msg, pos)) => return located(&msg, pos),
    };
    let mut all_vars = op.defaults.clone();
    all_vars.extend(vars);
    let mut store = lock(&shared.store);
    for f in &op.selection {
        let Some((verb, o)) = resolve_root(&store, &f.name) else {
            continue;
        };
        let Some(arg) = f.arg("data") else { continue };
        let data = arg.resolve(&all_vars);
        if let Err((msg, key)) = check_input(&o, &data, verb.starts_with("update")) {
            if let GValue::Object(items) = arg {
                let pos = items
                    .iter()
                    .find(|(k, _, _)| Some(k) == key.as_ref())
                    .map(|x| x.2)
                    .unwrap_or(f.pos);
                return located(&msg, pos);
            }
            return bad_variables(&msg);
        }
    }
    let mut data = Map::new();
    let mut errors = Vec::new();
    // v2.21 (probe 04): one token per request from the workspace's bucket shared with REST;
    // refused as HTTP 200 with LIMIT_REACHED and every root field null.
    let v2_limited = shared.config.profile == super::server::Profile::V2
        && shared.config.rate_limit.is_some_and(|(n, window)| {
            !shared.config.rest_exempt && !lock(&shared.limiter).take_token("workspace", n, window)
        });
    for f in &op.selection {
        let key = f.alias.clone().unwrap_or_else(|| f.name.clone());
        if v2_limited {
            if let Some((n, window)) = shared.config.rate_limit {
                if errors.is_empty() {
                    errors.push(json!({"message": format!("Limit reached ({n} tokens per {} ms)", window.as_millis()),
                        "extensions": {"subCode": "LIMIT_REACHED", "code": "BAD_USER_INPUT"}}));
                }
            }
            data.insert(key, Value::Null);
            continue;
        }
        if let (Some((n, window)), super::server::Profile::V1) =
            (shared.config.rate_limit, shared.config.profile)
        {
            if !lock(&shared.limiter).allow(&format!("gql:{key}"), n, window) {
                errors.push(json!({"message": "Too many requests.", "extensions": {
                    "code": "INTERNAL_SERVER_ERROR", "userFriendlyMessage": "An error occurred."}}));
                data.insert(key, Value::Null);
                continue;
            }
        }
        match execute(&mut store, f, &all_vars) {
            Ok(v) => data.insert(key, v),
            Err(e) => {
                errors.push(e.graphql_error());
                data.insert(key, Value::Null)
            }
        };
    }
    let mut out = Map::new();
    if !errors.is_empty() {
        out.insert("errors".into(), Value::Array(errors));
    }
    out.insert("data".into(), Value::Object(data));
    json_response(200, &Value::Object(out))
}

fn ids_of(recs: &[Record]) -> Vec<String> {
    recs.iter()
        .filter_map(|r| r.get("id")?.as_str().map(String::from))
        .collect()
}

fn execute(store: &mut Store, f: &Field, vars: &Map<String, Value>) -> Result<Value, ApiError> {
    let arg = |n: &str| f.arg(n).map(|a| a.resolve(vars)).unwrap_or(Value::Null);
    if f.name == "__type" {
        return Ok(enum_type(
            store,
            arg("name").as_str().unwrap_or(""),
            &f.selection,
        ));
    }
    let Some((verb, o)) = resolve_root(store, &f.name) else {
        return Err(ApiError::bad_request(
            "GraphQLError",
            format!("Cannot query field \"{}\" on type \"Query\".", f.name),
        ));
    };
    let obj = o.singular.as_str();
    let flt = match arg("filter") {
        Value::Null => None,
        v => Some(filter::from_graphql(&v).map_err(|m| ApiError::bad_request("GraphQLError", m))?),
    };
    let by_id = |store: &Store| -> Vec<String> {
        match arg("id").as_str() {
            Some(id) => vec![id.to_string()],
            None => ids_of(&store.find(obj, flt.as_ref())),
        }
    };
    let one = |store: &Store, recs: Vec<Record>| -> Value {
        recs.first()
            .map(|r| project_record(store, obj, r, &f.selection))
            .unwrap_or(Value::Null)
    };
    let many = |store: &Store, recs: &[Record]| -> Value {
        Value::Array(
            recs.iter()
                .map(|r| project_record(store, obj, r, &f.selection))
                .collect(),
        )
    };
    let upsert = arg("upsert").as_bool().unwrap_or(false);
    match verb {
        "list" => {
            let mut rows = store.find(obj, flt.as_ref());
            let order = order_of(&arg("orderBy"));
            rows.sort_by(|a, b| {
                for (k, asc) in &order {
                    let o = super::rest::cmp_values(super::rest::at(a, k), super::rest::at(b, k));
                    let o = if *asc { o } else { o.reverse() };
                    if o != std::cmp::Ordering::Equal {
                        return o;
                    }
                }
                super::rest::cmp_values(super::rest::at(a, "id"), super::rest::at(b, "id"))
            });
            // Recorded: the GraphQL cursor holds only the id and `after` keeps ids greater
            // than it, whatever the order (probe 12).
            if let Some(c) = arg("after").as_str().and_then(decode_cursor) {
                let cid = c.get("id").cloned().unwrap_or(Value::Null);
                rows.retain(|r| super::rest::cmp_values(super::rest::at(r, "id"), &cid).is_gt());
            }
            let total = rows.len();
            let first = arg("first").as_u64().map(|n| n as usize).unwrap_or(60);
            let more = rows.len() > first;
            rows.truncate(first);
            Ok(connection_with_total(
                store,
                obj,
                &rows,
                total,
                more,
                &f.selection,
            ))
        }
        "one" => Ok(one(store, store.find(obj, flt.as_ref()))),
        "create" => {
            let recs = store.create_many(obj, &[arg("data")], upsert)?;
            Ok(one(store, recs))
        }
        "createMany" => {
            let items = arg("data").as_array().cloned().unwrap_or_default();
            if let Some(cap) = store.batch_cap.filter(|c| items.len() > *c) {
                // v2.21 (probe 02): HTTP 200, BAD_USER_INPUT / TOO_MANY_RECORDS_TO_UPDATE.
                let mut e = ApiError::bad_request(
                    "BadRequestException",
                    format!("Maximum number of records to upsert is {cap}."),
                );
                e.sub_code = Some("TOO_MANY_RECORDS_TO_UPDATE");
                e.friendly = e.message.clone();
                return Err(e);
            }
            let mut recs = store.create_many(obj, &items, upsert)?;
            if store.profile == super::server::Profile::V1 {
                // The v1.4 server answered at most 60 of the records it made (probe 03).
                recs.truncate(60);
            }
            Ok(many(store, &recs))
        }
        "update" | "updateMany" => {
            let patch = arg("data").as_object().cloned().unwrap_or_default();
            let recs = store.update_ids(obj, &by_id(store), &patch)?;
            Ok(if verb == "update" {
                one(store, recs)
            } else {
                many(store, &recs)
            })
        }
        "delete" | "deleteMany" | "restore" | "restoreMany" => {
            let ids = by_id(store);
            let ids = if verb.starts_with("restore") && arg("id").is_null() {
                let mut with_deleted = filter::Filter::Cmp {
                    path: vec!["deletedAt".into()],
                    op: "is".into(),
                    value: json!("NOT_NULL"),
                };
                if let Some(fl) = &flt {
                    with_deleted = filter::Filter::And(vec![with_deleted, fl.clone()]);
                }
                ids_of(&store.find(obj, Some(&with_deleted)))
            } else {
                ids
            };
            let recs = store.set_deleted(obj, &ids, verb.starts_with("delete"))?;
            Ok(if verb.ends_with("Many") {
                many(store, &recs)
            } else {
                one(store, recs)
            })
        }
        _ => {
            let ids = match arg("id").as_str() {
                Some(id) => vec![id.to_string()],
                None => {
                    let all = filter::Filter::Or(vec![flt
                        .clone()
                        .unwrap_or(filter::Filter::And(vec![]))]);
                    let mut ids = ids_of(&store.find(obj, Some(&all)));
                    let deleted = filter::Filter::And(vec![
                        filter::Filter::Cmp {
                            path: vec!["deletedAt".into()],
                            op: "is".into(),
                            value: json!("NOT_NULL"),
                        },
                        all,
                    ]);
                    ids.extend(ids_of(&store.find(obj, Some(&deleted))));
                    ids
                }
            };
            let recs = store.destroy(obj, &ids);
            if recs.is_empty() && verb == "destroy" {
                return Err(ApiError::record_not_found());
            }
            Ok(if verb == "destroyMany" {
                many(store, &recs)
            } else {
                one(store, recs)
            })
        }
    }
}

fn order_of(v: &Value) -> Vec<(String, bool)> {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(_) => vec![v],
        _ => vec![],
    };
    items
        .iter()
        .filter_map(|i| i.as_object())
        .flat_map(|m| {
            m.iter()
                .map(|(k, d)| (k.clone(), !d.as_str().unwrap_or("").starts_with("Desc")))
        })
        .collect()
}

fn enum_type(store: &Store, name: &str, sel: &[Field]) -> Value {
    for o in &store.objects {
        for f in o.fields.iter().filter(|f| f.options.is_some()) {
            if name == format!("{}{}Enum", capitalize(&o.singular), capitalize(&f.name)) {
                let values: Vec<Value> = f
                    .option_values()
                    .into_iter()
                    .map(|v| json!({"name": v}))
                    .collect();
                return super::render::project_json(
                    &json!({"name": name, "enumValues": values}),
                    sel,
                );
            }
        }
    }
    Value::Null
}
