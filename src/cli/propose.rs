//! `crm-migrate discover` and the proposal half of `crm-migrate map`.

use std::path::PathBuf;

use crm_migrate::transform::discover::discover as profile;
use crm_migrate::transform::propose::{propose as heuristic, ProposalHints};

use super::destination::{model_named, Destination};
use super::run::open_source;
use super::{Usage, EXIT_OK, EXIT_PARTIAL};
use crm_migrate::connectors::usercom::{
    UsercomApiConfig, UsercomApiSource, UsercomCsvSource, USERCOM_SCHEME,
};

/// Arguments of `discover`.
#[derive(Debug, clap::Args)]
pub(crate) struct DiscoverArgs {
    /// Source platform (`csv`, `usercom`, `smartcrm`, `karmacrm`, `canonical`).
    #[arg(long)]
    from: String,
    /// Source input (export directory or API base URL).
    #[arg(long)]
    input: PathBuf,
    /// Where to write `discovery.json` and `discovery.md`.
    #[arg(long)]
    out: PathBuf,
    /// Read at most this many records per object (all when absent).
    #[arg(long)]
    max_records: Option<u64>,
}

pub(crate) async fn discover(a: DiscoverArgs) -> anyhow::Result<u8> {
    let source = open_source(&a.from, &a.input).await?;
    let objects = source.objects().await?;
    let mut d = profile(source.as_ref(), &objects, a.max_records).await?;
    if a.from == USERCOM_SCHEME && a.input.is_dir() {
        // Files not in this export, unknown files and columns.
        d.notes = UsercomCsvSource::open(&a.input)
            .map_err(|e| Usage(e.to_string()))?
            .export_notes();
    }
    d.write(&a.out)?;
    for n in &d.notes {
        println!("  note: {n}");
    }
    for o in &d.objects {
        println!(
            "{:>14}: {} records, {} fields",
            o.name,
            o.count,
            o.fields.len()
        );
    }
    println!(
        "Wrote {0}/discovery.json and {0}/discovery.md.",
        a.out.display()
    );
    if a.from == USERCOM_SCHEME {
        usercom_reports(source.as_ref(), &a).await?;
    }
    Ok(EXIT_OK)
}

/// User.com: the billable-contact and data-quality audit, and the inventory of what cannot
/// move (automations, templates, campaigns, web push, segment definitions, integrations).
async fn usercom_reports(
    source: &dyn crm_migrate::core::Source,
    a: &DiscoverArgs,
) -> anyhow::Result<()> {
    let audit = crm_migrate::connectors::usercom::audit::audit(source, chrono::Utc::now()).await?;
    audit.write(&a.out)?;
    let text = a.input.to_string_lossy();
    let api = if text.starts_with("http://") || text.starts_with("https://") {
        let config = UsercomApiConfig::from_env(&text).map_err(|e| Usage(e.to_string()))?;
        Some(UsercomApiSource::new(config)?)
    } else {
        None
    };
    let export = api.is_none().then_some(a.input.as_path());
    let inventory =
        crm_migrate::connectors::usercom::inventory::inventory(api.as_ref(), export).await?;
    inventory.write(&a.out)?;
    println!(
        "Billable contacts: {} (anonymous visitors not migrated: {}). Wrote audit.md and inventory.md (what cannot move).",
        audit.billable.billable, audit.billable.anonymous
    );
    Ok(())
}

fn standard_model(dest: &Destination) -> anyhow::Result<crm_migrate::core::DataModel> {
    match dest {
        Destination::Sandbox { model, .. } => model_named(model),
        Destination::Remote { platform, .. } => model_named(platform),
    }
}

pub(crate) async fn propose(
    from: Option<String>,
    to: Option<String>,
    input: Option<PathBuf>,
    out: Option<PathBuf>,
) -> anyhow::Result<u8> {
    let (Some(from), Some(input), Some(out)) = (from, input, out) else {
        return Err(Usage("map needs --from, --input and --out (or --confirm FILE)".into()).into());
    };
    let to = to.unwrap_or_else(|| "sandbox:dest.sqlite".into());
    let dest = Destination::parse(&to, "twenty")?;
    // The live model where the destination can be reached (its custom fields, its version's
    // fields); the recorded standard model otherwise.
    // A sandbox that does not exist yet is not created just to read its model.
    let fresh_sandbox = matches!(&dest, Destination::Sandbox { path, .. } if !path.exists());
    let model = match if fresh_sandbox {
        Err(anyhow::anyhow!("not created yet"))
    } else {
        dest.open()
    } {
        Err(_) if fresh_sandbox => standard_model(&dest)?,
        Ok(sink) => {
            match sink.data_model().await {
                Ok(m) => m,
                Err(e) => {
                    eprintln!("note: could not read the destination's model ({e}); using the standard one");
                    standard_model(&dest)?
                }
            }
        }
        Err(e) => {
            eprintln!("note: could not open the destination ({e}); using its standard model");
            standard_model(&dest)?
        }
    };
    let source = open_source(&from, &input).await?;
    if from == USERCOM_SCHEME {
        return usercom_map(source.as_ref(), &model, &out).await;
    }
    let objects = source.objects().await?;
    let discovery = profile(source.as_ref(), &objects, Some(5_000)).await?;
    let hints = ProposalHints {
        source: from.clone(),
        destination: model.name.clone(),
        ..ProposalHints::default()
    };
    let proposal = heuristic(&discovery, &model, &hints);
    proposal.spec.save(&out).map_err(anyhow::Error::msg)?;
    let flagged = proposal.flagged();
    println!(
        "Proposed {} objects, {} fields ({} flagged CHECK), {} custom fields → {}",
        proposal.spec.objects.len(),
        proposal
            .spec
            .objects
            .iter()
            .map(|o| o.fields.len())
            .sum::<usize>(),
        flagged.len(),
        proposal.spec.custom_fields.len(),
        out.display()
    );
    for n in &proposal.notes {
        println!("  note: {n}");
    }
    println!(
        "Read it, edit it, then: crm-migrate map --confirm {}",
        out.display()
    );
    Ok(if flagged.is_empty() && proposal.notes.is_empty() {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    })
}

/// User.com: the platform map fitted to the export in hand (its columns, every value of its
/// choice columns, its custom attributes as custom fields, names the destination accepts),
/// checked against the destination's model.
async fn usercom_map(
    source: &dyn crm_migrate::core::Source,
    model: &crm_migrate::core::DataModel,
    out: &std::path::Path,
) -> anyhow::Result<u8> {
    let proposal = crm_migrate::connectors::usercom::mapping::propose(source, model).await?;
    crm_migrate::transform::SpecMapper::new(proposal.spec.clone(), Some(model.clone()))
        .map_err(Usage)?;
    proposal.save(out)?;
    let spec = &proposal.spec;
    for n in &proposal.notes {
        println!("  note: {n}");
    }
    let flagged = spec
        .objects
        .iter()
        .flat_map(|o| &o.fields)
        .filter(|f| f.flag.is_some())
        .count();
    println!(
        "Proposed the User.com → {} map of this export ({} objects, {} fields ({flagged} flagged CHECK), {} custom fields) → {}.",
        model.name,
        spec.objects.len(),
        spec.objects.iter().map(|o| o.fields.len()).sum::<usize>(),
        spec.custom_fields.len(),
        out.display()
    );
    println!(
        "Read it (notes at the top and lines marked CHECK first), edit it, then: crm-migrate map --confirm {}",
        out.display()
    );
    Ok(EXIT_PARTIAL)
}
