//! Every request body the Twenty sink sends during a representative run (every standard
//! object with every composite shape, task and note targets, updates that set and clear
//! fields, metadata calls) is captured by the emulator and validated against the request
//! schema of the recorded OpenAPI documents of each server: v1.4 against
//! `reference/twenty-live/openapi-core.json` and `openapi-metadata.json`, v2.21 against
//! `reference/twenty-v2-live/`'s (the emulator answering with the matching profile).
//!
//! The validator covers the subset of JSON Schema those documents use: `$ref`, `type`,
//! `properties`, `required`, `enum`, `items`, `format` (uuid, date-time, email, uri),
//! `additionalProperties`, `oneOf`/`anyOf`/`allOf`. Data bodies are checked strictly: a key
//! the schema does not declare is an error unless it is a system field the recorded server
//! takes on create (`id`, `createdAt`, `updatedAt`) or a custom field created during the run.
//!
//! Errata, where the recorded document contradicts the server (each cited):
//! - `phones.additionalPhones.items` is typed `string`; the server's composite type takes
//!   `{number, countryCode, callingCode}` objects (`twenty.md` §5.2, `phones.composite-type.ts`).
//!   The schema is patched to that shape before validating.
//! - `null` is accepted in PATCH bodies only (clearing a nullable field: the document declares no
//!   `nullable` at all, yet every cleared currency amount or date must be sent as `null`).
//! - Option `value`s are not checked against the document's `pattern`
//!   `^[A-Z0-9]+_[A-Z0-9]+$`: the recorded server accepted `HOT` (probe 14).
#![cfg(all(feature = "twenty", feature = "emulators"))]

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{NaiveDate, TimeZone, Utc};
use crm_connectors::http::{RetryConfig, Secret};
use crm_connectors::twenty::emulator::{CapturedRequest, EmulatorConfig, Profile, TwentyEmulator};
use crm_connectors::twenty::{TwentyConfig, TwentySink, TWENTY_V1_ONLY_FIELDS, X_LINK};
use crm_core::model::{fields as f, Address, Fields, Phone, RecordId, Value};
use crm_core::{
    FieldDescriptor, FieldType, SchemaChange, SchemaOutcome, Sink, SourceKey, WriteOp,
    WriteOutcome, WriteRecord,
};
use serde_json::{json, Value as J};

fn spec(dir: &str, name: &str) -> J {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference")
        .join(dir)
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the recorded OpenAPI document {} is needed to validate request bodies and could not be read: {e}",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

struct Validator<'a> {
    root: &'a J,
    strict: bool,
    allow_null: bool,
    extra_top: Vec<String>,
    errors: Vec<String>,
}

impl<'a> Validator<'a> {
    fn resolve(&self, mut s: &'a J) -> &'a J {
        while let Some(r) = s.get("$ref").and_then(J::as_str) {
            let ptr = r.trim_start_matches('#');
            s = self
                .root
                .pointer(ptr)
                .unwrap_or_else(|| panic!("unresolved $ref {r}"));
        }
        s
    }

    fn check(&mut self, schema: &'a J, v: &J, at: &str, depth: usize) {
        let schema = self.resolve(schema);
        for (k, many) in [("allOf", true), ("anyOf", false), ("oneOf", false)] {
            if let Some(list) = schema.get(k).and_then(J::as_array) {
                let mut passes = 0;
                let mut errs = Vec::new();
                for sub in list {
                    let mut v2 = Validator {
                        root: self.root,
                        strict: self.strict,
                        allow_null: self.allow_null,
                        extra_top: self.extra_top.clone(),
                        errors: Vec::new(),
                    };
                    v2.check(sub, v, at, depth);
                    if v2.errors.is_empty() {
                        passes += 1;
                    } else {
                        errs.extend(v2.errors);
                    }
                }
                let ok = if many {
                    passes == list.len()
                } else {
                    passes >= 1
                };
                if !ok {
                    self.errors
                        .push(format!("{at}: fails {k}: {}", errs.join(" | ")));
                }
            }
        }
        if v.is_null() {
            let nullable = schema.get("nullable") == Some(&J::Bool(true))
                || schema.get("type") == Some(&json!("null"));
            if !nullable && !self.allow_null {
                self.errors.push(format!("{at}: null is not allowed"));
            }
            return;
        }
        if let Some(t) = schema.get("type") {
            let types: Vec<&str> = match t {
                J::String(s) => vec![s.as_str()],
                J::Array(a) => a.iter().filter_map(J::as_str).collect(),
                _ => vec![],
            };
            let fits = types.iter().any(|t| match *t {
                "string" => v.is_string(),
                "number" => v.is_number(),
                "integer" => v.is_i64() || v.is_u64(),
                "boolean" => v.is_boolean(),
                "object" => v.is_object(),
                "array" => v.is_array(),
                "null" => v.is_null(),
                _ => true,
            });
            if !fits {
                self.errors
                    .push(format!("{at}: {v} is not of type {types:?}"));
                return;
            }
        }
        if let Some(e) = schema.get("enum").and_then(J::as_array) {
            if !e.contains(v) {
                self.errors.push(format!("{at}: {v} is not one of {e:?}"));
            }
        }
        if let (Some(fmt), Some(s)) = (schema.get("format").and_then(J::as_str), v.as_str()) {
            let ok = match fmt {
                "uuid" => is_uuid(s),
                "date-time" => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
                "date" => NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
                "email" => s.contains('@') && !s.contains(char::is_whitespace),
                "uri" => s.contains("://") || s.contains('.'),
                _ => true,
            };
            if !ok {
                self.errors.push(format!("{at}: {s:?} is not a {fmt}"));
            }
        }
        if let Some(obj) = v.as_object() {
            let props = schema.get("properties").and_then(J::as_object);
            if let Some(req) = schema.get("required").and_then(J::as_array) {
                for r in req.iter().filter_map(J::as_str) {
                    if !obj.contains_key(r) {
                        self.errors.push(format!("{at}: required {r:?} missing"));
                    }
                }
            }
            for (k, val) in obj {
                let sub = props.and_then(|p| p.get(k));
                match sub {
                    Some(s) => self.check(s, val, &format!("{at}.{k}"), depth + 1),
                    None => match schema.get("additionalProperties") {
                        Some(J::Bool(false)) => {
                            self.errors.push(format!("{at}: additional property {k:?}"))
                        }
                        Some(s @ J::Object(_)) => {
                            self.check(s, val, &format!("{at}.{k}"), depth + 1)
                        }
                        _ => {
                            let known_top = depth == 0 && self.extra_top.iter().any(|e| e == k);
                            if self.strict && props.is_some() && !known_top {
                                self.errors.push(format!(
                                    "{at}: property {k:?} is not declared by the schema"
                                ));
                            }
                        }
                    },
                }
            }
        }
        if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
            for (i, x) in arr.iter().enumerate() {
                self.check(
                    items,
                    x,
                    &format!("{at}[{i}]"),
                    depth + usize::from(depth > 0),
                );
            }
        }
    }
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The OpenAPI path template matching a concrete path (`/people/{uuid}` → `/people/{id}`).
fn template<'a>(paths: &'a serde_json::Map<String, J>, path: &str) -> Option<&'a str> {
    let segs: Vec<&str> = path.split('/').collect();
    paths.keys().map(String::as_str).find(|t| {
        let ts: Vec<&str> = t.split('/').collect();
        ts.len() == segs.len()
            && ts
                .iter()
                .zip(&segs)
                .all(|(a, b)| a == b || (a.starts_with('{') && a.ends_with('}')))
    })
}

fn key(o: &str, i: usize) -> SourceKey {
    SourceKey::new("openapi", o, i.to_string())
}

fn create(o: &str, i: usize, fields: Fields) -> WriteRecord {
    let t = Utc.with_ymd_and_hms(2019, 3, 4, 5, 6, 7).single().unwrap();
    WriteRecord {
        key: key(o, i),
        op: WriteOp::Create { merge_on: None },
        created_at: Some(t),
        updated_at: Some(t),
        fields,
    }
}

fn update(o: &str, i: usize, id: &str, fields: Fields) -> WriteRecord {
    WriteRecord {
        key: key(o, i),
        op: WriteOp::Update { id: id.into() },
        created_at: None,
        updated_at: None,
        fields,
    }
}

fn fields(pairs: Vec<(&str, Value)>) -> Fields {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn created(out: &[WriteOutcome]) -> Vec<String> {
    out.iter()
        .map(|o| match o {
            WriteOutcome::Created { id } => id.clone(),
            o => panic!("not created: {o:?}"),
        })
        .collect()
}

/// A run through every standard object and shape; returns what the emulator captured.
/// The records as the server of `profile` takes them: v2 lost the v1-only standard fields.
fn for_profile(profile: Profile, object: &str, mut recs: Vec<WriteRecord>) -> Vec<WriteRecord> {
    if profile == Profile::V2 {
        for r in &mut recs {
            r.fields
                .retain(|k, _| !TWENTY_V1_ONLY_FIELDS.contains(&(object, k.as_str())));
        }
    }
    recs
}

async fn representative_run(emu: &TwentyEmulator, profile: Profile) -> Vec<CapturedRequest> {
    let cfg = TwentyConfig::new(emu.url(), Secret::new(emu.api_key()))
        .with_rate_limit(None)
        .with_retry(RetryConfig::none());
    let sink = TwentySink::new(cfg).unwrap();
    let member = emu.seed_member("owner@openapi.example", "Olga", "Owner");
    let owner = Value::Id(RecordId::new(f::USER, &member));
    emu.capture_bodies(true);

    // Schema: a select field, an option added to it, a JSON field.
    let tier = SchemaChange::AddField {
        object: f::PERSON.into(),
        field: FieldDescriptor::new("planTier", FieldType::Select)
            .label("Plan tier")
            .options(["FREE", "Pro plan"])
            .custom(),
    };
    let more = SchemaChange::AddOptions {
        object: f::PERSON.into(),
        field: "planTier".into(),
        options: vec!["TEAM".into()],
    };
    let extra = SchemaChange::AddField {
        object: f::COMPANY.into(),
        field: FieldDescriptor::new("sourcePayload", FieldType::Json).custom(),
    };
    let out = sink
        .apply_schema(&[tier.clone(), more.clone(), extra.clone()])
        .await
        .unwrap();
    assert!(out.iter().all(|o| *o == SchemaOutcome::Applied), "{out:?}");

    let money = |m: i64| Value::Money {
        micros: m,
        currency: "eur".into(),
    };
    let companies = vec![
        create(
            f::COMPANY,
            1,
            fields(vec![
                (f::NAME, Value::Text("Acme".into())),
                (
                    f::DOMAIN,
                    Value::Urls(vec![
                        "https://acme.example".into(),
                        "https://acme.io".into(),
                    ]),
                ),
                (
                    f::ADDRESS,
                    Value::Address(Address {
                        street1: Some("1 Main St".into()),
                        street2: None,
                        city: Some("Paris".into()),
                        postcode: Some("75001".into()),
                        state: None,
                        country: Some("France".into()),
                    }),
                ),
                (f::EMPLOYEES, Value::Int(40)),
                (f::ANNUAL_REVENUE, money(12_000_000_000)),
                (
                    f::LINKEDIN,
                    Value::Urls(vec!["https://linkedin.com/company/acme".into()]),
                ),
                (X_LINK, Value::Urls(vec!["https://x.com/acme".into()])),
                (
                    crm_connectors::twenty::IDEAL_CUSTOMER_PROFILE,
                    Value::Bool(true),
                ),
                (f::OWNER, owner.clone()),
                (
                    "sourcePayload",
                    Value::Json(json!({"plan": "gold", "n": [1, 2]})),
                ),
            ]),
        ),
        create(
            f::COMPANY,
            2,
            fields(vec![
                (f::NAME, Value::Text("Bare".into())),
                (f::DOMAIN, Value::Urls(vec!["bare.example".into()])),
            ]),
        ),
    ];
    let cids = created(
        &sink
            .write_batch(f::COMPANY, &for_profile(profile, f::COMPANY, companies))
            .await
            .unwrap(),
    );
    let company = |i: usize| Value::Id(RecordId::new(f::COMPANY, &cids[i]));

    let people = vec![
        create(
            f::PERSON,
            1,
            fields(vec![
                (f::FIRST_NAME, Value::Text("Ada".into())),
                (f::LAST_NAME, Value::Text("Lovelace".into())),
                (
                    f::EMAILS,
                    Value::Emails(vec!["ada@acme.example".into(), "ada@home.example".into()]),
                ),
                (
                    f::PHONES,
                    Value::Phones(vec![
                        Phone {
                            number: "+33612345678".into(),
                            country: Some("FR".into()),
                            calling_code: Some("+33".into()),
                        },
                        Phone {
                            number: "+442071234567".into(),
                            country: Some("GB".into()),
                            calling_code: Some("+44".into()),
                        },
                    ]),
                ),
                (f::JOB_TITLE, Value::Text("Engineer".into())),
                (f::CITY, Value::Text("London".into())),
                (
                    f::LINKEDIN,
                    Value::Urls(vec!["https://linkedin.com/in/ada".into()]),
                ),
                (X_LINK, Value::Urls(vec!["https://x.com/ada".into()])),
                (f::COMPANY_REF, company(0)),
                ("planTier", Value::Choice("Pro plan".into())),
            ]),
        ),
        create(
            f::PERSON,
            2,
            fields(vec![
                (f::FIRST_NAME, Value::Text("Bob".into())),
                (f::EMAILS, Value::Emails(vec!["bob@bare.example".into()])),
                ("planTier", Value::Choice("TEAM".into())),
            ]),
        ),
    ];
    let pids = created(
        &sink
            .write_batch(f::PERSON, &for_profile(profile, f::PERSON, people))
            .await
            .unwrap(),
    );

    let deals = vec![create(
        f::OPPORTUNITY,
        1,
        fields(vec![
            (f::NAME, Value::Text("Big deal".into())),
            (f::AMOUNT, money(5_000_000_000)),
            (
                f::CLOSE_DATE,
                Value::DateTime(Utc.with_ymd_and_hms(2020, 1, 2, 3, 4, 5).single().unwrap()),
            ),
            (f::STAGE, Value::Choice("PROPOSAL".into())),
            (f::COMPANY_REF, company(0)),
            (
                f::POINT_OF_CONTACT,
                Value::Id(RecordId::new(f::PERSON, &pids[0])),
            ),
        ]),
    )];
    let oids = created(
        &sink
            .write_batch(f::OPPORTUNITY, &for_profile(profile, f::OPPORTUNITY, deals))
            .await
            .unwrap(),
    );

    let targets = Value::Ids(vec![
        RecordId::new(f::PERSON, &pids[0]),
        RecordId::new(f::COMPANY, &cids[0]),
        RecordId::new(f::OPPORTUNITY, &oids[0]),
    ]);
    let tasks = vec![create(
        f::TASK,
        1,
        fields(vec![
            (f::TITLE, Value::Text("Call back".into())),
            (f::BODY, Value::Text("Talked about **pricing**.".into())),
            (
                f::DUE_AT,
                Value::DateTime(Utc.with_ymd_and_hms(2021, 5, 6, 7, 8, 9).single().unwrap()),
            ),
            (f::STATUS, Value::Choice("IN_PROGRESS".into())),
            (f::ASSIGNEE, owner.clone()),
            (f::TARGETS, targets.clone()),
        ]),
    )];
    let tids = created(
        &sink
            .write_batch(f::TASK, &for_profile(profile, f::TASK, tasks))
            .await
            .unwrap(),
    );
    let notes = vec![create(
        f::NOTE,
        1,
        fields(vec![
            (f::TITLE, Value::Text("Meeting notes".into())),
            (f::BODY, Value::Text("# Notes\n- one".into())),
            (f::TARGETS, targets),
        ]),
    )];
    created(
        &sink
            .write_batch(f::NOTE, &for_profile(profile, f::NOTE, notes))
            .await
            .unwrap(),
    );

    // Updates: set and clear every kind of field.
    let upd = |o: &str, id: &str, pairs| update(o, 9, id, fields(pairs));
    let r = sink
        .write_batch(
            f::PERSON,
            &for_profile(
                profile,
                f::PERSON,
                vec![upd(
                    f::PERSON,
                    &pids[0],
                    vec![
                        (f::FIRST_NAME, Value::Text("Augusta".into())),
                        (f::CITY, Value::Null),
                        (f::PHONES, Value::Null),
                        (
                            f::EMAILS,
                            Value::Emails(vec!["augusta@acme.example".into()]),
                        ),
                        (f::LINKEDIN, Value::Null),
                        (f::COMPANY_REF, company(1)),
                        ("planTier", Value::Choice("FREE".into())),
                    ],
                )],
            ),
        )
        .await
        .unwrap();
    assert!(matches!(r[0], WriteOutcome::Updated { .. }), "{r:?}");
    let r = sink
        .write_batch(
            f::OPPORTUNITY,
            &for_profile(
                profile,
                f::OPPORTUNITY,
                vec![upd(
                    f::OPPORTUNITY,
                    &oids[0],
                    vec![
                        (f::AMOUNT, Value::Null),
                        (f::CLOSE_DATE, Value::Null),
                        (f::STAGE, Value::Choice("CUSTOMER".into())),
                        (f::POINT_OF_CONTACT, Value::Null),
                    ],
                )],
            ),
        )
        .await
        .unwrap();
    assert!(matches!(r[0], WriteOutcome::Updated { .. }), "{r:?}");
    let r = sink
        .write_batch(
            f::COMPANY,
            &for_profile(
                profile,
                f::COMPANY,
                vec![upd(
                    f::COMPANY,
                    &cids[0],
                    vec![
                        (f::EMPLOYEES, Value::Int(41)),
                        (f::ADDRESS, Value::Null),
                        (f::ANNUAL_REVENUE, money(1)),
                        (
                            crm_connectors::twenty::IDEAL_CUSTOMER_PROFILE,
                            Value::Bool(false),
                        ),
                    ],
                )],
            ),
        )
        .await
        .unwrap();
    assert!(matches!(r[0], WriteOutcome::Updated { .. }), "{r:?}");
    let r = sink
        .write_batch(
            f::TASK,
            &for_profile(
                profile,
                f::TASK,
                vec![upd(
                    f::TASK,
                    &tids[0],
                    vec![
                        (f::STATUS, Value::Choice("DONE".into())),
                        (f::DUE_AT, Value::Null),
                        (f::BODY, Value::Text("Done.".into())),
                    ],
                )],
            ),
        )
        .await
        .unwrap();
    assert!(matches!(r[0], WriteOutcome::Updated { .. }), "{r:?}");

    // Deletes and schema removal (bodiless and PATCH metadata calls).
    sink.delete(f::TASK, &tids).await.unwrap();
    sink.revert_schema(&more).await.unwrap();
    sink.revert_schema(&extra).await.unwrap();
    emu.capture_bodies(false);
    emu.captured()
}

#[tokio::test]
async fn every_request_body_matches_the_recorded_v2_openapi() {
    check_against_openapi(Profile::V2, "twenty-v2-live").await;
}

#[tokio::test]
async fn every_request_body_matches_the_recorded_v1_openapi() {
    check_against_openapi(Profile::V1, "twenty-live").await;
}

async fn check_against_openapi(profile: Profile, dir: &str) {
    let core = spec(dir, "openapi-core.json");
    let mut core = core;
    // Erratum 1 (see the module docs).
    let phone = json!({"type": "object", "properties": {
        "number": {"type": "string"}, "countryCode": {"type": "string"}, "callingCode": {"type": "string"}}});
    for (_, s) in core["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .iter_mut()
    {
        if let Some(items) = s.pointer_mut("/properties/phones/properties/additionalPhones/items") {
            *items = phone.clone();
        }
    }
    let meta = spec(dir, "openapi-metadata.json");

    let emu = TwentyEmulator::start(EmulatorConfig::default().with_profile(profile))
        .await
        .unwrap();
    let captured = representative_run(&emu, profile).await;
    let custom: Vec<String> = captured
        .iter()
        .filter(|c| c.method == "POST" && c.path == "/rest/metadata/fields")
        .filter_map(|c| c.body.as_ref()?.get("name")?.as_str().map(str::to_string))
        .collect();
    let mut extra_top: Vec<String> = ["id", "createdAt", "updatedAt"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    extra_top.extend(custom.iter().cloned());

    let mut checked: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut bodiless = 0;
    for c in &captured {
        let Some(body) = &c.body else {
            assert!(
                c.method == "GET" || c.method == "DELETE",
                "{} {} sent no JSON body",
                c.method,
                c.path
            );
            bodiless += 1;
            continue;
        };
        let (doc, rel, strict) = if let Some(p) = c.path.strip_prefix("/rest/metadata") {
            (&meta, p.to_string(), false)
        } else if let Some(p) = c.path.strip_prefix("/rest") {
            (&core, p.to_string(), true)
        } else {
            failures.push(format!("{} {}: not a REST route", c.method, c.path));
            continue;
        };
        let paths = doc["paths"].as_object().unwrap();
        let Some(t) = template(paths, &rel) else {
            failures.push(format!(
                "{} {}: no such path in the document",
                c.method, c.path
            ));
            continue;
        };
        let Some(schema) = doc["paths"][t][c.method.to_lowercase()]
            .pointer("/requestBody/content/application~1json/schema")
        else {
            failures.push(format!(
                "{} {t}: the document has no request body",
                c.method
            ));
            continue;
        };
        let mut v = Validator {
            root: doc,
            strict,
            allow_null: c.method == "PATCH",
            extra_top: extra_top.clone(),
            errors: Vec::new(),
        };
        // A batch body is an array of records: strictness applies to each record's top level.
        match (schema.get("type").and_then(J::as_str), body.as_array()) {
            (Some("array"), Some(items)) => {
                for (i, it) in items.iter().enumerate() {
                    v.check(&schema["items"], it, &format!("[{i}]"), 0);
                }
            }
            _ => v.check(schema, body, "$", 0),
        }
        *checked.entry(format!("{} {t}", c.method)).or_default() += 1;
        for e in v.errors {
            failures.push(format!("{} {}: {e}\n  body: {body}", c.method, c.path));
        }
    }
    // The validator itself catches what it must (the shapes the encoder used to send, typos).
    let person = &core["components"]["schemas"]["Person"];
    for bad in [
        json!({"emails": {"primaryEmail": "a@b.c", "additionalEmails": null}}),
        json!({"emails": {"primaryEmail": "a@b.c", "primaryEmails": "x"}}),
        json!({"companyId": "not-a-uuid"}),
        json!({"jobTitle": 3}),
        json!({"nickname": "x"}),
    ] {
        let mut v = Validator {
            root: &core,
            strict: true,
            allow_null: false,
            extra_top: extra_top.clone(),
            errors: Vec::new(),
        };
        v.check(person, &bad, "$", 0);
        assert!(!v.errors.is_empty(), "{bad} should not validate");
    }
    println!("validated bodies per route: {checked:#?}; bodiless requests: {bodiless}");
    for route in [
        "POST /batch/companies",
        "POST /batch/people",
        "POST /batch/opportunities",
        "POST /batch/tasks",
        "POST /batch/notes",
        "POST /batch/taskTargets",
        "POST /batch/noteTargets",
        "PATCH /people/{id}",
        "PATCH /opportunities/{id}",
        "PATCH /companies/{id}",
        "PATCH /tasks/{id}",
        "POST /fields",
        "PATCH /fields/{id}",
    ] {
        assert!(
            checked.contains_key(route),
            "the run sent no {route} body: {checked:?}"
        );
    }
    assert!(
        failures.is_empty(),
        "{} bodies do not validate:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
