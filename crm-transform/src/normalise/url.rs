//! Web addresses and domains.
//!
//! [`normalise_url`] accepts `https://Example.com/Path`, `http://…`, `//example.com`,
//! `www.example.com`, `example.com/x?y`: it adds `https://` when no scheme is given,
//! lower-cases the scheme and the host (path, query and fragment are kept as written),
//! drops a trailing dot of the host and a path that is just `/`. It refuses strings that are
//! not web addresses: spaces, a host without a dot, an `@` (an email address or embedded
//! credentials), a scheme other than http/https, a bad port, a host that is a number
//! (`12.50`).
//!
//! [`domain_of`] gives the host alone, without port and without a leading `www.`: the form
//! companies are matched on.

use crate::error::{NormaliseError, ValueKind};

struct Parts<'a> {
    scheme: String,
    host: String,
    port: Option<&'a str>,
    tail: &'a str,
}

/// Normalises a web address (see the module docs).
pub fn normalise_url(raw: &str) -> Result<String, NormaliseError> {
    let p = parse(raw)?;
    let tail = if p.tail == "/" { "" } else { p.tail };
    let port = p.port.map(|p| format!(":{p}")).unwrap_or_default();
    Ok(format!("{}://{}{port}{tail}", p.scheme, p.host))
}

/// The domain of a web address or of a bare domain: lower-cased host, no port, no `www.`
/// (`https://WWW.Example.com:8080/x` → `example.com`).
pub fn domain_of(raw: &str) -> Result<String, NormaliseError> {
    let host = parse(raw)?.host;
    match host.strip_prefix("www.") {
        Some(rest) if rest.contains('.') => Ok(rest.to_string()),
        _ => Ok(host),
    }
}

fn parse(raw: &str) -> Result<Parts<'_>, NormaliseError> {
    let err = |why: &str| NormaliseError::new(ValueKind::Url, raw, why);
    let s = raw.trim();
    if s.is_empty() {
        return Err(err("the cell is empty"));
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(err("a web address cannot contain spaces"));
    }
    let (scheme, rest) = if let Some(rest) = s.strip_prefix("//") {
        ("https".to_string(), rest)
    } else if let Some((scheme, rest)) = s.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(err("only http:// and https:// web addresses are accepted"));
        }
        (scheme, rest)
    } else {
        ("https".to_string(), s)
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains('@') {
        return Err(err(
            "it has an `@`: an email address, or a user name inside the address",
        ));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => {
            let ok = !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
            if !ok || !matches!(p.parse::<u32>(), Ok(1..=65_535)) {
                return Err(err("the port after `:` is not a number from 1 to 65535"));
            }
            (h, Some(p))
        }
        None => (authority, None),
    };
    let host = host.strip_suffix('.').unwrap_or(host).to_lowercase();
    if host.is_empty() {
        return Err(err("it has no host name"));
    }
    if !host.contains('.') {
        return Err(err("the host name has no dot (expected e.g. example.com)"));
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    };
    let labels: Vec<&str> = host.split('.').collect();
    if !labels.iter().all(|l| label_ok(l)) {
        return Err(err(
            "the host name has an empty part or a character not allowed in it",
        ));
    }
    let numeric = |l: &&str| l.bytes().all(|b| b.is_ascii_digit());
    let last_numeric = labels.last().is_some_and(numeric);
    let ipv4 = labels.len() == 4
        && labels
            .iter()
            .all(|l| numeric(l) && l.len() <= 3 && l.parse::<u16>().is_ok_and(|n| n <= 255));
    if last_numeric && !ipv4 {
        return Err(err(
            "the host name ends in a number; is this a number, not an address?",
        ));
    }
    Ok(Parts {
        scheme,
        host,
        port,
        tail,
    })
}
