//! [`SqliteJournal`]: the journal in a SQLite database (a file in the state directory, or
//! in memory).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use fs2::FileExt;
use rusqlite::{params, Connection, OptionalExtension};

use super::types::*;
use super::Journal;
use crate::model::{Fields, SourceKey};
use crate::{Error, Result};

const SCHEMA: &str = include_str!("schema.sql");

/// The journal in SQLite.
///
/// A file journal holds an exclusive lock on `<state>/journal.lock` for its lifetime, so
/// two processes cannot drive the same state directory. The database runs in WAL mode with
/// `synchronous=FULL`: a committed outcome survives a killed process and a power cut. Its
/// page cache is fixed (16 MiB), whatever the size of the run.
#[derive(Debug)]
pub struct SqliteJournal {
    conn: Mutex<Connection>,
    _lock: Option<File>,
    path: Option<PathBuf>,
}

use super::sqlite_rows::*;

impl SqliteJournal {
    /// Opens (creating if needed) the journal in state directory `dir`, taking its lock.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)?;
        let lock = File::create(dir.join("journal.lock"))?;
        lock.try_lock_exclusive().map_err(|_| {
            Error::state(format!(
                "state directory {} is in use by another crm-migrate process",
                dir.display()
            ))
        })?;
        let path = dir.join("journal.sqlite");
        let conn = Connection::open(&path)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;
             PRAGMA cache_size=-16384;",
        )?;
        Self::init(conn, Some(lock), Some(path))
    }

    /// A journal in memory (tests, dry runs that need no resume).
    pub fn in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory()?, None, None)
    }

    fn init(conn: Connection, lock: Option<File>, path: Option<PathBuf>) -> Result<Self> {
        conn.execute_batch(SCHEMA)?;
        conn.execute(
            "INSERT OR IGNORE INTO meta (k, v) VALUES ('schema_version', '1')",
            [],
        )?;
        Ok(Self {
            conn: Mutex::new(conn),
            _lock: lock,
            path,
        })
    }

    /// The database file, for a file journal.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (transactions
        // roll back on drop), so a poisoned mutex is safe to reuse.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn run_info(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> Result<Option<RunInfo>> {
        Ok(conn
            .query_row(sql, p, |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .optional()?
            .map(|(id, checksum, mode, status, attempt, started)| RunInfo {
                id,
                attempt,
                resumed: false,
                mode: if mode == "delta" {
                    RunMode::Delta
                } else {
                    RunMode::Full
                },
                status: match status.as_str() {
                    "finished" => RunStatus::Finished,
                    "rolled_back" => RunStatus::RolledBack,
                    _ => RunStatus::Running,
                },
                checksum,
                started,
            }))
    }
}

const RUN_COLS: &str = "SELECT run, checksum, mode, status, attempt, started FROM runs";

impl Journal for SqliteJournal {
    fn begin_run(&self, checksum: &str, mode: RunMode, plan: &str) -> Result<RunInfo> {
        let mut conn = self.db();
        let tx = conn.transaction()?;
        let last = Self::run_info(&tx, &format!("{RUN_COLS} ORDER BY run DESC LIMIT 1"), [])?;
        let info = match last {
            Some(mut last) if last.status == RunStatus::Running => {
                if last.checksum != checksum {
                    return Err(Error::state(format!(
                        "the unfinished run {} was started with a different mapping or plan \
                         (checksum {} , now {}); finish it with the original mapping, or roll it back",
                        last.id, last.checksum, checksum
                    )));
                }
                tx.execute(
                    "UPDATE runs SET attempt = attempt + 1 WHERE run = ?1",
                    [last.id],
                )?;
                last.attempt += 1;
                last.resumed = true;
                last
            }
            Some(last) if last.status == RunStatus::Finished && mode == RunMode::Full => {
                return Err(Error::state(format!(
                    "run {} already finished in this state directory; use --delta to bring \
                     changes over, roll it back first, or use a new state directory",
                    last.id
                )));
            }
            _ => {
                if mode == RunMode::Delta {
                    let finished: i64 = tx.query_row(
                        "SELECT COUNT(*) FROM runs WHERE status = 'finished'",
                        [],
                        |r| r.get(0),
                    )?;
                    if finished == 0 {
                        return Err(Error::state(
                            "a delta run needs a finished run in this state directory",
                        ));
                    }
                }
                let started = now();
                // A new run starts a new story: the tally of an earlier rollback goes.
                tx.execute("DELETE FROM undo_results", [])?;
                tx.execute(
                    "INSERT INTO runs (checksum, mode, status, attempt, started, plan) VALUES (?1, ?2, 'running', 1, ?3, ?4)",
                    params![
                        checksum,
                        if mode == RunMode::Delta { "delta" } else { "full" },
                        started,
                        plan
                    ],
                )?;
                RunInfo {
                    id: tx.last_insert_rowid(),
                    attempt: 1,
                    resumed: false,
                    mode,
                    status: RunStatus::Running,
                    checksum: checksum.to_string(),
                    started,
                }
            }
        };
        tx.commit()?;
        Ok(info)
    }

    fn finish_run(&self, run: i64) -> Result<()> {
        self.db().execute(
            "UPDATE runs SET status = 'finished', finished = ?2 WHERE run = ?1",
            params![run, now()],
        )?;
        Ok(())
    }

    fn last_run(&self) -> Result<Option<RunInfo>> {
        Self::run_info(
            &self.db(),
            &format!("{RUN_COLS} ORDER BY run DESC LIMIT 1"),
            [],
        )
    }

    fn phase_done(&self, run: i64, phase: &str) -> Result<bool> {
        Ok(self
            .db()
            .query_row(
                "SELECT 1 FROM phases WHERE run = ?1 AND phase = ?2",
                params![run, phase],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    fn finish_phase(&self, run: i64, phase: &str, source_count: u64) -> Result<()> {
        self.db().execute(
            "INSERT OR REPLACE INTO phases (run, phase, source) VALUES (?1, ?2, ?3)",
            params![run, phase, source_count as i64],
        )?;
        Ok(())
    }

    fn outcome(&self, run: i64, phase: &str, key: &SourceKey) -> Result<Option<(Outcome, i64)>> {
        let row: Option<(String, i64)> = self
            .db()
            .prepare_cached(
                "SELECT outcome, attempt FROM outcomes WHERE run = ?1 AND phase = ?2 AND key = ?3",
            )?
            .query_row(params![run, phase, key_text(key)], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        Ok(row.and_then(|(o, a)| Outcome::parse(&o).map(|o| (o, a))))
    }

    fn id_entry(&self, key: &SourceKey) -> Result<Option<IdEntry>> {
        let row: Option<(String, String, String, String, String)> = self
            .db()
            .prepare_cached(
                "SELECT object, dest_id, hash, written, origin FROM id_map WHERE key = ?1",
            )?
            .query_row([key_text(key)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?;
        row.map(|(object, dest_id, hash, written, origin)| {
            Ok(IdEntry {
                key: key.clone(),
                object,
                dest_id,
                hash,
                written: from_json(&written)?,
                origin: Outcome::parse(&origin).unwrap_or(Outcome::Created),
            })
        })
        .transpose()
    }

    fn dest_of(&self, key: &SourceKey) -> Result<Option<(String, String)>> {
        Ok(self
            .db()
            .prepare_cached("SELECT object, dest_id FROM id_map WHERE key = ?1")?
            .query_row([key_text(key)], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn find_ref(&self, object: &str, kind: &str, value: &str) -> Result<Option<(String, bool)>> {
        Ok(self
            .db()
            .prepare_cached(
                "SELECT dest_id, ambiguous FROM ref_index WHERE object = ?1 AND kind = ?2 AND value = ?3",
            )?
            .query_row(params![object, kind, value], |r| {
                Ok((r.get(0)?, r.get::<_, i64>(1)? != 0))
            })
            .optional()?)
    }

    fn remember_ref(&self, object: &str, kind: &str, value: &str, id: &str) -> Result<()> {
        self.db().execute(
            "INSERT INTO ref_index (object, kind, value, dest_id) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (object, kind, value) DO UPDATE SET
                       ambiguous = ambiguous OR (ref_index.dest_id <> excluded.dest_id)",
            params![object, kind, value, id],
        )?;
        Ok(())
    }

    fn claim_many(
        &self,
        run: i64,
        object: &str,
        claims: &[(String, SourceKey)],
    ) -> Result<Vec<Option<SourceKey>>> {
        if claims.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.db();
        let tx = conn.transaction()?;
        let mut out = Vec::with_capacity(claims.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO claims (run, object, value, key) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut holder = tx.prepare_cached(
                "SELECT key FROM claims WHERE run = ?1 AND object = ?2 AND value = ?3",
            )?;
            for (value, key) in claims {
                insert.execute(params![run, object, value, key_text(key)])?;
                let h: String = holder.query_row(params![run, object, value], |r| r.get(0))?;
                let h = parse_key(&h)?;
                out.push((h != *key).then_some(h));
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn start_batch(
        &self,
        run: i64,
        phase: &str,
        batch: &InFlight,
        settled: &[Settled],
    ) -> Result<()> {
        let mut conn = self.db();
        let attempt = current_attempt(&conn, run)?;
        let tx = conn.transaction()?;
        if !batch.writes.is_empty() {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO in_flight (run, phase, batch, body) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![run, phase, batch.batch, to_json(batch)?])?;
        }
        for s in settled {
            write_settled(&tx, run, phase, attempt, s)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn settle(
        &self,
        run: i64,
        phase: &str,
        batch: Option<&str>,
        settled: &[Settled],
    ) -> Result<()> {
        let mut conn = self.db();
        let attempt = current_attempt(&conn, run)?;
        let tx = conn.transaction()?;
        for s in settled {
            write_settled(&tx, run, phase, attempt, s)?;
        }
        if let Some(b) = batch {
            tx.prepare_cached("DELETE FROM in_flight WHERE run = ?1 AND batch = ?2")?
                .execute(params![run, b])?;
        }
        tx.commit()?;
        Ok(())
    }

    fn in_flight(&self, run: i64) -> Result<Vec<InFlight>> {
        let conn = self.db();
        let mut stmt = conn.prepare("SELECT body FROM in_flight WHERE run = ?1 ORDER BY rowid")?;
        let bodies: Vec<String> = stmt
            .query_map([run], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        bodies.iter().map(|b| from_json(b)).collect()
    }

    fn defer(&self, run: i64, d: &Deferred) -> Result<()> {
        self.db().execute(
            "INSERT OR REPLACE INTO deferred (run, object, key, field, value) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![run, d.object, key_text(&d.key), d.field, to_json(&d.value)?],
        )?;
        Ok(())
    }

    fn pending_deferred(&self, run: i64, limit: usize) -> Result<Vec<Deferred>> {
        let conn = self.db();
        let mut stmt = conn.prepare(
            "SELECT object, key, field, value FROM deferred WHERE run = ?1 AND done = 0 ORDER BY rowid LIMIT ?2",
        )?;
        let rows: Vec<(String, String, String, String)> = stmt
            .query_map(params![run, limit as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|(object, key, field, value)| {
                Ok(Deferred {
                    object,
                    key: parse_key(&key)?,
                    field,
                    value: from_json(&value)?,
                })
            })
            .collect()
    }

    fn finish_deferred(&self, run: i64, d: &Deferred, problem: Option<&str>) -> Result<()> {
        self.db().execute(
            "UPDATE deferred SET done = 1, problem = ?5 WHERE run = ?1 AND object = ?2 AND key = ?3 AND field = ?4",
            params![run, d.object, key_text(&d.key), d.field, problem],
        )?;
        Ok(())
    }

    fn pending_merges(&self, run: i64, phase: &str, limit: usize) -> Result<Vec<OutcomeRow>> {
        let conn = self.db();
        let mut stmt = conn.prepare(&format!(
            "{OUTCOME_COLS} WHERE run = ?1 AND phase = ?2 AND merged_into IS NOT NULL AND dest_id IS NULL AND outcome = 'merged' ORDER BY seq LIMIT ?3"
        ))?;
        let rows: Vec<RawRow> = stmt
            .query_map(params![run, phase, limit as i64], outcome_row)?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter().map(to_outcome_row).collect()
    }

    fn add_written(&self, key: &SourceKey, fields: &Fields) -> Result<()> {
        let Some(mut entry) = self.id_entry(key)? else {
            return Err(Error::state(format!("no id-map entry for {key}")));
        };
        entry.written.extend(fields.clone());
        self.db().execute(
            "UPDATE id_map SET written = ?2 WHERE key = ?1",
            params![key_text(key), to_json(&entry.written)?],
        )?;
        Ok(())
    }

    fn counts(&self, run: i64) -> Result<Vec<(String, Counts)>> {
        let conn = self.db();
        let mut out: Vec<(String, Counts)> = Vec::new();
        let mut stmt = conn.prepare(
            "SELECT phase, outcome, COUNT(*), MIN(seq) FROM outcomes WHERE run = ?1 GROUP BY phase, outcome ORDER BY MIN(seq)",
        )?;
        let rows: Vec<(String, String, i64)> = stmt
            .query_map([run], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (phase, outcome, n) in rows {
            let idx = match out.iter().position(|(p, _)| *p == phase) {
                Some(i) => i,
                None => {
                    out.push((phase.clone(), Counts::default()));
                    out.len() - 1
                }
            };
            if let Some(o) = Outcome::parse(&outcome) {
                out[idx].1.add(o, n as u64);
            }
        }
        super::sqlite_notices::add_counts(&conn, run, &mut out)?;
        let mut stmt = conn.prepare("SELECT phase, source FROM phases WHERE run = ?1")?;
        let sources: Vec<(String, i64)> = stmt
            .query_map([run], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (phase, n) in sources {
            match out.iter_mut().find(|(p, _)| *p == phase) {
                Some((_, c)) => c.source = n as u64,
                None => out.push((
                    phase,
                    Counts {
                        source: n as u64,
                        ..Counts::default()
                    },
                )),
            }
        }
        Ok(out)
    }

    fn record_notices(&self, run: i64, phase: &str, notices: &[(SourceKey, Notice)]) -> Result<()> {
        if notices.is_empty() {
            return Ok(());
        }
        super::sqlite_notices::record(&mut self.db(), run, phase, notices)
    }

    fn notices(&self, run: i64, kind: NoticeKind) -> Result<Vec<NoticeRow>> {
        super::sqlite_notices::list(&self.db(), run, kind)
    }

    fn has_open_links(&self, object: &str, key: &SourceKey) -> Result<bool> {
        super::sqlite_notices::has_open_links(&self.db(), object, key)
    }

    fn source_rows(&self, run: i64) -> Result<Vec<(String, Counts)>> {
        super::sqlite_notices::source_rows(&self.db(), run)
    }

    fn rows(&self, run: i64, outcome: Outcome) -> Result<Vec<OutcomeRow>> {
        let conn = self.db();
        let mut stmt = conn.prepare(&format!(
            "{OUTCOME_COLS} WHERE run = ?1 AND outcome = ?2 ORDER BY seq"
        ))?;
        let rows: Vec<RawRow> = stmt
            .query_map(params![run, outcome.as_str()], outcome_row)?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter().map(to_outcome_row).collect()
    }

    fn each_row(
        &self,
        run: i64,
        outcome: Outcome,
        each: &mut dyn FnMut(OutcomeRow) -> Result<()>,
    ) -> Result<()> {
        let conn = self.db();
        let mut stmt = conn.prepare_cached(&format!(
            "{OUTCOME_COLS} WHERE run = ?1 AND outcome = ?2 ORDER BY seq"
        ))?;
        let mut rows = stmt.query(params![run, outcome.as_str()])?;
        while let Some(r) = rows.next()? {
            each(to_outcome_row(outcome_row(r)?)?)?;
        }
        Ok(())
    }

    fn each_notice(
        &self,
        run: i64,
        kind: NoticeKind,
        each: &mut dyn FnMut(NoticeRow) -> Result<()>,
    ) -> Result<()> {
        super::sqlite_notices::each(&self.db(), run, kind, each)
    }

    fn link_problems(&self, run: i64) -> Result<Vec<(Deferred, String)>> {
        let conn = self.db();
        let mut stmt = conn.prepare(
            "SELECT object, key, field, value, problem FROM deferred WHERE run = ?1 AND problem IS NOT NULL ORDER BY rowid",
        )?;
        let rows: Vec<(String, String, String, String, String)> = stmt
            .query_map([run], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|(object, key, field, value, problem)| {
                Ok((
                    Deferred {
                        object,
                        key: parse_key(&key)?,
                        field,
                        value: from_json(&value)?,
                    },
                    problem,
                ))
            })
            .collect()
    }

    fn id_entries(&self, after: i64, limit: usize) -> Result<Vec<(i64, IdEntry)>> {
        let conn = self.db();
        let mut stmt = conn.prepare(
            "SELECT rowid, key, object, dest_id, hash, written, origin FROM id_map WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
        )?;
        let rows: Vec<(i64, String, String, String, String, String, String)> = stmt
            .query_map(params![after, limit as i64], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|(rowid, key, object, dest_id, hash, written, origin)| {
                Ok((
                    rowid,
                    IdEntry {
                        key: parse_key(&key)?,
                        object,
                        dest_id,
                        hash,
                        written: from_json(&written)?,
                        origin: Outcome::parse(&origin).unwrap_or(Outcome::Created),
                    },
                ))
            })
            .collect()
    }

    fn record_undo(&self, run: i64, object: &str, dest_id: &str, undo: &Undo) -> Result<()> {
        self.db().execute(
            "INSERT INTO undo_log (run, object, dest_id, action) VALUES (?1, ?2, ?3, ?4)",
            params![run, object, dest_id, to_json(undo)?],
        )?;
        Ok(())
    }

    fn record_schema(&self, run: i64, change: &crate::connector::SchemaChange) -> Result<()> {
        self.db().execute(
            "INSERT INTO schema_log (run, change) VALUES (?1, ?2)",
            params![run, to_json(change)?],
        )?;
        Ok(())
    }

    fn schema_changes(&self) -> Result<Vec<(i64, crate::connector::SchemaChange)>> {
        let conn = self.db();
        let mut stmt = conn
            .prepare("SELECT seq, change FROM schema_log WHERE reverted = 0 ORDER BY seq DESC")?;
        let rows: Vec<(i64, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|(seq, c)| Ok((seq, from_json(&c)?)))
            .collect()
    }

    fn schema_reverted(&self, seq: i64) -> Result<()> {
        self.db()
            .execute("UPDATE schema_log SET reverted = 1 WHERE seq = ?1", [seq])?;
        Ok(())
    }

    fn pending_undo(&self, limit: usize) -> Result<Vec<UndoEntry>> {
        let conn = self.db();
        let mut stmt = conn.prepare(
            "SELECT seq, object, dest_id, action FROM undo_log WHERE done = 0 ORDER BY seq DESC LIMIT ?1",
        )?;
        let rows: Vec<(i64, String, String, String)> = stmt
            .query_map([limit as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|(seq, object, dest_id, action)| {
                Ok(UndoEntry {
                    seq,
                    object,
                    dest_id,
                    action: from_json(&action)?,
                })
            })
            .collect()
    }

    fn record_undo_result(&self, seq: i64, result: &UndoResult) -> Result<()> {
        let mut conn = self.db();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO undo_results (seq, how, object, dest_id, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                (seq != 0).then_some(seq),
                result.how.as_str(),
                result.object,
                result.dest_id,
                result.reason
            ],
        )?;
        if seq != 0 {
            tx.execute("UPDATE undo_log SET done = 1 WHERE seq = ?1", [seq])?;
        }
        tx.commit()?;
        Ok(())
    }

    fn remember_keys(&self, object: &str, keys: &[(SourceKey, String)]) -> Result<()> {
        let mut conn = self.db();
        let tx = conn.transaction()?;
        for (k, id) in keys {
            tx.execute(
                "INSERT OR REPLACE INTO known_keys (object, key, dest_id) VALUES (?1, ?2, ?3)",
                params![object, key_text(k), id],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn known_key(&self, object: &str, key: &SourceKey) -> Result<Option<String>> {
        Ok(self
            .db()
            .prepare_cached("SELECT dest_id FROM known_keys WHERE object = ?1 AND key = ?2")?
            .query_row(params![object, key_text(key)], |r| r.get(0))
            .optional()?)
    }

    fn keys_scanned(&self, run: i64, object: &str, done: bool) -> Result<bool> {
        let conn = self.db();
        if done {
            conn.execute(
                "INSERT OR IGNORE INTO key_scans (run, object) VALUES (?1, ?2)",
                params![run, object],
            )?;
            return Ok(true);
        }
        let n: i64 = conn
            .prepare_cached("SELECT COUNT(*) FROM key_scans WHERE run = ?1 AND object = ?2")?
            .query_row(params![run, object], |r| r.get(0))?;
        Ok(n > 0)
    }

    fn undo_deletes(&self, object: &str, dest_id: &str) -> Result<bool> {
        let delete = to_json(&Undo::Delete)?;
        let n: i64 = self.db().query_row(
            "SELECT COUNT(*) FROM undo_log WHERE object = ?1 AND dest_id = ?2 AND action = ?3",
            params![object, dest_id, delete],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    fn undo_results(&self) -> Result<Vec<UndoResult>> {
        let conn = self.db();
        let mut stmt =
            conn.prepare("SELECT how, object, dest_id, reason FROM undo_results ORDER BY id")?;
        let rows: Vec<(String, String, String, Option<String>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(how, object, dest_id, reason)| {
                Some(UndoResult {
                    how: UndoHow::parse(&how)?,
                    object,
                    dest_id,
                    reason,
                })
            })
            .collect())
    }

    fn finish_rollback(&self) -> Result<()> {
        let mut conn = self.db();
        let tx = conn.transaction()?;
        let left: i64 = tx.query_row("SELECT COUNT(*) FROM undo_log WHERE done = 0", [], |r| {
            r.get(0)
        })?;
        if left > 0 {
            return Err(Error::state(format!(
                "{left} undo entries are still pending"
            )));
        }
        tx.execute_batch(
            "DELETE FROM id_map; DELETE FROM ref_index; DELETE FROM claims; DELETE FROM in_flight;
             UPDATE deferred SET done = 1;
             UPDATE notices SET open = 0;
             DELETE FROM known_keys; DELETE FROM key_scans;
             UPDATE runs SET status = 'rolled_back';",
        )?;
        tx.commit()?;
        Ok(())
    }
}
