//! Issue 14, access control and the open mode: keys made by `profiled keys new` and held
//! as hashes, scopes on every route (the whole route × scope matrix, from the served
//! OpenAPI document), rate limits and daily quotas per key (429 with `Retry-After` and
//! `RateLimit-*`, quotas surviving a restart), CORS per key, and the locked open mode
//! (Host, Origin and body type checked).

use crate::support::{self as common, header, preflight, ChildDaemon};
use profiled::config::{hash_key, DataArgs, ServeArgs};
use reqwest::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    AUTHORIZATION, CONTENT_TYPE, HOST, ORIGIN, RETRY_AFTER,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

const EXTENSION: &str = "chrome-extension://njkdkfhlpnmbibgkhdipdmceiglgnoni";
const APP: &str = "https://app.example";

/// An `[[api_keys]]` block configuring `key` by its hash, with `extra` TOML lines.
fn key_block(name: &str, key: &str, scopes: &[&str], extra: &str) -> String {
    let hex: String = hash_key(key).iter().map(|b| format!("{b:02x}")).collect();
    let scopes: Vec<String> = scopes.iter().map(|s| format!("\"{s}\"")).collect();
    format!(
        "[[api_keys]]\nname = \"{name}\"\nhash = \"blake3:{hex}\"\nscopes = [{}]\n{extra}\n",
        scopes.join(", ")
    )
}

/// Serve arguments reading `config` (TOML) from a file in `dir`.
fn with_config(dir: &Path, config: &str) -> ServeArgs {
    let path = dir.join("profiled.toml");
    std::fs::write(&path, config).expect("config file");
    let mut args = common::args(&dir.join("data"));
    args.data = DataArgs {
        config: Some(path),
        ..args.data
    };
    args
}

/// Asserts that `/metrics` has `line`.
async fn shows_metric(daemon: &common::TestDaemon, line: &str) {
    let metrics = daemon.client.get("/metrics").await.text;
    assert!(metrics.contains(line), "{line} not in\n{metrics}");
}

async fn problem(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(
        header(&response, CONTENT_TYPE).as_deref(),
        Some("application/problem+json")
    );
    let body: Value = response.json().await.expect("problem body");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status, "{body}");
    body
}

fn profiled(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(common::daemon_binary());
    command.args(args).env_remove("PROFILED_API_KEYS");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run profiled")
}

/// 14.1: the key is printed once, the block holds only its hash, the daemon takes the
/// block, and `keys list` shows names and scopes but neither the key nor its hash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_new_prints_the_key_once_and_a_block_with_its_hash_that_the_daemon_takes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let made = profiled(
        &[
            "keys",
            "new",
            "--name",
            "extension",
            "--scopes",
            "lookup,enrich",
            "--rate-per-second",
            "50",
            "--burst",
            "100",
            "--daily-quota",
            "100000",
            "--cors-origin",
            EXTENSION,
        ],
        &[],
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let out = String::from_utf8(made.stdout).expect("utf-8");
    let (key, block) = out.split_once('\n').expect("key, then the block");
    assert!(key.starts_with("pfd_") && key.len() >= 40, "{key}");
    assert!(!block.contains(key), "the block must not hold the key");
    let hex: String = hash_key(key).iter().map(|b| format!("{b:02x}")).collect();
    assert!(
        block.contains(&format!("hash = \"blake3:{hex}\"")),
        "{block}"
    );
    for line in [
        "[[api_keys]]",
        "name = \"extension\"",
        "scopes = [\"lookup\", \"enrich\"]",
        "rate_per_second = 50.0",
        "burst = 100",
        "daily_quota = 100000",
    ] {
        assert!(block.contains(line), "{line} missing from\n{block}");
    }
    // Two keys are never alike.
    let again = profiled(&["keys", "new", "--name", "x", "--scopes", "lookup"], &[]);
    assert!(!String::from_utf8_lossy(&again.stdout).contains(key));

    let args = with_config(dir.path(), block);
    let config_path = args.data.config.clone().expect("config");
    let daemon = common::start_with(args).await;
    let client = daemon.client.with_key(key);
    let reply = client
        .lookup(json!({"name":"Jane Doe","company":"Acme"}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let reply = client.post_json("/v1/search", &json!({"query":"x"})).await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    let reply = daemon
        .client
        .with_key(&hex)
        .lookup(json!({"name":"Jane Doe"}))
        .await;
    assert_eq!(reply.status, 401, "the hash is not a key");
    daemon.stop().await;

    let listed = profiled(
        &[
            "keys",
            "list",
            "--config",
            config_path.to_str().expect("path"),
        ],
        &[],
    );
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let listed = String::from_utf8(listed.stdout).expect("utf-8");
    assert!(
        listed.contains("extension") && listed.contains("lookup,enrich"),
        "{listed}"
    );
    assert!(
        listed.contains(EXTENSION) && listed.contains("100000"),
        "{listed}"
    );
    assert!(!listed.contains(key) && !listed.contains(&hex), "{listed}");
    // Plain-text keys are listed as such, their key not shown.
    let listed = profiled(
        &["keys", "list"],
        &[("PROFILED_API_KEYS", "dev:dev-key-0123456789abc:admin")],
    );
    let listed = String::from_utf8(listed.stdout).expect("utf-8");
    assert!(
        listed.contains("dev") && listed.contains("plain text"),
        "{listed}"
    );
    assert!(!listed.contains("dev-key-0123456789abc"), "{listed}");
}

/// 14.8: no `Authorization` value reaches the log, even at debug level: a good key, a
/// wrong one, a malformed header and one hyper refuses (oversized headers).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authorization_header_never_reaches_the_log_at_debug_level() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("daemon.log");
    let good = "pfd_good-secret-0123456789abcdefghijklmnopq";
    let wrong = "pfd_wrong-secret-0123456789abcdefghijklmnop";
    let basic = "QWxhZGRpbjpvcGVuIHNlc2FtZQ-basic-secret";
    let config = dir.path().join("profiled.toml");
    std::fs::write(&config, key_block("crm", good, &["lookup"], "")).expect("config");
    let daemon = ChildDaemon::spawn(
        &dir.path().join("data"),
        &log,
        &[
            ("PROFILED_LOG", "debug"),
            ("PROFILED_CONFIG", config.to_str().expect("utf-8 path")),
        ],
    );
    let client = daemon.client();
    let request = json!({"name":"Jane Doe","company":"Acme"});
    assert_eq!(
        client.with_key(good).lookup(request.clone()).await.status,
        200
    );
    assert_eq!(
        client.with_key(wrong).lookup(request.clone()).await.status,
        401
    );
    let http = reqwest::Client::new();
    let url = format!("http://{}/v1/lookup", daemon.addr);
    let reply = http
        .post(&url)
        .header("authorization", format!("Basic {basic}"))
        .json(&request)
        .send()
        .await
        .expect("reply");
    assert_eq!(reply.status().as_u16(), 401);
    // Headers past hyper's limit: hyper answers (431) before there is a request.
    let refused = http
        .post(&url)
        .header("authorization", format!("Bearer {wrong}"))
        .header("x-padding", "p".repeat(600 << 10))
        .json(&request)
        .send()
        .await;
    // hyper answers 431 and closes; the client may see the reset instead.
    if let Ok(refused) = refused {
        assert_eq!(refused.status().as_u16(), 431);
    }
    daemon.terminate();
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(text.contains("DEBUG"), "the log is at debug level: {text}");
    for secret in [good, wrong, basic] {
        assert!(!text.contains(secret), "the log holds {secret}:\n{text}");
    }
}

/// 14.1: plain-text keys still work, with a start-up warning that names the key, not its
/// secret; two keys with one name do not start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_text_keys_work_with_a_warning_and_duplicate_names_do_not_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("daemon.log");
    let secret = "plain-key-0123456789abcdef";
    let daemon = ChildDaemon::spawn(
        &dir.path().join("data"),
        &log,
        &[("PROFILED_API_KEYS", &format!("dev:{secret}:lookup"))],
    );
    let reply = daemon
        .client()
        .with_key(secret)
        .lookup(json!({"name":"Jane Doe","company":"Acme"}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    daemon.terminate();
    let log = std::fs::read_to_string(&log).expect("log");
    assert!(log.contains("plain text") && log.contains("dev"), "{log}");
    assert!(log.contains("profiled keys new"), "{log}");
    assert!(!log.contains(secret), "the log holds the key: {log}");

    let config = key_block("ext", "one-key-0123456789abcdef", &["lookup"], "")
        + &key_block("ext", "two-key-0123456789abcdef", &["admin"], "");
    let path = dir.path().join("dup.toml");
    std::fs::write(&path, config).expect("config");
    let out = profiled(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--config",
            path.to_str().expect("path"),
            "--data-dir",
            dir.path().join("dup-data").to_str().expect("path"),
        ],
        &[],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`ext` is given twice"), "{stderr}");
}

/// Which key a route needs; `None`: public.
type Row = (&'static str, &'static str, Option<&'static str>);

/// Every operation of the API and the scope it needs. A route the served document lists
/// without a row here fails the matrix test, so a new route cannot forget its scope.
const ROUTES: &[Row] = &[
    ("get", "/healthz", None),
    ("get", "/metrics", None),
    ("get", "/openapi.json", None),
    ("post", "/v1/ingest", Some("ingest")),
    ("post", "/v1/lookup", Some("lookup")),
    ("post", "/v1/enrich", Some("enrich")),
    ("post", "/v1/search", Some("search")),
    ("get", "/v1/stats", Some("search")),
    ("post", "/v1/sightings", Some("ingest")),
    ("post", "/v1/admin/sweep", Some("admin")),
    ("post", "/v1/admin/purge", Some("admin")),
    ("post", "/v1/admin/snapshot", Some("admin")),
    ("post", "/v1/privacy/erase", Some("privacy")),
    ("post", "/v1/privacy/restrict", Some("privacy")),
    ("post", "/v1/privacy/access", Some("privacy")),
    ("get", "/v1/privacy/requests", Some("privacy")),
    ("post", "/v1/privacy/requests", Some("privacy")),
    ("get", "/v1/privacy/notices", Some(ANY)),
    ("post", "/v1/privacy/deletion-lists", Some("privacy")),
    ("get", "/v1/privacy/suppressions", Some("privacy")),
    ("get", "/v1/profiles/{id}", Some("lookup")),
    ("patch", "/v1/profiles/{id}", Some("privacy")),
];

/// A route that takes any valid key, whatever its scopes (a client's own notices).
const ANY: &str = "any";

const SCOPES: [&str; 6] = ["lookup", "search", "enrich", "ingest", "privacy", "admin"];

/// What a client of each kind gets from a route: 401, 403, or through (anything else).
#[derive(Debug, PartialEq, Eq)]
enum Expect {
    Unauthorized,
    Forbidden,
    Allowed,
}

fn expected(needs: Option<&str>, holds: Option<&str>) -> Expect {
    match (needs, holds) {
        (None, _) => Expect::Allowed,
        (Some(_), None) => Expect::Unauthorized,
        (Some(needs), Some(holds)) if needs == ANY || holds == needs || holds == "admin" => {
            Expect::Allowed
        }
        (Some(_), Some(_)) => Expect::Forbidden,
    }
}

/// 14.2: every route of the served document × no key, a wrong key, each single-scope
/// key and `admin`, against the table above; the document states each route's scope.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_each_scope_as_the_table_says() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config: String = SCOPES
        .iter()
        .map(|scope| {
            key_block(
                scope,
                &format!("{scope}-key-0123456789abcdef"),
                &[scope],
                "",
            )
        })
        .collect();
    let daemon = common::start_with(with_config(dir.path(), &config)).await;
    let openapi = daemon.client.get("/openapi.json").await.body;
    let mut seen = Vec::new();
    for (path, item) in openapi["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let row = ROUTES
                .iter()
                .find(|(m, p, _)| m == method && p == path)
                .unwrap_or_else(|| {
                    panic!(
                        "{method} {path} is served but has no row in ROUTES: add it with its scope"
                    )
                });
            seen.push((method.clone(), path.clone()));
            let needs = row.2;
            assert_eq!(
                operation["x-required-scope"].as_str(),
                needs,
                "{method} {path}: the document states another scope"
            );
            match needs {
                Some(ANY) => {
                    assert_eq!(operation["security"], json!([{"bearer": []}]), "{path}");
                    assert!(
                        operation["description"]
                            .as_str()
                            .is_some_and(|d| d.contains("whatever its scopes")),
                        "{path}: the description says any key will do"
                    );
                }
                Some(scope) => {
                    assert_eq!(
                        operation["security"],
                        json!([{"bearer": [scope]}]),
                        "{path}"
                    );
                    assert!(
                        operation["description"]
                            .as_str()
                            .is_some_and(|d| d.contains(&format!("`{scope}` scope"))),
                        "{path}: the description names the scope"
                    );
                }
                None => assert!(operation.get("security").is_none(), "{path}"),
            }
            let url = format!(
                "http://{}{}",
                daemon.daemon.addr(),
                path.replace("{id}", "0123456789abcdef")
            );
            let content_type = operation["requestBody"]["content"]
                .as_object()
                .and_then(|c| c.keys().next().cloned());
            let body = match content_type.as_deref() {
                Some("application/x-ndjson") => "{}\n".to_owned(),
                Some("text/csv") => "ID,Hash\n".to_owned(),
                _ => "{}".to_owned(),
            };
            let mut clients: Vec<(String, Option<String>, Option<&str>)> = vec![
                ("no key".into(), None, None),
                (
                    "a wrong key".into(),
                    Some("wrong-key-0123456789abcdef".into()),
                    None,
                ),
            ];
            for scope in SCOPES {
                clients.push((
                    format!("the {scope} key"),
                    Some(format!("{scope}-key-0123456789abcdef")),
                    Some(scope),
                ));
            }
            for (who, key, holds) in clients {
                let http = reqwest::Client::new();
                let mut request = http.request(
                    Method::from_bytes(method.to_uppercase().as_bytes()).expect("method"),
                    &url,
                );
                if method != "get" {
                    request = request
                        .header(
                            CONTENT_TYPE,
                            content_type.as_deref().unwrap_or("application/json"),
                        )
                        .body(body.clone());
                }
                if let Some(key) = &key {
                    request = request.header(AUTHORIZATION, format!("Bearer {key}"));
                }
                let response = request.send().await.expect("request");
                let status = response.status().as_u16();
                let got = match status {
                    401 => Expect::Unauthorized,
                    403 => Expect::Forbidden,
                    _ => Expect::Allowed,
                };
                let want = expected(needs, holds);
                let text = response.text().await.unwrap_or_default();
                assert_eq!(got, want, "{method} {path} with {who}: {status} {text}");
                assert_ne!(status, 429, "{method} {path} with {who}");
                if want == Expect::Forbidden {
                    assert!(
                        text.contains(&format!("`{}` scope", needs.unwrap_or(""))),
                        "{text}"
                    );
                }
            }
        }
    }
    for (method, path, _) in ROUTES {
        assert!(
            seen.iter().any(|(m, p)| m == method && p == path),
            "{method} {path} has a row but is not in the document"
        );
    }
    daemon.stop().await;
}

/// 14.3: the token bucket — a burst, then 429 with `Retry-After` and the `RateLimit-*`
/// headers, then a token again after the interval; metrics per key name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_over_its_rate_gets_429_with_retry_after_and_ratelimit_headers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = "rate-key-0123456789abcdef";
    let config = key_block(
        "batch-job",
        key,
        &["lookup"],
        "rate_per_second = 2.0\nburst = 3",
    );
    let daemon = common::start_with(with_config(dir.path(), &config)).await;
    let url = format!("http://{}/v1/lookup", daemon.daemon.addr());
    let http = reqwest::Client::new();
    let send = || {
        http.post(&url)
            .header(AUTHORIZATION, format!("Bearer {key}"))
            .json(&json!({"name":"Jane Doe","company":"Acme"}))
            .send()
    };
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let response = send().await.expect("lookup");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(&response, "ratelimit-limit").as_deref(), Some("3"));
        remaining.push(header(&response, "ratelimit-remaining").expect("remaining"));
        assert!(header(&response, "ratelimit-reset").is_some());
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let refused = send().await.expect("lookup");
    assert_eq!(header(&refused, RETRY_AFTER).as_deref(), Some("1"));
    assert_eq!(
        header(&refused, "ratelimit-remaining").as_deref(),
        Some("0")
    );
    let body = problem(refused, 429, "rate_limited").await;
    assert!(body["detail"]
        .as_str()
        .expect("detail")
        .contains("retry in 1 s"));
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(send().await.expect("lookup").status(), StatusCode::OK);

    shows_metric(&daemon, "profiled_key_requests_total{key=\"batch-job\"} 5").await;
    shows_metric(
        &daemon,
        "profiled_key_throttled_total{key=\"batch-job\",limit=\"rate\"} 1",
    )
    .await;
    let metrics = daemon.client.get("/metrics").await.text;
    assert!(!metrics.contains(key), "a key in the metrics");
    daemon.stop().await;
}

/// 14.3: the daily quota counts lookups and enrich records; a batch that does not fit is
/// refused whole, a stream is answered until the quota runs out; the count survives a
/// restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_quota_counts_records_and_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = "quota-key-0123456789abcdef";
    let stream_key = "stream-key-0123456789abcdef";
    let config = key_block("crm", key, &["lookup", "enrich"], "daily_quota = 5")
        + &key_block("crm-stream", stream_key, &["enrich"], "daily_quota = 2");
    let args = with_config(dir.path(), &config);
    let daemon = common::start_with(args.clone()).await;
    let client = daemon.client.with_key(key);
    let record = json!({"name":"Jane Doe","company":"Acme"});
    for _ in 0..2 {
        assert_eq!(client.lookup(record.clone()).await.status, 200);
    }
    let reply = client
        .post_json(
            "/v1/enrich",
            &json!({"records":[record, record, record, record]}),
        )
        .await;
    assert_eq!(reply.status, 429, "{}", reply.text);
    assert_eq!(reply.body["code"], "quota_exceeded");
    assert!(
        reply.body["detail"]
            .as_str()
            .expect("detail")
            .contains("quota of 5 records has 3 left"),
        "{}",
        reply.text
    );
    let reply = client
        .post_json("/v1/enrich", &json!({"records":[record, record]}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);

    // The stream key: three lines, two answered, the third refused in its place.
    let body = format!("{record}\n{record}\n{record}\n");
    let reply = daemon
        .client
        .with_key(stream_key)
        .post_raw("/v1/enrich", "application/x-ndjson", body.into_bytes())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let lines: Vec<Value> = reply
        .text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 3, "{}", reply.text);
    assert!(
        lines[..2].iter().all(|l| l["status"].is_string()),
        "{}",
        reply.text
    );
    assert_eq!(
        lines[2]["error"]["code"], "quota_exceeded",
        "{}",
        reply.text
    );
    let reply = daemon
        .client
        .with_key(stream_key)
        .post_raw(
            "/v1/enrich",
            "application/x-ndjson",
            format!("{record}\n").into_bytes(),
        )
        .await;
    assert_eq!(
        reply.status, 429,
        "a spent quota refuses a stream before it starts"
    );
    daemon.stop().await;

    // After a restart the day's count goes on: one record is left of five.
    let daemon = common::start_with(args).await;
    let client = daemon.client.with_key(key);
    let url = format!("http://{}/v1/lookup", daemon.daemon.addr());
    let response = reqwest::Client::new()
        .post(&url)
        .header(AUTHORIZATION, format!("Bearer {key}"))
        .json(&record)
        .send()
        .await
        .expect("lookup");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "ratelimit-limit").as_deref(), Some("5"));
    assert_eq!(
        header(&response, "ratelimit-remaining").as_deref(),
        Some("0")
    );
    let refused = reqwest::Client::new()
        .post(&url)
        .header(AUTHORIZATION, format!("Bearer {key}"))
        .json(&record)
        .send()
        .await
        .expect("lookup");
    let retry: u64 = header(&refused, RETRY_AFTER)
        .expect("retry-after")
        .parse()
        .expect("seconds");
    assert!((1..=86_400).contains(&retry), "{retry}");
    problem(refused, 429, "quota_exceeded").await;
    assert_eq!(
        client
            .post_json("/v1/enrich", &json!({"records":[record]}))
            .await
            .status,
        429
    );
    shows_metric(
        &daemon,
        "profiled_key_throttled_total{key=\"crm\",limit=\"quota\"} 2",
    )
    .await;
    daemon.stop().await;
}

/// 14.4: each key's own origins; preflights answered for an origin some key allows and
/// refused for others; a key used from an origin not on its list is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_key_is_allowed_its_own_origins_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ext_key = "ext-key-0123456789abcdef";
    let app_key = "app-key-0123456789abcdef";
    let server_key = "server-key-0123456789abcdef";
    let config = key_block(
        "extension",
        ext_key,
        &["lookup"],
        &format!("cors_origins = [\"{EXTENSION}\"]"),
    ) + &key_block(
        "app",
        app_key,
        &["lookup"],
        &format!("cors_origins = [\"{APP}\"]"),
    ) + &key_block("server", server_key, &["lookup"], "");
    let daemon = common::start_with(with_config(dir.path(), &config)).await;
    let url = format!("http://{}/v1/lookup", daemon.daemon.addr());

    for origin in [EXTENSION, APP] {
        let answer = preflight(&url, origin).await;
        assert_eq!(answer.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            header(&answer, ACCESS_CONTROL_ALLOW_ORIGIN).as_deref(),
            Some(origin)
        );
        let methods = header(&answer, ACCESS_CONTROL_ALLOW_METHODS).expect("methods");
        assert!(
            methods.contains("POST") && methods.contains("GET"),
            "{methods}"
        );
        let headers = header(&answer, ACCESS_CONTROL_ALLOW_HEADERS).expect("headers");
        assert!(headers.contains("authorization") && headers.contains("content-type"));
    }
    let refused = preflight(&url, "https://evil.example").await;
    assert_eq!(header(&refused, ACCESS_CONTROL_ALLOW_ORIGIN), None);
    problem(refused, 403, "origin_not_allowed").await;

    let lookup = |origin: &'static str, key: &'static str| {
        reqwest::Client::new()
            .post(&url)
            .header(ORIGIN, origin)
            .header(AUTHORIZATION, format!("Bearer {key}"))
            .json(&json!({"name":"Jane Doe","company":"Acme"}))
            .send()
    };
    let answered = lookup(EXTENSION, ext_key).await.expect("lookup");
    assert_eq!(answered.status(), StatusCode::OK);
    assert_eq!(
        header(&answered, ACCESS_CONTROL_ALLOW_ORIGIN).as_deref(),
        Some(EXTENSION)
    );
    assert!(header(&answered, "access-control-expose-headers")
        .is_some_and(|h| h.contains("ratelimit-remaining") && h.contains("retry-after")));
    // The app's key from the extension's origin, and a key with no origins from either.
    for (origin, key) in [(EXTENSION, app_key), (APP, ext_key), (APP, server_key)] {
        let refused = lookup(origin, key).await.expect("lookup");
        // The origin may read the refusal: some key allows it.
        assert_eq!(
            header(&refused, ACCESS_CONTROL_ALLOW_ORIGIN).as_deref(),
            Some(origin)
        );
        let body = problem(refused, 403, "origin_not_allowed").await;
        assert!(body["detail"]
            .as_str()
            .expect("detail")
            .contains("cors_origins"));
    }
    let refused = lookup("https://evil.example", ext_key)
        .await
        .expect("lookup");
    problem(refused, 403, "origin_not_allowed").await;
    // No Origin (a server-side client): the origins do not apply.
    let reply = daemon
        .client
        .with_key(server_key)
        .lookup(json!({"name":"Jane Doe","company":"Acme"}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    daemon.stop().await;
}

/// 14.5: the open mode (no keys, loopback) answers only to its own names, only to its own
/// origin or one on `cors_origins`, and only to bodies declared JSON or NDJSON — the
/// measured attacks (a DNS-rebinding read, a cross-site `text/plain` write) fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_mode_refuses_rebinding_cross_site_writes_and_undeclared_bodies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut args = common::args(dir.path());
    args.cors_origins = vec![EXTENSION.into()];
    args.allowed_hosts = vec!["profiled.internal".into()];
    let daemon = common::start_with(args).await;
    let addr = daemon.daemon.addr();
    let reply = daemon
        .client
        .ingest(&[json!({"first_name":"Jane","last_name":"Doe","company":{"name":"Acme","domain":"acme.example"}})])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let id = daemon
        .client
        .lookup(json!({"name":"Jane Doe","company":"Acme"}))
        .await
        .body["profile"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let http = reqwest::Client::new();
    let profile_url = format!("http://{addr}/v1/profiles/{id}");

    // DNS rebinding: the attacker's name in Host.
    let rebound = http
        .get(&profile_url)
        .header(HOST, format!("rebind.attacker.example:{}", addr.port()))
        .send()
        .await
        .expect("get");
    let body = problem(rebound, 403, "host_not_allowed").await;
    assert!(body["detail"]
        .as_str()
        .expect("detail")
        .contains("allowed_hosts"));
    for host in [
        format!("localhost:{}", addr.port()),
        format!("127.0.0.1:{}", addr.port()),
        "profiled.internal".to_owned(),
    ] {
        let answer = http
            .get(&profile_url)
            .header(HOST, &host)
            .send()
            .await
            .expect("get");
        assert_eq!(answer.status(), StatusCode::OK, "{host}");
    }

    // A cross-site form post (text/plain, the page's origin) creates nothing.
    let line = json!({"first_name":"Evil","last_name":"Write","company":{"name":"Attacker"}});
    let ingest_url = format!("http://{addr}/v1/ingest");
    let forged = http
        .post(&ingest_url)
        .header(ORIGIN, "https://attacker.example")
        .header(CONTENT_TYPE, "text/plain")
        .body(format!("{line}\n"))
        .send()
        .await
        .expect("post");
    problem(forged, 403, "origin_not_allowed").await;
    // Without an Origin (a browser always sends one on a cross-site POST) the body type
    // still has to be declared.
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut request = http.post(&ingest_url).body(format!("{line}\n"));
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        problem(
            request.send().await.expect("post"),
            415,
            "unsupported_media_type",
        )
        .await;
        let mut request = http
            .post(format!("http://{addr}/v1/lookup"))
            .body(json!({"name":"Jane Doe"}).to_string());
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        problem(
            request.send().await.expect("post"),
            415,
            "unsupported_media_type",
        )
        .await;
    }
    let reply = daemon
        .client
        .lookup(json!({"name":"Evil Write","company":"Attacker"}))
        .await;
    assert_eq!(
        reply.body["status"], "none",
        "the forged write went through: {}",
        reply.text
    );

    // The console's own calls (same origin) and the configured extension are served.
    let console = http
        .post(format!("http://{addr}/v1/lookup"))
        .header(ORIGIN, format!("http://{addr}"))
        .json(&json!({"name":"Jane Doe","company":"Acme"}))
        .send()
        .await
        .expect("lookup");
    assert_eq!(console.status(), StatusCode::OK);
    assert_eq!(header(&console, ACCESS_CONTROL_ALLOW_ORIGIN), None);
    let extension = http
        .post(format!("http://{addr}/v1/lookup"))
        .header(ORIGIN, EXTENSION)
        .json(&json!({"name":"Jane Doe","company":"Acme"}))
        .send()
        .await
        .expect("lookup");
    assert_eq!(extension.status(), StatusCode::OK);
    assert_eq!(
        header(&extension, ACCESS_CONTROL_ALLOW_ORIGIN).as_deref(),
        Some(EXTENSION)
    );
    let answer = preflight(&format!("http://{addr}/v1/lookup"), EXTENSION).await;
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);
    // A page on another port of the same machine is another origin.
    let other = http
        .get(&profile_url)
        .header(ORIGIN, format!("http://127.0.0.1:{}", addr.port() ^ 1))
        .send()
        .await
        .expect("get");
    problem(other, 403, "origin_not_allowed").await;
    daemon.stop().await;
}

/// A raw HTTP/1.1 connection, for what a client library would not do (trickle, stall).
fn raw(addr: std::net::SocketAddr) -> std::net::TcpStream {
    let socket = std::net::TcpStream::connect(addr).expect("connect");
    socket
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .expect("timeout");
    socket
}

/// Reads until the server closes the connection (or the read fails); returns what came.
fn read_to_close(socket: &mut std::net::TcpStream) -> String {
    use std::io::Read;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match socket.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// 14.8: headers trickled a byte at a time are cut off at the header-read timeout, and
/// a kept-alive connection left idle is closed after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickled_headers_and_idle_connections_are_cut_off() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut args = common::args(dir.path());
    args.header_read_timeout_ms = Some(600);
    let daemon = common::start_with(args).await;
    let addr = daemon.daemon.addr();
    let (trickled, idle) = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let started = std::time::Instant::now();
        let mut socket = raw(addr);
        socket.set_nonblocking(false).expect("blocking");
        let mut closed_after = None;
        for byte in b"GET /healthz HTTP/1.1\r\nhost: localhost\r\nx-slow: aaaaaaaaaaaaaaaaaaaaaaaa"
        {
            if socket.write_all(&[*byte]).is_err() {
                closed_after = Some(started.elapsed());
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let trickled = closed_after.unwrap_or_else(|| {
            read_to_close(&mut socket);
            started.elapsed()
        });
        // A whole request, answered; then nothing: the server closes the connection.
        let mut socket = raw(addr);
        socket
            .write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n")
            .expect("request");
        let started = std::time::Instant::now();
        let answer = read_to_close(&mut socket);
        (trickled, (answer, started.elapsed()))
    })
    .await
    .expect("exchange");
    assert!(
        trickled < std::time::Duration::from_secs(3),
        "the trickling client was held for {trickled:?}"
    );
    let (answer, idle_for) = idle;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        idle_for >= std::time::Duration::from_millis(500)
            && idle_for < std::time::Duration::from_secs(3),
        "an idle connection was closed after {idle_for:?}"
    );
    daemon.stop().await;
}

/// 14.8: past the connection limit a new connection is answered 503 problem+json with
/// `Retry-After` and closed; once connections close, new ones are served again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_limit_get_a_503_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut args = common::args(dir.path());
    args.max_connections = Some(3);
    let daemon = common::start_with(args).await;
    let addr = daemon.daemon.addr();
    let answer = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let held: Vec<std::net::TcpStream> = (0..3).map(|_| raw(addr)).collect();
        std::thread::sleep(std::time::Duration::from_millis(200));
        let mut extra = raw(addr);
        let _ = extra.write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n");
        let answer = read_to_close(&mut extra);
        drop(held);
        answer
    })
    .await
    .expect("exchange");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.contains("content-type: application/problem+json"),
        "{answer}"
    );
    assert!(answer.contains("retry-after: 1"), "{answer}");
    assert!(answer.contains("\"code\":\"overloaded\""), "{answer}");
    // The held connections are gone: served again.
    let mut served = false;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if reqwest::get(format!("http://{addr}/healthz"))
            .await
            .is_ok_and(|r| r.status() == StatusCode::OK)
        {
            served = true;
            break;
        }
    }
    assert!(served, "no connection served after the held ones closed");
    shows_metric(&daemon, "profiled_connections_refused_total 1").await;
    daemon.stop().await;
}

/// 14.8: past `max_in_flight` requests being served a new one is shed at once (503
/// problem+json, `Retry-After`), `/healthz` still answers; a streamed body that stops
/// arriving is cut off at the stall timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_past_the_in_flight_limit_are_shed_and_a_stalled_body_is_cut_off() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut args = common::args(dir.path());
    args.max_in_flight = Some(1);
    args.request_timeout_ms = Some(500);
    args.stall_timeout_ms = Some(1500);
    let daemon = common::start_with(args).await;
    let addr = daemon.daemon.addr();
    // One request in flight: its NDJSON body stops after the first line.
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let stalled = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut socket = raw(addr);
        let line = json!({"name":"Jane Doe","company":"Acme"}).to_string() + "\n";
        socket
            .write_all(
                format!(
                    "POST /v1/enrich HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/x-ndjson\r\n\
                     transfer-encoding: chunked\r\n\r\n{:x}\r\n{line}\r\n",
                    line.len()
                )
                .as_bytes(),
            )
            .expect("head and first line");
        std::thread::sleep(std::time::Duration::from_millis(300));
        ready_tx.send(()).expect("ready");
        let started = std::time::Instant::now();
        let answer = read_to_close(&mut socket);
        (answer, started.elapsed())
    });
    tokio::task::spawn_blocking(move || ready_rx.recv())
        .await
        .expect("join")
        .expect("ready");
    let shed = reqwest::Client::new()
        .post(format!("http://{addr}/v1/lookup"))
        .json(&json!({"name":"Jane Doe","company":"Acme"}))
        .send()
        .await
        .expect("lookup");
    assert_eq!(header(&shed, RETRY_AFTER).as_deref(), Some("1"));
    problem(shed, 503, "overloaded").await;
    assert_eq!(daemon.client.get("/healthz").await.status, 200);
    let (answer, held_for) = stalled.await.expect("stalled exchange");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        held_for < std::time::Duration::from_secs(6),
        "a stalled stream was held for {held_for:?}"
    );
    // The permit came back with the stalled connection.
    let reply = daemon
        .client
        .lookup(json!({"name":"Jane Doe","company":"Acme"}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    shows_metric(&daemon, "profiled_http_shed_total 1").await;
    daemon.stop().await;
}

/// Sends `request` on a raw connection and reads hyper's own answer to it (hyper closes
/// the connection after it): the status line, the header lines (lower-cased) and the
/// body as JSON, after checking the body is as long as `content-length` says.
async fn refused_by_hyper(
    addr: std::net::SocketAddr,
    request: Vec<u8>,
) -> (String, Vec<String>, Value) {
    let answer = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut socket = raw(addr);
        socket.write_all(&request).expect("request");
        read_to_close(&mut socket)
    })
    .await
    .expect("exchange");
    let (head, body) = answer
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete head in {answer:?}"));
    let mut lines = head.split("\r\n").map(str::to_ascii_lowercase);
    let status_line = lines.next().expect("a status line");
    let headers: Vec<String> = lines.collect();
    let length = format!("content-length: {}", body.len());
    assert!(headers.contains(&length), "{length} not in {headers:?}");
    let problem: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("{answer}"));
    (status_line, headers, problem)
}

/// Asserts a raw answer is the problem+json `code` at `status`, and that the daemon goes
/// on serving.
async fn assert_hyper_problem(
    daemon: &common::TestDaemon,
    request: Vec<u8>,
    status: u16,
    code: &str,
) {
    let (status_line, headers, problem) = refused_by_hyper(daemon.daemon.addr(), request).await;
    assert!(
        status_line.starts_with(&format!("http/1.1 {status} ")),
        "{status_line}"
    );
    for line in [
        "content-type: application/problem+json",
        "connection: close",
    ] {
        assert!(
            headers.iter().any(|h| h == line),
            "{line} not in {headers:?}"
        );
    }
    assert_eq!(problem["status"], status, "{problem}");
    assert_eq!(problem["code"], code, "{problem}");
    assert_eq!(
        problem["type"],
        format!("https://profiled.dev/problems/{code}"),
        "{problem}"
    );
    assert!(problem["title"].is_string() && problem["detail"].is_string());
    let health = daemon.client.get("/healthz").await;
    assert_eq!(health.status, 200, "{}", health.text);
}

/// 14.8: a request line or a header hyper cannot parse is answered 400 problem+json, not
/// a bare status line, and the daemon serves on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_request_line_or_header_gets_a_400_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = common::start_with(common::args(dir.path())).await;
    let request_line = b"GET /healthz HTTP/9.9 what\r\nhost: localhost\r\n\r\n".to_vec();
    assert_hyper_problem(&daemon, request_line, 400, "invalid_request").await;
    let header_line = b"GET /healthz HTTP/1.1\r\nhost: localhost\r\nno colon here\r\n\r\n".to_vec();
    assert_hyper_problem(&daemon, header_line, 400, "invalid_request").await;
    daemon.stop().await;
}

/// 14.8: a request target over hyper's limit (64 KiB) is answered 414 problem+json.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_uri_over_hypers_limit_gets_a_414_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = common::start_with(common::args(dir.path())).await;
    let request = format!(
        "GET /v1/profiles/{} HTTP/1.1\r\nhost: localhost\r\n\r\n",
        "a".repeat(70_000)
    );
    assert_hyper_problem(&daemon, request.into_bytes(), 414, "uri_too_long").await;
    daemon.stop().await;
}

/// 14.8: more headers than hyper takes (100) are answered 431 problem+json.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_over_hypers_limit_get_a_431_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = common::start_with(common::args(dir.path())).await;
    let padding: String = (0..150).map(|i| format!("x-pad-{i}: p\r\n")).collect();
    let request = format!("GET /healthz HTTP/1.1\r\nhost: localhost\r\n{padding}\r\n");
    assert_hyper_problem(&daemon, request.into_bytes(), 431, "headers_too_large").await;
    daemon.stop().await;
}

/// The rewriting of hyper's bare error heads leaves the daemon's own errors alone: an
/// error answering a `HEAD` request (an unknown route, a method the route does not take)
/// keeps its problem's length and has no body, and the connection stays usable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_answering_a_head_request_keeps_its_length_and_sends_no_body() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = common::start_with(common::args(dir.path())).await;
    let addr = daemon.daemon.addr();
    let answer = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut socket = raw(addr);
        socket
            .write_all(
                b"HEAD /v1/nowhere HTTP/1.1\r\nhost: localhost\r\n\r\n\
                  HEAD /v1/lookup HTTP/1.1\r\nhost: localhost\r\n\r\n\
                  GET /healthz HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n",
            )
            .expect("requests");
        read_to_close(&mut socket)
    })
    .await
    .expect("exchange");
    let parts: Vec<&str> = answer.split("\r\n\r\n").collect();
    assert_eq!(parts.len(), 4, "three heads, one body: {answer:?}");
    for (head, status) in [(parts[0], "404"), (parts[1], "405")] {
        let head = head.to_ascii_lowercase();
        assert!(head.starts_with(&format!("http/1.1 {status} ")), "{head}");
        assert!(
            head.contains("content-type: application/problem+json"),
            "{head}"
        );
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .and_then(|v| v.trim().parse::<usize>().ok());
        assert!(length.is_some_and(|n| n > 0), "{head}");
        assert!(!head.contains("connection: close"), "{head}");
    }
    assert!(parts[2].starts_with("HTTP/1.1 200 "), "{answer}");
    assert!(parts[3].starts_with(r#"{"status":"ok""#), "{answer}");
    daemon.stop().await;
}
