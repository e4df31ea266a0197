//! The conformance suite against every Sink in this repository. A new connector adds one
//! line here.

use crm_migrate::connectors::sandbox::SandboxSink;
use crm_migrate::connectors::twenty::twenty_standard_model;
use crm_migrate::core::memory::MemorySink;
use crm_migrate::core::testkit::{run_sink_suite, CheckOutcome};
use crm_migrate::core::{DataModel, Sink};

async fn assert_conforms(sink: &dyn Sink) {
    let results = run_sink_suite(sink).await;
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| format!("{}: {:?}", r.name, r.outcome))
        .collect();
    assert!(
        failed.is_empty(),
        "{} failed:\n{}",
        sink.name(),
        failed.join("\n")
    );
    let ran = results
        .iter()
        .filter(|r| r.outcome == CheckOutcome::Passed)
        .count();
    assert!(ran >= 3, "{}: only {ran} checks ran", sink.name());
}

#[tokio::test]
async fn memory_sink_conforms() {
    assert_conforms(&MemorySink::new(DataModel::standard())).await;
}

#[tokio::test]
async fn sandbox_with_twenty_model_conforms() {
    assert_conforms(&SandboxSink::in_memory(twenty_standard_model()).unwrap()).await;
}

#[tokio::test]
async fn sandbox_on_disk_with_standard_model_conforms() {
    let dir = tempfile::tempdir().unwrap();
    assert_conforms(
        &SandboxSink::open(dir.path().join("s.sqlite"), DataModel::standard()).unwrap(),
    )
    .await;
}
