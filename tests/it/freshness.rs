//! Freshness end to end: per-source sightings, the 12-month expiry (boundary, several
//! sources, refresh), an interrupted sweep finished after restart, the consistency
//! check, and the offline commands. Time comes from a manual clock.

use crate::support::{args, Client, TestDaemon};
use profiled::clock::{format_rfc3339, parse_rfc3339, ManualClock};
use profiled::config::Config;
use profiled::server::Daemon;
use serde_json::{json, Value};
use std::sync::Arc;

const DAY: i64 = 86_400;

fn now() -> i64 {
    parse_rfc3339("2026-06-01T00:00:00Z").expect("time")
}

async fn start(dir: &std::path::Path, clock: Arc<ManualClock>) -> TestDaemon {
    let mut serve_args = args(dir);
    serve_args.api_keys = Some("ops:admin-key-0123456789:admin".into());
    let config = Config::resolve(&serve_args).expect("config");
    let daemon = Daemon::start(config, clock).await.expect("start");
    TestDaemon {
        client: Client::new(daemon.addr()).with_key("admin-key-0123456789"),
        daemon,
    }
}

fn person(first: &str, last: &str, source: &str, days_ago: i64) -> Value {
    json!({"first_name":first,"last_name":last,"source":source,
           "seen_at":format_rfc3339(now() - days_ago * DAY),
           "email":format!("{}.{}@fresh.example", first.to_lowercase(), last.to_lowercase()),
           "company":{"name":"Fresh Produce B.V.","domain":"fresh.example"}})
}

async fn id_of(client: &Client, name: &str) -> Option<String> {
    let reply = client
        .lookup(json!({"name":name,"company":"fresh.example"}))
        .await;
    (reply.body["status"] == "match")
        .then(|| reply.body["profile"]["id"].as_str().expect("id").to_owned())
}

async fn sweep(client: &Client) -> Value {
    let reply = client.post_json("/v1/admin/sweep", &json!({})).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body
}

/// The consistency check passes once the indexer has caught up (within a few commits).
fn assert_consistent(daemon: &TestDaemon) {
    let engine = daemon.daemon.engine().clone();
    let mut report = engine.check().expect("check");
    for _ in 0..100 {
        if report.problem_count == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        report = engine.check().expect("check");
    }
    assert_eq!(report.problem_count, 0, "{:?}", report.problems);
}

/// The daemon sweeps at start; data is ingested while still fresh (a month before
/// `now()`), then the clock moves to `now()` for the sweeps under test.
const MONTH: i64 = 30 * DAY;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_expire_after_the_window_unless_some_source_still_shows_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(now() - MONTH));
    let daemon = start(dir.path(), clock.clone()).await;
    let client = &daemon.client;
    let reply = client
        .ingest(&[
            person("Ilse", "Young", "public-web", 364),
            person("Otto", "Old", "public-web", 366),
            person("Mira", "Mixed", "public-web", 400),
            person("Mira", "Mixed", "company-site", 40),
            person("Rafa", "Rescued", "public-web", 366),
        ])
        .await;
    assert_eq!(reply.body["created"], 4, "{}", reply.text);
    assert_eq!(reply.body["rejected"], json!([]), "{}", reply.text);
    let rescued = id_of(client, "Rafa Rescued").await.expect("rescued exists");
    let otto = id_of(client, "Otto Old").await.expect("otto exists");
    clock.set(now());

    // a sighting refreshes without resending the record; unknown ids are reported
    let reply = client
        .post_json(
            "/v1/sightings",
            &json!({"source":"press","ids":[rescued, "00000000000000aa", "not-an-id"]}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["refreshed"], 1);
    assert_eq!(
        reply.body["unknown"],
        json!(["not-an-id", "00000000000000aa"])
    );

    let report = sweep(client).await;
    assert_eq!(report["expired_profiles"], 1, "{report}");
    assert!(
        report["email_hashes_removed"].as_u64().expect("count") >= 1,
        "{report}"
    );
    assert_eq!(
        client.get(&format!("/v1/profiles/{otto}")).await.status,
        404
    );
    for name in ["Ilse Young", "Mira Mixed", "Rafa Rescued"] {
        assert!(id_of(client, name).await.is_some(), "{name} must stay");
    }
    // gone from every path: name lookup, email lookup (its hash is gone too)
    assert_eq!(
        client
            .lookup(json!({"email":"otto.old@fresh.example"}))
            .await
            .body["status"],
        "none"
    );
    let reply = client.get(&format!("/v1/profiles/{rescued}")).await;
    let sources: Vec<&str> = reply.body["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    assert_eq!(sources, vec!["public-web", "press"]);

    // two days later Ilse (364 days) has crossed the window too
    clock.advance(2 * DAY);
    assert_eq!(sweep(client).await["expired_profiles"], 1);
    assert!(id_of(client, "Ilse Young").await.is_none());
    assert_consistent(&daemon);

    let metrics = client.get("/metrics").await.text;
    assert!(
        metrics.contains("profiled_profiles_expired_total 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("profiled_oldest_sighting_age_seconds"),
        "{metrics}"
    );
    assert!(
        metrics.contains("profiled_last_sweep_duration_seconds"),
        "{metrics}"
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_company_left_without_profiles_and_sightings_goes_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(now()));
    let daemon = start(dir.path(), clock.clone()).await;
    daemon
        .client
        .ingest(&[person("Otto", "Old", "public-web", 10)])
        .await;
    assert!(daemon
        .client
        .get("/metrics")
        .await
        .text
        .contains("profiled_companies 1"));
    clock.advance(400 * DAY);
    let report = sweep(&daemon.client).await;
    assert_eq!(report["expired_profiles"], 1, "{report}");
    assert_eq!(report["expired_companies"], 1, "{report}");
    let metrics = daemon.client.get("/metrics").await.text;
    assert!(metrics.contains("profiled_companies 0"), "{metrics}");
    assert!(metrics.contains("profiled_profiles 0"), "{metrics}");
    assert_consistent(&daemon);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_sweep_is_finished_after_restart_without_orphans() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(now() - MONTH));
    let daemon = start(dir.path(), clock.clone()).await;
    let lines: Vec<Value> = (0..2_500)
        .map(|i| {
            person(
                &format!("Name{i}"),
                &format!("Family{i}"),
                "public-web",
                370,
            )
        })
        .chain(std::iter::once(person("Keep", "Me", "public-web", 35)))
        .collect();
    let reply = daemon.client.ingest(&lines).await;
    assert_eq!(reply.body["created"], 2_501, "{}", reply.text);
    clock.set(now());
    // One batch of the sweep, then the process stops (as a crash between two atomic
    // batches would leave it).
    let engine = daemon.daemon.engine().clone();
    let partial = tokio::task::spawn_blocking(move || engine.sweep(Some(1)))
        .await
        .expect("task")
        .expect("sweep");
    assert_eq!(partial.expired_profiles, 1_000);
    assert_consistent(&daemon);
    daemon.stop().await;

    // The daemon sweeps at start: the rest goes, and nothing is left behind.
    let daemon = start(dir.path(), clock.clone()).await;
    let mut remaining = 0;
    for _ in 0..100 {
        let metrics = daemon.client.get("/metrics").await.text;
        remaining = metrics
            .lines()
            .find_map(|l| l.strip_prefix("profiled_profiles "))
            .and_then(|v| v.trim().parse::<i64>().ok())
            .expect("profiles gauge");
        if remaining == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(remaining, 1);
    assert_consistent(&daemon);
    assert!(id_of(&daemon.client, "Keep Me").await.is_some());
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_sightings_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(now()));
    let daemon = start(dir.path(), clock).await;
    let client = &daemon.client;
    client
        .ingest(&[person("Ilse", "Young", "public-web", 1)])
        .await;
    for body in [
        json!({"source":"","ids":["0000000000000001"]}),
        json!({"source":"press","ids":[]}),
        json!({"source":"press","ids":["0000000000000001"],"seen_at":"tomorrow"}),
        json!({"source":"press","ids":["0000000000000001"],"seen_at":"2030-01-01T00:00:00Z"}),
        json!({"source":"press","names":["x"]}),
    ] {
        let reply = client.post_json("/v1/sightings", &body).await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.text);
        assert_eq!(reply.content_type, "application/problem+json");
    }
    let many: Vec<String> = (0..10_001).map(|i| format!("{i:016x}")).collect();
    let reply = client
        .post_json("/v1/sightings", &json!({"source":"press","ids":many}))
        .await;
    assert_eq!(reply.status, 413, "{}", reply.text);
    assert!(id_of(client, "Ilse Young").await.is_some());
    daemon.stop().await;
}

#[test]
fn offline_sweep_and_check_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let input = dir.path().join("people.ndjson");
    let old = format_rfc3339(profiled::clock::Clock::now(&profiled::clock::SystemClock) - 3 * DAY);
    std::fs::write(
        &input,
        format!(
            "{}\n{}\n",
            json!({"first_name":"Otto","last_name":"Old","seen_at":old,"company":{"name":"Acme"}}),
            json!({"first_name":"Nina","last_name":"New","company":{"name":"Acme"}})
        ),
    )
    .expect("write");
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_profiled"))
            .args(args)
            .arg("--data-dir")
            .arg(&data)
            .env("PROFILED_LOG", "warn")
            .output()
            .expect("run");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    let (ok, _) = run(&["ingest", input.to_str().expect("path")]);
    assert!(ok);
    let (ok, out) = run(&["sweep", "--retention-days", "2"]);
    assert!(ok, "{out}");
    assert!(
        out.contains(": deleted 1 profiles and 0 companies not seen since "),
        "{out}"
    );
    let (ok, out) = run(&["check"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("checked 1 profiles, 1 companies, 1 index documents: 0 problems"),
        "{out}"
    );
}
