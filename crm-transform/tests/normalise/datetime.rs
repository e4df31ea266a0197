use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, SecondsFormat, Timelike, Utc};
use crm_transform::normalise::{
    parse_date, parse_datetime, sniff_date_order, DateOrder, DateOrderGuess, DateTimeOptions,
};
use proptest::prelude::*;

use crate::assert_quotes;

fn iso() -> DateTimeOptions {
    DateTimeOptions::default()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn iso_forms() {
    let table = [
        // User.com API: microseconds, Z.
        ("2017-06-27T14:51:04.331287Z", "2017-06-27T14:51:04.331287Z"),
        // PostgreSQL text output: space, +00.
        (
            "2017-06-27 14:51:04.331287+00",
            "2017-06-27T14:51:04.331287Z",
        ),
        ("2017-06-27 14:51:04+00:00", "2017-06-27T14:51:04Z"),
        ("2017-06-27T14:51:04+0100", "2017-06-27T13:51:04Z"),
        ("2017-06-27T14:51:04-05:30", "2017-06-27T20:21:04Z"),
        ("2017-06-27T14:51:04.1-05", "2017-06-27T19:51:04.1Z"),
        (
            "2017-06-27T14:51:04.123456789Z",
            "2017-06-27T14:51:04.123456789Z",
        ),
        ("2017-06-27t14:51z", "2017-06-27T14:51:00Z"),
        ("2017-06-27 14:51:04 UTC", "2017-06-27T14:51:04Z"),
        ("2017-06-27 14:51:04 +02:00", "2017-06-27T12:51:04Z"),
        ("2017-06-27T14:51:04", "2017-06-27T14:51:04Z"),
        ("  2017-06-27T14:51:04Z  ", "2017-06-27T14:51:04Z"),
        // karmaCRM's malformed doc example.
        ("2019-03-28T02: 45: 39Z", "2019-03-28T02:45:39Z"),
        // Date-only: midnight.
        ("2019-03-28", "2019-03-28T00:00:00Z"),
        ("2019/03/28", "2019-03-28T00:00:00Z"),
        ("2019-3-8", "2019-03-08T00:00:00Z"),
    ];
    for (raw, want) in table {
        assert_eq!(parse_datetime(raw, &iso()).unwrap(), at(want), "{raw:?}");
    }
}

#[test]
fn unix_seconds_and_milliseconds() {
    let table = [
        ("1700000000", "2023-11-14T22:13:20Z"),
        ("1700000000000", "2023-11-14T22:13:20Z"),
        ("1700000000.5", "2023-11-14T22:13:20.5Z"),
        ("1700000000123.456", "2023-11-14T22:13:20.123456Z"),
        ("0", "1970-01-01T00:00:00Z"),
        ("-86400", "1969-12-31T00:00:00Z"),
        ("99999999999", "5138-11-16T09:46:39Z"),
        ("100000000000", "1973-03-03T09:46:40Z"),
    ];
    for (raw, want) in table {
        assert_eq!(parse_datetime(raw, &iso()).unwrap(), at(want), "{raw:?}");
    }
}

#[test]
fn locale_dates_follow_the_order_given() {
    let day = DateTimeOptions::with_order(DateOrder::DayFirst);
    let month = DateTimeOptions::with_order(DateOrder::MonthFirst);
    let table = [
        ("03/04/2024", day, "2024-04-03T00:00:00Z"),
        ("03/04/2024", month, "2024-03-04T00:00:00Z"),
        ("03-04-2024", day, "2024-04-03T00:00:00Z"),
        ("03.04.2024", day, "2024-04-03T00:00:00Z"),
        // Dotted dates are day-first whatever the order.
        ("03.04.2024", month, "2024-04-03T00:00:00Z"),
        ("03.04.2024", iso(), "2024-04-03T00:00:00Z"),
        ("3/4/24", month, "2024-03-04T00:00:00Z"),
        ("3/4/69", month, "1969-03-04T00:00:00Z"),
        ("28/03/2019 14:05", day, "2019-03-28T14:05:00Z"),
        ("28/03/2019 14:05:09", day, "2019-03-28T14:05:09Z"),
        ("03/28/2019 02:45 PM", month, "2019-03-28T14:45:00Z"),
        ("03/28/2019 12:10 am", month, "2019-03-28T00:10:00Z"),
        ("28.03.2019, 14:05", day, "2019-03-28T14:05:00Z"),
        // With Iso, a slash date that reads only one way is read that way.
        ("25/12/2024", iso(), "2024-12-25T00:00:00Z"),
        ("12/25/2024", iso(), "2024-12-25T00:00:00Z"),
    ];
    for (raw, opts, want) in table {
        assert_eq!(
            parse_datetime(raw, &opts).unwrap(),
            at(want),
            "{raw:?} {opts:?}"
        );
    }
}

#[test]
fn values_without_offset_use_the_default_offset() {
    let warsaw = DateTimeOptions::with_order(DateOrder::DayFirst)
        .offset(FixedOffset::east_opt(3600).unwrap());
    let table = [
        ("2024-01-15 10:00:00", "2024-01-15T09:00:00Z"),
        ("2024-01-15", "2024-01-14T23:00:00Z"),
        ("15/01/2024 10:00", "2024-01-15T09:00:00Z"),
        // An explicit offset wins; Unix time has none to apply.
        ("2024-01-15T10:00:00Z", "2024-01-15T10:00:00Z"),
        ("1705312800", "2024-01-15T10:00:00Z"),
    ];
    for (raw, want) in table {
        assert_eq!(parse_datetime(raw, &warsaw).unwrap(), at(want), "{raw:?}");
    }
}

#[test]
fn errors_quote_the_value_and_say_why() {
    let day = DateTimeOptions::with_order(DateOrder::DayFirst);
    let month = DateTimeOptions::with_order(DateOrder::MonthFirst);
    let table: &[(&str, DateTimeOptions, &str)] = &[
        ("", iso(), "empty"),
        ("yesterday", iso(), "expected an ISO 8601"),
        ("2023-02-30", iso(), "no day 30"),
        ("2023-13-01", iso(), "no month 13"),
        ("2023-01-01T25:00:00Z", iso(), "not a time of day"),
        ("2023-01-01T10:00:00+25:00", iso(), "out of range"),
        ("2023-01-01T10:00:00.1234567890Z", iso(), "at most 9 digits"),
        ("2023-01-01T10:00:00Z junk", iso(), "unexpected text"),
        ("2023-01-01X10:00", iso(), "unexpected text"),
        ("2023-01-01T10", iso(), "HH:MM"),
        ("03/04/2024", iso(), "set the column's date order"),
        ("12/25/2024", day, "is the column month-first"),
        ("25/12/2024", month, "is the column day-first"),
        ("03/28/2019 13:00 PM", month, "AM/PM"),
        ("123456789012345678", iso(), "too large"),
        ("1.1234567891", iso(), "decimal places"),
        ("2023-01", iso(), "incomplete"),
    ];
    for (raw, opts, why) in table {
        let e = parse_datetime(raw, opts).unwrap_err();
        assert!(e.reason.contains(why), "{raw:?}: {e}");
        assert_quotes(parse_datetime(raw, opts), raw);
    }
}

#[test]
fn dates() {
    let day = DateTimeOptions::with_order(DateOrder::DayFirst);
    assert_eq!(parse_date("2024-02-29", &iso()).unwrap(), ymd(2024, 2, 29));
    assert_eq!(parse_date("29/02/2024", &day).unwrap(), ymd(2024, 2, 29));
    assert_eq!(parse_date("29.02.2024", &iso()).unwrap(), ymd(2024, 2, 29));
    // A date-time gives the date as written, not the UTC date.
    assert_eq!(
        parse_date("2024-02-29T23:30:00-05:00", &iso()).unwrap(),
        ymd(2024, 2, 29)
    );
    // Unix time gives the date in the default offset.
    let plus2 = iso().offset(FixedOffset::east_opt(7200).unwrap());
    assert_eq!(parse_date("1709247600", &iso()).unwrap(), ymd(2024, 2, 29));
    assert_eq!(parse_date("1709247600", &plus2).unwrap(), ymd(2024, 3, 1));
    assert_quotes(parse_date("2024-02-30", &iso()), "2024-02-30");
    assert_quotes(parse_date("soon", &iso()), "soon");
}

#[test]
fn sniffing_the_date_order() {
    use DateOrderGuess::*;
    let table: &[(&[&str], DateOrderGuess)] = &[
        (&["01/02/2024", "25/12/2024", ""], DayFirst),
        (&["01/02/2024", "12/25/2024"], MonthFirst),
        (&["01/02/2024", "03/04/2024 10:00", "12/11/24"], Ambiguous),
        (&["25/12/2024", "12/25/2024"], Conflicting),
        (&["2024-01-02", "1700000000", "junk", ""], NoLocaleDates),
        (&[], NoLocaleDates),
        (&["01.02.2024"], DayFirst),
        (&["2024-01-02", "13-01-2024"], DayFirst),
    ];
    for (samples, want) in table {
        assert_eq!(sniff_date_order(samples.iter()), *want, "{samples:?}");
    }
}

fn instants() -> impl Strategy<Value = DateTime<Utc>> {
    // 1975..2400: inside the range where Unix milliseconds are told from seconds.
    (157_766_400i64..13_569_465_600, 0u32..1_000_000_000)
        .prop_map(|(s, n)| DateTime::from_timestamp(s, n).unwrap())
}

proptest! {
    #[test]
    fn never_panics(s in "\\PC*", order in 0u8..3) {
        let order = [DateOrder::DayFirst, DateOrder::MonthFirst, DateOrder::Iso][order as usize];
        let opts = DateTimeOptions::with_order(order);
        let _ = parse_datetime(&s, &opts);
        let _ = parse_date(&s, &opts);
        let _ = sniff_date_order([&s]);
    }

    #[test]
    fn never_panics_on_date_like_noise(s in "[0-9+\\-.:/ TZ]{0,40}") {
        let _ = parse_datetime(&s, &iso());
        let _ = parse_date(&s, &DateTimeOptions::with_order(DateOrder::MonthFirst));
    }

    #[test]
    fn iso_round_trips(dt in instants(), off_min in -(14 * 60)..=(14 * 60i32)) {
        let off = FixedOffset::east_opt(off_min * 60).unwrap();
        let local = dt.with_timezone(&off);
        let micros = dt.with_nanosecond(dt.nanosecond() / 1000 * 1000).unwrap();
        let forms = [
            (dt.to_rfc3339_opts(SecondsFormat::Nanos, true), dt),
            (dt.to_rfc3339_opts(SecondsFormat::AutoSi, true), dt),
            (local.to_rfc3339_opts(SecondsFormat::Nanos, false), dt),
            (local.format("%Y-%m-%d %H:%M:%S%.f%z").to_string(), dt),
            (local.format("%Y-%m-%dT%H:%M:%S%.9f%:z").to_string(), dt),
            (dt.format("%Y-%m-%d %H:%M:%S%.6f+00").to_string(), micros),
        ];
        for (f, want) in &forms {
            prop_assert_eq!(parse_datetime(f, &iso()).unwrap(), *want, "{}", f);
        }
    }

    #[test]
    fn unix_round_trips(dt in instants()) {
        let secs = dt.timestamp();
        let millis = dt.timestamp_millis();
        prop_assert_eq!(parse_datetime(&secs.to_string(), &iso()).unwrap().timestamp(), secs);
        prop_assert_eq!(
            parse_datetime(&millis.to_string(), &iso()).unwrap().timestamp_millis(),
            millis
        );
    }

    #[test]
    fn locale_round_trips(dt in instants(), off_min in -(12 * 60)..=(12 * 60i32)) {
        let off = FixedOffset::east_opt(off_min * 60).unwrap();
        let dt = dt.with_nanosecond(0).unwrap();
        let local = dt.with_timezone(&off);
        let day = DateTimeOptions::with_order(DateOrder::DayFirst).offset(off);
        let month = DateTimeOptions::with_order(DateOrder::MonthFirst).offset(off);
        let cases = [
            (local.format("%d/%m/%Y %H:%M:%S").to_string(), day),
            (local.format("%m/%d/%Y %H:%M:%S").to_string(), month),
            (local.format("%d.%m.%Y %H:%M:%S").to_string(), month),
            (local.format("%m/%d/%Y %I:%M:%S %p").to_string(), month),
        ];
        for (f, opts) in &cases {
            prop_assert_eq!(parse_datetime(f, opts).unwrap(), dt, "{}", f);
        }
        let date = local.date_naive();
        prop_assert_eq!(parse_date(&local.format("%d/%m/%Y").to_string(), &day).unwrap(), date);
        prop_assert_eq!(date.year(), local.year());
    }
}
