//! [`RetryConfig`]: how often and how long to retry, and how long to wait between tries.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;

/// Retry settings: a count, a total deadline, and exponential backoff with jitter.
///
/// Before each retry the client waits the **longer** of the backoff and the server's
/// `Retry-After`, and it never starts a wait that would end past the total deadline.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// Backoff before the first retry.
    pub initial_backoff: Duration,
    /// Longest backoff between two attempts.
    pub max_backoff: Duration,
    /// Factor the backoff grows by per retry.
    pub multiplier: f64,
    /// Total time budget of one request, all attempts and waits included.
    pub deadline: Duration,
    /// Randomise each backoff within `[backoff / 2, backoff]` so workers do not retry in step.
    pub jitter: bool,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_retries: 5,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            multiplier: 2.0,
            deadline: Duration::from_secs(180),
            jitter: true,
        }
    }
}

impl RetryConfig {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Sets the number of retries.
    pub fn with_max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Sets the backoff range.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Sets the total deadline.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Turns jitter on or off (off makes waits deterministic, for tests).
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// The backoff before retry number `retry` (0 for the first retry), jitter applied.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = self.multiplier.max(1.0).powi(retry.min(30) as i32);
        let base = self.initial_backoff.as_secs_f64() * factor;
        let capped = base.min(self.max_backoff.as_secs_f64()).max(0.0);
        let secs = if self.jitter && capped > 0.0 {
            rand::thread_rng().gen_range(capped / 2.0..=capped)
        } else {
            capped
        };
        Duration::from_secs_f64(secs)
    }

    /// The wait before retry number `retry`: the longer of the backoff and `retry_after`.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let b = self.backoff(retry);
        match retry_after {
            Some(ra) if ra > b => ra,
            _ => b,
        }
    }
}

/// Parses a `Retry-After` header: delay seconds (`"120"`) or an HTTP date
/// (`"Wed, 21 Oct 2015 07:28:00 GMT"`, read against `now`). `None` when unreadable.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Some(Duration::from_secs_f64(secs));
        }
    }
    let at = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn backoff_grows_caps_and_jitters_within_range() {
        let c = RetryConfig::default()
            .with_backoff(Duration::from_millis(100), Duration::from_millis(1000))
            .with_jitter(false);
        assert_eq!(c.backoff(0), Duration::from_millis(100));
        assert_eq!(c.backoff(1), Duration::from_millis(200));
        assert_eq!(c.backoff(10), Duration::from_millis(1000));
        let j = c.clone().with_jitter(true);
        for _ in 0..100 {
            let d = j.backoff(2);
            assert!(
                d >= Duration::from_millis(200) && d <= Duration::from_millis(400),
                "{d:?}"
            );
        }
    }

    #[test]
    fn delay_is_the_longer_of_backoff_and_retry_after() {
        let c = RetryConfig::default()
            .with_backoff(Duration::from_secs(1), Duration::from_secs(10))
            .with_jitter(false);
        assert_eq!(
            c.delay(0, Some(Duration::from_secs(5))),
            Duration::from_secs(5)
        );
        assert_eq!(
            c.delay(3, Some(Duration::from_secs(5))),
            Duration::from_secs(8)
        );
        assert_eq!(c.delay(0, None), Duration::from_secs(1));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = Utc.with_ymd_and_hms(2015, 10, 21, 7, 27, 0).unwrap();
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
