use crm_transform::normalise::{cell_to_text, json_to_text, looks_like_json, parse_json_cell};
use proptest::prelude::*;
use serde_json::json;

use crate::assert_quotes;

#[test]
fn parses_cells() {
    assert_eq!(
        parse_json_cell(r#" {"a": [1, "x"]} "#).unwrap(),
        json!({"a": [1, "x"]})
    );
    assert_eq!(parse_json_cell("[]").unwrap(), json!([]));
    assert_eq!(parse_json_cell("42").unwrap(), json!(42));
    assert_eq!(parse_json_cell("\"s\"").unwrap(), json!("s"));
    for raw in ["", "{a:1}", r#"{"a":1"#, "[1,]", "hello", "{\"a\":1} x"] {
        assert_quotes(parse_json_cell(raw), raw);
    }
    let e = parse_json_cell("{a:1}").unwrap_err();
    assert!(e.reason.contains("not valid JSON"), "{e}");
}

#[test]
fn recognises_structured_cells() {
    assert!(looks_like_json(r#"{"a":1}"#));
    assert!(looks_like_json(" [1,2] "));
    assert!(!looks_like_json("42"));
    assert!(!looks_like_json("{a,b}"));
    assert!(!looks_like_json("plain"));
}

#[test]
fn flattens_to_readable_text() {
    let table = [
        (json!(null), ""),
        (json!(true), "true"),
        (json!(12.5), "12.5"),
        (json!("text\nwith lines\n"), "text\nwith lines\n"),
        (json!(["a", 1, null, false]), "a, 1, false"),
        (json!({}), ""),
        (json!({"b": 1, "a": "x"}), "b: 1\na: x"),
        (
            json!({"name": "Ann", "address": {"city": "Kraków", "zip": "30-001"}, "tags": ["a", "b"], "empty": null}),
            "name: Ann\naddress:\n  city: Kraków\n  zip: 30-001\ntags: a, b\nempty:",
        ),
        (
            json!({"items": [{"sku": 1, "qty": 2}, {"sku": 3}]}),
            "items:\n  -\n    sku: 1\n    qty: 2\n  -\n    sku: 3",
        ),
        (json!([[1, 2], [3]]), "- 1, 2\n- 3"),
        (json!({"note": "line 1\nline 2"}), "note: line 1\n  line 2"),
    ];
    for (value, want) in table {
        assert_eq!(json_to_text(&value), want, "{value}");
    }
}

#[test]
fn cells_to_text() {
    assert_eq!(cell_to_text(r#"{"a":1,"b":[2,3]}"#), "a: 1\nb: 2, 3");
    assert_eq!(cell_to_text("  plain  "), "plain");
    assert_eq!(cell_to_text("{not json"), "{not json");
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "\\PC{0,8}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            prop::collection::vec(("[a-z]{1,5}", inner), 0..5)
                .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn never_panics(s in "\\PC*") {
        let _ = parse_json_cell(&s);
        let _ = looks_like_json(&s);
        let _ = cell_to_text(&s);
    }

    #[test]
    fn flattening_is_deterministic_and_parse_round_trips(v in arb_json()) {
        let text = serde_json::to_string(&v).unwrap();
        let back = parse_json_cell(&text).unwrap();
        prop_assert_eq!(&back, &v);
        prop_assert_eq!(json_to_text(&back), json_to_text(&v));
    }
}
