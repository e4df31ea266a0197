//! The individual checks.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{TimeZone, Utc};

use crate::connector::{DeleteOutcome, Lookup, Sink, WriteOp, WriteOutcome, WriteRecord};
use crate::model::{fields as f, Fields, RecordId, Ref, SourceKey, Value};

/// A random namespace for one run of the suite.
#[derive(Debug, Clone)]
pub struct Namespace(pub String);

impl Namespace {
    /// A fresh namespace.
    pub fn fresh() -> Self {
        let n = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        Self(format!("ct{:x}", n % 0xffff_ffff_ffff))
    }

    fn key(&self, object: &str, id: &str) -> SourceKey {
        SourceKey::new("conformance", object, format!("{}-{id}", self.0))
    }

    fn email(&self, who: &str) -> String {
        format!("{who}.{}@example.com", self.0)
    }
}

/// How one check ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckOutcome {
    /// Passed.
    Passed,
    /// Failed, with what went wrong.
    Failed(String),
    /// Not applicable to this sink's capabilities.
    Skipped(String),
}

/// One check's result.
#[derive(Debug, Clone)]
pub struct CheckResult {
    /// Check name.
    pub name: &'static str,
    /// Outcome.
    pub outcome: CheckOutcome,
}

impl CheckResult {
    /// Passed or skipped.
    pub fn passed(&self) -> bool {
        !matches!(self.outcome, CheckOutcome::Failed(_))
    }
}

type CheckFn =
    for<'a> fn(&'a dyn Sink, &'a Namespace) -> futures::future::BoxFuture<'a, Result<(), String>>;

macro_rules! ensure {
    ($cond:expr, $($msg:tt)*) => {
        if !$cond {
            return Err(format!($($msg)*));
        }
    };
}

fn person(ns: &Namespace, id: &str, first: &str, email: &str) -> WriteRecord {
    let mut fields = Fields::new();
    fields.insert(f::FIRST_NAME.into(), Value::Text(first.into()));
    fields.insert(f::LAST_NAME.into(), Value::Text("Conformance".into()));
    fields.insert(f::EMAILS.into(), Value::Emails(vec![email.into()]));
    WriteRecord {
        key: ns.key(f::PERSON, id),
        op: WriteOp::Create { merge_on: None },
        created_at: Some(
            Utc.with_ymd_and_hms(2019, 3, 4, 5, 6, 7)
                .single()
                .unwrap_or_else(Utc::now),
        ),
        updated_at: None,
        fields,
    }
}

async fn write(
    sink: &dyn Sink,
    object: &str,
    batch: &[WriteRecord],
) -> Result<Vec<WriteOutcome>, String> {
    let out = sink
        .write_batch(object, batch)
        .await
        .map_err(|e| e.to_string())?;
    ensure!(
        out.len() == batch.len(),
        "{} outcomes for {} records",
        out.len(),
        batch.len()
    );
    Ok(out)
}

async fn cleanup(sink: &dyn Sink, object: &str, ids: &[String]) {
    if !ids.is_empty() {
        let _ = sink.delete(object, ids).await;
    }
}

fn create_read_lookup<'a>(
    sink: &'a dyn Sink,
    ns: &'a Namespace,
) -> futures::future::BoxFuture<'a, Result<(), String>> {
    Box::pin(async move {
        let w = person(ns, "p1", "Ada", &ns.email("ada"));
        let out = write(sink, f::PERSON, std::slice::from_ref(&w)).await?;
        let WriteOutcome::Created { id } = &out[0] else {
            return Err(format!("expected Created, got {:?}", out[0]));
        };
        let back = sink
            .read(f::PERSON, std::slice::from_ref(id))
            .await
            .map_err(|e| e.to_string())?;
        let result = (|| {
            let rb = back
                .first()
                .cloned()
                .flatten()
                .ok_or("created record not readable")?;
            for (k, v) in &w.fields {
                let got = rb.fields.get(k).cloned().unwrap_or(Value::Null);
                ensure!(v.same_as(&got), "field {k}: wrote {v}, read {got}");
            }
            Ok::<_, String>(())
        })();
        let found = sink
            .lookup(
                f::PERSON,
                &[
                    Lookup::SourceKey(w.key.clone()),
                    Lookup::SourceKey(ns.key(f::PERSON, "nope")),
                ],
            )
            .await
            .map_err(|e| e.to_string());
        cleanup(sink, f::PERSON, std::slice::from_ref(id)).await;
        result?;
        let found = found?;
        ensure!(
            found.len() == 2,
            "lookup gave {} answers for 2 lookups",
            found.len()
        );
        ensure!(
            found[0].as_deref() == Some(id.as_str()),
            "lookup by source key gave {:?}, want {id}",
            found[0]
        );
        ensure!(
            found[1].is_none(),
            "lookup of an unknown key found {:?}",
            found[1]
        );
        Ok(())
    })
}

fn bad_record_is_isolated<'a>(
    sink: &'a dyn Sink,
    ns: &'a Namespace,
) -> futures::future::BoxFuture<'a, Result<(), String>> {
    Box::pin(async move {
        let mut bad = person(ns, "p3", "Bad", &ns.email("bad"));
        bad.fields.insert(
            f::COMPANY_REF.into(),
            Value::Id(RecordId::new(
                f::COMPANY,
                "00000000-0000-4000-8000-000000000000",
            )),
        );
        let dup_email = ns.email("dup");
        let batch = vec![
            person(ns, "p2", "Good", &ns.email("good")),
            bad,
            person(ns, "p4", "Dup1", &dup_email),
            person(ns, "p5", "Dup2", &dup_email.to_uppercase()),
            person(ns, "p6", "Good2", &ns.email("good2")),
        ];
        let out = write(sink, f::PERSON, &batch).await?;
        let ids: Vec<String> = out
            .iter()
            .filter_map(|o| o.id().map(str::to_string))
            .collect();
        cleanup(sink, f::PERSON, &ids).await;
        ensure!(
            matches!(out[0], WriteOutcome::Created { .. }),
            "good record: {:?}",
            out[0]
        );
        ensure!(
            matches!(out[1], WriteOutcome::Rejected { .. }),
            "record pointing at a missing company: {:?}",
            out[1]
        );
        ensure!(
            matches!(out[2], WriteOutcome::Created { .. }),
            "first of two same emails: {:?}",
            out[2]
        );
        ensure!(
            matches!(&out[3], WriteOutcome::Rejected { reason, .. } if !reason.is_empty()),
            "same email in another case must be refused as a duplicate: {:?}",
            out[3]
        );
        ensure!(
            matches!(out[4], WriteOutcome::Created { .. }),
            "good record after bad ones: {:?}",
            out[4]
        );
        Ok(())
    })
}

fn unresolved_reference_is_refused<'a>(
    sink: &'a dyn Sink,
    ns: &'a Namespace,
) -> futures::future::BoxFuture<'a, Result<(), String>> {
    Box::pin(async move {
        let mut w = person(ns, "p7", "Orphan", &ns.email("orphan"));
        w.fields.insert(
            f::COMPANY_REF.into(),
            Value::Ref(Ref::name(f::COMPANY, "Nowhere Ltd")),
        );
        let out = write(sink, f::PERSON, std::slice::from_ref(&w)).await?;
        if let Some(id) = out[0].id() {
            cleanup(sink, f::PERSON, &[id.to_string()]).await;
        }
        ensure!(
            matches!(out[0], WriteOutcome::Rejected { .. }),
            "unresolved Ref must be rejected: {:?}",
            out[0]
        );
        Ok(())
    })
}

fn update_gives_before_image<'a>(
    sink: &'a dyn Sink,
    ns: &'a Namespace,
) -> futures::future::BoxFuture<'a, Result<(), String>> {
    Box::pin(async move {
        let w = person(ns, "p8", "Before", &ns.email("upd"));
        let out = write(sink, f::PERSON, std::slice::from_ref(&w)).await?;
        let id = out[0]
            .id()
            .ok_or(format!("create failed: {:?}", out[0]))?
            .to_string();
        let mut fields = Fields::new();
        fields.insert(f::FIRST_NAME.into(), Value::Text("After".into()));
        fields.insert(f::JOB_TITLE.into(), Value::Text("Engineer".into()));
        let upd = WriteRecord {
            key: w.key.clone(),
            op: WriteOp::Update { id: id.clone() },
            created_at: None,
            updated_at: None,
            fields,
        };
        let out = write(sink, f::PERSON, std::slice::from_ref(&upd)).await;
        let mut clear = Fields::new();
        clear.insert(f::JOB_TITLE.into(), Value::Null);
        let clr = WriteRecord {
            fields: clear,
            ..upd.clone()
        };
        let cleared = write(sink, f::PERSON, std::slice::from_ref(&clr)).await;
        let back = sink
            .read(f::PERSON, std::slice::from_ref(&id))
            .await
            .map_err(|e| e.to_string());
        cleanup(sink, f::PERSON, std::slice::from_ref(&id)).await;
        let out = out?;
        let WriteOutcome::Updated { before, .. } = &out[0] else {
            return Err(format!("expected Updated, got {:?}", out[0]));
        };
        ensure!(
            before
                .get(f::FIRST_NAME)
                .is_some_and(|v| v.same_as(&Value::Text("Before".into()))),
            "before-image of first_name: {:?}",
            before.get(f::FIRST_NAME)
        );
        ensure!(
            matches!(cleared?[0], WriteOutcome::Updated { .. }),
            "clearing a field failed"
        );
        let rb = back?
            .into_iter()
            .next()
            .flatten()
            .ok_or("updated record not readable")?;
        ensure!(
            rb.fields
                .get(f::FIRST_NAME)
                .is_some_and(|v| v.same_as(&Value::Text("After".into()))),
            "update not applied"
        );
        ensure!(
            rb.fields.get(f::JOB_TITLE).is_none_or(Value::is_empty),
            "Value::Null did not clear job_title"
        );
        Ok(())
    })
}

fn keeps_created_at<'a>(
    sink: &'a dyn Sink,
    ns: &'a Namespace,
) -> futures::future::BoxFuture<'a, Result<(), String>> {
    Box::pin(async move {
        let w = person(ns, "p9", "Old", &ns.email("old"));
        let out = write(sink, f::PERSON, std::slice::from_ref(&w)).await?;
        let id = out[0]
            .id()
            .ok_or(format!("create failed: {:?}", out[0]))?
            .to_string();
        let back = sink
            .read(f::PERSON, std::slice::from_ref(&id))
            .await
            .map_err(|e| e.to_string());
        cleanup(sink, f::PERSON, std::slice::from_ref(&id)).await;
        let rb = back?
            .into_iter()
            .next()
            .flatten()
            .ok_or("record not readable")?;
        ensure!(
            rb.created_at == w.created_at,
            "created_at sent {:?}, read back {:?}",
            w.created_at,
            rb.created_at
        );
        Ok(())
    })
}

fn merge_on_unique<'a>(
    sink: &'a dyn Sink,
    ns: &'a Namespace,
) -> futures::future::BoxFuture<'a, Result<(), String>> {
    Box::pin(async move {
        let email = ns.email("merge");
        let first = person(ns, "p10", "First", &email);
        let out = write(sink, f::PERSON, std::slice::from_ref(&first)).await?;
        let id = out[0]
            .id()
            .ok_or(format!("create failed: {:?}", out[0]))?
            .to_string();
        let mut second = person(ns, "p11", "Second", &email.to_uppercase());
        second.op = WriteOp::Create {
            merge_on: Some(f::EMAILS.into()),
        };
        let out = write(sink, f::PERSON, std::slice::from_ref(&second)).await;
        cleanup(sink, f::PERSON, std::slice::from_ref(&id)).await;
        let out = out?;
        ensure!(
            matches!(&out[0], WriteOutcome::Merged { id: m, .. } if *m == id),
            "create with merge_on must merge into {id}: {:?}",
            out[0]
        );
        Ok(())
    })
}

fn delete_is_hard<'a>(
    sink: &'a dyn Sink,
    ns: &'a Namespace,
) -> futures::future::BoxFuture<'a, Result<(), String>> {
    Box::pin(async move {
        let email = ns.email("gone");
        let w = person(ns, "p12", "Gone", &email);
        let out = write(sink, f::PERSON, std::slice::from_ref(&w)).await?;
        let id = out[0]
            .id()
            .ok_or(format!("create failed: {:?}", out[0]))?
            .to_string();
        let del = sink
            .delete(f::PERSON, std::slice::from_ref(&id))
            .await
            .map_err(|e| e.to_string())?;
        ensure!(del == vec![DeleteOutcome::Deleted], "delete: {del:?}");
        let again = sink
            .delete(f::PERSON, std::slice::from_ref(&id))
            .await
            .map_err(|e| e.to_string())?;
        ensure!(
            again == vec![DeleteOutcome::NotFound],
            "second delete: {again:?}"
        );
        let back = sink
            .read(f::PERSON, std::slice::from_ref(&id))
            .await
            .map_err(|e| e.to_string())?;
        ensure!(
            back.first().is_some_and(Option::is_none),
            "deleted record still readable"
        );
        // No soft-deleted leftover may block re-importing the same unique value.
        let w2 = person(ns, "p13", "Back", &email);
        let out = write(sink, f::PERSON, std::slice::from_ref(&w2)).await?;
        if let Some(id2) = out[0].id() {
            cleanup(sink, f::PERSON, &[id2.to_string()]).await;
        }
        ensure!(
            matches!(out[0], WriteOutcome::Created { .. }),
            "re-import after delete: {:?}",
            out[0]
        );
        Ok(())
    })
}

/// Runs every check this sink's capabilities allow.
pub async fn run_sink_suite(sink: &dyn Sink) -> Vec<CheckResult> {
    let caps = sink.capabilities();
    let ns = Namespace::fresh();
    let checks: Vec<(&'static str, Option<&'static str>, CheckFn)> = vec![
        ("create_read_lookup", None, create_read_lookup),
        ("bad_record_is_isolated", None, bad_record_is_isolated),
        (
            "unresolved_reference_is_refused",
            None,
            unresolved_reference_is_refused,
        ),
        (
            "update_gives_before_image",
            (!caps.update).then_some("no update"),
            update_gives_before_image,
        ),
        (
            "keeps_created_at",
            (!caps.keeps_created_at).then_some("does not keep created_at"),
            keeps_created_at,
        ),
        (
            "merge_on_unique",
            (!caps.upsert).then_some("no upsert"),
            merge_on_unique,
        ),
        (
            "delete_is_hard",
            (!caps.hard_delete).then_some("no hard delete"),
            delete_is_hard,
        ),
    ];
    let mut out = Vec::new();
    if let Err(e) = sink.check().await {
        out.push(CheckResult {
            name: "check",
            outcome: CheckOutcome::Failed(e.to_string()),
        });
        return out;
    }
    for (name, skip, check) in checks {
        let outcome = match skip {
            Some(why) => CheckOutcome::Skipped(why.to_string()),
            None => match check(sink, &ns).await {
                Ok(()) => CheckOutcome::Passed,
                Err(e) => CheckOutcome::Failed(e),
            },
        };
        out.push(CheckResult { name, outcome });
    }
    out
}
