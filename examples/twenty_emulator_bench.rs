//! Throughput of the Twenty destination under Twenty Cloud's rate limit, on the emulator.
//!
//! The emulator answers like Twenty v2.21 (batches capped at 200; 429 once its bucket of 100
//! requests refilled over a minute is empty, REST and GraphQL together; metadata not
//! limited); the sink's client-side limiter is set to the same 100/min and does not spend it on
//! metadata calls. The engine moves `BENCH_PEOPLE` people
//! (default 5,000) and 1 company per 100 people from a `MemorySource`, with the default
//! engine settings (dedupe on email/domain, merging into existing records), batch size 200.
//! Printed: records per minute, that figure as a fraction of the budget (requests/min × batch
//! size), and requests made per record.
//!
//! ```text
//! cargo run --release --example twenty_emulator_bench --features twenty,emulators
//! ```

use std::time::{Duration, Instant};

use crm_connectors::http::Secret;
use crm_connectors::twenty::emulator::{EmulatorConfig, TwentyEmulator};
use crm_connectors::twenty::{TwentyConfig, TwentySink};
use crm_core::engine::{Engine, EngineConfig};
use crm_core::journal::SqliteJournal;
use crm_core::memory::MemorySource;
use crm_core::model::fields as f;
use crm_core::{CanonicalMapper, Company, Person, Record, Ref, SourceKey};

const RATE_PER_MIN: u32 = 100;
const BATCH: usize = 200;

fn records(people: usize) -> Vec<Record> {
    let companies = (people / 100).max(1);
    let mut out: Vec<Record> = Vec::with_capacity(people + companies);
    for i in 0..companies {
        let mut c = Company::new(SourceKey::new("bench", "company", format!("c{i}")));
        c.name = Some(format!("Company {i}"));
        c.domain = Some(format!("company{i}.example"));
        out.push(c.into());
    }
    for i in 0..people {
        let mut p = Person::new(SourceKey::new("bench", "person", format!("p{i}")));
        p.first_name = Some(format!("First{i}"));
        p.last_name = Some(format!("Last{}", i % 97));
        p.emails = vec![format!("person{i}@bench.example")];
        p.job_title = Some("Engineer".into());
        p.company = Some(Ref::key(
            f::COMPANY,
            SourceKey::new("bench", "company", format!("c{}", i % companies)),
        ));
        out.push(p.into());
    }
    out
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let people: usize = std::env::var("BENCH_PEOPLE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5_000);
    let emu = TwentyEmulator::start(
        EmulatorConfig::default().with_rate_limit(RATE_PER_MIN, Duration::from_secs(60)),
    )
    .await?;
    let cfg = TwentyConfig::new(emu.url(), Secret::new(emu.api_key()))
        .with_rate_limit(Some(RATE_PER_MIN))
        .with_batch_size(BATCH);
    let sink = TwentySink::new(cfg)?;
    let data = records(people);
    let total = data.len();
    let source = MemorySource::new("bench", data).page_size(1000);
    let mapper = CanonicalMapper::new([f::COMPANY, f::PERSON]);
    let journal = SqliteJournal::in_memory()?;
    let config = EngineConfig {
        batch_size: BATCH,
        ..EngineConfig::default()
    };
    println!(
        "Twenty (emulated): {total} records, emulator limit {RATE_PER_MIN} req/min, client limiter {RATE_PER_MIN}/min (burst {}), batch {BATCH}, engine concurrency {}",
        crm_connectors::twenty::TwentyDefaults::BURST,
        config.concurrency
    );
    let started = Instant::now();
    let summary = Engine::new(&source, &mapper, &sink, &journal)
        .config(config)
        .run()
        .await?;
    let secs = started.elapsed().as_secs_f64();
    let log = emu.requests();
    let t = summary.totals();
    anyhow::ensure!(
        summary.balanced(),
        "unbalanced report: {:?}",
        summary.counts
    );
    let per_min = total as f64 / secs * 60.0;
    let budget = f64::from(RATE_PER_MIN) * BATCH as f64;
    println!("created {} of {} in {secs:.1} s", t.created, t.source);
    println!(
        "records/min: {per_min:.0} = {:.1} % of the budget ({RATE_PER_MIN} req/min × {BATCH} = {budget:.0} records/min)",
        per_min / budget * 100.0
    );
    println!(
        "requests: {} ({:.4} per record, {:.1} records per request)",
        log.total,
        log.total as f64 / total as f64,
        total as f64 / log.total as f64
    );
    for (route, n) in &log.by_route {
        println!("  {n:>6}  {route}");
    }
    Ok(())
}
