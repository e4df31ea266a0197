//! The acceptance test of the v1 profile: replay every recorded exchange of
//! `reference/twenty-live/probes/` (the v1.4-era server) against the emulator and compare status and response shape (keys and value types).

use super::tests::call;
use super::{EmulatorConfig, TwentyEmulator};
use serde_json::Value;
use std::collections::HashMap;

/// Exchanges not replayed, and why (probe file prefix, exchange index, reason).
const SKIP: &[(&str, usize, &str)] = &[
    (
        "02",
        8,
        "5000-record batch: skipped for speed; the 1000-record batch covers the path",
    ),
    (
        "03",
        8,
        "the 1000-row updatePeople response is trimmed in the recording; 03/12 covers it",
    ),
    (
        "12",
        7,
        "cursor built from recorded createdAt values of 6658 rows that are not replayed",
    ),
    ("12", 8, "as 12/7"),
    ("12", 14, "as 12/7 (GraphQL after-cursor on recorded rows)"),
    (
        "13",
        5,
        "throttling needs the server restarted with LIMIT=10; see rest_rate_limit_answers_429",
    ),
];

/// Error messages that carry run-specific text (recorded ids, recorded row counts).
pub(super) fn messages(v: &Value) -> Option<String> {
    v.get("messages")
        .or_else(|| v.pointer("/errors/0/message"))
        .map(|m| m.to_string())
}

fn is_uuid(s: &str) -> bool {
    super::store::is_uuid(s)
}

pub(super) fn map_ids(rec: &Value, emu: &Value, ids: &mut HashMap<String, String>) {
    match (rec, emu) {
        (Value::String(a), Value::String(b)) if is_uuid(a) && is_uuid(b) => {
            ids.entry(a.clone()).or_insert_with(|| b.clone());
        }
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                if let Some(w) = b.get(k) {
                    map_ids(v, w, ids);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (v, w) in a.iter().zip(b) {
                map_ids(v, w, ids);
            }
        }
        _ => {}
    }
}

pub(super) fn subst(s: &str, ids: &HashMap<String, String>) -> String {
    let mut out = s.to_string();
    for (a, b) in ids {
        if out.contains(a.as_str()) {
            out = out.replace(a.as_str(), b);
        }
    }
    out
}

pub(super) fn subst_json(v: &Value, ids: &HashMap<String, String>) -> Value {
    serde_json::from_str(&subst(&v.to_string(), ids)).unwrap_or(Value::Null)
}

/// `"... 57 more items trimmed (total 60)"` → 60.
fn trimmed_total(v: &Value) -> Option<usize> {
    let s = v.as_str()?;
    let t = s.split("(total ").nth(1)?.trim_end_matches(')');
    s.starts_with("... ").then(|| t.parse().ok()).flatten()
}

/// Rebuild item `i` of a trimmed list from items 0 and 1 (the index is the only change).
fn nth_item(a: &Value, b: &Value, i: usize) -> Value {
    match (a, b) {
        (Value::String(x), Value::String(y)) if x != y => {
            let pre = x.chars().zip(y.chars()).take_while(|(p, q)| p == q).count();
            let suf = x
                .chars()
                .rev()
                .zip(y.chars().rev())
                .take_while(|(p, q)| p == q)
                .count();
            let xs: Vec<char> = x.chars().collect();
            let head: String = xs[..pre.min(xs.len())].iter().collect();
            let tail: String = xs[xs.len().saturating_sub(suf).max(pre)..].iter().collect();
            Value::String(format!("{head}{i}{tail}"))
        }
        (Value::Object(x), Value::Object(y)) => Value::Object(
            x.iter()
                .map(|(k, v)| (k.clone(), nth_item(v, y.get(k).unwrap_or(v), i)))
                .collect(),
        ),
        _ => a.clone(),
    }
}

pub(super) fn expand(v: &Value) -> Value {
    match v {
        Value::Array(items) => {
            if let (Some(total), true) = (items.last().and_then(trimmed_total), items.len() >= 3) {
                let mut out: Vec<Value> = items[..items.len() - 1].to_vec();
                for i in out.len()..total {
                    out.push(nth_item(&items[0], &items[1], i));
                }
                return Value::Array(out);
            }
            Value::Array(items.iter().map(expand).collect())
        }
        Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (k.clone(), expand(x))).collect()),
        other => other.clone(),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

pub(super) fn shape(rec: &Value, emu: &Value, at: &str, out: &mut Vec<String>) {
    if rec.is_null() || emu.is_null() {
        return;
    }
    if kind(rec) != kind(emu) {
        out.push(format!(
            "{at}: recorded {} vs emulator {}",
            kind(rec),
            kind(emu)
        ));
        return;
    }
    match (rec, emu) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                match b.get(k) {
                    Some(w) => shape(v, w, &format!("{at}.{k}"), out),
                    // Custom fields made by probe 14 show up in records of earlier-numbered
                    // probes that ran after it; relation embeds of unemulated objects too.
                    None if k.contains("6440") => {}
                    None => out.push(format!("{at}.{k}: missing")),
                }
            }
            for k in b
                .keys()
                .filter(|k| !a.contains_key(*k) && !k.contains("6440"))
            {
                out.push(format!("{at}.{k}: extra"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if let (Some(x), Some(y)) =
                (a.first().filter(|x| trimmed_total(x).is_none()), b.first())
            {
                shape(x, y, &format!("{at}[0]"), out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn replay_recorded_probes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference/twenty-live/probes");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("recordings not found at {}; replay skipped", dir.display());
        return;
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    // Probe 05 ran before probe 04 on the real server (04 upserts the person 05 created).
    files.sort_by_key(|p| {
        let n = p
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        if n.starts_with("05") {
            "03z".to_string()
        } else {
            n
        }
    });
    let emu = TwentyEmulator::start(EmulatorConfig::v1())
        .await
        .expect("emulator starts");
    emu.seed_member("admin@example.com", "", "");
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut failures = Vec::new();
    let mut replayed = 0;
    for file in files {
        let name = file
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&file).expect("probe readable");
        let probe: Value = serde_json::from_str(&text).expect("probe is JSON");
        for (i, ex) in probe["exchanges"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            if SKIP.iter().any(|(p, n, _)| name.starts_with(p) && *n == i) {
                continue;
            }
            let method = ex["method"].as_str().unwrap_or("GET");
            let raw_path = ex["path"].as_str().unwrap_or("/");
            // Labels such as " (with an invalid token)" follow the path in the recording.
            let path = subst(raw_path.split(" (").next().unwrap_or(raw_path), &ids);
            let key = if ex["label"].as_str().unwrap_or("").contains("invalid token") {
                "bad"
            } else {
                emu.api_key()
            };
            let body = match &ex["request_body"] {
                Value::Null => None,
                Value::String(s) if s.contains("11 MB") => Some(
                    serde_json::json!([{"name": {"firstName": "x"}, "jobTitle": "x".repeat(11 * 1024 * 1024)}]),
                ),
                b => Some(subst_json(&expand(b), &ids)),
            };
            let Ok((status, _, got)) = call(&emu, method, &path, body.as_ref(), Some(key)).await
            else {
                failures.push(format!("{name}#{i}: no response"));
                continue;
            };
            replayed += 1;
            let want = &ex["response_body"];
            map_ids(want, &got, &mut ids);
            let want = subst_json(want, &ids);
            let expected = ex["status"].as_u64().unwrap_or(0) as u16;
            if status != expected {
                failures.push(format!(
                    "{name}#{i} {method} {path}: status {status}, recorded {expected}: {}",
                    got.to_string().chars().take(300).collect::<String>()
                ));
                continue;
            }
            let mut diffs = Vec::new();
            shape(&want, &got, "", &mut diffs);
            if expected >= 400 || want.get("errors").is_some() {
                if let (Some(a), Some(b)) = (messages(&want), messages(&got)) {
                    if a != b {
                        diffs.push(format!("message {b} vs recorded {a}"));
                    }
                }
            }
            if !diffs.is_empty() {
                failures.push(format!("{name}#{i} {method} {path}: {}", diffs.join("; ")));
            }
        }
    }
    assert!(replayed > 150, "replayed only {replayed}");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
