//! What a column's values look like, and what that means for its transform.

use crm_core::descriptor::{FieldDescriptor, FieldType};

use super::names::tokens;
use crate::discover::{FieldProfile, InferredType as I};
use crate::mapping::Transform;
use crate::normalise::{parse_choices, sniff_date_order, DateOrderGuess, ListFormat};

/// The non-empty values known for a field: its choice values, then its samples.
pub(crate) fn values(p: &FieldProfile) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for v in p.values.iter().chain(&p.samples) {
        let v = v.trim();
        if !v.is_empty() && !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// Up to three samples, as the profile has them.
pub(crate) fn samples(p: &FieldProfile) -> Vec<String> {
    p.samples
        .iter()
        .filter(|s| !s.trim().is_empty())
        .take(3)
        .cloned()
        .collect()
}

fn share(p: &FieldProfile, test: impl Fn(&str) -> bool) -> bool {
    let vs = values(p);
    !vs.is_empty() && vs.iter().filter(|v| test(v)).count() * 5 >= vs.len() * 4
}

/// `a@b.c`, no spaces.
pub(crate) fn is_email(s: &str) -> bool {
    let s = s.trim().trim_start_matches("mailto:");
    match s.split_once('@') {
        Some((user, host)) => {
            !user.is_empty()
                && host.contains('.')
                && !host.contains('@')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// A bare domain or a site's root URL (`acme.com`, `https://www.acme.com/`).
pub(crate) fn is_domainish(s: &str) -> bool {
    let s = s.trim().to_ascii_lowercase();
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(&s);
    let host = rest.trim_end_matches('/');
    host.contains('.')
        && !host.contains(['/', '@', ' ', '?'])
        && host
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
}

/// Looks like a record id: digits, or a code of letters, digits, `-` and `_` holding a
/// digit and no space (`4711`, `a1b2-c3`, `usr_123`).
pub(crate) fn is_idish(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.len() <= 64
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Which transform reads a reference, by what its values look like.
pub(crate) fn ref_transform(p: &FieldProfile) -> Transform {
    if p.inferred == I::Email || share(p, is_email) {
        Transform::RefEmail
    } else if matches!(p.inferred, I::Integer) || share(p, is_idish) {
        Transform::RefKey
    } else if p.inferred == I::Url || share(p, is_domainish) {
        Transform::RefDomain
    } else {
        Transform::RefName
    }
}

/// Whether the values look like `type` holds them; `false` means "disagree".
pub(crate) fn compatible(ty: FieldType, inferred: I) -> bool {
    use FieldType as T;
    match ty {
        T::Text | T::Json | T::Reference | T::References | T::Address => true,
        T::Integer => matches!(inferred, I::Integer),
        T::Number | T::Money => matches!(inferred, I::Integer | I::Number | I::Money),
        T::Boolean => matches!(inferred, I::Boolean),
        T::Date | T::DateTime => matches!(inferred, I::Date | I::DateTime | I::Integer),
        T::Select => matches!(inferred, I::Choice | I::Text | I::Boolean | I::Integer),
        T::MultiSelect => matches!(inferred, I::Choices | I::Choice | I::Text),
        T::Email | T::Emails => matches!(inferred, I::Email),
        T::Phones => matches!(inferred, I::Phone | I::Integer),
        T::Urls => matches!(inferred, I::Url),
    }
}

/// Whether a field type holds several values, so several columns can feed it.
pub(crate) fn is_list(ty: FieldType) -> bool {
    use FieldType as T;
    matches!(
        ty,
        T::Emails | T::Phones | T::Urls | T::MultiSelect | T::References
    )
}

/// The transform for a standard field, from its type and the column's values.
pub(crate) fn transform_for(field: &FieldDescriptor, p: &FieldProfile) -> Transform {
    use FieldType as T;
    match field.ty {
        T::Text if p.inferred == I::Json => Transform::JsonText,
        T::Text | T::Address => Transform::Text,
        T::Integer => Transform::Integer,
        T::Number => Transform::Number,
        T::Boolean => Transform::Bool,
        T::Date => Transform::Date,
        T::DateTime => Transform::DateTime,
        T::Select => Transform::Choice,
        T::MultiSelect => Transform::Choices,
        T::Email => Transform::Email,
        T::Emails => Transform::Emails,
        T::Phones => Transform::Phones,
        T::Urls if field.unique || field.name == "domain" || share(p, is_domainish) => {
            Transform::Domain
        }
        T::Urls => Transform::Urls,
        T::Money => Transform::Money,
        T::Json => Transform::Json,
        T::Reference => ref_transform(p),
        T::References => Transform::RefKeys,
    }
}

/// The distinct choice values of a column (list cells split into their items).
pub fn choice_values(p: &FieldProfile, multi: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let src: Vec<&str> = if p.values.is_empty() {
        values(p)
    } else {
        p.values.iter().map(|v| v.trim()).collect()
    };
    // A list column's profile already lists its items: they are not split again (an item
    // may hold `|`, `;` or a comma).
    let items_listed = p.inferred == I::Choices && !p.values.is_empty();
    for v in src {
        let items = if multi && !items_listed {
            parse_choices(v, ListFormat::Auto).unwrap_or_else(|_| vec![v.to_string()])
        } else {
            vec![v.to_string()]
        };
        for item in items {
            if !item.is_empty() && !out.contains(&item) {
                out.push(item);
            }
        }
    }
    out
}

/// Source value → option, for values whose words match an option's (`in progress` →
/// `IN_PROGRESS`, `Won` → `WON`); the values no option matches come back separately.
pub fn match_options(
    values: &[String],
    options: &[String],
) -> (Vec<(String, String)>, Vec<String>) {
    let key = |s: &str| tokens(s).concat();
    let (mut mapped, mut unmatched) = (Vec::new(), Vec::new());
    for v in values {
        match options
            .iter()
            .find(|o| key(o) == key(v) && !key(v).is_empty())
        {
            Some(o) if o == v => {}
            Some(o) => mapped.push((v.clone(), o.clone())),
            None => unmatched.push(v.clone()),
        }
    }
    (mapped, unmatched)
}

/// Maps every value onto an option: onto the option with the same words where there is
/// one (`in progress` → `IN_PROGRESS`), else onto a new option spelt UPPER_SNAKE (`API` →
/// `API`, `Kraków, HQ` → `KRAKOW_HQ`; `OPTION_N` when no letter or digit is left). Returns
/// the value map (values spelt exactly as an option need none) and the new options, which
/// the map's schema changes add to the field.
pub fn map_onto_options(
    values: &[String],
    options: &[String],
) -> (Vec<(String, String)>, Vec<String>) {
    let (mut map, unmatched) = match_options(values, options);
    let mut added: Vec<String> = Vec::new();
    for v in unmatched {
        let mut option = super::names::upper_snake(&v);
        if option.is_empty() {
            option = format!("OPTION_{}", options.len() + added.len() + 1);
        }
        if option != v {
            map.push((v, option.clone()));
        }
        if !options.contains(&option) && !added.contains(&option) {
            added.push(option);
        }
    }
    (map, added)
}

/// For a boolean column feeding a status with `DONE` and `TODO` options (a task's `done`
/// flag): each boolean spelling seen, and its opposite, mapped true → `DONE`, false → `TODO`.
pub(crate) fn bool_status_map(
    p: &FieldProfile,
    options: &[String],
) -> Option<Vec<(String, String)>> {
    const PAIRS: [(&str, &str); 5] = [
        ("t", "f"),
        ("true", "false"),
        ("yes", "no"),
        ("y", "n"),
        ("1", "0"),
    ];
    if p.inferred != I::Boolean {
        return None;
    }
    let find = |name: &str| options.iter().find(|o| tokens(o).concat() == name);
    let (done, todo) = (find("done")?, find("todo")?);
    let mut out: Vec<(String, String)> = Vec::new();
    for v in values(p) {
        let v = v.to_lowercase();
        if let Some((t, f)) = PAIRS.iter().find(|(t, f)| *t == v || *f == v) {
            for (from, to) in [(t, done), (f, todo)] {
                if !out.iter().any(|(k, _)| k == from) {
                    out.push((from.to_string(), to.clone()));
                }
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A column's slash-date order: the profile's, else sniffed from its values.
pub(crate) fn date_order(p: &FieldProfile) -> Option<DateOrderGuess> {
    if !matches!(p.inferred, I::Date | I::DateTime) {
        return None;
    }
    let guess = match p.date_order.as_deref() {
        Some("day_first") => DateOrderGuess::DayFirst,
        Some("month_first") => DateOrderGuess::MonthFirst,
        Some("ambiguous") => DateOrderGuess::Ambiguous,
        Some("conflicting") => DateOrderGuess::Conflicting,
        _ => sniff_date_order(values(p)),
    };
    (guess != DateOrderGuess::NoLocaleDates).then_some(guess)
}

/// A short name for an inferred type, for flags.
pub(crate) fn inferred_name(t: I) -> &'static str {
    match t {
        I::Empty => "empty",
        I::Text => "text",
        I::Integer => "whole numbers",
        I::Number => "numbers",
        I::Boolean => "booleans",
        I::DateTime => "date-times",
        I::Date => "dates",
        I::Email => "emails",
        I::Phone => "phone numbers",
        I::Url => "URLs",
        I::Money => "money",
        I::Json => "JSON",
        I::Choices => "choice lists",
        I::Choice => "choices",
    }
}
