//! The canonical model: every platform's records are read into these types and written from them.
//!
//! The engine works on one currency, [`Record`]: a source key, the canonical object it
//! belongs to, its original timestamps and a map of typed [`Value`]s. The typed structs
//! ([`Person`], [`Company`], [`Opportunity`], [`Activity`], [`User`]) are the convenient way
//! to build one; each converts into a [`Record`] with the standard field names in [`fields`].
//! Custom objects are plain [`Record`]s with their own object name.

mod activity;
mod company;
pub mod fields;
mod key;
mod opportunity;
mod person;
mod record;
mod user;
mod value;

pub use activity::{Activity, ActivityKind};
pub use company::Company;
pub use key::{normalise_domain, RecordId, Ref, SourceKey};
pub use opportunity::Opportunity;
pub use person::Person;
pub use record::{Fields, Record};
pub use user::User;
pub use value::{Address, Phone, Value};
