//! [`CanonicalSource`]: streams `<object>.jsonl` files page by page.

use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use crm_core::{Error, Page, RawRecord, Record, Result, Source};

/// Platform id of the canonical staging format.
pub const CANONICAL_SCHEME: &str = "canonical";

const PAGE: usize = 500;

/// Reads canonical JSON Lines files from a directory. Memory use is one page, whatever the
/// file size: the cursor is the byte offset of the next line.
#[derive(Debug, Clone)]
pub struct CanonicalSource {
    dir: PathBuf,
}

impl CanonicalSource {
    /// A source over `dir`; fails if it is not a directory.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        if !dir.is_dir() {
            return Err(Error::config(format!(
                "{} is not a directory",
                dir.display()
            )));
        }
        Ok(Self { dir })
    }
}

#[async_trait]
impl Source for CanonicalSource {
    fn system(&self) -> &str {
        CANONICAL_SCHEME
    }

    async fn objects(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "jsonl") {
                if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                    out.push(stem.to_string());
                }
            }
        }
        out.sort();
        Ok(out)
    }

    async fn read_page(&self, object: &str, cursor: Option<String>) -> Result<Page<RawRecord>> {
        let path = self.dir.join(format!("{object}.jsonl"));
        if !path.exists() {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        }
        let start: u64 = match cursor {
            Some(c) => c
                .parse()
                .map_err(|_| Error::config(format!("bad cursor {c:?}")))?,
            None => 0,
        };
        let mut file = std::fs::File::open(&path)?;
        file.seek(SeekFrom::Start(start))?;
        let mut reader = BufReader::new(file);
        let mut offset = start;
        let mut items = Vec::with_capacity(PAGE);
        let mut line = String::new();
        while items.len() < PAGE {
            line.clear();
            let n = reader.read_line(&mut line)?;
            if n == 0 {
                return Ok(Page { items, next: None });
            }
            let line_no = offset;
            offset += n as u64;
            let text = line.trim();
            if text.is_empty() {
                continue;
            }
            items.push(match serde_json::from_str::<Record>(text) {
                Ok(r) => RawRecord::from_record(&r),
                // A bad line still becomes a record, so the mapper rejects it with its
                // position instead of it vanishing.
                Err(e) => {
                    let mut fields = serde_json::Map::new();
                    fields.insert("object".into(), serde_json::Value::String(object.into()));
                    fields.insert("error".into(), serde_json::Value::String(e.to_string()));
                    RawRecord {
                        key: crm_core::SourceKey::new(
                            CANONICAL_SCHEME,
                            object,
                            format!("byte-{line_no}"),
                        ),
                        fields,
                    }
                }
            });
        }
        Ok(Page {
            items,
            next: Some(offset.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_core::{CanonicalMapper, Mapped, RecordMapper, Route, SourceExt, SourceKey};
    use futures::StreamExt;

    #[tokio::test]
    async fn streams_records_and_turns_bad_lines_into_rejects() {
        let dir = tempfile::tempdir().unwrap();
        let mut body = String::new();
        for i in 0..1203 {
            let r = Record::new("person", SourceKey::new("x", "people", i.to_string()))
                .with("first_name", "A");
            body.push_str(&serde_json::to_string(&r).unwrap());
            body.push('\n');
            if i == 600 {
                body.push_str("{not json\n\n");
            }
        }
        std::fs::write(dir.path().join("person.jsonl"), body).unwrap();
        let src = CanonicalSource::open(dir.path()).unwrap();
        assert_eq!(src.objects().await.unwrap(), vec!["person"]);
        let all: Vec<RawRecord> = src.stream("person").map(|r| r.unwrap()).collect().await;
        assert_eq!(all.len(), 1204);
        let mapper = CanonicalMapper::new(["person"]);
        let route = Route::new("person", "person");
        let rejects: Vec<_> = all
            .iter()
            .filter_map(|r| match mapper.map(&route, r) {
                Mapped::Reject(x) => Some(x),
                _ => None,
            })
            .collect();
        assert_eq!(rejects.len(), 1);
        assert!(rejects[0].key.id.starts_with("byte-"));
    }
}
