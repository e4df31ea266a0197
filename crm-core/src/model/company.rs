//! [`Company`]: an organisation.

use chrono::{DateTime, Utc};

use super::fields as f;
use super::{Address, Fields, Record, Ref, SourceKey, Value};

/// A company (account, organisation).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Company {
    /// Identity in the source.
    pub key: Option<SourceKey>,
    /// Created in the source.
    pub created_at: Option<DateTime<Utc>>,
    /// Last changed in the source.
    pub updated_at: Option<DateTime<Utc>>,
    /// Name.
    pub name: Option<String>,
    /// Web domain or URL.
    pub domain: Option<String>,
    /// Postal address.
    pub address: Option<Address>,
    /// Number of employees.
    pub employees: Option<i64>,
    /// Annual revenue in micros, with currency.
    pub annual_revenue: Option<(i64, String)>,
    /// The owning user.
    pub owner: Option<Ref>,
    /// Custom fields.
    pub custom: Fields,
}

impl Company {
    /// A company with a source key.
    pub fn new(key: SourceKey) -> Self {
        Self {
            key: Some(key),
            ..Self::default()
        }
    }
}

impl From<Company> for Record {
    fn from(c: Company) -> Record {
        let key = c
            .key
            .unwrap_or_else(|| SourceKey::new("unknown", f::COMPANY, ""));
        let mut r = Record::new(f::COMPANY, key);
        r.created_at = c.created_at;
        r.updated_at = c.updated_at;
        r.fields = c.custom;
        r.set(f::NAME, c.name.map(Value::Text).unwrap_or(Value::Null));
        r.set(f::DOMAIN, Value::Urls(c.domain.into_iter().collect()));
        r.set(
            f::ADDRESS,
            c.address.map(Value::Address).unwrap_or(Value::Null),
        );
        r.set(
            f::EMPLOYEES,
            c.employees.map(Value::Int).unwrap_or(Value::Null),
        );
        r.set(
            f::ANNUAL_REVENUE,
            c.annual_revenue
                .map(|(micros, currency)| Value::Money { micros, currency })
                .unwrap_or(Value::Null),
        );
        r.set(f::OWNER, c.owner.map(Value::Ref).unwrap_or(Value::Null));
        r
    }
}
