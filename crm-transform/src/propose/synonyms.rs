//! The synonym tables the heuristic matches source object and column names against.

use crm_core::model::fields as f;

use super::names::{compact, singular};

/// How much a synonym says about the field it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strength {
    /// The usual name of the field (`surname` → last name).
    Strong,
    /// A name that often, but not always, means the field (`status` → stage).
    Weak,
}

impl Strength {
    /// Confidence of an exact match on a synonym of this strength.
    pub(crate) fn confidence(self) -> f32 {
        match self {
            Strength::Strong => 0.9,
            Strength::Weak => 0.8,
        }
    }
}

/// One synonym row: canonical object (`*` for any), canonical field, strength, names, and
/// for references of several objects (`targets`) the object these names point at.
pub(crate) struct Synonym {
    pub object: &'static str,
    pub field: &'static str,
    pub strength: Strength,
    pub names: &'static [&'static str],
    pub ref_object: Option<&'static str>,
}

const fn syn(
    object: &'static str,
    field: &'static str,
    strength: Strength,
    names: &'static [&'static str],
) -> Synonym {
    Synonym {
        object,
        field,
        strength,
        names,
        ref_object: None,
    }
}

const fn target(object: &'static str, to: &'static str, names: &'static [&'static str]) -> Synonym {
    Synonym {
        object,
        field: f::TARGETS,
        strength: Strength::Strong,
        names,
        ref_object: Some(to),
    }
}

use Strength::{Strong as S, Weak as W};

#[rustfmt::skip]
const COMPANY_REF_NAMES: &[&str] = &[
    "company", "company name", "company id", "organization", "organisation",
    "organization name", "organisation name", "account", "account name", "account id",
    "employer",
];
#[rustfmt::skip]
const OWNER_NAMES: &[&str] = &[
    "owner", "owner id", "owner email", "owner name", "assigned to", "assigned", "assignee",
    "agent", "agent id", "account owner", "sales rep", "sales owner", "responsible",
];
const FIRST_NAMES: &[&str] = &["first name", "firstname", "given name", "forename", "fname"];
const LAST_NAMES: &[&str] = &["last name", "lastname", "surname", "family name", "lname"];
#[rustfmt::skip]
const EMAIL_NAMES: &[&str] = &[
    "email", "emails", "e-mail", "e-mail address", "email address", "mail", "primary email",
    "work email",
];

/// Field synonyms, by canonical object. Only fields the destination model has are used.
#[rustfmt::skip]
pub(crate) const FIELD_SYNONYMS: &[Synonym] = &[
    syn(f::PERSON, f::FIRST_NAME, S, FIRST_NAMES),
    syn(f::PERSON, f::LAST_NAME, S, LAST_NAMES),
    syn(f::PERSON, f::EMAILS, S, EMAIL_NAMES),
    syn(f::PERSON, f::PHONES, S, &[
        "phone", "phones", "phone number", "phone numbers", "mobile", "mobile phone",
        "mobile number", "tel", "telephone", "cell", "cell phone", "work phone",
    ]),
    syn(f::PERSON, f::JOB_TITLE, S, &["job title", "jobtitle", "position", "job position"]),
    syn(f::PERSON, f::JOB_TITLE, W, &["title", "role", "job"]),
    syn(f::PERSON, f::CITY, S, &["city", "town"]),
    syn(f::PERSON, f::COMPANY_REF, W, COMPANY_REF_NAMES),
    syn(f::COMPANY, f::NAME, S, &[
        "name", "company name", "company", "organization name", "organisation name",
        "account name",
    ]),
    syn(f::COMPANY, f::DOMAIN, S, &[
        "domain", "domain name", "website", "web site", "website url", "url", "homepage", "web",
    ]),
    syn(f::COMPANY, f::EMPLOYEES, S, &[
        "employees", "approx employees", "number of employees", "employee count",
        "company size", "headcount", "no of employees",
    ]),
    syn(f::COMPANY, f::EMPLOYEES, W, &["size"]),
    syn(f::COMPANY, f::ANNUAL_REVENUE, S, &["annual revenue", "revenue", "arr"]),
    syn(f::COMPANY, f::ADDRESS, S, &["address", "street address"]),
    syn(f::COMPANY, "ideal_customer_profile", W, &["icp", "ideal customer profile"]),
    syn(f::OPPORTUNITY, f::NAME, S, &["name", "deal name", "opportunity name"]),
    syn(f::OPPORTUNITY, f::NAME, W, &["title", "subject"]),
    syn(f::OPPORTUNITY, f::AMOUNT, S, &[
        "amount", "deal value", "deal amount", "opportunity value", "value",
    ]),
    syn(f::OPPORTUNITY, f::AMOUNT, W, &["price", "total"]),
    syn(f::OPPORTUNITY, f::CLOSE_DATE, S, &[
        "close date", "expected close date", "closing date", "due on", "expected close",
    ]),
    syn(f::OPPORTUNITY, f::STAGE, S, &["stage", "pipeline stage", "deal stage", "stage name"]),
    syn(f::OPPORTUNITY, f::STAGE, W, &["status", "deal status"]),
    syn(f::OPPORTUNITY, f::COMPANY_REF, W, COMPANY_REF_NAMES),
    syn(f::OPPORTUNITY, f::POINT_OF_CONTACT, S, &[
        "point of contact", "contact", "contact id", "contact name", "contact email",
        "person", "person id", "primary contact",
    ]),
    syn(f::OPPORTUNITY, f::POINT_OF_CONTACT, W, &["user id", "user", "customer"]),
    syn(f::TASK, f::TITLE, S, &["title", "subject", "name"]),
    syn(f::TASK, f::BODY, S, &["body", "description", "details", "content"]),
    syn(f::TASK, f::KIND, S, &["kind", "type", "activity type"]),
    syn(f::TASK, f::OCCURRED_AT, S, &["occurred at", "start at", "start date", "datetime"]),
    syn(f::TASK, f::OCCURRED_AT, W, &["date", "done date"]),
    syn(f::TASK, f::DUE_AT, S, &["due at", "due date", "due", "deadline"]),
    syn(f::TASK, f::STATUS, S, &["status", "state"]),
    syn(f::TASK, f::STATUS, W, &["done", "complete", "completed"]),
    syn(f::TASK, f::DURATION_SECS, S, &["duration", "duration secs", "duration seconds"]),
    syn(f::TASK, f::OUTCOME, S, &["outcome", "result", "disposition"]),
    syn(f::TASK, f::ASSIGNEE, S, OWNER_NAMES),
    syn(f::NOTE, f::TITLE, S, &["title", "subject", "name"]),
    syn(f::NOTE, f::BODY, S, &["body", "note", "content", "text", "description"]),
    syn(f::NOTE, f::OCCURRED_AT, W, &["occurred at", "date"]),
    target("*", f::OPPORTUNITY, &["deal id", "deal", "opportunity id", "opportunity"]),
    target("*", f::COMPANY, &["company id", "company", "organization id"]),
    target("*", f::PERSON, &["contact id", "contact", "person id", "person", "user id"]),
    syn(f::USER, f::FIRST_NAME, S, FIRST_NAMES),
    syn(f::USER, f::LAST_NAME, S, LAST_NAMES),
    syn(f::USER, f::EMAIL, S, EMAIL_NAMES),
    syn("*", f::OWNER, S, OWNER_NAMES),
    syn("*", f::LINKEDIN, S, &["linkedin", "linkedin url", "linkedin profile", "linkedin link"]),
    syn("*", "x_link", S, &["twitter", "twitter url", "x link", "twitter handle"]),
    syn("*", f::TAGS, S, &["tags", "tag list", "labels", "tag"]),
];

/// Source object names (singular, compact) and the canonical object each means.
#[rustfmt::skip]
const OBJECT_SYNONYMS: &[(&str, &[&str])] = &[
    (f::PERSON, &[
        "user", "contact", "person", "people", "customer", "lead", "client", "subscriber",
        "prospect",
    ]),
    (f::COMPANY, &["company", "account", "organization", "organisation", "org", "business"]),
    (f::OPPORTUNITY, &["deal", "opportunity"]),
    (f::TASK, &["activity", "task", "call", "meeting", "event", "todo", "appointment"]),
    (f::NOTE, &["note"]),
    (f::USER, &[
        "agent", "owner", "member", "staff", "workspacemember", "teammember", "salesrep",
        "employee",
    ]),
];

/// The canonical object a source object name means, if any.
pub(crate) fn object_target(name: &str) -> Option<&'static str> {
    let key = singular(&compact(name));
    OBJECT_SYNONYMS
        .iter()
        .find(|(_, names)| names.iter().any(|n| compact(n) == key))
        .map(|(o, _)| *o)
}

/// The source-object words a column name may start with (`contact_email` on contacts).
pub(crate) fn object_words(source: &str, target: &str) -> Vec<String> {
    let mut out = vec![compact(source), singular(&compact(source)), compact(target)];
    if let Some((_, names)) = OBJECT_SYNONYMS.iter().find(|(o, _)| *o == target) {
        out.extend(names.iter().map(|n| compact(n)));
    }
    out.sort();
    out.dedup();
    out
}

/// Compact names of a creation-time column, best first.
#[rustfmt::skip]
pub(crate) const CREATED_NAMES: &[&str] = &[
    "createdat", "createdon", "datecreated", "created", "createddate", "creationdate",
    "createdtime", "createtime", "dateadded", "addedon", "addedat", "createdatutc",
];
/// Compact names of a last-change column, best first.
#[rustfmt::skip]
pub(crate) const UPDATED_NAMES: &[&str] = &[
    "updatedat", "updatedon", "lastmodified", "dateupdated", "datemodified", "updated",
    "modified", "modifiedat", "modifiedon", "lastupdated", "lastmodifieddate", "modifieddate",
    "updatedate", "updatedtime", "lastmodifiedon", "lastmodifiedat",
];

/// Names of an id column for a source object, best first (compact).
pub(crate) fn id_names(source: &str, target: &str) -> Vec<String> {
    let one = singular(&compact(source));
    let mut out = vec![
        "id".to_string(),
        format!("{one}id"),
        format!("{}id", compact(source)),
    ];
    out.push(format!("{}id", compact(target)));
    if matches!(target, f::PERSON | f::USER) {
        out.push("userid".into());
    }
    out.extend(
        [
            "key",
            "recordid",
            "uuid",
            "externalid",
            "customid",
            "cioid",
            "number",
            "code",
        ]
        .map(String::from),
    );
    let mut seen = Vec::new();
    out.retain(|n| {
        let fresh = !seen.contains(n);
        seen.push(n.clone());
        fresh
    });
    out
}

/// Field names Twenty reserves on every object.
#[rustfmt::skip]
pub(crate) const RESERVED_NAMES: &[&str] = &[
    "id", "name", "createdAt", "updatedAt", "deletedAt", "createdBy", "updatedBy", "position",
    "searchVector", "timelineActivities", "favorites", "attachments", "noteTargets",
    "taskTargets",
];
