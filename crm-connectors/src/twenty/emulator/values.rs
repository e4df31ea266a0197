//! Field values: defaults, composite sub-fields, write normalisation (emails, dates, rich text).

use super::model::{FieldDef, ObjectDef};
use serde_json::{json, Map, Value};

/// The sub-fields of each composite type, in the order the server prints them.
pub(super) fn composite_keys(ftype: &str) -> Option<&'static [&'static str]> {
    Some(match ftype {
        "FULL_NAME" => &["firstName", "lastName"],
        "EMAILS" => &["primaryEmail", "additionalEmails"],
        "LINKS" => &["primaryLinkLabel", "primaryLinkUrl", "secondaryLinks"],
        "PHONES" => &[
            "primaryPhoneNumber",
            "primaryPhoneCountryCode",
            "primaryPhoneCallingCode",
            "additionalPhones",
        ],
        "CURRENCY" => &["amountMicros", "currencyCode"],
        "ADDRESS" => &[
            "addressStreet1",
            "addressStreet2",
            "addressCity",
            "addressPostcode",
            "addressState",
            "addressCountry",
            "addressLat",
            "addressLng",
        ],
        // v1.4 calls the type RICH_TEXT_V2, v2.21 RICH_TEXT (live metadata, 2026-11-26).
        "RICH_TEXT_V2" | "RICH_TEXT" => &["blocknote", "markdown"],
        "ACTOR" => &["source", "workspaceMemberId", "name", "context"],
        _ => return None,
    })
}

fn sub_default(key: &str) -> Value {
    match key {
        "additionalEmails" | "secondaryLinks" | "additionalPhones" | "amountMicros"
        | "addressLat" | "addressLng" | "blocknote" | "markdown" | "workspaceMemberId" => {
            Value::Null
        }
        _ => json!(""),
    }
}

/// The value a record gets for a field that was not sent.
pub(super) fn record_default(obj: &ObjectDef, f: &FieldDef) -> Value {
    if let Some(keys) = composite_keys(&f.ftype) {
        if f.ftype == "ACTOR" {
            return json!({"source": "API", "workspaceMemberId": null, "name": "migration-probe", "context": {}});
        }
        return Value::Object(
            keys.iter()
                .map(|k| (k.to_string(), sub_default(k)))
                .collect(),
        );
    }
    match (obj.singular.as_str(), f.name.as_str()) {
        ("workspaceMember", "colorScheme") => return json!("System"),
        ("workspaceMember", "locale") => return json!("en"),
        ("workspaceMember", "timeZone") => return json!("system"),
        ("workspaceMember", "calendarStartDay") => return json!(7),
        _ => {}
    }
    match f.ftype.as_str() {
        "TEXT" => match f.default.as_str() {
            Some(d) if d.len() >= 2 => json!(d.trim_matches('\'')),
            _ => json!(""),
        },
        "BOOLEAN" => json!(false),
        "POSITION" => json!(0),
        "SELECT" => match f.default.as_str() {
            Some(d) => json!(d.trim_matches('\'')),
            None => Value::Null,
        },
        _ => Value::Null,
    }
}

/// Normalise a DATE_TIME value: a date-only value gets midnight UTC, sub-millisecond digits
/// are cut (not rounded), as recorded.
pub(super) fn normalize_date(v: &Value) -> Value {
    let Some(s) = v.as_str() else {
        return v.clone();
    };
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return json!(format!("{}T00:00:00.000Z", d.format("%Y-%m-%d")));
    }
    match chrono::DateTime::parse_from_rfc3339(s) {
        Ok(t) => json!(t
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()),
        Err(_) => v.clone(),
    }
}

/// Merge sent composite sub-fields over `base`, dropping unknown sub-fields (probe 11).
pub(super) fn merge_composite(ftype: &str, base: &Value, sent: &Value) -> Value {
    let Some(keys) = composite_keys(ftype) else {
        return sent.clone();
    };
    let mut out = match base {
        Value::Object(m) => m.clone(),
        _ => Map::new(),
    };
    if let Value::Object(s) = sent {
        for k in keys {
            if let Some(v) = s.get(*k) {
                let v = if *k == "primaryEmail" {
                    v.as_str()
                        .map(|e| json!(e.to_lowercase()))
                        .unwrap_or_else(|| v.clone())
                } else {
                    v.clone()
                };
                out.insert(k.to_string(), v);
            }
        }
    }
    if ftype == "RICH_TEXT_V2" || ftype == "RICH_TEXT" {
        if let Some(md) = out.get("markdown").and_then(Value::as_str) {
            let blocks = markdown_to_blocknote(md);
            out.insert("blocknote".into(), json!(blocks));
        } else if let Some(bn) = out.get("blocknote").and_then(Value::as_str) {
            // v2.21 (probe 06): blocknote alone is accepted and markdown generated from it
            // (`"[]"` → `"\n"`).
            let md = blocknote_to_markdown(bn);
            out.insert("markdown".into(), json!(md));
        }
    }
    Value::Object(out)
}

/// The text of BlockNote blocks as markdown paragraphs, ending with a newline (as the v2.21
/// server answers an empty document with `"\n"`).
fn blocknote_to_markdown(bn: &str) -> String {
    let blocks: Vec<Value> = serde_json::from_str(bn).unwrap_or_default();
    let paragraphs: Vec<String> = blocks
        .iter()
        .map(|b| {
            b.get("content")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|c| c.get("text").and_then(Value::as_str))
                .collect::<String>()
        })
        .collect();
    format!("{}\n", paragraphs.join("\n\n"))
}

/// A small markdown → BlockNote conversion (headings, bullets, paragraphs, bold).
pub(super) fn markdown_to_blocknote(md: &str) -> String {
    let mut blocks = Vec::new();
    for (i, line) in md.split('\n').filter(|l| !l.trim().is_empty()).enumerate() {
        let (kind, text, level) = if let Some(rest) = line.strip_prefix("# ") {
            ("heading", rest, Some(1))
        } else if let Some(rest) = line.strip_prefix("## ") {
            ("heading", rest, Some(2))
        } else if let Some(rest) = line.strip_prefix("- ") {
            ("bulletListItem", rest, None)
        } else {
            ("paragraph", line, None)
        };
        let mut content = Vec::new();
        for (j, part) in text.split("**").enumerate() {
            if part.is_empty() {
                continue;
            }
            let styles = if j % 2 == 1 {
                json!({"bold": true})
            } else {
                json!({})
            };
            content.push(json!({"type": "text", "text": part, "styles": styles}));
        }
        let mut props =
            json!({"textColor": "default", "backgroundColor": "default", "textAlignment": "left"});
        if let (Some(l), Some(p)) = (level, props.as_object_mut()) {
            p.insert("level".into(), json!(l));
        }
        let id = super::model::stable_id(&format!("block:{i}:{line}"));
        blocks.push(
            json!({"id": id, "type": kind, "props": props, "content": content, "children": []}),
        );
    }
    Value::Array(blocks).to_string()
}

/// A rough tsvector of the record's searchable text, for the `searchVector` field.
pub(super) fn search_vector(record: &Map<String, Value>) -> Value {
    let mut words: Vec<String> = Vec::new();
    for key in ["name", "title", "emails", "jobTitle", "userEmail"] {
        match record.get(key) {
            Some(Value::String(s)) => words.extend(s.split_whitespace().map(str::to_lowercase)),
            Some(Value::Object(m)) => {
                for k in ["firstName", "lastName", "primaryEmail"] {
                    if let Some(s) = m.get(k).and_then(Value::as_str) {
                        words.extend(s.split_whitespace().map(str::to_lowercase));
                    }
                }
            }
            _ => {}
        }
    }
    let parts: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, w)| format!("'{w}':{}", i + 1))
        .collect();
    json!(parts.join(" "))
}

/// The word the v2.21 validators use for a composite type in "Invalid subfield … for X field".
fn composite_word(ftype: &str) -> Option<&'static str> {
    Some(match ftype {
        "FULL_NAME" => "full name",
        "EMAILS" => "emails",
        "LINKS" => "links",
        "PHONES" => "phones",
        "CURRENCY" => "currency",
        "ADDRESS" => "address",
        "ACTOR" => "actor",
        _ => return None,
    })
}

/// Zod's `unicodeEmail` pattern (`/^[^\s@"]{1,64}@[^\s@]{1,255}$/u`) with Twenty's 255 cap:
/// non-ASCII is accepted (probe 05: `zoë@exämple.com`).
fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let ok = |part: &str, max: usize, quote_ok: bool| {
        let n = part.chars().count();
        (1..=max).contains(&n)
            && part
                .chars()
                .all(|c| !c.is_whitespace() && c != '@' && (quote_ok || c != '"'))
    };
    s.chars().count() <= 255 && ok(local, 64, false) && ok(domain, 255, true)
}

/// Node's `util.inspect` of a short string (single quotes unless it holds one).
fn inspect(s: &str) -> String {
    if s.contains('\'') {
        format!("\"{s}\"")
    } else {
        format!("'{s}'")
    }
}

/// The v2.21 args validators (`data-arg-processor/validator-utils/`): unknown composite
/// sub-fields, invalid emails (primary and additional), select and multi-select values outside
/// the options. One refusal fails the whole request (probes 03 and 05).
pub(super) fn validate_v2(f: &FieldDef, v: &Value) -> Result<(), String> {
    if let (Some(keys), Some(word), Value::Object(sent)) =
        (composite_keys(&f.ftype), composite_word(&f.ftype), v)
    {
        if let Some(k) = sent.keys().find(|k| !keys.contains(&k.as_str())) {
            return Err(format!(
                "Invalid subfield {k} for {word} field \"{}\"",
                f.name
            ));
        }
    }
    if f.ftype == "EMAILS" {
        let bad = |e: &str, sub: &str| {
            format!(
                "Invalid string value {} for email field \"{}.{sub}\"",
                inspect(e),
                f.name
            )
        };
        if let Some(p) = v.get("primaryEmail").and_then(Value::as_str) {
            if !p.is_empty() && !valid_email(p) {
                return Err(bad(p, "primaryEmail"));
            }
        }
        for e in v
            .get("additionalEmails")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !e.is_empty() && !valid_email(e) {
                return Err(bad(e, "additionalEmails"));
            }
        }
    }
    let options = f.option_values();
    match (f.ftype.as_str(), v) {
        ("SELECT", Value::String(s)) if !options.contains(s) => Err(format!(
            "Invalid value \"{s}\" for field \"{}\". Valid values are: {}",
            f.name,
            options.join(", ")
        )),
        ("MULTI_SELECT", Value::Array(items))
            if items
                .iter()
                .filter_map(Value::as_str)
                .any(|s| !options.iter().any(|o| o == s)) =>
        {
            let shown: Vec<String> = items
                .iter()
                .map(|i| i.as_str().map(inspect).unwrap_or_else(|| i.to_string()))
                .collect();
            Err(format!(
                "Invalid value [ {} ] for multi select field \"{}\"",
                shown.join(", "),
                f.name
            ))
        }
        _ => Ok(()),
    }
}
