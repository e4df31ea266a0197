#!/usr/bin/env python3
"""The "straightforward script" baseline of issue 11: read a User.com CSV export with the
csv module, apply the same kind of normalisations crm-migrate applies (trimmed cells,
lower-cased and checked emails, phone numbers reduced to E.164 digits, Postgres and ISO
timestamps to RFC 3339 UTC, t/f booleans, numbers, Postgres arrays `{a,"b c"}` to lists,
JSON cells parsed), and write one SQLite row per CSV row, all in one transaction.

It has no journal, no references, no dedupe, no report: it is the floor a migration tool
is compared against, not a migration.

usage: python_baseline.py EXPORT_DIR OUT.sqlite
"""

import csv
import json
import os
import re
import sqlite3
import sys
from datetime import datetime, timezone

csv.field_size_limit(1 << 30)

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
BOOLS = {"t": True, "true": True, "1": True, "f": False, "false": False, "0": False}
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def timestamp(v):
    try:
        t = datetime.fromisoformat(v)
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return t.astimezone(timezone.utc).isoformat()


def pg_array(v):
    """`{a,"b c",d}` -> ["a", "b c", "d"]."""
    out, cur, quoted, i, inner = [], [], False, 0, v[1:-1]
    while i < len(inner):
        c = inner[i]
        if quoted:
            if c == "\\" and i + 1 < len(inner):
                cur.append(inner[i + 1])
                i += 1
            elif c == '"':
                quoted = False
            else:
                cur.append(c)
        elif c == '"':
            quoted = True
        elif c == ",":
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    if cur or inner:
        out.append("".join(cur))
    return out


def normalise(name, v):
    v = v.strip()
    if v == "":
        return None
    if "email" in name:
        e = v.lower()
        return e if EMAIL.match(e) else {"invalid": v}
    if "phone" in name:
        digits = re.sub(r"[^\d+]", "", v)
        return digits if digits.startswith("+") else "+" + digits
    if v[0] in "[{" and v[-1] in "]}":
        if v[0] == "{" and not v.startswith('{"') and ":" not in v:
            return pg_array(v)
        try:
            return json.loads(v)
        except ValueError:
            return pg_array(v) if v[0] == "{" else v
    lower = v.lower()
    if lower in BOOLS and name not in ("id", "score", "assigned_to"):
        return BOOLS[lower]
    if len(v) >= 19 and v[4] == "-" and v[10] in " T":
        return timestamp(v) or v
    if DATE.match(v):
        return v
    if NUMBER.match(v):
        return float(v) if "." in v else int(v)
    return v


def main(src, out):
    if os.path.exists(out):
        os.remove(out)
    db = sqlite3.connect(out)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute(
        "CREATE TABLE records (object TEXT NOT NULL, id TEXT NOT NULL, fields TEXT NOT NULL,"
        " PRIMARY KEY (object, id))"
    )
    rows = 0
    with db:  # one transaction
        for file in sorted(os.listdir(src)):
            if not file.endswith(".csv"):
                continue
            obj = file[:-4]
            with open(os.path.join(src, file), newline="", encoding="utf-8-sig") as fh:
                for row in csv.DictReader(fh):
                    fields = {k.strip().lower(): normalise(k.strip().lower(), v or "") for k, v in row.items() if k}
                    key = row.get("id") or str(rows)
                    db.execute(
                        "INSERT OR REPLACE INTO records (object, id, fields) VALUES (?, ?, ?)",
                        (obj, key, json.dumps(fields, ensure_ascii=False, default=str)),
                    )
                    rows += 1
    db.close()
    print(f"{rows} rows", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
