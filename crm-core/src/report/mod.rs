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

pub use csv_out::{neutralise, write_report_csv, ReportCsv};
pub use html::reason_kind;
pub use json::{ObjectReport, RunReport};
pub use reasons::{cause_of, reason_groups, ReasonGroup};

use std::path::Path;

use crate::engine::RunSummary;
use crate::journal::{Journal, NoticeKind, Outcome};
use crate::Result;
use markdown::Listed;

/// Writes the four report files for `summary` into `dir`.
pub fn write_reports(dir: &Path, journal: &dyn Journal, summary: &RunSummary) -> Result<RunReport> {
    std::fs::create_dir_all(dir)?;
    let report = RunReport::from_summary(summary);
    let json = serde_json::to_string_pretty(&report)?;
    std::fs::write(dir.join("report.json"), json + "\n")?;
    // Streamed from the journal into the CSV files, a row at a time; report.md shows the
    // first rows of each list and its length.
    let run = summary.run.id;
    let mut rejects = Listed::new();
    let mut dropped = Listed::new();
    let mut rejects_page = html::ReasonTally::new();
    let mut csv = ReportCsv::create(&dir.join("rejects.csv"))?;
    journal.each_row(run, Outcome::Rejected, &mut |r| {
        csv.row(&r)?;
        rejects_page.row(&r);
        rejects.push(r);
        Ok(())
    })?;
    journal.each_notice(run, NoticeKind::ValueDropped, &mut |n| {
        csv.notice(&n, "field")?;
        rejects_page.notice(&n, "field");
        dropped.push(n);
        Ok(())
    })?;
    csv.finish()?;
    let mut queued = Listed::new();
    let mut unlinked = Listed::new();
    let mut review_page = html::ReasonTally::new();
    let mut csv = ReportCsv::create(&dir.join("review_queue.csv"))?;
    journal.each_row(run, Outcome::Queued, &mut |r| {
        csv.row(&r)?;
        review_page.row(&r);
        queued.push(r);
        Ok(())
    })?;
    journal.each_notice(run, NoticeKind::LinkNotMade, &mut |n| {
        csv.notice(&n, "link")?;
        review_page.notice(&n, "link");
        unlinked.push(n);
        Ok(())
    })?;
    csv.finish()?;
    std::fs::write(
        dir.join("report.md"),
        markdown::render(&report, &rejects, &queued, &dropped, &unlinked),
    )?;
    std::fs::write(
        dir.join("report.html"),
        html::render(&report, &rejects_page, &review_page),
    )?;
    Ok(report)
}
