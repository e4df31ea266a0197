//! The written inventory of what does not move from User.com: automations, email templates,
//! campaigns, web push setups, segment definitions, integrations and custom scripts, each
//! listed with what the API or the export says about it, then a checklist of what the admin
//! must capture by hand before the account is closed.
//!
//! Sources (`reference/sources.md` §1.5): `GET segments/` and `GET attributes/` are
//! documented; no list endpoint for automations, templates, campaigns, web push or
//! integrations is, so their paths are UNCONFIRMED defaults that follow the API's naming
//! pattern and are set in [`InventoryConfig`]. An endpoint that answers 404 (or fails) is
//! noted in its section, not fatal; a documented one that fails is an error. From an export
//! directory: `attributes.csv`, `segments.csv`, the `segments` column of `users.csv`
//! (names and member counts), and any hand-made `<kind>.csv` listed in the config.

use std::collections::BTreeMap;
use std::path::Path;

use crm_core::Result;
use serde::{Deserialize, Serialize};

use super::UsercomApiSource;

mod read;
mod render;

/// What kind of thing an inventory item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum InventoryKind {
    /// An automation (flow: trigger, conditions, steps).
    Automation,
    /// An email template.
    EmailTemplate,
    /// A campaign / mass message (email, push or SMS).
    Campaign,
    /// A web push setup.
    WebPush,
    /// A segment definition (its conditions).
    Segment,
    /// An integration with another service.
    Integration,
    /// A custom script or tracking snippet.
    CustomScript,
    /// A custom attribute (moves as a custom field; listed because the others refer to it).
    Attribute,
}

impl InventoryKind {
    /// Every kind, in report order.
    pub const ALL: [InventoryKind; 8] = [
        Self::Automation,
        Self::EmailTemplate,
        Self::Campaign,
        Self::WebPush,
        Self::Segment,
        Self::Integration,
        Self::CustomScript,
        Self::Attribute,
    ];

    /// The section title.
    pub fn title(self) -> &'static str {
        match self {
            Self::Automation => "Automations",
            Self::EmailTemplate => "Email templates",
            Self::Campaign => "Campaigns (email, push, SMS)",
            Self::WebPush => "Web push setups",
            Self::Segment => "Segments",
            Self::Integration => "Integrations",
            Self::CustomScript => "Custom scripts and tracking code",
            Self::Attribute => "Custom attributes",
        }
    }

    fn file_stem(self) -> &'static str {
        match self {
            Self::Automation => "automations",
            Self::EmailTemplate => "email_templates",
            Self::Campaign => "campaigns",
            Self::WebPush => "web_push",
            Self::Segment => "segments",
            Self::Integration => "integrations",
            Self::CustomScript => "custom_scripts",
            Self::Attribute => "attributes",
        }
    }
}

/// A list endpoint the inventory reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryEndpoint {
    /// The kind of its items.
    pub kind: InventoryKind,
    /// The path below the API base URL, with its trailing slash.
    pub path: String,
    /// True when `reference/sources.md` documents it; false for a pattern-following guess.
    pub confirmed: bool,
}

/// Where the inventory looks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InventoryConfig {
    /// API list endpoints, read in order.
    pub endpoints: Vec<InventoryEndpoint>,
    /// Items kept per section (the rest are counted, not listed).
    pub max_items: usize,
}

impl Default for InventoryConfig {
    fn default() -> Self {
        let e = |kind, path: &str, confirmed| InventoryEndpoint {
            kind,
            path: path.into(),
            confirmed,
        };
        Self {
            endpoints: vec![
                e(InventoryKind::Automation, "automations/", false),
                e(InventoryKind::EmailTemplate, "email-templates/", false),
                e(InventoryKind::Campaign, "campaigns/", false),
                e(InventoryKind::WebPush, "web-push/", false),
                e(InventoryKind::Segment, "segments/", true),
                e(InventoryKind::Integration, "integrations/", false),
                e(InventoryKind::Attribute, "attributes/", true),
            ],
            max_items: 2_000,
        }
    }
}

impl InventoryConfig {
    /// Reads `kind` from `path` (replacing the default endpoint of that kind; an unconfirmed
    /// path unless the reference documents it).
    pub fn with_endpoint(mut self, kind: InventoryKind, path: &str) -> Self {
        self.endpoints.retain(|e| e.kind != kind);
        self.endpoints.push(InventoryEndpoint {
            kind,
            path: path.into(),
            confirmed: false,
        });
        self
    }

    /// Does not read `kind` from the API.
    pub fn without(mut self, kind: InventoryKind) -> Self {
        self.endpoints.retain(|e| e.kind != kind);
        self
    }

    /// Keeps at most `n` items per section.
    pub fn with_max_items(mut self, n: usize) -> Self {
        self.max_items = n.max(1);
        self
    }
}

/// One automation, template, campaign, … as far as the source describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryItem {
    /// Its id, when given.
    pub id: Option<String>,
    /// Its name (or title, subject); `(unnamed)` otherwise.
    pub name: String,
    /// Status / active flag.
    pub status: Option<String>,
    /// Trigger, event or channel type.
    pub trigger: Option<String>,
    /// Conditions or filters, as given (JSON text, cut short).
    pub conditions: Option<String>,
    /// Other facts (`description`, `schedule`, `members`, …); secrets are hidden.
    pub details: BTreeMap<String, String>,
}

/// The items of one kind and where they came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventorySection {
    /// The kind.
    pub kind: InventoryKind,
    /// The items (at most the config's `max_items`).
    pub items: Vec<InventoryItem>,
    /// Items found beyond `max_items`, not listed.
    pub more: usize,
    /// Where each part was read from, or why it was not (`GET automations/ (UNCONFIRMED
    /// path): 404`).
    pub sources: Vec<String>,
}

/// The inventory report; see the module docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsercomInventory {
    /// One section per kind, in [`InventoryKind::ALL`] order.
    pub sections: Vec<InventorySection>,
}

/// The inventory from the API (`source`) and/or an export directory, with the default
/// [`InventoryConfig`].
pub async fn inventory(
    source: Option<&UsercomApiSource>,
    export_dir: Option<&Path>,
) -> Result<UsercomInventory> {
    inventory_with(source, export_dir, &InventoryConfig::default()).await
}

/// The inventory from the API and/or an export directory, reading where `config` says.
pub async fn inventory_with(
    source: Option<&UsercomApiSource>,
    export_dir: Option<&Path>,
    config: &InventoryConfig,
) -> Result<UsercomInventory> {
    let max = config.max_items.max(1);
    let mut sections: Vec<InventorySection> = InventoryKind::ALL
        .iter()
        .map(|&kind| InventorySection {
            kind,
            items: Vec::new(),
            more: 0,
            sources: Vec::new(),
        })
        .collect();
    for s in sections.iter_mut() {
        let kind = s.kind;
        if let Some(api) = source {
            for e in config.endpoints.iter().filter(|e| e.kind == kind) {
                read::read_endpoint(api, e, s, max).await?;
            }
        }
        if let Some(dir) = export_dir {
            read::read_csv(dir, kind, s, max)?;
            if kind == InventoryKind::Segment {
                read::segments_from_users(dir, s, max).await?;
            }
        }
        if s.sources.is_empty() {
            s.sources
                .push("no source describes these: list them from the User.com app".into());
        }
    }
    Ok(UsercomInventory { sections })
}

impl UsercomInventory {
    /// The section of `kind`.
    pub fn section(&self, kind: InventoryKind) -> Option<&InventorySection> {
        self.sections.iter().find(|s| s.kind == kind)
    }
}

#[cfg(test)]
#[path = "inventory_tests.rs"]
mod tests;
