use crm_transform::normalise::{
    encode_pg_array, parse_choices, parse_pg_array, parse_single_choice, ListFormat,
};
use proptest::prelude::*;

use crate::assert_quotes;

fn v(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn postgres_arrays() {
    let table: &[(&str, &[&str])] = &[
        ("{}", &[]),
        ("  {}  ", &[]),
        (
            "{Daily digest,Weekly summary}",
            &["Daily digest", "Weekly summary"],
        ),
        (r#"{a,"b, c",NULL}"#, &["a", "b, c"]),
        (r#"{"NULL",null,Null}"#, &["NULL"]),
        (
            r#"{"say \"hi\"","back\\slash"}"#,
            &[r#"say "hi""#, r"back\slash"],
        ),
        (r#"{ a , "b" ,c }"#, &["a", "b", "c"]),
        (r#"{"{braces}","a,b"}"#, &["{braces}", "a,b"]),
        (r#"{""," ",x}"#, &["x"]),
        (r"{a\,b}", &["a,b"]),
        ("{Gold}", &["Gold"]),
        ("{zażółć,gęślą}", &["zażółć", "gęślą"]),
    ];
    for (raw, want) in table {
        assert_eq!(parse_pg_array(raw).unwrap(), v(want), "{raw:?}");
        assert_eq!(
            parse_choices(raw, ListFormat::Auto).unwrap(),
            v(want),
            "{raw:?}"
        );
    }
}

#[test]
fn postgres_array_errors_quote_the_value() {
    let table = [
        ("{a,b", "closing"),
        ("a,b}", "starts with"),
        (r#"{"a,b}"#, "unclosed double quote"),
        (r#"{a"b}"#, "double quote inside"),
        (r#"{"a"b}"#, "text after a quoted element"),
        ("{a,{b}}", "nested"),
        ("{a}x", "after the closing"),
        ("{a\\", "backslash"),
        ("", "starts with"),
    ];
    for (raw, why) in table {
        let e = parse_pg_array(raw).unwrap_err();
        assert!(e.reason.contains(why), "{raw:?}: {e}");
        assert_quotes(parse_pg_array(raw), raw);
    }
}

#[test]
fn other_list_forms() {
    let table: &[(&str, ListFormat, &[&str])] = &[
        (r#"["a","b"]"#, ListFormat::Auto, &["a", "b"]),
        (
            r#"[" a ", 1, true, null, ""]"#,
            ListFormat::JsonArray,
            &["a", "1", "true"],
        ),
        ("[]", ListFormat::Auto, &[]),
        ("a|b | c||", ListFormat::Auto, &["a", "b", "c"]),
        ("a; b;c", ListFormat::Auto, &["a", "b", "c"]),
        ("a, b", ListFormat::Auto, &["a, b"]),
        ("a, b,,c", ListFormat::Separated(','), &["a", "b", "c"]),
        ("single", ListFormat::Auto, &["single"]),
        ("", ListFormat::Auto, &[]),
        ("   ", ListFormat::PgArray, &[]),
        ("{a,b}", ListFormat::Separated('|'), &["{a,b}"]),
    ];
    for (raw, format, want) in table {
        assert_eq!(parse_choices(raw, *format).unwrap(), v(want), "{raw:?}");
    }
    for raw in [r#"["a","#, r#"{"a":1}"#, r#"[["a"]]"#, "[1, {}]"] {
        assert_quotes(parse_choices(raw, ListFormat::JsonArray), raw);
    }
    assert_quotes(parse_choices("[oops", ListFormat::Auto), "[oops");
}

#[test]
fn single_choices() {
    let table: &[(&str, ListFormat, Option<&str>)] = &[
        ("{Gold}", ListFormat::Auto, Some("Gold")),
        (
            r#"{"Gold, premium"}"#,
            ListFormat::Auto,
            Some("Gold, premium"),
        ),
        (r#"["Gold"]"#, ListFormat::Auto, Some("Gold")),
        ("Gold", ListFormat::Auto, Some("Gold")),
        (" Gold | Silver ", ListFormat::Auto, Some("Gold | Silver")),
        ("{}", ListFormat::Auto, None),
        ("{NULL}", ListFormat::Auto, None),
        ("", ListFormat::Auto, None),
        ("Gold", ListFormat::Separated('|'), Some("Gold")),
    ];
    for (raw, format, want) in table {
        let got = parse_single_choice(raw, *format).unwrap();
        assert_eq!(got.as_deref(), *want, "{raw:?}");
    }
    let e = parse_single_choice("{Gold,Silver}", ListFormat::Auto).unwrap_err();
    assert!(e.reason.contains("2 values"), "{e}");
    assert_quotes(
        parse_single_choice("{Gold,Silver}", ListFormat::Auto),
        "{Gold,Silver}",
    );
    assert_quotes(
        parse_single_choice("a|b", ListFormat::Separated('|')),
        "a|b",
    );
}

#[test]
fn encoding_quotes_what_needs_it() {
    assert_eq!(encode_pg_array::<&str>(&[]), "{}");
    assert_eq!(
        encode_pg_array(&["a", "b c", "NULL", "", r#"q"\"#]),
        r#"{a,"b c","NULL","","q\"\\"}"#
    );
}

proptest! {
    #[test]
    fn never_panics(s in "\\PC*") {
        let _ = parse_pg_array(&s);
        for f in [ListFormat::Auto, ListFormat::JsonArray, ListFormat::Separated(',')] {
            let _ = parse_choices(&s, f);
            let _ = parse_single_choice(&s, f);
        }
    }

    #[test]
    fn never_panics_on_array_noise(s in "[{}\",\\\\ aN]{0,30}") {
        let _ = parse_pg_array(&s);
        let _ = parse_single_choice(&s, ListFormat::Auto);
    }

    #[test]
    fn pg_arrays_round_trip(items in prop::collection::vec("\\PC{0,12}", 0..8)) {
        let encoded = encode_pg_array(&items);
        let want: Vec<String> = items
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        prop_assert_eq!(parse_pg_array(&encoded).unwrap(), want, "{}", encoded);
    }

    #[test]
    fn json_arrays_round_trip(items in prop::collection::vec("[^\\s]\\PC{0,10}[^\\s]", 0..6)) {
        let encoded = serde_json::to_string(&items).unwrap();
        prop_assert_eq!(parse_choices(&encoded, ListFormat::Auto).unwrap(), items);
    }
}
