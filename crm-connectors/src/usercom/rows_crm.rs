//! The sample account's deals, activities, events, conversations, agents and attribute
//! schema, each a pure function of its index.

use rand::Rng;
use serde_json::json;

use super::dataset::{
    pick, Dataset, Row, Val, ACTIVITY_TYPES, AGENTS, ATTRIBUTES, PIPELINES, STAGES, TAGS,
};
use super::rows::{opt_int, text};

const DEALS: u64 = 3;
const ACTIVITIES: u64 = 4;
const EVENTS: u64 = 5;
const CONVERSATIONS: u64 = 6;

/// Deal statuses as the API numbers them: 0 abandoned, 1 in progress, 2 won, 3 lost, 4 archived.
const DEAL_STATUSES: [i64; 8] = [1, 2, 3, 0, 4, 1, 2, 1];

impl Dataset {
    /// Deal `d`, 1-based.
    pub(crate) fn deal(&self, d: u64) -> Row {
        let mut rng = self.rng(DEALS, d);
        let mut r = Row::new(d);
        let status = DEAL_STATUSES[(d % DEAL_STATUSES.len() as u64) as usize];
        let (stage, pipeline, stage_name) = *pick(&mut rng, STAGES);
        let pipeline_name = PIPELINES
            .iter()
            .find(|p| p.0 == pipeline)
            .map_or("", |p| p.1);
        r.set("custom_id", text(format!("D-{d:05}")));
        r.set(
            "name",
            text(format!(
                "{} – {}",
                self.company_name((d % self.companies) + 1),
                ["licence", "renewal", "consulting"][(d % 3) as usize]
            )),
        );
        r.set(
            "value",
            Val::Decimal(format!("{}.{:02}", rng.gen_range(100..90_000), d % 100)),
        );
        r.set("currency", text(["EUR", "PLN", "USD"][(d % 3) as usize]));
        r.set(
            "pipeline",
            Val::Both(pipeline_name.to_string(), json!(pipeline)),
        );
        r.set("stage", Val::Both(stage_name.to_string(), json!(stage)));
        r.set("status", Val::Int(status));
        let tagged = |id: i64| (d * 3 + id as u64).is_multiple_of(4);
        let tags: Vec<String> = TAGS
            .iter()
            .filter(|(id, _)| tagged(*id))
            .map(|t| t.1.to_string())
            .collect();
        let tag_api: Vec<_> = TAGS
            .iter()
            .filter(|(id, _)| tagged(*id))
            .map(|(id, name)| json!({"id": id, "name": name}))
            .collect();
        r.set("tags", Val::Both(Val::List(tags).csv(), json!(tag_api)));
        r.set(
            "assigned_to",
            Val::Int((d % AGENTS.len() as u64) as i64 + 1),
        );
        // Every 13th deal points at a company that does not exist.
        let company = if d.is_multiple_of(13) {
            self.companies + 500 + d
        } else {
            rng.gen_range(1..=self.companies)
        };
        r.set("company_id", Val::Int(company as i64));
        r.set("user_id", Val::Int(rng.gen_range(1..=self.users) as i64));
        let created = self.at(d as i64 * 90, rng.gen_range(0..1_000_000));
        r.set(
            "expected_close_date",
            Val::Date((created + chrono::Duration::days(45)).date_naive()),
        );
        let closed = Val::Time(created + chrono::Duration::days(30), Dataset::style(d));
        r.set(
            "won_at",
            if status == 2 {
                closed.clone()
            } else {
                Val::Null
            },
        );
        r.set("lost_at", if status == 3 { closed } else { Val::Null });
        r.set(
            "loss_reason_description",
            if status == 3 {
                text("Chose a competitor, cheaper")
            } else {
                Val::Null
            },
        );
        r.set(
            "lead_source",
            text(["web", "fair", "referral"][(d % 3) as usize]),
        );
        r.set("created_at", Val::Time(created, Dataset::style(d + 1)));
        r.set(
            "updated_at",
            Val::Time(created + chrono::Duration::days(31), Dataset::style(d + 2)),
        );
        r
    }

    /// Activity `a`, 1-based: calls (duration, disposition), emails, meetings, tasks, notes.
    pub(crate) fn activity(&self, a: u64) -> Row {
        let mut rng = self.rng(ACTIVITIES, a);
        let mut r = Row::new(a);
        let (type_id, type_name) = ACTIVITY_TYPES[(a % ACTIVITY_TYPES.len() as u64) as usize];
        r.set("custom_id", Val::Null);
        r.set(
            "activity_type",
            Val::Both(type_name.to_string(), json!(type_id)),
        );
        r.set(
            "name",
            text(format!(
                "{} #{a}",
                ["Call", "E-mail", "Meeting", "Task", "Note"][(type_id - 1) as usize]
            )),
        );
        let description = if a.is_multiple_of(10) {
            format!(
                "Minutes:\r\n{}",
                "Discussed pricing, timeline; next steps. ".repeat(120)
            )
        } else {
            format!("Activity {a}, ćma")
        };
        r.set("description", text(description));
        r.set(
            "assigned_to",
            Val::Int((a % AGENTS.len() as u64) as i64 + 1),
        );
        r.set("user_id", Val::Int(rng.gen_range(1..=self.users) as i64));
        r.set(
            "company_id",
            if a.is_multiple_of(3) {
                Val::Int(rng.gen_range(1..=self.companies) as i64)
            } else {
                Val::Null
            },
        );
        r.set(
            "deal_id",
            if a.is_multiple_of(4) {
                Val::Int(rng.gen_range(1..=self.deals) as i64)
            } else {
                Val::Null
            },
        );
        let due = self.at(a as i64 * 45, rng.gen_range(0..1_000_000));
        r.set("due_date", Val::Time(due, Dataset::style(a)));
        r.set(
            "duration",
            if type_id == 1 || type_id == 3 {
                Val::Int(rng.gen_range(30..3600))
            } else {
                Val::Null
            },
        );
        let disposition = ATTRIBUTES[7].5;
        r.set(
            "call_disposition",
            if type_id == 1 {
                Val::List(vec![pick(&mut rng, disposition).to_string()])
            } else {
                Val::Null
            },
        );
        let done = a % 3 != 1;
        r.set("done", Val::Bool(done));
        r.set(
            "done_date",
            if done {
                Val::Time(due + chrono::Duration::hours(2), Dataset::style(a + 3))
            } else {
                Val::Null
            },
        );
        r.set("created_by", Val::Int((a % 3) as i64 + 1));
        r.set(
            "created_at",
            Val::Time(due - chrono::Duration::days(2), Dataset::style(a + 4)),
        );
        r.set("updated_at", Val::Time(due, Dataset::style(a + 5)));
        r
    }

    /// The events of user `u` (0 to 3): meetings (a scheduled time and place) and
    /// informational ones (newsletter opened, page view, webinar).
    pub(crate) fn events_of(&self, u: u64) -> Vec<Row> {
        let mut rng = self.rng(EVENTS, u);
        let n = rng.gen_range(0..4u64);
        (0..n)
            .map(|k| {
                let mut r = Row::new(u * 10 + k);
                let t = self.at(u as i64 * 37 + k as i64 * 600, rng.gen_range(0..1_000_000));
                r.set("user_id", Val::Int(u as i64));
                let (name, data) = if k == 0 && u.is_multiple_of(4) {
                    let starts = (t + chrono::Duration::days(7)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
                    ("meeting_scheduled", json!({"title": format!("Demo for user {u}"), "starts_at": starts, "duration_min": 45, "location": "Zoom"}))
                } else {
                    match (u + k) % 3 {
                        0 => ("newsletter_opened", json!({"campaign": "March, \"spring\" issue"})),
                        1 => ("page_view", json!({"url": format!("https://shop.example/p/{k}?ref=mail")})),
                        _ => ("webinar_registered", json!({"webinar": "Migrating CRMs", "seats": 2})),
                    }
                };
                r.set("event_name", text(name));
                r.set("datetime", Val::Time(t, Dataset::style(u + k)));
                r.set("data", Val::Json(data));
                r
            })
            .collect()
    }

    /// The chat conversation of user `u`, if they had one, and its messages.
    pub(crate) fn conversation_of(&self, u: u64) -> Option<(Row, Vec<serde_json::Value>)> {
        if u % 3 != 1 {
            return None;
        }
        let mut rng = self.rng(CONVERSATIONS, u);
        let user = self.user(u);
        let agent = (u % 5 != 1).then(|| (u % 4) + 1);
        let n = rng.gen_range(1..6u64);
        let start = self.at(u as i64 * 41, 0);
        let messages: Vec<_> = (0..n)
            .map(|k| {
                let by_user = k.is_multiple_of(2) || agent.is_none();
                let at = start + chrono::Duration::seconds(k as i64 * 75) + chrono::Duration::microseconds(rng.gen_range(0..1_000_000));
                json!({
                    "id": u * 10 + k,
                    "created_at": at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
                    "author": if by_user { "user" } else { "agent" },
                    "agent": if by_user { None } else { agent },
                    "content": if k == 0 { "Cześć! Do you ship to Zürich?\nAlso: price, \"bulk\"?".to_string() } else { format!("Message {k}") },
                })
            })
            .collect();
        let mut r = Row::new(u);
        let cell = |c: &str| user.get(c).cloned().unwrap_or(Val::Null);
        r.set("user_id", Val::Int(u as i64))
            .set("user_email", cell("email"));
        r.set("user_name", cell("name"))
            .set("user_key", cell("key"));
        r.set("agent", opt_int(agent))
            .set("active", Val::Bool(u.is_multiple_of(2)));
        r.set("messages", Val::Int(n as i64));
        r.set("created_at", Val::Time(start, Dataset::style(u)));
        r.set("transcript", Val::Json(json!(messages)));
        Some((r, messages))
    }

    /// Agent `i` (1-based index into [`AGENTS`]).
    pub(crate) fn agent(&self, i: u64) -> Option<Row> {
        let (email, first, last, member) = *AGENTS.get(i.checked_sub(1)? as usize)?;
        let mut r = Row::new(i);
        r.set("email", text(email))
            .set("first_name", text(first))
            .set("last_name", text(last));
        r.set("name", text(format!("{first} {last}")));
        r.set("role", text(if i == 1 { "admin" } else { "agent" }));
        r.set("is_active", Val::Bool(member));
        r.set(
            "created_at",
            Val::Time(self.at(-(i as i64) * 1000, 0), Dataset::style(i)),
        );
        Some(r)
    }

    /// Custom attribute `i` (1-based index into [`ATTRIBUTES`]): the schema.
    pub(crate) fn attribute(&self, i: u64) -> Option<Row> {
        let (id, name, name_std, value_type, content_type, choices, multiple) =
            *ATTRIBUTES.get(i.checked_sub(1)? as usize)?;
        let mut r = Row::new(id as u64);
        r.set("name", text(name)).set("name_std", text(name_std));
        r.set("value_type", text(value_type))
            .set("content_type", text(content_type));
        r.set(
            "choices",
            Val::List(choices.iter().map(|s| s.to_string()).collect()),
        );
        r.set("allow_multiple_choices", Val::Bool(multiple));
        Some(r)
    }
}
