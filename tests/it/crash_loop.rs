//! The crash loop: the real `profiled serve` binary ingests and refreshes sightings under
//! load while this process kills it with SIGKILL at a random moment, restarts it, and
//! checks that every acknowledged write is there and that `profiled check` finds the data
//! directory consistent. Run it with `scripts/crash-loop [--seed N] [--cycles N]`; it is
//! `#[ignore]`d so that a plain `cargo test` does not pay for it twice in CI.
//!
//! What "acknowledged" means here: an ingest or sightings request that got its 200 reply.
//! A request the kill cut short may or may not have landed; both outcomes are accepted,
//! and whichever the restarted daemon shows becomes the new expectation.
//!
//! Load: a fixed pool of identities (half keyed by `person_key`, half by name + company)
//! split among writer tasks, so each identity has at most one request in flight and the
//! model stays exact; the pool keeps the data size flat over thousands of cycles.
//! Every write carries a `seen_at` from one logical clock that only moves forward, so a
//! later write always wins the merge.
//!
//! Erasure: a writer sometimes erases one of its acknowledged identities (only every
//! tenth identity may be erased, so the pool stays large over a long run). An
//! acknowledged erasure must hold after every crash: the restarted daemon answers 404 for
//! the id, and the writers keep sending the identity in ingests, each of which must be
//! counted as `suppressed`.

use crate::support::{daemon_binary, ChildDaemon, Client, Reply};
use profiled::clock::{format_rfc3339, parse_rfc3339, Clock, SystemClock};
use profiled::engine::ingest::{prepare_ndjson, InputLimits};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Identities in the pool.
const POOL: usize = 1_200;
/// Writer tasks; writer `w` owns identities `i` with `i % WRITERS == w`.
const WRITERS: usize = 3;
/// A slot for every writer and check whatever the machine's cores (the default is two
/// per core): what the loop tests is crashes, not load shedding.
const SLOTS_FOR_THE_WRITERS: &[(&str, &str)] = &[("PROFILED_MAX_IN_FLIGHT", "16")];
/// The longest a cycle's load runs before the kill.
const MAX_LOAD_MS: u64 = 1_200;
/// The source name of ingests and of sightings.
const INGEST_SOURCE: &str = "crash-ingest";
const REFRESH_SOURCE: &str = "crash-refresh";

/// One request a writer sends for one or more of its identities.
#[derive(Clone, Debug)]
enum Op {
    /// An upsert setting `job_title` to the identity's next generation.
    Ingest { generation: u64 },
    /// A sighting of an already acknowledged identity.
    Sighting,
    /// `POST /v1/privacy/erase {"id":…}`.
    Erase,
}

/// Only identities with `i % ERASABLE_EVERY == 0` are erased.
const ERASABLE_EVERY: usize = 10;

/// What the restarted daemon must show for one identity.
#[derive(Clone, Debug, PartialEq)]
enum Expect {
    /// Never acknowledged: absent (or present if a cut-short write landed).
    Unknown,
    Present {
        generation: u64,
        ingest_seen: i64,
        refresh_seen: Option<i64>,
    },
    /// Erased: GET answers 404 and every re-ingest is suppressed.
    Erased,
}

#[derive(Clone, Debug)]
struct Identity {
    id: String,
    line: fn(usize, u64, &str) -> Value,
    expect: Expect,
    /// A request sent whose reply did not come (the kill cut it short).
    in_flight: Option<(Op, i64)>,
    /// The generation the next ingest writes.
    next_generation: u64,
}

fn keyed_line(i: usize, generation: u64, seen_at: &str) -> Value {
    json!({"person_key": format!("crash://person/{i}"), "source": INGEST_SOURCE, "seen_at": seen_at,
           "first_name": format!("Keyed{i}"), "last_name": "Crashloop",
           "job_title": format!("Title {generation}"),
           "email": format!("keyed{i}.crashloop@crash{}.example", i % 40),
           "location": {"country": "NL", "city": "Utrecht"},
           "company": {"name": format!("Crash {} B.V.", i % 40), "domain": format!("crash{}.example", i % 40)}})
}

fn named_line(i: usize, generation: u64, seen_at: &str) -> Value {
    json!({"source": INGEST_SOURCE, "seen_at": seen_at,
           "first_name": format!("Named{i}"), "last_name": "Crashloop",
           "job_title": format!("Title {generation}"),
           "skills": [format!("skill{}", generation % 7)],
           "company": {"name": format!("Loop {} GmbH", i % 25)}})
}

/// The id the daemon gives an identity, computed by the library's own ingest preparation.
fn id_of(line: &Value) -> String {
    let body = format!("{line}\n");
    let prepared = prepare_ndjson(
        body.as_bytes(),
        1,
        SystemClock.now(),
        &InputLimits::default(),
    );
    match prepared.into_iter().next() {
        Some(Ok(prepared)) => prepared.id.to_string(),
        _ => panic!("the harness's own line is valid"),
    }
}

fn pool() -> Vec<Identity> {
    (0..POOL)
        .map(|i| {
            let line: fn(usize, u64, &str) -> Value =
                if i % 2 == 0 { keyed_line } else { named_line };
            Identity {
                id: id_of(&line(i, 0, "2026-01-01T00:00:00Z")),
                line,
                expect: Expect::Unknown,
                in_flight: None,
                next_generation: 1,
            }
        })
        .collect()
}

/// Counts over the whole run.
#[derive(Default)]
struct Totals {
    acked_ingests: u64,
    acked_lines: u64,
    acked_sightings: u64,
    acked_erasures: u64,
    acked_suppressed: u64,
    cut_short: u64,
    checks: u64,
}

/// One writer's load until the daemon dies (or `stop` passes): returns when a request
/// fails, leaving that request's identities marked in flight.
async fn writer(
    w: usize,
    client: Client,
    model: Arc<Mutex<Vec<Identity>>>,
    clock: Arc<AtomicI64>,
    totals: Arc<Mutex<Totals>>,
    seed: u64,
    stop: Instant,
) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let owned: Vec<usize> = (w..POOL).step_by(WRITERS).collect();
    while Instant::now() < stop {
        let seen_at = clock.fetch_add(1, Ordering::SeqCst);
        let seen_text = format_rfc3339(seen_at);
        let count = rng.usize(1..=40);
        let picked: Vec<usize> = (0..count)
            .map(|_| owned[rng.usize(..owned.len())])
            .collect();
        let mut picked_unique = picked.clone();
        picked_unique.sort_unstable();
        picked_unique.dedup();
        let sighting = rng.u8(..4) == 0;
        let erase = !sighting && rng.u8(..12) == 0;
        let (op_targets, request) = {
            let mut model = model.lock().expect("model");
            if erase {
                let Some(&i) = picked_unique.iter().find(|&&i| {
                    i % ERASABLE_EVERY == 0 && matches!(model[i].expect, Expect::Present { .. })
                }) else {
                    continue;
                };
                model[i].in_flight = Some((Op::Erase, seen_at));
                let body = json!({"id": model[i].id});
                (vec![i], Request::Erase(body))
            } else if sighting {
                let acked: Vec<usize> = picked_unique
                    .iter()
                    .copied()
                    .filter(|&i| matches!(model[i].expect, Expect::Present { .. }))
                    .collect();
                if acked.is_empty() {
                    continue;
                }
                let ids: Vec<String> = acked.iter().map(|&i| model[i].id.clone()).collect();
                for &i in &acked {
                    model[i].in_flight = Some((Op::Sighting, seen_at));
                }
                let body = json!({"source": REFRESH_SOURCE, "seen_at": seen_text, "ids": ids});
                (acked, Request::Sightings(body))
            } else {
                let mut body = String::new();
                for &i in &picked_unique {
                    let identity = &mut model[i];
                    let generation = identity.next_generation;
                    identity.next_generation += 1;
                    identity.in_flight = Some((Op::Ingest { generation }, seen_at));
                    body.push_str(&(identity.line)(i, generation, &seen_text).to_string());
                    body.push('\n');
                }
                let wait = rng.u8(..5) == 0;
                let erased = picked_unique
                    .iter()
                    .filter(|&&i| model[i].expect == Expect::Erased)
                    .count() as u64;
                (
                    picked_unique.clone(),
                    Request::Ingest { body, wait, erased },
                )
            }
        };
        let Some(reply) = request.send(&client).await else {
            return; // the daemon is gone; the targets stay in flight
        };
        let mut model = model.lock().expect("model");
        let mut totals = totals.lock().expect("totals");
        match request {
            Request::Sightings(_) => {
                assert_eq!(reply.status, 200, "sightings: {}", reply.text);
                assert_eq!(reply.body["refreshed"], op_targets.len(), "{}", reply.text);
                totals.acked_sightings += op_targets.len() as u64;
            }
            Request::Ingest { erased, .. } => {
                assert_eq!(reply.status, 200, "ingest: {}", reply.text);
                let stored = reply.body["created"].as_u64().unwrap_or(0)
                    + reply.body["updated"].as_u64().unwrap_or(0);
                assert_eq!(stored, op_targets.len() as u64 - erased, "{}", reply.text);
                assert_eq!(
                    reply.body["suppressed"].as_u64().unwrap_or(0),
                    erased,
                    "every erased identity is suppressed: {}",
                    reply.text
                );
                totals.acked_ingests += 1;
                totals.acked_lines += stored;
                totals.acked_suppressed += erased;
            }
            Request::Erase(_) => {
                assert_eq!(reply.status, 200, "erase: {}", reply.text);
                assert_eq!(reply.body["outcome"], "erased", "{}", reply.text);
                totals.acked_erasures += 1;
            }
        }
        for i in op_targets {
            let identity = &mut model[i];
            let (op, at) = identity.in_flight.take().expect("in flight");
            identity.expect = applied(&identity.expect, &op, at);
        }
    }
}

/// The expectation once `op` at time `at` has been applied to `before`.
fn applied(before: &Expect, op: &Op, at: i64) -> Expect {
    match (op, before) {
        (Op::Ingest { generation }, Expect::Present { refresh_seen, .. }) => Expect::Present {
            generation: *generation,
            ingest_seen: at,
            refresh_seen: *refresh_seen,
        },
        (Op::Ingest { generation }, Expect::Unknown) => Expect::Present {
            generation: *generation,
            ingest_seen: at,
            refresh_seen: None,
        },
        (
            Op::Sighting,
            Expect::Present {
                generation,
                ingest_seen,
                ..
            },
        ) => Expect::Present {
            generation: *generation,
            ingest_seen: *ingest_seen,
            refresh_seen: Some(at),
        },
        (Op::Erase, Expect::Present { .. }) | (_, Expect::Erased) => Expect::Erased,
        (Op::Sighting | Op::Erase, Expect::Unknown) => {
            unreachable!("sightings and erasures name acknowledged ids only")
        }
    }
}

enum Request {
    /// `erased`: how many of the lines are of acknowledged erased identities.
    Ingest {
        body: String,
        wait: bool,
        erased: u64,
    },
    Sightings(Value),
    Erase(Value),
}

impl Request {
    /// The reply, or `None` when the daemon died under the request.
    async fn send(&self, client: &Client) -> Option<Reply> {
        match self {
            Request::Ingest { body, wait, .. } => {
                let path = if *wait {
                    "/v1/ingest?refresh=wait_for"
                } else {
                    "/v1/ingest"
                };
                client
                    .try_post_raw(path, "application/x-ndjson", body.clone().into_bytes())
                    .await
            }
            Request::Sightings(body) => client.try_post_json("/v1/sightings", body).await,
            Request::Erase(body) => client.try_post_json("/v1/privacy/erase", body).await,
        }
    }
}

/// What the stored profile says about the identity, compared with the model. Returns the
/// new expectation (what is now durable).
fn verify(identity: &Identity, status: u16, profile: &Value) -> Expect {
    let allowed_after = |op: &Op, at: i64| applied(&identity.expect, op, at);
    let mut allowed = vec![identity.expect.clone()];
    if let Some((op, at)) = &identity.in_flight {
        if !(matches!(op, Op::Sighting) && identity.expect == Expect::Unknown) {
            allowed.push(allowed_after(op, *at));
        }
    }
    let found = match status {
        404 if allowed.contains(&Expect::Erased) => Expect::Erased,
        404 => Expect::Unknown,
        200 => {
            let generation = profile["job_title"]
                .as_str()
                .and_then(|t| t.strip_prefix("Title "))
                .and_then(|g| g.parse().ok())
                .unwrap_or_else(|| panic!("profile {}: job title {profile}", identity.id));
            let seen = |source: &str| {
                profile["sources"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|s| s["name"] == source)
                    .and_then(|s| s["last_seen"].as_str())
                    .and_then(parse_rfc3339)
            };
            Expect::Present {
                generation,
                ingest_seen: seen(INGEST_SOURCE)
                    .unwrap_or_else(|| panic!("profile {}: no ingest sighting", identity.id)),
                refresh_seen: seen(REFRESH_SOURCE),
            }
        }
        other => panic!("profile {}: status {other}: {profile}", identity.id),
    };
    assert!(
        allowed.contains(&found),
        "profile {}: the daemon shows {found:?}; acknowledged was {:?}, cut short {:?}",
        identity.id,
        identity.expect,
        identity.in_flight
    );
    found
}

fn check(data: &Path) -> String {
    let output = std::process::Command::new(daemon_binary())
        .args(["check", "--data-dir"])
        .arg(data)
        .env("PROFILED_LOG", "warn")
        .output()
        .expect("check runs");
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success() && report.contains(": 0 problems"),
        "profiled check: {report}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the crash loop runs through scripts/crash-loop"]
async fn crash_loop() {
    let seed: u64 = std::env::var("CRASH_LOOP_SEED")
        .ok()
        .map(|s| s.parse().expect("CRASH_LOOP_SEED is a number"))
        .unwrap_or_else(|| fastrand::u64(..));
    let cycles: u64 = std::env::var("CRASH_LOOP_CYCLES")
        .ok()
        .map(|s| s.parse().expect("CRASH_LOOP_CYCLES is a number"))
        .unwrap_or(25);
    eprintln!("crash loop: seed {seed}, {cycles} cycles (repeat with --seed {seed})");
    let mut rng = fastrand::Rng::with_seed(seed);
    // Kept when the loop fails (the panic message names it), removed when it passes.
    let dir = tempfile::Builder::new()
        .prefix("crash-loop-")
        .tempdir()
        .expect("tempdir")
        .keep();
    eprintln!("crash loop: data and daemon log in {}", dir.display());
    let data = dir.join("data");
    let log = dir.join("daemon.log");
    let model = Arc::new(Mutex::new(pool()));
    let totals = Arc::new(Mutex::new(Totals::default()));
    // Sixty days ago, one second per request: far inside the retention window.
    let clock = Arc::new(AtomicI64::new(SystemClock.now() - 60 * 86_400));
    let started = Instant::now();
    let mut daemon = ChildDaemon::spawn(&data, &log, SLOTS_FOR_THE_WRITERS);
    for cycle in 1..=cycles {
        let load_ms = rng.u64(0..=MAX_LOAD_MS);
        let stop = Instant::now() + Duration::from_secs(30);
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                tokio::spawn(writer(
                    w,
                    daemon.client(),
                    model.clone(),
                    clock.clone(),
                    totals.clone(),
                    rng.u64(..),
                    stop,
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(load_ms)).await;
        daemon.kill_9();
        for task in writers {
            task.await.expect("a writer's assertion failed");
        }
        // Half the cycles check the crashed directory offline (its open replays the
        // outbox); the others leave the replay to the restarted daemon, whose result
        // the next cycle's check sees.
        if rng.bool() || cycle == cycles {
            check(&data);
            totals.lock().expect("totals").checks += 1;
        }
        daemon = ChildDaemon::spawn(&data, &log, SLOTS_FOR_THE_WRITERS);
        let client = daemon.client();
        let snapshot: Vec<Identity> = model.lock().expect("model").clone();
        let mut cut_short = 0;
        for (i, identity) in snapshot.iter().enumerate() {
            if identity.expect == Expect::Unknown && identity.in_flight.is_none() {
                continue;
            }
            cut_short += u64::from(identity.in_flight.is_some());
            let reply = client.get(&format!("/v1/profiles/{}", identity.id)).await;
            let found = verify(identity, reply.status, &reply.body);
            let mut model = model.lock().expect("model");
            model[i].expect = found;
            model[i].in_flight = None;
        }
        totals.lock().expect("totals").cut_short += cut_short;
        let totals = totals.lock().expect("totals");
        eprintln!(
            "cycle {cycle}/{cycles}: killed after {load_ms} ms; {} ingests ({} lines), {} sightings and {} erasures acknowledged so far, {} cut short, all present or erased ({:.0} s)",
            totals.acked_ingests,
            totals.acked_lines,
            totals.acked_sightings,
            totals.acked_erasures,
            totals.cut_short,
            started.elapsed().as_secs_f64()
        );
    }
    daemon.kill_9();
    check(&data);
    std::fs::remove_dir_all(&dir).expect("remove the crash loop's directory");
    let totals = totals.lock().expect("totals");
    eprintln!(
        "crash loop passed: seed {seed}, {cycles} cycles, {} acknowledged ingest requests ({} lines) and {} acknowledged sightings all present, {} acknowledged erasures still erased ({} re-ingests suppressed), {} cut-short writes resolved, {} offline checks clean, {:.0} s",
        totals.acked_ingests,
        totals.acked_lines,
        totals.acked_sightings,
        totals.acked_erasures,
        totals.acked_suppressed,
        totals.cut_short,
        totals.checks + 1,
        started.elapsed().as_secs_f64()
    );
}
