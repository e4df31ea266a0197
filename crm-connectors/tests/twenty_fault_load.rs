//! The fault load: 10,000 people (and the 100 companies they link to) through the engine into
//! the Twenty sink on the emulator, with 429s (Retry-After: 1), 5xx answers and
//! timeouts-after-commit interleaved with the writes. The emulator must end with exactly
//! 10,000 people, one per source key; the report must balance and verification be clean.
#![cfg(all(feature = "twenty", feature = "emulators"))]

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crm_connectors::http::{RetryConfig, Secret};
use crm_connectors::twenty::emulator::{EmulatorConfig, Fault, TwentyEmulator};
use crm_connectors::twenty::{TwentyConfig, TwentySink};
use crm_core::engine::{verify, Engine, EngineConfig};
use crm_core::journal::SqliteJournal;
use crm_core::memory::MemorySource;
use crm_core::model::fields as f;
use crm_core::{CanonicalMapper, Company, Person, Record, Ref, Sink, SourceKey};
use serde_json::Value as J;

const PEOPLE: usize = 10_000;
const COMPANIES: usize = 100;

fn records() -> Vec<Record> {
    let mut out: Vec<Record> = Vec::with_capacity(PEOPLE + COMPANIES);
    for i in 0..COMPANIES {
        let mut c = Company::new(SourceKey::new("load", "company", format!("c{i}")));
        c.name = Some(format!("Company {i}"));
        c.domain = Some(format!("company{i}.example"));
        out.push(c.into());
    }
    for i in 0..PEOPLE {
        let mut p = Person::new(SourceKey::new("load", "person", format!("p{i}")));
        p.first_name = Some(format!("First{i}"));
        p.last_name = Some(format!("Last{}", i % 97));
        p.emails = vec![format!("person{i}@load.example")];
        p.company = Some(Ref::key(
            f::COMPANY,
            SourceKey::new("load", "company", format!("c{}", i % COMPANIES)),
        ));
        out.push(p.into());
    }
    out
}

/// Pushes one fault each time the people batch-create count passes the next threshold.
fn interleave_faults(emu: Arc<TwentyEmulator>) -> tokio::task::JoinHandle<usize> {
    let plan: Vec<(usize, Fault)> = vec![
        (
            2,
            Fault::TooManyRequests {
                retry_after: Some(1),
            },
        ),
        (5, Fault::ServerError(503)),
        (8, Fault::CommitThenDrop),
        (
            12,
            Fault::TooManyRequests {
                retry_after: Some(1),
            },
        ),
        (16, Fault::ServerError(500)),
        (20, Fault::CommitThenDrop),
        (
            25,
            Fault::TooManyRequests {
                retry_after: Some(1),
            },
        ),
        (30, Fault::ServerError(502)),
        (36, Fault::CommitThenDrop),
        (42, Fault::ServerError(500)),
    ];
    tokio::spawn(async move {
        let mut pushed = 0;
        for (at, fault) in plan {
            loop {
                let n = emu.requests().count("POST /rest/batch/people");
                if n >= at {
                    break;
                }
                if n == 0 && pushed > 0 {
                    return pushed;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            emu.push_fault_for("/rest/batch/people", fault);
            pushed += 1;
        }
        pushed
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_people_through_faults_land_exactly_once() {
    let started = Instant::now();
    let emu = Arc::new(
        TwentyEmulator::start(EmulatorConfig::default())
            .await
            .unwrap(),
    );
    let cfg = TwentyConfig::new(emu.url(), Secret::new(emu.api_key()))
        .with_rate_limit(None)
        .with_batch_size(200)
        .with_retry(
            RetryConfig::default()
                .with_max_retries(4)
                .with_backoff(Duration::from_millis(20), Duration::from_millis(200)),
        )
        .with_attempt_timeout(Duration::from_secs(20));
    let sink = TwentySink::new(cfg).unwrap();
    let source = MemorySource::new("load", records()).page_size(500);
    let mapper = CanonicalMapper::new([f::COMPANY, f::PERSON]);
    let journal = SqliteJournal::in_memory().unwrap();
    let config = EngineConfig {
        batch_size: 200,
        concurrency: 2,
        max_attempts: 8,
        backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(200),
        // Dedupe inside the source still applies; merging into records already in the
        // destination is a lookup per record, which this load does not exercise.
        merge_existing: false,
        ..EngineConfig::default()
    };
    let faults = interleave_faults(emu.clone());
    let summary = Engine::new(&source, &mapper, &sink, &journal)
        .config(config)
        .run()
        .await
        .unwrap();
    let pushed = faults.await.unwrap();
    let log = emu.requests();
    println!(
        "fault load: {:?} in {:.1?}; {pushed} faults; {} requests ({} people batch posts, {} people lookups)",
        summary.counts,
        started.elapsed(),
        log.total,
        log.count("POST /rest/batch/people"),
        log.count("GET /rest/people")
    );
    assert_eq!(pushed, 10, "every scripted fault was injected");
    assert!(summary.balanced(), "{:?}", summary.counts);
    let people = summary
        .counts
        .iter()
        .find(|(o, _)| o == f::PERSON)
        .map(|(_, c)| *c)
        .unwrap();
    assert_eq!(people.source, PEOPLE as u64);
    assert_eq!(people.created, PEOPLE as u64, "{people:?}");
    assert_eq!(emu.count("person"), PEOPLE);
    assert_eq!(emu.count("company"), COMPANIES);
    let keys: Vec<String> = emu
        .records("person")
        .iter()
        .filter_map(|r| {
            r.get("crmMigrateSourceKey")
                .and_then(J::as_str)
                .map(str::to_string)
        })
        .collect();
    let unique: HashSet<&String> = keys.iter().collect();
    if unique.len() != keys.len() {
        let mut seen = HashSet::new();
        let dups: Vec<&String> = keys.iter().filter(|k| !seen.insert(*k)).take(3).collect();
        for d in &dups {
            for r in emu
                .records("person")
                .iter()
                .filter(|r| r.get("crmMigrateSourceKey").and_then(J::as_str) == Some(d.as_str()))
            {
                println!(
                    "DUP {d}: id={} email={} deletedAt={}",
                    r["id"], r["emails"], r["deletedAt"]
                );
            }
        }
    }
    assert_eq!(keys.len(), PEOPLE, "every person carries its source key");
    assert_eq!(unique.len(), PEOPLE, "no two people share a source key");
    // Every person links to its company.
    assert!(emu
        .records("person")
        .iter()
        .all(|r| r.get("companyId").is_some_and(J::is_string)));
    // Recovery after an ambiguous failure looks a batch up by pages, not record by record
    // (a first run's read of the source keys already there is one page on an empty
    // workspace).
    assert!(
        log.count("GET /rest/people") < 60,
        "{} lookups",
        log.count("GET /rest/people")
    );
    let model = sink.data_model().await.unwrap();
    let report = verify(&sink, &journal, &model).await.unwrap();
    assert_eq!(report.records, (PEOPLE + COMPANIES) as u64);
    assert!(
        report.clean(),
        "{:?}",
        &report.differences[..report.differences.len().min(5)]
    );
    println!("fault load incl. verify: {:.1?}", started.elapsed());
}
