//! `rejects.csv` and `review_queue.csv`, safe to open in a spreadsheet.

use std::path::Path;

use crate::journal::OutcomeRow;
use crate::Result;

/// Neutralises a cell a spreadsheet would run as a formula (first character `=`, `+`,
/// `-`, `@`, tab or carriage return) by prefixing an apostrophe.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// Writes outcome rows: `object, system, source_object, source_id, field, value, reason`.
pub fn write_rows_csv(path: &Path, rows: &[OutcomeRow]) -> Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "object",
        "system",
        "source_object",
        "source_id",
        "field",
        "value",
        "reason",
    ])?;
    for r in rows {
        let cells = [
            r.object.as_str(),
            r.key.system.as_str(),
            r.key.object.as_str(),
            r.key.id.as_str(),
            r.field.as_deref().unwrap_or(""),
            r.value.as_deref().unwrap_or(""),
            r.reason.as_deref().unwrap_or(""),
        ];
        w.write_record(cells.iter().map(|c| neutralise(c)))?;
    }
    w.flush()?;
    Ok(())
}

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
