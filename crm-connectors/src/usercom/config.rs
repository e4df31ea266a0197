//! Configuration of the User.com sources: the CSV export's file names, id columns and
//! flattened sub-records; the API's base URL, key, version, limits and endpoints.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crm_core::{Error, Result};

use crate::http::{RetryConfig, Secret};

/// The platform id: the system of every key, the feature suffix, the folder.
pub const USERCOM_SCHEME: &str = "usercom";

/// The environment variable the API key is read from.
pub const API_KEY_ENV: &str = "USERCOM_API_KEY";

/// The objects of a User.com export, one CSV file each.
pub const EXPORT_OBJECTS: &[&str] = &[
    "users",
    "companies",
    "deals",
    "activities",
    "events",
    "conversations",
    "agents",
];

/// How a cell holds several sub-records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CellFormat {
    /// A PostgreSQL array of texts (`{a,"b, c"}`): one sub-record per element.
    PgArray,
    /// A JSON array (`[{...}, ...]`): one sub-record per element.
    JsonArray,
}

/// A derived object whose records are flattened into a cell of another object's rows, e.g.
/// the chat messages in a conversation's `transcript` cell.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Subrecords {
    /// The derived object's name (`conversation_messages`).
    pub object: String,
    /// The object whose rows hold the cell (`conversations`).
    pub parent: String,
    /// The cell's column (`transcript`).
    pub column: String,
    /// How the cell is written.
    pub format: CellFormat,
    /// The field each sub-record carries its parent's id in (`conversation_id`).
    pub parent_field: String,
    /// For [`CellFormat::PgArray`], the field the element goes in (`tag`).
    pub value_field: String,
    /// For [`CellFormat::JsonArray`], the element field that is its own id (messages have
    /// one); without it the id is `<parent id>:<position>` (1-based).
    pub key_field: Option<String>,
}

impl Subrecords {
    /// Sub-records of `object` in `parent`'s `column`, written as `format`.
    pub fn new(object: &str, parent: &str, column: &str, format: CellFormat) -> Self {
        let singular = parent.strip_suffix('s').unwrap_or(parent);
        Self {
            object: object.into(),
            parent: parent.into(),
            column: column.into(),
            format,
            parent_field: format!("{singular}_id"),
            value_field: "value".into(),
            key_field: None,
        }
    }

    /// Sets the field that carries the parent's id.
    pub fn parent_field(mut self, field: &str) -> Self {
        self.parent_field = field.into();
        self
    }

    /// Sets the field a PostgreSQL array element goes in.
    pub fn value_field(mut self, field: &str) -> Self {
        self.value_field = field.into();
        self
    }

    /// Sets the element field that is the sub-record's own id.
    pub fn key_field(mut self, field: &str) -> Self {
        self.key_field = Some(field.into());
        self
    }
}

/// Settings of [`super::UsercomCsvSource`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UsercomCsvConfig {
    /// Object → file name in the export directory (default `<object>.csv`; matched
    /// case-insensitively).
    pub files: BTreeMap<String, String>,
    /// Object → the column holding the record id (default `id`; a file without it is an
    /// error, not a silent fallback to row numbers).
    pub id_columns: BTreeMap<String, String>,
    /// Derived objects unpacked from cells (default: `conversation_messages` from
    /// `conversations.transcript`, `user_companies` from `users.companies`).
    pub subrecords: Vec<Subrecords>,
}

impl Default for UsercomCsvConfig {
    fn default() -> Self {
        let files = EXPORT_OBJECTS
            .iter()
            .map(|o| (o.to_string(), format!("{o}.csv")))
            .collect();
        let id_columns = EXPORT_OBJECTS
            .iter()
            .map(|o| (o.to_string(), "id".to_string()))
            .collect();
        Self {
            files,
            id_columns,
            subrecords: vec![
                Subrecords::new(
                    "conversation_messages",
                    "conversations",
                    "transcript",
                    CellFormat::JsonArray,
                )
                .key_field("id"),
                Subrecords::new(
                    "user_companies",
                    "users",
                    "companies",
                    CellFormat::JsonArray,
                ),
            ],
        }
    }
}

impl UsercomCsvConfig {
    /// Reads `object` from `file` (a file name in the export directory).
    pub fn with_file(mut self, object: &str, file: &str) -> Self {
        self.files.insert(object.into(), file.into());
        self
    }

    /// Takes `object`'s record ids from `column`.
    pub fn with_id_column(mut self, object: &str, column: &str) -> Self {
        self.id_columns.insert(object.into(), column.into());
        self
    }

    /// Adds (or replaces, by object name) a derived object.
    pub fn with_subrecords(mut self, sub: Subrecords) -> Self {
        self.subrecords.retain(|s| s.object != sub.object);
        self.subrecords.push(sub);
        self
    }

    /// Removes every derived object.
    pub fn without_subrecords(mut self) -> Self {
        self.subrecords.clear();
        self
    }
}

/// One API endpoint an object is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UsercomEndpoint {
    /// The object name (`users`, `events`, …).
    pub object: String,
    /// The path below the base URL, with its trailing slash; `{id}` is replaced by each
    /// parent record's id for a per-parent sub-resource (`users/{id}/events/`).
    pub path: String,
    /// The object whose records the sub-resource is read for (`users` for events).
    pub parent: Option<String>,
    /// The field a per-parent record carries its parent's id in, added when absent.
    pub parent_field: String,
}

impl UsercomEndpoint {
    /// A top-level list (`deals/`).
    pub fn list(object: &str, path: &str) -> Self {
        Self {
            object: object.into(),
            path: path.into(),
            parent: None,
            parent_field: String::new(),
        }
    }

    /// A per-parent sub-resource (`users/{id}/events/` for each user).
    pub fn nested(object: &str, path: &str, parent: &str, parent_field: &str) -> Self {
        Self {
            object: object.into(),
            path: path.into(),
            parent: Some(parent.into()),
            parent_field: parent_field.into(),
        }
    }
}

/// Limits where User.com documents none (`reference/sources.md` §1.3: ASSUMPTION).
#[derive(Debug, Clone, Copy, Default)]
pub struct UsercomDefaults;

impl UsercomDefaults {
    /// Requests per minute: 5 a second, single flight.
    pub const RATE_LIMIT_PER_MIN: u32 = 300;
    /// The API version sent in `Accept: */*; version=N`.
    pub const API_VERSION: &'static str = "2";
    /// Timeout of one attempt.
    pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);
}

/// Settings of [`super::UsercomApiSource`]. `Debug` never shows the key.
#[derive(Clone)]
#[non_exhaustive]
pub struct UsercomApiConfig {
    /// `https://<app>.user.com/api/public/` (or an emulator's URL).
    pub base_url: String,
    /// The 64-character API key, sent as `Authorization: Token <key>`.
    pub api_key: Secret,
    /// The version in the `Accept` header (`2`).
    pub api_version: String,
    /// Requests per minute (`None`: unlimited); undocumented, so a conservative default.
    pub rate_limit_per_min: Option<u32>,
    /// Requests that may go out at once.
    pub burst: u32,
    /// Retries of 429, 5xx and transport failures (waits honour `Retry-After`).
    pub retry: RetryConfig,
    /// Timeout of one attempt.
    pub attempt_timeout: Duration,
    /// A page-size query parameter and value for first pages (UNCONFIRMED; none by default).
    pub page_size: Option<(String, u32)>,
    /// The objects read and where from, in load order (parents before their children).
    pub endpoints: Vec<UsercomEndpoint>,
}

impl fmt::Debug for UsercomApiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UsercomApiConfig")
            .field("base_url", &self.base_url)
            .field("api_version", &self.api_version)
            .field("rate_limit_per_min", &self.rate_limit_per_min)
            .field("burst", &self.burst)
            .field("retry", &self.retry)
            .field("page_size", &self.page_size)
            .field("endpoints", &self.endpoints.len())
            .finish_non_exhaustive()
    }
}

impl UsercomApiConfig {
    /// A config for `base_url` and `api_key` with the defaults: version 2, 300 requests a
    /// minute, the shared retry policy, and every documented (or pattern-following) endpoint.
    pub fn new(base_url: impl Into<String>, api_key: Secret) -> Self {
        let list = UsercomEndpoint::list;
        Self {
            base_url: base_url.into(),
            api_key,
            api_version: UsercomDefaults::API_VERSION.into(),
            rate_limit_per_min: Some(UsercomDefaults::RATE_LIMIT_PER_MIN),
            burst: 1,
            retry: RetryConfig::default(),
            attempt_timeout: UsercomDefaults::ATTEMPT_TIMEOUT,
            page_size: None,
            endpoints: vec![
                list("attributes", "attributes/"),
                list("agents", "agents/"),
                list("tags", "tags/"),
                list("segments", "segments/"),
                list("companies", "companies/"),
                list("users", "users/"),
                UsercomEndpoint::nested(
                    "segment_members",
                    "segments/{id}/users/",
                    "segments",
                    "segment_id",
                ),
                UsercomEndpoint::nested("events", "users/{id}/events/", "users", "user_id"),
                list("deals", "deals/"),
                list("activities", "activities/"),
                list("conversations", "conversations/"),
            ],
        }
    }

    /// The config of app `app` (`https://<app>.user.com/api/public/`), the key read from
    /// [`API_KEY_ENV`].
    pub fn for_app(app: &str) -> Result<Self> {
        Ok(Self::new(
            format!("https://{app}.user.com/api/public/"),
            Secret::from_env(API_KEY_ENV)?,
        ))
    }

    /// The config of `base_url`, the key read from [`API_KEY_ENV`].
    pub fn from_env(base_url: &str) -> Result<Self> {
        Ok(Self::new(base_url, Secret::from_env(API_KEY_ENV)?))
    }

    /// Adds or replaces (by object name) an endpoint.
    pub fn with_endpoint(mut self, endpoint: UsercomEndpoint) -> Self {
        match self
            .endpoints
            .iter_mut()
            .find(|e| e.object == endpoint.object)
        {
            Some(e) => *e = endpoint,
            None => self.endpoints.push(endpoint),
        }
        self
    }

    /// Stops reading `object` (an endpoint the account does not have).
    pub fn without_object(mut self, object: &str) -> Self {
        self.endpoints.retain(|e| e.object != object);
        self
    }

    /// Sets the rate limit (requests per minute; `None` for none) and burst.
    pub fn with_rate_limit(mut self, per_min: Option<u32>, burst: u32) -> Self {
        self.rate_limit_per_min = per_min;
        self.burst = burst.max(1);
        self
    }

    /// Sets the retry policy.
    pub fn with_retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Sends `param=size` on first pages.
    pub fn with_page_size(mut self, param: &str, size: u32) -> Self {
        self.page_size = Some((param.into(), size));
        self
    }

    /// Checks the config: an http(s) base URL, a key, paths with trailing slashes, known
    /// parents listed before their children.
    pub fn validate(&self) -> Result<()> {
        let base = self.base_url.trim();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::config(format!(
                "User.com base URL {base:?} must start with http:// or https://"
            )));
        }
        if self.api_key.is_empty() {
            return Err(Error::config(format!(
                "the User.com API key is empty (set {API_KEY_ENV})"
            )));
        }
        for (i, e) in self.endpoints.iter().enumerate() {
            let path = e.path.split('?').next().unwrap_or_default();
            if !path.ends_with('/') || path.starts_with('/') {
                return Err(Error::config(format!(
                    "User.com path {:?} of {} must be relative and end with a slash",
                    e.path, e.object
                )));
            }
            if let Some(parent) = &e.parent {
                if !self.endpoints[..i]
                    .iter()
                    .any(|p| &p.object == parent && p.parent.is_none())
                    || !e.path.contains("{id}")
                {
                    return Err(Error::config(format!(
                        "User.com endpoint {} needs a top-level parent {parent} listed before it and an {{id}} in its path",
                        e.object
                    )));
                }
            }
        }
        Ok(())
    }
}
