//! A file's layout: delimiter, column names, where the data starts; and the page cursor.

use crm_core::{Error, Result};

/// How one file is laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    /// The field delimiter.
    pub(crate) delimiter: u8,
    /// Column names, unique (see [`header_names`]).
    pub(crate) headers: Vec<String>,
    /// Byte offset, in the UTF-8 text, of the first data row.
    pub(crate) data_start: u64,
    /// The line number (1-based, in the file) at `data_start`.
    pub(crate) data_line: u64,
    /// The column whose value is the record's id.
    pub(crate) id_index: Option<usize>,
}

/// Delimiters told apart by [`sniff_delimiter`], preferred in this order on a tie.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// The delimiter of a file whose text starts with `head`: the most frequent of `,` `;` tab
/// and `|` outside quotes in the header line (`,` when none occurs).
pub(crate) fn sniff_delimiter(head: &[u8]) -> u8 {
    let mut counts = [0usize; CANDIDATES.len()];
    let mut quoted = false;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let mut best = 0;
    for i in 1..CANDIDATES.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    CANDIDATES[best]
}

/// Excel's `sep=X` first line: the delimiter it declares and the line's length with its
/// line end.
pub(crate) fn excel_sep_line(head: &[u8]) -> Option<(u8, usize)> {
    let rest = head.strip_prefix(b"sep=")?;
    let (&d, after) = rest.split_first()?;
    let ending = match after {
        [b'\r', b'\n', ..] => 2,
        [b'\n', ..] | [b'\r', ..] => 1,
        [] => 0,
        _ => return None,
    };
    (d != b'\r' && d != b'\n').then_some((d, 5 + ending))
}

/// The column names of a header row, or what makes the file unreadable as a whole.
///
/// Names are trimmed (and a stray byte-order mark removed); an empty name becomes
/// `column_N` (its 1-based position), made unique against the others. The header is refused
/// when it has no name at all (only delimiters or spaces), when it looks like a data row (a
/// cell is an email address, or every cell is a number: the export was saved without its
/// header), or when a name appears twice.
///
/// A repeated name is a whole-file problem, not something to rename: a mapping names the
/// columns it reads, and with two `Email` columns which cell it gets would depend on a
/// naming rule of this tool (and on the column order of this particular export) that the
/// person who wrote the mapping never saw. Renaming one column in the header line takes a
/// minute and makes the choice theirs.
pub(crate) fn header_names(raw: Vec<String>) -> Result<Vec<String>, String> {
    let names: Vec<String> = raw
        .iter()
        .map(|n| n.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    if names.iter().all(String::is_empty) {
        return Err("the header line has no column names (only delimiters or spaces)".to_string());
    }
    let given: Vec<&String> = names.iter().filter(|n| !n.is_empty()).collect();
    if let Some(email) = given.iter().find(|n| looks_like_email(n)) {
        return Err(format!(
            "the first line looks like a data row, not a header (it holds the email address {email:?}): the file was probably exported without its header line"
        ));
    }
    if given.iter().all(|n| n.parse::<f64>().is_ok()) {
        return Err(format!(
            "the first line looks like a data row, not a header (every cell is a number: {}): the file was probably exported without its header line",
            given.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    let mut repeated = Vec::new();
    for (i, n) in names.iter().enumerate() {
        if n.is_empty() || names[..i].iter().any(|m| m.eq_ignore_ascii_case(n)) {
            continue;
        }
        let at: Vec<String> = names
            .iter()
            .enumerate()
            .filter(|(_, m)| m.eq_ignore_ascii_case(n))
            .map(|(j, _)| (j + 1).to_string())
            .collect();
        if at.len() > 1 {
            repeated.push(format!("{n:?} (columns {})", at.join(", ")));
        }
    }
    if !repeated.is_empty() {
        return Err(format!(
            "the header line names a column more than once: {}; a mapping could not tell which one it reads — rename all but one (e.g. \"Email 2\")",
            repeated.join(", ")
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let unique = if name.is_empty() {
            let taken: Vec<String> = out.iter().chain(names[i..].iter()).cloned().collect();
            free_name(&format!("column_{}", i + 1), &taken)
        } else {
            name.clone()
        };
        out.push(unique);
    }
    Ok(out)
}

/// `local@domain.tld`: a cell no header would hold.
fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c == ',')
        && !domain.contains('@')
}

/// The name of the `n`-th cell (1-based) past the header's columns: `_extra_n`, made unique
/// against the header.
pub(crate) fn extra_name(n: usize, headers: &[String]) -> String {
    free_name(&format!("_extra_{n}"), headers)
}

/// `base`, or `base (k)` for the smallest k ≥ 2 not taken (case-insensitively).
fn free_name(base: &str, taken: &[String]) -> String {
    let is_taken = |n: &str| taken.iter().any(|t| t.eq_ignore_ascii_case(n));
    if !is_taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|k| format!("{base} ({k})"))
        .find(|n| !is_taken(n))
        .unwrap_or_else(|| base.to_string())
}

/// Where a page starts: the byte offset of its first row in the UTF-8 text, the number of
/// records before it, and the file's line number at that offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub(crate) offset: u64,
    pub(crate) rows_before: u64,
    pub(crate) line: u64,
}

impl Cursor {
    /// Parses `offset:rows_before:line`.
    pub(crate) fn parse(s: &str) -> Result<Self> {
        let bad = || Error::config(format!("bad CSV cursor {s:?} (expected offset:rows:line)"));
        let mut parts = s.split(':').map(|p| p.parse::<u64>().map_err(|_| bad()));
        let mut next = || parts.next().unwrap_or_else(|| Err(bad()));
        let cursor = Self {
            offset: next()?,
            rows_before: next()?,
            line: next()?,
        };
        if parts.next().is_some() || cursor.line == 0 {
            return Err(bad());
        }
        Ok(cursor)
    }

    /// `offset:rows_before:line`.
    pub(crate) fn render(self) -> String {
        format!("{}:{}:{}", self.offset, self.rows_before, self.line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_sniffed_outside_quotes() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2;3;4;5"), b',');
        assert_eq!(sniff_delimiter(b"\"a,b\";c;d\r\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter(b"single"), b',');
        assert_eq!(sniff_delimiter(b"id|name|a,b\n"), b'|');
    }

    #[test]
    fn excel_sep_lines_declare_the_delimiter() {
        assert_eq!(excel_sep_line(b"sep=;\r\na;b"), Some((b';', 7)));
        assert_eq!(excel_sep_line(b"sep=\t\na\tb"), Some((b'\t', 6)));
        assert_eq!(excel_sep_line(b"sep=;x\n"), None);
        assert_eq!(excel_sep_line(b"id,sep=;\n"), None);
    }

    fn names(raw: &[&str]) -> Result<Vec<String>, String> {
        header_names(raw.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn empty_names_are_numbered_and_repeats_refused() {
        let got = names(&["Email", "", " Name ", "\u{feff}id", "column_2"]).unwrap();
        assert_eq!(got, ["Email", "column_2 (2)", "Name", "id", "column_2"]);
        assert_eq!(extra_name(1, &got), "_extra_1");
        assert_eq!(extra_name(1, &["_EXTRA_1".to_string()]), "_extra_1 (2)");

        let err = names(&["Email", "Name", "email", "Name", "x"]).unwrap_err();
        assert!(
            err.contains("\"Email\" (columns 1, 3)") && err.contains("\"Name\" (columns 2, 4)"),
            "{err}"
        );
        assert!(names(&["", " ", ""])
            .unwrap_err()
            .contains("no column names"));
        assert!(names(&["7", "Ann", "ann@x.com"])
            .unwrap_err()
            .contains("data row"));
        assert!(names(&["7", "12.5", ""]).unwrap_err().contains("data row"));
        assert!(names(&["id", "2023", "E-mail @ work"]).is_ok());
    }

    #[test]
    fn cursors_round_trip() {
        let c = Cursor {
            offset: 1234,
            rows_before: 500,
            line: 777,
        };
        assert_eq!(Cursor::parse(&c.render()).unwrap(), c);
        assert!(Cursor::parse("12").is_err());
        assert!(Cursor::parse("12:1").is_err());
        assert!(Cursor::parse("12:1:0").is_err());
        assert!(Cursor::parse("12:1:2:3").is_err());
        assert!(Cursor::parse("x:1").is_err());
    }
}
