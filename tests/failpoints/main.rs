//! Fault injection (issue 15.2): fail points before and after the index commit, the store
//! flush and the sweeper's batch deletes. Each test makes one of them fail — an error
//! where the code returns one, or a panic, which stops the thread as a crash would — and
//! then checks that the daemon recovers without loss or divergence: every acknowledged
//! write is there, a write that failed is there whole or not at all, every profile is
//! indexed exactly once, and `check` is clean after a restart.
//!
//! Its own test binary, built only with the `failpoints` feature (normal and release
//! builds carry no fail point): `cargo test --features failpoints --test failpoints`.
//! Fail points are global to the process, so the tests take turns.

use profiled::clock::{Clock, ManualClock, SystemClock};
use profiled::engine::{Engine, EngineConfig};
use profiled::model::{EmailInput, LookupRequest, LookupStatus};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// One test at a time: fail points are process-wide.
static TURN: Mutex<()> = Mutex::new(());

fn turn() -> (MutexGuard<'static, ()>, fail::FailScenario<'static>) {
    let guard = TURN.lock().unwrap_or_else(PoisonError::into_inner);
    (guard, fail::FailScenario::setup())
}

fn open_with(dir: &Path, clock: Arc<dyn Clock>) -> Engine {
    let mut config = EngineConfig::new(dir);
    config.indexer.commit_interval = Duration::from_millis(5);
    Engine::open(config, clock).expect("engine opens")
}

fn open(dir: &Path) -> Engine {
    open_with(dir, Arc::new(SystemClock))
}

/// People `range`, each with its own email address.
fn people(range: std::ops::Range<usize>, seen_at: Option<&str>) -> Vec<Value> {
    range
        .map(|i| {
            let mut line = json!({"first_name": format!("Fault{i}"), "last_name": "Tolerant",
                "email": format!("fault{i}.tolerant@faults.example"),
                "company": {"name": "Faults", "domain": "faults.example"}});
            if let Some(seen_at) = seen_at {
                line["seen_at"] = json!(seen_at);
            }
            line
        })
        .collect()
}

fn body(lines: &[Value]) -> Vec<u8> {
    lines
        .iter()
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        .into_bytes()
}

/// Whether person `i` is found by email (the store) and by name (the index).
fn found(engine: &Engine, i: usize) -> (bool, bool) {
    let by_email = engine
        .lookup(
            &LookupRequest {
                email: Some(EmailInput(format!("fault{i}.tolerant@faults.example"))),
                ..LookupRequest::default()
            },
            &Arc::from("test"),
        )
        .expect("lookup")
        .status
        == LookupStatus::Match;
    let by_name = engine
        .lookup(
            &LookupRequest {
                name: Some(format!("Fault{i} Tolerant")),
                company: Some("faults.example".into()),
                ..LookupRequest::default()
            },
            &Arc::from("test"),
        )
        .expect("lookup")
        .status
        == LookupStatus::Match;
    (by_email, by_name)
}

/// Restarts on `dir` and checks: `check` clean, and the profile count.
fn restart_and_check(dir: &Path, profiles: u64) {
    let engine = open(dir);
    let report = engine.check().expect("check");
    assert_eq!(report.problem_count, 0, "{:?}", report.problems);
    assert_eq!(report.profiles, profiles);
    assert_eq!(report.indexed, profiles);
    engine.shutdown().expect("shutdown");
}

/// Waits until the index has committed every write told to the indexer.
fn settle(engine: &Engine) {
    let started = std::time::Instant::now();
    while engine.index_lag() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the index catches up"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn wait_indexed(engine: &Engine, seq: u64) {
    engine
        .wait_searchable_blocking(seq, Duration::from_secs(60))
        .expect("the index catches up");
}

#[test]
fn a_store_flush_that_fails_loses_no_acknowledged_write_and_applies_whole_or_not_at_all() {
    let (_turn, scenario) = turn();
    for point in ["store::commit::before_flush", "store::commit::after_flush"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let engine = open(dir.path());
        let (report, seq) = engine
            .ingest_ndjson(&body(&people(0..10, None)), 1)
            .expect("acknowledged");
        assert_eq!(report.created, 10);
        wait_indexed(&engine, seq);
        fail::cfg(point, "return").expect("fail point");
        assert!(
            engine
                .ingest_ndjson(&body(&people(10..20, None)), 1)
                .is_err(),
            "{point}: the write is not acknowledged"
        );
        fail::remove(point);
        let (_, seq) = engine
            .ingest_ndjson(&body(&people(20..30, None)), 1)
            .expect("acknowledged");
        wait_indexed(&engine, seq);
        engine.shutdown().expect("shutdown");
        drop(engine);

        let engine = open(dir.path());
        for i in (0..10).chain(20..30) {
            assert_eq!(found(&engine, i), (true, true), "{point}: acknowledged {i}");
        }
        // The failed write's transaction was applied before the flush failed: it is
        // there whole (never a part of it), in the store and the index alike.
        let failed: Vec<(bool, bool)> = (10..20).map(|i| found(&engine, i)).collect();
        assert!(
            failed.iter().all(|f| *f == failed[0]) && failed[0].0 == failed[0].1,
            "{point}: {failed:?}"
        );
        let expected = if failed[0].0 { 30 } else { 20 };
        engine.shutdown().expect("shutdown");
        drop(engine);
        restart_and_check(dir.path(), expected);
    }
    scenario.teardown();
}

#[test]
fn an_index_commit_that_fails_is_retried_and_the_index_follows_the_store() {
    let (_turn, scenario) = turn();
    for point in ["index::commit::before", "index::commit::after"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let engine = open(dir.path());
        fail::cfg(point, "2*return").expect("fail point");
        let (report, seq) = engine
            .ingest_ndjson(&body(&people(0..25, None)), 1)
            .expect("acknowledged");
        assert_eq!(report.created, 25);
        // The indexer retries the commit and catches up.
        wait_indexed(&engine, seq);
        fail::remove(point);
        for i in 0..25 {
            assert_eq!(found(&engine, i), (true, true), "{point}: {i}");
        }
        let report = engine.check().expect("check");
        assert_eq!(report.problem_count, 0, "{point}: {:?}", report.problems);
        engine.shutdown().expect("shutdown");
        drop(engine);
        restart_and_check(dir.path(), 25);
    }
    scenario.teardown();
}

/// A panic at the commit stops the indexer thread as a crash would stop the process: the
/// acknowledged writes are in the store, and the restart replays them into the index.
#[test]
fn an_indexer_that_dies_at_its_commit_is_replayed_on_restart() {
    let (_turn, scenario) = turn();
    for point in ["index::commit::before", "index::commit::after"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let engine = open(dir.path());
        let (_, seq) = engine
            .ingest_ndjson(&body(&people(0..5, None)), 1)
            .expect("acknowledged");
        wait_indexed(&engine, seq);
        fail::cfg(point, "panic").expect("fail point");
        let (report, _) = engine
            .ingest_ndjson(&body(&people(5..15, None)), 1)
            .expect("acknowledged: the store does not wait for the index");
        assert_eq!(report.created, 10);
        // Give the indexer the time to reach its commit and die there.
        std::thread::sleep(Duration::from_millis(300));
        fail::remove(point);
        engine.shutdown().expect("shutdown");
        drop(engine);
        let engine = open(dir.path());
        for i in 0..15 {
            assert_eq!(found(&engine, i), (true, true), "{point}: {i}");
        }
        engine.shutdown().expect("shutdown");
        drop(engine);
        restart_and_check(dir.path(), 15);
    }
    scenario.teardown();
}

#[test]
fn a_sweep_that_fails_between_batches_leaves_whole_batches_and_the_next_sweep_finishes() {
    let (_turn, scenario) = turn();
    for point in ["sweep::before_batch", "sweep::after_batch"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let now = 1_780_000_000;
        let clock = Arc::new(ManualClock::new(now));
        let engine = open_with(dir.path(), clock.clone());
        // 2,500 people last seen 400 days ago (three sweep batches of 1,000) and 20 seen
        // now.
        let old = profiled::clock::format_rfc3339(now - 400 * 86_400);
        for chunk in (0..2500).step_by(500) {
            engine
                .ingest_ndjson(&body(&people(chunk..chunk + 500, Some(&old))), 1)
                .expect("ingest");
        }
        let (_, seq) = engine
            .ingest_ndjson(&body(&people(5000..5020, None)), 1)
            .expect("ingest");
        wait_indexed(&engine, seq);
        fail::cfg(point, "1*return").expect("fail point");
        assert!(
            engine.sweep(None).is_err(),
            "{point}: the sweep reports the fault"
        );
        let left = engine.counts().expect("counts").profiles;
        let expected_left = if point == "sweep::before_batch" {
            2520
        } else {
            1520
        };
        assert_eq!(left, expected_left, "{point}: whole batches only");
        fail::remove(point);
        let report = engine.sweep(None).expect("the next sweep");
        assert_eq!(
            report.expired_profiles,
            expected_left as u64 - 20,
            "{point}: it finishes the job"
        );
        assert_eq!(engine.counts().expect("counts").profiles, 20);
        settle(&engine);
        let report = engine.check().expect("check");
        assert_eq!(report.problem_count, 0, "{point}: {:?}", report.problems);
        engine.shutdown().expect("shutdown");
        drop(engine);
        restart_and_check(dir.path(), 20);
    }
    scenario.teardown();
}
