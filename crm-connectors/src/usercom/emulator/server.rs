//! The emulator's handle, configuration, faults, request log and the one request handler.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Request, Response, StatusCode};
use axum::Router;
use serde_json::{json, Value as Json};

use super::data::Store;

/// How the emulator behaves.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UsercomEmulatorConfig {
    /// Users in the seeded account (the other objects in proportion, as in the sample).
    pub records: usize,
    /// Seed of the account (the same seed gives the same records as the CSV sample).
    pub seed: u64,
    /// The key clients must send as `Authorization: Token <key>`.
    pub api_key: String,
    /// Results per page when the request names no `page_size` (at most 100, as documented).
    pub page_size: usize,
}

impl Default for UsercomEmulatorConfig {
    fn default() -> Self {
        Self {
            records: 100,
            seed: 42,
            api_key: "usercom-emulator-test-key-0000000000000000000000000000000000000000".into(),
            page_size: 100,
        }
    }
}

impl UsercomEmulatorConfig {
    /// An account of `records` users from `seed`.
    pub fn new(records: usize, seed: u64) -> Self {
        Self {
            records,
            seed,
            ..Self::default()
        }
    }

    /// Sets the default page size (capped at 100).
    pub fn with_page_size(mut self, n: usize) -> Self {
        self.page_size = n.clamp(1, 100);
        self
    }
}

/// A fault injected into the next matching request, in queue order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UsercomFault {
    /// 429, with `Retry-After: secs` when given.
    TooManyRequests {
        /// Seconds for the `Retry-After` header.
        retry_after: Option<u64>,
    },
    /// This 5xx status.
    ServerError(u16),
}

/// Requests received, by route (`"GET /api/public/users/{id}/events/"`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsercomRequestLog {
    /// Requests per route.
    pub by_route: BTreeMap<String, usize>,
    /// All requests, faulted and refused ones included.
    pub total: usize,
    /// Requests answered with a scripted fault.
    pub faulted: usize,
}

impl UsercomRequestLog {
    /// Requests for one route.
    pub fn count(&self, route: &str) -> usize {
        self.by_route.get(route).copied().unwrap_or(0)
    }
}

#[derive(Debug)]
struct Shared {
    config: UsercomEmulatorConfig,
    store: Store,
    faults: Mutex<VecDeque<(UsercomFault, Option<String>)>>,
    log: Mutex<UsercomRequestLog>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The API prefix every path sits under.
const PREFIX: &str = "/api/public/";

/// A running emulator of the User.com API. Dropping it stops the server.
#[derive(Debug)]
pub struct UsercomEmulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl UsercomEmulator {
    /// Binds `127.0.0.1:0` in the current tokio runtime, seeds the account and serves it.
    pub async fn start(config: UsercomEmulatorConfig) -> std::io::Result<Self> {
        Self::start_on(0, config).await
    }

    /// Bind `127.0.0.1:port` (`0` for any free port) and start serving; loopback only.
    pub async fn start_on(port: u16, config: UsercomEmulatorConfig) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let base = format!("http://{addr}{PREFIX}");
        let shared = Arc::new(Shared {
            store: Store::new(config.records, config.seed, &base),
            config,
            faults: Mutex::new(VecDeque::new()),
            log: Mutex::new(UsercomRequestLog::default()),
        });
        let router = Router::new().fallback(handle).with_state(shared.clone());
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::warn!(error = %e, "User.com emulator stopped.");
            }
        });
        Ok(Self { addr, shared, task })
    }

    /// The API base URL, `http://127.0.0.1:<port>/api/public/`.
    pub fn url(&self) -> String {
        format!("http://{}{PREFIX}", self.addr)
    }

    /// The key the emulator accepts.
    pub fn api_key(&self) -> &str {
        &self.shared.config.api_key
    }

    /// Queues a fault for the next request (whose path, below `/api/public/`, starts with
    /// `path_prefix` when given).
    pub fn push_fault(&self, fault: UsercomFault, path_prefix: Option<&str>) {
        lock(&self.shared.faults).push_back((fault, path_prefix.map(str::to_string)));
    }

    /// Faults still queued.
    pub fn pending_faults(&self) -> usize {
        lock(&self.shared.faults).len()
    }

    /// The requests received so far.
    pub fn log(&self) -> UsercomRequestLog {
        lock(&self.shared.log).clone()
    }

    /// How many records the list or sub-resource at `path` (`users/`, `users/3/events/`)
    /// holds, if it exists.
    pub fn count(&self, path: &str) -> Option<usize> {
        self.shared.store.lists.get(path).map(Vec::len)
    }
}

impl Drop for UsercomEmulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn reply(status: u16, body: &Json) -> Response<Body> {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap_or_default()
}

fn detail(status: u16, text: &str) -> Response<Body> {
    reply(status, &json!({ "detail": text }))
}

/// The route of a path: numeric segments become `{id}`.
fn route(path: &str) -> String {
    let segs: Vec<&str> = path
        .split('/')
        .map(|s| {
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                "{id}"
            } else {
                s
            }
        })
        .collect();
    format!("GET {}", segs.join("/"))
}

fn auth_error(shared: &Shared, headers: &HeaderMap) -> Option<Response<Body>> {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    match auth {
        None => return Some(detail(401, "Authentication credentials were not provided.")),
        Some(a) if a.strip_prefix("Token ") != Some(shared.config.api_key.as_str()) => {
            return Some(detail(401, "Invalid token."))
        }
        _ => {}
    }
    let accept = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let version = accept
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("version="))
        .next();
    (version != Some("2")).then(|| detail(406, "Invalid version in \"Accept\" header."))
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request<Body>) -> Response<Body> {
    let path = req.uri().path().to_string();
    {
        let mut log = lock(&shared.log);
        log.total += 1;
        *log.by_route.entry(route(&path)).or_insert(0) += 1;
    }
    let below = path.strip_prefix(PREFIX).unwrap_or("").to_string();
    let fault = {
        let mut q = lock(&shared.faults);
        let i = q
            .iter()
            .position(|(_, p)| p.as_deref().is_none_or(|p| below.starts_with(p)));
        i.and_then(|i| q.remove(i)).map(|(f, _)| f)
    };
    if let Some(f) = fault {
        lock(&shared.log).faulted += 1;
        return match f {
            UsercomFault::TooManyRequests { retry_after } => {
                let mut r = detail(429, "Request was throttled.");
                if let Some(s) = retry_after {
                    if let Ok(v) = s.to_string().parse() {
                        r.headers_mut().insert("retry-after", v);
                    }
                }
                r
            }
            UsercomFault::ServerError(s) => detail(s, "Server error."),
        };
    }
    if let Some(r) = auth_error(&shared, req.headers()) {
        return r;
    }
    if req.method() != axum::http::Method::GET {
        return detail(405, "Method not allowed.");
    }
    // Every path ends with a slash; anything else is not found (as without APPEND_SLASH).
    let Some(items) = shared
        .store
        .lists
        .get(&below)
        .filter(|_| below.ends_with('/'))
    else {
        return detail(404, "Not found.");
    };
    let query: Vec<(String, String)> = req
        .uri()
        .query()
        .map(|q| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let get = |k: &str| query.iter().find(|(q, _)| q == k).map(|(_, v)| v.as_str());
    let size = get("page_size")
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(shared.config.page_size, |n| n.clamp(1, 100));
    // The cursor is opaque to clients: `o<offset>`.
    let offset = match get("cursor") {
        None => 0,
        Some(c) => match c.strip_prefix('o').and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => n,
            None => return detail(404, "Invalid cursor"),
        },
    };
    let end = (offset + size).min(items.len());
    let page: Vec<Json> = items
        .get(offset..end)
        .map(<[Json]>::to_vec)
        .unwrap_or_default();
    let link = |o: usize| {
        let extra = get("page_size").map_or(String::new(), |_| format!("&page_size={size}"));
        format!("http://{}{path}?cursor=o{o}{extra}", host(req.headers()))
    };
    let next = (end < items.len()).then(|| link(end));
    let previous = (offset > 0).then(|| link(offset.saturating_sub(size)));
    reply(
        200,
        &json!({"count": items.len(), "next": next, "previous": previous, "results": page}),
    )
}

fn host(headers: &HeaderMap) -> String {
    headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string()
}
