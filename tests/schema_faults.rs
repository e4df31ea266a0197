//! Schema changes under faults: a reply lost after the destination made the change, and a
//! plain temporary failure, are retried and reconciled through the live model; nothing is
//! made twice and the run goes on. A failure that outlives the retries stops the run before
//! any record moves, saying what was made.

use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use crm_migrate::connectors::sandbox::SandboxSink;
use crm_migrate::connectors::twenty::twenty_standard_model;
use crm_migrate::core::connector::{
    DeleteOutcome, Lookup, Page, ReadBack, SchemaChange, SchemaOutcome, WriteOutcome, WriteRecord,
};
use crm_migrate::core::engine::{Engine, EngineConfig};
use crm_migrate::core::journal::{Journal, SqliteJournal};
use crm_migrate::core::memory::MemorySource;
use crm_migrate::core::{
    DataModel, Error, ErrorKind, RawRecord, Result, Sink, SinkCapabilities, SourceKey,
};
use crm_migrate::transform::mapping::MappingSpec;
use crm_migrate::transform::SpecMapper;

const SPEC: &str = r#"
[[objects]]
source = "contacts"
target = "person"

[[objects.fields]]
source = "name"
target = "first_name"
transform = "text"

[[objects.fields]]
source = "tier"
target = "loyaltyTier"
transform = "text"

[[objects.fields]]
source = "score"
target = "leadScore"
transform = "number"

[[custom_fields]]
object = "person"
name = "loyaltyTier"
label = "Loyalty tier"
type = "text"

[[custom_fields]]
object = "person"
name = "leadScore"
label = "Lead score"
type = "number"
"#;

/// The sandbox, with scripted faults on schema changes: each entry of `script` is the
/// fault of one `apply_schema` call, in order (`commit`: make it, then lose the reply;
/// `fail`: fail before making it; `ok`: pass through).
struct FlakySchema {
    inner: SandboxSink,
    script: Vec<&'static str>,
    calls: AtomicUsize,
}

#[async_trait]
impl Sink for FlakySchema {
    fn name(&self) -> &str {
        "flaky-schema"
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
        self.inner.write_batch(object, batch).await
    }
    async fn read(&self, object: &str, ids: &[String]) -> Result<Vec<Option<ReadBack>>> {
        self.inner.read(object, ids).await
    }
    async fn lookup(&self, object: &str, lookups: &[Lookup]) -> Result<Vec<Option<String>>> {
        self.inner.lookup(object, lookups).await
    }
    async fn delete(&self, object: &str, ids: &[String]) -> Result<Vec<DeleteOutcome>> {
        self.inner.delete(object, ids).await
    }
    async fn source_key_page(
        &self,
        object: &str,
        cursor: Option<String>,
    ) -> Result<Option<Page<(SourceKey, String)>>> {
        self.inner.source_key_page(object, cursor).await
    }
    async fn apply_schema(&self, changes: &[SchemaChange]) -> Result<Vec<SchemaOutcome>> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        match self.script.get(n).copied().unwrap_or("ok") {
            "commit" => {
                self.inner.apply_schema(changes).await?;
                Err(Error::new(
                    ErrorKind::Transport,
                    "HTTP 502 after the change was made",
                ))
            }
            "fail" => Err(Error::new(ErrorKind::Transport, "HTTP 503")),
            _ => self.inner.apply_schema(changes).await,
        }
    }
    async fn revert_schema(&self, change: &SchemaChange) -> Result<()> {
        self.inner.revert_schema(change).await
    }
}

fn source() -> MemorySource {
    let rows = (1..=5)
        .map(|i| {
            let mut fields = serde_json::Map::new();
            fields.insert("name".into(), format!("Name {i}").into());
            fields.insert("tier".into(), "gold".into());
            fields.insert("score".into(), format!("{i}.5").into());
            RawRecord {
                key: SourceKey::new("export", "contacts", i.to_string()),
                fields,
            }
        })
        .collect();
    MemorySource::new("export", []).with_raw("contacts", rows)
}

fn config() -> EngineConfig {
    EngineConfig {
        backoff: std::time::Duration::from_millis(1),
        ..EngineConfig::default()
    }
}

#[tokio::test]
async fn schema_changes_survive_lost_replies_and_temporary_failures() {
    let spec = MappingSpec::from_toml(SPEC).unwrap();
    let model = twenty_standard_model();
    let sink = FlakySchema {
        inner: SandboxSink::in_memory(model.clone()).unwrap(),
        script: vec!["commit", "fail", "fail", "ok"],
        calls: AtomicUsize::new(0),
    };
    let mapper = SpecMapper::new(spec.clone(), Some(model)).unwrap();
    let journal = SqliteJournal::in_memory().unwrap();
    let summary = Engine::new(&source(), &mapper, &sink, &journal)
        .config(config())
        .schema(spec.schema_changes())
        .run()
        .await
        .unwrap();
    assert!(summary.balanced());
    assert_eq!(summary.totals().created, 5);
    // Each field made once and journaled once, so a rollback removes each once.
    let made = journal.schema_changes().unwrap();
    assert_eq!(made.len(), 2, "{made:?}");
    let person = sink.inner.model();
    let person = person.get("person").unwrap();
    assert!(person.get("loyaltyTier").is_some() && person.get("leadScore").is_some());
}

#[tokio::test]
async fn a_schema_failure_that_outlives_the_retries_stops_before_any_record_moves() {
    let spec = MappingSpec::from_toml(SPEC).unwrap();
    let model = twenty_standard_model();
    let sink = FlakySchema {
        inner: SandboxSink::in_memory(model.clone()).unwrap(),
        script: std::iter::once("ok")
            .chain(std::iter::repeat_n("fail", 20))
            .collect(),
        calls: AtomicUsize::new(0),
    };
    let mapper = SpecMapper::new(spec.clone(), Some(model)).unwrap();
    let journal = SqliteJournal::in_memory().unwrap();
    let err = Engine::new(&source(), &mapper, &sink, &journal)
        .config(config())
        .schema(spec.schema_changes())
        .run()
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("no record was moved"), "{msg}");
    assert!(
        msg.contains("already made (1)") && msg.contains("rollback --remove-schema"),
        "{msg}"
    );
    assert_eq!(
        sink.inner.snapshot().unwrap().len(),
        0,
        "no record was written"
    );
    // The run can be resumed once the destination is back.
    let sink = FlakySchema {
        script: Vec::new(),
        ..sink
    };
    let summary = Engine::new(&source(), &mapper, &sink, &journal)
        .config(config())
        .schema(spec.schema_changes())
        .run()
        .await
        .unwrap();
    assert_eq!(summary.totals().created, 5);
    assert_eq!(journal.schema_changes().unwrap().len(), 2);
}

#[tokio::test]
async fn a_reserved_name_stops_the_run_before_any_change() {
    let spec = MappingSpec::from_toml(&SPEC.replace("loyaltyTier", "plan")).unwrap();
    let model = twenty_standard_model().reserved(["plan", "plans"]);
    let sink = SandboxSink::in_memory(model.clone()).unwrap();
    let mapper = SpecMapper::new(spec.clone(), Some(model)).unwrap();
    let journal = SqliteJournal::in_memory().unwrap();
    let err = Engine::new(&source(), &mapper, &sink, &journal)
        .config(config())
        .schema(spec.schema_changes())
        .run()
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("nothing was changed")
            && msg.contains("person.plan")
            && msg.contains("reserved"),
        "{msg}"
    );
    assert!(journal.schema_changes().unwrap().is_empty());
    assert!(
        sink.model()
            .get("person")
            .unwrap()
            .get("leadScore")
            .is_none(),
        "not even the allowed one"
    );
}
