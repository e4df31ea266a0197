//! A realistic User.com CSV export at any size: one file per object, written as the export
//! is described in `reference/sources.md` §1.7 (and where that is UNCONFIRMED, as a
//! PostgreSQL-backed export would write it): a UTF-8 byte-order mark, CRLF line ends,
//! booleans `t`/`f`, choice fields and tags as PostgreSQL arrays (`{a,"b, c"}`), date-times
//! mostly as `YYYY-MM-DD HH:MM:SS[.ffffff]+00` and some as ISO 8601, JSON documents in
//! cells, quoted line breaks.
//!
//! The dirt a migration must handle is deliberate and counted in [`SampleSummary`]:
//! duplicate users (the same email in another case, padded with spaces), malformed emails,
//! anonymous visitors (not billable), users and deals pointing at companies that were never
//! exported, duplicate company names, long texts, non-ASCII names, agents who will not be
//! workspace members, deals in every status, meeting and informational events, calls with
//! durations and dispositions, chat transcripts, custom attributes (a `fixed` choice among
//! them), tags and segments.
//!
//! Rows come from the same generator the emulator serves, so the CSV and the API paths give
//! the same records. Writing streams row by row: memory does not grow with the size.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crm_core::Result;

use super::dataset::{Dataset, Row, AGENTS, ATTRIBUTES};

/// The workspace members file written beside the export (`email,first_name,last_name`): the
/// agents the destination workspace will have as members.
pub const MEMBERS_FILE: &str = "workspace_members.csv";

/// The attribute schema file written beside the export (`GET attributes/` as CSV).
pub const ATTRIBUTES_FILE: &str = "attributes.csv";

/// What [`generate`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SampleSummary {
    /// Rows per exported object file (`users`, `companies`, …), in the order written.
    pub objects: Vec<(String, usize)>,
    /// Chat messages inside the conversations' `transcript` cells.
    pub conversation_messages: usize,
    /// Workspace members written to [`MEMBERS_FILE`].
    pub members: usize,
    /// Custom attributes written to [`ATTRIBUTES_FILE`].
    pub attributes: usize,
    /// Users with no email, phone or custom id (anonymous visitors, not billable).
    pub anonymous_users: usize,
    /// Users that repeat an earlier user's email in another case, padded with spaces.
    pub duplicate_users: usize,
    /// Users whose email is malformed.
    pub invalid_emails: usize,
    /// Deals pointing at a company that is not in the export.
    pub orphan_deals: usize,
}

impl SampleSummary {
    /// Rows written for `object` (0 if it has no file).
    pub fn count(&self, object: &str) -> usize {
        self.objects
            .iter()
            .find(|(o, _)| o == object)
            .map_or(0, |(_, n)| *n)
    }
}

const EVENT_COLUMNS: &[&str] = &["id", "user_id", "event_name", "datetime", "data"];
const CONVERSATION_COLUMNS: &[&str] = &[
    "id",
    "user_id",
    "user_email",
    "user_name",
    "user_key",
    "agent",
    "active",
    "messages",
    "created_at",
    "transcript",
];

/// One export file: a BOM, a header, CRLF rows.
struct ExportFile {
    writer: csv::Writer<BufWriter<File>>,
    columns: Vec<&'static str>,
    rows: usize,
}

impl ExportFile {
    fn create(dir: &Path, object: &str, columns: Vec<&'static str>) -> Result<Self> {
        let mut file = BufWriter::new(File::create(dir.join(format!("{object}.csv")))?);
        file.write_all(b"\xEF\xBB\xBF")?;
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(file);
        writer.write_record(&columns)?;
        Ok(Self {
            writer,
            columns,
            rows: 0,
        })
    }

    fn put(&mut self, row: &Row) -> Result<()> {
        let cells = self
            .columns
            .iter()
            .map(|c| row.get(c).map(|v| v.csv()).unwrap_or_default());
        self.writer.write_record(cells)?;
        self.rows += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<usize> {
        self.writer.flush()?;
        Ok(self.rows)
    }
}

fn columns(row: &Row) -> Vec<&'static str> {
    row.cells.iter().map(|(c, _)| *c).collect()
}

/// Writes a User.com export of about `records` users (at least 12; companies, deals,
/// activities, events, conversations in proportion, six agents) into `dir`, plus
/// [`MEMBERS_FILE`] and [`ATTRIBUTES_FILE`]. Deterministic from `seed`; streams, so memory
/// does not grow with `records`.
pub fn generate(dir: &Path, records: usize, seed: u64) -> Result<SampleSummary> {
    std::fs::create_dir_all(dir)?;
    let data = Dataset::new(records, seed);
    let mut summary = SampleSummary::default();

    let mut f = ExportFile::create(dir, "users", columns(&data.user(1)))?;
    for i in 1..=data.users {
        f.put(&data.user(i))?;
        summary.anonymous_users += usize::from(data.is_anonymous(i));
        summary.duplicate_users += usize::from(data.duplicate_of(i).is_some());
        summary.invalid_emails += usize::from(data.has_invalid_email(i));
    }
    summary.objects.push(("users".into(), f.finish()?));

    let mut f = ExportFile::create(dir, "companies", columns(&data.company(1)))?;
    for c in 1..=data.companies {
        f.put(&data.company(c))?;
    }
    summary.objects.push(("companies".into(), f.finish()?));

    let mut f = ExportFile::create(dir, "deals", columns(&data.deal(1)))?;
    for d in 1..=data.deals {
        let deal = data.deal(d);
        let orphan = matches!(deal.get("company_id"), Some(super::dataset::Val::Int(c)) if *c as u64 > data.companies);
        summary.orphan_deals += usize::from(orphan);
        f.put(&deal)?;
    }
    summary.objects.push(("deals".into(), f.finish()?));

    let mut f = ExportFile::create(dir, "activities", columns(&data.activity(1)))?;
    for a in 1..=data.activities {
        f.put(&data.activity(a))?;
    }
    summary.objects.push(("activities".into(), f.finish()?));

    let mut f = ExportFile::create(dir, "events", EVENT_COLUMNS.to_vec())?;
    for u in 1..=data.users {
        for e in data.events_of(u) {
            f.put(&e)?;
        }
    }
    summary.objects.push(("events".into(), f.finish()?));

    let mut f = ExportFile::create(dir, "conversations", CONVERSATION_COLUMNS.to_vec())?;
    for u in 1..=data.users {
        if let Some((c, messages)) = data.conversation_of(u) {
            f.put(&c)?;
            summary.conversation_messages += messages.len();
        }
    }
    summary.objects.push(("conversations".into(), f.finish()?));

    let agents: Vec<Row> = (1..=AGENTS.len() as u64)
        .filter_map(|i| data.agent(i))
        .collect();
    let mut f = ExportFile::create(
        dir,
        "agents",
        agents.first().map(columns).unwrap_or_default(),
    )?;
    for a in &agents {
        f.put(a)?;
    }
    summary.objects.push(("agents".into(), f.finish()?));

    let attributes: Vec<Row> = (1..=ATTRIBUTES.len() as u64)
        .filter_map(|i| data.attribute(i))
        .collect();
    let mut w = csv::Writer::from_path(dir.join(ATTRIBUTES_FILE))?;
    let head = attributes.first().map(columns).unwrap_or_default();
    w.write_record(&head)?;
    for a in &attributes {
        w.write_record(
            head.iter()
                .map(|c| a.get(c).map(|v| v.csv()).unwrap_or_default()),
        )?;
    }
    w.flush()?;
    summary.attributes = attributes.len();

    let mut m = csv::Writer::from_path(dir.join(MEMBERS_FILE))?;
    m.write_record(["email", "first_name", "last_name"])?;
    for (email, first, last, member) in AGENTS {
        if *member {
            m.write_record([email, first, last])?;
            summary.members += 1;
        }
    }
    m.flush()?;
    Ok(summary)
}
