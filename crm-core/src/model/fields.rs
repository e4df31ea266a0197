//! Canonical object and standard field names. Destination descriptors, mapping specs and
//! encoders use these names; custom fields use their own.

/// Canonical object: a person (contact, lead, customer).
pub const PERSON: &str = "person";
/// Canonical object: a company (account, organisation).
pub const COMPANY: &str = "company";
/// Canonical object: an opportunity (deal).
pub const OPPORTUNITY: &str = "opportunity";
/// Canonical object: a task-like activity (call, email, meeting, task, chat, custom event).
pub const TASK: &str = "task";
/// Canonical object: a note.
pub const NOTE: &str = "note";
/// Canonical object: a workspace member / owner.
pub const USER: &str = "user";

/// Given name.
pub const FIRST_NAME: &str = "first_name";
/// Family name.
pub const LAST_NAME: &str = "last_name";
/// Email addresses (`Value::Emails`).
pub const EMAILS: &str = "emails";
/// Single email (users).
pub const EMAIL: &str = "email";
/// Phone numbers (`Value::Phones`).
pub const PHONES: &str = "phones";
/// Job title.
pub const JOB_TITLE: &str = "job_title";
/// City.
pub const CITY: &str = "city";
/// Reference to a company.
pub const COMPANY_REF: &str = "company";
/// Reference to the owning user.
pub const OWNER: &str = "owner";
/// LinkedIn URL(s).
pub const LINKEDIN: &str = "linkedin";
/// Tags (`Value::Choices`).
pub const TAGS: &str = "tags";
/// Name of a company, opportunity or custom record.
pub const NAME: &str = "name";
/// Web domain (`Value::Urls`).
pub const DOMAIN: &str = "domain";
/// Postal address.
pub const ADDRESS: &str = "address";
/// Number of employees.
pub const EMPLOYEES: &str = "employees";
/// Annual revenue (money).
pub const ANNUAL_REVENUE: &str = "annual_revenue";
/// Opportunity amount (money).
pub const AMOUNT: &str = "amount";
/// Expected close date.
pub const CLOSE_DATE: &str = "close_date";
/// Pipeline stage (choice).
pub const STAGE: &str = "stage";
/// Opportunity's point of contact (reference to a person).
pub const POINT_OF_CONTACT: &str = "point_of_contact";
/// Activity title / subject.
pub const TITLE: &str = "title";
/// Activity body (markdown).
pub const BODY: &str = "body";
/// Activity kind (call, email, meeting, task, chat, note, event).
pub const KIND: &str = "kind";
/// When the activity happened.
pub const OCCURRED_AT: &str = "occurred_at";
/// When a task is due.
pub const DUE_AT: &str = "due_at";
/// Task status (choice).
pub const STATUS: &str = "status";
/// Task assignee (reference to a user).
pub const ASSIGNEE: &str = "assignee";
/// Activity duration in seconds.
pub const DURATION_SECS: &str = "duration_secs";
/// Call disposition / outcome.
pub const OUTCOME: &str = "outcome";
/// Records the activity is linked to (`Value::Refs`).
pub const TARGETS: &str = "targets";
/// Custom event properties (JSON).
pub const PROPERTIES: &str = "properties";
