//! Identity of records: where a record came from ([`SourceKey`]), how another record points at it
//! ([`Ref`]), and where it landed ([`RecordId`]).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The identity of a record in its source system: `(system, object, id)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SourceKey {
    /// Source platform id (`usercom`, `karmacrm`, …).
    pub system: String,
    /// Object in the source (`users`, `deals`, …).
    pub object: String,
    /// The record's id in that object.
    pub id: String,
}

impl SourceKey {
    /// Builds a key.
    pub fn new(
        system: impl Into<String>,
        object: impl Into<String>,
        id: impl Into<String>,
    ) -> Self {
        Self {
            system: system.into(),
            object: object.into(),
            id: id.into(),
        }
    }

    /// A key for a record derived from this one (a 1:many split), e.g. `events/17#note`.
    pub fn derived(&self, suffix: &str) -> Self {
        Self::new(&self.system, &self.object, format!("{}#{suffix}", self.id))
    }
}

impl fmt::Display for SourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.system, self.object, self.id)
    }
}

impl std::str::FromStr for SourceKey {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut it = s.splitn(3, '/');
        match (it.next(), it.next(), it.next()) {
            (Some(a), Some(b), Some(c)) if !a.is_empty() && !b.is_empty() && !c.is_empty() => {
                Ok(SourceKey::new(a, b, c))
            }
            _ => Err(crate::Error::config(format!(
                "source key {s:?} is not of the form system/object/id"
            ))),
        }
    }
}

/// A pointer from one record to another, as the source gave it.
///
/// Exports often flatten a relation into an email, a domain or a name; a `Ref` keeps that
/// form so the engine can resolve it against records already migrated (or already present
/// in the destination) instead of dropping the link.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Ref {
    /// By the source key of the target record.
    Key {
        /// Canonical object of the target (`company`, `person`, …).
        object: String,
        /// The target's source key.
        key: SourceKey,
    },
    /// By the target's email address (people, users).
    Email {
        /// Canonical object of the target.
        object: String,
        /// The email, compared case-insensitively.
        email: String,
    },
    /// By the target's web domain (companies).
    Domain {
        /// Canonical object of the target.
        object: String,
        /// The domain, compared case-insensitively without scheme or `www.`.
        domain: String,
    },
    /// By the target's display name (companies, stages, users).
    Name {
        /// Canonical object of the target.
        object: String,
        /// The name, compared case-insensitively after trimming.
        name: String,
    },
    /// By an id the destination already knows (a record that exists there).
    ExternalId {
        /// Canonical object of the target.
        object: String,
        /// The destination id.
        id: String,
    },
}

impl Ref {
    /// Reference by source key.
    pub fn key(object: impl Into<String>, key: SourceKey) -> Self {
        Ref::Key {
            object: object.into(),
            key,
        }
    }

    /// Reference by email.
    pub fn email(object: impl Into<String>, email: impl Into<String>) -> Self {
        Ref::Email {
            object: object.into(),
            email: email.into(),
        }
    }

    /// Reference by domain.
    pub fn domain(object: impl Into<String>, domain: impl Into<String>) -> Self {
        Ref::Domain {
            object: object.into(),
            domain: domain.into(),
        }
    }

    /// Reference by name.
    pub fn name(object: impl Into<String>, name: impl Into<String>) -> Self {
        Ref::Name {
            object: object.into(),
            name: name.into(),
        }
    }

    /// The canonical object this reference points into.
    pub fn object(&self) -> &str {
        match self {
            Ref::Key { object, .. }
            | Ref::Email { object, .. }
            | Ref::Domain { object, .. }
            | Ref::Name { object, .. }
            | Ref::ExternalId { object, .. } => object,
        }
    }

    /// The kind of match and the normalised value used to look the target up by content
    /// (`None` for [`Ref::Key`] and [`Ref::ExternalId`]).
    pub fn match_value(&self) -> Option<(&'static str, String)> {
        match self {
            Ref::Email { email, .. } => Some(("email", email.trim().to_lowercase())),
            Ref::Domain { domain, .. } => Some(("domain", normalise_domain(domain))),
            Ref::Name { name, .. } => Some(("name", name.trim().to_lowercase())),
            _ => None,
        }
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ref::Key { object, key } => write!(f, "{object} with source key {key}"),
            Ref::Email { object, email } => write!(f, "{object} with email {email}"),
            Ref::Domain { object, domain } => write!(f, "{object} with domain {domain}"),
            Ref::Name { object, name } => write!(f, "{object} named {name:?}"),
            Ref::ExternalId { object, id } => write!(f, "{object} with destination id {id}"),
        }
    }
}

/// Lower-cases a domain or URL and strips scheme, `www.`, path and trailing dot.
pub fn normalise_domain(s: &str) -> String {
    let s = s.trim().to_lowercase();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(&s);
    let s = s.strip_prefix("www.").unwrap_or(s);
    let s = s.split(['/', '?', '#']).next().unwrap_or("");
    s.trim_end_matches('.').to_string()
}

/// Where a record lives in the destination: its object and its destination id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RecordId {
    /// Canonical object.
    pub object: String,
    /// Destination id.
    pub id: String,
}

impl RecordId {
    /// Builds a record id.
    pub fn new(object: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            object: object.into(),
            id: id.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_key_round_trips_through_text() {
        let k = SourceKey::new("usercom", "users", "42/a");
        let parsed: SourceKey = k.to_string().parse().unwrap();
        assert_eq!(parsed, k);
        assert!("nope".parse::<SourceKey>().is_err());
    }

    #[test]
    fn domains_normalise() {
        assert_eq!(normalise_domain("https://WWW.Acme.com/about"), "acme.com");
        assert_eq!(normalise_domain("acme.com."), "acme.com");
        assert_eq!(
            Ref::email("person", " A@X.io ").match_value(),
            Some(("email", "a@x.io".into()))
        );
    }
}
