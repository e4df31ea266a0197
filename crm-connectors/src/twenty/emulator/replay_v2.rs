//! The acceptance test of the v2 profile: replay the recorded exchanges of a real Twenty
//! v2.21.0 server (`reference/twenty-v2-live/probes/`, and this crate's
//! `recordings/v2-name-validation.json`) against the emulator and compare status, error
//! texts and, for refusals, the body's shape (keys and value types).
//!
//! Records are compared by status only: the v2 standard objects carry fields the emulator
//! does not serve (`avatarFile`, `listMemberships`, …), so a record's shape is not held.

use super::replay::{expand, map_ids, messages, shape, subst, subst_json};
use super::tests::call;
use super::{EmulatorConfig, TwentyEmulator};
use serde_json::Value;
use std::collections::HashMap;

/// Probes (or single exchanges, `Some(n)`) not replayed, and why.
const SKIP: &[(&str, Option<usize>, &str)] = &[
    (
        "01",
        None,
        "health, client config, OpenAPI documents and the admin panel are not emulated",
    ),
    (
        "04",
        None,
        "throttling needs a rate limit; see v2_rest_rate_limit_answers_as_recorded",
    ),
    ("07", None, "attachments and file uploads are not emulated"),
    ("12", None, "record merge is not emulated"),
    ("13", None, "workflows are not emulated"),
    (
        "10",
        Some(3),
        "GET with filter deletedAt[is]:NOT_NULL works; its recorded row is from 10#1's destroy",
    ),
    (
        "10",
        Some(7),
        "`?soft_delete=true` on DELETE is not emulated (the sink destroys)",
    ),
    ("10", Some(8), "as 10#7"),
    ("10", Some(9), "as 10#7"),
    ("10", Some(10), "as 10#7"),
    ("10", Some(11), "as 10#7"),
    ("10", Some(12), "as 10#7"),
    ("10", Some(13), "the restore routes are not emulated"),
    ("10", Some(14), "as 10#13"),
    ("10", Some(15), "as 10#13"),
    ("10", Some(17), "as 10#7"),
    ("10", Some(19), "as 10#13"),
];

fn skipped(file: &str, i: usize) -> bool {
    SKIP.iter()
        .any(|(p, n, _)| file.starts_with(p) && n.is_none_or(|n| n == i))
}

/// Records a recorded list answer shows that the replay did not make (Twenty seeds a new
/// workspace with companies and people; probes read them and link to them): created with
/// their recorded ids and no other value, so later exchanges that name them find them.
async fn seed_listed(
    emu: &TwentyEmulator,
    path: &str,
    recorded: &Value,
    ids: &mut HashMap<String, String>,
) {
    let Some(plural) = path
        .strip_prefix("/rest/")
        .map(|p| p.split(['?', '/']).next().unwrap_or(p))
    else {
        return;
    };
    if plural.starts_with("metadata") {
        return;
    }
    let rows = recorded
        .pointer(&format!("/data/{plural}"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for r in rows {
        let Some(id) = r.get("id").and_then(Value::as_str) else {
            continue;
        };
        if ids.contains_key(id) || ids.values().any(|v| v == id) {
            continue;
        }
        let body = serde_json::json!({"id": id});
        if let Ok((201, _, _)) = call(
            emu,
            "POST",
            &format!("/rest/{plural}"),
            Some(&body),
            Some(emu.api_key()),
        )
        .await
        {
            ids.insert(id.to_string(), id.to_string());
        }
    }
}

/// Replays `exchanges` in order; returns (replayed, failures).
async fn replay(
    emu: &TwentyEmulator,
    name: &str,
    exchanges: &[Value],
    ids: &mut HashMap<String, String>,
    full_shape: bool,
) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (i, ex) in exchanges.iter().enumerate() {
        if skipped(name, i) {
            continue;
        }
        let method = ex["method"].as_str().unwrap_or("GET");
        let raw_path = ex["path"].as_str().unwrap_or("/");
        if !raw_path.starts_with('/') {
            continue; // a database query noted in the probe, not an HTTP exchange
        }
        let path = subst(raw_path, ids);
        if method == "GET" && ex["status"] == 200 {
            seed_listed(emu, &path, &ex["response_body"], ids).await;
        }
        let body = match &ex["request_body"] {
            Value::Null => None,
            b => Some(subst_json(&expand(b), ids)),
        };
        let Ok((status, _, got)) =
            call(emu, method, &path, body.as_ref(), Some(emu.api_key())).await
        else {
            failures.push(format!("{name}#{i}: no response"));
            continue;
        };
        replayed += 1;
        let want = &ex["response_body"];
        map_ids(want, &got, ids);
        let want = subst_json(want, ids);
        let expected = ex["status"].as_u64().unwrap_or(0) as u16;
        if status != expected {
            failures.push(format!(
                "{name}#{i} {method} {path}: status {status}, recorded {expected}: {}",
                got.to_string().chars().take(300).collect::<String>()
            ));
            continue;
        }
        let mut diffs = Vec::new();
        if expected >= 400 || want.get("errors").is_some() {
            if full_shape || expected >= 400 {
                shape(&want, &got, "", &mut diffs);
            }
            let (a, b) = (messages(&want), messages(&got));
            if a != b {
                diffs.push(format!("message {b:?} vs recorded {a:?}"));
            }
            for key in ["error", "message", "summary", "userFriendlyMessage"] {
                if want.get(key) != got.get(key) {
                    diffs.push(format!("{key}: {} vs recorded {}", got[key], want[key]));
                }
            }
        }
        if !diffs.is_empty() {
            failures.push(format!("{name}#{i} {method} {path}: {}", diffs.join("; ")));
        }
    }
    (replayed, failures)
}

#[tokio::test]
async fn replay_recorded_v2_probes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference/twenty-v2-live/probes");
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
    let mut failures = Vec::new();
    let mut replayed = 0;
    for file in files {
        let name = file
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        // One workspace per probe, as each probe starts from its own records.
        let emu = TwentyEmulator::start(EmulatorConfig::default())
            .await
            .expect("emulator starts");
        let text = std::fs::read_to_string(&file).expect("probe readable");
        let probe: Value = serde_json::from_str(&text).expect("probe is JSON");
        let exchanges = probe["exchanges"].as_array().cloned().unwrap_or_default();
        let mut ids = HashMap::new();
        let (n, f) = replay(&emu, &name, &exchanges, &mut ids, false).await;
        replayed += n;
        failures.extend(f);
    }
    assert!(replayed > 80, "replayed only {replayed}");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The name refusals recorded on the v2.21 server (reserved field and object names, names
/// that are not camelCase or too long, a taken name): same status, same envelope, same codes
/// and messages.
#[tokio::test]
async fn replay_recorded_v2_name_refusals() {
    let text = include_str!("recordings/v2-name-validation.json");
    let rec: Value = serde_json::from_str(text).expect("recording is JSON");
    let emu = TwentyEmulator::start(EmulatorConfig::default())
        .await
        .expect("emulator starts");
    let (_, _, objects) = call(
        &emu,
        "GET",
        "/rest/metadata/objects",
        None,
        Some(emu.api_key()),
    )
    .await
    .expect("metadata answers");
    let person = objects["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["nameSingular"] == "person")
        .and_then(|o| o["id"].as_str())
        .expect("person object")
        .to_string();
    let mut ids = HashMap::new();
    ids.insert("<person objectMetadataId>".to_string(), person);
    let exchanges: Vec<Value> = rec["exchanges"].as_array().cloned().unwrap_or_default();
    let mut failures = Vec::new();
    for (i, ex) in exchanges.iter().enumerate() {
        let body = subst_json(&ex["request_body"], &ids);
        let path = ex["path"].as_str().unwrap_or("/");
        let (status, headers, got) = call(&emu, "POST", path, Some(&body), Some(emu.api_key()))
            .await
            .expect("emulator answers");
        let title = ex["title"].as_str().unwrap_or("?");
        let want = &ex["response_body"];
        if u64::from(status) != ex["status"].as_u64().unwrap_or(0) {
            failures.push(format!("#{i} {title}: status {status}"));
            continue;
        }
        if headers.get("content-type").and_then(|v| v.to_str().ok()) != ex["content_type"].as_str()
        {
            failures.push(format!(
                "#{i} {title}: content type {:?}",
                headers.get("content-type")
            ));
        }
        for key in ["statusCode", "error", "message"] {
            if want[key] != got[key] {
                failures.push(format!("#{i} {title}: {key} {} vs {}", got[key], want[key]));
            }
        }
        // The failing rule: the object entry for an object, the field entry for a field.
        let group = if want["errors"].get("objectMetadata").is_some() {
            "objectMetadata"
        } else {
            "fieldMetadata"
        };
        let rule = |v: &Value| v["errors"][group][0]["errors"].clone();
        if rule(want) != rule(&got) {
            failures.push(format!(
                "#{i} {title}: rule {} vs recorded {}",
                rule(&got),
                rule(want)
            ));
        }
        let named = |v: &Value| {
            let info = &v["errors"][group][0]["flatEntityMinimalInformation"];
            (
                info["name"].clone(),
                info["nameSingular"].clone(),
                info["namePlural"].clone(),
            )
        };
        if named(want) != named(&got) {
            failures.push(format!(
                "#{i} {title}: entity {:?} vs {:?}",
                named(&got),
                named(want)
            ));
        }
        if group == "fieldMetadata" {
            // The whole body, knock-on view failures and summary included.
            let mut diffs = Vec::new();
            shape(want, &got, "", &mut diffs);
            for key in ["summary", "userFriendlyMessage"] {
                if want[key] != got[key] {
                    diffs.push(format!("{key} {} vs {}", got[key], want[key]));
                }
            }
            if !diffs.is_empty() {
                failures.push(format!("#{i} {title}: {}", diffs.join("; ")));
            }
        }
    }
    assert_eq!(exchanges.len(), 6);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
