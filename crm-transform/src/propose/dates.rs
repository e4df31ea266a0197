//! The source's slash-date order (`policies.date_order`), from every date column the
//! proposal uses: set only when the columns settle it, flagged and noted otherwise.

use super::sniff::date_order;
use crate::discover::Discovery;
use crate::mapping::{DateOrderRule, MappingSpec, Transform};
use crate::normalise::DateOrderGuess as G;

/// A date column the spec reads: object index, line index (`None` for `created_at` /
/// `updated_at`), `object.column`, and its order.
struct DateColumn {
    object: usize,
    line: Option<usize>,
    name: String,
    guess: G,
}

fn rule_name(r: DateOrderRule) -> &'static str {
    match r {
        DateOrderRule::Iso => "iso",
        DateOrderRule::DayFirst => "day_first",
        DateOrderRule::MonthFirst => "month_first",
    }
}

fn columns(spec: &MappingSpec, discovery: &Discovery) -> Vec<DateColumn> {
    let mut out = Vec::new();
    for (oi, rule) in spec.objects.iter().enumerate() {
        let Some(profile) = discovery.object(&rule.source) else {
            continue;
        };
        for p in &profile.fields {
            let stamp = rule.created_at.as_deref() == Some(&p.name)
                || rule.updated_at.as_deref() == Some(&p.name);
            let line = rule.fields.iter().position(|f| {
                f.source == p.name && matches!(f.transform, Transform::DateTime | Transform::Date)
            });
            if !stamp && line.is_none() {
                continue;
            }
            if let Some(guess) = date_order(p) {
                out.push(DateColumn {
                    object: oi,
                    line: if stamp { None } else { line },
                    name: format!("{}.{}", rule.source, p.name),
                    guess,
                });
            }
        }
    }
    out
}

fn flag(spec: &mut MappingSpec, c: &DateColumn, text: &str) {
    let Some(li) = c.line else { return };
    if let Some(f) = spec
        .objects
        .get_mut(c.object)
        .and_then(|o| o.fields.get_mut(li))
    {
        f.flag = Some(match f.flag.take() {
            Some(old) => format!("{old}; {text}"),
            None => text.to_string(),
        });
    }
}

fn names(cols: &[&DateColumn]) -> String {
    cols.iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sets `policies.date_order` when the date columns agree (or to the person's `hint`), and
/// flags and notes every column that is ambiguous, mixed, or disagrees.
pub(crate) fn resolve_date_order(
    spec: &mut MappingSpec,
    discovery: &Discovery,
    hint: Option<DateOrderRule>,
    notes: &mut Vec<String>,
) {
    let cols = columns(spec, discovery);
    let of = |g: G| cols.iter().filter(|c| c.guess == g).collect::<Vec<_>>();
    let (day, month, ambiguous, mixed) = (
        of(G::DayFirst),
        of(G::MonthFirst),
        of(G::Ambiguous),
        of(G::Conflicting),
    );
    for c in &mixed {
        notes.push(format!(
            "{} mixes day-first and month-first dates (some have a day above 12 first, others second): fix the column, or those records will be misread or rejected",
            c.name
        ));
        flag(spec, c, "mixes day-first and month-first dates");
    }
    if let Some(rule) = hint {
        spec.policies.date_order = rule;
        let against = match rule {
            DateOrderRule::DayFirst => &month,
            DateOrderRule::MonthFirst => &day,
            DateOrderRule::Iso => &cols.iter().filter(|c| c.guess != G::Conflicting).collect(),
        };
        if !against.is_empty() {
            notes.push(format!(
                "policies.date_order is {} as given, but these columns say otherwise: {}",
                rule_name(rule),
                names(against)
            ));
            for c in against {
                flag(
                    spec,
                    c,
                    "date order disagrees with the given policies.date_order",
                );
            }
        }
        return;
    }
    let decided = match (day.is_empty(), month.is_empty()) {
        (false, true) => Some((DateOrderRule::DayFirst, &day)),
        (true, false) => Some((DateOrderRule::MonthFirst, &month)),
        (false, false) => {
            notes.push(format!(
                "date columns disagree: day-first in {}, month-first in {}; policies.date_order covers the whole source, so it is left iso (slash dates that could be either are rejected) until a person decides",
                names(&day),
                names(&month)
            ));
            for c in day.iter().chain(&month) {
                flag(
                    spec,
                    c,
                    "date order disagrees with other columns (see notes)",
                );
            }
            None
        }
        (true, true) => None,
    };
    if let Some((rule, by)) = decided {
        spec.policies.date_order = rule;
        for c in &ambiguous {
            notes.push(format!(
                "{}: every date has day and month ≤ 12, so the column cannot tell its order on its own; read as {} like {}: check",
                c.name,
                rule_name(rule),
                names(by)
            ));
            flag(
                spec,
                c,
                &format!(
                    "ambiguous date order: read as {} like {}",
                    rule_name(rule),
                    names(by)
                ),
            );
        }
    } else {
        for c in &ambiguous {
            notes.push(format!(
                "{}: every date has day and month ≤ 12 (03/04/2021 could be 3 April or 4 March); set policies.date_order to day_first or month_first — left iso, so such dates are rejected until then",
                c.name
            ));
            flag(
                spec,
                c,
                "ambiguous date order: set policies.date_order (see notes)",
            );
        }
    }
}
