//! [`MemorySource`]: canonical records held in memory, served in pages.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::connector::{Page, RawRecord, Source};
use crate::model::Record;
use crate::{Error, ErrorKind, Result};

/// A source holding records in memory; each canonical record is served as a raw record of
/// the source object named by its `object` (read it with [`crate::CanonicalMapper`]).
#[derive(Debug)]
pub struct MemorySource {
    system: String,
    objects: BTreeMap<String, Vec<RawRecord>>,
    page_size: usize,
    fail_pages: Mutex<Vec<(String, usize)>>,
}

impl MemorySource {
    /// A source named `system` with `records`.
    pub fn new(system: impl Into<String>, records: impl IntoIterator<Item = Record>) -> Self {
        let mut objects: BTreeMap<String, Vec<RawRecord>> = BTreeMap::new();
        for r in records {
            objects
                .entry(r.object.clone())
                .or_default()
                .push(RawRecord::from_record(&r));
        }
        Self {
            system: system.into(),
            objects,
            page_size: 100,
            fail_pages: Mutex::new(Vec::new()),
        }
    }

    /// Adds raw records of a source object (for mappers other than the canonical one).
    pub fn with_raw(mut self, object: impl Into<String>, records: Vec<RawRecord>) -> Self {
        self.objects
            .entry(object.into())
            .or_default()
            .extend(records);
        self
    }

    /// Sets the page size.
    pub fn page_size(mut self, n: usize) -> Self {
        self.page_size = n.max(1);
        self
    }

    /// Makes the read of page `page` (0-based) of `object` fail once with a transport error.
    pub fn fail_page_once(&self, object: &str, page: usize) {
        self.fail_pages
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((object.to_string(), page));
    }
}

#[async_trait]
impl Source for MemorySource {
    fn system(&self) -> &str {
        &self.system
    }

    async fn objects(&self) -> Result<Vec<String>> {
        Ok(self.objects.keys().cloned().collect())
    }

    async fn read_page(&self, object: &str, cursor: Option<String>) -> Result<Page<RawRecord>> {
        let start: usize = match cursor {
            None => 0,
            Some(c) => c
                .parse()
                .map_err(|_| Error::config(format!("bad cursor {c:?}")))?,
        };
        let page_no = start / self.page_size;
        {
            let mut fails = self.fail_pages.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(i) = fails.iter().position(|(o, p)| o == object && *p == page_no) {
                fails.remove(i);
                return Err(Error::new(ErrorKind::Transport, "scripted read failure"));
            }
        }
        let all = self.objects.get(object).map(Vec::as_slice).unwrap_or(&[]);
        let end = (start + self.page_size).min(all.len());
        let items = all.get(start..end).unwrap_or(&[]).to_vec();
        Ok(Page {
            items,
            next: (end < all.len()).then(|| end.to_string()),
        })
    }
}
