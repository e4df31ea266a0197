//! Twenty CRM's standard data model, in crm-core's canonical vocabulary.
//!
//! Built from the metadata recorded from a live Twenty server (upstream commit `ee7aec74`,
//! pre-1.5 main; `reference/twenty-live/`) and the standard field definitions summarised in
//! `reference/twenty.md` §5. Object and field names are the canonical ones
//! ([`crm_core::model::fields`]); [`TWENTY_OBJECT_NAMES`] and [`TWENTY_FIELD_NAMES`] give the
//! names Twenty uses for them on the wire.
//!
//! Facts that shaped the rules:
//! - `person.emails` and `company.domainName` carry unique indexes (probe 05: duplicate → 400).
//! - `opportunity.stage` is a non-nullable SELECT with default `NEW`; `task.status` a nullable
//!   SELECT with default `TODO`. Values are case-sensitive enum values (probe 11).
//! - Workspace members are invited, not created through the data API (§5.10): `user` is
//!   match-only.
//! - Every relation is nullable with `ON DELETE SET NULL`, so every reference is optional.
//! - No text field has a length limit: the recorded OpenAPI document declares no
//!   `maxLength`, and the write path has no length check (§9.2). No `max_length` is set.

use crm_core::model::fields as f;
use crm_core::{DataModel, FieldDescriptor as F, FieldType as T, ObjectDescriptor};

/// Twenty-only standard field: the X (Twitter) link of a person or company (`xLink`).
pub const X_LINK: &str = "x_link";
/// Twenty-only standard field: the company's "ideal customer profile" flag
/// (`idealCustomerProfile`; not nullable, default `false`).
pub const IDEAL_CUSTOMER_PROFILE: &str = "ideal_customer_profile";

/// Names Twenty refuses for a new custom field or object (`nameSingular` and `namePlural`
/// alike), whatever the object: its reserved metadata keywords, in source order.
///
/// Source: twentyhq/twenty v2.21.0,
/// `packages/twenty-shared/src/metadata/constants/reserved-metadata-name-keywords.constant.ts`
/// (`RESERVED_METADATA_NAME_KEYWORDS`), checked by
/// `validate-flat-field-metadata-name.util.ts` and `validate-flat-object-metadata-name.util.ts`.
/// The server matches exactly (case-sensitively); a name that is not lower camelCase is
/// refused by another rule anyway. The list is not symmetric: `fullNames` is reserved but
/// `fullName` is not, `index` but not `indexes`. Refused with 400 `METADATA_VALIDATION_ERROR`,
/// code `INVALID_FIELD_INPUT` (`INVALID_OBJECT_INPUT` for objects), message `This name is
/// reserved. Use a different name or the system will add "Custom" suffix.` (live check on a
/// v2.21.0 server, 2026-11-26).
pub const TWENTY_RESERVED_NAMES: &[&str] = &[
    "approvedAccessDomain",
    "approvedAccessDomains",
    "appToken",
    "appTokens",
    "billingCustomer",
    "billingCustomers",
    "billingEntitlement",
    "billingEntitlements",
    "billingMeter",
    "billingMeters",
    "billingProduct",
    "billingProducts",
    "billingSubscription",
    "billingSubscriptions",
    "billingSubscriptionItem",
    "billingSubscriptionItems",
    "featureFlag",
    "featureFlags",
    "job",
    "jobs",
    "keyValuePair",
    "keyValuePairs",
    "pageLayout",
    "pageLayouts",
    "pageLayoutTab",
    "pageLayoutTabs",
    "pageLayoutWidget",
    "pageLayoutWidgets",
    "twoFactorMethod",
    "twoFactorMethods",
    "user",
    "users",
    "userWorkspace",
    "userWorkspaces",
    "workspace",
    "workspaces",
    "role",
    "roles",
    "userWorkspaceRole",
    "userWorkspaceRoles",
    "plan",
    "plans",
    "event",
    "events",
    "field",
    "fields",
    "link",
    "links",
    "currency",
    "currencies",
    "fullNames",
    "address",
    "addresses",
    "type",
    "types",
    "object",
    "objects",
    "index",
    "relation",
    "relations",
    "aggregate",
    "search",
    "searches",
];

/// Standard options of `opportunity.stage` (`NEW` is the server's default).
pub const OPPORTUNITY_STAGES: [&str; 5] = ["NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER"];
/// Standard options of `task.status` (`TODO` is the server's default).
pub const TASK_STATUSES: [&str; 3] = ["TODO", "IN_PROGRESS", "DONE"];

/// Canonical object → Twenty `(nameSingular, namePlural)`; the plural names the REST route.
pub const TWENTY_OBJECT_NAMES: &[(&str, &str, &str)] = &[
    (f::PERSON, "person", "people"),
    (f::COMPANY, "company", "companies"),
    (f::OPPORTUNITY, "opportunity", "opportunities"),
    (f::TASK, "task", "tasks"),
    (f::NOTE, "note", "notes"),
    (f::USER, "workspaceMember", "workspaceMembers"),
];

/// `(canonical object, canonical field, Twenty field)`: the Twenty field (or join column, for
/// references) a canonical field is written to. A dotted name is a composite sub-field.
/// `targets` of tasks and notes are not a field in Twenty: they become `taskTarget` /
/// `noteTarget` rows (§5.7).
pub const TWENTY_FIELD_NAMES: &[(&str, &str, &str)] = &[
    (f::USER, f::FIRST_NAME, "name.firstName"),
    (f::USER, f::LAST_NAME, "name.lastName"),
    (f::USER, f::EMAIL, "userEmail"),
    (f::COMPANY, f::NAME, "name"),
    (f::COMPANY, f::DOMAIN, "domainName"),
    (f::COMPANY, f::ADDRESS, "address"),
    (f::COMPANY, f::EMPLOYEES, "employees"),
    (f::COMPANY, f::ANNUAL_REVENUE, "annualRecurringRevenue"),
    // v2.21 renamed it (probe 01 of `twenty-v2-live`): the live model takes the name present.
    (f::COMPANY, f::ANNUAL_REVENUE, "annualRevenue"),
    (f::COMPANY, f::LINKEDIN, "linkedinLink"),
    (f::COMPANY, X_LINK, "xLink"),
    (f::COMPANY, IDEAL_CUSTOMER_PROFILE, "idealCustomerProfile"),
    (f::COMPANY, f::OWNER, "accountOwnerId"),
    (f::PERSON, f::FIRST_NAME, "name.firstName"),
    (f::PERSON, f::LAST_NAME, "name.lastName"),
    (f::PERSON, f::EMAILS, "emails"),
    (f::PERSON, f::PHONES, "phones"),
    (f::PERSON, f::JOB_TITLE, "jobTitle"),
    (f::PERSON, f::CITY, "city"),
    (f::PERSON, f::LINKEDIN, "linkedinLink"),
    (f::PERSON, X_LINK, "xLink"),
    (f::PERSON, f::COMPANY_REF, "companyId"),
    (f::OPPORTUNITY, f::NAME, "name"),
    (f::OPPORTUNITY, f::AMOUNT, "amount"),
    (f::OPPORTUNITY, f::CLOSE_DATE, "closeDate"),
    (f::OPPORTUNITY, f::STAGE, "stage"),
    (f::OPPORTUNITY, f::COMPANY_REF, "companyId"),
    (f::OPPORTUNITY, f::POINT_OF_CONTACT, "pointOfContactId"),
    (f::OPPORTUNITY, f::OWNER, "ownerId"),
    (f::TASK, f::TITLE, "title"),
    (f::TASK, f::BODY, "bodyV2.markdown"),
    (f::TASK, f::DUE_AT, "dueAt"),
    (f::TASK, f::STATUS, "status"),
    (f::TASK, f::ASSIGNEE, "assigneeId"),
    (f::NOTE, f::TITLE, "title"),
    (f::NOTE, f::BODY, "bodyV2.markdown"),
];

/// `(canonical object, canonical field)` of [`twenty_standard_model`] that only v1.x servers
/// have: Twenty v2 removed `person.city`, `person.xLink`, `company.employees`, `company.xLink`
/// and `company.idealCustomerProfile` (the v2.21 OpenAPI document; `twenty-v2-live/README.md`).
/// A live sink never claims them on a v2 server (it reads the server's own model); offline,
/// [`twenty_v2_standard_model`] leaves them out.
pub const TWENTY_V1_ONLY_FIELDS: &[(&str, &str)] = &[
    (f::PERSON, f::CITY),
    (f::PERSON, X_LINK),
    (f::COMPANY, f::EMPLOYEES),
    (f::COMPANY, X_LINK),
    (f::COMPANY, IDEAL_CUSTOMER_PROFILE),
];

/// Twenty v2's standard model offline: [`twenty_standard_model`] without
/// [`TWENTY_V1_ONLY_FIELDS`] (`company.annual_revenue` is `annualRevenue` there).
pub fn twenty_v2_standard_model() -> DataModel {
    let mut m = twenty_standard_model();
    m.name = "twenty".into();
    for o in &mut m.objects {
        let name = o.name.clone();
        o.fields
            .retain(|fd| !TWENTY_V1_ONLY_FIELDS.contains(&(name.as_str(), fd.name.as_str())));
        if let Some(fd) = o.fields.iter_mut().find(|fd| fd.name == f::ANNUAL_REVENUE) {
            fd.label = "Annual Revenue".into();
        }
    }
    m
}

/// The Twenty field a canonical field of `object` is written to, if Twenty has one (the v1.4
/// name where v2 renamed it; the live sink reads which one the server has).
pub fn twenty_field_name(object: &str, field: &str) -> Option<&'static str> {
    TWENTY_FIELD_NAMES
        .iter()
        .find(|(o, c, _)| *o == object && *c == field)
        .map(|(_, _, t)| *t)
}

/// Twenty's standard data model, in canonical object and field names: the v1.4-era server's
/// (the recorded one), which is v2's plus the fields v2 removed ([`TWENTY_V1_ONLY_FIELDS`],
/// marked `v1 only` below). A live [`crate::twenty::TwentySink`] uses the server's own model;
/// [`twenty_v2_standard_model`] is v2's offline.
///
/// Only the fields Twenty has are declared, so a record carrying a field Twenty lacks (a
/// person's `tags` or `owner`, a task's `kind` or `duration_secs`) is refused, as Twenty
/// refuses unknown fields with a 400; map such values to a custom field or into the body.
pub fn twenty_standard_model() -> DataModel {
    let targets = [f::PERSON, f::COMPANY, f::OPPORTUNITY];
    DataModel::new("twenty")
        .reserved(TWENTY_RESERVED_NAMES.iter().copied())
        .object(
            // workspaceMember: created by invitation only, so records are matched by email.
            ObjectDescriptor::new(f::USER)
                .match_only()
                .field(F::new(f::FIRST_NAME, T::Text).label("First name"))
                .field(F::new(f::LAST_NAME, T::Text).label("Last name"))
                .field(F::new(f::EMAIL, T::Email).unique().label("User email")),
        )
        .object(
            ObjectDescriptor::new(f::COMPANY)
                .field(F::new(f::NAME, T::Text).label("Name"))
                // Unique on primaryLinkUrl; compared as a normalised domain.
                .field(F::new(f::DOMAIN, T::Urls).unique().label("Domain"))
                .field(F::new(f::ADDRESS, T::Address).label("Address"))
                // v1 only: removed in Twenty v2.
                .field(F::new(f::EMPLOYEES, T::Integer).label("Employees"))
                // `annualRecurringRevenue` on v1, `annualRevenue` on v2.
                .field(F::new(f::ANNUAL_REVENUE, T::Money).label("ARR"))
                .field(F::new(f::LINKEDIN, T::Urls).label("Linkedin"))
                // v1 only: removed in Twenty v2.
                .field(F::new(X_LINK, T::Urls).label("X"))
                // v1 only (removed in Twenty v2). Not nullable but defaulted to false by the
                // server: not required.
                .field(F::new(IDEAL_CUSTOMER_PROFILE, T::Boolean).label("ICP"))
                .field(F::reference(f::OWNER, f::USER, true).label("Account Owner")),
        )
        .object(
            ObjectDescriptor::new(f::PERSON)
                .field(F::new(f::FIRST_NAME, T::Text).label("First name"))
                .field(F::new(f::LAST_NAME, T::Text).label("Last name"))
                // Unique on primaryEmail; the server lower-cases emails on write.
                .field(F::new(f::EMAILS, T::Emails).unique().label("Emails"))
                .field(F::new(f::PHONES, T::Phones).label("Phones"))
                .field(F::new(f::JOB_TITLE, T::Text).label("Job Title"))
                // v1 only: removed in Twenty v2.
                .field(F::new(f::CITY, T::Text).label("City"))
                .field(F::new(f::LINKEDIN, T::Urls).label("Linkedin"))
                // v1 only: removed in Twenty v2.
                .field(F::new(X_LINK, T::Urls).label("X"))
                .field(F::reference(f::COMPANY_REF, f::COMPANY, true).label("Company")),
        )
        .object(
            ObjectDescriptor::new(f::OPPORTUNITY)
                .field(F::new(f::NAME, T::Text).label("Name"))
                .field(F::new(f::AMOUNT, T::Money).label("Amount"))
                .field(F::new(f::CLOSE_DATE, T::DateTime).label("Close date"))
                // Twenty declares stage NOT NULL with default 'NEW'. It is deliberately not
                // `required`: `required` means "a create must carry a value", and Twenty
                // accepts a create without a stage (the default fills it in), so marking it
                // required would make a dry run refuse records the real server takes. The
                // options are still enforced: a value outside them is a 400 there.
                .field(
                    F::new(f::STAGE, T::Select)
                        .options(OPPORTUNITY_STAGES)
                        .label("Stage"),
                )
                .field(F::reference(f::COMPANY_REF, f::COMPANY, true).label("Company"))
                .field(F::reference(f::POINT_OF_CONTACT, f::PERSON, true).label("Point of Contact"))
                // `ownerId` is in the current standard definitions (§5.5) but not on the
                // recorded pre-1.5 server; the live sink reads the server's own model.
                .field(F::reference(f::OWNER, f::USER, true).label("Owner")),
        )
        .object(
            ObjectDescriptor::new(f::TASK)
                .field(F::new(f::TITLE, T::Text).label("Title"))
                // bodyV2 (RICH_TEXT_V2), written as markdown.
                .field(F::new(f::BODY, T::Text).label("Body"))
                .field(F::new(f::DUE_AT, T::DateTime).label("Due Date"))
                // Nullable, default 'TODO'.
                .field(
                    F::new(f::STATUS, T::Select)
                        .options(TASK_STATUSES)
                        .label("Status"),
                )
                .field(F::reference(f::ASSIGNEE, f::USER, true).label("Assignee"))
                // taskTarget rows: one per linked person, company or opportunity.
                .field(F::references(f::TARGETS, &targets).label("Relations")),
        )
        .object(
            ObjectDescriptor::new(f::NOTE)
                .field(F::new(f::TITLE, T::Text).label("Title"))
                .field(F::new(f::BODY, T::Text).label("Body"))
                .field(F::references(f::TARGETS, &targets).label("Relations")),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_is_coherent() {
        twenty_standard_model().check().unwrap();
    }

    #[test]
    fn twenty_rules_are_declared() {
        let m = twenty_standard_model();
        let person = m.get(f::PERSON).unwrap();
        assert!(person.get(f::EMAILS).unwrap().unique);
        assert!(person.get(f::TAGS).is_none());
        assert!(m.get(f::COMPANY).unwrap().get(f::DOMAIN).unwrap().unique);
        let stage = m.get(f::OPPORTUNITY).unwrap().get(f::STAGE).unwrap();
        assert_eq!(stage.options, OPPORTUNITY_STAGES);
        assert!(!m.get(f::USER).unwrap().creatable);
        for o in &m.objects {
            for r in o.references() {
                assert!(
                    r.reference.as_ref().unwrap().optional,
                    "{}.{}",
                    o.name,
                    r.name
                );
            }
        }
    }

    #[test]
    fn reserved_names_are_twentys_list() {
        // 63 entries in Twenty v2.21's RESERVED_METADATA_NAME_KEYWORDS; checked live: `plan`,
        // `plans`, `type` refused; `fullName` and `indexes` are not in the list.
        assert_eq!(TWENTY_RESERVED_NAMES.len(), 63);
        let m = twenty_standard_model();
        for n in [
            "plan",
            "plans",
            "type",
            "fullNames",
            "index",
            "searches",
            "user",
        ] {
            assert!(m.is_reserved(n), "{n}");
        }
        for n in ["fullName", "indexes", "aggregates", "planTier"] {
            assert!(!m.is_reserved(n), "{n}");
        }
        assert!(m
            .field_name_problem(f::PERSON, "plan")
            .is_some_and(|p| p.contains("reserved")));
        assert_eq!(twenty_v2_standard_model().reserved_names.len(), 63);
    }

    #[test]
    fn v2_model_has_no_v1_only_field() {
        let m = twenty_v2_standard_model();
        m.check().unwrap();
        for (o, fd) in TWENTY_V1_ONLY_FIELDS {
            assert!(m.get(o).unwrap().get(fd).is_none(), "{o}.{fd}");
            assert!(twenty_standard_model().get(o).unwrap().get(fd).is_some());
        }
        assert!(m.get(f::COMPANY).unwrap().get(f::ANNUAL_REVENUE).is_some());
    }

    #[test]
    fn every_field_has_a_twenty_name_except_targets() {
        let m = twenty_standard_model();
        for o in &m.objects {
            for fd in &o.fields {
                let named = twenty_field_name(&o.name, &fd.name).is_some();
                assert_eq!(named, fd.name != f::TARGETS, "{}.{}", o.name, fd.name);
            }
            assert!(TWENTY_OBJECT_NAMES.iter().any(|(c, _, _)| *c == o.name));
        }
    }
}
