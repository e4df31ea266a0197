//! Rows with their place in the file, and what is wrong with a row that cannot be read whole.
//!
//! The `csv` crate parses leniently: it accepts a row of any length, a quote that is never
//! closed (the cell runs to the end of the file), and text after a closing quote (appended
//! to the cell). Each of those is how an export's damage shifts cells into the wrong
//! columns, so each is told here. A [`Tee`] under the parser keeps the raw bytes of the
//! record being read (one record plus the parser's read-ahead), and [`scan_quotes`] walks
//! them as the parser did.

use std::fs::File;
use std::io::{self, Read};

use ::csv::{ByteRecord, ReaderBuilder};

/// Raw bytes already parsed are dropped once this many have piled up (so dropping them,
/// a copy of what is left, happens once per this many bytes, not once per row).
const RELEASE_AT: usize = 64 * 1024;

/// A reader that keeps what it has read until told the parser is done with it.
#[derive(Debug)]
pub(crate) struct Tee<R> {
    inner: R,
    buf: Vec<u8>,
    /// Offset (from where reading started) of `buf[0]`.
    buf_start: u64,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.buf.extend_from_slice(&out[..n]);
        Ok(n)
    }
}

impl<R> Tee<R> {
    /// The bytes from `from` to `to` (offsets from where reading started); empty if they
    /// are no longer (or not yet) held.
    fn slice(&self, from: u64, to: u64) -> &[u8] {
        let a = from.saturating_sub(self.buf_start) as usize;
        let b = to.saturating_sub(self.buf_start) as usize;
        self.buf.get(a..b.min(self.buf.len())).unwrap_or(&[])
    }

    /// Forgets the bytes before `upto`.
    fn release(&mut self, upto: u64) {
        let k = upto.saturating_sub(self.buf_start) as usize;
        if k >= RELEASE_AT {
            let k = k.min(self.buf.len());
            self.buf.drain(..k);
            self.buf_start += k as u64;
        }
    }
}

/// What is wrong with a record's quoting, found in its raw bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QuoteProblem {
    /// A quoted cell is still open at the end of the file: it swallowed every line after
    /// the one it opened on.
    Unclosed {
        /// 0-based cell index.
        cell: usize,
        /// The line the quote opened on.
        line: u64,
    },
    /// Text follows a closing quote: a quote inside the cell was not doubled, or the cell's
    /// quote was not closed and ran on until the next quote in the file.
    TextAfterQuote {
        /// 0-based cell index.
        cell: usize,
        /// The line the quote opened on.
        line: u64,
        /// The line the quote closed on (the same line unless it swallowed line ends).
        closed: u64,
    },
    /// A quoted cell runs over several lines and closes right after a delimiter: the
    /// closing quote is most likely the opening quote of a cell on a later row.
    ClosedAfterDelimiter {
        /// 0-based cell index.
        cell: usize,
        /// The line the quote opened on.
        line: u64,
        /// The line the quote closed on.
        closed: u64,
    },
}

/// Where a record is in the file's UTF-8 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    /// Byte offset of its first byte (blank lines before it are not part of it).
    pub(crate) start: u64,
    /// Byte offset just past it (its line end included).
    pub(crate) end: u64,
    /// Line (1-based) it starts on.
    pub(crate) first_line: u64,
    /// Line its last cell ends on.
    pub(crate) last_line: u64,
    /// What is wrong with its quoting, if anything.
    pub(crate) quote: Option<QuoteProblem>,
}

/// Reads records with their [`Span`]s from an open file positioned at `offset` (on line
/// `line`) of the UTF-8 text. Lines end with LF, CRLF or a lone CR (old Mac exports), as
/// the `csv` crate reads them.
pub(crate) struct RowReader {
    reader: ::csv::Reader<Tee<File>>,
    offset: u64,
    /// The line at the end of the last record read.
    line: u64,
    /// Whether the last byte read was a CR (so an LF right after it ends no other line).
    after_cr: bool,
    delimiter: u8,
    /// The last record read.
    pub(crate) record: ByteRecord,
}

impl RowReader {
    /// A reader of `file`, already positioned at byte `offset` of the text, on line `line`;
    /// `after_cr` says whether the byte before `offset` is a CR.
    pub(crate) fn new(file: File, offset: u64, line: u64, after_cr: bool, delimiter: u8) -> Self {
        let reader = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(Tee {
                inner: file,
                buf: Vec::new(),
                buf_start: 0,
            });
        Self {
            reader,
            offset,
            line,
            after_cr,
            delimiter,
            record: ByteRecord::new(),
        }
    }

    /// Where the next record starts: byte offset and line.
    pub(crate) fn position(&self) -> (u64, u64) {
        (self.offset + self.reader.position().byte(), self.line)
    }

    /// Reads the next record into [`RowReader::record`]; `None` at the end of the file.
    pub(crate) fn next_span(&mut self) -> ::csv::Result<Option<Span>> {
        if !self.reader.read_byte_record(&mut self.record)? {
            return Ok(None);
        }
        let from = self.record.position().map_or(0, |p| p.byte());
        let to = self.reader.position().byte();
        let raw = self.reader.get_ref().slice(from, to);
        let lead = raw
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        let mut after_cr = self.after_cr;
        let first_line = self.line + line_breaks(&raw[..lead], &mut after_cr);
        let body = &raw[lead..];
        let trail = body
            .iter()
            .rev()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        let last_line = first_line + line_breaks(&body[..body.len() - trail], &mut false);
        let quote = scan_quotes(body, self.delimiter, first_line);
        let span = Span {
            start: self.offset + from + lead as u64,
            end: self.offset + to,
            first_line,
            last_line,
            quote,
        };
        self.line += line_breaks(raw, &mut self.after_cr);
        self.reader.get_mut().release(to);
        Ok(Some(span))
    }
}

/// The line breaks in `bytes`: each LF, CRLF or lone CR once. `after_cr` carries whether
/// the byte before was a CR, in and out.
fn line_breaks(bytes: &[u8], after_cr: &mut bool) -> u64 {
    let mut n = 0;
    for &b in bytes {
        n += u64::from(b == b'\r' || (b == b'\n' && !*after_cr));
        *after_cr = b == b'\r';
    }
    n
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StartField,
    InField,
    InQuoted,
    QuoteInQuoted,
    End,
}

/// Walks one record's raw bytes as the `csv` crate parses them (RFC 4180 with `""` for a
/// quote; a quote only opens a cell at its start) and says what is wrong with its quoting.
pub(crate) fn scan_quotes(raw: &[u8], delimiter: u8, first_line: u64) -> Option<QuoteProblem> {
    let mut state = State::StartField;
    let mut cell = 0usize;
    let mut line = first_line;
    let mut opened = first_line;
    let mut last_in_quote: Option<u8> = None;
    let mut after_cr = false;
    for &b in raw {
        let terminator = b == b'\r' || b == b'\n';
        state = match state {
            State::End => return None,
            State::StartField if b == b'"' => {
                opened = line;
                last_in_quote = None;
                State::InQuoted
            }
            State::StartField | State::InField if b == delimiter => {
                cell += 1;
                State::StartField
            }
            State::StartField | State::InField if terminator => State::End,
            State::StartField | State::InField => State::InField,
            State::InQuoted if b == b'"' => State::QuoteInQuoted,
            State::InQuoted => {
                last_in_quote = Some(b);
                State::InQuoted
            }
            State::QuoteInQuoted if b == b'"' => {
                last_in_quote = Some(b);
                State::InQuoted
            }
            State::QuoteInQuoted => {
                if line > opened && last_in_quote == Some(delimiter) {
                    return Some(QuoteProblem::ClosedAfterDelimiter {
                        cell,
                        line: opened,
                        closed: line,
                    });
                }
                if b == delimiter {
                    cell += 1;
                    State::StartField
                } else if terminator {
                    State::End
                } else {
                    return Some(QuoteProblem::TextAfterQuote {
                        cell,
                        line: opened,
                        closed: line,
                    });
                }
            }
        };
        line += line_breaks(&[b], &mut after_cr);
    }
    match state {
        State::InQuoted => Some(QuoteProblem::Unclosed { cell, line: opened }),
        State::QuoteInQuoted if line > opened && last_in_quote == Some(delimiter) => {
            Some(QuoteProblem::ClosedAfterDelimiter {
                cell,
                line: opened,
                closed: line,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_is_checked_as_the_parser_reads_it() {
        let ok: [&[u8]; 6] = [
            b"1,\"a,b\",c\r\n",
            b"1,\"line one\r\nline two, more\",c\n",
            b"1,\"say \"\"hi\"\"\",\"\"\n",
            b"1,5\" screen,x\n",
            b"1,\"ends with quote\"",
            b"\"\"\"\"",
        ];
        for raw in ok {
            assert_eq!(
                scan_quotes(raw, b',', 1),
                None,
                "{}",
                String::from_utf8_lossy(raw)
            );
        }
        assert_eq!(
            scan_quotes(b"1,Ann,\"note\n2,Bob,x\n3,Cy,y\n", b',', 4),
            Some(QuoteProblem::Unclosed { cell: 2, line: 4 })
        );
        assert_eq!(
            scan_quotes(b"2,\"Bob,Beta\n3,Cy,\"{\"\"id\"\": 3}\"\n", b',', 3),
            Some(QuoteProblem::ClosedAfterDelimiter {
                cell: 1,
                line: 3,
                closed: 4
            })
        );
        assert_eq!(
            scan_quotes(b"2,\"Bob\n3,Cy,\"Cyan\"\n", b',', 3),
            Some(QuoteProblem::ClosedAfterDelimiter {
                cell: 1,
                line: 3,
                closed: 4
            })
        );
        assert_eq!(
            scan_quotes(b"2,\"Bob\n3 Cy \"Cyan\"\n", b',', 3),
            Some(QuoteProblem::TextAfterQuote {
                cell: 1,
                line: 3,
                closed: 4
            })
        );
        assert_eq!(
            scan_quotes(b"1;\"He said \"hi\" to me\";x\n", b';', 9),
            Some(QuoteProblem::TextAfterQuote {
                cell: 1,
                line: 9,
                closed: 9
            })
        );
        assert_eq!(
            scan_quotes(b"1,\"a,b\n7,\",x\",c\n", b',', 2),
            Some(QuoteProblem::ClosedAfterDelimiter {
                cell: 1,
                line: 2,
                closed: 3
            })
        );
    }
}
