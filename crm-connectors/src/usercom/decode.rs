//! Wire formats to raw records: the API's list envelope, and the sub-records flattened into
//! a CSV cell. Nothing here normalises a value; the mapping does that.

use crm_core::{Error, ErrorKind, RawRecord, Result, SourceKey};
use crm_transform::normalise::parse_pg_array;
use serde_json::{Map, Value as Json};

use super::config::{CellFormat, Subrecords, USERCOM_SCHEME};

/// One decoded list page: its results and the `next` URL.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiPage {
    pub(crate) results: Vec<Map<String, Json>>,
    pub(crate) next: Option<String>,
}

/// Reads a list answer: the documented envelope `{count, next, previous, results}`, or a bare
/// JSON array (a single page). Results that are not objects are an error naming the object.
pub(crate) fn api_page(object: &str, body: Json) -> Result<ApiPage> {
    let (results, next) = match body {
        Json::Object(mut m) => {
            let next = match m.remove("next") {
                Some(Json::String(s)) if !s.trim().is_empty() => Some(s),
                _ => None,
            };
            match m.remove("results") {
                Some(Json::Array(items)) => (items, next),
                _ => {
                    return Err(Error::new(
                        ErrorKind::Unexpected,
                        "User.com list answer has no `results` array",
                    )
                    .with_object(object))
                }
            }
        }
        Json::Array(items) => (items, None),
        other => {
            return Err(Error::new(
                ErrorKind::Unexpected,
                format!("User.com list answer is not an object but {}", kind(&other)),
            )
            .with_object(object))
        }
    };
    let mut out = Vec::with_capacity(results.len());
    for item in results {
        match item {
            Json::Object(m) => out.push(m),
            other => {
                return Err(Error::new(
                    ErrorKind::Unexpected,
                    format!("User.com list item is {}, not an object", kind(&other)),
                )
                .with_object(object))
            }
        }
    }
    Ok(ApiPage { results: out, next })
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// An API id (number or string) as key text.
pub(crate) fn id_text(v: Option<&Json>) -> Option<String> {
    match v? {
        Json::Number(n) => Some(n.to_string()),
        Json::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// An API record as a raw record of `object`: fields as the API sent them. A record without
/// an id gets `<fallback>` (its parent and position), so nothing is dropped.
pub(crate) fn api_record(object: &str, fields: Map<String, Json>, fallback: String) -> RawRecord {
    let id = id_text(fields.get("id")).unwrap_or(fallback);
    RawRecord {
        key: SourceKey::new(USERCOM_SCHEME, object, id),
        fields,
    }
}

/// A JSON value as the text a CSV cell would hold: strings as they are, numbers and
/// booleans printed, objects and arrays as JSON; `None` for null.
pub(crate) fn cell_text(v: &Json) -> Option<String> {
    match v {
        Json::Null => None,
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

/// What went wrong unpacking one cell; the parent row is still read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CellProblem {
    pub(crate) parent_id: String,
    pub(crate) why: String,
}

/// The sub-records `sub` describes in one parent row. A cell that does not parse yields no
/// sub-records and a [`CellProblem`] (the parent row keeps the cell as it was).
pub(crate) fn subrecords(
    sub: &Subrecords,
    parent: &RawRecord,
) -> (Vec<RawRecord>, Option<CellProblem>) {
    let parent_id = parent.key.id.clone();
    let Some(cell) = parent.text(&sub.column).filter(|c| !c.trim().is_empty()) else {
        return (Vec::new(), None);
    };
    let problem = |why: String| {
        Some(CellProblem {
            parent_id: parent_id.clone(),
            why,
        })
    };
    let key = |id: String| SourceKey::new(USERCOM_SCHEME, &sub.object, id);
    let mut out = Vec::new();
    match sub.format {
        CellFormat::PgArray => match parse_pg_array(&cell) {
            Ok(items) => {
                for (n, item) in items.into_iter().enumerate() {
                    let mut fields = Map::new();
                    fields.insert(sub.parent_field.clone(), Json::String(parent_id.clone()));
                    fields.insert(sub.value_field.clone(), Json::String(item));
                    out.push(RawRecord {
                        key: key(format!("{parent_id}:{}", n + 1)),
                        fields,
                    });
                }
            }
            Err(e) => return (out, problem(e.to_string())),
        },
        CellFormat::JsonArray => match serde_json::from_str::<Json>(&cell) {
            Ok(Json::Array(items)) => {
                for (n, item) in items.into_iter().enumerate() {
                    let mut fields = Map::new();
                    fields.insert(sub.parent_field.clone(), Json::String(parent_id.clone()));
                    let own_id = match &item {
                        Json::Object(m) => sub.key_field.as_ref().and_then(|k| id_text(m.get(k))),
                        _ => None,
                    };
                    match item {
                        Json::Object(m) => {
                            for (k, v) in m {
                                if let Some(t) = cell_text(&v) {
                                    fields.entry(k).or_insert(Json::String(t));
                                }
                            }
                        }
                        other => {
                            if let Some(t) = cell_text(&other) {
                                fields.insert(sub.value_field.clone(), Json::String(t));
                            }
                        }
                    }
                    let id = own_id.unwrap_or_else(|| format!("{parent_id}:{}", n + 1));
                    out.push(RawRecord {
                        key: key(id),
                        fields,
                    });
                }
            }
            Ok(_) => return (out, problem("the cell is JSON but not an array".into())),
            Err(e) => return (out, problem(format!("the cell is not JSON: {e}"))),
        },
    }
    (out, None)
}
