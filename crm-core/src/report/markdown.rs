//! `report.md`: the reconciliation a person reads.

use std::fmt::Write;

use super::json::RunReport;
use crate::journal::{NoticeRow, OutcomeRow};

/// Rows of each list shown in the report (the CSV files hold all of them).
pub(super) const SHOWN: usize = 50;

/// The first [`SHOWN`] rows of a list, and how many it holds.
pub(super) struct Listed<T> {
    pub(super) first: Vec<T>,
    pub(super) total: usize,
}

impl<T> Listed<T> {
    /// A list whose rows are pushed one at a time; only the first [`SHOWN`] are kept.
    pub(super) fn new() -> Self {
        Self {
            first: Vec::new(),
            total: 0,
        }
    }

    pub(super) fn push(&mut self, row: T) {
        self.total += 1;
        if self.first.len() < SHOWN {
            self.first.push(row);
        }
    }
}

/// One reconciliation table: a line per object (or file), with its outcomes.
fn table<'a>(
    md: &mut String,
    first: &str,
    count: &str,
    rows: impl Iterator<Item = &'a super::json::ObjectReport>,
) {
    let _ = writeln!(
        md,
        "| {first} | {count} | created | updated | merged | adopted | rejected | queued | skipped | adds up |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|");
    for o in rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            o.object,
            o.source,
            o.created,
            o.updated,
            o.merged,
            o.adopted,
            o.rejected,
            o.queued,
            o.skipped,
            if o.balanced { "yes" } else { "**NO**" }
        );
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub(super) fn render(
    r: &RunReport,
    rejects: &Listed<OutcomeRow>,
    queued: &Listed<OutcomeRow>,
    dropped: &Listed<NoticeRow>,
    unlinked: &Listed<NoticeRow>,
) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Migration report — run {} ({})\n", r.run, r.mode);
    let _ = writeln!(
        md,
        "Started {}; {} attempt(s). Load order: {}.\n",
        r.started,
        r.attempts,
        r.plan.join(" → ")
    );
    table(
        &mut md,
        "object",
        "source",
        r.objects.iter().chain(std::iter::once(&r.totals)),
    );
    if !r.files.is_empty() {
        let _ = writeln!(
            md,
            "\n## Rows per exported file\n\nEach exported row once, under the outcome that describes it best (a file that feeds several objects is counted once per row).\n"
        );
        table(&mut md, "file", "rows", r.files.iter());
    }
    for (title, rows, file, what) in [
        (
            "Values left out of records that loaded",
            dropped,
            "rejects.csv",
            "each record loaded without this value; fix it in the source or the mapping and run a delta",
        ),
        (
            "Links not made",
            unlinked,
            "review_queue.csv",
            "each record loaded without this link; a delta run makes it once the target exists",
        ),
    ] {
        if rows.total == 0 {
            continue;
        }
        let _ = writeln!(md, "\n## {title} ({}; all in `{file}`)\n", rows.total);
        let _ = writeln!(md, "{what}.\n");
        let _ = writeln!(md, "| object | record | field | value | reason |");
        let _ = writeln!(md, "|---|---|---|---|---|");
        for row in &rows.first {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                row.object,
                cell(&row.key.to_string()),
                cell(&row.notice.field),
                cell(row.notice.value.as_deref().unwrap_or("")),
                cell(&row.notice.reason)
            );
        }
        if rows.total > rows.first.len() {
            let _ = writeln!(
                md,
                "\n…and {} more in `{file}`.",
                rows.total - rows.first.len()
            );
        }
    }
    for (title, rows, file) in [
        ("Rejected", rejects, "rejects.csv"),
        ("Review queue", queued, "review_queue.csv"),
    ] {
        if rows.total == 0 {
            continue;
        }
        let _ = writeln!(md, "\n## {title} ({}; all in `{file}`)\n", rows.total);
        let _ = writeln!(md, "| object | record | field | value | reason |");
        let _ = writeln!(md, "|---|---|---|---|---|");
        for row in &rows.first {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                row.object,
                cell(&row.key.to_string()),
                cell(row.field.as_deref().unwrap_or("")),
                cell(row.value.as_deref().unwrap_or("")),
                cell(row.reason.as_deref().unwrap_or(""))
            );
        }
        if rows.total > rows.first.len() {
            let _ = writeln!(
                md,
                "\n…and {} more in `{file}`.",
                rows.total - rows.first.len()
            );
        }
    }
    if !r.link_problems.is_empty() {
        let _ = writeln!(md, "\n## Links not made ({})\n", r.link_problems.len());
        for [o, k, f, p] in &r.link_problems {
            let _ = writeln!(md, "- {o} {k}: `{f}` — {p}");
        }
    }
    md
}
