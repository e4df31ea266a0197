//! Per-record outcomes of a batch write or delete.

use serde::{Deserialize, Serialize};

use crate::model::Fields;

/// What happened to one record of a batch write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum WriteOutcome {
    /// A new record was created with this id.
    Created {
        /// Destination id.
        id: String,
    },
    /// An existing record (named by the write) was updated; `before` holds the values of
    /// the fields the write touched as they were, so rollback can put them back.
    Updated {
        /// Destination id.
        id: String,
        /// Before-image of the touched fields.
        before: Fields,
    },
    /// The create matched an existing record on a unique value and was merged into it.
    Merged {
        /// Destination id of the existing record.
        id: String,
        /// Before-image of the touched fields.
        before: Fields,
    },
    /// The destination refused the record; retrying will not help.
    Rejected {
        /// The field at fault, if known.
        field: Option<String>,
        /// The destination's reason.
        reason: String,
    },
    /// Not applied, and worth retrying (throttled, transient failure).
    Retry {
        /// Why.
        reason: String,
    },
}

impl WriteOutcome {
    /// The destination id, for outcomes that have one.
    pub fn id(&self) -> Option<&str> {
        match self {
            WriteOutcome::Created { id }
            | WriteOutcome::Updated { id, .. }
            | WriteOutcome::Merged { id, .. } => Some(id),
            _ => None,
        }
    }
}

/// What happened to one id of a delete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DeleteOutcome {
    /// Deleted.
    Deleted,
    /// Was not there (already deleted): as good as deleted.
    NotFound,
    /// Could not be deleted.
    Failed {
        /// Why.
        reason: String,
    },
}
