//! Dates and date-times.
//!
//! [`parse_datetime`] reads, after trimming:
//!
//! - ISO 8601 with `T` or a space between date and time (`2017-06-27T14:51:04.331287Z`,
//!   PostgreSQL's `2017-06-27 14:51:04.331287+00`), seconds optional, fractions of up to 9
//!   digits, offsets `Z`, `UTC`, `GMT`, `+00`, `+00:00`, `+0100`, `-05:30`. Spaces after a
//!   `:` in the time are tolerated (karmaCRM's `2019-03-28T02: 45: 39Z`).
//! - Date-only `YYYY-MM-DD` (also `YYYY/MM/DD`, `YYYY.MM.DD`): midnight.
//! - Unix time: an integer (optionally with a fraction and a sign). Below 10¹¹ in magnitude it
//!   is seconds (up to the year 5138), from 10¹¹ to 10¹⁴ milliseconds (1973 on); larger is an
//!   error. Note that this reads a compact `20240131` as seconds, not as a date.
//! - Locale dates `DD/MM/YYYY`, `MM/DD/YYYY` (also with `-`), `DD.MM.YYYY`, years of 2 or 4
//!   digits, optionally followed by `HH:MM[:SS]` and `AM`/`PM`. Which of `DD/MM` and `MM/DD`
//!   is meant comes from [`DateOrder`], never from a silent guess: with [`DateOrder::Iso`] a
//!   slash date is accepted only when just one reading is a real date (`25/12/2024`), and
//!   refused when both are (`03/04/2024`). Dotted dates are always day-first (no locale
//!   writes `MM.DD.YYYY`). Two-digit years follow POSIX: `00`–`68` → 20xx, `69`–`99` → 19xx.
//!
//! A value without an offset is in [`DateTimeOptions::default_offset`] (UTC by default).
//! [`sniff_date_order`] looks at a column's samples and says whether they are day-first,
//! month-first, or cannot tell, so a proposer can ask a person instead of guessing.

mod syntax;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use crate::error::{NormaliseError, ValueKind};
use syntax::{locale_date_parts, parse_any, Cur, Parsed};

/// Which way a locale date with slashes puts day and month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DateOrder {
    /// `DD/MM/YYYY` (Europe).
    DayFirst,
    /// `MM/DD/YYYY` (United States; karmaCRM's default `mm/dd/yy`).
    MonthFirst,
    /// Year first; a slash date is read only when just one reading is a real date.
    #[default]
    Iso,
}

/// What [`sniff_date_order`] found in a column's samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DateOrderGuess {
    /// Some sample has a first part above 12 (or a dotted date), none a second part above 12.
    DayFirst,
    /// Some sample has a second part above 12, none a first part above 12.
    MonthFirst,
    /// Locale dates are present but every one has both parts ≤ 12: a person must say.
    Ambiguous,
    /// Some samples are day-first and others month-first: the column is mixed.
    Conflicting,
    /// No sample is a locale date (all ISO, Unix, or empty): the order does not matter.
    NoLocaleDates,
}

/// How to read dates that leave something open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTimeOptions {
    /// How to read `NN/NN/YYYY`.
    pub order: DateOrder,
    /// The offset of values that carry none (and of date-only values read as instants).
    pub default_offset: FixedOffset,
}

impl Default for DateTimeOptions {
    fn default() -> Self {
        DateTimeOptions {
            order: DateOrder::Iso,
            default_offset: utc_offset(),
        }
    }
}

impl DateTimeOptions {
    /// Options with the given date order and UTC as the default offset.
    pub fn with_order(order: DateOrder) -> Self {
        DateTimeOptions {
            order,
            ..Self::default()
        }
    }

    /// The same options with another default offset.
    pub fn offset(self, default_offset: FixedOffset) -> Self {
        DateTimeOptions {
            default_offset,
            ..self
        }
    }
}

fn utc_offset() -> FixedOffset {
    FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!("0 is a valid offset"))
}

const FORMS: &str = "expected an ISO 8601 date-time (2024-03-28T14:05:00Z), a date (2024-03-28), \
Unix seconds or milliseconds, or a DD/MM/YYYY, MM/DD/YYYY or DD.MM.YYYY date";

/// Reads an instant. See the module docs for the accepted forms.
pub fn parse_datetime(raw: &str, opts: &DateTimeOptions) -> Result<DateTime<Utc>, NormaliseError> {
    let err = |why: String| NormaliseError::new(ValueKind::DateTime, raw, why);
    match parse_any(raw, opts).map_err(err)? {
        Parsed::Unix(dt) => Ok(dt),
        Parsed::Local { date, time, offset } => {
            let naive = NaiveDateTime::new(date, time.unwrap_or(NaiveTime::MIN));
            let offset = offset.unwrap_or(opts.default_offset);
            offset
                .from_local_datetime(&naive)
                .single()
                .map(|d| d.with_timezone(&Utc))
                .ok_or_else(|| err("the instant is out of the supported range".into()))
        }
    }
}

/// Reads a calendar date. A date-time gives its date as written (its offset is ignored);
/// Unix time gives the date in [`DateTimeOptions::default_offset`].
pub fn parse_date(raw: &str, opts: &DateTimeOptions) -> Result<NaiveDate, NormaliseError> {
    match parse_any(raw, opts).map_err(|why| NormaliseError::new(ValueKind::Date, raw, why))? {
        Parsed::Unix(dt) => Ok(dt.with_timezone(&opts.default_offset).date_naive()),
        Parsed::Local { date, .. } => Ok(date),
    }
}

/// Looks at a column's samples and says which date order they use. Samples that are not
/// locale dates (ISO, Unix, empty, junk) are ignored.
pub fn sniff_date_order<I, S>(samples: I) -> DateOrderGuess
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let (mut seen, mut day, mut month) = (false, false, false);
    for s in samples {
        let mut c = Cur::new(s.as_ref().trim());
        let Some((a, b, sep, _)) = locale_date_parts(&mut c) else {
            continue;
        };
        seen = true;
        match (a > 12, b > 12) {
            (true, false) => day = true,
            (false, true) => month = true,
            (false, false) if sep == b'.' => day = true,
            _ => {}
        }
    }
    match (seen, day, month) {
        (false, _, _) => DateOrderGuess::NoLocaleDates,
        (true, true, true) => DateOrderGuess::Conflicting,
        (true, true, false) => DateOrderGuess::DayFirst,
        (true, false, true) => DateOrderGuess::MonthFirst,
        (true, false, false) => DateOrderGuess::Ambiguous,
    }
}
