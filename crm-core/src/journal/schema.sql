-- crm-migrate journal, schema version 1.
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run INTEGER PRIMARY KEY,
    checksum TEXT NOT NULL,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 1,
    started TEXT NOT NULL,
    finished TEXT,
    plan TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS phases (
    run INTEGER NOT NULL, phase TEXT NOT NULL, source INTEGER NOT NULL,
    PRIMARY KEY (run, phase)
);
-- One row per (run, object, source record): how it ended.
CREATE TABLE IF NOT EXISTS outcomes (
    run INTEGER NOT NULL, phase TEXT NOT NULL, key TEXT NOT NULL,
    outcome TEXT NOT NULL, attempt INTEGER NOT NULL, dest_id TEXT,
    field TEXT, value TEXT, reason TEXT,
    merged_into TEXT, payload TEXT, hash TEXT,
    seq INTEGER NOT NULL,
    PRIMARY KEY (run, phase, key)
);
CREATE INDEX IF NOT EXISTS outcomes_seq ON outcomes (run, seq);
CREATE INDEX IF NOT EXISTS outcomes_pending_merge ON outcomes (run, phase) WHERE merged_into IS NOT NULL AND dest_id IS NULL;
-- Where each source record landed (across runs, until a rollback).
CREATE TABLE IF NOT EXISTS id_map (
    key TEXT PRIMARY KEY, object TEXT NOT NULL, dest_id TEXT NOT NULL,
    hash TEXT NOT NULL, written TEXT NOT NULL, origin TEXT NOT NULL, run INTEGER NOT NULL
);
-- Content index for references by email/domain/name; `ambiguous` is set when a second
-- record holds the same value.
CREATE TABLE IF NOT EXISTS ref_index (
    object TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, dest_id TEXT NOT NULL,
    ambiguous INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (object, kind, value)
);
CREATE TABLE IF NOT EXISTS claims (
    run INTEGER NOT NULL, object TEXT NOT NULL, value TEXT NOT NULL, key TEXT NOT NULL,
    PRIMARY KEY (run, object, value)
);
CREATE TABLE IF NOT EXISTS in_flight (
    run INTEGER NOT NULL, phase TEXT NOT NULL, batch TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (run, batch)
);
CREATE TABLE IF NOT EXISTS undo_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, run INTEGER NOT NULL, object TEXT NOT NULL,
    dest_id TEXT NOT NULL, action TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS deferred (
    run INTEGER NOT NULL, object TEXT NOT NULL, key TEXT NOT NULL, field TEXT NOT NULL,
    value TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0, problem TEXT,
    PRIMARY KEY (run, object, key, field)
);
CREATE TABLE IF NOT EXISTS schema_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, run INTEGER NOT NULL, change TEXT NOT NULL,
    reverted INTEGER NOT NULL DEFAULT 0
);
-- Field-level notices about records that loaded: values left out (`value_dropped`) and
-- optional links not made (`link_not_made`, `open` until a later run makes the link).
CREATE TABLE IF NOT EXISTS notices (
    run INTEGER NOT NULL, object TEXT NOT NULL, key TEXT NOT NULL, kind TEXT NOT NULL,
    field TEXT NOT NULL, value TEXT, reason TEXT NOT NULL, open INTEGER NOT NULL DEFAULT 1,
    seq INTEGER NOT NULL,
    PRIMARY KEY (run, object, key, kind, field)
);
-- The next notice's order is MAX(seq) + 1 within the run: without this index each insert
-- scanned every notice of the run (quadratic in the notices of a run).
CREATE INDEX IF NOT EXISTS notices_seq ON notices (run, seq);
CREATE INDEX IF NOT EXISTS notices_open ON notices (object, key) WHERE open = 1 AND kind = 'link_not_made';
-- What each undo did, across the attempts of a rollback (cleared when a new run starts):
-- `deleted`, `already_gone`, `restored` or `failed` (with the reason).
CREATE TABLE IF NOT EXISTS undo_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER, how TEXT NOT NULL,
    object TEXT NOT NULL, dest_id TEXT NOT NULL, reason TEXT
);
-- Records found in the destination carrying a source key (read once by a first run), so
-- that what a run with a lost state directory wrote is adopted, not written twice.
CREATE TABLE IF NOT EXISTS known_keys (
    object TEXT NOT NULL, key TEXT NOT NULL, dest_id TEXT NOT NULL,
    PRIMARY KEY (object, key)
);
CREATE TABLE IF NOT EXISTS key_scans (run INTEGER NOT NULL, object TEXT NOT NULL, PRIMARY KEY (run, object));
