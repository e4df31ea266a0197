//! [`UsercomApiSource`]: the [`Source`] over the User.com REST API.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use crm_core::{Error, ErrorKind, Page, RawRecord, Result, Source};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::client::UsercomClient;
use super::config::{UsercomApiConfig, UsercomEndpoint, USERCOM_SCHEME};
use super::decode::{api_page, api_record, id_text, ApiPage};

/// Parent pages kept for reading per-parent sub-resources (each holds at most 100 records).
const PARENT_CACHE: usize = 4;

/// Reads a User.com account through its REST API (`/api/public/`).
///
/// Each object is one endpoint ([`UsercomEndpoint`]); list endpoints are followed through
/// their `next` links, which are the cursors, verbatim. A per-parent sub-resource (a user's
/// events, a segment's members) is read parent by parent: its cursor holds the parent page,
/// the parent's position in it and the sub-resource's `next` link, so a resumed read repeats
/// and skips nothing. Values stay as the API sent them (JSON); a per-parent record gets its
/// parent's id in the endpoint's `parent_field` when it does not carry it.
#[derive(Debug)]
pub struct UsercomApiSource {
    client: UsercomClient,
    config: UsercomApiConfig,
    parents: Mutex<Vec<(String, Arc<ApiPage>)>>,
}

/// Where a per-parent read stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct NestedCursor {
    /// The URL of the parent page.
    p: String,
    /// The parent's position in that page.
    i: usize,
    /// The sub-resource's `next` link, when the parent has more.
    c: Option<String>,
}

impl UsercomApiSource {
    /// A source for `config` (validated).
    pub fn new(config: UsercomApiConfig) -> Result<Self> {
        Ok(Self {
            client: UsercomClient::new(&config)?,
            config,
            parents: Mutex::new(Vec::new()),
        })
    }

    /// The client (base URL, shared limiter).
    pub fn client(&self) -> &UsercomClient {
        &self.client
    }

    /// The configuration (its `Debug` hides the key).
    pub fn config(&self) -> &UsercomApiConfig {
        &self.config
    }

    /// Tests the connection: reads the first page of the first configured object (normally
    /// `attributes`), which fails on a wrong key, version or base URL.
    pub async fn check(&self) -> Result<()> {
        let Some(e) = self.config.endpoints.iter().find(|e| e.parent.is_none()) else {
            return Err(Error::config("no User.com endpoint is configured"));
        };
        self.read_page(&e.object.clone(), None).await.map(|_| ())
    }

    fn endpoint(&self, object: &str) -> Result<&UsercomEndpoint> {
        self.config
            .endpoints
            .iter()
            .find(|e| e.object == object)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    format!("User.com source has no object {object}"),
                )
                .with_object(object)
                .with_connector(USERCOM_SCHEME)
            })
    }

    /// The URL of a first page: the path below the base, with the page-size parameter.
    fn first_url(&self, path: &str) -> String {
        let url = self.client.url(path);
        match &self.config.page_size {
            Some((param, size)) => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}{param}={size}")
            }
            None => url,
        }
    }

    async fn page(&self, object: &str, url: &str) -> Result<ApiPage> {
        let body = self
            .client
            .get_json(url)
            .await
            .map_err(|e| e.with_object(object))?;
        api_page(object, body).map_err(|e| e.with_connector(USERCOM_SCHEME))
    }

    /// A parent page, from the cache when it was just read.
    async fn parent_page(&self, object: &str, url: &str) -> Result<Arc<ApiPage>> {
        let cached = lock(&self.parents)
            .iter()
            .find(|(u, _)| u == url)
            .map(|(_, p)| p.clone());
        if let Some(p) = cached {
            return Ok(p);
        }
        let page = Arc::new(self.page(object, url).await?);
        let mut cache = lock(&self.parents);
        cache.push((url.to_string(), page.clone()));
        if cache.len() > PARENT_CACHE {
            cache.remove(0);
        }
        Ok(page)
    }

    async fn read_list(
        &self,
        e: &UsercomEndpoint,
        cursor: Option<String>,
    ) -> Result<Page<RawRecord>> {
        let url = cursor.unwrap_or_else(|| self.first_url(&e.path));
        let page = self.page(&e.object, &url).await?;
        let items = page
            .results
            .into_iter()
            .enumerate()
            .map(|(n, r)| api_record(&e.object, r, format!("{url}#{n}")))
            .collect();
        Ok(Page {
            items,
            next: page.next,
        })
    }

    async fn read_nested(
        &self,
        e: &UsercomEndpoint,
        parent: &str,
        cursor: Option<String>,
    ) -> Result<Page<RawRecord>> {
        let parent_path = &self.endpoint(parent)?.path;
        let mut at = match cursor {
            None => NestedCursor {
                p: self.first_url(parent_path),
                i: 0,
                c: None,
            },
            Some(c) => serde_json::from_str(&c).map_err(|err| {
                Error::config(format!("bad User.com cursor for {}: {err}", e.object))
                    .with_object(&e.object)
            })?,
        };
        loop {
            let parents = self.parent_page(parent, &at.p).await?;
            let Some(row) = parents.results.get(at.i) else {
                match &parents.next {
                    Some(n) => {
                        at = NestedCursor {
                            p: n.clone(),
                            i: 0,
                            c: None,
                        };
                        continue;
                    }
                    None => {
                        return Ok(Page {
                            items: Vec::new(),
                            next: None,
                        })
                    }
                }
            };
            let Some(pid) = id_text(row.get("id")) else {
                tracing::warn!(object = %e.object, parent, "Parent record without an id; its sub-resource is not read.");
                at.i += 1;
                at.c = None;
                continue;
            };
            let url = match &at.c {
                Some(c) => c.clone(),
                None => self.first_url(&e.path.replace("{id}", &pid)),
            };
            let page = self.page(&e.object, &url).await?;
            let items = page
                .results
                .into_iter()
                .enumerate()
                .map(|(n, mut r)| {
                    if !e.parent_field.is_empty() && !r.contains_key(&e.parent_field) {
                        r.insert(e.parent_field.clone(), parent_id_json(row.get("id")));
                    }
                    api_record(&e.object, r, format!("{url}#{n}"))
                })
                .collect();
            let next = if let Some(n) = page.next {
                Some(NestedCursor {
                    p: at.p.clone(),
                    i: at.i,
                    c: Some(n),
                })
            } else if at.i + 1 < parents.results.len() {
                Some(NestedCursor {
                    p: at.p.clone(),
                    i: at.i + 1,
                    c: None,
                })
            } else {
                parents.next.clone().map(|n| NestedCursor {
                    p: n,
                    i: 0,
                    c: None,
                })
            };
            let next = next.map(|c| serde_json::to_string(&c)).transpose()?;
            return Ok(Page { items, next });
        }
    }
}

fn parent_id_json(id: Option<&Json>) -> Json {
    id.cloned().unwrap_or(Json::Null)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[async_trait]
impl Source for UsercomApiSource {
    fn system(&self) -> &str {
        USERCOM_SCHEME
    }

    async fn objects(&self) -> Result<Vec<String>> {
        Ok(self
            .config
            .endpoints
            .iter()
            .map(|e| e.object.clone())
            .collect())
    }

    async fn read_page(&self, object: &str, cursor: Option<String>) -> Result<Page<RawRecord>> {
        let e = self.endpoint(object)?.clone();
        let mut page = match &e.parent {
            None => self.read_list(&e, cursor).await?,
            Some(parent) => self.read_nested(&e, parent, cursor).await?,
        };
        if object != super::attributes::ATTRIBUTES_OBJECT {
            for r in &mut page.items {
                flatten_attributes(r);
            }
        }
        Ok(page)
    }
}

/// Custom attribute values come as an `attributes` array of `{id, name, name_std, value}`
/// (v2 users, v1 deals) or as top-level keys (v2 deals); `sources.md` §1.4 says to accept
/// both. The array is unpacked into top-level keys named by `name_std`, as the CSV export
/// has them (a key already there is kept); an array that is not of that shape stays as it
/// was.
fn flatten_attributes(record: &mut RawRecord) {
    use serde_json::Value as Json;
    let Some(Json::Array(items)) = record.fields.get("attributes") else {
        return;
    };
    let pairs: Option<Vec<(String, Json)>> = items
        .iter()
        .map(|a| {
            let slug = a.get("name_std")?.as_str()?.trim();
            (!slug.is_empty()).then(|| {
                (
                    slug.to_string(),
                    a.get("value").cloned().unwrap_or(Json::Null),
                )
            })
        })
        .collect();
    let Some(pairs) = pairs else {
        return;
    };
    record.fields.remove("attributes");
    for (k, v) in pairs {
        if !v.is_null() {
            record.fields.entry(k).or_insert(v);
        }
    }
}
