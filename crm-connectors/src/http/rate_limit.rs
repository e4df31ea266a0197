//! [`RateLimiter`]: one client-side limiter shared by every request (and every worker) of a
//! client, set to the platform's quota in requests per minute.

use std::num::NonZeroU32;
use std::ops::Add;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::Quota;

/// An instant of tokio's clock, so the limiter follows `tokio::time::pause` in tests and
/// real time otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TokioInstant(tokio::time::Instant);

impl Add<Nanos> for TokioInstant {
    type Output = Self;
    fn add(self, other: Nanos) -> Self {
        TokioInstant(self.0 + Duration::from(other))
    }
}

impl Reference for TokioInstant {
    fn duration_since(&self, earlier: Self) -> Nanos {
        Nanos::from(self.0.saturating_duration_since(earlier.0))
    }

    fn saturating_sub(&self, duration: Nanos) -> Self {
        TokioInstant(
            self.0
                .checked_sub(Duration::from(duration))
                .unwrap_or(self.0),
        )
    }
}

/// A governor clock reading tokio's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    type Instant = TokioInstant;
    fn now(&self) -> TokioInstant {
        TokioInstant(tokio::time::Instant::now())
    }
}

type Limiter =
    governor::RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<TokioInstant>>;

/// A GCRA (token bucket) limiter: `per_minute` requests a minute on average, at most
/// `burst` at once. Cloning shares the same budget, so every worker of a run draws from one
/// quota (tower's `RateLimit` cannot be shared this way).
#[derive(Clone, Default)]
pub struct RateLimiter {
    inner: Option<Arc<Limiter>>,
    per_minute: Option<u32>,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("per_minute", &self.per_minute)
            .finish()
    }
}

impl RateLimiter {
    /// No limit.
    pub fn unlimited() -> Self {
        Self::default()
    }

    /// `per_minute` requests a minute with bursts of up to `burst` (at least 1); `None` or 0
    /// means unlimited.
    pub fn per_minute(per_minute: Option<u32>, burst: u32) -> Self {
        let Some(n) = per_minute.and_then(NonZeroU32::new) else {
            return Self::unlimited();
        };
        let burst = NonZeroU32::new(burst.clamp(1, n.get())).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_minute(n).allow_burst(burst);
        Self {
            inner: Some(Arc::new(governor::RateLimiter::direct_with_clock(
                quota, TokioClock,
            ))),
            per_minute: Some(n.get()),
        }
    }

    /// The configured requests per minute, if limited.
    pub fn limit_per_minute(&self) -> Option<u32> {
        self.per_minute
    }

    /// Waits until one more request is allowed, and takes it.
    pub async fn acquire(&self) {
        let Some(lim) = &self.inner else { return };
        loop {
            match lim.check() {
                Ok(()) => return,
                Err(not_until) => {
                    let wait = not_until.wait_time_from(TokioClock.now());
                    tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn spaces_requests_to_the_quota() {
        let lim = RateLimiter::per_minute(Some(60), 1);
        let start = tokio::time::Instant::now();
        for _ in 0..5 {
            lim.acquire().await;
        }
        let took = start.elapsed();
        // First is free, the next four wait one second each.
        assert!(took >= Duration::from_secs(4), "{took:?}");
        assert!(took < Duration::from_secs(5), "{took:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn clones_share_one_budget() {
        let a = RateLimiter::per_minute(Some(120), 2);
        let b = a.clone();
        let start = tokio::time::Instant::now();
        a.acquire().await;
        b.acquire().await; // burst of 2 used up
        a.acquire().await;
        b.acquire().await;
        let took = start.elapsed();
        assert!(took >= Duration::from_secs(1), "{took:?}");
    }

    #[tokio::test]
    async fn unlimited_never_waits() {
        let lim = RateLimiter::per_minute(None, 10);
        for _ in 0..1000 {
            lim.acquire().await;
        }
        assert_eq!(lim.limit_per_minute(), None);
    }
}
