//! A realistic sample CRM in the canonical staging format, at any size, with the dirt real
//! exports carry: duplicate people differing in case and spaces, people pointing at
//! companies that were never exported, owners who are not workspace members, non-ASCII
//! names, long texts and a line that is not JSON at all.

use std::io::Write;
use std::path::Path;

use chrono::{Duration, TimeZone, Utc};
use crm_core::model::fields as f;
use crm_core::{
    Activity, ActivityKind, Company, Opportunity, Person, Phone, Record, Ref, Result, SourceKey,
};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// The workspace members file the sample writes beside the records (`email,first_name,last_name`):
/// the members the destination must already have for owners to resolve.
pub const MEMBERS_FILE: &str = "workspace_members.csv";

/// What [`generate`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SampleSummary {
    /// Lines per object file, in load order.
    pub objects: Vec<(String, usize)>,
    /// Workspace members written to [`MEMBERS_FILE`].
    pub members: usize,
}

const FIRST: &[&str] = &[
    "Ada", "Łukasz", "Zoë", "José", "Mette", "Ngozi", "Ines", "Kenji", "Søren", "Priya", "Omar",
    "Chloé",
];
const LAST: &[&str] = &[
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
];
const CITIES: &[&str] = &[
    "Kraków",
    "Lisboa",
    "München",
    "Lagos",
    "Oslo",
    "Osaka",
    "Montréal",
    "Pune",
];
const TITLES: &[&str] = &[
    "CEO",
    "Head of Sales",
    "RevOps Engineer",
    "CTO",
    "Office Manager",
    "Buyer",
];
const STAGES: &[&str] = &["NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER"];
const MEMBERS: &[(&str, &str, &str)] = &[
    ("anna.owner@sample-crm.test", "Anna", "Owner"),
    ("bruno.sales@sample-crm.test", "Bruno", "Sales"),
    ("carla.success@sample-crm.test", "Carla", "Success"),
];

fn pick<'a>(rng: &mut SmallRng, from: &[&'a str]) -> &'a str {
    from[rng.gen_range(0..from.len())]
}

struct Writer {
    file: std::io::BufWriter<std::fs::File>,
    lines: usize,
}

impl Writer {
    fn create(dir: &Path, object: &str) -> Result<Self> {
        Ok(Self {
            file: std::io::BufWriter::new(std::fs::File::create(
                dir.join(format!("{object}.jsonl")),
            )?),
            lines: 0,
        })
    }

    fn put(&mut self, r: Record) -> Result<()> {
        serde_json::to_writer(&mut self.file, &r)?;
        self.file.write_all(b"\n")?;
        self.lines += 1;
        Ok(())
    }
}

/// Writes a sample of about `people` people (with companies, opportunities, tasks and notes
/// in proportion) into `dir`, deterministically from `seed`. Streams: memory does not grow
/// with the size.
pub fn generate(dir: &Path, people: usize, seed: u64) -> Result<SampleSummary> {
    std::fs::create_dir_all(dir)?;
    let mut rng = SmallRng::seed_from_u64(seed);
    let key = |object: &str, id: usize| SourceKey::new("sample", object, id.to_string());
    let t0 = Utc
        .with_ymd_and_hms(2019, 1, 1, 9, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let people = people.max(10);
    let companies = (people / 8).max(2);

    let mut m = csv::Writer::from_path(dir.join(MEMBERS_FILE))?;
    m.write_record(["email", "first_name", "last_name"])?;
    for (e, fi, la) in MEMBERS {
        m.write_record([e, fi, la])?;
    }
    m.flush()?;

    let mut w = Writer::create(dir, f::COMPANY)?;
    for i in 1..=companies {
        let mut c = Company::new(key("companies", i));
        c.name = Some(format!(
            "{} {}",
            pick(&mut rng, LAST),
            ["GmbH", "Sp. z o.o.", "Ltd", "SA", "Inc"][i % 5]
        ));
        c.domain = Some(if i % 13 == 0 {
            format!("HTTPS://WWW.Company{i}.example/")
        } else {
            format!("company{i}.example")
        });
        c.employees = Some(rng.gen_range(1..5000));
        c.annual_revenue = (i % 3 == 0).then(|| {
            (
                rng.gen_range(10_000..9_000_000) * 1_000_000,
                "EUR".to_string(),
            )
        });
        // One owner in twenty is someone who left (not a workspace member).
        c.owner = Some(Ref::email(
            f::USER,
            if i % 20 == 7 {
                "former.employee@sample-crm.test"
            } else {
                MEMBERS[i % MEMBERS.len()].0
            },
        ));
        c.created_at = Some(t0 + Duration::days(i as i64));
        w.put(c.into())?;
    }
    let company_lines = w.lines;
    drop(w);

    let mut w = Writer::create(dir, f::PERSON)?;
    for i in 1..=people {
        let mut p = Person::new(key("users", i));
        p.first_name = Some(pick(&mut rng, FIRST).to_string());
        p.last_name = Some(pick(&mut rng, LAST).to_string());
        // Every 25th person is the same human as the one before, exported again with the
        // email in another case and padded with spaces: a merge, not a second record.
        p.emails = vec![if i % 25 == 0 {
            format!("  Person{}@Mail.Example ", i - 1)
        } else {
            format!("person{i}@mail.example")
        }];
        p.phones = vec![Phone {
            number: format!("+4812{:07}", rng.gen_range(0..10_000_000)),
            country: Some("PL".into()),
            calling_code: Some("+48".into()),
        }];
        p.job_title = Some(if i % 50 == 0 {
            "Very long title ".repeat(30)
        } else {
            pick(&mut rng, TITLES).to_string()
        });
        p.city = Some(pick(&mut rng, CITIES).to_string());
        // Every 40th person points at a company that was never exported (an orphan).
        let company = if i % 40 == 0 {
            companies + 1000
        } else {
            rng.gen_range(1..=companies)
        };
        p.company = Some(Ref::key(f::COMPANY, key("companies", company)));
        p.created_at = Some(t0 + Duration::hours(i as i64 * 7));
        w.put(p.into())?;
    }
    w.file.write_all(b"{\"this line\": \"is not a record\"\n")?;
    w.lines += 1;
    let person_lines = w.lines;
    drop(w);

    let mut w = Writer::create(dir, f::OPPORTUNITY)?;
    for i in 1..=(people / 5).max(1) {
        let mut o = Opportunity::new(key("deals", i));
        o.name = Some(format!("Deal #{i}"));
        o.amount = Some((
            rng.gen_range(100..250_000) * 1_000_000 + 500_000,
            "EUR".into(),
        ));
        o.stage = Some(pick(&mut rng, STAGES).to_string());
        o.close_date = Some(t0 + Duration::days(400 + i as i64));
        o.company = Some(Ref::key(
            f::COMPANY,
            key("companies", rng.gen_range(1..=companies)),
        ));
        o.point_of_contact = Some(Ref::key(f::PERSON, key("users", rng.gen_range(1..=people))));
        o.owner = Some(Ref::email(f::USER, MEMBERS[i % MEMBERS.len()].0));
        o.created_at = Some(t0 + Duration::days(i as i64));
        w.put(o.into())?;
    }
    let deal_lines = w.lines;
    drop(w);

    let mut tasks = Writer::create(dir, f::TASK)?;
    let mut notes = Writer::create(dir, f::NOTE)?;
    for i in 1..=(people / 2).max(1) {
        let kind = if i % 3 == 0 {
            ActivityKind::Note
        } else {
            ActivityKind::Task
        };
        let mut a = Activity::new(kind, key("activities", i));
        a.title = Some(format!("Follow-up {i}"));
        a.body = Some(format!(
            "Called about the **renewal**; next step on {}.",
            (t0 + Duration::days(i as i64)).date_naive()
        ));
        a.created_at = Some(t0 + Duration::minutes(i as i64 * 90));
        a.targets = vec![
            Ref::key(f::PERSON, key("users", rng.gen_range(1..=people))),
            Ref::key(f::COMPANY, key("companies", rng.gen_range(1..=companies))),
        ];
        let mut r: Record = a.into();
        // The canonical activity carries more than Twenty's task and note hold; the sample
        // keeps to what the destination has.
        for extra in [
            f::KIND,
            f::OCCURRED_AT,
            f::DURATION_SECS,
            f::OUTCOME,
            f::PROPERTIES,
        ] {
            r.fields.remove(extra);
        }
        if kind == ActivityKind::Note {
            notes.put(r)?;
        } else {
            r.set(
                f::STATUS,
                crm_core::Value::Choice(if i % 2 == 0 { "DONE" } else { "TODO" }.into()),
            );
            r.set(
                f::ASSIGNEE,
                crm_core::Value::Ref(Ref::email(f::USER, MEMBERS[i % MEMBERS.len()].0)),
            );
            tasks.put(r)?;
        }
    }
    let (task_lines, note_lines) = (tasks.lines, notes.lines);
    Ok(SampleSummary {
        objects: vec![
            (f::COMPANY.into(), company_lines),
            (f::PERSON.into(), person_lines),
            (f::OPPORTUNITY.into(), deal_lines),
            (f::TASK.into(), task_lines),
            (f::NOTE.into(), note_lines),
        ],
        members: MEMBERS.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_is_deterministic_and_sized() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let s = generate(a.path(), 200, 7).unwrap();
        generate(b.path(), 200, 7).unwrap();
        assert_eq!(s.objects[1], ("person".to_string(), 201));
        for (o, _) in &s.objects {
            let x = std::fs::read(a.path().join(format!("{o}.jsonl"))).unwrap();
            let y = std::fs::read(b.path().join(format!("{o}.jsonl"))).unwrap();
            assert_eq!(x, y, "{o} differs between two runs with the same seed");
        }
    }
}
