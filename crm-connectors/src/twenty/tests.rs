//! The sink against a small fake of Twenty's REST batch endpoint (duplicate → 400 for the
//! whole batch, unknown company → 500, oversized batch → empty 500), counting requests.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use crm_core::model::{fields as f, Fields, RecordId, SourceKey, Value};
use crm_core::{Sink, WriteOp, WriteOutcome, WriteRecord};
use serde_json::{json, Value as J};

use super::{TwentyConfig, TwentySink};
use crate::http::testing::{Reply, SeenRequest, TestServer};
use crate::http::{RetryConfig, Secret};

const KNOWN_COMPANY: &str = "49e024e4-c504-47d8-87db-d3a55f3a0286";

/// A fake `POST /rest/batch/people`: all-or-nothing like the recorded server.
fn fake(existing: &[&str], max_records: usize) -> impl Fn(&SeenRequest) -> Reply {
    let emails: Arc<Mutex<HashSet<String>>> =
        Arc::new(Mutex::new(existing.iter().map(|s| s.to_string()).collect()));
    move |req| {
        if !req.target.starts_with("/rest/batch/people") {
            return Reply::json(404, json!({"statusCode": 404, "messages": ["nope"]}));
        }
        let J::Array(items) = req.json() else {
            return Reply::json(400, json!({"messages": ["Body must be an array"]}));
        };
        if items.len() > max_records {
            return Reply::empty(500);
        }
        let mut store = emails.lock().unwrap();
        let mut batch = HashSet::new();
        for it in &items {
            let e = it
                .pointer("/emails/primaryEmail")
                .and_then(J::as_str)
                .unwrap_or_default()
                .to_lowercase();
            if store.contains(&e) || !batch.insert(e.clone()) {
                return Reply::json(
                    400,
                    json!({"statusCode": 400, "error": "UserInputError", "messages": [format!("Duplicate Emails with value {e}. Please set a unique one.")]}),
                );
            }
            if let Some(c) = it.get("companyId").and_then(J::as_str) {
                if c != KNOWN_COMPANY {
                    return Reply::json(
                        500,
                        json!({"statusCode": 500, "error": "InternalServerErrorException", "messages": ["insert or update on table \"person\" violates foreign key constraint \"FK_x\""]}),
                    );
                }
            }
        }
        store.extend(batch);
        Reply::json(201, json!({"data": {"createPeople": items}}))
    }
}

fn sink(url: &str) -> TwentySink {
    let cfg = TwentyConfig::new(url, Secret::new("k"))
        .with_rate_limit(None)
        .with_retry(RetryConfig::none());
    TwentySink::new(cfg).unwrap()
}

fn person(i: usize, email: &str) -> WriteRecord {
    let mut fields = Fields::new();
    fields.insert(f::FIRST_NAME.into(), Value::Text(format!("P{i}")));
    fields.insert(f::EMAILS.into(), Value::Emails(vec![email.into()]));
    WriteRecord {
        key: SourceKey::new("t", "people", i.to_string()),
        op: WriteOp::Create { merge_on: None },
        created_at: None,
        updated_at: None,
        fields,
    }
}

fn batch_posts(s: &TestServer) -> usize {
    s.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.target.starts_with("/rest/batch/"))
        .count()
}

#[tokio::test]
async fn one_duplicate_in_fifty_is_isolated_with_few_requests() {
    let s = TestServer::start(fake(&["taken@x.io"], 10_000)).await;
    let sink = sink(&s.url);
    let mut batch: Vec<WriteRecord> = (0..50).map(|i| person(i, &format!("p{i}@x.io"))).collect();
    batch[37] = person(37, "TAKEN@x.io");
    let out = sink.write_batch(f::PERSON, &batch).await.unwrap();
    assert_eq!(out.len(), 50);
    for (i, o) in out.iter().enumerate() {
        if i == 37 {
            assert!(
                matches!(o, WriteOutcome::Rejected { reason, .. } if reason.contains("Duplicate Emails")),
                "{o:?}"
            );
        } else {
            assert!(matches!(o, WriteOutcome::Created { .. }), "{i}: {o:?}");
        }
    }
    let extra = batch_posts(&s) - 1;
    let bound = (2.0 * 50f64.log2() + 1.0).floor() as usize;
    assert!(extra <= bound, "{extra} extra requests, bound {bound}");
}

#[tokio::test]
async fn duplicate_inside_the_batch_is_refused_before_sending() {
    let s = TestServer::start(fake(&[], 10_000)).await;
    let sink = sink(&s.url);
    let batch = vec![
        person(0, "a@x.io"),
        person(1, "b@x.io"),
        person(2, "A@X.io"),
    ];
    let out = sink.write_batch(f::PERSON, &batch).await.unwrap();
    assert!(matches!(out[0], WriteOutcome::Created { .. }));
    assert!(matches!(out[1], WriteOutcome::Created { .. }));
    assert!(
        matches!(&out[2], WriteOutcome::Rejected { field: Some(f), .. } if f == "emails"),
        "{:?}",
        out[2]
    );
    assert_eq!(batch_posts(&s), 1);
}

#[tokio::test]
async fn a_500_from_one_bad_reference_does_not_fail_the_batch() {
    let s = TestServer::start(fake(&[], 10_000)).await;
    let sink = sink(&s.url);
    let mut batch: Vec<WriteRecord> = (0..8).map(|i| person(i, &format!("q{i}@x.io"))).collect();
    batch[2].fields.insert(
        f::COMPANY_REF.into(),
        Value::Id(RecordId::new(
            f::COMPANY,
            "00000000-0000-4000-8000-000000000000",
        )),
    );
    batch[3].fields.insert(
        f::COMPANY_REF.into(),
        Value::Id(RecordId::new(f::COMPANY, KNOWN_COMPANY)),
    );
    batch[5].fields.insert(
        f::COMPANY_REF.into(),
        Value::Id(RecordId::new(f::COMPANY, "not-a-uuid")),
    );
    let out = sink.write_batch(f::PERSON, &batch).await.unwrap();
    assert!(
        matches!(&out[2], WriteOutcome::Rejected { reason, .. } if reason.contains("foreign key")),
        "{:?}",
        out[2]
    );
    assert!(
        matches!(&out[5], WriteOutcome::Rejected { field: Some(_), .. }),
        "{:?}",
        out[5]
    );
    for i in [0, 1, 3, 4, 6, 7] {
        assert!(
            matches!(out[i], WriteOutcome::Created { .. }),
            "{i}: {:?}",
            out[i]
        );
    }
}

#[tokio::test]
async fn oversized_batches_are_halved() {
    let s = TestServer::start(fake(&[], 16)).await;
    let sink = sink(&s.url);
    let batch: Vec<WriteRecord> = (0..60).map(|i| person(i, &format!("r{i}@x.io"))).collect();
    let out = sink.write_batch(f::PERSON, &batch).await.unwrap();
    assert!(
        out.iter()
            .all(|o| matches!(o, WriteOutcome::Created { .. })),
        "{out:?}"
    );
    let ids: HashSet<&str> = out.iter().filter_map(|o| o.id()).collect();
    assert_eq!(ids.len(), 60);
}

#[tokio::test]
async fn created_ids_are_the_ones_sent() {
    let s = TestServer::start(fake(&[], 10_000)).await;
    let sink = sink(&s.url);
    let out = sink
        .write_batch(f::PERSON, &[person(0, "z@x.io")])
        .await
        .unwrap();
    let sent = s
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap()
        .json();
    assert_eq!(out[0].id(), sent[0]["id"].as_str());
    assert_eq!(sent[0]["name"]["firstName"], "P0");
}
