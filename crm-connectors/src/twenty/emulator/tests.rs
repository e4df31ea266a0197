//! Focused tests of the emulator's recorded behaviour, faults and rate limit.

use super::{EmulatorConfig, Fault, TwentyEmulator};
use serde_json::{json, Value};
use std::time::Duration;

/// One HTTP/1.1 exchange over a fresh connection: `(status, headers, body)`.
pub(super) async fn call(
    emu: &TwentyEmulator,
    method: &str,
    path: &str,
    body: Option<&Value>,
    key: Option<&str>,
) -> Result<(u16, axum::http::HeaderMap, Value), String> {
    use http_body_util_shim::collect;
    let addr = emu.url().trim_start_matches("http://").to_string();
    let stream = tokio::net::TcpStream::connect(&addr)
        .await
        .map_err(|e| e.to_string())?;
    let (mut send, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let bytes = body.map(|b| b.to_string()).unwrap_or_default();
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr)
        .header("content-type", "application/json");
    if let Some(k) = key {
        req = req.header("authorization", format!("Bearer {k}"));
    }
    let req = req
        .body(axum::body::Body::from(bytes))
        .map_err(|e| e.to_string())?;
    let resp = send.send_request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let raw = collect(resp.into_body()).await?;
    let v = if raw.is_empty() {
        Value::String(String::new())
    } else {
        serde_json::from_slice(&raw).map_err(|e| e.to_string())?
    };
    Ok((status, headers, v))
}

mod http_body_util_shim {
    /// Read a whole incoming body.
    pub(crate) async fn collect(body: hyper::body::Incoming) -> Result<Vec<u8>, String> {
        axum::body::to_bytes(axum::body::Body::new(body), usize::MAX)
            .await
            .map(|b| b.to_vec())
            .map_err(|e| e.to_string())
    }
}

async fn emu() -> TwentyEmulator {
    TwentyEmulator::start(EmulatorConfig::default())
        .await
        .expect("emulator starts")
}

/// The v1.4-era server (the recordings these tests were written against).
async fn emu_v1() -> TwentyEmulator {
    TwentyEmulator::start(EmulatorConfig::v1())
        .await
        .expect("emulator starts")
}

async fn ok(e: &TwentyEmulator, m: &str, p: &str, b: Option<&Value>) -> (u16, Value) {
    let (s, _, v) = call(e, m, p, b, Some(e.api_key()))
        .await
        .expect("request answered");
    (s, v)
}

#[tokio::test]
async fn auth_is_required() {
    let e = emu().await;
    let (s, _, v) = call(&e, "GET", "/rest/people", None, Some("wrong"))
        .await
        .expect("answered");
    assert_eq!(
        (s, v),
        (
            401,
            json!({"statusCode": 401, "messages": ["No payload"], "error": "UNAUTHENTICATED"})
        )
    );
    let (s, _, v) = call(
        &e,
        "POST",
        "/graphql",
        Some(&json!({"query": "{ people{ totalCount } }"})),
        None,
    )
    .await
    .expect("answered");
    assert_eq!(s, 200);
    assert_eq!(v["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn batch_with_one_duplicate_fails_whole() {
    let e = emu_v1().await;
    let (s, _) = ok(
        &e,
        "POST",
        "/rest/people",
        Some(&json!({"emails": {"primaryEmail": "Dup@X.example"}})),
    )
    .await;
    assert_eq!(s, 201);
    let batch = json!([{"emails": {"primaryEmail": "ok@x.example"}}, {"emails": {"primaryEmail": "DUP@x.example"}}]);
    let (s, v) = ok(&e, "POST", "/rest/batch/people", Some(&batch)).await;
    assert_eq!(s, 400);
    assert_eq!(
        v["messages"][0],
        "Duplicate Emails with value dup@x.example. Please set a unique one."
    );
    assert_eq!(e.count("person"), 1);
    assert_eq!(e.requests().count("POST /rest/batch/people"), 1);
}

#[tokio::test]
async fn graphql_create_many_returns_at_most_60() {
    let e = emu_v1().await;
    let data: Vec<Value> = (0..75)
        .map(|i| json!({"name": {"firstName": format!("P{i}")}}))
        .collect();
    let q = json!({"query": "mutation($d:[PersonCreateInput!]!){ createPeople(data:$d){ id } }", "variables": {"d": data}});
    let (s, v) = ok(&e, "POST", "/graphql", Some(&q)).await;
    assert_eq!(s, 200);
    assert_eq!(v["data"]["createPeople"].as_array().map(Vec::len), Some(60));
    assert_eq!(e.count("people"), 75);
}

#[tokio::test]
async fn upsert_keeps_created_at_and_unsent_fields() {
    let e = emu_v1().await;
    let sel = "{ id jobTitle city createdAt emails{primaryEmail} }";
    let q = |d: Value| json!({"query": format!("mutation($d:[PersonCreateInput!]!){{ createPeople(data:$d, upsert:true){sel} }}"), "variables": {"d": d}});
    let (_, a) = ok(&e, "POST", "/graphql", Some(&q(json!([{"emails": {"primaryEmail": "u@x.example"}, "jobTitle": "T", "createdAt": "2019-01-01T00:00:00Z"}])))).await;
    let (_, b) = ok(
        &e,
        "POST",
        "/graphql",
        Some(&q(
            json!([{"emails": {"primaryEmail": "U@X.EXAMPLE"}, "city": "C"}]),
        )),
    )
    .await;
    let (x, y) = (&a["data"]["createPeople"][0], &b["data"]["createPeople"][0]);
    assert_eq!(x["id"], y["id"]);
    assert_eq!(y["createdAt"], "2019-01-01T00:00:00.000Z");
    assert_eq!(
        (y["jobTitle"].clone(), y["city"].clone()),
        (json!("T"), json!("C"))
    );
    assert_eq!(e.count("person"), 1);
}

#[tokio::test]
async fn soft_delete_does_not_block_recreate_but_blocks_restore() {
    // The recording (probe 10) wins over twenty.md: the unique check ignores soft-deleted rows.
    let e = emu_v1().await;
    let mk = json!({"query": "mutation($d:PersonCreateInput!){ createPerson(data:$d){ id } }", "variables": {"d": {"emails": {"primaryEmail": "s@x.example"}}}});
    let (_, v) = ok(&e, "POST", "/graphql", Some(&mk)).await;
    let id = v["data"]["createPerson"]["id"].clone();
    let del = json!({"query": "mutation($id:UUID!){ deletePerson(id:$id){ id deletedAt } }", "variables": {"id": id}});
    let (_, v) = ok(&e, "POST", "/graphql", Some(&del)).await;
    assert!(v["data"]["deletePerson"]["deletedAt"].is_string());
    let (s, _) = ok(
        &e,
        "POST",
        "/rest/people",
        Some(&json!({"emails": {"primaryEmail": "s@x.example"}})),
    )
    .await;
    assert_eq!(s, 201);
    let res = json!({"query": "mutation($id:UUID!){ restorePerson(id:$id){ id } }", "variables": {"id": id}});
    let (_, v) = ok(&e, "POST", "/graphql", Some(&res)).await;
    assert_eq!(
        v["errors"][0]["extensions"]["code"],
        "INTERNAL_SERVER_ERROR"
    );
}

#[tokio::test]
async fn rest_rate_limit_answers_429() {
    let e = TwentyEmulator::start(
        EmulatorConfig::default().with_rate_limit(2, Duration::from_secs(60)),
    )
    .await
    .expect("starts");
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(ok(&e, "GET", "/rest/people", None).await.0);
    }
    assert_eq!(statuses, vec![200, 200, 429]);
}

#[tokio::test]
async fn faults_fire_in_order() {
    let e = emu().await;
    e.push_fault(Fault::TooManyRequests {
        retry_after: Some(3),
    });
    e.push_fault(Fault::ServerError(503));
    e.push_fault(Fault::Drop);
    e.push_fault(Fault::CommitThenDrop);
    e.push_fault(Fault::CommitThenStall(Duration::from_millis(50)));
    let body = json!({"name": {"firstName": "F"}});
    let (s, h, _) = call(&e, "POST", "/rest/people", Some(&body), Some(e.api_key()))
        .await
        .expect("answered");
    assert_eq!(
        (s, h.get("retry-after").and_then(|v| v.to_str().ok())),
        (429, Some("3"))
    );
    assert_eq!(ok(&e, "POST", "/rest/people", Some(&body)).await.0, 503);
    assert!(
        call(&e, "POST", "/rest/people", Some(&body), Some(e.api_key()))
            .await
            .is_err()
    );
    assert_eq!(e.count("person"), 0);
    assert!(
        call(&e, "POST", "/rest/people", Some(&body), Some(e.api_key()))
            .await
            .is_err()
    );
    assert_eq!(e.count("person"), 1);
    let t = tokio::time::Instant::now();
    assert_eq!(ok(&e, "POST", "/rest/people", Some(&body)).await.0, 201);
    assert!(t.elapsed() >= Duration::from_millis(50));
    assert_eq!(e.count("person"), 2);
    assert_eq!(e.requests().count("POST /rest/people"), 5);
}

#[tokio::test]
async fn members_filter_is_case_sensitive() {
    let e = emu().await;
    let id = e.seed_member("admin@example.com", "A", "B");
    let (_, v) = ok(
        &e,
        "GET",
        "/rest/workspaceMembers?filter=userEmail[eq]:admin@example.com",
        None,
    )
    .await;
    assert_eq!(v["data"]["workspaceMembers"][0]["id"], json!(id));
    let (_, v) = ok(
        &e,
        "GET",
        "/rest/workspaceMembers?filter=userEmail[eq]:ADMIN@EXAMPLE.COM",
        None,
    )
    .await;
    assert_eq!(v["totalCount"], 0);
}

/// v2.21 (probe 04): a bucket of `n` tokens for REST and GraphQL together; refused with 429
/// `Limit reached (…)` and no rate-limit headers; the metadata API is not limited; tokens
/// come back with time.
#[tokio::test]
async fn v2_rest_rate_limit_answers_as_recorded() {
    let e = TwentyEmulator::start(
        EmulatorConfig::default().with_rate_limit(3, Duration::from_millis(600)),
    )
    .await
    .expect("starts");
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(ok(&e, "GET", "/rest/people?limit=1", None).await.0);
    }
    let (s, h, v) = call(
        &e,
        "GET",
        "/rest/companies?limit=1",
        None,
        Some(e.api_key()),
    )
    .await
    .expect("answered");
    statuses.push(s);
    assert_eq!(statuses, vec![200, 200, 200, 429]);
    assert_eq!(
        v,
        json!({"statusCode": 429, "error": "HttpException", "messages": ["Limit reached (3 tokens per 600 ms)"]})
    );
    assert!(h
        .keys()
        .all(|k| !k.as_str().contains("ratelimit") && k != "retry-after"));
    let q = json!({"query": "{ people { edges { node { id } } } }"});
    let (s, v) = ok(&e, "POST", "/graphql", Some(&q)).await;
    assert_eq!(s, 200);
    assert_eq!(v["errors"][0]["extensions"]["subCode"], "LIMIT_REACHED");
    assert_eq!(ok(&e, "GET", "/rest/metadata/objects", None).await.0, 200);
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(ok(&e, "GET", "/rest/people?limit=1", None).await.0, 200);
}
