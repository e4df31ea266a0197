//! `discovery.md` (for a person) and `discovery.json` (for the proposer).

use std::fmt::Write as _;
use std::path::Path;

use crm_core::{Error, Result};

use super::profile::DISTINCT_CAP;
use super::{Discovery, FieldProfile, InferredType, ObjectProfile};

/// Samples shown per field in the Markdown table (all of them are in the JSON).
const SAMPLES_SHOWN: usize = 3;
/// Characters shown per sample in the Markdown table.
const SAMPLE_SHOWN_CHARS: usize = 40;
/// Choice values shown in a note.
const VALUES_SHOWN: usize = 12;

impl Discovery {
    /// The discovery as Markdown: a summary of the objects, then per object a table of its
    /// fields (type, fit, empty, distinct, duplicates, longest value, samples) and notes on
    /// what needs a person's eye (values that do not fit, mostly empty fields, date order,
    /// choice values).
    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(md, "# Discovery: `{}`\n", self.source);
        let _ = writeln!(
            md,
            "Types are inferred from every value read. **fit**: share of filled values that \
             read as the type (⚠ below 100 %); **empty**: share of records without a value; \
             **dup.**: share of filled values repeating an earlier one; **distinct** stops \
             counting at {} (shown `≥`).\n",
            thousands(DISTINCT_CAP as u64)
        );
        md.push_str("| object | records | fields |\n| --- | ---: | ---: |\n");
        for o in &self.objects {
            let _ = writeln!(
                md,
                "| {} | {} | {} |",
                cell(&o.name),
                thousands(o.count),
                o.fields.len()
            );
        }
        if !self.notes.is_empty() {
            md.push_str("\n## About this export\n\n");
            for n in &self.notes {
                let _ = writeln!(md, "- {}", n.replace(['\r', '\n'], " "));
            }
        }
        for o in &self.objects {
            object_section(&mut md, o);
        }
        md
    }

    /// Writes `discovery.json` and `discovery.md` into `dir`, creating it if needed.
    pub fn write(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::from(e).with_operation(format!("create {}", dir.display())))?;
        let json = serde_json::to_string_pretty(self)?;
        for (name, body) in [
            ("discovery.json", json),
            ("discovery.md", self.to_markdown()),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, body)
                .map_err(|e| Error::from(e).with_operation(format!("write {}", path.display())))?;
        }
        Ok(())
    }
}

fn object_section(md: &mut String, o: &ObjectProfile) {
    let _ = writeln!(
        md,
        "\n## {}\n\n{} records, {} fields.\n",
        o.name,
        thousands(o.count),
        o.fields.len()
    );
    if o.damaged > 0 {
        let _ = writeln!(
            md,
            "**{} rows could not be read whole** (short or long rows, a broken quote, bad bytes): they are not profiled, and a run rejects each naming its file and line. Fix them in the export first.\n",
            thousands(o.damaged)
        );
    }
    if o.fields.is_empty() {
        return;
    }
    md.push_str("| field | type | fit | empty | distinct | dup. | max len | samples |\n");
    md.push_str("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for f in &o.fields {
        let fit = match f.inferred {
            InferredType::Empty => "—".to_string(),
            _ if f.fit < 1.0 => format!("{} ⚠", percent(f.fit)),
            _ => percent(f.fit),
        };
        let distinct = if f.distinct_capped {
            format!("≥ {}", thousands(f.distinct))
        } else {
            thousands(f.distinct)
        };
        let samples: Vec<String> = f
            .samples
            .iter()
            .take(SAMPLES_SHOWN)
            .map(|s| {
                format!(
                    "`{}`",
                    cell(&shorten(s, SAMPLE_SHOWN_CHARS)).replace('`', "'")
                )
            })
            .collect();
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&f.name),
            type_name(f.inferred),
            fit,
            percent(f.null_rate),
            distinct,
            percent(f.duplicate_rate),
            f.max_len,
            samples.join(" · ")
        );
    }
    let notes: Vec<String> = o.fields.iter().flat_map(|f| notes(f, o.count)).collect();
    if !notes.is_empty() {
        md.push_str("\nNotes:\n\n");
        for n in notes {
            let _ = writeln!(md, "- {n}");
        }
    }
}

/// What a person should look at in one field.
fn notes(f: &FieldProfile, count: u64) -> Vec<String> {
    let name = format!("`{}`", f.name.replace('`', "'"));
    let mut out = Vec::new();
    match f.inferred {
        InferredType::Empty if count > 0 => out.push(format!("{name}: no values at all.")),
        InferredType::Empty | InferredType::Text | InferredType::Choice => {}
        ty if f.fit < 1.0 => {
            let misfits = f.filled - (f.fit * f.filled as f64).round() as u64;
            out.push(format!(
                "{name}: {} of {} values ({}) do not read as {}; they will be rejected or \
                 kept as text.",
                thousands(misfits),
                thousands(f.filled),
                percent(1.0 - f.fit),
                type_name(ty)
            ));
        }
        _ => {}
    }
    if f.filled > 0 && f.null_rate >= 0.5 {
        out.push(format!("{name}: mostly empty ({}).", percent(f.null_rate)));
    }
    if let Some(order) = &f.date_order {
        let what = match order.as_str() {
            "day_first" => "day first (DD/MM/YYYY)".to_string(),
            "month_first" => "month first (MM/DD/YYYY)".to_string(),
            "conflicting" => "some day first, some month first: the column is mixed".to_string(),
            _ => "day and month cannot be told apart: say which order the export uses".to_string(),
        };
        out.push(format!("{name}: dates are written {what}."));
    }
    if !f.values.is_empty() {
        let shown: Vec<String> = f
            .values
            .iter()
            .take(VALUES_SHOWN)
            .map(|v| format!("`{}`", shorten(v, SAMPLE_SHOWN_CHARS).replace('`', "'")))
            .collect();
        let hidden = (f.values.len().saturating_sub(VALUES_SHOWN)) as u64 + f.values_omitted;
        let more = if hidden > 0 {
            format!(" and {hidden} more")
        } else {
            String::new()
        };
        out.push(format!(
            "{name}: values, most frequent first: {}{more}.",
            shown.join(", ")
        ));
    }
    if f.distinct_capped {
        out.push(format!(
            "{name}: more than {} distinct values; duplicates were measured over the first {}.",
            thousands(f.distinct),
            thousands(f.distinct)
        ));
    }
    out
}

/// The type as written in the table (its JSON name).
fn type_name(t: InferredType) -> &'static str {
    match t {
        InferredType::Empty => "empty",
        InferredType::Text => "text",
        InferredType::Integer => "integer",
        InferredType::Number => "number",
        InferredType::Boolean => "boolean",
        InferredType::DateTime => "date_time",
        InferredType::Date => "date",
        InferredType::Email => "email",
        InferredType::Phone => "phone",
        InferredType::Url => "url",
        InferredType::Money => "money",
        InferredType::Json => "json",
        InferredType::Choices => "choices",
        InferredType::Choice => "choice",
    }
}

/// `0.0153` → `1.5 %`; exactly 0 and 1 without a decimal.
fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p == 0.0 || p == 100.0 {
        format!("{p:.0} %")
    } else if p < 0.1 {
        "< 0.1 %".to_string()
    } else if p > 99.9 {
        "> 99.9 %".to_string()
    } else {
        format!("{p:.1} %")
    }
}

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Text safe inside a Markdown table cell: no line breaks, pipes escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], "⏎")
}

fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}
