//! The conformance suite's self-test: the reference sink passes every check.

use crm_core::memory::MemorySink;
use crm_core::testkit::run_sink_suite;
use crm_core::DataModel;

#[tokio::test]
async fn memory_sink_passes_the_conformance_suite() {
    let sink = MemorySink::new(DataModel::standard());
    let results = run_sink_suite(&sink).await;
    assert!(results.len() >= 7);
    for r in &results {
        assert!(r.passed(), "{}: {:?}", r.name, r.outcome);
        assert!(
            matches!(r.outcome, crm_core::testkit::CheckOutcome::Passed),
            "{} skipped",
            r.name
        );
    }
    assert_eq!(sink.count("person"), 0, "the suite cleans up after itself");
}
