//! The rows of the sample account, object by object, each a pure function of its index:
//! users and companies here, the rest in `rows_crm.rs`.

use rand::Rng;
use serde_json::json;

use super::dataset::{
    ascii_fold, pick, Dataset, Row, Val, AGENTS, ATTRIBUTES, CITIES, FIRST, LAST, SEGMENTS, TAGS,
};

const USERS: u64 = 1;
const COMPANIES: u64 = 2;

pub(super) fn text(s: impl Into<String>) -> Val {
    Val::Text(s.into())
}

pub(super) fn opt_int(v: Option<u64>) -> Val {
    v.map_or(Val::Null, |n| Val::Int(n as i64))
}

impl Dataset {
    /// True when user `i` is an anonymous visitor: no email, phone or custom id (not billable).
    pub(crate) fn is_anonymous(&self, i: u64) -> bool {
        i.is_multiple_of(9)
    }

    /// The user `i` is an exported duplicate of (same person, email in another case and
    /// padded with spaces), if any.
    pub(crate) fn duplicate_of(&self, i: u64) -> Option<u64> {
        if !i.is_multiple_of(17) {
            return None;
        }
        (1..i).rev().find(|&j| !self.is_anonymous(j))
    }

    /// True when user `i`'s email is malformed.
    pub(crate) fn has_invalid_email(&self, i: u64) -> bool {
        i.is_multiple_of(23) && !self.is_anonymous(i) && self.duplicate_of(i).is_none()
    }

    fn names(&self, i: u64) -> (&'static str, &'static str) {
        let mut rng = self.rng(USERS + 100, i);
        (*pick(&mut rng, FIRST), *pick(&mut rng, LAST))
    }

    fn email(&self, i: u64) -> String {
        let (first, last) = self.names(i);
        format!(
            "{}.{}{i}@mail{}.example",
            ascii_fold(first),
            ascii_fold(last),
            i % 4
        )
    }

    /// The segments user `i` belongs to (ids).
    pub(crate) fn user_segments(&self, i: u64) -> Vec<i64> {
        SEGMENTS
            .iter()
            .filter(|(id, _, _)| (i + *id as u64).is_multiple_of(3))
            .map(|s| s.0)
            .collect()
    }

    /// The company name of company `c` (a ghost name past the last company).
    pub(crate) fn company_name(&self, c: u64) -> String {
        if c > self.companies {
            return format!("Ghost Holdings {c}");
        }
        let base = |c: u64| {
            let mut rng = self.rng(COMPANIES + 100, c);
            let suffix = ["GmbH", "Sp. z o.o.", "Ltd", "SA", "Inc.", "KK"][(c % 6) as usize];
            format!("{} {suffix}", pick(&mut rng, LAST))
        };
        // Every 15th company is the one before it again, typed in capitals with a space.
        if c.is_multiple_of(15) {
            format!("{} ", base(c - 1).to_uppercase())
        } else {
            base(c)
        }
    }

    /// User (contact) `i`, 1-based.
    pub(crate) fn user(&self, i: u64) -> Row {
        let mut rng = self.rng(USERS, i);
        let anonymous = self.is_anonymous(i);
        let src = self.duplicate_of(i).unwrap_or(i);
        let (first, last) = self.names(src);
        let mut r = Row::new(i);
        let created = self.at(i as i64 * 37, rng.gen_range(0..1_000_000));
        if anonymous {
            r.set("user_id", Val::Null)
                .set("key", text(format!("anon{:012x}", rng.gen::<u64>())));
            r.set("email", Val::Null)
                .set("first_name", Val::Null)
                .set("last_name", Val::Null);
            r.set("name", Val::Null).set("phone_number", Val::Null);
        } else {
            let email = if src != i {
                // The same person exported again: another case, padded with spaces.
                let e = self.email(src);
                format!(
                    "  {}{} ",
                    e[..1].to_uppercase(),
                    &e[1..].replace("@mail", "@MAIL")
                )
            } else if self.has_invalid_email(i) {
                ["{}@@example", "{} at example.com", "{}@example"][(i % 3) as usize]
                    .replace("{}", &ascii_fold(first))
            } else {
                self.email(i)
            };
            r.set("user_id", text(format!("U-{i:06}")))
                .set("key", text(format!("k{:012x}", rng.gen::<u64>())));
            r.set("email", text(email))
                .set("first_name", text(first))
                .set("last_name", text(last));
            r.set("name", text(format!("{first} {last}")));
            let phone = (!i.is_multiple_of(3))
                .then(|| format!("+48 600 {:03} {:03}", i % 1000, i / 1000 % 1000));
            r.set("phone_number", phone.map_or(Val::Null, text));
        }
        r.set(
            "gender",
            text(["unknown", "male", "female"][(i % 3) as usize]),
        );
        r.set("status", text(if anonymous { "visitor" } else { "user" }));
        r.set("score", Val::Int(rng.gen_range(0..120)));
        r.set("unsubscribed", Val::Bool(i.is_multiple_of(8)));
        let (city, country) = *pick(&mut rng, CITIES);
        r.set("city", text(city)).set("country", text(country));
        // Most users work at a company; every 29th at one that was never exported.
        let company = if anonymous || i % 5 == 4 {
            None
        } else if i.is_multiple_of(29) {
            Some(self.companies + 100 + i)
        } else {
            Some(rng.gen_range(1..=self.companies))
        };
        r.set("company_id", opt_int(company));
        let companies: Vec<_> = company
            .into_iter()
            .map(|c| json!({"id": c, "name": self.company_name(c), "member_since": self.at(c as i64 * 60, 0).format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()}))
            .collect();
        r.set("companies", Val::Json(json!(companies)));
        let agent = (!i.is_multiple_of(4)).then(|| (i % AGENTS.len() as u64) + 1);
        r.set("assigned_to", opt_int(agent));
        let tags: Vec<String> = TAGS
            .iter()
            .filter(|(id, _)| (i * 7 + *id as u64).is_multiple_of(5))
            .map(|t| t.1.to_string())
            .collect();
        let tag_api: Vec<_> = TAGS
            .iter()
            .filter(|(id, _)| (i * 7 + *id as u64).is_multiple_of(5))
            .map(|(id, name)| json!({"id": id, "name": name}))
            .collect();
        r.set("tags", Val::Both(Val::List(tags).csv(), json!(tag_api)));
        let segs: Vec<String> = self
            .user_segments(i)
            .iter()
            .filter_map(|s| SEGMENTS.iter().find(|x| x.0 == *s))
            .map(|s| s.1.to_string())
            .collect();
        r.set("segments", Val::List(segs));
        r.set("created_at", Val::Time(created, Dataset::style(i)));
        r.set(
            "updated_at",
            Val::Time(created + chrono::Duration::days(3), Dataset::style(i + 1)),
        );
        let seen = (i % 6 != 5).then(|| {
            Val::Time(
                created + chrono::Duration::hours(i as i64 % 500),
                Dataset::style(i + 2),
            )
        });
        r.set("last_seen", seen.unwrap_or(Val::Null));
        // Custom attributes (name_std columns).
        let plans = ATTRIBUTES[0].5;
        r.set(
            "plan",
            if anonymous {
                Val::Null
            } else {
                Val::List(vec![pick(&mut rng, plans).to_string()])
            },
        );
        let interests = ATTRIBUTES[1].5;
        let chosen: Vec<String> = interests
            .iter()
            .enumerate()
            .filter(|(k, _)| (i + *k as u64).is_multiple_of(2))
            .map(|(_, s)| s.to_string())
            .collect();
        r.set("interests", Val::List(chosen));
        r.set("newsletter", Val::Bool(i % 3 == 1));
        r.set(
            "lifetime_value",
            Val::Decimal(format!("{}.{:02}", rng.gen_range(0..9000), i % 100)),
        );
        let language = ["pl", "en", "de"][(i % 3) as usize];
        r.set(
            "preferences",
            Val::Json(
                json!({"language": language, "channels": {"email": i.is_multiple_of(2), "sms": false}}),
            ),
        );
        r.set(
            "birthday",
            if i % 4 == 1 {
                Val::Date(self.at(-(i as i64) * 50_000, 0).date_naive())
            } else {
                Val::Null
            },
        );
        let notes = match i % 11 {
            0 => Val::Text(format!(
                "Met at the fair, \"very\" keen.\r\nFollow up in Q3; budget: {i}k €.\r\n{}",
                "Long note. ".repeat(400)
            )),
            5 => Val::Text(format!("Prefers {{calls}}, not e-mail; ask for {first}")),
            _ => Val::Null,
        };
        r.set("notes", notes);
        r
    }

    /// Company `c`, 1-based.
    pub(crate) fn company(&self, c: u64) -> Row {
        let mut rng = self.rng(COMPANIES, c);
        let mut r = Row::new(c);
        let name = self.company_name(c);
        r.set("company_id", text(format!("C-{c:05}")));
        let description = if c.is_multiple_of(6) {
            format!(
                "{name}: {}",
                "A very long company description, with commas; and \"quotes\". ".repeat(90)
            )
        } else {
            format!(
                "{name} — {}",
                ["reseller", "customer", "partner"][(c % 3) as usize]
            )
        };
        r.set("name", text(name))
            .set("description", text(description));
        r.set("email", text(format!("office@company{c}.example")));
        let (city, country) = *pick(&mut rng, CITIES);
        r.set("country", text(country))
            .set("region", Val::Null)
            .set("city", text(city));
        r.set("address", text(format!("ul. Długa {c}\n00-{c:03} {city}")));
        r.set("approx_employees", Val::Int(rng.gen_range(1..5000)));
        r.set(
            "phone_numbers",
            Val::List(vec![
                format!("+48 12 {c:03} 00 00"),
                format!("+48 12 {c:03} 00 01"),
            ]),
        );
        r.set(
            "industry",
            Val::List(vec![pick(&mut rng, ATTRIBUTES[8].5).to_string()]),
        );
        r.set(
            "assigned_to",
            Val::Int((c % AGENTS.len() as u64) as i64 + 1),
        );
        let tags: Vec<String> = TAGS
            .iter()
            .filter(|(id, _)| (c + *id as u64).is_multiple_of(4))
            .map(|t| t.1.to_string())
            .collect();
        r.set("tags", Val::List(tags));
        let created = self.at(c as i64 * 60, rng.gen_range(0..1_000_000));
        r.set("created_at", Val::Time(created, Dataset::style(c)));
        r.set(
            "updated_at",
            Val::Time(created + chrono::Duration::days(10), Dataset::style(c + 5)),
        );
        r
    }
}
