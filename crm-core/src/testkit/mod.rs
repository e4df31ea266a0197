//! The conformance suite: checks every [`Sink`] must pass, selected by its
//! [`crate::SinkCapabilities`]. Third-party connectors run it with the `testkit` feature:
//!
//! ```no_run
//! # async fn f(sink: &dyn crm_core::Sink) {
//! let results = crm_core::testkit::run_sink_suite(sink).await;
//! for r in &results {
//!     assert!(r.passed(), "{}: {:?}", r.name, r.outcome);
//! }
//! # }
//! ```
//!
//! Each run writes under a fresh random namespace (in source keys, emails and domains), so
//! it can run against a live workspace without colliding with earlier runs, and it deletes
//! what it created where the sink can delete.

mod checks;

pub use checks::{run_sink_suite, CheckOutcome, CheckResult, Namespace};
