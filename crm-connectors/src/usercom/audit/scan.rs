//! The audit's one pass over the source: capped hash sets, value tests, and [`run`].

use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use chrono::{DateTime, Months, TimeZone, Utc};
use crm_core::{RawRecord, Result, Source, SourceExt};
use crm_transform::normalise::{email_key, parse_datetime, DateTimeOptions};
use futures::StreamExt;
use serde_json::Value as Json;

use super::super::config::EXPORT_OBJECTS;
use super::{
    AuditOptions, BillableAudit, ObjectCount, OrphanCount, QualityAudit, SignalCount, UsercomAudit,
    CHAT, EXAMPLES, SIGNALS,
};

/// A set of 64-bit hashes that stops growing at its cap.
struct CappedSet {
    set: HashSet<u64>,
    cap: usize,
    full: bool,
}

impl CappedSet {
    fn new(cap: usize) -> Self {
        Self {
            set: HashSet::new(),
            cap,
            full: false,
        }
    }
    fn contains(&self, h: u64) -> bool {
        self.set.contains(&h)
    }
    fn insert(&mut self, h: u64) {
        if self.set.len() < self.cap {
            self.set.insert(h);
        } else if !self.set.contains(&h) {
            self.full = true;
        }
    }
}

fn hash(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// A value that says something is there: not null, empty, `f`/`false`/`0`, `{}` or `[]`.
fn present(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64() != Some(0.0),
        Json::String(s) => {
            let s = s.trim();
            !s.is_empty()
                && !["f", "false", "0", "{}", "[]", "null"]
                    .contains(&s.to_ascii_lowercase().as_str())
        }
        Json::Array(a) => !a.is_empty(),
        Json::Object(o) => !o.is_empty(),
    }
}

/// An id as text (number or non-empty string).
fn id_of(v: Option<&Json>) -> Option<String> {
    super::super::decode::id_text(v)
}

fn time_of(v: Option<&Json>) -> Option<DateTime<Utc>> {
    match v? {
        Json::String(s) => parse_datetime(s, &DateTimeOptions::default()).ok(),
        Json::Number(n) => Utc.timestamp_opt(n.as_i64()?, 0).single(),
        _ => None,
    }
}

/// Every record of `object`, counted; `f` sees each. A read error ends the audit.
async fn each(src: &dyn Source, object: &str, mut f: impl FnMut(&RawRecord)) -> Result<u64> {
    let mut n = 0;
    let mut rows = src.stream(object);
    while let Some(r) = rows.next().await {
        let r = r?;
        f(&r);
        n += 1;
    }
    Ok(n)
}

/// True when a conversation shows the contact wrote: a `transcript` (JSON array, or its
/// text) with a message by `user`; without a transcript, any conversation counts.
fn user_wrote(r: &RawRecord) -> bool {
    let messages = match r.fields.get("transcript") {
        None | Some(Json::Null) => return true,
        Some(Json::String(s)) => serde_json::from_str::<Json>(s).unwrap_or(Json::Null),
        Some(v) => v.clone(),
    };
    match messages {
        Json::Array(m) => m
            .iter()
            .any(|x| x.get("author").and_then(Json::as_str) == Some("user")),
        _ => true,
    }
}

struct Refs {
    check: OrphanCount,
}

impl Refs {
    fn new(from: &str, fields: &[&str], to: &str, read: bool) -> Self {
        let check = OrphanCount {
            from: from.into(),
            fields: fields.iter().map(|f| f.to_string()).collect(),
            to: to.into(),
            references: 0,
            orphans: read.then_some(0),
            unverified: 0,
            examples: Vec::new(),
        };
        Self { check }
    }

    fn see(&mut self, r: &RawRecord, ids: &CappedSet) {
        let Some(id) = self
            .check
            .fields
            .iter()
            .find_map(|f| id_of(r.fields.get(f)))
        else {
            return;
        };
        self.check.references += 1;
        let Some(orphans) = self.check.orphans.as_mut() else {
            return;
        };
        if ids.contains(hash(&id)) {
            return;
        }
        if ids.full {
            self.check.unverified += 1;
        } else {
            *orphans += 1;
            if self.check.examples.len() < EXAMPLES {
                self.check.examples.push(r.key.id.clone());
            }
        }
    }
}

/// Audits `source` at `now`: reads `companies`, `conversations`, `users` and `deals` once
/// each (when offered) and counts the other objects of `options`.
pub(super) async fn run(
    source: &dyn Source,
    now: DateTime<Utc>,
    options: &AuditOptions,
) -> Result<UsercomAudit> {
    let offered = source.objects().await?;
    let has = |o: &str| offered.iter().any(|x| x == o);
    let wanted: Vec<String> = match &options.objects {
        Some(list) => list.iter().filter(|o| has(o)).cloned().collect(),
        None => EXPORT_OBJECTS
            .iter()
            .filter(|o| has(o))
            .map(|o| o.to_string())
            .collect(),
    };
    let mut warnings = Vec::new();
    for o in ["users", "companies", "deals", "conversations"] {
        if !has(o) {
            warnings.push(format!(
                "the source has no {o}: checks that need them are not done"
            ));
        }
    }
    let cap = options.hash_cap.max(1);
    let mut counts: Vec<ObjectCount> = Vec::new();
    let mut record = |object: &str, records: u64| {
        counts.push(ObjectCount {
            object: object.into(),
            records,
        })
    };

    let mut companies = CappedSet::new(cap);
    if has("companies") {
        let n = each(source, "companies", |r| companies.insert(hash(&r.key.id))).await?;
        record("companies", n);
    }
    let mut chat = CappedSet::new(cap);
    if has("conversations") {
        let n = each(source, "conversations", |r| {
            let user = id_of(r.fields.get("user_id"))
                .or_else(|| id_of(r.fields.get("user").and_then(|u| u.get("id"))));
            if let Some(u) = user.filter(|_| user_wrote(r)) {
                chat.insert(hash(&u));
            }
        })
        .await?;
        record("conversations", n);
    }

    let cutoff = now.checked_sub_months(Months::new(24)).unwrap_or(now);
    let mut seen_column = [false; 6];
    let mut signal_counts = [0u64; 6];
    let (mut billable, mut users_n) = (0u64, 0u64);
    let mut emails = CappedSet::new(cap);
    let mut users = CappedSet::new(cap);
    let mut q = QualityAudit {
        duplicate_emails: 0,
        duplicate_examples: Vec::new(),
        duplicates_capped: false,
        invalid_emails: 0,
        invalid_examples: Vec::new(),
        stale: 0,
        stale_cutoff: cutoff,
        no_activity_date: 0,
        orphans: Vec::new(),
    };
    let mut user_company = Refs::new("users", &["company_id"], "companies", has("companies"));
    if has("users") {
        users_n = each(source, "users", |r| {
            users.insert(hash(&r.key.id));
            let mut any = false;
            for (k, (_, columns)) in SIGNALS.iter().enumerate() {
                let values: Vec<&Json> = columns.iter().filter_map(|c| r.fields.get(*c)).collect();
                seen_column[k] |= !values.is_empty();
                let mut on = values.into_iter().any(present);
                if k == CHAT {
                    on |= chat.contains(hash(&r.key.id));
                }
                signal_counts[k] += u64::from(on);
                any |= on;
            }
            billable += u64::from(any);
            if let Some(raw) = r
                .fields
                .get("email")
                .and_then(Json::as_str)
                .filter(|s| !s.trim().is_empty())
            {
                match email_key(raw) {
                    Ok(key) if emails.contains(hash(&key)) => {
                        q.duplicate_emails += 1;
                        if q.duplicate_examples.len() < EXAMPLES {
                            q.duplicate_examples.push(r.key.id.clone());
                        }
                    }
                    Ok(key) => emails.insert(hash(&key)),
                    Err(_) => {
                        q.invalid_emails += 1;
                        if q.invalid_examples.len() < EXAMPLES {
                            q.invalid_examples.push(r.key.id.clone());
                        }
                    }
                }
            }
            let last = [
                time_of(r.fields.get("last_seen")),
                time_of(r.fields.get("updated_at")),
            ]
            .into_iter()
            .flatten()
            .max();
            match last {
                None => q.no_activity_date += 1,
                Some(t) if t < cutoff => q.stale += 1,
                Some(_) => {}
            }
            user_company.see(r, &companies);
        })
        .await?;
        record("users", users_n);
    }
    q.duplicates_capped = emails.full;

    let mut deal_company = Refs::new(
        "deals",
        &["company_id", "company"],
        "companies",
        has("companies"),
    );
    let mut deal_user = Refs::new("deals", &["user_id", "person"], "users", has("users"));
    if has("deals") {
        let n = each(source, "deals", |r| {
            deal_company.see(r, &companies);
            deal_user.see(r, &users);
        })
        .await?;
        record("deals", n);
    }
    for o in &wanted {
        if !["companies", "conversations", "users", "deals"].contains(&o.as_str()) {
            let n = each(source, o, |_| {}).await?;
            record(o, n);
        }
    }
    counts.sort_by_key(|c| offered.iter().position(|o| *o == c.object));
    for (set, what) in [
        (&companies, "company ids"),
        (&users, "user ids"),
        (&chat, "chat user ids"),
        (&emails, "emails"),
    ] {
        if set.full {
            warnings.push(format!("the set of {what} reached its cap of {cap}: later matches are unverified or missed"));
        }
    }
    q.orphans = vec![user_company.check, deal_company.check, deal_user.check];

    let signals = SIGNALS
        .iter()
        .enumerate()
        .map(|(k, (name, columns))| {
            let derived = k == CHAT && has("conversations");
            let available = seen_column[k] || derived;
            let note = match (available, derived) {
                (false, _) => format!("not in this export: no user has a value in {}", columns.join(", ")),
                (true, true) => "users who wrote in a chat conversation (from conversations) or with a last-heard value".to_string(),
                (true, false) => format!("users with a value in {}", columns.join(" or ")),
            };
            SignalCount {
                signal: name.to_string(),
                columns: columns.iter().map(|c| c.to_string()).collect(),
                count: available.then_some(signal_counts[k]),
                note,
            }
        })
        .collect();
    Ok(UsercomAudit {
        now,
        objects: counts,
        users: users_n,
        billable: BillableAudit {
            signals,
            billable,
            anonymous: users_n - billable,
        },
        quality: q,
        warnings,
    })
}
