//! The inventory's report (`inventory.md`, `inventory.json`) and its checklist.

use std::path::Path;

use crm_core::Result;

use super::{InventoryKind, UsercomInventory};

impl InventoryKind {
    /// What the admin must capture by hand for this kind.
    pub fn checklist(self) -> &'static [&'static str] {
        match self {
            Self::Automation => &["Screenshot every automation flow: trigger, conditions, each step, delays and goals; note the attributes, events, tags and segments it reads or writes, and whether it is active.", "Export each automation's statistics if they are needed later."],
            Self::EmailTemplate => &["Export each email template's HTML and plain text; download the images and files hosted on User.com.", "List the merge tags each template uses (e.g. the user's first name) so they can be rewritten for the new tool."],
            Self::Campaign => &["Record every campaign's channel, audience (segment), schedule or recurrence, sender name and address, A/B variants and results.", "Note the SMS provider settings and sender ids, and the email sending domain's DNS records (SPF, DKIM)."],
            Self::WebPush => &["Save the web push certificates / VAPID key pair, the service-worker file and the opt-in prompt settings; browser subscriptions cannot move (subscribers must opt in again).", "Save the mobile push settings: the FCM server key or project, APNs certificates."],
            Self::Segment => &["Write down each segment's conditions (screenshot the filter builder) and rebuild them as Twenty views with filters on the migrated fields.", "Decide for each static list whether it becomes a tag or multi-select value."],
            Self::Integration => &["List every connected integration (Zapier, webhooks, e-commerce, Facebook, calendars…): what it syncs, its webhook URLs, and where its credentials live; store them in a password manager and rotate them after cut-over."],
            Self::CustomScript => &["Copy the User.com tracking snippet (widget code, its API key and settings) from every website and app, and any custom JavaScript, GTM tags or server-side SDK calls; plan their removal after cut-over.", "Export chat widget settings, canned responses and chatbot flows."],
            Self::Attribute => &["Check that each custom attribute below is mapped to a custom field (types and choices) in the mapping."],
        }
    }
}

impl UsercomInventory {
    /// The report (`inventory.md`): a section per kind, then the checklist.
    pub fn to_markdown(&self) -> String {
        let mut md = String::from("# User.com: what does not migrate\n\nWorkflows, messages and settings are not moved; rebuild them by hand from this inventory.\n");
        for s in &self.sections {
            md += &format!("\n## {} ({})\n\n", s.kind.title(), s.items.len() + s.more);
            for src in &s.sources {
                md += &format!("_Source: {src}_\n\n");
            }
            for i in &s.items {
                md += &format!("- **{}**", i.name.replace('\n', " "));
                if let Some(id) = &i.id {
                    md += &format!(" (id {id})");
                }
                let mut facts: Vec<String> = Vec::new();
                for (k, v) in [
                    ("status", &i.status),
                    ("trigger", &i.trigger),
                    ("conditions", &i.conditions),
                ] {
                    if let Some(v) = v {
                        facts.push(format!("{k}: {v}"));
                    }
                }
                facts.extend(i.details.iter().map(|(k, v)| format!("{k}: {v}")));
                if !facts.is_empty() {
                    md += &format!(" — {}", facts.join("; ").replace(['\n', '\r'], " "));
                }
                md += "\n";
            }
            if s.more > 0 {
                md += &format!("- … and {} more not listed\n", s.more);
            }
        }
        md += "\n## Checklist: capture by hand before closing the account\n\n";
        for s in &self.sections {
            for line in s.kind.checklist() {
                md += &format!(
                    "- [ ] **{}** ({} found): {line}\n",
                    s.kind.title(),
                    s.items.len() + s.more
                );
            }
        }
        md
    }

    /// Writes `inventory.json` and `inventory.md` into `dir` (created if missing).
    pub fn write(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("inventory.json"), serde_json::to_vec_pretty(self)?)?;
        std::fs::write(dir.join("inventory.md"), self.to_markdown())?;
        Ok(())
    }
}
