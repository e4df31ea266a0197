//! The platform map of a User.com export into Twenty; [`super::propose`] fits it to an
//! export.

pub use super::propose::{propose, propose_from, UsercomProposal};

/// The platform half of the User.com → Twenty mapping (TOML, a
/// [`crm_transform::mapping::MappingSpec`]) for the CSV export as
/// [`super::UsercomCsvSource`] reads it: what User.com documents and where it goes.
///
/// Agents are matched to workspace members by email; users (minus anonymous visitors)
/// become people with their company link, tags and segments as custom fields; companies,
/// deals (stage from the documented status, status kept in a custom select), activities
/// (tasks with their type and duration), events (meetings → tasks, the rest → notes) and
/// chat conversations (tasks with the transcript as body) follow.
///
/// It holds no account's vocabulary (custom attributes, tags, stage names, …): use it
/// through [`propose`], which adds the export's own columns and values. Used alone, its
/// choice lines have no options for them.
pub fn default_mapping() -> &'static str {
    include_str!("default_mapping.toml")
}
