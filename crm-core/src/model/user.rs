//! [`User`]: a workspace member who owns records.

use super::fields as f;
use super::{Record, SourceKey, Value};

/// A workspace member / record owner. Destinations usually create these by invitation
/// only, so the engine matches them by email rather than creating them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct User {
    /// Identity in the source.
    pub key: Option<SourceKey>,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Login email.
    pub email: Option<String>,
}

impl From<User> for Record {
    fn from(u: User) -> Record {
        let key = u
            .key
            .unwrap_or_else(|| SourceKey::new("unknown", f::USER, ""));
        let mut r = Record::new(f::USER, key);
        r.set(
            f::FIRST_NAME,
            u.first_name.map(Value::Text).unwrap_or(Value::Null),
        );
        r.set(
            f::LAST_NAME,
            u.last_name.map(Value::Text).unwrap_or(Value::Null),
        );
        r.set(f::EMAIL, u.email.map(Value::Text).unwrap_or(Value::Null));
        r
    }
}
