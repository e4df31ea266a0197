//! Each rule refuses its record alone; a refusal leaves no trace.
use super::*;

#[tokio::test]
async fn each_create_rule_rejects_its_record_alone() {
    let s = sink();
    let acme = created(&one(&s, f::COMPANY, create("c0", vec![(f::NAME, text("Acme"))])).await);
    let batch = vec![
        create("c1", vec![(f::NAME, text("Good Co"))]),
        create(
            "c2",
            vec![
                (f::NAME, text("Tagged")),
                (f::TAGS, Value::Choices(vec!["x".into()])),
            ],
        ),
        create("c3", vec![(f::EMPLOYEES, Value::Int(3))]),
        create(
            "c4",
            vec![(f::NAME, text("Typed")), (f::EMPLOYEES, text("many"))],
        ),
        create("c5", vec![(f::NAME, text("A name far too long for it"))]),
        create("c6", vec![(f::NAME, text("   "))]),
        create(
            "c7",
            vec![
                (f::NAME, text("Owned")),
                (f::OWNER, Ref::email(f::USER, "x@y.io").into()),
            ],
        ),
        create(
            "c8",
            vec![(f::NAME, text("Ghost")), (f::OWNER, id(f::USER, "nope"))],
        ),
        create(
            "c9",
            vec![(f::NAME, text("Wrong")), (f::OWNER, id(f::COMPANY, &acme))],
        ),
        create("c10", vec![(f::NAME, text("Also good"))]),
    ];
    let out = s.write_batch(f::COMPANY, &batch).await.unwrap();
    assert_eq!(out.len(), batch.len());
    created(&out[0]);
    assert_rejected(&out[1], Some(f::TAGS), &["unknown field", "tags"]);
    assert_rejected(&out[2], Some(f::NAME), &["required", "name"]);
    assert_rejected(
        &out[3],
        Some(f::EMPLOYEES),
        &["wrong type", "employees", "many"],
    );
    assert_rejected(
        &out[4],
        Some(f::NAME),
        &["too long", "20", "A name far too long"],
    );
    assert_rejected(&out[5], Some(f::NAME), &["required"]);
    assert_rejected(&out[6], Some(f::OWNER), &["unresolved reference", "x@y.io"]);
    assert_rejected(&out[7], Some(f::OWNER), &["does not exist", "nope"]);
    assert_rejected(&out[8], Some(f::OWNER), &["cannot point at company", &acme]);
    created(&out[9]);
    assert_eq!(s.count(f::COMPANY).unwrap(), 3);
}

#[tokio::test]
async fn options_object_and_creatable_rules() {
    let s = sink();
    let out = s
        .write_batch(
            f::OPPORTUNITY,
            &[
                create("o1", vec![(f::STAGE, Value::Choice("WON".into()))]),
                create("o2", vec![(f::STAGE, Value::Choice("new".into()))]),
                create("o3", vec![(f::STAGE, Value::Choice("PROPOSAL".into()))]),
                create(
                    "o4",
                    vec![(f::NAME, text("no stage is fine: Twenty defaults it"))],
                ),
            ],
        )
        .await
        .unwrap();
    assert_rejected(
        &out[0],
        Some(f::STAGE),
        &["not an option", "WON", "NEW, SCREENING"],
    );
    assert_rejected(&out[1], Some(f::STAGE), &["\"new\""]);
    created(&out[2]);
    created(&out[3]);
    let user = one(&s, f::USER, create("u1", vec![(f::EMAIL, text("a@x.io"))])).await;
    assert_rejected(
        &user,
        None,
        &["object user cannot be created through the API"],
    );
    let ghost = one(&s, "invoice", create("i1", vec![])).await;
    assert_rejected(&ghost, None, &["invoice", "not in the twenty model"]);
}

#[tokio::test]
async fn unique_values_clash_case_insensitively_within_and_across_batches() {
    let s = sink();
    let out = s
        .write_batch(
            f::PERSON,
            &[
                create(
                    "p1",
                    vec![(f::EMAILS, emails(&["ann@x.io", "ann.lee@x.io"]))],
                ),
                create(
                    "p2",
                    vec![(f::EMAILS, emails(&["bob@x.io", "ANN.LEE@X.IO "]))],
                ),
                create("p3", vec![(f::EMAILS, emails(&["bob@x.io"]))]),
            ],
        )
        .await
        .unwrap();
    let ann = created(&out[0]);
    assert_rejected(
        &out[1],
        Some(f::EMAILS),
        &["duplicate", "ANN.LEE@X.IO", &ann],
    );
    created(&out[2]);
    let urls = |u: &str| Value::Urls(vec![u.into()]);
    let out = s
        .write_batch(
            f::COMPANY,
            &[
                create(
                    "c1",
                    vec![
                        (f::NAME, text("Acme")),
                        (f::DOMAIN, urls("https://www.Acme.com/about")),
                    ],
                ),
                create(
                    "c2",
                    vec![(f::NAME, text("Acme 2")), (f::DOMAIN, urls("acme.com"))],
                ),
            ],
        )
        .await
        .unwrap();
    let acme = created(&out[0]);
    assert_rejected(&out[1], Some(f::DOMAIN), &["domain", "acme.com", &acme]);
}

#[tokio::test]
async fn a_refused_record_leaves_no_trace_and_a_file_persists() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sandbox.sqlite");
    let s = SandboxSink::open(&path, model()).unwrap();
    one(
        &s,
        f::PERSON,
        create("p1", vec![(f::EMAILS, emails(&["ann@x.io"]))]),
    )
    .await;
    let before = s.snapshot().unwrap();
    let out = s
        .write_batch(
            f::PERSON,
            &[create(
                "p2",
                vec![(f::EMAILS, emails(&["ann@x.io"])), (f::CITY, text("Oslo"))],
            )],
        )
        .await
        .unwrap();
    assert_rejected(&out[0], Some(f::EMAILS), &["duplicate"]);
    assert_eq!(s.snapshot().unwrap(), before);
    let again = one(
        &s,
        f::PERSON,
        create("p1", vec![(f::EMAILS, emails(&["zed@x.io"]))]),
    )
    .await;
    assert_rejected(&again, None, &["already written"]);
    s.check().await.unwrap();
    drop(s);
    let reopened = SandboxSink::open(&path, model()).unwrap();
    assert_eq!(reopened.snapshot().unwrap(), before);
}

#[tokio::test]
async fn capabilities_and_batch_limit() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<SandboxSink>();
    let s = sink();
    let caps = s.capabilities();
    assert_eq!(caps.max_batch_size, 500);
    assert!(caps.upsert && caps.update && caps.hard_delete && caps.keeps_created_at);
    assert_eq!(caps.rate_limit_per_min, None);
    let big: Vec<WriteRecord> = (0..501).map(|i| create(&i.to_string(), vec![])).collect();
    assert!(s.write_batch(f::NOTE, &big).await.is_err());
    assert_eq!(s.data_model().await.unwrap(), model());
}
