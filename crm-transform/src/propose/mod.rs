//! The mapping proposer: from what a source holds ([`Discovery`]) and what the destination
//! accepts ([`DataModel`]), a whole [`MappingSpec`] for a person to read, fix and confirm.
//!
//! A [`MappingAdvisor`] makes the proposal. [`HeuristicAdvisor`], the default, works from
//! names (normalised, matched against the destination's field names and labels and a synonym
//! table, with string similarity for near misses) and from the values the discovery sniffed
//! (types, choice values, date order). Another advisor (one backed by a language model, say)
//! plugs in through the same trait.
//!
//! A proposal never guesses silently: every field line carries a confidence and a few sample
//! values, lines a person must check carry a flag (`# CHECK:` in the TOML), and
//! [`Proposal::notes`] lists what the spec cannot say on a line of its own — objects with no
//! target, ambiguous date columns, columns left out.

mod custom;
mod dates;
mod heuristic;
mod matching;
mod names;
mod sniff;
mod synonyms;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod platform_tests;
#[cfg(test)]
mod tests;

use crm_core::DataModel;

use crate::discover::Discovery;
use crate::mapping::{DateOrderRule, MappingSpec};

pub use custom::{
    options_for, propose_custom_field, ColumnHint, CustomNamer, CustomProposal, DeclaredType,
    MAX_OPTIONS,
};
pub use heuristic::HeuristicAdvisor;
pub use names::{camel_name, label_of, upper_snake};
pub use sniff::{choice_values, map_onto_options, match_options};

/// What the person asking for a proposal already knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProposalHints {
    /// Source platform id (`usercom`, `csv`, …); the discovery's when empty.
    pub source: String,
    /// Destination platform id (`twenty`, …); the model's name when empty.
    pub destination: String,
    /// Country of phone numbers written without a calling code (ISO alpha-2), copied into
    /// `policies.default_country`.
    pub default_country: Option<String>,
    /// Currency of amounts written without one (ISO 4217), copied into
    /// `policies.default_currency`.
    pub default_currency: Option<String>,
    /// The source's slash-date order when the person knows it; the proposer then uses it
    /// instead of sniffing (and does not flag ambiguous date columns).
    pub date_order: Option<DateOrderRule>,
}

/// A proposed mapping and what a person must look at before confirming it.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// The whole spec, unconfirmed.
    pub spec: MappingSpec,
    /// Things the spec cannot flag on a line of its own: objects with no target, columns
    /// left out, ambiguous or conflicting date columns, missing dedupe keys.
    pub notes: Vec<String>,
}

impl Proposal {
    /// The field lines flagged for a person's attention, as `(source object, field line)`.
    pub fn flagged(&self) -> Vec<(&str, &crate::mapping::FieldMapping)> {
        self.spec
            .objects
            .iter()
            .flat_map(|o| {
                o.fields
                    .iter()
                    .filter(|f| f.flag.is_some())
                    .map(move |f| (o.source.as_str(), f))
            })
            .collect()
    }
}

/// Something that proposes a mapping. Implementations must be deterministic enough for a
/// person to rerun them: the heuristic one gives byte-identical TOML for the same input.
pub trait MappingAdvisor: Send + Sync {
    /// Short name, recorded in `meta.proposed_by` (`heuristic`, a model's name, …).
    fn name(&self) -> &str;

    /// Proposes a whole spec for moving what `discovery` found into `model`.
    fn propose(&self, discovery: &Discovery, model: &DataModel, hints: &ProposalHints) -> Proposal;
}

/// Proposes a mapping with the default advisor ([`HeuristicAdvisor`]).
pub fn propose(discovery: &Discovery, model: &DataModel, hints: &ProposalHints) -> Proposal {
    HeuristicAdvisor::new().propose(discovery, model, hints)
}
