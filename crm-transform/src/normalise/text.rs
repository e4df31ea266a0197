//! Text: length limits, whitespace and control characters.
//!
//! These never fail, so they return plain values rather than `Result`:
//!
//! - [`limit`] cuts text to a number of characters (Unicode scalar values, what destination
//!   length limits count), at a grapheme-cluster boundary so an emoji or a letter with its
//!   accent is never split, and says whether it cut.
//! - [`strip_controls`] removes control characters except newline and tab, turns `\r\n` and
//!   lone `\r` into `\n`, and drops byte-order marks (U+FEFF) left inside a cell.
//! - [`collapse_whitespace`] turns every run of whitespace (newlines too) into one space and
//!   trims the ends.
//! - [`clean_text`] applies the above as [`TextOptions`] say.

use unicode_segmentation::UnicodeSegmentation;

/// What [`clean_text`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TextOptions {
    /// Strip control characters (see [`strip_controls`]). On by default.
    pub strip_controls: bool,
    /// Collapse whitespace runs to single spaces (see [`collapse_whitespace`]). Off by default.
    pub collapse_whitespace: bool,
    /// Cut to this many characters (see [`limit`]). None by default.
    pub max_chars: Option<usize>,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            strip_controls: true,
            collapse_whitespace: false,
            max_chars: None,
        }
    }
}

/// Cuts `text` to at most `max_chars` characters without splitting a grapheme cluster:
/// (the text, whether it was cut). A cluster that would cross the limit is left out whole,
/// so the result can be a little shorter than `max_chars`.
pub fn limit(text: &str, max_chars: usize) -> (String, bool) {
    // Fast path: fits already (byte length bounds char count).
    if text.len() <= max_chars || text.chars().count() <= max_chars {
        return (text.to_string(), false);
    }
    let mut used = 0;
    let mut end = 0;
    for (at, g) in text.grapheme_indices(true) {
        let n = g.chars().count();
        if used + n > max_chars {
            break;
        }
        used += n;
        end = at + g.len();
    }
    (text[..end].to_string(), true)
}

/// Removes control characters except `\n` and `\t`; `\r\n` and `\r` become `\n`; U+FEFF
/// (a stray byte-order mark) is dropped.
pub fn strip_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\t' => out.push(c),
            '\u{feff}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Turns every run of whitespace (spaces, tabs, newlines, no-break spaces) into one space
/// and trims both ends.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Cleans text as `opts` say: controls, then whitespace, then the length limit. Returns the
/// text and whether it was cut.
pub fn clean_text(text: &str, opts: &TextOptions) -> (String, bool) {
    let mut s = if opts.strip_controls {
        strip_controls(text)
    } else {
        text.to_string()
    };
    if opts.collapse_whitespace {
        s = collapse_whitespace(&s);
    }
    match opts.max_chars {
        // A cut can end on the space between two words; when collapsing, drop it too.
        Some(max) => match limit(&s, max) {
            (t, true) if opts.collapse_whitespace => (t.trim_end().to_string(), true),
            other => other,
        },
        None => (s, false),
    }
}
