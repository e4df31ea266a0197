use crm_core::Phone;
use crm_transform::normalise::{normalise_phone, normalise_phones, parse_phone};
use proptest::prelude::*;

use crate::assert_quotes;

fn e164(number: &str, country: &str, code: &str) -> Phone {
    Phone {
        number: number.into(),
        country: Some(country.into()),
        calling_code: Some(code.into()),
    }
}

fn raw(number: &str, code: Option<&str>) -> Phone {
    Phone {
        number: number.into(),
        country: None,
        calling_code: code.map(str::to_string),
    }
}

#[test]
fn international_numbers_become_e164() {
    let table = [
        ("+48 12 345 67 89", None, e164("+48123456789", "PL", "+48")),
        (
            "+48-12-345-67-89",
            Some("DE"),
            e164("+48123456789", "PL", "+48"),
        ),
        (
            "0048 (12) 345.67.89",
            None,
            e164("+48123456789", "PL", "+48"),
        ),
        ("tel:+48123456789", None, e164("+48123456789", "PL", "+48")),
        ("+1 650-253-0000", None, e164("+16502530000", "US", "+1")),
        ("+1 (416) 967-1111", None, e164("+14169671111", "CA", "+1")),
        (
            "+44 (0)20 7946 0958",
            None,
            e164("+442079460958", "GB", "+44"),
        ),
        ("+39 02 1234 5678", None, e164("+390212345678", "IT", "+39")),
        ("+7 495 123-45-67", None, e164("+74951234567", "RU", "+7")),
    ];
    for (input, country, want) in table {
        let got = normalise_phone(input, country).unwrap();
        assert_eq!(got.phone, want, "{input:?}");
        assert!(got.is_e164, "{input:?}");
        assert_eq!(got.extension, None);
    }
}

#[test]
fn national_numbers_use_the_default_country() {
    let table = [
        ("(12) 345-67-89", "PL", e164("+48123456789", "PL", "+48")),
        ("123 456 789", "pl", e164("+48123456789", "PL", "+48")),
        ("020 7946 0958", "GB", e164("+442079460958", "GB", "+44")),
        ("(650) 253-0000", "US", e164("+16502530000", "US", "+1")),
        (
            "011 48 12 345 67 89",
            "US",
            e164("+48123456789", "PL", "+48"),
        ),
        ("02 1234 5678", "IT", e164("+390212345678", "IT", "+39")),
        ("8 (495) 123-45-67", "RU", e164("+74951234567", "RU", "+7")),
    ];
    for (input, country, want) in table {
        let got = normalise_phone(input, Some(country)).unwrap();
        assert_eq!(got.phone, want, "{input:?}");
        assert!(got.is_e164);
    }
}

#[test]
fn unknown_or_invalid_numbers_keep_their_digits() {
    let table = [
        ("123 456 789", None, raw("123456789", None)),
        ("(0)12-34", None, raw("01234", None)),
        ("12 34", Some("PL"), raw("1234", None)),
        ("+999 123 456", None, raw("+999123456", None)),
        ("+48 1", None, raw("+481", None)),
    ];
    for (input, country, want) in table {
        let got = normalise_phone(input, country).unwrap();
        assert_eq!(got.phone, want, "{input:?}");
        assert!(!got.is_e164, "{input:?}");
    }
}

#[test]
fn extensions_are_noted_apart() {
    let table = [
        ("+48 12 345 67 89 wew. 123", "123"),
        ("+1 650-253-0000 x12", "12"),
        ("+1 650 253 0000 ext. 7", "7"),
        ("+1 650 253 0000 EXT 7", "7"),
        ("+1 650 253 0000 extension: 99", "99"),
        ("+1 650 253 0000 #4", "4"),
        ("tel:+16502530000;ext=55", "55"),
    ];
    for (input, ext) in table {
        let got = normalise_phone(input, None).unwrap();
        assert_eq!(got.extension.as_deref(), Some(ext), "{input:?}");
        assert!(got.is_e164, "{input:?}");
    }
}

#[test]
fn errors_quote_the_value() {
    let table = [
        ("", "no digits"),
        ("   ", "no digits"),
        ("+", "no digits"),
        ("n/a", "letters"),
        ("call me", "letters"),
        ("1-800-FLOWERS", "letters"),
        ("12", "fewer than 3"),
        ("1+2345", "letters or symbols"),
        ("123456789 / 987654321 / 5", "more digits"),
    ];
    for (input, why) in table {
        let e = normalise_phone(input, Some("PL")).unwrap_err();
        assert!(e.reason.contains(why), "{input:?}: {e}");
        assert_quotes(normalise_phone(input, Some("PL")), input);
    }
    assert_quotes(normalise_phone("123456789", Some("XX")), "XX");
    assert_quotes(normalise_phone("123456789", Some("Poland")), "Poland");
    assert_quotes(parse_phone("abc", None), "abc");
    assert_eq!(
        parse_phone("+48 12 345 67 89 ext 5", None).unwrap().number,
        "+48123456789"
    );
}

#[test]
fn several_in_a_cell() {
    let got = normalise_phones(
        "+48 12 345 67 89; 123456789 | +1 650 253 0000\n",
        Some("PL"),
    )
    .unwrap();
    let numbers: Vec<&str> = got.iter().map(|p| p.phone.number.as_str()).collect();
    assert_eq!(numbers, ["+48123456789", "+16502530000"]);
    assert!(normalise_phones("", None).unwrap().is_empty());
    assert_quotes(normalise_phones("123456789; nope", None), "nope");
}

proptest! {
    #[test]
    fn never_panics(s in "\\PC*", country in prop::option::of("[A-Z]{2}")) {
        let _ = normalise_phone(&s, country.as_deref());
        let _ = normalise_phones(&s, country.as_deref());
    }

    #[test]
    fn never_panics_on_number_like_noise(
        s in "[+0-9 ().\\-/x#]{0,25}",
        country in prop::sample::select(vec![None, Some("PL"), Some("US"), Some("GB"), Some("DE")]),
    ) {
        if let Ok(p) = normalise_phone(&s, country) {
            prop_assert!(p.phone.number.trim_start_matches('+').bytes().all(|b| b.is_ascii_digit()));
            if p.is_e164 {
                prop_assert!(p.phone.number.starts_with('+') && p.phone.number.len() <= 16);
                prop_assert!(p.phone.calling_code.is_some());
            }
        }
    }

    #[test]
    fn e164_is_a_fixed_point(n in "[1-9][0-9]{6,12}", country in prop::sample::select(vec!["PL", "US", "GB", "DE", "FR"])) {
        if let Ok(p) = normalise_phone(&n, Some(country)) {
            if p.is_e164 {
                let again = normalise_phone(&p.phone.number, None).unwrap();
                prop_assert_eq!(again.phone.number, p.phone.number);
                prop_assert!(again.is_e164);
            }
        }
    }
}
