//! The audit on the sample export: every number equals what the generator put in, by its
//! rules and as pinned literals.

use chrono::{DateTime, Months, TimeZone, Utc};

use super::super::dataset::{Dataset, Val};
use super::*;
use crate::usercom::{generate, UsercomCsvSource};

const USERS: usize = 300;
const SEED: u64 = 11;

/// Two years and eight days after the sample's origin: part of the users are stale.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 1, 14, 8, 30, 0)
        .single()
        .unwrap()
}

fn stale_by_rule(data: &Dataset, now: DateTime<Utc>) -> u64 {
    let cutoff = now.checked_sub_months(Months::new(24)).unwrap();
    (1..=data.users)
        .filter(|&i| {
            let row = data.user(i);
            let t = |c| match row.get(c) {
                Some(Val::Time(t, _)) => Some(*t),
                _ => None,
            };
            let last = [t("last_seen"), t("updated_at")]
                .into_iter()
                .flatten()
                .max()
                .unwrap();
            last < cutoff
        })
        .count() as u64
}

fn signal(a: &UsercomAudit, name: &str) -> Option<u64> {
    a.billable
        .signals
        .iter()
        .find(|s| s.signal == name)
        .unwrap()
        .count
}

fn object(a: &UsercomAudit, name: &str) -> u64 {
    a.objects
        .iter()
        .find(|o| o.object == name)
        .map_or(0, |o| o.records)
}

fn check_sample(a: &UsercomAudit, summary: &crate::usercom::SampleSummary, data: &Dataset) {
    let n = data.users;
    // Objects.
    for o in [
        "users",
        "companies",
        "deals",
        "activities",
        "events",
        "conversations",
        "agents",
    ] {
        assert_eq!(object(a, o), summary.count(o) as u64, "{o}");
    }
    assert_eq!(a.users, 300);
    // Billable signals, by the generator's rules: anonymous = every 9th user; phones on
    // users not divisible by 3; a conversation for users ≡ 1 (mod 3), who always write first.
    let anonymous = (1..=n).filter(|&i| data.is_anonymous(i)).count() as u64;
    let phones = (1..=n)
        .filter(|&i| !data.is_anonymous(i) && i % 3 != 0)
        .count() as u64;
    let chats = (1..=n)
        .filter(|&i| data.conversation_of(i).is_some())
        .count() as u64;
    assert_eq!(anonymous, summary.anonymous_users as u64);
    assert_eq!(signal(a, "email"), Some(n - anonymous));
    assert_eq!(signal(a, "phone"), Some(phones));
    assert_eq!(signal(a, "user_id"), Some(n - anonymous));
    assert_eq!(signal(a, "last heard in chat"), Some(chats));
    assert_eq!(signal(a, "web push"), None, "no such column in the sample");
    assert_eq!(signal(a, "FCM key"), None, "no such column in the sample");
    assert_eq!(a.billable.billable, n - anonymous);
    assert_eq!(a.billable.anonymous, anonymous);
    // Data quality. A duplicate that is also anonymous (user 153) has no email: the
    // generator's summary counts it, the audit rightly cannot.
    let dup_anonymous = (1..=n)
        .filter(|&i| data.duplicate_of(i).is_some() && data.is_anonymous(i))
        .count() as u64;
    let q = &a.quality;
    assert_eq!(
        q.duplicate_emails,
        summary.duplicate_users as u64 - dup_anonymous
    );
    assert!(!q.duplicates_capped);
    assert_eq!(q.invalid_emails, summary.invalid_emails as u64);
    assert_eq!(q.stale, stale_by_rule(data, a.now));
    assert_eq!(q.no_activity_date, 0);
    let user_orphans = (1..=n)
        .filter(|&i| !data.is_anonymous(i) && i % 5 != 4 && i % 29 == 0)
        .count() as u64;
    let orphans: Vec<Option<u64>> = q.orphans.iter().map(|o| o.orphans).collect();
    assert_eq!(
        orphans,
        vec![
            Some(user_orphans),
            Some(summary.orphan_deals as u64),
            Some(0)
        ]
    );
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);

    // The same numbers, pinned.
    assert_eq!((anonymous, phones, chats), (33, 200, 100));
    assert_eq!(
        (q.duplicate_emails, dup_anonymous, q.invalid_emails),
        (16, 1, 12)
    );
    assert_eq!(q.stale, 131);
    assert_eq!(orphans, vec![Some(7), Some(6), Some(0)]);
    assert_eq!(
        q.orphans[1].examples,
        vec!["13", "26", "39", "52", "65", "78"]
    );
    let with_company = (1..=n)
        .filter(|&i| !data.is_anonymous(i) && i % 5 != 4)
        .count() as u64;
    assert_eq!((q.orphans[0].references, with_company), (214, 214));
}

#[tokio::test]
async fn the_sample_export_audits_to_the_generators_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(dir.path(), USERS, SEED).unwrap();
    let data = Dataset::new(USERS, SEED);
    let src = UsercomCsvSource::open(dir.path()).unwrap();
    let a = audit(&src, now()).await.unwrap();
    check_sample(&a, &summary, &data);

    let out = dir.path().join("report");
    a.write(&out).unwrap();
    let back: UsercomAudit =
        serde_json::from_slice(&std::fs::read(out.join("audit.json")).unwrap()).unwrap();
    assert_eq!(back, a);
    let md = std::fs::read_to_string(out.join("audit.md")).unwrap();
    assert!(md.contains("| web push | not in this export |"), "{md}");
    assert!(md.contains("**Anonymous visitors:** 33"), "{md}");
    assert!(md.contains("| deals | company_id / company | companies | 78 | 6 (first ids: 13, 26, 39, 52, 65, 78) | 0 |"), "{md}");
}

#[tokio::test]
async fn a_full_hash_set_is_reported_and_references_become_unverified() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), 60, 3).unwrap();
    let src = UsercomCsvSource::open(dir.path()).unwrap();
    let options = AuditOptions::default()
        .with_hash_cap(5)
        .with_objects(&["users"]);
    let a = audit_with(&src, now(), &options).await.unwrap();
    assert!(a.quality.duplicates_capped);
    assert!(a
        .warnings
        .iter()
        .any(|w| w.contains("company ids") && w.contains("cap of 5")));
    let deals_users = &a.quality.orphans[2];
    assert_eq!(
        deals_users.orphans,
        Some(0),
        "never claims an orphan it could not check"
    );
    assert!(deals_users.unverified > 0);
    // Only the objects asked for (and those the checks read) are counted.
    let names: Vec<&str> = a.objects.iter().map(|o| o.object.as_str()).collect();
    assert!(
        !names.contains(&"events") && names.contains(&"users"),
        "{names:?}"
    );
}

#[tokio::test]
async fn bad_values_are_counted_not_fatal_and_missing_objects_are_warned() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("users.csv"),
        "id,email,last_seen,web_push,fcm_key\n1,a@x.example,not a date,t,\n2, A@X.example ,2021-12-01 10:00:00+00,f,abc\n3,@@,,{},\n",
    )
    .unwrap();
    let src = UsercomCsvSource::open(dir.path()).unwrap();
    let now = Utc.with_ymd_and_hms(2022, 1, 1, 0, 0, 0).single().unwrap();
    let a = audit(&src, now).await.unwrap();
    assert_eq!(a.users, 3);
    assert_eq!(signal(&a, "web push"), Some(1));
    assert_eq!(signal(&a, "FCM key"), Some(1));
    assert_eq!(signal(&a, "last heard in chat"), None);
    assert_eq!(
        (a.quality.duplicate_emails, a.quality.invalid_emails),
        (1, 1)
    );
    assert_eq!((a.quality.stale, a.quality.no_activity_date), (0, 2));
    assert_eq!(a.quality.orphans[0].orphans, None, "companies not read");
    assert_eq!(a.warnings.len(), 3, "{:?}", a.warnings);
    assert!(a.to_markdown().contains("companies not read"));
}

#[cfg(feature = "emulators")]
#[tokio::test]
async fn the_api_audits_to_the_same_numbers_as_the_export() {
    use crate::usercom::emulator::{UsercomEmulator, UsercomEmulatorConfig};
    use crate::usercom::{UsercomApiConfig, UsercomApiSource};
    let emu = UsercomEmulator::start(UsercomEmulatorConfig::new(USERS, SEED))
        .await
        .unwrap();
    let config = UsercomApiConfig::new(emu.url(), emu.api_key().into()).with_rate_limit(None, 1);
    let src = UsercomApiSource::new(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(dir.path(), USERS, SEED).unwrap();
    let a = audit(&src, now()).await.unwrap();
    check_sample(&a, &summary, &Dataset::new(USERS, SEED));
}
