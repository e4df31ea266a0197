//! What the review page shows: the mapping, read back from its file, run over the export
//! with the same [`SpecMapper`] a run uses, against the destination's model.

use std::collections::BTreeMap;

use crm_migrate::core::connector::SchemaChange;
use crm_migrate::core::{DataModel, Mapped, RawRecord, RecordMapper, Route};
use crm_migrate::transform::mapping::{Confirmation, MappingSpec};
use crm_migrate::transform::SpecMapper;
use serde::Serialize;

/// Sample values shown per field rule.
const SAMPLES: usize = 5;
/// Reasons listed per object in the validation tally.
const REASONS: usize = 12;

/// Every transform a field rule can name (as written in the TOML).
pub(super) const TRANSFORMS: [&str; 22] = [
    "text",
    "json_text",
    "bool",
    "integer",
    "number",
    "date_time",
    "date",
    "choice",
    "choices",
    "emails",
    "email",
    "phones",
    "urls",
    "domain",
    "money",
    "json",
    "ref_key",
    "ref_email",
    "ref_domain",
    "ref_name",
    "ref_keys",
    "transcript",
];

/// The whole page's data.
#[derive(Debug, Serialize)]
pub(super) struct View {
    /// The mapping file.
    pub(super) path: String,
    /// Source platform id.
    pub(super) from: String,
    /// Name of the model validated against.
    pub(super) model: String,
    /// `confirmed`, `unconfirmed` or `edited` (confirmed, then edited).
    pub(super) confirmation: &'static str,
    /// The stamp in the file, if any.
    pub(super) stamp: Option<String>,
    /// The command that runs this mapping.
    pub(super) command: String,
    /// Why the mapping does not fit the model, if it does not.
    pub(super) model_error: Option<String>,
    /// Per source object rule.
    pub(super) objects: Vec<ObjectView>,
    /// Custom fields, objects and options the run will create.
    pub(super) schema_changes: Vec<String>,
    /// Policies as in the file.
    pub(super) policies: serde_json::Value,
    /// Transforms a rule can name.
    pub(super) transforms: &'static [&'static str],
}

/// One `[[objects]]` rule.
#[derive(Debug, Serialize)]
pub(super) struct ObjectView {
    pub(super) source: String,
    pub(super) target: String,
    pub(super) when: Option<String>,
    pub(super) skip_when: Option<String>,
    pub(super) records: usize,
    pub(super) fields: Vec<FieldView>,
    pub(super) value_maps: Vec<ValueMapView>,
    /// Fields of the target object in the model (for the target pickers).
    pub(super) model_fields: Vec<String>,
    pub(super) outcome: Tally,
}

/// One field rule with samples.
#[derive(Debug, Serialize)]
pub(super) struct FieldView {
    pub(super) source: String,
    pub(super) target: String,
    pub(super) transform: String,
    pub(super) on_error: String,
    pub(super) confidence: Option<f32>,
    pub(super) flag: Option<String>,
    /// (raw value, what the mapper made of it).
    pub(super) samples: Vec<(String, String)>,
}

/// One value map with the count of records per source value.
#[derive(Debug, Serialize)]
pub(super) struct ValueMapView {
    pub(super) field: String,
    /// (source value, option, records with it).
    pub(super) entries: Vec<(String, String, usize)>,
    /// Values seen in the export that the map lacks, with their counts.
    pub(super) unmapped: Vec<(String, usize)>,
}

/// What the dry-run validation says for one rule.
#[derive(Debug, Default, Serialize)]
pub(super) struct Tally {
    pub(super) loaded: usize,
    pub(super) partial: usize,
    pub(super) rejected: usize,
    pub(super) queued: usize,
    pub(super) skipped: usize,
    /// (kind, reason, count), most frequent first.
    pub(super) reasons: Vec<(String, String, usize)>,
}

use crm_migrate::core::report::reason_kind;

fn text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn condition(c: &Option<crm_migrate::transform::mapping::Condition>) -> Option<String> {
    c.as_ref().map(|c| {
        let mut parts = Vec::new();
        if !c.equals.is_empty() {
            parts.push(format!("{} is one of {}", c.field, c.equals.join(", ")));
        }
        match c.empty {
            Some(true) => parts.push(format!("{} is empty", c.field)),
            Some(false) => parts.push(format!("{} is not empty", c.field)),
            None => {}
        }
        if parts.is_empty() {
            c.field.clone()
        } else {
            parts.join(" and ")
        }
    })
}

fn describe(change: &SchemaChange) -> String {
    match change {
        SchemaChange::AddField { object, field } => {
            let mut s = format!("field {object}.{} ({:?})", field.name, field.ty);
            if !field.options.is_empty() {
                s.push_str(&format!(" with options {}", field.options.join(", ")));
            }
            s
        }
        SchemaChange::AddObject { object } => format!(
            "object {} with fields {}",
            object.name,
            object
                .fields
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        SchemaChange::AddOptions {
            object,
            field,
            options,
        } => format!("options {} on {object}.{field}", options.join(", ")),
    }
}

/// The page's data for `spec` over `raw` (records per source object).
pub(super) fn view(
    spec: &MappingSpec,
    path: &str,
    from: &str,
    input: &str,
    to: &str,
    model: &DataModel,
    raw: &BTreeMap<String, Vec<RawRecord>>,
) -> View {
    let (mapper, model_error) = match SpecMapper::new(spec.clone(), Some(model.clone())) {
        Ok(m) => (Some(m), None),
        // Samples still show, without validation against the model.
        Err(e) => (SpecMapper::new(spec.clone(), None).ok(), Some(e)),
    };
    let mut full = model.clone();
    for change in model.missing(&spec.schema_changes()) {
        full.apply(&change);
    }
    let objects = spec
        .objects
        .iter()
        .map(|o| {
            let route = Route::new(&o.source, &o.target);
            let records = raw.get(&o.source).map(Vec::as_slice).unwrap_or_default();
            let mapped: Vec<Option<Mapped>> = records
                .iter()
                .map(|r| mapper.as_ref().map(|m| m.map(&route, r)))
                .collect();
            let mut tally = Tally::default();
            let mut reasons: BTreeMap<(String, String), usize> = BTreeMap::new();
            for m in mapped.iter().flatten() {
                match m {
                    Mapped::Record(_) => tally.loaded += 1,
                    Mapped::Partial(_, rs) => {
                        tally.partial += 1;
                        for r in rs {
                            *reasons
                                .entry(("value left out".into(), reason_kind(&r.reason)))
                                .or_default() += 1;
                        }
                    }
                    Mapped::Reject(r) => {
                        tally.rejected += 1;
                        *reasons
                            .entry(("reject".into(), reason_kind(&r.reason)))
                            .or_default() += 1;
                    }
                    Mapped::Queue(r) => {
                        tally.queued += 1;
                        *reasons
                            .entry(("review".into(), reason_kind(&r.reason)))
                            .or_default() += 1;
                    }
                    Mapped::Skip(_) => tally.skipped += 1,
                }
            }
            let mut reasons: Vec<(String, String, usize)> =
                reasons.into_iter().map(|((k, r), n)| (k, r, n)).collect();
            reasons.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
            reasons.truncate(REASONS);
            tally.reasons = reasons;
            let fields = o
                .fields
                .iter()
                .map(|f| {
                    let mut samples = Vec::new();
                    for (r, m) in records.iter().zip(&mapped) {
                        if samples.len() >= SAMPLES {
                            break;
                        }
                        let before = r.fields.get(&f.source).map(text).unwrap_or_default();
                        if before.trim().is_empty() {
                            continue;
                        }
                        let after = match m {
                            None => "(not mapped: the mapping is invalid)".to_string(),
                            Some(Mapped::Record(rec)) => rec
                                .fields
                                .get(&f.target)
                                .map(|v| v.to_string())
                                .unwrap_or_else(|| "(no value)".into()),
                            Some(Mapped::Partial(rec, rs)) => {
                                match rs.iter().find(|x| {
                                    x.field.as_deref() == Some(f.source.as_str())
                                        || x.field.as_deref() == Some(f.target.as_str())
                                }) {
                                    Some(x) => format!("(left out: {})", x.reason),
                                    None => rec
                                        .fields
                                        .get(&f.target)
                                        .map(|v| v.to_string())
                                        .unwrap_or_else(|| "(no value)".into()),
                                }
                            }
                            Some(Mapped::Reject(x)) => format!("(record rejected: {})", x.reason),
                            Some(Mapped::Queue(x)) => format!("(record queued: {})", x.reason),
                            Some(Mapped::Skip(_)) => "(record skipped by this rule)".into(),
                        };
                        samples.push((before, after));
                    }
                    FieldView {
                        source: f.source.clone(),
                        target: f.target.clone(),
                        transform: serde_json::to_value(f.transform)
                            .map(|v| text(&v))
                            .unwrap_or_default(),
                        on_error: serde_json::to_value(f.on_error)
                            .map(|v| text(&v))
                            .unwrap_or_default(),
                        confidence: f.confidence,
                        flag: f.flag.clone(),
                        samples,
                    }
                })
                .collect();
            let value_maps = o
                .value_maps
                .iter()
                .map(|(field, map)| {
                    let sources: Vec<&str> = o
                        .fields
                        .iter()
                        .filter(|f| &f.target == field)
                        .map(|f| f.source.as_str())
                        .collect();
                    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
                    for r in records {
                        for s in &sources {
                            if let Some(v) = r.fields.get(*s) {
                                let v = text(v).trim().to_string();
                                if !v.is_empty() {
                                    *seen.entry(v).or_default() += 1;
                                }
                            }
                        }
                    }
                    let count = |k: &str| {
                        seen.iter()
                            .filter(|(v, _)| v.eq_ignore_ascii_case(k.trim()))
                            .map(|(_, n)| *n)
                            .sum::<usize>()
                    };
                    let entries = map
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone(), count(k)))
                        .collect();
                    let unmapped = seen
                        .iter()
                        .filter(|(v, _)| !map.keys().any(|k| k.trim().eq_ignore_ascii_case(v)))
                        .map(|(v, n)| (v.clone(), *n))
                        .collect();
                    ValueMapView {
                        field: field.clone(),
                        entries,
                        unmapped,
                    }
                })
                .collect();
            ObjectView {
                source: o.source.clone(),
                target: o.target.clone(),
                when: condition(&o.when),
                skip_when: condition(&o.skip_when),
                records: records.len(),
                fields,
                value_maps,
                model_fields: full
                    .get(&o.target)
                    .map(|d| d.fields.iter().map(|f| f.name.clone()).collect())
                    .unwrap_or_default(),
                outcome: tally,
            }
        })
        .collect();
    let (confirmation, stamp) = match spec.confirmation() {
        Confirmation::Confirmed => ("confirmed", spec.meta.confirmed.clone()),
        Confirmation::Unconfirmed => ("unconfirmed", None),
        Confirmation::EditedSinceConfirmed => ("edited", spec.meta.confirmed.clone()),
    };
    View {
        path: path.to_string(),
        from: from.to_string(),
        model: model.name.clone(),
        confirmation,
        stamp,
        command: format!(
            "crm-migrate run --from {from} --input {input} --mapping {path} --to {to} --state state/"
        ),
        model_error,
        objects,
        schema_changes: model
            .missing(&spec.schema_changes())
            .iter()
            .map(describe)
            .collect(),
        policies: serde_json::to_value(&spec.policies).unwrap_or_default(),
        transforms: &TRANSFORMS,
    }
}
