use crm_transform::normalise::{domain_of, normalise_url};
use proptest::prelude::*;

use crate::assert_quotes;

#[test]
fn normalises_urls() {
    let table = [
        ("example.com", "https://example.com"),
        ("www.Example.com", "https://www.example.com"),
        (
            "HTTP://Example.COM/Path?Q=1#Frag",
            "http://example.com/Path?Q=1#Frag",
        ),
        ("https://example.com/", "https://example.com"),
        ("https://example.com/a/", "https://example.com/a/"),
        ("//cdn.example.com/x", "https://cdn.example.com/x"),
        ("example.com:8080/x", "https://example.com:8080/x"),
        ("https://example.com.", "https://example.com"),
        (
            "  sub.example.co.uk?ref=crm ",
            "https://sub.example.co.uk?ref=crm",
        ),
        ("https://192.168.0.10/admin", "https://192.168.0.10/admin"),
        ("bücher.DE", "https://bücher.de"),
        ("my_host.example.com", "https://my_host.example.com"),
    ];
    for (raw, want) in table {
        assert_eq!(normalise_url(raw).unwrap(), want, "{raw:?}");
    }
}

#[test]
fn domains() {
    let table = [
        ("https://WWW.Example.com:8080/x", "example.com"),
        ("www.example.com", "example.com"),
        ("example.com", "example.com"),
        ("http://shop.example.com/path", "shop.example.com"),
        ("www.com", "www.com"),
        ("Example.org.", "example.org"),
    ];
    for (raw, want) in table {
        assert_eq!(domain_of(raw).unwrap(), want, "{raw:?}");
    }
}

#[test]
fn refuses_what_is_not_a_web_address() {
    let table = [
        ("", "empty"),
        ("example com", "spaces"),
        ("https://exa mple.com", "spaces"),
        ("localhost", "no dot"),
        ("https://intranet/x", "no dot"),
        ("ann@example.com", "`@`"),
        ("https://user:pw@example.com", "`@`"),
        ("mailto:ann@example.com", "`@`"),
        ("ftp://example.com", "http"),
        ("javascript://alert(1)", "http"),
        ("example.com:0", "port"),
        ("example.com:99999", "port"),
        ("example.com:http", "port"),
        ("12.50", "number"),
        ("1.2.3", "number"),
        ("https://example..com", "empty"),
        ("https://-example.com", "not allowed"),
        ("https://", "no host"),
        ("https://exa$mple.com", "not allowed"),
    ];
    for (raw, why) in table {
        let e = normalise_url(raw).unwrap_err();
        assert!(e.reason.contains(why), "{raw:?}: {e}");
        assert_quotes(normalise_url(raw), raw);
        assert_quotes(domain_of(raw), raw);
    }
}

proptest! {
    #[test]
    fn never_panics(s in "\\PC*") {
        let _ = normalise_url(&s);
        let _ = domain_of(&s);
    }

    #[test]
    fn normalising_is_idempotent(
        host in "[a-zA-Z0-9]{1,10}(\\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?)?\\.[a-zA-Z]{2,6}",
        path in "(/[a-zA-Z0-9_.~-]{0,8}){0,3}",
        www in any::<bool>(),
    ) {
        prop_assume!(!host.to_lowercase().starts_with("www."));
        let input = format!("{}{host}{path}", if www { "www." } else { "" });
        let once = normalise_url(&input).unwrap();
        prop_assert_eq!(normalise_url(&once).unwrap(), once.clone());
        prop_assert_eq!(domain_of(&once).unwrap(), host.to_lowercase());
    }
}
