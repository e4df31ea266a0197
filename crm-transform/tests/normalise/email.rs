use crm_transform::normalise::{email_key, normalise_email, normalise_emails};
use proptest::prelude::*;

use crate::assert_quotes;

#[test]
fn normalises_addresses() {
    let table = [
        ("ann@example.com", "ann@example.com"),
        ("  Ann.Smith@Example.COM ", "Ann.Smith@example.com"),
        ("mailto:Ann@EXAMPLE.com", "Ann@example.com"),
        ("MAILTO:ann@example.com?subject=Hi", "ann@example.com"),
        ("Ann Smith <Ann@Example.com>", "Ann@example.com"),
        ("<ann@example.com>", "ann@example.com"),
        ("ann+tag@sub.example.co.uk", "ann+tag@sub.example.co.uk"),
        ("ann@example.com.", "ann@example.com"),
        ("zoë@bücher.DE", "zoë@bücher.de"),
    ];
    for (raw, want) in table {
        assert_eq!(normalise_email(raw).unwrap(), want, "{raw:?}");
    }
}

#[test]
fn refuses_what_is_not_an_address() {
    let table = [
        ("", "empty"),
        ("ann", "no `@`"),
        ("ann@@example.com", "more than one"),
        ("a@b@example.com", "more than one"),
        ("@example.com", "before the `@`"),
        ("ann@example", "no dot"),
        ("ann@localhost", "no dot"),
        ("ann@.example.com", "malformed"),
        ("ann@example..com", "malformed"),
        ("ann@-example.com", "malformed"),
        ("ann smith@example.com", "spaces"),
        ("ann@example.com bob@example.com", "spaces"),
        ("ann,bob@example.com", "not allowed"),
        ("ann@exa(mple).com", "not allowed"),
    ];
    for (raw, why) in table {
        let e = normalise_email(raw).unwrap_err();
        assert!(e.reason.contains(why), "{raw:?}: {e}");
        assert_quotes(normalise_email(raw), raw);
    }
    let long_local = format!("{}@example.com", "a".repeat(65));
    assert!(normalise_email(&long_local).is_err());
    let long = format!("a@{}.com", "b".repeat(260));
    assert!(normalise_email(&long).is_err());
}

#[test]
fn keys_are_fully_lower_case() {
    assert_eq!(
        email_key(" Ann.Smith@Example.COM").unwrap(),
        "ann.smith@example.com"
    );
    assert_eq!(email_key("mailto:ANN@X.IO").unwrap(), "ann@x.io");
    assert_quotes(email_key("nope"), "nope");
}

#[test]
fn several_in_a_cell() {
    let table: &[(&str, &[&str])] = &[
        ("", &[]),
        ("a@x.io", &["a@x.io"]),
        (
            "a@x.io; b@x.io, c@x.io | d@x.io",
            &["a@x.io", "b@x.io", "c@x.io", "d@x.io"],
        ),
        ("a@x.io b@x.io", &["a@x.io", "b@x.io"]),
        ("A@x.io, a@X.io", &["A@x.io"]),
        ("Ann <a@x.io>", &["a@x.io"]),
        ("Ann <a@x.io>, Bob <b@x.io>", &["a@x.io", "b@x.io"]),
    ];
    for (raw, want) in table {
        assert_eq!(normalise_emails(raw).unwrap(), *want, "{raw:?}");
    }
    assert_quotes(normalise_emails("a@x.io; nope"), "nope");
}

proptest! {
    #[test]
    fn never_panics(s in "\\PC*") {
        let _ = normalise_email(&s);
        let _ = email_key(&s);
        let _ = normalise_emails(&s);
    }

    #[test]
    fn normalising_is_idempotent(local in "[A-Za-z0-9._%+-]{1,20}", domain in "[A-Za-z0-9]{1,10}\\.[A-Za-z]{2,6}") {
        let once = normalise_email(&format!(" mailto:{local}@{domain} ")).unwrap();
        prop_assert_eq!(normalise_email(&once).unwrap(), once.clone());
        prop_assert_eq!(email_key(&once).unwrap(), once.to_lowercase());
        prop_assert!(once.starts_with(&local));
    }
}
