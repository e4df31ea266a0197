//! The columns User.com documents for each exported object (`reference/sources.md` §1.5),
//! and how an export's headers are matched to them: case- and space-insensitively
//! (`Email`, ` first_name `, `Phone Number` all name `phone_number`'s column).
//!
//! This is platform knowledge only: no custom attribute, tag, segment, stage or other
//! account-specific value belongs here. A column not listed is a custom attribute (or an
//! unknown column) and is proposed as a custom field from its values.

/// The documented columns of `object` (an export file: `users`, `companies`, …), as the
/// API names the fields; empty for an object User.com does not document.
pub fn documented_columns(object: &str) -> &'static [&'static str] {
    match object {
        // v2 user model, the SDK's user model and the custom-id user model.
        "users" => &[
            "id",
            "key",
            "email",
            "phone_number",
            "name",
            "first_name",
            "last_name",
            "gender",
            "status",
            "score",
            "unsubscribed",
            "notifications",
            "page_views",
            "first_seen",
            "last_seen",
            "last_contacted",
            "created_at",
            "updated_at",
            "last_ip",
            "browser",
            "browser_language",
            "os_type",
            "resolution",
            "city",
            "region",
            "country",
            "timezone",
            "gravatar_url",
            "facebook_url",
            "twitter_url",
            "linkedin_url",
            "google_url",
            "lists",
            "tags",
            "segments",
            "attributes",
            "companies",
            "chat_id",
            "custom_id",
            "user_id",
            "assigned_to",
            "company_id",
            "most_active_time",
        ],
        // The SDK's company model and the UI's company profile (assignee, tags, segments).
        "companies" => &[
            "id",
            "name",
            "description",
            "email",
            "country",
            "region",
            "city",
            "address",
            "approx_employees",
            "phone_numbers",
            "attributes",
            "company_id",
            "created_at",
            "updated_at",
            "assigned_to",
            "tags",
            "segments",
        ],
        // The deal model, its v2 additions and v1 spellings.
        "deals" => &[
            "id",
            "custom_id",
            "name",
            "value",
            "currency",
            "pipeline",
            "stage",
            "status",
            "assigned_to",
            "company_id",
            "user_id",
            "participants",
            "products",
            "order_products",
            "tags",
            "expected_close_date",
            "won_at",
            "lost_at",
            "loss_reason",
            "loss_reason_description",
            "activities_status",
            "created_at",
            "updated_at",
            "scope",
            "created_by",
            "restricted_to",
            "agent",
            "user_custom_id",
            "company_custom_id",
            "products_custom_id",
            "person",
            "company",
        ],
        // The activity model and the create-activity response's spellings.
        "activities" => &[
            "id",
            "custom_id",
            "activity_type",
            "name",
            "description",
            "assigned_to",
            "company_id",
            "deal_id",
            "user_id",
            "due_date",
            "duration",
            "done",
            "done_date",
            "created_by",
            "created_at",
            "updated_at",
            "datetime",
            "deal",
            "person",
            "company",
        ],
        // The event import's columns, and the event's payload (`data`, as the per-user
        // events endpoint gives it).
        "events" => &["id", "event_name", "datetime", "email", "user_id", "data"],
        // The conversation item, its `user` flattened to `user_*` columns, and the chat
        // transcript cell the connector unpacks (UNCONFIRMED; see `UsercomCsvConfig`).
        "conversations" => &[
            "id",
            "user_id",
            "user_email",
            "user_name",
            "user_key",
            "active",
            "agent",
            "messages",
            "created_at",
            "transcript",
        ],
        // The attribute schema (`GET attributes/`, or `attributes.csv` beside an export).
        "attributes" => &[
            "id",
            "name",
            "name_std",
            "value_type",
            "content_type",
            "choices",
            "allow_multiple_choices",
        ],
        // Agents (the app's users; the list endpoint is UNCONFIRMED).
        "agents" => &["id", "email", "first_name", "last_name", "name"],
        _ => &[],
    }
}

/// A header reduced for comparison: trimmed, lower case, runs of spaces, hyphens and
/// underscores as one `_` (`" Phone Number "` → `phone_number`).
pub fn header_key(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    let mut gap = false;
    for c in header.trim().trim_start_matches('\u{feff}').chars() {
        if c.is_whitespace() || c == '-' || c == '_' {
            gap = !out.is_empty();
            continue;
        }
        if gap {
            out.push('_');
            gap = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The documented column of `object` a header names (`Email` → `email`), if any.
pub fn documented_name(object: &str, header: &str) -> Option<&'static str> {
    let key = header_key(header);
    documented_columns(object)
        .iter()
        .copied()
        .find(|c| *c == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_documented_names_whatever_their_case_and_spacing() {
        assert_eq!(documented_name("users", "Email"), Some("email"));
        assert_eq!(documented_name("users", " first_name "), Some("first_name"));
        assert_eq!(
            documented_name("users", "Phone Number"),
            Some("phone_number")
        );
        assert_eq!(documented_name("users", "\u{feff}ID"), Some("id"));
        assert_eq!(
            documented_name("deals", "Expected-Close  Date"),
            Some("expected_close_date")
        );
        assert_eq!(documented_name("users", "Favourite colour"), None);
        assert_eq!(documented_name("invoices", "id"), None);
        assert_eq!(header_key("  "), "");
    }
}
