//! Schema changes through Twenty's metadata REST API (probe 14, `twenty.md` §7):
//! `POST /rest/metadata/fields` (flat `CreateFieldInput`) to create a custom field,
//! `PATCH /rest/metadata/fields/{id}` with the whole option list to add or remove select
//! options, and deactivate-then-`DELETE /rest/metadata/fields/{id}` to remove a field.
//!
//! Names must be camelCase Latin alphanumerics (§7.5): a name that is not is refused with
//! the camelCase spelling to use, rather than renamed silently (a renamed field would not be
//! found under its mapping name by the next run's diff). Option values must be
//! UPPER_SNAKE_CASE (§7.6): values are converted with [`option_value`] and labels keep the
//! mapping's spelling; the live model lists such labels among the options and the encoder
//! sends the option's value for a record that names it by its label.

use crm_core::{Error, ErrorKind, FieldDescriptor, FieldType, Result, SchemaChange, SchemaOutcome};
use serde_json::{json, Value as J};

use super::sink::TwentySink;
use crate::http::Request;

/// Icon of the fields this tool creates: how a later run and a rollback tell them from fields
/// a person made (the recorded server keeps `icon`; it answered `description: null`).
pub(crate) const OWN_ICON: &str = "IconDatabaseImport";

/// Colours given to new options in turn (all in every recorded colour list).
const COLORS: &[&str] = &[
    "blue",
    "green",
    "orange",
    "purple",
    "red",
    "yellow",
    "sky",
    "pink",
    "turquoise",
    "gray",
];

/// Twenty's type for a canonical field type; `None` for types created otherwise (relations).
pub(crate) fn twenty_type(ty: FieldType) -> Option<&'static str> {
    use FieldType as T;
    Some(match ty {
        T::Text => "TEXT",
        T::Number | T::Integer => "NUMBER",
        T::Boolean => "BOOLEAN",
        T::DateTime => "DATE_TIME",
        T::Date => "DATE",
        T::Select => "SELECT",
        T::MultiSelect => "MULTI_SELECT",
        T::Urls => "LINKS",
        T::Emails => "EMAILS",
        T::Phones => "PHONES",
        T::Money => "CURRENCY",
        T::Json => "RAW_JSON",
        T::Address => "ADDRESS",
        T::Email => "EMAILS",
        T::Reference | T::References => return None,
    })
}

/// True for a name Twenty accepts: camelCase Latin alphanumerics, 1–63 characters.
pub(crate) fn valid_name(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The camelCase spelling of `name` (`plan_tier` → `planTier`, `Plan tier` → `planTier`).
pub(crate) fn camel_case(name: &str) -> String {
    let mut out = String::new();
    for (i, w) in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .enumerate()
    {
        let mut cs = w.chars();
        if let Some(first) = cs.next() {
            if i == 0 {
                out.extend(first.to_lowercase());
            } else {
                out.extend(first.to_uppercase());
            }
            out.push_str(cs.as_str());
        }
    }
    if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out = format!("field{out}");
    }
    out.chars().take(63).collect()
}

/// A select option value as Twenty requires it: UPPER_SNAKE_CASE, starting with a letter or
/// `_`, at least two characters (`Gold plan` → `GOLD_PLAN`, `1` → `_1`).
pub fn option_value(s: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    let mut prev_lower = false;
    for c in s.trim().chars() {
        if c.is_ascii_alphanumeric() {
            if (gap || (prev_lower && c.is_ascii_uppercase())) && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            prev_lower = c.is_ascii_lowercase();
            out.push(c.to_ascii_uppercase());
        } else {
            // `_`, spaces and punctuation all separate words.
            gap = true;
            prev_lower = false;
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if out.len() < 2 {
        out.push('_');
    }
    out
}

fn option_json(label: &str, position: usize) -> J {
    json!({
        "value": option_value(label),
        "label": if label.trim().is_empty() { option_value(label) } else { label.trim().to_string() },
        "position": position,
        "color": COLORS[position % COLORS.len()],
    })
}

/// The field object in a metadata answer (`{data:{createOneField|object|…}}` or bare).
fn data_of(body: &J) -> &J {
    body.get("data")
        .and_then(|d| d.as_object().and_then(|o| o.values().next()))
        .unwrap_or(body)
}

impl TwentySink {
    /// The server's description of one field (with its id and full option objects), read from
    /// `GET /rest/metadata/objects/{objectId}`; `None` when the object has no such field.
    async fn field_json(&self, object: &str, name: &str) -> Result<Option<(String, J)>> {
        let (_, om) = self.object(object).await?;
        let Some(object_id) = om.id else {
            return Err(Error::unsupported(
                "twenty: metadata unreachable, cannot change the schema",
            ));
        };
        let body = self
            .client
            .rest(Request::get(format!("/rest/metadata/objects/{object_id}")))
            .await?;
        let fields = data_of(&body)
            .get("fields")
            .and_then(J::as_array)
            .cloned()
            .unwrap_or_default();
        Ok(fields
            .into_iter()
            .find(|f| f.get("name").and_then(J::as_str) == Some(name))
            .and_then(|f| {
                let id = f.get("id").and_then(J::as_str)?.to_string();
                Some((id, f))
            }))
    }

    /// Whether `object` has a field named `name` in the live metadata.
    pub(super) async fn field_exists(&self, object: &str, name: &str) -> Result<bool> {
        Ok(self.field_json(object, name).await?.is_some())
    }

    /// Creates one custom field on `object`.
    pub(super) async fn add_field(
        &self,
        object: &str,
        field: &FieldDescriptor,
    ) -> Result<SchemaOutcome> {
        let rejected = |reason: String| Ok(SchemaOutcome::Rejected { reason });
        let Some(ty) = twenty_type(field.ty) else {
            return rejected(format!(
                "a {:?} field is a relation; create it in Twenty's settings",
                field.ty
            ));
        };
        if !valid_name(&field.name) {
            return rejected(format!(
                "{:?} is not a valid Twenty field name (camelCase Latin letters and digits, at most 63); use {:?}",
                field.name,
                camel_case(&field.name)
            ));
        }
        let (_, om) = match self.object(object).await {
            Ok(x) => x,
            Err(e) if e.kind() == ErrorKind::Unauthorized => return Err(e),
            Err(e) => return rejected(e.message().to_string()),
        };
        let Some(object_id) = om.id.clone() else {
            return Err(Error::unsupported(
                "twenty: metadata unreachable, cannot create custom fields",
            ));
        };
        // Already there: made by an earlier run under a type the model reads back differently
        // (Integer → NUMBER → Number) is success, and options are topped up; a field a person
        // made is left alone (a rollback would otherwise delete it).
        if let Some((_, existing)) = self.field_json(object, &field.name).await? {
            let have = existing.get("type").and_then(J::as_str).unwrap_or_default();
            let ours = existing.get("icon").and_then(J::as_str) == Some(OWN_ICON);
            if have == ty && !ours {
                return rejected(format!(
                    "{object}.{} already exists (a {have} field this tool did not create); declare it in the mapping with the type Twenty reports",
                    field.name
                ));
            }
            if have != ty {
                return rejected(format!(
                    "{object}.{} already exists as a {have} field (wanted {ty})",
                    field.name
                ));
            }
            if field.options.is_empty() {
                return Ok(SchemaOutcome::Applied);
            }
            return self.add_options(object, &field.name, &field.options).await;
        }
        let mut body = json!({
            "objectMetadataId": object_id,
            "type": ty,
            "name": field.name,
            "label": if field.label.trim().is_empty() { field.name.clone() } else { field.label.clone() },
            "description": "Created by crm-migrate",
            "icon": OWN_ICON,
            "isNullable": true,
        });
        if matches!(field.ty, FieldType::Select | FieldType::MultiSelect) {
            if field.options.is_empty() {
                return rejected(format!(
                    "{object}.{}: a select field needs at least one option",
                    field.name
                ));
            }
            let mut seen = Vec::new();
            let mut opts = Vec::new();
            for o in &field.options {
                let v = option_value(o);
                if !seen.contains(&v) {
                    seen.push(v);
                    opts.push(option_json(o, opts.len()));
                }
            }
            body["options"] = J::Array(opts);
        }
        let res = self
            .client
            .rest(Request::post("/rest/metadata/fields", body))
            .await;
        self.refresh_metadata().await;
        match res {
            Ok(_) => Ok(SchemaOutcome::Applied),
            Err(e) if e.kind() == ErrorKind::Unauthorized || e.is_temporary() => Err(e),
            Err(e) => rejected(e.message().to_string()),
        }
    }

    async fn add_options(
        &self,
        object: &str,
        field: &str,
        options: &[String],
    ) -> Result<SchemaOutcome> {
        let Some((id, existing)) = self.field_json(object, field).await? else {
            return Ok(SchemaOutcome::Rejected {
                reason: format!("{object} has no field {field:?}"),
            });
        };
        let ty = existing.get("type").and_then(J::as_str).unwrap_or_default();
        if ty != "SELECT" && ty != "MULTI_SELECT" {
            return Ok(SchemaOutcome::Rejected {
                reason: format!("{object}.{field} is a {ty} field, not a select"),
            });
        }
        let mut list: Vec<J> = existing
            .get("options")
            .and_then(J::as_array)
            .cloned()
            .unwrap_or_default();
        let mut next = list
            .iter()
            .filter_map(|o| o.get("position").and_then(J::as_f64))
            .fold(-1.0f64, f64::max)
            + 1.0;
        let mut added = false;
        for o in options {
            let v = option_value(o);
            if list
                .iter()
                .any(|x| x.get("value").and_then(J::as_str) == Some(v.as_str()))
            {
                continue;
            }
            let mut j = option_json(o, list.len());
            j["position"] = json!(next as i64);
            next += 1.0;
            list.push(j);
            added = true;
        }
        if !added {
            return Ok(SchemaOutcome::Applied);
        }
        self.patch_options(&id, list).await
    }

    async fn patch_options(&self, id: &str, options: Vec<J>) -> Result<SchemaOutcome> {
        let res = self
            .client
            .rest(Request::patch(
                format!("/rest/metadata/fields/{id}"),
                json!({ "options": options }),
            ))
            .await;
        self.refresh_metadata().await;
        match res {
            Ok(_) => Ok(SchemaOutcome::Applied),
            Err(e) if e.kind() == ErrorKind::Unauthorized || e.is_temporary() => Err(e),
            Err(e) => Ok(SchemaOutcome::Rejected {
                reason: e.message().to_string(),
            }),
        }
    }

    pub(super) async fn apply_changes(
        &self,
        changes: &[SchemaChange],
    ) -> Result<Vec<SchemaOutcome>> {
        self.refresh_metadata().await;
        let mut out = Vec::with_capacity(changes.len());
        for change in changes {
            let o = match change {
                SchemaChange::AddObject { object } => self.add_object(object).await?,
                SchemaChange::AddField { object, field } => self.add_field(object, field).await?,
                SchemaChange::AddOptions {
                    object,
                    field,
                    options,
                } => self.add_options(object, field, options).await?,
            };
            if let SchemaOutcome::Rejected { reason } = &o {
                tracing::warn!(change = %change.describe(), %reason, "Twenty refused a schema change.");
            }
            out.push(o);
        }
        Ok(out)
    }

    pub(super) async fn revert_change(&self, change: &SchemaChange) -> Result<()> {
        self.refresh_metadata().await;
        let res = match change {
            SchemaChange::AddObject { object } => self.remove_object(&object.name).await,
            SchemaChange::AddField { object, field } => {
                let Some((id, existing)) = self.field_json(object, &field.name).await? else {
                    return Ok(()); // already gone
                };
                if existing.get("icon").and_then(J::as_str) != Some(OWN_ICON) {
                    tracing::warn!(object, field = %field.name, "Not deleting a field this tool did not create.");
                    return Ok(());
                }
                // Twenty deletes only inactive custom fields: deactivate first.
                let path = format!("/rest/metadata/fields/{id}");
                if let Err(e) = self
                    .client
                    .rest(Request::patch(&path, json!({"isActive": false})))
                    .await
                {
                    if e.kind() == ErrorKind::Unauthorized {
                        return Err(e);
                    }
                    tracing::warn!(error = %e, "Could not deactivate the field before deleting it.");
                }
                match self.client.rest(Request::delete(&path)).await {
                    Ok(_) => Ok(()),
                    Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
                    Err(e) => Err(e),
                }
            }
            SchemaChange::AddOptions {
                object,
                field,
                options,
            } => {
                let Some((id, existing)) = self.field_json(object, field).await? else {
                    return Ok(());
                };
                let drop: Vec<String> = options.iter().map(|o| option_value(o)).collect();
                let list: Vec<J> = existing
                    .get("options")
                    .and_then(J::as_array)
                    .cloned()
                    .unwrap_or_default();
                let kept: Vec<J> = list
                    .iter()
                    .filter(|o| {
                        !o.get("value")
                            .and_then(J::as_str)
                            .is_some_and(|v| drop.iter().any(|d| d == v))
                    })
                    .cloned()
                    .collect();
                if kept.len() == list.len() {
                    return Ok(());
                }
                match self.patch_options(&id, kept).await? {
                    SchemaOutcome::Applied => Ok(()),
                    SchemaOutcome::Rejected { reason } => Err(Error::new(
                        ErrorKind::Validation,
                        format!("twenty refused to remove options: {reason}"),
                    )),
                }
            }
        };
        self.refresh_metadata().await;
        res.map_err(|e| e.with_operation("revert_schema"))
    }
}

impl TwentySink {
    /// Removes the source-key field (`crmMigrateSourceKey`) this tool created on every object
    /// that has it, with its values: for `rollback --remove-schema` once every record the runs
    /// made is gone (the field is made on demand by the first write, so it is in no journal).
    /// Only a field this tool made (its `IconKey` icon and description) is removed. Returns the
    /// objects it was removed from.
    pub async fn remove_source_key_fields(&self) -> Result<Vec<String>> {
        self.refresh_metadata().await;
        let meta = self.meta().await?;
        let field = self.config.source_key_field.clone();
        let mut removed = Vec::new();
        for (canonical, om) in &meta.objects {
            if !om.server_fields.contains(&field) {
                continue;
            }
            let Some((id, existing)) = self.field_json(canonical, &field).await? else {
                continue;
            };
            let ours = existing.get("icon").and_then(J::as_str) == Some("IconKey")
                || existing
                    .get("description")
                    .and_then(J::as_str)
                    .is_some_and(|d| d.contains("crm-migrate"));
            if !ours {
                tracing::warn!(object = %canonical, "Not deleting a source-key field this tool did not create.");
                continue;
            }
            let path = format!("/rest/metadata/fields/{id}");
            if let Err(e) = self
                .client
                .rest(Request::patch(&path, json!({"isActive": false})))
                .await
            {
                if e.kind() == ErrorKind::Unauthorized {
                    return Err(e);
                }
            }
            match self.client.rest(Request::delete(&path)).await {
                Ok(_) => removed.push(canonical.clone()),
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(e.with_operation("remove_source_key_fields")),
            }
        }
        self.refresh_metadata().await;
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_option_values() {
        assert!(valid_name("planTier") && !valid_name("plan_tier") && !valid_name("Plan"));
        assert_eq!(camel_case("plan_tier"), "planTier");
        assert_eq!(camel_case("Plan tier"), "planTier");
        assert_eq!(camel_case("2nd phone"), "field2ndPhone");
        assert_eq!(option_value("Gold plan"), "GOLD_PLAN");
        assert_eq!(option_value("GOLD_PLAN"), "GOLD_PLAN");
        assert_eq!(option_value("goldPlan"), "GOLD_PLAN");
        assert_eq!(option_value("hot lead"), "HOT_LEAD");
        assert_eq!(option_value("1"), "_1");
        assert_eq!(option_value("A"), "A_");
        assert_eq!(option_value("HOT"), "HOT");
    }
}
