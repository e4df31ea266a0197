//! Round trips of every composite shape, and the client-side checks.

use chrono::TimeZone;
use crm_core::model::{fields as f, Address, Fields, Phone, RecordId, Ref, Value};
use serde_json::json;

use super::*;
use crate::twenty::meta::Meta;

fn obj(name: &str) -> (ObjectDescriptor, ObjectMeta) {
    let m = Meta::fallback();
    (
        m.model.get(name).unwrap().clone(),
        m.object(name).unwrap().clone(),
    )
}

fn round_trip(object: &str, fields: Fields) -> J {
    let (d, m) = obj(object);
    let enc = encode(&fields, &d, &m, None).unwrap();
    let j = J::Object(enc);
    let back = decode(&j, &d, &m);
    for (k, v) in &fields {
        let got = back.get(k).cloned().unwrap_or(Value::Null);
        assert!(v.same_as(&got), "{k}: wrote {v:?}, read {got:?}; json {j}");
    }
    j
}

#[test]
fn person_composites_round_trip() {
    let mut fl = Fields::new();
    fl.insert(f::FIRST_NAME.into(), Value::Text("Ada".into()));
    fl.insert(f::LAST_NAME.into(), Value::Text("Lovelace".into()));
    fl.insert(
        f::EMAILS.into(),
        Value::Emails(vec!["ada@x.io".into(), "a2@x.io".into()]),
    );
    fl.insert(
        f::PHONES.into(),
        Value::Phones(vec![
            Phone {
                number: "+33612345678".into(),
                country: Some("FR".into()),
                calling_code: Some("+33".into()),
            },
            Phone {
                number: "+447700900123".into(),
                country: Some("GB".into()),
                calling_code: Some("+44".into()),
            },
        ]),
    );
    fl.insert(
        f::LINKEDIN.into(),
        Value::Urls(vec![
            "https://linkedin.com/in/ada".into(),
            "https://b.io".into(),
        ]),
    );
    fl.insert(
        f::COMPANY_REF.into(),
        Value::Id(RecordId::new(
            f::COMPANY,
            "49e024e4-c504-47d8-87db-d3a55f3a0286",
        )),
    );
    fl.insert(f::JOB_TITLE.into(), Value::Text("Analyst".into()));
    let j = round_trip(f::PERSON, fl);
    assert_eq!(
        j["name"],
        json!({"firstName": "Ada", "lastName": "Lovelace"})
    );
    assert_eq!(
        j["emails"],
        json!({"primaryEmail": "ada@x.io", "additionalEmails": ["a2@x.io"]})
    );
    assert_eq!(j["phones"]["additionalPhones"][0]["countryCode"], "GB");
    assert_eq!(
        j["linkedinLink"]["secondaryLinks"][0]["url"],
        "https://b.io"
    );
    assert_eq!(j["companyId"], "49e024e4-c504-47d8-87db-d3a55f3a0286");
}

#[test]
fn company_opportunity_task_round_trip() {
    let mut c = Fields::new();
    c.insert(
        f::DOMAIN.into(),
        Value::Urls(vec!["https://acme.example".into()]),
    );
    c.insert(
        f::ANNUAL_REVENUE.into(),
        Value::Money {
            micros: 12_345_670_000,
            currency: "EUR".into(),
        },
    );
    c.insert(
        f::ADDRESS.into(),
        Value::Address(Address {
            street1: Some("1 Main St".into()),
            city: Some("Springfield".into()),
            ..Default::default()
        }),
    );
    c.insert(f::EMPLOYEES.into(), Value::Int(42));
    let j = round_trip(f::COMPANY, c);
    assert_eq!(
        j["annualRecurringRevenue"],
        json!({"amountMicros": 12_345_670_000i64, "currencyCode": "EUR"})
    );
    assert_eq!(j["address"]["addressCity"], "Springfield");

    let mut o = Fields::new();
    o.insert(f::STAGE.into(), Value::Choice("PROPOSAL".into()));
    o.insert(
        f::CLOSE_DATE.into(),
        Value::DateTime(Utc.with_ymd_and_hms(2026, 12, 31, 0, 0, 0).unwrap()),
    );
    round_trip(f::OPPORTUNITY, o);

    let mut t = Fields::new();
    t.insert(f::BODY.into(), Value::Text("Discuss **rockets**".into()));
    t.insert(f::STATUS.into(), Value::Choice("TODO".into()));
    let j = round_trip(f::TASK, t);
    assert_eq!(j["bodyV2"], json!({"markdown": "Discuss **rockets**"}));
}

#[test]
fn rest_amount_micros_as_string_decodes_exactly() {
    let (d, m) = obj(f::OPPORTUNITY);
    let got = decode(
        &json!({"amount": {"amountMicros": "12345670000", "currencyCode": "EUR"}}),
        &d,
        &m,
    );
    assert_eq!(
        got[f::AMOUNT],
        Value::Money {
            micros: 12_345_670_000,
            currency: "EUR".into()
        }
    );
}

#[test]
fn phones_stored_split_decode_to_international_form() {
    let (d, m) = obj(f::PERSON);
    let got = decode(
        &json!({"phones": {"primaryPhoneNumber": "600000001", "primaryPhoneCallingCode": "+48", "primaryPhoneCountryCode": "PL"}}),
        &d,
        &m,
    );
    assert_eq!(
        got[f::PHONES],
        Value::Phones(vec![Phone {
            number: "+48600000001".into(),
            country: Some("PL".into()),
            calling_code: Some("+48".into())
        }])
    );
}

#[test]
fn client_side_checks_refuse_what_twenty_accepts_or_fails_on() {
    let (d, m) = obj(f::PERSON);
    let one = |k: &str, v: Value| {
        let mut fl = Fields::new();
        fl.insert(k.into(), v);
        encode(&fl, &d, &m, None)
    };
    assert!(one(f::EMAILS, Value::Emails(vec!["not-an-email".into()])).is_err());
    assert!(one(f::EMAILS, Value::Emails(vec!["zoë@exämple.pl".into()])).is_ok());
    assert!(one(
        f::COMPANY_REF,
        Value::Id(RecordId::new(f::COMPANY, "not-a-uuid"))
    )
    .is_err());
    assert!(one(f::COMPANY_REF, Value::Ref(Ref::name(f::COMPANY, "Acme"))).is_err());
    assert!(one(
        f::PHONES,
        Value::Phones(vec![Phone {
            number: "48600000001".into(),
            ..Default::default()
        }])
    )
    .is_err());
    assert!(
        one(f::TAGS, Value::Choices(vec!["x".into()])).is_err(),
        "person has no tags in Twenty"
    );
    let (od, om) = obj(f::OPPORTUNITY);
    let mut fl = Fields::new();
    fl.insert(f::STAGE.into(), Value::Choice("proposal".into()));
    assert!(
        encode(&fl, &od, &om, None).is_err(),
        "options are case-sensitive"
    );
    let mut fl = Fields::new();
    fl.insert(
        f::AMOUNT.into(),
        Value::Money {
            micros: 1,
            currency: "XXX1".into(),
        },
    );
    assert!(encode(&fl, &od, &om, None).is_err());
}

#[test]
fn update_of_one_name_part_keeps_the_other_and_null_clears() {
    let (d, m) = obj(f::PERSON);
    let mut fl = Fields::new();
    fl.insert(f::FIRST_NAME.into(), Value::Text("After".into()));
    fl.insert(f::JOB_TITLE.into(), Value::Null);
    fl.insert(f::EMAILS.into(), Value::Null);
    let existing = json!({"name": {"firstName": "Before", "lastName": "Kept"}});
    let j = encode(&fl, &d, &m, Some(&existing)).unwrap();
    assert_eq!(j["name"], json!({"firstName": "After", "lastName": "Kept"}));
    assert_eq!(j["jobTitle"], "");
    assert_eq!(j["emails"]["primaryEmail"], "");
}
