//! HTTP status → [`ErrorKind`] and [`RetryStatus`]: the one mapping every HTTP connector uses.

use crm_core::{Error, ErrorKind, RetryStatus};

/// Classifies an HTTP status: 5xx, 408 and 429 are temporary, every other 4xx permanent.
///
/// | status | kind | retry |
/// | --- | --- | --- |
/// | 400, 422 | `Validation` | permanent |
/// | 401, 403 | `Unauthorized` | permanent |
/// | 404, 410 | `NotFound` | permanent |
/// | 409 | `Duplicate` | permanent |
/// | 413 | `Validation` | permanent |
/// | 408 | `Transport` | temporary |
/// | 429 | `RateLimited` | temporary |
/// | other 4xx | `Unexpected` | permanent |
/// | 5xx | `Transport` | temporary |
/// | anything else | `Unexpected` | permanent |
pub fn classify_status(status: u16) -> (ErrorKind, RetryStatus) {
    use ErrorKind as K;
    use RetryStatus::{Permanent, Temporary};
    match status {
        400 | 422 | 413 => (K::Validation, Permanent),
        401 | 403 => (K::Unauthorized, Permanent),
        404 | 410 => (K::NotFound, Permanent),
        409 => (K::Duplicate, Permanent),
        408 => (K::Transport, Temporary),
        429 => (K::RateLimited, Temporary),
        400..=499 => (K::Unexpected, Permanent),
        500..=599 => (K::Transport, Temporary),
        _ => (K::Unexpected, Permanent),
    }
}

/// True when a request that got `status` may succeed if sent again.
pub fn is_retryable_status(status: u16) -> bool {
    classify_status(status).1 == RetryStatus::Temporary
}

/// An [`Error`] for an HTTP answer with `status` and the platform's `message`.
pub fn status_error(status: u16, message: impl Into<String>) -> Error {
    let (kind, retry) = classify_status(status);
    Error::new(kind, format!("HTTP {status}: {}", message.into())).with_retry(retry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_kinds_and_retry() {
        for s in [500, 502, 503, 504, 408, 429] {
            assert!(is_retryable_status(s), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 413, 418, 422] {
            assert!(!is_retryable_status(s), "{s}");
        }
        assert_eq!(classify_status(401).0, ErrorKind::Unauthorized);
        assert_eq!(classify_status(429).0, ErrorKind::RateLimited);
        assert_eq!(classify_status(404).0, ErrorKind::NotFound);
        assert_eq!(classify_status(400).0, ErrorKind::Validation);
        let e = status_error(503, "busy");
        assert!(e.is_temporary());
        assert!(e.to_string().contains("503"));
    }
}
