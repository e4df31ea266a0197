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
            let style =
                ProgressStyle::with_template("{spinner} {prefix:>12} {pos} records ({rate}) {msg}")
                    .map(|s| {
                        s.with_key(
                            "rate",
                            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                                let _ = w.write_str(&rate(state.per_sec()));
                            },
                        )
                    })
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

/// A rate a person reads: whole records per second, with thousands separated.
pub(crate) fn rate(per_sec: f64) -> String {
    if !per_sec.is_finite() || per_sec < 0.0 {
        return "—".into();
    }
    if per_sec < 10.0 {
        return format!("{per_sec:.1}/s");
    }
    let n = per_sec.round() as u64;
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out}/s")
}

#[cfg(test)]
mod tests {
    use super::rate;

    #[test]
    fn rates_are_whole_records_per_second() {
        assert_eq!(rate(5_991.952_8), "5,992/s");
        assert_eq!(rate(1_234_567.4), "1,234,567/s");
        assert_eq!(rate(42.49), "42/s");
        assert_eq!(rate(3.125), "3.1/s");
        assert_eq!(rate(f64::NAN), "—");
    }
}
