//! [`Progress`]: how the engine tells a caller what it is doing (the CLI draws bars).

use crate::journal::Counts;

/// Receives progress events. All methods default to doing nothing.
pub trait Progress: Send + Sync {
    /// A phase started.
    fn phase_started(&self, _object: &str) {}
    /// `n` more source records were handled in the current phase.
    fn advanced(&self, _n: u64) {}
    /// A phase finished with these counts.
    fn phase_finished(&self, _object: &str, _counts: &Counts) {}
    /// A free-form step (reconciling, patching links, verifying, rolling back).
    fn step(&self, _message: &str) {}
}

/// Progress that goes nowhere.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {}
