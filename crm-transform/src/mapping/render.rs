//! Writing and reading the spec as TOML. Writing is by hand so that each proposed line
//! carries its confidence, flag and sample values as comments a person reads.

use std::fmt::Write;

use super::spec::{Condition, FieldMapping, MappingSpec};

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn cond(c: &Condition) -> String {
    let mut parts = vec![format!("field = {}", q(&c.field))];
    if !c.equals.is_empty() {
        let v: Vec<String> = c.equals.iter().map(|x| q(x)).collect();
        parts.push(format!("equals = [{}]", v.join(", ")));
    }
    if let Some(e) = c.empty {
        parts.push(format!("empty = {e}"));
    }
    format!("{{ {} }}", parts.join(", "))
}

fn field(out: &mut String, f: &FieldMapping) {
    let _ = writeln!(out, "\n[[objects.fields]]");
    let mut note = Vec::new();
    if let Some(c) = f.confidence {
        note.push(format!("confidence {c:.2}"));
    }
    if !f.samples.is_empty() {
        let s: Vec<String> = f
            .samples
            .iter()
            .take(3)
            .map(|x| format!("{:?}", truncate(x, 40)))
            .collect();
        note.push(format!("samples {}", s.join(", ")));
    }
    if !note.is_empty() {
        let _ = writeln!(out, "# {}", note.join(" · "));
    }
    if let Some(flag) = &f.flag {
        let _ = writeln!(out, "# CHECK: {flag}");
    }
    let _ = writeln!(out, "source = {}", q(&f.source));
    let _ = writeln!(out, "target = {}", q(&f.target));
    let t = serde_json::to_value(f.transform)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let _ = writeln!(out, "transform = {}", q(&t));
    if let Some(o) = &f.ref_object {
        let _ = writeln!(out, "ref_object = {}", q(o));
    }
    if let Some(o) = &f.ref_source {
        let _ = writeln!(out, "ref_source = {}", q(o));
    }
    if let Some(c) = &f.currency {
        let _ = writeln!(out, "currency = {}", q(c));
    }
    if f.on_error != Default::default() {
        let e = serde_json::to_value(f.on_error)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let _ = writeln!(out, "on_error = {}", q(&e));
    }
    if let Some(k) = &f.keep_raw_in {
        let _ = writeln!(out, "keep_raw_in = {}", q(k));
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

impl MappingSpec {
    /// The spec as commented TOML.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# crm-migrate mapping: {} → {}",
            self.meta.source, self.meta.destination
        );
        let _ = writeln!(
            out,
            "# Read every line, fix what is wrong (lines marked CHECK first), then confirm:"
        );
        let _ = writeln!(out, "#   crm-migrate map --confirm <this file>");
        let _ = writeln!(
            out,
            "# Nothing moves to a real destination until it is confirmed; editing it afterwards"
        );
        let _ = writeln!(
            out,
            "# needs a new confirmation. Comments are not part of the mapping.\n"
        );
        // Serialised under their own keys so nested tables come out as `[policies.dedupe]`.
        #[derive(serde::Serialize)]
        struct Head<'a> {
            meta: &'a super::spec::Meta,
            policies: &'a super::spec::Policies,
        }
        let head = toml::to_string(&Head {
            meta: &self.meta,
            policies: &self.policies,
        })
        .unwrap_or_default();
        let _ = writeln!(out, "{head}");
        for o in &self.objects {
            let _ = writeln!(out, "\n# ── {} → {} ──", o.source, o.target);
            let _ = writeln!(out, "[[objects]]");
            let _ = writeln!(out, "source = {}", q(&o.source));
            let _ = writeln!(out, "target = {}", q(&o.target));
            let _ = writeln!(out, "id = {}", q(&o.id));
            if let Some(c) = &o.created_at {
                let _ = writeln!(out, "created_at = {}", q(c));
            }
            if let Some(c) = &o.updated_at {
                let _ = writeln!(out, "updated_at = {}", q(c));
            }
            if let Some(c) = &o.when {
                let _ = writeln!(out, "when = {}", cond(c));
            }
            if let Some(c) = &o.skip_when {
                let _ = writeln!(out, "skip_when = {}", cond(c));
            }
            if let Some(r) = &o.skip_reason {
                let _ = writeln!(out, "skip_reason = {}", q(r));
            }
            if !o.constants.is_empty() {
                let c: Vec<String> = o
                    .constants
                    .iter()
                    .map(|(k, v)| format!("{} = {}", q(k), q(v)))
                    .collect();
                let _ = writeln!(out, "constants = {{ {} }}", c.join(", "));
            }
            for (target, map) in &o.value_maps {
                let _ = writeln!(out, "\n[objects.value_maps.{}]", q(target));
                for (from, to) in map {
                    let _ = writeln!(out, "{} = {}", q(from), q(to));
                }
            }
            for f in &o.fields {
                field(&mut out, f);
            }
        }
        for o in &self.custom_objects {
            let _ = writeln!(out, "\n[[custom_objects]]");
            out.push_str(&toml::to_string(o).unwrap_or_default());
        }
        for c in &self.custom_fields {
            let _ = writeln!(out, "\n[[custom_fields]]");
            out.push_str(&toml::to_string(c).unwrap_or_default());
        }
        out
    }

    /// Parses a spec, with the line and column of any error.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| format!("mapping is not valid: {e}"))
    }

    /// Reads a spec file.
    pub fn load(path: &std::path::Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Writes a spec file.
    pub fn save(&self, path: &std::path::Path) -> Result<(), String> {
        std::fs::write(path, self.to_toml())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::spec::*;
    use super::super::Confirmation;

    fn spec() -> MappingSpec {
        let mut s = MappingSpec::default();
        s.meta.source = "usercom".into();
        s.meta.destination = "twenty".into();
        let mut stages = std::collections::BTreeMap::new();
        stages.insert("won".to_string(), "CUSTOMER".to_string());
        let mut vm = std::collections::BTreeMap::new();
        vm.insert("stage".to_string(), stages);
        s.objects.push(ObjectMapping {
            source: "deals".into(),
            target: "opportunity".into(),
            id: "id".into(),
            created_at: Some("Created On".into()),
            updated_at: None,
            when: None,
            skip_when: Some(Condition {
                field: "status".into(),
                equals: vec!["archived".into()],
                empty: None,
            }),
            skip_reason: Some("archived deals are not migrated".into()),
            constants: Default::default(),
            fields: vec![FieldMapping {
                source: "E-mail \"Address\"".into(),
                target: "emails".into(),
                transform: Transform::Emails,
                ref_object: None,
                ref_source: None,
                currency: Some("Currency".into()),
                on_error: OnError::Queue,
                keep_raw_in: Some("rawEmail".into()),
                confidence: Some(0.93),
                flag: Some("two columns look like emails".into()),
                samples: vec!["a@x.io".into()],
            }],
            value_maps: vm,
        });
        s.custom_fields.push(CustomField {
            object: "person".into(),
            name: "planTier".into(),
            label: "Plan tier".into(),
            ty: CustomFieldType::Select,
            options: vec!["FREE".into(), "PRO".into()],
        });
        s
    }

    #[test]
    fn toml_round_trips_and_carries_comments() {
        let s = spec();
        let text = s.to_toml();
        assert!(
            text.contains("# confidence 0.93 · samples \"a@x.io\""),
            "{text}"
        );
        assert!(
            text.contains("# CHECK: two columns look like emails"),
            "{text}"
        );
        let back = MappingSpec::from_toml(&text).unwrap();
        assert_eq!(back.checksum(), s.checksum());
        assert_eq!(back.objects[0].value_maps["stage"]["won"], "CUSTOMER");
        assert_eq!(back.objects[0].fields[0].on_error, OnError::Queue);
        assert_eq!(
            back.objects[0].fields[0].keep_raw_in.as_deref(),
            Some("rawEmail")
        );
        assert_eq!(
            back.objects[0].fields[0].currency.as_deref(),
            Some("Currency")
        );
        assert_eq!(back.custom_fields, s.custom_fields);
    }

    #[test]
    fn confirmation_survives_reformatting_but_not_edits() {
        let mut s = spec();
        assert_eq!(s.confirmation(), Confirmation::Unconfirmed);
        assert!(s
            .require_confirmed("m.toml")
            .unwrap_err()
            .contains("map --confirm m.toml"));
        s.confirm();
        let text = s.to_toml();
        let reread = MappingSpec::from_toml(&format!("# my note\n{text}")).unwrap();
        assert_eq!(reread.confirmation(), Confirmation::Confirmed);
        let edited = text.replace("\"CUSTOMER\"", "\"PROPOSAL\"");
        let edited = MappingSpec::from_toml(&edited).unwrap();
        assert_eq!(edited.confirmation(), Confirmation::EditedSinceConfirmed);
        assert!(edited
            .require_confirmed("m.toml")
            .unwrap_err()
            .contains("edited after"));
    }

    #[test]
    fn edited_policies_survive_a_round_trip() {
        let mut s = spec();
        s.policies
            .dedupe
            .insert("opportunity".into(), "name".into());
        s.policies.dedupe.remove("company");
        let text = s.to_toml();
        assert!(text.contains("[policies.dedupe]"), "{text}");
        let back = MappingSpec::from_toml(&text).unwrap();
        assert_eq!(back.policies, s.policies);
        assert_eq!(back.meta, s.meta);
    }

    #[test]
    fn errors_name_the_line() {
        let e = MappingSpec::from_toml("[[objects]]\nsource = 1\n").unwrap_err();
        assert!(e.contains("line"), "{e}");
    }
}
