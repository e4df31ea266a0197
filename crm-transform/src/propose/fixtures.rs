//! Fixtures of the proposer's tests: Twenty's model as a hand-built [`DataModel`], column
//! profiles, and the discoveries of the exports the tests propose mappings for.

use crm_core::model::fields as f;
use crm_core::{DataModel, FieldDescriptor as F, FieldType as T, ObjectDescriptor as O};

use super::{Proposal, ProposalHints};
use crate::discover::{Discovery, FieldProfile, InferredType as I, ObjectProfile};
use crate::mapping::{FieldMapping, Transform};

/// Twenty's standard model as crm-connectors declares it (`twenty_standard_model()`; that
/// crate is not a dependency of this one), labels included.
pub(crate) fn twenty() -> DataModel {
    let targets = [f::PERSON, f::COMPANY, f::OPPORTUNITY];
    DataModel::new("twenty")
        .object(
            O::new(f::USER)
                .match_only()
                .field(F::new(f::FIRST_NAME, T::Text).label("First name"))
                .field(F::new(f::LAST_NAME, T::Text).label("Last name"))
                .field(F::new(f::EMAIL, T::Email).unique().label("User email")),
        )
        .object(
            O::new(f::COMPANY)
                .field(F::new(f::NAME, T::Text).label("Name"))
                .field(F::new(f::DOMAIN, T::Urls).unique().label("Domain"))
                .field(F::new(f::ADDRESS, T::Address).label("Address"))
                .field(F::new(f::EMPLOYEES, T::Integer).label("Employees"))
                .field(F::new(f::ANNUAL_REVENUE, T::Money).label("ARR"))
                .field(F::new(f::LINKEDIN, T::Urls).label("Linkedin"))
                .field(F::new("x_link", T::Urls).label("X"))
                .field(F::new("ideal_customer_profile", T::Boolean).label("ICP"))
                .field(F::reference(f::OWNER, f::USER, true).label("Account Owner")),
        )
        .object(
            O::new(f::PERSON)
                .field(F::new(f::FIRST_NAME, T::Text).label("First name"))
                .field(F::new(f::LAST_NAME, T::Text).label("Last name"))
                .field(F::new(f::EMAILS, T::Emails).unique().label("Emails"))
                .field(F::new(f::PHONES, T::Phones).label("Phones"))
                .field(F::new(f::JOB_TITLE, T::Text).label("Job Title"))
                .field(F::new(f::CITY, T::Text).label("City"))
                .field(F::new(f::LINKEDIN, T::Urls).label("Linkedin"))
                .field(F::new("x_link", T::Urls).label("X"))
                .field(F::reference(f::COMPANY_REF, f::COMPANY, true).label("Company")),
        )
        .object(
            O::new(f::OPPORTUNITY)
                .field(F::new(f::NAME, T::Text).label("Name"))
                .field(F::new(f::AMOUNT, T::Money).label("Amount"))
                .field(F::new(f::CLOSE_DATE, T::DateTime).label("Close date"))
                .field(
                    F::new(f::STAGE, T::Select)
                        .options(["NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER"])
                        .label("Stage"),
                )
                .field(F::reference(f::COMPANY_REF, f::COMPANY, true).label("Company"))
                .field(F::reference(f::POINT_OF_CONTACT, f::PERSON, true).label("Point of Contact"))
                .field(F::reference(f::OWNER, f::USER, true).label("Owner")),
        )
        .object(
            O::new(f::TASK)
                .field(F::new(f::TITLE, T::Text).label("Title"))
                .field(F::new(f::BODY, T::Text).label("Body"))
                .field(F::new(f::DUE_AT, T::DateTime).label("Due Date"))
                .field(
                    F::new(f::STATUS, T::Select)
                        .options(["TODO", "IN_PROGRESS", "DONE"])
                        .label("Status"),
                )
                .field(F::reference(f::ASSIGNEE, f::USER, true).label("Assignee"))
                .field(F::references(f::TARGETS, &targets).label("Relations")),
        )
        .object(
            O::new(f::NOTE)
                .field(F::new(f::TITLE, T::Text).label("Title"))
                .field(F::new(f::BODY, T::Text).label("Body"))
                .field(F::references(f::TARGETS, &targets).label("Relations")),
        )
}

/// A column: filled in every one of 100 records, half its values repeated.
pub(crate) fn col(name: &str, inferred: I, samples: &[&str]) -> FieldProfile {
    FieldProfile {
        name: name.into(),
        inferred,
        fit: 1.0,
        filled: 100,
        null_rate: 0.0,
        distinct: 50,
        distinct_capped: false,
        duplicate_rate: 0.5,
        max_len: 40,
        values: Vec::new(),
        values_omitted: 0,
        max_items: 0,
        date_order: None,
        samples: samples.iter().map(|s| s.to_string()).collect(),
    }
}

/// A column with no repeated value.
pub(crate) fn unique(mut p: FieldProfile) -> FieldProfile {
    p.distinct = p.filled;
    p.duplicate_rate = 0.0;
    p
}

/// A single-choice column with these values.
pub(crate) fn choice(name: &str, values: &[&str]) -> FieldProfile {
    let mut p = col(name, I::Choice, values);
    p.values = values.iter().map(|s| s.to_string()).collect();
    p.distinct = values.len() as u64;
    p
}

pub(crate) fn object(name: &str, fields: Vec<FieldProfile>) -> ObjectProfile {
    ObjectProfile {
        name: name.into(),
        count: 100,
        fields,
        damaged: 0,
    }
}

/// The export of the issue: contacts and companies with renamed columns.
pub(crate) fn export() -> Discovery {
    Discovery {
        notes: Vec::new(),
        source: "csv".into(),
        objects: vec![
            object(
                "contacts",
                vec![
                    unique(col("Contact ID", I::Integer, &["1001", "1002", "1003"])),
                    col("First Name", I::Text, &["Anna", "Jan", "Maria"]),
                    col("Surname", I::Text, &["Nowak", "Kowalski", "Wiśniewska"]),
                    unique(col(
                        "E-mail Address",
                        I::Email,
                        &["anna@acme.pl", "jan@globex.io"],
                    )),
                    col("Mobile", I::Phone, &["600 100 200", "+48 601 200 300"]),
                    col("Company Name", I::Text, &["Acme", "Globex"]),
                    col("Job Title", I::Text, &["CTO", "Buyer"]),
                    col(
                        "Created On",
                        I::DateTime,
                        &["03/04/2021 10:00", "25/12/2020 09:00", "11/01/2022 14:30"],
                    ),
                    col("Newsletter", I::Boolean, &["t", "f", "t"]),
                    choice("Plan", &["free", "pro", "Enterprise plan"]),
                    col(
                        "Notes blob",
                        I::Json,
                        &[r#"{"source":"webinar","score":3}"#],
                    ),
                    col("Fax", I::Empty, &[]),
                ],
            ),
            object(
                "companies",
                vec![
                    unique(col("Company Name", I::Text, &["Acme", "Globex"])),
                    col("Website", I::Url, &["acme.pl", "https://globex.io"]),
                    col("approx_employees", I::Integer, &["12", "250"]),
                ],
            ),
        ],
    }
}

pub(crate) fn hints() -> ProposalHints {
    ProposalHints {
        source: "csv".into(),
        destination: "twenty".into(),
        default_country: Some("PL".into()),
        ..ProposalHints::default()
    }
}

pub(crate) fn line<'a>(p: &'a Proposal, object: &str, source: &str) -> &'a FieldMapping {
    p.spec
        .objects
        .iter()
        .find(|o| o.source == object)
        .and_then(|o| o.fields.iter().find(|f| f.source == source))
        .unwrap_or_else(|| panic!("no line for {object}.{source}:\n{}", p.spec.to_toml()))
}

/// `(source, target, transform, confidence, flagged)` of every line of an object.
pub(crate) fn pinned(p: &Proposal, object: &str) -> Vec<(String, String, Transform, f32, bool)> {
    let o = p.spec.objects.iter().find(|o| o.source == object).unwrap();
    o.fields
        .iter()
        .map(|l| {
            let c = l.confidence.unwrap();
            (
                l.source.clone(),
                l.target.clone(),
                l.transform,
                c,
                l.flag.is_some(),
            )
        })
        .collect()
}

pub(crate) fn row(
    s: &str,
    t: &str,
    x: Transform,
    c: f32,
    flagged: bool,
) -> (String, String, Transform, f32, bool) {
    (s.into(), t.into(), x, c, flagged)
}

/// Deals against Twenty: stage value map, owner by email, company by source id, money
/// without a currency, and a close date whose order no value settles.
pub(crate) fn deals() -> Discovery {
    let mut close = col(
        "Close Date",
        I::Date,
        &["03/04/2021", "05/06/2021", "12/11/2021"],
    );
    close.date_order = Some("ambiguous".into());
    Discovery {
        notes: Vec::new(),
        source: "smartcrm".into(),
        objects: vec![
            object(
                "Companies",
                vec![
                    unique(col("ID", I::Integer, &["1", "2"])),
                    unique(col("Name", I::Text, &["Acme", "Globex"])),
                ],
            ),
            object(
                "Deals",
                vec![
                    unique(col("Deal ID", I::Integer, &["71", "72"])),
                    col("Deal Name", I::Text, &["Renewal 2022"]),
                    col("Deal Value", I::Number, &["1200.50", "80"]),
                    choice("Stage", &["New", "proposal", "won"]),
                    col("Owner", I::Email, &["ola@seller.pl"]),
                    col("Company ID", I::Integer, &["1", "2"]),
                    close,
                    col("Last Modified", I::DateTime, &["2021-04-03T10:00:00Z"]),
                ],
            ),
            object("Invoices", vec![unique(col("Number", I::Integer, &["5"]))]),
        ],
    }
}
