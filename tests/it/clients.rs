//! What the browser clients rely on, over real HTTP: CORS for configured origins only,
//! the console page served without a key while its API calls need one, the freshness
//! part of the statistics, and explanations for the runner-up.
//! (`scripts/browser-test` drives the same in Chromium.)

use crate::support::{self as common, header, preflight};
use profiled::config::ServeArgs;
use reqwest::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    AUTHORIZATION, CONTENT_TYPE, ORIGIN,
};
use serde_json::{json, Value};

const EXTENSION: &str = "chrome-extension://njkdkfhlpnmbibgkhdipdmceiglgnoni";
const LOOKUP_KEY: &str = "lookup-key-0123456789";
const SEARCH_KEY: &str = "search-key-0123456789";

async fn daemon(cors_origins: &[&str]) -> (tempfile::TempDir, common::TestDaemon) {
    let dir = tempfile::tempdir().expect("tempdir");
    let args = ServeArgs {
        cors_origins: cors_origins.iter().map(|o| o.to_string()).collect(),
        api_keys: Some(format!(
            "ext:{LOOKUP_KEY}:lookup,console:{SEARCH_KEY}:lookup+search"
        )),
        ..common::args(dir.path())
    };
    let daemon = common::start_with(args).await;
    (dir, daemon)
}

fn base(daemon: &common::TestDaemon) -> String {
    format!("http://{}", daemon.daemon.addr())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_preflight_is_answered_for_configured_origins_only() {
    let (_dir, daemon) = daemon(&[EXTENSION, "http://localhost:3000"]).await;
    let url = format!("{}/v1/lookup", base(&daemon));

    let allowed = preflight(&url, EXTENSION).await;
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(
        header(&allowed, ACCESS_CONTROL_ALLOW_ORIGIN).as_deref(),
        Some(EXTENSION)
    );
    let methods = header(&allowed, ACCESS_CONTROL_ALLOW_METHODS).expect("methods");
    assert!(
        methods.contains("POST") && methods.contains("GET"),
        "{methods}"
    );
    let headers = header(&allowed, ACCESS_CONTROL_ALLOW_HEADERS).expect("headers");
    assert!(
        headers.contains("authorization") && headers.contains("content-type"),
        "{headers}"
    );

    let other = preflight(&url, "https://evil.example").await;
    assert_eq!(header(&other, ACCESS_CONTROL_ALLOW_ORIGIN), None);

    // The real request: allowed origins see every answer, a refusal included.
    let client = reqwest::Client::new();
    let unauthorised = client
        .post(&url)
        .header(ORIGIN, EXTENSION)
        .json(&json!({"name": "Jane Doe"}))
        .send()
        .await
        .expect("lookup");
    assert_eq!(unauthorised.status(), 401);
    assert_eq!(
        header(&unauthorised, ACCESS_CONTROL_ALLOW_ORIGIN).as_deref(),
        Some(EXTENSION)
    );
    let answered = client
        .post(&url)
        .header(ORIGIN, "http://localhost:3000")
        .header(AUTHORIZATION, format!("Bearer {LOOKUP_KEY}"))
        .json(&json!({"name": "Jane Doe"}))
        .send()
        .await
        .expect("lookup");
    assert_eq!(answered.status(), 200);
    assert_eq!(
        header(&answered, ACCESS_CONTROL_ALLOW_ORIGIN).as_deref(),
        Some("http://localhost:3000")
    );
    let refused = client
        .post(&url)
        .header(ORIGIN, "https://evil.example")
        .header(AUTHORIZATION, format!("Bearer {LOOKUP_KEY}"))
        .json(&json!({"name": "Jane Doe"}))
        .send()
        .await
        .expect("lookup");
    assert_eq!(header(&refused, ACCESS_CONTROL_ALLOW_ORIGIN), None);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_origin_is_allowed_by_default() {
    let (_dir, daemon) = daemon(&[]).await;
    let url = format!("{}/v1/lookup", base(&daemon));
    let answer = preflight(&url, EXTENSION).await;
    assert_eq!(header(&answer, ACCESS_CONTROL_ALLOW_ORIGIN), None);
    assert_eq!(header(&answer, ACCESS_CONTROL_ALLOW_METHODS), None);
    let lookup = reqwest::Client::new()
        .post(&url)
        .header(ORIGIN, EXTENSION)
        .header(AUTHORIZATION, format!("Bearer {LOOKUP_KEY}"))
        .json(&json!({"name": "Jane Doe"}))
        .send()
        .await
        .expect("lookup");
    // Issue 14.4: a request from an origin no list allows is refused, not just unreadable.
    assert_eq!(lookup.status(), 403);
    assert_eq!(header(&lookup, ACCESS_CONTROL_ALLOW_ORIGIN), None);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_is_served_without_a_key_but_its_calls_need_one() {
    let (_dir, daemon) = daemon(&[]).await;
    let base = base(&daemon);
    let client = reqwest::Client::new();
    for (path, kind, needle) in [
        ("/console", "text/html", "<title>profiled console</title>"),
        ("/console/", "text/html", "/console/console.js"),
        ("/console/console.js", "text/javascript", "/v1/lookup"),
        ("/console/console.css", "text/css", "#facets"),
    ] {
        let response = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("get");
        assert_eq!(response.status(), 200, "{path}");
        assert!(header(&response, CONTENT_TYPE)
            .expect("type")
            .starts_with(kind));
        let csp = header(&response, reqwest::header::CONTENT_SECURITY_POLICY).expect("csp");
        assert!(
            csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"),
            "{csp}"
        );
        assert!(
            response.text().await.expect("body").contains(needle),
            "{path}"
        );
    }
    // Nothing the page loads comes from elsewhere.
    for asset in ["/console", "/console/console.js", "/console/console.css"] {
        let text = client
            .get(format!("{base}{asset}"))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body");
        assert!(
            !text.contains("//cdn") && !text.contains("src=\"http"),
            "{asset}"
        );
    }
    let stats = common::Client::new(daemon.daemon.addr())
        .get("/v1/stats")
        .await;
    assert_eq!(stats.status, 401);
    daemon.stop().await;
}

fn person(first: &str, last: &str, city: &str, company: &str) -> Value {
    json!({"first_name": first, "last_name": last, "source": "test",
           "location": {"country": "NL", "city": city}, "company": {"name": company}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_report_freshness_and_lookups_explain_the_runner_up() {
    let (_dir, daemon) = daemon(&[]).await;
    // Statistics need the search scope; an empty store has an empty histogram.
    let console = common::Client::new(daemon.daemon.addr()).with_key(SEARCH_KEY);
    let stats = console.get("/v1/stats").await;
    assert_eq!(stats.status, 200, "{}", stats.text);
    let freshness = &stats.body["freshness"];
    assert_eq!(freshness["retention_days"], 365);
    assert_eq!(freshness["by_age"].as_array().expect("buckets").len(), 13);
    assert_eq!(freshness["expiring_30_days"], 0);
    let forbidden = common::Client::new(daemon.daemon.addr())
        .with_key(LOOKUP_KEY)
        .get("/v1/stats")
        .await;
    assert_eq!(forbidden.status, 403);
    daemon.stop().await;

    // An open daemon to write to: two people of one name, in two cities.
    let dir = tempfile::tempdir().expect("tempdir");
    let open = common::start(dir.path()).await;
    let reply = open
        .client
        .ingest(&[
            person("Maarten", "Kloosterboer", "Utrecht", "Kloos BV"),
            person("Maarten", "Kloosterboer", "Groningen", "Noord BV"),
        ])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let stats = open.client.get("/v1/stats").await;
    let freshness = &stats.body["freshness"];
    assert_eq!(freshness["by_age"][0]["profiles"], 2);
    let total: u64 = freshness["by_age"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| b["profiles"].as_u64().expect("count"))
        .sum();
    assert_eq!(total, 2);

    let explained = open
        .client
        .lookup(json!({"name": "Maarten Kloosterboer", "city": "Utrecht", "explain": true}))
        .await;
    assert_eq!(explained.body["status"], "match", "{}", explained.text);
    let runner_up = &explained.body["candidates"][0];
    assert_eq!(runner_up["company"], "Noord BV");
    let city = runner_up["explain"]
        .as_array()
        .expect("runner-up explained")
        .iter()
        .find(|c| c["field"] == "city")
        .expect("city contribution");
    assert!(city["log_odds"].as_f64().expect("number") < 0.0, "{city}");
    let plain = open
        .client
        .lookup(json!({"name": "Maarten Kloosterboer", "city": "Utrecht"}))
        .await;
    assert!(plain.body["candidates"][0].get("explain").is_none());
    open.stop().await;
}
