//! Custom fields through the Twenty sink's metadata calls, against the emulator: created once
//! across two engine runs, written to, options added in place, refusals reported, and removed
//! again by `rollback_with_schema`.
#![cfg(all(feature = "twenty", feature = "emulators"))]

use crm_connectors::http::{RetryConfig, Secret};
use crm_connectors::twenty::emulator::{EmulatorConfig, TwentyEmulator};
use crm_connectors::twenty::{TwentyConfig, TwentySink};
use crm_core::engine::{rollback_with_schema, verify, Engine, NoProgress};
use crm_core::journal::{Journal, SqliteJournal};
use crm_core::memory::MemorySource;
use crm_core::model::{fields as f, Value};
use crm_core::{
    CanonicalMapper, FieldDescriptor, FieldType, Person, Record, SchemaChange, SchemaOutcome, Sink,
    SourceKey,
};
use serde_json::Value as J;

fn sink(emu: &TwentyEmulator) -> TwentySink {
    let cfg = TwentyConfig::new(emu.url(), Secret::new(emu.api_key()))
        .with_rate_limit(None)
        .with_retry(RetryConfig::none());
    TwentySink::new(cfg).unwrap()
}

fn plan_tier() -> SchemaChange {
    SchemaChange::AddField {
        object: f::PERSON.into(),
        field: FieldDescriptor::new("planTier", FieldType::Select)
            .label("Plan tier")
            .options(["FREE", "PRO", "Enterprise plan"])
            .custom(),
    }
}

fn score() -> SchemaChange {
    SchemaChange::AddField {
        object: f::PERSON.into(),
        field: FieldDescriptor::new("legacyScore", FieldType::Integer)
            .label("Legacy score")
            .custom(),
    }
}

fn people(n: usize) -> Vec<Record> {
    (0..n)
        .map(|i| {
            let mut p = Person::new(SourceKey::new("schema", "person", format!("p{i}")));
            p.first_name = Some(format!("First{i}"));
            p.last_name = Some("Custom".into());
            p.emails = vec![format!("custom{i}@schema.example")];
            let mut r: Record = p.into();
            r.set(
                "planTier",
                Value::Choice(if i % 2 == 0 { "PRO" } else { "FREE" }.into()),
            );
            r.set("legacyScore", Value::Int(i as i64 * 10));
            r
        })
        .collect()
}

/// The person object's field `name` as the emulator describes it.
async fn field_meta(emu: &TwentyEmulator, name: &str) -> Option<J> {
    let http = reqwest_like_get(emu, "/rest/metadata/objects").await;
    // v1 wraps the list (`{data:{objects:[…]}}`), v2.21 does not (`{data:[…]}`).
    let objects = http
        .pointer("/data/objects")
        .or_else(|| http.get("data"))?
        .as_array()?
        .clone();
    let person = objects
        .into_iter()
        .find(|o| o.get("nameSingular").and_then(J::as_str) == Some("person"))?;
    person
        .get("fields")?
        .as_array()?
        .iter()
        .find(|f| f.get("name").and_then(J::as_str) == Some(name))
        .cloned()
}

async fn reqwest_like_get(emu: &TwentyEmulator, path: &str) -> J {
    let cfg = TwentyConfig::new(emu.url(), Secret::new(emu.api_key())).with_rate_limit(None);
    let client = crm_connectors::twenty::TwentyClient::new(&cfg).unwrap();
    client
        .rest(crm_connectors::http::Request::get(path))
        .await
        .unwrap()
}

#[tokio::test]
async fn custom_select_field_is_made_once_written_extended_and_rolled_back() {
    let emu = TwentyEmulator::start(EmulatorConfig::default())
        .await
        .unwrap();
    let journal = SqliteJournal::in_memory().unwrap();
    let source = MemorySource::new("schema", people(12));
    let mapper = CanonicalMapper::new([f::PERSON]);

    // Run 1: both fields are created, then records written with them.
    let s1 = sink(&emu);
    let summary = Engine::new(&source, &mapper, &s1, &journal)
        .schema(vec![plan_tier(), score()])
        .run()
        .await
        .unwrap();
    assert!(summary.balanced());
    assert_eq!(summary.totals().created, 12, "{:?}", summary.counts);
    let posts = emu.requests().count("POST /rest/metadata/fields");
    // planTier, legacyScore, and the sink's own source-key field.
    assert_eq!(posts, 3);
    let tier = field_meta(&emu, "planTier")
        .await
        .expect("planTier created");
    assert_eq!(tier["type"], "SELECT");
    let opts = tier["options"].as_array().unwrap();
    let values: Vec<&str> = opts.iter().map(|o| o["value"].as_str().unwrap()).collect();
    assert_eq!(values, ["FREE", "PRO", "ENTERPRISE_PLAN"]);
    assert_eq!(opts[2]["label"], "Enterprise plan");
    for (i, o) in opts.iter().enumerate() {
        assert_eq!(o["position"].as_f64(), Some(i as f64));
        assert!(o["color"].is_string());
    }
    assert_eq!(
        field_meta(&emu, "legacyScore").await.unwrap()["type"],
        "NUMBER"
    );
    let stored = emu.records("person");
    let pro = stored
        .iter()
        .filter(|r| r.get("planTier").and_then(J::as_str) == Some("PRO"))
        .count();
    assert_eq!(pro, 6);
    assert!(stored
        .iter()
        .any(|r| r.get("legacyScore").and_then(J::as_f64) == Some(110.0)));
    let model = s1.data_model().await.unwrap();
    let report = verify(&s1, &journal, &model).await.unwrap();
    assert!(report.clean(), "{:?}", report.differences);

    // Run 2, fresh sink: the fields exist, so nothing is created again; a value-map option is
    // added to the select in place (existing options keep their ids and positions).
    let s2 = sink(&emu);
    let add = SchemaChange::AddOptions {
        object: f::PERSON.into(),
        field: "planTier".into(),
        options: vec!["TEAM".into()],
    };
    let source2 = MemorySource::new("schema", people(14));
    let delta = crm_core::engine::EngineConfig {
        mode: crm_core::journal::RunMode::Delta,
        ..Default::default()
    };
    let summary = Engine::new(&source2, &mapper, &s2, &journal)
        .config(delta)
        .schema(vec![plan_tier(), score(), add.clone()])
        .run()
        .await
        .unwrap();
    assert!(summary.balanced());
    assert_eq!(
        emu.requests().count("POST /rest/metadata/fields"),
        posts,
        "no field is created twice"
    );
    assert_eq!(emu.requests().count("PATCH /rest/metadata/fields/{id}"), 1);
    let tier2 = field_meta(&emu, "planTier").await.unwrap();
    let opts2 = tier2["options"].as_array().unwrap();
    assert_eq!(&opts2[..3], &opts[..], "existing options kept in place");
    assert_eq!(opts2[3]["value"], "TEAM");
    assert_eq!(opts2[3]["position"].as_f64(), Some(3.0));
    // Journaled: planTier, legacyScore, TEAM — and legacyScore once more: Twenty has no
    // integer type, so the live model reads it back as Number, the engine's diff asks again,
    // and the sink answers Applied without a request (it is a field this tool made).
    let changes = journal.schema_changes().unwrap();
    assert_eq!(changes.len(), 4, "{changes:?}");
    assert_eq!(emu.count("person"), 14);

    // Rollback with schema removal: records gone, option removed, fields deleted.
    let s3 = sink(&emu);
    let rb = rollback_with_schema(&s3, &journal, &NoProgress)
        .await
        .unwrap();
    assert!(rb.complete, "{rb:?}");
    // The journal's four changes, then the source-key field the first write made.
    assert_eq!(rb.schema_removed.len(), 5, "{rb:?}");
    assert!(
        rb.schema_removed[4].contains("crmMigrateSourceKey"),
        "{rb:?}"
    );
    assert_eq!(emu.count("person"), 0);
    assert!(field_meta(&emu, "planTier").await.is_none());
    assert!(field_meta(&emu, "legacyScore").await.is_none());
    let model = s3.data_model().await.unwrap();
    assert!(model.get(f::PERSON).unwrap().get("planTier").is_none());
}

#[tokio::test]
async fn refusals_carry_the_server_message_and_bad_names_are_refused() {
    let emu = TwentyEmulator::start(EmulatorConfig::default())
        .await
        .unwrap();
    let s = sink(&emu);
    let text = |name: &str, ty| SchemaChange::AddField {
        object: f::PERSON.into(),
        field: FieldDescriptor::new(name, ty).custom(),
    };
    let out = s
        .apply_schema(&[
            // The join column of the standard `company` relation: the server refuses it.
            text("companyId", FieldType::Text),
            text("plan_tier", FieldType::Text),
            text("jobTitle", FieldType::Number),
            text("okField", FieldType::Date),
        ])
        .await
        .unwrap();
    let reason = |i: usize| match &out[i] {
        SchemaOutcome::Rejected { reason } => reason.clone(),
        o => panic!("{i}: {o:?}"),
    };
    assert!(reason(0).contains("is not available"), "{}", reason(0));
    assert!(reason(1).contains("planTier"), "{}", reason(1));
    assert!(reason(2).contains("TEXT"), "{}", reason(2));
    assert_eq!(out[3], SchemaOutcome::Applied);
    // The cached model was refreshed: the new field is writable at once.
    let model = s.data_model().await.unwrap();
    assert_eq!(
        model.get(f::PERSON).unwrap().get("okField").map(|f| f.ty),
        Some(FieldType::Date)
    );
    // Reverting twice is harmless.
    s.revert_schema(&text("okField", FieldType::Date))
        .await
        .unwrap();
    s.revert_schema(&text("okField", FieldType::Date))
        .await
        .unwrap();
    assert!(s
        .data_model()
        .await
        .unwrap()
        .get(f::PERSON)
        .unwrap()
        .get("okField")
        .is_none());
}
