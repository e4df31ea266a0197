//! The audit's reports: `audit.md` and `audit.json`.

use std::path::Path;

use crm_core::Result;

use super::UsercomAudit;

impl UsercomAudit {
    /// The audit as a Markdown report (`audit.md`).
    pub fn to_markdown(&self) -> String {
        let mut md = format!("# User.com audit\n\nTaken at {}.\n\n## Records per object\n\n| object | records |\n| --- | ---: |\n", self.now.to_rfc3339());
        for c in &self.objects {
            md += &format!("| {} | {} |\n", c.object, c.records);
        }
        let b = &self.billable;
        md.push_str("\n## Billable contacts\n\nUser.com bills a contact that has any one of these signals (its pricing page: docs.user.com/how-do-we-calculate-the-price); each is counted separately.\n\n| signal | contacts | source |\n| --- | ---: | --- |\n");
        for s in &b.signals {
            let n = s
                .count
                .map_or("not in this export".to_string(), |n| n.to_string());
            md += &format!("| {} | {n} | {} |\n", s.signal, s.note);
        }
        md += &format!(
            "\n- **Billable contacts:** {} of {} users (by the signals this source shows).\n- **Anonymous visitors:** {} — no signal; not billable and **not migrated**.\n",
            b.billable, self.users, b.anonymous
        );
        let q = &self.quality;
        let ids = |v: &[String]| {
            if v.is_empty() {
                String::new()
            } else {
                format!(" (first ids: {})", v.join(", "))
            }
        };
        md += "\n## Data quality\n\n";
        md += &format!(
            "- Duplicate emails (trimmed, case-insensitive): {}{}{}\n",
            q.duplicate_emails,
            ids(&q.duplicate_examples),
            if q.duplicates_capped {
                " — capped: more may exist"
            } else {
                ""
            }
        );
        md += &format!(
            "- Invalid emails: {}{}\n",
            q.invalid_emails,
            ids(&q.invalid_examples)
        );
        md += &format!(
            "- Stale contacts (no activity since {}): {}\n",
            q.stale_cutoff.format("%Y-%m-%d"),
            q.stale
        );
        md += &format!("- Contacts with no activity date: {}\n", q.no_activity_date);
        md += "\n### Orphan references\n\n| from | field | to | references | orphans | unverified |\n| --- | --- | --- | ---: | ---: | ---: |\n";
        for o in &q.orphans {
            let n = o.orphans.map_or(format!("{} not read", o.to), |n| {
                format!("{n}{}", ids(&o.examples))
            });
            md += &format!(
                "| {} | {} | {} | {} | {n} | {} |\n",
                o.from,
                o.fields.join(" / "),
                o.to,
                o.references,
                o.unverified
            );
        }
        if !self.warnings.is_empty() {
            md += "\n## Warnings\n\n";
            for w in &self.warnings {
                md += &format!("- {w}\n");
            }
        }
        md
    }

    /// Writes `audit.json` and `audit.md` into `dir` (created if missing).
    pub fn write(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("audit.json"), serde_json::to_vec_pretty(self)?)?;
        std::fs::write(dir.join("audit.md"), self.to_markdown())?;
        Ok(())
    }
}
