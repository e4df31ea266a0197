//! The schema changes a mapping needs: its custom fields, and value-map targets that are not
//! yet options of their select field ("add as a new option").

use crm_core::descriptor::{FieldDescriptor, FieldType, ObjectDescriptor};
use crm_core::SchemaChange;

use super::spec::{CustomFieldType, MappingSpec};

fn field_type(t: CustomFieldType) -> FieldType {
    match t {
        CustomFieldType::Text => FieldType::Text,
        CustomFieldType::Number => FieldType::Number,
        CustomFieldType::Boolean => FieldType::Boolean,
        CustomFieldType::DateTime => FieldType::DateTime,
        CustomFieldType::Date => FieldType::Date,
        CustomFieldType::Select => FieldType::Select,
        CustomFieldType::MultiSelect => FieldType::MultiSelect,
        CustomFieldType::Links => FieldType::Urls,
        CustomFieldType::Emails => FieldType::Emails,
        CustomFieldType::Phones => FieldType::Phones,
        CustomFieldType::Currency => FieldType::Money,
        CustomFieldType::RawJson => FieldType::Json,
    }
}

impl MappingSpec {
    /// Every schema change the mapping asks for; the engine makes only those the live model
    /// lacks ([`crm_core::DataModel::missing`]).
    pub fn schema_changes(&self) -> Vec<SchemaChange> {
        let mut out = Vec::new();
        let field = |c: &super::spec::CustomField| {
            FieldDescriptor::new(&c.name, field_type(c.ty))
                .label(&c.label)
                .options(c.options.clone())
                .custom()
        };
        for o in &self.custom_objects {
            let mut object = ObjectDescriptor::new(&o.name);
            object.label = o.label.clone();
            object.custom = true;
            object.fields = self
                .custom_fields
                .iter()
                .filter(|c| c.object == o.name)
                .map(field)
                .collect();
            out.push(SchemaChange::AddObject { object });
        }
        for c in &self.custom_fields {
            if self.custom_objects.iter().any(|o| o.name == c.object) {
                continue;
            }
            out.push(SchemaChange::AddField {
                object: c.object.clone(),
                field: field(c),
            });
        }
        for o in &self.objects {
            for (field, map) in &o.value_maps {
                let mut options: Vec<String> =
                    map.values().filter(|v| !v.is_empty()).cloned().collect();
                options.sort();
                options.dedup();
                out.push(SchemaChange::AddOptions {
                    object: o.target.clone(),
                    field: field.clone(),
                    options,
                });
            }
        }
        out
    }
}
