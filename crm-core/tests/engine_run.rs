//! A full run: load order, links, merges, rejects, queue, and the accounting identity.

mod common;

use common::*;
use crm_core::engine::{Engine, EngineConfig, OrphanPolicy};
use crm_core::journal::{Journal, Outcome, SqliteJournal};
use crm_core::memory::MemorySink;
use crm_core::model::fields as f;
use crm_core::report::write_reports;
use crm_core::{DataModel, Sink, Value};

#[tokio::test]
async fn full_run_accounts_for_every_record_and_keeps_links() {
    let (source, mapper, sink) = (source(), mapper(), sink());
    let journal = SqliteJournal::in_memory().unwrap();
    let summary = Engine::new(&source, &mapper, &sink, &journal)
        .config(config())
        .run()
        .await
        .unwrap();

    assert_eq!(
        summary.plan.order(),
        vec!["company", "person", "opportunity", "task", "note"]
    );
    let c = |o: &str| summary.counts.iter().find(|(x, _)| x == o).unwrap().1;
    // Companies: 6 read, c6 shares c1's domain → merged.
    assert_eq!(
        (
            c("company").source,
            c("company").created,
            c("company").merged
        ),
        (6, 5, 1)
    );
    // People: 21 read (20 + garbage): p5 merged into p1, garbage rejected. p7's company
    // (c404) and p9's owner (not a member) are optional links: both people load without
    // them, and the two links are reported as not made.
    let p = c("person");
    assert_eq!(
        (p.source, p.created, p.merged, p.queued, p.rejected),
        (21, 19, 1, 0, 1)
    );
    assert_eq!(p.links_not_made, 2);
    assert_eq!(c("opportunity").created, 5);
    // Tasks a1..a6; a5 targets p5 (merged into p1 → resolves to p1), a7..a9 are notes
    // (a7 and a9 target p7 and p9, which loaded).
    assert_eq!(
        (c("task").created, c("note").created, c("note").queued),
        (6, 3, 0)
    );
    assert!(summary.balanced(), "{:?}", summary.counts);
    assert!(summary.needs_attention());

    // Links and owners arrive as destination ids; created_at is kept.
    let journal_entry = journal.id_entry(&key("person", "p2")).unwrap().unwrap();
    let back = sink
        .read("person", std::slice::from_ref(&journal_entry.dest_id))
        .await
        .unwrap()
        .remove(0)
        .unwrap();
    let company = journal.id_entry(&key("company", "c3")).unwrap().unwrap();
    assert_eq!(
        back.fields.get(f::COMPANY_REF),
        Some(&Value::Id(crm_core::RecordId::new(
            "company",
            &company.dest_id
        )))
    );
    assert!(matches!(back.fields.get(f::OWNER), Some(Value::Id(r)) if r.object == "user"));
    assert_eq!(
        back.created_at.unwrap().to_rfc3339(),
        "2018-01-02T05:04:05+00:00"
    );
    // The duplicate's task points at the survivor.
    let task = journal.id_entry(&key("activity", "a5")).unwrap().unwrap();
    let p1 = journal.id_entry(&key("person", "p1")).unwrap().unwrap();
    let t = sink
        .read("task", &[task.dest_id])
        .await
        .unwrap()
        .remove(0)
        .unwrap();
    let Some(Value::Ids(targets)) = t.fields.get(f::TARGETS) else {
        panic!("no targets: {t:?}")
    };
    assert!(targets.iter().any(|r| r.id == p1.dest_id), "{targets:?}");

    // Rejects and links not made name record, field and reason.
    let unlinked = journal
        .notices(summary.run.id, crm_core::journal::NoticeKind::LinkNotMade)
        .unwrap();
    assert_eq!(unlinked.len(), 2, "{unlinked:?}");
    let p7 = unlinked.iter().find(|r| r.key.id == "p7").unwrap();
    assert_eq!(p7.notice.field, "company");
    assert!(
        p7.notice.value.as_deref().unwrap().contains("c404"),
        "{p7:?}"
    );
    let p9 = unlinked.iter().find(|r| r.key.id == "p9").unwrap();
    assert_eq!(p9.notice.field, "owner");
    assert!(p9
        .notice
        .value
        .as_deref()
        .unwrap()
        .contains("ghost@acme.io"));
    let p7_written = journal.id_entry(&key("person", "p7")).unwrap().unwrap();
    assert!(!p7_written.written.contains_key(f::COMPANY_REF));
    assert!(
        p7_written.written.contains_key(f::OWNER),
        "its other link is made"
    );
    let rejected = journal.rows(summary.run.id, Outcome::Rejected).unwrap();
    assert!(rejected.iter().any(|r| r.key.id == "garbage"
        && r.reason
            .as_deref()
            .unwrap()
            .contains("not a canonical record")));

    // The streamed readers the reports use hand over the same rows, in the same order.
    let mut streamed = Vec::new();
    journal
        .each_row(summary.run.id, Outcome::Rejected, &mut |r| {
            streamed.push(r);
            Ok(())
        })
        .unwrap();
    assert_eq!(streamed, rejected);
    let mut streamed = Vec::new();
    journal
        .each_notice(
            summary.run.id,
            crm_core::journal::NoticeKind::LinkNotMade,
            &mut |n| {
                streamed.push(n);
                Ok(())
            },
        )
        .unwrap();
    assert_eq!(streamed, unlinked);

    // The report files hold the same numbers and the identity.
    let dir = tempfile::tempdir().unwrap();
    write_reports(dir.path(), &journal, &summary).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    for o in json["objects"].as_array().unwrap() {
        let n = |k: &str| o[k].as_u64().unwrap();
        assert_eq!(
            n("source"),
            n("created") + n("updated") + n("merged") + n("rejected") + n("queued") + n("skipped"),
            "{o}"
        );
    }
    let person = json["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["object"] == "person")
        .unwrap();
    assert_eq!(person["merged"], 1);
    assert_eq!(person["queued"], 0);
    assert_eq!(person["links_not_made"], 2);
    // Each source record counted once per exported file.
    let files = json["files"].as_array().unwrap();
    let people = files.iter().find(|o| o["object"] == "person").unwrap();
    assert_eq!(
        (people["source"].as_u64(), people["balanced"].as_bool()),
        (Some(21), Some(true))
    );
    let rejects = std::fs::read_to_string(dir.path().join("rejects.csv")).unwrap();
    assert!(rejects.contains("garbage"), "{rejects}");
    let queue = std::fs::read_to_string(dir.path().join("review_queue.csv")).unwrap();
    let links: Vec<&str> = queue.lines().filter(|l| l.ends_with(",link")).collect();
    assert_eq!(links.len(), 2, "{queue}");
    assert!(links.iter().any(|l| l.contains(",p7,company,")), "{queue}");
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(
        md.contains("| person | 21 | 19 | 0 | 1 | 0 | 1 | 0 | 0 | yes |"),
        "{md}"
    );
    assert!(md.contains("## Links not made (2;"), "{md}");
}

#[tokio::test]
async fn owner_fallback_and_drop_link_policies() {
    let (source, mapper, sink) = (source(), mapper(), sink());
    let journal = SqliteJournal::in_memory().unwrap();
    let cfg = EngineConfig {
        owner_fallback: Some(OWNER.into()),
        orphans: OrphanPolicy::DropLink,
        ..config()
    };
    let summary = Engine::new(&source, &mapper, &sink, &journal)
        .config(cfg)
        .run()
        .await
        .unwrap();
    let p = summary
        .counts
        .iter()
        .find(|(o, _)| o == "person")
        .unwrap()
        .1;
    // p9's unknown owner falls back; p7 loads without its company link.
    assert_eq!((p.created, p.queued), (19, 0));
    let p7 = journal.id_entry(&key("person", "p7")).unwrap().unwrap();
    assert!(!p7.written.contains_key(f::COMPANY_REF));
    let rows = journal.rows(summary.run.id, Outcome::Created).unwrap();
    let note = rows
        .iter()
        .find(|r| r.key.id == "p7")
        .unwrap()
        .reason
        .clone()
        .unwrap();
    assert!(
        note.contains("link dropped") && note.contains("c404"),
        "{note}"
    );
    assert!(summary.balanced());
}

#[tokio::test]
async fn records_existing_in_the_destination_are_merged_not_duplicated() {
    let (source, mapper, sink) = (source(), mapper(), sink());
    let mut fields = crm_core::Fields::new();
    fields.insert(
        f::EMAILS.into(),
        Value::Emails(vec!["Person3@example.com".into()]),
    );
    fields.insert(f::JOB_TITLE.into(), Value::Text("CEO".into()));
    let existing = sink.seed("person", fields);
    let journal = SqliteJournal::in_memory().unwrap();
    let summary = Engine::new(&source, &mapper, &sink, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    let p = summary
        .counts
        .iter()
        .find(|(o, _)| o == "person")
        .unwrap()
        .1;
    assert_eq!((p.created, p.merged), (18, 2));
    let e = journal.id_entry(&key("person", "p3")).unwrap().unwrap();
    assert_eq!(e.dest_id, existing);
    assert_eq!(e.origin, Outcome::Merged);
    let back = sink
        .read("person", &[existing])
        .await
        .unwrap()
        .remove(0)
        .unwrap();
    assert_eq!(
        back.fields.get(f::JOB_TITLE),
        Some(&Value::Text("CEO".into())),
        "untouched fields stay"
    );
    assert_eq!(
        back.fields.get(f::FIRST_NAME),
        Some(&Value::Text("Person3".into()))
    );
}

#[tokio::test]
async fn duplicate_source_ids_are_accounted_for() {
    let mut recs = records();
    let dup = recs.iter().find(|r| r.key.id == "p2").unwrap().clone();
    recs.push(dup);
    let source = crm_core::memory::MemorySource::new("fixture", recs).page_size(4);
    let (mapper, sink) = (mapper(), sink());
    let journal = SqliteJournal::in_memory().unwrap();
    let summary = Engine::new(&source, &mapper, &sink, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    let p = summary
        .counts
        .iter()
        .find(|(o, _)| o == "person")
        .unwrap()
        .1;
    assert_eq!(p.source, 21);
    assert!(summary.balanced(), "{p:?}");
    assert_no_duplicates(&sink);
    let rejected = journal.rows(summary.run.id, Outcome::Rejected).unwrap();
    assert!(rejected
        .iter()
        .any(|r| r.reason.as_deref().unwrap().contains("more than once")));
}

#[tokio::test]
async fn a_reference_by_name_that_matches_two_records_follows_the_ambiguity_policy() {
    use crm_core::engine::AmbiguityPolicy;
    use crm_core::{Company, Person, Record};
    let mut recs: Vec<Record> = Vec::new();
    for (id, domain) in [("a1", "acme.example"), ("a2", "acme-two.example")] {
        let mut c = Company::new(key("company", id));
        c.name = Some("Acme".into());
        c.domain = Some(domain.into());
        recs.push(c.into());
    }
    let mut p = Person::new(key("person", "by-name"));
    p.emails = vec!["who@acme.example".into()];
    p.company = Some(crm_core::Ref::name(f::COMPANY, " ACME "));
    recs.push(p.into());
    let source = crm_core::memory::MemorySource::new("fixture", recs);
    let mapper = crm_core::CanonicalMapper::new(["company", "person"]);

    let sink1 = sink();
    let journal = SqliteJournal::in_memory().unwrap();
    let s = Engine::new(&source, &mapper, &sink1, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    let rejected = journal.rows(s.run.id, Outcome::Rejected).unwrap();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert!(
        rejected[0].reason.as_deref().unwrap().contains("ambiguous"),
        "{rejected:?}"
    );
    assert_eq!(rejected[0].field.as_deref(), Some("company"));

    let sink2 = sink();
    let journal = SqliteJournal::in_memory().unwrap();
    let cfg = EngineConfig {
        ambiguous: AmbiguityPolicy::First,
        ..config()
    };
    Engine::new(&source, &mapper, &sink2, &journal)
        .config(cfg)
        .run()
        .await
        .unwrap();
    let first = journal.id_entry(&key("company", "a1")).unwrap().unwrap();
    let person = journal
        .id_entry(&key("person", "by-name"))
        .unwrap()
        .unwrap();
    assert_eq!(
        person.written.get(f::COMPANY_REF),
        Some(&Value::Id(crm_core::RecordId::new(
            "company",
            &first.dest_id
        )))
    );
}

#[tokio::test]
async fn a_delta_run_makes_the_links_a_first_run_could_not() {
    use crm_core::journal::{NoticeKind, RunMode};
    let (source, mapper, sink) = (source(), mapper(), sink());
    let journal = SqliteJournal::in_memory().unwrap();
    let first = Engine::new(&source, &mapper, &sink, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    let p9 = journal.id_entry(&key("person", "p9")).unwrap().unwrap();
    assert!(!p9.written.contains_key(f::OWNER));
    assert_eq!(
        journal
            .notices(first.run.id, NoticeKind::LinkNotMade)
            .unwrap()
            .len(),
        2
    );

    // The missing member joins the workspace; a delta run makes p9's owner link and tries
    // p7's company again (still missing), and leaves every other record alone.
    sink.seed_users(&[("ghost@acme.io", "Gho", "St")]);
    let delta = EngineConfig {
        mode: RunMode::Delta,
        ..config()
    };
    let second = Engine::new(&source, &mapper, &sink, &journal)
        .config(delta.clone())
        .run()
        .await
        .unwrap();
    let p = second.counts.iter().find(|(o, _)| o == "person").unwrap().1;
    assert_eq!((p.updated, p.links_not_made), (1, 1), "{p:?}");
    let back = sink
        .read("person", std::slice::from_ref(&p9.dest_id))
        .await
        .unwrap()
        .remove(0)
        .unwrap();
    assert!(
        matches!(back.fields.get(f::OWNER), Some(Value::Id(r)) if r.object == "user"),
        "{back:?}"
    );
    let still = journal
        .notices(second.run.id, NoticeKind::LinkNotMade)
        .unwrap();
    assert_eq!(still.len(), 1);
    assert_eq!(still[0].key.id, "p7");
    assert!(second.balanced());

    // Nothing changed since: p9 is unchanged and has no open link, so it is skipped.
    let third = Engine::new(&source, &mapper, &sink, &journal)
        .config(delta)
        .run()
        .await
        .unwrap();
    let p = third.counts.iter().find(|(o, _)| o == "person").unwrap().1;
    assert_eq!((p.updated, p.created, p.links_not_made), (0, 0, 1), "{p:?}");
    let rows = journal.rows(third.run.id, Outcome::Skipped).unwrap();
    assert!(rows.iter().any(|r| r.key.id == "p9"));
}

#[tokio::test]
async fn a_required_link_that_cannot_be_made_holds_the_record() {
    let (source, mapper) = (source(), mapper());
    let mut model = DataModel::standard();
    let person = model.get_mut("person").unwrap();
    let company = person
        .fields
        .iter_mut()
        .find(|fd| fd.name == f::COMPANY_REF)
        .unwrap();
    company.required = true;
    company.reference.as_mut().unwrap().optional = false;
    let sink = MemorySink::new(model).max_batch(50);
    sink.seed_users(&[(OWNER, "Olga", "Owner")]);
    let journal = SqliteJournal::in_memory().unwrap();
    let summary = Engine::new(&source, &mapper, &sink, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    let queued = journal.rows(summary.run.id, Outcome::Queued).unwrap();
    let p7 = queued.iter().find(|r| r.key.id == "p7").unwrap();
    assert_eq!(p7.field.as_deref(), Some("company"));
    assert!(p7.reason.as_deref().unwrap().contains("c404"), "{p7:?}");
    // p9's owner is still optional: it loads, its link is reported.
    assert!(journal.id_entry(&key("person", "p9")).unwrap().is_some());
    assert!(summary.balanced());
}
