//! [`HttpClient`]: a small JSON client with a base URL, a bearer [`Secret`], a per-attempt
//! timeout, and the retry and rate-limit loop every HTTP connector shares.

use std::time::{Duration, Instant};

use crm_core::{Error, ErrorKind, Result};
use reqwest::header::{HeaderMap, AUTHORIZATION, RETRY_AFTER};
pub use reqwest::Method;

use super::rate_limit::RateLimiter;
use super::retry::{parse_retry_after, RetryConfig};
use super::secret::Secret;
use super::server_pace::{RateHeaders, ServerPace};
use super::status::is_retryable_status;

/// Settings of an [`HttpClient`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpClientConfig {
    /// Base URL every request path is appended to (`https://api.twenty.com`).
    pub base_url: String,
    /// Bearer token, if the API wants one.
    pub api_key: Option<Secret>,
    /// Timeout of one attempt (connect + response).
    pub attempt_timeout: Duration,
    /// Retry policy.
    pub retry: RetryConfig,
    /// Requests per minute allowed by the platform (`None`: unlimited).
    pub rate_limit_per_min: Option<u32>,
    /// Requests that may go out at once before the limiter spaces them.
    pub burst: u32,
}

impl HttpClientConfig {
    /// A config for `base_url` with default timeout (60 s), retries and no rate limit.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            api_key: None,
            attempt_timeout: Duration::from_secs(60),
            retry: RetryConfig::default(),
            rate_limit_per_min: None,
            burst: 1,
        }
    }

    /// Sets the bearer token.
    pub fn with_api_key(mut self, key: Secret) -> Self {
        self.api_key = Some(key);
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

    /// Sets the rate limit (requests per minute) and burst.
    pub fn with_rate_limit(mut self, per_min: Option<u32>, burst: u32) -> Self {
        self.rate_limit_per_min = per_min;
        self.burst = burst;
        self
    }
}

/// One request: method, path below the base URL, query pairs, optional JSON body, and
/// whether sending it twice is harmless (which decides whether 5xx and timeouts are retried).
#[derive(Debug, Clone)]
pub struct Request {
    /// HTTP method.
    pub method: Method,
    /// Path below the base URL, starting with `/`.
    pub path: String,
    /// Query pairs (encoded by the client).
    pub query: Vec<(String, String)>,
    /// JSON body.
    pub body: Option<serde_json::Value>,
    /// Safe to send again after an ambiguous failure (GET, PATCH, DELETE, read queries).
    pub idempotent: bool,
    /// Not counted against the client-side rate limit (an API the server does not throttle,
    /// such as Twenty v2.21's metadata API, probe 04). The server's own pace still applies.
    pub unmetered: bool,
}

impl Request {
    /// A request; GET, PUT, PATCH and DELETE are idempotent, POST is not.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        let idempotent = method != Method::POST;
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            idempotent,
            unmetered: false,
        }
    }

    /// A GET.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    /// A POST with a JSON body.
    pub fn post(path: impl Into<String>, body: serde_json::Value) -> Self {
        Self::new(Method::POST, path).json(body)
    }

    /// A PATCH with a JSON body.
    pub fn patch(path: impl Into<String>, body: serde_json::Value) -> Self {
        Self::new(Method::PATCH, path).json(body)
    }

    /// A DELETE.
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path)
    }

    /// Adds a query pair.
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Sets the JSON body.
    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Overrides whether the request is safe to repeat.
    pub fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = yes;
        self
    }

    /// Sends it without spending the client-side rate limit (see [`Request::unmetered`]).
    pub fn unmetered(mut self, yes: bool) -> Self {
        self.unmetered = yes;
        self
    }
}

/// A response: status and body text, and how many attempts it took.
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Body as text (may be empty).
    pub body: String,
    /// Attempts made (1 when the first one answered).
    pub attempts: u32,
}

impl Response {
    /// 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON (`Null` for an empty body).
    pub fn json(&self) -> Result<serde_json::Value> {
        if self.body.trim().is_empty() {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_str(&self.body).map_err(|e| {
            Error::new(
                ErrorKind::Unexpected,
                format!("HTTP {}: body is not JSON", self.status),
            )
            .with_source(e)
        })
    }
}

/// The shared HTTP client. Cloning is cheap and shares the connection pool and the limiter.
///
/// Order of the layers, outermost first: **retry** (count and total deadline; waits the
/// longer of backoff and `Retry-After`) → **server pace** (holds every worker while the server
/// said `X-RateLimit-Remaining: 0` or sent a `Retry-After`) → **rate limiter** (every attempt spends quota, a
/// request waiting out its backoff holds none) → **per-attempt timeout** → reqwest.
///
/// Retried: 429 always (a throttled request was not applied); 408, 5xx and timeouts only for
/// idempotent requests; connection failures (nothing was sent) always. When the retries are
/// spent the last answer is returned as it is, for the connector's `parse_error`. The key is
/// only ever put in the `Authorization` header: it is in no log, message or error.
#[derive(Clone, Debug)]
pub struct HttpClient {
    http: reqwest::Client,
    base: String,
    key: Option<Secret>,
    retry: RetryConfig,
    limiter: RateLimiter,
    pace: ServerPace,
    counts: std::sync::Arc<std::sync::Mutex<std::collections::BTreeMap<String, u64>>>,
    timeout: Duration,
}

impl HttpClient {
    /// Builds a client.
    pub fn new(config: HttpClientConfig) -> Result<Self> {
        let base = config.base_url.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::config(format!(
                "base URL {base:?} must start with http:// or https://"
            )));
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("crm-migrate/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::config("cannot build the HTTP client").with_source(e))?;
        Ok(Self {
            http,
            base,
            key: config.api_key,
            retry: config.retry,
            limiter: RateLimiter::per_minute(config.rate_limit_per_min, config.burst),
            pace: ServerPace::default(),
            counts: Default::default(),
            timeout: config.attempt_timeout,
        })
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The shared limiter.
    pub fn limiter(&self) -> &RateLimiter {
        &self.limiter
    }

    /// Attempts sent so far (retries included), by `METHOD /path` with UUID segments as `{id}`
    /// and no query: where a run's request budget went.
    pub fn request_counts(&self) -> std::collections::BTreeMap<String, u64> {
        self.counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The server's rate-limit headers as last seen (all `None` when it sends none).
    pub fn rate_headers(&self) -> RateHeaders {
        self.pace.headers()
    }

    /// Sends `req` through the retry and rate-limit loop.
    pub async fn send(&self, req: &Request) -> Result<Response> {
        let started = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            // The server's word first (X-RateLimit-Remaining: 0, Retry-After), then ours.
            self.pace.wait().await;
            if !req.unmetered {
                self.limiter.acquire().await;
            }
            *self
                .counts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(route_of(req))
                .or_default() += 1;
            let outcome = self.attempt(req).await;
            if let Ok((_, headers, _)) = &outcome {
                self.pace.observe(headers);
            }
            let retries_used = attempt - 1;
            let (retry_after, why) = match outcome {
                Ok((status, headers, body)) => {
                    let retryable =
                        status == 429 || (req.idempotent && is_retryable_status(status));
                    if !retryable || retries_used >= self.retry.max_retries {
                        return Ok(Response {
                            status,
                            body,
                            attempts: attempt,
                        });
                    }
                    let ra = headers
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
                    (ra, format!("HTTP {status}"))
                }
                Err(e) => {
                    let nothing_sent = e.is_connect();
                    // Say what happened in words, once (reqwest's own chain repeats itself).
                    let what = if e.is_connect() {
                        "the server cannot be reached (nothing is listening there, or the network is down): check the URL and that the server is running"
                    } else if e.is_timeout() {
                        "no answer within the timeout"
                    } else {
                        "the request failed on the way"
                    };
                    let err = Error::new(
                        ErrorKind::Transport,
                        format!("{} {}: {what}", req.method, req.path),
                    )
                    .with_source(strip_url(e));
                    if !(nothing_sent || req.idempotent) || retries_used >= self.retry.max_retries {
                        return Err(if retries_used >= self.retry.max_retries {
                            err.persist()
                        } else {
                            err
                        });
                    }
                    (None, "transport error".to_string())
                }
            };
            let wait = self.retry.delay(retries_used, retry_after);
            if started.elapsed() + wait > self.retry.deadline {
                tracing::warn!(method = %req.method, path = %req.path, attempt, "Retry deadline reached.");
                return Err(Error::new(
                    ErrorKind::Transport,
                    format!(
                        "{} {}: {why}; retry deadline of {:?} reached after {attempt} attempts",
                        req.method, req.path, self.retry.deadline
                    ),
                )
                .persist());
            }
            tracing::debug!(method = %req.method, path = %req.path, attempt, wait_ms = wait.as_millis() as u64, reason = %why, "Retrying request.");
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(
        &self,
        req: &Request,
    ) -> std::result::Result<(u16, HeaderMap, String), reqwest::Error> {
        let url = format!("{}{}", self.base, req.path);
        let mut rb = self
            .http
            .request(req.method.clone(), url)
            .timeout(self.timeout);
        if !req.query.is_empty() {
            rb = rb.query(&req.query);
        }
        if let Some(key) = &self.key {
            rb = rb.header(AUTHORIZATION, format!("Bearer {}", key.expose()));
        }
        if let Some(body) = &req.body {
            rb = rb.json(body);
        }
        let resp = rb.send().await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.text().await?;
        tracing::trace!(method = %req.method, path = %req.path, status, "HTTP exchange.");
        Ok((status, headers, body))
    }
}

/// `METHOD /path` with UUID-shaped segments as `{id}`.
fn route_of(req: &Request) -> String {
    let path: Vec<&str> = req
        .path
        .split('/')
        .map(|seg| {
            let uuid_like = seg.len() == 36
                && seg.chars().filter(|c| *c == '-').count() == 4
                && seg.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
            if uuid_like {
                "{id}"
            } else {
                seg
            }
        })
        .collect();
    format!("{} {}", req.method, path.join("/"))
}

/// reqwest errors carry the URL, which carries the query (filters with record values) but
/// never the key; still, keep errors short and free of query strings.
fn strip_url(e: reqwest::Error) -> reqwest::Error {
    e.without_url()
}
