//! Never-panic properties over what a damaged export puts in a cell: any string at all,
//! control characters included (NUL, lone CR, form feeds), U+FFFD where bytes were not
//! valid, swallowed rows (delimiters, quotes, line breaks). The per-normaliser `never_panics`
//! properties draw from printable text (`\PC`); these add the rest, and the normalisers
//! they leave out (`parse_phone`, `money_value`, the text helpers).

use crm_transform::normalise::{
    cell_to_text, clean_text, collapse_whitespace, domain_of, email_key, limit, looks_like_json,
    money_value, normalise_email, normalise_emails, normalise_phone, normalise_phones,
    normalise_url, parse_bool_opt, parse_choices, parse_date, parse_datetime, parse_decimal_micros,
    parse_json_cell, parse_money, parse_pg_array, parse_phone, parse_single_choice,
    sniff_date_order, strip_controls, DateOrder, DateTimeOptions, ListFormat, MoneyOptions,
    TextOptions,
};
use proptest::prelude::*;

/// Cells as damaged files leave them: any text, or fragments of CSV rows glued together.
fn damaged_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\u{0}-\u{1f}\u{fffd}\",;|{}\\[\\]a@.+0-9 ]{0,40}",
        prop::collection::vec("[a-z0-9@.+\\- ]{0,8}", 0..6).prop_map(|cells| format!(
            "{}\n{}",
            cells.join(","),
            cells.join("\";\"")
        )),
    ]
}

fn run_all(s: &str, flag: bool) {
    let _ = normalise_email(s);
    let _ = email_key(s);
    let _ = normalise_emails(s);
    let _ = normalise_phone(s, Some("PL"));
    let _ = normalise_phones(s, None);
    let _ = parse_phone(s, Some(if flag { "US" } else { "DE" }));
    let opts = MoneyOptions {
        decimal_comma: flag,
        ..MoneyOptions::default()
    };
    let _ = parse_money(s, &opts);
    let _ = money_value(s, &opts);
    let _ = parse_decimal_micros(s, flag);
    let _ = parse_bool_opt(s);
    let _ = parse_pg_array(s);
    for f in [
        ListFormat::Auto,
        ListFormat::PgArray,
        ListFormat::JsonArray,
        ListFormat::Separated('|'),
    ] {
        let _ = parse_choices(s, f);
        let _ = parse_single_choice(s, f);
    }
    let _ = parse_json_cell(s);
    let _ = looks_like_json(s);
    let _ = cell_to_text(s);
    let order = if flag {
        DateOrder::DayFirst
    } else {
        DateOrder::MonthFirst
    };
    let _ = parse_datetime(s, &DateTimeOptions::with_order(order));
    let _ = parse_date(s, &DateTimeOptions::default());
    let _ = sniff_date_order([s]);
    let _ = normalise_url(s);
    let _ = domain_of(s);
    let _ = strip_controls(s);
    let _ = collapse_whitespace(s);
    let _ = limit(s, s.len() / 2);
    let _ = clean_text(
        s,
        &TextOptions {
            strip_controls: flag,
            collapse_whitespace: !flag,
            max_chars: Some(7),
        },
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn no_normaliser_panics_on_a_damaged_cell(s in damaged_cell(), flag in any::<bool>()) {
        run_all(&s, flag);
    }
}
