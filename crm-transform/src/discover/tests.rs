//! Tests of the profiler, the type inference and the rendering.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use crm_core::memory::MemorySource;
use crm_core::{Page, RawRecord, Result, Source, SourceKey};
use serde_json::{json, Map, Value as Json};

use super::*;

/// Runs a future to completion on this thread (crm-transform has no async runtime).
fn block_on<F: Future>(f: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut f = pin!(f);
    loop {
        match f.as_mut().poll(&mut cx) {
            Poll::Ready(v) => return v,
            Poll::Pending => std::thread::park(),
        }
    }
}

fn raw(object: &str, id: usize, fields: Map<String, Json>) -> RawRecord {
    RawRecord {
        key: SourceKey::new("usercom", object, id.to_string()),
        fields,
    }
}

/// A small User.com-style export, one line per column, cells separated by `|` (`⏎` is a line
/// break in a cell): `t`/`f`, PostgreSQL arrays and timestamps, JSON in cells, blanks, a
/// duplicate, a value that does not fit, Unix seconds, integers that look like phones.
const EXPORT: &str = r#"id|1|2|3|4|5|6|7|8|9|10
email|ann@example.com|bob@example.com|ann@example.com||dan@example.com|eve@example.com|fay@example.com|gus@example.com|hal@example.com|not an email
is_active|t|f|t||f|t|t|f|t|t
created_at|2017-06-27 14:51:04.331287+00|2017-06-28 09:00:00+00|2018-01-01 00:00:00+00|2019-03-28T02:45:39Z|2020-05-05 05:05:05.5+00|2021-06-06 06:06:06+00||2022-07-07 07:07:07+00|2023-08-08 08:08:08+00|2024-09-09 09:09:09+00
signup_date|25/12/2023|03/04/2024|13/01/2024|01/02/2024||28/02/2024||15/03/2024|16/03/2024|17/03/2024
tags|{vip,"Big, Co"}|{lead}|{}|{vip}|{lead,vip}||{"A, B"}|{vip}|{lead}|{vip}
plan|Gold|Silver|Gold|Gold|Silver|Gold|Bronze|Gold|Silver|Gold
phone|+48 123 456 789|+48 601-200-300|+44 20 7946 0958|+1 416-555-0199|0048 500 600 700|+49 30 123456|+33 1 23 45 67 89|+48 22 123 45 67|+48 12 345 67 89|+48 58 123 45 67
website|https://example.com|www.foo.pl|bar.com|http://baz.org/x|https://qux.io|example.net|https://a.example.com/p?q=1|www.b.com|c.org|d.de
attributes|{"a":1}|{"a":2}|{"b":[1,2]}|[1,2]|{}|{"c":null}|{"d":true}|{"e":"x"}|{"f":1}|{"g":1}
revenue|€12.50|12.50 EUR|USD 1,200.00|$5|£3|PLN 7|9.99 USD|€1|€2|€3
score|1.5|2|3.25|4|5.75|6|7.5|8|9|10.25
newsletter|1|0|1|1|0|1|1|0|1|1
notes|Likes⏎cats||Call back||x|||||
fax||||||||||
last_seen|1700000000|1700000100|1700000200|1700000300|1700000400|1700000500|1700000600|1700000700|1700000800|1700000900
customer_no|48123456789|48123456790|48123456791|48123456792|48123456793|48123456794|48123456795|48123456796|48123456797|48123456798"#;

fn columns() -> Vec<&'static str> {
    EXPORT
        .lines()
        .map(|l| l.split('|').next().unwrap())
        .collect()
}

fn messy_source() -> MemorySource {
    let table: Vec<Vec<&str>> = EXPORT.lines().map(|l| l.split('|').collect()).collect();
    let records = (1..table[0].len())
        .map(|i| {
            let fields = table
                .iter()
                .map(|col| (col[0].to_string(), Json::String(col[i].replace('⏎', "\n"))))
                .collect();
            raw("users", i, fields)
        })
        .collect();
    let deals = [
        json!({"n": 5, "ok": true, "labels": ["a", "b"], "amount": 1.5}),
        json!({"n": 6, "ok": false, "labels": ["b"], "amount": 2}),
        json!({"n": 7, "ok": null, "labels": [], "amount": 3.25}),
    ];
    let api = deals
        .iter()
        .enumerate()
        .map(|(i, v)| raw("deals", i + 1, v.as_object().unwrap().clone()))
        .collect();
    MemorySource::new("usercom", [])
        .with_raw("users", records)
        .with_raw("deals", api)
        .page_size(3)
}

fn field<'a>(o: &'a ObjectProfile, name: &str) -> &'a FieldProfile {
    o.fields
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no field {name}"))
}

#[test]
fn a_messy_export_is_typed_field_by_field() {
    let d = block_on(discover(&messy_source(), &[], None)).unwrap();
    assert_eq!(d.source, "usercom");
    let users = d.object("users").unwrap();
    assert_eq!(users.count, 10);
    let names: Vec<&str> = users.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, columns(), "fields keep the order first seen");

    use InferredType as T;
    // (field, type, fit, null rate, duplicate rate)
    let expected: [(&str, T, f64, f64, f64); 17] = [
        ("id", T::Integer, 1.0, 0.0, 0.0),
        ("email", T::Text, 1.0, 0.1, 1.0 / 9.0),
        ("is_active", T::Boolean, 1.0, 0.1, 7.0 / 9.0),
        ("created_at", T::DateTime, 1.0, 0.1, 0.0),
        ("signup_date", T::Date, 1.0, 0.2, 0.0),
        ("tags", T::Choices, 1.0, 0.2, 3.0 / 8.0),
        ("plan", T::Choice, 1.0, 0.0, 0.7),
        ("phone", T::Phone, 1.0, 0.0, 0.0),
        ("website", T::Url, 1.0, 0.0, 0.0),
        ("attributes", T::Json, 1.0, 0.1, 0.0),
        ("revenue", T::Money, 1.0, 0.0, 0.0),
        ("score", T::Number, 1.0, 0.0, 0.0),
        ("newsletter", T::Boolean, 1.0, 0.0, 0.8),
        ("notes", T::Text, 1.0, 0.7, 0.0),
        ("fax", T::Empty, 0.0, 1.0, 0.0),
        ("last_seen", T::DateTime, 1.0, 0.0, 0.0),
        ("customer_no", T::Integer, 1.0, 0.0, 0.0),
    ];
    for (name, ty, fit, nulls, dups) in expected {
        let f = field(users, name);
        assert_eq!(f.inferred, ty, "{name}: {f:?}");
        assert!((f.fit - fit).abs() < 1e-9, "{name} fit {}", f.fit);
        assert!(
            (f.null_rate - nulls).abs() < 1e-9,
            "{name} nulls {}",
            f.null_rate
        );
        assert!(
            (f.duplicate_rate - dups).abs() < 1e-9,
            "{name} dups {}",
            f.duplicate_rate
        );
        assert!(f.samples.len() <= SAMPLES);
    }
    // One bad address in nine: 89 % is below the 95 % bar, so the field stays text.
    assert_eq!(field(users, "email").filled, 9);
    assert_eq!(field(users, "email").distinct, 8);
    assert_eq!(field(users, "plan").values, ["Gold", "Silver", "Bronze"]);
    assert_eq!(
        field(users, "tags").values[..2],
        ["vip".to_string(), "lead".to_string()]
    );
    assert!(field(users, "tags").values.contains(&"Big, Co".to_string()));
    assert_eq!(
        field(users, "signup_date").date_order.as_deref(),
        Some("day_first")
    );
    assert_eq!(field(users, "created_at").date_order, None);
    assert_eq!(field(users, "notes").max_len, 10);
    assert_eq!(field(users, "fax").filled, 0);

    let deals = d.object("deals").unwrap();
    assert_eq!(field(deals, "n").inferred, T::Integer);
    assert_eq!(field(deals, "ok").inferred, T::Boolean);
    assert!((field(deals, "ok").null_rate - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(field(deals, "labels").inferred, T::Choices);
    assert_eq!(field(deals, "labels").values, ["b", "a"]);
    assert_eq!(field(deals, "amount").inferred, T::Number);
}

fn column(values: &[&str]) -> FieldProfile {
    let mut p = ObjectProfiler::new("t");
    for (i, v) in values.iter().enumerate() {
        let mut m = Map::new();
        m.insert("c".into(), Json::String(v.to_string()));
        p.push(&raw("t", i, m));
    }
    p.finish().fields.remove(0)
}

#[test]
fn specific_types_do_not_swallow_general_ones() {
    use InferredType as T;
    // Ids 0 and 1 that do not repeat are not a flag.
    assert_eq!(column(&["0", "1"]).inferred, T::Integer);
    assert_eq!(column(&["0", "1", "1", "0"]).inferred, T::Boolean);
    assert_eq!(column(&["0", "1", "2", "1"]).inferred, T::Integer);
    // Plain digits are integers, never phones; leading zeros are codes.
    assert_eq!(column(&["5551234567", "5551234568"]).inferred, T::Integer);
    assert_eq!(column(&["0612345678", "0798765432"]).inferred, T::Phone);
    assert_eq!(column(&["007", "042", "123"]).inferred, T::Text);
    // Reference codes with a currency-like prefix are not amounts; amounts still are.
    assert_eq!(column(&["LCR-00035", "LCR-00042"]).inferred, T::Text);
    assert_eq!(column(&["ABC0012", "ABC0013"]).inferred, T::Text);
    assert_eq!(column(&["EUR 12.50", "0.50 EUR"]).inferred, T::Money);
    // Dates are not phones, decimals are not dates.
    assert_eq!(column(&["2024-01-02", "2024-02-03"]).inferred, T::Date);
    assert_eq!(column(&["12.5", "3.25"]).inferred, T::Number);
    // Dotted dates are day-first; `03/04/2024` alone cannot tell.
    let dotted = column(&["01.02.2024", "03.04.2024"]);
    assert_eq!(
        (dotted.inferred, dotted.date_order.as_deref()),
        (T::Date, Some("day_first"))
    );
    let unclear = column(&["03/04/2024", "05/06/2024"]);
    assert_eq!(unclear.date_order.as_deref(), Some("ambiguous"));
    let mixed = column(&["13/04/2024", "05/16/2024"]);
    assert_eq!(mixed.date_order.as_deref(), Some("conflicting"));
    // `|`-separated tags are choices; numbers without a currency are not money.
    let tags = column(&["vip|lead", "lead", "vip", "partner|vip", "lead"]);
    assert_eq!(
        (tags.inferred, tags.values[0].as_str()),
        (T::Choices, "vip")
    );
    assert_eq!(column(&["Apt 12", "Box 5"]).inferred, T::Text);
    // Few distinct values that do not repeat are text, not a choice.
    assert_eq!(column(&["Warsaw", "Berlin", "Paris"]).inferred, T::Text);
    assert_eq!(column(&["", " ", "{}", "[]"]).inferred, T::Empty);
    // 19 of 20 fit: 95 % is enough, and the fit says how much.
    let mut dates = vec!["2024-01-01"; 19];
    dates.push("soon");
    let d = column(&dates);
    assert_eq!((d.inferred, d.fit), (T::Date, 0.95));
}

/// A source that makes up `n` records page by page, holding none of them.
struct Generated {
    n: usize,
}

type Fut<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

// Written out as `#[async_trait]` would expand it: crm-transform does not depend on it.
impl Source for Generated {
    fn system(&self) -> &str {
        "gen"
    }

    fn objects<'s, 'a>(&'s self) -> Fut<'a, Vec<String>>
    where
        's: 'a,
    {
        Box::pin(async { Ok(vec!["people".to_string()]) })
    }

    fn read_page<'s, 'o, 'a>(
        &'s self,
        object: &'o str,
        cursor: Option<String>,
    ) -> Fut<'a, Page<RawRecord>>
    where
        's: 'a,
        'o: 'a,
    {
        Box::pin(async move {
            let start: usize = cursor.map_or(0, |c| c.parse().unwrap());
            let end = (start + 1000).min(self.n);
            let items = (start..end)
                .map(|i| {
                    let status = ["new", "active", "lost"][i % 3];
                    let f = json!({
                        "id": i.to_string(),
                        "email": format!("user{i}@example.com"),
                        "status": status,
                        "bio": format!("{} {i}", "lorem ipsum ".repeat(30)),
                    });
                    raw(object, i, f.as_object().unwrap().clone())
                })
                .collect();
            Ok(Page {
                items,
                next: (end < self.n).then(|| end.to_string()),
            })
        })
    }
}

#[test]
fn memory_stays_bounded_on_100_000_distinct_records() {
    let src = Generated { n: 100_000 };
    let d = block_on(discover(&src, &["people".to_string()], None)).unwrap();
    let people = d.object("people").unwrap();
    assert_eq!(people.count, 100_000);
    for name in ["id", "email", "bio"] {
        let f = field(people, name);
        assert!(f.distinct_capped, "{name}");
        assert_eq!(f.distinct, DISTINCT_CAP as u64);
        assert_eq!(f.duplicate_rate, 0.0);
        assert_eq!(f.samples.len(), SAMPLES);
        assert!(f
            .samples
            .iter()
            .all(|s| s.chars().count() <= SAMPLE_CHARS + 1));
        assert_eq!(f.null_rate, 0.0);
    }
    assert_eq!(field(people, "id").inferred, InferredType::Integer);
    assert_eq!(field(people, "email").inferred, InferredType::Email);
    let status = field(people, "status");
    assert_eq!(
        (status.inferred, status.distinct),
        (InferredType::Choice, 3)
    );
    assert_eq!(status.values, ["new", "active", "lost"]);

    // The frequency tables inside stay capped too.
    let mut p = ObjectProfiler::new("people");
    let page = block_on(src.read_page("people", None)).unwrap();
    for _ in 0..3 {
        for r in &page.items {
            p.push(r);
        }
    }
    assert!(p
        .fields
        .iter()
        .all(|f| f.top.len() <= TOP_CAP && f.samples.len() <= SAMPLES));
}

#[test]
fn max_records_stops_early() {
    let d = block_on(discover(&Generated { n: 5_000 }, &[], Some(1_234))).unwrap();
    assert_eq!(d.objects[0].count, 1_234);
}

#[test]
fn markdown_and_files_show_quality_at_a_glance() {
    let d = block_on(discover(&messy_source(), &["users".to_string()], None)).unwrap();
    let md = d.to_markdown();
    assert!(md.contains("# Discovery: `usercom`"), "{md}");
    assert!(md.contains("| users | 10 | 17 |"), "{md}");
    assert!(
        md.contains("| email | text | 100 % | 10.0 % | 8 | 11.1 % | 15 |"),
        "{md}"
    );
    assert!(
        md.contains("| fax | empty | — | 100 % | 0 | 0 % | 0 |  |"),
        "{md}"
    );
    assert!(
        md.contains("`signup_date`: dates are written day first"),
        "{md}"
    );
    assert!(md.contains("`plan`: values, most frequent first: `Gold`, `Silver`, `Bronze`."));
    assert!(md.contains("`Likes⏎cats`"), "{md}");

    let dir = std::env::temp_dir().join(format!("crm-discover-test-{}", std::process::id()));
    d.write(&dir).unwrap();
    let back: Discovery =
        serde_json::from_str(&std::fs::read_to_string(dir.join("discovery.json")).unwrap())
            .unwrap();
    assert_eq!(back, d);
    assert_eq!(
        std::fs::read_to_string(dir.join("discovery.md")).unwrap(),
        md
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_choice_value_is_listed_up_to_the_cap_and_the_rest_counted() {
    use InferredType as T;
    // 120 distinct list items, each seen twice: all listed (the old cap was 50).
    let cells: Vec<String> = (0..240)
        .map(|i| format!("{{\"item {}\",other}}", i % 120))
        .collect();
    let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
    let f = column(&refs);
    assert_eq!(f.inferred, T::Choices);
    assert_eq!(f.values.len(), 121, "120 items and `other`");
    assert_eq!(f.values_omitted, 0);
    // Short text with more distinct values than a choice may have still lists them all.
    let stages: Vec<String> = (0..60).map(|i| format!("Stage {}", i % 30)).collect();
    let refs: Vec<&str> = stages.iter().map(String::as_str).collect();
    let f = column(&refs);
    assert_eq!(f.inferred, T::Text);
    assert_eq!(f.values.len(), 30);
    // Past VALUES_LISTED, the rest are counted, not dropped silently.
    let many: Vec<String> = (0..(VALUES_LISTED + 7))
        .map(|i| format!("{{v{i},v{i}b}}"))
        .collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let f = column(&refs);
    assert_eq!(f.values.len(), VALUES_LISTED);
    assert_eq!(
        f.values_omitted,
        (2 * (VALUES_LISTED + 7) - VALUES_LISTED) as u64
    );
}
