//! The `report.json` document.

use serde::{Deserialize, Serialize};

use crate::engine::RunSummary;
use crate::journal::Counts;

/// One object's line of the reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectReport {
    /// Object.
    pub object: String,
    /// Source records routed into it.
    pub source: u64,
    /// Created.
    pub created: u64,
    /// Updated.
    pub updated: u64,
    /// Merged.
    pub merged: u64,
    /// Adopted: already in the destination with this migration's source key (a run whose
    /// state directory was lost wrote it).
    #[serde(default)]
    pub adopted: u64,
    /// Rejected.
    pub rejected: u64,
    /// Queued for review.
    pub queued: u64,
    /// Skipped.
    pub skipped: u64,
    /// Values left out of records that loaded (field-level lines in `rejects.csv`); not
    /// part of the identity.
    #[serde(default)]
    pub values_dropped: u64,
    /// Optional links not made (lines in `review_queue.csv`); not part of the identity.
    #[serde(default)]
    pub links_not_made: u64,
    /// `source == created + updated + merged + adopted + rejected + queued + skipped`.
    pub balanced: bool,
}

impl ObjectReport {
    fn new(object: &str, c: &Counts) -> Self {
        Self {
            object: object.to_string(),
            source: c.source,
            created: c.created,
            updated: c.updated,
            merged: c.merged,
            adopted: c.adopted,
            rejected: c.rejected,
            queued: c.queued,
            skipped: c.skipped,
            values_dropped: c.values_dropped,
            links_not_made: c.links_not_made,
            balanced: c.balanced(),
        }
    }
}

/// The whole `report.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunReport {
    /// Run number in the state directory.
    pub run: i64,
    /// `full` or `delta`.
    pub mode: String,
    /// Attempts it took (more than 1 after resumes).
    pub attempts: i64,
    /// When it started.
    pub started: String,
    /// Load order followed.
    pub plan: Vec<String>,
    /// Per-object counts, in load order.
    pub objects: Vec<ObjectReport>,
    /// Per source object (export file): each exported row once, under the outcome that
    /// describes it best (a file feeding several objects is counted once per row).
    #[serde(default)]
    pub files: Vec<ObjectReport>,
    /// Totals.
    pub totals: ObjectReport,
    /// Whether every object balances.
    pub balanced: bool,
    /// Links the patch step could not make: `object`, `source key`, `field`, `problem`.
    pub link_problems: Vec<[String; 4]>,
}

impl RunReport {
    /// Builds the report from a run summary.
    pub fn from_summary(s: &RunSummary) -> Self {
        let objects: Vec<ObjectReport> = s
            .counts
            .iter()
            .map(|(o, c)| ObjectReport::new(o, c))
            .collect();
        Self {
            run: s.run.id,
            mode: format!("{:?}", s.run.mode).to_lowercase(),
            attempts: s.run.attempt,
            started: s.run.started.clone(),
            plan: s.plan.order().iter().map(|o| o.to_string()).collect(),
            totals: ObjectReport::new("total", &s.totals()),
            balanced: s.balanced(),
            objects,
            files: s
                .files
                .iter()
                .map(|(o, c)| ObjectReport::new(o, c))
                .collect(),
            link_problems: s
                .link_problems
                .iter()
                .map(|(d, p)| {
                    [
                        d.object.clone(),
                        d.key.to_string(),
                        d.field.clone(),
                        p.clone(),
                    ]
                })
                .collect(),
        }
    }
}

impl std::fmt::Display for RunReport {
    /// The reconciliation as a plain-text table.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{:<14}{:>8}{:>9}{:>9}{:>8}{:>9}{:>10}{:>8}{:>9}  adds up",
            "object",
            "source",
            "created",
            "updated",
            "merged",
            "adopted",
            "rejected",
            "queued",
            "skipped"
        )?;
        for o in self.objects.iter().chain(std::iter::once(&self.totals)) {
            text_row(f, o)?;
        }
        if !self.files.is_empty() {
            writeln!(
                f,
                "\nRows per exported file (each row once, however many objects it feeds):"
            )?;
            for o in &self.files {
                text_row(f, o)?;
            }
        }
        let t = &self.totals;
        if t.values_dropped > 0 || t.links_not_made > 0 {
            writeln!(
                f,
                "\n{} values were left out of records that loaded (rejects.csv, level \"field\"); {} optional links were not made (review_queue.csv, level \"link\").",
                t.values_dropped, t.links_not_made
            )?;
        }
        Ok(())
    }
}

/// One line of the plain-text reconciliation table.
fn text_row(f: &mut std::fmt::Formatter<'_>, o: &ObjectReport) -> std::fmt::Result {
    writeln!(
        f,
        "{:<14}{:>8}{:>9}{:>9}{:>8}{:>9}{:>10}{:>8}{:>9}  {}",
        o.object,
        o.source,
        o.created,
        o.updated,
        o.merged,
        o.adopted,
        o.rejected,
        o.queued,
        o.skipped,
        if o.balanced { "yes" } else { "NO" }
    )
}
