//! [`TwentyClient`]: Twenty's REST and GraphQL calls over the shared [`HttpClient`], and
//! [`parse_error`], which reads the error bodies recorded from a real server.

use crm_core::{Error, ErrorKind, Result, RetryStatus};
use serde_json::Value as J;

use super::config::TwentyConfig;
use crate::http::{classify_status, HttpClient, Request, Response};

/// The Twenty API client (REST data and metadata, GraphQL).
#[derive(Debug, Clone)]
pub struct TwentyClient {
    http: HttpClient,
}

impl TwentyClient {
    /// A client for `config`'s server, key, limits and retries.
    pub fn new(config: &TwentyConfig) -> Result<Self> {
        config.validate()?;
        Ok(Self {
            http: HttpClient::new(config.http_config())?,
        })
    }

    /// The underlying HTTP client (its limiter is shared by every clone of this client).
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// Sends `req` and returns the response whatever its status. Metadata calls
    /// (`/rest/metadata/…`, `/metadata`) do not spend the client-side rate limit: Twenty does
    /// not throttle them (v2.21 probe 04; v1.4 throttled no REST call at all, probe 13).
    pub async fn raw(&self, req: Request) -> Result<Response> {
        let metadata = req.path.starts_with("/rest/metadata") || req.path == "/metadata";
        let req = if metadata { req.unmetered(true) } else { req };
        self.http
            .send(&req)
            .await
            .map_err(|e| e.with_connector("twenty"))
    }

    /// Sends `req`; a non-2xx answer becomes an error through [`parse_error`].
    pub async fn rest(&self, req: Request) -> Result<J> {
        let resp = self.raw(req).await?;
        if resp.is_success() {
            resp.json()
        } else {
            Err(exhausted(
                parse_error(resp.status, &resp.body),
                resp.attempts,
            ))
        }
    }

    /// Runs a GraphQL document on `endpoint` (`/graphql` or `/metadata`). Errors in the
    /// `errors` array (answered with HTTP 200 or 400) become an error.
    pub async fn graphql(&self, endpoint: &str, query: &str, variables: J) -> Result<J> {
        let body = serde_json::json!({"query": query, "variables": variables});
        let is_read =
            query.trim_start().starts_with('{') || query.trim_start().starts_with("query");
        let resp = self
            .raw(Request::post(endpoint, body).idempotent(is_read))
            .await?;
        let j = resp.json().unwrap_or(J::Null);
        if j.get("errors")
            .and_then(J::as_array)
            .is_some_and(|a| !a.is_empty())
            || !resp.is_success()
        {
            return Err(parse_error(resp.status, &resp.body));
        }
        Ok(j.get("data").cloned().unwrap_or(J::Null))
    }
}

fn exhausted(e: Error, attempts: u32) -> Error {
    if attempts > 1 {
        e.persist()
    } else {
        e
    }
}

/// The message of a Twenty error body: REST `{"statusCode","error","messages":[…]}`,
/// metadata REST `{"message": …}`, or GraphQL `{"errors":[{"message","extensions":{"code"}}]}`.
pub fn error_message(body: &str) -> Option<String> {
    let j: J = serde_json::from_str(body).ok()?;
    if let Some(m) = metadata_validation_message(&j) {
        return Some(m);
    }
    if let Some(m) = j.get("messages").and_then(J::as_array) {
        let parts: Vec<&str> = m.iter().filter_map(J::as_str).collect();
        if !parts.is_empty() {
            return Some(parts.join("; "));
        }
    }
    if let Some(m) = j.get("message").and_then(J::as_str) {
        return Some(m.to_string());
    }
    j.pointer("/errors/0/message")
        .and_then(J::as_str)
        .map(str::to_string)
}

/// The rule that failed in a v2 metadata refusal (`{"error":"METADATA_VALIDATION_ERROR",
/// "message":"Multiple validation errors occurred while creating fields","errors":{
/// "fieldMetadata":[{"errors":[{"code","message","value"}],"flatEntityMinimalInformation":
/// {"name"}}], "viewField":[…]}}`, recorded on a v2.21 server): the top-level message says
/// nothing, and the knock-on failures of views and indexes come first in no particular order,
/// so the object entry (for an object) or the field entries are read, each naming the field or
/// object it is about: `plan: This name is reserved. … (INVALID_FIELD_INPUT)`. Other metadata
/// entries are used only when there is neither.
fn metadata_validation_message(j: &J) -> Option<String> {
    if j.get("error").and_then(J::as_str) != Some("METADATA_VALIDATION_ERROR") {
        return None;
    }
    let groups = j.get("errors").and_then(J::as_object)?;
    let lines_of = |entries: &J| -> Vec<String> {
        let mut out = Vec::new();
        for entry in entries.as_array().into_iter().flatten() {
            let info = entry.get("flatEntityMinimalInformation");
            let name = info
                .and_then(|i| i.get("name").or_else(|| i.get("nameSingular")))
                .and_then(J::as_str);
            for e in entry
                .get("errors")
                .and_then(J::as_array)
                .into_iter()
                .flatten()
            {
                let Some(msg) = e.get("message").and_then(J::as_str) else {
                    continue;
                };
                let code = e.get("code").and_then(J::as_str).unwrap_or_default();
                let line = match name {
                    Some(n) => format!("{n}: {msg}"),
                    None => msg.to_string(),
                };
                let line = if code.is_empty() {
                    line
                } else {
                    format!("{line} ({code})")
                };
                if !out.contains(&line) {
                    out.push(line);
                }
            }
        }
        out
    };
    // An object refused carries its fields' knock-on "Object metadata not found" entries
    // under fieldMetadata: the object's own entry is the reason.
    let mut lines = Vec::new();
    for key in ["objectMetadata", "fieldMetadata"] {
        if lines.is_empty() {
            if let Some(entries) = groups.get(key) {
                lines = lines_of(entries);
            }
        }
    }
    if lines.is_empty() {
        for entries in groups.values() {
            lines.extend(lines_of(entries));
        }
    }
    (!lines.is_empty()).then(|| lines.join("; "))
}

/// True for the answers that mean "this request was too big": 413, an empty-bodied 500 (the
/// recorded server's answer to a body over 10 MB), or newer servers' "Maximum number of
/// records" refusal.
pub fn is_too_large(status: u16, body: &str) -> bool {
    status == 413
        || (status == 500 && body.trim().is_empty())
        || error_message(body).is_some_and(|m| m.contains("Maximum number of records"))
}

/// Maps a Twenty error answer to an [`Error`], reading the recorded body shapes.
///
/// - 400 `Duplicate … Please set a unique one.` → `Duplicate`, permanent (probe 05).
/// - 400 `Record not found` / `EntityNotFoundError` → `NotFound` (probe 10).
/// - 500 `… violates foreign key constraint …` → `Validation`, permanent: a reference to a
///   record that does not exist (probe 11), not a server fault.
/// - 500 with an empty body → `Transport`, temporary (also the 10 MB body limit, probe 02).
/// - 401 `UNAUTHENTICATED` → `Unauthorized`; 429 and GraphQL "Too many requests." (HTTP 200,
///   probe 13) → `RateLimited`, temporary.
pub fn parse_error(status: u16, body: &str) -> Error {
    let message = error_message(body).unwrap_or_else(|| {
        if body.trim().is_empty() {
            "empty body".to_string()
        } else {
            body.chars().take(300).collect()
        }
    });
    let j: J = serde_json::from_str(body).unwrap_or(J::Null);
    let code = j
        .pointer("/errors/0/extensions/code")
        .and_then(J::as_str)
        .unwrap_or_default();
    let kind_name = j.get("error").and_then(J::as_str).unwrap_or_default();
    let (mut kind, mut retry) = classify_status(status);
    let lower = message.to_lowercase();
    if lower.contains("too many requests")
        || lower.contains("limit reached")
        || code == "RATE_LIMITED"
    {
        (kind, retry) = (ErrorKind::RateLimited, RetryStatus::Temporary);
    } else if code == "UNAUTHENTICATED" || kind_name == "UNAUTHENTICATED" {
        (kind, retry) = (ErrorKind::Unauthorized, RetryStatus::Permanent);
    } else if kind_name == "METADATA_VALIDATION_ERROR" {
        // A schema change the server's validation refused (v2): permanent, whatever the rule.
        (kind, retry) = (ErrorKind::Validation, RetryStatus::Permanent);
    } else if lower.contains("duplicate") || lower.contains("unique constraint") {
        (kind, retry) = (ErrorKind::Duplicate, RetryStatus::Permanent);
    } else if lower.contains("not found")
        || kind_name == "EntityNotFoundError"
        || code == "NOT_FOUND"
    {
        (kind, retry) = (ErrorKind::NotFound, RetryStatus::Permanent);
    } else if lower.contains("foreign key constraint") || code == "BAD_USER_INPUT" {
        (kind, retry) = (ErrorKind::Validation, RetryStatus::Permanent);
    } else if status == 200 && !code.is_empty() {
        (kind, retry) = (ErrorKind::Unexpected, RetryStatus::Permanent);
    }
    // What to do about it, for the person at the keyboard.
    let hint = match kind {
        ErrorKind::Unauthorized => {
            "; the server refused the API key: check that TWENTY_API_KEY holds a key of this workspace (Settings → APIs & Webhooks) that has not been revoked"
        }
        _ => "",
    };
    Error::new(kind, format!("HTTP {status}: {message}{hint}"))
        .with_retry(retry)
        .with_connector("twenty")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_error_bodies_map_to_kinds() {
        let dup = r#"{"statusCode":400,"error":"UserInputError","messages":["Duplicate Emails with value dup.722aeb@probe.example. Please set a unique one."]}"#;
        let e = parse_error(400, dup);
        assert_eq!(e.kind(), ErrorKind::Duplicate);
        assert!(e.message().contains("Duplicate Emails"));
        let fk = r#"{"statusCode":500,"error":"InternalServerErrorException","messages":["insert or update on table \"person\" violates foreign key constraint \"FK_ee066ddacfce46c9a7cb90edd1a\""]}"#;
        let e = parse_error(500, fk);
        assert_eq!((e.kind(), e.is_temporary()), (ErrorKind::Validation, false));
        let nf =
            r#"{"statusCode":400,"error":"BadRequestException","messages":["Record not found"]}"#;
        assert_eq!(parse_error(400, nf).kind(), ErrorKind::NotFound);
        let auth = r#"{"statusCode":401,"messages":["No payload"],"error":"UNAUTHENTICATED"}"#;
        assert_eq!(parse_error(401, auth).kind(), ErrorKind::Unauthorized);
        assert!(
            parse_error(401, auth)
                .message()
                .contains("check that TWENTY_API_KEY"),
            "a wrong key says where the key comes from"
        );
        let gql = r#"{"errors":[{"message":"Too many requests.","extensions":{"code":"INTERNAL_SERVER_ERROR"}}],"data":{"people":null}}"#;
        let e = parse_error(200, gql);
        assert_eq!((e.kind(), e.is_temporary()), (ErrorKind::RateLimited, true));
        let meta = r#"{"statusCode":400,"message":"Query path invalid","error":"Bad Request"}"#;
        assert!(parse_error(400, meta)
            .message()
            .contains("Query path invalid"));
        let empty = parse_error(500, "");
        assert!(empty.is_temporary());
        assert!(is_too_large(500, ""));
        assert!(is_too_large(
            400,
            r#"{"messages":["Maximum number of records to upsert is 200."]}"#
        ));
        assert!(!is_too_large(500, fk));
    }
}
