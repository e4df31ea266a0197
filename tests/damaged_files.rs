//! The corpus of damaged exports in `tests/fixtures/bad/`, each run through the command line
//! as a person would (`crm-migrate run --from csv --input CASE --mapping mapping.toml --to
//! sandbox:…`): every problem is named with its file and line (in rejects.csv, or in the
//! error), report.json adds up, the good rows around a bad one load with their own values
//! (nothing shifted), and the exit code says which kind of problem it was (3: rows
//! rejected; 4: the export cannot be read as a whole, nothing written).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crm_migrate::connectors::sandbox::SandboxSink;
use crm_migrate::connectors::twenty::twenty_standard_model;
use serde_json::Value as Json;

/// A person as loaded: first name, last name, email, city.
type Person = (&'static str, &'static str, &'static str, &'static str);

/// What one case must end as.
struct Case {
    /// Folder under `tests/fixtures/bad/`.
    dir: &'static str,
    /// Exit code.
    exit: i32,
    /// The people loaded, exactly.
    loaded: &'static [Person],
    /// Rejected rows: source id and how the reason starts (file and line).
    rejects: &'static [(&'static str, &'static str)],
    /// For exit 4: what the error says (after the file's path).
    error: Option<&'static str>,
}

const ANN: Person = ("Ann", "Nowak", "ann@example.com", "Berlin");
const BOB: Person = ("Bob", "Kowal", "bob@example.com", "Paris");
const CY: Person = ("Cy", "Zych", "cy@example.com", "Rome");
const DEE: Person = ("Dee", "Lis", "dee@example.com", "Oslo");

const CASES: &[Case] = &[
    Case {
        dir: "short_row",
        exit: 3,
        loaded: &[ANN, BOB, DEE],
        rejects: &[(
            "line-4",
            "people.csv line 4: 4 cell(s) where the header has 5 columns",
        )],
        error: None,
    },
    Case {
        dir: "long_row",
        exit: 3,
        loaded: &[ANN, CY],
        rejects: &[(
            "line-3",
            "people.csv line 3: 6 cells where the header has 5 columns (a value holds an unquoted ','",
        )],
        error: None,
    },
    Case {
        dir: "unterminated_quote",
        exit: 3,
        loaded: &[ANN, DEE],
        rejects: &[(
            "line-3",
            "people.csv lines 3-4: the quote that opens column \"first_name\" on line 3 is most likely not closed",
        )],
        error: None,
    },
    Case {
        dir: "quote_never_closed",
        exit: 3,
        loaded: &[ANN],
        rejects: &[(
            "line-3",
            "people.csv lines 3-4: the quote that opens column \"city\" on line 3 is never closed",
        )],
        error: None,
    },
    Case {
        dir: "invalid_utf8",
        exit: 3,
        loaded: &[
            ("Zoë", "Żółć", "zoe@example.com", "Łódź"),
            ("José", "Muñoz", "jose@example.com", "Málaga"),
        ],
        rejects: &[(
            "2",
            "people.csv line 3: column \"city\" holds bytes that are not valid UTF-8",
        )],
        error: None,
    },
    Case {
        dir: "duplicate_header",
        exit: 4,
        loaded: &[],
        rejects: &[],
        error: Some("line 1: the header line names a column more than once: \"email\" (columns 3, 4)"),
    },
    Case {
        dir: "empty_file",
        exit: 4,
        loaded: &[],
        rejects: &[],
        error: Some("line 1: the file is empty"),
    },
    Case {
        dir: "blank_header",
        exit: 4,
        loaded: &[],
        rejects: &[],
        error: Some("line 1: the header line has no column names"),
    },
    Case {
        dir: "no_header",
        exit: 4,
        loaded: &[],
        rejects: &[],
        error: Some("line 1: the first line looks like a data row, not a header"),
    },
    Case {
        dir: "header_only",
        exit: 0,
        loaded: &[],
        rejects: &[],
        error: None,
    },
    Case {
        dir: "bom_crlf",
        exit: 0,
        loaded: &[ANN, ("Bob", "Kowal", "bob@example.com", "Paris\n11e"), CY],
        rejects: &[],
        error: None,
    },
    Case {
        dir: "windows1252_semicolon",
        exit: 0,
        loaded: &[
            ("Jürgen", "Müller", "juergen@example.com", "Köln"),
            ("René", "Lefèvre", "rene@example.com", "Besançon"),
            ("Ana", "Peña", "ana@example.com", "Málaga"),
        ],
        rejects: &[],
        error: None,
    },
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad")
}

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

fn text_of(fields: &Json, name: &str) -> String {
    match &fields[name]["value"] {
        Json::String(s) => s.clone(),
        Json::Array(a) => a
            .iter()
            .filter_map(Json::as_str)
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// Every person in the sandbox as (first, last, email, city).
fn people_in(db: &Path) -> BTreeSet<(String, String, String, String)> {
    if !db.exists() {
        return BTreeSet::new();
    }
    let sink = SandboxSink::open(db, twenty_standard_model()).unwrap();
    sink.snapshot()
        .unwrap()
        .into_iter()
        .filter(|(object, _, _)| object == "person")
        .map(|(_, _, fields)| {
            let f = serde_json::to_value(&fields).unwrap();
            (
                text_of(&f, "first_name"),
                text_of(&f, "last_name"),
                text_of(&f, "emails"),
                text_of(&f, "city"),
            )
        })
        .collect()
}

fn run_case(case: &Case) {
    let tmp = tempfile::tempdir().unwrap();
    let input = fixtures().join(case.dir);
    let (db, state) = (tmp.path().join("dest.sqlite"), tmp.path().join("state"));
    let to = format!("sandbox:{}", db.display());
    let mapping = fixtures().join("mapping.toml");
    let (code, stdout, stderr) = cli(&[
        "run",
        "--from",
        "csv",
        "--input",
        input.to_str().unwrap(),
        "--mapping",
        mapping.to_str().unwrap(),
        "--to",
        &to,
        "--state",
        state.to_str().unwrap(),
    ]);
    let all = format!("{}: exit {code}\n{stdout}\n{stderr}", case.dir);
    assert_eq!(code, case.exit, "{all}");

    let want: BTreeSet<(String, String, String, String)> = case
        .loaded
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(people_in(&db), want, "{all}");

    if let Some(error) = case.error {
        let file = input.join("people.csv");
        assert!(
            stderr.contains(&format!("{} {error}", file.display())),
            "the error names the file and line: {all}"
        );
        assert!(stderr.contains("run again"), "with what to do: {all}");
        assert!(
            !state.join("report.json").exists(),
            "the run stopped before it reported anything: {all}"
        );
        return;
    }

    let report: Json =
        serde_json::from_str(&std::fs::read_to_string(state.join("report.json")).unwrap()).unwrap();
    let person = &report["objects"][0];
    let n = |k: &str| {
        person[k]
            .as_u64()
            .unwrap_or_else(|| panic!("{k} in {report}"))
    };
    assert_eq!(person["object"], "person", "{report}");
    assert_eq!(
        n("source"),
        n("created") + n("updated") + n("merged") + n("rejected") + n("queued") + n("skipped"),
        "{report}"
    );
    assert_eq!(
        n("source"),
        (case.loaded.len() + case.rejects.len()) as u64,
        "{report}"
    );
    assert_eq!(n("created"), case.loaded.len() as u64, "{report}");
    assert_eq!(n("rejected"), case.rejects.len() as u64, "{report}");
    assert_eq!(report["balanced"], true, "{report}");

    let mut rows = csv::Reader::from_path(state.join("rejects.csv")).unwrap();
    let headers = rows.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let got: Vec<(String, String)> = rows
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[col("level")] == "record")
        .map(|r| {
            (
                r[col("source_id")].to_string(),
                r[col("reason")].to_string(),
            )
        })
        .collect();
    assert_eq!(got.len(), case.rejects.len(), "{}: {got:?}", case.dir);
    for (id, reason) in case.rejects {
        assert!(
            got.iter().any(|(i, r)| i == id && r.starts_with(reason)),
            "{}: no reject {id} starting {reason:?} in {got:?}",
            case.dir
        );
    }
}

#[test]
fn every_damaged_file_is_named_and_the_rest_loads() {
    for case in CASES {
        run_case(case);
    }
}

#[test]
fn the_readme_lists_every_case_and_every_case_is_tested() {
    let readme = std::fs::read_to_string(fixtures().join("README.md")).unwrap();
    let mut dirs: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    for dir in &dirs {
        assert!(
            readme.contains(&format!("`{dir}/`")),
            "README.md does not list {dir}"
        );
        assert!(
            CASES.iter().any(|c| c.dir == dir),
            "{dir} is not run by this test"
        );
    }
    assert_eq!(dirs.len(), CASES.len());
}

/// The User.com export source reads its files through the generic CSV reader, so it names
/// damaged rows and refuses unreadable files the same way: here the measured case, a user
/// whose `companies` JSON cell lost its closing quote.
#[tokio::test]
async fn the_usercom_export_inherits_it() {
    use crm_migrate::connectors::usercom::UsercomCsvSource;
    use crm_migrate::core::{ErrorKind, Source, SourceExt};
    use futures::StreamExt;

    let dir = tempfile::tempdir().unwrap();
    let users = "id,email,companies\n\
        1,ann@example.com,\"[{\"\"id\"\": 7}]\"\n\
        2,bob@example.com,\"[{\"\"id\"\": 8}]\n\
        3,cy@example.com,\"[{\"\"id\"\": 9}]\"\n\
        4,dee@example.com,\n";
    std::fs::write(dir.path().join("users.csv"), users).unwrap();
    let src = UsercomCsvSource::open(dir.path()).unwrap();
    let rows: Vec<_> = src.stream("users").map(|r| r.unwrap()).collect().await;
    let got: Vec<(&str, Option<&str>)> = rows
        .iter()
        .map(|r| (r.key.id.as_str(), r.damage()))
        .collect();
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[0], ("1", None));
    assert_eq!(got[1].0, "line-3");
    assert!(
        got[1].1.is_some_and(
            |w| w.starts_with("users.csv lines 3-4: the quote that opens column \"companies\"")
        ),
        "{got:?}"
    );
    assert_eq!(got[2], ("4", None));
    assert_eq!(rows[2].text("email").as_deref(), Some("dee@example.com"));

    // A file whose header repeats a column next to it stops every read before anything is
    // read. (An empty file is an object with no records in a User.com export.)
    std::fs::write(
        dir.path().join("companies.csv"),
        "id,name,Name\n1,Acme,Acme\n",
    )
    .unwrap();
    let err = match UsercomCsvSource::open(dir.path()) {
        Err(e) => e,
        Ok(src) => src.read_page("users", None).await.unwrap_err(),
    };
    assert_eq!(err.kind(), ErrorKind::Input, "{err}");
    assert!(err.message().contains("companies.csv line 1"), "{err}");
    std::fs::write(dir.path().join("companies.csv"), "").unwrap();
    let src = UsercomCsvSource::open(dir.path()).unwrap();
    assert!(src
        .read_page("companies", None)
        .await
        .unwrap()
        .items
        .is_empty());
    assert_eq!(src.stream("users").collect::<Vec<_>>().await.len(), 3);
}

#[test]
fn discovery_and_the_proposal_leave_damaged_rows_out() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixtures().join("long_row");
    let out = dir.path().join("discovery");
    let (code, stdout, stderr) = cli(&[
        "discover",
        "--from",
        "csv",
        "--input",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let md = std::fs::read_to_string(out.join("discovery.md")).unwrap();
    assert!(md.contains("1 rows could not be read whole"), "{md}");
    assert!(!md.contains("_extra") && !md.contains("@damaged"), "{md}");
    let mapping = dir.path().join("mapping.toml");
    let (code, stdout, stderr) = cli(&[
        "map",
        "--from",
        "csv",
        "--input",
        input.to_str().unwrap(),
        "--to",
        "sandbox:unused.sqlite",
        "--out",
        mapping.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let toml = std::fs::read_to_string(&mapping).unwrap();
    assert!(
        !toml.contains("_extra") && !toml.contains("damaged"),
        "no column is proposed from a damaged row:\n{toml}"
    );
}
