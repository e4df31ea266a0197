//! Email addresses.
//!
//! [`normalise_email`] trims, strips a `mailto:` prefix (and any `?subject=…` after it),
//! takes the address out of a `Name <address>` form, lower-cases the domain and keeps the
//! local part as written (it is case-sensitive in principle). It then checks a reasonable
//! syntax: exactly one `@`, a non-empty local part of at most 64 characters, a domain with a
//! dot and no empty labels, no whitespace, control characters or `<>()[],;:"\` anywhere,
//! at most 254 characters in all. [`email_key`] gives the fully lower-cased form, for
//! deduplication. [`normalise_emails`] reads a cell holding several addresses.

use crate::error::{NormaliseError, ValueKind};

/// Characters never accepted in an (unquoted) address.
const FORBIDDEN: &[char] = &['<', '>', '(', ')', '[', ']', ',', ';', ':', '"', '\\'];

/// Normalises one email address (see the module docs).
pub fn normalise_email(raw: &str) -> Result<String, NormaliseError> {
    let err = |why: &str| NormaliseError::new(ValueKind::Email, raw, why);
    let mut s = raw.trim();
    if s.is_empty() {
        return Err(err("the cell is empty"));
    }
    if let (Some(open), true) = (s.rfind('<'), s.ends_with('>')) {
        s = s[open + 1..s.len() - 1].trim();
    }
    if s.get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("mailto:"))
    {
        s = &s[7..];
        s = s.split('?').next().unwrap_or(s).trim();
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(err(
            "an address cannot contain spaces; is it two addresses in one cell?",
        ));
    }
    if s.chars().any(|c| FORBIDDEN.contains(&c)) {
        return Err(err(
            "it contains a character not allowed in an address (<>()[],;:\"\\)",
        ));
    }
    let (local, domain) = match s.split_once('@') {
        None => return Err(err("it has no `@`")),
        Some((_, d)) if d.contains('@') => return Err(err("it has more than one `@`")),
        Some(parts) => parts,
    };
    if local.is_empty() {
        return Err(err("nothing comes before the `@`"));
    }
    if local.chars().count() > 64 {
        return Err(err("the part before the `@` is longer than 64 characters"));
    }
    let domain = domain.strip_suffix('.').unwrap_or(domain).to_lowercase();
    if !domain.contains('.') {
        return Err(err(
            "the domain after the `@` has no dot (expected e.g. example.com)",
        ));
    }
    let label_ok = |l: &str| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-');
    if !domain.split('.').all(label_ok) {
        return Err(err(
            "the domain after the `@` has an empty or malformed part",
        ));
    }
    let out = format!("{local}@{domain}");
    if out.chars().count() > 254 {
        return Err(err("it is longer than 254 characters"));
    }
    Ok(out)
}

/// The address fully lower-cased: the key under which two spellings of one address meet.
pub fn email_key(raw: &str) -> Result<String, NormaliseError> {
    normalise_email(raw).map(|e| e.to_lowercase())
}

/// Reads a cell holding one or more addresses separated by `,`, `;`, `|`, or whitespace,
/// normalises each and drops repeats (by [`email_key`]), keeping the first spelling and
/// order. An empty cell gives an empty list; one bad address fails the whole cell.
pub fn normalise_emails(raw: &str) -> Result<Vec<String>, NormaliseError> {
    let mut out: Vec<String> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    // A `Name <address>` cell holds one address with spaces in the name.
    let parts: Vec<&str> = if raw.trim_end().ends_with('>') && !raw.contains([',', ';', '|']) {
        vec![raw]
    } else {
        raw.split([',', ';', '|'])
            .flat_map(|p| {
                if p.contains('<') {
                    vec![p]
                } else {
                    p.split_whitespace().collect()
                }
            })
            .collect()
    };
    let several = parts.iter().filter(|p| !p.trim().is_empty()).count() > 1;
    for part in parts.into_iter().filter(|p| !p.trim().is_empty()) {
        // The error quotes the whole cell (a person looks for that in the export), and
        // names the piece that failed when the cell was read as several addresses.
        let email = normalise_email(part).map_err(|e| {
            let reason = if several {
                format!(
                    "read as {} addresses, and {:?} is not one: {}",
                    raw.split([',', ';', '|'])
                        .flat_map(str::split_whitespace)
                        .count(),
                    part.trim(),
                    e.reason
                )
            } else {
                e.reason
            };
            NormaliseError::new(ValueKind::Email, raw, reason)
        })?;
        let key = email.to_lowercase();
        if !keys.contains(&key) {
            keys.push(key);
            out.push(email);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_quotes_the_whole_cell_not_a_fragment() {
        let e = normalise_emails("zoe at example.com").unwrap_err();
        assert_eq!(e.value, "zoe at example.com");
        assert!(
            e.reason.contains("\"zoe\" is not one") && e.reason.contains("no `@`"),
            "{e}"
        );
        let e = normalise_emails("nobody").unwrap_err();
        assert_eq!(
            (e.value.as_str(), e.reason.as_str()),
            ("nobody", "it has no `@`")
        );
    }
}
