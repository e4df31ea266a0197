//! The proposer on the column names a platform's own export uses (User.com's API fields).

use super::fixtures::*;
use super::*;
use crate::discover::{Discovery, InferredType as I};
use crate::mapping::Transform;

fn usercom() -> Discovery {
    let dt = ["2021-01-01T00:00:00Z"];
    Discovery {
        notes: Vec::new(),
        source: "usercom".into(),
        objects: vec![
            object(
                "users",
                vec![
                    unique(col("id", I::Integer, &["1"])),
                    unique(col("key", I::Text, &["c00k1e"])),
                    col("email", I::Email, &["a@b.io"]),
                    col("phone_number", I::Phone, &["+48600100200"]),
                    choice("gender", &["unknown", "male"]),
                    col("linkedin_url", I::Url, &["https://linkedin.com/in/x"]),
                    col("twitter_url", I::Url, &["https://twitter.com/x"]),
                    col("created_at", I::DateTime, &dt),
                    col("updated_at", I::DateTime, &dt),
                    col("last_seen", I::DateTime, &dt),
                ],
            ),
            object(
                "activities",
                vec![
                    unique(col("id", I::Integer, &["1"])),
                    col("name", I::Text, &["Call"]),
                    col("description", I::Text, &["Talked about the renewal"]),
                    col("due_date", I::DateTime, &dt),
                    col("done", I::Boolean, &["t"]),
                    col("deal_id", I::Integer, &["1"]),
                    col("user_id", I::Integer, &["1"]),
                ],
            ),
            object("deals", vec![unique(col("id", I::Integer, &["1"]))]),
            object(
                "companies",
                vec![
                    unique(col("id", I::Integer, &["3"])),
                    col("name", I::Text, &["Acme"]),
                ],
            ),
        ],
    }
}

#[test]
fn usercom_api_names() {
    let p = propose(&usercom(), &twenty(), &ProposalHints::default());
    let toml = p.spec.to_toml();
    let users = p.spec.object("users", "person").unwrap();
    assert_eq!(users.id, "id");
    assert_eq!(users.created_at.as_deref(), Some("created_at"));
    assert_eq!(users.updated_at.as_deref(), Some("updated_at"));
    let target = |o: &str, s: &str| line(&p, o, s).target.clone();
    assert_eq!(target("users", "email"), "emails");
    assert_eq!(target("users", "phone_number"), "phones");
    assert_eq!(target("users", "linkedin_url"), "linkedin");
    assert_eq!(target("users", "twitter_url"), "x_link");
    assert_eq!(target("users", "key"), "key");
    assert_eq!(target("users", "last_seen"), "lastSeen");
    let gender = p
        .spec
        .custom_fields
        .iter()
        .find(|c| c.name == "gender")
        .unwrap();
    assert_eq!((gender.label.as_str(), gender.options.len()), ("Gender", 2));

    assert_eq!(target("activities", "name"), "title");
    assert_eq!(target("activities", "description"), "body");
    assert_eq!(target("activities", "due_date"), "due_at");
    let done = line(&p, "activities", "done");
    assert_eq!(
        (done.target.as_str(), done.flag.as_ref()),
        ("status", None),
        "{toml}"
    );
    let tasks = p.spec.object("activities", "task").unwrap();
    let status = &tasks.value_maps["status"];
    assert_eq!(
        (status["t"].as_str(), status["f"].as_str()),
        ("DONE", "TODO")
    );
    for (col, object, source) in [
        ("deal_id", "opportunity", "deals"),
        ("user_id", "person", "users"),
    ] {
        let l = line(&p, "activities", col);
        assert_eq!(
            (l.target.as_str(), l.transform),
            ("targets", Transform::RefKeys)
        );
        assert_eq!(l.ref_object.as_deref(), Some(object));
        assert_eq!(l.ref_source.as_deref(), Some(source));
        assert_eq!(l.flag, None, "{toml}");
    }
    assert_eq!(
        p.notes,
        ["company: no column maps to domain, the key duplicates merge on: duplicates will not be merged"]
    );
}

#[test]
fn objects_sharing_a_target_share_their_custom_fields() {
    let activity = |name: &str, outcomes: &[&str]| {
        object(
            name,
            vec![
                unique(col("id", I::Integer, &["1"])),
                col("duration", I::Integer, &["60"]),
                choice("result", outcomes),
            ],
        )
    };
    let disc = Discovery {
        notes: Vec::new(),
        source: "csv".into(),
        objects: vec![
            activity("calls", &["reached", "voicemail"]),
            activity("meetings", &["held", "reached"]),
        ],
    };
    let p = propose(&disc, &twenty(), &ProposalHints::default());
    assert_eq!(p.spec.routes().len(), 2);
    let names: Vec<(&str, &str)> = p
        .spec
        .custom_fields
        .iter()
        .map(|c| (c.object.as_str(), c.name.as_str()))
        .collect();
    assert_eq!(names, [("task", "duration"), ("task", "result")]);
    assert_eq!(
        p.spec.custom_fields[1].options,
        ["REACHED", "VOICEMAIL", "HELD"]
    );
    assert!(p.notes.is_empty(), "{:#?}", p.notes);
}
