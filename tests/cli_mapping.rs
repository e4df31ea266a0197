//! The mapping workflow through the command line on a CSV export whose column names differ
//! from any platform's defaults: discover → map → (sandbox accepts unconfirmed) → a real
//! destination refuses until confirmed → an edit needs a new confirmation.

use std::path::Path;
use std::process::Command;

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

fn write_export(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let mut contacts = String::from(
        "\u{feff}Contact ID,First Name,Surname,E-mail Address,Mobile,Job Title,Created On\r\n",
    );
    for i in 1..=30 {
        let email = match i {
            7 => "not-an-email".to_string(),
            9 => format!("  PERSON{}@Example.com ", i - 1),
            _ => format!("person{i}@example.com"),
        };
        contacts.push_str(&format!(
            "C{i},Anna{i},Nowak,{email},+48 600 000 {i:03},Buyer,{:02}/0{}/2021 10:00\r\n",
            13 + (i % 15),
            1 + (i % 9)
        ));
    }
    std::fs::write(dir.join("contacts.csv"), contacts).unwrap();
}

#[test]
fn discover_map_confirm_gate_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out, state) = (
        dir.path().join("export"),
        dir.path().join("discovery"),
        dir.path().join("state"),
    );
    write_export(&input);

    let (code, stdout, err) = cli(&[
        "discover",
        "--from",
        "csv",
        "--input",
        p(&input),
        "--out",
        p(&out),
    ]);
    assert_eq!(code, 0, "{stdout}{err}");
    let d: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("discovery.json")).unwrap())
            .unwrap();
    let fields = d["objects"][0]["fields"].as_array().unwrap();
    let email = fields
        .iter()
        .find(|f| f["name"] == "E-mail Address")
        .unwrap();
    assert_eq!(email["inferred"], "email");
    assert!(std::fs::read_to_string(out.join("discovery.md"))
        .unwrap()
        .contains("E-mail Address"));

    let mapping = dir.path().join("mapping.toml");
    let (code, stdout, err) = cli(&[
        "map",
        "--from",
        "csv",
        "--input",
        p(&input),
        "--to",
        "twenty:https://crm.example",
        "--out",
        p(&mapping),
    ]);
    assert!(code == 0 || code == 3, "{stdout}{err}");
    let text = std::fs::read_to_string(&mapping).unwrap();
    for line in [
        "source = \"E-mail Address\"",
        "target = \"emails\"",
        "source = \"Mobile\"",
        "target = \"phones\"",
        "source = \"Surname\"",
        "created_at = \"Created On\"",
        "date_order = \"day_first\"",
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }

    // The sandbox accepts an unconfirmed mapping (a dry run is how a person checks it).
    let db = dir.path().join("dest.sqlite");
    let to = format!("sandbox:{}", p(&db));
    let (code, stdout, err) = cli(&[
        "run",
        "--from",
        "csv",
        "--input",
        p(&input),
        "--to",
        &to,
        "--mapping",
        p(&mapping),
        "--state",
        p(&state),
    ]);
    assert_eq!(
        code, 3,
        "the invalid email is a value left out, for a person to look at\n{stdout}{err}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("report.json")).unwrap()).unwrap();
    let person = &report["objects"][0];
    assert_eq!(
        (
            person["source"].as_u64(),
            person["created"].as_u64(),
            person["merged"].as_u64(),
            person["rejected"].as_u64(),
            person["values_dropped"].as_u64()
        ),
        (Some(30), Some(29), Some(1), Some(0), Some(1)),
        "C7 loads without its invalid email (it has a name)\n{report}"
    );
    let rejects = std::fs::read_to_string(state.join("rejects.csv")).unwrap();
    let c7 = rejects
        .lines()
        .find(|l| l.contains(",C7,"))
        .unwrap_or_else(|| panic!("{rejects}"));
    assert!(
        c7.contains("E-mail Address") && c7.contains("not-an-email") && c7.ends_with(",field"),
        "{rejects}"
    );

    // A real destination refuses it until a person confirms it.
    let s2 = dir.path().join("s2");
    let remote = [
        "run",
        "--from",
        "csv",
        "--input",
        p(&input),
        "--to",
        "twenty:http://127.0.0.1:9",
        "--mapping",
        p(&mapping),
        "--state",
        p(&s2),
    ];
    let (code, _, err) = cli(&remote);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("has not been confirmed") && err.contains("map --confirm"),
        "{err}"
    );
    let (code, stdout, err) = cli(&["map", "--confirm", p(&mapping)]);
    assert_eq!(code, 0, "{stdout}{err}");
    let (_, _, err) = cli(&remote);
    assert!(
        !err.contains("confirmed"),
        "a confirmed mapping passes the gate: {err}"
    );
    // Editing it afterwards needs a new confirmation.
    let edited = std::fs::read_to_string(&mapping)
        .unwrap()
        .replace("target = \"job_title\"", "target = \"city\"");
    std::fs::write(&mapping, edited).unwrap();
    let (code, _, err) = cli(&remote);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("edited after it was confirmed"), "{err}");
}
