//! The one error type of crm-migrate: a kind, a retry status, context, and the platform error as source.

use std::fmt;

use crate::model::SourceKey;

/// What went wrong, independent of the platform that reported it.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Configuration or arguments are invalid.
    ConfigInvalid,
    /// Credentials missing or refused.
    Unauthorized,
    /// The thing asked for does not exist.
    NotFound,
    /// The platform asked us to slow down.
    RateLimited,
    /// A record or value failed validation.
    Validation,
    /// A unique value already exists.
    Duplicate,
    /// The connector cannot do what was asked.
    Unsupported,
    /// Network or protocol failure; the request may or may not have been applied.
    Transport,
    /// The state directory is held by another process, or its contents do not match this run.
    State,
    /// The input (an export file) cannot be read as a whole: fix the file and run again.
    /// Nothing was written to the destination because of it; it is not resumable as is.
    Input,
    /// Anything else.
    Unexpected,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            ErrorKind::ConfigInvalid => "config invalid",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::NotFound => "not found",
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::Validation => "validation",
            ErrorKind::Duplicate => "duplicate",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Transport => "transport",
            ErrorKind::State => "state",
            ErrorKind::Input => "input",
            ErrorKind::Unexpected => "unexpected",
        };
        f.write_str(s)
    }
}

/// Whether retrying the operation can help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryStatus {
    /// Retrying will fail the same way.
    Permanent,
    /// Retrying may succeed.
    Temporary,
    /// It was temporary, but the retries are spent.
    Persistent,
}

/// Where an error happened: filled in as it travels outwards.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorContext {
    /// Connector name (`twenty`, `sandbox`, …).
    pub connector: Option<String>,
    /// Operation (`write_batch`, `lookup`, …).
    pub operation: Option<String>,
    /// Object (`person`, `company`, …).
    pub object: Option<String>,
    /// The source record concerned, if one.
    pub key: Option<SourceKey>,
}

/// The error type of every crm-migrate crate (boxed inside, so `Result<T>` stays small).
#[derive(Debug)]
pub struct Error(Box<Inner>);

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    retry: RetryStatus,
    message: String,
    context: ErrorContext,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error; permanent unless the kind is inherently temporary.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        let retry = match kind {
            ErrorKind::RateLimited | ErrorKind::Transport => RetryStatus::Temporary,
            _ => RetryStatus::Permanent,
        };
        Self(Box::new(Inner {
            kind,
            retry,
            message: message.into(),
            context: ErrorContext::default(),
            source: None,
        }))
    }

    /// Shorthand for a [`ErrorKind::ConfigInvalid`] error.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::ConfigInvalid, message)
    }

    /// Shorthand for a [`ErrorKind::Unexpected`] error.
    pub fn unexpected(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unexpected, message)
    }

    /// Shorthand for a [`ErrorKind::Input`] error: name the file, the line and what to do.
    pub fn input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Input, message)
    }

    /// Shorthand for a [`ErrorKind::State`] error.
    pub fn state(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::State, message)
    }

    /// Shorthand for a [`ErrorKind::Unsupported`] error.
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unsupported, message)
    }

    /// Sets the retry status.
    pub fn with_retry(mut self, retry: RetryStatus) -> Self {
        self.0.retry = retry;
        self
    }

    /// Marks a temporary error as persistent (retries spent).
    pub fn persist(mut self) -> Self {
        if self.0.retry == RetryStatus::Temporary {
            self.0.retry = RetryStatus::Persistent;
        }
        self
    }

    /// Attaches the underlying error.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.0.source = Some(Box::new(source));
        self
    }

    /// Sets the connector name in the context.
    pub fn with_connector(mut self, connector: impl Into<String>) -> Self {
        self.0.context.connector = Some(connector.into());
        self
    }

    /// Sets the operation in the context.
    pub fn with_operation(mut self, operation: impl Into<String>) -> Self {
        self.0.context.operation = Some(operation.into());
        self
    }

    /// Sets the object in the context.
    pub fn with_object(mut self, object: impl Into<String>) -> Self {
        self.0.context.object = Some(object.into());
        self
    }

    /// Sets the source record in the context.
    pub fn with_key(mut self, key: SourceKey) -> Self {
        self.0.context.key = Some(key);
        self
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// Whether retrying can help.
    pub fn retry(&self) -> RetryStatus {
        self.0.retry
    }

    /// True when a retry may succeed.
    pub fn is_temporary(&self) -> bool {
        self.0.retry == RetryStatus::Temporary
    }

    /// The message, without context.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Where the error happened.
    pub fn context(&self) -> &ErrorContext {
        &self.0.context
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.kind)?;
        let c = &self.0.context;
        let mut parts = Vec::new();
        if let Some(v) = &c.connector {
            parts.push(format!("connector={v}"));
        }
        if let Some(v) = &c.operation {
            parts.push(format!("operation={v}"));
        }
        if let Some(v) = &c.object {
            parts.push(format!("object={v}"));
        }
        if let Some(v) = &c.key {
            parts.push(format!("record={v}"));
        }
        if !parts.is_empty() {
            write!(f, " ({})", parts.join(", "))?;
        }
        write!(f, ": {}", self.0.message)?;
        if let Some(s) = &self.0.source {
            write!(f, ": {s}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::new(ErrorKind::State, "state store").with_source(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::new(ErrorKind::Unexpected, "i/o").with_source(e)
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::new(ErrorKind::Unexpected, "json").with_source(e)
    }
}

impl From<csv::Error> for Error {
    fn from(e: csv::Error) -> Self {
        Error::new(ErrorKind::Unexpected, "csv").with_source(e)
    }
}
