//! [`ServerPace`]: what a server says about its own rate limit in its answers' headers
//! (`X-RateLimit-Limit` / `-Remaining` / `-Reset`, the IETF `RateLimit-*` names, and
//! `Retry-After`), and the hold that keeps every worker of a client from sending while the
//! server has said its quota is spent. A server that sends none of them (Twenty v2.21, probe 04
//! of `twenty-v2-live`) is paced by the client-side [`super::RateLimiter`] alone.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::retry::parse_retry_after;

/// The rate-limit headers a server sent, as last seen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateHeaders {
    /// Some rate-limit header (or a `Retry-After`) was seen on at least one answer.
    pub seen: bool,
    /// `X-RateLimit-Limit`: requests allowed in the window.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`: requests left in the window.
    pub remaining: Option<u64>,
    /// Seconds until the window resets (`X-RateLimit-Reset`, relative or an epoch time).
    pub reset_secs: Option<u64>,
    /// Answers that carried a `Retry-After`.
    pub retry_after_seen: u64,
}

#[derive(Debug, Default)]
struct PaceState {
    headers: RateHeaders,
    hold_until: Option<Instant>,
}

/// Shared by every clone of an [`super::HttpClient`]: observes each answer's headers and holds
/// the next requests while the server has said to wait.
#[derive(Debug, Clone, Default)]
pub struct ServerPace {
    inner: Arc<Mutex<PaceState>>,
}

fn header_u64(headers: &HeaderMap, names: &[&str]) -> Option<u64> {
    names.iter().find_map(|n| {
        headers
            .get(*n)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().split([',', ';']).next())
            .and_then(|v| v.trim().parse::<u64>().ok())
    })
}

impl ServerPace {
    fn state(&self) -> std::sync::MutexGuard<'_, PaceState> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads one answer's headers. `Remaining: 0` holds requests until the reset (one second
    /// when no reset is sent); a `Retry-After` holds them for as long as it says.
    pub fn observe(&self, headers: &HeaderMap) {
        let limit = header_u64(headers, &["x-ratelimit-limit", "ratelimit-limit"]);
        let remaining = header_u64(headers, &["x-ratelimit-remaining", "ratelimit-remaining"]);
        let reset = header_u64(headers, &["x-ratelimit-reset", "ratelimit-reset"]).map(|r| {
            // An epoch time (seconds) rather than a delay.
            let now = chrono::Utc::now().timestamp().max(0) as u64;
            if r > 1_000_000_000 {
                r.saturating_sub(now)
            } else {
                r
            }
        });
        let retry_after = headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
        if limit.is_none() && remaining.is_none() && reset.is_none() && retry_after.is_none() {
            return;
        }
        let mut s = self.state();
        s.headers.seen = true;
        s.headers.limit = limit.or(s.headers.limit);
        s.headers.remaining = remaining;
        s.headers.reset_secs = reset;
        let mut hold: Option<Duration> = None;
        if remaining == Some(0) {
            hold = Some(Duration::from_secs(reset.unwrap_or(1).max(1)));
        }
        if let Some(ra) = retry_after {
            s.headers.retry_after_seen += 1;
            hold = Some(hold.map_or(ra, |h| h.max(ra)));
        }
        if let Some(h) = hold {
            let until = Instant::now() + h;
            s.hold_until = Some(s.hold_until.map_or(until, |u| u.max(until)));
        }
    }

    /// Waits while the server has said to hold off.
    pub async fn wait(&self) {
        let until = self.state().hold_until;
        if let Some(until) = until {
            if until > Instant::now() {
                tokio::time::sleep_until(until).await;
            }
        }
    }

    /// The headers as last seen.
    pub fn headers(&self) -> RateHeaders {
        self.state().headers.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn h(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        m
    }

    #[tokio::test(start_paused = true)]
    async fn remaining_zero_holds_until_the_reset() {
        let p = ServerPace::default();
        p.observe(&h(&[]));
        assert!(!p.headers().seen, "no header, nothing learned");
        p.observe(&h(&[
            ("x-ratelimit-limit", "100"),
            ("x-ratelimit-remaining", "7"),
        ]));
        let started = Instant::now();
        p.wait().await;
        assert_eq!(started.elapsed(), Duration::ZERO, "quota left: no hold");
        p.observe(&h(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "3"),
        ]));
        let hd = p.headers();
        assert_eq!(
            (hd.seen, hd.limit, hd.remaining, hd.reset_secs),
            (true, Some(100), Some(0), Some(3))
        );
        p.wait().await;
        assert_eq!(started.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_holds_every_worker() {
        let p = ServerPace::default();
        p.observe(&h(&[("retry-after", "2")]));
        let q = p.clone();
        let started = Instant::now();
        q.wait().await;
        assert_eq!(started.elapsed(), Duration::from_secs(2));
        assert_eq!(p.headers().retry_after_seen, 1);
    }
}
