//! The profiler: reads every record of every object once and keeps, per field, counters of
//! fixed size — so memory does not grow with the number of records.
//!
//! Per field it keeps:
//!
//! | what | bound |
//! | --- | --- |
//! | filled count, per-type fit counters, longest value | a few integers |
//! | distinct values, as 64-bit hashes | [`DISTINCT_CAP`] hashes, then `distinct_capped` |
//! | samples (first distinct values) | [`SAMPLES`] values of at most [`SAMPLE_CHARS`] characters |
//! | counts of short values (for choice detection) | [`TOP_CAP`] values |
//! | counts of list elements (`{a,b}`, `["a"]`, `a\|b`) | [`TOP_CAP`] elements |
//! | what slash dates say about day/month order | three flags |
//!
//! Duplicates are counted over the values read until the distinct set is full (a prefix of
//! the data): past the cap a new value cannot be told from a repeat of one not kept.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use crm_core::{Error, RawRecord, Result, Source};

use super::infer::{classify, flag, pick, Classified, Fits};
use super::{Discovery, FieldProfile, InferredType, ObjectProfile};
use crate::normalise::DateOrderGuess;

/// Distinct values counted per field before counting stops (`distinct_capped`).
pub const DISTINCT_CAP: usize = 10_000;
/// Samples kept per field.
pub const SAMPLES: usize = 5;
/// Longest sample kept, in characters (longer ones are cut and end with `…`).
pub const SAMPLE_CHARS: usize = 120;
/// Values (and list elements) whose frequency is counted per field, for choice lists.
pub const TOP_CAP: usize = 1_000;
/// Most values listed in [`FieldProfile::values`]; the rest are counted in
/// [`FieldProfile::values_omitted`].
pub const VALUES_LISTED: usize = 500;

/// Profiles every record of `objects` (all of the source's objects when empty), reading at
/// most `max_records` records of each, and returns the discovery document.
///
/// Records are read a page at a time through [`Source::read_page`] — the loop
/// [`crm_core::SourceExt::stream`] runs — and each page is dropped once profiled, so memory
/// is one page plus the fixed-size counters of [`ObjectProfiler`].
pub async fn discover(
    source: &dyn Source,
    objects: &[String],
    max_records: Option<u64>,
) -> Result<Discovery> {
    let names = if objects.is_empty() {
        source.objects().await?
    } else {
        objects.to_vec()
    };
    let mut out = Vec::with_capacity(names.len());
    for object in names {
        let mut profiler = ObjectProfiler::new(&object);
        let mut cursor: Option<String> = None;
        'pages: loop {
            if max_records.is_some_and(|m| profiler.count() >= m) {
                break;
            }
            let page = source
                .read_page(&object, cursor.clone())
                .await
                .map_err(|e| e.with_operation("discover").with_object(&object))?;
            for record in &page.items {
                if max_records.is_some_and(|m| profiler.count() >= m) {
                    break 'pages;
                }
                profiler.push(record);
            }
            match page.next {
                Some(next) if Some(&next) == cursor.as_ref() => {
                    return Err(Error::unexpected(format!(
                        "the source returned the same cursor {next:?} twice while reading {object}"
                    )));
                }
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        out.push(profiler.finish());
    }
    Ok(Discovery {
        source: source.system().to_string(),
        objects: out,
        notes: Vec::new(),
    })
}

/// Profiles the records of one object, one at a time, in bounded memory (see the module
/// docs); [`discover`] runs one per object.
#[derive(Debug, Clone)]
pub struct ObjectProfiler {
    name: String,
    count: u64,
    damaged: u64,
    pub(crate) fields: Vec<FieldStats>,
    index: HashMap<String, usize>,
}

impl ObjectProfiler {
    /// A profiler for the object `name`.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            count: 0,
            damaged: 0,
            fields: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// Records profiled so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Profiles one record. A field missing from a record counts as empty in it; fields are
    /// listed in the order they are first seen.
    pub fn push(&mut self, record: &RawRecord) {
        self.count += 1;
        if record.damage().is_some() {
            // Its cells may have shifted: profiling them would propose columns like
            // `_extra_1` and types from misplaced values.
            self.damaged += 1;
            return;
        }
        for (name, value) in &record.fields {
            let i = match self.index.get(name) {
                Some(&i) => i,
                None => {
                    self.fields.push(FieldStats::new(name));
                    self.index.insert(name.clone(), self.fields.len() - 1);
                    self.fields.len() - 1
                }
            };
            if let Some(c) = classify(value) {
                self.fields[i].add(&c);
            }
        }
    }

    /// The object's profile.
    pub fn finish(self) -> ObjectProfile {
        let count = self.count;
        ObjectProfile {
            name: self.name,
            count,
            damaged: self.damaged,
            // Rates are over the rows that were profiled.
            fields: self
                .fields
                .into_iter()
                .map(|f| f.finish(count - self.damaged))
                .collect(),
        }
    }
}

/// The running counters of one field.
#[derive(Debug, Clone)]
pub(crate) struct FieldStats {
    name: String,
    fits: Fits,
    seen: HashSet<u64>,
    /// Filled values read while the distinct set had room, and the repeats among them.
    counted: u64,
    repeats: u64,
    pub(crate) samples: Vec<String>,
    max_len: usize,
    pub(crate) top: HashMap<String, u64>,
    pub(crate) items: HashMap<String, u64>,
    /// Distinct list items, as hashes (up to [`DISTINCT_CAP`]).
    item_hashes: HashSet<u64>,
    /// Most items in one list cell.
    max_items: usize,
    dates: (bool, bool, bool),
}

impl FieldStats {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            fits: Fits::default(),
            seen: HashSet::new(),
            counted: 0,
            repeats: 0,
            samples: Vec::new(),
            max_len: 0,
            top: HashMap::new(),
            items: HashMap::new(),
            item_hashes: HashSet::new(),
            max_items: 0,
            dates: (false, false, false),
        }
    }

    fn add(&mut self, c: &Classified) {
        self.fits.add(c);
        self.max_len = self.max_len.max(c.text.chars().count());
        let mut h = DefaultHasher::new();
        c.text.hash(&mut h);
        let hash = h.finish();
        if !self.fits.capped {
            if self.seen.contains(&hash) {
                self.counted += 1;
                self.repeats += 1;
            } else if self.seen.len() < DISTINCT_CAP {
                self.seen.insert(hash);
                self.counted += 1;
                if self.samples.len() < SAMPLES {
                    self.samples.push(cut(&c.text));
                }
            } else {
                self.fits.capped = true;
            }
        }
        if c.has(flag::SHORT) {
            bump(&mut self.top, &c.text);
        }
        self.max_items = self.max_items.max(c.items.len());
        for item in &c.items {
            if self.item_hashes.len() < DISTINCT_CAP {
                let mut h = DefaultHasher::new();
                item.hash(&mut h);
                self.item_hashes.insert(h.finish());
            }
            if item.chars().count() <= super::infer::SHORT_CHARS {
                bump(&mut self.items, item);
            }
        }
        match c.date_order {
            Some(DateOrderGuess::DayFirst) => self.dates = (true, true, self.dates.2),
            Some(DateOrderGuess::MonthFirst) => self.dates = (true, self.dates.1, true),
            Some(_) => self.dates.0 = true,
            None => {}
        }
    }

    fn finish(mut self, count: u64) -> FieldProfile {
        self.fits.distinct = self.seen.len() as u64;
        let (inferred, fit) = pick(&self.fits);
        let filled = self.fits.filled;
        // Every value of a choice column; for short text, every value when all of them
        // were counted (a choice with more options than inference allows, e.g. stage names).
        let all_short = self.fits.counts[super::infer::flag::SHORT] == filled;
        let (values, seen) = match inferred {
            InferredType::Choice => (ranked(&self.top), self.fits.distinct),
            InferredType::Choices => (ranked(&self.items), self.item_hashes.len() as u64),
            InferredType::Text
                if all_short
                    && !self.fits.capped
                    && self.top.len() as u64 == self.fits.distinct
                    && self.top.len() <= VALUES_LISTED =>
            {
                (ranked(&self.top), self.fits.distinct)
            }
            _ => (Vec::new(), 0),
        };
        let values_omitted = seen.saturating_sub(values.len() as u64);
        let date_order = match (inferred, self.dates) {
            (InferredType::Date | InferredType::DateTime, (true, day, month)) => {
                Some(match (day, month) {
                    (true, true) => "conflicting",
                    (true, false) => "day_first",
                    (false, true) => "month_first",
                    (false, false) => "ambiguous",
                })
            }
            _ => None,
        };
        FieldProfile {
            name: self.name,
            inferred,
            fit,
            filled,
            null_rate: rate(count - filled.min(count), count),
            distinct: self.fits.distinct,
            distinct_capped: self.fits.capped,
            duplicate_rate: rate(self.repeats, self.counted),
            max_len: self.max_len,
            values,
            values_omitted,
            max_items: self.max_items as u64,
            date_order: date_order.map(str::to_string),
            samples: self.samples,
        }
    }
}

/// Counts `value` in a capped frequency table: once full, only values already in it count.
fn bump(table: &mut HashMap<String, u64>, value: &str) {
    if let Some(n) = table.get_mut(value) {
        *n += 1;
    } else if table.len() < TOP_CAP {
        table.insert(value.to_string(), 1);
    }
}

/// The table's values, most frequent first (ties alphabetically), at most [`VALUES_LISTED`].
fn ranked(table: &HashMap<String, u64>) -> Vec<String> {
    let mut v: Vec<(&String, &u64)> = table.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    v.into_iter()
        .take(VALUES_LISTED)
        .map(|(s, _)| s.clone())
        .collect()
}

fn rate(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// A sample cut to [`SAMPLE_CHARS`] characters.
fn cut(text: &str) -> String {
    match text.char_indices().nth(SAMPLE_CHARS) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}
