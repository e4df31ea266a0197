//! [`TwentyConfig`] and the platform limits in [`TwentyDefaults`].

use std::fmt;
use std::time::Duration;

use crm_core::{Error, Result};

use crate::http::{HttpClientConfig, RetryConfig, Secret};

/// Twenty's limits and this sink's defaults, as typed constants.
#[derive(Debug, Clone, Copy)]
pub struct TwentyDefaults;

impl TwentyDefaults {
    /// Environment variable holding the API key.
    pub const API_KEY_ENV: &'static str = "TWENTY_API_KEY";
    /// Records per batch: `QUERY_MAX_RECORDS` of current servers (the recorded pre-1.5
    /// server had no cap; newer ones refuse more than 200). User values are capped to it.
    pub const MAX_BATCH_SIZE: usize = 200;
    /// Requests per minute: Twenty Cloud's Organization plan (Pro allows 50).
    pub const RATE_LIMIT_PER_MIN: u32 = 100;
    /// Requests that may leave at once before the limiter spaces them.
    pub const BURST: u32 = 10;
    /// Timeout of one attempt (a 5000-record batch took 13.7 s on the recorded server).
    pub const ATTEMPT_TIMEOUT_SECS: u64 = 60;
    /// Retries after the first attempt.
    pub const MAX_RETRIES: u32 = 5;
    /// Total time budget of one request, retries included.
    pub const RETRY_DEADLINE_SECS: u64 = 300;
    /// Largest JSON body sent; the recorded server answers a body over 10 MB with an empty 500.
    pub const MAX_BODY_BYTES: usize = 9 * 1024 * 1024;
    /// Records per page when reading by id.
    pub const READ_PAGE: usize = 60;
    /// Custom TEXT field holding each record's source key.
    pub const SOURCE_KEY_FIELD: &'static str = "crmMigrateSourceKey";
}

/// Settings of the Twenty sink. The API key is a [`Secret`] and is left out of `Debug`.
#[derive(Clone)]
#[non_exhaustive]
pub struct TwentyConfig {
    /// Server base URL (`https://api.twenty.com`, `http://localhost:3000`).
    pub url: String,
    /// API key (read from `TWENTY_API_KEY`).
    pub api_key: Secret,
    /// Requests per minute allowed (`None`: unlimited, e.g. a self-hosted server).
    pub rate_limit_per_min: Option<u32>,
    /// Burst allowed by the client-side limiter.
    pub burst: u32,
    /// Records per batch, at most [`TwentyDefaults::MAX_BATCH_SIZE`].
    pub batch_size: usize,
    /// Timeout of one attempt.
    pub attempt_timeout: Duration,
    /// Retry policy.
    pub retry: RetryConfig,
    /// Custom field that stores the source key.
    pub source_key_field: String,
    /// Create the source-key field through the metadata API when it is missing.
    pub create_source_key_field: bool,
    /// `createdBy.source` written on every record created (`None`: the server's own, `API`).
    /// The v2.21 seed workflow "Create company when adding a new person" skips records whose
    /// source is `EMAIL` or `CALENDAR` (probe 13); a client-supplied `createdBy` is kept on
    /// create (probe 08). Only where a person asked for it: it changes what the record says
    /// about its origin.
    pub created_by_source: Option<String>,
}

impl TwentyConfig {
    /// A config for `url` with `api_key` and every default.
    pub fn new(url: impl Into<String>, api_key: Secret) -> Self {
        Self {
            url: url.into(),
            api_key,
            rate_limit_per_min: Some(TwentyDefaults::RATE_LIMIT_PER_MIN),
            burst: TwentyDefaults::BURST,
            batch_size: TwentyDefaults::MAX_BATCH_SIZE,
            attempt_timeout: Duration::from_secs(TwentyDefaults::ATTEMPT_TIMEOUT_SECS),
            retry: RetryConfig::default()
                .with_max_retries(TwentyDefaults::MAX_RETRIES)
                .with_deadline(Duration::from_secs(TwentyDefaults::RETRY_DEADLINE_SECS)),
            source_key_field: TwentyDefaults::SOURCE_KEY_FIELD.to_string(),
            create_source_key_field: true,
            created_by_source: None,
        }
    }

    /// Writes `createdBy: {source, name: "crm-migrate"}` on every record created (see
    /// [`Self::created_by_source`]).
    pub fn with_created_by_source(mut self, source: impl Into<String>) -> Self {
        self.created_by_source = Some(source.into());
        self
    }

    /// A config for `url` with the key from `TWENTY_API_KEY`.
    pub fn from_env(url: impl Into<String>) -> Result<Self> {
        Ok(Self::new(
            url,
            Secret::from_env(TwentyDefaults::API_KEY_ENV)?,
        ))
    }

    /// Sets the rate limit (`None` for none).
    pub fn with_rate_limit(mut self, per_min: Option<u32>) -> Self {
        self.rate_limit_per_min = per_min;
        self
    }

    /// Sets the batch size; capped to [`TwentyDefaults::MAX_BATCH_SIZE`].
    pub fn with_batch_size(mut self, n: usize) -> Self {
        self.batch_size = n.min(TwentyDefaults::MAX_BATCH_SIZE);
        self
    }

    /// Sets the retry policy.
    pub fn with_retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the per-attempt timeout.
    pub fn with_attempt_timeout(mut self, t: Duration) -> Self {
        self.attempt_timeout = t;
        self
    }

    /// Sets the source-key field name and whether to create it when missing.
    pub fn with_source_key_field(mut self, name: impl Into<String>, create: bool) -> Self {
        self.source_key_field = name.into();
        self.create_source_key_field = create;
        self
    }

    /// Checks every value at once.
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            problems.push(format!(
                "url {:?} must start with http:// or https://",
                self.url
            ));
        }
        if self.api_key.is_empty() {
            problems.push("api key is empty".to_string());
        }
        if self.batch_size == 0 {
            problems.push("batch size must be at least 1".to_string());
        }
        if self.source_key_field.is_empty()
            || !self
                .source_key_field
                .chars()
                .all(|c| c.is_ascii_alphanumeric())
            || !self
                .source_key_field
                .starts_with(|c: char| c.is_ascii_lowercase())
        {
            problems.push(format!(
                "source key field {:?} must be camelCase Latin alphanumerics",
                self.source_key_field
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::config(format!("twenty: {}", problems.join("; "))))
        }
    }

    /// The batch size actually used (capped, at least 1).
    pub fn effective_batch_size(&self) -> usize {
        self.batch_size.clamp(1, TwentyDefaults::MAX_BATCH_SIZE)
    }

    pub(crate) fn http_config(&self) -> HttpClientConfig {
        HttpClientConfig::new(self.url.clone())
            .with_api_key(self.api_key.clone())
            .with_retry(self.retry.clone())
            .with_attempt_timeout(self.attempt_timeout)
            .with_rate_limit(self.rate_limit_per_min, self.burst)
    }
}

impl fmt::Debug for TwentyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The API key is deliberately left out.
        f.debug_struct("TwentyConfig")
            .field("url", &self.url)
            .field("rate_limit_per_min", &self.rate_limit_per_min)
            .field("burst", &self.burst)
            .field("batch_size", &self.batch_size)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("retry", &self.retry)
            .field("source_key_field", &self.source_key_field)
            .field("create_source_key_field", &self.create_source_key_field)
            .field("created_by_source", &self.created_by_source)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_leaves_the_key_out_and_batch_is_capped() {
        let c = TwentyConfig::new("https://api.twenty.com", Secret::new("eyJsecret"))
            .with_batch_size(5000);
        assert_eq!(c.batch_size, TwentyDefaults::MAX_BATCH_SIZE);
        let d = format!("{c:?}");
        assert!(!d.contains("eyJsecret") && !d.contains("api_key"), "{d}");
        c.validate().unwrap();
        let bad = TwentyConfig::new("ftp://x", Secret::new("")).with_batch_size(0);
        let e = bad.validate().unwrap_err().to_string();
        assert!(
            e.contains("url") && e.contains("api key") && e.contains("batch"),
            "{e}"
        );
    }
}
