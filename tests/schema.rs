//! Schema changes from the mapping: custom fields and new select options are made before
//! loading, never twice, survive a reopen, and rollback can remove them.

use crm_migrate::connectors::sandbox::SandboxSink;
use crm_migrate::connectors::twenty::twenty_standard_model;
use crm_migrate::core::engine::{rollback_with_schema, Engine, NoProgress};
use crm_migrate::core::journal::{Journal, SqliteJournal};
use crm_migrate::core::memory::MemorySource;
use crm_migrate::core::{RawRecord, Sink, SourceKey, Value};
use crm_migrate::transform::mapping::MappingSpec;
use crm_migrate::transform::SpecMapper;

const SPEC: &str = r#"
[meta]
source = "export"
destination = "twenty"

[[objects]]
source = "contacts"
target = "person"

[[objects.fields]]
source = "email"
target = "emails"
transform = "emails"

[[objects.fields]]
source = "plan"
target = "planTier"
transform = "choice"

[objects.value_maps.planTier]
free = "FREE"
pro = "PRO"

[[objects]]
source = "deals"
target = "opportunity"

[[objects.fields]]
source = "title"
target = "name"
transform = "text"

[[objects.fields]]
source = "status"
target = "stage"
transform = "choice"

[objects.value_maps.stage]
lost = "LOST"
won = "CUSTOMER"

[[custom_fields]]
object = "person"
name = "planTier"
label = "Plan tier"
type = "select"
options = ["FREE", "PRO"]
"#;

fn raw(object: &str, id: &str, cells: &[(&str, &str)]) -> RawRecord {
    let mut fields = serde_json::Map::new();
    for (k, v) in cells {
        fields.insert(k.to_string(), serde_json::json!(v));
    }
    fields.insert("id".into(), serde_json::json!(id));
    RawRecord {
        key: SourceKey::new("export", object, id),
        fields,
    }
}

fn source() -> MemorySource {
    MemorySource::new("export", [])
        .with_raw(
            "contacts",
            vec![
                raw(
                    "contacts",
                    "1",
                    &[("email", "a@x.example"), ("plan", "pro")],
                ),
                raw(
                    "contacts",
                    "2",
                    &[("email", "b@x.example"), ("plan", "Free")],
                ),
            ],
        )
        .with_raw(
            "deals",
            vec![
                raw("deals", "9", &[("title", "Gone"), ("status", "lost")]),
                raw("deals", "8", &[("title", "Won"), ("status", "won")]),
            ],
        )
}

#[tokio::test]
async fn custom_fields_and_options_are_made_once_and_removed_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dest.sqlite");
    let spec = MappingSpec::from_toml(SPEC).unwrap();
    let changes = spec.schema_changes();
    let base = twenty_standard_model();
    let mapper = SpecMapper::new(spec, Some(base.clone())).unwrap();
    let journal = SqliteJournal::open(dir.path().join("state")).unwrap();
    {
        let sink = SandboxSink::open(&db, base.clone()).unwrap();
        let summary = Engine::new(&source(), &mapper, &sink, &journal)
            .schema(changes.clone())
            .run()
            .await
            .unwrap();
        assert!(summary.balanced());
        assert_eq!(summary.totals().created, 4, "{:?}", summary.counts);
        let model = sink.model();
        let plan = model.get("person").unwrap().get("planTier").unwrap();
        assert_eq!(plan.options, vec!["FREE", "PRO"]);
        assert!(model
            .get("opportunity")
            .unwrap()
            .get("stage")
            .unwrap()
            .options
            .contains(&"LOST".to_string()));
        let p1 = journal
            .id_entry(&SourceKey::new("export", "contacts", "1"))
            .unwrap()
            .unwrap();
        assert_eq!(
            p1.written.get("planTier"),
            Some(&Value::Choice("PRO".into()))
        );
        assert_eq!(
            journal.schema_changes().unwrap().len(),
            2,
            "one field, one option set"
        );
    }
    // A reopened sandbox still has the field; asking again changes nothing.
    let sink = SandboxSink::open(&db, base.clone()).unwrap();
    assert!(sink
        .model()
        .get("person")
        .unwrap()
        .get("planTier")
        .is_some());
    assert!(sink
        .data_model()
        .await
        .unwrap()
        .missing(&changes)
        .is_empty());

    let report = rollback_with_schema(&sink, &journal, &NoProgress)
        .await
        .unwrap();
    assert!(report.complete);
    assert_eq!(report.schema_removed.len(), 2, "{report:?}");
    assert_eq!(sink.model(), base, "the destination model is as it was");
    assert_eq!(sink.count("person").unwrap(), 0);
    let reopened = SandboxSink::open(&db, base.clone()).unwrap();
    assert_eq!(reopened.model(), base);
}

#[tokio::test]
async fn a_sink_that_cannot_change_its_schema_fails_before_any_record_moves() {
    let spec = MappingSpec::from_toml(SPEC).unwrap();
    let changes = spec.schema_changes();
    let sink = crm_migrate::core::memory::MemorySink::new(twenty_standard_model());
    let mapper = SpecMapper::new(spec, Some(twenty_standard_model())).unwrap();
    let journal = SqliteJournal::in_memory().unwrap();
    let err = Engine::new(&source(), &mapper, &sink, &journal)
        .schema(changes)
        .run()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("cannot make schema changes"),
        "{err}"
    );
    assert_eq!(sink.count("person"), 0);
}

const OBJECT_SPEC: &str = r#"
[meta]
source = "export"
destination = "twenty"

[[objects]]
source = "invoices"
target = "invoice"

[[objects.fields]]
source = "number"
target = "number"
transform = "text"

[[objects.fields]]
source = "total"
target = "total"
transform = "money"

[[objects.fields]]
source = "status"
target = "paymentStatus"
transform = "choice"

[objects.value_maps.paymentStatus]
paid = "PAID"
open = "OPEN"

[[custom_objects]]
name = "invoice"
label = "Invoice"

[[custom_fields]]
object = "invoice"
name = "number"
label = "Number"
type = "text"

[[custom_fields]]
object = "invoice"
name = "total"
label = "Total"
type = "currency"

[[custom_fields]]
object = "invoice"
name = "paymentStatus"
label = "Payment status"
type = "select"
options = ["OPEN", "PAID"]
"#;

fn invoices() -> MemorySource {
    MemorySource::new("export", []).with_raw(
        "invoices",
        (1..=7)
            .map(|i| {
                raw(
                    "invoices",
                    &i.to_string(),
                    &[
                        ("number", &format!("FV/{i}/2024")),
                        ("total", "1 250.50 EUR"),
                        ("status", if i % 2 == 0 { "paid" } else { "open" }),
                    ],
                )
            })
            .collect(),
    )
}

async fn custom_object_round_trip(sink: &dyn Sink, base: &crm_migrate::core::DataModel) {
    let spec = MappingSpec::from_toml(OBJECT_SPEC).unwrap();
    let changes = spec.schema_changes();
    assert!(
        matches!(&changes[0], crm_migrate::core::SchemaChange::AddObject { object } if object.fields.len() == 3)
    );
    let mapper = SpecMapper::new(spec, Some(base.clone())).unwrap();
    let journal = SqliteJournal::in_memory().unwrap();
    let summary = Engine::new(&invoices(), &mapper, sink, &journal)
        .schema(changes.clone())
        .run()
        .await
        .unwrap();
    assert_eq!(summary.totals().created, 7, "{:?}", summary.counts);
    let live = sink.data_model().await.unwrap();
    assert!(live
        .get("invoice")
        .is_some_and(|o| o.get("paymentStatus").is_some()));
    assert!(
        live.missing(&changes).is_empty(),
        "asking again changes nothing"
    );
    let v = crm_migrate::core::engine::verify(sink, &journal, &live)
        .await
        .unwrap();
    assert!(v.clean(), "{:?}", v.differences);
    let r = rollback_with_schema(sink, &journal, &NoProgress)
        .await
        .unwrap();
    assert!(
        r.complete && r.schema_removed.iter().any(|c| c.contains("invoice")),
        "{r:?}"
    );
    assert!(
        sink.data_model().await.unwrap().get("invoice").is_none(),
        "the object is gone"
    );
}

#[tokio::test]
async fn a_custom_object_is_created_loaded_and_removed_in_the_sandbox() {
    let base = twenty_standard_model();
    let sink = SandboxSink::in_memory(base.clone()).unwrap();
    custom_object_round_trip(&sink, &base).await;
    assert_eq!(sink.model(), base);
}

#[cfg(feature = "emulators")]
#[tokio::test]
async fn a_custom_object_is_created_loaded_and_removed_in_twenty() {
    use crm_migrate::connectors::http::Secret;
    use crm_migrate::connectors::twenty::emulator::{EmulatorConfig, TwentyEmulator};
    use crm_migrate::connectors::twenty::{TwentyConfig, TwentySink};
    let emu = TwentyEmulator::start(EmulatorConfig::default())
        .await
        .unwrap();
    let sink = TwentySink::new(
        TwentyConfig::new(emu.url(), Secret::new(emu.api_key())).with_rate_limit(None),
    )
    .unwrap();
    let base = sink.data_model().await.unwrap();
    custom_object_round_trip(&sink, &base).await;
    assert_eq!(emu.requests().count("POST /rest/metadata/objects"), 1);
    assert_eq!(
        emu.requests().count("DELETE /rest/metadata/objects/{id}"),
        1
    );
}
