//! [`UsercomClient`]: GETs against the User.com API with `Authorization: Token <key>` and
//! `Accept: */*; version=N`, through the shared retry policy and rate limiter.
//!
//! Why not [`crate::http::HttpClient`] itself: it sends `Bearer` tokens and joins a path to
//! its base, while User.com wants the `Token` scheme, a version in `Accept`, and `next`
//! links followed verbatim as absolute URLs. The loop below is the same as the shared one
//! (retry outermost, then the shared [`RateLimiter`], then the per-attempt timeout) and
//! reuses its parts: [`RetryConfig`], [`parse_retry_after`], [`classify_status`].

use std::time::Instant;

use crm_core::{Error, ErrorKind, Result};
use reqwest::header::{ACCEPT, AUTHORIZATION, RETRY_AFTER};
use serde_json::Value as Json;

use super::config::{UsercomApiConfig, USERCOM_SCHEME};
use crate::http::{
    is_retryable_status, parse_retry_after, status_error, RateLimiter, RetryConfig, Secret,
};

/// The User.com HTTP client. Cloning shares the connection pool and the limiter.
#[derive(Clone, Debug)]
pub struct UsercomClient {
    http: reqwest::Client,
    base: String,
    origin: String,
    key: Secret,
    accept: String,
    retry: RetryConfig,
    limiter: RateLimiter,
    timeout: std::time::Duration,
}

/// `scheme://host[:port]` of a URL (lower-cased), to compare origins.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| {
        format!(
            "{}://{}",
            scheme.to_ascii_lowercase(),
            host.to_ascii_lowercase()
        )
    })
}

impl UsercomClient {
    /// Builds a client from a validated config.
    pub fn new(config: &UsercomApiConfig) -> Result<Self> {
        config.validate()?;
        let mut base = config.base_url.trim().to_string();
        if !base.ends_with('/') {
            base.push('/');
        }
        let origin = origin_of(&base)
            .ok_or_else(|| Error::config(format!("User.com base URL {base:?} has no host")))?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("crm-migrate/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::config("cannot build the HTTP client").with_source(e))?;
        Ok(Self {
            http,
            base,
            origin,
            key: config.api_key.clone(),
            accept: format!("*/*; version={}", config.api_version),
            retry: config.retry.clone(),
            limiter: RateLimiter::per_minute(config.rate_limit_per_min, config.burst),
            timeout: config.attempt_timeout,
        })
    }

    /// The base URL, with its trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The absolute URL of `path` (relative to the base URL).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path.trim_start_matches('/'))
    }

    /// GETs an absolute URL (a `next` link or [`UsercomClient::url`]) and returns its JSON.
    ///
    /// Refuses a URL on another origin than the base URL, so the key is never sent to a
    /// host a `next` link names. Retries 429, 5xx, 408 and transport failures (a GET is
    /// idempotent), waiting the longer of the backoff and `Retry-After`, within the retry
    /// count and deadline; any other status becomes an error by [`parse_error`].
    pub async fn get_json(&self, url: &str) -> Result<Json> {
        if origin_of(url).as_deref() != Some(self.origin.as_str()) {
            return Err(Error::new(
                ErrorKind::Unexpected,
                format!(
                    "User.com link {url:?} is not on {}; not following it",
                    self.origin
                ),
            )
            .with_connector(USERCOM_SCHEME));
        }
        let path = url.strip_prefix(&self.origin).unwrap_or(url).to_string();
        let started = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            self.limiter.acquire().await;
            let retries_used = attempt - 1;
            let (retry_after, why) = match self.attempt(url).await {
                Ok((status, retry_after, body)) => {
                    if (200..300).contains(&status) {
                        return parse_json(status, &body, &path);
                    }
                    if !is_retryable_status(status) || retries_used >= self.retry.max_retries {
                        return Err(
                            parse_error(status, &body).with_operation(format!("GET {path}"))
                        );
                    }
                    (retry_after, format!("HTTP {status}"))
                }
                Err(e) => {
                    if retries_used >= self.retry.max_retries {
                        return Err(Error::new(
                            ErrorKind::Transport,
                            format!("GET {path}: request failed"),
                        )
                        .with_connector(USERCOM_SCHEME)
                        .with_source(e.without_url())
                        .persist());
                    }
                    (None, "transport error".to_string())
                }
            };
            let wait = self.retry.delay(retries_used, retry_after);
            if started.elapsed() + wait > self.retry.deadline {
                return Err(Error::new(
                    ErrorKind::Transport,
                    format!("GET {path}: {why}; retry deadline of {:?} reached after {attempt} attempts", self.retry.deadline),
                )
                .with_connector(USERCOM_SCHEME)
                .persist());
            }
            tracing::debug!(path = %path, attempt, wait_ms = wait.as_millis() as u64, reason = %why, "Retrying User.com request.");
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(
        &self,
        url: &str,
    ) -> std::result::Result<(u16, Option<std::time::Duration>, String), reqwest::Error> {
        let resp = self
            .http
            .get(url)
            .timeout(self.timeout)
            .header(AUTHORIZATION, format!("Token {}", self.key.expose()))
            .header(ACCEPT, &self.accept)
            .send()
            .await?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
        let body = resp.text().await?;
        tracing::trace!(status, "User.com exchange.");
        Ok((status, retry_after, body))
    }
}

fn parse_json(status: u16, body: &str, path: &str) -> Result<Json> {
    if body.trim().is_empty() {
        return Ok(Json::Null);
    }
    serde_json::from_str(body).map_err(|e| {
        Error::new(
            ErrorKind::Unexpected,
            format!("GET {path}: HTTP {status} body is not JSON"),
        )
        .with_connector(USERCOM_SCHEME)
        .with_source(e)
    })
}

/// The one status → error mapping of this connector: the shared table
/// ([`crate::http::classify_status`]), with User.com's DRF-style `{"detail": "..."}`
/// message when the body has one. The body is cut short; it never holds the key.
pub fn parse_error(status: u16, body: &str) -> Error {
    let detail = serde_json::from_str::<Json>(body)
        .ok()
        .and_then(|j| j.get("detail").and_then(Json::as_str).map(str::to_string))
        .unwrap_or_else(|| body.chars().take(200).collect());
    let hint = match status {
        401 | 403 => " (check USERCOM_API_KEY)",
        404 => " (this endpoint may not exist on the account; configure or remove it)",
        406 => " (the API version in the Accept header was refused)",
        _ => "",
    };
    status_error(status, format!("{detail}{hint}")).with_connector(USERCOM_SCHEME)
}
