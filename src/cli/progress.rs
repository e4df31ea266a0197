//! Progress bars (indicatif) for long phases; silent when stderr is not a terminal.

use std::sync::Mutex;

use crm_migrate::core::engine::Progress;
use crm_migrate::core::journal::Counts;
use indicatif::{ProgressBar, ProgressStyle};

/// Draws one spinner per phase with the records handled and the rate.
pub(crate) struct Bars {
    bar: Mutex<Option<ProgressBar>>,
}

impl Bars {
    pub(crate) fn new() -> Self {
        Self {
            bar: Mutex::new(None),
        }
    }

    fn with(&self, f: impl FnOnce(&mut Option<ProgressBar>)) {
        let mut g = self.bar.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut g);
    }
}

impl Progress for Bars {
    fn phase_started(&self, object: &str) {
        self.with(|b| {
            let bar = ProgressBar::new_spinner();
            let style = ProgressStyle::with_template(
                "{spinner} {prefix:>12} {pos} records ({per_sec}) {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
            bar.set_style(style);
            bar.set_prefix(object.to_string());
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            *b = Some(bar);
        });
    }

    fn advanced(&self, n: u64) {
        self.with(|b| {
            if let Some(bar) = b {
                bar.inc(n);
            }
        });
    }

    fn phase_finished(&self, _object: &str, c: &Counts) {
        self.with(|b| {
            if let Some(bar) = b.take() {
                bar.finish_with_message(format!(
                    "created {} updated {} merged {} rejected {} queued {} skipped {}",
                    c.created, c.updated, c.merged, c.rejected, c.queued, c.skipped
                ));
            }
        });
    }

    fn step(&self, message: &str) {
        eprintln!("{message}…");
    }
}
