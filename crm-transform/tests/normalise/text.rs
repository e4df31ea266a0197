use crm_transform::normalise::{
    clean_text, collapse_whitespace, limit, strip_controls, TextOptions,
};
use proptest::prelude::*;

#[test]
fn limits() {
    let table: &[(&str, usize, &str, bool)] = &[
        ("hello", 10, "hello", false),
        ("hello", 5, "hello", false),
        ("hello", 4, "hell", true),
        ("hello", 0, "", true),
        ("", 0, "", false),
        ("zażółć", 4, "zażó", true),
        // "é" as e + combining acute: two chars, one grapheme, never split.
        ("cafe\u{301}", 4, "caf", true),
        ("cafe\u{301}", 5, "cafe\u{301}", false),
        // A flag is two chars; a family emoji is five joined by ZWJ.
        ("ab🇵🇱", 3, "ab", true),
        ("a👨\u{200d}👩\u{200d}👧b", 4, "a", true),
        ("日本語テキスト", 3, "日本語", true),
    ];
    for (text, max, want, cut) in table {
        assert_eq!(
            limit(text, *max),
            (want.to_string(), *cut),
            "{text:?} {max}"
        );
    }
}

#[test]
fn controls_and_whitespace() {
    assert_eq!(strip_controls("a\u{0}b\u{7}c\u{1b}[0m"), "abc[0m");
    assert_eq!(
        strip_controls("line1\r\nline2\rline3\n\tx"),
        "line1\nline2\nline3\n\tx"
    );
    assert_eq!(strip_controls("\u{feff}name\u{85}"), "name");
    assert_eq!(collapse_whitespace("  a \t b\n\nc\u{a0} d  "), "a b c d");
    assert_eq!(collapse_whitespace(" \n "), "");
    let opts = TextOptions {
        collapse_whitespace: true,
        max_chars: Some(5),
        ..TextOptions::default()
    };
    assert_eq!(
        clean_text(" a\u{0}b  c\r\nd e ", &opts),
        ("ab c".to_string(), true)
    );
    assert_eq!(
        clean_text("a\u{0}b", &TextOptions::default()),
        ("ab".to_string(), false)
    );
    let raw = TextOptions {
        strip_controls: false,
        ..TextOptions::default()
    };
    assert_eq!(clean_text("a\u{0}b", &raw), ("a\u{0}b".to_string(), false));
}

proptest! {
    #[test]
    fn limit_never_exceeds_and_is_a_prefix(s in "\\PC{0,40}|.{0,40}", max in 0usize..50) {
        let (out, cut) = limit(&s, max);
        prop_assert!(out.chars().count() <= max);
        prop_assert!(s.starts_with(&out));
        prop_assert_eq!(cut, out != s);
        prop_assert_eq!(cut, s.chars().count() > max);
    }

    #[test]
    fn cleaning_leaves_no_controls(s in any::<String>()) {
        let out = strip_controls(&s);
        prop_assert!(out.chars().all(|c| !c.is_control() || c == '\n' || c == '\t'));
        let collapsed = collapse_whitespace(&s);
        prop_assert!(!collapsed.contains("  ") && collapsed.trim() == collapsed);
        let (text, _) = clean_text(&s, &TextOptions { collapse_whitespace: true, max_chars: Some(7), ..TextOptions::default() });
        prop_assert!(text.chars().count() <= 7);
    }
}
