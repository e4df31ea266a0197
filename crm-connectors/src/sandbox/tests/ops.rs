//! Merge, update, delete, lookup, read and seeding.
use super::*;

#[tokio::test]
async fn merge_on_updates_the_holder_and_returns_the_before_image() {
    let s = sink();
    let ann = created(
        &one(
            &s,
            f::PERSON,
            create(
                "p1",
                vec![(f::EMAILS, emails(&["ann@x.io"])), (f::CITY, text("Oslo"))],
            ),
        )
        .await,
    );
    let merge = rec(
        "p2",
        WriteOp::Create {
            merge_on: Some(f::EMAILS.into()),
        },
        vec![
            (f::EMAILS, emails(&["Ann@X.io"])),
            (f::JOB_TITLE, text("CTO")),
            (f::CITY, Value::Null),
        ],
    );
    match one(&s, f::PERSON, merge).await {
        WriteOutcome::Merged { id, before } => {
            assert_eq!(id, ann);
            assert_eq!(before.get(f::JOB_TITLE), Some(&Value::Null));
            assert_eq!(before.get(f::EMAILS), Some(&emails(&["ann@x.io"])));
            assert!(!before.contains_key(f::CITY), "blank values are not merged");
        }
        other => panic!("expected Merged, got {other:?}"),
    }
    assert_eq!(s.count(f::PERSON).unwrap(), 1);
    let back = read_one(&s, f::PERSON, &ann).await.unwrap();
    assert_eq!(back.fields.get(f::JOB_TITLE), Some(&text("CTO")));
    assert_eq!(back.fields.get(f::CITY), Some(&text("Oslo")));
    // A merge without a match creates; merging on a field that is not unique is refused.
    let new = rec(
        "p3",
        WriteOp::Create {
            merge_on: Some(f::EMAILS.into()),
        },
        vec![(f::EMAILS, emails(&["bob@x.io"]))],
    );
    created(&one(&s, f::PERSON, new).await);
    let bad = rec(
        "p4",
        WriteOp::Create {
            merge_on: Some(f::CITY.into()),
        },
        vec![(f::CITY, text("Oslo"))],
    );
    assert_rejected(
        &one(&s, f::PERSON, bad).await,
        Some(f::CITY),
        &["not a unique field"],
    );
}

#[tokio::test]
async fn update_returns_before_image_and_null_clears() {
    let s = sink();
    let p = created(
        &one(
            &s,
            f::PERSON,
            create(
                "p1",
                vec![(f::EMAILS, emails(&["ann@x.io"])), (f::CITY, text("Oslo"))],
            ),
        )
        .await,
    );
    let other = created(
        &one(
            &s,
            f::PERSON,
            create("p2", vec![(f::EMAILS, emails(&["bob@x.io"]))]),
        )
        .await,
    );
    let out = s
        .write_batch(
            f::PERSON,
            &[
                update(
                    "p1",
                    &p,
                    vec![
                        (f::CITY, Value::Null),
                        (f::JOB_TITLE, text("CEO")),
                        (f::EMAILS, emails(&["ANN@x.io"])),
                    ],
                ),
                update("p2", &other, vec![(f::EMAILS, emails(&["ann@x.io"]))]),
                update(
                    "p9",
                    "00000000-0000-4000-8000-00000000ffff",
                    vec![(f::CITY, text("Rome"))],
                ),
            ],
        )
        .await
        .unwrap();
    match &out[0] {
        WriteOutcome::Updated { id, before } => {
            assert_eq!(id, &p);
            assert_eq!(before.get(f::CITY), Some(&text("Oslo")));
            assert_eq!(before.get(f::JOB_TITLE), Some(&Value::Null));
            assert_eq!(before.get(f::EMAILS), Some(&emails(&["ann@x.io"])));
        }
        other => panic!("expected Updated, got {other:?}"),
    }
    assert_rejected(&out[1], Some(f::EMAILS), &["duplicate", &p]);
    assert_rejected(&out[2], None, &["no such record", "ffff"]);
    let back = read_one(&s, f::PERSON, &p).await.unwrap();
    assert!(!back.fields.contains_key(f::CITY));
    assert_eq!(back.fields.get(f::JOB_TITLE), Some(&text("CEO")));
}

#[tokio::test]
async fn delete_clears_references_and_reports_not_found() {
    let s = sink();
    let c = created(&one(&s, f::COMPANY, create("c1", vec![(f::NAME, text("Acme"))])).await);
    let p = created(
        &one(
            &s,
            f::PERSON,
            create("p1", vec![(f::COMPANY_REF, id(f::COMPANY, &c))]),
        )
        .await,
    );
    let targets = Value::Ids(vec![
        RecordId::new(f::PERSON, &p),
        RecordId::new(f::COMPANY, &c),
    ]);
    let t = created(
        &one(
            &s,
            f::TASK,
            create("t1", vec![(f::TITLE, text("Call")), (f::TARGETS, targets)]),
        )
        .await,
    );
    let n = created(
        &one(
            &s,
            f::NOTE,
            create(
                "n1",
                vec![(f::TARGETS, Value::Ids(vec![RecordId::new(f::COMPANY, &c)]))],
            ),
        )
        .await,
    );
    let out = s.delete(f::COMPANY, &[c.clone(), c.clone()]).await.unwrap();
    assert_eq!(out, vec![DeleteOutcome::Deleted, DeleteOutcome::NotFound]);
    let person = read_one(&s, f::PERSON, &p).await.unwrap();
    assert!(!person.fields.contains_key(f::COMPANY_REF));
    let task = read_one(&s, f::TASK, &t).await.unwrap();
    assert_eq!(
        task.fields.get(f::TARGETS),
        Some(&Value::Ids(vec![RecordId::new(f::PERSON, &p)]))
    );
    let note = read_one(&s, f::NOTE, &n).await.unwrap();
    assert!(note.fields.is_empty());
    assert_eq!(read_one(&s, f::COMPANY, &c).await, None);
    // The cleared reference no longer counts: the company can be recreated with its key.
    created(&one(&s, f::COMPANY, create("c1", vec![(f::NAME, text("Acme"))])).await);
}

#[tokio::test]
async fn lookups_by_source_key_and_field() {
    let s = sink();
    let p = created(
        &one(
            &s,
            f::PERSON,
            create(
                "p1",
                vec![(f::EMAILS, emails(&["ann@x.io", "Ann.Lee@X.io"]))],
            ),
        )
        .await,
    );
    let c = created(
        &one(
            &s,
            f::COMPANY,
            create(
                "c1",
                vec![
                    (f::NAME, text("Acme Inc")),
                    (f::DOMAIN, Value::Urls(vec!["https://acme.com".into()])),
                ],
            ),
        )
        .await,
    );
    let by = |field: &str, value: &str| Lookup::Field {
        field: field.into(),
        value: value.into(),
    };
    let found = s
        .lookup(
            f::PERSON,
            &[
                Lookup::SourceKey(key("p1")),
                Lookup::SourceKey(key("zz")),
                by(f::EMAILS, " ANN.LEE@x.io"),
                by(f::EMAILS, "bob@x.io"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(found, vec![Some(p.clone()), None, Some(p), None]);
    let found = s
        .lookup(
            f::COMPANY,
            &[by(f::DOMAIN, "www.ACME.com/"), by(f::NAME, " acme inc ")],
        )
        .await
        .unwrap();
    assert_eq!(found, vec![Some(c.clone()), Some(c)]);
    assert!(s.lookup(f::PERSON, &[by("nope", "x")]).await.is_err());
}

#[tokio::test]
async fn read_keeps_created_at_and_defaults_to_now() {
    let s = sink();
    let then = Utc.with_ymd_and_hms(2019, 3, 4, 5, 6, 7).unwrap();
    let mut old = create("n1", vec![(f::TITLE, text("old"))]);
    old.created_at = Some(then);
    let a = created(&one(&s, f::NOTE, old).await);
    let before = Utc::now();
    let b = created(&one(&s, f::NOTE, create("n2", vec![(f::TITLE, text("new"))])).await);
    let back = s.read(f::NOTE, &[a, "missing".into(), b]).await.unwrap();
    assert_eq!(back.len(), 3);
    assert_eq!(back[0].as_ref().unwrap().created_at, Some(then));
    assert_eq!(
        back[0].as_ref().unwrap().fields.get(f::TITLE),
        Some(&text("old"))
    );
    assert!(back[1].is_none());
    assert!(back[2].as_ref().unwrap().created_at.unwrap() >= before - chrono::Duration::seconds(1));
}

#[tokio::test]
async fn seeded_users_are_matched_and_referenced() {
    let s = sink();
    let ids = s
        .seed_users(&[("ann@x.io", "Ann", "Lee"), ("bob@x.io", "Bob", "Ray")])
        .unwrap();
    assert_eq!(ids.len(), 2);
    assert!(s.seed_users(&[("ANN@x.io", "Ann", "Again")]).is_err());
    assert_eq!(s.count(f::USER).unwrap(), 2);
    let found = s
        .lookup(
            f::USER,
            &[Lookup::Field {
                field: f::EMAIL.into(),
                value: "BOB@X.IO".into(),
            }],
        )
        .await
        .unwrap();
    assert_eq!(found, vec![Some(ids[1].clone())]);
    let c = one(
        &s,
        f::COMPANY,
        create(
            "c1",
            vec![(f::NAME, text("Acme")), (f::OWNER, id(f::USER, &ids[0]))],
        ),
    )
    .await;
    created(&c);
    // A seeded member has no source key; the first update gives it one.
    let u = one(
        &s,
        f::USER,
        update("u7", &ids[0], vec![(f::LAST_NAME, text("Li"))]),
    )
    .await;
    assert!(matches!(u, WriteOutcome::Updated { .. }), "{u:?}");
    assert_eq!(
        s.lookup(f::USER, &[Lookup::SourceKey(key("u7"))])
            .await
            .unwrap(),
        vec![Some(ids[0].clone())]
    );
}
