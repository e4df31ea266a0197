//! The client's retry loop against a local test server, with exact call counts.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use super::testing::{Reply, TestServer};
use super::*;

fn client(url: &str, retries: u32) -> HttpClient {
    HttpClient::new(
        HttpClientConfig::new(url)
            .with_api_key(Secret::new("top-secret-key"))
            .with_retry(
                RetryConfig::default()
                    .with_max_retries(retries)
                    .with_backoff(Duration::from_millis(5), Duration::from_millis(20))
                    .with_jitter(false),
            ),
    )
    .unwrap()
}

/// A handler failing with `status` for the first `fails` calls, then answering 200.
fn flaky(
    fails: usize,
    status: u16,
    retry_after: Option<&'static str>,
) -> impl Fn(&testing::SeenRequest) -> Reply {
    let n = Arc::new(AtomicUsize::new(0));
    move |_| {
        if n.fetch_add(1, Ordering::SeqCst) < fails {
            let r = Reply::json(status, json!({"statusCode": status, "messages": ["busy"]}));
            match retry_after {
                Some(v) => r.header("retry-after", v),
                None => r,
            }
        } else {
            Reply::json(200, json!({"ok": true}))
        }
    }
}

#[tokio::test]
async fn retries_429_then_succeeds_with_exact_count() {
    let s = TestServer::start(flaky(2, 429, None)).await;
    let r = client(&s.url, 5)
        .send(&Request::post("/x", json!({})))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.attempts, 3);
    assert_eq!(s.count(), 3);
}

#[tokio::test]
async fn retries_5xx_for_idempotent_requests_only() {
    let s = TestServer::start(flaky(2, 503, None)).await;
    let r = client(&s.url, 5).send(&Request::get("/x")).await.unwrap();
    assert_eq!((r.status, s.count()), (200, 3));

    let s = TestServer::start(flaky(2, 500, None)).await;
    let r = client(&s.url, 5)
        .send(&Request::post("/x", json!([])))
        .await
        .unwrap();
    assert_eq!(
        (r.status, s.count()),
        (500, 1),
        "a POST is not repeated after a 500"
    );
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    for status in [400, 401, 403, 404, 409] {
        let s = TestServer::start(flaky(10, status, None)).await;
        let r = client(&s.url, 5).send(&Request::get("/x")).await.unwrap();
        assert_eq!((r.status, s.count()), (status, 1));
    }
}

#[tokio::test]
async fn retries_stop_at_max_and_return_the_last_answer() {
    let s = TestServer::start(flaky(100, 503, None)).await;
    let r = client(&s.url, 3).send(&Request::get("/x")).await.unwrap();
    assert_eq!((r.status, r.attempts, s.count()), (503, 4, 4));
}

#[tokio::test]
async fn retry_after_is_honoured_over_a_shorter_backoff() {
    let s = TestServer::start(flaky(1, 429, Some("1"))).await;
    let start = Instant::now();
    let r = client(&s.url, 3).send(&Request::get("/x")).await.unwrap();
    assert_eq!((r.status, s.count()), (200, 2));
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn total_deadline_stops_retrying() {
    let s = TestServer::start(flaky(100, 429, Some("5"))).await;
    let c = HttpClient::new(
        HttpClientConfig::new(&s.url).with_retry(
            RetryConfig::default()
                .with_max_retries(10)
                .with_deadline(Duration::from_secs(2)),
        ),
    )
    .unwrap();
    let start = Instant::now();
    let e = c.send(&Request::get("/x")).await.unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(s.count(), 1);
    assert_eq!(e.retry(), crm_core::RetryStatus::Persistent);
}

#[tokio::test]
async fn bearer_is_sent_but_never_printed() {
    let s = TestServer::start(|_| Reply::json(200, json!({}))).await;
    let c = client(&s.url, 0);
    c.send(&Request::get("/x").query("filter", "id[in]:[a,b]"))
        .await
        .unwrap();
    let seen = s.requests();
    assert_eq!(
        seen[0].header("authorization"),
        Some("Bearer top-secret-key")
    );
    assert_eq!(seen[0].target, "/x?filter=id[in]:[a,b]");
    assert!(!format!("{c:?}").contains("top-secret-key"));
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let e = client(&url, 1).send(&Request::get("/x")).await.unwrap_err();
    assert_eq!(e.kind(), crm_core::ErrorKind::Transport);
    assert!(!e.to_string().contains("top-secret-key"));
}

#[tokio::test]
async fn request_counts_by_route_include_retries() {
    let s = TestServer::start(flaky(1, 429, None)).await;
    let c = client(&s.url, 5);
    c.send(&Request::get(
        "/rest/people/0b6f7a52-8f0e-4c4e-9d1f-2a3b4c5d6e7f",
    ))
    .await
    .unwrap();
    c.clone()
        .send(&Request::get("/rest/people").query("limit", "1"))
        .await
        .unwrap();
    let counts = c.request_counts();
    assert_eq!(counts.get("GET /rest/people/{id}"), Some(&2), "{counts:?}");
    assert_eq!(counts.get("GET /rest/people"), Some(&1), "{counts:?}");
    assert_eq!(s.count(), 3);
}

/// A server that says its quota is spent (`X-RateLimit-Remaining: 0`, reset in 1 s) holds the
/// client's next request until the reset, without a 429.
#[tokio::test]
async fn remaining_zero_holds_the_next_request() {
    let s = TestServer::start(|_: &testing::SeenRequest| {
        Reply::json(200, json!({"ok": true}))
            .header("x-ratelimit-limit", "2")
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", "1")
    })
    .await;
    let c = client(&s.url, 0);
    c.send(&Request::get("/x")).await.unwrap();
    let started = Instant::now();
    c.send(&Request::get("/x")).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    let h = c.rate_headers();
    assert_eq!((h.seen, h.limit, h.remaining), (true, Some(2), Some(0)));
}

/// An unmetered request does not wait for (or spend) the client-side limit.
#[tokio::test]
async fn unmetered_requests_skip_the_client_limit() {
    let s = TestServer::start(|_: &testing::SeenRequest| Reply::json(200, json!({}))).await;
    let c = HttpClient::new(HttpClientConfig::new(&s.url).with_rate_limit(Some(60), 1)).unwrap();
    c.send(&Request::get("/a")).await.unwrap();
    let started = Instant::now();
    for _ in 0..5 {
        c.send(&Request::get("/meta").unmetered(true))
            .await
            .unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    c.send(&Request::get("/a")).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "a metered request still waits its turn: {:?}",
        started.elapsed()
    );
}
