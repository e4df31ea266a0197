//! The emulator's records: the sample account's rows rendered as the API documents them
//! (`reference/sources.md` §1.4–1.5), held in memory.

use std::collections::HashMap;

use serde_json::{json, Map, Value as Json};

use super::super::dataset::{Dataset, Row, Val, AGENTS, ATTRIBUTES, SEGMENTS, TAGS};

/// Every list and sub-resource, by the path below `/api/public/` (`users/`,
/// `users/7/events/`).
#[derive(Debug, Default)]
pub(super) struct Store {
    pub(super) lists: HashMap<String, Vec<Json>>,
}

/// The custom attributes of `content_type`, by `name_std`.
fn custom(
    content_type: &str,
) -> impl Iterator<Item = &'static super::super::dataset::Attribute> + '_ {
    ATTRIBUTES.iter().filter(move |a| a.4 == content_type)
}

/// A row's API object; custom-attribute cells of a `content_type` go into an `attributes`
/// array (`{id, name, name_std, value}`, as on v2 users) when `nest` is true, and stay
/// top-level keys otherwise (as in the v2 deal example). A single `fixed` choice is a string.
fn render(row: &Row, content_type: &str, nest: bool, drop: &[&str]) -> Map<String, Json> {
    let mut out = Map::new();
    let mut attributes = Vec::new();
    for (col, val) in &row.cells {
        if drop.contains(col) {
            continue;
        }
        let attr = custom(content_type).find(|a| a.2 == *col);
        let value = match (attr, val) {
            (Some(a), Val::List(items)) if a.3 == "fixed" && !a.6 => items
                .first()
                .map_or(Json::Null, |s| Json::String(s.clone())),
            _ => val.api(),
        };
        match attr {
            Some(a) if nest => {
                attributes.push(json!({"id": a.0, "name": a.1, "name_std": a.2, "value": value}))
            }
            _ => {
                out.insert(col.to_string(), value);
            }
        }
    }
    if nest {
        out.insert("attributes".into(), Json::from(attributes));
    }
    out
}

fn tag_objects(row: &Row) -> Json {
    let names = match row.get("tags") {
        Some(Val::List(items)) => items.clone(),
        _ => Vec::new(),
    };
    let tags: Vec<Json> = TAGS
        .iter()
        .filter(|(_, n)| names.iter().any(|x| x == n))
        .map(|(id, name)| json!({"id": id, "name": name}))
        .collect();
    Json::from(tags)
}

impl Store {
    /// The records of `records` users and the rest in proportion, from `seed` — the same
    /// rows [`super::super::sample::generate`] writes.
    pub(super) fn new(records: usize, seed: u64, base_url: &str) -> Self {
        let data = Dataset::new(records, seed);
        let mut lists: HashMap<String, Vec<Json>> = HashMap::new();
        let mut members: HashMap<i64, Vec<Json>> = HashMap::new();
        for u in 1..=data.users {
            let row = data.user(u);
            let user = render(&row, "clientuser", true, &["segments"]);
            for s in data.user_segments(u) {
                members
                    .entry(s)
                    .or_default()
                    .push(Json::Object(user.clone()));
            }
            lists.entry(format!("users/{u}/segments/")).or_default();
            for s in data.user_segments(u) {
                if let Some((id, name, description)) = SEGMENTS.iter().find(|x| x.0 == s) {
                    lists
                        .entry(format!("users/{u}/segments/"))
                        .or_default()
                        .push(json!({"id": id, "name": name, "description": description}));
                }
            }
            lists.entry(format!("users/{u}/events/")).or_default();
            for e in data.events_of(u) {
                lists
                    .entry(format!("users/{u}/events/"))
                    .or_default()
                    .push(Json::Object(render(&e, "event", false, &[])));
            }
            if let Some((conv, messages)) = data.conversation_of(u) {
                let mut c = render(
                    &conv,
                    "conversation",
                    false,
                    &[
                        "user_id",
                        "user_email",
                        "user_name",
                        "user_key",
                        "transcript",
                    ],
                );
                c.insert("user".into(), json!({"id": u, "email": user.get("email"), "name": user.get("name"), "key": user.get("key")}));
                lists
                    .entry("conversations/".into())
                    .or_default()
                    .push(Json::Object(c));
                let path = format!("conversations/{u}/messages/");
                lists.entry(path.clone()).or_default().extend(messages);
            }
            lists
                .entry("users/".into())
                .or_default()
                .push(Json::Object(user));
        }
        for c in 1..=data.companies {
            let row = data.company(c);
            let mut company = render(&row, "company", true, &[]);
            company.insert("tags".into(), tag_objects(&row));
            lists
                .entry("companies/".into())
                .or_default()
                .push(Json::Object(company));
        }
        for d in 1..=data.deals {
            lists
                .entry("deals/".into())
                .or_default()
                .push(Json::Object(render(&data.deal(d), "deal", false, &[])));
        }
        for a in 1..=data.activities {
            lists
                .entry("activities/".into())
                .or_default()
                .push(Json::Object(render(
                    &data.activity(a),
                    "activity",
                    false,
                    &[],
                )));
        }
        for i in 1..=AGENTS.len() as u64 {
            if let Some(r) = data.agent(i) {
                lists
                    .entry("agents/".into())
                    .or_default()
                    .push(Json::Object(render(&r, "agent", false, &[])));
            }
        }
        for i in 1..=ATTRIBUTES.len() as u64 {
            if let Some(r) = data.attribute(i) {
                lists
                    .entry("attributes/".into())
                    .or_default()
                    .push(Json::Object(render(&r, "attribute", false, &[])));
            }
        }
        for (id, name) in TAGS {
            lists
                .entry("tags/".into())
                .or_default()
                .push(json!({"id": id, "name": name}));
        }
        for (id, name, description) in SEGMENTS {
            let users = members.remove(id).unwrap_or_default();
            lists.entry("segments/".into()).or_default().push(json!({
                "id": id, "name": name, "description": description,
                "users": format!("{base_url}segments/{id}/users/"), "object_count": users.len(),
            }));
            lists.insert(format!("segments/{id}/users/"), users);
        }
        // What does not migrate (read-only, UNCONFIRMED paths): a few items for the inventory.
        lists.insert("automations/".into(), vec![
            json!({"id": 1, "name": "Welcome series", "status": "active", "trigger": "user_registered", "conditions": {"segment": 3}}),
            json!({"id": 2, "name": "Abandoned cart, 1h", "status": "paused", "trigger": "event:cart_abandoned"}),
        ]);
        lists.insert(
            "email-templates/".into(),
            vec![
                json!({"id": 1, "name": "Newsletter – spring", "subject": "Spring news"}),
                json!({"id": 2, "name": "Welcome", "subject": "Witaj!"}),
            ],
        );
        lists.insert("campaigns/".into(), vec![
            json!({"id": 1, "name": "March newsletter", "channel": "email", "status": "sent", "scheduled_at": "2021-03-01T09:00:00Z"}),
            json!({"id": 2, "name": "Flash sale push", "channel": "web_push", "status": "scheduled"}),
        ]);
        Self { lists }
    }
}
