//! `crm-migrate run` and `crm-migrate plan`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use crm_migrate::connectors::canonical::{CanonicalSource, CANONICAL_SCHEME};
use crm_migrate::connectors::sandbox::SandboxSink;
use crm_migrate::core::engine::{Engine, EngineConfig, OrphanPolicy};
use crm_migrate::core::journal::{Journal, RunMode, SqliteJournal};
use crm_migrate::core::report::write_reports;
use crm_migrate::core::{CanonicalMapper, Sink, Source};

use super::destination::{model_named, Destination};
use super::progress::Bars;
use super::{Usage, EXIT_OK, EXIT_PARTIAL};

/// Orphan policy on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Orphans {
    Reject,
    Queue,
    DropLink,
}

/// Arguments of `run`.
#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// Source platform (`canonical`).
    #[arg(long)]
    from: String,
    /// Source input: an export directory, or an API source's base URL.
    #[arg(long)]
    input: PathBuf,
    /// Destination: `sandbox:PATH`, `twenty:URL` or `freshsales:URL`.
    #[arg(long)]
    to: String,
    /// Model a sandbox enforces (`twenty` or `standard`).
    #[arg(long, default_value = "twenty")]
    model: String,
    /// Mapping spec (TOML); canonical sources need none.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// State directory (journal and reports).
    #[arg(long)]
    state: PathBuf,
    /// Rehearse into an in-memory sandbox with the destination's model; nothing is written
    /// to the destination.
    #[arg(long)]
    dry_run: bool,
    /// Re-read the source after a finished run: create new, update changed, skip unchanged.
    #[arg(long)]
    delta: bool,
    /// Replace records changed in the destination since the last run (delta runs).
    #[arg(long)]
    overwrite_conflicts: bool,
    /// Records per batch.
    #[arg(long, default_value_t = 100)]
    batch_size: usize,
    /// Batches in flight at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// What to do with records whose references cannot be resolved.
    #[arg(long, value_enum, default_value = "queue")]
    orphans: Orphans,
    /// Email of the member who owns records whose owner is not in the destination.
    #[arg(long)]
    owner_fallback: Option<String>,
    /// CSV of workspace members (`email,first_name,last_name`) to seed a new sandbox with.
    #[arg(long)]
    sandbox_members: Option<PathBuf>,
}

/// Arguments of `plan`.
#[derive(Debug, clap::Args)]
pub(crate) struct PlanArgs {
    /// Source platform (`canonical`).
    #[arg(long)]
    from: String,
    /// Source input directory.
    #[arg(long)]
    input: PathBuf,
    /// Model of the destination (`twenty` or `standard`).
    #[arg(long, default_value = "twenty")]
    model: String,
}

async fn open_source(
    from: &str,
    input: &Path,
) -> anyhow::Result<(CanonicalSource, CanonicalMapper)> {
    if from != CANONICAL_SCHEME {
        return Err(Usage(format!(
            "source {from:?} is not available in this build yet; available: canonical"
        ))
        .into());
    }
    let source = CanonicalSource::open(input).map_err(|e| Usage(e.to_string()))?;
    let objects = source.objects().await?;
    if objects.is_empty() {
        return Err(Usage(format!("{} holds no <object>.jsonl files", input.display())).into());
    }
    Ok((source, CanonicalMapper::new(objects)))
}

pub(crate) async fn plan(a: PlanArgs) -> anyhow::Result<u8> {
    let (source, mapper) = open_source(&a.from, &a.input).await?;
    let sink = SandboxSink::in_memory(model_named(&a.model)?)?;
    let journal = SqliteJournal::in_memory()?;
    let (_, plan) = Engine::new(&source, &mapper, &sink, &journal)
        .plan()
        .await?;
    print!("{plan}");
    Ok(EXIT_OK)
}

fn seed_members(sink: &SandboxSink, file: &Path) -> anyhow::Result<usize> {
    if sink.count("user")? > 0 {
        return Ok(0);
    }
    let mut r =
        csv::Reader::from_path(file).with_context(|| format!("reading {}", file.display()))?;
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec?;
        rows.push((
            rec.get(0).unwrap_or("").to_string(),
            rec.get(1).unwrap_or("").to_string(),
            rec.get(2).unwrap_or("").to_string(),
        ));
    }
    let refs: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    Ok(sink.seed_users(&refs)?.len())
}

pub(crate) async fn run(a: RunArgs) -> anyhow::Result<u8> {
    if a.mapping.is_some() && a.from == CANONICAL_SCHEME {
        return Err(Usage("canonical sources need no --mapping".into()).into());
    }
    if a.batch_size == 0 || a.concurrency == 0 {
        return Err(Usage("--batch-size and --concurrency must be at least 1".into()).into());
    }
    let (source, mapper) = open_source(&a.from, &a.input).await?;
    let dest = Destination::parse(&a.to, &a.model)?;
    let config = EngineConfig {
        batch_size: a.batch_size,
        concurrency: a.concurrency,
        orphans: match a.orphans {
            Orphans::Reject => OrphanPolicy::Reject,
            Orphans::Queue => OrphanPolicy::Queue,
            Orphans::DropLink => OrphanPolicy::DropLink,
        },
        owner_fallback: a.owner_fallback.clone(),
        overwrite_conflicts: a.overwrite_conflicts,
        mode: if a.delta {
            RunMode::Delta
        } else {
            RunMode::Full
        },
        ..EngineConfig::default()
    };
    let sink = if a.dry_run {
        let model = match &dest {
            Destination::Sandbox { model, .. } => model_named(model)?,
        };
        SandboxSink::in_memory(model)?
    } else {
        dest.remember(&a.state)?;
        dest.open()?
    };
    if let Some(members) = &a.sandbox_members {
        let n = seed_members(&sink, members)?;
        if n > 0 {
            eprintln!("Seeded the sandbox with {n} workspace members.");
        }
    }
    let journal: Box<dyn Journal> = if a.dry_run {
        std::fs::create_dir_all(&a.state)?;
        Box::new(SqliteJournal::in_memory()?)
    } else {
        Box::new(SqliteJournal::open(&a.state)?)
    };
    let bars = Bars::new();
    let summary = Engine::new(&source, &mapper, &sink as &dyn Sink, journal.as_ref())
        .config(config)
        .progress(&bars)
        .run()
        .await?;
    let report = write_reports(&a.state, journal.as_ref(), &summary)?;
    println!("{report}");
    println!(
        "Reports in {}: report.json, report.md, rejects.csv, review_queue.csv.",
        a.state.display()
    );
    if !summary.balanced() {
        anyhow::bail!(
            "the counts do not add up: some source records have no outcome (see report.md)"
        );
    }
    Ok(if summary.needs_attention() {
        EXIT_PARTIAL
    } else {
        EXIT_OK
    })
}
