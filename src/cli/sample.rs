//! `crm-migrate sample`.

use std::path::PathBuf;

use crm_migrate::connectors::{canonical, usercom};

use super::{Usage, EXIT_OK};

/// Arguments of `sample`.
#[derive(Debug, clap::Args)]
pub(crate) struct SampleArgs {
    /// Source format to imitate (`canonical`, `usercom`).
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
    /// For `usercom`: `unseen` writes a second export whose vocabulary, column order,
    /// header spelling and files differ from the bundled sample's in every way the
    /// documented format allows.
    #[arg(long)]
    variant: Option<String>,
}

pub(crate) fn sample(a: SampleArgs) -> anyhow::Result<u8> {
    match a.source.as_str() {
        canonical::CANONICAL_SCHEME => {
            let s = canonical::generate(&a.out, a.records, a.seed)?;
            for (object, n) in &s.objects {
                println!("{object:>14}: {n} records");
            }
            println!(
                "{:>14}: {} (in {})",
                "members",
                s.members,
                canonical::MEMBERS_FILE
            );
        }
        usercom::USERCOM_SCHEME if a.variant.as_deref() == Some("unseen") => {
            let s = usercom::unseen::generate_unseen(&a.out, a.records)?;
            for (object, n) in &s.objects {
                println!("{object:>14}: {n} rows");
            }
            println!(
                "{:>14}: {} (in {})",
                "members",
                s.members.len(),
                usercom::unseen::MEMBERS_FILE
            );
        }
        _ if a.variant.is_some() => {
            return Err(Usage(format!(
                "no variant {:?} of the {} sample; available: usercom --variant unseen",
                a.variant.as_deref().unwrap_or_default(),
                a.source
            ))
            .into());
        }
        usercom::USERCOM_SCHEME => {
            let s = usercom::sample::generate(&a.out, a.records, a.seed)?;
            for (object, n) in &s.objects {
                println!("{object:>14}: {n} rows");
            }
            println!(
                "{:>14}: {} (inside conversations)",
                "messages", s.conversation_messages
            );
            println!(
                "{:>14}: {} (in {})",
                "members",
                s.members,
                usercom::sample::MEMBERS_FILE
            );
            println!(
                "{:>14}: {} (in {})",
                "attributes",
                s.attributes,
                usercom::sample::ATTRIBUTES_FILE
            );
        }
        other => {
            return Err(Usage(format!(
                "no sample generator for {other:?}; available: canonical, usercom"
            ))
            .into());
        }
    }
    println!("Sample written to {}.", a.out.display());
    Ok(EXIT_OK)
}
