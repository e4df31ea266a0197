//! [`UsercomApiSource`] against the emulator: every object read completely, across pages,
//! through injected faults; the same records as the CSV sample; the key kept secret.

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

use crm_core::{ErrorKind, RawRecord, Source, SourceExt};
use futures::StreamExt;

use super::*;
use crate::http::RetryConfig;
use crate::usercom::{
    generate, UsercomApiConfig, UsercomApiSource, UsercomCsvSource, UsercomEndpoint,
};

fn fast_retry() -> RetryConfig {
    RetryConfig::default()
        .with_backoff(Duration::from_millis(5), Duration::from_millis(20))
        .with_jitter(false)
        .with_max_retries(4)
        .with_deadline(Duration::from_secs(30))
}

fn source(emu: &UsercomEmulator) -> UsercomApiSource {
    let config = UsercomApiConfig::new(emu.url(), emu.api_key().into())
        .with_rate_limit(None, 1)
        .with_retry(fast_retry())
        .with_endpoint(UsercomEndpoint::nested(
            "conversation_messages",
            "conversations/{id}/messages/",
            "conversations",
            "conversation_id",
        ));
    UsercomApiSource::new(config).unwrap()
}

async fn all(src: &dyn Source, object: &str) -> Vec<RawRecord> {
    let rows: Vec<_> = src.stream(object).collect().await;
    rows.into_iter().map(|r| r.expect("read")).collect()
}

fn ids(rows: &[RawRecord]) -> BTreeSet<String> {
    rows.iter().map(|r| r.key.id.clone()).collect()
}

#[tokio::test]
async fn every_object_is_read_completely_through_faults_and_matches_the_csv() {
    let emu = UsercomEmulator::start(UsercomEmulatorConfig::new(150, 7).with_page_size(7))
        .await
        .unwrap();
    emu.push_fault(
        UsercomFault::TooManyRequests {
            retry_after: Some(1),
        },
        Some("users/"),
    );
    emu.push_fault(UsercomFault::ServerError(503), None);
    emu.push_fault(UsercomFault::ServerError(500), Some("deals/"));
    emu.push_fault(
        UsercomFault::TooManyRequests { retry_after: None },
        Some("users/4"),
    );
    emu.push_fault(UsercomFault::ServerError(502), Some("segments/2/users/"));
    let src = source(&emu);
    src.check().await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let summary = generate(dir.path(), 150, 7).unwrap();
    let csv = UsercomCsvSource::open(dir.path()).unwrap();

    for object in src.objects().await.unwrap() {
        let rows = all(&src, &object).await;
        let unique = ids(&rows);
        assert_eq!(
            unique.len(),
            rows.len(),
            "{object}: no duplicates across pages"
        );
        assert!(rows
            .iter()
            .all(|r| r.key.system == "usercom" && r.key.object == object));
        let expected = match object.as_str() {
            "segment_members" => (1..=3)
                .map(|s| emu.count(&format!("segments/{s}/users/")).unwrap())
                .sum(),
            "events" => (1..=150)
                .map(|u| emu.count(&format!("users/{u}/events/")).unwrap())
                .sum(),
            "conversation_messages" => summary.conversation_messages,
            o => emu.count(&format!("{o}/")).unwrap(),
        };
        assert_eq!(rows.len(), expected, "{object}: no gaps");
        if summary.objects.iter().any(|(o, _)| *o == object) || object == "conversation_messages" {
            assert_eq!(
                unique,
                ids(&all(&csv, &object).await),
                "{object}: same records as the CSV"
            );
        }
    }
    assert_eq!(emu.pending_faults(), 0, "every fault was hit");
    assert_eq!(emu.log().faulted, 5);

    // Values stay JSON; per-parent records carry their parent.
    let users = all(&src, "users").await;
    assert_eq!(users.len(), summary.count("users"));
    assert!(users[0].fields["unsubscribed"].is_boolean());
    // Custom attributes are unpacked from the `attributes` array into top-level keys, as
    // the CSV export has them.
    assert!(users.iter().all(|u| !u.fields.contains_key("attributes")));
    assert!(users
        .iter()
        .any(|u| u.fields.get("newsletter").is_some_and(|v| v.is_boolean())));
    assert!(users.iter().any(|u| u.fields.contains_key("plan")));
    let members = all(&src, "segment_members").await;
    assert!(members.iter().all(|m| m.fields["segment_id"].is_number()));
    let attributes = all(&src, "attributes").await;
    let plan = attributes
        .iter()
        .find(|a| a.fields["name_std"] == "plan")
        .unwrap();
    assert_eq!(plan.fields["value_type"], "fixed");
    assert_eq!(plan.fields["choices"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn pages_follow_next_links_without_gaps_or_repeats() {
    let emu = UsercomEmulator::start(UsercomEmulatorConfig::new(100, 3).with_page_size(9))
        .await
        .unwrap();
    let src = source(&emu);
    let mut cursor = None;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = src.read_page("users", cursor.take()).await.unwrap();
        pages += 1;
        assert!(page.items.len() <= 9);
        seen.extend(page.items.into_iter().map(|r| r.key.id));
        match page.next {
            Some(n) => {
                assert!(n.starts_with(&emu.url()), "the cursor is the next URL: {n}");
                cursor = Some(n);
            }
            None => break,
        }
    }
    assert_eq!(pages, 12);
    let expected: Vec<String> = (1..=100).map(|i| i.to_string()).collect();
    assert_eq!(seen, expected);
    assert_eq!(emu.log().count("GET /api/public/users/"), 12);

    // Resuming a per-parent read from a saved cursor repeats and skips nothing.
    let mut first = src.read_page("events", None).await.unwrap();
    let mut keys: Vec<String> = first.items.drain(..).map(|r| r.key.id).collect();
    let mut cursor = first.next;
    let resumed = source(&emu);
    while let Some(c) = cursor {
        let page = resumed.read_page("events", Some(c)).await.unwrap();
        keys.extend(page.items.into_iter().map(|r| r.key.id));
        cursor = page.next;
    }
    let unique: HashSet<_> = keys.iter().collect();
    assert_eq!(unique.len(), keys.len());
    let expected: usize = (1..=100)
        .map(|u| emu.count(&format!("users/{u}/events/")).unwrap())
        .sum();
    assert_eq!(keys.len(), expected);
}

#[tokio::test]
async fn the_key_never_shows_and_refusals_are_classified() {
    let emu = UsercomEmulator::start(UsercomEmulatorConfig::default())
        .await
        .unwrap();
    let wrong = "wrong-key-that-must-not-leak-0123456789";
    let src = UsercomApiSource::new(
        UsercomApiConfig::new(emu.url(), wrong.into()).with_retry(fast_retry()),
    )
    .unwrap();
    let err = src.read_page("users", None).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    for text in [
        format!("{err}"),
        format!("{err:?}"),
        format!("{src:?}"),
        format!("{:?}", src.config()),
    ] {
        assert!(!text.contains(wrong), "{text}");
    }

    let right = source(&emu);
    let err = right.read_page("nope", None).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let missing = UsercomApiSource::new(
        UsercomApiConfig::new(emu.url(), emu.api_key().into())
            .with_retry(fast_retry())
            .with_endpoint(UsercomEndpoint::list("pipelines", "pipelines/")),
    )
    .unwrap();
    let err = missing.read_page("pipelines", None).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(!format!("{err:?}").contains(emu.api_key()));

    let mut v1 = UsercomApiConfig::new(emu.url(), emu.api_key().into()).with_retry(fast_retry());
    v1.api_version = "1".into();
    let err = UsercomApiSource::new(v1)
        .unwrap()
        .read_page("users", None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("406"), "{err}");

    // Retries are bounded: a server that keeps failing is reported after max_retries.
    for _ in 0..10 {
        emu.push_fault(UsercomFault::ServerError(503), None);
    }
    let before = emu.log().total;
    let err = right.read_page("tags", None).await.unwrap_err();
    assert!(err.to_string().contains("503"), "{err}");
    assert_eq!(emu.log().total - before, 5, "one attempt and four retries");
}

#[tokio::test]
async fn next_links_to_another_host_are_not_followed() {
    use crate::http::testing::{Reply, TestServer};
    let server = TestServer::start(|_| {
        Reply::json(
            200,
            serde_json::json!({"count": 2, "next": "https://evil.example/api/public/users/?cursor=2", "previous": null, "results": [{"id": 1}]}),
        )
    })
    .await;
    let src = UsercomApiSource::new(
        UsercomApiConfig::new(format!("{}/api/public/", server.url), "k-123".into())
            .with_retry(fast_retry()),
    )
    .unwrap();
    let page = src.read_page("users", None).await.unwrap();
    let seen = server.requests();
    assert_eq!(seen[0].header("authorization"), Some("Token k-123"));
    assert_eq!(seen[0].header("accept"), Some("*/*; version=2"));
    assert_eq!(seen[0].target, "/api/public/users/");
    let err = src.read_page("users", page.next).await.unwrap_err();
    assert!(err.to_string().contains("not following"), "{err}");
    assert_eq!(server.count(), 1);
}

/// The proposal works from the API too: types and labels from `GET attributes/`, stage
/// ids (the API gives ids where the export gives names) kept apart from the documented
/// status codes that also set the stage.
#[tokio::test]
async fn the_proposal_comes_from_the_api_with_its_attribute_list() {
    let emu = UsercomEmulator::start(UsercomEmulatorConfig::new(60, 3))
        .await
        .unwrap();
    let src = source(&emu);
    let model = crate::twenty::twenty_standard_model().reserved(["plan"]);
    let p = crate::usercom::propose::propose(&src, &model)
        .await
        .unwrap();
    let users = p.spec.object("users", "person").unwrap();
    let plan = users.fields.iter().find(|f| f.source == "plan").unwrap();
    assert_eq!(plan.target, "usercomPlan");
    let field = p
        .spec
        .custom_fields
        .iter()
        .find(|c| c.name == "usercomPlan")
        .unwrap();
    assert_eq!(field.label, "Plan", "the label from GET attributes/");
    assert_eq!(field.ty, crm_transform::mapping::CustomFieldType::Select);
    let deals = p.spec.object("deals", "opportunity").unwrap();
    let stage_lines: Vec<&str> = deals
        .fields
        .iter()
        .filter(|f| f.target == "stage")
        .map(|f| f.source.as_str())
        .collect();
    assert_eq!(stage_lines, ["status"], "{:?}", p.notes);
    assert!(
        p.notes
            .iter()
            .any(|n| n.starts_with("deals.stage is left out")),
        "{:?}",
        p.notes
    );
    crm_transform::SpecMapper::new(p.spec.clone(), Some(model)).unwrap();
}
