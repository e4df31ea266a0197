//! Twenty's live metadata (`GET /rest/metadata/objects`) read into a crm-core [`DataModel`]
//! in canonical names, plus the wire names the encoder needs.

use std::collections::BTreeMap;

use crm_core::model::fields as f;
use crm_core::{DataModel, FieldDescriptor, FieldType, ObjectDescriptor, Reference};
use serde_json::Value as J;

use super::descriptor::{
    twenty_standard_model, TWENTY_FIELD_NAMES, TWENTY_OBJECT_NAMES, TWENTY_RESERVED_NAMES,
};

/// Fields every Twenty object has that a migration does not write as data.
const SYSTEM_FIELDS: &[&str] = &[
    "id",
    "createdAt",
    "updatedAt",
    "deletedAt",
    "createdBy",
    "updatedBy",
    "position",
    "searchVector",
];

/// One object as the sink needs it.
#[derive(Debug, Clone)]
pub(crate) struct ObjectMeta {
    /// Metadata id (to create fields), when read live.
    pub(crate) id: Option<String>,
    pub(crate) singular: String,
    pub(crate) plural: String,
    /// Canonical field → Twenty wire name (dotted for a composite sub-field, `…Id` for a
    /// relation's join column).
    pub(crate) wire: BTreeMap<String, String>,
    /// Twenty field names present on the server (empty when metadata was not read).
    pub(crate) server_fields: Vec<String>,
    /// Select fields' option labels that differ from their values: canonical field →
    /// label → value. The model lists such labels among the options (so a mapping that
    /// names an option by its label is not told it is missing) and the encoder sends the value.
    pub(crate) labels: BTreeMap<String, BTreeMap<String, String>>,
}

/// What the sink knows about the server's model.
#[derive(Debug, Clone)]
pub(crate) struct Meta {
    pub(crate) model: DataModel,
    pub(crate) objects: BTreeMap<String, ObjectMeta>,
    /// Junction objects' join columns: (`taskTarget` | `noteTarget`) → canonical target →
    /// column (`personId`, or `targetPersonId` on newer servers).
    pub(crate) target_columns: BTreeMap<String, BTreeMap<String, String>>,
    /// Read from the live server (false: the static fallback).
    pub(crate) live: bool,
}

impl Meta {
    /// The object by canonical name.
    pub(crate) fn object(&self, canonical: &str) -> Option<&ObjectMeta> {
        self.objects.get(canonical)
    }

    /// True when `object` has the source-key field on the server.
    pub(crate) fn has_field(&self, canonical: &str, twenty_field: &str) -> bool {
        self.object(canonical)
            .is_some_and(|o| o.server_fields.iter().any(|f| f == twenty_field))
    }

    /// The static fallback: Twenty's standard model and the recorded join columns.
    pub(crate) fn fallback() -> Self {
        let model = twenty_standard_model();
        let mut objects = BTreeMap::new();
        for (canonical, singular, plural) in TWENTY_OBJECT_NAMES {
            objects.insert(
                canonical.to_string(),
                ObjectMeta {
                    id: None,
                    singular: singular.to_string(),
                    plural: plural.to_string(),
                    wire: standard_wire(canonical),
                    server_fields: Vec::new(),
                    labels: BTreeMap::new(),
                },
            );
        }
        let cols: BTreeMap<String, String> = [f::PERSON, f::COMPANY, f::OPPORTUNITY]
            .iter()
            .map(|o| (o.to_string(), format!("{o}Id")))
            .collect();
        let target_columns = [("taskTarget", cols.clone()), ("noteTarget", cols)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        Self {
            model,
            objects,
            target_columns,
            live: false,
        }
    }

    /// Builds the model from the body of `GET /rest/metadata/objects` (either
    /// `{data:{objects:[…]}}` or the newer `{data:[…]}`). `source_key_field` is left out of the
    /// model (it is the sink's own bookkeeping).
    pub(crate) fn from_objects(body: &J, source_key_field: &str) -> Option<Self> {
        let list = body
            .pointer("/data/objects")
            .or_else(|| body.get("data"))
            .and_then(J::as_array)?;
        let standard = twenty_standard_model();
        // v2 servers print no `isCustom`: what Twenty's standard application made carries its
        // `applicationId` (the one `person` has); anything else was made in the workspace.
        let standard_app = list
            .iter()
            .find(|o| o.get("nameSingular").and_then(J::as_str) == Some("person"))
            .and_then(|o| o.get("applicationId"))
            .and_then(J::as_str)
            .map(str::to_string);
        let singular_to_canonical = |s: &str| -> Option<String> {
            TWENTY_OBJECT_NAMES
                .iter()
                .find(|(_, sg, _)| *sg == s)
                .map(|(c, _, _)| c.to_string())
        };
        let mut meta = Meta {
            // The reserved names come from Twenty's source, not from the metadata answer
            // (the server does not publish them).
            model: DataModel::new("twenty").reserved(TWENTY_RESERVED_NAMES.iter().copied()),
            objects: BTreeMap::new(),
            target_columns: BTreeMap::new(),
            live: true,
        };
        for o in list {
            let s = |k: &str| o.get(k).and_then(J::as_str).unwrap_or_default().to_string();
            let (singular, plural) = (s("nameSingular"), s("namePlural"));
            let active = o.get("isActive").and_then(J::as_bool).unwrap_or(true);
            let custom = is_custom(o, standard_app.as_deref());
            let fields: Vec<&J> = o
                .get("fields")
                .and_then(J::as_array)
                .map(|a| {
                    a.iter()
                        .filter(|f| f.get("isActive").and_then(J::as_bool) != Some(false))
                        .collect()
                })
                .unwrap_or_default();
            if singular.is_empty() || !active {
                continue;
            }
            if singular == "taskTarget" || singular == "noteTarget" {
                let mut cols = BTreeMap::new();
                for fl in &fields {
                    if let Some((kind, target)) = relation(fl) {
                        if kind == "MANY_TO_ONE" {
                            let canon = singular_to_canonical(&target).unwrap_or(target);
                            cols.insert(canon, join_column(fl));
                        }
                    }
                }
                meta.target_columns.insert(singular.clone(), cols);
                continue;
            }
            let canonical = match singular_to_canonical(&singular) {
                Some(c) => c,
                None if custom => singular.clone(),
                None => continue,
            };
            let server_fields: Vec<String> = fields
                .iter()
                .filter_map(|f| f.get("name").and_then(J::as_str).map(str::to_string))
                .collect();
            let mut wire = BTreeMap::new();
            let mut labels: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
            let mut desc = match standard.get(&canonical) {
                Some(std_obj) => {
                    let mut d = ObjectDescriptor {
                        fields: Vec::new(),
                        ..std_obj.clone()
                    };
                    for fd in &std_obj.fields {
                        let candidates = wires_of(&canonical, &fd.name);
                        if candidates.is_empty() {
                            // `targets`: kept when the junction object exists (checked below).
                            d.fields.push(fd.clone());
                            continue;
                        }
                        // The first of the field's names this server has (`annualRecurringRevenue`
                        // on v1, `annualRevenue` on v2); none: the field is not in the model.
                        let found = candidates.iter().find_map(|w| {
                            let base = w.split('.').next().unwrap_or(w);
                            let base = base
                                .strip_suffix("Id")
                                .filter(|b| server_fields.iter().any(|s| s == b))
                                .unwrap_or(base);
                            fields
                                .iter()
                                .find(|f| f.get("name").and_then(J::as_str) == Some(base))
                                .map(|live| (w.clone(), *live))
                        });
                        if let Some((w, live)) = found {
                            let mut fd = fd.clone();
                            let opts = options(live);
                            if !opts.is_empty() {
                                fd.options = with_labels(&opts, live, &fd.name, &mut labels);
                            }
                            d.fields.push(fd);
                            wire.insert(fd_name(&d), w.clone());
                        }
                    }
                    d
                }
                None => {
                    let mut d = ObjectDescriptor::new(&canonical);
                    d.custom = true;
                    d.label = s("labelSingular");
                    d
                }
            };
            for fl in &fields {
                let name = fl.get("name").and_then(J::as_str).unwrap_or_default();
                let is_custom_field = is_custom(fl, standard_app.as_deref());
                let is_system = fl.get("isSystem").and_then(J::as_bool).unwrap_or(false);
                if name == source_key_field || SYSTEM_FIELDS.contains(&name) || is_system {
                    continue;
                }
                if !(is_custom_field || desc.custom) || desc.get(name).is_some() {
                    continue;
                }
                let ty = fl.get("type").and_then(J::as_str).unwrap_or_default();
                let mut fd = match (field_type(ty), relation(fl)) {
                    (_, Some((kind, target))) if kind == "MANY_TO_ONE" => {
                        let target = singular_to_canonical(&target).unwrap_or(target);
                        wire.insert(name.to_string(), join_column(fl));
                        let mut fd = FieldDescriptor::new(name, FieldType::Reference);
                        fd.reference = Some(Reference {
                            objects: vec![target],
                            optional: true,
                        });
                        fd
                    }
                    (Some(t), None) => {
                        wire.insert(name.to_string(), name.to_string());
                        let opts = with_labels(&options(fl), fl, name, &mut labels);
                        FieldDescriptor::new(name, t).options(opts)
                    }
                    _ => continue,
                };
                fd.custom = is_custom_field;
                fd.label = fl
                    .get("label")
                    .and_then(J::as_str)
                    .unwrap_or_default()
                    .to_string();
                desc.fields.push(fd);
            }
            meta.objects.insert(
                canonical.clone(),
                ObjectMeta {
                    id: o.get("id").and_then(J::as_str).map(str::to_string),
                    singular,
                    plural,
                    wire,
                    server_fields,
                    labels,
                },
            );
            meta.model.objects.push(desc);
        }
        // Drop references to objects the server lacks, and `targets` without a junction.
        let names: Vec<String> = meta.model.objects.iter().map(|o| o.name.clone()).collect();
        for o in &mut meta.model.objects {
            let junction = if o.name == f::TASK {
                "taskTarget"
            } else {
                "noteTarget"
            };
            let has_junction = meta.target_columns.contains_key(junction);
            o.fields.retain(|fd| match &fd.reference {
                Some(r) if fd.name == f::TARGETS => {
                    has_junction && r.objects.iter().any(|t| names.contains(t))
                }
                Some(r) => r.objects.iter().all(|t| names.contains(t)),
                None => true,
            });
            if let Some(fd) = o.fields.iter_mut().find(|fd| fd.name == f::TARGETS) {
                if let Some(r) = fd.reference.as_mut() {
                    r.objects.retain(|t| names.contains(t));
                }
            }
        }
        Some(meta)
    }
}

fn fd_name(d: &ObjectDescriptor) -> String {
    d.fields.last().map(|f| f.name.clone()).unwrap_or_default()
}

/// Every Twenty name a canonical field has had, oldest first.
fn wires_of(object: &str, field: &str) -> Vec<String> {
    TWENTY_FIELD_NAMES
        .iter()
        .filter(|(o, c, _)| *o == object && *c == field)
        .map(|(_, _, t)| t.to_string())
        .collect()
}

/// The static fallback's wire names: the first (v1.4) name of each field, as the static model
/// is the v1.4 server's.
fn standard_wire(object: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (_, c, t) in TWENTY_FIELD_NAMES.iter().filter(|(o, _, _)| *o == object) {
        out.entry(c.to_string()).or_insert_with(|| t.to_string());
    }
    out
}

/// Whether a metadata object or field was made in the workspace: `isCustom` where the server
/// prints it (v1), else an `applicationId` other than the standard application's (v2.21).
fn is_custom(entity: &J, standard_app: Option<&str>) -> bool {
    if let Some(c) = entity.get("isCustom").and_then(J::as_bool) {
        return c;
    }
    match (
        entity.get("applicationId").and_then(J::as_str),
        standard_app,
    ) {
        (Some(app), Some(std_app)) => app != std_app,
        _ => false,
    }
}

/// `(relation type, target object)` of a relation field: v1 prints
/// `relation:{type, targetObjectMetadata:{nameSingular}}`; v2.21 prints
/// `settings:{relationType, joinColumnName}` and no target, so the target is read from the
/// join column (`targetPersonId` → `person`, morph relations; `companyId` → `company`).
fn relation(field: &J) -> Option<(String, String)> {
    if let Some(r) = field.get("relation").filter(|r| r.is_object()) {
        let kind = r.get("type").and_then(J::as_str)?.to_string();
        let target = r
            .pointer("/targetObjectMetadata/nameSingular")
            .and_then(J::as_str)?
            .to_string();
        return Some((kind, target));
    }
    let kind = field
        .pointer("/settings/relationType")
        .and_then(J::as_str)?
        .to_string();
    let name = field.get("name").and_then(J::as_str)?;
    let base = match name.strip_prefix("target") {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_uppercase()) => rest,
        _ => name,
    };
    let mut cs = base.chars();
    let target = cs
        .next()
        .map(|c| c.to_ascii_lowercase().to_string() + cs.as_str())?;
    Some((kind, target))
}

/// The join column of a many-to-one field: `settings.joinColumnName` (v2), else `<name>Id`.
fn join_column(field: &J) -> String {
    field
        .pointer("/settings/joinColumnName")
        .and_then(J::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| {
            format!(
                "{}Id",
                field.get("name").and_then(J::as_str).unwrap_or_default()
            )
        })
}

/// `values` plus the labels that differ from every value, recording label → value.
fn with_labels(
    values: &[String],
    field: &J,
    name: &str,
    labels: &mut BTreeMap<String, BTreeMap<String, String>>,
) -> Vec<String> {
    let mut out = values.to_vec();
    for o in field
        .get("options")
        .and_then(J::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(v), Some(l)) = (
            o.get("value").and_then(J::as_str),
            o.get("label").and_then(J::as_str),
        ) else {
            continue;
        };
        if !l.is_empty() && !out.iter().any(|x| x == l) {
            out.push(l.to_string());
            labels
                .entry(name.to_string())
                .or_default()
                .insert(l.to_string(), v.to_string());
        }
    }
    out
}

fn options(field: &J) -> Vec<String> {
    field
        .get("options")
        .and_then(J::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|o| o.get("value").and_then(J::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Canonical type of a Twenty field type; `None` for types a migration does not write.
pub(crate) fn field_type(twenty: &str) -> Option<FieldType> {
    use FieldType as T;
    Some(match twenty {
        "TEXT" => T::Text,
        "NUMBER" | "NUMERIC" => T::Number,
        "BOOLEAN" => T::Boolean,
        "DATE" => T::Date,
        "DATE_TIME" => T::DateTime,
        "SELECT" | "RATING" => T::Select,
        "MULTI_SELECT" => T::MultiSelect,
        "EMAILS" => T::Emails,
        "PHONES" => T::Phones,
        "LINKS" => T::Urls,
        "CURRENCY" => T::Money,
        "ADDRESS" => T::Address,
        "RAW_JSON" => T::Json,
        "ARRAY" => T::MultiSelect,
        _ => return None,
    })
}
