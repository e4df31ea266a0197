//! Which encoding a CSV file is in, and where its UTF-8 text is.
//!
//! A UTF-8 file (with or without a byte-order mark) is read in place: its validity is
//! checked in 64 KiB chunks, so the check holds one chunk in memory. A UTF-8 file with a few
//! damaged bytes (a byte-order mark, or more valid multi-byte characters than invalid
//! sequences) is read in place too: the rows holding the bad bytes become damaged records,
//! and the rest loads. Any other file (UTF-16, a legacy code page) goes through
//! [`decode_csv`] once, when the source is opened, and its UTF-8 text is written to a copy in
//! the source's cache directory; pages are then read from the copy. That one decoding holds
//! the file's bytes and its text in memory at the same time (about three times the file's
//! size, at open only).

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crm_core::{Error, Result};
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
    /// True when some bytes were not valid in the file's encoding: the rows holding them are
    /// read as damaged records (their cells show the bad bytes as U+FFFD).
    pub replaced: bool,
    /// How many invalid UTF-8 byte sequences a file read as UTF-8 holds (0 for a decoded
    /// file: see [`CsvFileInfo::replaced`]).
    pub invalid_sequences: u64,
    /// The decoded UTF-8 copy pages are read from, when the file is not UTF-8.
    pub decoded_copy: Option<PathBuf>,
}

/// A file ready to be read: its UTF-8 text is `text_path` from byte `start`.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub(crate) info: CsvFileInfo,
    pub(crate) text_path: PathBuf,
    pub(crate) start: u64,
    /// Why the file cannot be read at all (it could not be decoded), for [`Error::input`].
    pub(crate) problem: Option<String>,
}

const CHUNK: usize = 64 * 1024;
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Finds `path`'s encoding and, unless it is UTF-8, writes its decoded text into `cache`
/// (created on first use) as `<slot>.utf8.csv`. A file that cannot be decoded is not an
/// error here: its [`Prepared::problem`] says why, and reading the source reports it.
pub(crate) fn prepare(path: &Path, cache: &mut Option<CacheDir>, slot: usize) -> Result<Prepared> {
    let ctx = |e: io::Error| Error::from(e).with_operation(format!("read {}", path.display()));
    let scan = scan_utf8(path).map_err(ctx)?;
    if let Some(scan) = scan.filter(Utf8Scan::read_in_place) {
        let source = if scan.bom {
            EncodingSource::Bom
        } else if scan.invalid == 0 {
            EncodingSource::ValidUtf8
        } else {
            EncodingSource::Guessed
        };
        return Ok(Prepared {
            info: CsvFileInfo {
                path: path.to_path_buf(),
                encoding: "UTF-8",
                encoding_source: source,
                replaced: scan.invalid > 0,
                invalid_sequences: scan.invalid,
                decoded_copy: None,
            },
            text_path: path.to_path_buf(),
            start: if scan.bom { UTF8_BOM.len() as u64 } else { 0 },
            problem: None,
        });
    }
    let bytes = std::fs::read(path).map_err(ctx)?;
    let decoded = match decode_csv(&bytes) {
        Ok(d) => d,
        Err(e) => {
            return Ok(Prepared {
                info: CsvFileInfo {
                    path: path.to_path_buf(),
                    encoding: "unknown",
                    encoding_source: EncodingSource::Guessed,
                    replaced: false,
                    invalid_sequences: 0,
                    decoded_copy: None,
                },
                text_path: path.to_path_buf(),
                start: 0,
                problem: Some(format!("the file cannot be decoded: {}", e.reason)),
            })
        }
    };
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
            invalid_sequences: 0,
            decoded_copy: Some(copy.clone()),
        },
        text_path: copy,
        start: 0,
        problem: None,
    })
}

/// What a pass over a file's bytes as UTF-8 found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Utf8Scan {
    /// It starts with a UTF-8 byte-order mark.
    bom: bool,
    /// Invalid byte sequences (a truncated character at the end counts as one).
    invalid: u64,
    /// Valid characters of two bytes or more.
    multibyte: u64,
    /// It holds a NUL byte (UTF-16 without a byte-order mark, or not text).
    nul: bool,
}

impl Utf8Scan {
    /// Whether the file is UTF-8, read in place: valid; or declared UTF-8 by its byte-order
    /// mark; or with more valid multi-byte characters than invalid sequences. A legacy code
    /// page (Windows-1250/1252, ISO-8859-2) almost never forms a valid multi-byte sequence,
    /// while its accented letters are each an invalid one, so such a file is decoded instead.
    /// (A file of plain ASCII plus a few high bytes is ambiguous; it is taken for a legacy
    /// code page, as a single accented name in a Windows-1252 export is the likelier case.)
    fn read_in_place(&self) -> bool {
        !self.nul && (self.invalid == 0 || self.bom || self.multibyte > self.invalid)
    }

    /// Counts `data` (a prefix of the rest of the file); returns the bytes of a character
    /// cut by the end of `data`, to be prepended to the next chunk.
    fn feed(&mut self, mut data: &[u8]) -> Vec<u8> {
        self.nul |= data.contains(&0);
        loop {
            match std::str::from_utf8(data) {
                Ok(text) => {
                    self.multibyte += count_multibyte(text.as_bytes());
                    return Vec::new();
                }
                Err(e) => {
                    let (valid, rest) = data.split_at(e.valid_up_to());
                    self.multibyte += count_multibyte(valid);
                    match e.error_len() {
                        Some(n) => {
                            self.invalid += 1;
                            data = &rest[n..];
                        }
                        None => return rest.to_vec(),
                    }
                }
            }
        }
    }
}

/// Lead bytes of multi-byte characters in valid UTF-8.
fn count_multibyte(valid: &[u8]) -> u64 {
    valid.iter().filter(|&&b| b >= 0xC0).count() as u64
}

/// The file's bytes checked as UTF-8 one chunk at a time; `None` for a UTF-16 byte-order
/// mark.
fn scan_utf8(path: &Path) -> io::Result<Option<Utf8Scan>> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; CHUNK];
    let mut carry: Vec<u8> = Vec::new();
    let mut scan = Utf8Scan::default();
    let mut first = true;
    loop {
        let n = read_full(&mut file, &mut buf)?;
        let mut chunk = &buf[..n];
        if first {
            first = false;
            if chunk.starts_with(UTF8_BOM) {
                scan.bom = true;
                chunk = &chunk[UTF8_BOM.len()..];
            } else if chunk.starts_with(b"\xFF\xFE") || chunk.starts_with(b"\xFE\xFF") {
                return Ok(None);
            }
        }
        if n == 0 {
            break;
        }
        carry = if carry.is_empty() {
            scan.feed(chunk)
        } else {
            let joined = [carry.as_slice(), chunk].concat();
            scan.feed(&joined)
        };
    }
    if !carry.is_empty() {
        scan.invalid += 1;
    }
    Ok(Some(scan))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(bytes: &[u8]) -> Utf8Scan {
        let mut s = Utf8Scan::default();
        let carry = s.feed(bytes);
        s.invalid += u64::from(!carry.is_empty());
        s
    }

    #[test]
    fn damaged_utf8_is_told_from_a_legacy_code_page() {
        let mut bytes = "id,name\n1,Zażółć\n2,Łódź\n3,x".as_bytes().to_vec();
        bytes.extend_from_slice(&[0xFF, 0xFE, 0xC3, 0x28]);
        bytes.extend_from_slice(b"y\n");
        let s = scan(&bytes);
        assert_eq!((s.invalid, s.multibyte), (3, 7));
        assert!(s.read_in_place());
        // Windows-1250 Polish: every accented letter is an invalid sequence.
        let s = scan(b"id;miasto\n1;\xA3\xF3d\x9F\n2;Gda\xF1sk\n");
        assert_eq!((s.invalid, s.multibyte), (4, 0));
        assert!(!s.read_in_place());
        assert!(!scan(b"a\0b\0").read_in_place());
        assert!(scan(b"plain,ascii\n").read_in_place());
        // A character cut at the end of the file is one invalid sequence.
        assert_eq!(scan(b"ok,\xC5").invalid, 1);
    }
}
