//! Detect, don't assume (issue 10): what `TwentySink::check` finds out about the server, on
//! the emulator's v2.21 and v1.4 profiles, and a batch cap learned from the server's own
//! refusal ("Maximum number of records to upsert is N.") with the batch re-split at it.
#![cfg(all(feature = "twenty", feature = "emulators"))]

use crm_connectors::http::{RetryConfig, Secret};
use crm_connectors::twenty::emulator::{EmulatorConfig, TwentyEmulator};
use crm_connectors::twenty::{ApiGeneration, TwentyConfig, TwentySink};
use crm_core::model::{fields as f, Value};
use crm_core::{Sink, SourceKey, WriteOp, WriteOutcome, WriteRecord};

fn sink(emu: &TwentyEmulator) -> TwentySink {
    let cfg = TwentyConfig::new(emu.url(), Secret::new(emu.api_key()))
        .with_rate_limit(None)
        .with_retry(RetryConfig::none());
    TwentySink::new(cfg).unwrap()
}

fn person(i: usize) -> WriteRecord {
    WriteRecord {
        key: SourceKey::new("test", "contacts", i.to_string()),
        op: WriteOp::Create { merge_on: None },
        created_at: None,
        updated_at: None,
        fields: [
            (f::FIRST_NAME.to_string(), Value::Text(format!("P{i}"))),
            (
                f::EMAILS.to_string(),
                Value::Emails(vec![format!("p{i}@example.com")]),
            ),
        ]
        .into_iter()
        .collect(),
    }
}

#[tokio::test]
async fn a_v2_server_is_found_to_be_one() {
    let emu = TwentyEmulator::start(EmulatorConfig::default())
        .await
        .unwrap();
    let sink = sink(&emu);
    assert!(
        sink.capabilities_found().is_none(),
        "nothing found before the probe"
    );
    sink.check().await.unwrap();
    let caps = sink.capabilities_found().unwrap();
    assert_eq!(caps.api_generation, ApiGeneration::V2);
    assert_eq!(caps.batch_cap, Some(200));
    assert_eq!(caps.rest_upsert, Some(true));
    assert_eq!(
        caps.target_columns.get(f::PERSON).map(String::as_str),
        Some("targetPersonId")
    );
    assert_eq!(
        caps.target_columns.get(f::COMPANY).map(String::as_str),
        Some("targetCompanyId")
    );
    assert_eq!(
        caps.rich_text,
        Some(("RICH_TEXT".to_string(), "bodyV2".to_string())),
        "v2.21 calls the body's type RICH_TEXT (live metadata)"
    );
    for gone in [
        "person.city",
        "person.xLink",
        "company.employees",
        "company.idealCustomerProfile",
    ] {
        assert!(
            caps.missing_v1_fields.iter().any(|x| x == gone),
            "{gone}: {caps:?}"
        );
    }
    assert!(
        !caps.rate_limit_headers.seen,
        "v2.21 sends no rate-limit header"
    );
    assert_eq!(sink.capabilities().max_batch_size, 200);
    // The live model follows the server: no field v2 lacks is claimed.
    let model = sink.data_model().await.unwrap();
    assert!(model.get(f::PERSON).unwrap().get(f::CITY).is_none());
    assert!(model.get(f::COMPANY).unwrap().get(f::EMPLOYEES).is_none());
    assert!(model
        .get(f::COMPANY)
        .unwrap()
        .get(f::ANNUAL_REVENUE)
        .is_some());
    assert!(model.get(f::TASK).unwrap().get(f::TARGETS).is_some());
    // Serialisable for the report.
    let j = serde_json::to_value(&caps).unwrap();
    assert_eq!(j["api_generation"], "v2");
}

#[tokio::test]
async fn a_v1_server_is_found_to_be_one() {
    let emu = TwentyEmulator::start(EmulatorConfig::v1()).await.unwrap();
    let sink = sink(&emu);
    sink.check().await.unwrap();
    let caps = sink.capabilities_found().unwrap();
    assert_eq!(caps.api_generation, ApiGeneration::V1);
    assert_eq!(caps.batch_cap, None);
    assert_eq!(caps.rest_upsert, Some(false));
    assert_eq!(
        caps.target_columns.get(f::PERSON).map(String::as_str),
        Some("personId")
    );
    assert!(caps.missing_v1_fields.is_empty(), "{caps:?}");
    assert_eq!(caps.active_workflows, None, "no workflow objects on v1");
    assert_eq!(
        caps.rich_text,
        Some(("RICH_TEXT_V2".to_string(), "bodyV2".to_string()))
    );
    let model = sink.data_model().await.unwrap();
    assert!(model.get(f::PERSON).unwrap().get(f::CITY).is_some());
}

/// A server whose cap is lower than the one its generation is known for says so; the batch is
/// re-split at the stated cap (no halving), nothing is lost or doubled, and the cap is kept.
#[tokio::test]
async fn a_stated_batch_cap_is_learned_and_the_batch_re_split() {
    let emu = TwentyEmulator::start(EmulatorConfig::default().with_max_batch(50))
        .await
        .unwrap();
    let sink = sink(&emu);
    sink.check().await.unwrap();
    assert_eq!(sink.capabilities_found().unwrap().batch_cap, Some(200));
    let batch: Vec<WriteRecord> = (0..120).map(person).collect();
    let out = sink.write_batch(f::PERSON, &batch).await.unwrap();
    assert!(
        out.iter()
            .all(|o| matches!(o, WriteOutcome::Created { .. })),
        "{out:?}"
    );
    assert_eq!(emu.count("people"), 120);
    // One refused request of 120, then 50 + 50 + 20.
    assert_eq!(emu.requests().count("POST /rest/batch/people"), 4);
    let caps = sink.capabilities_found().unwrap();
    assert_eq!(caps.batch_cap, Some(50));
    assert!(caps.batch_cap_source.contains("stated"), "{caps:?}");
    assert_eq!(sink.capabilities().max_batch_size, 50);
}

/// Task targets go in requests of at most the cap: 150 tasks with two targets each are 300
/// junction rows, two requests on a v2 server (not one refused request and 150 more).
#[tokio::test]
async fn target_rows_go_in_requests_of_the_cap() {
    use crm_core::model::RecordId;
    let emu = TwentyEmulator::start(EmulatorConfig::default())
        .await
        .unwrap();
    let sink = sink(&emu);
    sink.check().await.unwrap();
    let companies: Vec<WriteRecord> = (0..2)
        .map(|i| WriteRecord {
            key: SourceKey::new("test", "companies", i.to_string()),
            op: WriteOp::Create { merge_on: None },
            created_at: None,
            updated_at: None,
            fields: [(f::NAME.to_string(), Value::Text(format!("C{i}")))]
                .into_iter()
                .collect(),
        })
        .collect();
    let ids: Vec<String> = sink
        .write_batch(f::COMPANY, &companies)
        .await
        .unwrap()
        .into_iter()
        .map(|o| match o {
            WriteOutcome::Created { id } => id,
            o => panic!("{o:?}"),
        })
        .collect();
    let targets = Value::Ids(ids.iter().map(|id| RecordId::new(f::COMPANY, id)).collect());
    let tasks: Vec<WriteRecord> = (0..150)
        .map(|i| WriteRecord {
            key: SourceKey::new("test", "tasks", i.to_string()),
            op: WriteOp::Create { merge_on: None },
            created_at: None,
            updated_at: None,
            fields: [
                (f::TITLE.to_string(), Value::Text(format!("T{i}"))),
                (f::TARGETS.to_string(), targets.clone()),
            ]
            .into_iter()
            .collect(),
        })
        .collect();
    let out = sink.write_batch(f::TASK, &tasks).await.unwrap();
    assert!(
        out.iter()
            .all(|o| matches!(o, WriteOutcome::Created { .. })),
        "{out:?}"
    );
    assert_eq!(emu.count("taskTargets"), 300);
    assert_eq!(emu.requests().count("POST /rest/batch/taskTargets"), 2);
    let row = &emu.records("taskTarget")[0];
    assert!(
        row.get("targetCompanyId").is_some_and(|v| v.is_string()),
        "{row}"
    );
}

/// Where asked, records are created with the `createdBy.source` a person chose (the v2.21 seed
/// workflow skips `EMAIL`); by default the server's own (`API`) is left in place.
#[tokio::test]
async fn created_by_source_is_written_only_when_asked() {
    let emu = TwentyEmulator::start(EmulatorConfig::default())
        .await
        .unwrap();
    let plain = sink(&emu);
    plain.write_batch(f::PERSON, &[person(1)]).await.unwrap();
    let asked = TwentySink::new(
        TwentyConfig::new(emu.url(), Secret::new(emu.api_key()))
            .with_rate_limit(None)
            .with_created_by_source("EMAIL"),
    )
    .unwrap();
    asked.write_batch(f::PERSON, &[person(2)]).await.unwrap();
    let source_of = |email: &str| {
        emu.records("person")
            .into_iter()
            .find(|r| r["emails"]["primaryEmail"] == email)
            .map(|r| r["createdBy"]["source"].clone())
    };
    assert_eq!(source_of("p1@example.com"), Some(serde_json::json!("API")));
    assert_eq!(
        source_of("p2@example.com"),
        Some(serde_json::json!("EMAIL"))
    );
}

/// Paced at the server's rate (its bucket of 20 a second here, standing in for v2.21's 100 a
/// minute), a client makes 60 requests and is never refused: no 429 was retried, so the
/// server saw exactly 60. Without the limiter the same client is refused and retries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paced_at_the_servers_rate_no_429_is_received() {
    use std::time::Duration;
    let config = || EmulatorConfig::default().with_rate_limit(20, Duration::from_secs(1));
    let get = || crm_connectors::http::Request::get("/rest/people").query("limit", "1");

    let emu = TwentyEmulator::start(config()).await.unwrap();
    let paced = TwentySink::new(
        TwentyConfig::new(emu.url(), Secret::new(emu.api_key())).with_rate_limit(Some(1200)),
    )
    .unwrap();
    for _ in 0..60 {
        paced.client().rest(get()).await.unwrap();
    }
    assert_eq!(
        emu.requests().count("GET /rest/people"),
        60,
        "a 429 was received"
    );

    let emu = TwentyEmulator::start(config()).await.unwrap();
    let unpaced = TwentySink::new(
        TwentyConfig::new(emu.url(), Secret::new(emu.api_key()))
            .with_rate_limit(None)
            .with_retry(
                RetryConfig::default()
                    .with_max_retries(10)
                    .with_backoff(Duration::from_millis(20), Duration::from_millis(100)),
            ),
    )
    .unwrap();
    for _ in 0..60 {
        unpaced.client().rest(get()).await.unwrap();
    }
    assert!(
        emu.requests().count("GET /rest/people") > 60,
        "without pacing the server refuses some requests"
    );
}

/// The prescan primitives: every source key and every unique email of an object, read in
/// pages of 200 (3 requests for 450 people), not one lookup per batch.
#[tokio::test]
async fn source_keys_and_unique_values_are_listed_in_pages() {
    for config in [EmulatorConfig::default(), EmulatorConfig::v1()] {
        let emu = TwentyEmulator::start(config).await.unwrap();
        let sink = sink(&emu);
        assert_eq!(all_source_keys(&sink).await, Some(vec![]));
        let batch: Vec<WriteRecord> = (0..450).map(person).collect();
        let mut ids = Vec::new();
        for chunk in batch.chunks(200) {
            for o in sink.write_batch(f::PERSON, chunk).await.unwrap() {
                match o {
                    WriteOutcome::Created { id } => ids.push(id),
                    o => panic!("{o:?}"),
                }
            }
        }
        let before = emu.requests().count("GET /rest/people");
        let mut keys = all_source_keys(&sink).await.unwrap();
        assert_eq!(emu.requests().count("GET /rest/people") - before, 3);
        keys.sort();
        let mut want: Vec<(String, String)> = batch
            .iter()
            .zip(&ids)
            .map(|(w, id)| (w.key.to_string(), id.clone()))
            .collect();
        want.sort();
        assert_eq!(keys, want);
        let emails = sink
            .list_unique_values(f::PERSON, f::EMAILS)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(emails.len(), 450);
        assert!(emails
            .iter()
            .any(|(e, id)| e == "p7@example.com" && *id == ids[7]));
    }
}

/// The source-key field the first write made is removed on request, from every object that
/// has it (what `rollback --remove-schema` needs once the records are gone).
#[tokio::test]
async fn source_key_fields_are_removed_on_request() {
    let emu = TwentyEmulator::start(EmulatorConfig::default())
        .await
        .unwrap();
    let sink = sink(&emu);
    let out = sink.write_batch(f::PERSON, &[person(1)]).await.unwrap();
    let WriteOutcome::Created { id } = &out[0] else {
        panic!("{out:?}")
    };
    assert_eq!(emu.requests().count("POST /rest/metadata/fields"), 1);
    sink.delete(f::PERSON, std::slice::from_ref(id))
        .await
        .unwrap();
    let removed = sink.remove_source_key_fields().await.unwrap();
    assert_eq!(removed, vec![f::PERSON.to_string()]);
    assert_eq!(emu.requests().count("DELETE /rest/metadata/fields/{id}"), 1);
    assert_eq!(all_source_keys(&sink).await, Some(vec![]));
    assert!(sink.remove_source_key_fields().await.unwrap().is_empty());
}

/// On a server found to be v2, a rollback's deletes go 60 ids a request (destroy-many by
/// filter, probe 10), not one request per record; an id that is not there is NotFound. A v1
/// server is asked one by one.
#[tokio::test]
async fn deletes_go_many_at_a_time_on_v2() {
    use crm_core::DeleteOutcome;
    for (config, per_request) in [
        (EmulatorConfig::default(), true),
        (EmulatorConfig::v1(), false),
    ] {
        let emu = TwentyEmulator::start(config).await.unwrap();
        // No `check` first: a rollback in a new process probes on its own.
        let sink = sink(&emu);
        let batch: Vec<WriteRecord> = (0..150).map(person).collect();
        let mut ids: Vec<String> = sink
            .write_batch(f::PERSON, &batch)
            .await
            .unwrap()
            .into_iter()
            .map(|o| match o {
                WriteOutcome::Created { id } => id,
                o => panic!("{o:?}"),
            })
            .collect();
        ids.push("00000000-0000-4000-8000-000000000000".into());
        let out = sink.delete(f::PERSON, &ids).await.unwrap();
        assert_eq!(out.len(), 151);
        assert!(
            out[..150].iter().all(|o| *o == DeleteOutcome::Deleted),
            "{out:?}"
        );
        assert_eq!(out[150], DeleteOutcome::NotFound);
        assert_eq!(emu.count("people"), 0);
        let log = emu.requests();
        if per_request {
            assert_eq!(log.count("DELETE /rest/people"), 3);
            assert_eq!(log.count("DELETE /rest/people/{id}"), 0);
        } else {
            assert_eq!(log.count("DELETE /rest/people/{id}"), 151);
        }
    }
}

/// Every `(source key, id)` of people, read page by page as a first run does.
async fn all_source_keys(sink: &TwentySink) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = sink.source_key_page(f::PERSON, cursor).await.unwrap()?;
        out.extend(page.items.into_iter().map(|(k, id)| (k.to_string(), id)));
        match page.next {
            Some(c) => cursor = Some(c),
            None => return Some(out),
        }
    }
}

/// A server that is down is named as such, once, with what to check (not reqwest's chain
/// "error sending request: error sending request: client error …").
#[tokio::test]
async fn a_server_that_is_down_says_so_in_words() {
    let sink = TwentySink::new(
        TwentyConfig::new("http://127.0.0.1:9", Secret::new("k"))
            .with_rate_limit(None)
            .with_retry(RetryConfig::none()),
    )
    .unwrap();
    let err = sink.check().await.unwrap_err().to_string();
    assert!(err.contains("cannot be reached"), "{err}");
    assert!(err.contains("check the URL"), "{err}");
    assert!(
        err.matches("error sending request").count() <= 1,
        "said once: {err}"
    );
}
