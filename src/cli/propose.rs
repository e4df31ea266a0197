//! `crm-migrate discover` and the proposal half of `crm-migrate map`.

use std::path::PathBuf;

use crm_migrate::transform::discover::discover as profile;
use crm_migrate::transform::propose::{propose as heuristic, ProposalHints};

use super::destination::{model_named, Destination};
use super::run::open_source;
use super::{Usage, EXIT_OK, EXIT_PARTIAL};
use crm_migrate::connectors::usercom::{UsercomApiConfig, UsercomApiSource, USERCOM_SCHEME};

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
    let d = profile(source.as_ref(), &objects, a.max_records).await?;
    d.write(&a.out)?;
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
    if from == USERCOM_SCHEME {
        return usercom_default_map(&model, &out);
    }
    let source = open_source(&from, &input).await?;
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

/// User.com: the curated default map (custom attributes, tags, segments, the event split,
/// chat transcripts, the deal status → stage map), fitted to the destination's model: a line
/// whose target the destination lacks (and the map does not create) is left out, and said.
fn usercom_default_map(
    model: &crm_migrate::core::DataModel,
    out: &std::path::Path,
) -> anyhow::Result<u8> {
    use crm_migrate::transform::mapping::MappingSpec;
    let text = crm_migrate::connectors::usercom::mapping::default_mapping();
    let mut spec = MappingSpec::from_toml(text).map_err(anyhow::Error::msg)?;
    let mut planned = model.clone();
    for change in planned.missing(&spec.schema_changes()) {
        planned.apply(&change);
    }
    let mut dropped = Vec::new();
    for o in &mut spec.objects {
        let target = o.target.clone();
        o.fields.retain(|f| {
            let keep = planned
                .get(&target)
                .is_some_and(|d| d.get(&f.target).is_some());
            if !keep {
                dropped.push(format!(
                    "{}.{} → {}.{}",
                    o.source, f.source, target, f.target
                ));
            }
            keep
        });
    }
    crm_migrate::transform::SpecMapper::new(spec.clone(), Some(model.clone())).map_err(Usage)?;
    if dropped.is_empty() {
        std::fs::write(out, text)?;
    } else {
        spec.meta.proposed_by = Some("usercom default map, fitted to the destination".into());
        spec.save(out).map_err(anyhow::Error::msg)?;
        for d in &dropped {
            println!("  note: the destination has no field for {d}; left out");
        }
    }
    println!(
        "Wrote the default User.com → {} map ({} objects, {} custom fields) to {}.",
        model.name,
        spec.objects.len(),
        spec.custom_fields.len(),
        out.display()
    );
    println!(
        "Read it (lines marked CHECK first), edit it, then: crm-migrate map --confirm {}",
        out.display()
    );
    Ok(EXIT_PARTIAL)
}
