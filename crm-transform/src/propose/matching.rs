//! Matching one source column to a destination field by name, and the field line that
//! follows from the match.

use std::collections::BTreeMap;

use crm_core::descriptor::{FieldDescriptor, FieldType, ObjectDescriptor};

use super::names::{compact, tokens};
use super::sniff::{self, compatible, inferred_name, is_idish, transform_for};
use super::synonyms::FIELD_SYNONYMS;
use crate::discover::{FieldProfile, InferredType};
use crate::mapping::{FieldMapping, OnError, Transform};

/// Confidence of a match on the destination field's own name or label.
const EXACT: f32 = 0.97;
/// Below this a line is flagged.
pub(crate) const SURE: f32 = 0.8;
/// Least string similarity taken as a near miss.
const NEAR: f64 = 0.86;

/// How a column's name matched a field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum How {
    /// The field's own name or label, or one of its synonyms.
    Name,
    /// The name minus a leading object word (`contact_email`).
    Stripped,
    /// The name contains a synonym's words (`Work Email`).
    Contains(String),
    /// The name resembles one (`phone_numbr`).
    Near(String),
}

/// A column matched to a field.
#[derive(Debug, Clone)]
pub(crate) struct Match<'m> {
    /// The destination field.
    pub field: &'m FieldDescriptor,
    /// Confidence from the name alone.
    pub score: f32,
    /// How the name matched.
    pub how: How,
    /// For references of several objects: the object these names point at.
    pub ref_object: Option<&'static str>,
}

/// Similarity of two compact names (0–1): Jaro-Winkler and normalised Damerau-Levenshtein
/// averaged, so that both a shared prefix and few edits count.
fn similarity(a: &str, b: &str) -> f64 {
    (strsim::jaro_winkler(a, b) + strsim::normalized_damerau_levenshtein(a, b)) / 2.0
}

/// Whether `needle` occurs as consecutive words of `hay`.
fn contains_words(hay: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && needle.len() < hay.len() && hay.windows(needle.len()).any(|w| w == needle)
}

/// `name` minus its leading object words (`contact_email` on contacts → `email`).
pub(crate) fn strip_object_words(name: &str, words: &[String]) -> Option<String> {
    let toks = tokens(name);
    (1..toks.len())
        .find(|&k| words.contains(&toks[..k].concat()))
        .map(|k| toks[k..].concat())
}

/// The best field of `desc` for column `p`, if its name says anything.
pub(crate) fn best_match<'m>(
    p: &FieldProfile,
    desc: &'m ObjectDescriptor,
    object_words: &[String],
) -> Option<Match<'m>> {
    let key = compact(&p.name);
    let toks = tokens(&p.name);
    let stripped = strip_object_words(&p.name, object_words);
    let mut best: Option<Match<'m>> = None;
    for field in desc.fields.iter().filter(|f| f.ty != FieldType::Address) {
        let mut names: Vec<(&str, f32, Option<&'static str>)> = Vec::new();
        if field.ty != FieldType::References {
            names.push((&field.name, EXACT, None));
            if !field.label.is_empty() {
                names.push((&field.label, EXACT, None));
            }
        }
        for s in FIELD_SYNONYMS
            .iter()
            .filter(|s| (s.object == desc.name || s.object == "*") && s.field == field.name)
        {
            let is_refs = field.ty == FieldType::References;
            let fits = match s.ref_object {
                Some(o) => {
                    is_refs
                        && field
                            .reference
                            .as_ref()
                            .is_some_and(|r| r.objects.iter().any(|x| x == o))
                }
                None => !is_refs,
            };
            if !fits {
                continue;
            }
            names.extend(
                s.names
                    .iter()
                    .map(|n| (*n, s.strength.confidence(), s.ref_object)),
            );
        }
        for (name, conf, ref_object) in names {
            let n = compact(name);
            if n.is_empty() {
                continue;
            }
            let found = if n == key {
                Some((conf, How::Name))
            } else if stripped.as_deref() == Some(n.as_str()) {
                Some((conf - 0.05, How::Stripped))
            } else if n.len() >= 3 && contains_words(&toks, &tokens(name)) {
                let part = n.len() as f32 / key.len().max(1) as f32;
                Some((0.6 + 0.1 * part, How::Contains(name.to_string())))
            } else if key.len() >= 5 && n.len() >= 5 && similarity(&key, &n) >= NEAR {
                let sim = similarity(&key, &n) as f32;
                Some((sim * 0.8, How::Near(name.to_string())))
            } else {
                None
            };
            let Some((score, how)) = found else { continue };
            let loose = matches!(how, How::Contains(_) | How::Near(_));
            if loose && !compatible(field.ty, p.inferred) {
                continue;
            }
            if best.as_ref().is_none_or(|b| score > b.score) {
                best = Some(Match {
                    field,
                    score,
                    how,
                    ref_object,
                });
            }
        }
    }
    best
}

/// Rounds a confidence to two decimals, so the TOML reads cleanly.
pub(crate) fn round(c: f32) -> f32 {
    (c * 100.0).round() / 100.0
}

/// What the line needs from outside the object: which source object feeds a canonical
/// object (for references by source id), and the policies' defaults.
pub(crate) struct Context<'a> {
    /// Canonical object → source objects mapped to it, in discovery order.
    pub sources_of: &'a BTreeMap<String, Vec<String>>,
    /// Whether a default country is set for phone numbers.
    pub has_country: bool,
    /// Whether a default currency is set for amounts.
    pub has_currency: bool,
}

/// The field line for a column matched to a standard field, with the value map a select
/// needs, and its flags.
pub(crate) fn line(
    p: &FieldProfile,
    m: &Match<'_>,
    ctx: &Context<'_>,
) -> (FieldMapping, Vec<(String, String)>) {
    let field = m.field;
    let mut flags: Vec<String> = Vec::new();
    let mut conf = m.score;
    match &m.how {
        How::Contains(n) => flags.push(format!("name contains {n:?}: is it {}?", field.name)),
        How::Near(n) => flags.push(format!("name only resembles {n:?}")),
        How::Name | How::Stripped => {}
    }
    if !compatible(field.ty, p.inferred) {
        conf *= 0.7;
        flags.push(format!(
            "values look like {}, {} is a {:?} field",
            inferred_name(p.inferred),
            field.name,
            field.ty
        ));
    } else if p.fit < 0.8 && p.inferred != InferredType::Text {
        flags.push(format!(
            "only {:.0}% of values look like {}",
            p.fit * 100.0,
            inferred_name(p.inferred)
        ));
    }
    let transform = transform_for(field, p);
    let mut ref_object = None;
    let mut ref_source = None;
    let mut value_map = Vec::new();
    if let Some(r) = &field.reference {
        let object = m
            .ref_object
            .map(str::to_string)
            .or_else(|| r.objects.first().cloned())
            .unwrap_or_default();
        if transform == Transform::RefName {
            conf = conf.min(0.75);
            flags.push(format!(
                "links to the {object} by name: names must match exactly, the others follow policies.orphans"
            ));
        }
        if matches!(transform, Transform::RefKey | Transform::RefKeys) {
            if transform == Transform::RefKeys && !sniff::values(p).iter().all(|v| is_idish(v)) {
                flags.push("values do not all look like ids".into());
            }
            match ctx.sources_of.get(&object).map(Vec::as_slice) {
                None | Some([]) => flags.push(format!(
                    "ids of {object} records, but no source object maps to {object}: set ref_source, or link by email or name"
                )),
                Some([one]) => ref_source = Some(one.clone()),
                Some(many) => {
                    ref_source = Some(many[0].clone());
                    flags.push(format!(
                        "several source objects map to {object} ({}): check ref_source",
                        many.join(", ")
                    ));
                }
            }
        }
        ref_object = Some(object);
    }
    if let Some(map) = sniff::bool_status_map(p, &field.options) {
        value_map = map;
    } else if matches!(transform, Transform::Choice | Transform::Choices)
        && !field.options.is_empty()
    {
        // Every value observed gets an option: its own, or a new one the map adds.
        let values = sniff::choice_values(p, transform == Transform::Choices);
        let (mapped, added) = sniff::map_onto_options(&values, &field.options);
        value_map = mapped;
        if !added.is_empty() {
            flags.push(format!(
                "values that are not options of {} ({}) become new options: {} — map them onto existing options in value_maps if you prefer",
                field.name,
                field.options.join(", "),
                added.join(", ")
            ));
        }
        if p.values_omitted > 0 {
            flags.push(format!(
                "{} more distinct values were seen than listed: add each to value_maps, or they are refused",
                p.values_omitted
            ));
        }
    }
    if transform == Transform::Phones && !ctx.has_country && !all_international(p) {
        flags.push("numbers without a calling code: set policies.default_country".into());
    }
    if transform == Transform::Money && !ctx.has_currency && p.inferred != InferredType::Money {
        flags.push("amounts carry no currency: set policies.default_currency".into());
    }
    if transform == Transform::JsonText {
        flags.push("JSON flattened to text".into());
    }
    if conf < SURE && flags.is_empty() {
        flags.push("low confidence".into());
    }
    let fm = FieldMapping {
        source: p.name.clone(),
        target: field.name.clone(),
        transform,
        ref_object,
        ref_source,
        currency: None,
        on_error: OnError::default(),
        keep_raw_in: None,
        confidence: Some(round(conf)),
        flag: (!flags.is_empty()).then(|| flags.join("; ")),
        samples: sniff::samples(p),
    };
    (fm, value_map)
}

fn all_international(p: &FieldProfile) -> bool {
    let vs = sniff::values(p);
    !vs.is_empty()
        && vs
            .iter()
            .all(|v| v.trim_start().starts_with('+') || v.trim_start().starts_with("00"))
}
