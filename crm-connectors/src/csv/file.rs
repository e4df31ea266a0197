//! Which encoding a CSV file is in, and where its UTF-8 text is.
//!
//! A UTF-8 file (with or without a byte-order mark) is read in place: its validity is
//! checked in 64 KiB chunks, so the check holds one chunk in memory. Any other file (UTF-16,
//! a legacy code page) goes through [`decode_csv`] once, when the source is opened, and its
//! UTF-8 text is written to a copy in the source's cache directory; pages are then read
//! from the copy. That one decoding holds the file's bytes and its text in memory at the
//! same time (about three times the file's size, at open only).

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crm_core::{Error, ErrorKind, Result};
use crm_transform::normalise::{decode_csv, EncodingSource};

/// What was found out about one CSV file when the source was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvFileInfo {
    /// The file.
    pub path: PathBuf,
    /// The encoding's standard name: `UTF-8`, `UTF-16LE`, `windows-1250`, `windows-1252`, …
    pub encoding: &'static str,
    /// How the encoding was chosen (byte-order mark, valid UTF-8, or guessed).
    pub encoding_source: EncodingSource,
    /// True when some bytes were not valid in the guessed encoding and became U+FFFD.
    pub replaced: bool,
    /// The decoded UTF-8 copy pages are read from, when the file is not UTF-8.
    pub decoded_copy: Option<PathBuf>,
}

/// A file ready to be read: its UTF-8 text is `text_path` from byte `start`.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub(crate) info: CsvFileInfo,
    pub(crate) text_path: PathBuf,
    pub(crate) start: u64,
}

const CHUNK: usize = 64 * 1024;
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Finds `path`'s encoding and, unless it is UTF-8, writes its decoded text into `cache`
/// (created on first use) as `<slot>.utf8.csv`.
pub(crate) fn prepare(path: &Path, cache: &mut Option<CacheDir>, slot: usize) -> Result<Prepared> {
    let ctx = |e: io::Error| Error::from(e).with_operation(format!("read {}", path.display()));
    if let Some((start, source)) = utf8_in_place(path).map_err(ctx)? {
        return Ok(Prepared {
            info: CsvFileInfo {
                path: path.to_path_buf(),
                encoding: "UTF-8",
                encoding_source: source,
                replaced: false,
                decoded_copy: None,
            },
            text_path: path.to_path_buf(),
            start,
        });
    }
    let bytes = std::fs::read(path).map_err(ctx)?;
    let decoded = decode_csv(&bytes).map_err(|e| {
        Error::new(
            ErrorKind::Validation,
            format!("cannot decode {}: {e}", path.display()),
        )
        .with_source(e)
    })?;
    drop(bytes);
    let dir = match cache {
        Some(c) => c.path.clone(),
        None => cache.insert(CacheDir::create()?).path.clone(),
    };
    let copy = dir.join(format!("{slot}.utf8.csv"));
    std::fs::write(&copy, decoded.text.as_bytes())
        .map_err(|e| Error::from(e).with_operation(format!("write {}", copy.display())))?;
    Ok(Prepared {
        info: CsvFileInfo {
            path: path.to_path_buf(),
            encoding: decoded.encoding,
            encoding_source: decoded.source,
            replaced: decoded.replaced,
            decoded_copy: Some(copy.clone()),
        },
        text_path: copy,
        start: 0,
    })
}

/// `Some((offset of the text, how it was recognised))` when the file is UTF-8 as
/// [`decode_csv`] would see it (a UTF-8 BOM and valid UTF-8 after it, or valid UTF-8), read
/// one chunk at a time.
fn utf8_in_place(path: &Path) -> io::Result<Option<(u64, EncodingSource)>> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; CHUNK];
    let mut carry: Vec<u8> = Vec::new();
    let mut start = None;
    loop {
        let n = read_full(&mut file, &mut buf)?;
        let mut chunk = &buf[..n];
        if start.is_none() {
            if chunk.starts_with(UTF8_BOM) {
                start = Some(UTF8_BOM.len() as u64);
                chunk = &chunk[UTF8_BOM.len()..];
            } else if chunk.starts_with(b"\xFF\xFE") || chunk.starts_with(b"\xFE\xFF") {
                return Ok(None);
            } else {
                start = Some(0);
            }
        }
        if n == 0 {
            break;
        }
        let joined;
        let data = if carry.is_empty() {
            chunk
        } else {
            joined = [carry.as_slice(), chunk].concat();
            joined.as_slice()
        };
        match std::str::from_utf8(data) {
            Ok(_) => carry.clear(),
            // A character cut by the chunk boundary: check it with the next chunk.
            Err(e) if e.error_len().is_none() => carry = data[e.valid_up_to()..].to_vec(),
            Err(_) => return Ok(None),
        }
    }
    if !carry.is_empty() {
        return Ok(None);
    }
    Ok(start.map(|s| {
        let source = if s > 0 {
            EncodingSource::Bom
        } else {
            EncodingSource::ValidUtf8
        };
        (s, source)
    }))
}

/// Reads until `buf` is full or the file ends.
fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// A private directory for decoded copies, removed with the source.
#[derive(Debug)]
pub(crate) struct CacheDir {
    pub(crate) path: PathBuf,
}

impl CacheDir {
    fn create() -> Result<Self> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "crm-migrate-csv-{}-{nanos}-{n}",
            std::process::id()
        ));
        std::fs::create_dir(&path)
            .map_err(|e| Error::from(e).with_operation(format!("create {}", path.display())))?;
        Ok(Self { path })
    }
}

impl Drop for CacheDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
