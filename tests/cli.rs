//! The command-line tool end to end: sample → run → verify → (a change behind its back) →
//! verify → rollback → run again, with the exit codes outside tools rely on.

use std::path::Path;
use std::process::Command;

use crm_migrate::connectors::sandbox::SandboxSink;
use crm_migrate::connectors::twenty::twenty_standard_model;
use crm_migrate::core::model::fields as f;
use crm_migrate::core::{Fields, Sink, SourceKey, Value, WriteOp, WriteRecord};

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_crm-migrate"))
        .args(args)
        .output()
        .expect("run crm-migrate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn report(state: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(state.join("report.json")).unwrap()).unwrap()
}

#[tokio::test]
async fn sample_run_verify_rollback_and_run_again() {
    let dir = tempfile::tempdir().unwrap();
    let (input, state, db) = (
        dir.path().join("in"),
        dir.path().join("state"),
        dir.path().join("dest.sqlite"),
    );
    let (code, out, err) = cli(&[
        "sample",
        "canonical",
        "--records",
        "250",
        "--out",
        p(&input),
        "--seed",
        "3",
    ]);
    assert_eq!(code, 0, "{out}{err}");

    let to = format!("sandbox:{}", p(&db));
    let members = input.join("workspace_members.csv");
    let run_args = [
        "run",
        "--from",
        "canonical",
        "--input",
        p(&input),
        "--to",
        &to,
        "--state",
        p(&state),
        "--sandbox-members",
        p(&members),
        "--batch-size",
        "40",
    ];
    let (code, out, err) = cli(&run_args);
    assert_eq!(
        code, 3,
        "rejects and queued records make it a partial success\n{out}{err}"
    );
    assert!(out.contains("adds up"), "{out}");
    let json = report(&state);
    assert_eq!(json["balanced"], true);
    for o in json["objects"].as_array().unwrap() {
        let n = |k: &str| o[k].as_u64().unwrap();
        assert_eq!(
            n("source"),
            n("created") + n("updated") + n("merged") + n("rejected") + n("queued") + n("skipped")
        );
    }
    let person = json["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["object"] == "person")
        .unwrap();
    assert_eq!(person["source"], 251);
    assert!(
        person["merged"].as_u64().unwrap() >= 9,
        "duplicates merge: {person}"
    );
    assert_eq!(person["rejected"], 1, "the line that is not JSON");
    for file in [
        "report.json",
        "report.md",
        "rejects.csv",
        "review_queue.csv",
        "destination.json",
    ] {
        assert!(state.join(file).exists(), "{file} missing");
    }

    let (code, out, _) = cli(&["verify", "--state", p(&state)]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(" 0 differences"), "{out}");

    // Someone edits a migrated person in the destination.
    let created = {
        let sink = SandboxSink::open(&db, twenty_standard_model()).unwrap();
        let id = sink
            .lookup(
                "person",
                &[crm_migrate::core::Lookup::SourceKey(SourceKey::new(
                    "sample", "users", "2",
                ))],
            )
            .await
            .unwrap()
            .remove(0)
            .expect("person 2 migrated");
        let mut fields = Fields::new();
        fields.insert(f::CITY.into(), Value::Text("Atlantis".into()));
        let w = WriteRecord {
            key: SourceKey::new("someone", "edit", "1"),
            op: WriteOp::Update { id },
            created_at: None,
            updated_at: None,
            fields,
        };
        sink.write_batch("person", &[w]).await.unwrap();
        sink.count("person").unwrap()
    };
    assert!(created > 200);
    let (code, out, _) = cli(&["verify", "--state", p(&state)]);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("1 differences") && out.contains("Atlantis") && out.contains("city"),
        "{out}"
    );
    let diffs = std::fs::read_to_string(state.join("verify_differences.csv")).unwrap();
    assert!(diffs.contains("sample/users/2"), "{diffs}");

    // A full run cannot be repeated into the same state directory.
    let (code, _, err) = cli(&run_args);
    assert_eq!(code, 1);
    assert!(err.contains("--delta"), "{err}");

    let (code, out, err) = cli(&["rollback", "--state", p(&state)]);
    assert_eq!(code, 0, "{out}{err}");
    {
        let sink = SandboxSink::open(&db, twenty_standard_model()).unwrap();
        for object in ["company", "person", "opportunity", "task", "note"] {
            assert_eq!(
                sink.count(object).unwrap(),
                0,
                "{object} left after rollback"
            );
        }
        assert_eq!(
            sink.count("user").unwrap(),
            3,
            "members are not ours to delete"
        );
    }
    let (code, out, err) = cli(&run_args);
    assert_eq!(
        code, 3,
        "a second full run after rollback succeeds\n{out}{err}"
    );
    assert_eq!(report(&state)["objects"], json["objects"]);
}

#[test]
fn usage_errors_have_their_own_exit_code() {
    let (code, _, err) = cli(&["run", "--from", "canonical"]);
    assert_eq!(code, 2, "{err}");
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = cli(&[
        "run",
        "--from",
        "nowhere",
        "--input",
        p(dir.path()),
        "--to",
        "sandbox:x.sqlite",
        "--state",
        p(dir.path()),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not available"), "{err}");
    let (code, _, err) = cli(&["verify", "--state", p(dir.path())]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("holds no run"), "{err}");
}
