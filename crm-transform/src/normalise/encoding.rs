//! Decoding CSV files to text, and saying which encoding they were in.
//!
//! [`decode_csv`] tries, in order:
//!
//! 1. a byte-order mark: UTF-8, UTF-16LE or UTF-16BE; the BOM is removed and the rest must be
//!    valid in that encoding (a damaged file is an error rather than text with holes);
//! 2. valid UTF-8 without a BOM;
//! 3. UTF-16 without a BOM, recognised by its zero bytes in every other position;
//! 4. a legacy code page guessed by `chardetng` (the detector Firefox uses) — in practice
//!    Windows-1250 / ISO-8859-2 for Central European exports, Windows-1252 for Western ones —
//!    decoded with `encoding_rs`. Optionally hinted by the country's top-level domain
//!    ([`decode_csv_with_tld`]), which helps on files with few accented letters.
//!
//! [`decode_csv_as`] decodes with an encoding a person named, for when the guess is wrong.
//! Every result says which encoding was used and how it was chosen, for the run report.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

use crate::error::{NormaliseError, ValueKind};

/// How the encoding of a file was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EncodingSource {
    /// The file starts with a byte-order mark.
    Bom,
    /// The bytes are valid UTF-8.
    ValidUtf8,
    /// Guessed from the bytes (UTF-16 zero-byte pattern, or a code page by `chardetng`).
    Guessed,
    /// Named by the caller.
    Given,
}

/// A decoded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without a byte-order mark.
    pub text: String,
    /// The encoding's standard name: `UTF-8`, `UTF-16LE`, `windows-1250`, `ISO-8859-2`, …
    pub encoding: &'static str,
    /// How the encoding was chosen.
    pub source: EncodingSource,
    /// True when some bytes were not valid in the encoding and became U+FFFD.
    pub replaced: bool,
}

/// Decodes a CSV file's bytes (see the module docs).
pub fn decode_csv(bytes: &[u8]) -> Result<Decoded, NormaliseError> {
    decode_csv_with_tld(bytes, None)
}

/// Decodes a CSV file's bytes; `tld` (e.g. `pl`, `cz`, `de`) hints the country the export
/// comes from when a legacy code page has to be guessed. A hint that is not a plain ASCII
/// label is ignored.
pub fn decode_csv_with_tld(bytes: &[u8], tld: Option<&str>) -> Result<Decoded, NormaliseError> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        return match enc.decode_without_bom_handling_and_without_replacement(body) {
            Some(text) => Ok(decoded(text.into_owned(), enc, EncodingSource::Bom, false)),
            None => Err(NormaliseError::new(
                ValueKind::Encoding,
                &preview(body, enc),
                format!(
                    "the file starts with a {} byte-order mark but is not valid {}{}; \
                     it may be damaged: export it again",
                    enc.name(),
                    enc.name(),
                    first_bad_utf8(body, enc)
                ),
            )),
        };
    }
    // UTF-16 first: BOM-less UTF-16 of ASCII text is also valid UTF-8 (full of NULs),
    // and no CSV export holds NUL bytes as text.
    if let Some(enc) = sniff_utf16(bytes) {
        if let Some(text) = enc.decode_without_bom_handling_and_without_replacement(bytes) {
            return Ok(decoded(
                text.into_owned(),
                enc,
                EncodingSource::Guessed,
                false,
            ));
        }
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(decoded(
            text.to_string(),
            UTF_8,
            EncodingSource::ValidUtf8,
            false,
        ));
    }
    let tld = tld
        .map(str::to_ascii_lowercase)
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_lowercase()));
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let enc = detector.guess(tld.as_deref().map(str::as_bytes), Utf8Detection::Deny);
    let (text, replaced) = enc.decode_without_bom_handling(bytes);
    Ok(decoded(
        text.into_owned(),
        enc,
        EncodingSource::Guessed,
        replaced,
    ))
}

/// Decodes with the encoding named by `label` (any WHATWG label: `utf-8`, `cp1250`,
/// `windows-1252`, `latin2`, `utf-16le`, …), removing that encoding's BOM if present.
/// Note that, as in browsers, `latin1` / `ISO-8859-1` mean Windows-1252.
pub fn decode_csv_as(bytes: &[u8], label: &str) -> Result<Decoded, NormaliseError> {
    let enc = Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
        NormaliseError::new(
            ValueKind::Encoding,
            label,
            "it is not a known encoding name; try UTF-8, windows-1250, windows-1252 or ISO-8859-2",
        )
    })?;
    let (text, replaced) = enc.decode_with_bom_removal(bytes);
    Ok(decoded(
        text.into_owned(),
        enc,
        EncodingSource::Given,
        replaced,
    ))
}

fn decoded(
    text: String,
    enc: &'static Encoding,
    source: EncodingSource,
    replaced: bool,
) -> Decoded {
    Decoded {
        text,
        encoding: enc.name(),
        source,
        replaced,
    }
}

/// UTF-16 without a BOM: in the first 4 KiB, at least 40 % of the code units have a zero
/// high byte and (almost) none a zero low byte — true of any mostly-Latin UTF-16 text.
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let n = bytes.len().min(4096) & !1;
    if n < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units = n / 2;
    let (mut even_zero, mut odd_zero) = (0usize, 0usize);
    for pair in bytes[..n].chunks_exact(2) {
        even_zero += usize::from(pair[0] == 0);
        odd_zero += usize::from(pair[1] == 0);
    }
    let mostly = |z: usize| z * 10 >= units * 4;
    let hardly = |z: usize| z * 20 <= units;
    if mostly(odd_zero) && hardly(even_zero) {
        Some(UTF_16LE)
    } else if mostly(even_zero) && hardly(odd_zero) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// The first bytes of a file, decoded lossily, for an error message.
fn preview(body: &[u8], enc: &'static Encoding) -> String {
    let head = &body[..body.len().min(80)];
    enc.decode_without_bom_handling(head).0.into_owned()
}

/// ` (first bad byte at offset N)` for UTF-8; empty otherwise.
fn first_bad_utf8(body: &[u8], enc: &'static Encoding) -> String {
    match std::str::from_utf8(body) {
        Err(e) if enc == UTF_8 => format!(" (first bad byte at offset {})", e.valid_up_to() + 3),
        _ => String::new(),
    }
}

#[cfg(test)]
mod utf16_without_bom {
    use super::*;

    #[test]
    fn ascii_utf16le_without_bom_is_not_taken_for_utf8() {
        let text = "id,email\r\n1,a@x.io\r\n2,b@y.io\r\n";
        let bytes: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        assert!(
            std::str::from_utf8(&bytes).is_ok(),
            "the trap: it is valid UTF-8"
        );
        let d = decode_csv(&bytes).unwrap();
        assert_eq!(d.text, text);
        assert!(!d.text.contains('\0'));
    }
}
