//! A lost state directory against the Twenty emulator: the second run adopts what the first
//! wrote (nothing is created twice) and its rollback removes everything.
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

fn report(state: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(state.join("report.json")).unwrap()).unwrap()
}

fn count(report: &serde_json::Value, object: &str, outcome: &str) -> u64 {
    report["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["object"] == object)
        .map(|x| x[outcome].as_u64().unwrap())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_state_directory_adopts_and_never_duplicates() {
    let emu = TwentyEmulator::start(EmulatorConfig::default())
        .await
        .unwrap();
    let (url, key) = (emu.url(), emu.api_key().to_string());
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let (code, out, err) = cli(
        vec![
            "sample".into(),
            "canonical".into(),
            "--records".into(),
            "60".into(),
            "--out".into(),
            s(&input),
        ],
        key.clone(),
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    let objects = ["people", "companies", "opportunities", "tasks", "notes"];
    let counts = || objects.map(|o| emu.count(o));
    let before = counts();
    let to = format!("twenty:{url}");
    let run = |state: &Path| {
        [
            "run",
            "--from",
            "canonical",
            "--input",
            &s(&input),
            "--to",
            &to,
            "--state",
            &s(state),
            "--rate-limit",
            "0",
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };

    let first_state = dir.path().join("state-1");
    let (code, out, err) = cli(run(&first_state), key.clone()).await;
    assert!(code == 0 || code == 3, "{out}{err}");
    let first = report(&first_state);
    let after_first = counts();
    assert!(after_first[0] > before[0], "people were created");

    // The state directory is lost; the same command with a new one.
    std::fs::remove_dir_all(&first_state).unwrap();
    let second_state = dir.path().join("state-2");
    let (code, out, err) = cli(run(&second_state), key.clone()).await;
    assert!(code == 0 || code == 3, "{out}{err}");
    assert_eq!(counts(), after_first, "nothing was created twice");
    let second = report(&second_state);
    assert_eq!(second["balanced"], true, "{second}");
    // What the sink found out about the server is kept with the run.
    let found: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(second_state.join("capabilities.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(found["api_generation"], "v2", "{found}");
    assert_eq!(found["batch_cap"], 200, "{found}");
    for object in ["company", "person", "opportunity", "task", "note"] {
        assert_eq!(count(&second, object, "created"), 0, "{object}: {second}");
        assert_eq!(
            count(&second, object, "adopted"),
            count(&first, object, "created"),
            "{object}: every record the lost run created is adopted\n{second}"
        );
    }

    // The second state directory owns them now: its rollback removes everything, the
    // source-key fields the first writes made included.
    let (code, out, err) = cli(
        vec![
            "rollback".into(),
            "--state".into(),
            s(&second_state),
            "--remove-schema".into(),
        ],
        key.clone(),
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(counts(), before, "the workspace is as before the first run");
    assert!(out.contains("crmMigrateSourceKey (source keys)"), "{out}");
    let fields_removed = emu.requests().count("DELETE /rest/metadata/fields/{id}");
    assert!(
        fields_removed >= 5,
        "one source-key field per object: {fields_removed}"
    );
}
