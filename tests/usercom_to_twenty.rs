//! Acceptance of the User.com → Twenty migration (issue 5): the bundled User.com sample,
//! the map proposed from it (the platform map fitted to its columns and values), into the
//! sandbox (Twenty's model) and into the Twenty emulator.
#![cfg(all(feature = "usercom", feature = "sandbox", feature = "twenty"))]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crm_migrate::connectors::sandbox::SandboxSink;
use crm_migrate::connectors::twenty::twenty_standard_model;
use crm_migrate::connectors::usercom::mapping::propose;
use crm_migrate::connectors::usercom::sample::{generate, SampleSummary, MEMBERS_FILE};
use crm_migrate::connectors::usercom::UsercomCsvSource;
use crm_migrate::core::engine::{
    rollback_with_schema, verify, Engine, EngineConfig, NoProgress, OrphanPolicy, RunSummary,
};
use crm_migrate::core::journal::{Counts, Journal, NoticeKind, Outcome, RunMode, SqliteJournal};
use crm_migrate::core::{
    DataModel, Fields, ReadBack, Sink, SourceKey, Value, WriteOp, WriteRecord,
};
use crm_migrate::transform::mapping::{MappingSpec, OrphanRule};
use crm_migrate::transform::normalise::{parse_datetime, DateTimeOptions};
use crm_migrate::transform::SpecMapper;

const USERS: usize = 300;
const SEED: u64 = 5;

type Rows = Vec<BTreeMap<String, String>>;

fn read_csv(path: &Path) -> (Vec<String>, Rows) {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            head.iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect();
    (head, rows)
}

fn write_csv(path: &Path, head: &[String], rows: &Rows) {
    let mut out = Vec::from(&b"\xEF\xBB\xBF"[..]);
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(head).unwrap();
        for row in rows {
            w.write_record(head.iter().map(|h| row[h].as_str()))
                .unwrap();
        }
        w.flush().unwrap();
    }
    std::fs::write(path, out).unwrap();
}

struct Fixture {
    _dir: tempfile::TempDir,
    input: PathBuf,
    state: PathBuf,
    sample: SampleSummary,
    spec: MappingSpec,
    members: Vec<(String, String, String)>,
}

/// The sample export and the map proposed from it onto `model`, saved and read back as
/// `crm-migrate map` writes it.
async fn fixture(model: &DataModel) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("export");
    let state = dir.path().join("state");
    let sample = generate(&input, USERS, SEED).unwrap();
    let proposal = propose(&UsercomCsvSource::open(&input).unwrap(), model)
        .await
        .unwrap();
    let saved = dir.path().join("mapping.toml");
    proposal.save(&saved).unwrap();
    let spec = MappingSpec::load(&saved).unwrap();
    assert_eq!(
        spec.checksum(),
        proposal.spec.checksum(),
        "the saved proposal reads back as proposed"
    );
    let (_, m) = read_csv(&input.join(MEMBERS_FILE));
    let members = m
        .iter()
        .map(|r| {
            (
                r["email"].clone(),
                r["first_name"].clone(),
                r["last_name"].clone(),
            )
        })
        .collect();
    Fixture {
        _dir: dir,
        input,
        state,
        sample,
        spec,
        members,
    }
}

fn config(spec: &MappingSpec, mode: RunMode) -> EngineConfig {
    let p = &spec.policies;
    EngineConfig {
        batch_size: 100,
        dedupe: p.dedupe.clone(),
        orphans: match p.orphans {
            OrphanRule::Reject => OrphanPolicy::Reject,
            OrphanRule::Queue => OrphanPolicy::Queue,
            OrphanRule::DropLink => OrphanPolicy::DropLink,
        },
        owner_fallback: p.owner_fallback.clone(),
        mode,
        ..EngineConfig::default()
    }
}

async fn run(f: &Fixture, sink: &dyn Sink, journal: &dyn Journal, mode: RunMode) -> RunSummary {
    let source = UsercomCsvSource::open(&f.input).unwrap();
    let mapper = SpecMapper::new(f.spec.clone(), Some(twenty_standard_model())).unwrap();
    let summary = Engine::new(&source, &mapper, sink, journal)
        .config(config(&f.spec, mode))
        .schema(f.spec.schema_changes())
        .run()
        .await
        .unwrap();
    assert!(summary.balanced(), "{:?}", summary.counts);
    summary
}

fn counts(s: &RunSummary, object: &str) -> Counts {
    s.counts
        .iter()
        .find(|(o, _)| o == object)
        .map(|(_, c)| *c)
        .unwrap_or_default()
}

fn key(object: &str, id: &str) -> SourceKey {
    SourceKey::new("usercom", object, id)
}

/// The destination id written for a source record.
fn dest(journal: &dyn Journal, object: &str, id: &str) -> String {
    journal
        .id_entry(&key(object, id))
        .unwrap()
        .unwrap_or_else(|| panic!("{object}/{id} was not migrated"))
        .dest_id
}

async fn read(sink: &dyn Sink, object: &str, id: &str) -> ReadBack {
    sink.read(object, &[id.to_string()])
        .await
        .unwrap()
        .remove(0)
        .unwrap_or_else(|| panic!("{object} {id} is not in the destination"))
}

/// A source date-time as Twenty keeps it: to the millisecond (the sample has microseconds).
fn time(raw: &str) -> chrono::DateTime<chrono::Utc> {
    use chrono::DurationRound;
    parse_datetime(raw, &DateTimeOptions::default())
        .unwrap()
        .duration_trunc(chrono::Duration::milliseconds(1))
        .unwrap()
}

/// `t` to the millisecond.
fn ms(t: Option<chrono::DateTime<chrono::Utc>>) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::DurationRound;
    t.map(|t| t.duration_trunc(chrono::Duration::milliseconds(1)).unwrap())
}

/// Every verification difference, printed (there must be none: instants compare to the
/// millisecond, which is what Twenty keeps).
fn real_differences(v: &crm_migrate::core::engine::VerifyReport) -> Vec<String> {
    v.differences.iter().map(|d| format!("{d:?}")).collect()
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::Text(t) | Value::Choice(t)) => t.clone(),
        other => panic!("expected text, got {other:?}"),
    }
}

fn id_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::Id(id)) => id.id.clone(),
        other => panic!("expected a link, got {other:?}"),
    }
}

fn ids_of(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Ids(ids)) => {
            let mut ids: Vec<String> = ids.iter().map(|i| i.id.clone()).collect();
            ids.sort();
            ids
        }
        other => panic!("expected links, got {other:?}"),
    }
}

fn row<'a>(rows: &'a Rows, id: &str) -> &'a BTreeMap<String, String> {
    rows.iter().find(|r| r["id"] == id).unwrap()
}

fn outcome(journal: &dyn Journal, run: i64, object: &str, k: &SourceKey) -> Outcome {
    journal.outcome(run, object, k).unwrap().unwrap().0
}

/// Counts pinned for the sample of 300 users, seed 5: (object, source, created, merged,
/// rejected, queued, skipped).
const FIRST_RUN: &[(&str, u64, u64, u64, u64, u64, u64)] = &[
    ("user", 6, 0, 4, 0, 2, 0),
    ("company", 40, 40, 0, 0, 0, 0),
    ("person", 300, 251, 16, 0, 0, 33),
    ("opportunity", 78, 78, 0, 0, 0, 0),
    ("task", 712, 308, 0, 0, 0, 404),
    ("note", 459, 404, 0, 0, 0, 55),
];

/// The same against the recorded pre-1.5 Twenty (the emulator), whose opportunities have no
/// owner: deals owned by agents who are not members are no longer queued for it.
#[cfg(feature = "emulators")]
const FIRST_RUN_PRE_1_5: &[(&str, u64, u64, u64, u64, u64, u64)] = &[
    ("user", 6, 0, 4, 0, 2, 0),
    ("company", 40, 40, 0, 0, 0, 0),
    ("person", 300, 251, 16, 0, 0, 33),
    ("opportunity", 78, 78, 0, 0, 0, 0),
    ("task", 712, 308, 0, 0, 0, 404),
    ("note", 459, 404, 0, 0, 0, 55),
];

/// The fixed records checked field by field.
const PERSON: &str = "22";
const DEAL: &str = "6";
const ACTIVITY: &str = "24";
const EVENT: &str = "20";
const CONVERSATION: &str = "1";

/// The first run: the identity, verification, the fixed records, merges, rejects and the
/// review queue.
async fn first_run(
    f: &Fixture,
    sink: &dyn Sink,
    journal: &dyn Journal,
    pins: &[(&str, u64, u64, u64, u64, u64, u64)],
) -> RunSummary {
    let s = run(f, sink, journal, RunMode::Full).await;
    // Every source record is accounted for, object by object.
    let sources = [
        ("user", f.sample.count("agents")),
        ("company", f.sample.count("companies")),
        ("person", f.sample.count("users")),
        ("opportunity", f.sample.count("deals")),
        (
            "task",
            f.sample.count("activities")
                + f.sample.count("events")
                + f.sample.count("conversations"),
        ),
        ("note", f.sample.count("events")),
    ];
    for (object, n) in sources {
        let c = counts(&s, object);
        assert!(c.balanced(), "{object}: {c:?}");
        assert_eq!(c.source, n as u64, "{object}: {c:?}");
    }
    let actual: Vec<(&str, u64, u64, u64, u64, u64, u64)> = pins
        .iter()
        .map(|(object, ..)| {
            let c = counts(&s, object);
            assert_eq!(c.updated, 0, "{object}");
            (
                *object, c.source, c.created, c.merged, c.rejected, c.queued, c.skipped,
            )
        })
        .collect();
    assert_eq!(
        actual, pins,
        "pinned counts (object, source, created, merged, rejected, queued, skipped)"
    );
    let model = sink.data_model().await.unwrap();
    let v = verify(sink, journal, &model).await.unwrap();
    assert!(
        real_differences(&v).is_empty(),
        "{:?}",
        real_differences(&v)
    );
    if sink.name() == "sandbox" {
        assert!(v.clean(), "{:?}", v.differences);
    }
    let t = s.totals();
    assert_eq!(
        v.records as u64,
        t.created + t.merged,
        "every created or merged record read back"
    );

    let (_, users) = read_csv(&f.input.join("users.csv"));
    let (_, deals) = read_csv(&f.input.join("deals.csv"));
    let (_, activities) = read_csv(&f.input.join("activities.csv"));
    let (_, events) = read_csv(&f.input.join("events.csv"));
    let (_, conversations) = read_csv(&f.input.join("conversations.csv"));

    // A person with its company link and original createdAt.
    let u = row(&users, PERSON);
    let p = read(sink, "person", &dest(journal, "users", PERSON)).await;
    assert_eq!(text(p.fields.get("first_name")), u["first_name"]);
    assert_eq!(text(p.fields.get("last_name")), u["last_name"]);
    assert_eq!(text(p.fields.get("city")), u["city"]);
    assert_eq!(
        p.fields.get("emails"),
        Some(&Value::Emails(vec![u["email"].trim().to_lowercase()]))
    );
    assert_eq!(
        id_of(p.fields.get("company")),
        dest(journal, "companies", &u["company_id"])
    );
    assert_eq!(ms(p.created_at), Some(time(&u["created_at"])));

    // An opportunity with company, point of contact, owner and amount.
    let d = row(&deals, DEAL);
    let o = read(sink, "opportunity", &dest(journal, "deals", DEAL)).await;
    assert_eq!(text(o.fields.get("name")), d["name"]);
    assert_eq!(
        id_of(o.fields.get("company")),
        dest(journal, "companies", &d["company_id"])
    );
    assert_eq!(
        id_of(o.fields.get("point_of_contact")),
        dest(journal, "users", &d["user_id"])
    );
    if model.get("opportunity").unwrap().get("owner").is_some() {
        assert_eq!(
            id_of(o.fields.get("owner")),
            dest(journal, "agents", &d["assigned_to"])
        );
    }
    let micros = (d["value"].parse::<f64>().unwrap() * 1e6).round() as i64;
    assert_eq!(
        o.fields.get("amount"),
        Some(&Value::Money {
            micros,
            currency: d["currency"].clone()
        })
    );
    assert_eq!(text(o.fields.get("currencyCode")), d["currency"]);
    // Every loaded deal: the stage follows the documented status (won, lost, abandoned,
    // archived; the last three as new options), else the stage name as the proposal maps
    // it (each name observed in the export, onto a stage option the destination has after
    // the run).
    let stage_map = &f.spec.object("deals", "opportunity").unwrap().value_maps["stage"];
    let stage_options = model
        .get("opportunity")
        .unwrap()
        .get("stage")
        .unwrap()
        .options
        .clone();
    let stage_of = |d: &BTreeMap<String, String>| -> String {
        match d["status"].as_str() {
            "0" => "ABANDONED".into(),
            "2" => "CUSTOMER".into(),
            "3" => "LOST".into(),
            "4" => "ARCHIVED".into(),
            _ => {
                let name = d["stage"].as_str();
                let option = stage_map
                    .get(name)
                    .unwrap_or_else(|| panic!("stage {name:?} is not in the proposal's value map"));
                assert!(
                    stage_options.contains(option),
                    "{option} is not a stage option"
                );
                option.clone()
            }
        }
    };
    let mut stages = std::collections::BTreeSet::new();
    let mut currencies = std::collections::BTreeSet::new();
    let mut tagged = 0;
    for d in deals.iter() {
        let id = d["id"].as_str();
        if journal.id_entry(&key("deals", id)).unwrap().is_none() {
            continue;
        }
        let o = read(sink, "opportunity", &dest(journal, "deals", id)).await;
        assert_eq!(text(o.fields.get("stage")), stage_of(d), "deal {id}");
        let tags = crm_migrate::transform::normalise::parse_pg_array(&d["tags"]).unwrap();
        match o.fields.get("tags") {
            Some(Value::Choices(v)) => assert_eq!(v.len(), tags.len(), "deal {id} tags"),
            None => assert!(tags.is_empty(), "deal {id} lost its tags {tags:?}"),
            other => panic!("deal {id} tags: {other:?}"),
        }
        tagged += usize::from(!tags.is_empty());
        stages.insert(stage_of(d));
        if let Some(Value::Money { currency, .. }) = o.fields.get("amount") {
            assert_eq!(currency, &d["currency"], "deal {id}");
            currencies.insert(currency.clone());
        }
    }
    assert!(
        stages.contains("LOST") && stages.contains("CUSTOMER") && stages.len() >= 4,
        "{stages:?}"
    );
    // Every stage name of the export is mapped, none to an empty option.
    for d in deals.iter() {
        assert!(
            stage_map.get(&d["stage"]).is_some_and(|o| !o.is_empty()),
            "stage {:?}",
            d["stage"]
        );
    }
    assert!(currencies.len() >= 2, "{currencies:?}");
    assert!(tagged > 0, "some loaded deals carry tags");
    assert_eq!(ms(o.created_at), Some(time(&d["created_at"])));

    // A task from an activity, with its targets and assignee; its type as the proposal
    // maps the export's activity type.
    let type_map = &f.spec.object("activities", "task").unwrap().value_maps["activityType"];
    let a = row(&activities, ACTIVITY);
    let t = read(sink, "task", &dest(journal, "activities", ACTIVITY)).await;
    assert_eq!(text(t.fields.get("title")), a["name"]);
    assert_eq!(
        id_of(t.fields.get("assignee")),
        dest(journal, "agents", &a["assigned_to"])
    );
    let mut want = vec![
        dest(journal, "users", &a["user_id"]),
        dest(journal, "companies", &a["company_id"]),
        dest(journal, "deals", &a["deal_id"]),
    ];
    want.sort();
    assert_eq!(ids_of(t.fields.get("targets")), want);
    assert_eq!(
        &text(t.fields.get("activityType")),
        type_map
            .get(&a["activity_type"])
            .unwrap_or(&a["activity_type"])
    );
    assert_eq!(
        text(t.fields.get("status")),
        if a["done"] == "t" { "DONE" } else { "TODO" }
    );
    assert_eq!(ms(t.created_at), Some(time(&a["created_at"])));

    // A note from an informational event.
    let e = row(&events, EVENT);
    assert_ne!(e["event_name"], "meeting_scheduled");
    let n = read(sink, "note", &dest(journal, "events", EVENT)).await;
    assert_eq!(text(n.fields.get("title")), e["event_name"]);
    let body = text(n.fields.get("body"));
    let data: serde_json::Value = serde_json::from_str(&e["data"]).unwrap();
    for v in data.as_object().unwrap().values() {
        let v = v.as_str().map_or_else(|| v.to_string(), String::from);
        assert!(body.contains(&v), "{body:?} lacks {v:?}");
    }
    assert_eq!(
        ids_of(n.fields.get("targets")),
        vec![dest(journal, "users", &e["user_id"])]
    );
    assert_eq!(ms(n.created_at), Some(time(&e["datetime"])));

    // A chat task with its transcript, one timestamped line a message.
    let c = row(&conversations, CONVERSATION);
    let t = read(sink, "task", &dest(journal, "conversations", CONVERSATION)).await;
    assert_eq!(text(t.fields.get("activityType")), "CHAT");
    let body = text(t.fields.get("body"));
    let messages: Vec<serde_json::Value> = serde_json::from_str(&c["transcript"]).unwrap();
    assert_eq!(body.matches(" UTC — ").count(), messages.len(), "{body}");
    assert!(
        body.starts_with("**") && body.contains("Do you ship to Zürich?"),
        "{body}"
    );
    assert_eq!(
        ids_of(t.fields.get("targets")),
        vec![dest(journal, "users", &c["user_id"])]
    );

    // Duplicates (same email in another case, padded) merge into one person: every one the
    // audit finds (the sample's own count includes one anonymous visitor, who is skipped).
    let merged = journal.rows(s.run.id, Outcome::Merged).unwrap();
    let dups: Vec<_> = merged.iter().filter(|r| r.object == "person").collect();
    assert_eq!(dups.len(), f.sample.duplicate_users - 1);
    for r in &dups {
        let raw = &row(&users, &r.key.id)["email"];
        assert!(
            r.reason.as_deref().unwrap().contains("duplicate of"),
            "{r:?}"
        );
        let holder = users
            .iter()
            .find(|h| h["id"] != r.key.id && h["email"].trim().eq_ignore_ascii_case(raw.trim()))
            .unwrap();
        assert_eq!(
            dest(journal, "users", &r.key.id),
            dest(journal, "users", &holder["id"])
        );
    }

    // Invalid emails cost the email, not the person (who has a name): each is a
    // field-level line naming the value and why, and the person loaded.
    let dropped = journal.notices(s.run.id, NoticeKind::ValueDropped).unwrap();
    let emails: Vec<_> = dropped
        .iter()
        .filter(|r| r.object == "person" && r.notice.field == "email")
        .collect();
    assert_eq!(emails.len(), f.sample.invalid_emails);
    // Phone lists written as PostgreSQL arrays load whole (none is left out).
    let phones: Vec<_> = dropped
        .iter()
        .filter(|r| r.notice.field.contains("phone"))
        .collect();
    assert!(phones.is_empty(), "{phones:?}");
    for r in &emails {
        assert!(r.notice.reason.contains("as an email address"), "{r:?}");
        assert!(journal.id_entry(&r.key).unwrap().is_some(), "{r:?} loaded");
    }
    assert!(journal
        .rows(s.run.id, Outcome::Rejected)
        .unwrap()
        .is_empty());
    // Only what truly needs a person is queued: the two agents who are not members.
    let queued = journal.rows(s.run.id, Outcome::Queued).unwrap();
    assert_eq!(queued.len(), 2, "{queued:?}");
    assert!(queued
        .iter()
        .all(|r| r.object == "user" && r.reason.as_deref().unwrap().contains("invite them")));
    // Their records, and those whose company was never exported, load without that link:
    // each missing link is listed with its reason.
    let links = journal.notices(s.run.id, NoticeKind::LinkNotMade).unwrap();
    for r in &links {
        assert!(!r.notice.reason.is_empty(), "{r:?}");
        assert!(journal.id_entry(&r.key).unwrap().is_some(), "{r:?} loaded");
    }
    let count = |object: &str, field: &str, why: &str| {
        links
            .iter()
            .filter(|r| {
                r.object == object && r.notice.field == field && r.notice.reason.contains(why)
            })
            .count()
    };
    assert_eq!(
        count("opportunity", "company", "no company"),
        f.sample.orphan_deals
    );
    assert_eq!(
        count("person", "company", "no company"),
        7,
        "users at companies never exported"
    );
    assert_eq!(count("company", "owner", "invite them"), 13);
    s
}

/// The users edited in the source for the delta run, and the one also edited in the
/// destination (a conflict).
fn delta_edits(f: &Fixture, journal: &dyn Journal, run: i64) -> (Vec<String>, String) {
    let (head, mut users) = read_csv(&f.input.join("users.csv"));
    let created: Vec<String> = users
        .iter()
        .map(|r| r["id"].clone())
        .filter(|id| outcome(journal, run, "person", &key("users", id)) == Outcome::Created)
        .take(11)
        .collect();
    for r in &mut users {
        if created.contains(&r["id"]) {
            r.insert("city".into(), format!("Gdańsk {}", r["id"]));
        }
    }
    write_csv(&f.input.join("users.csv"), &head, &users);
    let conflict = created[10].clone();
    (created[..10].to_vec(), conflict)
}

async fn edit_in_destination(sink: &dyn Sink, id: String) {
    let mut fields = Fields::new();
    fields.insert("city".into(), Value::Text("Atlantis".into()));
    let w = WriteRecord {
        key: SourceKey::new("someone", "edit", "1"),
        op: WriteOp::Update { id },
        created_at: None,
        updated_at: None,
        fields,
    };
    let out = sink.write_batch("person", &[w]).await.unwrap();
    assert!(out[0].id().is_some(), "{out:?}");
}

/// The delta run after 11 source edits (one of them also edited in the destination).
async fn delta_run(f: &Fixture, sink: &dyn Sink, journal: &dyn Journal, first: &RunSummary) {
    let (edited, conflict) = delta_edits(f, journal, first.run.id);
    edit_in_destination(sink, dest(journal, "users", &conflict)).await;
    let s = run(f, sink, journal, RunMode::Delta).await;
    let p = counts(&s, "person");
    assert_eq!(p.updated, 10, "{p:?}");
    assert_eq!(p.created, 0, "{p:?}");
    for (object, c) in &s.counts {
        if object != "person" {
            assert_eq!((c.created, c.updated), (0, 0), "{object}: {c:?}");
        }
    }
    for id in &edited {
        assert_eq!(
            outcome(journal, s.run.id, "person", &key("users", id)),
            Outcome::Updated
        );
        let p = read(sink, "person", &dest(journal, "users", id)).await;
        assert_eq!(text(p.fields.get("city")), format!("Gdańsk {id}"));
    }
    let conflicts: Vec<_> = journal
        .rows(s.run.id, Outcome::Queued)
        .unwrap()
        .into_iter()
        .filter(|r| r.reason.as_deref().is_some_and(|x| x.contains("conflict")))
        .collect();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert!(conflicts.iter().any(|c| c.key == key("users", &conflict)));
    let p = read(sink, "person", &dest(journal, "users", &conflict)).await;
    assert_eq!(text(p.fields.get("city")), "Atlantis", "not overwritten");
}

#[tokio::test]
async fn usercom_sample_into_the_sandbox() {
    let base = twenty_standard_model();
    let f = fixture(&base).await;
    let sink = SandboxSink::in_memory(base.clone()).unwrap();
    let refs: Vec<(&str, &str, &str)> = f
        .members
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    sink.seed_users(&refs).unwrap();
    let before = sink.snapshot().unwrap();
    let journal = SqliteJournal::open(&f.state).unwrap();

    let first = first_run(&f, &sink, &journal, FIRST_RUN).await;
    delta_run(&f, &sink, &journal, &first).await;

    let r = rollback_with_schema(&sink, &journal, &NoProgress)
        .await
        .unwrap();
    assert!(r.complete && r.failed.is_empty(), "{r:?}");
    // Everything was created by the runs (the delta's updates included): nothing is
    // "restored" on the way to deleting it.
    assert_eq!(r.restored, 0, "{r:?}");
    assert_eq!(
        sink.snapshot().unwrap(),
        before,
        "the destination is as it was"
    );
    assert_eq!(sink.model(), base, "and so is its model");

    let again = run(&f, &sink, &journal, RunMode::Full).await;
    assert_eq!(again.counts, first.counts);
    let v = verify(&sink, &journal, &sink.model()).await.unwrap();
    assert!(v.clean(), "{:?}", v.differences);
}

#[cfg(feature = "emulators")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usercom_sample_into_the_twenty_emulator() {
    use crm_migrate::connectors::twenty::emulator::EmulatorConfig;
    // Twenty as it is today (v2), and the recorded pre-1.5 server.
    emulator_cycle(EmulatorConfig::default(), true).await;
    emulator_cycle(EmulatorConfig::v1(), false).await;
}

#[cfg(feature = "emulators")]
async fn emulator_cycle(
    config: crm_migrate::connectors::twenty::emulator::EmulatorConfig,
    deals_have_owners: bool,
) {
    use crm_migrate::connectors::http::Secret;
    use crm_migrate::connectors::twenty::emulator::TwentyEmulator;
    use crm_migrate::connectors::twenty::{TwentyConfig, TwentySink};

    let emu = TwentyEmulator::start(config).await.unwrap();
    let sink = TwentySink::new(
        TwentyConfig::new(emu.url(), Secret::new(emu.api_key())).with_rate_limit(None),
    )
    .unwrap();
    // The map is proposed onto the live model of the workspace.
    let live = sink.data_model().await.unwrap();
    let f = fixture(&live).await;
    for (email, first, last) in &f.members {
        emu.seed_member(email, first, last);
    }
    let objects = ["people", "companies", "opportunities", "tasks", "notes"];
    let counts_now = || objects.map(|o| emu.count(o));
    let before = counts_now();
    let journal = SqliteJournal::open(&f.state).unwrap();
    // The recorded pre-1.5 Twenty's opportunities have no `ownerId`: the map proposed for
    // it leaves the deal owner out; today's has it.
    assert_eq!(
        f.spec
            .object("deals", "opportunity")
            .unwrap()
            .fields
            .iter()
            .any(|x| x.target == "owner"),
        deals_have_owners
    );

    let first = first_run(&f, &sink, &journal, FIRST_RUN_PRE_1_5).await;
    // Every record created is in the workspace once.
    let created = ["person", "company", "opportunity", "task", "note"]
        .map(|o| counts(&first, o).created as usize);
    assert_eq!(
        counts_now(),
        [0, 1, 2, 3, 4].map(|i| before[i] + created[i])
    );
    delta_run(&f, &sink, &journal, &first).await;

    let r = rollback_with_schema(&sink, &journal, &NoProgress)
        .await
        .unwrap();
    assert!(r.complete && r.failed.is_empty(), "{r:?}");
    assert_eq!(counts_now(), before, "the workspace is as it was");

    let again = run(&f, &sink, &journal, RunMode::Full).await;
    assert_eq!(again.counts, first.counts);
    let model = sink.data_model().await.unwrap();
    let v = verify(&sink, &journal, &model).await.unwrap();
    assert!(
        real_differences(&v).is_empty(),
        "{:?}",
        real_differences(&v)
    );
}

/// Records owned by agents who are not workspace members load without their owner and list
/// the link as not made; once the agents join, a delta run makes those links.
#[tokio::test]
async fn owner_links_are_made_by_a_delta_once_the_agents_join() {
    let model = twenty_standard_model();
    let f = fixture(&model).await;
    let sink = SandboxSink::in_memory(model.clone()).unwrap();
    let refs: Vec<(&str, &str, &str)> = f
        .members
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    sink.seed_users(&refs).unwrap();
    let journal = SqliteJournal::open(&f.state).unwrap();
    let first = run(&f, &sink, &journal, RunMode::Full).await;
    let unlinked = |s: &RunSummary| {
        journal
            .notices(s.run.id, NoticeKind::LinkNotMade)
            .unwrap()
            .into_iter()
            .filter(|n| n.notice.reason.contains("invite them"))
            .collect::<Vec<_>>()
    };
    let owners = unlinked(&first);
    assert!(!owners.is_empty());
    let company = owners.iter().find(|n| n.object == "company").unwrap();
    let before = read(
        &sink,
        "company",
        &dest(&journal, "companies", &company.key.id),
    )
    .await;
    assert!(!before.fields.contains_key("owner"));

    // The two agents who were not members are invited.
    let (_, agents) = read_csv(&f.input.join("agents.csv"));
    let joining: Vec<(String, String, String)> = agents
        .iter()
        .filter(|a| {
            !f.members
                .iter()
                .any(|m| m.0.eq_ignore_ascii_case(a["email"].trim()))
        })
        .map(|a| {
            (
                a["email"].trim().to_string(),
                a["first_name"].clone(),
                a["last_name"].clone(),
            )
        })
        .collect();
    assert_eq!(joining.len(), 2);
    let refs: Vec<(&str, &str, &str)> = joining
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    sink.seed_users(&refs).unwrap();

    let delta = run(&f, &sink, &journal, RunMode::Delta).await;
    assert!(unlinked(&delta).is_empty(), "{:?}", unlinked(&delta));
    assert_eq!(
        counts(&delta, "company").updated,
        owners.iter().filter(|n| n.object == "company").count() as u64
    );
    let after = read(
        &sink,
        "company",
        &dest(&journal, "companies", &company.key.id),
    )
    .await;
    assert!(
        matches!(after.fields.get("owner"), Some(Value::Id(r)) if r.object == "user"),
        "{after:?}"
    );
    let v = verify(&sink, &journal, &sink.model()).await.unwrap();
    assert!(v.clean(), "{:?}", v.differences);
}
