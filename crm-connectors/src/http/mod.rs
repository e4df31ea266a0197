//! HTTP plumbing shared by every HTTP connector: a JSON [`HttpClient`] with a bearer
//! [`Secret`], retries with backoff honouring `Retry-After` ([`RetryConfig`]), one
//! client-side [`RateLimiter`] shared across workers, the status → error mapping
//!
//! ([`classify_status`]), and the server's own rate-limit headers ([`ServerPace`]).
//!
//! Files: `secret.rs`, `status.rs`, `retry.rs`, `rate_limit.rs`, `server_pace.rs`, `client.rs`.

mod client;
mod rate_limit;
mod retry;
mod secret;
mod server_pace;
mod status;

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;

pub use client::{HttpClient, HttpClientConfig, Method, Request, Response};
pub use rate_limit::{RateLimiter, TokioClock, TokioInstant};
pub use retry::{parse_retry_after, RetryConfig};
pub use secret::{Secret, REDACTED};
pub use server_pace::{RateHeaders, ServerPace};
pub use status::{classify_status, is_retryable_status, status_error};
