//! The User.com → Twenty migration with the default map: writes the bundled User.com sample
//! export, migrates it into the sandbox (a SQLite database enforcing Twenty's data model,
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
use crm_migrate::connectors::usercom::mapping::default_mapping;
use crm_migrate::connectors::usercom::sample::{generate, MEMBERS_FILE};
use crm_migrate::connectors::usercom::UsercomCsvSource;
use crm_migrate::core::engine::{verify, Engine, EngineConfig, OrphanPolicy};
use crm_migrate::core::journal::SqliteJournal;
use crm_migrate::core::report::write_reports;
use crm_migrate::core::Sink;
use crm_migrate::transform::mapping::{MappingSpec, OrphanRule};
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

    let spec = MappingSpec::from_toml(default_mapping())?;
    let changes = spec.schema_changes();
    let policies = spec.policies.clone();
    let mapper = SpecMapper::new(spec, Some(twenty_standard_model()))?;
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

    let sink: Box<dyn Sink> = match std::env::var("TWENTY_API_URL") {
        Ok(url) if !url.trim().is_empty() => {
            println!("\nDestination: the Twenty workspace at {url} (key from TWENTY_API_KEY).");
            Box::new(TwentySink::new(TwentyConfig::from_env(url)?)?)
        }
        _ => {
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

    let source = UsercomCsvSource::open(&input)?;
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
    println!(
        "Reports (report.md, rejects.csv, review_queue.csv) in {}.",
        state.display()
    );
    if !summary.balanced() || !check.clean() {
        return Err("the migration does not reconcile".into());
    }
    Ok(())
}
