//! Reports written into the state directory after every run: `report.json`, `report.md`,
//! `report.html`, `rejects.csv` and `review_queue.csv`.
//!
//! `report.json` is a contract outside tools rely on: for each object it holds `source`,
//! `created`, `updated`, `merged`, `adopted`, `rejected`, `queued` and `skipped`, and
//! `source == created + updated + merged + adopted + rejected + queued + skipped` for every
//! object. `files` holds the same per exported file (each row once).

mod csv_out;
mod html;
mod json;
mod markdown;
mod reasons;

pub use csv_out::{neutralise, write_report_csv};
pub use json::{ObjectReport, RunReport};
pub use reasons::{cause_of, reason_groups, ReasonGroup};

use std::path::Path;

use crate::engine::RunSummary;
use crate::journal::{Journal, NoticeKind, Outcome};
use crate::Result;

/// Writes the four report files for `summary` into `dir`.
pub fn write_reports(dir: &Path, journal: &dyn Journal, summary: &RunSummary) -> Result<RunReport> {
    std::fs::create_dir_all(dir)?;
    let report = RunReport::from_summary(summary);
    let json = serde_json::to_string_pretty(&report)?;
    std::fs::write(dir.join("report.json"), json + "\n")?;
    let rejects = journal.rows(summary.run.id, Outcome::Rejected)?;
    let queued = journal.rows(summary.run.id, Outcome::Queued)?;
    let dropped = journal.notices(summary.run.id, NoticeKind::ValueDropped)?;
    let unlinked = journal.notices(summary.run.id, NoticeKind::LinkNotMade)?;
    write_report_csv(&dir.join("rejects.csv"), &rejects, &dropped, "field")?;
    write_report_csv(&dir.join("review_queue.csv"), &queued, &unlinked, "link")?;
    std::fs::write(
        dir.join("report.md"),
        markdown::render(&report, &rejects, &queued, &dropped, &unlinked),
    )?;
    std::fs::write(
        dir.join("report.html"),
        html::render(&report, &rejects, &queued, &dropped, &unlinked),
    )?;
    Ok(report)
}
