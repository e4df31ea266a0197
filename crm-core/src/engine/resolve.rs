//! Resolving [`Ref`]s to destination ids: through the id map, the content index, and
//! finally the destination itself.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::connector::{Lookup, Sink};
use crate::journal::Journal;
use crate::model::{fields as f, RecordId, Ref};
use crate::Result;

/// The destination field that holds a content match of `kind` on `object`.
pub(crate) fn lookup_field(object: &str, kind: &str) -> String {
    match (object, kind) {
        (f::USER, "email") => f::EMAIL.to_string(),
        (_, "email") => f::EMAILS.to_string(),
        (_, "domain") => f::DOMAIN.to_string(),
        _ => f::NAME.to_string(),
    }
}

/// The content-index entries a written record contributes: `("email", …)` for every
/// email, `("domain", …)` for its domains, `("name", …)` for its name.
pub(crate) fn index_entries(fields: &crate::model::Fields) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, kind) in [
        (f::EMAILS, "email"),
        (f::EMAIL, "email"),
        (f::DOMAIN, "domain"),
        (f::NAME, "name"),
    ] {
        if let Some(v) = fields.get(name) {
            for m in crate::descriptor::match_values(v) {
                out.push((kind.to_string(), m));
            }
        }
    }
    out
}

/// What a reference resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// One record.
    Found(RecordId),
    /// Several records hold the value; this is the first.
    Ambiguous(RecordId),
    /// Nothing.
    Missing,
}

impl Resolution {
    /// The record, taking the first of several when `take_first`.
    pub(crate) fn pick(self, take_first: bool) -> Option<RecordId> {
        match self {
            Resolution::Found(id) => Some(id),
            Resolution::Ambiguous(id) if take_first => Some(id),
            _ => None,
        }
    }
}

/// Resolves references, caching misses found by asking the destination (bounded).
pub(crate) struct Resolver<'a> {
    journal: &'a dyn Journal,
    sink: &'a dyn Sink,
    misses: Mutex<HashMap<(String, String, String), ()>>,
}

const MISS_CACHE: usize = 50_000;

impl<'a> Resolver<'a> {
    pub(crate) fn new(journal: &'a dyn Journal, sink: &'a dyn Sink) -> Self {
        Self {
            journal,
            sink,
            misses: Mutex::new(HashMap::new()),
        }
    }

    /// The destination record `r` points at, taking the first of several matches.
    pub(crate) async fn resolve(&self, r: &Ref) -> Result<Option<RecordId>> {
        Ok(self.resolve_exactly(r).await?.pick(true))
    }

    /// The destination record(s) `r` points at.
    pub(crate) async fn resolve_exactly(&self, r: &Ref) -> Result<Resolution> {
        Ok(match self.lookup(r).await? {
            Some((id, true)) => Resolution::Ambiguous(id),
            Some((id, false)) => Resolution::Found(id),
            None => Resolution::Missing,
        })
    }

    async fn lookup(&self, r: &Ref) -> Result<Option<(RecordId, bool)>> {
        match r {
            Ref::ExternalId { object, id } => Ok(Some((RecordId::new(object, id), false))),
            Ref::Key { key, .. } => Ok(self
                .journal
                .dest_of(key)?
                .map(|(object, id)| (RecordId::new(object, id), false))),
            _ => {
                let object = r.object().to_string();
                let Some((kind, value)) = r.match_value() else {
                    return Ok(None);
                };
                if value.is_empty() {
                    return Ok(None);
                }
                if let Some((id, ambiguous)) = self.journal.find_ref(&object, kind, &value)? {
                    return Ok(Some((RecordId::new(object, id), ambiguous)));
                }
                let cache_key = (object.clone(), kind.to_string(), value.clone());
                if self.misses().contains_key(&cache_key) {
                    return Ok(None);
                }
                let found = self
                    .sink
                    .lookup(
                        &object,
                        &[Lookup::Field {
                            field: lookup_field(&object, kind),
                            value: value.clone(),
                        }],
                    )
                    .await?
                    .into_iter()
                    .next()
                    .flatten();
                match found {
                    Some(id) => {
                        self.journal.remember_ref(&object, kind, &value, &id)?;
                        Ok(Some((RecordId::new(object, id), false)))
                    }
                    None => {
                        let mut m = self.misses();
                        if m.len() >= MISS_CACHE {
                            m.clear();
                        }
                        m.insert(cache_key, ());
                        Ok(None)
                    }
                }
            }
        }
    }

    fn misses(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String, String), ()>> {
        self.misses.lock().unwrap_or_else(|p| p.into_inner())
    }
}
