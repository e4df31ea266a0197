//! Amounts of money and plain decimals, exactly, as micros (× 1,000,000) in an `i64`.
//!
//! [`parse_money`] reads `1234.5`, `1,234.50`, `-12`, `(12.50)` (accounting negative),
//! `€12.50`, `12.50 EUR`, `USD 12`, `12,50 zł`, and with [`MoneyOptions::decimal_comma`]
//! `1 234,50` or `1.234,50`. No floating point is used anywhere.
//!
//! Choices:
//!
//! - **No rounding.** More than 6 significant decimal places is an error, not a silent
//!   half-even rounding: a value that precise is not money, or its column is mis-mapped.
//!   Trailing zeros past the sixth place are fine (`1.2500000`).
//! - **Grouping separators must group by three** (`1,234,567.00`). This is what stops
//!   `12,50` from being read as 1250 in a file that uses a decimal comma: it is refused, with
//!   a hint to set `decimal_comma`. Indian grouping (`1,23,456`) is therefore refused too.
//! - Overflow of the `i64` (about ±9.2 × 10¹² units) is an error.
//! - Currency symbols are mapped only where unambiguous (`€` EUR, `$` USD, `£` GBP, `zł`
//!   PLN, `Kč` CZK, `₹` INR, …); a three-letter code before or after the number is taken as
//!   ISO 4217. A symbol and a code that disagree are an error.

use crm_core::Value;

use crate::error::{NormaliseError, ValueKind};

/// How to read amounts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct MoneyOptions {
    /// `,` is the decimal separator and `.`, spaces and `'` group thousands (`1.234,50`).
    pub decimal_comma: bool,
    /// The currency of amounts that name none (ISO 4217).
    pub default_currency: Option<String>,
}

/// An amount read from a cell.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Money {
    /// Amount × 1,000,000.
    pub micros: i64,
    /// ISO 4217 code: the one in the cell, else the default, else none.
    pub currency: Option<String>,
}

/// Symbols and the codes they stand for; longer symbols first.
const SYMBOLS: &[(&str, &str)] = &[
    ("US$", "USD"),
    ("C$", "CAD"),
    ("A$", "AUD"),
    ("R$", "BRL"),
    ("zł", "PLN"),
    ("Kč", "CZK"),
    ("€", "EUR"),
    ("$", "USD"),
    ("£", "GBP"),
    ("₹", "INR"),
    ("₽", "RUB"),
    ("₴", "UAH"),
    ("₺", "TRY"),
    ("₩", "KRW"),
    ("₪", "ILS"),
];

/// Reads an amount with an optional currency (see the module docs).
pub fn parse_money(raw: &str, opts: &MoneyOptions) -> Result<Money, NormaliseError> {
    let err = |why: String| NormaliseError::new(ValueKind::Money, raw, why);
    let mut s = raw.trim();
    if s.is_empty() {
        return Err(err("the cell is empty".into()));
    }
    let (mut negative, mut signed) = (false, false);
    if let Some(inner) = s.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    let mut currency: Option<String> = None;
    let mut note = |code: String| -> Result<(), NormaliseError> {
        match &currency {
            Some(c) if *c != code => Err(err(format!("it names two currencies, {c} and {code}"))),
            _ => {
                currency = Some(code);
                Ok(())
            }
        }
    };
    for round in 0..2 {
        if let Some((minus, rest)) = strip_sign(s) {
            if negative || signed {
                return Err(err("it has two signs".into()));
            }
            signed = true;
            negative = minus;
            s = rest;
        }
        if round == 0 {
            if let Some((code, rest)) = currency_prefix(s) {
                note(code)?;
                s = rest;
            }
        }
    }
    if let Some((code, rest)) = currency_suffix(s) {
        note(code)?;
        s = rest;
    }
    let micros = number_micros(s, opts.decimal_comma, negative).map_err(err)?;
    let currency = match currency.or_else(|| opts.default_currency.clone()) {
        Some(c) => Some(validate_currency(&c)?),
        None => None,
    };
    Ok(Money { micros, currency })
}

/// Reads an amount as a [`Value::Money`]; a currency must be in the cell or the default.
pub fn money_value(raw: &str, opts: &MoneyOptions) -> Result<Value, NormaliseError> {
    let m = parse_money(raw, opts)?;
    let currency = m.currency.ok_or_else(|| {
        NormaliseError::new(
            ValueKind::Money,
            raw,
            "it names no currency and no default currency is set for the column",
        )
    })?;
    Ok(Value::Money {
        micros: m.micros,
        currency,
    })
}

/// Reads a plain decimal number (no currency) as micros.
pub fn parse_decimal_micros(raw: &str, decimal_comma: bool) -> Result<i64, NormaliseError> {
    let err = |why: String| NormaliseError::new(ValueKind::Money, raw, why);
    let s = raw.trim();
    let (negative, s) = strip_sign(s).unwrap_or((false, s));
    number_micros(s, decimal_comma, negative).map_err(err)
}

/// Writes micros as the shortest exact decimal text: `12500000` → `12.5`, `-1` →
/// `-0.000001`, `3000000` → `3`.
pub fn micros_to_decimal(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let abs = micros.unsigned_abs();
    let (whole, frac) = (abs / 1_000_000, abs % 1_000_000);
    if frac == 0 {
        return format!("{sign}{whole}");
    }
    let frac = format!("{frac:06}");
    format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
}

/// Checks an ISO 4217 code: three ASCII letters, returned upper-case (`eur` → `EUR`).
pub fn validate_currency(code: &str) -> Result<String, NormaliseError> {
    let c = code.trim();
    if c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(c.to_ascii_uppercase())
    } else {
        Err(NormaliseError::new(
            ValueKind::Currency,
            code,
            "expected a three-letter ISO 4217 code such as EUR, USD or PLN",
        ))
    }
}

/// Strips a leading sign: (is it a minus, the rest).
fn strip_sign(s: &str) -> Option<(bool, &str)> {
    if let Some(rest) = s.strip_prefix(['-', '\u{2212}']) {
        return Some((true, rest.trim_start()));
    }
    s.strip_prefix('+').map(|rest| (false, rest.trim_start()))
}

fn currency_prefix(s: &str) -> Option<(String, &str)> {
    for (sym, code) in SYMBOLS {
        if let Some(rest) = s.strip_prefix(sym) {
            return Some((code.to_string(), rest.trim_start()));
        }
    }
    let head = s.get(..3)?;
    let next_is_letter = s[3..].chars().next().is_some_and(char::is_alphabetic);
    (head.bytes().all(|b| b.is_ascii_alphabetic()) && !next_is_letter)
        .then(|| (head.to_ascii_uppercase(), s[3..].trim_start()))
}

fn currency_suffix(s: &str) -> Option<(String, &str)> {
    for (sym, code) in SYMBOLS {
        if let Some(rest) = s.strip_suffix(sym) {
            return Some((code.to_string(), rest.trim_end()));
        }
    }
    let at = s.len().checked_sub(3)?;
    let tail = s.get(at..)?;
    let prev_is_letter = s[..at].chars().next_back().is_some_and(char::is_alphabetic);
    (tail.bytes().all(|b| b.is_ascii_alphabetic()) && !prev_is_letter)
        .then(|| (tail.to_ascii_uppercase(), s[..at].trim_end()))
}

/// The number part: digits with grouping, one decimal separator, no sign.
fn number_micros(s: &str, decimal_comma: bool, negative: bool) -> Result<i64, String> {
    let (dec, group_chars): (char, &[char]) = if decimal_comma {
        (',', &['.', ' ', '\u{a0}', '\u{202f}', '\''])
    } else {
        ('.', &[',', ' ', '\u{a0}', '\u{202f}', '\''])
    };
    let hint = if decimal_comma {
        "if the file uses a decimal point, unset decimal_comma"
    } else {
        "if the file uses a decimal comma, set decimal_comma"
    };
    let mut parts = s.split(dec);
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    if parts.next().is_some() {
        return Err(format!("it has more than one `{dec}`; {hint}"));
    }
    if int.is_empty() && frac.unwrap_or("").is_empty() {
        return Err("it has no digits".into());
    }
    let groups: Vec<&str> = int.split(group_chars).collect();
    for (i, g) in groups.iter().enumerate() {
        if !g.bytes().all(|b| b.is_ascii_digit()) {
            return Err(
                "it is not a number (expected digits, grouping and one decimal separator)".into(),
            );
        }
        let ok = match (groups.len(), i) {
            (1, _) => true,
            (_, 0) => (1..=3).contains(&g.len()),
            _ => g.len() == 3,
        };
        if !ok {
            return Err(format!("its digit grouping is not by three; {hint}"));
        }
    }
    let frac = frac.unwrap_or("");
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err("it is not a number (expected only digits after the decimal separator)".into());
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > 6 {
        return Err("it has more than 6 decimal places (amounts are kept to the millionth)".into());
    }
    let digits: String = groups.concat();
    let digits = digits.trim_start_matches('0');
    if digits.len() > 13 {
        return Err("it is too large (the limit is about 9.2 trillion)".into());
    }
    let whole: i128 = digits.bytes().fold(0, |a, d| a * 10 + i128::from(d - b'0'));
    let mut part: i128 = frac.bytes().fold(0, |a, d| a * 10 + i128::from(d - b'0'));
    for _ in frac.len()..6 {
        part *= 10;
    }
    let micros = whole * 1_000_000 + part;
    let micros = if negative { -micros } else { micros };
    i64::try_from(micros).map_err(|_| "it is too large (the limit is about 9.2 trillion)".into())
}
