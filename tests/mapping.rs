//! A mapping applied end to end: raw export rows with bad values → rejects naming the
//! record, field, value and reason; everything else loads; report.json still adds up.

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
async fn invalid_values_become_rejects_and_the_report_adds_up() {
    let spec = MappingSpec::from_toml(SPEC).unwrap();
    let model = twenty_standard_model();
    let mapper = SpecMapper::new(spec, Some(model.clone())).unwrap();
    let sink = SandboxSink::in_memory(model.clone()).unwrap();
    let journal = SqliteJournal::in_memory().unwrap();
    let source = source();
    let summary = Engine::new(&source, &mapper, &sink, &journal)
        .run()
        .await
        .unwrap();
    assert!(summary.balanced(), "{:?}", summary.counts);
    let c = |o: &str| summary.counts.iter().find(|(x, _)| x == o).unwrap().1;
    assert_eq!((c("company").created, c("company").rejected), (2, 1));
    let p = c("person");
    assert_eq!(
        (p.source, p.created, p.merged, p.rejected, p.queued, p.skipped),
        (6, 1, 1, 2, 1, 1)
    );
    assert_eq!(
        (c("opportunity").created, c("opportunity").rejected),
        (1, 2)
    );

    let rejects = journal.rows(summary.run.id, Outcome::Rejected).unwrap();
    let find = |id: &str| {
        rejects
            .iter()
            .find(|r| r.key.id == id)
            .unwrap_or_else(|| panic!("no reject for {id}: {rejects:#?}"))
    };
    // Record id (from the mapping's id column), field, value and reason, for each.
    let r = find("P2");
    assert_eq!(
        (r.field.as_deref(), r.value.as_deref()),
        (Some("E-mail Address"), Some("not-an-email"))
    );
    assert!(
        r.reason
            .as_deref()
            .unwrap()
            .contains("E-mail Address → emails"),
        "{r:?}"
    );
    let r = find("P5");
    assert_eq!(
        (r.field.as_deref(), r.value.as_deref()),
        (Some("Created On"), Some("31/31/2021"))
    );
    let r = find("C3");
    assert_eq!(r.value.as_deref(), Some("not a url"));
    let r = find("D2");
    assert_eq!(
        (r.field.as_deref(), r.value.as_deref()),
        (Some("stage"), Some("abandoned"))
    );
    assert!(
        r.reason.as_deref().unwrap().contains("NEW, SCREENING"),
        "{r:?}"
    );
    let r = find("D3");
    assert_eq!(
        (r.field.as_deref(), r.value.as_deref()),
        (Some("value"), Some("twelve"))
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
    assert!(csv.contains("P2") && csv.contains("not-an-email"), "{csv}");
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
