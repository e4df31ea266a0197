//! A file's layout: delimiter, column names, where the data starts; and the page cursor.

use crm_core::{Error, Result};

/// How one file is laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    /// The field delimiter.
    pub(crate) delimiter: u8,
    /// Column names, unique (see [`unique_headers`]).
    pub(crate) headers: Vec<String>,
    /// Byte offset, in the UTF-8 text, of the first data row.
    pub(crate) data_start: u64,
    /// The column whose value is the record's id.
    pub(crate) id_index: Option<usize>,
}

/// Delimiters told apart by [`sniff_delimiter`], preferred in this order on a tie.
const CANDIDATES: [u8; 3] = [b',', b';', b'\t'];

/// The delimiter of a file whose text starts with `head`: the most frequent of `,` `;` and
/// tab outside quotes in the header line (`,` when none occurs).
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

/// Column names made unique, so no cell is lost to a repeated key: names are trimmed (and a
/// stray byte-order mark removed); an empty name becomes `column_N` (its 1-based position);
/// a name already taken (compared case-insensitively) becomes `Name (2)`, `Name (3)`, ….
pub(crate) fn unique_headers(raw: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (i, name) in raw.into_iter().enumerate() {
        let name = name.trim_start_matches('\u{feff}').trim();
        let base = if name.is_empty() {
            format!("column_{}", i + 1)
        } else {
            name.to_string()
        };
        let unique = free_name(&base, &out);
        out.push(unique);
    }
    out
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

/// Where a page starts: the byte offset of its first row in the UTF-8 text, and the number
/// of data rows before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub(crate) offset: u64,
    pub(crate) rows_before: u64,
}

impl Cursor {
    /// Parses `offset:rows_before`.
    pub(crate) fn parse(s: &str) -> Result<Self> {
        let bad = || Error::config(format!("bad CSV cursor {s:?} (expected offset:rows)"));
        let (a, b) = s.split_once(':').ok_or_else(bad)?;
        Ok(Self {
            offset: a.parse().map_err(|_| bad())?,
            rows_before: b.parse().map_err(|_| bad())?,
        })
    }

    /// `offset:rows_before`.
    pub(crate) fn render(self) -> String {
        format!("{}:{}", self.offset, self.rows_before)
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
    }

    #[test]
    fn excel_sep_lines_declare_the_delimiter() {
        assert_eq!(excel_sep_line(b"sep=;\r\na;b"), Some((b';', 7)));
        assert_eq!(excel_sep_line(b"sep=\t\na\tb"), Some((b'\t', 6)));
        assert_eq!(excel_sep_line(b"sep=;x\n"), None);
        assert_eq!(excel_sep_line(b"id,sep=;\n"), None);
    }

    #[test]
    fn headers_are_made_unique() {
        let raw = ["Email", "email", "", " Name ", "Email", "\u{feff}id"];
        let got = unique_headers(raw.iter().map(|s| s.to_string()).collect());
        assert_eq!(
            got,
            ["Email", "email (2)", "column_3", "Name", "Email (3)", "id"]
        );
        assert_eq!(extra_name(1, &got), "_extra_1");
        assert_eq!(extra_name(1, &["_EXTRA_1".to_string()]), "_extra_1 (2)");
    }

    #[test]
    fn cursors_round_trip() {
        let c = Cursor {
            offset: 1234,
            rows_before: 500,
        };
        assert_eq!(Cursor::parse(&c.render()).unwrap(), c);
        assert!(Cursor::parse("12").is_err());
        assert!(Cursor::parse("x:1").is_err());
    }
}
