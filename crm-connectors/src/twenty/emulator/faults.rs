//! Scripted faults, the request log, and the optional rate limiter.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;
use tokio::time::Instant;

/// A fault the emulator injects into the next matching request, in queue order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer 429 without touching state, with `Retry-After: secs` when given.
    TooManyRequests {
        /// Seconds for the `Retry-After` header; `None` sends no header.
        retry_after: Option<u64>,
    },
    /// Answer this 5xx status (a REST error body) without touching state.
    ServerError(u16),
    /// Close the connection without any response, without touching state.
    Drop,
    /// Apply the request, then close the connection without a response.
    CommitThenDrop,
    /// Apply the request, then wait this long before answering (past a client's timeout).
    CommitThenStall(Duration),
    /// Answer this status and JSON body without touching state: a refusal a test scripts from
    /// a recording (e.g. a v2 `METADATA_VALIDATION_ERROR` body).
    Reply(u16, serde_json::Value),
}

impl Fault {
    /// Parses a fault script: comma-separated faults, each optionally repeated with `xN`:
    /// `429` (or `429:retry=2` for a `Retry-After: 2`), a 5xx status such as `503`, `drop`
    /// (close without answering), `commit-drop` (apply, then close: a timeout after commit),
    /// `stall=5` (apply, then answer after 5 s). Example: `429:retry=1x3,503x2,commit-drop`.
    pub fn parse_script(spec: &str) -> Result<Vec<Fault>, String> {
        let mut out = Vec::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (body, times) = match item.rsplit_once('x') {
                Some((b, n))
                    if !b.is_empty() && n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty() =>
                {
                    (
                        b,
                        n.parse::<usize>()
                            .map_err(|_| format!("bad repeat count in {item:?}"))?,
                    )
                }
                _ => (item, 1),
            };
            let fault = match body {
                "drop" => Fault::Drop,
                "commit-drop" => Fault::CommitThenDrop,
                "429" => Fault::TooManyRequests { retry_after: None },
                b if b.starts_with("429:retry=") => Fault::TooManyRequests {
                    retry_after: Some(b["429:retry=".len()..].parse().map_err(|_| format!("bad Retry-After in {item:?}"))?),
                },
                b if b.starts_with("stall=") => Fault::CommitThenStall(Duration::from_secs(
                    b["stall=".len()..].parse().map_err(|_| format!("bad stall seconds in {item:?}"))?,
                )),
                b => match b.parse::<u16>() {
                    Ok(code) if (500..600).contains(&code) => Fault::ServerError(code),
                    _ => {
                        return Err(format!(
                            "unknown fault {item:?}: use 429, 429:retry=N, 5xx, drop, commit-drop or stall=N, each optionally xN"
                        ))
                    }
                },
            };
            out.extend(std::iter::repeat_n(fault, times));
        }
        Ok(out)
    }
}

/// Counts of the requests the emulator received, keyed `"METHOD /path"` with ids as `{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestLog {
    /// Requests per route.
    pub by_route: BTreeMap<String, usize>,
    /// All requests, including faulted and unauthenticated ones.
    pub total: usize,
}

impl RequestLog {
    /// Requests for one route, e.g. `"POST /rest/batch/people"` or `"PATCH /rest/people/{id}"`.
    pub fn count(&self, route: &str) -> usize {
        self.by_route.get(route).copied().unwrap_or(0)
    }
}

/// The route key of a request: query dropped, UUID segments replaced by `{id}`.
pub(super) fn route_key(method: &str, path: &str) -> String {
    let segs: Vec<&str> = path
        .split('/')
        .map(|s| if super::store::is_uuid(s) { "{id}" } else { s })
        .collect();
    format!("{method} {}", segs.join("/"))
}

/// A queued fault with an optional path prefix it applies to.
#[derive(Debug, Clone)]
pub(super) struct FaultRule {
    pub(super) fault: Fault,
    pub(super) path_prefix: Option<String>,
    /// Matching requests to let through before this fault applies.
    pub(super) skip: usize,
}

/// Take the first queued fault that applies to `path`; a rule still skipping counts this
/// request and lets it (and the rules behind it) be.
pub(super) fn take_fault(queue: &mut VecDeque<FaultRule>, path: &str) -> Option<Fault> {
    let idx = queue
        .iter()
        .position(|r| r.path_prefix.as_deref().is_none_or(|p| path.starts_with(p)))?;
    if queue[idx].skip > 0 {
        queue[idx].skip -= 1;
        return None;
    }
    queue.remove(idx).map(|r| r.fault)
}

/// A fixed-window counter per key (v1: REST one key, GraphQL one per root field, as recorded),
/// and the v2.21 token bucket (one per workspace).
#[derive(Debug, Default)]
pub(super) struct Limiter {
    windows: HashMap<String, (Instant, u32)>,
    buckets: HashMap<String, (Instant, f64)>,
}

impl Limiter {
    /// v2.21's bucket (probe 04): `capacity` tokens, refilled at `capacity` per `window`, one
    /// per request; empty → refused. From full, 100 pass, then a refusal; a second later one
    /// passes again (refill 1 per 600 ms at 100/min).
    pub(super) fn take_token(&mut self, key: &str, capacity: u32, window: Duration) -> bool {
        let now = Instant::now();
        let cap = f64::from(capacity.max(1));
        let slot = self.buckets.entry(key.to_string()).or_insert((now, cap));
        let refill = now.duration_since(slot.0).as_secs_f64() / window.as_secs_f64() * cap;
        slot.1 = (slot.1 + refill).min(cap);
        slot.0 = now;
        if slot.1 >= 1.0 {
            slot.1 -= 1.0;
            true
        } else {
            false
        }
    }

    /// Count one call under `key`; `false` when it is over `limit` in the window.
    pub(super) fn allow(&mut self, key: &str, limit: u32, window: Duration) -> bool {
        let now = Instant::now();
        let slot = self.windows.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(slot.0) >= window {
            *slot = (now, 0);
        }
        slot.1 += 1;
        slot.1 <= limit
    }
}

#[cfg(test)]
mod script_tests {
    use super::*;

    #[test]
    fn fault_scripts_parse() {
        let f = Fault::parse_script("429:retry=2x2, 503, commit-drop, dropx1").unwrap();
        assert_eq!(
            f,
            vec![
                Fault::TooManyRequests {
                    retry_after: Some(2)
                },
                Fault::TooManyRequests {
                    retry_after: Some(2)
                },
                Fault::ServerError(503),
                Fault::CommitThenDrop,
                Fault::Drop,
            ]
        );
        assert!(Fault::parse_script("418")
            .unwrap_err()
            .contains("unknown fault"));
        assert_eq!(
            Fault::parse_script("stall=3").unwrap(),
            vec![Fault::CommitThenStall(Duration::from_secs(3))]
        );
    }
}
