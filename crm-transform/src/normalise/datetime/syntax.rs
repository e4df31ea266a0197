//! The syntax of the date forms: a byte cursor and one small parser per part.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};

use super::{utc_offset, DateOrder, DateTimeOptions, FORMS};

pub(super) enum Parsed {
    Unix(DateTime<Utc>),
    Local {
        date: NaiveDate,
        time: Option<NaiveTime>,
        offset: Option<FixedOffset>,
    },
}

/// A byte cursor over ASCII syntax (non-ASCII bytes simply never match).
pub(super) struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    pub(super) fn new(s: &'a str) -> Self {
        Cur {
            b: s.as_bytes(),
            i: 0,
        }
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn at_end(&self) -> bool {
        self.i >= self.b.len()
    }
    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.i += usize::from(hit);
        hit
    }
    /// Reads up to `max` (≤ 9) digits: (value, how many).
    fn digits(&mut self, max: usize) -> (u32, usize) {
        let (mut v, mut n) = (0u32, 0usize);
        while n < max {
            match self.peek() {
                Some(d @ b'0'..=b'9') => {
                    v = v * 10 + u32::from(d - b'0');
                    n += 1;
                    self.i += 1;
                }
                _ => break,
            }
        }
        (v, n)
    }
    fn spaces(&mut self) -> usize {
        let start = self.i;
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
        self.i - start
    }
    fn word_ci(&mut self, w: &str) -> bool {
        let end = self.i + w.len();
        let hit = self
            .b
            .get(self.i..end)
            .is_some_and(|s| s.eq_ignore_ascii_case(w.as_bytes()));
        if hit {
            self.i = end;
        }
        hit
    }
    fn next_is_digit(&self) -> bool {
        self.peek().is_some_and(|c| c.is_ascii_digit())
    }
}

pub(super) fn parse_any(raw: &str, opts: &DateTimeOptions) -> Result<Parsed, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(format!("the cell is empty; {FORMS}"));
    }
    if is_unix(s) {
        return parse_unix(s).map(Parsed::Unix);
    }
    let mut c = Cur::new(s);
    let date = parse_date_part(&mut c, opts.order)?;
    if c.at_end() {
        return Ok(Parsed::Local {
            date,
            time: None,
            offset: None,
        });
    }
    let spaced = c.eat(b',') as usize + c.spaces();
    if !(c.eat(b'T') || c.eat(b't') || spaced > 0) {
        return Err(format!("unexpected text after the date; {FORMS}"));
    }
    let time = parse_time_part(&mut c)?;
    c.spaces();
    let offset = parse_offset(&mut c)?;
    if !c.at_end() {
        return Err(format!("unexpected text after the time; {FORMS}"));
    }
    Ok(Parsed::Local {
        date,
        time: Some(time),
        offset,
    })
}

fn is_unix(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let mut parts = body.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next().unwrap_or("0");
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && !frac.is_empty()
        && frac.bytes().all(|b| b.is_ascii_digit())
}

fn parse_unix(s: &str) -> Result<DateTime<Utc>, String> {
    let negative = s.starts_with('-');
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let int = int.trim_start_matches('0');
    if int.len() > 15 {
        return Err("the number is too large to be Unix seconds or milliseconds".into());
    }
    let whole: i128 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| "not a number".to_string())?
    };
    // Seconds below 1e11 (year 5138), milliseconds below 1e14 (year 5138 again).
    let (unit_nanos, max_frac) = match whole {
        w if w < 100_000_000_000 => (1_000_000_000i128, 9usize),
        w if w < 100_000_000_000_000 => (1_000_000, 6),
        _ => return Err("the number is too large to be Unix seconds or milliseconds".into()),
    };
    let frac = frac.trim_end_matches('0');
    if frac.len() > max_frac {
        return Err(format!(
            "Unix time with more than {max_frac} decimal places is finer than a nanosecond"
        ));
    }
    let mut frac_nanos: i128 = frac.bytes().fold(0, |a, d| a * 10 + i128::from(d - b'0'));
    for _ in frac.len()..max_frac {
        frac_nanos *= 10;
    }
    let mut nanos = whole * unit_nanos + frac_nanos;
    if negative {
        nanos = -nanos;
    }
    let secs = i64::try_from(nanos.div_euclid(1_000_000_000)).ok();
    let sub = u32::try_from(nanos.rem_euclid(1_000_000_000)).ok();
    secs.zip(sub)
        .and_then(|(s, n)| DateTime::from_timestamp(s, n))
        .ok_or_else(|| "the Unix time is out of the supported range".into())
}

/// Reads `A SEP B SEP YY[YY]` with SEP one of `/ . -` (the same twice): (a, b, sep, year).
pub(super) fn locale_date_parts(c: &mut Cur<'_>) -> Option<(u32, u32, u8, i32)> {
    let (a, na) = c.digits(2);
    let sep = c.peek().filter(|s| matches!(s, b'/' | b'.' | b'-'))?;
    if !(1..=2).contains(&na) || c.next_is_digit() {
        return None;
    }
    c.i += 1;
    let (b, nb) = c.digits(2);
    if nb == 0 || !c.eat(sep) {
        return None;
    }
    let (y, ny) = c.digits(4);
    if !(ny == 2 || ny == 4) || c.next_is_digit() {
        return None;
    }
    let year = if ny == 4 {
        y as i32
    } else if y <= 68 {
        2000 + y as i32
    } else {
        1900 + y as i32
    };
    Some((a, b, sep, year))
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate, String> {
    if !(1..=12).contains(&m) {
        return Err(format!("there is no month {m}"));
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("there is no day {d} in {y}-{m:02}"))
}

fn parse_date_part(c: &mut Cur<'_>, order: DateOrder) -> Result<NaiveDate, String> {
    let start = c.i;
    let (y, ny) = c.digits(4);
    if ny == 4 && !c.next_is_digit() {
        if let Some(sep) = c.peek().filter(|s| matches!(s, b'-' | b'/' | b'.')) {
            c.i += 1;
            let (m, nm) = c.digits(2);
            let (d, nd) = if nm > 0 && c.eat(sep) {
                c.digits(2)
            } else {
                (0, 0)
            };
            if nd == 0 || c.next_is_digit() {
                return Err(format!("the date is incomplete; {FORMS}"));
            }
            return ymd(y as i32, m, d);
        }
    }
    c.i = start;
    let Some((a, b, sep, year)) = locale_date_parts(c) else {
        return Err(FORMS.into());
    };
    let day_first = ymd(year, b, a);
    match (sep, order) {
        (b'.', _) | (_, DateOrder::DayFirst) => day_first.map_err(|e| {
            format!("{e} (read day-first, as DD/MM/YYYY; is the column month-first?)")
        }),
        (_, DateOrder::MonthFirst) => ymd(year, a, b).map_err(|e| {
            format!("{e} (read month-first, as MM/DD/YYYY; is the column day-first?)")
        }),
        (_, DateOrder::Iso) => match (day_first, ymd(year, a, b)) {
            (Ok(d), Err(_)) | (Err(_), Ok(d)) => Ok(d),
            (Ok(_), Ok(_)) => Err(
                "this date reads both day-first and month-first; set the column's date order \
                 to DayFirst or MonthFirst"
                    .into(),
            ),
            (Err(e), Err(_)) => Err(e),
        },
    }
}

fn parse_time_part(c: &mut Cur<'_>) -> Result<NaiveTime, String> {
    let bad = || format!("the time is not HH:MM[:SS[.fraction]]; {FORMS}");
    let (mut h, nh) = c.digits(2);
    if nh == 0 || !c.eat(b':') {
        return Err(bad());
    }
    c.spaces();
    let (m, nm) = c.digits(2);
    if nm != 2 {
        return Err(bad());
    }
    let (mut s, mut nanos) = (0, 0);
    if c.eat(b':') {
        c.spaces();
        let (sv, ns) = c.digits(2);
        if ns != 2 {
            return Err(bad());
        }
        s = sv;
        if c.peek() == Some(b'.') || c.peek() == Some(b',') {
            c.i += 1;
            let (f, nf) = c.digits(9);
            if nf == 0 {
                return Err(bad());
            }
            if c.next_is_digit() {
                return Err("fractions of a second have at most 9 digits".into());
            }
            nanos = f * 10u32.pow(9 - nf as u32);
        }
    }
    if c.next_is_digit() {
        return Err(bad());
    }
    let before = c.i;
    c.spaces();
    let pm = if c.word_ci("AM") {
        Some(false)
    } else if c.word_ci("PM") {
        Some(true)
    } else {
        c.i = before;
        None
    };
    if let Some(pm) = pm {
        if !(1..=12).contains(&h) {
            return Err(format!("hour {h} cannot be used with AM/PM"));
        }
        h = h % 12 + if pm { 12 } else { 0 };
    }
    NaiveTime::from_hms_nano_opt(h, m, s, nanos)
        .ok_or_else(|| format!("{h:02}:{m:02}:{s:02} is not a time of day"))
}

fn parse_offset(c: &mut Cur<'_>) -> Result<Option<FixedOffset>, String> {
    if c.eat(b'Z') || c.eat(b'z') || c.word_ci("UTC") || c.word_ci("GMT") {
        return Ok(Some(utc_offset()));
    }
    let sign = match c.peek() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Ok(None),
    };
    c.i += 1;
    let bad = || "the offset is not Z, +HH, +HH:MM or +HHMM".to_string();
    let (h, nh) = c.digits(2);
    if nh != 2 {
        return Err(bad());
    }
    let colon = c.eat(b':');
    let (m, nm) = c.digits(2);
    if (colon || nm > 0) && nm != 2 {
        return Err(bad());
    }
    if h > 23 || m > 59 {
        return Err(format!("the offset {h:02}:{m:02} is out of range"));
    }
    let secs = sign * (h as i32 * 3600 + m as i32 * 60);
    FixedOffset::east_opt(secs).map(Some).ok_or_else(bad)
}
