//! [`Ctx`]: what every step of a run shares.

use crate::connector::Sink;
use crate::descriptor::DataModel;
use crate::journal::{Journal, RunInfo};
use crate::plan::Plan;

use super::config::EngineConfig;
use super::resolve::Resolver;

pub(crate) struct Ctx<'a> {
    pub(crate) sink: &'a dyn Sink,
    pub(crate) journal: &'a dyn Journal,
    pub(crate) model: &'a DataModel,
    pub(crate) plan: &'a Plan,
    pub(crate) config: &'a EngineConfig,
    pub(crate) resolver: Resolver<'a>,
    pub(crate) run: RunInfo,
    pub(crate) batch_size: usize,
    pub(crate) keeps_created_at: bool,
}

/// Key under which the original creation time is recorded among the written fields, so
/// verification can check it was kept.
pub(crate) const CREATED_AT: &str = "@created_at";
