//! A second User.com export that is not the bundled sample: written from the documented
//! format (`reference/sources.md` §1.5, §1.7) alone, with other custom attributes and
//! option values, another column order, headers in other case and spacing, optional files
//! missing (no `events.csv`, `conversations.csv` or `attributes.csv`), an unknown extra
//! file and unknown columns, custom attributes named like names Twenty reserves (`type`,
//! `plan`, `currency`), option values holding commas, quotes and non-ASCII letters,
//! multi-choice cells as PostgreSQL arrays, and the dirt of real files: invalid emails on
//! people who also have a name and a phone, blank lines, CRLF line ends, a byte-order mark.
//!
//! Tests and `crm-migrate sample usercom --variant unseen` use it to check that the
//! proposal comes from the data, not from the sample's vocabulary.

use std::path::Path;

use crm_core::Result;

/// The workspace members file written beside the export (`email,first_name,last_name`).
pub const MEMBERS_FILE: &str = "workspace_members.csv";

/// The unknown extra file the export carries (not a User.com object).
pub const EXTRA_FILE: &str = "newsletter_opens.csv";

/// What [`generate_unseen`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnseenSummary {
    /// Rows per exported object file, in the order written.
    pub objects: Vec<(String, usize)>,
    /// Users whose email is malformed (each also has a name and a phone).
    pub invalid_emails: usize,
    /// Users with neither email nor phone (anonymous visitors).
    pub anonymous_users: usize,
    /// The agents who are workspace members: `(email, first name, last name)`.
    pub members: Vec<(String, String, String)>,
}

impl UnseenSummary {
    /// Rows written for `object` (0 if it has no file).
    pub fn count(&self, object: &str) -> usize {
        self.objects
            .iter()
            .find(|(o, _)| o == object)
            .map_or(0, |(_, n)| *n)
    }
}

/// Single-choice custom attribute `favourite_colour`: commas, quotes, non-ASCII.
const COLOURS: &[&str] = &["Żółty, jasny", "\"Navy\" blue", "Crimson", "Teal", "Ørange"];
/// Multi-choice custom attribute `hobbies`.
const HOBBIES: &[&str] = &[
    "Szachy",
    "Bird watching, rare",
    "Quote \"this\"",
    "Żeglarstwo",
    "Back\\slash",
    "{braces}",
];
/// Custom attribute `type` (a name Twenty reserves).
const PERSON_TYPES: &[&str] = &["Reseller", "End user", "Partner (silver)"];
/// Custom attribute `plan` (reserved too), values PostgreSQL-wrapped as a single choice.
const PLANS: &[&str] = &["Bronze tier", "Platinum+", "Ünlimited, yearly"];
/// Custom attribute `currency` on users (reserved).
const PREFERRED_CURRENCIES: &[&str] = &["CHF", "SEK", "NOK"];
/// Tags (users, companies, deals).
const TAGS: &[&str] = &[
    "Key account, DACH",
    "Distributor",
    "Ünïcode tag",
    "cold \"lead\"",
];
/// Segments (users).
const SEGMENTS: &[&str] = &["Dormant 90d", "Webinar, Q3 attendees", "Zürich area"];
/// Company custom attribute `sector`.
const SECTORS: &[&str] = &[
    "Agritech",
    "Med devices",
    "Logistics, cold chain",
    "Öko-Bau",
];
/// Deal pipelines and stage names.
const PIPELINES: &[&str] = &["Enterprise", "SMB inbound"];
const STAGES: &[&str] = &[
    "Discovery call",
    "Pilot, paid",
    "Contract review",
    "Closed — signed",
];
/// Deal custom attribute `type` (reserved on opportunities too).
const DEAL_TYPES: &[&str] = &["New business", "Upsell", "Renewal (auto)"];
/// Deal currencies.
const DEAL_CURRENCIES: &[&str] = &["CHF", "CHF", "SEK", "GBP"];
/// Activity types as names, and the `outcome` custom attribute.
const ACTIVITY_TYPES: &[&str] = &[
    "Phone call",
    "Demo meeting",
    "Follow-up e-mail",
    "Site visit",
];
const OUTCOMES: &[&str] = &["Reached", "Gatekeeper", "Wrong number, retry"];
/// Agents: email, first, last, workspace member.
const AGENTS: &[(&str, &str, &str, bool)] = &[
    ("ola.nordmann@unseen-crm.test", "Ola", "Nordmann", true),
    ("zoe.berger@unseen-crm.test", "Zoë", "Berger", true),
    ("max.temp@unseen-crm.test", "Max", "Temp", false),
];
const FIRST: &[&str] = &[
    "Åsa", "Grzegorz", "Léa", "Tomasz", "Ingrid", "Mateo", "Yūki", "Chloé",
];
const LAST: &[&str] = &[
    "Lindqvist",
    "Brzęczyszczykiewicz",
    "Dupont",
    "O'Neill",
    "Øvergaard",
];

/// A PostgreSQL text array of `items` (`{a,"b, c"}`), as the export writes multi-choices.
fn pg(items: &[&str]) -> String {
    crm_transform::normalise::encode_pg_array(
        &items.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    )
}

fn pick<T: Copy>(list: &[T], i: usize) -> T {
    list[i % list.len()]
}

/// Writes one file: a byte-order mark, CRLF line ends, a blank line after every
/// `blank_every` rows (0: none) and at the end.
fn write(
    dir: &Path,
    file: &str,
    head: &[&str],
    rows: &[Vec<String>],
    blank_every: usize,
) -> Result<usize> {
    let mut out: Vec<u8> = b"\xEF\xBB\xBF".to_vec();
    let line = |cells: &[String]| -> Result<Vec<u8>> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        w.write_record(cells)?;
        w.into_inner()
            .map_err(|e| crm_core::Error::unexpected(e.to_string()))
    };
    out.extend(line(
        &head.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    )?);
    for (i, r) in rows.iter().enumerate() {
        out.extend(line(r)?);
        if blank_every > 0 && (i + 1) % blank_every == 0 {
            out.extend(b"\r\n");
        }
    }
    out.extend(b"\r\n");
    std::fs::write(dir.join(file), out)?;
    Ok(rows.len())
}

fn time(day: usize, minute: usize) -> String {
    format!(
        "2022-{:02}-{:02} {:02}:{:02}:00+00",
        1 + (day / 28) % 12,
        1 + day % 28,
        8 + (minute / 60) % 10,
        minute % 60
    )
}

/// Writes the unseen export of `records` users (at least 12; companies, deals and
/// activities in proportion) into `dir`. Deterministic.
pub fn generate_unseen(dir: &Path, records: usize) -> Result<UnseenSummary> {
    std::fs::create_dir_all(dir)?;
    let users = records.max(12);
    let companies = (users / 6).max(3);
    let deals = (users / 3).max(4);
    let activities = (users / 2).max(6);
    let mut s = UnseenSummary::default();

    // users.csv: documented columns in another order and spelling, custom attributes,
    // an unknown column.
    let head = [
        "Loyalty Points",
        " ID ",
        "favourite_colour",
        "Email",
        " First_Name",
        "LAST NAME",
        "Phone Number",
        "hobbies",
        "Country",
        "type",
        "plan",
        "currency",
        "Tags",
        "Segments",
        "Company_Id",
        "Unsubscribed",
        "opt_in_sms",
        "vip_since",
        "profile_json",
        "legacy_crm_ref",
        "Last Seen",
        "Created At",
    ];
    let mut rows = Vec::new();
    for i in 0..users {
        let id = 5000 + i;
        let (first, last) = (pick(FIRST, i), pick(LAST, i / 3));
        let anonymous = i % 11 == 10;
        let invalid = !anonymous && i % 13 == 6;
        let email = if anonymous {
            String::new()
        } else if invalid {
            format!("{}.{}(at)broken-mail", first.to_lowercase(), id)
        } else {
            format!("person{id}@unseen-mail.test")
        };
        let phone = if anonymous {
            String::new()
        } else {
            format!("+41 44 {:03} {:02} {:02}", i % 1000, i % 97, i % 89)
        };
        s.anonymous_users += usize::from(anonymous);
        s.invalid_emails += usize::from(invalid);
        let hobbies: Vec<&str> = (0..(i % 4))
            .map(|k| pick(HOBBIES, i + k * 2))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let tags: Vec<&str> = if i % 3 == 0 {
            vec![pick(TAGS, i), pick(TAGS, i + 1)]
        } else {
            vec![]
        };
        rows.push(vec![
            ((i * 37) % 900).to_string(),
            id.to_string(),
            pick(COLOURS, i).to_string(),
            email,
            if anonymous { "" } else { first }.to_string(),
            if anonymous { "" } else { last }.to_string(),
            phone,
            pg(&hobbies),
            pick(&["CH", "SE", "NO", "CH"], i).to_string(),
            pick(PERSON_TYPES, i).to_string(),
            pg(&[pick(PLANS, i)]),
            pick(PREFERRED_CURRENCIES, i).to_string(),
            pg(&tags),
            pg(&[pick(SEGMENTS, i)]),
            (900 + i % companies).to_string(),
            if i % 2 == 0 { "f" } else { "t" }.to_string(),
            if i % 3 == 0 { "t" } else { "f" }.to_string(),
            format!("2021-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
            format!(
                "{{\"lang\":\"{}\",\"score\":{}}}",
                pick(&["de", "sv", "nb"], i),
                i % 7
            ),
            format!("LCR-{:05}", i * 7),
            time(i + 30, i * 7),
            time(i, i * 3),
        ]);
    }
    s.objects
        .push(("users".into(), write(dir, "users.csv", &head, &rows, 17)?));

    let head = [
        "Tags",
        "id",
        "Name",
        "sector",
        "City",
        "COUNTRY",
        "created_at",
    ];
    let rows: Vec<Vec<String>> = (0..companies)
        .map(|c| {
            vec![
                pg(&[pick(TAGS, c + 2)]),
                (900 + c).to_string(),
                format!("{} {} AG", pick(LAST, c), c),
                pick(SECTORS, c).to_string(),
                pick(&["Zürich", "Malmö", "Tromsø"], c).to_string(),
                pick(&["CH", "SE", "NO"], c).to_string(),
                time(c, 5),
            ]
        })
        .collect();
    s.objects.push((
        "companies".into(),
        write(dir, "companies.csv", &head, &rows, 0)?,
    ));

    let head = [
        "Status",
        "ID",
        "Name",
        "Stage",
        "Pipeline",
        "Value",
        "Currency",
        "company_id",
        "user_id",
        "assigned_to",
        "Tags",
        "type",
        "probability",
        "created_at",
    ];
    let rows: Vec<Vec<String>> = (0..deals)
        .map(|d| {
            vec![
                (d % 5).to_string(),
                (7000 + d).to_string(),
                format!("Deal №{d}: {}", pick(DEAL_TYPES, d)),
                pick(STAGES, d).to_string(),
                pick(PIPELINES, d).to_string(),
                format!("{}.{:02}", 1000 + d * 137, d % 100),
                pick(DEAL_CURRENCIES, d).to_string(),
                (900 + d % companies).to_string(),
                (5000 + (d * 3) % users).to_string(),
                (1 + d % AGENTS.len()).to_string(),
                pg(&[pick(TAGS, d)]),
                pick(DEAL_TYPES, d).to_string(),
                ((d * 10) % 100).to_string(),
                time(d, 11),
            ]
        })
        .collect();
    s.objects
        .push(("deals".into(), write(dir, "deals.csv", &head, &rows, 9)?));

    let head = [
        "id",
        "Activity_Type",
        "name",
        "done",
        "due_date",
        "user_id",
        "deal_id",
        "assigned_to",
        "outcome",
        "created_at",
    ];
    let rows: Vec<Vec<String>> = (0..activities)
        .map(|a| {
            vec![
                (300 + a).to_string(),
                pick(ACTIVITY_TYPES, a).to_string(),
                format!("{} #{a}", pick(ACTIVITY_TYPES, a)),
                if a % 2 == 0 { "true" } else { "false" }.to_string(),
                time(a + 3, 30),
                (5000 + (a * 5) % users).to_string(),
                (7000 + a % deals).to_string(),
                (1 + a % AGENTS.len()).to_string(),
                pick(OUTCOMES, a).to_string(),
                time(a, 20),
            ]
        })
        .collect();
    s.objects.push((
        "activities".into(),
        write(dir, "activities.csv", &head, &rows, 0)?,
    ));

    let head = ["id", "email", "first_name", "last_name"];
    let rows: Vec<Vec<String>> = AGENTS
        .iter()
        .enumerate()
        .map(|(i, (e, f, l, _))| {
            vec![
                (i + 1).to_string(),
                e.to_string(),
                f.to_string(),
                l.to_string(),
            ]
        })
        .collect();
    s.objects
        .push(("agents".into(), write(dir, "agents.csv", &head, &rows, 0)?));

    let head = ["email", "opened_at"];
    let rows: Vec<Vec<String>> = (0..5)
        .map(|i| vec![format!("person{}@unseen-mail.test", 5000 + i), time(i, 1)])
        .collect();
    write(dir, EXTRA_FILE, &head, &rows, 0)?;

    let mut m = csv::Writer::from_path(dir.join(MEMBERS_FILE))?;
    m.write_record(["email", "first_name", "last_name"])?;
    for (e, f, l, member) in AGENTS {
        if *member {
            m.write_record([e, f, l])?;
            s.members
                .push((e.to_string(), f.to_string(), l.to_string()));
        }
    }
    m.flush()?;
    Ok(s)
}
