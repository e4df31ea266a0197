//! The acceptance tests of the proposer: a CSV export whose column names are nobody's
//! defaults, mapped onto Twenty's standard model, with the proposal pinned.

use std::collections::BTreeMap;

use crm_core::DataModel;

use super::fixtures::*;
use super::*;
use crate::discover::{Discovery, InferredType as I};
use crate::mapping::{CustomField, CustomFieldType, DateOrderRule, Transform};

#[test]
fn acceptance_renamed_csv_columns_map_onto_twenty() {
    let p = HeuristicAdvisor::new().propose(&export(), &twenty(), &hints());
    let s = &p.spec;
    let toml = s.to_toml();
    if std::env::var_os("SHOW_PROPOSAL").is_some() {
        println!("{toml}\n{:#?}", p.notes);
    }
    assert_eq!(s.meta.source, "csv");
    assert_eq!(s.meta.destination, "twenty");
    assert_eq!(s.meta.proposed_by.as_deref(), Some("heuristic"));
    assert_eq!(s.meta.confirmed, None);
    assert_eq!(
        s.routes(),
        vec![
            ("contacts".to_string(), "person".to_string()),
            ("companies".to_string(), "company".to_string()),
        ]
    );

    let contacts = &s.objects[0];
    assert_eq!(contacts.id, "Contact ID");
    assert_eq!(contacts.created_at.as_deref(), Some("Created On"));
    assert_eq!(contacts.updated_at, None);
    assert_eq!(s.policies.date_order, DateOrderRule::DayFirst, "{toml}");
    assert_eq!(s.policies.default_country.as_deref(), Some("PL"));
    use Transform as X;
    assert_eq!(
        pinned(&p, "contacts"),
        vec![
            row("First Name", "first_name", X::Text, 0.97, false),
            row("Surname", "last_name", X::Text, 0.9, false),
            row("E-mail Address", "emails", X::Emails, 0.9, false),
            row("Mobile", "phones", X::Phones, 0.9, false),
            row("Company Name", "company", X::RefName, 0.75, true),
            row("Job Title", "job_title", X::Text, 0.97, false),
            row("Newsletter", "newsletter", X::Bool, 0.7, true),
            row("Plan", "plan", X::Choice, 0.7, true),
            row("Notes blob", "notesBlob", X::Json, 0.7, true),
        ],
        "{toml}"
    );
    let company = line(&p, "contacts", "Company Name");
    assert_eq!(company.ref_object.as_deref(), Some("company"));
    assert_eq!(company.ref_source, None);
    assert!(
        company.flag.as_deref().unwrap().contains("by name"),
        "{toml}"
    );
    assert_eq!(
        line(&p, "contacts", "First Name").samples,
        ["Anna", "Jan", "Maria"]
    );
    assert!(line(&p, "contacts", "Newsletter")
        .flag
        .as_deref()
        .unwrap()
        .contains("custom field to create: person.newsletter (boolean)"));

    let mut plan = BTreeMap::new();
    for (from, to) in [
        ("free", "FREE"),
        ("pro", "PRO"),
        ("Enterprise plan", "ENTERPRISE_PLAN"),
    ] {
        plan.insert(from.to_string(), to.to_string());
    }
    assert_eq!(contacts.value_maps.get("plan"), Some(&plan));
    assert_eq!(contacts.value_maps.len(), 1);
    assert_eq!(
        s.custom_fields,
        vec![
            CustomField {
                object: "person".into(),
                name: "newsletter".into(),
                label: "Newsletter".into(),
                ty: CustomFieldType::Boolean,
                options: vec![],
            },
            CustomField {
                object: "person".into(),
                name: "plan".into(),
                label: "Plan".into(),
                ty: CustomFieldType::Select,
                options: vec!["FREE".into(), "PRO".into(), "ENTERPRISE_PLAN".into()],
            },
            CustomField {
                object: "person".into(),
                name: "notesBlob".into(),
                label: "Notes blob".into(),
                ty: CustomFieldType::RawJson,
                options: vec![],
            },
        ]
    );

    let companies = &s.objects[1];
    assert_eq!(companies.id, "id");
    assert_eq!(companies.created_at, None);
    assert_eq!(
        pinned(&p, "companies"),
        vec![
            row("Company Name", "name", X::Text, 0.92, false),
            row("Website", "domain", X::Domain, 0.9, false),
            row("approx_employees", "employees", X::Integer, 0.9, false),
        ],
        "{toml}"
    );

    assert_eq!(p.notes.len(), 2, "{:#?}", p.notes);
    assert!(p.notes[0].starts_with("contacts: empty in every record, left out: Fax"));
    assert!(p.notes[1].starts_with("companies: no id column"));
    assert_eq!(p.flagged().len(), 4);
    assert!(
        toml.contains("# CHECK: links to the company by name"),
        "{toml}"
    );
    assert!(toml.contains("date_order = \"day_first\""), "{toml}");
    let back = MappingSpec::from_toml(&toml).unwrap();
    assert_eq!(back.checksum(), s.checksum());
}

#[test]
fn deals_get_value_maps_references_and_an_ambiguous_date_flag() {
    let p = propose(&deals(), &twenty(), &ProposalHints::default());
    let s = &p.spec;
    let toml = s.to_toml();
    assert_eq!(s.meta.source, "smartcrm");
    assert_eq!(s.meta.destination, "twenty");
    let d = s
        .object("Deals", "opportunity")
        .expect("deals → opportunity");
    assert_eq!(d.id, "Deal ID");
    assert_eq!(d.updated_at.as_deref(), Some("Last Modified"));
    use Transform as X;
    assert_eq!(
        pinned(&p, "Deals"),
        vec![
            row("Deal Name", "name", X::Text, 0.92, false),
            row("Deal Value", "amount", X::Money, 0.9, true),
            row("Stage", "stage", X::Choice, 0.97, true),
            row("Owner", "owner", X::RefEmail, 0.97, false),
            row("Company ID", "company", X::RefKey, 0.8, false),
            row("Close Date", "close_date", X::DateTime, 0.97, true),
        ],
        "{toml}"
    );
    assert!(line(&p, "Deals", "Deal Value")
        .flag
        .as_deref()
        .unwrap()
        .contains("default_currency"));
    let stage = line(&p, "Deals", "Stage").flag.clone().unwrap();
    assert!(
        stage.contains("WON") && stage.contains("new options"),
        "{stage}"
    );
    // Every value observed has an option: its own, or a new one (`won` → `WON`).
    let mut stages = BTreeMap::new();
    stages.insert("New".to_string(), "NEW".to_string());
    stages.insert("proposal".to_string(), "PROPOSAL".to_string());
    stages.insert("won".to_string(), "WON".to_string());
    assert_eq!(d.value_maps.get("stage"), Some(&stages));
    let owner = line(&p, "Deals", "Owner");
    assert_eq!(owner.ref_object.as_deref(), Some("user"));
    let company = line(&p, "Deals", "Company ID");
    assert_eq!(company.ref_object.as_deref(), Some("company"));
    assert_eq!(company.ref_source.as_deref(), Some("Companies"));

    // No silent guess: the policy stays ISO, the line is flagged and a note says why.
    assert_eq!(s.policies.date_order, DateOrderRule::Iso);
    let close = line(&p, "Deals", "Close Date").flag.clone().unwrap();
    assert!(close.contains("ambiguous date order"), "{close}");
    assert!(
        p.notes.iter().any(|n| n
            .starts_with("Deals.Close Date: every date has day and month ≤ 12")
            && n.contains("policies.date_order")),
        "{:#?}",
        p.notes
    );
    assert!(
        p.notes
            .iter()
            .any(|n| n.starts_with("Invoices (100 records): no object")),
        "{:#?}",
        p.notes
    );
    assert!(s.object("Invoices", "opportunity").is_none());
}

#[test]
fn ambiguous_column_follows_a_column_that_settles_the_order_but_is_flagged() {
    let mut d = deals();
    let deals = &mut d.objects[1];
    deals
        .fields
        .push(col("Created", I::DateTime, &["13/02/2021 08:00"]));
    let p = propose(&d, &twenty(), &ProposalHints::default());
    assert_eq!(p.spec.policies.date_order, DateOrderRule::DayFirst);
    assert_eq!(
        p.spec
            .object("Deals", "opportunity")
            .unwrap()
            .created_at
            .as_deref(),
        Some("Created")
    );
    let flag = line(&p, "Deals", "Close Date").flag.clone().unwrap();
    assert!(
        flag.contains("read as day_first like Deals.Created"),
        "{flag}"
    );

    let given = ProposalHints {
        date_order: Some(DateOrderRule::MonthFirst),
        ..hints()
    };
    let p = propose(&d, &twenty(), &given);
    assert_eq!(p.spec.policies.date_order, DateOrderRule::MonthFirst);
    assert!(p
        .notes
        .iter()
        .any(|n| n.contains("as given") && n.contains("Deals.Created")));
}

#[test]
fn proposal_is_deterministic() {
    let a = propose(&export(), &twenty(), &hints());
    let b = HeuristicAdvisor.propose(&export(), &twenty(), &hints());
    assert_eq!(a, b);
    assert_eq!(a.spec.to_toml(), b.spec.to_toml());
    let c = propose(&deals(), &twenty(), &hints());
    let d = propose(&deals(), &twenty(), &hints());
    assert_eq!(c.spec.to_toml(), d.spec.to_toml());
    assert_eq!(c.notes, d.notes);
}

#[test]
fn competing_columns_standard_model_and_owners() {
    let disc = Discovery {
        notes: Vec::new(),
        source: "usercom".into(),
        objects: vec![
            object(
                "agents",
                vec![
                    unique(col("id", I::Integer, &["7"])),
                    col("email", I::Email, &["a@x.io"]),
                ],
            ),
            object(
                "users",
                vec![
                    unique(col("id", I::Integer, &["1"])),
                    col("phone_number", I::Phone, &["+48600100200"]),
                    col("mobile", I::Phone, &["+48600100201"]),
                    col("company", I::Text, &["Acme"]),
                    col("organisation", I::Text, &["Acme Sp. z o.o."]),
                    col("assigned_to", I::Integer, &["7"]),
                    col("tags", I::Choices, &["{vip,beta}"]),
                    col("name", I::Text, &["Anna Nowak"]),
                    col("emial", I::Email, &["x@y.io"]),
                    col("created_at", I::DateTime, &["2021-01-01T00:00:00Z"]),
                ],
            ),
        ],
    };
    let p = propose(&disc, &DataModel::standard(), &ProposalHints::default());
    let toml = p.spec.to_toml();
    assert_eq!(
        p.spec.routes()[0],
        ("agents".to_string(), "user".to_string())
    );
    let phone = line(&p, "users", "phone_number");
    assert_eq!(
        (phone.target.as_str(), phone.flag.is_some()),
        ("phones", true)
    );
    assert!(phone
        .flag
        .as_deref()
        .unwrap()
        .contains("values combined with mobile"));
    assert_eq!(line(&p, "users", "company").target, "company");
    let org = line(&p, "users", "organisation");
    assert_eq!(org.target, "organisation", "{toml}");
    assert!(org
        .flag
        .as_deref()
        .unwrap()
        .starts_with("competes with company for company"));
    let owner = line(&p, "users", "assigned_to");
    assert_eq!(
        (owner.target.as_str(), owner.transform),
        ("owner", Transform::RefKey)
    );
    assert_eq!(owner.ref_source.as_deref(), Some("agents"));
    assert_eq!(line(&p, "users", "tags").transform, Transform::Choices);
    let name = line(&p, "users", "name");
    assert_eq!(name.target, "usercomName");
    assert!(name.flag.as_deref().unwrap().contains("full names"));
    let typo = line(&p, "users", "emial");
    assert_eq!(typo.target, "emails");
    assert!(
        typo.confidence.unwrap() < 0.8 && typo.flag.is_some(),
        "{toml}"
    );
    assert_eq!(p.spec.objects[1].created_at.as_deref(), Some("created_at"));
}

#[test]
fn an_id_reference_beats_a_name_reference_and_the_loser_becomes_custom() {
    let disc = Discovery {
        notes: Vec::new(),
        source: "usercom".into(),
        objects: vec![
            object("companies", vec![unique(col("id", I::Integer, &["5"]))]),
            object(
                "users",
                vec![
                    unique(col("id", I::Integer, &["1"])),
                    col("company", I::Text, &["Acme"]),
                    col("company_id", I::Integer, &["5"]),
                ],
            ),
        ],
    };
    let p = propose(&disc, &twenty(), &ProposalHints::default());
    let by_id = line(&p, "users", "company_id");
    assert_eq!(
        (by_id.target.as_str(), by_id.transform),
        ("company", Transform::RefKey)
    );
    assert_eq!(by_id.ref_source.as_deref(), Some("companies"));
    let by_name = line(&p, "users", "company");
    assert_eq!(by_name.target, "usercomCompany");
    assert!(by_name
        .flag
        .as_deref()
        .unwrap()
        .starts_with("competes with company_id"));
}

/// The proposal, with its custom fields declared in the model, drives [`SpecMapper`]: a
/// contact row becomes the canonical person the pinned lines promise.
#[test]
fn the_proposal_maps_a_contact_row() {
    use crate::mapping::CustomFieldType as C;
    use crate::SpecMapper;
    use crm_core::{FieldDescriptor, FieldType as T, Mapped, RawRecord, RecordMapper, Route};
    use crm_core::{SourceKey, Value};

    let p = propose(&export(), &twenty(), &hints());
    let mut model = twenty();
    for c in &p.spec.custom_fields {
        let ty = match c.ty {
            C::Boolean => T::Boolean,
            C::Select => T::Select,
            C::RawJson => T::Json,
            other => panic!("unexpected custom type {other:?}"),
        };
        let f = FieldDescriptor::new(&c.name, ty)
            .options(c.options.clone())
            .custom();
        model.get_mut(&c.object).unwrap().fields.push(f);
    }
    let mapper = SpecMapper::new(p.spec.clone(), Some(model)).unwrap();
    let row = serde_json::json!({
        "Contact ID": "1001", "First Name": "Anna", "Surname": "Nowak",
        "E-mail Address": "Anna@Acme.pl", "Mobile": "600 100 200", "Company Name": "Acme",
        "Job Title": "CTO", "Created On": "03/04/2021 10:00", "Newsletter": "t",
        "Plan": "Enterprise plan", "Notes blob": "{\"source\":\"webinar\"}", "Fax": ""
    });
    let raw = RawRecord {
        key: SourceKey::new("csv", "contacts", "row-1"),
        fields: row.as_object().unwrap().clone(),
    };
    let Mapped::Record(r) = mapper.map(&Route::new("contacts", "person"), &raw) else {
        panic!(
            "not mapped: {:?}",
            mapper.map(&Route::new("contacts", "person"), &raw)
        );
    };
    assert_eq!(r.key.id, "1001");
    let created = r.created_at.unwrap().to_rfc3339();
    assert_eq!(created, "2021-04-03T10:00:00+00:00");
    assert_eq!(r.get("first_name"), Some(&Value::Text("Anna".into())));
    assert_eq!(
        r.get("emails"),
        Some(&Value::Emails(vec!["Anna@acme.pl".into()]))
    );
    assert!(
        matches!(r.get("phones"), Some(Value::Phones(v)) if v[0].number.ends_with("600100200"))
    );
    assert!(matches!(r.get("company"), Some(Value::Ref(_))));
    assert_eq!(r.get("newsletter"), Some(&Value::Bool(true)));
    assert_eq!(
        r.get("plan"),
        Some(&Value::Choice("ENTERPRISE_PLAN".into()))
    );
    assert!(matches!(r.get("notesBlob"), Some(Value::Json(_))));
}

#[test]
fn reserved_and_taken_names_are_avoided_and_every_value_gets_an_option() {
    // 70 distinct plans (more than the old select cap of 20) in a column named like a
    // name the destination reserves.
    let plans: Vec<String> = (0..70).map(|i| format!("Plan \"{i}\"; EU, Ł")).collect();
    let mut plan = choice("plan", &[]);
    plan.values = plans.clone();
    plan.inferred = I::Choices;
    let disc = Discovery {
        notes: Vec::new(),
        source: "usercom".into(),
        objects: vec![object(
            "users",
            vec![
                unique(col("id", I::Integer, &["1"])),
                plan,
                col("type", I::Text, &["anything"]),
            ],
        )],
    };
    let model = twenty().reserved(["plan", "type", "usercomType"]);
    let p = propose(&disc, &model, &ProposalHints::default());
    let toml = p.spec.to_toml();
    let plan = line(&p, "users", "plan");
    assert_eq!(plan.target, "usercomPlan", "{toml}");
    assert!(plan.flag.as_deref().unwrap().contains("reserved"), "{toml}");
    let ty = line(&p, "users", "type");
    assert_eq!(ty.target, "usercomType2", "{toml}");
    for c in &p.spec.custom_fields {
        assert!(
            model.field_name_problem(&c.object, &c.name).is_none(),
            "{c:?}"
        );
    }
    let field = p
        .spec
        .custom_fields
        .iter()
        .find(|c| c.name == "usercomPlan")
        .unwrap();
    let vm = &p.spec.object("users", "person").unwrap().value_maps["usercomPlan"];
    for v in &plans {
        let option = vm.get(v).unwrap_or(v);
        assert!(field.options.contains(option), "{v:?} has no option");
    }
}

#[test]
fn past_the_option_cap_a_check_says_how_many_values_were_left_out() {
    let mut tags = choice("labels", &[]);
    tags.inferred = I::Choices;
    tags.values = (0..MAX_OPTIONS + 10)
        .map(|i| format!("label {i}"))
        .collect();
    tags.values_omitted = 5;
    let disc = Discovery {
        notes: Vec::new(),
        source: "csv".into(),
        objects: vec![object(
            "contacts",
            vec![unique(col("id", I::Integer, &["1"])), tags],
        )],
    };
    let p = propose(&disc, &twenty(), &ProposalHints::default());
    let line = line(&p, "contacts", "labels");
    let field = p
        .spec
        .custom_fields
        .iter()
        .find(|c| c.name == line.target)
        .unwrap();
    assert_eq!(field.options.len(), MAX_OPTIONS);
    let flag = line.flag.as_deref().unwrap();
    assert!(flag.contains("15 more distinct values"), "{flag}");
    assert!(flag.contains("add each to `options`"), "{flag}");
}

#[test]
fn names_of_composite_columns_and_join_columns_are_not_proposed() {
    let disc = Discovery {
        notes: Vec::new(),
        source: "usercom".into(),
        objects: vec![object(
            "users",
            vec![
                unique(col("id", I::Integer, &["1"])),
                col("emailsPrimaryEmail", I::Text, &["x"]),
                col("companyId", I::Text, &["x"]),
                col("field", I::Text, &["x"]),
            ],
        )],
    };
    let model = twenty().reserved(["field"]);
    let p = propose(&disc, &model, &ProposalHints::default());
    let toml = p.spec.to_toml();
    assert_eq!(
        line(&p, "users", "emailsPrimaryEmail").target,
        "usercomEmailsPrimaryEmail",
        "{toml}"
    );
    // A column named like a join column is a link here; a new field may not take the name.
    assert_eq!(line(&p, "users", "companyId").target, "company", "{toml}");
    let mut namer = CustomNamer::new(&model, "usercom");
    assert!(namer.problem("person", "companyId").is_some());
    assert!(namer.problem("person", "nameFirstName").is_some());
    assert!(namer.problem("person", "nickname").is_none());
    assert_eq!(namer.name("person", "companyId").0, "usercomCompanyId");
    assert_eq!(line(&p, "users", "field").target, "usercomField", "{toml}");
}
