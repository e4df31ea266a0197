//! A lost state directory: a second run with an empty journal adopts what the first run
//! wrote (found by source key) instead of writing it again, and its rollback removes it.

mod common;

use common::*;
use crm_core::engine::{rollback, AdoptPolicy, Engine, EngineConfig, NoProgress};
use crm_core::journal::{Journal, Outcome, SqliteJournal};

#[tokio::test]
async fn a_run_with_a_lost_state_directory_adopts_instead_of_duplicating() {
    // A sink that lists its source keys (read once per object) and one that cannot (looked
    // up batch by batch): both adopt.
    lost_state_directory(sink()).await;
    let listing = sink();
    lost_state_directory(listing.without_key_listing()).await;
}

async fn lost_state_directory(sink: crm_core::memory::MemorySink) {
    let (source, mapper) = (source(), mapper());
    let before = sink.snapshot();
    let first_state = tempfile::tempdir().unwrap();
    let first = {
        let journal = SqliteJournal::open(first_state.path()).unwrap();
        Engine::new(&source, &mapper, &sink, &journal)
            .config(config())
            .run()
            .await
            .unwrap()
    };
    let written: Vec<(String, usize)> = ["company", "person", "opportunity", "task", "note"]
        .iter()
        .map(|o| (o.to_string(), sink.count(o)))
        .collect();
    drop(first_state); // the consultant loses the state directory

    let second_state = tempfile::tempdir().unwrap();
    let journal = SqliteJournal::open(second_state.path()).unwrap();
    let second = Engine::new(&source, &mapper, &sink, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    assert!(second.balanced(), "{:?}", second.counts);
    assert_no_duplicates(&sink);
    for (object, n) in &written {
        assert_eq!(sink.count(object), *n, "{object}: nothing written twice");
    }
    for (object, c) in &second.counts {
        let f = first.counts.iter().find(|(o, _)| o == object).unwrap().1;
        assert_eq!(c.created, 0, "{object}: {c:?}");
        assert_eq!(
            c.adopted, f.created,
            "{object}: every record the first run created"
        );
    }
    let p1 = journal.id_entry(&key("person", "p1")).unwrap().unwrap();
    assert_eq!(p1.origin, Outcome::Adopted);

    // The second state directory now owns those records: its rollback removes them all.
    let r = rollback(&sink, &journal, &NoProgress).await.unwrap();
    assert!(r.complete && r.failed.is_empty(), "{r:?}");
    assert_eq!(
        sink.snapshot(),
        before,
        "the destination is as before the first run"
    );
}

#[tokio::test]
async fn adoption_reads_the_keys_once_on_the_first_run_only() {
    use crm_core::journal::RunMode;
    let (source, mapper, sink) = (source(), mapper(), sink());
    let journal = SqliteJournal::in_memory().unwrap();
    Engine::new(&source, &mapper, &sink, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    // One page per creatable object (all empty), and no lookups by source key.
    assert_eq!(sink.key_pages(), 5);
    assert_eq!(sink.source_key_lookups(), 0);
    let delta = EngineConfig {
        mode: RunMode::Delta,
        ..config()
    };
    Engine::new(&source, &mapper, &sink, &journal)
        .config(delta)
        .run()
        .await
        .unwrap();
    assert_eq!(sink.key_pages(), 5, "later runs know from the journal");
    assert_eq!(sink.source_key_lookups(), 0);

    // Without listing, the first run asks batch by batch; with adoption off, never.
    let (source, sink) = (common::source(), common::sink().without_key_listing());
    let journal = SqliteJournal::in_memory().unwrap();
    Engine::new(&source, &mapper, &sink, &journal)
        .config(config())
        .run()
        .await
        .unwrap();
    assert!(sink.source_key_lookups() > 0);
    let (source, sink) = (common::source(), common::sink());
    let journal = SqliteJournal::in_memory().unwrap();
    let never = EngineConfig {
        adopt: AdoptPolicy::Never,
        ..config()
    };
    Engine::new(&source, &mapper, &sink, &journal)
        .config(never)
        .run()
        .await
        .unwrap();
    assert_eq!((sink.key_pages(), sink.source_key_lookups()), (0, 0));
}
