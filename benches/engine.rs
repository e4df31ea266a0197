//! Engine throughput: MemorySource → MemorySink with an in-memory journal (records/s).
//! This measures the engine's own cost (mapping, resolution, journal, batching) with no
//! network; destination benchmarks live beside their emulators.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use crm_migrate::core::engine::{Engine, EngineConfig};
use crm_migrate::core::journal::SqliteJournal;
use crm_migrate::core::memory::{MemorySink, MemorySource};
use crm_migrate::core::model::fields as f;
use crm_migrate::core::{CanonicalMapper, Company, DataModel, Person, Record, Ref, SourceKey};

fn records(n: usize) -> Vec<Record> {
    let companies = (n / 10).max(1);
    let mut out: Vec<Record> = Vec::with_capacity(n + companies);
    for i in 0..companies {
        let mut c = Company::new(SourceKey::new("bench", "companies", i.to_string()));
        c.name = Some(format!("Company {i}"));
        c.domain = Some(format!("c{i}.example"));
        out.push(c.into());
    }
    for i in 0..n {
        let mut p = Person::new(SourceKey::new("bench", "people", i.to_string()));
        p.first_name = Some("Ada".into());
        p.last_name = Some(format!("Lovelace {i}"));
        p.emails = vec![format!("p{i}@example.com")];
        p.company = Some(Ref::key(
            f::COMPANY,
            SourceKey::new("bench", "companies", (i % companies).to_string()),
        ));
        out.push(p.into());
    }
    out
}

fn engine(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut group = c.benchmark_group("engine_memory_to_memory");
    group.sample_size(10);
    for n in [1_000usize, 10_000] {
        let recs = records(n);
        group.throughput(Throughput::Elements((n + n / 10) as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &recs, |b, recs| {
            b.to_async(&rt).iter(|| async {
                let source = MemorySource::new("bench", recs.clone()).page_size(500);
                let sink = MemorySink::new(DataModel::standard()).max_batch(200);
                let journal = SqliteJournal::in_memory().expect("journal");
                let mapper = CanonicalMapper::new(["company", "person"]);
                let cfg = EngineConfig {
                    batch_size: 200,
                    ..EngineConfig::default()
                };
                let s = Engine::new(&source, &mapper, &sink, &journal)
                    .config(cfg)
                    .run()
                    .await
                    .expect("run");
                assert!(s.balanced());
            });
        });
    }
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
