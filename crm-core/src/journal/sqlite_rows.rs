//! Row-level helpers of [`super::SqliteJournal`]: recording one outcome (with its id-map,
//! content-index, deferred-link and undo entries) and decoding outcome rows.

use rusqlite::{params, Connection, OptionalExtension};

use super::types::*;
use crate::model::{Record, SourceKey};
use crate::{Error, Result};

/// Now, to the second (what a person reads in a report).
pub(super) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub(super) fn key_text(k: &SourceKey) -> String {
    k.to_string()
}

pub(super) fn parse_key(s: &str) -> Result<SourceKey> {
    s.parse()
}

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    Ok(serde_json::to_string(v)?)
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s)
        .map_err(|e| Error::state("journal holds a value it cannot read").with_source(e))
}

pub(super) fn write_settled(
    tx: &rusqlite::Transaction<'_>,
    run: i64,
    phase: &str,
    attempt: i64,
    s: &Settled,
) -> Result<()> {
    let key = key_text(&s.key);
    let (merged_into, payload) = match &s.merged_into {
        Some((k, rec)) => (Some(key_text(k)), Some(to_json(rec)?)),
        None => (None, None),
    };
    let attempt = if s.reconciled { attempt - 1 } else { attempt };
    let seq: i64 = tx
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) + 1 FROM outcomes WHERE run = ?1")?
        .query_row([run], |r| r.get(0))?;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO outcomes (run, phase, key, outcome, attempt, dest_id, field, value, reason, merged_into, payload, seq, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(
        params![
            run,
            phase,
            key,
            s.outcome.as_str(),
            attempt,
            s.dest.as_ref().map(|d| d.1.clone()),
            s.field,
            s.value,
            s.reason,
            merged_into,
            payload,
            seq,
            s.hash
        ],
    )?;
    super::sqlite_notices::insert(tx, run, phase, &key, &s.notices)?;
    if let Some((object, id)) = &s.dest {
        if matches!(
            s.outcome,
            Outcome::Created | Outcome::Updated | Outcome::Merged | Outcome::Adopted
        ) {
            super::sqlite_notices::close_links(tx, run, phase, &key)?;
            // An update keeps the first origin (a record created in run 1 and updated in a
            // delta run is still one this tool created).
            let origin: Option<String> = tx
                .prepare_cached("SELECT origin FROM id_map WHERE key = ?1")?
                .query_row([&key], |r| r.get(0))
                .optional()?;
            let origin = origin.unwrap_or_else(|| s.outcome.as_str().to_string());
            tx.prepare_cached(
                "INSERT OR REPLACE INTO id_map (key, object, dest_id, hash, written, origin, run)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                key,
                object,
                id,
                s.hash.clone().unwrap_or_default(),
                to_json(&s.written)?,
                origin,
                run
            ])?;
            for (kind, value) in &s.refs {
                tx.prepare_cached(
                    "INSERT INTO ref_index (object, kind, value, dest_id) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (object, kind, value) DO UPDATE SET
                       ambiguous = ambiguous OR (ref_index.dest_id <> excluded.dest_id)",
                )?
                .execute(params![object, kind, value, id])?;
            }
            for (field, value) in &s.deferred {
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO deferred (run, object, key, field, value) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(
                    params![run, object, key, field, to_json(value)?],
                )?;
            }
            if let Some(undo) = &s.undo {
                tx.prepare_cached(
                    "INSERT INTO undo_log (run, object, dest_id, action) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![run, object, id, to_json(undo)?])?;
            }
        }
    }
    Ok(())
}

pub(super) fn current_attempt(conn: &Connection, run: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT attempt FROM runs WHERE run = ?1")?
        .query_row([run], |r| r.get(0))?)
}

pub(super) fn outcome_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
    ))
}

pub(super) type RawRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub(super) fn to_outcome_row(raw: RawRow) -> Result<OutcomeRow> {
    let (object, key, outcome, dest_id, field, value, reason, merged_into, payload, hash) = raw;
    let merged_into = match (merged_into, payload) {
        (Some(k), Some(p)) => Some((parse_key(&k)?, from_json::<Record>(&p)?)),
        _ => None,
    };
    Ok(OutcomeRow {
        object,
        key: parse_key(&key)?,
        outcome: Outcome::parse(&outcome)
            .ok_or_else(|| Error::state(format!("unknown outcome {outcome:?} in journal")))?,
        dest_id,
        field,
        value,
        reason,
        merged_into,
        hash,
    })
}

pub(super) const OUTCOME_COLS: &str =
    "SELECT phase, key, outcome, dest_id, field, value, reason, merged_into, payload, hash FROM outcomes";
