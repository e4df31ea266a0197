//! The sample User.com account: one deterministic generator of rows that both the CSV sample
//! ([`super::sample`]) and the API emulator render, so the two paths give the same records.
//!
//! Every row is computed from `(seed, object, index)` alone, so any row can be produced
//! without the others: the CSV writer streams them and memory stays flat. Cross-references
//! are arithmetic (companies are `1..=companies`, users `1..=users`), which is how orphan
//! references are made on purpose (an id past the end).

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use crm_transform::normalise::encode_pg_array;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::Value as Json;

/// How a date-time is written in the CSV export (the API always writes ISO 8601 with
/// microseconds and `Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeStyle {
    /// PostgreSQL text output: `2021-03-04 10:11:12.123456+00`.
    Pg,
    /// PostgreSQL text output of a value with no fraction: `2021-03-04 10:11:12+00`.
    PgWhole,
    /// ISO 8601: `2021-03-04T10:11:12Z`.
    Iso,
}

/// One value, rendered one way in the CSV export and another in the API.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    /// Empty cell / `null`.
    Null,
    /// Text, the same in both.
    Text(String),
    /// An integer.
    Int(i64),
    /// `t`/`f` in the CSV, `true`/`false` in the API.
    Bool(bool),
    /// A date-time.
    Time(DateTime<Utc>, TimeStyle),
    /// A date: `YYYY-MM-DD` in both.
    Date(NaiveDate),
    /// A decimal string (`"1250.00"`) in both.
    Decimal(String),
    /// A PostgreSQL array in the CSV, a JSON array of strings in the API.
    List(Vec<String>),
    /// A JSON document: serialised in one CSV cell, a value in the API.
    Json(Json),
    /// Different on each side (a stage name in the export, its id in the API).
    Both(String, Json),
}

impl Val {
    /// The CSV cell.
    pub(crate) fn csv(&self) -> String {
        match self {
            Val::Null => String::new(),
            Val::Text(s) | Val::Decimal(s) => s.clone(),
            Val::Int(n) => n.to_string(),
            Val::Bool(b) => if *b { "t" } else { "f" }.to_string(),
            Val::Time(t, TimeStyle::Pg) => t.format("%Y-%m-%d %H:%M:%S%.6f+00").to_string(),
            Val::Time(t, TimeStyle::PgWhole) => t.format("%Y-%m-%d %H:%M:%S+00").to_string(),
            Val::Time(t, TimeStyle::Iso) => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            Val::Date(d) => d.format("%Y-%m-%d").to_string(),
            Val::List(items) => encode_pg_array(items),
            Val::Json(j) => j.to_string(),
            Val::Both(csv, _) => csv.clone(),
        }
    }

    /// The API value (the emulator's).
    #[cfg_attr(not(feature = "emulators"), allow(dead_code))]
    pub(crate) fn api(&self) -> Json {
        match self {
            Val::Null => Json::Null,
            Val::Text(s) | Val::Decimal(s) => Json::String(s.clone()),
            Val::Int(n) => Json::from(*n),
            Val::Bool(b) => Json::Bool(*b),
            Val::Time(t, _) => Json::String(t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()),
            Val::Date(d) => Json::String(d.format("%Y-%m-%d").to_string()),
            Val::List(items) => Json::from(items.clone()),
            Val::Json(j) => j.clone(),
            Val::Both(_, api) => api.clone(),
        }
    }
}

/// A row: its id and its cells by column name, in column order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub(crate) id: u64,
    pub(crate) cells: Vec<(&'static str, Val)>,
}

impl Row {
    pub(crate) fn new(id: u64) -> Self {
        Self {
            id,
            cells: vec![("id", Val::Int(id as i64))],
        }
    }

    pub(crate) fn set(&mut self, column: &'static str, value: Val) -> &mut Self {
        self.cells.push((column, value));
        self
    }

    pub(crate) fn get(&self, column: &str) -> Option<&Val> {
        self.cells
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, v)| v)
    }
}

/// An agent (User.com user of the app, the owner of records) and whether the destination
/// workspace will have them as a member.
pub(crate) const AGENTS: &[(&str, &str, &str, bool)] = &[
    ("anna.owner@sample-usercom.test", "Anna", "Owner", true),
    ("bruno.sales@sample-usercom.test", "Bruno", "Sales", true),
    (
        "carla.success@sample-usercom.test",
        "Carla",
        "Success",
        true,
    ),
    (
        "dawid.zolkiewski@sample-usercom.test",
        "Dawid",
        "Żółkiewski",
        true,
    ),
    ("eve.former@sample-usercom.test", "Eve", "Former", false),
    (
        "frank.contractor@sample-usercom.test",
        "Frank",
        "Contractor",
        false,
    ),
];

/// Pipelines `(id, name)` and stages `(id, pipeline id, name)`.
pub(crate) const PIPELINES: &[(i64, &str)] = &[(1, "Sales"), (2, "Renewals")];
pub(crate) const STAGES: &[(i64, i64, &str)] = &[
    (1, 1, "Lead"),
    (2, 1, "Qualified"),
    (3, 1, "Proposal, sent"),
    (4, 1, "Negotiation"),
    (5, 2, "Upcoming"),
    (6, 2, "Renewed"),
];

/// Activity types `(id, name)`.
pub(crate) const ACTIVITY_TYPES: &[(i64, &str)] = &[
    (1, "call"),
    (2, "email"),
    (3, "meeting"),
    (4, "task"),
    (5, "note"),
];

/// Tags `(id, name)`.
pub(crate) const TAGS: &[(i64, &str)] = &[
    (1, "vip"),
    (2, "trade fair, 2023"),
    (3, "newsletter"),
    (4, "Kraków office"),
    (5, "churn risk"),
];

/// Segments `(id, name, description)`.
pub(crate) const SEGMENTS: &[(i64, &str, &str)] = &[
    (1, "Active, EU", "Seen in the last 30 days, EU countries"),
    (2, "Newsletter", "Subscribed to the newsletter"),
    (3, "Trial users", "On the free plan"),
];

/// A custom attribute: `(id, name, name_std, value_type, content_type, choices, multiple)`.
pub(crate) type Attribute = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    bool,
);

/// The account's custom attributes.
pub(crate) const ATTRIBUTES: &[Attribute] = &[
    (
        1,
        "Plan",
        "plan",
        "fixed",
        "clientuser",
        &["Free", "Gold", "Enterprise, EU"],
        false,
    ),
    (
        2,
        "Interests",
        "interests",
        "fixed",
        "clientuser",
        &["Daily digest", "Weekly summary", "Product news, \"beta\""],
        true,
    ),
    (
        3,
        "Newsletter",
        "newsletter",
        "boolean",
        "clientuser",
        &[],
        false,
    ),
    (
        4,
        "Lifetime value",
        "lifetime_value",
        "float",
        "clientuser",
        &[],
        false,
    ),
    (
        5,
        "Preferences",
        "preferences",
        "json",
        "clientuser",
        &[],
        false,
    ),
    (6, "Birthday", "birthday", "date", "clientuser", &[], false),
    (7, "Notes", "notes", "string", "clientuser", &[], false),
    (
        8,
        "Call disposition",
        "call_disposition",
        "fixed",
        "activity",
        &["Connected", "No answer", "Left voicemail", "Busy"],
        false,
    ),
    (
        9,
        "Industry",
        "industry",
        "fixed",
        "company",
        &["Software", "Retail", "Manufacturing"],
        false,
    ),
    (
        10,
        "Lead source",
        "lead_source",
        "string",
        "deal",
        &[],
        false,
    ),
];

pub(crate) const FIRST: &[&str] = &[
    "Ada",
    "Łukasz",
    "Zoë",
    "José",
    "Mette",
    "Ngozi",
    "Ines",
    "Kenji",
    "Søren",
    "Priya",
    "Omar",
    "Chloé",
    "Małgorzata",
    "Jürgen",
];
pub(crate) const LAST: &[&str] = &[
    "Nowak",
    "García",
    "Müller",
    "Okafor",
    "Kowalska",
    "Tanaka",
    "Dubois",
    "Øvergaard",
    "Singh",
    "Haddad",
    "Wójcik",
    "O'Brien",
];
pub(crate) const CITIES: &[(&str, &str)] = &[
    ("Kraków", "PL"),
    ("Lisboa", "PT"),
    ("München", "DE"),
    ("Lagos", "NG"),
    ("Oslo", "NO"),
    ("Osaka", "JP"),
    ("Montréal", "CA"),
];

/// The sizes of a sample of about `records` users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dataset {
    pub(crate) seed: u64,
    pub(crate) users: u64,
    pub(crate) companies: u64,
    pub(crate) deals: u64,
    pub(crate) activities: u64,
}

impl Dataset {
    /// A dataset of `records` users (at least 12) and the other objects in proportion.
    pub(crate) fn new(records: usize, seed: u64) -> Self {
        let users = (records as u64).max(12);
        Self {
            seed,
            users,
            companies: users / 8 + 3,
            deals: users / 4 + 3,
            activities: users / 2 + 3,
        }
    }

    /// The generator of one row: depends on the seed, the object and the index only.
    pub(crate) fn rng(&self, object: u64, i: u64) -> SmallRng {
        SmallRng::seed_from_u64(
            self.seed
                ^ object.wrapping_mul(0x9E37_79B9_7F4A_7C15)
                ^ i.wrapping_mul(0xD1B5_4A32_D192_ED03).rotate_left(17),
        )
    }

    /// The origin of every timestamp.
    pub(crate) fn t0(&self) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2020, 1, 6, 8, 30, 0)
            .single()
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
    }

    /// A timestamp `minutes` after [`Dataset::t0`] with `micros` microseconds.
    pub(crate) fn at(&self, minutes: i64, micros: i64) -> DateTime<Utc> {
        self.t0() + Duration::minutes(minutes) + Duration::microseconds(micros)
    }

    /// The CSV style of the `i`-th timestamp: mostly PostgreSQL, some ISO 8601.
    pub(crate) fn style(i: u64) -> TimeStyle {
        match i % 10 {
            3 => TimeStyle::Iso,
            7 => TimeStyle::PgWhole,
            _ => TimeStyle::Pg,
        }
    }
}

/// A random element.
pub(crate) fn pick<'a, T>(rng: &mut SmallRng, from: &'a [T]) -> &'a T {
    &from[rng.gen_range(0..from.len())]
}

/// `s` in ASCII for an email's local part (letters folded, others dropped).
pub(crate) fn ascii_fold(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let c = match c {
                'ą' | 'á' => 'a',
                'ć' | 'č' => 'c',
                'ę' | 'é' | 'ë' => 'e',
                'ł' => 'l',
                'Ł' => 'L',
                'ń' => 'n',
                'ó' | 'ö' | 'ø' | 'Ø' => 'o',
                'ś' | 'š' => 's',
                'ź' | 'ż' | 'Ż' => 'z',
                'ü' => 'u',
                c => c,
            };
            c.is_ascii_alphanumeric().then_some(c.to_ascii_lowercase())
        })
        .collect()
}
