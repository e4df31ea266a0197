//! The engine: runs a plan phase by phase, with bounded memory and concurrency, recording
//! every outcome in the journal; resumes, verifies and rolls back.
//!
//! A run:
//! 1. reads the destination's model and plans the load order ([`crate::plan`]);
//! 2. starts or resumes a run in the journal (refusing a changed mapping);
//! 3. on resume, reconciles batches left in flight through the sink's lookup;
//! 4. for each phase, streams the source records routed into the object, maps them,
//!    resolves references, merges duplicates, batches and writes them — each batch is
//!    recorded in flight before it is sent and settled after;
//! 5. patches the references deferred to break cycles;
//! 6. marks the run finished. Counts come from the journal, so a resumed run reports the
//!    whole run, not just its last attempt.

mod config;
mod context;
mod patch;
mod phase;
mod prepare;
mod progress;
mod recover;
mod resolve;
mod rollback;
mod send;
mod verify;

pub use config::{AdoptPolicy, AmbiguityPolicy, EngineConfig, OrphanPolicy};
pub use progress::{NoProgress, Progress};
pub use rollback::{rollback, rollback_with_schema, RollbackReport};
pub use verify::{verify, Difference, VerifyReport};

use sha2::{Digest, Sha256};

use crate::connector::{RecordMapper, SchemaChange, SchemaOutcome, Sink, Source};
use crate::descriptor::DataModel;
use crate::journal::{Counts, Deferred, Journal, RunInfo};
use crate::plan::{plan, Plan};
use crate::{Error, Result};

use context::Ctx;
use resolve::Resolver;

/// What a finished run did.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The run.
    pub run: RunInfo,
    /// The plan it followed.
    pub plan: Plan,
    /// Reconciliation counts per object, in load order.
    pub counts: Vec<(String, Counts)>,
    /// Links the patch step could not make.
    pub link_problems: Vec<(Deferred, String)>,
    /// Rows per source object (export file): each source record once, under the outcome
    /// that describes it best, so each total equals the file's exported rows even when
    /// the file feeds several objects.
    pub files: Vec<(String, Counts)>,
}

impl RunSummary {
    /// Reads the summary of `run` from the journal.
    pub fn load(journal: &dyn Journal, run: RunInfo, plan: Plan) -> Result<Self> {
        let mut counts = journal.counts(run.id)?;
        let order = plan.order();
        counts.sort_by_key(|(o, _)| order.iter().position(|p| p == o).unwrap_or(usize::MAX));
        Ok(Self {
            link_problems: journal.link_problems(run.id)?,
            files: journal.source_rows(run.id)?,
            run,
            plan,
            counts,
        })
    }

    /// Whether every object's counts add up (`source == created + updated + merged +
    /// rejected + queued + skipped`).
    pub fn balanced(&self) -> bool {
        self.counts.iter().all(|(_, c)| c.balanced())
    }

    /// Totals over all objects.
    pub fn totals(&self) -> Counts {
        let mut t = Counts::default();
        for (_, c) in &self.counts {
            t.source += c.source;
            t.created += c.created;
            t.updated += c.updated;
            t.merged += c.merged;
            t.adopted += c.adopted;
            t.rejected += c.rejected;
            t.queued += c.queued;
            t.skipped += c.skipped;
            t.values_dropped += c.values_dropped;
            t.links_not_made += c.links_not_made;
        }
        t
    }

    /// Whether anything needs a person's attention (rejects, queued records, values left
    /// out, links not made, link problems).
    pub fn needs_attention(&self) -> bool {
        let t = self.totals();
        t.rejected > 0
            || t.queued > 0
            || t.values_dropped > 0
            || t.links_not_made > 0
            || !self.link_problems.is_empty()
    }
}

/// The names among `changes` that `model`'s destination would refuse (reserved names,
/// names that clash with an existing field but for case), one line each.
pub fn schema_name_problems(model: &DataModel, changes: &[SchemaChange]) -> Vec<String> {
    let mut out = Vec::new();
    for change in changes {
        match change {
            SchemaChange::AddField { object, field } => {
                if let Some(p) = model.field_name_problem(object, &field.name) {
                    out.push(format!("{object}.{}: {p}", field.name));
                }
            }
            SchemaChange::AddObject { object } => {
                if model.is_reserved(&object.name) {
                    out.push(format!(
                        "object {}: {:?} is a reserved name in {}",
                        object.name, object.name, model.name
                    ));
                }
                for f in &object.fields {
                    if model.is_reserved(&f.name) {
                        out.push(format!(
                            "{}.{}: {:?} is a reserved name in {}",
                            object.name, f.name, f.name, model.name
                        ));
                    }
                }
            }
            SchemaChange::AddOptions { .. } => {}
        }
    }
    out
}

/// Runs a migration from a source, through a mapper, into a sink, recorded in a journal.
pub struct Engine<'a> {
    source: &'a dyn Source,
    mapper: &'a dyn RecordMapper,
    sink: &'a dyn Sink,
    journal: &'a dyn Journal,
    config: EngineConfig,
    model: Option<DataModel>,
    schema: Vec<SchemaChange>,
    progress: &'a dyn Progress,
}

impl std::fmt::Debug for Engine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("source", &self.source.system())
            .field("sink", &self.sink.name())
            .field("config", &self.config)
            .finish()
    }
}

impl<'a> Engine<'a> {
    /// Makes the schema changes the live model lacks, journaling each before the next.
    async fn apply_schema(&self, run: i64) -> Result<()> {
        let live = match &self.model {
            Some(m) => m.clone(),
            None => self.sink.data_model().await?,
        };
        let missing = live.missing(&self.schema);
        if missing.is_empty() {
            return Ok(());
        }
        // Every name is checked before the first change: a refused name found half-way
        // would leave the destination with half a schema.
        let problems = schema_name_problems(&live, &missing);
        if !problems.is_empty() {
            return Err(Error::config(format!(
                "nothing was changed: the destination would refuse {} of the mapping's names — {}; rename them in the mapping (custom_fields and the fields that target them) and run again",
                problems.len(),
                problems.join("; ")
            )));
        }
        self.progress
            .step(&format!("Making {} schema changes", missing.len()));
        for change in missing {
            let mut attempt = 0u32;
            let outcome = loop {
                attempt += 1;
                match self.sink.apply_schema(std::slice::from_ref(&change)).await {
                    Ok(out) => break out.into_iter().next(),
                    Err(e) if e.is_temporary() && attempt < self.config.max_attempts => {
                        tracing::warn!(change = %change.describe(), error = %e, attempt, "Schema change failed; checking whether it was made before retrying.");
                        tokio::time::sleep(self.config.backoff_for(attempt)).await;
                        // A reply lost after the server made the change: the model says so,
                        // and sending it again would be refused as a duplicate.
                        if let Ok(now) = self.sink.data_model().await {
                            if now.missing(std::slice::from_ref(&change)).is_empty() {
                                break Some(SchemaOutcome::Applied);
                            }
                        }
                    }
                    Err(e) => {
                        let made = self.made_so_far()?;
                        return Err(Error::new(
                            e.kind(),
                            format!(
                                "no record was moved: could not {} ({e}); {made}",
                                change.describe()
                            ),
                        )
                        .persist());
                    }
                }
            };
            match outcome {
                Some(SchemaOutcome::Applied) => {
                    tracing::info!(change = %change.describe(), "Schema change made.");
                    self.journal.record_schema(run, &change)?;
                }
                Some(SchemaOutcome::Rejected { reason }) => {
                    let made = self.made_so_far()?;
                    return Err(Error::config(format!(
                        "no record was moved: the destination refused to {}: {reason}; {made}",
                        change.describe()
                    )));
                }
                None => {
                    return Err(Error::unexpected(
                        "the sink gave no outcome for a schema change",
                    ))
                }
            }
        }
        Ok(())
    }

    /// The schema changes made so far, and how to undo them, for an error message.
    fn made_so_far(&self) -> Result<String> {
        let made = self.journal.schema_changes()?;
        Ok(if made.is_empty() {
            "nothing was made before it".to_string()
        } else {
            format!(
                "already made ({}): {} — `crm-migrate rollback --remove-schema` on this state directory removes them",
                made.len(),
                made.iter()
                    .map(|(_, c)| c.describe())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })
    }

    /// An engine with the default config.
    pub fn new(
        source: &'a dyn Source,
        mapper: &'a dyn RecordMapper,
        sink: &'a dyn Sink,
        journal: &'a dyn Journal,
    ) -> Self {
        Self {
            source,
            mapper,
            sink,
            journal,
            config: EngineConfig::default(),
            model: None,
            schema: Vec::new(),
            progress: &NoProgress,
        }
    }

    /// Sets the config.
    pub fn config(mut self, config: EngineConfig) -> Self {
        self.config = config;
        self
    }

    /// Uses `model` instead of asking the sink for its model.
    pub fn model(mut self, model: DataModel) -> Self {
        self.model = Some(model);
        self
    }

    /// Schema changes the mapping needs (custom fields, select options); what the live
    /// model lacks is made before any record moves, and journaled.
    pub fn schema(mut self, changes: Vec<SchemaChange>) -> Self {
        self.schema = changes;
        self
    }

    /// Sets the progress receiver.
    pub fn progress(mut self, progress: &'a dyn Progress) -> Self {
        self.progress = progress;
        self
    }

    /// The destination model and the load plan for this mapping.
    pub async fn plan(&self) -> Result<(DataModel, Plan)> {
        let mut model = match &self.model {
            Some(m) => m.clone(),
            None => self.sink.data_model().await?,
        };
        // Planning sees the model as it will be once the mapping's changes are made.
        for change in model.missing(&self.schema) {
            model.apply(&change);
        }
        model.check()?;
        let mut targets: Vec<String> = Vec::new();
        for r in self.mapper.routes() {
            if model.get(&r.target).is_none() {
                return Err(Error::config(format!(
                    "the mapping sends {} to {:?}, which the {} destination does not have",
                    r.source, r.target, model.name
                )));
            }
            if !targets.contains(&r.target) {
                targets.push(r.target);
            }
        }
        let names: Vec<&str> = targets.iter().map(String::as_str).collect();
        let plan = plan(&model, &names)?;
        Ok((model, plan))
    }

    /// Runs (or resumes) the migration.
    pub async fn run(&self) -> Result<RunSummary> {
        self.sink.check().await?;
        let caps = self.sink.capabilities();
        let (model, plan) = self.plan().await?;
        let checksum = {
            let mut h = Sha256::new();
            h.update(self.mapper.checksum().as_bytes());
            h.update(serde_json::to_vec(&plan)?);
            h.update(self.config.fingerprint().as_bytes());
            hex::encode(&h.finalize()[..16])
        };
        let run = self
            .journal
            .begin_run(&checksum, self.config.mode, &plan.to_string())?;
        tracing::info!(
            run = run.id,
            attempt = run.attempt,
            resumed = run.resumed,
            "Run started."
        );
        self.apply_schema(run.id).await?;
        let ctx = Ctx {
            sink: self.sink,
            journal: self.journal,
            model: &model,
            plan: &plan,
            config: &self.config,
            resolver: Resolver::new(self.journal, self.sink),
            run: run.clone(),
            batch_size: self.config.batch_size.min(caps.max_batch_size).max(1),
            keeps_created_at: caps.keeps_created_at,
        };
        if run.resumed {
            self.progress.step("Reconciling batches left in flight");
            let n = recover::reconcile(&ctx).await?;
            tracing::info!(records = n, "Reconciled batches left in flight.");
        }
        for phase in &ctx.plan.phases {
            if self.journal.phase_done(run.id, &phase.object)? {
                continue;
            }
            self.progress.phase_started(&phase.object);
            let n = phase::run_phase(&ctx, self.source, self.mapper, phase, self.progress).await?;
            self.journal.finish_phase(run.id, &phase.object, n)?;
            let counts = self
                .journal
                .counts(run.id)?
                .into_iter()
                .find(|(o, _)| *o == phase.object)
                .map(|(_, c)| c)
                .unwrap_or_default();
            tracing::info!(object = %phase.object, source = counts.source, created = counts.created, rejected = counts.rejected, "Phase finished.");
            self.progress.phase_finished(&phase.object, &counts);
        }
        if !plan.deferred().is_empty() {
            self.progress.step("Patching deferred links");
            patch::patch_deferred(&ctx).await?;
        }
        self.journal.finish_run(run.id)?;
        let run = self.journal.last_run()?.unwrap_or(run);
        RunSummary::load(self.journal, run, plan)
    }
}
