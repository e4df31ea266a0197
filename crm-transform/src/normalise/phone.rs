//! Phone numbers → [`crm_core::Phone`].
//!
//! [`normalise_phone`] cleans a cell (spaces, dots, dashes, slashes, parentheses, a `tel:`
//! prefix, the `(0)` of `+44 (0)20 …`), notes an extension (`ext. 12`, `x12`, `#12`,
//! `wew. 12`) apart, and then:
//!
//! - a number starting with `+` or `00` is international: it becomes E.164 with its calling
//!   code, and its country when the numbering plan tells it (`+1 416…` is `CA`);
//! - a national number with a default country becomes E.164 in that country, trunk prefix
//!   removed (`030 123456` in `DE` → `+4930123456`), when it is a valid number there;
//! - anything else keeps its digits as they are (with `+` if it had one), no country: the
//!   number is not lost, and [`ParsedPhone::is_e164`] says it was not normalised.
//!
//! Errors are kept for cells that are not phone numbers at all: no or too few digits,
//! letters, more digits than two numbers' worth, an unknown default country.
//!
//! Numbering plans come from the `phonenumber` crate (libphonenumber's metadata). It only
//! ever sees a pre-cleaned `+digits` or `digits` string, and is called under `catch_unwind`
//! so a bug in it cannot take a migration down.

use crm_core::Phone;
use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use phonenumber::Mode;

use crate::error::{NormaliseError, ValueKind};

/// A phone number read from a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPhone {
    /// The number: E.164 when [`ParsedPhone::is_e164`], the cleaned digits otherwise.
    pub phone: Phone,
    /// The extension's digits, when the cell had one (`ext. 12` → `12`).
    pub extension: Option<String>,
    /// True when the number was checked against its country's numbering plan and is E.164.
    pub is_e164: bool,
}

/// Extension markers, longest first so `ext.` wins over `ext` and `x`.
const EXT_MARKERS: &[&str] = &["extension", ";ext=", "ext.", "ext", "wew.", "wew", "x", "#"];

/// The most digits a cell may hold: 15 for E.164 plus an international prefix.
const MAX_DIGITS: usize = 17;

/// Reads one phone number; `default_country` (ISO 3166 alpha-2, any case) is the country of
/// numbers written without a calling code.
pub fn normalise_phone(
    raw: &str,
    default_country: Option<&str>,
) -> Result<ParsedPhone, NormaliseError> {
    let err = |why: &str| NormaliseError::new(ValueKind::Phone, raw, why);
    let country = default_country.map(parse_country).transpose()?;
    let mut s = raw.trim();
    if s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("tel:")) {
        s = s[4..].trim();
    }
    let (main, extension) = split_extension(s);
    let compact: String = main.chars().filter(|c| !c.is_whitespace()).collect();
    let plus = compact.starts_with('+');
    let body = if plus { &compact[1..] } else { &compact[..] };
    if body.is_empty() {
        return Err(err("the cell has no digits"));
    }
    let allowed = |c: char| c.is_ascii_digit() || ".-/()–‐".contains(c);
    if !body.chars().all(allowed) {
        return Err(err(
            "it contains letters or symbols that are not part of a phone number",
        ));
    }
    let mut intl = plus || body.starts_with("00");
    let body = if intl {
        body.replacen("(0)", "", 1)
    } else {
        body.to_string()
    };
    let mut digits: String = body.chars().filter(char::is_ascii_digit).collect();
    if !plus && intl {
        digits.drain(..2);
    }
    if digits.len() < 3 {
        return Err(err("it has fewer than 3 digits"));
    }
    if digits.len() > MAX_DIGITS {
        return Err(err(
            "it has more digits than a phone number can (15); is it two numbers in one cell?",
        ));
    }
    let parsed = match (intl, country) {
        (true, _) => plan(None, &format!("+{digits}")),
        (false, Some(id)) => match strip_idd(id, &digits) {
            // Dialled from the default country with its own international prefix (011 in US).
            Some(rest) => {
                digits = rest;
                intl = true;
                plan(None, &format!("+{digits}"))
            }
            None => plan(Some(id), &digits),
        },
        (false, None) => return Ok(raw_kept(&digits, intl, None, &extension)),
    };
    Ok(match parsed {
        Some(p) if p.valid => ParsedPhone {
            phone: Phone {
                number: p.e164,
                country: p.country,
                calling_code: Some(format!("+{}", p.code)),
            },
            extension,
            is_e164: true,
        },
        // An international number that fits no plan still has a calling code we can name.
        Some(p) if intl => raw_kept(&digits, intl, Some(format!("+{}", p.code)), &extension),
        _ => raw_kept(&digits, intl, None, &extension),
    })
}

/// Reads one phone number as a [`Phone`], dropping any extension.
pub fn parse_phone(raw: &str, default_country: Option<&str>) -> Result<Phone, NormaliseError> {
    normalise_phone(raw, default_country).map(|p| p.phone)
}

/// Reads a cell holding several numbers separated by `;`, `,`, `|` or line breaks, primary
/// first; repeats (same number) are dropped. An empty cell gives an empty list.
pub fn normalise_phones(
    raw: &str,
    default_country: Option<&str>,
) -> Result<Vec<ParsedPhone>, NormaliseError> {
    let mut out: Vec<ParsedPhone> = Vec::new();
    // A list written as a PostgreSQL or JSON array (`{"+48 12 …","+48 …"}`) is read as
    // one: its elements may hold the separators below.
    let s = raw.trim();
    let parts: Vec<String> = if s.starts_with('{') || s.starts_with('[') {
        super::choice::parse_choices(s, super::choice::ListFormat::Auto)?
    } else {
        s.split([';', ',', '|', '\n', '\r'])
            .map(str::to_string)
            .collect()
    };
    for part in parts.iter().map(|p| p.trim()) {
        if part.is_empty() {
            continue;
        }
        let p = normalise_phone(part, default_country)?;
        if !out.iter().any(|q| q.phone.number == p.phone.number) {
            out.push(p);
        }
    }
    Ok(out)
}

/// The cleaned number kept as it is, when no numbering plan could vouch for it.
fn raw_kept(
    digits: &str,
    intl: bool,
    calling_code: Option<String>,
    ext: &Option<String>,
) -> ParsedPhone {
    ParsedPhone {
        phone: Phone {
            number: if intl {
                format!("+{digits}")
            } else {
                digits.to_string()
            },
            country: None,
            calling_code,
        },
        extension: ext.clone(),
        is_e164: false,
    }
}

/// Checks a country setting: ISO 3166 alpha-2 known to the numbering plans.
fn parse_country(code: &str) -> Result<Id, NormaliseError> {
    let upper = code.trim().to_ascii_uppercase();
    let known = upper.len() == 2 && upper.bytes().all(|b| b.is_ascii_uppercase());
    known
        .then(|| upper.parse::<Id>().ok())
        .flatten()
        .ok_or_else(|| {
            NormaliseError::new(
                ValueKind::Country,
                code,
                "expected an ISO 3166 two-letter country code with a phone numbering plan, e.g. PL",
            )
        })
}

/// Splits `12 34 ext. 5` into (`12 34`, `Some("5")`). A marker counts only when digits follow
/// it to the end and at least three digits come before it.
fn split_extension(s: &str) -> (&str, Option<String>) {
    let lower = s.to_ascii_lowercase(); // same byte offsets as `s`
    let mut best: Option<(usize, String)> = None;
    for marker in EXT_MARKERS {
        for (at, _) in lower.match_indices(marker) {
            let tail = lower[at + marker.len()..].trim_start_matches([' ', '.', ':', '=', '\t']);
            let tail = tail.trim_end();
            let head_digits = s[..at].bytes().filter(u8::is_ascii_digit).count();
            let ok =
                !tail.is_empty() && tail.len() <= 10 && tail.bytes().all(|b| b.is_ascii_digit());
            let earlier = match &best {
                Some((b, _)) => at < *b,
                None => true,
            };
            if ok && head_digits >= 3 && earlier {
                best = Some((at, tail.to_string()));
            }
        }
    }
    match best {
        Some((at, ext)) => (&s[..at], Some(ext)),
        None => (s, None),
    }
}

struct Plan {
    e164: String,
    code: u16,
    country: Option<String>,
    valid: bool,
}

/// Runs the numbering plans on a pre-cleaned number: `+digits` with no country, or national
/// digits with their country. `None` when they cannot read it, or when a national number
/// turns out to carry another country's code.
fn plan(country: Option<Id>, number: &str) -> Option<Plan> {
    std::panic::catch_unwind(|| {
        let pn = phonenumber::parse(country, number).ok()?;
        let code = pn.code().value();
        if let Some(id) = country {
            if DATABASE.by_id(id.as_ref())?.country_code() != code {
                return None;
            }
        }
        let e164 = pn.format().mode(Mode::E164).to_string();
        let nsn = e164.strip_prefix(&format!("+{code}"))?;
        // `Country::id` drops the leading zeros Italy (and a few others) keep, and then
        // finds no region; look again with them.
        let country = pn
            .country()
            .id()
            .map(|id| id.as_ref().to_string())
            .or_else(|| region_of(code, nsn));
        Some(Plan {
            valid: phonenumber::is_valid(&pn),
            e164,
            code,
            country,
        })
    })
    .ok()
    .flatten()
}

/// The region of a national significant number under a calling code shared by several
/// regions, as libphonenumber picks it (leading digits, else the general pattern).
fn region_of(code: u16, nsn: &str) -> Option<String> {
    let regions = DATABASE.region(&code)?;
    for region in regions.iter().filter(|r| **r != "001") {
        let meta = DATABASE.by_id(*region)?;
        let hit = match meta.leading_digits() {
            Some(re) => re.find(nsn).is_some_and(|m| m.start() == 0),
            None => meta.descriptors().general().is_match(nsn),
        };
        if hit || regions.len() == 1 {
            return Some(region.to_string());
        }
    }
    None
}

/// The rest of `digits` after the default country's international prefix (`011` in the US,
/// `810` in Russia), if it starts with one.
fn strip_idd(country: Id, digits: &str) -> Option<String> {
    let meta = DATABASE.by_id(country.as_ref())?;
    let m = meta.international_prefix()?.find(digits)?;
    (m.start() == 0 && m.end() > 0 && m.end() < digits.len()).then(|| digits[m.end()..].to_string())
}

#[cfg(test)]
mod list_tests {
    use super::*;

    #[test]
    fn phone_lists_written_as_arrays_are_read_as_arrays() {
        let pg = normalise_phones(r#"{"+48 12 001 00 00","+48 600 700 800"}"#, None).unwrap();
        assert_eq!(pg.len(), 2, "{pg:?}");
        assert!(pg[0].phone.number.ends_with("120010000"), "{pg:?}");
        let json = normalise_phones(r#"["+48 12 001 00 00"]"#, None).unwrap();
        assert_eq!(json.len(), 1);
        assert_eq!(normalise_phones("{}", None).unwrap().len(), 0);
        let plain = normalise_phones("+48 12 001 00 00; +48 600 700 800", None).unwrap();
        assert_eq!(plain.len(), 2);
    }
}
