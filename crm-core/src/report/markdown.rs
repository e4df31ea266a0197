//! `report.md`: the reconciliation a person reads.

use std::fmt::Write;

use super::json::RunReport;
use crate::journal::{NoticeRow, OutcomeRow};

const SHOWN: usize = 50;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub(super) fn render(
    r: &RunReport,
    rejects: &[OutcomeRow],
    queued: &[OutcomeRow],
    dropped: &[NoticeRow],
    unlinked: &[NoticeRow],
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
    let _ = writeln!(
        md,
        "| object | source | created | updated | merged | adopted | rejected | queued | skipped | adds up |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|");
    for o in r.objects.iter().chain(std::iter::once(&r.totals)) {
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
    if !r.files.is_empty() {
        let _ = writeln!(
            md,
            "\n## Rows per exported file\n\nEach exported row once, under the outcome that describes it best (a file that feeds several objects is counted once per row).\n"
        );
        let _ = writeln!(
            md,
            "| file | rows | created | updated | merged | adopted | rejected | queued | skipped | adds up |"
        );
        let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|");
        for o in &r.files {
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
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(md, "\n## {title} ({}; all in `{file}`)\n", rows.len());
        let _ = writeln!(md, "{what}.\n");
        let _ = writeln!(md, "| object | record | field | value | reason |");
        let _ = writeln!(md, "|---|---|---|---|---|");
        for row in rows.iter().take(SHOWN) {
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
        if rows.len() > SHOWN {
            let _ = writeln!(md, "\n…and {} more in `{file}`.", rows.len() - SHOWN);
        }
    }
    for (title, rows, file) in [
        ("Rejected", rejects, "rejects.csv"),
        ("Review queue", queued, "review_queue.csv"),
    ] {
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(md, "\n## {title} ({}; all in `{file}`)\n", rows.len());
        let _ = writeln!(md, "| object | record | field | value | reason |");
        let _ = writeln!(md, "|---|---|---|---|---|");
        for row in rows.iter().take(SHOWN) {
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
        if rows.len() > SHOWN {
            let _ = writeln!(md, "\n…and {} more in `{file}`.", rows.len() - SHOWN);
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
