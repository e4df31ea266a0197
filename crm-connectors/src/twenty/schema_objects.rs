//! Custom objects through the metadata API (probe 14): `POST /rest/metadata/objects` with
//! the singular and plural names and labels, then each field as for any object; undone by
//! deactivating and deleting the object — only an object this tool created (its icon).

use crm_core::{ErrorKind, ObjectDescriptor, Result, SchemaOutcome};
use serde_json::{json, Value as J};

use super::schema::{valid_name, OWN_ICON};
use super::sink::TwentySink;
use crate::http::Request;

/// English plural of a camelCase object name (`invoice` → `invoices`, `company` → `companies`).
pub(crate) fn plural_of(name: &str) -> String {
    if let Some(stem) = name.strip_suffix('y') {
        if !stem.ends_with(['a', 'e', 'i', 'o', 'u']) {
            return format!("{stem}ies");
        }
    }
    if name.ends_with('s') || name.ends_with('x') || name.ends_with("ch") || name.ends_with("sh") {
        return format!("{name}es");
    }
    format!("{name}s")
}

fn title(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if i == 0 {
            out.extend(c.to_uppercase());
        } else if c.is_uppercase() {
            out.push(' ');
            out.push(c);
        } else {
            out.push(c);
        }
    }
    out
}

/// The entity (or list) in a metadata answer: v1 wraps it (`{data:{objects:[…]}}`,
/// `{data:{createOneObject:{…}}}`), v2.21 lists as `{data:[…]}` and answers one entity bare.
fn data_of(body: &J) -> &J {
    match body.get("data") {
        Some(J::Array(_)) => &body["data"],
        Some(J::Object(o)) => o.values().next().unwrap_or(&J::Null),
        _ => body,
    }
}

impl TwentySink {
    /// The live id and icon of the object named `name`, if it exists.
    async fn object_row(&self, name: &str) -> Result<Option<(String, Option<String>)>> {
        let body = self
            .client
            .rest(Request::get("/rest/metadata/objects"))
            .await?;
        let list = data_of(&body).as_array().cloned().unwrap_or_default();
        Ok(list
            .iter()
            .find(|o| o.get("nameSingular").and_then(J::as_str) == Some(name))
            .and_then(|o| {
                let id = o.get("id").and_then(J::as_str)?.to_string();
                Some((id, o.get("icon").and_then(J::as_str).map(str::to_string)))
            }))
    }

    /// Creates a custom object and its fields; if a field is refused, the object is removed
    /// again so a refused change leaves nothing behind.
    pub(super) async fn add_object(&self, object: &ObjectDescriptor) -> Result<SchemaOutcome> {
        let rejected = |reason: String| Ok(SchemaOutcome::Rejected { reason });
        if !valid_name(&object.name) {
            return rejected(format!(
                "object name {:?} must be camelCase Latin letters and digits",
                object.name
            ));
        }
        if self.object_row(&object.name).await?.is_some() {
            return rejected(format!("an object named {:?} already exists", object.name));
        }
        let label = if object.label.is_empty() {
            title(&object.name)
        } else {
            object.label.clone()
        };
        let body = json!({
            "nameSingular": object.name,
            "namePlural": plural_of(&object.name),
            "labelSingular": label,
            "labelPlural": plural_of(&label),
            "icon": OWN_ICON,
            "description": "Created by crm-migrate",
        });
        match self
            .client
            .rest(Request::post("/rest/metadata/objects", body))
            .await
        {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::Unauthorized || e.is_temporary() => return Err(e),
            Err(e) => return rejected(e.message().to_string()),
        }
        self.refresh_metadata().await;
        for field in &object.fields {
            if self.field_exists(&object.name, &field.name).await? {
                continue; // a default field of every new object (`name`, …)
            }
            if let SchemaOutcome::Rejected { reason } = self.add_field(&object.name, field).await? {
                self.remove_object(&object.name).await?;
                return rejected(format!("field {}: {reason}", field.name));
            }
        }
        self.refresh_metadata().await;
        Ok(SchemaOutcome::Applied)
    }

    /// Deactivates and deletes an object this tool created; leaves any other alone.
    pub(super) async fn remove_object(&self, name: &str) -> Result<()> {
        let Some((id, icon)) = self.object_row(name).await? else {
            return Ok(());
        };
        if icon.as_deref() != Some(OWN_ICON) {
            tracing::warn!(
                object = name,
                "Not deleting an object this tool did not create."
            );
            return Ok(());
        }
        let path = format!("/rest/metadata/objects/{id}");
        if let Err(e) = self
            .client
            .rest(Request::patch(&path, json!({"isActive": false})))
            .await
        {
            if e.kind() == ErrorKind::Unauthorized {
                return Err(e);
            }
            tracing::warn!(error = %e, "Could not deactivate the object before deleting it.");
        }
        let res = match self.client.rest(Request::delete(&path)).await {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        };
        self.refresh_metadata().await;
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_and_titles() {
        assert_eq!(plural_of("invoice"), "invoices");
        assert_eq!(plural_of("company"), "companies");
        assert_eq!(plural_of("survey"), "surveys");
        assert_eq!(plural_of("box"), "boxes");
        assert_eq!(title("supportTicket"), "Support Ticket");
    }
}
