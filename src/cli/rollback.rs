//! `crm-migrate rollback`.

use crm_migrate::core::engine::{rollback as rollback_run, rollback_with_schema};
use crm_migrate::core::journal::SqliteJournal;

use super::destination::Destination;
use super::progress::Bars;
use super::{EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL};

/// Arguments of `rollback`.
#[derive(Debug, clap::Args)]
pub(crate) struct RollbackArgs {
    /// State directory of the run(s) to undo.
    #[arg(long)]
    state: std::path::PathBuf,
    /// Also remove the custom fields and select options the runs created.
    #[arg(long)]
    remove_schema: bool,
}

pub(crate) async fn rollback(a: RollbackArgs) -> anyhow::Result<u8> {
    let dest = Destination::recall(&a.state)?;
    let sink = dest.open()?;
    let journal = SqliteJournal::open(&a.state)?;
    let report = if a.remove_schema {
        rollback_with_schema(sink.as_ref(), &journal, &Bars::new()).await?
    } else {
        rollback_run(sink.as_ref(), &journal, &Bars::new()).await?
    };
    std::fs::write(
        a.state.join("rollback.json"),
        serde_json::to_string_pretty(&report)? + "\n",
    )?;
    println!(
        "Rolled back: {} deleted, {} already gone, {} restored, {} failed.",
        report.deleted,
        report.already_gone,
        report.restored,
        report.failed.len()
    );
    for change in &report.schema_removed {
        println!("  removed: {change}");
    }
    for (object, id, why) in &report.failed {
        println!("  {object} {id}: {why}");
    }
    if report.clean() {
        println!("The state directory is reset: the same data can be migrated again.");
        Ok(EXIT_OK)
    } else if report.complete {
        println!(
            "{} writes could not be undone (listed above and in rollback.json): put them right by hand.",
            report.failed.len()
        );
        Ok(EXIT_PARTIAL)
    } else {
        println!("Rollback stopped early; run it again to continue.");
        Ok(EXIT_FAILURE)
    }
}
