//! [`CsvSource`]: a directory of `<object>.csv` files, streamed page by page.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ::csv::ByteRecord;
use async_trait::async_trait;
use crm_core::{Error, ErrorKind, Page, RawRecord, Result, Source, SourceKey};
use serde_json::{Map, Value as Json};

use super::file::{prepare, CacheDir, CsvFileInfo, Prepared};
use super::layout::{excel_sep_line, extra_name, header_names, sniff_delimiter, Cursor, Layout};
use super::rows::{QuoteProblem, RowReader, Span};

/// The cursor of the rest of a file, `None` at its end.
type NextCursor = Option<String>;

/// Records per page.
pub const PAGE_SIZE: usize = 500;

/// Bytes of a file's start looked at to sniff its delimiter.
const SNIFF_BYTES: u64 = 64 * 1024;

/// Reads a directory of CSV exports, one object per `<object>.csv` file.
///
/// Each row becomes a [`RawRecord`] whose fields are column name → JSON string; empty cells
/// are left out. Memory is one page whatever the file size: the cursor is the byte offset of
/// the next row in the file's UTF-8 text (see the module docs for the one exception, the
/// decoding of a non-UTF-8 file at open).
#[derive(Debug)]
pub struct CsvSource {
    system: String,
    dir: PathBuf,
    files: BTreeMap<String, Prepared>,
    id_columns: HashMap<String, String>,
    delimiters: HashMap<String, u8>,
    layouts: Mutex<HashMap<String, Arc<Layout>>>,
    /// What [`CsvSource::check`] found (problems of whole files), once computed.
    checked: Mutex<Option<Vec<String>>>,
    /// Decoded copies of non-UTF-8 files; removed when the source is dropped.
    _cache: Option<CacheDir>,
}

impl CsvSource {
    /// Opens `dir` and finds the encoding of every `*.csv` file in it (decoding those that
    /// are not UTF-8); `system` is the platform id put in every record's key (`usercom`,
    /// `smartcrm`, …). Fails when `dir` is not a directory or cannot be listed; a file that
    /// cannot be read as a whole (undecodable, empty, no header) is reported by
    /// [`CsvSource::check`], which reading runs first.
    pub fn open(dir: impl AsRef<Path>, system: &str) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        if !dir.is_dir() {
            return Err(Error::config(format!(
                "{} is not a directory of CSV files",
                dir.display()
            )));
        }
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let is_csv = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            if is_csv && path.is_file() {
                paths.push((stem_of(&path), path));
            }
        }
        paths.sort();
        let mut cache = None;
        let mut files = BTreeMap::new();
        for (slot, (object, path)) in paths.into_iter().enumerate() {
            let prepared = prepare(&path, &mut cache, slot).map_err(|e| e.with_object(&object))?;
            files.insert(object, prepared);
        }
        Ok(Self {
            system: system.to_string(),
            dir,
            files,
            id_columns: HashMap::new(),
            delimiters: HashMap::new(),
            layouts: Mutex::new(HashMap::new()),
            checked: Mutex::new(None),
            _cache: cache,
        })
    }

    /// Takes record ids of `object` from `column` instead of the `id` column (or the row
    /// number). Reading fails if the file has no such column (compared case-insensitively).
    pub fn with_id_column(mut self, object: &str, column: &str) -> Self {
        self.id_columns
            .insert(object.to_string(), column.to_string());
        self.forget_layouts();
        self
    }

    /// Leaves `object`'s file out: it is not checked and holds no records (a platform whose
    /// exports write an object with no rows as an empty file says so this way).
    pub fn without(mut self, object: &str) -> Self {
        self.files.remove(object);
        self.forget_layouts();
        self
    }

    /// Reads `object` with `delimiter` (`b';'`, `b'\t'`, …) instead of the sniffed one.
    pub fn with_delimiter(mut self, object: &str, delimiter: u8) -> Self {
        self.delimiters.insert(object.to_string(), delimiter);
        self.forget_layouts();
        self
    }

    /// The directory read.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The encoding `object`'s file was read in (`UTF-8`, `UTF-16LE`, `windows-1250`, …).
    pub fn encoding(&self, object: &str) -> Option<&'static str> {
        self.files.get(object).map(|p| p.info.encoding)
    }

    /// What was found out about `object`'s file: path, encoding and how it was chosen,
    /// whether characters were replaced, where the decoded copy is.
    pub fn file_info(&self, object: &str) -> Option<&CsvFileInfo> {
        self.files.get(object).map(|p| &p.info)
    }

    /// `object`'s column names as records carry them (`column_3` for an empty name). Fails
    /// ([`ErrorKind::Input`]) when the file has no usable header line.
    pub fn columns(&self, object: &str) -> Result<Vec<String>> {
        Ok(self.layout(object)?.headers.clone())
    }

    fn forget_layouts(&self) {
        self.layouts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        *self.checked.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    pub(super) fn prepared(&self, object: &str) -> Result<&Prepared> {
        self.files.get(object).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("no file {object}.csv in {}", self.dir.display()),
            )
            .with_object(object)
        })
    }

    /// Checks that every file in the directory can be read as a whole: it was decoded, it
    /// is not empty, and its header line names its columns (no blank header, no repeated
    /// name, not a data row). Reading any object checks this first, so a directory with
    /// one such file is refused before anything is read from it; the error
    /// ([`ErrorKind::Input`]) names every such file, its line, and what to do.
    pub fn check(&self) -> Result<()> {
        let mut checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        let problems = match &*checked {
            Some(p) => p.clone(),
            None => {
                let mut problems = Vec::new();
                for object in self.files.keys() {
                    match self.layout(object) {
                        Err(e) if e.kind() == ErrorKind::Input => {
                            problems.push(e.message().to_string())
                        }
                        // Not a problem of the file (an id column named wrong): reading
                        // that object says so.
                        Ok(_) | Err(_) => {}
                    }
                }
                checked.insert(problems).clone()
            }
        };
        match problems.len() {
            0 => Ok(()),
            1 => Err(Error::input(problems[0].clone())),
            n => Err(Error::input(format!(
                "{n} files cannot be read: {}",
                problems.join(" | ")
            ))),
        }
    }

    /// The file's layout, read from its header once and kept.
    pub(super) fn layout(&self, object: &str) -> Result<Arc<Layout>> {
        if let Some(l) = self
            .layouts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(object)
        {
            return Ok(l.clone());
        }
        let p = self.prepared(object)?;
        let refuse = |line: u64, what: &str, hint: &str| {
            Error::input(format!(
                "{} line {line}: {what}; {hint}",
                p.info.path.display()
            ))
            .with_object(object)
        };
        if let Some(problem) = &p.problem {
            return Err(refuse(1, problem, "export it again as UTF-8 and run again"));
        }
        let mut file = File::open(&p.text_path)?;
        file.seek(SeekFrom::Start(p.start))?;
        let mut head = Vec::new();
        (&mut file).take(SNIFF_BYTES).read_to_end(&mut head)?;
        // Excel writes `sep=;` as a first line when asked for a delimiter it does not default to.
        let (declared, skip) = excel_sep_line(&head).map_or((None, 0), |(d, n)| (Some(d), n));
        let delimiter = match self.delimiters.get(object) {
            Some(&d) => d,
            None => declared.unwrap_or_else(|| sniff_delimiter(&head)),
        };
        let header_start = p.start + skip as u64;
        file.seek(SeekFrom::Start(header_start))?;
        let mut rows = RowReader::new(
            file,
            header_start,
            1 + u64::from(skip > 0),
            false,
            delimiter,
        );
        let fix = "fix the file (or remove it from the directory) and run again";
        let Some(span) = rows
            .next_span()
            .map_err(|e| refuse(1, &format!("it cannot be read as CSV ({e})"), fix))?
        else {
            return Err(refuse(
                1,
                "the file is empty: it has no header line and no rows",
                "export it again (or remove it from the directory) and run again",
            ));
        };
        let line = span.first_line;
        if span.quote.is_some() || span.last_line > line {
            let what = format!(
                "the header line has a quote that is not closed on that line (the header runs over lines {line}-{})",
                span.last_line
            );
            return Err(refuse(line, &what, fix));
        }
        let mut raw = Vec::with_capacity(rows.record.len());
        for cell in rows.record.iter() {
            let bad = || {
                refuse(
                    line,
                    &format!(
                        "the header line holds bytes that are not valid {}",
                        p.info.encoding
                    ),
                    "export the file again and run again",
                )
            };
            let name = std::str::from_utf8(cell).map_err(|_| bad())?;
            if p.info.replaced && name.contains('\u{fffd}') {
                return Err(bad());
            }
            raw.push(name.to_string());
        }
        let headers = header_names(raw).map_err(|what| refuse(line, &what, fix))?;
        let (data_start, data_line) = rows.position();
        let id_index = match self.id_columns.get(object) {
            Some(col) => Some(find(&headers, col).ok_or_else(|| {
                Error::config(format!(
                    "the id column {col:?} is not in {}; its columns are: {}",
                    p.info.path.display(),
                    headers.join(", ")
                ))
                .with_object(object)
            })?),
            None => find(&headers, "id"),
        };
        let layout = Arc::new(Layout {
            delimiter,
            headers,
            data_start,
            data_line,
            id_index,
        });
        self.layouts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(object.to_string(), layout.clone());
        Ok(layout)
    }

    /// One row as a record: a good row keyed by its id column (else its 1-based row number,
    /// `row-N` when the id cell is empty); a damaged one (see [`damage`]) keyed by its id
    /// only when its cells are in place, else `line-N`, with what is wrong and where.
    fn record(
        &self,
        object: &str,
        p: &Prepared,
        layout: &Layout,
        row: &ByteRecord,
        span: &Span,
        number: u64,
    ) -> RawRecord {
        let mut fields = Map::new();
        for (i, cell) in row.iter().enumerate() {
            let text = lossy(cell);
            if text.trim().is_empty() {
                continue;
            }
            fields.insert(column_name(layout, i), Json::String(text));
        }
        let id_cell = layout.id_index.and_then(|i| row.get(i));
        let damage = damage(p, layout, row, span);
        if let Some((problems, in_place)) = damage {
            let trusted = id_cell
                .filter(|_| in_place)
                .and_then(|c| std::str::from_utf8(c).ok())
                .map(str::trim)
                .filter(|s| !s.is_empty() && !s.contains('\u{fffd}'));
            let id = trusted.map_or_else(|| format!("line-{}", span.first_line), str::to_string);
            let lines = if span.last_line > span.first_line {
                format!("lines {}-{}", span.first_line, span.last_line)
            } else {
                format!("line {}", span.first_line)
            };
            let file = p.info.path.file_name().map_or_else(
                || p.info.path.display().to_string(),
                |f| f.to_string_lossy().into_owned(),
            );
            let reason = format!(
                "{file} {lines}: {}; the row is not loaded — fix it in the file and run again",
                problems.join("; ")
            );
            return RawRecord::damaged(SourceKey::new(&self.system, object, id), fields, reason);
        }
        let id = match id_cell {
            None if layout.id_index.is_none() => number.to_string(),
            cell => cell
                .map(lossy)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| format!("row-{number}")),
        };
        RawRecord {
            key: SourceKey::new(&self.system, object, id),
            fields,
        }
    }

    /// Up to `limit` records from `cursor` (the first page when `None`), each with its place
    /// in the file, and the cursor of the rest.
    pub(crate) fn read_rows(
        &self,
        object: &str,
        cursor: Option<String>,
        limit: usize,
    ) -> Result<(Vec<(RawRecord, Span)>, NextCursor)> {
        self.check()?;
        let layout = self.layout(object)?;
        let at = match cursor {
            None => Cursor {
                offset: layout.data_start,
                rows_before: 0,
                line: layout.data_line,
            },
            Some(c) => Cursor::parse(&c)?,
        };
        let p = self.prepared(object)?;
        let mut file = File::open(&p.text_path)?;
        // A CRLF may be cut by the page boundary: its LF then ends no line of its own.
        let mut before = [0u8];
        if at.offset > 0 {
            file.seek(SeekFrom::Start(at.offset - 1))?;
            file.read_exact(&mut before)?;
        }
        file.seek(SeekFrom::Start(at.offset))?;
        let mut rows = RowReader::new(
            file,
            at.offset,
            at.line,
            before[0] == b'\r',
            layout.delimiter,
        );
        let mut items = Vec::with_capacity(limit.min(PAGE_SIZE));
        let mut number = at.rows_before;
        let fail = |e: ::csv::Error, number: u64| {
            Error::from(e).with_object(object).with_operation(format!(
                "read row {} of {}",
                number + 1,
                p.info.path.display()
            ))
        };
        loop {
            if items.len() == limit {
                let (offset, line) = rows.position();
                let next = Cursor {
                    offset,
                    rows_before: number,
                    line,
                };
                // Look one row ahead so the last page says it is the last.
                let more = rows.next_span().map_err(|e| fail(e, number))?.is_some();
                return Ok((items, more.then(|| next.render())));
            }
            let Some(span) = rows.next_span().map_err(|e| fail(e, number))? else {
                return Ok((items, None));
            };
            number += 1;
            let record = self.record(object, p, &layout, &rows.record, &span, number);
            items.push((record, span));
        }
    }

    fn read_page_sync(&self, object: &str, cursor: Option<String>) -> Result<Page<RawRecord>> {
        let (rows, next) = self.read_rows(object, cursor, PAGE_SIZE)?;
        Ok(Page {
            items: rows.into_iter().map(|(r, _)| r).collect(),
            next,
        })
    }
}

/// The name of cell `i`: its column's, or `_extra_N` past the header's columns.
fn column_name(layout: &Layout, i: usize) -> String {
    match layout.headers.get(i) {
        Some(h) => h.clone(),
        None => extra_name(i + 1 - layout.headers.len(), &layout.headers),
    }
}

/// What is wrong with a row, if anything, and whether its cells are still in their columns
/// (true when only some bytes are bad). A row is damaged when its quoting is broken (see
/// [`QuoteProblem`]), when it has more or fewer cells than the header has columns, or when
/// a cell holds bytes that are not valid in the file's encoding.
fn damage(
    p: &Prepared,
    layout: &Layout,
    row: &ByteRecord,
    span: &Span,
) -> Option<(Vec<String>, bool)> {
    let mut problems = Vec::new();
    let name = |i: usize| format!("{:?}", column_name(layout, i));
    match span.quote {
        Some(QuoteProblem::Unclosed { cell, line }) => problems.push(format!(
            "the quote that opens column {} on line {line} is never closed: the cell runs to the end of the file and swallows the {} line(s) after it",
            name(cell),
            span.last_line - line
        )),
        Some(QuoteProblem::TextAfterQuote { cell, line, closed }) if closed > line => {
            problems.push(format!(
                "the quote that opens column {} on line {line} is not closed on that line: the cell runs on to the next quote, on line {closed}, and swallows the lines between",
                name(cell)
            ))
        }
        Some(QuoteProblem::TextAfterQuote { cell, .. }) => problems.push(format!(
            "text follows the closing quote of column {} (a quote inside a quoted cell must be doubled: \"\")",
            name(cell)
        )),
        Some(QuoteProblem::ClosedAfterDelimiter { cell, line, closed }) => problems.push(format!(
            "the quote that opens column {} on line {line} is most likely not closed: the cell runs over lines {line}-{closed} and ends just after a delimiter, where a later cell's quote opens",
            name(cell)
        )),
        None => {}
    }
    let (have, want) = (row.len(), layout.headers.len());
    // A broken quote explains a wrong cell count by itself.
    let quoting_ok = span.quote.is_none();
    if quoting_ok && have < want {
        problems.push(format!(
            "{have} cell(s) where the header has {want} columns (a cell is missing, or a line break split the row)"
        ));
    } else if quoting_ok && have > want {
        problems.push(format!(
            "{have} cells where the header has {want} columns (a value holds an unquoted {:?}, or the row has extra cells)",
            char::from(layout.delimiter)
        ));
    }
    let structural = !problems.is_empty();
    for (i, cell) in row.iter().enumerate() {
        let bad = match std::str::from_utf8(cell) {
            Err(_) => true,
            Ok(text) => {
                p.info.replaced && p.info.decoded_copy.is_some() && text.contains('\u{fffd}')
            }
        };
        if bad {
            problems.push(format!(
                "column {} holds bytes that are not valid {} (shown as \u{fffd})",
                name(i),
                p.info.encoding
            ));
        }
    }
    (!problems.is_empty()).then_some((problems, !structural))
}

#[async_trait]
impl Source for CsvSource {
    fn system(&self) -> &str {
        &self.system
    }

    async fn objects(&self) -> Result<Vec<String>> {
        self.check()?;
        Ok(self.files.keys().cloned().collect())
    }

    async fn read_page(&self, object: &str, cursor: Option<String>) -> Result<Page<RawRecord>> {
        self.read_page_sync(object, cursor)
    }
}

fn lossy(cell: &[u8]) -> String {
    String::from_utf8_lossy(cell).into_owned()
}

/// The position of `name` among `headers`, exactly or else case-insensitively.
fn find(headers: &[String], name: &str) -> Option<usize> {
    headers
        .iter()
        .position(|h| h == name)
        .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(name)))
}

/// The object name: the file name without `.csv` (lossily, if it is not UTF-8).
fn stem_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}
