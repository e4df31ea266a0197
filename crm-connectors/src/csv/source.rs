//! [`CsvSource`]: a directory of `<object>.csv` files, streamed page by page.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ::csv::{ByteRecord, ReaderBuilder};
use async_trait::async_trait;
use crm_core::{Error, ErrorKind, Page, RawRecord, Result, Source, SourceKey};
use serde_json::{Map, Value as Json};

use super::file::{prepare, CacheDir, CsvFileInfo, Prepared};
use super::layout::{excel_sep_line, extra_name, sniff_delimiter, unique_headers, Cursor, Layout};

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
    /// Decoded copies of non-UTF-8 files; removed when the source is dropped.
    _cache: Option<CacheDir>,
}

impl CsvSource {
    /// Opens `dir` and finds the encoding of every `*.csv` file in it (decoding those that
    /// are not UTF-8); `system` is the platform id put in every record's key (`usercom`,
    /// `smartcrm`, …). Fails when `dir` is not a directory or a file cannot be decoded.
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

    /// `object`'s column names as records carry them (made unique: `Email`, `Email (2)`,
    /// `column_3` for an empty name).
    pub fn columns(&self, object: &str) -> Result<Vec<String>> {
        Ok(self.layout(object)?.headers.clone())
    }

    fn forget_layouts(&self) {
        self.layouts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    fn prepared(&self, object: &str) -> Result<&Prepared> {
        self.files.get(object).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("no file {object}.csv in {}", self.dir.display()),
            )
            .with_object(object)
        })
    }

    /// The file's layout, read from its header once and kept.
    fn layout(&self, object: &str) -> Result<Arc<Layout>> {
        if let Some(l) = self
            .layouts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(object)
        {
            return Ok(l.clone());
        }
        let p = self.prepared(object)?;
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
        let mut reader = reader(delimiter, file);
        let mut record = ByteRecord::new();
        let headers = if reader.read_byte_record(&mut record)? {
            unique_headers(record.iter().map(lossy).collect())
        } else {
            Vec::new()
        };
        let data_start = header_start + reader.position().byte();
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
            id_index,
        });
        self.layouts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(object.to_string(), layout.clone());
        Ok(layout)
    }

    /// One row as a record. Cells past the header's columns are kept as `_extra_1`, …; the id
    /// is the id column's value, else the 1-based row number (`row-N` when the id column
    /// is empty in this row).
    fn record(&self, object: &str, layout: &Layout, row: &ByteRecord, number: u64) -> RawRecord {
        let mut fields = Map::new();
        for (i, cell) in row.iter().enumerate() {
            let text = lossy(cell);
            if text.trim().is_empty() {
                continue;
            }
            let name = match layout.headers.get(i) {
                Some(h) => h.clone(),
                None => extra_name(i + 1 - layout.headers.len(), &layout.headers),
            };
            fields.insert(name, Json::String(text));
        }
        let id = match layout.id_index {
            None => number.to_string(),
            Some(i) => row
                .get(i)
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

    fn read_page_sync(&self, object: &str, cursor: Option<String>) -> Result<Page<RawRecord>> {
        let layout = self.layout(object)?;
        let at = match cursor {
            None => Cursor {
                offset: layout.data_start,
                rows_before: 0,
            },
            Some(c) => Cursor::parse(&c)?,
        };
        let p = self.prepared(object)?;
        let mut file = File::open(&p.text_path)?;
        file.seek(SeekFrom::Start(at.offset))?;
        let mut reader = reader(layout.delimiter, file);
        let mut row = ByteRecord::new();
        let mut items = Vec::with_capacity(PAGE_SIZE);
        let mut number = at.rows_before;
        let fail = |e: ::csv::Error, number: u64| {
            Error::from(e).with_object(object).with_operation(format!(
                "read row {} of {}",
                number + 1,
                p.info.path.display()
            ))
        };
        loop {
            if items.len() == PAGE_SIZE {
                let next = Cursor {
                    offset: at.offset + reader.position().byte(),
                    rows_before: number,
                };
                // Look one row ahead so the last page says it is the last.
                let more = reader
                    .read_byte_record(&mut row)
                    .map_err(|e| fail(e, number))?;
                return Ok(Page {
                    items,
                    next: more.then(|| next.render()),
                });
            }
            if !reader
                .read_byte_record(&mut row)
                .map_err(|e| fail(e, number))?
            {
                return Ok(Page { items, next: None });
            }
            number += 1;
            items.push(self.record(object, &layout, &row, number));
        }
    }
}

#[async_trait]
impl Source for CsvSource {
    fn system(&self) -> &str {
        &self.system
    }

    async fn objects(&self) -> Result<Vec<String>> {
        Ok(self.files.keys().cloned().collect())
    }

    async fn read_page(&self, object: &str, cursor: Option<String>) -> Result<Page<RawRecord>> {
        self.read_page_sync(object, cursor)
    }
}

/// A CSV reader that keeps ragged rows (`flexible`) and treats the header as data, so the
/// caller sees every row and knows every offset.
fn reader(delimiter: u8, file: File) -> ::csv::Reader<File> {
    ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(file)
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
