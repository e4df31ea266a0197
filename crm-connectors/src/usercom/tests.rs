//! Tests of the sample export and [`UsercomCsvSource`]; the API source is tested against the
//! emulator in `emulator/tests.rs`.

use std::collections::HashSet;

use crm_core::{ErrorKind, RawRecord, Source, SourceExt};
use futures::StreamExt;

use super::*;

async fn all(src: &dyn Source, object: &str) -> Vec<RawRecord> {
    let rows: Vec<_> = src.stream(object).collect().await;
    rows.into_iter().map(|r| r.expect("read")).collect()
}

fn text<'a>(r: &'a RawRecord, field: &str) -> Option<&'a str> {
    r.fields.get(field).and_then(|v| v.as_str())
}

#[tokio::test]
async fn the_csv_source_reads_the_whole_sample_with_its_quirks() {
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(dir.path(), 1200, 7).unwrap();
    assert_eq!(summary.count("users"), 1200);
    assert!(summary.anonymous_users > 0 && summary.duplicate_users > 0);
    assert!(summary.invalid_emails > 0 && summary.orphan_deals > 0);
    assert_eq!(summary.members, 4);

    let src = UsercomCsvSource::open(dir.path()).unwrap();
    assert_eq!(src.system(), "usercom");
    let objects = src.objects().await.unwrap();
    for o in EXPORT_OBJECTS {
        assert!(objects.contains(&o.to_string()), "{o} in {objects:?}");
    }
    assert!(objects.contains(&"conversation_messages".to_string()));
    assert!(
        !objects.contains(&"workspace_members".to_string()),
        "not an export object"
    );
    for (object, n) in &summary.objects {
        let rows = all(&src, object).await;
        assert_eq!(rows.len(), *n, "{object}");
        let ids: HashSet<_> = rows.iter().map(|r| r.key.id.clone()).collect();
        assert_eq!(ids.len(), *n, "{object}: ids are unique");
        assert!(rows
            .iter()
            .all(|r| r.key.object == *object && r.key.system == "usercom"));
    }
    let messages = all(&src, "conversation_messages").await;
    assert_eq!(messages.len(), summary.conversation_messages);
    let ids: HashSet<_> = messages.iter().map(|r| r.key.id.clone()).collect();
    assert_eq!(ids.len(), messages.len(), "messages keep their own ids");
    assert!(messages.iter().all(|m| text(m, "conversation_id").is_some()
        && text(m, "created_at").is_some()
        && text(m, "content").is_some()));

    let users = all(&src, "users").await;
    let with_company = users
        .iter()
        .filter(|u| u.fields.contains_key("company_id"))
        .count();
    let memberships = all(&src, "user_companies").await;
    assert_eq!(memberships.len(), with_company);
    assert!(memberships
        .iter()
        .all(|m| text(m, "user_id").is_some() && text(m, "name").is_some()));

    // Quirks are passed on as raw strings, unchanged.
    let u1 = &users[0];
    assert_eq!(u1.key.id, "1", "the BOM is not part of the `id` header");
    assert!(matches!(text(u1, "unsubscribed"), Some("t" | "f")));
    assert!(matches!(text(u1, "newsletter"), Some("t" | "f")));
    assert!(text(u1, "plan").is_some_and(|p| p.starts_with('{') && p.ends_with('}')));
    assert!(text(u1, "preferences").is_some_and(|p| p.starts_with("{\"language\"")));
    let created: Vec<&str> = users.iter().filter_map(|u| text(u, "created_at")).collect();
    assert!(created
        .iter()
        .any(|c| c.len() == 29 && c.ends_with("+00") && c.as_bytes()[10] == b' '));
    assert!(created.iter().any(|c| c.contains('T') && c.ends_with('Z')));
    assert!(created.iter().any(|c| c.len() == 22 && c.ends_with("+00")));
    assert!(users
        .iter()
        .any(|u| text(u, "notes").is_some_and(|n| n.contains("\r\n") && n.len() > 4000)));
    assert!(users.iter().any(
        |u| text(u, "interests").is_some_and(|n| n.contains("\"Product news, \\\"beta\\\"\""))
    ));
    assert!(users
        .iter()
        .any(|u| text(u, "tags").is_some_and(|t| t.contains("\"trade fair, 2023\""))));
    let dup = users
        .iter()
        .find(|u| text(u, "email").is_some_and(|e| e.starts_with("  ")))
        .unwrap();
    assert!(
        text(dup, "email").unwrap().ends_with(' '),
        "spaces are kept"
    );
    let anon = users
        .iter()
        .find(|u| text(u, "status") == Some("visitor"))
        .unwrap();
    assert!(!anon.fields.contains_key("email") && !anon.fields.contains_key("phone_number"));
    assert!(users
        .iter()
        .any(|u| text(u, "first_name").is_some_and(|n| !n.is_ascii())));

    let deals = all(&src, "deals").await;
    let statuses: HashSet<&str> = deals.iter().filter_map(|d| text(d, "status")).collect();
    for s in ["0", "1", "2", "3", "4"] {
        assert!(statuses.contains(s), "deal status {s}");
    }
    assert!(deals
        .iter()
        .any(|d| text(d, "stage") == Some("Proposal, sent")));
    let events = all(&src, "events").await;
    assert!(events
        .iter()
        .any(|e| text(e, "event_name") == Some("meeting_scheduled")));
    assert!(events
        .iter()
        .any(|e| text(e, "event_name") == Some("newsletter_opened")));
    let activities = all(&src, "activities").await;
    let call = activities
        .iter()
        .find(|a| text(a, "activity_type") == Some("call"))
        .unwrap();
    assert!(call.fields.contains_key("duration") && call.fields.contains_key("call_disposition"));
    let agents = all(&src, "agents").await;
    assert_eq!(agents.len(), 6);
}

#[test]
fn the_sample_is_deterministic_and_crlf_with_a_bom() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let sa = generate(a.path(), 300, 11).unwrap();
    let sb = generate(b.path(), 300, 11).unwrap();
    generate(c.path(), 300, 12).unwrap();
    assert_eq!(sa, sb);
    for o in EXPORT_OBJECTS {
        let file = format!("{o}.csv");
        let x = std::fs::read(a.path().join(&file)).unwrap();
        assert_eq!(x, std::fs::read(b.path().join(&file)).unwrap(), "{o}");
        assert!(x.starts_with(b"\xEF\xBB\xBFid,"), "{o}: BOM then header");
        assert!(x.windows(2).any(|w| w == b"\r\n"), "{o}: CRLF");
    }
    assert_ne!(
        std::fs::read(a.path().join("users.csv")).unwrap(),
        std::fs::read(c.path().join("users.csv")).unwrap()
    );
    let members = std::fs::read_to_string(a.path().join(sample::MEMBERS_FILE)).unwrap();
    assert_eq!(members.lines().count(), 5);
    assert!(members.starts_with("email,first_name,last_name"));
    assert!(
        !members.contains("eve.former"),
        "not every agent is a member"
    );
    let attrs = std::fs::read_to_string(a.path().join(sample::ATTRIBUTES_FILE)).unwrap();
    assert!(attrs.contains("plan,fixed,clientuser"));
}

#[tokio::test]
async fn file_names_and_id_columns_are_configurable() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), 40, 1).unwrap();
    std::fs::rename(
        dir.path().join("users.csv"),
        dir.path().join("People Export.CSV"),
    )
    .unwrap();
    let default = UsercomCsvSource::open(dir.path()).unwrap();
    assert!(!default
        .objects()
        .await
        .unwrap()
        .contains(&"users".to_string()));
    // A missing file is an object with no records, and discovery says so.
    let page = default.read_page("users", None).await.unwrap();
    assert!(page.items.is_empty() && page.next.is_none());
    let notes = default.export_notes();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("users: not in this export")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("People Export.CSV: not a User.com export object")),
        "{notes:?}"
    );
    // An object nobody knows is still an error.
    let err = default.read_page("invoices", None).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);

    let config = UsercomCsvConfig::default()
        .with_file("users", "people export.csv")
        .with_id_column("users", "user_id");
    let src = UsercomCsvSource::open_with(dir.path(), config).unwrap();
    let users = all(&src, "users").await;
    assert_eq!(users.len(), 40);
    assert_eq!(users[0].key.id, "U-000001");
    assert_eq!(users[0].key.object, "users");
    assert!(
        users.iter().any(|u| u.key.id.starts_with("row-")),
        "anonymous users have no user_id"
    );

    let bad = UsercomCsvConfig::default().with_id_column("deals", "deal_no");
    // Every file's header is read at open: a wrong id column fails before any run starts.
    let err = UsercomCsvSource::open_with(dir.path(), bad).unwrap_err();
    assert!(err.to_string().contains("deal_no"), "{err}");
}

#[tokio::test]
async fn bad_cells_do_not_lose_the_parent_row() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("conversations.csv"),
        "id,transcript\r\n1,\"[{\"\"id\"\":5,\"\"content\"\":\"\"hi\"\"}]\"\r\n2,not json\r\n3,\"{\"\"a\"\":1}\"\r\n4,\r\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("users.csv"),
        "id,tags\n1,\"{a,\"\"b, c\"\"}\"\n2,{broken\n",
    )
    .unwrap();
    let config = UsercomCsvConfig::default().with_subrecords(
        Subrecords::new("user_tags", "users", "tags", CellFormat::PgArray).value_field("tag"),
    );
    let src = UsercomCsvSource::open_with(dir.path(), config).unwrap();
    assert_eq!(all(&src, "conversations").await.len(), 4);
    let messages = all(&src, "conversation_messages").await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].key.id, "5");
    assert_eq!(text(&messages[0], "conversation_id"), Some("1"));
    let tags = all(&src, "user_tags").await;
    let names: Vec<_> = tags.iter().filter_map(|t| text(t, "tag")).collect();
    assert_eq!(names, ["a", "b, c"]);
    assert_eq!(tags[1].key.id, "1:2");
}

#[test]
fn the_api_config_hides_the_key_and_checks_paths() {
    let config = UsercomApiConfig::new("https://acme.user.com/api/public/", "k-secret-123".into());
    let debug = format!("{config:?}");
    assert!(!debug.contains("k-secret-123"), "{debug}");
    config.validate().unwrap();
    let bad = config
        .clone()
        .with_endpoint(UsercomEndpoint::list("pipelines", "pipelines"));
    assert!(bad.validate().is_err(), "no trailing slash");
    let orphan = config.with_endpoint(UsercomEndpoint::nested(
        "x",
        "foo/{id}/x/",
        "nope",
        "nope_id",
    ));
    assert!(orphan.validate().is_err());
    let err = UsercomApiSource::new(UsercomApiConfig::new("ftp://x", "k".into())).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConfigInvalid);
}

/// The platform map holds no vocabulary of the bundled sample: no tag, segment, stage,
/// pipeline, activity type, custom attribute or its choices, agent email, event name or
/// account default appears in it (they come from the export through `propose`).
#[test]
fn the_platform_map_holds_none_of_the_samples_vocabulary() {
    use super::dataset::{ACTIVITY_TYPES, AGENTS, ATTRIBUTES, PIPELINES, SEGMENTS, STAGES, TAGS};
    let text = mapping::default_mapping();
    let spec = crm_transform::mapping::MappingSpec::from_toml(text).unwrap();
    let mut words: Vec<String> = Vec::new();
    words.extend(TAGS.iter().map(|(_, n)| n.to_string()));
    words.extend(SEGMENTS.iter().map(|(_, n, _)| n.to_string()));
    words.extend(STAGES.iter().map(|(_, _, n)| n.to_string()));
    words.extend(PIPELINES.iter().map(|(_, n)| n.to_string()));
    words.extend(AGENTS.iter().map(|(e, ..)| e.to_string()));
    for a in ATTRIBUTES {
        words.push(format!("\"{}\"", a.2));
        words.extend(a.5.iter().map(|c| c.to_string()));
    }
    words.extend(["meeting_scheduled", "\"EUR\"", "\"PL\"", "sample-usercom"].map(String::from));
    for w in &words {
        assert!(!text.contains(w.as_str()), "{w:?} is sample vocabulary");
    }
    // No value map of the platform map names a sample activity type, and its only
    // account-free value maps are documented enumerations and boolean spellings.
    for o in &spec.objects {
        for (target, map) in &o.value_maps {
            for key in map.keys() {
                assert!(
                    !ACTIVITY_TYPES.iter().any(|(_, n)| n == key),
                    "{}.{target}: {key}",
                    o.source
                );
                assert!(
                    ["0", "1", "2", "3", "4", "t", "f", "true", "false"].contains(&key.as_str()),
                    "{}.{target}: {key} is not a documented value",
                    o.source
                );
            }
        }
    }
    assert_eq!(spec.policies.default_currency, None);
    assert_eq!(spec.policies.default_country, None);
    assert_eq!(spec.policies.owner_fallback, None);
}

#[tokio::test]
async fn headers_are_matched_to_documented_names_whatever_their_spelling() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Users.csv"),
        "\u{feff} ID ,Email, first_name ,LAST NAME,Favourite Colour\r\n\r\n7,a@b.example,Ann,Lee,Red\r\n\r\n8,,Bo,,{Blue}\r\n",
    )
    .unwrap();
    let src = UsercomCsvSource::open(dir.path()).unwrap();
    assert_eq!(
        src.columns("users").unwrap(),
        ["id", "email", "first_name", "last_name", "Favourite Colour"]
    );
    let users = all(&src, "users").await;
    assert_eq!(users.len(), 2, "blank lines are not records");
    assert_eq!(users[0].key.id, "7");
    assert_eq!(text(&users[0], "email"), Some("a@b.example"));
    assert_eq!(text(&users[0], "first_name"), Some("Ann"));
    assert_eq!(text(&users[0], "last_name"), Some("Lee"));
    assert_eq!(text(&users[1], "Favourite Colour"), Some("{Blue}"));
    // Files not there are objects without records; what is there is offered (with the
    // memberships unpacked from users).
    assert_eq!(src.objects().await.unwrap(), ["users", "user_companies"]);
    for missing in ["deals", "events", "conversation_messages"] {
        assert!(all(&src, missing).await.is_empty(), "{missing}");
    }
    assert!(src.columns("deals").unwrap().is_empty());
    let notes = src.export_notes();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("users: columns User.com does not document")
                && n.contains("Favourite Colour")),
        "{notes:?}"
    );
}

#[tokio::test]
async fn the_proposal_comes_from_the_export() {
    use crm_core::descriptor::{FieldDescriptor, FieldType, ObjectDescriptor};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("users.csv"),
        "id,email,plan,tags,created_at\n1,a@x.example,Basic,\"{\"\"Q, 4\"\",Ü}\",2021-01-01 10:00:00+00\n2,b@x.example,Basic,{},2021-01-02 10:00:00+00\n3,c@x.example,Max,{Ü},2021-01-03 10:00:00+00\n4,d@x.example,Max,{Ü},2021-01-03 10:00:00+00\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("attributes.csv"),
        "id,name,name_std,value_type,content_type,choices,allow_multiple_choices\n1,Price plan,plan,fixed,clientuser,\"{Basic,Max,Ultra}\",f\n",
    )
    .unwrap();
    let model = crm_core::DataModel::new("dest")
        .object(
            ObjectDescriptor::new("person")
                .field(FieldDescriptor::new("emails", FieldType::Emails))
                .field(FieldDescriptor::new("name", FieldType::Text)),
        )
        .reserved(["plan"]);
    let src = UsercomCsvSource::open(dir.path()).unwrap();
    let p = propose::propose(&src, &model).await.unwrap();
    let users = p.spec.object("users", "person").unwrap();
    let plan = users.fields.iter().find(|f| f.source == "plan").unwrap();
    assert_eq!(
        plan.target, "usercomPlan",
        "a reserved name is not proposed"
    );
    assert!(plan.flag.as_deref().unwrap().contains("reserved"));
    let field = p
        .spec
        .custom_fields
        .iter()
        .find(|c| c.name == "usercomPlan")
        .unwrap();
    assert_eq!(field.label, "Price plan", "the label from attributes.csv");
    assert_eq!(
        field.options,
        ["BASIC", "MAX", "ULTRA"],
        "observed and declared"
    );
    let tags = &users.value_maps["tags"];
    assert_eq!(tags["Q, 4"], "Q_4");
    assert_eq!(tags["Ü"], "U");
    // Only the export's columns: no line for a documented column the export lacks.
    assert!(users.fields.iter().all(|f| f.source != "phone_number"));
    assert!(p
        .notes
        .iter()
        .any(|n| n.starts_with("deals: not in this export")));
    assert_eq!(p.spec.policies.default_currency, None);
}

#[tokio::test]
async fn events_without_meeting_names_all_become_notes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("users.csv"), "id,email\n1,a@x.example\n").unwrap();
    std::fs::write(
        dir.path().join("events.csv"),
        "id,user_id,event_name,datetime\n1,1,Webinar joined,2021-01-01 10:00:00+00\n2,1,Cart abandoned,2021-01-02 10:00:00+00\n",
    )
    .unwrap();
    let src = UsercomCsvSource::open(dir.path()).unwrap();
    let model = crate::twenty::twenty_standard_model();
    let p = propose::propose(&src, &model).await.unwrap();
    let rules: Vec<(&str, &str)> = p
        .spec
        .objects
        .iter()
        .filter(|o| o.source == "events")
        .map(|o| (o.source.as_str(), o.target.as_str()))
        .collect();
    assert_eq!(rules, [("events", "note")]);
    let note = p.spec.object("events", "note").unwrap();
    assert_eq!((note.when.as_ref(), note.skip_when.as_ref()), (None, None));
    assert!(p
        .notes
        .iter()
        .any(|n| n.starts_with("events: no meeting-like")));
}

#[tokio::test]
async fn an_empty_file_is_an_object_without_records() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("users.csv"),
        "id,email\r\n1,a@x.example\r\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("deals.csv"), "\u{feff}\r\n").unwrap();
    let src = UsercomCsvSource::open(dir.path()).unwrap();
    assert!(!src.has_file("deals"));
    assert!(all(&src, "deals").await.is_empty());
    assert_eq!(all(&src, "users").await.len(), 1);
    let notes = src.export_notes();
    assert!(
        notes
            .iter()
            .any(|n| n == "deals: its file is empty; it has no records"),
        "{notes:?}"
    );
    assert!(
        !notes.iter().any(|n| n.starts_with("deals.csv")),
        "{notes:?}"
    );
}

#[tokio::test]
async fn a_declared_single_choice_holding_several_values_is_proposed_as_a_multi_select() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("users.csv"),
        "id,email,level\n1,a@x.example,{A}\n2,b@x.example,\"{A,B}\"\n3,c@x.example,{B}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("attributes.csv"),
        "id,name,name_std,value_type,content_type,choices,allow_multiple_choices\n1,Level,level,fixed,clientuser,{},f\n",
    )
    .unwrap();
    let src = UsercomCsvSource::open(dir.path()).unwrap();
    let model = crate::twenty::twenty_standard_model();
    let p = propose::propose(&src, &model).await.unwrap();
    let level = p
        .spec
        .custom_fields
        .iter()
        .find(|c| c.name == "level")
        .unwrap();
    assert_eq!(
        level.ty,
        crm_transform::mapping::CustomFieldType::MultiSelect
    );
    assert_eq!(level.options, ["A", "B"]);
    let line = p.spec.object("users", "person").unwrap();
    let line = line.fields.iter().find(|f| f.source == "level").unwrap();
    assert!(line.flag.as_deref().unwrap().contains("up to 2 values"));
}
