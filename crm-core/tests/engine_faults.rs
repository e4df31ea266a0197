//! Faults: a crash at every batch boundary (before and after the destination committed),
//! a timeout after commit, throttling — each run ends with exactly one copy of each record.

mod common;

use common::*;
use crm_core::engine::Engine;
use crm_core::journal::SqliteJournal;
use crm_core::memory::Fault;
use crm_core::{ErrorKind, Sink};

fn created_total(summary: &crm_core::engine::RunSummary) -> u64 {
    summary.totals().created
}

#[tokio::test]
async fn crash_after_every_batch_boundary_then_resume_writes_each_record_once() {
    // A clean run tells how many writes there are and what the outcome must be.
    let clean_sink = sink();
    let journal = SqliteJournal::in_memory().unwrap();
    let (source, mapper) = (source(), mapper());
    let clean = Engine::new(&source, &mapper, &clean_sink, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    let writes = clean_sink.write_calls();
    assert!(
        writes >= 12,
        "fixture should give many batches, got {writes}"
    );

    for after_commit in [false, true] {
        for crash_on in 1..=writes {
            let dest = sink();
            let dir = tempfile::tempdir().unwrap();
            {
                let journal = SqliteJournal::open(dir.path()).unwrap();
                let crashing = CrashingSink::new(&dest, crash_on, after_commit);
                let err = Engine::new(&source, &mapper, &crashing, &journal)
                    .config(config())
                    .run()
                    .await
                    .expect_err("the crash stops the run");
                assert!(
                    err.to_string().contains("crash") || err.to_string().contains("dead"),
                    "{err}"
                );
            } // the process dies: engine and journal (and its lock) are dropped
            let journal = SqliteJournal::open(dir.path()).unwrap();
            let resumed = Engine::new(&source, &mapper, &dest, &journal)
                .config(config())
                .run()
                .await
                .unwrap();
            assert!(resumed.run.resumed || resumed.run.attempt > 1);
            assert_no_duplicates(&dest);
            assert_eq!(
                resumed.counts, clean.counts,
                "crash on write {crash_on} (after commit: {after_commit}) changed the outcome"
            );
            assert!(resumed.balanced());
            for object in ["company", "person", "opportunity", "task", "note"] {
                assert_eq!(
                    dest.count(object),
                    clean_sink.count(object),
                    "{object} after crash on {crash_on}/{after_commit}"
                );
            }
        }
    }
}

#[tokio::test]
async fn timeout_after_commit_is_recovered_through_lookup_without_duplicates() {
    let dest = sink();
    dest.push_fault(Fault::FailAfterCommit);
    dest.push_fault(Fault::FailBefore);
    dest.push_fault(Fault::ThrottleAfter(1));
    dest.push_fault(Fault::FailAfterCommit);
    let journal = SqliteJournal::in_memory().unwrap();
    let (source, mapper) = (source(), mapper());
    let summary = Engine::new(&source, &mapper, &dest, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    assert_no_duplicates(&dest);
    assert!(summary.balanced());
    let clean_sink = sink();
    let clean = Engine::new(
        &source,
        &mapper,
        &clean_sink,
        &SqliteJournal::in_memory().unwrap(),
    )
    .config(config())
    .run()
    .await
    .unwrap();
    assert_eq!(summary.counts, clean.counts);
    assert_eq!(created_total(&summary), created_total(&clean));
    // Faults cost retries: more write calls than the clean run, and no more records.
    assert!(dest.write_calls() > clean_sink.write_calls());
    assert_eq!(dest.snapshot().len(), clean_sink.snapshot().len());
}

#[tokio::test]
async fn persistent_failure_stops_the_run_resumably() {
    let dest = sink();
    for _ in 0..100 {
        dest.push_fault(Fault::FailBefore);
    }
    let dir = tempfile::tempdir().unwrap();
    let (source, mapper) = (source(), mapper());
    {
        let journal = SqliteJournal::open(dir.path()).unwrap();
        let err = Engine::new(&source, &mapper, &dest, &journal)
            .config(config())
            .run()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Transport);
        assert!(!err.is_temporary(), "retries are spent: persistent");
        assert!(err.to_string().contains("can be resumed"), "{err}");
    }
    dest.clear_faults();
    let journal = SqliteJournal::open(dir.path()).unwrap();
    let summary = Engine::new(&source, &mapper, &dest, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    assert!(summary.balanced());
    assert_no_duplicates(&dest);
}

#[tokio::test]
async fn resume_with_a_changed_mapping_is_refused() {
    let dest = sink();
    let dir = tempfile::tempdir().unwrap();
    let source = source();
    {
        let journal = SqliteJournal::open(dir.path()).unwrap();
        let crashing = CrashingSink::new(&dest, 3, false);
        Engine::new(&source, &mapper(), &crashing, &journal)
            .config(config())
            .run()
            .await
            .unwrap_err();
    }
    let journal = SqliteJournal::open(dir.path()).unwrap();
    let other = crm_core::CanonicalMapper::new(["company", "person"]);
    let err = Engine::new(&source, &other, &dest, &journal)
        .config(config())
        .run()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::State);
    assert!(err.to_string().contains("different mapping"), "{err}");
}

#[tokio::test]
async fn a_second_process_cannot_take_the_same_state_directory() {
    let dir = tempfile::tempdir().unwrap();
    let _first = SqliteJournal::open(dir.path()).unwrap();
    let err = SqliteJournal::open(dir.path()).unwrap_err();
    assert!(err.to_string().contains("in use"), "{err}");
}

#[tokio::test]
async fn source_read_failure_stops_and_resumes() {
    let dest = sink();
    let dir = tempfile::tempdir().unwrap();
    let mapper = mapper();
    {
        let source = source();
        source.fail_page_once("person", 1);
        let journal = SqliteJournal::open(dir.path()).unwrap();
        let err = Engine::new(&source, &mapper, &dest, &journal)
            .config(config())
            .run()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("read"), "{err}");
    }
    let source = source();
    let journal = SqliteJournal::open(dir.path()).unwrap();
    let summary = Engine::new(&source, &mapper, &dest, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    assert!(summary.balanced());
    assert_no_duplicates(&dest);
    assert_eq!(dest.count("person"), 19);
    let _ = dest.capabilities();
}
