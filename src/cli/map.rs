//! `crm-migrate map`: propose a mapping, or confirm one a person has read.

use std::path::PathBuf;

use crm_migrate::transform::mapping::{Confirmation, MappingSpec};

use super::{Usage, EXIT_OK};

/// Arguments of `map`.
#[derive(Debug, clap::Args)]
pub(crate) struct MapArgs {
    /// Confirm this mapping file: stamp it with its checksum after a person has read it.
    #[arg(long, conflicts_with_all = ["from", "to", "input", "out"])]
    confirm: Option<PathBuf>,
    /// Source platform.
    #[arg(long)]
    from: Option<String>,
    /// Destination (`sandbox:PATH`, `twenty:URL`, …) whose model to map onto.
    #[arg(long)]
    to: Option<String>,
    /// Source input (export directory or API base URL).
    #[arg(long)]
    input: Option<PathBuf>,
    /// Where to write the proposed mapping.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub(crate) async fn map(a: MapArgs) -> anyhow::Result<u8> {
    if let Some(path) = a.confirm {
        return confirm(&path);
    }
    super::propose::propose(a.from, a.to, a.input, a.out).await
}

fn confirm(path: &std::path::Path) -> anyhow::Result<u8> {
    let mut spec = MappingSpec::load(path).map_err(Usage)?;
    let before = spec.confirmation();
    spec.confirm();
    spec.save(path).map_err(anyhow::Error::msg)?;
    let note = match before {
        Confirmation::Confirmed => "was already confirmed; stamp unchanged",
        Confirmation::Unconfirmed => "confirmed",
        Confirmation::EditedSinceConfirmed => "re-confirmed after edits",
    };
    println!(
        "{}: {note} ({}).",
        path.display(),
        spec.meta.confirmed.as_deref().unwrap_or("")
    );
    println!("Runs to any destination will now use it; editing it again needs a new confirmation.");
    Ok(EXIT_OK)
}
