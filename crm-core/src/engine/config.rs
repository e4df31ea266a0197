//! [`EngineConfig`]: how a run behaves.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::journal::RunMode;
use crate::model::fields as f;

/// What to do with a record whose reference cannot be resolved (an orphan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OrphanPolicy {
    /// Reject the record, naming the reference.
    Reject,
    /// Put the record in the review queue, naming the reference.
    #[default]
    Queue,
    /// Load the record without the link, and list the dropped link in the report.
    DropLink,
}

/// What to do when a reference by name (or email, or domain) matches several records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AmbiguityPolicy {
    /// Link to the first record loaded with that value.
    First,
    /// Reject the record, naming the value.
    #[default]
    Reject,
}

/// How a run behaves. The defaults suit a first full run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineConfig {
    /// Records per batch (capped at the sink's maximum).
    pub batch_size: usize,
    /// Batches in flight at once.
    pub concurrency: usize,
    /// Attempts per batch on temporary failures before the run stops (resumable).
    pub max_attempts: u32,
    /// First backoff between attempts; doubles each time, with jitter.
    pub backoff: Duration,
    /// Longest backoff.
    pub max_backoff: Duration,
    /// Per object, the unique field duplicates are merged on (`person` → `emails`).
    pub dedupe: BTreeMap<String, String>,
    /// Merge a source record into a record that already exists in the destination with the
    /// same dedupe value (instead of failing on the duplicate).
    pub merge_existing: bool,
    /// What to do with unresolved references.
    pub orphans: OrphanPolicy,
    /// What to do with references that match several records.
    pub ambiguous: AmbiguityPolicy,
    /// Email of the user to own records whose owner cannot be found.
    pub owner_fallback: Option<String>,
    /// Delta runs: overwrite a record changed in the destination since the last run
    /// (otherwise it is queued as a conflict).
    pub overwrite_conflicts: bool,
    /// Full or delta.
    pub mode: RunMode,
    /// When to look for records this migration already wrote (by source key) before
    /// creating: records found are adopted instead of created again.
    pub adopt: AdoptPolicy,
}

/// When a run looks in the destination for records carrying its source keys before
/// creating them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdoptPolicy {
    /// On the first run of a state directory (a new or lost one): one lookup per batch of
    /// creates. Later runs know what they wrote from the journal.
    #[default]
    FirstRun,
    /// On every run.
    Always,
    /// Never (the destination is known to hold nothing of this migration).
    Never,
}

impl Default for EngineConfig {
    fn default() -> Self {
        let mut dedupe = BTreeMap::new();
        dedupe.insert(f::PERSON.to_string(), f::EMAILS.to_string());
        dedupe.insert(f::COMPANY.to_string(), f::DOMAIN.to_string());
        Self {
            batch_size: 100,
            concurrency: 4,
            max_attempts: 6,
            backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(30),
            dedupe,
            merge_existing: true,
            orphans: OrphanPolicy::Queue,
            ambiguous: AmbiguityPolicy::Reject,
            owner_fallback: None,
            overwrite_conflicts: false,
            mode: RunMode::Full,
            adopt: AdoptPolicy::FirstRun,
        }
    }
}

impl EngineConfig {
    /// The part of the config that changes what a run writes (hashed into the run's
    /// checksum, so a resume under different rules is refused).
    pub(crate) fn fingerprint(&self) -> String {
        format!(
            "dedupe={:?};merge_existing={};orphans={:?};ambiguous={:?};owner_fallback={:?}",
            self.dedupe, self.merge_existing, self.orphans, self.ambiguous, self.owner_fallback
        )
    }

    /// Backoff before attempt `n` (1-based), with up to 25 % jitter.
    pub(crate) fn backoff_for(&self, n: u32) -> Duration {
        let base = self
            .backoff
            .saturating_mul(1u32 << n.saturating_sub(1).min(16));
        let base = base.min(self.max_backoff);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let jitter = base.mul_f64(f64::from(nanos % 250) / 1000.0);
        base + jitter
    }
}
