//! The metadata API: `/rest/metadata/{objects,fields}` and GraphQL `/metadata`.

use super::gql_parse::parse;
use super::graphql::{located, read_body, unauthenticated};
use super::model::{custom_object_fields, stable_id, FieldDef, ObjectDef};
use super::render::project_json;
use super::server::{json_response, lock, Profile, Shared};
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

/// A standard entity's `universalIdentifier` starts with `20202020-` on the v2 server; a custom
/// one is random. The emulator derives both from the entity's stable id.
fn universal_id(id: &str, custom: bool) -> String {
    if custom {
        stable_id(&format!("universal:{id}"))
    } else {
        format!("20202020-{}", &stable_id(&format!("universal:{id}"))[9..])
    }
}

/// A field as the v2.21 metadata API prints it (probe 11 / live `GET /rest/metadata/objects`):
/// no `isCustom` and no `relation`; relations carry `settings.relationType` and
/// `settings.joinColumnName`, morph relations a `morphId`.
fn field_json_v2(f: &FieldDef, object_id: &str) -> Value {
    let mut v = json!({"id": f.id, "universalIdentifier": universal_id(&f.id, f.custom),
        "applicationId": stable_id(if f.custom { "application:custom" } else { "application:standard" }),
        "type": f.ftype, "name": f.name, "label": f.label, "description": f.description, "icon": f.icon,
        "isActive": true, "isSystem": f.system, "isUIEditable": !f.system, "isUIReadOnly": f.system,
        "isNullable": f.nullable, "isUnique": f.unique, "workspaceId": stable_id("workspace"),
        "objectMetadataId": object_id, "isLabelSyncedWithName": false, "defaultValue": f.default,
        "options": f.options, "createdAt": STAMP, "updatedAt": STAMP});
    let settings = match &f.relation {
        Some(super::model::Relation::ManyToOne { join, .. }) => Some(
            json!({"onDelete": "SET_NULL", "relationType": "MANY_TO_ONE", "joinColumnName": join}),
        ),
        Some(super::model::Relation::OneToMany { .. }) => {
            Some(json!({"relationType": "ONE_TO_MANY"}))
        }
        None => None,
    };
    if let (Some(m), Some(st)) = (v.as_object_mut(), settings) {
        m.insert("settings".into(), st);
        if f.ftype == "MORPH_RELATION" {
            m.insert(
                "morphId".into(),
                json!(stable_id(&format!("morph:{object_id}"))),
            );
        }
    }
    v
}

fn object_json_v2(o: &ObjectDef) -> Value {
    let label_id = o
        .fields
        .iter()
        .find(|f| f.name == "name" || f.name == "title")
        .map(|f| f.id.clone());
    let fields: Vec<Value> = o.fields.iter().map(|f| field_json_v2(f, &o.id)).collect();
    json!({"id": o.id, "universalIdentifier": universal_id(&o.id, o.custom),
        "applicationId": stable_id(if o.custom { "application:custom" } else { "application:standard" }),
        "nameSingular": o.singular, "namePlural": o.plural, "labelSingular": o.label_singular,
        "labelPlural": o.label_plural, "description": o.description, "icon": o.icon, "shortcut": Value::Null,
        "isActive": true, "isSystem": o.system, "isRemote": false, "isSearchable": !o.system,
        "isUIEditable": true, "isUICreatable": true, "isUIReadOnly": false, "isLabelSyncedWithName": false,
        "duplicateCriteria": Value::Null, "workspaceId": stable_id("workspace"),
        "labelIdentifierFieldMetadataId": label_id, "imageIdentifierFieldMetadataId": Value::Null,
        "createdAt": STAMP, "updatedAt": STAMP, "fields": fields})
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

/// One failed validation rule of a metadata change.
#[derive(Debug, Clone)]
pub(super) struct Rule {
    code: &'static str,
    /// The v2.21 message (and `userFriendlyMessage` unless `friendly` says otherwise).
    message: String,
    friendly: Option<String>,
    value: Value,
    /// The v1.4 server's message for the same refusal, where it differs.
    v1: Option<String>,
}

impl Rule {
    fn new(code: &'static str, message: impl Into<String>, value: Value) -> Self {
        Rule {
            code,
            message: message.into(),
            friendly: None,
            value,
            v1: None,
        }
    }
}

/// Why a metadata change was refused.
#[derive(Debug, Clone)]
pub(super) enum Refusal {
    /// The builder's validation of a new field (v2: a `METADATA_VALIDATION_ERROR` body).
    Field {
        name: String,
        object_id: String,
        rules: Vec<Rule>,
        /// An `isUnique` field also fails its index (probe 11: one more knock-on entry).
        unique: bool,
    },
    /// The builder's validation of a new object.
    Object {
        singular: String,
        plural: String,
        rules: Vec<Rule>,
    },
    /// The request DTO check (v2: NestJS `{"message":[…],"error":"Bad Request"}`).
    Dto(Vec<String>),
    /// Anything else: a plain message.
    Plain(String),
}

impl From<String> for Refusal {
    fn from(m: String) -> Self {
        Refusal::Plain(m)
    }
}

impl Refusal {
    /// The first message (for GraphQL and v1 bodies).
    fn message(&self, profile: Profile) -> String {
        match self {
            Refusal::Field { rules, .. } | Refusal::Object { rules, .. } => rules
                .first()
                .map(|r| match (profile, &r.v1) {
                    (Profile::V1, Some(m)) => m.clone(),
                    _ => r.message.clone(),
                })
                .unwrap_or_default(),
            Refusal::Dto(m) => m.join(", "),
            Refusal::Plain(m) => m.clone(),
        }
    }

    /// The REST answer: v1 `{"statusCode":400,"messages":[…],"error":"Bad Request"}` (probe 14);
    /// v2 the `METADATA_VALIDATION_ERROR` envelope recorded on a v2.21 server
    /// (`recordings/v2-name-validation.json`, probe 11), with the two knock-on `viewField`
    /// failures a field of a standard object gets. An object's knock-on failures (its default
    /// fields, views and indexes: 34 entries on the real server) are not emulated.
    fn rest_body(&self, profile: Profile) -> Value {
        let entry = |rule: &Rule| {
            let mut e = json!({"code": rule.code, "message": rule.message,
                "userFriendlyMessage": rule.friendly.clone().unwrap_or_else(|| rule.message.clone())});
            if !rule.value.is_null() {
                e["value"] = rule.value.clone();
            }
            e
        };
        let friendly = |total: usize, rules: &[Rule]| match (total, rules.first()) {
            (1, Some(r)) => r.friendly.clone().unwrap_or_else(|| r.message.clone()),
            _ => "Many validation errors".to_string(),
        };
        match (profile, self) {
            (Profile::V1, Refusal::Dto(_) | Refusal::Field { .. } | Refusal::Object { .. })
            | (_, Refusal::Plain(_)) => {
                json!({"statusCode": 400, "messages": [self.message(profile)], "error": "Bad Request"})
            }
            (Profile::V2, Refusal::Dto(m)) => {
                json!({"message": m, "error": "Bad Request", "statusCode": 400})
            }
            (
                Profile::V2,
                Refusal::Field {
                    name,
                    object_id,
                    rules,
                    unique,
                },
            ) => {
                let uid = stable_id(&format!("refused:{object_id}.{name}"));
                let object_uid = universal_id(object_id, false);
                let view_field = |view: &str| {
                    json!({"status": "fail", "errors": [{"code": "INVALID_VIEW_DATA",
                        "message": "Field metadata not found", "userFriendlyMessage": "Field metadata not found"}],
                        "flatEntityMinimalInformation": {"universalIdentifier": stable_id(&format!("{uid}:{view}")),
                        "viewUniversalIdentifier": view, "fieldMetadataUniversalIdentifier": uid},
                        "metadataName": "viewField", "type": "create"})
                };
                // `summary` counts failed entities, not rules.
                let total = 3 + usize::from(*unique);
                let mut body = json!({"statusCode": 400, "error": "METADATA_VALIDATION_ERROR",
                    "message": "Multiple validation errors occurred while creating fields",
                    "errors": {"fieldMetadata": [{"status": "fail", "errors": rules.iter().map(entry).collect::<Vec<_>>(),
                        "flatEntityMinimalInformation": {"universalIdentifier": uid, "name": name,
                            "objectMetadataUniversalIdentifier": object_uid},
                        "metadataName": "fieldMetadata", "type": "create"}],
                        "viewField": [view_field("20202020-a002-4a02-8a02-ae0a1ea12001"),
                            view_field("20202020-a002-4a02-8a02-ae0a1ea11a00")]},
                    "summary": {"totalErrors": total, "fieldMetadata": 1, "viewField": 2},
                    "userFriendlyMessage": friendly(total, rules)});
                if *unique {
                    let rule = |code: &str, message: &str, friendly: &str| json!({"code": code, "message": message, "userFriendlyMessage": friendly});
                    body["errors"]["index"] = json!([{"status": "fail", "errors": [
                        rule("INDEX_ALREADY_EXISTS", "Index with same universal identifier already exists", "Index already exists"),
                        rule("INDEX_ALREADY_EXISTS", "Index with same name already exists", "Index with same name already exists"),
                        rule("INDEX_FIELD_NOT_FOUND", "Could not find index field related field metadata", "Field referenced in index does not exist")],
                        "flatEntityMinimalInformation": {"universalIdentifier": stable_id(&format!("{uid}:index")),
                            "name": format!("IDX_UNIQUE_{}", &stable_id(&format!("{object_id}.{name}")).replace('-', "")[..27])},
                        "metadataName": "index", "type": "create"}]);
                    body["summary"]["index"] = json!(1);
                }
                body
            }
            (
                Profile::V2,
                Refusal::Object {
                    singular,
                    plural,
                    rules,
                },
            ) => {
                let uid = stable_id(&format!("refused-object:{singular}"));
                json!({"statusCode": 400, "error": "METADATA_VALIDATION_ERROR",
                    "message": "Multiple validation errors occurred while creating object",
                    "errors": {"objectMetadata": [{"status": "fail", "errors": rules.iter().map(entry).collect::<Vec<_>>(),
                        "flatEntityMinimalInformation": {"universalIdentifier": uid, "namePlural": plural,
                            "nameSingular": singular},
                        "metadataName": "objectMetadata", "type": "create"}]},
                    "summary": {"totalErrors": rules.len(), "objectMetadata": 1},
                    "userFriendlyMessage": friendly(rules.len(), rules)})
            }
        }
    }
}

/// The DTO check on a metadata name (`is-valid-metadata-name.decorator.ts`: not empty, none
/// of `'"\;.=*/`, not a GraphQL keyword), with the messages class-validator gives.
fn dto_name_problems(name: &str, property: &str) -> Vec<String> {
    let keyword = matches!(
        name,
        "not" | "or" | "and" | "Int" | "Float" | "Boolean" | "String" | "ID"
    );
    let bad_char = name.chars().any(|c| "'\"\\;.=*/".contains(c));
    let mut out = Vec::new();
    if name.is_empty() || keyword || bad_char {
        out.push(format!("{property} has failed the name validation check"));
    }
    if name.is_empty() {
        out.push(format!("{property} should not be empty"));
    }
    out
}

/// The builder's name rules, all collected (length ≤ 63, lower camelCase, not reserved), as in
/// `validate-flat-field-metadata-name.util.ts` / `validate-flat-object-metadata-name.util.ts`.
fn name_rules(name: &str, code: &'static str) -> Vec<Rule> {
    let mut out = Vec::new();
    let value = json!(name);
    if name.chars().count() > 63 {
        out.push(Rule::new(code, "Name is too long", value.clone()));
    }
    if name.is_empty() {
        out.push(Rule::new(code, "Name is too short", value.clone()));
    }
    let camel = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric());
    if !camel {
        out.push(Rule::new(
            code,
            "Name is not valid: it must start with lowercase letter and contain only alphanumeric letters",
            value.clone(),
        ));
    }
    // Exact match, as the server's `includes` (the list is Twenty's own, from its source).
    if crate::twenty::TWENTY_RESERVED_NAMES.contains(&name) {
        out.push(Rule::new(
            code,
            "This name is reserved. Use a different name or the system will add \"Custom\" suffix.",
            value,
        ));
    }
    out
}

/// The sub-field columns a composite field occupies (`nameFirstName`, `emailsPrimaryEmail`…).
fn composite_columns(f: &FieldDef) -> Vec<String> {
    super::values::composite_keys(&f.ftype)
        .map(|keys| {
            keys.iter()
                .map(|k| format!("{}{}", f.name, super::model::capitalize(k)))
                .collect()
        })
        .unwrap_or_default()
}

/// Create a custom field with the server's validation: names (DTO check, length, camelCase,
/// reserved, taken by a field, a join column or a composite column) and option values.
fn create_field(store: &mut Store, input: &Value) -> Result<Value, Refusal> {
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
    let profile = store.profile;
    let o = &store.objects[idx];
    let dto = dto_name_problems(&name, "name");
    if !dto.is_empty() {
        return Err(Refusal::Dto(dto));
    }
    let mut rules = name_rules(&name, "INVALID_FIELD_INPUT");
    let taken_v1 = format!(
        "Name '{name}' is not available, check that it is not duplicating another field's name."
    );
    if o.fields.iter().any(|f| f.name == name) {
        let mut r = Rule::new(
            "NOT_AVAILABLE",
            format!("Name \"{name}\" is not available as it is already used by another field"),
            json!(name),
        );
        r.v1 = Some(taken_v1.clone());
        rules.push(r);
    } else if o
        .fields
        .iter()
        .any(|f| f.join_column() == Some(name.as_str()))
    {
        let mut r = Rule::new(
            "NOT_AVAILABLE",
            format!(
                "Name \"{name}\" is not available as it is already used by another join column name"
            ),
            json!(name),
        );
        r.friendly = Some(format!(
            "Name \"{name}\" is not available as it is already used by join column name"
        ));
        r.v1 = Some(taken_v1);
        rules.push(r);
    } else if o
        .fields
        .iter()
        .any(|f| composite_columns(f).contains(&name))
    {
        let mut r = Rule::new(
            "RESERVED_KEYWORD",
            format!("Name \"{name}\" is reserved composite field name"),
            json!(name),
        );
        r.friendly = Some(format!("Name \"{name}\" is not available"));
        rules.push(r);
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
    f.description = input
        .get("description")
        .and_then(Value::as_str)
        .map(String::from);
    f.nullable = profile == Profile::V2 || ftype != "TEXT";
    f.unique = input.get("isUnique").and_then(Value::as_bool) == Some(true);
    if let Some(opts) = input.get("options").and_then(Value::as_array) {
        let mut out = Vec::new();
        for (i, opt) in opts.iter().enumerate() {
            let v = opt.get("value").and_then(Value::as_str).unwrap_or("");
            if v.is_empty()
                || !v
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            {
                let mut r = Rule::new(
                    "INVALID_FIELD_INPUT",
                    format!("Value must be in UPPER_CASE and follow snake_case \"{v}\""),
                    json!(v),
                );
                r.v1 = Some(format!(
                    "Value must be in UPPER_CASE and follow snake_case '{v}'"
                ));
                rules.push(r);
                continue;
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
    if !rules.is_empty() {
        return Err(Refusal::Field {
            name,
            object_id: oid.to_string(),
            rules,
            unique: f.unique,
        });
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
    Ok(match profile {
        Profile::V1 => field_json(&f),
        Profile::V2 => field_json_v2(&f, oid),
    })
}

fn create_object(store: &mut Store, input: &Value) -> Result<Value, Refusal> {
    let s = |k: &str| {
        input
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (singular, plural) = (s("nameSingular"), s("namePlural"));
    let profile = store.profile;
    let taken = store.object(&singular).is_some() || store.object(&plural).is_some();
    if profile == Profile::V1 && (singular.is_empty() || plural.is_empty() || taken) {
        return Err(format!("Object name '{singular}' is not available.").into());
    }
    let mut dto = dto_name_problems(&singular, "nameSingular");
    dto.extend(dto_name_problems(&plural, "namePlural"));
    if !dto.is_empty() {
        return Err(Refusal::Dto(dto));
    }
    let mut rules = name_rules(&singular, "INVALID_OBJECT_INPUT");
    rules.extend(name_rules(&plural, "INVALID_OBJECT_INPUT"));
    if singular.trim().to_lowercase() == plural.trim().to_lowercase() {
        rules.push(Rule::new(
            "INVALID_OBJECT_INPUT",
            "The singular and plural names cannot be the same for an object",
            json!(singular),
        ));
    }
    if taken {
        rules.push(Rule::new(
            "OBJECT_ALREADY_EXISTS",
            "Object already exists",
            json!(singular),
        ));
    }
    if !rules.is_empty() {
        return Err(Refusal::Object {
            singular,
            plural,
            rules,
        });
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
    let v = match profile {
        Profile::V1 => object_json(&o, true),
        Profile::V2 => object_json_v2(&o),
    };
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
    if shared.config.profile == Profile::V2 {
        return rest_v2(shared, method, rest, query, body);
    }
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
            Err(r) => (400, r.rest_body(Profile::V1)),
        },
        ("POST", ["objects"]) => match create_object(&mut store, &input) {
            Ok(o) => (201, json!({"data": {"createOneObject": o}})),
            Err(r) => (400, r.rest_body(Profile::V1)),
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

fn not_found_v2(message: &str, code: &str) -> (u16, Value) {
    (
        404,
        json!({"statusCode": 404, "error": "Error", "messages": [message], "code": code}),
    )
}

/// The v2.21 REST metadata routes (the "new format": bare entities, lists as
/// `{data:[…], pageInfo, totalCount}` paged by id with `limit` ≤ 200 and `starting_after`).
/// Missing entities answer as recorded live (404 `OBJECT_METADATA_NOT_FOUND` /
/// `FIELD_METADATA_NOT_FOUND`).
fn rest_v2(
    shared: &Shared,
    method: &Method,
    rest: &str,
    query: Option<&str>,
    body: &Bytes,
) -> Response<Body> {
    let input: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let q: Vec<(String, String)> = query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                super::rest::percent_decode(k),
                super::rest::percent_decode(v),
            )
        })
        .collect();
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut store = lock(&shared.store);
    let segs: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let (status, v) = match (method.as_str(), segs.as_slice()) {
        ("GET", ["objects"]) => {
            let limit = get("limit")
                .and_then(|l| l.parse::<usize>().ok())
                .unwrap_or(200)
                .min(200);
            let mut list: Vec<&ObjectDef> = store.objects.iter().collect();
            if let Some(after) = get("starting_after") {
                if let Some(i) = list.iter().position(|o| o.id == after) {
                    list.drain(..=i);
                }
            }
            let has_next = list.len() > limit;
            list.truncate(limit);
            let info = json!({"hasNextPage": has_next,
                "startCursor": list.first().map(|o| o.id.clone()),
                "endCursor": list.last().map(|o| o.id.clone())});
            let data: Vec<Value> = list.into_iter().map(object_json_v2).collect();
            (
                200,
                json!({"data": data, "pageInfo": info, "totalCount": store.objects.len()}),
            )
        }
        ("GET", ["objects", id]) => match store.objects.iter().find(|o| o.id == *id) {
            Some(o) => (200, object_json_v2(o)),
            None => not_found_v2("Object metadata not found", "OBJECT_METADATA_NOT_FOUND"),
        },
        ("POST", ["fields"]) => match create_field(&mut store, &input) {
            Ok(f) => (201, f),
            Err(r) => (400, r.rest_body(Profile::V2)),
        },
        ("POST", ["objects"]) => match create_object(&mut store, &input) {
            Ok(o) => (201, o),
            Err(r) => (400, r.rest_body(Profile::V2)),
        },
        ("PATCH", ["fields", id]) => match update_field(&mut store, id, &input) {
            Ok(_) => {
                let found = store
                    .objects
                    .iter()
                    .find_map(|o| o.fields.iter().find(|f| f.id == *id).map(|f| (f, &o.id)));
                match found {
                    Some((f, oid)) => (200, field_json_v2(f, oid)),
                    None => not_found_v2("Field metadata not found", "FIELD_METADATA_NOT_FOUND"),
                }
            }
            Err(_) => (
                400,
                json!({"statusCode": 400, "error": "METADATA_VALIDATION_ERROR",
                    "message": "Validation errors occurred while updating field",
                    "errors": {"fieldMetadata": [{"errors": [{"code": "FIELD_METADATA_NOT_FOUND",
                        "message": "Field metadata to update not found",
                        "userFriendlyMessage": "Field metadata to update not found"}], "type": "update"}]}}),
            ),
        },
        ("DELETE", ["objects", id]) => match store.objects.iter().position(|o| o.id == *id) {
            Some(i) if store.objects[i].custom => {
                let o = store.objects.remove(i);
                let v = object_json_v2(&o);
                store.records.remove(&o.singular);
                (200, v)
            }
            Some(_) => bad("Standard objects cannot be deleted".to_string()),
            None => not_found_v2("Object metadata not found", "OBJECT_METADATA_NOT_FOUND"),
        },
        ("DELETE", ["fields", id]) => {
            let oid = store
                .objects
                .iter()
                .find(|o| o.fields.iter().any(|f| f.id == *id))
                .map(|o| o.id.clone());
            match (delete_field(&mut store, id), oid) {
                (Ok(_), Some(oid)) => (200, json!({"id": id, "objectMetadataId": oid})),
                (Err(m), Some(_)) => bad(m),
                _ => not_found_v2("Field to delete not found", "FIELD_METADATA_NOT_FOUND"),
            }
        }
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
            "createOneField" => create_field(&mut store, &arg("input").get("field").cloned().unwrap_or(Value::Null))
                .map_err(|r| r.message(shared.config.profile)),
            "createOneObject" => create_object(&mut store, &arg("input").get("object").cloned().unwrap_or(Value::Null))
                .map_err(|r| r.message(shared.config.profile)),
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
