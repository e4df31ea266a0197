//! `crm-migrate review`: a local page (127.0.0.1 only, every asset embedded, no network)
//! to look at a mapping rather than read it: per source object its target and split rules,
//! every field rule with real sample values before and after normalisation, value maps with
//! the records per source value, the schema changes, the policies, and what a dry run
//! against the destination's model would reject. Changes made on the page are written into
//! the TOML in place, keeping its comments; "Confirm" stamps it as `map --confirm` does.

mod analysis;
mod edit;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::StreamExt;
use tokio::sync::Mutex;

use crm_migrate::core::{DataModel, RawRecord, SourceExt};
use crm_migrate::transform::mapping::MappingSpec;

use super::destination::{model_named, Destination};
use super::{Usage, EXIT_OK};

const INDEX_HTML: &str = include_str!("review/index.html");
const APP_CSS: &str = include_str!("review/app.css");
const APP_JS: &str = include_str!("review/app.js");

/// Records read per source object (enough for samples, value counts and the tally).
const MAX_RECORDS: usize = 100_000;

/// Arguments of `review`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReviewArgs {
    /// The mapping (TOML) to review; changes made on the page are written into it.
    #[arg(long)]
    mapping: PathBuf,
    /// Source platform.
    #[arg(long)]
    from: String,
    /// Source input (export directory).
    #[arg(long)]
    input: PathBuf,
    /// Destination whose model to validate against, as `run` takes it (default: the
    /// sandbox's Twenty model).
    #[arg(long)]
    to: Option<String>,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
}

struct Review {
    path: PathBuf,
    from: String,
    input: String,
    to: String,
    model: DataModel,
    raw: BTreeMap<String, Vec<RawRecord>>,
    /// Held while the file is read and written, so edits apply one at a time.
    lock: Mutex<()>,
    /// `host:port` the page is served on; other Host headers are refused.
    hosts: Vec<String>,
}

type Shared = Arc<Review>;

pub(crate) async fn review(a: ReviewArgs) -> anyhow::Result<u8> {
    let spec = MappingSpec::load(&a.mapping).map_err(Usage)?;
    let model = match &a.to {
        Some(to) => {
            let dest = Destination::parse(to, "twenty")?;
            dest.open()?.data_model().await?
        }
        None => model_named("twenty")?,
    };
    let source = super::run::open_source(&a.from, &a.input).await?;
    let mut raw = BTreeMap::new();
    let mut wanted: Vec<&str> = spec.objects.iter().map(|o| o.source.as_str()).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let available = source.objects().await?;
    for object in wanted {
        if !available.iter().any(|o| o == object) {
            raw.insert(object.to_string(), Vec::new());
            continue;
        }
        let mut records = Vec::new();
        let mut stream = source.stream(object);
        while let Some(r) = stream.next().await {
            records.push(r?);
            if records.len() >= MAX_RECORDS {
                break;
            }
        }
        raw.insert(object.to_string(), records);
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", a.port)).await?;
    let port = listener.local_addr()?.port();
    let state = Arc::new(Review {
        path: a.mapping.clone(),
        from: a.from.clone(),
        input: a.input.display().to_string(),
        to: a
            .to
            .clone()
            .unwrap_or_else(|| "sandbox:rehearsal.sqlite".into()),
        model,
        raw,
        lock: Mutex::new(()),
        hosts: vec![format!("127.0.0.1:{port}"), format!("localhost:{port}")],
    });
    let app = Router::new()
        .route("/", get(index))
        .route("/app.css", get(|| async { asset("text/css", APP_CSS) }))
        .route(
            "/app.js",
            get(|| async { asset("text/javascript", APP_JS) }),
        )
        .route("/api/view", get(view))
        .route("/api/edit", post(edit_handler))
        .route("/api/confirm", post(confirm_handler))
        .with_state(state);
    {
        use std::io::Write;
        let mut out = std::io::stdout();
        writeln!(out, "Review page: http://127.0.0.1:{port}/")?;
        writeln!(
            out,
            "Changes are written into {}; Ctrl-C stops the server.",
            a.mapping.display()
        )?;
        out.flush()?;
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(EXIT_OK)
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// Refuses requests not addressed to this server by its own name (DNS rebinding) and,
/// for changes, not sent as JSON by the page's script (cross-site form posts).
fn guard(s: &Review, headers: &HeaderMap, change: bool) -> Result<(), (StatusCode, &'static str)> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !s.hosts.iter().any(|h| h == host) {
        return Err((StatusCode::FORBIDDEN, "wrong host"));
    }
    if change {
        let json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|t| t.starts_with("application/json"));
        if !json {
            return Err((StatusCode::UNSUPPORTED_MEDIA_TYPE, "JSON only"));
        }
    }
    Ok(())
}

async fn index(State(s): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(r) = guard(&s, &headers, false) {
        return r.into_response();
    }
    let csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, csp),
            (header::CACHE_CONTROL, "no-store"),
        ],
        INDEX_HTML,
    )
        .into_response()
}

fn current(s: &Review) -> Result<serde_json::Value, String> {
    let spec = MappingSpec::load(&s.path)?;
    let v = analysis::view(
        &spec,
        &s.path.display().to_string(),
        &s.from,
        &s.input,
        &s.to,
        &s.model,
        &s.raw,
    );
    serde_json::to_value(v).map_err(|e| e.to_string())
}

fn reply(r: Result<serde_json::Value, String>) -> Response {
    match r {
        Ok(v) => Json(v).into_response(),
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(serde_json::json!({ "error": e })),
        )
            .into_response(),
    }
}

async fn view(State(s): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(r) = guard(&s, &headers, false) {
        return r.into_response();
    }
    let _held = s.lock.lock().await;
    reply(current(&s))
}

fn rewrite(path: &Path, f: impl FnOnce(&str) -> Result<String, String>) -> Result<(), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let out = f(&text)?;
    if out != text {
        std::fs::write(path, out).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

async fn edit_handler(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = guard(&s, &headers, true) {
        return r.into_response();
    }
    let e: edit::Edit = match serde_json::from_slice(&body) {
        Ok(e) => e,
        Err(e) => return reply(Err(format!("not an edit: {e}"))),
    };
    let _held = s.lock.lock().await;
    reply(rewrite(&s.path, |t| edit::apply(t, &e)).and_then(|()| current(&s)))
}

async fn confirm_handler(State(s): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(r) = guard(&s, &headers, true) {
        return r.into_response();
    }
    let _held = s.lock.lock().await;
    reply(rewrite(&s.path, |t| edit::confirm(t).map(|(out, _)| out)).and_then(|()| current(&s)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_migrate::core::SourceKey;

    const SPEC: &str = r#"
[meta]
source = "usercom"
destination = "twenty"

[[objects]]
source = "deals"
target = "opportunity"

[[objects.fields]]
source = "name"
target = "name"
transform = "text"

[[objects.fields]]
source = "stage"
target = "stage"
transform = "choice"
flag = "stage names differ"

[objects.value_maps.stage]
won = "CUSTOMER"
lost = ""
"#;

    fn raw(id: &str, name: &str, stage: &str) -> RawRecord {
        let mut fields = serde_json::Map::new();
        fields.insert("name".into(), name.into());
        fields.insert("stage".into(), stage.into());
        RawRecord {
            key: SourceKey::new("usercom", "deals", id),
            fields,
        }
    }

    fn review() -> Review {
        let mut raw_records = BTreeMap::new();
        raw_records.insert(
            "deals".to_string(),
            vec![
                raw("1", "Big <script>alert(1)</script>", "won"),
                raw("2", "Small", "Won "),
                raw("3", "Lost one", "lost"),
                raw("4", "Odd", "pending"),
            ],
        );
        Review {
            path: PathBuf::from("m.toml"),
            from: "usercom".into(),
            input: "export".into(),
            to: "sandbox:r.sqlite".into(),
            model: model_named("twenty").unwrap(),
            raw: raw_records,
            lock: Mutex::new(()),
            hosts: vec!["127.0.0.1:9".into()],
        }
    }

    #[test]
    fn view_counts_values_samples_and_flags() {
        let r = review();
        let spec = MappingSpec::from_toml(SPEC).unwrap();
        let v = analysis::view(
            &spec,
            "m.toml",
            "usercom",
            "export",
            "sandbox:r.sqlite",
            &r.model,
            &r.raw,
        );
        assert_eq!(v.confirmation, "unconfirmed");
        assert!(v.command.contains("--mapping m.toml --to sandbox:r.sqlite"));
        let o = &v.objects[0];
        assert_eq!(o.records, 4);
        assert_eq!(o.fields[1].flag.as_deref(), Some("stage names differ"));
        // Raw value → what the mapper made of it, straight from the export.
        assert_eq!(o.fields[0].samples[0].0, "Big <script>alert(1)</script>");
        assert_eq!(o.fields[1].samples.len(), 4);
        assert_eq!(
            o.fields[1].samples[0],
            ("won".to_string(), "CUSTOMER".to_string())
        );
        // Records per source value (trimmed, any case), and what the map lacks.
        let vm = &o.value_maps[0];
        assert_eq!(vm.field, "stage");
        assert!(vm.entries.contains(&("won".into(), "CUSTOMER".into(), 2)));
        assert!(vm.entries.contains(&("lost".into(), String::new(), 1)));
        assert_eq!(vm.unmapped, vec![("pending".to_string(), 1)]);
        let t = &o.outcome;
        assert_eq!(t.loaded + t.partial + t.rejected + t.queued + t.skipped, 4);
        assert!(o.model_fields.iter().any(|f| f == "stage"));
    }

    #[test]
    fn requests_for_other_hosts_and_non_json_changes_are_refused() {
        let r = review();
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "evil.example:9".parse().unwrap());
        assert_eq!(guard(&r, &h, false).unwrap_err().0, StatusCode::FORBIDDEN);
        h.insert(header::HOST, "127.0.0.1:9".parse().unwrap());
        assert!(guard(&r, &h, false).is_ok());
        h.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert_eq!(
            guard(&r, &h, true).unwrap_err().0,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        h.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        assert!(guard(&r, &h, true).is_ok());
    }

    #[test]
    fn the_page_loads_nothing_from_elsewhere_and_writes_values_as_text() {
        for asset in [INDEX_HTML, APP_CSS, APP_JS] {
            assert!(!asset.contains("http://") && !asset.contains("https://"));
            assert!(!asset.contains("//cdn"));
        }
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
        ] {
            assert!(!APP_JS.contains(sink), "app.js uses {sink}");
        }
        assert!(INDEX_HTML.contains(r#"<script src="/app.js" defer></script>"#));
    }
}
