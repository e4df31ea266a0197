//! [`SpecMapper`]: applies a [`MappingSpec`] to raw records — normalise, map, validate —
//! so that every raw record becomes a canonical record, a reject, a queued record or a
//! skip, each with its reason.

use chrono::FixedOffset;
use crm_core::descriptor::FieldType;
use crm_core::{
    DataModel, Mapped, RawRecord, Record, RecordMapper, Ref, Reject, Route, SourceKey, Value,
};

use super::spec::{
    Condition, DateOrderRule, FieldMapping, MappingSpec, ObjectMapping, OnError, Transform,
};
use crate::normalise::{self as n, DateOrder, DateTimeOptions, ListFormat, MoneyOptions};
use crate::validate::validate;

/// A [`RecordMapper`] driven by a [`MappingSpec`], validating against the destination's
/// model when one is given.
#[derive(Debug, Clone)]
pub struct SpecMapper {
    spec: MappingSpec,
    model: Option<DataModel>,
    dates: DateTimeOptions,
    money: MoneyOptions,
}

/// Why a field's value could not be read.
struct Bad {
    value: String,
    reason: String,
}

impl SpecMapper {
    /// A mapper for `spec`; with `model`, every record is validated against it.
    pub fn new(spec: MappingSpec, model: Option<DataModel>) -> Result<Self, String> {
        let order = match spec.policies.date_order {
            DateOrderRule::Iso => DateOrder::Iso,
            DateOrderRule::DayFirst => DateOrder::DayFirst,
            DateOrderRule::MonthFirst => DateOrder::MonthFirst,
        };
        let mut dates = DateTimeOptions::with_order(order);
        if let Some(off) = &spec.policies.default_offset {
            let parsed: FixedOffset = off.parse().map_err(|_| {
                format!("policies.default_offset {off:?} is not an offset like +01:00")
            })?;
            dates = dates.offset(parsed);
        }
        let money = MoneyOptions {
            decimal_comma: spec.policies.decimal_comma,
            default_currency: spec.policies.default_currency.clone(),
        };
        // Validate against the model as it will be once the mapping's schema changes are made.
        let model = model.map(|mut m| {
            for change in m.missing(&spec.schema_changes()) {
                m.apply(&change);
            }
            m
        });
        if let Some(m) = &model {
            for o in &spec.objects {
                let desc = m.require(&o.target).map_err(|e| e.to_string())?;
                for f in &o.fields {
                    for target in std::iter::once(&f.target).chain(f.keep_raw_in.as_ref()) {
                        if desc.get(target).is_none() {
                            return Err(format!(
                                "the mapping sends {}.{} to {}.{target}, which the {} model does not have \
                                 (declare it under [[custom_fields]] or map it elsewhere)",
                                o.source, f.source, o.target, m.name
                            ));
                        }
                    }
                }
            }
        }
        Ok(Self {
            spec,
            model,
            dates,
            money,
        })
    }

    /// The spec.
    pub fn spec(&self) -> &MappingSpec {
        &self.spec
    }

    fn transform(
        &self,
        f: &FieldMapping,
        rule: &ObjectMapping,
        record: &RawRecord,
        raw: &str,
        json: &serde_json::Value,
    ) -> Result<Option<Value>, Bad> {
        let system = record.key.system.as_str();
        let bad = |e: n::NormaliseError| Bad {
            value: raw.to_string(),
            reason: e.to_string(),
        };
        let map_value = |v: String| -> String {
            rule.value_maps
                .get(&f.target)
                .and_then(|m| {
                    m.iter()
                        .find(|(k, _)| k.trim().eq_ignore_ascii_case(v.trim()))
                        .map(|(_, to)| to.clone())
                })
                .unwrap_or(v)
        };
        let ref_object = || f.ref_object.clone().unwrap_or_else(|| f.target.clone());
        let v = match f.transform {
            Transform::Text => {
                let t = n::strip_controls(raw).trim().to_string();
                (!t.is_empty()).then_some(Value::Text(t))
            }
            Transform::JsonText => {
                let t = if json.is_string() {
                    n::cell_to_text(raw)
                } else {
                    n::json_to_text(json)
                };
                (!t.trim().is_empty()).then(|| Value::Text(t.trim().to_string()))
            }
            Transform::Bool => n::parse_bool_opt(raw).map_err(bad)?.map(Value::Bool),
            Transform::Integer => {
                let micros =
                    n::parse_decimal_micros(raw, self.spec.policies.decimal_comma).map_err(bad)?;
                if micros % 1_000_000 != 0 {
                    return Err(Bad {
                        value: raw.into(),
                        reason: "expected a whole number".into(),
                    });
                }
                Some(Value::Int(micros / 1_000_000))
            }
            Transform::Number => {
                let micros =
                    n::parse_decimal_micros(raw, self.spec.policies.decimal_comma).map_err(bad)?;
                Some(Value::Decimal(n::micros_to_decimal(micros)))
            }
            Transform::DateTime => Some(Value::DateTime(
                n::parse_datetime(raw, &self.dates).map_err(bad)?,
            )),
            Transform::Date => Some(Value::Date(n::parse_date(raw, &self.dates).map_err(bad)?)),
            Transform::Choice => n::parse_single_choice(raw, ListFormat::Auto)
                .map_err(bad)?
                .map(|c| Value::Choice(map_value(c))),
            Transform::Choices => {
                let v: Vec<String> = n::parse_choices(raw, ListFormat::Auto)
                    .map_err(bad)?
                    .into_iter()
                    .map(map_value)
                    .collect();
                (!v.is_empty()).then_some(Value::Choices(v))
            }
            Transform::Emails => {
                let v = n::normalise_emails(raw).map_err(bad)?;
                (!v.is_empty()).then_some(Value::Emails(v))
            }
            Transform::Email => Some(Value::Text(n::normalise_email(raw).map_err(bad)?)),
            Transform::Phones => {
                let v: Vec<_> =
                    n::normalise_phones(raw, self.spec.policies.default_country.as_deref())
                        .map_err(bad)?
                        .into_iter()
                        .map(|p| p.phone)
                        .collect();
                (!v.is_empty()).then_some(Value::Phones(v))
            }
            Transform::Urls => Some(Value::Urls(vec![n::normalise_url(raw).map_err(bad)?])),
            Transform::Domain => Some(Value::Urls(vec![n::domain_of(raw).map_err(bad)?])),
            Transform::Money => {
                let from_column = f
                    .currency
                    .as_ref()
                    .and_then(|c| record.fields.get(c))
                    .and_then(text_of)
                    .map(|c| n::validate_currency(c.trim()).map_err(bad))
                    .transpose()?;
                match from_column {
                    Some(code) => {
                        let opts = MoneyOptions {
                            default_currency: Some(code),
                            ..self.money.clone()
                        };
                        Some(n::money_value(raw, &opts).map_err(bad)?)
                    }
                    None => Some(n::money_value(raw, &self.money).map_err(bad)?),
                }
            }
            Transform::Json => Some(Value::Json(if json.is_string() {
                n::parse_json_cell(raw).map_err(bad)?
            } else {
                json.clone()
            })),
            Transform::RefKey => {
                let source = f.ref_source.clone().unwrap_or_else(ref_object);
                Some(Value::Ref(Ref::key(
                    ref_object(),
                    SourceKey::new(system, source, raw.trim()),
                )))
            }
            Transform::RefKeys => {
                let source = f.ref_source.clone().unwrap_or_else(ref_object);
                let ids = n::parse_choices(raw, ListFormat::Auto).map_err(bad)?;
                let refs: Vec<Ref> = ids
                    .into_iter()
                    .map(|id| Ref::key(ref_object(), SourceKey::new(system, &source, id)))
                    .collect();
                (!refs.is_empty()).then_some(Value::Refs(refs))
            }
            Transform::RefEmail => Some(Value::Ref(Ref::email(
                ref_object(),
                n::normalise_email(raw).map_err(bad)?,
            ))),
            Transform::RefDomain => Some(Value::Ref(Ref::domain(
                ref_object(),
                n::domain_of(raw).map_err(bad)?,
            ))),
            Transform::Transcript => {
                let t = transcript(if json.is_string() {
                    n::parse_json_cell(raw).map_err(bad)?
                } else {
                    json.clone()
                })
                .map_err(|reason| Bad {
                    value: raw.to_string(),
                    reason,
                })?;
                (!t.is_empty()).then_some(Value::Text(t))
            }
            Transform::RefName => {
                let t = raw.trim();
                (!t.is_empty()).then(|| Value::Ref(Ref::name(ref_object(), t)))
            }
        };
        Ok(v)
    }
}

/// A transcript as markdown: `**2020-01-06 09:11 UTC — user:** text`, one line a message,
/// in time order.
fn transcript(json: serde_json::Value) -> Result<String, String> {
    let serde_json::Value::Array(messages) = json else {
        return Err("expected a JSON array of messages".into());
    };
    let mut lines: Vec<(String, String)> = Vec::with_capacity(messages.len());
    for m in &messages {
        let at = m.get("created_at").and_then(|v| v.as_str()).unwrap_or("");
        let when = n::parse_datetime(at, &DateTimeOptions::default())
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|_| at.to_string());
        let who = match (m.get("author").and_then(|v| v.as_str()), m.get("agent")) {
            (Some("agent"), Some(a)) if !a.is_null() => format!(
                "agent {}",
                a.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| a.to_string())
            ),
            (Some(a), _) => a.to_string(),
            (None, _) => "unknown".into(),
        };
        let text = m
            .get("content")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .replace('\n', "  \n");
        lines.push((when.clone(), format!("**{when} — {who}:** {text}")));
    }
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(lines
        .into_iter()
        .map(|(_, l)| l)
        .collect::<Vec<_>>()
        .join("\n\n"))
}

/// A raw value as text (`None` for null and empty).
fn text_of(v: &serde_json::Value) -> Option<String> {
    let s = match v {
        serde_json::Value::Null => return None,
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(x) => x.to_string(),
        serde_json::Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    };
    (!s.trim().is_empty()).then_some(s)
}

fn holds(c: &Condition, raw: &RawRecord) -> bool {
    let v = raw.fields.get(&c.field).and_then(text_of);
    if let Some(empty) = c.empty {
        if v.is_none() != empty {
            return false;
        }
    }
    if !c.equals.is_empty() {
        let Some(v) = v else { return false };
        return c
            .equals
            .iter()
            .any(|e| e.trim().eq_ignore_ascii_case(v.trim()));
    }
    true
}

/// Combines two values for the same target field: lists append, scalars keep the first.
fn combine(old: Value, new: Value) -> Value {
    match (old, new) {
        (Value::Emails(mut a), Value::Emails(b)) => {
            for x in b {
                if !a.iter().any(|y| y.eq_ignore_ascii_case(&x)) {
                    a.push(x);
                }
            }
            Value::Emails(a)
        }
        (Value::Phones(mut a), Value::Phones(b)) => {
            a.extend(b.into_iter().filter(|p| !p.number.is_empty()));
            Value::Phones(a)
        }
        (Value::Urls(mut a), Value::Urls(b)) => {
            a.extend(b);
            Value::Urls(a)
        }
        (Value::Choices(mut a), Value::Choices(b)) => {
            a.extend(b);
            Value::Choices(a)
        }
        (Value::Refs(mut a), Value::Refs(b)) => {
            a.extend(b);
            Value::Refs(a)
        }
        (old, _) => old,
    }
}

/// A person with nothing left to know them by — no email, name, phone or company — is
/// rejected (with the values that were dropped, if any): loading it would make a record
/// nobody can find or merge.
fn missing_identity(record: &Record, dropped: &[Reject]) -> Option<Reject> {
    use crm_core::model::fields as f;
    if record.object != f::PERSON {
        return None;
    }
    let known = [
        f::EMAILS,
        f::FIRST_NAME,
        f::LAST_NAME,
        f::PHONES,
        f::COMPANY_REF,
    ]
    .iter()
    .any(|k| record.get(k).is_some_and(|v| !v.is_empty()));
    if known {
        return None;
    }
    let mut r = Reject::new(
        record.key.clone(),
        &record.object,
        "no usable identity: the person has no valid email, name, phone or company",
    );
    if let Some(d) = dropped.first() {
        r.reason = format!(
            "{}; {} was left out: {}",
            r.reason,
            d.field.as_deref().unwrap_or("a value"),
            d.reason
        );
        r.field = d.field.clone();
        r.value = d.value.clone();
    }
    Some(r)
}

impl RecordMapper for SpecMapper {
    fn routes(&self) -> Vec<Route> {
        self.spec
            .routes()
            .into_iter()
            .map(|(s, t)| Route::new(s, t))
            .collect()
    }

    fn map(&self, route: &Route, raw: &RawRecord) -> Mapped {
        let target = route.target.as_str();
        let Some(rule) = self.spec.object(&route.source, target) else {
            return Mapped::Skip(Reject::new(raw.key.clone(), target, "no mapping rule"));
        };
        let mut key = raw.key.clone();
        if let Some(id) = raw.fields.get(&rule.id).and_then(text_of) {
            key.id = id.trim().to_string();
        }
        if let Some(c) = &rule.when {
            if !holds(c, raw) {
                let v = raw
                    .fields
                    .get(&c.field)
                    .and_then(text_of)
                    .unwrap_or_default();
                return Mapped::Skip(
                    Reject::new(
                        key,
                        target,
                        format!("loaded by another rule ({} is {v:?})", c.field),
                    )
                    .field(&c.field)
                    .value(v),
                );
            }
        }
        if let Some(c) = &rule.skip_when {
            if holds(c, raw) {
                let why = rule
                    .skip_reason
                    .clone()
                    .unwrap_or_else(|| format!("skipped by rule on {}", c.field));
                return Mapped::Skip(Reject::new(key, target, why).field(&c.field));
            }
        }
        let mut record = Record::new(target, key.clone());
        let mut dropped: Vec<Reject> = Vec::new();
        for (stamp, field) in [(true, &rule.created_at), (false, &rule.updated_at)] {
            let Some(field) = field else { continue };
            let Some(text) = raw.fields.get(field).and_then(text_of) else {
                continue;
            };
            match n::parse_datetime(&text, &self.dates) {
                Ok(t) if stamp => record.created_at = Some(t),
                Ok(t) => record.updated_at = Some(t),
                // A bad timestamp costs the timestamp: the record keeps the time it is
                // created in the destination.
                Err(e) => dropped.push(
                    Reject::new(
                        key.clone(),
                        target,
                        format!(
                            "{e}; the record keeps the time it is {} in the destination",
                            if stamp { "created" } else { "written" }
                        ),
                    )
                    .field(field)
                    .value(text),
                ),
            }
        }
        let desc = self.model.as_ref().and_then(|m| m.get(target));
        for (name, value) in &rule.constants {
            let select = desc
                .and_then(|d| d.get(name))
                .is_some_and(|f| f.ty == FieldType::Select);
            let v = if select {
                Value::Choice(value.clone())
            } else {
                Value::Text(value.clone())
            };
            record.set(name.clone(), v);
        }
        for f in &rule.fields {
            let Some(json) = raw.fields.get(&f.source) else {
                continue;
            };
            let Some(text) = text_of(json) else { continue };
            let polymorphic = desc
                .and_then(|d| d.get(&f.target))
                .is_some_and(|d| d.ty == FieldType::References);
            match self.transform(f, rule, raw, &text, json) {
                Ok(Some(v)) => {
                    let v = match v {
                        Value::Ref(r) if polymorphic => Value::Refs(vec![r]),
                        v => v,
                    };
                    let v = match record.fields.remove(&f.target) {
                        Some(old) => combine(old, v),
                        None => v,
                    };
                    record.set(f.target.clone(), v);
                }
                Ok(None) => {}
                Err(bad) => {
                    let mut reason = format!("{} ({} → {})", bad.reason, f.source, f.target);
                    if let Some(keep) = &f.keep_raw_in {
                        reason.push_str(&format!("; the raw value is kept in {keep}"));
                        record.set(
                            keep.clone(),
                            Value::Text(n::strip_controls(&text).trim().to_string()),
                        );
                    }
                    let reject = Reject::new(key.clone(), target, reason)
                        .field(&f.source)
                        .value(bad.value);
                    match f.on_error {
                        OnError::Reject => return Mapped::Reject(reject),
                        OnError::Queue => return Mapped::Queue(reject),
                        OnError::DropField => dropped.push(reject),
                    }
                }
            }
        }
        if let Some(d) = desc {
            match validate(&mut record, d, &self.spec.policies) {
                Err(r) => return Mapped::Reject(*r),
                Ok(invalid) => {
                    for r in invalid {
                        // The mapping can ask for the whole record to fail on this field.
                        let strict = rule.fields.iter().find(|f| {
                            Some(f.target.as_str()) == r.field.as_deref()
                                && f.on_error != OnError::DropField
                        });
                        match strict.map(|f| f.on_error) {
                            Some(OnError::Reject) => return Mapped::Reject(r),
                            Some(OnError::Queue) => return Mapped::Queue(r),
                            _ => dropped.push(r),
                        }
                    }
                }
            }
        }
        if let Some(r) = missing_identity(&record, &dropped) {
            return Mapped::Reject(r);
        }
        if dropped.is_empty() {
            Mapped::Record(record)
        } else {
            Mapped::Partial(record, dropped)
        }
    }

    fn checksum(&self) -> String {
        self.spec.checksum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_core::descriptor::{FieldDescriptor, ObjectDescriptor};

    fn model() -> DataModel {
        DataModel::new("t")
            .object(ObjectDescriptor::new("person"))
            .object(ObjectDescriptor::new("company"))
            .object(
                ObjectDescriptor::new("task")
                    .field(FieldDescriptor::new("body", FieldType::Text))
                    .field(FieldDescriptor::references(
                        "targets",
                        &["person", "company"],
                    )),
            )
    }

    const SPEC: &str = r#"
[[objects]]
source = "conversations"
target = "task"

[[objects.fields]]
source = "transcript"
target = "body"
transform = "transcript"

[[objects.fields]]
source = "user_id"
target = "targets"
transform = "ref_key"
ref_object = "person"
ref_source = "users"

[[objects.fields]]
source = "company_id"
target = "targets"
transform = "ref_key"
ref_object = "company"
ref_source = "companies"
"#;

    fn raw(cells: serde_json::Value) -> RawRecord {
        let serde_json::Value::Object(fields) = cells else {
            unreachable!()
        };
        RawRecord {
            key: SourceKey::new("usercom", "conversations", "1"),
            fields,
        }
    }

    #[test]
    fn transcripts_become_timestamped_markdown_and_targets_combine() {
        let m = SpecMapper::new(MappingSpec::from_toml(SPEC).unwrap(), Some(model())).unwrap();
        let transcript = r#"[{"created_at":"2020-01-06T09:12:00Z","author":"agent","agent":3,"content":"Yes, we do."},{"created_at":"2020-01-06T09:11:00Z","author":"user","agent":null,"content":"Do you ship\nto Zürich?"}]"#;
        let r = m.map(
            &Route::new("conversations", "task"),
            &raw(serde_json::json!({"transcript": transcript, "user_id": "7", "company_id": "3"})),
        );
        let Mapped::Record(r) = r else {
            panic!("{r:?}")
        };
        assert_eq!(
            r.text("body").unwrap(),
            "**2020-01-06 09:11 UTC — user:** Do you ship  \nto Zürich?\n\n**2020-01-06 09:12 UTC — agent 3:** Yes, we do."
        );
        let Some(Value::Refs(t)) = r.get("targets") else {
            panic!("{r:?}")
        };
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].object(), "company");
        let bad = m.map(
            &Route::new("conversations", "task"),
            &raw(serde_json::json!({"transcript": "{\"not\": \"a list\"}"})),
        );
        // An unreadable transcript costs the body, not the task.
        let Mapped::Partial(task, dropped) = bad else {
            panic!("{bad:?}")
        };
        assert!(task.get("body").is_none());
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].field.as_deref(), Some("transcript"));
        let strict = SPEC.replace(
            "transform = \"transcript\"",
            "transform = \"transcript\"\non_error = \"reject\"",
        );
        let m = SpecMapper::new(MappingSpec::from_toml(&strict).unwrap(), Some(model())).unwrap();
        let bad = m.map(
            &Route::new("conversations", "task"),
            &raw(serde_json::json!({"transcript": "{\"not\": \"a list\"}"})),
        );
        assert!(
            matches!(bad, Mapped::Reject(ref x) if x.field.as_deref() == Some("transcript")),
            "{bad:?}"
        );
    }
}
