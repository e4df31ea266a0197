//! [`Person`]: a contact.

use chrono::{DateTime, Utc};

use super::fields as f;
use super::{Fields, Phone, Record, Ref, SourceKey, Value};

/// A person (contact, lead, customer).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Person {
    /// Identity in the source.
    pub key: Option<SourceKey>,
    /// Created in the source.
    pub created_at: Option<DateTime<Utc>>,
    /// Last changed in the source.
    pub updated_at: Option<DateTime<Utc>>,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Emails, the primary first.
    pub emails: Vec<String>,
    /// Phones, the primary first.
    pub phones: Vec<Phone>,
    /// Job title.
    pub job_title: Option<String>,
    /// City.
    pub city: Option<String>,
    /// The person's company.
    pub company: Option<Ref>,
    /// The owning user.
    pub owner: Option<Ref>,
    /// Tags.
    pub tags: Vec<String>,
    /// Custom fields.
    pub custom: Fields,
}

impl Person {
    /// A person with a source key.
    pub fn new(key: SourceKey) -> Self {
        Self {
            key: Some(key),
            ..Self::default()
        }
    }
}

impl From<Person> for Record {
    fn from(p: Person) -> Record {
        let key = p
            .key
            .unwrap_or_else(|| SourceKey::new("unknown", f::PERSON, ""));
        let mut r = Record::new(f::PERSON, key);
        r.created_at = p.created_at;
        r.updated_at = p.updated_at;
        r.fields = p.custom;
        r.set(
            f::FIRST_NAME,
            p.first_name.map(Value::Text).unwrap_or(Value::Null),
        );
        r.set(
            f::LAST_NAME,
            p.last_name.map(Value::Text).unwrap_or(Value::Null),
        );
        r.set(f::EMAILS, Value::Emails(p.emails));
        r.set(f::PHONES, Value::Phones(p.phones));
        r.set(
            f::JOB_TITLE,
            p.job_title.map(Value::Text).unwrap_or(Value::Null),
        );
        r.set(f::CITY, p.city.map(Value::Text).unwrap_or(Value::Null));
        r.set(
            f::COMPANY_REF,
            p.company.map(Value::Ref).unwrap_or(Value::Null),
        );
        r.set(f::OWNER, p.owner.map(Value::Ref).unwrap_or(Value::Null));
        r.set(f::TAGS, Value::Choices(p.tags));
        r
    }
}
