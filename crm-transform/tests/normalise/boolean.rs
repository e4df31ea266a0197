use crm_transform::normalise::{parse_bool, parse_bool_opt};
use proptest::prelude::*;

use crate::assert_quotes;

#[test]
fn every_accepted_form() {
    let table = [
        ("t", true),
        ("f", false),
        ("T", true),
        ("F", false),
        ("true", true),
        ("FALSE", false),
        ("True", true),
        ("yes", true),
        ("No", false),
        ("Y", true),
        ("n", false),
        ("1", true),
        ("0", false),
        ("on", true),
        ("OFF", false),
        ("  t \t", true),
        ("\nno\n", false),
    ];
    for (raw, want) in table {
        assert_eq!(parse_bool(raw).unwrap(), want, "{raw:?}");
    }
}

#[test]
fn refuses_anything_else_quoting_it() {
    for raw in [
        "maybe", "", "  ", "2", "-1", "yess", "tru", "ja", "t f", "01", "✓",
    ] {
        assert_quotes(parse_bool(raw), raw);
    }
}

#[test]
fn optional_cells() {
    assert_eq!(parse_bool_opt("").unwrap(), None);
    assert_eq!(parse_bool_opt("  ").unwrap(), None);
    assert_eq!(parse_bool_opt("t").unwrap(), Some(true));
    assert_quotes(parse_bool_opt("x"), "x");
}

proptest! {
    #[test]
    fn never_panics(s in "\\PC*") {
        let _ = parse_bool(&s);
        let _ = parse_bool_opt(&s);
    }

    #[test]
    fn case_and_padding_do_not_matter(
        i in 0usize..12,
        upper in any::<bool>(),
        pad in "[ \t]{0,3}",
    ) {
        let words = ["t", "f", "true", "false", "yes", "no", "y", "n", "1", "0", "on", "off"];
        let w = if upper { words[i].to_uppercase() } else { words[i].to_string() };
        prop_assert_eq!(parse_bool(&format!("{pad}{w}{pad}")).unwrap(), i % 2 == 0);
    }
}
