//! The SQLite schema and row access: records as JSON, plus a side index of normalised field
//! values so lookups, uniqueness checks and reference clean-up never scan JSON.

use chrono::{DateTime, SecondsFormat, Utc};
use crm_core::{Error, Fields, ObjectDescriptor, Result, SchemaChange, SourceKey};
use rusqlite::{params, Connection, OptionalExtension};

use super::keys;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS schema_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    change TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    object     TEXT NOT NULL,
    id         TEXT NOT NULL,
    source_key TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    fields     TEXT NOT NULL,
    PRIMARY KEY (object, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS records_source_key
    ON records (object, source_key) WHERE source_key IS NOT NULL;
CREATE TABLE IF NOT EXISTS field_index (
    object TEXT NOT NULL,
    field  TEXT NOT NULL,
    key    TEXT NOT NULL,
    id     TEXT NOT NULL,
    PRIMARY KEY (object, field, key, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS field_index_row ON field_index (object, id);
";

/// One stored record.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Row {
    /// Destination id.
    pub(super) id: String,
    /// The source record it was written for, if any.
    pub(super) source_key: Option<SourceKey>,
    /// Creation time (as sent, or the time of the write).
    pub(super) created_at: DateTime<Utc>,
    /// Last update time.
    pub(super) updated_at: DateTime<Utc>,
    /// Non-empty fields.
    pub(super) fields: Fields,
}

/// Creates the tables if they are missing.
pub(super) fn init(conn: &Connection) -> Result<()> {
    conn.execute_batch(SCHEMA)?;
    Ok(())
}

/// Schema changes made in this sandbox, oldest first.
pub(super) fn schema_changes(conn: &Connection) -> Result<Vec<SchemaChange>> {
    let mut stmt = conn.prepare("SELECT change FROM schema_changes ORDER BY seq")?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    rows.iter()
        .map(|c| {
            serde_json::from_str(c)
                .map_err(|e| Error::unexpected("stored schema change unreadable").with_source(e))
        })
        .collect()
}

/// Persists a schema change.
pub(super) fn record_schema_change(conn: &Connection, change: &SchemaChange) -> Result<()> {
    conn.execute(
        "INSERT INTO schema_changes (change) VALUES (?1)",
        [serde_json::to_string(change)?],
    )?;
    Ok(())
}

/// Deletes every row (and its index entries) of a removed custom object.
pub(super) fn delete_object_rows(conn: &Connection, object: &str) -> Result<()> {
    conn.execute("DELETE FROM field_index WHERE object = ?1", [object])?;
    conn.execute("DELETE FROM records WHERE object = ?1", [object])?;
    Ok(())
}

/// Forgets a schema change (it was reverted).
pub(super) fn forget_schema_change(conn: &Connection, change: &SchemaChange) -> Result<()> {
    conn.execute(
        "DELETE FROM schema_changes WHERE change = ?1",
        [serde_json::to_string(change)?],
    )?;
    Ok(())
}

/// A new destination id: UUID-shaped (version 4 layout) from a counter that never goes back,
/// so ids are never reused and sort in creation order.
pub(super) fn next_id(conn: &Connection) -> Result<String> {
    let n: i64 = conn.query_row(
        "INSERT INTO meta (key, value) VALUES ('next_id', 1)
         ON CONFLICT (key) DO UPDATE SET value = value + 1 RETURNING value",
        [],
        |r| r.get(0),
    )?;
    Ok(format!("00000000-0000-4000-8000-{n:012x}"))
}

fn time_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn parse_time(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::unexpected(format!("stored time {s:?} is not RFC 3339")).with_source(e))
}

fn key_text(k: &Option<SourceKey>) -> Result<Option<String>> {
    Ok(match k {
        Some(k) => Some(serde_json::to_string(k)?),
        None => None,
    })
}

type RawRow = (String, Option<String>, String, String, String);

fn decode(raw: RawRow) -> Result<Row> {
    let (id, key, created, updated, fields) = raw;
    Ok(Row {
        id,
        source_key: match key {
            Some(k) => Some(serde_json::from_str(&k)?),
            None => None,
        },
        created_at: parse_time(&created)?,
        updated_at: parse_time(&updated)?,
        fields: serde_json::from_str(&fields)?,
    })
}

/// The record `id` of `object`, if it exists.
pub(super) fn get(conn: &Connection, object: &str, id: &str) -> Result<Option<Row>> {
    let raw = conn
        .prepare_cached(
            "SELECT id, source_key, created_at, updated_at, fields FROM records
             WHERE object = ?1 AND id = ?2",
        )?
        .query_row(params![object, id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    raw.map(decode).transpose()
}

/// Whether the record `id` of `object` exists.
pub(super) fn exists(conn: &Connection, object: &str, id: &str) -> Result<bool> {
    let found = conn
        .prepare_cached("SELECT 1 FROM records WHERE object = ?1 AND id = ?2")?
        .query_row(params![object, id], |_| Ok(()))
        .optional()?;
    Ok(found.is_some())
}

/// Inserts a new record of `obj` and indexes its fields.
pub(super) fn insert(conn: &Connection, obj: &ObjectDescriptor, row: &Row) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO records (object, id, source_key, created_at, updated_at, fields)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        obj.name,
        row.id,
        key_text(&row.source_key)?,
        time_text(&row.created_at),
        time_text(&row.updated_at),
        serde_json::to_string(&row.fields)?,
    ])?;
    index(conn, obj, row)
}

/// Rewrites an existing record of `obj` (fields, source key, updated time) and its index.
pub(super) fn update(conn: &Connection, obj: &ObjectDescriptor, row: &Row) -> Result<()> {
    conn.prepare_cached(
        "UPDATE records SET source_key = ?3, updated_at = ?4, fields = ?5
         WHERE object = ?1 AND id = ?2",
    )?
    .execute(params![
        obj.name,
        row.id,
        key_text(&row.source_key)?,
        time_text(&row.updated_at),
        serde_json::to_string(&row.fields)?,
    ])?;
    unindex(conn, &obj.name, &row.id)?;
    index(conn, obj, row)
}

/// Deletes a record and its index entries; false when it was not there.
pub(super) fn delete(conn: &Connection, object: &str, id: &str) -> Result<bool> {
    let n = conn
        .prepare_cached("DELETE FROM records WHERE object = ?1 AND id = ?2")?
        .execute(params![object, id])?;
    unindex(conn, object, id)?;
    Ok(n > 0)
}

fn index(conn: &Connection, obj: &ObjectDescriptor, row: &Row) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO field_index (object, field, key, id) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (name, value) in &row.fields {
        let Some(fd) = obj.get(name) else { continue };
        for e in keys::entries(fd.ty, value) {
            stmt.execute(params![obj.name, name, e.key, row.id])?;
        }
    }
    Ok(())
}

fn unindex(conn: &Connection, object: &str, id: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM field_index WHERE object = ?1 AND id = ?2")?
        .execute(params![object, id])?;
    Ok(())
}

/// The first record (in id order) of `object` whose `field` has the normalised `key`,
/// other than `except`.
pub(super) fn find(
    conn: &Connection,
    object: &str,
    field: &str,
    key: &str,
    except: Option<&str>,
) -> Result<Option<String>> {
    let id = conn
        .prepare_cached(
            "SELECT id FROM field_index
             WHERE object = ?1 AND field = ?2 AND key = ?3 AND id IS NOT ?4
             ORDER BY id LIMIT 1",
        )?
        .query_row(params![object, field, key, except], |r| r.get(0))
        .optional()?;
    Ok(id)
}

/// Every record of `object` whose `field` has the normalised `key`.
pub(super) fn find_all(
    conn: &Connection,
    object: &str,
    field: &str,
    key: &str,
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM field_index WHERE object = ?1 AND field = ?2 AND key = ?3 ORDER BY id",
    )?;
    let ids = stmt
        .query_map(params![object, field, key], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
}

/// The record of `object` written for source record `key`.
pub(super) fn find_by_source_key(
    conn: &Connection,
    object: &str,
    key: &SourceKey,
) -> Result<Option<String>> {
    let id = conn
        .prepare_cached("SELECT id FROM records WHERE object = ?1 AND source_key = ?2")?
        .query_row(params![object, serde_json::to_string(key)?], |r| r.get(0))
        .optional()?;
    Ok(id)
}

/// Number of records of `object`.
pub(super) fn count(conn: &Connection, object: &str) -> Result<usize> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM records WHERE object = ?1",
        params![object],
        |r| r.get(0),
    )?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Every record as `(object, id, fields)`, ordered by object then id.
pub(super) fn snapshot(conn: &Connection) -> Result<Vec<(String, String, Fields)>> {
    let mut stmt = conn.prepare("SELECT object, id, fields FROM records ORDER BY object, id")?;
    let raw = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    raw.into_iter()
        .map(|(o, id, f)| Ok((o, id, serde_json::from_str(&f)?)))
        .collect()
}
