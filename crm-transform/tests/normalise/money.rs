use crm_core::Value;
use crm_transform::normalise::{
    micros_to_decimal, money_value, parse_decimal_micros, parse_money, validate_currency, Money,
    MoneyOptions,
};
use proptest::prelude::*;

use crate::assert_quotes;

fn point() -> MoneyOptions {
    MoneyOptions::default()
}

fn comma() -> MoneyOptions {
    MoneyOptions {
        decimal_comma: true,
        ..MoneyOptions::default()
    }
}

fn m(micros: i64, currency: Option<&str>) -> Money {
    Money {
        micros,
        currency: currency.map(str::to_string),
    }
}

#[test]
fn amounts_and_currencies() {
    let table = [
        ("1234.5", point(), m(1_234_500_000, None)),
        ("1,234.50", point(), m(1_234_500_000, None)),
        ("1,234,567.000001", point(), m(1_234_567_000_001, None)),
        ("-12", point(), m(-12_000_000, None)),
        ("+12", point(), m(12_000_000, None)),
        ("(12.50)", point(), m(-12_500_000, None)),
        ("0.000001", point(), m(1, None)),
        (".5", point(), m(500_000, None)),
        ("5.", point(), m(5_000_000, None)),
        ("1.2500000", point(), m(1_250_000, None)),
        ("€12.50", point(), m(12_500_000, Some("EUR"))),
        ("-€12.50", point(), m(-12_500_000, Some("EUR"))),
        ("€-12.50", point(), m(-12_500_000, Some("EUR"))),
        ("12.50 EUR", point(), m(12_500_000, Some("EUR"))),
        ("USD 12", point(), m(12_000_000, Some("USD"))),
        ("usd12", point(), m(12_000_000, Some("USD"))),
        ("$1,000", point(), m(1_000_000_000, Some("USD"))),
        ("US$ 5", point(), m(5_000_000, Some("USD"))),
        ("£3", point(), m(3_000_000, Some("GBP"))),
        ("€ 12.50 EUR", point(), m(12_500_000, Some("EUR"))),
        ("1 234,50", comma(), m(1_234_500_000, None)),
        ("1.234,50", comma(), m(1_234_500_000, None)),
        ("1\u{a0}234,5 zł", comma(), m(1_234_500_000, Some("PLN"))),
        ("12,50 PLN", comma(), m(12_500_000, Some("PLN"))),
        ("-0,01", comma(), m(-10_000, None)),
        ("1'234.50 CHF", point(), m(1_234_500_000, Some("CHF"))),
        ("9223372036854.775807", point(), m(i64::MAX, None)),
        ("-9223372036854.775808", point(), m(i64::MIN, None)),
    ];
    for (raw, opts, want) in table {
        assert_eq!(parse_money(raw, &opts).unwrap(), want, "{raw:?}");
    }
    let eur = MoneyOptions {
        default_currency: Some("eur".into()),
        ..point()
    };
    assert_eq!(parse_money("12", &eur).unwrap(), m(12_000_000, Some("EUR")));
    assert_eq!(
        parse_money("$12", &eur).unwrap(),
        m(12_000_000, Some("USD"))
    );
}

#[test]
fn errors_quote_the_value_and_say_why() {
    let table = [
        ("", point(), "empty"),
        ("abc", point(), "no digits"),
        ("12,50", point(), "set decimal_comma"),
        ("12.50", comma(), "unset decimal_comma"),
        ("1.234.567", point(), "more than one"),
        ("1,23,456.00", point(), "grouping"),
        ("1,,234", point(), "grouping"),
        ("12.5x", point(), "not a number"),
        ("1e5", point(), "not a number"),
        ("1.0000001", point(), "more than 6 decimal places"),
        ("9223372036854.775808", point(), "too large"),
        ("99999999999999", point(), "too large"),
        ("--12", point(), "two signs"),
        ("(-12)", point(), "two signs"),
        ("€12 USD", point(), "two currencies"),
        ("12 EURO", point(), "not a number"),
    ];
    for (raw, opts, why) in table {
        let e = parse_money(raw, &opts).unwrap_err();
        assert!(e.reason.contains(why), "{raw:?}: {e}");
        assert_quotes(parse_money(raw, &opts), raw);
    }
}

#[test]
fn plain_decimals_and_text() {
    assert_eq!(
        parse_decimal_micros("1250.00", false).unwrap(),
        1_250_000_000
    );
    assert_eq!(parse_decimal_micros("-0,5", true).unwrap(), -500_000);
    assert_quotes(parse_decimal_micros("€5", false), "€5");
    let table = [
        (0, "0"),
        (12_500_000, "12.5"),
        (-1, "-0.000001"),
        (3_000_000, "3"),
        (1_234_567_890_123, "1234567.890123"),
        (i64::MIN, "-9223372036854.775808"),
        (i64::MAX, "9223372036854.775807"),
    ];
    for (micros, want) in table {
        assert_eq!(micros_to_decimal(micros), want);
    }
}

#[test]
fn currencies_and_values() {
    assert_eq!(validate_currency("EUR").unwrap(), "EUR");
    assert_eq!(validate_currency(" pln ").unwrap(), "PLN");
    for raw in ["", "EU", "EURO", "E1R", "€", "ZŁO"] {
        assert_quotes(validate_currency(raw), raw);
    }
    let opts = MoneyOptions::default();
    assert_eq!(
        money_value("12.50 EUR", &opts).unwrap(),
        Value::Money {
            micros: 12_500_000,
            currency: "EUR".into()
        }
    );
    let e = money_value("12.50", &opts).unwrap_err();
    assert!(e.reason.contains("no default currency"), "{e}");
    let bad_default = MoneyOptions {
        default_currency: Some("EURO".into()),
        ..opts
    };
    assert_quotes(parse_money("12", &bad_default), "EURO");
}

proptest! {
    #[test]
    fn never_panics(s in "\\PC*", dc in any::<bool>()) {
        let opts = MoneyOptions { decimal_comma: dc, ..MoneyOptions::default() };
        let _ = parse_money(&s, &opts);
        let _ = parse_decimal_micros(&s, dc);
        let _ = validate_currency(&s);
    }

    #[test]
    fn never_panics_on_number_noise(s in "[-+()0-9.,' €$zł]{0,30}", dc in any::<bool>()) {
        let _ = parse_money(&s, &MoneyOptions { decimal_comma: dc, ..MoneyOptions::default() });
    }

    #[test]
    fn micros_round_trip_through_decimal_text(micros in any::<i64>()) {
        let text = micros_to_decimal(micros);
        prop_assert_eq!(parse_decimal_micros(&text, false).unwrap(), micros);
        prop_assert_eq!(parse_decimal_micros(&text.replace('.', ","), true).unwrap(), micros);
        let money = parse_money(&format!("{text} EUR"), &MoneyOptions::default()).unwrap();
        prop_assert_eq!(money.micros, micros);
    }

    #[test]
    fn grouped_amounts_round_trip(whole in 0u64..10_000_000_000, frac in 0u32..100) {
        let mut grouped = String::new();
        for (i, c) in whole.to_string().chars().enumerate() {
            let left = whole.to_string().len() - i;
            if i > 0 && left % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let text = format!("{grouped}.{frac:02}");
        let want = whole as i64 * 1_000_000 + i64::from(frac) * 10_000;
        prop_assert_eq!(parse_money(&text, &MoneyOptions::default()).unwrap().micros, want);
        let eu = text.replace(',', " ").replace('.', ",");
        prop_assert_eq!(parse_decimal_micros(&eu, true).unwrap(), want);
    }
}
