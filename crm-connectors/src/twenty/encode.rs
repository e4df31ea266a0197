//! Canonical fields ↔ Twenty JSON, with the checks Twenty does not make itself.
//!
//! Composite shapes (probes 01, 06, 07): `name{firstName,lastName}`,
//! `emails{primaryEmail,additionalEmails}`, `phones{primaryPhoneNumber,
//! primaryPhoneCountryCode,primaryPhoneCallingCode,additionalPhones[{number,countryCode,
//! callingCode}]}`, links `{primaryLinkUrl,primaryLinkLabel,secondaryLinks[{url,label}]}`,
//! currency `{amountMicros,currencyCode}`, address `{addressStreet1,…,addressCountry}`,
//! rich text `bodyV2{markdown}`. Only these sub-fields are ever sent, and an empty list is sent
//! as `[]`, not `null` (the recorded OpenAPI types them as arrays; the server takes both).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use crm_core::model::{fields as f, Address, Fields, Phone, RecordId, Value};
use crm_core::{FieldType, ObjectDescriptor};
use serde_json::{json, Map, Value as J};

use super::meta::ObjectMeta;

/// Why a record cannot be sent: the field at fault and the reason.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Refusal {
    pub(crate) field: Option<String>,
    pub(crate) reason: String,
}

fn refuse(field: &str, reason: impl Into<String>) -> Refusal {
    Refusal {
        field: Some(field.to_string()),
        reason: reason.into(),
    }
}

/// True for a UUID in its 8-4-4-4-12 hex form.
pub(crate) fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A plausible email: one local part and a dotted domain, no spaces (non-ASCII allowed).
pub(crate) fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

fn put(out: &mut Map<String, J>, wire: &str, v: J) {
    match wire.split_once('.') {
        Some((base, sub)) => {
            let entry = out.entry(base.to_string()).or_insert_with(|| json!({}));
            if let Some(o) = entry.as_object_mut() {
                o.insert(sub.to_string(), v);
            }
        }
        None => {
            out.insert(wire.to_string(), v);
        }
    }
}

/// Encodes `fields` of one record for `desc`/`meta`. For an update, `existing` is the
/// record as stored: a full-name composite is completed from it so that setting one part
/// does not blank the other. `targets` are left out (they become junction rows).
pub(crate) fn encode(
    fields: &Fields,
    desc: &ObjectDescriptor,
    meta: &ObjectMeta,
    existing: Option<&J>,
) -> Result<Map<String, J>, Refusal> {
    let mut out = Map::new();
    for (name, value) in fields {
        let fd = desc.get(name).ok_or_else(|| {
            refuse(
                name,
                format!("field {name:?} is not in Twenty's model of {}", desc.name),
            )
        })?;
        if value.has_refs() {
            return Err(refuse(name, format!("unresolved reference: {value}")));
        }
        if !fd.ty.accepts(value) {
            return Err(refuse(
                name,
                format!(
                    "a {} value does not fit a {:?} field",
                    value.type_name(),
                    fd.ty
                ),
            ));
        }
        if fd.ty == FieldType::References {
            check_ids(name, value)?;
            continue;
        }
        let wire = meta.wire.get(name).ok_or_else(|| {
            refuse(
                name,
                format!("field {name:?} has no Twenty field on {}", meta.singular),
            )
        })?;
        let j = match (fd.ty, meta.labels.get(name)) {
            (FieldType::Select | FieldType::MultiSelect, Some(labels)) => {
                encode_value(name, fd.ty, &fd.options, &by_value(labels, value))?
            }
            _ => encode_value(name, fd.ty, &fd.options, value)?,
        };
        put(&mut out, wire, j);
    }
    if let (Some(existing), Some(J::Object(name))) = (existing, out.get_mut("name")) {
        if let Some(J::Object(old)) = existing.get("name") {
            for (k, v) in old {
                if v.is_string() && !name.contains_key(k) {
                    name.insert(k.clone(), v.clone());
                }
            }
        }
    }
    Ok(out)
}

/// A select value named by its option label, replaced by the option's value.
fn by_value(labels: &std::collections::BTreeMap<String, String>, value: &Value) -> Value {
    let map = |s: &String| labels.get(s).cloned().unwrap_or_else(|| s.clone());
    match value {
        Value::Choice(s) => Value::Choice(map(s)),
        Value::Text(s) => Value::Text(map(s)),
        Value::Choices(v) => Value::Choices(v.iter().map(map).collect()),
        v => v.clone(),
    }
}

fn check_ids(name: &str, value: &Value) -> Result<(), Refusal> {
    let ids: Vec<&RecordId> = match value {
        Value::Id(r) => vec![r],
        Value::Ids(v) => v.iter().collect(),
        _ => Vec::new(),
    };
    for r in ids {
        if !is_uuid(&r.id) {
            return Err(refuse(
                name,
                format!("{:?} is not a Twenty record id (UUID)", r.id),
            ));
        }
    }
    Ok(())
}

fn encode_value(
    name: &str,
    ty: FieldType,
    options: &[String],
    value: &Value,
) -> Result<J, Refusal> {
    use FieldType as T;
    let check_option = |s: &str| -> Result<(), Refusal> {
        if options.is_empty() || options.iter().any(|o| o == s) {
            Ok(())
        } else {
            Err(refuse(
                name,
                format!("{s:?} is not one of the options ({})", options.join(", ")),
            ))
        }
    };
    Ok(match (ty, value) {
        (T::Text, Value::Null) => json!(""),
        (_, Value::Null) => empty_of(ty),
        (T::Select, v) => {
            let s = v.as_text().unwrap_or_default();
            check_option(s)?;
            json!(s)
        }
        (T::MultiSelect, Value::Choices(v)) => {
            for s in v {
                check_option(s)?;
            }
            json!(v)
        }
        (_, Value::Text(s) | Value::Choice(s)) => json!(s),
        (_, Value::Bool(b)) => json!(b),
        (_, Value::Int(i)) => json!(i),
        (_, Value::Decimal(d)) => d
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(J::Number)
            .ok_or_else(|| refuse(name, format!("{d:?} is not a number")))?,
        (_, Value::Date(d)) => json!(d.format("%Y-%m-%d").to_string()),
        (_, Value::DateTime(d)) => json!(d.to_rfc3339_opts(SecondsFormat::Millis, true)),
        (_, Value::Emails(v)) => {
            for e in v {
                if !is_email(e.trim()) {
                    return Err(refuse(name, format!("{e:?} is not an email address")));
                }
            }
            let mut it = v.iter().map(|e| e.trim().to_string());
            let primary = it.next().unwrap_or_default();
            let rest: Vec<String> = it.collect();
            json!({"primaryEmail": primary, "additionalEmails": rest})
        }
        (_, Value::Phones(v)) => {
            for p in v {
                if !p.number.trim().starts_with('+') && p.calling_code.is_none() {
                    return Err(refuse(
                        name,
                        format!(
                            "phone {:?} needs an international form (+…) or a calling code",
                            p.number
                        ),
                    ));
                }
            }
            let primary = v.first().cloned().unwrap_or_default();
            let rest: Vec<J> = v.iter().skip(1).map(|p| json!({"number": p.number, "countryCode": p.country.clone().unwrap_or_default(), "callingCode": p.calling_code.clone().unwrap_or_default()})).collect();
            json!({
                "primaryPhoneNumber": primary.number,
                "primaryPhoneCountryCode": primary.country.unwrap_or_default(),
                "primaryPhoneCallingCode": primary.calling_code.unwrap_or_default(),
                "additionalPhones": rest,
            })
        }
        (_, Value::Urls(v)) => {
            let primary = v.first().cloned().unwrap_or_default();
            let rest: Vec<J> = v
                .iter()
                .skip(1)
                .map(|u| json!({"url": u, "label": ""}))
                .collect();
            json!({"primaryLinkUrl": primary, "primaryLinkLabel": "", "secondaryLinks": rest})
        }
        (_, Value::Money { micros, currency }) => {
            let c = currency.trim();
            if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
                return Err(refuse(
                    name,
                    format!("{currency:?} is not an ISO 4217 currency code"),
                ));
            }
            json!({"amountMicros": micros, "currencyCode": c.to_ascii_uppercase()})
        }
        (_, Value::Address(a)) => json!({
            "addressStreet1": a.street1.clone().unwrap_or_default(),
            "addressStreet2": a.street2.clone().unwrap_or_default(),
            "addressCity": a.city.clone().unwrap_or_default(),
            "addressPostcode": a.postcode.clone().unwrap_or_default(),
            "addressState": a.state.clone().unwrap_or_default(),
            "addressCountry": a.country.clone().unwrap_or_default(),
        }),
        (_, Value::Json(j)) => j.clone(),
        (_, Value::Id(r)) => {
            check_ids(name, value)?;
            json!(r.id)
        }
        (_, v) => {
            return Err(refuse(
                name,
                format!("cannot write a {} value here", v.type_name()),
            ))
        }
    })
}

/// What a cleared field is sent as.
fn empty_of(ty: FieldType) -> J {
    use FieldType as T;
    match ty {
        T::Emails => json!({"primaryEmail": "", "additionalEmails": []}),
        T::Phones => {
            json!({"primaryPhoneNumber": "", "primaryPhoneCountryCode": "", "primaryPhoneCallingCode": "", "additionalPhones": []})
        }
        T::Urls => json!({"primaryLinkUrl": "", "primaryLinkLabel": "", "secondaryLinks": []}),
        T::Money => json!({"amountMicros": J::Null, "currencyCode": ""}),
        T::Address => encode_value("", T::Address, &[], &Value::Address(Address::default()))
            .unwrap_or(J::Null),
        _ => J::Null,
    }
}

fn get<'a>(record: &'a J, wire: &str) -> Option<&'a J> {
    match wire.split_once('.') {
        Some((base, sub)) => record.get(base)?.get(sub),
        None => record.get(wire),
    }
}

fn text(j: Option<&J>) -> String {
    j.and_then(J::as_str).unwrap_or_default().to_string()
}

fn opt(j: Option<&J>) -> Option<String> {
    Some(text(j)).filter(|s| !s.is_empty())
}

/// Decodes a Twenty record into canonical fields of `desc` (empty values left out).
pub(crate) fn decode(record: &J, desc: &ObjectDescriptor, meta: &ObjectMeta) -> Fields {
    let mut out = Fields::new();
    for fd in &desc.fields {
        let Some(wire) = meta.wire.get(&fd.name) else {
            continue;
        };
        let Some(j) = get(record, wire) else { continue };
        if let Some(v) = decode_value(
            fd.ty,
            j,
            fd.reference.as_ref().and_then(|r| r.objects.first()),
        ) {
            if !v.is_empty() {
                out.insert(fd.name.clone(), v);
            }
        }
    }
    out
}

fn decode_value(ty: FieldType, j: &J, target: Option<&String>) -> Option<Value> {
    use FieldType as T;
    if j.is_null() {
        return None;
    }
    Some(match ty {
        T::Text | T::Email => Value::Text(j.as_str()?.to_string()),
        T::Select => Value::Choice(j.as_str()?.to_string()),
        T::MultiSelect => Value::Choices(
            j.as_array()?
                .iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect(),
        ),
        T::Boolean => Value::Bool(j.as_bool()?),
        T::Integer | T::Number => match j.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Decimal(j.as_f64()?.to_string()),
        },
        T::Date => Value::Date(NaiveDate::parse_from_str(j.as_str()?.get(..10)?, "%Y-%m-%d").ok()?),
        T::DateTime => Value::DateTime(
            DateTime::parse_from_rfc3339(j.as_str()?)
                .ok()?
                .with_timezone(&Utc),
        ),
        T::Emails => {
            let mut v: Vec<String> = opt(j.get("primaryEmail")).into_iter().collect();
            if let Some(a) = j.get("additionalEmails").and_then(J::as_array) {
                v.extend(a.iter().filter_map(|s| s.as_str().map(str::to_string)));
            }
            Value::Emails(v)
        }
        T::Phones => {
            let phone = |n: Option<&J>, c: Option<&J>, cc: Option<&J>| -> Option<Phone> {
                let number = opt(n)?;
                let calling = opt(cc);
                let number = match &calling {
                    Some(code) if !number.starts_with('+') => format!("{code}{number}"),
                    _ => number,
                };
                Some(Phone {
                    number,
                    country: opt(c),
                    calling_code: calling,
                })
            };
            let mut v: Vec<Phone> = phone(
                j.get("primaryPhoneNumber"),
                j.get("primaryPhoneCountryCode"),
                j.get("primaryPhoneCallingCode"),
            )
            .into_iter()
            .collect();
            if let Some(a) = j.get("additionalPhones").and_then(J::as_array) {
                v.extend(a.iter().filter_map(|p| {
                    phone(p.get("number"), p.get("countryCode"), p.get("callingCode"))
                }));
            }
            Value::Phones(v)
        }
        T::Urls => {
            let mut v: Vec<String> = opt(j.get("primaryLinkUrl")).into_iter().collect();
            if let Some(a) = j.get("secondaryLinks").and_then(J::as_array) {
                v.extend(a.iter().filter_map(|l| opt(l.get("url"))));
            }
            Value::Urls(v)
        }
        T::Money => {
            let m = j.get("amountMicros")?;
            // REST answers a string ("12345670000"), GraphQL a number (probe 06).
            let micros = m
                .as_i64()
                .or_else(|| m.as_str().and_then(|s| s.parse().ok()))?;
            Value::Money {
                micros,
                currency: text(j.get("currencyCode")),
            }
        }
        T::Address => {
            let a = Address {
                street1: opt(j.get("addressStreet1")),
                street2: opt(j.get("addressStreet2")),
                city: opt(j.get("addressCity")),
                postcode: opt(j.get("addressPostcode")),
                state: opt(j.get("addressState")),
                country: opt(j.get("addressCountry")),
            };
            if a == Address::default() {
                return None;
            }
            Value::Address(a)
        }
        T::Json => Value::Json(j.clone()),
        T::Reference => Value::Id(RecordId::new(
            target.map(String::as_str).unwrap_or(f::COMPANY),
            j.as_str()?,
        )),
        T::References => return None,
    })
}

#[cfg(test)]
#[path = "encode_tests.rs"]
mod tests;
