//! [`SinkCapabilities`]: what a destination can do, as data the engine and the conformance
//! suite read.

use serde::{Deserialize, Serialize};

/// What a [`super::Sink`] can do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SinkCapabilities {
    /// Largest batch one `write_batch` call accepts.
    pub max_batch_size: usize,
    /// Can update an existing record by id (delta runs, merges, reference patches, restores).
    pub update: bool,
    /// Can merge a create into an existing record that shares a unique value (upsert);
    /// such a write reports [`super::WriteOutcome::Merged`] with the before-image.
    pub upsert: bool,
    /// Deletes are permanent (no soft-deleted leftover that would collide on re-import).
    pub hard_delete: bool,
    /// Can create custom fields.
    pub custom_fields: bool,
    /// Keeps the `created_at` sent on create.
    pub keeps_created_at: bool,
    /// Requests per minute the platform allows, if limited.
    pub rate_limit_per_min: Option<u32>,
}

impl Default for SinkCapabilities {
    fn default() -> Self {
        Self {
            max_batch_size: 100,
            update: true,
            upsert: false,
            hard_delete: true,
            custom_fields: false,
            keeps_created_at: true,
            rate_limit_per_min: None,
        }
    }
}
