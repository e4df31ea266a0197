//! [`Opportunity`]: a deal.

use chrono::{DateTime, Utc};

use super::fields as f;
use super::{Fields, Record, Ref, SourceKey, Value};

/// An opportunity (deal).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Opportunity {
    /// Identity in the source.
    pub key: Option<SourceKey>,
    /// Created in the source.
    pub created_at: Option<DateTime<Utc>>,
    /// Last changed in the source.
    pub updated_at: Option<DateTime<Utc>>,
    /// Name.
    pub name: Option<String>,
    /// Amount in micros, with currency.
    pub amount: Option<(i64, String)>,
    /// Expected close date.
    pub close_date: Option<DateTime<Utc>>,
    /// Pipeline stage (a destination option value after mapping).
    pub stage: Option<String>,
    /// The company.
    pub company: Option<Ref>,
    /// The point of contact (a person).
    pub point_of_contact: Option<Ref>,
    /// The owning user.
    pub owner: Option<Ref>,
    /// Custom fields.
    pub custom: Fields,
}

impl Opportunity {
    /// An opportunity with a source key.
    pub fn new(key: SourceKey) -> Self {
        Self {
            key: Some(key),
            ..Self::default()
        }
    }
}

impl From<Opportunity> for Record {
    fn from(o: Opportunity) -> Record {
        let key = o
            .key
            .unwrap_or_else(|| SourceKey::new("unknown", f::OPPORTUNITY, ""));
        let mut r = Record::new(f::OPPORTUNITY, key);
        r.created_at = o.created_at;
        r.updated_at = o.updated_at;
        r.fields = o.custom;
        r.set(f::NAME, o.name.map(Value::Text).unwrap_or(Value::Null));
        r.set(
            f::AMOUNT,
            o.amount
                .map(|(micros, currency)| Value::Money { micros, currency })
                .unwrap_or(Value::Null),
        );
        r.set(
            f::CLOSE_DATE,
            o.close_date.map(Value::DateTime).unwrap_or(Value::Null),
        );
        r.set(f::STAGE, o.stage.map(Value::Choice).unwrap_or(Value::Null));
        r.set(
            f::COMPANY_REF,
            o.company.map(Value::Ref).unwrap_or(Value::Null),
        );
        r.set(
            f::POINT_OF_CONTACT,
            o.point_of_contact.map(Value::Ref).unwrap_or(Value::Null),
        );
        r.set(f::OWNER, o.owner.map(Value::Ref).unwrap_or(Value::Null));
        r
    }
}
