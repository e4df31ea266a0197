//! The confirmation gate: a proposed mapping must be read and confirmed by a person before
//! any record moves to a real destination, and editing it afterwards undoes that.

use sha2::{Digest, Sha256};

use super::spec::MappingSpec;

/// Whether a spec may be used, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmation {
    /// Confirmed, and unchanged since.
    Confirmed,
    /// Never confirmed.
    Unconfirmed,
    /// Confirmed, then edited: the stamp no longer matches.
    EditedSinceConfirmed,
}

impl MappingSpec {
    /// Checksum of what the mapping *does*: comments, confidences, samples, flags and the
    /// stamp itself are left out, so reformatting does not invalidate a confirmation but
    /// any change of meaning does.
    pub fn checksum(&self) -> String {
        let mut s = self.clone();
        s.meta.confirmed = None;
        s.meta.proposed_by = None;
        for o in &mut s.objects {
            for f in &mut o.fields {
                f.confidence = None;
                f.flag = None;
                f.samples.clear();
            }
        }
        let json = serde_json::to_vec(&s).unwrap_or_default();
        format!("sha256:{}", hex::encode(Sha256::digest(&json)))
    }

    /// Stamps the spec as confirmed by a person.
    pub fn confirm(&mut self) {
        self.meta.confirmed = Some(self.checksum());
    }

    /// Whether the spec is confirmed and unchanged.
    pub fn confirmation(&self) -> Confirmation {
        match &self.meta.confirmed {
            None => Confirmation::Unconfirmed,
            Some(stamp) if *stamp == self.checksum() => Confirmation::Confirmed,
            Some(_) => Confirmation::EditedSinceConfirmed,
        }
    }

    /// Fails, saying how to confirm, unless the spec is confirmed and unchanged.
    pub fn require_confirmed(&self, path: &str) -> Result<(), String> {
        match self.confirmation() {
            Confirmation::Confirmed => Ok(()),
            Confirmation::Unconfirmed => Err(format!(
                "the mapping {path} has not been confirmed: read it, edit what is wrong, then run \
                 `crm-migrate map --confirm {path}` (a dry run into sandbox:PATH needs no confirmation)"
            )),
            Confirmation::EditedSinceConfirmed => Err(format!(
                "the mapping {path} was edited after it was confirmed: review the changes, then run \
                 `crm-migrate map --confirm {path}` again"
            )),
        }
    }
}
