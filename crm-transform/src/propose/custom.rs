//! Custom fields for the columns no standard field takes: their names (valid, free and not
//! reserved by the destination), types (from the values, or as the source declares them)
//! and options (every value observed, up to a cap).

use crm_core::descriptor::{FieldType, ObjectDescriptor};
use crm_core::DataModel;

use super::matching::round;
use super::names::{camel_name, camel_of_canonical, label_of, upper_snake};
use super::sniff::{choice_values, samples};
use super::synonyms::RESERVED_NAMES;
use crate::discover::{FieldProfile, InferredType as I};
use crate::mapping::{CustomField, CustomFieldType as C, FieldMapping, OnError, Transform};

/// Most options a proposed select or multi-select gets; past it the values left out are
/// counted in a `CHECK` note that says how to add them.
pub const MAX_OPTIONS: usize = 500;

/// The names already used on a destination object (canonical and Twenty spellings, the
/// names every Twenty object reserves, and the join column `<relation>Id` of each of its
/// links), lower-cased. A custom field the destination already has (made by an earlier
/// migration) is not counted: proposing it again reuses it.
pub(crate) fn taken_names(object: &ObjectDescriptor) -> Vec<String> {
    let mut out: Vec<String> = RESERVED_NAMES.iter().map(|n| n.to_lowercase()).collect();
    for f in object.fields.iter().filter(|f| !f.custom) {
        out.push(f.name.to_lowercase());
        let camel = camel_of_canonical(&f.name);
        out.push(camel.to_lowercase());
        if f.ty == FieldType::Reference {
            out.push(format!("{camel}id").to_lowercase());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Makes custom field names for one destination model: valid (camelCase ASCII, at most 63
/// characters), not reserved by the destination ([`DataModel::field_name_problem`]), not
/// the name of a field the object has or another proposed custom field. A refused name is
/// replaced by one prefixed with the source platform (`plan` → `usercomPlan`), and the
/// reason is given back for the proposal's comment.
#[derive(Debug, Clone)]
pub struct CustomNamer<'m> {
    model: &'m DataModel,
    prefix: String,
    taken: Vec<(String, Vec<String>)>,
}

impl<'m> CustomNamer<'m> {
    /// A namer for `model`; `platform` is the source platform id (`usercom`), whose camel
    /// case prefixes a refused name (`source` for a generic `csv` export or none).
    pub fn new(model: &'m DataModel, platform: &str) -> Self {
        let prefix = match camel_name(platform) {
            p if p.is_empty() || p == "csv" || p.starts_with("field") => "source".to_string(),
            p => p,
        };
        Self {
            model,
            prefix,
            taken: Vec::new(),
        }
    }

    /// Marks `name` as used on `object` (a custom field the map already declares).
    pub fn reserve(&mut self, object: &str, name: &str) {
        let taken = self.taken_on(object);
        taken.push(name.to_lowercase());
    }

    fn taken_on(&mut self, object: &str) -> &mut Vec<String> {
        let i = match self.taken.iter().position(|(o, _)| o == object) {
            Some(i) => i,
            None => {
                let names = self.model.get(object).map(taken_names).unwrap_or_default();
                self.taken.push((object.to_string(), names));
                self.taken.len() - 1
            }
        };
        &mut self.taken[i].1
    }

    /// Why `name` cannot be a new field of `object`, or `None` when it can.
    pub fn problem(&mut self, object: &str, name: &str) -> Option<String> {
        if !valid_name(name) {
            return Some(format!(
                "{name:?} is not a valid field name (camelCase letters and digits, at most 63 characters)"
            ));
        }
        if let Some(p) = self.model.field_name_problem(object, name) {
            return Some(p);
        }
        let lower = name.to_lowercase();
        if self.taken_on(object).contains(&lower) {
            return Some(format!("{object} already has a field named {name:?}"));
        }
        if let Some(f) = self.composite_prefix(object, name) {
            return Some(format!(
                "{name:?} would be a column name of {object}'s composite field {f:?}"
            ));
        }
        None
    }

    /// The composite field of `object` (emails, phones, links, amounts, addresses, a full
    /// name, the actor stamps) whose column names `name` could be (`emailsPrimaryEmail`),
    /// which Twenty refuses for a new field.
    fn composite_prefix(&self, object: &str, name: &str) -> Option<String> {
        let d = self.model.get(object)?;
        // A canonical first_name/last_name pair is Twenty's full-name composite `name`.
        let full_name = d.get("first_name").map(|_| "name".to_string());
        d.fields
            .iter()
            .filter(|f| {
                matches!(
                    f.ty,
                    FieldType::Emails
                        | FieldType::Phones
                        | FieldType::Urls
                        | FieldType::Money
                        | FieldType::Address
                ) || ["name", "createdBy", "updatedBy"].contains(&f.name.as_str())
            })
            .map(|f| camel_of_canonical(&f.name))
            .chain(full_name)
            .find(|stem| {
                name.strip_prefix(stem.as_str())
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
            })
    }

    /// A free name for a new field of `object` made from the source column `source`, taken
    /// at once; with the reason the plain name was refused, if it was.
    pub fn name(&mut self, object: &str, source: &str) -> (String, Option<String>) {
        let base = camel_name(source);
        let Some(why) = self.problem(object, &base) else {
            self.reserve(object, &base);
            return (base, None);
        };
        let upper = capitalise(&base);
        let stem: String = format!("{}{upper}", self.prefix).chars().take(60).collect();
        let name = std::iter::once(stem.clone())
            .chain((2..).map(|n| format!("{stem}{n}")))
            .find(|c| self.problem(object, c).is_none())
            .unwrap_or(stem);
        self.reserve(object, &name);
        let why = format!("named {name} because {why}");
        (name, Some(why))
    }
}

/// Twenty's rule for a metadata name: `^[a-z][a-zA-Z0-9]*$`, 1 to 63 characters.
fn valid_name(name: &str) -> bool {
    name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn capitalise(s: &str) -> String {
    let mut cs = s.chars();
    match cs.next() {
        Some(c) => c.to_uppercase().chain(cs).collect(),
        None => String::new(),
    }
}

/// What the source declares about a column (User.com's attribute list, say); a proposal
/// follows it over what the values look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeclaredType {
    /// Free text.
    Text,
    /// A number.
    Number,
    /// A yes/no flag.
    Boolean,
    /// A date.
    Date,
    /// A date-time.
    DateTime,
    /// A JSON document.
    Json,
    /// One of a list of choices.
    Choice,
    /// Several of a list of choices.
    Choices,
}

/// What is known about a column beyond its values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnHint {
    /// Its label (a display name the source gives it).
    pub label: Option<String>,
    /// Its declared type.
    pub declared: Option<DeclaredType>,
    /// Choices the source declares for it, added to the options observed.
    pub choices: Vec<String>,
    /// Why no standard field took it (starts the line's `CHECK` note).
    pub why: Option<String>,
}

/// A proposed custom field, the line that fills it, and the value map from every observed
/// value to its option.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomProposal {
    /// The field to create.
    pub field: CustomField,
    /// The line that fills it.
    pub line: FieldMapping,
    /// Source value → option, for every value whose option is spelt differently.
    pub value_map: Vec<(String, String)>,
}

/// The type and transform the values (or the declaration) call for.
fn type_of(p: &FieldProfile, declared: Option<DeclaredType>) -> (C, Transform) {
    use DeclaredType as D;
    match declared {
        Some(D::Number) => return (C::Number, Transform::Number),
        Some(D::Boolean) => return (C::Boolean, Transform::Bool),
        Some(D::Date) => return (C::Date, Transform::Date),
        Some(D::DateTime) => return (C::DateTime, Transform::DateTime),
        Some(D::Json) => return (C::RawJson, Transform::Json),
        Some(D::Choice) => return (C::Select, Transform::Choice),
        Some(D::Choices) => return (C::MultiSelect, Transform::Choices),
        Some(D::Text) if !matches!(p.inferred, I::Email | I::Phone | I::Url) => {
            return (C::Text, Transform::Text)
        }
        _ => {}
    }
    match p.inferred {
        I::Integer | I::Number => (C::Number, Transform::Number),
        I::Boolean => (C::Boolean, Transform::Bool),
        I::DateTime => (C::DateTime, Transform::DateTime),
        I::Date => (C::Date, Transform::Date),
        I::Email => (C::Emails, Transform::Emails),
        I::Phone => (C::Phones, Transform::Phones),
        I::Url => (C::Links, Transform::Urls),
        I::Money => (C::Currency, Transform::Money),
        I::Json => (C::RawJson, Transform::Json),
        I::Choice => (C::Select, Transform::Choice),
        I::Choices => (C::MultiSelect, Transform::Choices),
        I::Text | I::Empty => (C::Text, Transform::Text),
    }
}

/// Options for a choice column: every value observed (and declared), each as its
/// UPPER_SNAKE option, with the value map for those spelt differently. Returns the
/// options, the map, and the number of values left out past [`MAX_OPTIONS`].
pub fn options_for(
    p: &FieldProfile,
    multi: bool,
    declared: &[String],
) -> (Vec<String>, Vec<(String, String)>, u64) {
    let mut values = choice_values(p, multi);
    for d in declared {
        if !values.iter().any(|v| v.eq_ignore_ascii_case(d.trim())) && !d.trim().is_empty() {
            values.push(d.trim().to_string());
        }
    }
    let mut omitted = p.values_omitted;
    if values.len() > MAX_OPTIONS {
        omitted += (values.len() - MAX_OPTIONS) as u64;
        values.truncate(MAX_OPTIONS);
    }
    let mut options: Vec<String> = Vec::new();
    let mut value_map: Vec<(String, String)> = Vec::new();
    for (i, v) in values.into_iter().enumerate() {
        let mut option = upper_snake(&v);
        if option.is_empty() {
            option = format!("OPTION_{}", i + 1);
        }
        if option != v && !value_map.iter().any(|(k, _)| k.eq_ignore_ascii_case(&v)) {
            value_map.push((v, option.clone()));
        }
        if !options.contains(&option) {
            options.push(option);
        }
    }
    (options, value_map, omitted)
}

/// The custom field for column `p` of a source object feeding `object`, named by `namer`,
/// typed from `hint.declared` or else the values, with options covering every value
/// observed (up to [`MAX_OPTIONS`]; past it, the line's `CHECK` note says how many were
/// left out and how to add them).
pub fn propose_custom_field(
    p: &FieldProfile,
    object: &ObjectDescriptor,
    namer: &mut CustomNamer<'_>,
    hint: &ColumnHint,
) -> CustomProposal {
    let (mut ty, mut transform) = type_of(p, hint.declared);
    let mut flags: Vec<String> = Vec::new();
    if ty == C::Select && p.max_items > 1 {
        // A declared single choice whose cells hold several values would lose them.
        (ty, transform) = (C::MultiSelect, Transform::Choices);
        flags.push(format!(
            "declared a single choice, but cells hold up to {} values: proposed as a multi-select",
            p.max_items
        ));
    }
    let mut options = Vec::new();
    let mut value_map = Vec::new();
    if matches!(ty, C::Select | C::MultiSelect) {
        let (o, m, omitted) = options_for(p, ty == C::MultiSelect, &hint.choices);
        if o.is_empty() {
            flags.push("no values seen: proposed as text".into());
            (ty, transform) = (C::Text, Transform::Text);
        } else {
            if omitted > 0 {
                flags.push(format!(
                    "{omitted} more distinct values were seen than the {MAX_OPTIONS} options proposed: add each to `options` below and to this object's value map, or they are refused"
                ));
            }
            if p.values.is_empty() && hint.choices.is_empty() {
                flags.push("options taken from samples only: check none is missing".into());
            }
            options = o;
            value_map = m;
        }
    }
    let (name, renamed) = namer.name(&object.name, &p.name);
    let mut flag = format!(
        "custom field to create: {}.{name} ({})",
        object.name,
        type_name(ty)
    );
    if let Some(w) = &hint.why {
        flag = format!("{w}; {flag}");
    }
    flags.extend(renamed);
    for f in flags {
        flag = format!("{flag}; {f}");
    }
    let field = CustomField {
        object: object.name.clone(),
        name: name.clone(),
        label: hint.label.clone().unwrap_or_else(|| label_of(&p.name)),
        ty,
        options,
    };
    let line = FieldMapping {
        source: p.name.clone(),
        target: name,
        transform,
        ref_object: None,
        ref_source: None,
        currency: None,
        on_error: OnError::default(),
        keep_raw_in: None,
        confidence: Some(round(p.fit.clamp(0.0, 1.0) as f32 * 0.7)),
        flag: Some(flag),
        samples: samples(p),
    };
    CustomProposal {
        field,
        line,
        value_map,
    }
}

fn type_name(ty: C) -> &'static str {
    match ty {
        C::Text => "text",
        C::Number => "number",
        C::Boolean => "boolean",
        C::DateTime => "date-time",
        C::Date => "date",
        C::Select => "select",
        C::MultiSelect => "multi-select",
        C::Links => "links",
        C::Emails => "emails",
        C::Phones => "phones",
        C::Currency => "currency",
        C::RawJson => "JSON",
    }
}
