//! The pre-migration audit of a User.com account: records per object, the billable-contact
//! count of `reference/sources.md` §1.6 signal by signal, and data quality (duplicate and
//! invalid emails, stale contacts, orphan references). Works on any [`Source`] (the CSV
//! export or the API) with bounded memory: counters, and capped sets of 64-bit hashes for
//! the emails already seen and for the ids of the referenced objects (companies, users,
//! chat users). A full set is reported, never silently trusted: a reference not found in a
//! full set counts as *unverified*, not as an orphan.

use chrono::{DateTime, Utc};
use crm_core::{Result, Source};
use serde::{Deserialize, Serialize};

mod render;
mod scan;

/// Entries each hash set holds by default (8 bytes each, plus the table's overhead).
pub const DEFAULT_HASH_CAP: usize = 2_000_000;
/// Record ids listed per data-quality finding (ids only: no personal data in the report).
const EXAMPLES: usize = 20;

/// The billable-contact signals (sources.md §1.6) and the user columns read for each. Only
/// `email`, `phone_number` and `user_id`/`custom_id` are documented user fields; the others
/// are UNCONFIRMED names, tried in order; chat is also derived from `conversations`.
const SIGNALS: &[(&str, &[&str])] = &[
    ("email", &["email"]),
    ("phone", &["phone_number", "phone"]),
    ("user_id", &["user_id", "custom_id"]),
    ("last heard in chat", &["last_heard", "last_heard_at"]),
    (
        "web push",
        &[
            "web_push",
            "webpush",
            "web_push_subscription",
            "push_subscriptions",
        ],
    ),
    ("FCM key", &["fcm_key", "fcm_token", "fcm_keys"]),
];
const CHAT: usize = 3;

/// What [`audit_with`] reads.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuditOptions {
    /// Objects to count (default: the export's objects the source offers). Through the API,
    /// `events` costs one request per user: leave it out of a quick audit.
    pub objects: Option<Vec<String>>,
    /// Entries each hash set may hold before it is reported as capped.
    pub hash_cap: usize,
}

impl Default for AuditOptions {
    fn default() -> Self {
        Self {
            objects: None,
            hash_cap: DEFAULT_HASH_CAP,
        }
    }
}

impl AuditOptions {
    /// Counts only `objects` (users, companies, conversations and deals are still read for
    /// the checks when offered).
    pub fn with_objects(mut self, objects: &[&str]) -> Self {
        self.objects = Some(objects.iter().map(|o| o.to_string()).collect());
        self
    }

    /// Sets the cap of each hash set (at least 1).
    pub fn with_hash_cap(mut self, cap: usize) -> Self {
        self.hash_cap = cap.max(1);
        self
    }
}

/// Records read for one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectCount {
    /// The object (`users`, …).
    pub object: String,
    /// Its records.
    pub records: u64,
}

/// Contacts carrying one billable signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignalCount {
    /// The signal (`email`, `phone`, `user_id`, `last heard in chat`, `web push`, `FCM key`).
    pub signal: String,
    /// The user columns looked at.
    pub columns: Vec<String>,
    /// Contacts with a value; `None` when no record has any of the columns (not in this
    /// export).
    pub count: Option<u64>,
    /// Where the count comes from, or why there is none.
    pub note: String,
}

/// The billable-contact audit (sources.md §1.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillableAudit {
    /// Each signal, counted separately (a contact may have several).
    pub signals: Vec<SignalCount>,
    /// Contacts with at least one signal that this source shows.
    pub billable: u64,
    /// Anonymous visitors (no signal): not billable, not migrated.
    pub anonymous: u64,
}

/// References from one object's field to another object that are not found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrphanCount {
    /// The referring object (`deals`).
    pub from: String,
    /// The fields read (`company_id`, …).
    pub fields: Vec<String>,
    /// The referred object (`companies`).
    pub to: String,
    /// Records whose reference is set.
    pub references: u64,
    /// References to a record that is not there; `None` when `to` was not read.
    pub orphans: Option<u64>,
    /// References not found while the id set was full: not checked.
    pub unverified: u64,
    /// The first referring record ids.
    pub examples: Vec<String>,
}

/// Data quality of the contacts and references.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityAudit {
    /// Users whose email (trimmed, case-insensitive) repeats an earlier user's.
    pub duplicate_emails: u64,
    /// The first duplicate user ids.
    pub duplicate_examples: Vec<String>,
    /// True when the email set was full, so later duplicates may be missed.
    pub duplicates_capped: bool,
    /// Users with a non-empty email that is not a valid address (not deduplicated).
    pub invalid_emails: u64,
    /// The first user ids with an invalid email.
    pub invalid_examples: Vec<String>,
    /// Users whose last activity (`last_seen`, `updated_at`) is before `stale_cutoff`.
    pub stale: u64,
    /// Two years before the audit's `now`.
    pub stale_cutoff: DateTime<Utc>,
    /// Users with no readable `last_seen` or `updated_at`.
    pub no_activity_date: u64,
    /// Orphan references.
    pub orphans: Vec<OrphanCount>,
}

/// The audit of a User.com account; see the module docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsercomAudit {
    /// The `now` the audit was taken at.
    pub now: DateTime<Utc>,
    /// Records per object read.
    pub objects: Vec<ObjectCount>,
    /// Users (contacts) read.
    pub users: u64,
    /// The billable-contact audit.
    pub billable: BillableAudit,
    /// Data quality.
    pub quality: QualityAudit,
    /// What limited the audit (missing objects, capped sets).
    pub warnings: Vec<String>,
}

/// Audits `source` at `now` with the default [`AuditOptions`].
pub async fn audit(source: &dyn Source, now: DateTime<Utc>) -> Result<UsercomAudit> {
    audit_with(source, now, &AuditOptions::default()).await
}

/// Audits `source` at `now`: reads `companies`, `conversations`, `users` and `deals` once
/// each (when offered) and counts the other objects of `options`.
pub async fn audit_with(
    source: &dyn Source,
    now: DateTime<Utc>,
    options: &AuditOptions,
) -> Result<UsercomAudit> {
    scan::run(source, now, options).await
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
