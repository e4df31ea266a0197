//! Rollback (after a full run, after a partial run, interrupted), verification, and delta
//! re-runs with conflicts.

mod common;

use common::*;
use crm_core::engine::{rollback, verify, Engine, EngineConfig, NoProgress};
use crm_core::journal::{Journal, Outcome, RunMode, SqliteJournal};
use crm_core::memory::MemorySource;
use crm_core::model::fields as f;
use crm_core::{DataModel, Fields, Record, Sink, Value};

fn sink_with_existing_person() -> crm_core::memory::MemorySink {
    let s = sink();
    let mut fields = Fields::new();
    fields.insert(
        f::EMAILS.into(),
        Value::Emails(vec!["person3@example.com".into()]),
    );
    fields.insert(f::FIRST_NAME.into(), Value::Text("Pre-existing".into()));
    fields.insert(f::JOB_TITLE.into(), Value::Text("CEO".into()));
    s.seed("person", fields);
    s
}

#[tokio::test]
async fn rollback_after_a_full_run_restores_the_destination_and_allows_a_second_run() {
    let (source, mapper, dest) = (source(), mapper(), sink_with_existing_person());
    let before = dest.snapshot();
    let dir = tempfile::tempdir().unwrap();
    let journal = SqliteJournal::open(dir.path()).unwrap();
    let first = Engine::new(&source, &mapper, &dest, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    assert_ne!(dest.snapshot(), before);
    let report = rollback(&dest, &journal, &NoProgress).await.unwrap();
    assert!(report.complete, "{report:?}");
    assert!(report.failed.is_empty(), "{report:?}");
    assert_eq!(
        report.restored, 1,
        "the pre-existing person merged into is restored"
    );
    assert_eq!(dest.snapshot(), before, "destination is as it was");
    // A second full run into the same state directory now succeeds the same way.
    let second = Engine::new(&source, &mapper, &dest, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    assert_eq!(second.counts, first.counts);
    assert_no_duplicates(&dest);
}

#[tokio::test]
async fn rollback_after_a_partial_run_undoes_what_landed() {
    let (source, mapper, dest) = (source(), mapper(), sink_with_existing_person());
    let before = dest.snapshot();
    let dir = tempfile::tempdir().unwrap();
    {
        let journal = SqliteJournal::open(dir.path()).unwrap();
        let crashing = CrashingSink::new(&dest, 6, true);
        Engine::new(&source, &mapper, &crashing, &journal)
            .config(config())
            .run()
            .await
            .unwrap_err();
    }
    assert_ne!(dest.snapshot(), before);
    let journal = SqliteJournal::open(dir.path()).unwrap();
    let report = rollback(&dest, &journal, &NoProgress).await.unwrap();
    assert!(report.complete);
    assert_eq!(
        dest.snapshot(),
        before,
        "even the batch that landed as the process died is undone"
    );
    let again = Engine::new(&source, &mapper, &dest, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    assert!(again.balanced());
    assert_no_duplicates(&dest);
}

#[tokio::test]
async fn verify_is_clean_after_a_run_and_finds_a_field_changed_behind_its_back() {
    let (source, mapper, dest) = (source(), mapper(), sink());
    let journal = SqliteJournal::in_memory().unwrap();
    Engine::new(&source, &mapper, &dest, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    let model = DataModel::standard();
    let clean = verify(&dest, &journal, &model).await.unwrap();
    assert!(clean.clean(), "{:?}", clean.differences);
    assert!(
        clean.records >= 35 && clean.fields > 150,
        "{} records, {} fields",
        clean.records,
        clean.fields
    );

    let p4 = journal.id_entry(&key("person", "p4")).unwrap().unwrap();
    assert!(dest.tamper(
        "person",
        &p4.dest_id,
        f::LAST_NAME,
        Value::Text("Changed".into())
    ));
    let d8 = journal.id_entry(&key("deal", "d2")).unwrap().unwrap();
    dest.delete("opportunity", std::slice::from_ref(&d8.dest_id))
        .await
        .unwrap();
    let report = verify(&dest, &journal, &model).await.unwrap();
    assert_eq!(report.differences.len(), 2, "{:?}", report.differences);
    let d = report
        .differences
        .iter()
        .find(|d| d.object == "person")
        .unwrap();
    assert_eq!(
        (
            d.key.as_str(),
            d.field.as_str(),
            d.expected.as_str(),
            d.found.as_str()
        ),
        ("fixture/person/p4", "last_name", "Ñandú", "Changed")
    );
    let gone = report
        .differences
        .iter()
        .find(|d| d.object == "opportunity")
        .unwrap();
    assert_eq!(gone.field, "@record");
}

fn edited(mut records: Vec<Record>) -> Vec<Record> {
    for r in &mut records {
        if r.object == "person" && ["p2", "p3", "p4"].contains(&r.key.id.as_str()) {
            r.set(f::JOB_TITLE, "Promoted");
        }
    }
    let mut p = crm_core::Person::new(key("person", "p21"));
    p.first_name = Some("Newcomer".into());
    p.emails = vec!["new@example.com".into()];
    records.push(p.into());
    records
}

#[tokio::test]
async fn delta_updates_changed_creates_new_skips_unchanged_and_reports_conflicts() {
    let (mapper, dest) = (mapper(), sink());
    let before = dest.snapshot();
    let journal = SqliteJournal::in_memory().unwrap();
    let first = Engine::new(&source(), &mapper, &dest, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    // Someone edits p4 in the destination; p4 is also edited in the source.
    let p4 = journal.id_entry(&key("person", "p4")).unwrap().unwrap();
    dest.tamper(
        "person",
        &p4.dest_id,
        f::FIRST_NAME,
        Value::Text("Edited in CRM".into()),
    );

    let delta_source = MemorySource::new("fixture", edited(records())).page_size(7);
    let cfg = EngineConfig {
        mode: RunMode::Delta,
        ..config()
    };
    let delta = Engine::new(&delta_source, &mapper, &dest, &journal)
        .config(cfg.clone())
        .run()
        .await
        .unwrap();
    assert!(delta.balanced());
    let p = delta.counts.iter().find(|(o, _)| o == "person").unwrap().1;
    assert_eq!(p.source, 21);
    assert_eq!(p.created, 1, "p21 is new");
    assert_eq!(p.updated, 2, "p2 and p3 changed");
    assert_eq!(p.queued, 1, "p4 conflicts");
    assert_eq!(
        p.links_not_made, 2,
        "p7's company and p9's owner are tried again and still missing"
    );
    let conflict = journal
        .rows(delta.run.id, Outcome::Queued)
        .unwrap()
        .into_iter()
        .find(|r| r.key.id == "p4")
        .unwrap();
    assert!(conflict.reason.unwrap().contains("conflict"));
    assert_eq!(conflict.field.as_deref(), Some("first_name"));
    let back = dest
        .read("person", std::slice::from_ref(&p4.dest_id))
        .await
        .unwrap()
        .remove(0)
        .unwrap();
    assert_eq!(
        back.fields.get(f::FIRST_NAME),
        Some(&Value::Text("Edited in CRM".into())),
        "not overwritten"
    );
    let p2 = journal.id_entry(&key("person", "p2")).unwrap().unwrap();
    let back = dest
        .read("person", &[p2.dest_id])
        .await
        .unwrap()
        .remove(0)
        .unwrap();
    assert_eq!(
        back.fields.get(f::JOB_TITLE),
        Some(&Value::Text("Promoted".into()))
    );
    let c = delta.counts.iter().find(|(o, _)| o == "company").unwrap().1;
    assert_eq!(
        c.skipped, 6,
        "unchanged companies (and the unchanged duplicate c6) are skipped"
    );
    assert_eq!(first.counts.len(), delta.counts.len());

    // Verification still holds after the delta (p4's conflict is the one difference).
    let v = verify(&dest, &journal, &DataModel::standard())
        .await
        .unwrap();
    assert_eq!(v.differences.len(), 1, "{:?}", v.differences);
    // Rollback undoes the delta and the first run alike.
    let r = rollback(&dest, &journal, &NoProgress).await.unwrap();
    assert!(r.complete && r.failed.is_empty(), "{r:?}");
    assert_eq!(dest.snapshot(), before);
}

#[tokio::test]
async fn delta_needs_a_finished_run_and_a_full_run_cannot_repeat() {
    let (source, mapper, dest) = (source(), mapper(), sink());
    let journal = SqliteJournal::in_memory().unwrap();
    let cfg = EngineConfig {
        mode: RunMode::Delta,
        ..config()
    };
    let err = Engine::new(&source, &mapper, &dest, &journal)
        .config(cfg)
        .run()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("finished run"), "{err}");
    Engine::new(&source, &mapper, &dest, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    let err = Engine::new(&source, &mapper, &dest, &journal)
        .config(config())
        .run()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("--delta"), "{err}");
}

#[tokio::test]
async fn an_interrupted_rollback_resumes_and_finishes() {
    let (source, mapper, dest) = (source(), mapper(), sink_with_existing_person());
    let before = dest.snapshot();
    let dir = tempfile::tempdir().unwrap();
    let created = {
        let journal = SqliteJournal::open(dir.path()).unwrap();
        Engine::new(&source, &mapper, &dest, &journal)
            .config(config())
            .run()
            .await
            .unwrap()
            .totals()
            .created
    };
    for crash_on in [1, 2, 4] {
        let journal = SqliteJournal::open(dir.path()).unwrap();
        let crashing = CrashingSink::crashing_deletes(&dest, crash_on);
        let err = rollback(&crashing, &journal, &NoProgress)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("crash"), "{err}");
    }
    let journal = SqliteJournal::open(dir.path()).unwrap();
    let report = rollback(&dest, &journal, &NoProgress).await.unwrap();
    assert!(report.complete && report.failed.is_empty(), "{report:?}");
    assert!(
        report.already_gone > 0,
        "records deleted before a crash count as already gone"
    );
    assert_eq!(
        report.deleted + report.already_gone,
        created,
        "the report counts every attempt of the rollback, each record once: {report:?}"
    );
    assert_eq!(dest.snapshot(), before);
    let again = Engine::new(&source, &mapper, &dest, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    assert!(again.balanced());
}

#[tokio::test]
async fn a_rollback_that_cannot_undo_everything_says_so() {
    let (source, mapper, dest) = (source(), mapper(), sink_with_existing_person());
    let journal = SqliteJournal::in_memory().unwrap();
    Engine::new(&source, &mapper, &dest, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    // The pre-existing person the run merged into is deleted by someone else: its
    // before-image has nowhere to go.
    let p3 = journal.id_entry(&key("person", "p3")).unwrap().unwrap();
    dest.delete("person", std::slice::from_ref(&p3.dest_id))
        .await
        .unwrap();
    let r = rollback(&dest, &journal, &NoProgress).await.unwrap();
    assert!(r.complete, "every entry was tried: {r:?}");
    assert!(!r.clean(), "but not everything was undone: {r:?}");
    assert_eq!(r.failed.len(), 1, "{r:?}");
    assert_eq!(r.failed[0].1, p3.dest_id);
    assert!(r.failed[0].2.contains("before-image"), "{r:?}");
}
