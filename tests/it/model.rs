//! Model-based property test: random sequences of upserts, sightings and sweeps (with
//! the clock moving) against the engine and against a plain map of what should exist.
//! After every sequence the engine holds exactly the model's profiles, every one is
//! findable by id, and the consistency check finds no orphan entry in the store or the
//! index. proptest prints the failing case and its seed.

use profiled::clock::{format_rfc3339, Clock, ManualClock};
use profiled::engine::{Engine, EngineConfig, SightingsRequest};
use proptest::prelude::*;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const DAY: i64 = 86_400;
const START: i64 = 1_780_000_000;

#[derive(Clone, Debug)]
enum Op {
    /// Upsert person `who` (of a small pool) at company `at`, seen `days_ago`.
    Upsert {
        who: u8,
        at: u8,
        days_ago: u16,
    },
    /// A source shows person `who` again now.
    Sighting {
        who: u8,
    },
    /// Time passes.
    Advance {
        days: u16,
    },
    Sweep,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..12, 0u8..3, 0u16..500).prop_map(|(who, at, days_ago)| Op::Upsert { who, at, days_ago }),
        2 => (0u8..12).prop_map(|who| Op::Sighting { who }),
        1 => (1u16..200).prop_map(|days| Op::Advance { days }),
        1 => Just(Op::Sweep),
    ]
}

fn person_key(who: u8) -> String {
    format!("https://profiles.example/in/p{who}")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn engine_agrees_with_a_model_of_sightings_and_expiry(ops in prop::collection::vec(op(), 1..30)) {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = Arc::new(ManualClock::new(START));
        let mut config = EngineConfig::new(dir.path());
        config.indexer.commit_interval = Duration::from_millis(5);
        let engine = Engine::open(config, clock.clone()).expect("engine");
        let window = engine.retention().window_secs;
        // person → newest sighting, for those that should exist
        let mut model: HashMap<u8, i64> = HashMap::new();
        let mut last_seq = 0;
        for op in &ops {
            let now = clock.now();
            match *op {
                Op::Upsert { who, at, days_ago } => {
                    let seen = now - i64::from(days_ago) * DAY;
                    let line = json!({"person_key": person_key(who), "first_name": format!("First{who}"),
                        "last_name": "Model", "seen_at": format_rfc3339(seen),
                        "email": format!("first{who}.model@c{at}.example"),
                        "company": {"name": format!("Company {at}"), "domain": format!("c{at}.example")}});
                    let (report, seq) = engine.ingest_ndjson(format!("{line}\n").as_bytes(), 1).expect("ingest");
                    prop_assert!(report.rejected.is_empty(), "{:?}", report.rejected);
                    last_seq = last_seq.max(seq);
                    let newest = model.get(&who).copied().unwrap_or(i64::MIN).max(seen);
                    model.insert(who, newest);
                }
                Op::Sighting { who } => {
                    let request = SightingsRequest { source: "recheck".into(), person_keys: vec![person_key(who)], ..SightingsRequest::default() };
                    let (report, seq) = engine.record_sightings(&request, 100).expect("sightings");
                    last_seq = last_seq.max(seq);
                    if let Some(newest) = model.get_mut(&who) {
                        prop_assert_eq!(report.refreshed, 1);
                        *newest = (*newest).max(now);
                    } else {
                        prop_assert_eq!(report.unknown.len(), 1);
                    }
                }
                Op::Advance { days } => clock.advance(i64::from(days) * DAY),
                Op::Sweep => {
                    engine.sweep(None).expect("sweep");
                    model.retain(|_, newest| *newest >= now - window);
                }
            }
        }
        // a final sweep settles what has expired by now
        engine.sweep(None).expect("sweep");
        let now = clock.now();
        model.retain(|_, newest| *newest >= now - window);
        engine.wait_searchable_blocking(last_seq, Duration::from_secs(10)).expect("indexed");
        let mut report = engine.check().expect("check");
        for _ in 0..200 {
            if report.problem_count == 0 { break; }
            std::thread::sleep(Duration::from_millis(10));
            report = engine.check().expect("check");
        }
        prop_assert_eq!(report.problem_count, 0, "{:?}", report.problems);
        prop_assert_eq!(report.profiles, model.len() as u64);
        engine.shutdown().expect("shutdown");
    }
}
