//! The bundled sample migration: writes a sample CRM export, migrates it into the sandbox
//! (which enforces Twenty's data model), verifies every field, and prints the
//! reconciliation.
//!
//! ```text
//! cargo run --release --example sample_to_sandbox [-- PEOPLE]
//! ```

use crm_migrate::connectors::canonical::{generate, CanonicalSource, MEMBERS_FILE};
use crm_migrate::connectors::sandbox::SandboxSink;
use crm_migrate::connectors::twenty::twenty_standard_model;
use crm_migrate::core::engine::{verify, Engine};
use crm_migrate::core::journal::SqliteJournal;
use crm_migrate::core::report::write_reports;
use crm_migrate::core::{CanonicalMapper, Source};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let people: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let work = tempfile::Builder::new()
        .prefix("crm-migrate-sample-")
        .tempdir()?
        .keep();
    let (input, state) = (work.join("export"), work.join("state"));

    let sample = generate(&input, people, 42)?;
    println!("Sample export in {}:", input.display());
    for (object, n) in &sample.objects {
        println!("  {object:<12} {n:>7} records");
    }

    let sink = SandboxSink::open(work.join("sandbox.sqlite"), twenty_standard_model())?;
    sink.seed_users_csv(&input.join(MEMBERS_FILE))?;

    let source = CanonicalSource::open(&input)?;
    let mapper = CanonicalMapper::new(source.objects().await?);
    let journal = SqliteJournal::open(&state)?;
    let started = std::time::Instant::now();
    let summary = Engine::new(&source, &mapper, &sink, &journal).run().await?;
    let elapsed = started.elapsed();
    let report = write_reports(&state, &journal, &summary)?;
    println!(
        "\nMigrated into the sandbox (Twenty's model) in {:.1?}:\n",
        elapsed
    );
    println!("{report}");

    let check = verify(&sink, &journal, &sink.model()).await?;
    println!(
        "Verification: {} records, {} fields read back, {} differences.",
        check.records,
        check.fields,
        check.differences.len()
    );
    println!(
        "Reports (report.md, rejects.csv, review_queue.csv) in {}.",
        state.display()
    );
    if !summary.balanced() || !check.clean() {
        return Err("the migration does not reconcile".into());
    }
    Ok(())
}
