//! `crm-migrate emulate twenty` as a separate process, used by another `crm-migrate` process
//! the way an outside tool or a rehearsing person would.
#![cfg(feature = "emulators")]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_standalone_emulator_serves_a_migration() {
    let bin = env!("CARGO_BIN_EXE_crm-migrate");
    let dir = tempfile::tempdir().unwrap();
    let members = dir.path().join("members.csv");
    std::fs::write(
        &members,
        "email,first_name,last_name\nanna.owner@sample-crm.test,Anna,Owner\nbruno.sales@sample-crm.test,Bruno,Sales\ncarla.success@sample-crm.test,Carla,Success\n",
    )
    .unwrap();
    let mut child = Child(
        Command::new(bin)
            .args([
                "emulate",
                "twenty",
                "--port",
                "0",
                "--faults",
                "429:retry=1,503",
                "--members",
                members.to_str().unwrap(),
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let url = lines
        .next()
        .unwrap()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    let key = lines
        .next()
        .unwrap()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let input = dir.path().join("in");
    let state = dir.path().join("state");
    let out = Command::new(bin)
        .args([
            "sample",
            "canonical",
            "--records",
            "20",
            "--out",
            input.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = Command::new(bin)
        .args([
            "run",
            "--from",
            "canonical",
            "--input",
            input.to_str().unwrap(),
            "--to",
            &format!("twenty:{url}"),
            "--state",
            state.to_str().unwrap(),
            "--rate-limit",
            "0",
        ])
        .env("TWENTY_API_KEY", &key)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        matches!(out.status.code(), Some(0) | Some(3)),
        "{stdout}{stderr}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["balanced"], true);
    assert!(
        report["totals"]["created"].as_u64().unwrap() > 20,
        "{report}"
    );
    let out = Command::new(bin)
        .args(["verify", "--state", state.to_str().unwrap()])
        .env("TWENTY_API_KEY", &key)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
