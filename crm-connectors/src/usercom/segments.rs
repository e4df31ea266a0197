//! `segments.csv`: segment membership after a run — which migrated person (source id and
//! destination id) belongs to which User.com segment — since Twenty has no segments: a
//! person rebuilds them as views or filters from this file (and the optional multi-select
//! field the default map fills).

use std::path::Path;

use crm_core::journal::Journal;
use crm_core::{Result, Source, SourceExt, SourceKey};
use crm_transform::normalise::{parse_choices, ListFormat};
use futures::StreamExt;

use super::USERCOM_SCHEME;

/// Writes `path` from the users' `segments` column and the journal's id map; returns the
/// number of memberships written. Users that were not migrated are listed with an empty
/// destination id, so the file accounts for every membership.
pub async fn write_segments_csv(
    source: &dyn Source,
    journal: &dyn Journal,
    path: &Path,
) -> Result<usize> {
    let mut w = ::csv::Writer::from_path(path)?;
    w.write_record(["segment", "person_source_id", "person_destination_id"])?;
    let mut n = 0;
    let mut users = source.stream("users");
    while let Some(user) = users.next().await {
        let user = user?;
        let Some(cell) = user.text("segments") else {
            continue;
        };
        let Ok(segments) = parse_choices(&cell, ListFormat::Auto) else {
            tracing::warn!(user = %user.key, "Segments cell is not a list; left out of segments.csv.");
            continue;
        };
        let id = user.text("id").unwrap_or_else(|| user.key.id.clone());
        let dest = journal
            .id_entry(&SourceKey::new(USERCOM_SCHEME, "users", &id))?
            .map(|e| e.dest_id)
            .unwrap_or_default();
        for s in segments {
            w.write_record([
                crm_core::report::neutralise(&s),
                crm_core::report::neutralise(&id),
                dest.clone(),
            ])?;
            n += 1;
        }
    }
    w.flush()?;
    Ok(n)
}
