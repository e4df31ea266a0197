//! A reference cycle broken at an optional field: records load without it, the link is
//! patched afterwards, and rollback puts even a pre-existing record back exactly.

use crm_core::descriptor::{FieldDescriptor as F, FieldType as T, ObjectDescriptor as O};
use crm_core::engine::{rollback, verify, Engine, EngineConfig, NoProgress};
use crm_core::journal::{Journal, SqliteJournal};
use crm_core::memory::{MemorySink, MemorySource};
use crm_core::{CanonicalMapper, DataModel, Fields, Record, Ref, Sink, SourceKey, Value};

fn model() -> DataModel {
    DataModel::new("cyclic")
        .object(
            O::new("company")
                .field(F::new("name", T::Text))
                .field(F::new("domain", T::Urls).unique())
                .field(F::reference("primary_contact", "person", true)),
        )
        .object(
            O::new("person")
                .field(F::new("first_name", T::Text))
                .field(F::new("emails", T::Emails).unique())
                .field(F::reference("company", "company", false)),
        )
}

fn k(o: &str, id: &str) -> SourceKey {
    SourceKey::new("src", o, id)
}

fn records() -> Vec<Record> {
    let mut out = Vec::new();
    for i in 1..=4 {
        out.push(
            Record::new("company", k("company", &format!("c{i}")))
                .with("name", format!("C{i}"))
                .with("domain", Value::Urls(vec![format!("c{i}.example")]))
                .with(
                    "primary_contact",
                    Ref::key("person", k("person", &format!("p{i}"))),
                ),
        );
        out.push(
            Record::new("person", k("person", &format!("p{i}")))
                .with("first_name", format!("P{i}"))
                .with("emails", Value::Emails(vec![format!("p{i}@x.example")]))
                .with(
                    "company",
                    Ref::key("company", k("company", &format!("c{i}"))),
                ),
        );
    }
    out
}

#[tokio::test]
async fn cycle_is_loaded_then_patched_and_rolled_back_exactly() {
    let sink = MemorySink::new(model());
    // c2's domain already exists in the destination: c2 merges into it.
    let mut pre = Fields::new();
    pre.insert("name".into(), Value::Text("Old C2".into()));
    pre.insert(
        "domain".into(),
        Value::Urls(vec!["https://www.C2.example".into()]),
    );
    let existing = sink.seed("company", pre);
    let before = sink.snapshot();

    let source = MemorySource::new("src", records());
    let mapper = CanonicalMapper::new(["company", "person"]);
    let journal = SqliteJournal::in_memory().unwrap();
    let cfg = EngineConfig {
        batch_size: 2,
        ..EngineConfig::default()
    };
    let summary = Engine::new(&source, &mapper, &sink, &journal)
        .config(cfg)
        .run()
        .await
        .unwrap();
    assert_eq!(
        summary.plan.phase("company").unwrap().deferred,
        vec!["primary_contact"]
    );
    assert!(
        summary.link_problems.is_empty(),
        "{:?}",
        summary.link_problems
    );
    for i in 1..=4 {
        let c = journal
            .id_entry(&k("company", &format!("c{i}")))
            .unwrap()
            .unwrap();
        let p = journal
            .id_entry(&k("person", &format!("p{i}")))
            .unwrap()
            .unwrap();
        let back = sink
            .read("company", std::slice::from_ref(&c.dest_id))
            .await
            .unwrap()
            .remove(0)
            .unwrap();
        assert_eq!(
            back.fields.get("primary_contact"),
            Some(&Value::Id(crm_core::RecordId::new("person", &p.dest_id))),
            "c{i} is linked to p{i} after the patch step"
        );
    }
    assert_eq!(
        journal
            .id_entry(&k("company", "c2"))
            .unwrap()
            .unwrap()
            .dest_id,
        existing
    );
    let v = verify(&sink, &journal, &model()).await.unwrap();
    assert!(v.clean(), "{:?}", v.differences);

    let r = rollback(&sink, &journal, &NoProgress).await.unwrap();
    assert!(r.complete && r.failed.is_empty(), "{r:?}");
    assert_eq!(
        sink.snapshot(),
        before,
        "the pre-existing company lost its patched link and merged name"
    );
}

#[tokio::test]
async fn a_link_to_a_record_that_never_loaded_is_reported() {
    let sink = MemorySink::new(model());
    let mut recs = records();
    recs.retain(|r| r.key.id != "p3");
    let source = MemorySource::new("src", recs);
    let mapper = CanonicalMapper::new(["company", "person"]);
    let journal = SqliteJournal::in_memory().unwrap();
    let summary = Engine::new(&source, &mapper, &sink, &journal)
        .run()
        .await
        .unwrap();
    assert_eq!(summary.link_problems.len(), 1);
    let (d, problem) = &summary.link_problems[0];
    assert_eq!(
        (d.key.id.as_str(), d.field.as_str()),
        ("c3", "primary_contact")
    );
    assert!(problem.contains("p3"), "{problem}");
    assert!(summary.needs_attention());
    assert_eq!(sink.count("company"), 4);
}
