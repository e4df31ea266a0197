//! `crm-migrate rollback`.

use crm_migrate::core::engine::rollback as rollback_run;
use crm_migrate::core::journal::SqliteJournal;

use super::destination::Destination;
use super::progress::Bars;
use super::{StateArgs, EXIT_FAILURE, EXIT_OK};

pub(crate) async fn rollback(a: StateArgs) -> anyhow::Result<u8> {
    let dest = Destination::recall(&a.state)?;
    let sink = dest.open()?;
    let journal = SqliteJournal::open(&a.state)?;
    let report = rollback_run(&sink, &journal, &Bars::new()).await?;
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
    for (object, id, why) in &report.failed {
        println!("  {object} {id}: {why}");
    }
    if report.complete {
        println!("The state directory is reset: the same data can be migrated again.");
        Ok(EXIT_OK)
    } else {
        println!("Rollback stopped early; run it again to continue.");
        Ok(EXIT_FAILURE)
    }
}
