//! The default mapping of a User.com export into Twenty.

/// The default User.com → Twenty mapping (TOML, a [`crm_transform::mapping::MappingSpec`])
/// for the CSV export as [`super::UsercomCsvSource`] reads it.
///
/// Agents are matched to workspace members by email; users (minus anonymous visitors)
/// become people with their company link, custom attributes, tags and segments as custom
/// fields; companies, deals (stage by value map, status in a custom select), activities
/// (tasks with their type, duration and call disposition), events (meetings → tasks, the
/// rest → notes) and chat conversations (tasks with the transcript as body) follow. Its
/// custom fields and new options are schema changes made before loading
/// ([`crm_transform::mapping::MappingSpec::schema_changes`]). Lines marked `CHECK` are the
/// choices a person should review before confirming it.
pub fn default_mapping() -> &'static str {
    include_str!("default_mapping.toml")
}
