//! [`Secret`]: a credential that cannot be printed by accident.

use std::fmt;

use crm_core::{Error, Result};

/// An API key or token. `Debug` and `Display` both print `**REDACTED**`; the value is only
/// reachable through [`Secret::expose`], which the HTTP client calls when it sets the
/// `Authorization` header and nowhere else.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

/// What a [`Secret`] prints as.
pub const REDACTED: &str = "**REDACTED**";

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Reads a secret from the environment variable `var`; fails (naming the variable, never
    /// the value) when it is unset or empty.
    pub fn from_env(var: &str) -> Result<Self> {
        match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Ok(Self(v.trim().to_string())),
            _ => Err(Error::config(format!(
                "environment variable {var} is not set (the API key is read only from the environment)"
            ))),
        }
    }

    /// The secret value. Call it only to put the value on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("sk-live-123");
        assert_eq!(format!("{s}"), REDACTED);
        assert_eq!(format!("{s:?}"), REDACTED);
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            key: Secret,
        }
        let h = format!("{:?}", Holder { key: s.clone() });
        assert!(!h.contains("sk-live"), "{h}");
        assert_eq!(s.expose(), "sk-live-123");
    }

    #[test]
    fn missing_env_names_the_variable() {
        let e = Secret::from_env("CRM_MIGRATE_TEST_SURELY_UNSET_VAR").unwrap_err();
        assert!(e.to_string().contains("CRM_MIGRATE_TEST_SURELY_UNSET_VAR"));
    }
}
