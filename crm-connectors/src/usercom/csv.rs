//! [`UsercomCsvSource`]: a User.com CSV export directory, read through the generic
//! [`CsvSource`], plus the sub-records the export flattens into cells.

use std::collections::BTreeMap;
use std::path::Path;

use async_trait::async_trait;
use crm_core::{Error, ErrorKind, Page, RawRecord, Result, Source};

use super::attributes::ATTRIBUTES_OBJECT;
use super::columns::{documented_columns, documented_name};
use super::config::{UsercomCsvConfig, EXPORT_OBJECTS, USERCOM_SCHEME};
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
///
/// An export need not hold every file: an object whose file is missing has no records
/// (it is not offered by [`Source::objects`], and reading it gives an empty page). Headers
/// are matched to User.com's documented column names case- and space-insensitively
/// (`Email`, ` first_name `); other columns (custom attributes) keep their spelling,
/// trimmed. Every file present is opened and its header read when the source is opened,
/// so an unreadable file fails before anything is written anywhere.
#[derive(Debug)]
pub struct UsercomCsvSource {
    inner: CsvSource,
    config: UsercomCsvConfig,
    /// Object → the inner source's object (the file stem as found on disk).
    stems: BTreeMap<String, String>,
    /// Object → (header as in the file → documented name), for headers spelt otherwise.
    renames: BTreeMap<String, BTreeMap<String, String>>,
    /// Objects whose file is there but blank (no header): no records.
    empty: Vec<String>,
}

impl UsercomCsvSource {
    /// Opens an export directory with the default file names and id columns.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(dir, UsercomCsvConfig::default())
    }

    /// Opens an export directory with `config`. Objects whose file is missing are not
    /// offered and read as empty. Every file present is opened and its header read now: an
    /// unreadable file, or a configured id column missing from its file, fails here.
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
        let mut wanted: Vec<(String, String)> = config
            .files
            .iter()
            .map(|(o, f)| (o.clone(), f.clone()))
            .collect();
        if !config.files.contains_key(ATTRIBUTES_OBJECT) {
            wanted.push((ATTRIBUTES_OBJECT.into(), format!("{ATTRIBUTES_OBJECT}.csv")));
        }
        for (object, file) in &wanted {
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
        // A file with nothing in it (not even a header) holds no records: like a missing one.
        let mut empty = Vec::new();
        let mut blank_stems = Vec::new();
        stems.retain(|object, stem| {
            let blank = inner
                .file_info(stem)
                .is_some_and(|i| is_blank(i.decoded_copy.as_ref().unwrap_or(&i.path)));
            if blank {
                empty.push(object.clone());
                blank_stems.push(stem.clone());
            }
            !blank
        });
        for stem in blank_stems {
            inner = inner.without(&stem);
        }
        for (object, stem) in &stems {
            if let Some(col) = config.id_columns.get(object) {
                inner = inner.with_id_column(stem, col);
            }
        }
        // Every file present is read up to its header now, not half-way through a run.
        let mut renames = BTreeMap::new();
        for (object, stem) in &stems {
            let headers = inner
                .columns(stem)
                .map_err(|e| e.with_connector(USERCOM_SCHEME).with_object(object))?;
            let mut map = BTreeMap::new();
            for h in &headers {
                if let Some(name) = documented_name(object, h) {
                    let clash = headers.iter().any(|o| o == name);
                    if h != name && !clash {
                        map.insert(h.clone(), name.to_string());
                    }
                }
            }
            if !map.is_empty() {
                renames.insert(object.clone(), map);
            }
        }
        Ok(Self {
            inner,
            config,
            stems,
            renames,
            empty,
        })
    }

    /// Whether the export holds a file for `object`.
    pub fn has_file(&self, object: &str) -> bool {
        self.stems.contains_key(object)
    }

    /// What a person should know about this export before mapping it: the objects it has
    /// no file for (no records), files that are no User.com object, and columns User.com
    /// does not document (custom attributes, or unknown columns), per file.
    pub fn export_notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        for object in EXPORT_OBJECTS {
            if self.empty.iter().any(|e| e == object) {
                notes.push(format!("{object}: its file is empty; it has no records"));
            } else if !self.has_file(object) {
                let file = self
                    .config
                    .files
                    .get(*object)
                    .map_or_else(|| format!("{object}.csv"), Clone::clone);
                notes.push(format!(
                    "{object}: not in this export (no {file}); it has no records"
                ));
            }
        }
        if !self.has_file(ATTRIBUTES_OBJECT) {
            notes.push(format!(
                "{ATTRIBUTES_OBJECT}: not in this export; custom attribute types come from their values"
            ));
        }
        let known: Vec<String> = self
            .stems
            .values()
            .cloned()
            .chain(self.empty.iter().map(|o| {
                self.config
                    .files
                    .get(o)
                    .map_or(o.as_str(), |f| {
                        f.rsplit_once('.').map_or(f.as_str(), |(s, _)| s)
                    })
                    .to_string()
            }))
            .collect();
        let mut extra: Vec<String> = Vec::new();
        if let Ok(entries) = std::fs::read_dir(self.inner.dir()) {
            for e in entries.filter_map(|e| e.ok()) {
                let p = e.path();
                let Some(stem) = p.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
                    continue;
                };
                let known_file = known.iter().any(|k| k.eq_ignore_ascii_case(&stem));
                if self.inner.file_info(&stem).is_some() && !known_file {
                    extra.push(e.file_name().to_string_lossy().into_owned());
                }
            }
        }
        extra.sort();
        for f in extra {
            notes.push(format!(
                "{f}: not a User.com export object; not read (rename it or configure it with UsercomCsvConfig::with_file to read it)"
            ));
        }
        for (object, stem) in &self.stems {
            let Ok(headers) = self.inner.columns(stem) else {
                continue;
            };
            if documented_columns(object).is_empty() {
                continue;
            }
            let other: Vec<&str> = headers
                .iter()
                .filter(|h| documented_name(object, h).is_none())
                .map(String::as_str)
                .collect();
            if !other.is_empty() {
                notes.push(format!(
                    "{object}: columns User.com does not document (custom attributes, or unknown): {}",
                    other.join(", ")
                ));
            }
        }
        notes
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

    /// `object`'s column names as its records carry them (documented names in their
    /// documented spelling); empty when the export has no file for it.
    pub fn columns(&self, object: &str) -> Result<Vec<String>> {
        let Some(stem) = self.stems.get(object) else {
            return Ok(Vec::new());
        };
        let renames = self.renames.get(object);
        Ok(self
            .inner
            .columns(stem)?
            .into_iter()
            .map(|h| renames.and_then(|m| m.get(&h)).cloned().unwrap_or(h))
            .collect())
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

    /// Whether `object` is one this source knows (an export object, the attribute schema,
    /// or a configured file), so that a missing file means "no records", not an error.
    fn known(&self, object: &str) -> bool {
        self.config.files.contains_key(object)
            || object == ATTRIBUTES_OBJECT
            || EXPORT_OBJECTS.contains(&object)
    }

    async fn read_file_page(
        &self,
        object: &str,
        cursor: Option<String>,
    ) -> Result<Page<RawRecord>> {
        if !self.stems.contains_key(object) && self.known(object) {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        }
        let stem = self.stem(object)?;
        let mut page = self
            .inner
            .read_page(stem, cursor)
            .await
            .map_err(|e| e.with_connector(USERCOM_SCHEME).with_object(object))?;
        let renames = self.renames.get(object);
        for r in &mut page.items {
            r.key.object = object.to_string();
            if let Some(map) = renames {
                for (from, to) in map {
                    if let Some(v) = r.fields.remove(from) {
                        r.fields.insert(to.clone(), v);
                    }
                }
            }
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
        // A damaged parent row's cells may have shifted: nothing is unpacked from it (the
        // row itself is a reject naming its line).
        for row in parent.items.iter().filter(|r| r.damage().is_none()) {
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

/// Whether a (small) file holds nothing but a byte-order mark and white space; a file of
/// more than 4 KiB is never blank, and is not read here.
fn is_blank(path: &Path) -> bool {
    use std::io::Read;
    const MAX: u64 = 4096;
    if std::fs::metadata(path).map_or(true, |m| m.len() > MAX) {
        return false;
    }
    let mut bytes = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(MAX).read_to_end(&mut bytes));
    read.is_ok()
        && String::from_utf8_lossy(&bytes)
            .trim_start_matches('\u{feff}')
            .trim()
            .is_empty()
}
