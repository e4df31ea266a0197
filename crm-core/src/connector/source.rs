//! [`Source`]: reads a platform's records page by page.

use async_trait::async_trait;
use futures::stream::{self, BoxStream, StreamExt};
use serde::{Deserialize, Serialize};

use crate::model::{Record, SourceKey};
use crate::Result;

/// A record as the source gives it: its key and its fields as JSON values, before any
/// normalisation or mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawRecord {
    /// Identity in the source.
    pub key: SourceKey,
    /// Field name → raw value (CSV cells arrive as strings).
    pub fields: serde_json::Map<String, serde_json::Value>,
}

/// The field a source sets on a row it could not read whole (a short or long row, an
/// unterminated quote, invalid bytes): its value says what is wrong, with file and line.
/// The engine turns such a row into a reject before mapping it, so nothing is loaded from
/// cells that may have shifted.
pub const DAMAGED_FIELD: &str = "@damaged";

impl RawRecord {
    /// A row that could not be read whole: it will become a reject with `reason` (which
    /// names the file and line). `fields` holds whatever cells were read, for the report.
    pub fn damaged(
        key: SourceKey,
        mut fields: serde_json::Map<String, serde_json::Value>,
        reason: impl Into<String>,
    ) -> Self {
        fields.insert(
            DAMAGED_FIELD.into(),
            serde_json::Value::String(reason.into()),
        );
        Self { key, fields }
    }

    /// What is wrong with this row, if the source could not read it whole.
    pub fn damage(&self) -> Option<&str> {
        self.fields.get(DAMAGED_FIELD).and_then(|v| v.as_str())
    }

    /// Wraps a canonical record so a source of canonical data (the memory source, JSONL
    /// staging files) can travel the same path; [`super::CanonicalMapper`] unwraps it.
    pub fn from_record(record: &Record) -> Self {
        let mut fields = serde_json::Map::new();
        if let Ok(serde_json::Value::Object(m)) = serde_json::to_value(record) {
            fields = m;
        }
        Self {
            key: record.key.clone(),
            fields,
        }
    }

    /// A raw field as text, if it is a string or a number.
    pub fn text(&self, name: &str) -> Option<String> {
        match self.fields.get(name)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

/// One page of a listing and the cursor of the next, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Opaque cursor of the next page; `None` on the last page.
    pub next: Option<String>,
}

/// A platform to read from.
///
/// A source implements one primitive, [`Source::read_page`]; [`SourceExt::stream`] turns it
/// into a stream, so the engine holds one page in memory at a time.
#[async_trait]
pub trait Source: Send + Sync {
    /// The platform id that goes into every [`SourceKey::system`] (`usercom`, …).
    fn system(&self) -> &str;

    /// The objects this source can read (`users`, `companies`, …).
    async fn objects(&self) -> Result<Vec<String>>;

    /// Reads one page of `object` starting at `cursor` (`None` for the first page).
    async fn read_page(&self, object: &str, cursor: Option<String>) -> Result<Page<RawRecord>>;
}

/// Conveniences over any [`Source`]; implemented for all of them, not to be implemented.
pub trait SourceExt: Source {
    /// All records of `object`, page by page.
    fn stream<'a>(&'a self, object: &'a str) -> BoxStream<'a, Result<RawRecord>> {
        enum State {
            Start,
            Next(String),
            Done,
        }
        stream::unfold(State::Start, move |state| async move {
            let cursor = match state {
                State::Start => None,
                State::Next(c) => Some(c),
                State::Done => return None,
            };
            match self.read_page(object, cursor).await {
                Ok(page) => {
                    let next = match page.next {
                        Some(c) => State::Next(c),
                        None => State::Done,
                    };
                    let items: Vec<Result<RawRecord>> = page.items.into_iter().map(Ok).collect();
                    Some((stream::iter(items), next))
                }
                Err(e) => Some((stream::iter(vec![Err(e)]), State::Done)),
            }
        })
        .flatten()
        .boxed()
    }
}

impl<T: Source + ?Sized> SourceExt for T {}
