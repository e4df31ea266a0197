//! Type inference: what one raw value could be ([`classify`]), and which type a whole field
//! is, given how many of its values fit each candidate ([`pick`]).
//!
//! Every value is tried against the normalisers the mapper will later use, so "fits" here
//! means "the mapper will read it". A few guards keep specific types from swallowing
//! general ones:
//!
//! - plain integers (`12345`, `48123456789`) are never phones: a phone candidate needs a `+`,
//!   an `00` prefix, separators (`+48 123-456`), or a national trunk `0` and 9–12 digits;
//! - integers with a leading zero (`007`, `01234`) are codes, not integers;
//! - integers read as Unix time only between 2001-09-09 and 2033-05-18 (10-digit seconds
//!   starting with `1`, 13-digit milliseconds starting with `1`), which no phone number or
//!   small id reaches;
//! - `1`/`0` columns are booleans only when every value is `1` or `0` and values repeat
//!   (an id column `0`, `1` is not a flag);
//! - numbers are never tried as dates (the date parser reads `12.5` as Unix time).

use serde_json::Value as Json;

use super::InferredType;
use crate::normalise::{
    normalise_email, normalise_emails, normalise_phone, normalise_url, parse_bool, parse_datetime,
    parse_decimal_micros, parse_money, parse_pg_array, sniff_date_order, DateOrder, DateOrderGuess,
    DateTimeOptions, MoneyOptions,
};

/// Candidate flags of one value: bit positions in [`Classified::flags`], indexes of
/// [`Fits::counts`]. Each says the value fits that reading.
pub(crate) mod flag {
    pub(crate) const BOOL: usize = 0; // read by `parse_bool`
    pub(crate) const ZERO_ONE: usize = 1; // exactly `0` or `1`
    pub(crate) const INTEGER: usize = 2; // whole number without a leading zero
    pub(crate) const NUMBER: usize = 3; // decimal number
    pub(crate) const DATETIME: usize = 4; // date-time, date, or plausible Unix time
    pub(crate) const DATE: usize = 5; // date without a time
    pub(crate) const EMAIL: usize = 6; // one or more email addresses
    pub(crate) const PHONE: usize = 7; // phone number
    pub(crate) const URL: usize = 8; // URL or bare domain
    pub(crate) const MONEY: usize = 9; // amount naming its currency
    pub(crate) const JSON: usize = 10; // JSON object or array
    pub(crate) const CHOICES: usize = 11; // PostgreSQL array, JSON array of scalars
    pub(crate) const PIPE_LIST: usize = 12; // two or more short items split by `|`
    pub(crate) const SHORT: usize = 13; // one line of ≤ SHORT_CHARS: a choice label?
    pub(crate) const COUNT: usize = 14; // number of flags
}

/// Longest value (in characters) that can be a choice label or a `|`-list item.
pub(crate) const SHORT_CHARS: usize = 60;

/// Values longer than this (in bytes) are only tried as JSON: nothing else is that long.
const LONG_BYTES: usize = 2048;

/// What one non-empty value could be.
#[derive(Debug, Clone, Default)]
pub(crate) struct Classified {
    /// Bit `flag::X` set when the value fits X.
    pub(crate) flags: u16,
    /// The value as text, trimmed (JSON values serialised compactly).
    pub(crate) text: String,
    /// For lists (`{a,b}`, `["a"]`, `a|b`): the elements.
    pub(crate) items: Vec<String>,
    /// For dates written with slashes or dots: what the value says about the date order.
    pub(crate) date_order: Option<DateOrderGuess>,
}

impl Classified {
    fn set(&mut self, f: usize) {
        self.flags |= 1 << f;
    }

    /// True when the value fits `f`.
    pub(crate) fn has(&self, f: usize) -> bool {
        self.flags & (1 << f) != 0
    }
}

/// Classifies one raw value; `None` when it is empty (null, blank, `{}`, `[]`, `{NULL}`).
pub(crate) fn classify(value: &Json) -> Option<Classified> {
    match value {
        Json::Null => None,
        Json::Bool(b) => {
            let mut c = text_only(b.to_string());
            c.set(flag::BOOL);
            Some(c)
        }
        Json::Number(n) => {
            let mut c = text_only(n.to_string());
            if let Some(i) = n.as_i64() {
                integer_flags(&mut c, i);
            } else if n.as_u64().is_some() {
                c.set(flag::INTEGER);
            }
            c.set(flag::NUMBER);
            Some(c)
        }
        Json::String(s) => classify_str(s),
        Json::Array(items) => {
            let mut c = text_only(value.to_string());
            c.set(flag::JSON);
            if items.iter().all(|v| !v.is_array() && !v.is_object()) {
                c.items = items.iter().filter_map(scalar_text).collect();
                if c.items.is_empty() {
                    return None;
                }
                c.set(flag::CHOICES);
            }
            Some(c)
        }
        Json::Object(m) if m.is_empty() => None,
        Json::Object(_) => {
            let mut c = text_only(value.to_string());
            c.set(flag::JSON);
            Some(c)
        }
    }
}

/// Classifies a string cell.
pub(crate) fn classify_str(raw: &str) -> Option<Classified> {
    let t = raw.trim();
    if t.is_empty() || t == "{}" || t == "[]" {
        return None;
    }
    if t.starts_with('{') || t.starts_with('[') {
        return classify_bracketed(t);
    }
    let mut c = text_only(t.to_string());
    if t.len() > LONG_BYTES {
        return Some(c);
    }
    if t.chars().count() <= SHORT_CHARS && !t.contains('\n') {
        c.set(flag::SHORT);
    }
    if parse_bool(t).is_ok() {
        c.set(flag::BOOL);
    }
    if let Some(i) = plain_integer(t) {
        integer_flags(&mut c, i);
        c.set(flag::NUMBER);
        return Some(c);
    }
    if is_decimal(t) {
        c.set(flag::NUMBER);
        return Some(c);
    }
    let has_digit = t.bytes().any(|b| b.is_ascii_digit());
    if has_digit && t.contains(',') && parse_decimal_micros(t, false).is_ok() {
        // `1,234.50`: grouped by threes, so not a decimal comma.
        c.set(flag::NUMBER);
        return Some(c);
    }
    // All digits is an integer or a code: the date parser would read it as Unix time.
    let all_digits = t.bytes().all(|b| b.is_ascii_digit());
    if has_digit && !all_digits && t.len() <= 40 && date_flags(&mut c, t) {
        return Some(c);
    }
    if t.contains('@') {
        let multi = t.contains([',', ';', '|']);
        if normalise_email(t).is_ok() || (multi && normalise_emails(t).is_ok()) {
            c.set(flag::EMAIL);
        }
        return Some(c);
    }
    // Phone numbers and amounts are short; long text is neither.
    let short = t.len() <= 40;
    if short && has_digit && phone_like(t) && normalise_phone(t, None).is_ok() {
        c.set(flag::PHONE);
    }
    if short && has_digit && is_money(t) {
        c.set(flag::MONEY);
    }
    if t.contains('.') && !c.has(flag::PHONE) && url_like(t) && normalise_url(t).is_ok() {
        c.set(flag::URL);
    }
    if t.contains('|') {
        let items: Vec<String> = t
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if items.len() >= 2 && items.iter().all(|i| i.chars().count() <= SHORT_CHARS) {
            c.items = items;
            c.set(flag::PIPE_LIST);
        }
    }
    Some(c)
}

/// `{…}` / `[…]`: a JSON document, or a PostgreSQL array.
fn classify_bracketed(t: &str) -> Option<Classified> {
    if let Ok(v) = serde_json::from_str::<Json>(t) {
        if v.is_array() || v.is_object() {
            let mut c = classify(&v)?;
            c.text = t.to_string();
            return Some(c);
        }
    }
    let mut c = text_only(t.to_string());
    if t.chars().count() <= SHORT_CHARS && !t.contains('\n') {
        c.set(flag::SHORT);
    }
    if t.starts_with('{') && t.ends_with('}') {
        if let Ok(items) = parse_pg_array(t) {
            if items.is_empty() {
                return None;
            }
            c.items = items;
            c.set(flag::CHOICES);
        }
    }
    Some(c)
}

fn text_only(text: String) -> Classified {
    Classified {
        text,
        ..Classified::default()
    }
}

fn scalar_text(v: &Json) -> Option<String> {
    match v {
        Json::Null => None,
        Json::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        other => Some(other.to_string()),
    }
}

/// Flags of an integer: `0`/`1` may be booleans, and the plausible Unix range is a time.
fn integer_flags(c: &mut Classified, i: i64) {
    c.set(flag::INTEGER);
    if i == 0 || i == 1 {
        c.set(flag::ZERO_ONE);
        c.set(flag::BOOL);
    }
    if (1_000_000_000..2_000_000_000).contains(&i)
        || (1_000_000_000_000..2_000_000_000_000).contains(&i)
    {
        c.set(flag::DATETIME);
    }
}

/// An optionally signed run of digits without a leading zero (`0` itself is fine).
fn plain_integer(t: &str) -> Option<i64> {
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    t.parse().ok()
}

/// `-12.5`, `.5`, `3.`, `1e6`: a plain decimal number.
fn is_decimal(t: &str) -> bool {
    let s = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = !(int.is_empty() && frac.is_empty()) && digits(int) && digits(frac);
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok && (mantissa.contains('.') || exponent.is_some())
}

/// Sets DATE / DATETIME when the value is a date in any of the supported orders; returns
/// whether it is one.
fn date_flags(c: &mut Classified, t: &str) -> bool {
    let orders = [DateOrder::Iso, DateOrder::DayFirst, DateOrder::MonthFirst];
    let ok = orders
        .iter()
        .any(|&o| parse_datetime(t, &DateTimeOptions::with_order(o)).is_ok());
    if !ok {
        return false;
    }
    c.set(flag::DATETIME);
    if !t.contains(':') {
        c.set(flag::DATE);
    }
    match sniff_date_order([t]) {
        DateOrderGuess::NoLocaleDates => {}
        guess => c.date_order = Some(guess),
    }
    true
}

/// Looks enough like a phone number to ask the phone parser: not a plain integer.
fn phone_like(t: &str) -> bool {
    let s = t.strip_prefix("tel:").unwrap_or(t).trim_start();
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    if !(7..=20).contains(&digits) {
        return false;
    }
    if s.starts_with('+') || s.starts_with("00") {
        return true;
    }
    if s.contains([' ', '-', '(', ')', '.', '/']) {
        return true;
    }
    s.starts_with('0') && (9..=12).contains(&digits) && s.bytes().all(|b| b.is_ascii_digit())
}

/// An amount that names its currency (`€12.50`, `12,50 zł`, `USD 12`).
fn is_money(t: &str) -> bool {
    let named = |decimal_comma: bool| {
        let opts = MoneyOptions {
            decimal_comma,
            default_currency: None,
        };
        parse_money(t, &opts).is_ok_and(|m| m.currency.is_some())
    };
    let symbol = t.contains(['€', '$', '£', '₹', '₽', '₴', '₺', '₩', '₪']) || t.contains("zł");
    let letters: Vec<u8> = t.bytes().filter(u8::is_ascii_alphabetic).collect();
    // A code must be written as one (`EUR`), so `Apt 12` or `Box 5` is not money; and
    // a code joined to digits by a hyphen, or digits with a leading zero, make a reference
    // (`LCR-00035`, `ABC0012`), not an amount.
    let code =
        letters.len() == 3 && letters.iter().all(u8::is_ascii_uppercase) && !reference_like(t);
    (symbol || code || t.contains("Kč")) && (named(false) || named(true))
}

/// `LCR-00035`, `INV-12`, `ABC0012`: letters joined to digits by a hyphen, or digits
/// padded with a leading zero.
fn reference_like(t: &str) -> bool {
    let digits = t.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let joined = digits.len() < t.len() && digits.starts_with('-');
    let number = digits.trim_start_matches(['-', ' ', '+']);
    let padded = number.len() > 1
        && number.starts_with('0')
        && number[1..].starts_with(|c: char| c.is_ascii_digit());
    joined || padded
}

/// A URL with a scheme or `www.`, or a bare domain whose last label is letters.
fn url_like(t: &str) -> bool {
    let lower = t.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.") {
        return true;
    }
    let host = lower.split(['/', '?', '#', ':']).next().unwrap_or("");
    let tld = host.rsplit('.').next().unwrap_or("");
    // `report.pdf` is a file name, not a domain.
    const FILES: &[&str] = &[
        "pdf", "doc", "docx", "xls", "xlsx", "csv", "txt", "jpg", "jpeg", "png", "gif", "json",
        "xml", "html", "htm", "ppt", "pptx", "odt", "ods", "rtf", "eml", "msg",
    ];
    !FILES.contains(&tld)
        && host.contains('.')
        && (2..=24).contains(&tld.len())
        && tld.bytes().all(|b| b.is_ascii_lowercase())
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// How many of a field's filled values fit each flag, and what else [`pick`] needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fits {
    /// Filled values seen.
    pub(crate) filled: u64,
    /// Per flag, values that fit it.
    pub(crate) counts: [u64; flag::COUNT],
    /// Distinct filled values (up to the cap).
    pub(crate) distinct: u64,
    /// True when `distinct` hit the cap.
    pub(crate) capped: bool,
}

impl Fits {
    /// Counts one classified value.
    pub(crate) fn add(&mut self, c: &Classified) {
        self.filled += 1;
        for (f, n) in self.counts.iter_mut().enumerate() {
            *n += u64::from(c.flags & (1 << f) != 0);
        }
    }

    fn share(&self, f: usize) -> f64 {
        self.counts[f] as f64 / self.filled as f64
    }
}

/// Minimum share of filled values a type must fit to be the field's type.
pub(crate) const MIN_FIT: f64 = 0.95;

/// Most distinct values a single-choice field may have.
pub(crate) const MAX_CHOICES: u64 = 20;

/// The field's type and the share of filled values that fit it: the most specific type
/// that fits at least [`MIN_FIT`] of them, else text (or a choice, when few distinct short
/// values repeat).
pub(crate) fn pick(f: &Fits) -> (InferredType, f64) {
    use InferredType as T;
    if f.filled == 0 {
        return (T::Empty, 0.0);
    }
    let order = [
        (T::Boolean, flag::BOOL),
        (T::Date, flag::DATE),
        (T::DateTime, flag::DATETIME),
        (T::Email, flag::EMAIL),
        (T::Phone, flag::PHONE),
        (T::Url, flag::URL),
        (T::Money, flag::MONEY),
        (T::Integer, flag::INTEGER),
        (T::Number, flag::NUMBER),
        (T::Choices, flag::CHOICES),
        (T::Json, flag::JSON),
    ];
    for (ty, fl) in order {
        if ty == T::Boolean && !boolean_ok(f) {
            continue;
        }
        if f.share(fl) >= MIN_FIT {
            return (ty, f.share(fl));
        }
    }
    let lists = f.counts[flag::PIPE_LIST];
    if lists >= 2 && lists as f64 >= 0.1 * f.filled as f64 && f.share(flag::SHORT) >= MIN_FIT {
        return (T::Choices, f.share(flag::SHORT));
    }
    let repeated = f.filled >= 2 * f.distinct;
    if !f.capped && f.distinct <= MAX_CHOICES && repeated && f.counts[flag::SHORT] == f.filled {
        return (T::Choice, 1.0);
    }
    (T::Text, 1.0)
}

/// A boolean needs a yes/no word, or else only `0`/`1` values that repeat.
fn boolean_ok(f: &Fits) -> bool {
    let words = f.counts[flag::BOOL] - f.counts[flag::ZERO_ONE];
    words > 0 || (f.counts[flag::ZERO_ONE] == f.filled && f.filled > f.distinct)
}
