//! Why records did not simply load, grouped: "2 agents are not members → 2,990 records"
//! instead of 2,990 lines with the same cause.

use std::collections::HashMap;

use serde::Serialize;

use crate::journal::{Journal, NoticeKind, Outcome};
use crate::Result;

/// Records (or values, or links) that share one cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonGroup {
    /// What happened to them: `rejected`, `queued`, `skipped`, `value left out`,
    /// `link not made`.
    pub what: &'static str,
    /// Object (phase).
    pub object: String,
    /// The cause, with the record-specific parts (quoted values, numbers, keys) blanked.
    pub cause: String,
    /// How many.
    pub count: u64,
    /// One full reason, as reported for the first of them.
    pub example: String,
}

impl ReasonGroup {
    /// What a person does about this group.
    pub fn next_step(&self) -> &'static str {
        match self.what {
            "rejected" => "fix the values in the export or the mapping (rejects.csv), then run with --delta",
            "queued" if self.cause.contains("invite") => "invite them to the workspace (or set owner_fallback in the mapping), then run with --delta",
            "queued" if self.cause.contains("conflict") => "decide which value wins; run with --delta --overwrite-conflicts to replace it",
            "queued" => "read review_queue.csv, fix the cause, then run with --delta",
            "value left out" => "the record loaded without it; fix it in the export or the mapping, then run with --delta",
            "link not made" if self.cause.contains("invite") => "the record loaded without it; invite them (or set owner_fallback), then run with --delta",
            "link not made" => "the record loaded without it; a --delta run makes it once the target exists",
            _ => "nothing to do: deliberately not migrated",
        }
    }
}

/// The causes of `run`'s rejects, queued and skipped records, values left out and links not
/// made, largest group first.
pub fn reason_groups(journal: &dyn Journal, run: i64) -> Result<Vec<ReasonGroup>> {
    let mut groups: HashMap<(&'static str, String, String), (u64, String)> = HashMap::new();
    let mut add = |what: &'static str, object: &str, reason: &str| {
        let e = groups
            .entry((what, object.to_string(), cause_of(reason)))
            .or_insert_with(|| (0, reason.to_string()));
        e.0 += 1;
    };
    for (what, outcome) in [
        ("rejected", Outcome::Rejected),
        ("queued", Outcome::Queued),
        ("skipped", Outcome::Skipped),
    ] {
        for r in journal.rows(run, outcome)? {
            add(what, &r.object, r.reason.as_deref().unwrap_or(""));
        }
    }
    for (what, kind) in [
        ("value left out", NoticeKind::ValueDropped),
        ("link not made", NoticeKind::LinkNotMade),
    ] {
        for n in journal.notices(run, kind)? {
            add(what, &n.object, &n.notice.reason);
        }
    }
    let mut out: Vec<ReasonGroup> = groups
        .into_iter()
        .map(|((what, object, cause), (count, example))| ReasonGroup {
            what,
            object,
            cause,
            count,
            example,
        })
        .collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.what.cmp(b.what))
            .then_with(|| a.object.cmp(&b.object))
            .then_with(|| a.cause.cmp(&b.cause))
    });
    Ok(out)
}

/// A reason with its record-specific parts blanked: quoted text becomes `"…"`, runs of
/// digits `N`, and `system/object/id` keys `<record>`, so that reasons with one cause meet.
pub fn cause_of(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    let mut chars = reason.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                for d in chars.by_ref() {
                    if d == '"' {
                        break;
                    }
                }
                out.push_str("\"…\"");
            }
            d if d.is_ascii_digit() => {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
                out.push('N');
            }
            c => out.push(c),
        }
    }
    // Source keys (`usercom/agents/N`) name one record each.
    out.split(' ')
        .map(|w| {
            if w.matches('/').count() >= 2 && !w.contains("://") {
                "<record>"
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_with_one_cause_meet() {
        let a = cause_of("link not made (usercom/agents/3 is not a member of the destination workspace: invite them, or set owner_fallback)");
        let b = cause_of("link not made (usercom/agents/17 is not a member of the destination workspace: invite them, or set owner_fallback)");
        assert_eq!(a, b);
        assert!(a.contains("<record>"), "{a}");
        assert_eq!(
            cause_of("\"zoe\" is not an option of person.plan (GOLD, SILVER)"),
            "\"…\" is not an option of person.plan (GOLD, SILVER)"
        );
        assert_eq!(cause_of("line 12: 4 cells"), "line N: N cells");
        assert_ne!(cause_of("no company"), cause_of("no person"));
    }
}
