//! `crm-migrate sample`.

use std::path::PathBuf;

use crm_migrate::connectors::canonical;

use super::{Usage, EXIT_OK};

/// Arguments of `sample`.
#[derive(Debug, clap::Args)]
pub(crate) struct SampleArgs {
    /// Source format to imitate (`canonical`).
    source: String,
    /// Number of people (companies, deals and activities follow in proportion).
    #[arg(long, default_value_t = 1000)]
    records: usize,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
    /// Random seed (the same seed gives the same sample).
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

pub(crate) fn sample(a: SampleArgs) -> anyhow::Result<u8> {
    if a.source != canonical::CANONICAL_SCHEME {
        return Err(Usage(format!(
            "no sample generator for {:?} yet; available: canonical",
            a.source
        ))
        .into());
    }
    let s = canonical::generate(&a.out, a.records, a.seed)?;
    for (object, n) in &s.objects {
        println!("{object:>12}: {n} records");
    }
    println!(
        "{:>12}: {} (in {})",
        "members",
        s.members,
        canonical::MEMBERS_FILE
    );
    println!("Sample written to {}.", a.out.display());
    Ok(EXIT_OK)
}
