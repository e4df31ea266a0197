//! Words a person reads: help that lists what is there, plain logs in a file, rates a
//! person can read.

use std::process::Command;

fn cli(args: &[&str], envs: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crm-migrate"));
    cmd.args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run crm-migrate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn from_help_lists_every_source_on_run_and_plan() {
    for command in ["run", "plan"] {
        let (code, out, err) = cli(&[command, "--help"], &[]);
        assert_eq!(code, 0, "{err}");
        for source in ["canonical", "usercom", "csv"] {
            assert!(
                out.contains(source),
                "{command} --help lacks {source}:\n{out}"
            );
        }
    }
}

#[test]
fn logs_written_to_a_file_carry_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let (code, _, err) = cli(
        &[
            "sample",
            "canonical",
            "--records",
            "20",
            "--out",
            input.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let db = dir.path().join("dest.sqlite");
    let (_, _, err) = cli(
        &[
            "run",
            "--from",
            "canonical",
            "--input",
            input.to_str().unwrap(),
            "--to",
            &format!("sandbox:{}", db.display()),
            "--state",
            dir.path().join("state").to_str().unwrap(),
        ],
        &[("RUST_LOG", "info")],
    );
    assert!(err.contains("Run started"), "info logs are there:\n{err}");
    assert!(
        !err.contains('\u{1b}'),
        "ANSI escape codes in piped logs:\n{err}"
    );
}

#[test]
fn the_report_says_when_it_started_to_the_second() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let (code, _, err) = cli(
        &[
            "sample",
            "canonical",
            "--records",
            "10",
            "--out",
            input.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let state = dir.path().join("state");
    cli(
        &[
            "run",
            "--from",
            "canonical",
            "--input",
            input.to_str().unwrap(),
            "--to",
            &format!("sandbox:{}", dir.path().join("d.sqlite").display()),
            "--state",
            state.to_str().unwrap(),
        ],
        &[],
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("report.json")).unwrap()).unwrap();
    let started = report["started"].as_str().unwrap();
    assert_eq!(started.len(), "2026-01-02T03:04:05Z".len(), "{started}");
    assert!(started.ends_with('Z'), "{started}");
}
