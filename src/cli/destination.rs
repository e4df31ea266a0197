//! `<dest>` arguments (`sandbox:PATH`, `twenty:URL`, …), and the record of which
//! destination a state directory belongs to, so `verify` and `rollback` need only `--state`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use crm_migrate::connectors::sandbox::SandboxSink;
use crm_migrate::connectors::twenty::{twenty_standard_model, twenty_v2_standard_model};
use crm_migrate::connectors::twenty::{TwentyConfig, TwentySink};
use crm_migrate::core::DataModel;
use crm_migrate::core::Sink;
use serde::{Deserialize, Serialize};

use super::Usage;

/// File in the state directory naming the destination (never a secret).
const DESTINATION_FILE: &str = "destination.json";

/// A destination as named on the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Destination {
    /// The SQLite sandbox at `path`, enforcing the named model.
    Sandbox { path: PathBuf, model: String },
    /// A platform's API (`twenty`, `freshsales`) at `url`; the key comes from the environment.
    Remote {
        platform: String,
        url: String,
        /// Client-side requests per minute (`None`: the platform's default quota).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rate_limit: Option<u32>,
    },
}

/// The data model a sandbox enforces, by name.
pub(crate) fn model_named(name: &str) -> anyhow::Result<DataModel> {
    match name {
        // Twenty's static standard model (v1.4's: v2's plus the fields v2 removed); a live
        // Twenty destination reads the server's own model instead.
        "twenty" | "twenty-v1" => Ok(twenty_standard_model()),
        // Twenty v2 offline: without the fields v2 removed (person.city, company.employees, …).
        "twenty-v2" => Ok(twenty_v2_standard_model()),
        "standard" => Ok(DataModel::standard()),
        other => Err(Usage(format!(
            "unknown model {other:?}: use twenty, twenty-v2 or standard"
        ))
        .into()),
    }
}

impl Destination {
    /// Parses `sandbox:PATH`, `twenty:URL` or `freshsales:URL`.
    pub(crate) fn parse(spec: &str, model: &str) -> anyhow::Result<Self> {
        let (scheme, rest) = spec.split_once(':').ok_or_else(|| {
            Usage(format!(
                "destination {spec:?} must be sandbox:PATH, twenty:URL or freshsales:URL"
            ))
        })?;
        match scheme {
            "sandbox" if !rest.is_empty() => {
                let path = PathBuf::from(rest);
                let path = if path.is_absolute() {
                    path
                } else {
                    std::env::current_dir()?.join(path)
                };
                model_named(model)?;
                Ok(Destination::Sandbox {
                    path,
                    model: model.to_string(),
                })
            }
            "twenty" | "freshsales" if !rest.is_empty() => Ok(Destination::Remote {
                platform: scheme.to_string(),
                url: rest.to_string(),
                rate_limit: None,
            }),
            _ => Err(Usage(format!(
                "destination {spec:?} must be sandbox:PATH, twenty:URL or freshsales:URL"
            ))
            .into()),
        }
    }

    /// Sets the client-side rate limit of an API destination (0: none).
    pub(crate) fn with_rate_limit(mut self, per_min: Option<u32>) -> Self {
        if let Destination::Remote { rate_limit, .. } = &mut self {
            *rate_limit = per_min;
        }
        self
    }

    /// Whether this is the sandbox (which accepts an unconfirmed mapping).
    pub(crate) fn is_sandbox(&self) -> bool {
        matches!(self, Destination::Sandbox { .. })
    }

    /// Opens the sandbox (for sandbox-only operations such as seeding members).
    pub(crate) fn open_sandbox(&self) -> anyhow::Result<Option<SandboxSink>> {
        match self {
            Destination::Sandbox { path, model } => {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                let sink = SandboxSink::open(path, model_named(model)?)
                    .with_context(|| format!("opening sandbox {}", path.display()))?;
                Ok(Some(sink))
            }
            Destination::Remote { .. } => Ok(None),
        }
    }

    /// Opens the sink. API keys come from the environment only (`TWENTY_API_KEY`).
    pub(crate) fn open(&self) -> anyhow::Result<Box<dyn Sink>> {
        match self {
            Destination::Sandbox { .. } => match self.open_sandbox()? {
                Some(s) => Ok(Box::new(s)),
                None => Err(anyhow::anyhow!("not a sandbox")),
            },
            Destination::Remote { platform, url, rate_limit } if platform == "twenty" => {
                let mut config = TwentyConfig::from_env(url.clone()).map_err(|e| Usage(e.to_string()))?;
                if let Some(n) = rate_limit {
                    config = config.with_rate_limit((*n > 0).then_some(*n));
                }
                Ok(Box::new(TwentySink::new(config)?))
            }
            Destination::Remote { platform, .. } => Err(Usage(format!(
                "the {platform} destination is not available in this build yet; rehearse with sandbox:PATH"
            ))
            .into()),
        }
    }

    /// Records this destination in the state directory (refusing a different one).
    pub(crate) fn remember(&self, state: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(state)?;
        if let Ok(existing) = Self::recall(state) {
            if existing != *self {
                bail!(Usage(format!(
                    "state directory {} belongs to another destination ({existing:?}); use a new state directory",
                    state.display()
                )));
            }
        }
        std::fs::write(
            state.join(DESTINATION_FILE),
            serde_json::to_string_pretty(self)?,
        )?;
        Ok(())
    }

    /// The destination a state directory belongs to.
    pub(crate) fn recall(state: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(state.join(DESTINATION_FILE)).map_err(|_| {
            Usage(format!(
                "{} holds no run (no {DESTINATION_FILE})",
                state.display()
            ))
        })?;
        Ok(serde_json::from_str(&text)?)
    }
}
