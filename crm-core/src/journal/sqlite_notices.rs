//! Field-level notices and per-file row counts in the SQLite journal.

use rusqlite::{params, Connection};

use super::sqlite_rows::{key_text, parse_key};
use super::types::*;
use crate::model::SourceKey;
use crate::Result;

/// Inserts notices for records of `object` in `run` (idempotent per record, kind and field).
pub(super) fn insert(
    tx: &rusqlite::Transaction<'_>,
    run: i64,
    object: &str,
    key: &str,
    notices: &[Notice],
) -> Result<()> {
    for n in notices {
        tx.prepare_cached(
            "INSERT OR REPLACE INTO notices (run, object, key, kind, field, value, reason, open, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1,
                     (SELECT COALESCE(MAX(seq), 0) + 1 FROM notices WHERE run = ?1))",
        )?
        .execute(
            params![run, object, key, n.kind.as_str(), n.field, n.value, n.reason],
        )?;
    }
    Ok(())
}

/// A record of `object` was written in `run`: links earlier runs could not make are closed
/// (this write either made them or records them again).
pub(super) fn close_links(
    tx: &rusqlite::Transaction<'_>,
    run: i64,
    object: &str,
    key: &str,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE notices SET open = 0
         WHERE object = ?1 AND key = ?2 AND kind = 'link_not_made' AND open = 1 AND run < ?3",
    )?
    .execute(params![object, key, run])?;
    Ok(())
}

pub(super) fn record(
    conn: &mut Connection,
    run: i64,
    phase: &str,
    notices: &[(SourceKey, Notice)],
) -> Result<()> {
    let tx = conn.transaction()?;
    for (key, n) in notices {
        insert(&tx, run, phase, &key_text(key), std::slice::from_ref(n))?;
    }
    tx.commit()?;
    Ok(())
}

pub(super) fn list(conn: &Connection, run: i64, kind: NoticeKind) -> Result<Vec<NoticeRow>> {
    let mut stmt = conn.prepare(
        "SELECT object, key, field, value, reason FROM notices
         WHERE run = ?1 AND kind = ?2 ORDER BY seq",
    )?;
    let rows: Vec<(String, String, String, Option<String>, String)> = stmt
        .query_map(params![run, kind.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter()
        .map(|(object, key, field, value, reason)| {
            Ok(NoticeRow {
                object,
                key: parse_key(&key)?,
                notice: Notice::new(kind, field, value, reason),
            })
        })
        .collect()
}

/// [`list`], handed to `each` one row at a time.
pub(super) fn each(
    conn: &Connection,
    run: i64,
    kind: NoticeKind,
    each: &mut dyn FnMut(NoticeRow) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT object, key, field, value, reason FROM notices
         WHERE run = ?1 AND kind = ?2 ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![run, kind.as_str()])?;
    while let Some(r) = rows.next()? {
        let key: String = r.get(1)?;
        each(NoticeRow {
            object: r.get(0)?,
            key: parse_key(&key)?,
            notice: Notice::new(
                kind,
                r.get::<_, String>(2)?,
                r.get(3)?,
                r.get::<_, String>(4)?,
            ),
        })?;
    }
    Ok(())
}

pub(super) fn has_open_links(conn: &Connection, object: &str, key: &SourceKey) -> Result<bool> {
    let n: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM notices
             WHERE object = ?1 AND key = ?2 AND kind = 'link_not_made' AND open = 1",
        )?
        .query_row(params![object, key_text(key)], |r| r.get(0))?;
    Ok(n > 0)
}

/// Adds each object's notice counts of `run` to `counts`.
pub(super) fn add_counts(
    conn: &Connection,
    run: i64,
    counts: &mut [(String, Counts)],
) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT object, kind, COUNT(*) FROM notices WHERE run = ?1 GROUP BY object, kind",
    )?;
    let rows: Vec<(String, String, i64)> = stmt
        .query_map([run], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (object, kind, n) in rows {
        if let Some((_, c)) = counts.iter_mut().find(|(o, _)| *o == object) {
            match NoticeKind::parse(&kind) {
                Some(NoticeKind::ValueDropped) => c.values_dropped += n as u64,
                Some(NoticeKind::LinkNotMade) => c.links_not_made += n as u64,
                None => {}
            }
        }
    }
    Ok(())
}

/// Rows per source object: each source record once, under its best outcome across phases.
pub(super) fn source_rows(conn: &Connection, run: i64) -> Result<Vec<(String, Counts)>> {
    // The key is `system/object/id`: the source object is between the first two slashes.
    let mut stmt = conn.prepare(
        "WITH k AS (
             SELECT key, substr(key, instr(key, '/') + 1) AS rest,
                    MAX(CASE outcome WHEN 'created' THEN 7 WHEN 'updated' THEN 6
                                     WHEN 'adopted' THEN 5 WHEN 'merged' THEN 4
                                     WHEN 'rejected' THEN 3
                                     WHEN 'queued' THEN 2 ELSE 1 END) AS best,
                    MIN(seq) AS first
             FROM outcomes WHERE run = ?1 GROUP BY key
         )
         SELECT substr(rest, 1, instr(rest, '/') - 1) AS object, best, COUNT(*), MIN(first)
         FROM k GROUP BY object, best ORDER BY MIN(first)",
    )?;
    let rows: Vec<(String, i64, i64)> = stmt
        .query_map([run], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out: Vec<(String, Counts)> = Vec::new();
    for (object, best, n) in rows {
        let idx = match out.iter().position(|(o, _)| *o == object) {
            Some(i) => i,
            None => {
                out.push((object, Counts::default()));
                out.len() - 1
            }
        };
        let outcome = match best {
            7 => Outcome::Created,
            6 => Outcome::Updated,
            5 => Outcome::Adopted,
            4 => Outcome::Merged,
            3 => Outcome::Rejected,
            2 => Outcome::Queued,
            _ => Outcome::Skipped,
        };
        let c = &mut out[idx].1;
        c.add(outcome, n as u64);
        c.source += n as u64;
    }
    Ok(out)
}
