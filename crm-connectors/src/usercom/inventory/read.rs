//! Reading the inventory's items: from API list endpoints, from `<kind>.csv` files, and the
//! segment names in `users.csv`.

use std::collections::BTreeMap;
use std::path::Path;

use crm_core::{Result, SourceExt};
use crm_transform::normalise::parse_pg_array;
use futures::StreamExt;
use serde_json::{Map, Value as Json};

use super::super::decode::{api_page, cell_text, id_text};
use super::super::{UsercomApiSource, UsercomCsvSource};
use super::{InventoryEndpoint, InventoryItem, InventoryKind, InventorySection};

const NAME: &[&str] = &["name", "title", "subject"];
const STATUS: &[&str] = &["status", "state", "active", "is_active", "enabled"];
const TRIGGER: &[&str] = &["trigger", "trigger_type", "event", "channel", "type"];
const CONDITIONS: &[&str] = &[
    "conditions",
    "filters",
    "rules",
    "segment_conditions",
    "definition",
];
const SECRET: &[&str] = &[
    "key",
    "token",
    "secret",
    "password",
    "credential",
    "private",
    "vapid",
];
const TEXT_MAX: usize = 500;
const UNNAMED: &str = "(unnamed)";

fn short(s: String) -> String {
    match s.char_indices().nth(TEXT_MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

/// An item from an API object or a CSV row (as strings).
fn item_of(fields: &Map<String, Json>) -> InventoryItem {
    let text = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| fields.get(*k).and_then(cell_text))
            .filter(|s| !s.trim().is_empty())
            .map(short)
    };
    let mut item = InventoryItem {
        id: id_text(fields.get("id")),
        name: text(NAME).unwrap_or_else(|| UNNAMED.into()),
        status: text(STATUS),
        trigger: text(TRIGGER),
        conditions: text(CONDITIONS),
        details: BTreeMap::new(),
    };
    let used: Vec<&str> = ["id"]
        .iter()
        .chain(NAME)
        .chain(STATUS)
        .chain(TRIGGER)
        .chain(CONDITIONS)
        .copied()
        .collect();
    for (k, v) in fields
        .iter()
        .filter(|(k, _)| !used.contains(&k.as_str()))
        .take(12)
    {
        let Some(value) = cell_text(v).filter(|s| !s.trim().is_empty()) else {
            continue;
        };
        let secret = SECRET.iter().any(|s| k.to_ascii_lowercase().contains(s));
        item.details.insert(
            k.clone(),
            if secret {
                "(hidden: capture it by hand)".into()
            } else {
                short(value)
            },
        );
    }
    item
}

impl InventorySection {
    /// Adds `item`, or completes the item of the same name (and id) already listed, as when
    /// the API and the export both describe it.
    fn push(&mut self, item: InventoryItem, max: usize) {
        let same = |i: &&mut InventoryItem| {
            i.name == item.name
                && item.name != UNNAMED
                && (i.id.is_none() || item.id.is_none() || i.id == item.id)
        };
        if let Some(known) = self.items.iter_mut().find(same) {
            known.id = known.id.take().or(item.id);
            known.status = known.status.take().or(item.status);
            known.trigger = known.trigger.take().or(item.trigger);
            known.conditions = known.conditions.take().or(item.conditions);
            for (k, v) in item.details {
                known.details.entry(k).or_insert(v);
            }
        } else if self.items.len() < max {
            self.items.push(item);
        } else {
            self.more += 1;
        }
    }
}

/// Reads every page of `e.path` into `section`; when the endpoint is missing (404) or, being
/// unconfirmed, fails, notes why instead.
pub(super) async fn read_endpoint(
    api: &UsercomApiSource,
    e: &InventoryEndpoint,
    section: &mut InventorySection,
    max: usize,
) -> Result<()> {
    let label = format!(
        "GET {}{}",
        e.path,
        if e.confirmed {
            ""
        } else {
            " (UNCONFIRMED path)"
        }
    );
    let mut url = api.client().url(&e.path);
    let mut n = 0usize;
    loop {
        let page = match api
            .client()
            .get_json(&url)
            .await
            .and_then(|b| api_page(&e.path, b))
        {
            Ok(p) => p,
            Err(err) if !e.confirmed || err.kind() == crm_core::ErrorKind::NotFound => {
                section
                    .sources
                    .push(format!("{label}: not available ({err}); capture by hand"));
                return Ok(());
            }
            Err(err) => return Err(err),
        };
        for r in &page.results {
            section.push(item_of(r), max);
            n += 1;
        }
        match page.next {
            Some(next) => url = next,
            None => break,
        }
    }
    section.sources.push(format!("{label}: {n} items"));
    Ok(())
}

/// Reads a hand-made or exported `<stem>.csv` in `dir`, if present.
pub(super) fn read_csv(
    dir: &Path,
    kind: InventoryKind,
    section: &mut InventorySection,
    max: usize,
) -> Result<()> {
    let path = dir.join(format!("{}.csv", kind.file_stem()));
    if !path.is_file() {
        return Ok(());
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(&path)?;
    let headers: Vec<String> = reader
        .headers()?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let mut n = 0usize;
    for row in reader.records() {
        let row = row?;
        let fields: Map<String, Json> = headers
            .iter()
            .zip(row.iter())
            .filter(|(_, v)| !v.is_empty())
            .map(|(h, v)| (h.clone(), Json::String(v.to_string())))
            .collect();
        section.push(item_of(&fields), max);
        n += 1;
    }
    section.sources.push(format!(
        "{}: {n} items",
        path.file_name()
            .map_or_else(String::new, |f| f.to_string_lossy().into_owned())
    ));
    Ok(())
}

/// Adds the segments named in `users.csv`'s `segments` column, with their member counts
/// (conditions are not in an export).
pub(super) async fn segments_from_users(
    dir: &Path,
    section: &mut InventorySection,
    max: usize,
) -> Result<()> {
    let Ok(src) = UsercomCsvSource::open(dir) else {
        return Ok(());
    };
    if !src
        .columns("users")
        .is_ok_and(|c| c.iter().any(|c| c == "segments"))
    {
        return Ok(());
    }
    let mut members: BTreeMap<String, u64> = BTreeMap::new();
    let mut rows = src.stream("users");
    while let Some(r) = rows.next().await {
        let Some(cell) = r?.text("segments") else {
            continue;
        };
        for name in parse_pg_array(&cell).unwrap_or_default() {
            if members.len() < max || members.contains_key(&name) {
                *members.entry(name).or_default() += 1;
            }
        }
    }
    for (name, n) in &members {
        let found = section.items.iter_mut().find(|i| i.name == *name);
        let item = match found {
            Some(i) => i,
            None => {
                section.push(
                    InventoryItem {
                        name: name.clone(),
                        ..Default::default()
                    },
                    max,
                );
                match section.items.last_mut().filter(|i| i.name == *name) {
                    Some(i) => i,
                    None => continue,
                }
            }
        };
        item.details
            .insert("members in export".into(), n.to_string());
        if item.conditions.is_none() {
            item.details.insert(
                "conditions".into(),
                "not in the export: capture by hand".into(),
            );
        }
    }
    section.sources.push(format!(
        "users.csv `segments` column: {} segments",
        members.len()
    ));
    Ok(())
}
