//! The command-line tool against the Twenty emulator: run, verify and rollback through the
//! real HTTP sink, with the API key taken from the environment only.
#![cfg(feature = "emulators")]

use std::path::Path;
use std::process::Command;

use crm_migrate::connectors::twenty::emulator::{EmulatorConfig, TwentyEmulator};

async fn cli(args: Vec<String>, key: String) -> (i32, String, String) {
    tokio::task::spawn_blocking(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_crm-migrate"))
            .args(&args)
            .env("TWENTY_API_KEY", key)
            .output()
            .expect("run crm-migrate");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .unwrap()
}

fn s(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_verify_rollback_against_the_twenty_emulator() {
    let emu = TwentyEmulator::start(EmulatorConfig::default())
        .await
        .unwrap();
    let (url, key) = (emu.url(), emu.api_key().to_string());
    let dir = tempfile::tempdir().unwrap();
    let (input, state) = (dir.path().join("in"), dir.path().join("state"));
    let (code, out, err) = cli(
        vec![
            "sample".into(),
            "canonical".into(),
            "--records".into(),
            "80".into(),
            "--out".into(),
            s(&input),
        ],
        key.clone(),
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    for (email, first, last) in [
        ("anna.owner@sample-crm.test", "Anna", "Owner"),
        ("bruno.sales@sample-crm.test", "Bruno", "Sales"),
        ("carla.success@sample-crm.test", "Carla", "Success"),
    ] {
        emu.seed_member(email, first, last);
    }
    let before = (
        emu.count("people"),
        emu.count("companies"),
        emu.count("opportunities"),
        emu.count("tasks"),
        emu.count("notes"),
    );

    let to = format!("twenty:{url}");
    let run = vec![
        "run",
        "--from",
        "canonical",
        "--input",
        &s(&input),
        "--to",
        &to,
        "--state",
        &s(&state),
        "--rate-limit",
        "0",
        "--batch-size",
        "25",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    let (code, out, err) = cli(run.clone(), key.clone()).await;
    assert_eq!(code, 3, "queued orphans make it partial\n{out}{err}");
    assert!(
        !out.contains(&key) && !err.contains(&key),
        "the API key leaked into the output"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["balanced"], true, "{report}");
    let created = |o: &str| {
        report["objects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["object"] == o)
            .unwrap()["created"]
            .as_u64()
            .unwrap() as usize
    };
    assert_eq!(emu.count("people"), before.0 + created("person"));
    assert_eq!(emu.count("companies"), before.1 + created("company"));
    assert_eq!(emu.count("tasks"), before.3 + created("task"));
    let state_files: String = std::fs::read_dir(&state)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
        .collect();
    assert!(
        !state_files.contains(&key),
        "the API key was written to the state directory"
    );

    let (code, out, err) = cli(
        vec!["verify".into(), "--state".into(), s(&state)],
        key.clone(),
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(" 0 differences"), "{out}");

    let (code, out, err) = cli(
        vec!["rollback".into(), "--state".into(), s(&state)],
        key.clone(),
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        (
            emu.count("people"),
            emu.count("companies"),
            emu.count("opportunities"),
            emu.count("tasks"),
            emu.count("notes")
        ),
        before
    );

    // A second full run after the rollback lands the same records again.
    let (code, out, err) = cli(run, key.clone()).await;
    assert_eq!(code, 3, "{out}{err}");
    assert_eq!(emu.count("people"), before.0 + created("person"));

    // Without the key in the environment the tool refuses, saying where the key comes from.
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_crm-migrate"))
            .args(["verify", "--state", &s(&state)])
            .env_remove("TWENTY_API_KEY")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("TWENTY_API_KEY"));
}

/// Issue 8: a run whose second custom field the server refuses (scripted with the v2.21 body
/// for a taken name) exits 1 before any record moves, and the tool prints the reason, what
/// was already made and the rollback that removes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_schema_change_is_reported_with_the_way_back() {
    use crm_migrate::connectors::twenty::emulator::Fault;
    let emu = TwentyEmulator::start(EmulatorConfig::default())
        .await
        .unwrap();
    let (url, key) = (emu.url(), emu.api_key().to_string());
    let dir = tempfile::tempdir().unwrap();
    let (input, state) = (dir.path().join("in"), dir.path().join("state"));
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(
        input.join("contacts.csv"),
        "id,email,tier,legacy\n1,a@example.com,gold,L1\n2,b@example.com,free,L2\n",
    )
    .unwrap();
    let mapping = dir.path().join("mapping.toml");
    std::fs::write(
        &mapping,
        r#"[meta]
source = "csv"
destination = "twenty"

[[objects]]
source = "contacts"
target = "person"

[[objects.fields]]
source = "email"
target = "emails"
transform = "emails"

[[objects.fields]]
source = "tier"
target = "planTier"
transform = "text"

[[objects.fields]]
source = "legacy"
target = "legacyId"
transform = "text"

[[custom_fields]]
object = "person"
name = "planTier"
label = "Plan tier"
type = "text"

[[custom_fields]]
object = "person"
name = "legacyId"
label = "Legacy id"
type = "text"
"#,
    )
    .unwrap();
    let (code, out, err) = cli(
        vec!["map".into(), "--confirm".into(), s(&mapping)],
        key.clone(),
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    let refused = serde_json::json!({
        "statusCode": 400, "error": "METADATA_VALIDATION_ERROR",
        "message": "Multiple validation errors occurred while creating fields",
        "errors": {"fieldMetadata": [{"status": "fail", "errors": [{"code": "NOT_AVAILABLE", "value": "legacyId",
            "message": "Name \"legacyId\" is not available as it is already used by another field",
            "userFriendlyMessage": "Name \"legacyId\" is not available as it is already used by another field"}],
            "flatEntityMinimalInformation": {"name": "legacyId"}, "metadataName": "fieldMetadata", "type": "create"}]},
        "summary": {"totalErrors": 1, "fieldMetadata": 1},
        "userFriendlyMessage": "Name \"legacyId\" is not available as it is already used by another field"
    });
    emu.push_fault_after("/rest/metadata/fields", 1, Fault::Reply(400, refused));
    let to = format!("twenty:{url}");
    let (code, out, err) = cli(
        [
            "run",
            "--from",
            "csv",
            "--input",
            &s(&input),
            "--mapping",
            &s(&mapping),
            "--to",
            &to,
            "--state",
            &s(&state),
            "--rate-limit",
            "0",
        ]
        .into_iter()
        .map(String::from)
        .collect(),
        key.clone(),
    )
    .await;
    let all = format!("{out}{err}");
    assert_eq!(code, 1, "{all}");
    assert!(all.contains("no record was moved"), "{all}");
    assert!(
        all.contains("legacyId: Name \"legacyId\" is not available"),
        "{all}"
    );
    assert!(
        all.contains("already made (1)") && all.contains("planTier"),
        "{all}"
    );
    assert!(all.contains("--remove-schema"), "{all}");
    assert_eq!(emu.requests().count("POST /rest/batch/people"), 0);
    assert_eq!(emu.count("people"), 0);

    // The rollback the message names removes what was made.
    let (code, out, err) = cli(
        vec![
            "rollback".into(),
            "--state".into(),
            s(&state),
            "--remove-schema".into(),
        ],
        key.clone(),
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(emu.requests().count("DELETE /rest/metadata/fields/{id}"), 1);
}
