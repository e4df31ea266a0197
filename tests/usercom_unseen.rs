//! Issue 8: exports the tool has never seen. A second User.com export whose vocabulary,
//! columns, header spelling and files differ from the bundled sample's
//! (`usercom::unseen`), through the path the CLI takes (the map proposed from the export,
//! saved, read back, confirmed, run), into the sandbox with Twenty's model and reserved
//! names, into the Twenty emulator, and by the command line; plus exports missing files.
#![cfg(all(feature = "usercom", feature = "sandbox", feature = "twenty"))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crm_migrate::connectors::sandbox::SandboxSink;
use crm_migrate::connectors::twenty::twenty_standard_model;
use crm_migrate::connectors::usercom::columns::header_key;
use crm_migrate::connectors::usercom::mapping::propose;
use crm_migrate::connectors::usercom::unseen::{generate_unseen, UnseenSummary, EXTRA_FILE};
use crm_migrate::connectors::usercom::UsercomCsvSource;
use crm_migrate::core::engine::{verify, Engine, EngineConfig, OrphanPolicy, RunSummary};
use crm_migrate::core::journal::{Journal, NoticeKind, Outcome, SqliteJournal};
use crm_migrate::core::{DataModel, Sink, SourceKey, Value};
use crm_migrate::transform::mapping::{MappingSpec, OrphanRule, Transform};
use crm_migrate::transform::normalise::parse_pg_array;
use crm_migrate::transform::SpecMapper;

// Twenty's reserved metadata names, which a live Twenty refuses for a new field.
use crm_migrate::connectors::twenty::TWENTY_RESERVED_NAMES as TWENTY_RESERVED;

const USERS: usize = 150;

/// The export's rows of `file`, keyed by header as written (BOM stripped, blank lines
/// skipped).
fn read_rows(dir: &Path, file: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect::<Vec<_>>())
        .filter(|r: &Vec<String>| r.iter().any(|c| !c.trim().is_empty()))
        .collect();
    (head, rows)
}

/// Every distinct value of the column the spec names `column` in `file`, read straight
/// from the file: list cells (`{a,"b, c"}`) split into their items.
fn distinct_values(dir: &Path, file: &str, column: &str) -> BTreeSet<String> {
    let (head, rows) = read_rows(dir, file);
    let i = head
        .iter()
        .position(|h| h.trim() == column || header_key(h) == header_key(column))
        .unwrap_or_else(|| panic!("{file} has no column {column:?}: {head:?}"));
    let mut out = BTreeSet::new();
    for r in rows {
        let cell = r.get(i).map(|c| c.trim()).unwrap_or_default();
        if cell.is_empty() {
            continue;
        }
        if cell.starts_with('{') {
            out.extend(parse_pg_array(cell).unwrap());
        } else {
            out.insert(cell.to_string());
        }
    }
    out
}

/// Checks that the spec's value maps and options cover every value of every choice column
/// of the export; returns the (source object, column) pairs checked.
fn assert_choices_covered(
    dir: &Path,
    spec: &MappingSpec,
    model: &DataModel,
) -> Vec<(String, String)> {
    let mut checked = Vec::new();
    for rule in &spec.objects {
        for line in &rule.fields {
            if !matches!(line.transform, Transform::Choice | Transform::Choices) {
                continue;
            }
            let vm: BTreeMap<String, String> = rule
                .value_maps
                .get(&line.target)
                .cloned()
                .unwrap_or_default();
            let options: Vec<String> = match spec
                .custom_fields
                .iter()
                .find(|c| c.object == rule.target && c.name == line.target)
            {
                Some(c) => c.options.clone(),
                None => {
                    let mut o = model
                        .get(&rule.target)
                        .and_then(|d| d.get(&line.target))
                        .map(|d| d.options.clone())
                        .unwrap_or_default();
                    o.extend(vm.values().cloned());
                    o
                }
            };
            let file = format!("{}.csv", rule.source);
            let values = distinct_values(dir, &file, &line.source);
            assert!(!values.is_empty(), "{file} {}", line.source);
            for v in &values {
                let option = vm
                    .iter()
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case(v.trim()))
                    .map(|(_, o)| o.clone())
                    .unwrap_or_else(|| v.clone());
                assert!(
                    options.contains(&option) || (option.is_empty() && line.source == "status"),
                    "{}.{}: {v:?} → {option:?} is not among the options {options:?}",
                    rule.source,
                    line.source
                );
            }
            checked.push((rule.source.clone(), line.source.clone()));
        }
    }
    checked
}

/// The map `crm-migrate map` would write for the export in `dir`: proposed onto `model`,
/// saved, read back and confirmed by a person.
/// Returns the confirmed spec, the proposal's notes and the file as written.
async fn proposed_map(dir: &Path, model: &DataModel) -> (MappingSpec, Vec<String>, String) {
    let proposal = propose(&UsercomCsvSource::open(dir).unwrap(), model)
        .await
        .unwrap();
    let path = dir.with_extension("mapping.toml");
    proposal.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut spec = MappingSpec::load(&path).unwrap();
    assert_eq!(spec.checksum(), proposal.spec.checksum(), "{text}");
    spec.confirm();
    SpecMapper::new(spec.clone(), Some(model.clone())).unwrap();
    (spec, proposal.notes, text)
}

async fn migrate(
    dir: &Path,
    spec: &MappingSpec,
    model: &DataModel,
    sink: &dyn Sink,
    journal: &dyn Journal,
) -> RunSummary {
    let source = UsercomCsvSource::open(dir).unwrap();
    let mapper = SpecMapper::new(spec.clone(), Some(model.clone())).unwrap();
    let p = &spec.policies;
    let config = EngineConfig {
        batch_size: 50,
        dedupe: p.dedupe.clone(),
        orphans: match p.orphans {
            OrphanRule::Reject => OrphanPolicy::Reject,
            OrphanRule::Queue => OrphanPolicy::Queue,
            OrphanRule::DropLink => OrphanPolicy::DropLink,
        },
        owner_fallback: p.owner_fallback.clone(),
        ..EngineConfig::default()
    };
    let summary = Engine::new(&source, &mapper, sink, journal)
        .config(config)
        .schema(spec.schema_changes())
        .run()
        .await
        .unwrap();
    assert!(summary.balanced(), "{:?}", summary.counts);
    summary
}

fn counts(s: &RunSummary, object: &str) -> crm_migrate::core::journal::Counts {
    s.counts
        .iter()
        .find(|(o, _)| o == object)
        .map(|(_, c)| *c)
        .unwrap_or_default()
}

/// What must hold for the unseen export in any destination: every choice value covered,
/// reserved names avoided, no record lost to an option value, every field verified.
async fn check_unseen(
    dir: &Path,
    summary_of_export: &UnseenSummary,
    model: &DataModel,
    sink: &dyn Sink,
    journal: &dyn Journal,
) {
    let (spec, notes, text) = proposed_map(dir, model).await;
    // The map matches the export in hand: no rule for the files it lacks.
    for missing in ["events", "conversations"] {
        assert!(spec.objects.iter().all(|o| o.source != missing));
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with(&format!("{missing}: not in this export"))),
            "{notes:?}"
        );
    }
    // Every line reads a column the export has.
    for rule in &spec.objects {
        let (head, _) = read_rows(dir, &format!("{}.csv", rule.source));
        for line in &rule.fields {
            assert!(
                head.iter()
                    .any(|h| h.trim() == line.source || header_key(h) == line.source),
                "{}.{} is not in the export",
                rule.source,
                line.source
            );
        }
    }
    // Every choice value observed is mapped onto an option.
    let checked = assert_choices_covered(dir, &spec, model);
    for (object, column) in [
        ("users", "favourite_colour"),
        ("users", "hobbies"),
        ("users", "plan"),
        ("users", "type"),
        ("users", "tags"),
        ("users", "segments"),
        ("companies", "sector"),
        ("companies", "tags"),
        ("deals", "stage"),
        ("deals", "pipeline"),
        ("deals", "tags"),
        ("activities", "activity_type"),
        ("activities", "outcome"),
    ] {
        assert!(
            checked.iter().any(|(o, c)| o == object && c == column),
            "{object}.{column} is not a choice line: {checked:?}"
        );
    }
    // Undocumented columns become custom fields typed from their values (no attributes.csv).
    use crm_migrate::transform::mapping::CustomFieldType as C;
    for (column, ty) in [
        ("Loyalty Points", C::Number),
        ("favourite_colour", C::Select),
        ("hobbies", C::MultiSelect),
        // `{Bronze tier}`: one value a cell, written as an array, is a single choice.
        ("plan", C::Select),
        ("opt_in_sms", C::Boolean),
        ("vip_since", C::Date),
        ("profile_json", C::RawJson),
        ("legacy_crm_ref", C::Text),
    ] {
        let users = spec.object("users", "person").unwrap();
        let line = users.fields.iter().find(|f| f.source == column).unwrap();
        let field = spec
            .custom_fields
            .iter()
            .find(|c| c.object == "person" && c.name == line.target)
            .unwrap();
        assert_eq!(field.ty, ty, "{column}");
    }
    // Columns named like names Twenty reserves get a name it accepts, and the line says why.
    let users = spec.object("users", "person").unwrap();
    for column in ["type", "plan", "currency"] {
        let line = users.fields.iter().find(|f| f.source == column).unwrap();
        assert!(!model.is_reserved(&line.target), "{line:?}");
        assert!(line.target.starts_with("usercom"), "{line:?}");
        let why = format!(
            "named {} because \"{column}\" is a reserved name",
            line.target
        );
        assert!(text.contains(&why), "{why}");
    }
    for c in &spec.custom_fields {
        assert!(
            model.field_name_problem(&c.object, &c.name).is_none(),
            "{c:?}"
        );
    }
    // The vocabulary of the bundled sample is nowhere in this map.
    let toml = spec.to_toml();
    for word in [
        "trade fair",
        "Kraków office",
        "Enterprise, EU",
        "meeting_scheduled",
        "Renewals",
    ] {
        assert!(!toml.contains(word), "{word}");
    }
    assert_eq!(spec.policies.default_currency.as_deref(), Some("CHF"));

    let s = migrate(dir, &spec, model, sink, journal).await;
    let people = counts(&s, "person");
    assert_eq!(people.source, summary_of_export.count("users") as u64);
    assert_eq!(people.skipped, summary_of_export.anonymous_users as u64);
    // The report's rows per exported file equal the export's rows, each file once however
    // many objects it feeds.
    for (file, c) in &s.files {
        assert_eq!(
            c.source,
            summary_of_export.count(file) as u64,
            "{file}: {c:?}"
        );
        assert!(c.balanced(), "{file}: {c:?}");
    }
    for (file, _) in spec.routes() {
        if summary_of_export.count(&file) > 0 {
            assert!(
                s.files.iter().any(|(f, _)| *f == file),
                "{file} is reported"
            );
        }
    }
    // Every person with something to know them by loads: a malformed email costs the
    // email, not the person.
    assert_eq!(
        people.created + people.merged + people.rejected,
        (summary_of_export.count("users") - summary_of_export.anonymous_users) as u64,
        "{people:?}"
    );
    let dropped_emails = journal
        .notices(s.run.id, NoticeKind::ValueDropped)
        .unwrap()
        .into_iter()
        .filter(|n| n.object == "person" && n.notice.field == "email")
        .count();
    assert_eq!(
        dropped_emails as u64 + people.rejected,
        summary_of_export.invalid_emails as u64,
        "each malformed email is a value left out (or the reason its person, with nothing \
         else to know them by, is rejected)"
    );
    assert_eq!(
        counts(&s, "company").created,
        summary_of_export.count("companies") as u64
    );
    // Nothing is rejected or queued because of an option value: the only record-level
    // rejects are people left with no usable identity.
    let rejected = journal.rows(s.run.id, Outcome::Rejected).unwrap();
    for r in &rejected {
        assert_eq!(r.object.as_str(), "person", "{r:?}");
        assert!(
            r.reason.as_deref().unwrap().contains("no usable identity"),
            "{r:?}"
        );
    }
    let queued = journal.rows(s.run.id, Outcome::Queued).unwrap();
    for r in rejected.iter().chain(&queued) {
        let why = r.reason.as_deref().unwrap_or_default().to_lowercase();
        assert!(!why.contains("option"), "{r:?}");
    }
    // Values arrive: a person's multi-choice hobbies, as many as the export lists.
    let (head, rows) = read_rows(dir, "users.csv");
    let col = |name: &str| head.iter().position(|h| header_key(h) == name).unwrap();
    let (id_col, hobbies_col) = (col("id"), col("hobbies"));
    let hobbies_target = &users
        .fields
        .iter()
        .find(|f| f.source == "hobbies")
        .unwrap()
        .target;
    let row = rows
        .iter()
        .find(|r| {
            parse_pg_array(&r[hobbies_col]).unwrap().len() >= 2
                && journal
                    .id_entry(&SourceKey::new("usercom", "users", r[id_col].trim()))
                    .unwrap()
                    .is_some()
        })
        .unwrap();
    let dest = journal
        .id_entry(&SourceKey::new("usercom", "users", row[id_col].trim()))
        .unwrap()
        .unwrap()
        .dest_id;
    let back = sink
        .read("person", &[dest])
        .await
        .unwrap()
        .remove(0)
        .unwrap();
    match back.fields.get(hobbies_target.as_str()) {
        Some(Value::Choices(v)) => {
            assert_eq!(v.len(), parse_pg_array(&row[hobbies_col]).unwrap().len())
        }
        other => panic!("hobbies: {other:?}"),
    }
    // Every migrated field reads back as written.
    let live = sink.data_model().await.unwrap();
    let v = verify(sink, journal, &live).await.unwrap();
    assert!(v.differences.is_empty(), "{:?}", v.differences);
    let t = s.totals();
    assert_eq!(v.records as u64, t.created + t.merged);
}

#[tokio::test]
async fn the_unseen_export_into_the_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("export");
    let summary = generate_unseen(&input, USERS).unwrap();
    let model = twenty_standard_model().reserved(TWENTY_RESERVED.iter().copied());
    let sink = SandboxSink::in_memory(model.clone()).unwrap();
    let members: Vec<(&str, &str, &str)> = summary
        .members
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    sink.seed_users(&members).unwrap();
    let journal = SqliteJournal::open(dir.path().join("state")).unwrap();
    check_unseen(&input, &summary, &model, &sink, &journal).await;
}

#[cfg(feature = "emulators")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unseen_export_into_the_twenty_emulator() {
    use crm_migrate::connectors::http::Secret;
    use crm_migrate::connectors::twenty::emulator::{EmulatorConfig, TwentyEmulator};
    use crm_migrate::connectors::twenty::{TwentyConfig, TwentySink};

    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("export");
    let summary = generate_unseen(&input, USERS).unwrap();
    let emu = TwentyEmulator::start(EmulatorConfig::default())
        .await
        .unwrap();
    for (email, first, last) in &summary.members {
        emu.seed_member(email, first, last);
    }
    let sink = TwentySink::new(
        TwentyConfig::new(emu.url(), Secret::new(emu.api_key())).with_rate_limit(None),
    )
    .unwrap();
    // The live model, with the names a real Twenty reserves.
    let model = sink
        .data_model()
        .await
        .unwrap()
        .reserved(TWENTY_RESERVED.iter().copied());
    let journal = SqliteJournal::open(dir.path().join("state")).unwrap();
    check_unseen(&input, &summary, &model, &sink, &journal).await;
}

#[tokio::test]
async fn an_export_of_only_users_and_companies_migrates() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full");
    let summary = generate_unseen(&full, 60).unwrap();
    let input = dir.path().join("export");
    std::fs::create_dir_all(&input).unwrap();
    for f in ["users.csv", "companies.csv"] {
        std::fs::copy(full.join(f), input.join(f)).unwrap();
    }
    let model = twenty_standard_model().reserved(TWENTY_RESERVED.iter().copied());
    let (spec, notes, _) = proposed_map(&input, &model).await;
    let routes: Vec<(String, String)> = spec.routes();
    assert_eq!(
        routes,
        [
            ("companies".to_string(), "company".to_string()),
            ("users".to_string(), "person".to_string())
        ]
    );
    for missing in ["agents", "deals", "activities", "events", "conversations"] {
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with(&format!("{missing}: not in this export"))),
            "{missing}: {notes:?}"
        );
    }
    let sink = SandboxSink::in_memory(model.clone()).unwrap();
    let journal = SqliteJournal::open(dir.path().join("state")).unwrap();
    let s = migrate(&input, &spec, &model, &sink, &journal).await;
    assert_eq!(counts(&s, "company").created, 10);
    let people = counts(&s, "person");
    assert_eq!(people.source, 60);
    assert_eq!(people.queued, 0, "{people:?}");
    assert_eq!(
        people.created + people.merged + people.rejected,
        (60 - summary.anonymous_users) as u64,
        "{people:?}"
    );
    assert!(
        journal
            .notices(s.run.id, NoticeKind::LinkNotMade)
            .unwrap()
            .is_empty(),
        "every company link is made"
    );
    assert!(s
        .counts
        .iter()
        .all(|(o, _)| o == "company" || o == "person" || counts(&s, o).source == 0));
    let v = verify(&sink, &journal, &sink.model()).await.unwrap();
    assert!(v.clean(), "{:?}", v.differences);
}

#[tokio::test]
async fn a_file_missing_at_run_time_is_an_object_with_no_records() {
    // The map was proposed on a whole sample export; the export then loses its events and
    // conversations files. The run goes on: those objects have no records.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("export");
    let sample = crm_migrate::connectors::usercom::sample::generate(&input, 40, 3).unwrap();
    let model = twenty_standard_model();
    let (spec, _, _) = proposed_map(&input, &model).await;
    assert!(spec.objects.iter().any(|o| o.source == "events"));
    std::fs::remove_file(input.join("events.csv")).unwrap();
    std::fs::remove_file(input.join("conversations.csv")).unwrap();
    let sink = SandboxSink::in_memory(model.clone()).unwrap();
    sink.seed_users_csv(&input.join("workspace_members.csv"))
        .unwrap();
    let journal = SqliteJournal::open(dir.path().join("state")).unwrap();
    let s = migrate(&input, &spec, &model, &sink, &journal).await;
    assert_eq!(counts(&s, "note").source, 0);
    assert_eq!(counts(&s, "task").source, sample.count("activities") as u64);
    assert_eq!(counts(&s, "person").source, sample.count("users") as u64);
    // Rows per exported file: the missing files have none, the others all their rows.
    let rows = |file: &str| {
        s.files
            .iter()
            .find(|(f, _)| f == file)
            .map(|(_, c)| c.source)
            .unwrap_or(0)
    };
    assert_eq!((rows("events"), rows("conversations")), (0, 0));
    assert_eq!(rows("users"), sample.count("users") as u64);
    assert_eq!(rows("activities"), sample.count("activities") as u64);
    assert!(s.files.iter().all(|(_, c)| c.balanced()));
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crm-migrate"))
        .args(args)
        .output()
        .expect("run crm-migrate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_unseen_export_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let (input, disc, mapping, state) = (p("in"), p("discovery"), p("mapping.toml"), p("state"));
    let db = format!("sandbox:{}", p("dest.sqlite"));
    let (code, out, err) = cli(&[
        "sample",
        "usercom",
        "--variant",
        "unseen",
        "--records",
        "80",
        "--out",
        &input,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = cli(&[
        "discover", "--from", "usercom", "--input", &input, "--out", &disc,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let md = std::fs::read_to_string(dir.path().join("discovery/discovery.md")).unwrap();
    for expected in [
        "events: not in this export",
        "conversations: not in this export",
        EXTRA_FILE,
        "favourite_colour",
    ] {
        assert!(
            md.contains(expected),
            "{expected} missing from discovery.md"
        );
    }
    let (code, out, err) = cli(&[
        "map", "--from", "usercom", "--input", &input, "--to", &db, "--out", &mapping,
    ]);
    assert_eq!(code, 3, "a proposal waits for a person\n{out}{err}");
    let text = std::fs::read_to_string(&mapping).unwrap();
    assert!(text.contains("events: not in this export"), "{text}");
    let (code, out, err) = cli(&["map", "--confirm", &mapping]);
    assert_eq!(code, 0, "{out}{err}");
    let members = format!("{input}/workspace_members.csv");
    let (code, out, err) = cli(&[
        "run",
        "--from",
        "usercom",
        "--input",
        &input,
        "--to",
        &db,
        "--mapping",
        &mapping,
        "--state",
        &state,
        "--sandbox-members",
        &members,
    ]);
    assert_eq!(
        code, 3,
        "malformed emails are values for a person to look at\n{out}{err}"
    );
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("state/report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["balanced"], true, "{report}");
    let rejects = std::fs::read_to_string(dir.path().join("state/rejects.csv")).unwrap();
    assert!(rejects.lines().count() > 1, "{rejects}");
    for line in rejects.lines().skip(1) {
        assert!(line.starts_with("person,usercom,users,"), "{line}");
        assert!(line.contains(",email,"), "{line}");
        assert!(
            line.ends_with(",field") || line.contains("no usable identity"),
            "{line}"
        );
    }
    let (code, out, err) = cli(&["verify", "--state", &state]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(" 0 differences"), "{out}");
}
