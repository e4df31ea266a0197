//! The User.com proposal: the platform map ([`super::mapping::default_mapping`]) fitted to
//! the export in hand.
//!
//! [`propose`] profiles every column of every object the source offers (the same
//! [`crm_transform::discover`] profile `crm-migrate discover` writes) and builds the map
//! from it:
//!
//! - a line of the platform map whose column the export lacks is left out (so are the
//!   rules of objects it has no file for, and links to objects it does not hold), and a
//!   note says so;
//! - every choice line (tags, segments, stage, pipeline, activity type, …) gets a value map
//!   and options covering every distinct value observed (up to
//!   [`crm_transform::propose::MAX_OPTIONS`] per column; past it a `CHECK` says how many
//!   were left out);
//! - every other column becomes a custom field typed from its values, or as `attributes.csv`
//!   (`GET attributes/`) declares it when present, named so the destination accepts it
//!   ([`CustomNamer`]: `plan` → `usercomPlan` where `plan` is reserved);
//! - the meeting-like event names observed split events into tasks and notes;
//! - account-specific defaults come from the data: the most common deal currency, the most
//!   common user country (when written as a code), or they stay unset with a note.

use std::collections::BTreeMap;

use crm_core::{DataModel, Error, Result, Source};
use crm_transform::discover::{discover, Discovery, FieldProfile, InferredType, ObjectProfile};
use crm_transform::mapping::{CustomField, MappingSpec, ObjectMapping, Transform};
use crm_transform::propose::{
    choice_values, map_onto_options, propose_custom_field, upper_snake, ColumnHint, CustomNamer,
    DeclaredType, MAX_OPTIONS,
};

use super::attributes::{read_attributes, AttributeDef, ATTRIBUTES_OBJECT};
use super::columns::{documented_name, header_key};
use super::config::USERCOM_SCHEME;
use super::mapping::default_mapping;

/// A proposed User.com mapping and what a person should read first.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UsercomProposal {
    /// The whole spec, unconfirmed.
    pub spec: MappingSpec,
    /// What the spec cannot say on a line of its own: objects and columns not in this
    /// export, columns left out, defaults taken from the data or left unset.
    pub notes: Vec<String>,
}

impl UsercomProposal {
    /// The proposal as TOML: its notes as comments, then the spec (lines to check carry
    /// `# CHECK:`).
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        if !self.notes.is_empty() {
            out.push_str("# About this export (read these first):\n");
            for n in &self.notes {
                out.push_str("# - ");
                out.push_str(&n.replace(['\r', '\n'], " "));
                out.push('\n');
            }
            out.push('\n');
        }
        out.push_str(&self.spec.to_toml());
        out
    }

    /// Writes [`Self::to_toml`] to `path`.
    pub fn save(&self, path: &std::path::Path) -> Result<()> {
        std::fs::write(path, self.to_toml())
            .map_err(|e| Error::from(e).with_operation(format!("write {}", path.display())))
    }
}

/// Profiles everything `source` holds and proposes the map of it into `model`.
pub async fn propose(source: &dyn Source, model: &DataModel) -> Result<UsercomProposal> {
    let objects: Vec<String> = source
        .objects()
        .await?
        .into_iter()
        .filter(|o| o != ATTRIBUTES_OBJECT)
        .collect();
    let discovery = discover(source, &objects, None).await?;
    let attributes = read_attributes(source).await;
    propose_from(&discovery, &attributes, model)
}

/// Words in an event name that make the event a meeting (a task, not a note).
const MEETING_WORDS: &[&str] = &["MEETING", "MEETINGS"];

/// Builds the proposal from a discovery of the export and its attribute schema (empty
/// when there is none). Fails only if the bundled platform map does not parse.
pub fn propose_from(
    discovery: &Discovery,
    attributes: &[AttributeDef],
    model: &DataModel,
) -> Result<UsercomProposal> {
    let mut spec = MappingSpec::from_toml(default_mapping())
        .map_err(|e| Error::config(format!("the bundled User.com map: {e}")))?;
    spec.meta.proposed_by =
        Some("crm-migrate: the User.com platform map fitted to this export".into());
    spec.meta.destination = model.name.clone();
    let mut notes = Vec::new();
    let rules = std::mem::take(&mut spec.objects);
    let mut kept = Vec::new();
    let mut absent: Vec<String> = Vec::new();
    for rule in rules {
        match discovery.object(&rule.source) {
            Some(profile) => kept.push(fit_rule(rule, profile, discovery, &mut notes)),
            None if !absent.contains(&rule.source) => {
                notes.push(format!(
                    "{}: not in this export; its rules are left out",
                    rule.source
                ));
                absent.push(rule.source.clone());
            }
            None => {}
        }
    }
    spec.objects = kept;
    split_events(&mut spec, discovery, &mut notes);
    fit_to_model(&mut spec, model, &mut notes);
    let mut namer = CustomNamer::new(model, USERCOM_SCHEME);
    name_static_fields(&mut spec, model, &mut namer);
    fill_choices(&mut spec, discovery, model, &mut notes);
    add_custom_columns(
        &mut spec, discovery, attributes, model, &mut namer, &mut notes,
    );
    defaults_from_data(&mut spec, discovery, &mut notes);
    if model.reserved_names.is_empty() && !spec.custom_fields.is_empty() {
        notes.push(format!(
            "CHECK: the {} model read declares no reserved names, so custom field names were checked only against its fields; a live destination may refuse some (Twenty refuses e.g. plan, type, currency): propose against the live destination to be sure",
            model.name
        ));
    }
    Ok(UsercomProposal { spec, notes })
}

fn column<'a>(o: &'a ObjectProfile, name: &str) -> Option<&'a FieldProfile> {
    o.fields.iter().find(|f| f.name == name && f.filled > 0)
}

/// Leaves out the lines (and timestamps) whose column the export lacks, and the links to
/// objects it does not hold.
fn fit_rule(
    mut rule: ObjectMapping,
    profile: &ObjectProfile,
    discovery: &Discovery,
    notes: &mut Vec<String>,
) -> ObjectMapping {
    let mut missing: Vec<String> = Vec::new();
    for stamp in [&mut rule.created_at, &mut rule.updated_at] {
        if stamp.as_ref().is_some_and(|c| column(profile, c).is_none()) {
            missing.extend(stamp.take());
        }
    }
    let mut unlinked: Vec<String> = Vec::new();
    rule.fields.retain(|f| {
        if column(profile, &f.source).is_none() {
            if !missing.contains(&f.source) {
                missing.push(f.source.clone());
            }
            return false;
        }
        match &f.ref_source {
            Some(to) if discovery.object(to).is_none() => {
                unlinked.push(format!("{} (no {to} in this export)", f.source));
                false
            }
            _ => true,
        }
    });
    if !missing.is_empty() {
        notes.push(format!(
            "{} → {}: no values in this export for {}; those lines are left out",
            rule.source,
            rule.target,
            missing.join(", ")
        ));
    }
    if !unlinked.is_empty() {
        notes.push(format!(
            "{} → {}: links that cannot resolve are left out: {}",
            rule.source,
            rule.target,
            unlinked.join(", ")
        ));
    }
    let targets: Vec<String> = rule.fields.iter().map(|f| f.target.clone()).collect();
    rule.value_maps.retain(|t, _| targets.contains(t));
    rule
}

/// Lists the meeting-like event names observed in both event rules, or sends every event
/// to notes when there is none.
fn split_events(spec: &mut MappingSpec, discovery: &Discovery, notes: &mut Vec<String>) {
    let Some(events) = discovery.object("events") else {
        return;
    };
    let names = column(events, "event_name");
    let observed = names.map(|p| choice_values(p, false)).unwrap_or_default();
    let meetings: Vec<String> = observed
        .iter()
        .filter(|v| {
            upper_snake(v)
                .split('_')
                .any(|w| MEETING_WORDS.contains(&w))
        })
        .cloned()
        .collect();
    if meetings.is_empty() {
        spec.objects
            .retain(|o| !(o.source == "events" && o.when.is_some()));
        for o in spec.objects.iter_mut().filter(|o| o.source == "events") {
            o.skip_when = None;
            o.skip_reason = None;
        }
        notes.push(
            "events: no meeting-like event name observed; every event becomes a note (to load some as tasks, add an events → task rule with `when`)".into(),
        );
        return;
    }
    let listed = if names.is_none_or(|p| p.values.is_empty() || p.values_omitted > 0) {
        "; not every event name was listed by the profile: check the names"
    } else {
        ""
    };
    for o in spec.objects.iter_mut().filter(|o| o.source == "events") {
        if let Some(w) = o.when.as_mut() {
            w.equals = meetings.clone();
            if let Some(line) = o.fields.iter_mut().find(|f| f.source == "event_name") {
                line.flag = Some(format!(
                    "events named {} become tasks (meetings), the rest notes; add other meeting-like names to `when` here and to `skip_when` of the events → note rule{listed}",
                    meetings.join(", ")
                ));
            }
        }
        if let Some(s) = o.skip_when.as_mut() {
            s.equals = meetings.clone();
        }
    }
}

/// Keeps every value the destination cannot take in a standard field: a plain value whose
/// standard field this destination lacks (Twenty v2 has no `person.city`, no
/// `company.employees`) goes to a custom field of that name, made before loading. Leaves
/// out the lines that cannot (a link such as a deal owner on a Twenty without one), and
/// the custom fields no line fills.
fn fit_to_model(spec: &mut MappingSpec, model: &DataModel, notes: &mut Vec<String>) {
    use crm_transform::mapping::{CustomField, CustomFieldType as C, Transform as T};
    let mut kept_as_custom = Vec::new();
    for o in &spec.objects {
        let Some(desc) = model.get(&o.target) else {
            continue;
        };
        for f in &o.fields {
            let ty = match f.transform {
                T::Text | T::JsonText | T::Transcript | T::Email => C::Text,
                T::Integer | T::Number => C::Number,
                T::Bool => C::Boolean,
                T::DateTime => C::DateTime,
                T::Date => C::Date,
                T::Json => C::RawJson,
                T::Emails => C::Emails,
                T::Phones => C::Phones,
                T::Urls | T::Domain => C::Links,
                _ => continue, // links, choices, money: no plain custom field takes them
            };
            let declared = spec
                .custom_fields
                .iter()
                .chain(&kept_as_custom)
                .any(|c: &CustomField| c.object == o.target && c.name == f.target);
            if desc.get(&f.target).is_none()
                && !declared
                && model.field_name_problem(&o.target, &f.target).is_none()
            {
                kept_as_custom.push(CustomField {
                    object: o.target.clone(),
                    name: f.target.clone(),
                    label: f.source.replace('_', " "),
                    ty,
                    options: Vec::new(),
                });
                notes.push(format!(
                    "{} → {}.{}: this destination has no standard field {}; the values go to a custom field of that name",
                    o.source, o.target, f.target, f.target
                ));
            }
        }
    }
    spec.custom_fields.extend(kept_as_custom);
    let customs = spec.custom_fields.clone();
    let has = |object: &str, field: &str| {
        model.get(object).is_some_and(|d| d.get(field).is_some())
            || customs
                .iter()
                .any(|c| c.object == object && c.name == field)
    };
    for o in &mut spec.objects {
        let target = o.target.clone();
        let mut dropped = Vec::new();
        o.fields.retain(|f| {
            let keep = has(&target, &f.target);
            if !keep {
                dropped.push(format!("{} → {}", f.source, f.target));
            }
            keep
        });
        o.constants.retain(|k, _| has(&target, k));
        if !dropped.is_empty() {
            notes.push(format!(
                "{} → {}: the destination has no field for {}; left out",
                o.source,
                target,
                dropped.join(", ")
            ));
        }
    }
    let objects = &spec.objects;
    spec.custom_fields.retain(|c| {
        objects.iter().any(|o| {
            o.target == c.object
                && (o.fields.iter().any(|f| f.target == c.name)
                    || o.constants.contains_key(&c.name))
        })
    });
}

/// Renames a platform custom field the destination refuses (reserved, or a standard
/// field's name), everywhere the map names it; reserves the names of the others.
fn name_static_fields(spec: &mut MappingSpec, model: &DataModel, namer: &mut CustomNamer<'_>) {
    for i in 0..spec.custom_fields.len() {
        let CustomField { object, name, .. } = spec.custom_fields[i].clone();
        let exists_as_custom = model
            .get(&object)
            .and_then(|d| d.get(&name))
            .is_some_and(|f| f.custom);
        if exists_as_custom || namer.problem(&object, &name).is_none() {
            namer.reserve(&object, &name);
            continue;
        }
        let (new, why) = namer.name(&object, &name);
        spec.custom_fields[i].name = new.clone();
        for o in spec.objects.iter_mut().filter(|o| o.target == object) {
            if let Some(v) = o.constants.remove(&name) {
                o.constants.insert(new.clone(), v);
            }
            if let Some(m) = o.value_maps.remove(&name) {
                o.value_maps.insert(new.clone(), m);
            }
            for f in o.fields.iter_mut().filter(|f| f.target == name) {
                f.target = new.clone();
                f.flag = why.clone();
            }
        }
    }
}

/// Gives every choice line a value map and options covering every value observed.
///
/// Where two lines fill one field (a deal's documented `status` codes and its `stage`
/// names both set the stage), a later line whose values are keys of the earlier one's map
/// (stage ids `1`, `2` from the API, which would read as status codes) is left out.
fn fill_choices(
    spec: &mut MappingSpec,
    discovery: &Discovery,
    model: &DataModel,
    notes: &mut Vec<String>,
) {
    let mut customs = std::mem::take(&mut spec.custom_fields);
    for o in &mut spec.objects {
        let Some(profile) = discovery.object(&o.source) else {
            continue;
        };
        let mut first: BTreeMap<String, String> = BTreeMap::new();
        for f in &o.fields {
            first
                .entry(f.target.clone())
                .or_insert_with(|| f.source.clone());
        }
        let mut clashing: Vec<(String, String)> = Vec::new();
        for f in &mut o.fields {
            if !matches!(f.transform, Transform::Choice | Transform::Choices) {
                continue;
            }
            let Some(p) = column(profile, &f.source) else {
                continue;
            };
            let custom = customs
                .iter_mut()
                .find(|c| c.object == o.target && c.name == f.target);
            let mut options: Vec<String> = match &custom {
                Some(c) => c.options.clone(),
                None => model
                    .get(&o.target)
                    .and_then(|d| d.get(&f.target))
                    .map(|d| d.options.clone())
                    .unwrap_or_default(),
            };
            let multi = f.transform == Transform::Choices || p.inferred == InferredType::Choices;
            let mut observed = choice_values(p, multi);
            let mut omitted = p.values_omitted;
            if observed.len() > MAX_OPTIONS {
                omitted += (observed.len() - MAX_OPTIONS) as u64;
                observed.truncate(MAX_OPTIONS);
            }
            let map = o.value_maps.entry(f.target.clone()).or_default();
            if first.get(&f.target) != Some(&f.source) {
                let clash: Vec<&String> = observed
                    .iter()
                    .filter(|v| map.keys().any(|k| k.trim().eq_ignore_ascii_case(v.trim())))
                    .collect();
                if !clash.is_empty() {
                    notes.push(format!(
                        "{}.{} is left out: its values {} are also values of {}.{}, which sets {} too (ids rather than names?); map them by hand",
                        o.source,
                        f.source,
                        clash.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", "),
                        o.source,
                        first[&f.target],
                        f.target
                    ));
                    clashing.push((f.source.clone(), f.target.clone()));
                    continue;
                }
            }
            let unmapped: Vec<String> = observed
                .into_iter()
                .filter(|v| !map.keys().any(|k| k.trim().eq_ignore_ascii_case(v.trim())))
                .collect();
            let (entries, added) = map_onto_options(&unmapped, &options);
            map.extend(entries);
            options.extend(added.iter().cloned());
            if map.is_empty() {
                o.value_maps.remove(&f.target);
            }
            let mut flags: Vec<String> = Vec::new();
            match custom {
                Some(c) => c.options = options,
                None if !added.is_empty() => flags.push(format!(
                    "{} values have no {} option of the same name and become new options ({}); map them onto existing options in the value map if you prefer",
                    added.len(),
                    f.target,
                    added.join(", ")
                )),
                None => {}
            }
            // Samples are the first distinct values: when there are no more distinct values
            // than samples, the samples are all of them.
            let all_seen = !p.values.is_empty()
                || (!p.distinct_capped && p.distinct as usize <= p.samples.len());
            if !all_seen {
                flags.push("only samples of this column's values were seen: a value missing from the value map and the options is refused".into());
            }
            if omitted > 0 {
                flags.push(format!(
                    "{omitted} more distinct values were seen than the {MAX_OPTIONS} mapped: add each to the value map (and to the field's options if it is a custom field), or they are refused"
                ));
            }
            if !flags.is_empty() {
                let mut all: Vec<String> = f.flag.take().into_iter().collect();
                all.extend(flags);
                f.flag = Some(all.join("; "));
            }
        }
        o.fields
            .retain(|f| !clashing.contains(&(f.source.clone(), f.target.clone())));
    }
    spec.custom_fields = customs;
}

/// Every column no line takes and User.com does not document becomes a custom field (a
/// custom attribute); documented columns the platform map does not move are listed.
fn add_custom_columns(
    spec: &mut MappingSpec,
    discovery: &Discovery,
    attributes: &[AttributeDef],
    model: &DataModel,
    namer: &mut CustomNamer<'_>,
    notes: &mut Vec<String>,
) {
    let sources: Vec<String> = {
        let mut s: Vec<String> = spec.objects.iter().map(|o| o.source.clone()).collect();
        s.dedup();
        s
    };
    for source in sources {
        let Some(profile) = discovery.object(&source) else {
            continue;
        };
        let used: Vec<String> = spec
            .objects
            .iter()
            .filter(|o| o.source == source)
            .flat_map(|o| {
                let mut u: Vec<String> = o.fields.iter().map(|f| f.source.clone()).collect();
                u.push(o.id.clone());
                u.extend(o.created_at.clone());
                u.extend(o.updated_at.clone());
                u.extend(o.when.as_ref().map(|c| c.field.clone()));
                u.extend(o.skip_when.as_ref().map(|c| c.field.clone()));
                u
            })
            .collect();
        let mut documented = Vec::new();
        let mut ragged = Vec::new();
        let mut not_creatable = Vec::new();
        for p in profile.fields.iter().filter(|p| p.filled > 0) {
            if used.contains(&p.name) {
                continue;
            }
            if documented_name(&source, &p.name).is_some() {
                documented.push(p.name.clone());
                continue;
            }
            if p.name.starts_with("_extra_") {
                ragged.push(p.name.clone());
                continue;
            }
            let attribute = attributes.iter().find(|a| {
                header_key(&a.name_std) == header_key(&p.name)
                    && a.object().is_none_or(|o| o == source)
            });
            // Without a declaration, a list column whose cells each hold one value (`{Gold}`,
            // how the export writes a single choice) is a single choice.
            let single = (p.inferred == InferredType::Choices && p.max_items == 1)
                .then_some(DeclaredType::Choice);
            let hint = ColumnHint {
                label: attribute.map(|a| a.name.clone()).filter(|n| !n.is_empty()),
                declared: attribute.and_then(AttributeDef::declared).or(single),
                choices: attribute.map(|a| a.choices.clone()).unwrap_or_default(),
                why: Some(match attribute {
                    Some(a) => format!(
                        "custom attribute {:?} ({}) in the attribute schema",
                        a.name, a.value_type
                    ),
                    None => "a column User.com does not document (a custom attribute?)".into(),
                }),
            };
            let mut targets: Vec<String> = Vec::new();
            for i in 0..spec.objects.len() {
                let target = spec.objects[i].target.clone();
                if spec.objects[i].source != source || targets.contains(&target) {
                    continue;
                }
                targets.push(target.clone());
                let Some(desc) = model.get(&target).filter(|d| d.creatable) else {
                    not_creatable.push(format!(
                        "{} ({target} records are matched, not created)",
                        p.name
                    ));
                    continue;
                };
                let c = propose_custom_field(p, desc, namer, &hint);
                let rule = &mut spec.objects[i];
                if !c.value_map.is_empty() {
                    let map: BTreeMap<String, String> = c.value_map.into_iter().collect();
                    rule.value_maps
                        .entry(c.line.target.clone())
                        .or_default()
                        .extend(map);
                }
                rule.fields.push(c.line);
                spec.custom_fields.push(c.field);
            }
        }
        if !documented.is_empty() {
            notes.push(format!(
                "{source}: documented User.com columns the map does not move: {} (add a line to move one)",
                documented.join(", ")
            ));
        }
        if !ragged.is_empty() {
            notes.push(format!(
                "{source}: some rows have more cells than the header ({}); those cells are not moved",
                ragged.join(", ")
            ));
        }
        if !not_creatable.is_empty() {
            notes.push(format!(
                "{source}: no custom field can take {}; left out",
                not_creatable.join(", ")
            ));
        }
    }
}

/// The most common value of a column (its values are listed most frequent first).
fn most_common(p: &FieldProfile) -> Option<&str> {
    p.values.first().map(String::as_str)
}

/// `default_currency` from the deals' most common currency, `default_country` from the
/// users' most common country code; unset, with a note, when the data does not say.
fn defaults_from_data(spec: &mut MappingSpec, discovery: &Discovery, notes: &mut Vec<String>) {
    let col = |object: &str, name: &str| discovery.object(object).and_then(|o| column(o, name));
    let code = |v: &str, n: usize| v.len() == n && v.chars().all(|c| c.is_ascii_alphabetic());
    match col("deals", "currency").and_then(most_common) {
        Some(c) if code(c.trim(), 3) => {
            let c = c.trim().to_uppercase();
            notes.push(format!(
                "policies.default_currency = {c}: the most common currency of the deals (used only for a deal without one)"
            ));
            spec.policies.default_currency = Some(c);
        }
        _ => notes.push(
            "CHECK: policies.default_currency is unset: the export does not show a main currency; set it if some deals have an amount but no currency".into(),
        ),
    }
    let countries = col("users", "country");
    match countries.and_then(most_common) {
        Some(c) if countries.is_some_and(|p| p.values.iter().all(|v| code(v.trim(), 2))) => {
            let c = c.trim().to_uppercase();
            notes.push(format!(
                "policies.default_country = {c}: the most common country of the users (phones written without a calling code are read as {c}'s)"
            ));
            spec.policies.default_country = Some(c);
        }
        _ => notes.push(
            "CHECK: policies.default_country is unset: the users' countries are not written as codes; set it if phones are written without a calling code".into(),
        ),
    }
}
