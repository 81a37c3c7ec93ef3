//! Criterion benches of the hot paths: normalisation, scoring, an in-process lookup and
//! an ingest batch. `PROFILED_BENCH_PROFILES` sets the size of the lookup data set
//! (default 20,000; the HTTP benchmark in `scripts/` covers 1M).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use profiled::clock::SystemClock;
use profiled::gen::{profile, write_ndjson, GenOptions};
use profiled::matching::normalize::{company_key, fold};
use profiled::matching::score::{name_similarity, NameForms};
use profiled::matching::terms::name_terms;
use profiled::model::LookupRequest;
use profiled::ndjson::chunks;
use profiled::{Engine, EngineConfig};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

const NOW: i64 = 1_790_000_000;

fn options(count: u64) -> GenOptions {
    GenOptions {
        count,
        seed: 7,
        now: NOW,
    }
}

fn normalisation(c: &mut Criterion) {
    c.bench_function("fold name", |b| {
        b.iter(|| fold(black_box("Jürgen-Øle van der Müller-Lüdenscheidt")))
    });
    c.bench_function("company_key", |b| {
        b.iter(|| company_key(black_box("Müller Bau GmbH & Co. KG")))
    });
    c.bench_function("name_terms", |b| {
        b.iter(|| name_terms(black_box("Jürgen"), black_box("van der Müller")))
    });
}

fn scoring(c: &mut Criterion) {
    // Stored forms are built once, when a profile enters the match table.
    let pairs: Vec<(NameForms, NameForms)> = [
        (("J.", "Mueller"), ("Jürgen", "Müller")),
        (("Lars", "Lanl"), ("Lars", "Lang")),
        (("Bob", "Smith"), ("Robert", "Smith")),
        (("Sandrv", "Eriksson"), ("Sandra", "Eriksson")),
        (("Anna", "de Vries"), ("Anne", "Vriesema")),
    ]
    .iter()
    .map(|(asked, stored)| {
        (
            NameForms::new(asked.0, asked.1),
            NameForms::new(stored.0, stored.1),
        )
    })
    .collect();
    c.bench_function("name_similarity, 5 pairs", |b| {
        b.iter(|| {
            pairs
                .iter()
                .map(|(asked, stored)| name_similarity(black_box(asked), black_box(stored)))
                .sum::<f64>()
        })
    });
}

fn engine_with(count: u64) -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine =
        Engine::open(EngineConfig::new(dir.path()), Arc::new(SystemClock)).expect("engine");
    let mut data = Vec::new();
    write_ndjson(&options(count), &mut data).expect("generate");
    let mut last = 0;
    for chunk in chunks(&data, 5_000) {
        last = engine.ingest_ndjson(chunk, 1).expect("ingest").1;
    }
    engine
        .wait_searchable_blocking(last, Duration::from_secs(300))
        .expect("indexed");
    (dir, engine)
}

fn lookup(c: &mut Criterion) {
    let count = std::env::var("PROFILED_BENCH_PROFILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let (_dir, engine) = engine_with(count);
    let requests: Vec<LookupRequest> = (0..1_000)
        .map(|i| {
            let input = profile(&options(count), (i * 7_919) % count);
            LookupRequest {
                first_name: input.first_name,
                last_name: input.last_name,
                company: input.company.and_then(|c| c.name),
                ..LookupRequest::default()
            }
        })
        .collect();
    let mut next = 0;
    c.bench_function("lookup name+company", |b| {
        b.iter(|| {
            next = (next + 1) % requests.len();
            engine
                .lookup(&requests[next], &"bench".into())
                .expect("lookup")
        })
    });
    engine.shutdown().expect("shutdown");
}

fn ingest(c: &mut Criterion) {
    let mut data = Vec::new();
    write_ndjson(&options(1_000), &mut data).expect("generate");
    c.bench_function("ingest 1000 profiles", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("tempdir");
                let engine = Engine::open(EngineConfig::new(dir.path()), Arc::new(SystemClock))
                    .expect("engine");
                (dir, engine)
            },
            |(dir, engine)| {
                engine.ingest_ndjson(&data, 1).expect("ingest");
                (dir, engine)
            },
            BatchSize::PerIteration,
        )
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(5));
    targets = normalisation, scoring, lookup, ingest
}
criterion_main!(benches);
