//! `crm-migrate verify`.

use crm_migrate::core::engine::verify as verify_run;
use crm_migrate::core::journal::SqliteJournal;
use crm_migrate::core::report::neutralise;

use super::destination::Destination;
use super::{StateArgs, EXIT_OK, EXIT_PARTIAL};

pub(crate) async fn verify(a: StateArgs) -> anyhow::Result<u8> {
    let dest = Destination::recall(&a.state)?;
    let sink = dest.open()?;
    let journal = SqliteJournal::open(&a.state)?;
    let model = sink.data_model().await?;
    let report = verify_run(sink.as_ref(), &journal, &model).await?;
    std::fs::write(
        a.state.join("verify.json"),
        serde_json::to_string_pretty(&report)? + "\n",
    )?;
    let mut w = csv::Writer::from_path(a.state.join("verify_differences.csv"))?;
    w.write_record([
        "object",
        "source_key",
        "destination_id",
        "field",
        "expected",
        "found",
    ])?;
    for d in &report.differences {
        w.write_record(
            [
                &d.object,
                &d.key,
                &d.dest_id,
                &d.field,
                &d.expected,
                &d.found,
            ]
            .map(|c| neutralise(c)),
        )?;
    }
    w.flush()?;
    println!(
        "Verified {} records, {} fields: {} differences.",
        report.records,
        report.fields,
        report.differences.len()
    );
    for d in report.differences.iter().take(20) {
        println!(
            "  {} {} {}: expected {:?}, found {:?}",
            d.object, d.key, d.field, d.expected, d.found
        );
    }
    if report.differences.len() > 20 {
        println!(
            "  …all {} in verify_differences.csv",
            report.differences.len()
        );
    }
    Ok(if report.clean() {
        EXIT_OK
    } else {
        EXIT_PARTIAL
    })
}
