//! The emulator's public handle, its configuration, and the connection loop that injects faults.

use super::faults::{route_key, take_fault, Fault, FaultRule, Limiter, RequestLog};
use super::store::Store;
use axum::body::Body;
use axum::http::{HeaderMap, Request, Response, StatusCode};
use axum::Router;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

/// Which recorded Twenty server the emulator answers like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// The v1.4-era server of `reference/twenty-live/` (2025-09): no batch cap, REST ignores
    /// `upsert=true`, `personId`/`companyId` target columns, v1 error texts.
    V1,
    /// Twenty v2.21.0 as recorded in `reference/twenty-v2-live/` (2026-11): batches capped at
    /// 200, list `limit` clamped to 200, REST upsert, morph target columns
    /// (`targetPersonId`…), metadata refusals in the `METADATA_VALIDATION_ERROR` envelope,
    /// reserved names refused, the v2 standard model (no `person.city`, `xLink`,
    /// `company.employees`, `idealCustomerProfile`, `annualRecurringRevenue`).
    #[default]
    V2,
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "v1" | "1" | "v1.4" => Ok(Profile::V1),
            "v2" | "2" | "v2.21" => Ok(Profile::V2),
            other => Err(format!("unknown Twenty profile {other:?} (v1 or v2)")),
        }
    }
}

/// How the emulator behaves. The default is the v2.21 server ([`Profile::V2`]) with no rate
/// limit; [`EmulatorConfig::v1`] is the v1.4-era server (no batch cap).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EmulatorConfig {
    /// Which recorded server to answer like.
    pub profile: Profile,
    /// At most `n` calls per window. v1: a fixed window per GraphQL root field (answered with
    /// the recorded "Too many requests." error) and, unless `rest_exempt`, one for REST (429).
    /// v2: one token bucket for REST and GraphQL of `n` tokens refilled over the window
    /// (probe 04: 429 `Limit reached (n tokens per window ms)`, no rate-limit headers; the
    /// metadata API is not limited).
    pub rate_limit: Option<(u32, Duration)>,
    /// REST was never rate-limited on the recorded server; set to keep it so.
    pub rest_exempt: bool,
    /// A maximum records per REST batch: `None` is the profile's own (none on v1, 200 on v2).
    pub max_batch: Option<usize>,
    /// The API key clients must send as `Authorization: Bearer <key>`.
    pub api_key: String,
    /// The body limit; larger bodies get HTTP 500 with an empty body (probe 02).
    pub max_body_bytes: usize,
    /// Seed of the id generator.
    pub seed: u64,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            profile: Profile::V2,
            rate_limit: None,
            rest_exempt: false,
            max_batch: None,
            api_key: "twenty-emulator-test-key".into(),
            max_body_bytes: 10 * 1024 * 1024,
            seed: 42,
        }
    }
}

impl EmulatorConfig {
    /// The v1.4-era server of the first recordings (no batch cap, v1 error texts).
    pub fn v1() -> Self {
        Self::default().with_profile(Profile::V1)
    }
    /// Answer like `profile`.
    pub fn with_profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }
    /// The records-per-batch cap in effect: the configured one, else the profile's.
    pub fn batch_cap(&self) -> Option<usize> {
        self.max_batch.or(match self.profile {
            Profile::V1 => None,
            Profile::V2 => Some(200),
        })
    }
    /// Set the rate limit (`n` calls per `window`).
    pub fn with_rate_limit(mut self, n: u32, window: Duration) -> Self {
        self.rate_limit = Some((n, window));
        self
    }
    /// Set the maximum records per REST batch.
    pub fn with_max_batch(mut self, n: usize) -> Self {
        self.max_batch = Some(n);
        self
    }
}

/// State shared by the handlers.
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) store: Mutex<Store>,
    pub(super) config: EmulatorConfig,
    faults: Mutex<VecDeque<FaultRule>>,
    log: Mutex<RequestLog>,
    pub(super) limiter: Mutex<Limiter>,
    capture: std::sync::atomic::AtomicBool,
    captured: Mutex<Vec<CapturedRequest>>,
}

/// A request as received, kept when [`TwentyEmulator::capture_bodies`] is on.
#[derive(Debug, Clone, PartialEq)]
pub struct CapturedRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// The JSON body (`None` when empty or not JSON).
    pub body: Option<Value>,
}

/// Lock a mutex, recovering from poisoning (a panicking test must not wedge the server).
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// Whether the request carries the right bearer token.
    pub(super) fn authorized(&self, headers: &HeaderMap) -> bool {
        headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|k| k == self.config.api_key)
    }
}

/// A JSON response with the recorded content type.
pub(super) fn json_response(status: u16, body: &Value) -> Response<Body> {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json; charset=utf-8")
        .body(Body::from(body.to_string()))
        .unwrap_or_default()
}

/// The recorded 401 on REST (probe 11).
pub(super) fn rest_unauthorized() -> Response<Body> {
    let mut r = json_response(
        401,
        &json!({"statusCode": 401, "messages": ["No payload"], "error": "UNAUTHENTICATED"}),
    );
    r.headers_mut().insert(
        "content-type",
        axum::http::HeaderValue::from_static("application/json"),
    );
    r
}

/// A running emulator. Dropping it stops the accept loop.
#[derive(Debug)]
pub struct TwentyEmulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
}

impl TwentyEmulator {
    /// Bind `127.0.0.1:0` in the current tokio runtime and start serving.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<TwentyEmulator> {
        Self::start_on(0, config).await
    }

    /// Bind `127.0.0.1:port` (`0` for any free port) and start serving. The emulator only
    /// ever listens on the loopback interface.
    pub async fn start_on(port: u16, config: EmulatorConfig) -> std::io::Result<TwentyEmulator> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            store: Mutex::new({
                let mut s = Store::new(config.seed, config.profile);
                s.batch_cap = config.batch_cap();
                s
            }),
            config,
            faults: Mutex::new(VecDeque::new()),
            log: Mutex::new(RequestLog::default()),
            limiter: Mutex::new(Limiter::default()),
            capture: std::sync::atomic::AtomicBool::new(false),
            captured: Mutex::new(Vec::new()),
        });
        let router = Router::new()
            .route("/graphql", axum::routing::post(super::graphql::handle))
            .route("/metadata", axum::routing::post(super::metadata::graphql))
            .fallback(super::rest::handle)
            .layer(axum::extract::DefaultBodyLimit::disable())
            .with_state(shared.clone());
        let (stop, stop_rx) = watch::channel(false);
        let accept_shared = shared.clone();
        tokio::spawn(async move {
            let mut stop_rx = stop_rx;
            loop {
                tokio::select! {
                    _ = stop_rx.changed() => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        tokio::spawn(serve_conn(stream, router.clone(), accept_shared.clone(), stop_rx.clone()));
                    }
                }
            }
        });
        Ok(TwentyEmulator { addr, shared, stop })
    }

    /// The base URL, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The API key the emulator accepts.
    pub fn api_key(&self) -> &str {
        &self.shared.config.api_key
    }

    /// Add a workspace member (as a signed-up user would be); returns its id.
    pub fn seed_member(&self, email: &str, first: &str, last: &str) -> String {
        let mut store = lock(&self.shared.store);
        let user_id = store.new_id();
        let rec = json!({"userEmail": email, "name": {"firstName": first, "lastName": last}, "userId": user_id});
        match store.create_many("workspaceMember", &[rec], false) {
            Ok(mut v) => v
                .pop()
                .and_then(|r| r.get("id")?.as_str().map(String::from))
                .unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Queue a fault for the next request.
    pub fn push_fault(&self, fault: Fault) {
        lock(&self.shared.faults).push_back(FaultRule {
            fault,
            path_prefix: None,
            skip: 0,
        });
    }

    /// Queue a fault for the next request whose path starts with `path_prefix`.
    pub fn push_fault_for(&self, path_prefix: &str, fault: Fault) {
        lock(&self.shared.faults).push_back(FaultRule {
            fault,
            path_prefix: Some(path_prefix.into()),
            skip: 0,
        });
    }

    /// Queue a fault for the request whose path starts with `path_prefix` after `skip` such
    /// requests have been served normally (a refusal mid-way through a series of changes).
    pub fn push_fault_after(&self, path_prefix: &str, skip: usize, fault: Fault) {
        lock(&self.shared.faults).push_back(FaultRule {
            fault,
            path_prefix: Some(path_prefix.into()),
            skip,
        });
    }

    /// Active (not soft-deleted) records of an object, by singular or plural name.
    pub fn count(&self, object: &str) -> usize {
        let store = lock(&self.shared.store);
        let name = store
            .object(object)
            .map(|o| o.singular.clone())
            .unwrap_or_default();
        store.find(&name, None).len()
    }

    /// Every stored record of an object, soft-deleted ones included (for assertions).
    pub fn records(&self, object: &str) -> Vec<Value> {
        let store = lock(&self.shared.store);
        let name = store
            .object(object)
            .map(|o| o.singular.clone())
            .unwrap_or_default();
        store
            .rows(&name)
            .iter()
            .cloned()
            .map(Value::Object)
            .collect()
    }

    /// The requests received so far.
    pub fn requests(&self) -> RequestLog {
        lock(&self.shared.log).clone()
    }

    /// Start (or stop) keeping every request with its body, for [`Self::captured`].
    pub fn capture_bodies(&self, on: bool) {
        self.shared
            .capture
            .store(on, std::sync::atomic::Ordering::SeqCst);
    }

    /// The requests kept since [`Self::capture_bodies`] was turned on, in arrival order.
    pub fn captured(&self) -> Vec<CapturedRequest> {
        lock(&self.shared.captured).clone()
    }

    /// Stop accepting connections and close the open ones.
    pub fn shutdown(&self) {
        let _ = self.stop.send(true);
    }
}

impl Drop for TwentyEmulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn serve_conn(
    stream: tokio::net::TcpStream,
    router: Router,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let kill = Arc::new(Notify::new());
    let k = kill.clone();
    let svc = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
        let (router, shared, kill) = (router.clone(), shared.clone(), k.clone());
        async move {
            Ok::<_, std::convert::Infallible>(
                handle(req.map(Body::new), router, shared, kill).await,
            )
        }
    });
    let conn =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc);
    tokio::select! {
        _ = conn => {}
        _ = kill.notified() => {}
        _ = stop.changed() => {}
    }
}

async fn handle(
    req: Request<Body>,
    router: Router,
    shared: Arc<Shared>,
    kill: Arc<Notify>,
) -> Response<Body> {
    let path = req.uri().path().to_string();
    {
        let mut log = lock(&shared.log);
        log.total += 1;
        *log.by_route
            .entry(route_key(req.method().as_str(), &path))
            .or_default() += 1;
    }
    let req = if shared.capture.load(std::sync::atomic::Ordering::SeqCst) {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        lock(&shared.captured).push(CapturedRequest {
            method: parts.method.to_string(),
            path: path.clone(),
            query: parts.uri.query().map(str::to_string),
            body: serde_json::from_slice(&bytes).ok(),
        });
        Request::from_parts(parts, Body::from(bytes))
    } else {
        req
    };
    let fault = take_fault(&mut lock(&shared.faults), &path);
    let run = |req| async move { router.oneshot(req).await.unwrap_or_default() };
    match fault {
        None => run(req).await,
        Some(Fault::TooManyRequests { retry_after }) => {
            let mut r = json_response(
                429,
                &json!({"statusCode": 429, "error": "ThrottlerException", "messages": ["Too many requests."]}),
            );
            if let Some(s) = retry_after {
                if let Ok(v) = axum::http::HeaderValue::from_str(&s.to_string()) {
                    r.headers_mut().insert("retry-after", v);
                }
            }
            r
        }
        Some(Fault::Reply(status, body)) => json_response(status, &body),
        Some(Fault::ServerError(status)) => json_response(
            status,
            &json!({"statusCode": status, "error": "InternalServerErrorException", "messages": ["Internal server error"]}),
        ),
        Some(Fault::Drop) => {
            kill.notify_one();
            std::future::pending().await
        }
        Some(Fault::CommitThenDrop) => {
            let _ = run(req).await;
            kill.notify_one();
            std::future::pending().await
        }
        Some(Fault::CommitThenStall(d)) => {
            let r = run(req).await;
            tokio::time::sleep(d).await;
            r
        }
    }
}
