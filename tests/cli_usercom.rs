//! Issue 5's acceptance through the command line: `sample` → `discover` → `map` →
//! `map --confirm` → `run` → `verify` → `rollback`, on the User.com sample, into the sandbox
//! and into the Twenty emulator.

use std::path::Path;
use std::process::Command;

fn p(path: &Path) -> String {
    path.to_str().unwrap().to_string()
}

fn cli(args: &[String], key: Option<&str>) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_crm-migrate"));
    c.args(args);
    if let Some(k) = key {
        c.env("TWENTY_API_KEY", k);
    }
    let out = c.output().expect("run crm-migrate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

/// Runs the sequence into `to`; returns the report of the run.
fn sequence(dir: &Path, to: &str, key: Option<&str>, sandbox_members: bool) -> serde_json::Value {
    let (input, disc, state, mapping) = (
        dir.join("in"),
        dir.join("discovery"),
        dir.join("state"),
        dir.join("mapping.toml"),
    );
    let (code, out, err) = cli(
        &args(&[
            "sample",
            "usercom",
            "--records",
            "150",
            "--out",
            &p(&input),
            "--seed",
            "9",
        ]),
        key,
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = cli(
        &args(&[
            "discover",
            "--from",
            "usercom",
            "--input",
            &p(&input),
            "--out",
            &p(&disc),
        ]),
        key,
    );
    assert_eq!(code, 0, "{out}{err}");
    for f in ["discovery.md", "audit.md", "inventory.md"] {
        assert!(disc.join(f).exists(), "{f} missing");
    }
    assert!(std::fs::read_to_string(disc.join("audit.md"))
        .unwrap()
        .to_lowercase()
        .contains("billable"));

    let (code, out, err) = cli(
        &args(&[
            "map",
            "--from",
            "usercom",
            "--input",
            &p(&input),
            "--to",
            to,
            "--out",
            &p(&mapping),
        ]),
        key,
    );
    assert_eq!(code, 3, "a proposal waits for a person\n{out}{err}");
    let mut run = args(&[
        "run",
        "--from",
        "usercom",
        "--input",
        &p(&input),
        "--to",
        to,
        "--mapping",
        &p(&mapping),
        "--state",
        &p(&state),
        "--rate-limit",
        "0",
    ]);
    if sandbox_members {
        run.extend(args(&[
            "--sandbox-members",
            &p(&input.join("workspace_members.csv")),
        ]));
    } else {
        // A real destination refuses the unconfirmed proposal.
        let (code, _, err) = cli(&run, key);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("map --confirm"), "{err}");
    }
    let (code, out, err) = cli(&args(&["map", "--confirm", &p(&mapping)]), key);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = cli(&run, key);
    assert_eq!(
        code, 3,
        "rejects and queued records need a person\n{out}{err}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["balanced"], true, "{report}");
    for o in report["objects"].as_array().unwrap() {
        let n = |k: &str| o[k].as_u64().unwrap();
        assert_eq!(
            n("source"),
            n("created") + n("updated") + n("merged") + n("rejected") + n("queued") + n("skipped"),
            "{o}"
        );
    }
    let segments = std::fs::read_to_string(state.join("segments.csv")).unwrap();
    let mut lines = segments.lines();
    assert_eq!(
        lines.next(),
        Some("segment,person_source_id,person_destination_id")
    );
    let rows: Vec<&str> = lines.collect();
    assert!(rows.len() > 50, "{} memberships", rows.len());
    assert!(
        rows.iter().any(|r| !r.ends_with(',')),
        "migrated members carry their destination id"
    );

    let (code, out, err) = cli(&args(&["verify", "--state", &p(&state)]), key);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(" 0 differences"), "{out}");
    let (code, out, err) = cli(
        &args(&["rollback", "--state", &p(&state), "--remove-schema"]),
        key,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("removed: add field person."), "{out}");
    report
}

#[test]
fn usercom_sequence_into_the_sandbox() {
    use crm_migrate::connectors::sandbox::SandboxSink;
    use crm_migrate::connectors::twenty::twenty_standard_model;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dest.sqlite");
    let report = sequence(dir.path(), &format!("sandbox:{}", p(&db)), None, true);
    assert!(
        report["totals"]["created"].as_u64().unwrap() > 250,
        "{report}"
    );
    let sink = SandboxSink::open(&db, twenty_standard_model()).unwrap();
    for object in ["company", "person", "opportunity", "task", "note"] {
        assert_eq!(
            sink.count(object).unwrap(),
            0,
            "{object} left after rollback"
        );
    }
    assert_eq!(
        sink.model(),
        twenty_standard_model(),
        "custom fields and options removed"
    );
}

#[cfg(feature = "emulators")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usercom_sequence_into_the_twenty_emulator() {
    use crm_migrate::connectors::twenty::emulator::{EmulatorConfig, TwentyEmulator};
    let emu = TwentyEmulator::start(EmulatorConfig::default())
        .await
        .unwrap();
    let (url, key) = (emu.url(), emu.api_key().to_string());
    let dir = tempfile::tempdir().unwrap();
    // The sample's workspace members exist in the workspace (invited before the migration).
    let members_dir = tempfile::tempdir().unwrap();
    crm_migrate::connectors::usercom::sample::generate(members_dir.path(), 150, 9).unwrap();
    let mut r = csv::Reader::from_path(members_dir.path().join("workspace_members.csv")).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        emu.seed_member(&rec[0], &rec[1], &rec[2]);
    }
    let count = |emu: &TwentyEmulator| {
        ["people", "companies", "opportunities", "tasks", "notes"].map(|o| emu.count(o))
    };
    let before = count(&emu);
    let d = dir.path().to_path_buf();
    let report = tokio::task::spawn_blocking(move || {
        sequence(&d, &format!("twenty:{url}"), Some(&key), false)
    })
    .await
    .unwrap();
    assert!(
        report["totals"]["created"].as_u64().unwrap() > 250,
        "{report}"
    );
    assert_eq!(
        count(&emu),
        before,
        "the workspace holds exactly what it held before"
    );
}
