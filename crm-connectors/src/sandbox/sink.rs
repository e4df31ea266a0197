//! [`SandboxSink`]: the [`Sink`] implementation over the store, plus inherent helpers for
//! tests and examples.

use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use crm_core::model::fields as f;
use crm_core::{DataModel, DeleteOutcome, Error, ErrorKind, Fields, Lookup, ReadBack, Result};
use crm_core::{
    SchemaChange, SchemaOutcome, Sink, SinkCapabilities, SourceKey, Value, WriteOp, WriteOutcome,
    WriteRecord,
};
use rusqlite::Connection;

use super::write::{self, Origin};
use super::{keys, store};

/// Largest batch one `write_batch` call accepts.
const MAX_BATCH: usize = 500;
/// System name of the (unstored) source keys of seeded users.
const SEED_SYSTEM: &str = "sandbox-seed";

/// A SQLite destination that enforces a destination's [`DataModel`].
///
/// See the [module documentation](super) for the rules it enforces.
pub struct SandboxSink {
    conn: Mutex<Connection>,
    /// The base model plus the schema changes made through [`Sink::apply_schema`]
    /// (persisted in the database, re-applied on open).
    model: RwLock<Arc<DataModel>>,
}

impl std::fmt::Debug for SandboxSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxSink")
            .field("model", &self.model().name)
            .finish_non_exhaustive()
    }
}

impl SandboxSink {
    /// Opens (or creates) a sandbox database at `path` enforcing `model`.
    pub fn open(path: impl AsRef<Path>, model: DataModel) -> Result<Self> {
        let path = path.as_ref();
        let conn = Connection::open(path).map_err(|e| {
            Error::new(
                ErrorKind::ConfigInvalid,
                format!("cannot open sandbox database {}", path.display()),
            )
            .with_source(e)
            .with_connector("sandbox")
        })?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // WAL with synchronous=FULL: each batch's commit is as durable as with the rollback
        // journal, for one fsync instead of four. A fixed page cache (16 MiB) keeps lookups
        // and uniqueness checks off the disk without growing with the database.
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-16384;",
        )?;
        Self::with_connection(conn, model)
    }

    /// A sandbox held in memory, enforcing `model`: gone when dropped.
    pub fn in_memory(model: DataModel) -> Result<Self> {
        Self::with_connection(Connection::open_in_memory()?, model)
    }

    fn with_connection(conn: Connection, mut model: DataModel) -> Result<Self> {
        model.check().map_err(|e| e.with_connector("sandbox"))?;
        // Each record of a batch is written under its own savepoint: with temporary files
        // on disk, every page a record touched was first copied to a statement journal in
        // the temp directory (most of the system calls of a run). Those journals live only
        // until the record is released, so memory holds them.
        conn.execute_batch("PRAGMA temp_store=MEMORY;")?;
        store::init(&conn)?;
        for change in store::schema_changes(&conn)? {
            model.apply(&change);
        }
        Ok(Self {
            conn: Mutex::new(conn),
            model: RwLock::new(Arc::new(model)),
        })
    }

    /// The model this sandbox enforces (with the schema changes made so far).
    pub fn model(&self) -> DataModel {
        DataModel::clone(&self.shared_model())
    }

    /// The model, shared: what every write and lookup checks against, without copying it.
    fn shared_model(&self) -> Arc<DataModel> {
        self.model.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Runs `op` on the connection, tagging any error with the connector and operation.
    fn run<T>(&self, operation: &str, op: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut conn = self.conn.lock().map_err(|_| {
            Error::unexpected("sandbox connection lock poisoned by an earlier panic")
        })?;
        op(&mut conn).map_err(|e| e.with_connector("sandbox").with_operation(operation))
    }

    /// Seeds workspace members from a CSV file with the columns `email,first_name,last_name`
    /// (the `workspace_members.csv` the samples write) unless the sandbox already has members;
    /// returns how many were added. A row without an email is an error naming its line.
    pub fn seed_users_csv(&self, path: &Path) -> Result<usize> {
        if self.count(f::USER)? > 0 {
            return Ok(0);
        }
        let mut reader = ::csv::Reader::from_path(path).map_err(|e| {
            Error::config(format!("cannot read members file {}", path.display())).with_source(e)
        })?;
        let mut rows = Vec::new();
        for (i, rec) in reader.records().enumerate() {
            let rec = rec?;
            let cell = |n: usize| rec.get(n).unwrap_or("").trim().to_string();
            if cell(0).is_empty() {
                return Err(Error::config(format!(
                    "{} line {}: no email",
                    path.display(),
                    i + 2
                )));
            }
            rows.push((cell(0), cell(1), cell(2)));
        }
        let refs: Vec<(&str, &str, &str)> = rows
            .iter()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
            .collect();
        Ok(self.seed_users(&refs)?.len())
    }

    /// Inserts workspace members `(email, first name, last name)` directly, although `user`
    /// is not creatable through the API, and returns their ids in order. All or none: a
    /// member that breaks a rule (a duplicate email) fails the whole call.
    pub fn seed_users(&self, users: &[(&str, &str, &str)]) -> Result<Vec<String>> {
        let model = self.model();
        self.run("seed_users", |conn| {
            let tx = conn.transaction()?;
            let mut ids = Vec::with_capacity(users.len());
            for (email, first, last) in users {
                let mut fields = Fields::new();
                fields.insert(f::EMAIL.into(), Value::Text(email.to_string()));
                fields.insert(f::FIRST_NAME.into(), Value::Text(first.to_string()));
                fields.insert(f::LAST_NAME.into(), Value::Text(last.to_string()));
                let rec = WriteRecord {
                    key: SourceKey::new(SEED_SYSTEM, f::USER, *email),
                    op: WriteOp::Create { merge_on: None },
                    created_at: None,
                    updated_at: None,
                    fields,
                };
                match write::apply(&tx, &model, f::USER, &rec, Origin::Seed)? {
                    WriteOutcome::Created { id } => ids.push(id),
                    other => {
                        return Err(Error::new(
                            ErrorKind::Validation,
                            format!("cannot seed user {email}: {other:?}"),
                        ))
                    }
                }
            }
            tx.commit()?;
            Ok(ids)
        })
    }

    /// Number of records of `object`.
    pub fn count(&self, object: &str) -> Result<usize> {
        self.run("count", |conn| store::count(conn, object))
    }

    /// Every record as `(object, id, fields)`, sorted by object then id: compare two
    /// snapshots to check that a rollback restored the database.
    pub fn snapshot(&self) -> Result<Vec<(String, String, Fields)>> {
        self.run("snapshot", |conn| store::snapshot(conn))
    }
}

#[async_trait]
impl Sink for SandboxSink {
    fn name(&self) -> &str {
        "sandbox"
    }

    fn capabilities(&self) -> SinkCapabilities {
        SinkCapabilities {
            max_batch_size: MAX_BATCH,
            update: true,
            upsert: true,
            hard_delete: true,
            custom_fields: true,
            keeps_created_at: true,
            rate_limit_per_min: None,
        }
    }

    async fn check(&self) -> Result<()> {
        self.run("check", |conn| {
            conn.query_row("SELECT 1", [], |_| Ok(()))?;
            Ok(())
        })
    }

    async fn data_model(&self) -> Result<DataModel> {
        Ok(self.model())
    }

    /// One transaction per batch and one savepoint per record: a refused record is rolled
    /// back alone, and an error leaves the whole batch unapplied.
    async fn write_batch(&self, object: &str, batch: &[WriteRecord]) -> Result<Vec<WriteOutcome>> {
        let model = self.shared_model();
        if batch.len() > MAX_BATCH {
            return Err(Error::config(format!(
                "batch of {} records exceeds the sandbox maximum of {MAX_BATCH}",
                batch.len()
            ))
            .with_connector("sandbox")
            .with_object(object));
        }
        self.run("write_batch", |conn| {
            let mut tx = conn.transaction()?;
            let mut outcomes = Vec::with_capacity(batch.len());
            for rec in batch {
                let sp = tx.savepoint()?;
                let outcome = write::apply(&sp, &model, object, rec, Origin::Api)
                    .map_err(|e| e.with_object(object).with_key(rec.key.clone()))?;
                if matches!(outcome, WriteOutcome::Rejected { .. }) {
                    sp.finish()?; // rolls back to the savepoint and releases it
                } else {
                    sp.commit()?;
                }
                outcomes.push(outcome);
            }
            tx.commit()?;
            Ok(outcomes)
        })
    }

    async fn read(&self, object: &str, ids: &[String]) -> Result<Vec<Option<ReadBack>>> {
        self.run("read", |conn| {
            ids.iter()
                .map(|id| {
                    Ok(store::get(conn, object, id)?.map(|row| ReadBack {
                        id: row.id,
                        created_at: Some(row.created_at),
                        fields: row
                            .fields
                            .into_iter()
                            .filter(|(_, v)| !v.is_empty())
                            .collect(),
                    }))
                })
                .collect()
        })
    }

    async fn lookup(&self, object: &str, lookups: &[Lookup]) -> Result<Vec<Option<String>>> {
        let model = self.shared_model();
        let obj = model
            .require(object)
            .map_err(|e| e.with_connector("sandbox").with_operation("lookup"))?;
        self.run("lookup", |conn| {
            lookups
                .iter()
                .map(|l| match l {
                    Lookup::SourceKey(k) => store::find_by_source_key(conn, object, k),
                    Lookup::Field { field, value } => {
                        let fd = obj.get(field).ok_or_else(|| {
                            Error::config(format!("{object} has no field {field:?} to look up"))
                                .with_object(object)
                        })?;
                        let key = keys::lookup_key(fd.ty, value);
                        if key.is_empty() {
                            return Ok(None);
                        }
                        store::find(conn, object, field, &key, None)
                    }
                })
                .collect()
        })
    }

    async fn delete(&self, object: &str, ids: &[String]) -> Result<Vec<DeleteOutcome>> {
        let model = self.shared_model();
        self.run("delete", |conn| {
            let tx = conn.transaction()?;
            let outcomes = ids
                .iter()
                .map(|id| write::delete(&tx, &model, object, id))
                .collect::<Result<Vec<_>>>()?;
            tx.commit()?;
            Ok(outcomes)
        })
    }

    async fn apply_schema(&self, changes: &[SchemaChange]) -> Result<Vec<SchemaOutcome>> {
        let mut out = Vec::with_capacity(changes.len());
        for change in changes {
            let mut next = self.model();
            // The sandbox refuses what its destination refuses: reserved names included.
            if let Some(problem) =
                crm_core::engine::schema_name_problems(&next, std::slice::from_ref(change))
                    .into_iter()
                    .next()
            {
                out.push(SchemaOutcome::Rejected { reason: problem });
                continue;
            }
            if let SchemaChange::AddObject { object } = change {
                if next.get(&object.name).is_some() {
                    out.push(SchemaOutcome::Rejected {
                        reason: format!("an object named {:?} already exists", object.name),
                    });
                    continue;
                }
            } else if next.get(change.object()).is_none() {
                out.push(SchemaOutcome::Rejected {
                    reason: format!("no object {:?} in the {} model", change.object(), next.name),
                });
                continue;
            }
            if let SchemaChange::AddField { object, field } = change {
                if next.get(object).and_then(|o| o.get(&field.name)).is_some() {
                    out.push(SchemaOutcome::Rejected {
                        reason: format!("{object}.{} already exists", field.name),
                    });
                    continue;
                }
            }
            next.apply(change);
            if let Err(e) = next.check() {
                out.push(SchemaOutcome::Rejected {
                    reason: e.to_string(),
                });
                continue;
            }
            self.run("apply_schema", |conn| {
                store::record_schema_change(conn, change)
            })?;
            *self.model.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(next);
            out.push(SchemaOutcome::Applied);
        }
        Ok(out)
    }

    async fn revert_schema(&self, change: &SchemaChange) -> Result<()> {
        self.run("revert_schema", |conn| {
            if let SchemaChange::AddObject { object } = change {
                store::delete_object_rows(conn, &object.name)?;
            }
            store::forget_schema_change(conn, change)
        })?;
        Arc::make_mut(&mut self.model.write().unwrap_or_else(|p| p.into_inner())).revert(change);
        Ok(())
    }
}
