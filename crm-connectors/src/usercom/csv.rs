//! [`UsercomCsvSource`]: a User.com CSV export directory, read through the generic
//! [`CsvSource`], plus the sub-records the export flattens into cells.

use std::collections::BTreeMap;
use std::path::Path;

use async_trait::async_trait;
use crm_core::{Error, ErrorKind, Page, RawRecord, Result, Source};

use super::config::{UsercomCsvConfig, USERCOM_SCHEME};
use super::decode::subrecords;
use crate::csv::{CsvFileInfo, CsvSource};

/// Reads a directory of User.com export files, one CSV per object.
///
/// Cells are passed on exactly as exported (raw strings: `t`/`f`, `{a,"b, c"}`,
/// `2021-03-04 10:11:12.123456+00`, JSON text); empty cells are left out, as in
/// [`CsvSource`]. What the mapping cannot do from one row, this source adds: derived objects
/// whose records are flattened into a cell ([`super::Subrecords`]; by default the chat
/// messages in `conversations.transcript` and the company memberships in
/// `users.companies`). Their pages follow their parent's pages, so memory stays one page.
#[derive(Debug)]
pub struct UsercomCsvSource {
    inner: CsvSource,
    config: UsercomCsvConfig,
    /// Object → the inner source's object (the file stem as found on disk).
    stems: BTreeMap<String, String>,
}

impl UsercomCsvSource {
    /// Opens an export directory with the default file names and id columns.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(dir, UsercomCsvConfig::default())
    }

    /// Opens an export directory with `config`. Objects whose file is missing are simply not
    /// offered; a configured id column missing from its file fails when the object is read.
    pub fn open_with(dir: impl AsRef<Path>, config: UsercomCsvConfig) -> Result<Self> {
        let dir = dir.as_ref();
        let mut inner = CsvSource::open(dir, USERCOM_SCHEME)?;
        // The inner source's objects are the file stems; list them to match names
        // case-insensitively (`Users.CSV`).
        let found: Vec<String> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let p = e.path();
                let stem = p.file_stem()?.to_string_lossy().into_owned();
                inner.file_info(&stem).is_some().then_some(stem)
            })
            .collect();
        let mut stems = BTreeMap::new();
        for (object, file) in &config.files {
            let stem = file
                .rsplit_once('.')
                .filter(|(_, ext)| ext.eq_ignore_ascii_case("csv"))
                .map_or(file.as_str(), |(s, _)| s);
            let on_disk = found
                .iter()
                .find(|f| *f == stem)
                .or_else(|| found.iter().find(|f| f.eq_ignore_ascii_case(stem)));
            if let Some(on_disk) = on_disk {
                stems.insert(object.clone(), on_disk.clone());
            }
        }
        for (object, stem) in &stems {
            if let Some(col) = config.id_columns.get(object) {
                inner = inner.with_id_column(stem, col);
            }
        }
        Ok(Self {
            inner,
            config,
            stems,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &UsercomCsvConfig {
        &self.config
    }

    /// The generic CSV source underneath (encodings, columns of each file).
    pub fn csv(&self) -> &CsvSource {
        &self.inner
    }

    /// What was found out about `object`'s file (path, encoding).
    pub fn file_info(&self, object: &str) -> Option<&CsvFileInfo> {
        self.inner.file_info(self.stems.get(object)?)
    }

    /// `object`'s column names.
    pub fn columns(&self, object: &str) -> Result<Vec<String>> {
        self.inner.columns(self.stem(object)?)
    }

    fn stem(&self, object: &str) -> Result<&str> {
        self.stems.get(object).map(String::as_str).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!(
                    "the User.com export in {} has no file for {object} (expected {})",
                    self.inner.dir().display(),
                    self.config
                        .files
                        .get(object)
                        .map_or_else(|| format!("{object}.csv"), Clone::clone)
                ),
            )
            .with_object(object)
            .with_connector(USERCOM_SCHEME)
        })
    }

    async fn read_file_page(
        &self,
        object: &str,
        cursor: Option<String>,
    ) -> Result<Page<RawRecord>> {
        let stem = self.stem(object)?;
        let mut page = self
            .inner
            .read_page(stem, cursor)
            .await
            .map_err(|e| e.with_connector(USERCOM_SCHEME).with_object(object))?;
        for r in &mut page.items {
            r.key.object = object.to_string();
        }
        Ok(page)
    }
}

#[async_trait]
impl Source for UsercomCsvSource {
    fn system(&self) -> &str {
        USERCOM_SCHEME
    }

    async fn objects(&self) -> Result<Vec<String>> {
        let mut out: Vec<String> = self
            .config
            .files
            .keys()
            .filter(|o| self.stems.contains_key(*o))
            .cloned()
            .collect();
        for sub in &self.config.subrecords {
            if self.stems.contains_key(&sub.parent) && !out.contains(&sub.object) {
                out.push(sub.object.clone());
            }
        }
        Ok(out)
    }

    async fn read_page(&self, object: &str, cursor: Option<String>) -> Result<Page<RawRecord>> {
        let Some(sub) = self.config.subrecords.iter().find(|s| s.object == object) else {
            return self.read_file_page(object, cursor).await;
        };
        // A derived object's page is its parent's page unpacked; the cursor is the parent's.
        let parent = self.read_file_page(&sub.parent, cursor).await?;
        let mut items = Vec::new();
        for row in &parent.items {
            let (found, problem) = subrecords(sub, row);
            if let Some(p) = problem {
                tracing::warn!(object = %sub.object, parent = %sub.parent, parent_id = %p.parent_id, column = %sub.column, error = %p.why, "Cell not unpacked; the parent row keeps it as it was.");
            }
            items.extend(found);
        }
        Ok(Page {
            items,
            next: parent.next,
        })
    }
}
