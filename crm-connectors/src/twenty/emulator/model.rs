//! The standard data model the recorded server served (objects, fields, options, relations).

use super::server::Profile;
use serde_json::{json, Value};

/// The id the recorded server gave the person object (probe 14), kept so recorded
/// metadata requests replay unchanged.
pub(super) const PERSON_OBJECT_ID: &str = "0fa8e36c-9851-4797-a5b8-ae24a101a0ca";
/// The id the recorded v2.21 server gave the person object (`twenty-v2-live` probe 11).
pub(super) const PERSON_OBJECT_ID_V2: &str = "ce8e1975-368e-428e-a63d-0ab5dd722065";

/// A relation of one field.
#[derive(Debug, Clone)]
pub(super) enum Relation {
    /// This record holds `join` (e.g. `companyId`) pointing at one `target` record.
    ManyToOne { target: String, join: String },
    /// Records of `target` point here through their `join` column.
    OneToMany { target: String, join: String },
}

/// One field's metadata.
#[derive(Debug, Clone)]
pub(super) struct FieldDef {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) label: String,
    pub(super) ftype: String,
    pub(super) options: Option<Vec<Value>>,
    pub(super) unique: bool,
    pub(super) nullable: bool,
    pub(super) system: bool,
    pub(super) custom: bool,
    /// Metadata `defaultValue` (quoted the way the server quotes it).
    pub(super) default: Value,
    pub(super) relation: Option<Relation>,
    pub(super) icon: Option<String>,
    pub(super) description: Option<String>,
}

/// One object's metadata.
#[derive(Debug, Clone)]
pub(super) struct ObjectDef {
    pub(super) id: String,
    pub(super) singular: String,
    pub(super) plural: String,
    pub(super) label_singular: String,
    pub(super) label_plural: String,
    pub(super) custom: bool,
    pub(super) system: bool,
    pub(super) description: Option<String>,
    pub(super) icon: Option<String>,
    /// Fields in the order the REST API prints them.
    pub(super) fields: Vec<FieldDef>,
}

/// A deterministic UUID-shaped id from a name (FNV-1a, two rounds).
pub(super) fn stable_id(name: &str) -> String {
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    let mut b: u64 = 0x8422_2325_cbf2_9ce4;
    for byte in name.bytes() {
        a = (a ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
        b = (b ^ u64::from(byte))
            .wrapping_mul(0x100_0000_01b3)
            .rotate_left(7);
    }
    let v = (u128::from(a) << 64) | u128::from(b);
    let v = (v & !(0xf000u128 << 64)) | (0x4000u128 << 64);
    let v = (v & !(0xc000u128 << 48)) | (0x8000u128 << 48);
    uuid::Uuid::from_u128(v).to_string()
}

/// Capitalise the first letter (`person` → `Person`).
pub(super) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn label_of(name: &str) -> String {
    let mut out = String::new();
    for (i, ch) in name.chars().enumerate() {
        if i == 0 {
            out.extend(ch.to_uppercase());
        } else if ch.is_ascii_uppercase() {
            out.push(' ');
            out.push(ch);
        } else {
            out.push(ch);
        }
    }
    out
}

impl FieldDef {
    /// A new standard field of `object`.
    pub(super) fn new(object: &str, name: &str, ftype: &str) -> Self {
        let default = match ftype {
            "TEXT" => json!("''"),
            "FULL_NAME" => json!({"firstName": "''", "lastName": "''"}),
            "LINKS" => {
                json!({"primaryLinkUrl": "''", "secondaryLinks": null, "primaryLinkLabel": "''"})
            }
            "EMAILS" => json!({"primaryEmail": "''", "additionalEmails": null}),
            "UUID" if name == "id" => json!("uuid"),
            "DATE_TIME" if name == "createdAt" || name == "updatedAt" => json!("now"),
            "POSITION" => json!(0),
            "ACTOR" => json!({"name": "''", "source": "'MANUAL'"}),
            _ => Value::Null,
        };
        let system = matches!(name, "id" | "position" | "searchVector")
            || (ftype == "RELATION"
                && matches!(
                    name,
                    "favorites"
                        | "attachments"
                        | "timelineActivities"
                        | "taskTargets"
                        | "noteTargets"
                ));
        FieldDef {
            id: stable_id(&format!("{object}.{name}")),
            name: name.into(),
            label: label_of(name),
            ftype: ftype.into(),
            options: None,
            unique: false,
            nullable: !matches!(
                name,
                "id" | "createdAt" | "updatedAt" | "position" | "createdBy"
            ),
            system,
            custom: false,
            default,
            relation: None,
            icon: None,
            description: None,
        }
    }
    fn unique(mut self, label: &str) -> Self {
        self.unique = true;
        self.label = label.into();
        self
    }
    fn options(mut self, object: &str, values: &[&str], default: Option<&str>) -> Self {
        let opts = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                json!({"id": stable_id(&format!("{object}.{}.{v}", self.name)), "value": v,
                       "label": label_of(&v.to_lowercase()), "color": "gray", "position": i})
            })
            .collect();
        self.options = Some(opts);
        self.default = default
            .map(|d| json!(format!("'{d}'")))
            .unwrap_or(Value::Null);
        self
    }
    fn m2o(mut self, target: &str, join: &str) -> Self {
        self.relation = Some(Relation::ManyToOne {
            target: target.into(),
            join: join.into(),
        });
        self
    }
    fn o2m(mut self, target: &str, join: &str) -> Self {
        self.relation = Some(Relation::OneToMany {
            target: target.into(),
            join: join.into(),
        });
        self
    }
    /// A relation (v1 `RELATION` or v2 `MORPH_RELATION`): no value of its own.
    pub(super) fn is_relation(&self) -> bool {
        self.ftype == "RELATION" || self.ftype == "MORPH_RELATION"
    }
    /// The join column this field owns, for a many-to-one relation.
    pub(super) fn join_column(&self) -> Option<&str> {
        match &self.relation {
            Some(Relation::ManyToOne { join, .. }) => Some(join),
            _ => None,
        }
    }
    /// The option values of a SELECT/MULTI_SELECT field.
    pub(super) fn option_values(&self) -> Vec<String> {
        self.options
            .iter()
            .flatten()
            .filter_map(|o| o.get("value").and_then(Value::as_str).map(str::to_string))
            .collect()
    }
}

fn object(id: Option<&str>, singular: &str, plural: &str, fields: Vec<FieldDef>) -> ObjectDef {
    ObjectDef {
        id: id
            .map(str::to_string)
            .unwrap_or_else(|| stable_id(singular)),
        singular: singular.into(),
        plural: plural.into(),
        label_singular: label_of(singular),
        label_plural: label_of(plural),
        custom: false,
        system: matches!(singular, "taskTarget" | "noteTarget" | "workspaceMember"),
        description: Some(format!("A {singular}")),
        icon: None,
        fields,
    }
}

/// The system tail every object shares (searchVector, id, timestamps).
pub(super) fn tail(o: &str) -> Vec<FieldDef> {
    vec![
        FieldDef::new(o, "searchVector", "TS_VECTOR"),
        FieldDef::new(o, "id", "UUID"),
        FieldDef::new(o, "createdAt", "DATE_TIME"),
        FieldDef::new(o, "updatedAt", "DATE_TIME"),
        FieldDef::new(o, "deletedAt", "DATE_TIME"),
    ]
}

fn links(o: &str, extra: &[(&str, &str)]) -> Vec<FieldDef> {
    let mut v: Vec<FieldDef> = ["favorites", "attachments", "timelineActivities"]
        .iter()
        .map(|n| FieldDef::new(o, n, "RELATION").o2m("none", "none"))
        .collect();
    for (name, target) in extra {
        v.push(FieldDef::new(o, name, "RELATION").o2m(target, &format!("{o}Id")));
    }
    v
}

fn target_object(o: &str, owner: &str, profile: Profile) -> ObjectDef {
    let mut f = vec![FieldDef::new(o, "id", "UUID")];
    f.push(FieldDef::new(o, "createdAt", "DATE_TIME"));
    f.push(FieldDef::new(o, "updatedAt", "DATE_TIME"));
    f.push(FieldDef::new(o, "deletedAt", "DATE_TIME"));
    if profile == Profile::V2 {
        // v2.21 (probe 06): createdBy, updatedBy and position were added.
        f.push(FieldDef::new(o, "position", "POSITION"));
        f.push(FieldDef::new(o, "createdBy", "ACTOR"));
        f.push(FieldDef::new(o, "updatedBy", "ACTOR"));
    }
    f.push(FieldDef::new(o, owner, "RELATION").m2o(owner, &format!("{owner}Id")));
    for t in ["person", "company", "opportunity"] {
        match profile {
            Profile::V1 => f.push(FieldDef::new(o, t, "RELATION").m2o(t, &format!("{t}Id"))),
            // v2.21 (probe 06): MORPH_RELATION fields `targetPerson`… with join columns
            // `targetPersonId`…; `personId` is an unknown field.
            Profile::V2 => {
                let name = format!("target{}", capitalize(t));
                let mut fd = FieldDef::new(o, &name, "MORPH_RELATION").m2o(t, &format!("{name}Id"));
                fd.label = "Target".into();
                f.push(fd);
            }
        }
    }
    object(None, o, &format!("{o}s"), f)
}

/// The standard objects the emulator serves, as the recorded server of `profile` printed them.
pub(super) fn standard_objects(profile: Profile) -> Vec<ObjectDef> {
    let v2 = profile == Profile::V2;
    // The body's type is RICH_TEXT_V2 on v1.4 and RICH_TEXT on v2.21 (live metadata).
    let rich_text = if v2 { "RICH_TEXT" } else { "RICH_TEXT_V2" };
    let p = "person";
    let mut person = vec![
        FieldDef::new(p, "name", "FULL_NAME"),
        FieldDef::new(p, "emails", "EMAILS").unique("Emails"),
        FieldDef::new(p, "linkedinLink", "LINKS"),
        FieldDef::new(p, "xLink", "LINKS"),
        FieldDef::new(p, "jobTitle", "TEXT"),
        FieldDef::new(p, "phones", "PHONES"),
        FieldDef::new(p, "city", "TEXT"),
        FieldDef::new(p, "avatarUrl", "TEXT"),
        FieldDef::new(p, "position", "POSITION"),
        FieldDef::new(p, "createdBy", "ACTOR"),
    ];
    if v2 {
        // v2.21: `city` and `xLink` are gone; `avatarFile` and `updatedBy` are new.
        person.retain(|f| !matches!(f.name.as_str(), "city" | "xLink"));
        person.push(FieldDef::new(p, "avatarFile", "FILES"));
        person.push(FieldDef::new(p, "updatedBy", "ACTOR"));
    }
    person.extend(tail(p));
    person.push(FieldDef::new(p, "company", "RELATION").m2o("company", "companyId"));
    person.push(
        FieldDef::new(p, "pointOfContactForOpportunities", "RELATION")
            .o2m("opportunity", "pointOfContactId"),
    );
    person.extend(links(
        p,
        &[("taskTargets", "taskTarget"), ("noteTargets", "noteTarget")],
    ));
    for n in ["messageParticipants", "calendarEventParticipants"] {
        person.push(FieldDef::new(p, n, "RELATION").o2m("none", "none"));
    }

    let c = "company";
    let mut company = vec![
        FieldDef::new(c, "name", "TEXT"),
        FieldDef::new(c, "domainName", "LINKS").unique("Domain Name"),
        FieldDef::new(c, "employees", "NUMBER"),
        FieldDef::new(c, "linkedinLink", "LINKS"),
        FieldDef::new(c, "xLink", "LINKS"),
        FieldDef::new(c, "annualRecurringRevenue", "CURRENCY"),
        FieldDef::new(c, "address", "ADDRESS"),
        FieldDef::new(c, "idealCustomerProfile", "BOOLEAN"),
        FieldDef::new(c, "position", "POSITION"),
        FieldDef::new(c, "createdBy", "ACTOR"),
    ];
    if v2 {
        // v2.21: employees, idealCustomerProfile, annualRecurringRevenue and xLink are gone;
        // annualRevenue and updatedBy are new.
        company.retain(|f| {
            !matches!(
                f.name.as_str(),
                "employees" | "xLink" | "annualRecurringRevenue" | "idealCustomerProfile"
            )
        });
        company.push(FieldDef::new(c, "annualRevenue", "CURRENCY"));
        company.push(FieldDef::new(c, "updatedBy", "ACTOR"));
    }
    company.extend(tail(c));
    company.push(
        FieldDef::new(c, "accountOwner", "RELATION").m2o("workspaceMember", "accountOwnerId"),
    );
    company.push(FieldDef::new(c, "people", "RELATION").o2m("person", "companyId"));
    company.push(FieldDef::new(c, "opportunities", "RELATION").o2m("opportunity", "companyId"));
    company.extend(links(
        c,
        &[("taskTargets", "taskTarget"), ("noteTargets", "noteTarget")],
    ));

    let o = "opportunity";
    let mut opp = vec![
        FieldDef::new(o, "name", "TEXT"),
        FieldDef::new(o, "amount", "CURRENCY"),
        FieldDef::new(o, "closeDate", "DATE_TIME"),
        FieldDef::new(o, "stage", "SELECT").options(
            o,
            &["NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER"],
            Some("NEW"),
        ),
        FieldDef::new(o, "position", "POSITION"),
        FieldDef::new(o, "createdBy", "ACTOR"),
    ];
    if v2 {
        opp.push(FieldDef::new(o, "updatedBy", "ACTOR"));
    }
    opp.extend(tail(o));
    opp.push(FieldDef::new(o, "pointOfContact", "RELATION").m2o("person", "pointOfContactId"));
    if v2 {
        // v2.21: opportunity.owner (a workspace member).
        opp.push(FieldDef::new(o, "owner", "RELATION").m2o("workspaceMember", "ownerId"));
    }
    opp.push(FieldDef::new(o, "company", "RELATION").m2o("company", "companyId"));
    opp.extend(links(
        o,
        &[("taskTargets", "taskTarget"), ("noteTargets", "noteTarget")],
    ));

    let t = "task";
    let mut task = vec![
        FieldDef::new(t, "position", "POSITION"),
        FieldDef::new(t, "title", "TEXT"),
        FieldDef::new(t, "bodyV2", rich_text),
        FieldDef::new(t, "dueAt", "DATE_TIME"),
        FieldDef::new(t, "status", "SELECT").options(
            t,
            &["TODO", "IN_PROGRESS", "DONE"],
            Some("TODO"),
        ),
        FieldDef::new(t, "createdBy", "ACTOR"),
    ];
    if v2 {
        task.push(FieldDef::new(t, "updatedBy", "ACTOR"));
    }
    task.extend(tail(t));
    task.push(FieldDef::new(t, "assignee", "RELATION").m2o("workspaceMember", "assigneeId"));
    task.extend(links(t, &[("taskTargets", "taskTarget")]));

    let n = "note";
    let mut note = vec![
        FieldDef::new(n, "position", "POSITION"),
        FieldDef::new(n, "title", "TEXT"),
        FieldDef::new(n, "bodyV2", rich_text),
        FieldDef::new(n, "createdBy", "ACTOR"),
    ];
    if v2 {
        note.push(FieldDef::new(n, "updatedBy", "ACTOR"));
    }
    note.extend(tail(n));
    note.extend(links(n, &[("noteTargets", "noteTarget")]));

    let w = "workspaceMember";
    let mut member = vec![
        FieldDef::new(w, "id", "UUID"),
        FieldDef::new(w, "position", "POSITION"),
        FieldDef::new(w, "name", "FULL_NAME"),
        FieldDef::new(w, "colorScheme", "TEXT"),
        FieldDef::new(w, "locale", "TEXT"),
        FieldDef::new(w, "avatarUrl", "TEXT"),
        FieldDef::new(w, "userEmail", "TEXT"),
        FieldDef::new(w, "calendarStartDay", "NUMBER"),
        FieldDef::new(w, "userId", "UUID"),
        FieldDef::new(w, "timeZone", "TEXT"),
        FieldDef::new(w, "dateFormat", "SELECT").options(
            w,
            &["SYSTEM", "MONTH_FIRST", "DAY_FIRST", "YEAR_FIRST"],
            Some("SYSTEM"),
        ),
        FieldDef::new(w, "timeFormat", "SELECT").options(
            w,
            &["SYSTEM", "HOUR_24", "HOUR_12"],
            Some("SYSTEM"),
        ),
        FieldDef::new(w, "searchVector", "TS_VECTOR"),
        FieldDef::new(w, "createdAt", "DATE_TIME"),
        FieldDef::new(w, "updatedAt", "DATE_TIME"),
        FieldDef::new(w, "deletedAt", "DATE_TIME"),
    ];
    member.push(FieldDef::new(w, "assignedTasks", "RELATION").o2m("task", "assigneeId"));
    member.push(
        FieldDef::new(w, "accountOwnerForCompanies", "RELATION").o2m("company", "accountOwnerId"),
    );

    vec![
        object(
            Some(if v2 {
                PERSON_OBJECT_ID_V2
            } else {
                PERSON_OBJECT_ID
            }),
            p,
            "people",
            person,
        ),
        object(None, c, "companies", company),
        object(None, o, "opportunities", opp),
        object(None, t, "tasks", task),
        object(None, n, "notes", note),
        target_object("taskTarget", "task", profile),
        target_object("noteTarget", "note", profile),
        object(None, w, "workspaceMembers", member),
    ]
}

/// The fields a custom object starts with (probe 14: `createOneObject`).
pub(super) fn custom_object_fields(o: &str) -> Vec<FieldDef> {
    let mut name = FieldDef::new(o, "name", "TEXT");
    name.default = json!("'Untitled'");
    let mut v = vec![FieldDef::new(o, "id", "UUID"), name];
    for f in ["createdAt", "updatedAt", "deletedAt"] {
        v.push(FieldDef::new(o, f, "DATE_TIME"));
    }
    v.push(FieldDef::new(o, "createdBy", "ACTOR"));
    v.push(FieldDef::new(o, "position", "POSITION"));
    v.push(FieldDef::new(o, "searchVector", "TS_VECTOR"));
    v.extend(links(o, &[]));
    v
}
