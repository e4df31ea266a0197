//! A mapping applied end to end: a bad value costs its field (a field-level line naming the
//! record, field, value and reason), not the record, unless the mapping says otherwise or
//! nothing is left to know the record by; everything else loads; report.json adds up.

use crm_migrate::connectors::sandbox::SandboxSink;
use crm_migrate::connectors::twenty::twenty_standard_model;
use crm_migrate::core::engine::{verify, Engine};
use crm_migrate::core::journal::{Journal, Outcome, SqliteJournal};
use crm_migrate::core::memory::MemorySource;
use crm_migrate::core::report::write_reports;
use crm_migrate::core::{RawRecord, Sink, SourceKey, Value};
use crm_migrate::transform::mapping::MappingSpec;
use crm_migrate::transform::SpecMapper;

const SPEC: &str = r#"
[meta]
source = "export"
destination = "twenty"

[policies]
date_order = "day_first"
default_currency = "EUR"

[[objects]]
source = "companies"
target = "company"
id = "Company ID"
created_at = "Created On"

[[objects.fields]]
source = "Company Name"
target = "name"
transform = "text"

[[objects.fields]]
source = "Website"
target = "domain"
transform = "domain"
on_error = "reject"

[[objects.fields]]
source = "Staff"
target = "employees"
transform = "integer"
on_error = "drop_field"

[[objects]]
source = "contacts"
target = "person"
id = "Contact ID"
created_at = "Created On"
skip_when = { field = "E-mail Address", empty = true }
skip_reason = "anonymous visitor: no email, not migrated"

[[objects.fields]]
source = "First Name"
target = "first_name"
transform = "text"

[[objects.fields]]
source = "E-mail Address"
target = "emails"
transform = "emails"
keep_raw_in = "rawEmail"

[[objects.fields]]
source = "Mobile"
target = "phones"
transform = "phones"
on_error = "queue"

[[objects.fields]]
source = "Company ID"
target = "company"
transform = "ref_key"
ref_object = "company"
ref_source = "companies"

[[objects]]
source = "deals"
target = "opportunity"
id = "id"

[[objects.fields]]
source = "title"
target = "name"
transform = "text"

[[objects.fields]]
source = "value"
target = "amount"
transform = "money"

[[objects.fields]]
source = "status"
target = "stage"
transform = "choice"

[objects.value_maps.stage]
won = "CUSTOMER"
open = "NEW"

[[custom_fields]]
object = "person"
name = "rawEmail"
label = "Email as exported"
type = "text"
"#;

fn row(object: &str, n: usize, cells: &[(&str, &str)]) -> RawRecord {
    let mut fields = serde_json::Map::new();
    for (k, v) in cells {
        fields.insert(k.to_string(), serde_json::Value::String(v.to_string()));
    }
    RawRecord {
        key: SourceKey::new("export", object, format!("row-{n}")),
        fields,
    }
}

fn source() -> MemorySource {
    let companies = vec![
        row(
            "companies",
            1,
            &[
                ("Company ID", "C1"),
                ("Company Name", "Acme Sp. z o.o."),
                ("Website", "https://www.acme.pl/"),
                ("Staff", "120"),
                ("Created On", "25/12/2020 09:00"),
            ],
        ),
        row(
            "companies",
            2,
            &[
                ("Company ID", "C2"),
                ("Company Name", "Beta"),
                ("Website", "beta.example"),
                ("Staff", "about ten"),
                ("Created On", "03/04/2021 10:00"),
            ],
        ),
        row(
            "companies",
            3,
            &[
                ("Company ID", "C3"),
                ("Company Name", "Gamma"),
                ("Website", "not a url"),
                ("Created On", "01/01/2021"),
            ],
        ),
    ];
    let contacts = vec![
        row(
            "contacts",
            1,
            &[
                ("Contact ID", "P1"),
                ("First Name", "Łucja"),
                ("E-mail Address", "lucja@acme.pl"),
                ("Mobile", "+48 600 700 800"),
                ("Company ID", "C1"),
                ("Created On", "31/01/2021 08:30"),
            ],
        ),
        row(
            "contacts",
            2,
            &[
                ("Contact ID", "P2"),
                ("First Name", "Bad"),
                ("E-mail Address", "not-an-email"),
                ("Company ID", "C1"),
            ],
        ),
        row(
            "contacts",
            3,
            &[("Contact ID", "P3"), ("First Name", "Anon")],
        ),
        row(
            "contacts",
            4,
            &[
                ("Contact ID", "P4"),
                ("First Name", "Phone"),
                ("E-mail Address", "phone@acme.pl"),
                ("Mobile", "call me maybe"),
            ],
        ),
        row(
            "contacts",
            5,
            &[
                ("Contact ID", "P5"),
                ("First Name", "Late"),
                ("E-mail Address", "late@acme.pl"),
                ("Created On", "31/31/2021"),
            ],
        ),
        row(
            "contacts",
            6,
            &[
                ("Contact ID", "P6"),
                ("First Name", "Dup"),
                ("E-mail Address", " LUCJA@ACME.PL "),
            ],
        ),
        row(
            "contacts",
            7,
            &[("Contact ID", "P7"), ("E-mail Address", "nobody at all")],
        ),
    ];
    let deals = vec![
        row(
            "deals",
            1,
            &[
                ("id", "D1"),
                ("title", "Big"),
                ("value", "1 234.50 EUR"),
                ("status", "won"),
            ],
        ),
        row(
            "deals",
            2,
            &[
                ("id", "D2"),
                ("title", "Odd"),
                ("value", "12"),
                ("status", "abandoned"),
            ],
        ),
        row(
            "deals",
            3,
            &[
                ("id", "D3"),
                ("title", "Cheap"),
                ("value", "twelve"),
                ("status", "open"),
            ],
        ),
    ];
    MemorySource::new("export", [])
        .with_raw("companies", companies)
        .with_raw("contacts", contacts)
        .with_raw("deals", deals)
}

#[tokio::test]
async fn invalid_values_cost_their_field_and_the_report_adds_up() {
    let spec = MappingSpec::from_toml(SPEC).unwrap();
    let schema = spec.schema_changes();
    let model = twenty_standard_model();
    let mapper = SpecMapper::new(spec, Some(model.clone())).unwrap();
    let sink = SandboxSink::in_memory(model.clone()).unwrap();
    let journal = SqliteJournal::in_memory().unwrap();
    let source = source();
    let summary = Engine::new(&source, &mapper, &sink, &journal)
        .schema(schema)
        .run()
        .await
        .unwrap();
    assert!(summary.balanced(), "{:?}", summary.counts);
    let c = |o: &str| summary.counts.iter().find(|(x, _)| x == o).unwrap().1;
    // C3's website is marked on_error = "reject": the one record-level reject by choice.
    assert_eq!((c("company").created, c("company").rejected), (2, 1));
    // P2 (bad email, has a name and a company) and P5 (bad creation date) load without the
    // bad value; P7 (bad email and nothing else) has no identity left and is rejected; P4's
    // phone is marked on_error = "queue"; P3 is skipped; P6 merges into P1.
    let p = c("person");
    assert_eq!(
        (p.source, p.created, p.merged, p.rejected, p.queued, p.skipped),
        (7, 3, 1, 1, 1, 1)
    );
    assert_eq!(
        p.values_dropped, 2,
        "P2's email and P5's date (P7's email is the reason of its record-level reject)"
    );

    // D2's stage is not an option and D3's amount is unreadable: both deals load without.
    let o = c("opportunity");
    assert_eq!((o.created, o.rejected, o.values_dropped), (3, 0, 2));

    let dropped = journal
        .notices(
            summary.run.id,
            crm_migrate::core::journal::NoticeKind::ValueDropped,
        )
        .unwrap();
    let find = |id: &str| {
        dropped
            .iter()
            .find(|r| r.key.id == id)
            .map(|r| &r.notice)
            .unwrap_or_else(|| panic!("no dropped value for {id}: {dropped:#?}"))
    };
    // Record id (from the mapping's id column), field, value and reason, for each.
    let r = find("P2");
    assert_eq!(
        (r.field.as_str(), r.value.as_deref()),
        ("E-mail Address", Some("not-an-email"))
    );
    assert!(r.reason.contains("E-mail Address → emails"), "{r:?}");
    let p2 = journal
        .id_entry(&SourceKey::new("export", "contacts", "P2"))
        .unwrap()
        .unwrap();
    assert!(!p2.written.contains_key("emails"));
    assert_eq!(
        p2.written.get("rawEmail"),
        Some(&Value::Text("not-an-email".into())),
        "the raw value is kept where the mapping says"
    );
    assert!(p2.written.contains_key("company"));
    let r = find("P5");
    assert_eq!(
        (r.field.as_str(), r.value.as_deref()),
        ("Created On", Some("31/31/2021"))
    );
    assert!(r.reason.contains("keeps the time it is created"), "{r:?}");
    let rejects = journal.rows(summary.run.id, Outcome::Rejected).unwrap();
    let p7 = rejects.iter().find(|r| r.key.id == "P7").unwrap();
    assert!(
        p7.reason.as_deref().unwrap().contains("no usable identity"),
        "{p7:?}"
    );
    let c3 = rejects.iter().find(|r| r.key.id == "C3").unwrap();
    assert_eq!(c3.value.as_deref(), Some("not a url"));
    let r = find("D2");
    assert_eq!(
        (r.field.as_str(), r.value.as_deref()),
        ("stage", Some("abandoned"))
    );
    assert!(r.reason.contains("NEW, SCREENING"), "{r:?}");
    let r = find("D3");
    assert_eq!(
        (r.field.as_str(), r.value.as_deref()),
        ("value", Some("twelve"))
    );
    let queued = journal.rows(summary.run.id, Outcome::Queued).unwrap();
    assert_eq!(queued[0].key.id, "P4");
    assert_eq!(queued[0].value.as_deref(), Some("call me maybe"));
    let skipped = journal.rows(summary.run.id, Outcome::Skipped).unwrap();
    assert!(skipped[0]
        .reason
        .as_deref()
        .unwrap()
        .contains("anonymous visitor"));

    // What loaded is right: the unreadable employee count was dropped, not the company;
    // dates read day-first; the stage value-mapped; money exact; the link resolved.
    let c2 = journal
        .id_entry(&SourceKey::new("export", "companies", "C2"))
        .unwrap()
        .unwrap();
    assert!(!c2.written.contains_key("employees"));
    let c1 = journal
        .id_entry(&SourceKey::new("export", "companies", "C1"))
        .unwrap()
        .unwrap();
    let back = sink
        .read("company", std::slice::from_ref(&c1.dest_id))
        .await
        .unwrap()
        .remove(0)
        .unwrap();
    assert_eq!(
        back.created_at.unwrap().to_rfc3339(),
        "2020-12-25T09:00:00+00:00"
    );
    assert_eq!(
        back.fields.get("domain"),
        Some(&Value::Urls(vec!["acme.pl".into()]))
    );
    let d1 = journal
        .id_entry(&SourceKey::new("export", "deals", "D1"))
        .unwrap()
        .unwrap();
    assert_eq!(
        d1.written.get("stage"),
        Some(&Value::Choice("CUSTOMER".into()))
    );
    assert_eq!(
        d1.written.get("amount"),
        Some(&Value::Money {
            micros: 1_234_500_000,
            currency: "EUR".into()
        })
    );
    let p1 = journal
        .id_entry(&SourceKey::new("export", "contacts", "P1"))
        .unwrap()
        .unwrap();
    assert_eq!(
        p1.written.get("company"),
        Some(&Value::Id(crm_migrate::core::RecordId::new(
            "company",
            &c1.dest_id
        )))
    );
    assert!(verify(&sink, &journal, &model).await.unwrap().clean());

    let dir = tempfile::tempdir().unwrap();
    write_reports(dir.path(), &journal, &summary).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    assert_eq!(json["balanced"], true);
    let csv = std::fs::read_to_string(dir.path().join("rejects.csv")).unwrap();
    let line = |id: &str| {
        csv.lines()
            .find(|l| l.contains(&format!(",{id},")))
            .unwrap_or_else(|| panic!("no line for {id}: {csv}"))
    };
    assert!(
        line("P2").contains("not-an-email") && line("P2").ends_with(",field"),
        "{csv}"
    );
    assert!(line("P7").ends_with(",record"), "{csv}");
    assert_eq!(json["totals"]["values_dropped"], 5);
}

#[test]
fn a_mapping_to_a_field_the_destination_lacks_is_refused_up_front() {
    let text = SPEC.replace("target = \"first_name\"", "target = \"nickname\"");
    let spec = MappingSpec::from_toml(&text).unwrap();
    let err = SpecMapper::new(spec, Some(twenty_standard_model())).unwrap_err();
    assert!(
        err.contains("nickname") && err.contains("custom_fields"),
        "{err}"
    );
}
