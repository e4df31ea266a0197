//! The REST data API: `/rest/{plural}`, `/rest/batch/{plural}`, `/rest/{plural}/{id}`.

use super::errors::ApiError;
use super::filter::{self, Filter};
use super::model::capitalize;
use super::render::{cursor, decode_cursor, rest_record};
use super::server::{json_response, lock, rest_unauthorized, Profile, Shared};
use super::store::{is_uuid, Record};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Response, Uri};
use serde_json::{json, Map, Value};
use std::cmp::Ordering;
use std::sync::Arc;

/// Decode `%XX` escapes (and `+` as space) of a query-string component.
pub(super) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(&String::from_utf8_lossy(&b[i + 1..i + 3]), 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The query string as decoded pairs.
pub(super) fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    uri.query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn err(e: &ApiError) -> Response<Body> {
    json_response(e.status, &e.rest_body())
}

/// Every request that is not GraphQL lands here.
pub(super) async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    if !shared.authorized(&headers) {
        return rest_unauthorized();
    }
    if body.len() > shared.config.max_body_bytes {
        let mut r = json_response(500, &Value::Null);
        *r.body_mut() = Body::empty();
        return r;
    }
    let v2 = shared.config.profile == Profile::V2;
    let path = uri.path().trim_end_matches('/').to_string();
    // v2.21: the metadata API is not throttled (probe 04).
    let metadata = path.starts_with("/rest/metadata");
    if let (Some((n, window)), false) = (shared.config.rate_limit, shared.config.rest_exempt) {
        let allowed = if v2 {
            metadata || lock(&shared.limiter).take_token("workspace", n, window)
        } else {
            lock(&shared.limiter).allow("rest", n, window)
        };
        if !allowed {
            let body = if v2 {
                // Probe 04: no Retry-After, no X-RateLimit-* headers.
                json!({"statusCode": 429, "error": "HttpException", "messages": [format!(
                    "Limit reached ({n} tokens per {} ms)", window.as_millis())]})
            } else {
                json!({"statusCode": 429, "error": "ThrottlerException", "messages": ["Too many requests."]})
            };
            return json_response(429, &body);
        }
    }
    if let Some(rest) = path.strip_prefix("/rest/metadata") {
        return super::metadata::rest(&shared, &method, rest, uri.query(), &body);
    }
    let segs: Vec<&str> = path.trim_start_matches("/rest/").split('/').collect();
    let parsed: Result<Value, _> = if body.is_empty() {
        Ok(Value::Null)
    } else {
        serde_json::from_slice(&body)
    };
    let Ok(input) = parsed else {
        return err(&ApiError::bad_request(
            "BadRequestException",
            "Invalid JSON body",
        ));
    };
    let q = query_pairs(&uri);
    let mut store = lock(&shared.store);
    let result = match (method.clone(), segs.as_slice()) {
        (Method::POST, ["batch", plural]) => {
            let Some(obj) = store.object(plural).cloned() else {
                return err(&ApiError::unknown_object(plural));
            };
            let items = input.as_array().cloned().unwrap_or_default();
            if items.is_empty() {
                return err(&ApiError::bad_request(
                    "BadRequestException",
                    "Body must be a non-empty array",
                ));
            }
            if let Some(max) = shared.config.batch_cap().filter(|m| items.len() > *m) {
                return err(&ApiError::bad_request(
                    "BadRequestException",
                    format!("Maximum number of records to upsert is {max}."),
                ));
            }
            // v2.21 honours `?upsert=true` on REST (probe 03); v1.4 ignored it.
            let upsert = v2 && q.iter().any(|(k, v)| k == "upsert" && v == "true");
            store
                .create_many(&obj.singular, &items, upsert)
                .map(|recs| {
                    let list: Vec<Value> = recs
                        .iter()
                        .map(|r| rest_record(&store, &obj.singular, r, 0))
                        .collect();
                    (
                        201,
                        json!({"data": {format!("create{}", capitalize(&obj.plural)): list}}),
                    )
                })
        }
        (m, [plural, rest @ ..]) => {
            let Some(obj) = store.object(plural).cloned() else {
                return err(&ApiError::unknown_object(plural));
            };
            let name = obj.singular.clone();
            let depth: u8 = q
                .iter()
                .find(|(k, _)| k == "depth")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            match (m, rest) {
                (Method::POST, []) => store.create_many(&name, &[input], v2 && q.iter().any(|(k, v)| k == "upsert" && v == "true")).map(|mut v| {
                    let r = v.pop().unwrap_or_default();
                    (201, json!({"data": {format!("create{}", capitalize(&name)): rest_record(&store, &name, &r, 0)}}))
                }),
                (Method::GET, []) => list(&store, &obj.singular, &obj.plural, &q, depth, v2),
                // v2.21 (probe 10): DELETE without an id destroys every record the filter
                // matches (`soft_delete=true`: soft-deletes them) and answers them.
                (Method::DELETE, []) if v2 => {
                    let flt = match q.iter().find(|(k, _)| k == "filter").map(|(_, v)| v.as_str()) {
                        Some(f) if !f.is_empty() => Some(
                            filter::from_rest(f)
                                .map_err(|m| ApiError::bad_request("BadRequestException", m)),
                        ),
                        _ => None,
                    };
                    match flt {
                        Some(Err(e)) => Err(e),
                        flt => {
                            let flt = flt.and_then(Result::ok);
                            let ids: Vec<String> = store
                                .find(&name, flt.as_ref())
                                .iter()
                                .filter_map(|r| r.get("id").and_then(Value::as_str).map(String::from))
                                .collect();
                            let soft = q.iter().any(|(k, v)| k == "soft_delete" && v == "true");
                            let gone = if soft {
                                store.set_deleted(&name, &ids, true)
                            } else {
                                Ok(store.destroy(&name, &ids))
                            };
                            gone.map(|recs| {
                                let list: Vec<Value> = recs.iter().map(|r| rest_record(&store, &name, r, 0)).collect();
                                (200, json!({"data": {format!("delete{}", capitalize(&obj.plural)): list}}))
                            })
                        }
                    }
                }
                (_, [id]) if !is_uuid(id) => Err(ApiError::invalid_uuid(id)),
                (Method::GET, [id]) => match store.get_active(&name, id) {
                    Some(r) => Ok((200, json!({"data": {name.clone(): rest_record(&store, &name, r, depth)}}))),
                    None if v2 => Err(ApiError::not_found_v2()),
                    None => Err(ApiError::record_not_found()),
                },
                (Method::PATCH | Method::PUT, [id]) => {
                    let patch = input.as_object().cloned().unwrap_or_default();
                    let ids = vec![id.to_string()];
                    if patch.get("deletedAt").is_some_and(|d| !d.is_null()) && store.get_active(&name, id).is_some() {
                        let _ = store.set_deleted(&name, &ids, true);
                        Err(ApiError::internal("Updated record not found"))
                    } else {
                        store.update_ids(&name, &ids, &patch).map(|mut v| {
                            let r = v.pop().unwrap_or_default();
                            (200, json!({"data": {format!("update{}", capitalize(&name)): rest_record(&store, &name, &r, 0)}}))
                        })
                    }
                }
                (Method::DELETE, [id]) => {
                    let gone = store.destroy(&name, &[id.to_string()]);
                    if gone.is_empty() && v2 {
                        Err(ApiError::not_found_v2())
                    } else if gone.is_empty() {
                        Err(ApiError::entity_not_found(&name, id))
                    } else {
                        Ok((200, json!({"data": {format!("delete{}", capitalize(&name)): {"id": id}}})))
                    }
                }
                _ => Err(ApiError::bad_request("BadRequestException", format!("Cannot {method} {path}"))),
            }
        }
        _ => Err(ApiError::bad_request(
            "BadRequestException",
            format!("Cannot {method} {path}"),
        )),
    };
    match result {
        Ok((status, body)) => json_response(status, &body),
        Err(e) => err(&e),
    }
}

/// Compare two field values for ordering; nulls first.
pub(super) fn cmp_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// The value at a dotted path.
pub(super) fn at<'a>(r: &'a Record, path: &str) -> &'a Value {
    let mut parts = path.split('.');
    let mut cur = parts.next().and_then(|p| r.get(p));
    for p in parts {
        cur = cur.and_then(|c| c.get(p));
    }
    cur.unwrap_or(&Value::Null)
}

/// Parse `order_by=field[Direction],field2`.
pub(super) fn parse_order(s: &str) -> Vec<(String, bool)> {
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('[') {
            Some((f, d)) => (f.to_string(), !d.starts_with("Desc")),
            None => (p.to_string(), true),
        })
        .collect()
}

fn list(
    store: &super::store::Store,
    obj: &str,
    plural: &str,
    q: &[(String, String)],
    depth: u8,
    v2: bool,
) -> Result<(u16, Value), ApiError> {
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let filter: Option<Filter> = match get("filter") {
        Some(f) if !f.is_empty() => Some(
            filter::from_rest(f).map_err(|m| ApiError::bad_request("BadRequestException", m))?,
        ),
        _ => None,
    };
    let limit: usize = match get("limit") {
        None => 60,
        Some(l) => match l.parse::<i64>() {
            Ok(n) if n >= 0 => n as usize,
            _ if v2 => {
                return Err(ApiError::bad_request(
                    "BadRequestException",
                    format!("limit '{l}' is invalid. Should be an integer"),
                ))
            }
            _ => 60,
        },
    };
    // v2.21 clamps `limit` to 200 silently (probe 09).
    let limit = if v2 { limit.min(200) } else { limit };
    let order = parse_order(get("order_by").unwrap_or(""));
    let mut rows = store.find(obj, filter.as_ref());
    rows.sort_by(|a, b| {
        for (f, asc) in &order {
            let o = cmp_values(at(a, f), at(b, f));
            let o = if *asc { o } else { o.reverse() };
            if o != Ordering::Equal {
                return o;
            }
        }
        cmp_values(at(a, "id"), at(b, "id"))
    });
    let first = order.first().filter(|(f, _)| f != "id").cloned();
    let make_cursor = |r: &Record| match &first {
        Some((f, _)) => cursor(&json!({f.clone(): at(r, f).clone(), "id": at(r, "id").clone()})),
        None => cursor(&json!({"id": at(r, "id").clone()})),
    };
    let asc = first.as_ref().is_none_or(|(_, a)| *a);
    let key = first
        .as_ref()
        .map(|(f, _)| f.clone())
        .unwrap_or_else(|| "id".into());
    let mut reverse = false;
    if let Some(c) = get("starting_after").and_then(decode_cursor) {
        // Recorded: ordering by a field other than id compares that field alone with `>=`,
        // so rows sharing the cursor's value come back again (probe 12).
        let cv = c.get(&key).cloned().unwrap_or(Value::Null);
        rows.retain(|r| {
            let o = cmp_values(at(r, &key), &cv);
            let o = if asc { o } else { o.reverse() };
            if first.is_some() {
                o != Ordering::Less
            } else {
                o == Ordering::Greater
            }
        });
    } else if let Some(c) = get("ending_before").and_then(decode_cursor) {
        let cv = c.get(&key).cloned().unwrap_or(Value::Null);
        rows.retain(|r| {
            let o = cmp_values(at(r, &key), &cv);
            (if asc { o } else { o.reverse() }) == Ordering::Less
        });
        rows.reverse();
        reverse = true;
    }
    let total = rows.len();
    let has_next = rows.len() > limit;
    rows.truncate(limit);
    let info = json!({
        "hasNextPage": has_next,
        "startCursor": rows.first().map(make_cursor),
        "endCursor": rows.last().map(make_cursor),
    });
    if reverse {
        rows.reverse();
    }
    let list: Vec<Value> = rows
        .iter()
        .map(|r| rest_record(store, obj, r, depth))
        .collect();
    let mut data = Map::new();
    data.insert(plural.to_string(), Value::Array(list));
    Ok((
        200,
        json!({"data": data, "pageInfo": info, "totalCount": total}),
    ))
}
