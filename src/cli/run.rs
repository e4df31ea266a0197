//! `crm-migrate run` and `crm-migrate plan`.

use std::path::{Path, PathBuf};

use crm_migrate::connectors::canonical::{CanonicalSource, CANONICAL_SCHEME};
use crm_migrate::connectors::csv::CsvSource;
use crm_migrate::connectors::sandbox::SandboxSink;
use crm_migrate::connectors::usercom::{
    UsercomApiConfig, UsercomApiSource, UsercomCsvSource, USERCOM_SCHEME,
};
use crm_migrate::core::engine::{AmbiguityPolicy, Engine, EngineConfig, OrphanPolicy};
use crm_migrate::core::journal::{Journal, RunMode, SqliteJournal};
use crm_migrate::core::report::write_reports;
use crm_migrate::core::{CanonicalMapper, DataModel, RecordMapper, Sink, Source};
use crm_migrate::transform::mapping::{AmbiguousRule, MappingSpec, OrphanRule};
use crm_migrate::transform::SpecMapper;

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
    /// Source platform: `canonical` (staging JSON Lines), `usercom` (export directory or
    /// API URL), `csv` (any CSV export; also `smartcrm`, `karmacrm` exports).
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
    /// Requests per minute to an API destination (default: the platform's quota, e.g.
    /// Twenty Cloud's 100; 0 for no client-side limit).
    #[arg(long)]
    rate_limit: Option<u32>,
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
    /// Records per batch (default: the largest batch the destination takes, e.g. 200 for
    /// Twenty).
    #[arg(long)]
    batch_size: Option<usize>,
    /// Batches in flight at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// What to do with records whose references cannot be resolved (default: the
    /// mapping's policy, else queue).
    #[arg(long, value_enum)]
    orphans: Option<Orphans>,
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
    /// Source platform: `canonical` (staging JSON Lines), `usercom` (export directory or
    /// API URL), `csv` (any CSV export; also `smartcrm`, `karmacrm` exports).
    #[arg(long)]
    from: String,
    /// Source input directory.
    #[arg(long)]
    input: PathBuf,
    /// Model of the destination (`twenty` or `standard`).
    #[arg(long, default_value = "twenty")]
    model: String,
    /// Mapping spec (TOML); canonical sources need none.
    #[arg(long)]
    mapping: Option<PathBuf>,
}

/// Opens a source by platform id: `canonical` staging files, a User.com export directory or
/// API base URL (`usercom`; the key from `USERCOM_API_KEY`), or a directory of CSV exports
/// (`csv`, or the id of the platform that wrote them).
pub(crate) async fn open_source(from: &str, input: &Path) -> anyhow::Result<Box<dyn Source>> {
    let text = input.to_string_lossy();
    let is_url = text.starts_with("http://") || text.starts_with("https://");
    match from {
        CANONICAL_SCHEME => Ok(Box::new(CanonicalSource::open(input).map_err(|e| Usage(e.to_string()))?)),
        USERCOM_SCHEME if is_url => {
            let config = UsercomApiConfig::from_env(&text).map_err(|e| Usage(e.to_string()))?;
            Ok(Box::new(UsercomApiSource::new(config)?))
        }
        // Every file is read far enough to know it is usable before anything is written:
        // a whole-file problem is an input error (exit 4), before any schema change.
        USERCOM_SCHEME => {
            let source = UsercomCsvSource::open(input).map_err(|e| Usage(e.to_string()))?;
            source.csv().check()?;
            Ok(Box::new(source))
        }
        "csv" | "smartcrm" | "karmacrm" => {
            let source = CsvSource::open(input, from).map_err(|e| Usage(e.to_string()))?;
            source.check()?;
            Ok(Box::new(source))
        }
        other => Err(Usage(format!(
            "source {other:?} is not available in this build yet; available: canonical, usercom, csv (also smartcrm, karmacrm CSV exports)"
        ))
        .into()),
    }
}

/// The mapper: the canonical one for canonical sources, else the spec (validated against
/// the destination model).
async fn open_mapper(
    source: &dyn Source,
    from: &str,
    mapping: Option<&Path>,
    model: &DataModel,
) -> anyhow::Result<(Box<dyn RecordMapper>, Option<MappingSpec>)> {
    match (from, mapping) {
        (CANONICAL_SCHEME, None) => {
            let objects = source.objects().await?;
            if objects.is_empty() {
                return Err(Usage("the input holds no <object>.jsonl files".into()).into());
            }
            Ok((Box::new(CanonicalMapper::new(objects)), None))
        }
        (CANONICAL_SCHEME, Some(_)) => Err(Usage("canonical sources need no --mapping".into()).into()),
        (_, None) => Err(Usage(format!(
            "a {from} source needs --mapping FILE (propose one with `crm-migrate map --from {from} --input DIR --to DEST --out mapping.toml`)"
        ))
        .into()),
        (_, Some(path)) => {
            let spec = MappingSpec::load(path).map_err(Usage)?;
            let mapper = SpecMapper::new(spec.clone(), Some(model.clone())).map_err(Usage)?;
            Ok((Box::new(mapper), Some(spec)))
        }
    }
}

pub(crate) async fn plan(a: PlanArgs) -> anyhow::Result<u8> {
    let model = model_named(&a.model)?;
    let source = open_source(&a.from, &a.input).await?;
    let (mapper, _) = open_mapper(source.as_ref(), &a.from, a.mapping.as_deref(), &model).await?;
    let sink = SandboxSink::in_memory(model)?;
    let journal = SqliteJournal::in_memory()?;
    let (_, plan) = Engine::new(source.as_ref(), mapper.as_ref(), &sink, &journal)
        .plan()
        .await?;
    print!("{plan}");
    Ok(EXIT_OK)
}

pub(crate) async fn run(a: RunArgs) -> anyhow::Result<u8> {
    if a.batch_size == Some(0) || a.concurrency == 0 {
        return Err(Usage("--batch-size and --concurrency must be at least 1".into()).into());
    }
    let dest = Destination::parse(&a.to, &a.model)?.with_rate_limit(a.rate_limit);
    // The confirmation gate comes first: nothing is contacted on an unread mapping.
    let spec = match &a.mapping {
        Some(path) => Some(MappingSpec::load(path).map_err(Usage)?),
        None => None,
    };
    if let (Some(spec), Some(path)) = (&spec, &a.mapping) {
        if !dest.is_sandbox() && !a.dry_run {
            spec.require_confirmed(&path.display().to_string())
                .map_err(Usage)?;
        }
    }
    // The source first (a wrong source is a usage error before anything is opened), then the live
    // destination, whose model (with its custom fields) the mapping is checked against.
    let source = open_source(&a.from, &a.input).await?;
    let live = dest.open()?;
    let model = live.data_model().await?;
    // What the destination does that a person should know before anything is written
    // (a dry run says it too), and what was found out about it, for the state directory.
    live.check().await?;
    for w in live.warnings() {
        eprintln!("Warning: {w}");
    }
    if let Some(found) = live.findings() {
        std::fs::create_dir_all(&a.state)?;
        std::fs::write(
            a.state.join("capabilities.json"),
            serde_json::to_string_pretty(&found)? + "\n",
        )?;
    }
    let (mapper, _) = open_mapper(source.as_ref(), &a.from, a.mapping.as_deref(), &model).await?;
    let policies = spec
        .as_ref()
        .map(|s| s.policies.clone())
        .unwrap_or_default();
    let orphans = match (a.orphans, policies.orphans) {
        (Some(Orphans::Reject), _) | (None, OrphanRule::Reject) => OrphanPolicy::Reject,
        (Some(Orphans::Queue), _) | (None, OrphanRule::Queue) => OrphanPolicy::Queue,
        (Some(Orphans::DropLink), _) | (None, OrphanRule::DropLink) => OrphanPolicy::DropLink,
    };
    let config = EngineConfig {
        // Capped by the engine at what the destination takes.
        batch_size: a.batch_size.unwrap_or(usize::MAX),
        concurrency: a.concurrency,
        orphans,
        ambiguous: match policies.ambiguous_match {
            AmbiguousRule::First => AmbiguityPolicy::First,
            AmbiguousRule::Reject => AmbiguityPolicy::Reject,
        },
        owner_fallback: a.owner_fallback.clone().or(policies.owner_fallback.clone()),
        overwrite_conflicts: a.overwrite_conflicts,
        mode: if a.delta {
            RunMode::Delta
        } else {
            RunMode::Full
        },
        dedupe: policies.dedupe.clone(),
        ..EngineConfig::default()
    };
    let sandbox = if a.dry_run {
        Some(SandboxSink::in_memory(model.clone())?)
    } else {
        dest.open_sandbox()?
    };
    if !a.dry_run {
        dest.remember(&a.state)?;
    }
    if let (Some(members), Some(sb)) = (&a.sandbox_members, &sandbox) {
        let n = sb.seed_users_csv(members)?;
        if n > 0 {
            eprintln!("Seeded the sandbox with {n} workspace members.");
        }
    }
    let sink: Box<dyn Sink> = match sandbox {
        Some(sb) => Box::new(sb),
        None => live,
    };
    let journal: Box<dyn Journal> = if a.dry_run {
        std::fs::create_dir_all(&a.state)?;
        Box::new(SqliteJournal::in_memory()?)
    } else {
        Box::new(SqliteJournal::open(&a.state)?)
    };
    let bars = Bars::new();
    let summary = Engine::new(
        source.as_ref(),
        mapper.as_ref(),
        sink.as_ref(),
        journal.as_ref(),
    )
    .config(config)
    .schema(
        spec.as_ref()
            .map(|s| s.schema_changes())
            .unwrap_or_default(),
    )
    .progress(&bars)
    .run()
    .await
    .map_err(|e| {
        // A refused schema change leaves what was made before it: say how to undo it.
        if e.to_string().contains("rollback --remove-schema") {
            anyhow::anyhow!(
                "{e}\nTo undo the schema changes already made: crm-migrate rollback --state {} --remove-schema",
                a.state.display()
            )
        } else {
            anyhow::Error::new(e)
        }
    })?;
    let report = write_reports(&a.state, journal.as_ref(), &summary)?;
    if a.from == USERCOM_SCHEME && !a.dry_run {
        let n = crm_migrate::connectors::usercom::segments::write_segments_csv(
            source.as_ref(),
            journal.as_ref(),
            &a.state.join("segments.csv"),
        )
        .await?;
        eprintln!("Wrote {n} segment memberships to segments.csv.");
    }
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
