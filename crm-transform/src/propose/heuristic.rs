//! [`HeuristicAdvisor`]: names, synonyms, string similarity and the discovered value types.

use std::collections::BTreeMap;

use crm_core::descriptor::{FieldType, ObjectDescriptor};
use crm_core::DataModel;

use super::custom::{propose_custom_field, ColumnHint, CustomNamer};
use super::dates::resolve_date_order;
use super::matching::{best_match, line, Context, Match};
use super::names::{compact, singular};
use super::sniff::{inferred_name, is_idish, is_list, ref_transform, values};
use super::synonyms::{id_names, object_target, object_words, CREATED_NAMES, UPDATED_NAMES};
use super::{MappingAdvisor, Proposal, ProposalHints};
use crate::discover::{Discovery, FieldProfile, InferredType, ObjectProfile};
use crate::mapping::{CustomField, MappingSpec, ObjectMapping, Transform};

/// The default advisor: matches source objects and columns to the destination model by
/// name (normalised; the field's name and label; a synonym table; string similarity for
/// near misses) and by the values the discovery sniffed, proposes custom fields for the
/// rest, and flags whatever it is unsure of. Deterministic: the same input gives the same
/// spec, byte for byte.
#[derive(Debug, Clone, Copy, Default)]
pub struct HeuristicAdvisor;

impl HeuristicAdvisor {
    /// The advisor.
    pub fn new() -> Self {
        HeuristicAdvisor
    }
}

/// Columns whose values are a person's whole name (no single standard field takes them).
const FULL_NAMES: &[&str] = &["name", "fullname", "contactname", "personname", "username"];

impl MappingAdvisor for HeuristicAdvisor {
    fn name(&self) -> &str {
        "heuristic"
    }

    fn propose(&self, discovery: &Discovery, model: &DataModel, hints: &ProposalHints) -> Proposal {
        let mut notes = Vec::new();
        let mut spec = MappingSpec::default();
        spec.meta.source = pick(&hints.source, &discovery.source);
        spec.meta.destination = pick(&hints.destination, &model.name);
        spec.meta.proposed_by = Some(self.name().to_string());
        spec.policies.default_country = hints.default_country.clone();
        spec.policies.default_currency = hints.default_currency.clone();

        let mut routes: Vec<(&ObjectProfile, &ObjectDescriptor)> = Vec::new();
        for o in &discovery.objects {
            match target_of(&o.name, model) {
                Some(d) => routes.push((o, d)),
                None => notes.push(format!(
                    "{} ({} records): no object of the {} model matches; it is left out (map it by hand to move it)",
                    o.name, o.count, model.name
                )),
            }
        }
        let mut sources_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (o, d) in &routes {
            sources_of
                .entry(d.name.clone())
                .or_default()
                .push(o.name.clone());
        }
        let ctx = Context {
            sources_of: &sources_of,
            has_country: hints.default_country.is_some(),
            has_currency: hints.default_currency.is_some(),
        };
        for (o, d) in &routes {
            let (rule, custom) = object_rule(o, d, model, &spec.meta.source, &ctx, &mut notes);
            spec.objects.push(rule);
            for c in custom {
                merge_custom(&mut spec.custom_fields, c, &mut notes);
            }
        }
        resolve_date_order(&mut spec, discovery, hints.date_order, &mut notes);
        for (target, key) in spec.policies.dedupe.clone() {
            let rules: Vec<&ObjectMapping> =
                spec.objects.iter().filter(|o| o.target == target).collect();
            if !rules.is_empty()
                && !rules
                    .iter()
                    .any(|o| o.fields.iter().any(|f| f.target == key))
            {
                notes.push(format!(
                    "{target}: no column maps to {key}, the key duplicates merge on: duplicates will not be merged"
                ));
            }
        }
        Proposal { spec, notes }
    }
}

/// Adds a custom field, once: two source objects feeding the same object (calls and
/// meetings → task) that both have a `duration` share one field, options united.
fn merge_custom(fields: &mut Vec<CustomField>, c: CustomField, notes: &mut Vec<String>) {
    match fields
        .iter_mut()
        .find(|f| f.object == c.object && f.name == c.name)
    {
        None => fields.push(c),
        Some(f) if f.ty == c.ty => {
            for o in c.options {
                if !f.options.contains(&o) {
                    f.options.push(o);
                }
            }
        }
        Some(f) => notes.push(format!(
            "custom field {}.{} is wanted as {:?} and as {:?} by different source objects; proposed as {:?}: check the lines that fill it",
            f.object, f.name, f.ty, c.ty, f.ty
        )),
    }
}

fn pick(a: &str, b: &str) -> String {
    if a.trim().is_empty() { b } else { a }.to_string()
}

/// The destination object a source object feeds: by the synonym table, else by the model
/// object's own name or label.
fn target_of<'m>(source: &str, model: &'m DataModel) -> Option<&'m ObjectDescriptor> {
    if let Some(t) = object_target(source) {
        return model.get(t);
    }
    let key = singular(&compact(source));
    model.objects.iter().find(|o| {
        singular(&compact(&o.name)) == key
            || (!o.label.is_empty() && singular(&compact(&o.label)) == key)
    })
}

fn unique_and_filled(p: &FieldProfile) -> bool {
    p.filled > 0 && p.null_rate == 0.0 && p.duplicate_rate == 0.0
}

/// The most id-like column: named like an id, unique and filled first.
fn pick_id<'p>(o: &'p ObjectProfile, target: &str, notes: &mut Vec<String>) -> Option<&'p str> {
    let names = id_names(&o.name, target);
    let rank = |p: &FieldProfile| names.iter().position(|n| *n == compact(&p.name));
    let mut cands: Vec<(bool, usize, usize, &FieldProfile)> = o
        .fields
        .iter()
        .enumerate()
        .filter(|(_, p)| p.filled > 0)
        .filter_map(|(i, p)| rank(p).map(|r| (!unique_and_filled(p), r, i, p)))
        .collect();
    if cands.is_empty() {
        let ends = ["id", "key", "number", "code", "ref"];
        cands = o
            .fields
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                unique_and_filled(p) && ends.iter().any(|e| compact(&p.name).ends_with(e))
            })
            .filter(|(_, p)| values(p).iter().all(|v| is_idish(v)))
            .map(|(i, p)| (false, names.len(), i, p))
            .collect();
    }
    cands.sort_by_key(|(dup, r, i, _)| (*dup, *r, *i));
    let Some((dup, _, _, p)) = cands.first() else {
        notes.push(format!(
            "{}: no id column (unique, filled, named like an id); records keep the key the source gives them, and references to them by id cannot resolve",
            o.name
        ));
        return None;
    };
    if *dup {
        notes.push(format!(
            "{}: id column {:?} has blanks or repeated values ({:.0}% empty, {:.0}% repeated)",
            o.name,
            p.name,
            p.null_rate * 100.0,
            p.duplicate_rate * 100.0
        ));
    }
    Some(&p.name)
}

/// The creation or last-change column: the best-named column holding date-times.
fn pick_stamp<'p>(
    o: &'p ObjectProfile,
    names: &[&str],
    skip: &[&str],
    notes: &mut Vec<String>,
) -> Option<&'p str> {
    let mut cands: Vec<(usize, &FieldProfile)> = o
        .fields
        .iter()
        .filter(|p| p.filled > 0 && !skip.contains(&p.name.as_str()))
        .filter_map(|p| {
            names
                .iter()
                .position(|n| *n == compact(&p.name))
                .map(|r| (r, p))
        })
        .collect();
    cands.sort_by_key(|(r, _)| *r);
    for (_, p) in cands {
        match p.inferred {
            InferredType::DateTime | InferredType::Date => return Some(&p.name),
            InferredType::Integer => {
                notes.push(format!(
                    "{}.{}: read as Unix time (whole numbers)",
                    o.name, p.name
                ));
                return Some(&p.name);
            }
            other => notes.push(format!(
                "{}.{} is named like a timestamp but holds {}; not used as one",
                o.name,
                p.name,
                inferred_name(other)
            )),
        }
    }
    None
}

/// How strongly a column claims a field against rivals: its name score, plus a lead for a
/// reference by id, email or domain over one by name (a `company_id` beats a `company`).
fn rank(p: &FieldProfile, m: &Match<'_>) -> f32 {
    let exact_ref = m.field.ty == FieldType::Reference && ref_transform(p) != Transform::RefName;
    m.score + if exact_ref { 0.2 } else { 0.0 }
}

/// One source object's rule and the custom fields it needs.
fn object_rule(
    o: &ObjectProfile,
    desc: &ObjectDescriptor,
    model: &DataModel,
    platform: &str,
    ctx: &Context<'_>,
    notes: &mut Vec<String>,
) -> (ObjectMapping, Vec<CustomField>) {
    let id = pick_id(o, &desc.name, notes);
    let mut skip: Vec<&str> = id.into_iter().collect();
    let created_at = pick_stamp(o, CREATED_NAMES, &skip, notes);
    skip.extend(created_at);
    let updated_at = pick_stamp(o, UPDATED_NAMES, &skip, notes);
    skip.extend(updated_at);
    let words = object_words(&o.name, &desc.name);
    let mut empty = Vec::new();
    let mut matches: Vec<(&FieldProfile, Option<Match<'_>>)> = Vec::new();
    for p in &o.fields {
        if skip.contains(&p.name.as_str()) {
            continue;
        }
        if p.filled == 0 || p.inferred == InferredType::Empty {
            empty.push(p.name.clone());
            continue;
        }
        let full_name = matches!(desc.name.as_str(), "person" | "user")
            && FULL_NAMES.contains(&compact(&p.name).as_str());
        let m = if full_name {
            None
        } else {
            best_match(p, desc, &words)
        };
        matches.push((p, m));
    }
    // One column per scalar field: the best-scored keeps it, the others become custom.
    let mut lost: BTreeMap<usize, String> = BTreeMap::new();
    let mut shared: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (i, (_, m)) in matches.iter().enumerate() {
        let Some(m) = m else { continue };
        let rivals: Vec<usize> = matches
            .iter()
            .enumerate()
            .filter(|(j, (_, n))| {
                *j != i
                    && n.as_ref().is_some_and(|n| {
                        n.field.name == m.field.name && n.ref_object == m.ref_object
                    })
            })
            .map(|(j, _)| j)
            .collect();
        if rivals.is_empty() {
            continue;
        }
        let names: Vec<String> = rivals.iter().map(|&j| matches[j].0.name.clone()).collect();
        if is_list(m.field.ty) {
            shared.insert(i, names);
            continue;
        }
        let mine = rank(matches[i].0, m);
        let beaten = rivals.iter().any(|&j| {
            let s = matches[j].1.as_ref().map_or(0.0, |n| rank(matches[j].0, n));
            s > mine || (s == mine && j < i)
        });
        let rivalry = format!("competes with {} for {}", names.join(", "), m.field.name);
        if beaten {
            lost.insert(i, rivalry);
        } else {
            shared.insert(i, vec![format!("{rivalry} (kept here as the best match)")]);
        }
    }
    let mut rule = ObjectMapping {
        source: o.name.clone(),
        target: desc.name.clone(),
        id: id.unwrap_or("id").to_string(),
        created_at: created_at.map(str::to_string),
        updated_at: updated_at.map(str::to_string),
        when: None,
        skip_when: None,
        skip_reason: None,
        constants: BTreeMap::new(),
        fields: Vec::new(),
        value_maps: BTreeMap::new(),
    };
    // One namer per source object: two source objects feeding one destination object
    // propose the same name for the same column, and share the field (`merge_custom`).
    let mut namer = CustomNamer::new(model, platform);
    let mut custom = Vec::new();
    let mut left_out = Vec::new();
    for (i, (p, m)) in matches.iter().enumerate() {
        let (fm, map) = match (m, lost.get(&i)) {
            (Some(m), None) => {
                let (mut fm, map) = line(p, m, ctx);
                if let Some(rivals) = shared.get(&i) {
                    let extra = if is_list(m.field.ty) {
                        format!("values combined with {}", rivals.join(", "))
                    } else {
                        rivals.join(", ")
                    };
                    fm.flag = Some(match fm.flag {
                        Some(f) => format!("{f}; {extra}"),
                        None => extra,
                    });
                }
                (fm, map)
            }
            (_, why) if desc.creatable => {
                let mut why = why.cloned();
                if m.is_none()
                    && matches!(desc.name.as_str(), "person" | "user")
                    && FULL_NAMES.contains(&compact(&p.name).as_str())
                {
                    why = Some("full names: the destination keeps first_name and last_name; split the column or keep it here".into());
                }
                let hint = ColumnHint {
                    why,
                    ..ColumnHint::default()
                };
                let c = propose_custom_field(p, desc, &mut namer, &hint);
                custom.push(c.field);
                (c.line, c.value_map)
            }
            _ => {
                left_out.push(p.name.clone());
                continue;
            }
        };
        if !map.is_empty() {
            let vm = rule.value_maps.entry(fm.target.clone()).or_default();
            vm.extend(map);
        }
        rule.fields.push(fm);
    }
    if !empty.is_empty() {
        notes.push(format!(
            "{}: empty in every record, left out: {}",
            o.name,
            empty.join(", ")
        ));
    }
    if !left_out.is_empty() {
        notes.push(format!(
            "{}: {} records are matched, not created, so no custom field can take {}; left out",
            o.name,
            desc.name,
            left_out.join(", ")
        ));
    }
    for f in desc
        .fields
        .iter()
        .filter(|f| f.required && f.ty != FieldType::References)
    {
        if !rule.fields.iter().any(|l| l.target == f.name) {
            notes.push(format!(
                "{}: {}.{} is required and no column maps to it",
                o.name, desc.name, f.name
            ));
        }
    }
    (rule, custom)
}
