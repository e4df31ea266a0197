//! Property tests of the CSV reader on arbitrary bytes and on damaged copies of valid files:
//! it never panics, every byte of the data is in exactly one record (good or damaged) or is
//! a blank line, paging gives the same records as one read, and damage costs only the rows
//! it touches. Bounded (a few hundred cases each) so the suite stays fast.

use proptest::prelude::*;
use tempfile::TempDir;

use super::rows::Span;
use super::CsvSource;
use crm_core::{ErrorKind, RawRecord};

/// What reading `f.csv` gave: the header and every record with its span; or the input
/// error that refused the file.
enum Read {
    Rows(Vec<String>, Vec<(RawRecord, Span)>),
    Refused,
}

fn write(bytes: &[u8]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f.csv"), bytes).unwrap();
    dir
}

/// Reads `f.csv` in `dir` and checks what holds for any file: the source opens; a refusal
/// is an input error naming the file and a line; otherwise records tile the data (blank
/// lines between them only), lines only go forward, damaged records name the file and
/// their line, good records hold only the header's columns, and paging by 7 gives the same
/// records as one read.
fn read_checked(dir: &TempDir) -> Result<Read, TestCaseError> {
    let src = CsvSource::open(dir.path(), "fz").expect("open never fails on content");
    if let Err(e) = src.check() {
        prop_assert_eq!(e.kind(), ErrorKind::Input, "{}", e);
        prop_assert!(e.message().contains("f.csv line "), "{}", e);
        return Ok(Read::Refused);
    }
    let layout = src.layout("f").unwrap();
    let (all, next) = src.read_rows("f", None, usize::MAX).unwrap();
    prop_assert!(next.is_none());
    let mut paged = Vec::new();
    let mut cursor = None;
    loop {
        let (page, next) = src.read_rows("f", cursor.take(), 7).unwrap();
        prop_assert!(page.len() <= 7);
        paged.extend(page);
        match next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    prop_assert_eq!(&paged, &all, "paging changes nothing");

    let p = src.prepared("f").unwrap();
    let text = std::fs::read(&p.text_path).unwrap();
    let blank = |bytes: &[u8]| bytes.iter().all(|&b| b == b'\r' || b == b'\n');
    let (mut at, mut line) = (layout.data_start, layout.data_line);
    for (record, span) in &all {
        prop_assert!(
            span.start >= at && span.end > span.start,
            "{:?} after {}",
            span,
            at
        );
        prop_assert!(
            blank(&text[at as usize..span.start as usize]),
            "bytes {}..{} are in no record",
            at,
            span.start
        );
        prop_assert!(span.first_line >= line && span.last_line >= span.first_line);
        at = span.end;
        line = span.first_line;
        match record.damage() {
            Some(why) => {
                let lines = if span.last_line > span.first_line {
                    format!("f.csv lines {}-{}: ", span.first_line, span.last_line)
                } else {
                    format!("f.csv line {}: ", span.first_line)
                };
                prop_assert!(
                    why.starts_with(&lines),
                    "{} does not start with {}",
                    why,
                    lines
                );
            }
            None => {
                for name in record.fields.keys() {
                    prop_assert!(layout.headers.contains(name), "{} in a good record", name);
                }
            }
        }
    }
    prop_assert!(
        blank(&text[(at as usize).min(text.len())..]),
        "the end of the file is in no record"
    );
    Ok(Read::Rows(layout.headers.clone(), all))
}

/// Bytes that matter to a CSV reader, and some that do not.
fn csv_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        4 => prop::sample::select(b",;\t|\"\r\n ".to_vec()),
        4 => prop::sample::select(b"abcidxyz019@.".to_vec()),
        1 => prop::sample::select(vec![0xC5, 0xBC, 0xC3, 0xB3, 0xFF, 0xFE, 0xEF, 0xBB, 0xBF, 0x00, 0xE9]),
    ]
}

/// Cell values a valid file holds: plain, quoted (delimiters, quotes, line breaks),
/// non-ASCII. (A multi-line cell ending in the delimiter is left out: the reader takes that
/// shape for a quote that ran on to a later cell, on purpose — see `QuoteProblem`.)
const CELLS: [&str; 10] = [
    "",
    "plain",
    "a,b",
    "say \"hi\"",
    "żółw",
    "multi\nline, more",
    "x;y",
    " spaced ",
    "Łódź\r\nnext",
    "\"",
];

/// A valid file (written by the `csv` crate) with an `id` column, `cols` columns and one
/// row per entry of `cells` (indexes into [`CELLS`]).
fn valid_file(cols: usize, cells: &[Vec<usize>], crlf: bool) -> Vec<u8> {
    let mut w = ::csv::WriterBuilder::new()
        .terminator(if crlf {
            ::csv::Terminator::CRLF
        } else {
            ::csv::Terminator::Any(b'\n')
        })
        .from_writer(Vec::new());
    let header: Vec<String> = (0..cols)
        .map(|i| {
            if i == 0 {
                "id".into()
            } else {
                format!("col{i}")
            }
        })
        .collect();
    w.write_record(&header).unwrap();
    for (r, row) in cells.iter().enumerate() {
        let mut record = vec![format!("r{r}")];
        record.extend((1..cols).map(|i| CELLS[row[i % row.len()] % CELLS.len()].to_string()));
        w.write_record(&record).unwrap();
    }
    w.into_inner().unwrap()
}

fn valid_parts() -> impl Strategy<Value = (usize, Vec<Vec<usize>>, bool)> {
    (
        2usize..=5,
        prop::collection::vec(prop::collection::vec(0usize..CELLS.len(), 1..5), 1..20),
        any::<bool>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any bytes at all: no panic, and everything accounted for.
    #[test]
    fn arbitrary_bytes_never_panic_and_lose_nothing(
        bytes in prop::collection::vec(csv_byte(), 0..400),
        header in prop::sample::select(vec!["", "id,name,email\n", "a;b\r\n", "\u{feff}x|y|z\n"]),
    ) {
        let mut file = header.as_bytes().to_vec();
        file.extend_from_slice(&bytes);
        let dir = write(&file);
        read_checked(&dir)?;
    }

    /// A valid file reads back with no damaged row and the values written.
    #[test]
    fn valid_files_read_back_whole((cols, cells, crlf) in valid_parts()) {
        let dir = write(&valid_file(cols, &cells, crlf));
        let Read::Rows(headers, rows) = read_checked(&dir)? else {
            return Err(TestCaseError::fail("a valid file was refused"));
        };
        prop_assert_eq!(headers.len(), cols);
        prop_assert_eq!(rows.len(), cells.len());
        for (r, (record, _)) in rows.iter().enumerate() {
            prop_assert_eq!(record.damage(), None);
            prop_assert_eq!(&record.key.id, &format!("r{r}"));
            for (i, name) in headers.iter().enumerate().skip(1) {
                let want = CELLS[cells[r][i % cells[r].len()] % CELLS.len()];
                let got = record.text(name).unwrap_or_default();
                prop_assert_eq!(got.as_str(), if want.trim().is_empty() { "" } else { want });
            }
        }
    }

    /// A valid file with a few bytes inserted, deleted or replaced anywhere: no panic,
    /// everything accounted for, and every record that ends before the first change reads
    /// exactly as it did.
    #[test]
    fn mutated_files_keep_the_rows_before_the_damage(
        (cols, cells, crlf) in valid_parts(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, csv_byte()), 1..4),
    ) {
        let original = valid_file(cols, &cells, crlf);
        let dir = write(&original);
        let Read::Rows(_, before) = read_checked(&dir)? else {
            return Err(TestCaseError::fail("a valid file was refused"));
        };
        let mut bytes = original.clone();
        let mut first_change = usize::MAX;
        for (at, op, b) in edits {
            let i = at.index(bytes.len() + 1);
            match op {
                0 => bytes.insert(i, b),
                1 if i < bytes.len() => { bytes.remove(i); }
                _ if i < bytes.len() => bytes[i] = b,
                _ => bytes.push(b),
            }
            first_change = first_change.min(i);
        }
        let dir = write(&bytes);
        let src = CsvSource::open(dir.path(), "fz").unwrap();
        let same_encoding = src.encoding("f") == Some("UTF-8");
        drop(src);
        if let Read::Rows(_, after) = read_checked(&dir)? {
            if same_encoding {
                for ((old, old_span), (new, new_span)) in before.iter().zip(&after) {
                    if old_span.end as usize > first_change {
                        break;
                    }
                    prop_assert_eq!(old, new);
                    prop_assert_eq!(old_span, new_span);
                }
            }
        }
    }

    /// One delimiter added to or removed from a row, or a quote opened at the start of one of
    /// its cells: that row is damaged, named by its line, and every original row the damage
    /// did not swallow loads exactly as written.
    #[test]
    fn targeted_damage_costs_only_the_rows_it_touches(
        cols in 3usize..=5,
        rows in 3usize..15,
        pick in any::<prop::sample::Index>(),
        cell in 1usize..3,
        kind in 0u8..3,
        quoted_later in any::<bool>(),
    ) {
        // Single-line cells; some rows hold a quoted cell a broken quote can run on to.
        let cells: Vec<Vec<usize>> = (0..rows)
            .map(|r| vec![if quoted_later && r % 3 == 2 { 2 } else { 1 }])
            .collect();
        let original = valid_file(cols, &cells, false);
        let dir = write(&original);
        let Read::Rows(_, before) = read_checked(&dir)? else {
            return Err(TestCaseError::fail("a valid file was refused"));
        };
        // The target row holds plain cells only, so its delimiters are its commas.
        let plain: Vec<usize> = (0..rows).filter(|&r| cells[r][0] == 1).collect();
        let target = plain[pick.index(plain.len())];
        let (_, span) = &before[target];
        let line = &original[span.start as usize..span.end as usize];
        // The byte offset where cell `cell` of the target row starts.
        let starts: Vec<usize> = std::iter::once(0)
            .chain(line.iter().enumerate().filter(|(_, &b)| b == b',').map(|(i, _)| i + 1))
            .collect();
        let at = span.start as usize + starts[cell.min(starts.len() - 1)];
        let mut bytes = original.clone();
        match kind {
            0 => bytes.insert(at + 1, b','),
            1 => { bytes.remove(at - 1); }
            _ => bytes.insert(at, b'"'),
        }
        let dir = write(&bytes);
        let Read::Rows(_, after) = read_checked(&dir)? else {
            return Err(TestCaseError::fail("row damage refused the file"));
        };
        let damaged: Vec<&Span> = after.iter().filter(|(r, _)| r.damage().is_some()).map(|(_, s)| s).collect();
        prop_assert!(
            damaged.iter().any(|s| s.first_line == span.first_line),
            "the damaged row (line {}) is not named", span.first_line
        );
        for (old, old_span) in &before {
            let swallowed = damaged.iter().any(|s| (s.first_line..=s.last_line).contains(&old_span.first_line));
            if swallowed {
                continue;
            }
            let found = after.iter().find(|(_, s)| s.first_line == old_span.first_line);
            prop_assert_eq!(found.map(|(r, _)| r), Some(old), "line {}", old_span.first_line);
        }
    }
}
