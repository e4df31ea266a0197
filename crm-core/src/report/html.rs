//! `report.html`: the reconciliation of `report.md` as a page that opens from disk, with
//! charts drawn as inline SVG (no script, no network, no external asset).
//!
//! It holds only what `report.md` holds (counts, and the rows of `rejects.csv` and
//! `review_queue.csv`), so no secret can appear in it; every value is HTML-escaped.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::json::{ObjectReport, RunReport};
use crate::journal::{NoticeRow, OutcomeRow};

/// Reasons shown in a reason chart; the rest are summed under "other reasons".
const TOP_REASONS: usize = 10;
/// Rows listed per reason in the tables (all of them are in the CSV files).
const ROWS_PER_REASON: usize = 25;

/// The outcomes of a reconciliation row, with the colour each gets in the charts.
const OUTCOMES: [(&str, &str); 7] = [
    ("created", "#2e7d32"),
    ("updated", "#1565c0"),
    ("merged", "#6a1b9a"),
    ("adopted", "#00838f"),
    ("rejected", "#c62828"),
    ("queued", "#ef6c00"),
    ("skipped", "#757575"),
];

/// Escapes text for HTML element content and attribute values (also inside SVG).
pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn outcome_counts(o: &ObjectReport) -> [u64; 7] {
    [
        o.created, o.updated, o.merged, o.adopted, o.rejected, o.queued, o.skipped,
    ]
}

/// One line of a reason table: the object, the record, the field, the value.
struct Line {
    object: String,
    record: String,
    field: String,
    value: String,
    level: &'static str,
}

/// A reason with its quoted values left out (`cannot read "x" as …` → `cannot read "…" as …`),
/// so records refused for the same cause count together.
pub fn reason_kind(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    let mut chars = reason.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '"' {
            let mut closed = false;
            while let Some(d) = chars.next() {
                match d {
                    '\\' => {
                        chars.next();
                    }
                    '"' => {
                        closed = true;
                        break;
                    }
                    _ => {}
                }
            }
            out.push('…');
            if closed {
                out.push('"');
            }
        }
    }
    out
}

/// Rows and notices tallied by reason as they stream past: a count per reason and the
/// first [`ROWS_PER_REASON`] rows of each, so the page's memory does not grow with the run.
#[derive(Default)]
pub(super) struct ReasonTally {
    groups: BTreeMap<String, (usize, Vec<Line>)>,
}

impl ReasonTally {
    /// An empty tally.
    pub(super) fn new() -> Self {
        Self::default()
    }

    fn add(&mut self, reason: String, line: Line) {
        let g = self.groups.entry(reason).or_default();
        g.0 += 1;
        if g.1.len() < ROWS_PER_REASON {
            g.1.push(line);
        }
    }

    /// Counts a record-level row (level `record`).
    pub(super) fn row(&mut self, r: &OutcomeRow) {
        self.add(
            r.reason
                .as_deref()
                .map(reason_kind)
                .unwrap_or_else(|| "(no reason given)".into()),
            Line {
                object: r.object.clone(),
                record: r.key.to_string(),
                field: r.field.clone().unwrap_or_default(),
                value: r.value.clone().unwrap_or_default(),
                level: "record",
            },
        );
    }

    /// Counts a notice, shown at `level` (`field`, `link`).
    pub(super) fn notice(&mut self, n: &NoticeRow, level: &'static str) {
        self.add(
            reason_kind(&n.notice.reason),
            Line {
                object: n.object.clone(),
                record: n.key.to_string(),
                field: n.notice.field.clone(),
                value: n.notice.value.clone().unwrap_or_default(),
                level,
            },
        );
    }

    /// The groups, most frequent first (ties by reason text).
    fn sorted(&self) -> Vec<(String, usize, &[Line])> {
        let mut v: Vec<(String, usize, &[Line])> = self
            .groups
            .iter()
            .map(|(k, (n, rows))| (k.clone(), *n, rows.as_slice()))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }
}

/// Stacked horizontal bars: one bar per row, one segment per outcome.
fn stacked_chart(id: &str, title: &str, rows: &[ObjectReport]) -> String {
    let label_w = 170.0;
    let bar_w = 560.0;
    let row_h = 26.0;
    let top = 8.0;
    let legend_h = 28.0;
    let height = top + row_h * rows.len() as f64 + legend_h;
    let max = rows
        .iter()
        .map(|r| outcome_counts(r).iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg id="{id}" class="chart" role="img" aria-labelledby="{id}-t" width="800" height="{height}" viewBox="0 0 800 {height}" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title>"#,
        escape(title)
    );
    for (i, r) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end" class="lbl">{}</text>"#,
            label_w - 8.0,
            y + 15.0,
            escape(&r.object)
        );
        let mut x = label_w;
        let counts = outcome_counts(r);
        for ((name, colour), n) in OUTCOMES.iter().zip(counts) {
            if n == 0 {
                continue;
            }
            let w = bar_w * n as f64 / max;
            let _ = write!(
                s,
                r#"<rect class="seg {name}" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="18" fill="{colour}"><title>{}: {n} {name}</title></rect>"#,
                escape(&r.object)
            );
            x += w;
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{}" class="num">{}</text>"#,
            x + 6.0,
            y + 15.0,
            counts.iter().sum::<u64>()
        );
    }
    let ly = top + row_h * rows.len() as f64 + 10.0;
    let mut lx = label_w;
    for (name, colour) in OUTCOMES {
        let _ = write!(
            s,
            r#"<rect x="{lx}" y="{ly}" width="12" height="12" fill="{colour}"/><text x="{}" y="{}" class="lg">{name}</text>"#,
            lx + 16.0,
            ly + 11.0
        );
        lx += 84.0;
    }
    s.push_str("</svg>");
    s
}

/// Bars of the top reasons, each linking to its table below.
fn reason_chart(id: &str, title: &str, groups: &[(String, usize, &[Line])]) -> String {
    let shown: Vec<(String, usize, Option<String>)> = {
        let mut v: Vec<(String, usize, Option<String>)> = groups
            .iter()
            .take(TOP_REASONS)
            .enumerate()
            .map(|(i, (reason, n, _))| (reason.clone(), *n, Some(format!("{id}-{i}"))))
            .collect();
        let rest: usize = groups.iter().skip(TOP_REASONS).map(|g| g.1).sum();
        if rest > 0 {
            v.push((
                format!("other reasons ({})", groups.len() - TOP_REASONS),
                rest,
                None,
            ));
        }
        v
    };
    let row_h = 24.0;
    let bar_x = 360.0;
    let bar_w = 360.0;
    let height = 8.0 + row_h * shown.len() as f64;
    let max = shown.iter().map(|r| r.1).max().unwrap_or(1).max(1) as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg id="{id}" class="chart" role="img" aria-labelledby="{id}-t" width="800" height="{height}" viewBox="0 0 800 {height}" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title>"#,
        escape(title)
    );
    for (i, (reason, n, anchor)) in shown.iter().enumerate() {
        let y = 8.0 + row_h * i as f64;
        let short: String = if reason.chars().count() > 52 {
            reason.chars().take(51).collect::<String>() + "…"
        } else {
            reason.clone()
        };
        let w = (bar_w * *n as f64 / max).max(1.0);
        let body = format!(
            r##"<text x="{}" y="{}" text-anchor="end" class="lbl">{}</text><rect class="reason" x="{bar_x}" y="{y}" width="{w:.1}" height="16" fill="#c62828"><title>{}: {n}</title></rect><text x="{:.1}" y="{}" class="num">{n}</text>"##,
            bar_x - 8.0,
            y + 13.0,
            escape(&short),
            escape(reason),
            bar_x + w + 6.0,
            y + 13.0
        );
        match anchor {
            Some(a) => {
                let _ = write!(s, r##"<a href="#{a}">{body}</a>"##);
            }
            None => s.push_str(&body),
        }
    }
    s.push_str("</svg>");
    s
}

fn reconciliation_table(s: &mut String, caption: &str, first: &str, rows: &[&ObjectReport]) {
    let _ = write!(
        s,
        "<table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">source</th>",
        escape(caption),
        escape(first)
    );
    for (name, _) in OUTCOMES {
        let _ = write!(s, "<th scope=\"col\">{name}</th>");
    }
    s.push_str("<th scope=\"col\">values left out</th><th scope=\"col\">links not made</th><th scope=\"col\">adds up</th></tr></thead><tbody>");
    for o in rows {
        let _ = write!(
            s,
            "<tr><th scope=\"row\">{}</th><td>{}</td>",
            escape(&o.object),
            o.source
        );
        for n in outcome_counts(o) {
            let _ = write!(s, "<td>{n}</td>");
        }
        let _ = write!(
            s,
            "<td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
            o.values_dropped,
            o.links_not_made,
            if o.balanced { "ok" } else { "bad" },
            if o.balanced { "yes" } else { "NO" }
        );
    }
    s.push_str("</tbody></table>");
}

fn reason_section(
    s: &mut String,
    id: &str,
    title: &str,
    file: &str,
    groups: &[(String, usize, &[Line])],
) {
    let total: usize = groups.iter().map(|g| g.1).sum();
    let _ = write!(
        s,
        "<section id=\"{id}\"><h2>{} <span class=\"count\">({total})</span></h2>",
        escape(title)
    );
    if groups.is_empty() {
        s.push_str("<p>None.</p></section>");
        return;
    }
    let _ = write!(
        s,
        "<p>Top reasons; each bar links to its rows below. Every row is in <code>{}</code>.</p>",
        escape(file)
    );
    s.push_str(&reason_chart(
        &format!("{id}-chart"),
        &format!("{title} by reason"),
        groups,
    ));
    for (i, (reason, n, rows)) in groups.iter().enumerate().take(TOP_REASONS) {
        let _ = write!(
            s,
            "<h3 id=\"{id}-chart-{i}\">{} <span class=\"count\">({n})</span></h3>",
            escape(reason),
        );
        s.push_str("<table class=\"rows\"><thead><tr><th scope=\"col\">object</th><th scope=\"col\">record</th><th scope=\"col\">level</th><th scope=\"col\">field</th><th scope=\"col\">value</th></tr></thead><tbody>");
        for l in rows.iter().take(ROWS_PER_REASON) {
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&l.object),
                escape(&l.record),
                l.level,
                escape(&l.field),
                escape(&l.value)
            );
        }
        s.push_str("</tbody></table>");
        if *n > rows.len() {
            let _ = write!(
                s,
                "<p>…and {} more in <code>{}</code>.</p>",
                n - rows.len(),
                escape(file)
            );
        }
    }
    if groups.len() > TOP_REASONS {
        let _ = write!(
            s,
            "<p>{} further reasons are in <code>{}</code>.</p>",
            groups.len() - TOP_REASONS,
            escape(file)
        );
    }
    s.push_str("</section>");
}

const STYLE: &str = "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1180px;padding:1rem 1.5rem;color:#1b1b1b}\
table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:14px}\
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:right;vertical-align:top}\
th[scope=row],td:first-child,thead th:first-child,table.rows td,table.rows th{text-align:left}caption{text-align:left;font-weight:600;padding:.25rem 0}\
thead th{background:#f0f0f0}.ok{color:#2e7d32}.bad{color:#c62828;font-weight:700}\
.chart{display:block;max-width:100%;height:auto;margin:.5rem 0 1rem}\
.chart .lbl,.chart .num,.chart .lg{font:12px system-ui,sans-serif;fill:#1b1b1b}\
.count{color:#555;font-weight:400}code{background:#f4f4f4;padding:0 .2rem}\
a:focus{outline:3px solid #1565c0}.note{color:#555}";

/// Renders the whole page.
pub(super) fn render(r: &RunReport, rejects: &ReasonTally, review: &ReasonTally) -> String {
    let mut s = String::new();
    let title = format!("Migration report — run {} ({})", r.run, r.mode);
    let _ = write!(
        s,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{t}</title><style>{STYLE}</style></head><body><h1>{t}</h1>",
        t = escape(&title)
    );
    let _ = write!(
        s,
        "<p>Started {}; {} attempt(s). Load order: {}. {}</p>",
        escape(&r.started),
        r.attempts,
        escape(&r.plan.join(" → ")),
        if r.balanced {
            "Every object adds up."
        } else {
            "<strong class=\"bad\">Some objects do not add up.</strong>"
        }
    );
    let mut rows: Vec<&ObjectReport> = r.objects.iter().collect();
    rows.push(&r.totals);
    reconciliation_table(&mut s, "Reconciliation per object", "object", &rows);
    s.push_str("<h2>Records per object and outcome</h2>");
    s.push_str(&stacked_chart(
        "chart-objects",
        "Records per object and outcome",
        &r.objects,
    ));
    if !r.files.is_empty() {
        s.push_str("<h2>Rows per exported file</h2><p>Each exported row once, under the outcome that describes it best.</p>");
        s.push_str(&stacked_chart(
            "chart-files",
            "Rows per exported file and outcome",
            &r.files,
        ));
        let files: Vec<&ObjectReport> = r.files.iter().collect();
        reconciliation_table(&mut s, "Rows per exported file", "file", &files);
    }
    s.push_str("<h2>Throughput</h2><p class=\"note\">Not charted: the journal keeps no time per batch, so there is no throughput over time to show.</p>");
    reason_section(
        &mut s,
        "rejects",
        "Rejected records and values left out",
        "rejects.csv",
        &rejects.sorted(),
    );
    reason_section(
        &mut s,
        "review",
        "Review queue and links not made",
        "review_queue.csv",
        &review.sorted(),
    );
    if !r.link_problems.is_empty() {
        let _ = write!(
            s,
            "<h2>Links the patch step could not make ({})</h2><ul>",
            r.link_problems.len()
        );
        for [o, k, f, p] in &r.link_problems {
            let _ = write!(
                s,
                "<li>{} {}: <code>{}</code> — {}</li>",
                escape(o),
                escape(k),
                escape(f),
                escape(p)
            );
        }
        s.push_str("</ul>");
    }
    s.push_str("</body></html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page for whole lists of rows, tallied as `write_reports` tallies them.
    fn render(
        r: &RunReport,
        rejects: &[OutcomeRow],
        queued: &[OutcomeRow],
        dropped: &[NoticeRow],
        unlinked: &[NoticeRow],
    ) -> String {
        let (mut a, mut b) = (ReasonTally::new(), ReasonTally::new());
        rejects.iter().for_each(|x| a.row(x));
        dropped.iter().for_each(|x| a.notice(x, "field"));
        queued.iter().for_each(|x| b.row(x));
        unlinked.iter().for_each(|x| b.notice(x, "link"));
        super::render(r, &a, &b)
    }
    use crate::journal::{Notice, NoticeKind, Outcome};
    use crate::SourceKey;

    fn counts(object: &str, created: u64, rejected: u64) -> ObjectReport {
        ObjectReport {
            object: object.into(),
            source: created + rejected,
            created,
            updated: 0,
            merged: 0,
            adopted: 0,
            rejected,
            queued: 0,
            skipped: 0,
            values_dropped: 0,
            links_not_made: 0,
            balanced: true,
        }
    }

    fn report(object: &str) -> RunReport {
        RunReport {
            run: 1,
            mode: "full".into(),
            attempts: 1,
            started: "2026-01-01T00:00:00Z".into(),
            plan: vec![object.into()],
            objects: vec![counts(object, 3, 2)],
            files: vec![counts("users<b>.csv", 3, 2)],
            totals: counts("total", 3, 2),
            balanced: true,
            link_problems: vec![],
        }
    }

    fn reject(reason: &str, value: &str) -> OutcomeRow {
        OutcomeRow {
            object: "person".into(),
            key: SourceKey::new("usercom", "users", "7"),
            outcome: Outcome::Rejected,
            dest_id: None,
            field: Some("emails".into()),
            value: Some(value.into()),
            reason: Some(reason.into()),
            merged_into: None,
            hash: None,
        }
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn hostile_values_stay_inert() {
        let rows = [
            reject("<script>alert(1)</script>", "<img src=x onerror=alert(2)>"),
            reject("<script>alert(1)</script>", "\"><svg onload=alert(3)>"),
        ];
        let dropped = [NoticeRow {
            object: "person".into(),
            key: SourceKey::new("usercom", "users", "<i>8</i>"),
            notice: Notice::new(
                NoticeKind::ValueDropped,
                "phones",
                Some("</td><script>x</script>".into()),
                "bad & <b>worse</b>",
            ),
        }];
        let html = render(&report("person<script>"), &rows, &[], &dropped, &[]);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"));
        assert!(!html.contains("<svg onload"));
        assert!(!html.contains("<b>"));
        assert!(!html.contains("<i>8"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("bad &amp; &lt;b&gt;worse&lt;/b&gt;"));
        assert!(html.contains("users&lt;b&gt;.csv"));
    }

    #[test]
    fn charts_counts_and_anchors() {
        let rows = [
            reject("invalid email", "a@"),
            reject("invalid email", "b@"),
            reject("name required", ""),
        ];
        let html = render(&report("person"), &rows, &[], &[], &[]);
        assert!(html.contains(r#"<svg id="chart-objects""#));
        assert!(html.contains(r#"<svg id="chart-files""#));
        assert!(html.contains(r#"<svg id="rejects-chart""#));
        // The most frequent reason comes first, with its count, linking to its table.
        assert!(html.contains(r##"<a href="#rejects-chart-0">"##));
        assert!(html
            .contains(r#"<h3 id="rejects-chart-0">invalid email <span class="count">(2)</span>"#));
        assert!(html
            .contains(r#"<h3 id="rejects-chart-1">name required <span class="count">(1)</span>"#));
        assert!(html.contains("<title>person: 2 rejected</title>"));
        // No review entries: no chart, and the page says so.
        assert!(!html.contains(r#"id="review-chart""#));
        assert!(html.contains("Review queue and links not made <span class=\"count\">(0)</span>"));
        // No timestamps in the journal: the throughput chart is left out, and the page says so.
        assert!(html.contains("no throughput over time to show"));
        // Nothing loads from elsewhere.
        assert!(!html
            .replace("http://www.w3.org/2000/svg", "")
            .contains("http"));
        assert!(!html.contains("<script"));
    }

    #[test]
    fn quoted_values_do_not_split_a_reason() {
        assert_eq!(
            reason_kind(r#"cannot read "{\"+48 1\"}" as a phone number"#),
            r#"cannot read "…" as a phone number"#
        );
        assert_eq!(reason_kind(r#"open "quote"#), r#"open "…"#);
        let rows = [
            reject(r#"cannot read "a@" as an email"#, "a@"),
            reject(r#"cannot read "b@" as an email"#, "b@"),
        ];
        let html = render(&report("person"), &rows, &[], &[], &[]);
        assert!(
            html.contains(
                r#"cannot read &quot;…&quot; as an email <span class="count">(2)</span>"#
            ),
            "{html}"
        );
        // The values themselves are in the rows.
        assert!(html.contains("<td>a@</td>") && html.contains("<td>b@</td>"));
    }

    #[test]
    fn reasons_past_the_top_are_summed() {
        let rows: Vec<OutcomeRow> = (0..13)
            .map(|i| reject(&format!("reason {i:02}"), "v"))
            .collect();
        let html = render(&report("person"), &rows, &[], &[], &[]);
        assert!(html.contains("other reasons (3)"));
        assert!(html.contains("3 further reasons are in <code>rejects.csv</code>"));
    }
}
