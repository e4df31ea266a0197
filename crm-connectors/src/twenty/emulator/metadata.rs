//! The metadata API: `/rest/metadata/{objects,fields}` and GraphQL `/metadata`.

use super::gql_parse::parse;
use super::graphql::{located, read_body, unauthenticated};
use super::model::{custom_object_fields, stable_id, FieldDef, ObjectDef};
use super::render::project_json;
use super::server::{json_response, lock, Shared};
use super::store::Store;
use super::values::record_default;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Response};
use serde_json::{json, Map, Value};
use std::sync::Arc;

const STAMP: &str = "2026-01-01T00:00:00.000Z";

fn field_json(f: &FieldDef) -> Value {
    json!({"id": f.id, "type": f.ftype, "name": f.name, "label": f.label, "description": f.description,
           "icon": f.icon, "isCustom": f.custom, "isActive": true, "isSystem": f.system,
           "isNullable": f.nullable, "isUnique": f.unique, "createdAt": STAMP, "updatedAt": STAMP,
           "defaultValue": f.default, "options": f.options, "relation": Value::Null})
}

fn rest_field(f: &FieldDef) -> Value {
    let mut v = field_json(f);
    if let Some(m) = v.as_object_mut() {
        m.remove("isUnique");
    }
    v
}

fn object_json(o: &ObjectDef, rest: bool) -> Value {
    let label_id = o
        .fields
        .iter()
        .find(|f| f.name == "name" || f.name == "title")
        .map(|f| f.id.clone());
    let fields: Vec<Value> = o
        .fields
        .iter()
        .map(|f| if rest { rest_field(f) } else { field_json(f) })
        .collect();
    json!({"id": o.id, "nameSingular": o.singular, "namePlural": o.plural, "isCustom": o.custom,
           "isActive": true, "isSystem": o.system, "createdAt": STAMP, "updatedAt": STAMP,
           "labelIdentifierFieldMetadataId": label_id, "imageIdentifierFieldMetadataId": Value::Null,
           "labelSingular": o.label_singular, "labelPlural": o.label_plural,
           "description": o.description, "icon": o.icon, "fields": fields})
}

fn bad(msg: String) -> (u16, Value) {
    (
        400,
        json!({"statusCode": 400, "messages": [msg], "error": "Bad Request"}),
    )
}

fn page_info(n: usize) -> Value {
    let c = |i: usize| super::render::cursor_raw(&format!("arrayconnection:{i}"));
    json!({"hasNextPage": false, "startCursor": c(0), "endCursor": c(n.saturating_sub(1))})
}

/// Create a custom field; the recorded validation (duplicate names, option values).
fn create_field(store: &mut Store, input: &Value) -> Result<Value, String> {
    let oid = input
        .get("objectMetadataId")
        .and_then(Value::as_str)
        .unwrap_or("");
    let idx = store
        .objects
        .iter()
        .position(|o| o.id == oid)
        .ok_or_else(|| format!("Object {oid} not found"))?;
    let name = input
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let ftype = input
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("TEXT")
        .to_string();
    let o = &store.objects[idx];
    if name.is_empty()
        || o.fields
            .iter()
            .any(|f| f.name == name || f.join_column() == Some(name.as_str()))
    {
        return Err(format!("Name '{name}' is not available, check that it is not duplicating another field's name."));
    }
    let mut f = FieldDef::new(&o.singular, &name, &ftype);
    f.custom = true;
    f.system = false;
    f.label = input
        .get("label")
        .and_then(Value::as_str)
        .unwrap_or(&name)
        .to_string();
    f.icon = input.get("icon").and_then(Value::as_str).map(String::from);
    f.nullable = ftype != "TEXT";
    if let Some(opts) = input.get("options").and_then(Value::as_array) {
        let mut out = Vec::new();
        for (i, opt) in opts.iter().enumerate() {
            let v = opt.get("value").and_then(Value::as_str).unwrap_or("");
            if v.is_empty()
                || !v
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(format!(
                    "Value must be in UPPER_CASE and follow snake_case '{v}'"
                ));
            }
            let mut o2 = json!({"id": stable_id(&format!("{oid}.{name}.{v}"))});
            if let (Some(m), Some(src)) = (o2.as_object_mut(), opt.as_object()) {
                for k in ["value", "label", "color", "position"] {
                    m.insert(
                        k.into(),
                        src.get(k).cloned().unwrap_or(if k == "position" {
                            json!(i)
                        } else {
                            Value::Null
                        }),
                    );
                }
            }
            out.push(o2);
        }
        f.options = Some(out);
    }
    if ftype != "TEXT" {
        f.default = input.get("defaultValue").cloned().unwrap_or(Value::Null);
    }
    let singular = o.singular.clone();
    let def = record_default(o, &f);
    store.objects[idx].fields.insert(0, f.clone());
    if let Some(rows) = store.records.get_mut(&singular) {
        for r in rows.iter_mut() {
            let mut m = Map::new();
            m.insert(name.clone(), def.clone());
            m.extend(std::mem::take(r));
            *r = m;
        }
    }
    Ok(field_json(&f))
}

fn create_object(store: &mut Store, input: &Value) -> Result<Value, String> {
    let s = |k: &str| {
        input
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (singular, plural) = (s("nameSingular"), s("namePlural"));
    if singular.is_empty()
        || plural.is_empty()
        || store.object(&singular).is_some()
        || store.object(&plural).is_some()
    {
        return Err(format!("Object name '{singular}' is not available."));
    }
    let o = ObjectDef {
        id: stable_id(&format!("object:{singular}")),
        fields: custom_object_fields(&singular),
        singular: singular.clone(),
        plural,
        label_singular: s("labelSingular"),
        label_plural: s("labelPlural"),
        custom: true,
        system: false,
        description: input
            .get("description")
            .and_then(Value::as_str)
            .map(String::from),
        icon: input.get("icon").and_then(Value::as_str).map(String::from),
    };
    let v = object_json(&o, true);
    store.records.insert(singular, Vec::new());
    store.objects.push(o);
    Ok(v)
}

fn update_field(store: &mut Store, id: &str, update: &Value) -> Result<Value, String> {
    for o in store.objects.iter_mut() {
        if let Some(f) = o.fields.iter_mut().find(|f| f.id == id) {
            if let Some(opts) = update.get("options").and_then(Value::as_array) {
                f.options = Some(opts.clone());
            }
            if let Some(l) = update.get("label").and_then(Value::as_str) {
                f.label = l.into();
            }
            return Ok(field_json(f));
        }
    }
    Err(format!("Field {id} not found"))
}

/// Delete a custom field and its values (the recorded server's `DELETE /rest/metadata/fields/{id}`,
/// documented in `openapi-metadata.json`; standard fields cannot be deleted).
fn delete_field(store: &mut Store, id: &str) -> Result<Value, String> {
    for o in store.objects.iter_mut() {
        if let Some(i) = o.fields.iter().position(|f| f.id == id) {
            if !o.fields[i].custom {
                return Err("Only custom fields can be deleted".into());
            }
            let f = o.fields.remove(i);
            let singular = o.singular.clone();
            if let Some(rows) = store.records.get_mut(&singular) {
                for r in rows.iter_mut() {
                    r.remove(&f.name);
                }
            }
            return Ok(field_json(&f));
        }
    }
    Err(format!("Field {id} not found"))
}

/// REST metadata routes (`rest` is the path after `/rest/metadata`).
pub(super) fn rest(
    shared: &Shared,
    method: &Method,
    rest: &str,
    query: Option<&str>,
    body: &Bytes,
) -> Response<Body> {
    if let Some(q) = query {
        let p = format!("{}?{q}", rest.trim_start_matches('/'));
        return json_response(
            400,
            &json!({"statusCode": 400, "message": format!(
            "Query path '/rest/metadata/{p}' invalid. Metadata path \"{p}\" does not exist. Valid examples: /rest/metadata/fields or /rest/metadata/objects"),
            "error": "Bad Request"}),
        );
    }
    let input: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let mut store = lock(&shared.store);
    let segs: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let (status, v) = match (method.as_str(), segs.as_slice()) {
        ("GET", ["objects"]) => {
            let list: Vec<Value> = store.objects.iter().map(|o| object_json(o, true)).collect();
            (
                200,
                json!({"data": {"objects": list}, "pageInfo": page_info(store.objects.len())}),
            )
        }
        ("GET", ["objects", id]) => match store.objects.iter().find(|o| o.id == *id) {
            Some(o) => (200, json!({"data": {"object": object_json(o, true)}})),
            None => bad(format!("Object {id} not found")),
        },
        ("GET", ["fields"]) => {
            let list: Vec<Value> = store
                .objects
                .iter()
                .flat_map(|o| o.fields.iter().map(rest_field))
                .collect();
            let n = list.len();
            (
                200,
                json!({"data": {"fields": list}, "pageInfo": page_info(n)}),
            )
        }
        ("POST", ["fields"]) => match create_field(&mut store, &input) {
            Ok(mut f) => {
                if let Some(m) = f.as_object_mut() {
                    m.remove("isUnique");
                }
                (201, json!({"data": {"createOneField": f}}))
            }
            Err(m) => bad(m),
        },
        ("POST", ["objects"]) => match create_object(&mut store, &input) {
            Ok(o) => (201, json!({"data": {"createOneObject": o}})),
            Err(m) => bad(m),
        },
        ("PATCH", ["fields", id]) => match update_field(&mut store, id, &input) {
            Ok(f) => (200, json!({"data": {"updateOneField": f}})),
            Err(m) => bad(m),
        },
        ("PATCH", ["objects", id]) => match store.objects.iter().find(|o| o.id == *id) {
            Some(o) => (
                200,
                json!({"data": {"updateOneObject": object_json(o, false)}}),
            ),
            None => bad(format!("Object {id} not found")),
        },
        ("DELETE", ["objects", id]) => match store.objects.iter().position(|o| o.id == *id) {
            Some(i) if store.objects[i].custom => {
                let o = store.objects.remove(i);
                let v = object_json(&o, false);
                store.records.remove(&o.singular);
                (200, json!({"data": {"deleteOneObject": v}}))
            }
            Some(_) => bad("Standard objects cannot be deleted".to_string()),
            None => bad(format!("Object {id} not found")),
        },
        ("DELETE", ["fields", id]) => match delete_field(&mut store, id) {
            Ok(f) => (200, json!({"data": {"deleteOneField": f}})),
            Err(m) => bad(m),
        },
        _ => bad(format!(
            "Metadata path \"{}\" does not exist",
            rest.trim_start_matches('/')
        )),
    };
    json_response(status, &v)
}

/// GraphQL `/metadata`.
pub(super) async fn graphql(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    if !shared.authorized(&headers) {
        return unauthenticated();
    }
    let Some((query, vars)) = read_body(&body) else {
        return json_response(
            400,
            &json!({"errors": [{"message": "Must provide query string."}]}),
        );
    };
    let op = match parse(&query) {
        Ok(op) => op,
        Err((m, p)) => return located(&m, p),
    };
    let mut store = lock(&shared.store);
    let mut data = Map::new();
    let mut errors = Vec::new();
    for f in &op.selection {
        let key = f.alias.clone().unwrap_or_else(|| f.name.clone());
        let arg = |n: &str| f.arg(n).map(|a| a.resolve(&vars)).unwrap_or(Value::Null);
        if matches!(f.name.as_str(), "objects" | "fields") {
            if let Some(tc) = f.selection.iter().find(|s| s.name == "totalCount") {
                let t = if f.name == "objects" {
                    "ObjectConnection"
                } else {
                    "FieldConnection"
                };
                return located(
                    &format!("Cannot query field \"totalCount\" on type \"{t}\"."),
                    tc.pos,
                );
            }
        }
        let res: Result<Value, String> = match f.name.as_str() {
            "objects" => Ok(Value::Array(store.objects.iter().map(|o| object_json(o, false)).collect())),
            "object" => {
                let id = arg("id");
                store.objects.iter().find(|o| Some(o.id.as_str()) == id.as_str()).map(|o| object_json(o, false)).ok_or_else(|| "Object not found".into())
            }
            "fields" => Ok(Value::Array(
                store.objects.iter()
                    .flat_map(|o| o.fields.iter().map(move |x| {
                        let mut v = field_json(x);
                        if let Some(m) = v.as_object_mut() {
                            m.insert("object".into(), json!({"id": o.id, "nameSingular": o.singular, "namePlural": o.plural}));
                        }
                        v
                    }))
                    .collect(),
            )),
            "createOneField" => create_field(&mut store, &arg("input").get("field").cloned().unwrap_or(Value::Null)),
            "createOneObject" => create_object(&mut store, &arg("input").get("object").cloned().unwrap_or(Value::Null)),
            "updateOneField" => {
                let input = arg("input");
                let id = input.get("id").and_then(Value::as_str).unwrap_or("").to_string();
                update_field(&mut store, &id, &input.get("update").cloned().unwrap_or(Value::Null))
            }
            "deleteOneField" => {
                let id = arg("input").get("id").and_then(Value::as_str).unwrap_or("").to_string();
                delete_field(&mut store, &id)
            }
            "currentWorkspace" => Ok(json!({"id": stable_id("workspace"), "displayName": "Migration Test",
                "activationStatus": "ACTIVE", "workspaceMembersCount": store.find("workspaceMember", None).len()})),
            other => Err(format!("Cannot query field \"{other}\" on type \"Query\".")),
        };
        match res {
            Ok(v) => data.insert(key, project_json(&v, &f.selection)),
            Err(m) => {
                errors.push(json!({"message": m, "extensions": {"code": "BAD_USER_INPUT", "userFriendlyMessage": "An error occurred."}}));
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
