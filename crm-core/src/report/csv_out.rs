//! `rejects.csv` and `review_queue.csv`, safe to open in a spreadsheet.

use std::fs::File;
use std::path::Path;

use crate::journal::{NoticeRow, OutcomeRow};
use crate::Result;

/// Neutralises a cell a spreadsheet would run as a formula (first character `=`, `+`,
/// `-`, `@`, tab or carriage return) by prefixing an apostrophe.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// Writes outcome rows (level `record`: the whole record) followed by notices (level
/// `notice_level`: `field` for a value left out of a record that loaded, `link` for a
/// link not made): `object, system, source_object, source_id, field, value, reason, level`.
pub fn write_report_csv(
    path: &Path,
    rows: &[OutcomeRow],
    notices: &[NoticeRow],
    notice_level: &str,
) -> Result<()> {
    let mut w = ReportCsv::create(path)?;
    for r in rows {
        w.row(r)?;
    }
    for n in notices {
        w.notice(n, notice_level)?;
    }
    w.finish()
}

/// `rejects.csv` or `review_queue.csv` written a row at a time (what
/// [`write_report_csv`] writes, without holding the rows).
pub struct ReportCsv {
    w: csv::Writer<File>,
}

impl ReportCsv {
    /// Creates the file and writes its header.
    pub fn create(path: &Path) -> Result<Self> {
        let mut w = csv::Writer::from_path(path)?;
        w.write_record(HEADER)?;
        Ok(Self { w })
    }

    /// One outcome row (level `record`).
    pub fn row(&mut self, r: &OutcomeRow) -> Result<()> {
        let cells = [
            r.object.as_str(),
            r.key.system.as_str(),
            r.key.object.as_str(),
            r.key.id.as_str(),
            r.field.as_deref().unwrap_or(""),
            r.value.as_deref().unwrap_or(""),
            r.reason.as_deref().unwrap_or(""),
            "record",
        ];
        self.w.write_record(cells.iter().map(|c| neutralise(c)))?;
        Ok(())
    }

    /// One notice, at level `level`.
    pub fn notice(&mut self, n: &NoticeRow, level: &str) -> Result<()> {
        let cells = [
            n.object.as_str(),
            n.key.system.as_str(),
            n.key.object.as_str(),
            n.key.id.as_str(),
            n.notice.field.as_str(),
            n.notice.value.as_deref().unwrap_or(""),
            n.notice.reason.as_str(),
            level,
        ];
        self.w.write_record(cells.iter().map(|c| neutralise(c)))?;
        Ok(())
    }

    /// Flushes the file.
    pub fn finish(mut self) -> Result<()> {
        self.w.flush()?;
        Ok(())
    }
}

const HEADER: [&str; 8] = [
    "object",
    "system",
    "source_object",
    "source_id",
    "field",
    "value",
    "reason",
    "level",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+48 123"), "'+48 123");
        assert_eq!(neutralise("-1"), "'-1");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("plain"), "plain");
        assert_eq!(neutralise(""), "");
    }
}
