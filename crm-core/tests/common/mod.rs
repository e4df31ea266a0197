//! Shared fixtures for the engine tests: a small CRM with the dirt real exports have.
#![allow(dead_code)]

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use crm_core::connector::{DeleteOutcome, Lookup, RawRecord, ReadBack};
use crm_core::engine::EngineConfig;
use crm_core::memory::{MemorySink, MemorySource};
use crm_core::model::fields as f;
use crm_core::{
    Activity, ActivityKind, Company, DataModel, Error, Opportunity, Person, Record, Ref, Result,
    Sink, SinkCapabilities, SourceKey, WriteOutcome, WriteRecord,
};

pub const OWNER: &str = "owner@acme.io";

pub fn key(object: &str, id: &str) -> SourceKey {
    SourceKey::new("fixture", object, id)
}

/// 6 companies (one a duplicate domain), 20 people (one duplicate email in another case
/// with spaces, one pointing at a company that does not exist, owners by email incl. one
/// unknown), 5 opportunities, 6 tasks and 3 notes with polymorphic targets.
pub fn records() -> Vec<Record> {
    let mut out: Vec<Record> = Vec::new();
    let t0 = Utc.with_ymd_and_hms(2018, 1, 2, 3, 4, 5).single().unwrap();
    for i in 1..=6 {
        let mut c = Company::new(key("company", &format!("c{i}")));
        c.name = Some(format!("Company {i}"));
        c.domain = Some(if i == 6 {
            "https://WWW.Company1.com/".into()
        } else {
            format!("company{i}.com")
        });
        c.employees = Some(i * 10);
        c.created_at = Some(t0 + chrono::Duration::days(i));
        c.owner = Some(Ref::email(f::USER, OWNER));
        out.push(c.into());
    }
    for i in 1..=20 {
        let mut p = Person::new(key("person", &format!("p{i}")));
        p.first_name = Some(format!("Person{i}"));
        p.last_name = Some("Ñandú".into());
        p.emails = vec![if i == 5 {
            "  PERSON1@Example.com ".into()
        } else {
            format!("person{i}@example.com")
        }];
        p.company = Some(if i == 7 {
            Ref::key(f::COMPANY, key("company", "c404"))
        } else {
            Ref::key(f::COMPANY, key("company", &format!("c{}", (i % 5) + 1)))
        });
        p.owner = Some(Ref::email(
            f::USER,
            if i == 9 { "ghost@acme.io" } else { OWNER },
        ));
        p.created_at = Some(t0 + chrono::Duration::hours(i));
        p.tags = vec!["vip".into()];
        out.push(p.into());
    }
    for i in 1..=5 {
        let mut o = Opportunity::new(key("deal", &format!("d{i}")));
        o.name = Some(format!("Deal {i}"));
        o.amount = Some((i * 1_500_000, "EUR".into()));
        o.stage = Some("PROPOSAL".into());
        o.company = Some(Ref::key(f::COMPANY, key("company", &format!("c{i}"))));
        o.point_of_contact = Some(Ref::key(f::PERSON, key("person", &format!("p{}", i + 10))));
        o.created_at = Some(t0);
        out.push(o.into());
    }
    for i in 1..=9 {
        let kind = if i > 6 {
            ActivityKind::Note
        } else {
            ActivityKind::Call
        };
        let mut a = Activity::new(kind, key("activity", &format!("a{i}")));
        a.title = Some(format!("Activity {i}"));
        a.body = Some("Talked about **pricing**.".into());
        a.occurred_at = Some(t0 + chrono::Duration::minutes(i));
        a.created_at = a.occurred_at;
        a.targets = vec![
            Ref::key(f::PERSON, key("person", &format!("p{i}"))),
            Ref::key(f::COMPANY, key("company", "c2")),
        ];
        out.push(a.into());
    }
    out
}

/// The source: canonical records plus one raw record that is not a valid record.
pub fn source() -> MemorySource {
    let mut garbage = serde_json::Map::new();
    garbage.insert("object".into(), serde_json::json!("person"));
    garbage.insert(
        "fields".into(),
        serde_json::json!({"first_name": {"type": "nope"}}),
    );
    MemorySource::new("fixture", records())
        .with_raw(
            "person",
            vec![RawRecord {
                key: key("person", "garbage"),
                fields: garbage,
            }],
        )
        .page_size(7)
}

pub fn mapper() -> crm_core::CanonicalMapper {
    crm_core::CanonicalMapper::new(["company", "person", "opportunity", "task", "note"])
}

pub fn sink() -> MemorySink {
    let s = MemorySink::new(DataModel::standard()).max_batch(50);
    s.seed_users(&[(OWNER, "Olga", "Owner")]);
    s
}

pub fn config() -> EngineConfig {
    EngineConfig {
        batch_size: 3,
        concurrency: 2,
        backoff: std::time::Duration::from_millis(1),
        ..EngineConfig::default()
    }
}

/// Asserts no object holds two records written for the same source key.
pub fn assert_no_duplicates(sink: &MemorySink) {
    for object in ["company", "person", "opportunity", "task", "note"] {
        let keys = sink.source_keys(object);
        let unique: HashSet<_> = keys.iter().collect();
        assert_eq!(
            unique.len(),
            keys.len(),
            "{object} holds duplicates: {keys:?}"
        );
    }
}

/// A sink that "crashes" on its `n`-th write: the process dies either before the batch
/// reaches the destination or just after the destination committed it.
pub struct CrashingSink<'a> {
    pub inner: &'a MemorySink,
    pub crash_on: usize,
    pub after_commit: bool,
    pub calls: AtomicUsize,
    /// Crash on this delete call instead (0: never), to interrupt a rollback.
    pub crash_delete_on: usize,
    pub deletes: AtomicUsize,
}

impl<'a> CrashingSink<'a> {
    pub fn new(inner: &'a MemorySink, crash_on: usize, after_commit: bool) -> Self {
        Self {
            inner,
            crash_on,
            after_commit,
            calls: AtomicUsize::new(0),
            crash_delete_on: 0,
            deletes: AtomicUsize::new(0),
        }
    }

    /// A sink whose `n`-th delete call applies half its ids and then dies.
    pub fn crashing_deletes(inner: &'a MemorySink, n: usize) -> Self {
        let mut s = Self::new(inner, usize::MAX, false);
        s.crash_delete_on = n;
        s
    }
}

#[async_trait]
impl Sink for CrashingSink<'_> {
    fn name(&self) -> &str {
        "crashing"
    }
    fn capabilities(&self) -> SinkCapabilities {
        self.inner.capabilities()
    }
    async fn check(&self) -> Result<()> {
        self.inner.check().await
    }
    async fn data_model(&self) -> Result<DataModel> {
        self.inner.data_model().await
    }
    async fn write_batch(&self, object: &str, batch: &[WriteRecord]) -> Result<Vec<WriteOutcome>> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if n == self.crash_on {
            if self.after_commit {
                self.inner.write_batch(object, batch).await?;
            }
            return Err(Error::unexpected("simulated crash"));
        }
        if n > self.crash_on {
            return Err(Error::unexpected("process is dead"));
        }
        self.inner.write_batch(object, batch).await
    }
    async fn read(&self, object: &str, ids: &[String]) -> Result<Vec<Option<ReadBack>>> {
        self.inner.read(object, ids).await
    }
    async fn lookup(&self, object: &str, lookups: &[Lookup]) -> Result<Vec<Option<String>>> {
        self.inner.lookup(object, lookups).await
    }
    async fn delete(&self, object: &str, ids: &[String]) -> Result<Vec<DeleteOutcome>> {
        let n = self.deletes.fetch_add(1, Ordering::SeqCst) + 1;
        if self.crash_delete_on != 0 && n >= self.crash_delete_on {
            self.inner.delete(object, &ids[..ids.len() / 2]).await?;
            return Err(Error::unexpected("simulated crash during rollback"));
        }
        self.inner.delete(object, ids).await
    }
}
