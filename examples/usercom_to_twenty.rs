//! The User.com → Twenty migration with the map proposed from the export (the platform map
//! fitted to the export's columns and values): writes the bundled User.com sample export,
//! migrates it into the sandbox (a SQLite database enforcing Twenty's data model,
//! seeded with the sample's workspace members), verifies every field, writes the reports and
//! prints the reconciliation.
//!
//! ```text
//! cargo run --release --example usercom_to_twenty [-- USERS]
//! ```
//!
//! With `TWENTY_API_URL` and `TWENTY_API_KEY` set, it migrates into that Twenty workspace
//! instead (the key is read from the environment and never printed). The workspace must have
//! the agents as members, or their records go to the review queue.

use crm_migrate::connectors::sandbox::SandboxSink;
use crm_migrate::connectors::twenty::{twenty_standard_model, TwentyConfig, TwentySink};
use crm_migrate::connectors::usercom::mapping::propose;
use crm_migrate::connectors::usercom::sample::{generate, MEMBERS_FILE};
use crm_migrate::connectors::usercom::UsercomCsvSource;
use crm_migrate::core::engine::{verify, Engine, EngineConfig, OrphanPolicy};
use crm_migrate::core::journal::SqliteJournal;
use crm_migrate::core::report::{reason_groups, write_reports};
use crm_migrate::core::Sink;
use crm_migrate::transform::mapping::OrphanRule;
use crm_migrate::transform::SpecMapper;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let users: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let work = tempfile::Builder::new()
        .prefix("crm-migrate-usercom-")
        .tempdir()?
        .keep();
    let (input, state) = (work.join("export"), work.join("state"));

    let sample = generate(&input, users, 42)?;
    println!("User.com sample export in {}:", input.display());
    for (object, n) in &sample.objects {
        println!("  {object:<14} {n:>7} rows");
    }

    let source = UsercomCsvSource::open(&input)?;
    let remote = std::env::var("TWENTY_API_URL")
        .ok()
        .filter(|u| !u.trim().is_empty());
    let sink: Box<dyn Sink> = match &remote {
        Some(url) => {
            println!("\nDestination: the Twenty workspace at {url} (key from TWENTY_API_KEY).");
            Box::new(TwentySink::new(TwentyConfig::from_env(url.clone())?)?)
        }
        None => {
            let db = work.join("sandbox.sqlite");
            println!(
                "\nDestination: the sandbox {} (Twenty's model).",
                db.display()
            );
            let sandbox = SandboxSink::open(&db, twenty_standard_model())?;
            sandbox.seed_users_csv(&input.join(MEMBERS_FILE))?;
            Box::new(sandbox)
        }
    };
    // The map is proposed from this export, onto the destination's model.
    let model = sink.data_model().await?;
    let proposal = propose(&source, &model).await?;
    for n in &proposal.notes {
        println!("  note: {n}");
    }
    let spec = proposal.spec;
    let changes = spec.schema_changes();
    let policies = spec.policies.clone();
    let mapper = SpecMapper::new(spec, Some(model))?;
    let config = EngineConfig {
        dedupe: policies.dedupe.clone(),
        orphans: match policies.orphans {
            OrphanRule::Reject => OrphanPolicy::Reject,
            OrphanRule::Queue => OrphanPolicy::Queue,
            OrphanRule::DropLink => OrphanPolicy::DropLink,
        },
        owner_fallback: policies.owner_fallback.clone(),
        ..EngineConfig::default()
    };

    let journal = SqliteJournal::open(&state)?;
    let started = std::time::Instant::now();
    let summary = Engine::new(&source, &mapper, sink.as_ref(), &journal)
        .config(config)
        .schema(changes)
        .run()
        .await?;
    let elapsed = started.elapsed();
    let report = write_reports(&state, &journal, &summary)?;
    println!("\nMigrated in {elapsed:.1?}:\n");
    println!("{report}");

    let model = sink.data_model().await?;
    let check = verify(sink.as_ref(), &journal, &model).await?;
    println!(
        "Verification: {} records, {} fields read back, {} differences.",
        check.records,
        check.fields,
        check.differences.len()
    );
    // What needs a person, by cause, and what to do about it.
    let groups = reason_groups(&journal, summary.run.id)?;
    if !groups.is_empty() {
        println!("\nWhy records did not simply load (largest causes first):");
        for g in groups.iter().take(6) {
            println!(
                "  {:>6} {} {} — {}\n         → {}",
                g.count,
                g.object,
                g.what,
                g.example,
                g.next_step()
            );
        }
        if groups.len() > 6 {
            println!("  …and {} smaller causes in report.md.", groups.len() - 6);
        }
    }
    println!(
        "Reports (report.md, rejects.csv, review_queue.csv) in {}.",
        state.display()
    );
    println!(
        "Next: read them; the same migration through the command line (`crm-migrate map --from usercom …`, `run`, `run --delta` after fixing a cause, `rollback`) is in the README."
    );
    if !summary.balanced() || !check.clean() {
        return Err("the migration does not reconcile".into());
    }
    Ok(())
}
