//! crm-core's conformance suite against [`TwentySink`]: on the in-process emulator (feature
//! `emulators`), and on a live server when `TWENTY_API_URL` and `TWENTY_API_KEY` are set.

use crm_core::testkit::run_sink_suite;

use super::{TwentyConfig, TwentySink};
use crate::http::Secret;

async fn run(sink: &TwentySink) {
    let results = run_sink_suite(sink).await;
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| format!("{}: {:?}", r.name, r.outcome))
        .collect();
    for r in &results {
        println!("{}: {:?}", r.name, r.outcome);
    }
    assert!(failed.is_empty(), "failed checks:\n{}", failed.join("\n"));
}

#[cfg(feature = "emulators")]
#[tokio::test]
async fn conformance_suite_on_the_emulator() {
    use super::emulator::{EmulatorConfig, TwentyEmulator};
    let emu = TwentyEmulator::start(EmulatorConfig::default())
        .await
        .unwrap();
    let cfg = TwentyConfig::new(emu.url(), Secret::new(emu.api_key())).with_rate_limit(None);
    run(&TwentySink::new(cfg).unwrap()).await;
}

#[tokio::test]
async fn conformance_suite_on_a_live_server() {
    let (Ok(url), Ok(_)) = (
        std::env::var("TWENTY_API_URL"),
        std::env::var("TWENTY_API_KEY"),
    ) else {
        println!("skipped: set TWENTY_API_URL and TWENTY_API_KEY to run the suite against a live Twenty server");
        return;
    };
    let cfg = TwentyConfig::from_env(url).unwrap();
    run(&TwentySink::new(cfg).unwrap()).await;
}

#[cfg(feature = "emulators")]
#[tokio::test]
async fn live_model_and_field_lookups_on_the_emulator() {
    use super::emulator::{EmulatorConfig, TwentyEmulator};
    use crm_core::model::{fields as f, Fields, SourceKey, Value};
    use crm_core::{Lookup, Sink, WriteOp, WriteRecord};
    let emu = TwentyEmulator::start(EmulatorConfig::default())
        .await
        .unwrap();
    emu.seed_member("Owner@Example.com", "Olga", "Owner");
    let cfg = TwentyConfig::new(emu.url(), Secret::new(emu.api_key())).with_rate_limit(None);
    let sink = TwentySink::new(cfg).unwrap();
    let model = sink.data_model().await.unwrap();
    assert!(model.get(f::PERSON).unwrap().get(f::EMAILS).unwrap().unique);
    model.check().unwrap();
    let mut fields = Fields::new();
    fields.insert(
        f::EMAILS.into(),
        Value::Emails(vec!["look.me@up.example".into()]),
    );
    let w = WriteRecord {
        key: SourceKey::new("t", "p", "1"),
        op: WriteOp::Create { merge_on: None },
        created_at: None,
        updated_at: None,
        fields,
    };
    let id = sink.write_batch(f::PERSON, &[w]).await.unwrap()[0]
        .id()
        .unwrap()
        .to_string();
    let by = |field: &str, value: &str| Lookup::Field {
        field: field.into(),
        value: value.into(),
    };
    let got = sink
        .lookup(
            f::PERSON,
            &[
                by(f::EMAILS, "LOOK.me@UP.example"),
                by(f::EMAILS, "nobody@up.example"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(got, vec![Some(id), None]);
    let member = sink
        .lookup(f::USER, &[by(f::EMAIL, "owner@example.COM")])
        .await
        .unwrap();
    assert!(member[0].is_some(), "member lookup is case-insensitive");
}

/// Issue 8 on a live server: a custom field named `plan` is refused by Twenty itself, and the
/// reason the sink reports is Twenty's rule, naming the field; nothing is created.
#[tokio::test]
async fn a_live_server_refuses_a_reserved_name_with_its_reason() {
    use crm_core::model::fields as f;
    use crm_core::{FieldDescriptor, FieldType, SchemaChange, SchemaOutcome, Sink};
    let (Ok(url), Ok(_)) = (
        std::env::var("TWENTY_API_URL"),
        std::env::var("TWENTY_API_KEY"),
    ) else {
        println!("skipped: set TWENTY_API_URL and TWENTY_API_KEY to ask a live Twenty server");
        return;
    };
    let sink = TwentySink::new(TwentyConfig::from_env(url).unwrap()).unwrap();
    let model = sink.data_model().await.unwrap();
    assert!(model.is_reserved("plan"));
    let out = sink
        .apply_schema(&[SchemaChange::AddField {
            object: f::PERSON.into(),
            field: FieldDescriptor::new("plan", FieldType::Text).custom(),
        }])
        .await
        .unwrap();
    println!("{out:?}");
    match &out[0] {
        SchemaOutcome::Rejected { reason } => assert!(
            reason.contains("plan: This name is reserved. Use a different name or the system will add \"Custom\" suffix. (INVALID_FIELD_INPUT)"),
            "{reason}"
        ),
        o => panic!("the server took a reserved name: {o:?}"),
    }
    sink.refresh_metadata().await;
    let after = sink.data_model().await.unwrap();
    assert!(after.get(f::PERSON).unwrap().get("plan").is_none());
}
