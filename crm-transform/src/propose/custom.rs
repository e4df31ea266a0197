//! Custom fields for the columns no standard field takes.

use crm_core::descriptor::ObjectDescriptor;

use super::matching::round;
use super::names::{camel_name, camel_of_canonical, label_of, upper_snake};
use super::sniff::{choice_values, samples};
use super::synonyms::RESERVED_NAMES;
use crate::discover::{FieldProfile, InferredType as I};
use crate::mapping::{CustomField, CustomFieldType as C, FieldMapping, OnError, Transform};

/// Most distinct values a single-choice column may have to become a select.
const MAX_SELECT: usize = 20;
/// Most distinct items a list column may have to become a multi-select.
const MAX_MULTI: usize = 50;

/// The names already used on a destination object (canonical and Twenty spellings, and the
/// names every Twenty object reserves), lower-cased.
pub(crate) fn taken_names(object: &ObjectDescriptor) -> Vec<String> {
    let mut out: Vec<String> = RESERVED_NAMES.iter().map(|n| n.to_lowercase()).collect();
    for f in &object.fields {
        out.push(f.name.to_lowercase());
        out.push(camel_of_canonical(&f.name).to_lowercase());
    }
    out.sort();
    out.dedup();
    out
}

/// A name for the custom field that no field of the object has yet (`plan`; `sourceName`
/// when the object already has a `name`).
fn fresh_name(source: &str, taken: &mut Vec<String>) -> String {
    let base = camel_name(source);
    let mut cands = vec![base.clone()];
    let mut first = base.chars();
    let upper: String = first
        .next()
        .map(|c| c.to_uppercase().chain(first).collect())
        .unwrap_or_default();
    cands.push(format!("source{upper}"));
    let name = cands
        .into_iter()
        .chain((2..).map(|n| format!("source{upper}{n}")))
        .find(|c| !taken.contains(&c.to_lowercase()))
        .unwrap_or(base);
    taken.push(name.to_lowercase());
    name
}

/// The custom field for column `p` of a source object feeding `object`, the line that fills
/// it, and the value map of its options. `why` says why no standard field took it.
pub(crate) fn custom_field(
    p: &FieldProfile,
    object: &ObjectDescriptor,
    taken: &mut Vec<String>,
    why: Option<String>,
) -> (CustomField, FieldMapping, Vec<(String, String)>) {
    let distinct_ok = |max: usize| !p.distinct_capped && (p.distinct as usize) <= max;
    let mut options: Vec<String> = Vec::new();
    let mut value_map: Vec<(String, String)> = Vec::new();
    let mut flags = Vec::new();
    let (ty, transform) = match p.inferred {
        I::Integer | I::Number => (C::Number, Transform::Number),
        I::Boolean => (C::Boolean, Transform::Bool),
        I::DateTime => (C::DateTime, Transform::DateTime),
        I::Date => (C::Date, Transform::Date),
        I::Email => (C::Emails, Transform::Emails),
        I::Phone => (C::Phones, Transform::Phones),
        I::Url => (C::Links, Transform::Urls),
        I::Money => (C::Currency, Transform::Money),
        I::Json => (C::RawJson, Transform::Json),
        I::Choice if distinct_ok(MAX_SELECT) && !choice_values(p, false).is_empty() => {
            (C::Select, Transform::Choice)
        }
        I::Choices if choice_values(p, true).len() <= MAX_MULTI && !p.distinct_capped => {
            (C::MultiSelect, Transform::Choices)
        }
        I::Choice | I::Choices => {
            flags.push("too many distinct values for a select: proposed as text".to_string());
            (C::Text, Transform::Text)
        }
        I::Text | I::Empty => (C::Text, Transform::Text),
    };
    if matches!(ty, C::Select | C::MultiSelect) {
        for (i, v) in choice_values(p, ty == C::MultiSelect)
            .into_iter()
            .enumerate()
        {
            let mut option = upper_snake(&v);
            if option.is_empty() {
                option = format!("OPTION_{}", i + 1);
            }
            if option != v {
                value_map.push((v, option.clone()));
            }
            if !options.contains(&option) {
                options.push(option);
            }
        }
        if p.values.is_empty() {
            flags.push("options taken from samples only: check none is missing".into());
        }
    }
    let name = fresh_name(&p.name, taken);
    let mut flag = format!(
        "custom field to create: {}.{name} ({})",
        object.name,
        type_name(ty)
    );
    if let Some(w) = why {
        flag = format!("{w}; {flag}");
    }
    for f in flags {
        flag = format!("{flag}; {f}");
    }
    let field = CustomField {
        object: object.name.clone(),
        name: name.clone(),
        label: label_of(&p.name),
        ty,
        options,
    };
    let line = FieldMapping {
        source: p.name.clone(),
        target: name,
        transform,
        ref_object: None,
        ref_source: None,
        currency: None,
        on_error: OnError::default(),
        keep_raw_in: None,
        confidence: Some(round(p.fit.clamp(0.0, 1.0) as f32 * 0.7)),
        flag: Some(flag),
        samples: samples(p),
    };
    (field, line, value_map)
}

fn type_name(ty: C) -> &'static str {
    match ty {
        C::Text => "text",
        C::Number => "number",
        C::Boolean => "boolean",
        C::DateTime => "date-time",
        C::Date => "date",
        C::Select => "select",
        C::MultiSelect => "multi-select",
        C::Links => "links",
        C::Emails => "emails",
        C::Phones => "phones",
        C::Currency => "currency",
        C::RawJson => "JSON",
    }
}
