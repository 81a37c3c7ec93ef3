//! The daemon end to end, as a client sees it: ingest → get → lookup by every input
//! form, per-line rejection, limits, errors, auth, restart, and schema-change rebuilds.

use crate::support::{args, start, start_with, Client};
use profiled::clock::SystemClock;
use profiled::config::ServeArgs;
use profiled::engine::{Engine, EngineConfig};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

fn people() -> Vec<Value> {
    vec![
        json!({"person_key":"https://profiles.example/in/jane-doe","source":"public-web",
               "first_name":"Jane","last_name":"Doe","job_title":"Head of Sales",
               "email":"jane.doe@acme.nl",
               "location":{"country":"NL","city":"Rotterdam","postcode":"3013 AK"},
               "company":{"name":"Acme B.V.","domain":"acme.nl","industry":"Software","size":"51-200","aliases":["Acme"]}}),
        json!({"source":"company-site","first_name":"Pieter","last_name":"de Vries","job_title":"CTO",
               "email":"pieter.devries@acme.nl",
               "location":{"country":"NL","city":"Rotterdam","postcode":"3013 AK"},
               "company":{"name":"Acme B.V.","domain":"acme.nl"}}),
        json!({"source":"company-site","first_name":"Sanne","last_name":"Bakker","job_title":"Marketing Manager",
               "location":{"country":"NL","city":"Utrecht","postcode":"3511 AB"},
               "company":{"name":"Acme B.V.","domain":"acme.nl"}}),
        json!({"source":"public-web","first_name":"Jürgen","last_name":"Müller","job_title":"Geschäftsführer",
               "email":"j.mueller@mueller-bau.de",
               "location":{"country":"DE","city":"München","postcode":"80331"},
               "company":{"name":"Müller Bau GmbH & Co. KG","domain":"mueller-bau.de"}}),
        json!({"source":"public-web","first_name":"Jane","last_name":"Doe","job_title":"VP Engineering",
               "location":{"country":"US","city":"New York","postcode":"10001"},
               "company":{"name":"Globex Inc.","domain":"globex.com"}}),
    ]
}

async fn matched_name(client: &Client, request: Value) -> (String, f64, Value) {
    let reply = client.lookup(request.clone()).await;
    assert_eq!(reply.status, 200, "{request}: {}", reply.text);
    assert_eq!(reply.body["status"], "match", "{request}: {}", reply.text);
    (
        reply.body["profile"]["full_name"]
            .as_str()
            .expect("name")
            .to_owned(),
        reply.body["confidence"].as_f64().expect("confidence"),
        reply.body,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_then_get_and_lookup_by_every_input_form() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = start(dir.path()).await;
    let client = &daemon.client;

    let reply = client.ingest(&people()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["created"], 5, "{}", reply.text);
    assert_eq!(reply.body["rejected"], json!([]));

    // name + company, as a name with and without legal form, a domain and a URL
    for company in [
        "Acme B.V.",
        "ACME BV",
        "acme",
        "acme.nl",
        "https://www.acme.nl/team",
    ] {
        let (name, confidence, body) =
            matched_name(client, json!({"name":"Jane Doe","company":company})).await;
        assert_eq!(name, "Jane Doe");
        assert!(confidence >= 0.9, "{company}: {body}");
        assert_eq!(body["profile"]["company"]["domain"], "acme.nl");
        assert!(body["matched_on"]
            .as_array()
            .expect("list")
            .contains(&json!("company")));
    }
    // first/last, case and diacritics (ü → u and ü → ue), swapped order
    for request in [
        json!({"first_name":"Jurgen","last_name":"Muller","company":"Müller Bau"}),
        json!({"name":"JUERGEN MUELLER","company":"mueller-bau.de"}),
        json!({"name":"Müller, Jürgen","company":"Muller Bau GmbH"}),
    ] {
        let (name, _, _) = matched_name(client, request).await;
        assert_eq!(name, "Jürgen Müller");
    }
    // name + location: city, postcode, country
    let (name, _, body) = matched_name(
        client,
        json!({"name":"Jane Doe","city":"New York","country":"US"}),
    )
    .await;
    assert_eq!(name, "Jane Doe");
    assert_eq!(body["profile"]["company"]["name"], "Globex Inc.");
    let (_, _, body) = matched_name(client, json!({"name":"Jane Doe","postcode":"3013ak"})).await;
    assert_eq!(body["profile"]["company"]["name"], "Acme B.V.");
    let (name, _, _) = matched_name(client, json!({"name":"Jurgen Muller","city":"Munchen"})).await;
    assert_eq!(name, "Jürgen Müller");

    // email: observed, upper-cased, and as SHA-256
    let (name, confidence, body) =
        matched_name(client, json!({"email":"  Jane.Doe@ACME.nl "})).await;
    assert_eq!(name, "Jane Doe");
    assert!(confidence >= 0.95, "{body}");
    assert_eq!(body["matched_on"], json!(["email"]));
    let digest: String = Sha256::digest(b"jane.doe@acme.nl")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let (name, _, _) = matched_name(client, json!({"email_sha256": digest})).await;
    assert_eq!(name, "Jane Doe");
    // an address never observed, found through the company's pattern ({first}.{last})
    let reply = client.lookup(json!({"email":"sanne.bakker@acme.nl"})).await;
    assert_eq!(
        reply.body["profile"]["full_name"], "Sanne Bakker",
        "{}",
        reply.text
    );
    let confidence = reply.body["confidence"].as_f64().expect("confidence");
    assert!(confidence > 0.5 && confidence < 0.99, "{}", reply.text);
    // the {f}.{last} pattern at mueller-bau.de, learned from a German spelling
    let reply = client
        .lookup(json!({"email":"j.mueller@mueller-bau.de"}))
        .await;
    assert_eq!(
        reply.body["profile"]["full_name"], "Jürgen Müller",
        "{}",
        reply.text
    );

    // the suggested email is derived, not stored
    let id = body["profile"]["id"].as_str().expect("id").to_owned();
    let reply = client.get(&format!("/v1/profiles/{id}")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["email"]["suggested"], "jane.doe@acme.nl");
    assert_eq!(reply.body["email"]["pattern"], "{first}.{last}");
    assert_eq!(
        reply.body["person_key"],
        "https://profiles.example/in/jane-doe"
    );
    assert_eq!(reply.body["sources"][0]["name"], "public-web");
    let sanne = client
        .lookup(json!({"name":"Sanne Bakker","company":"Acme"}))
        .await;
    assert_eq!(
        sanne.body["profile"]["email"]["suggested"],
        "sanne.bakker@acme.nl"
    );

    // a name shared by two people, with nothing else, is ambiguous, never a guess
    let reply = client.lookup(json!({"name":"Jane Doe"})).await;
    assert_eq!(reply.body["status"], "ambiguous", "{}", reply.text);
    assert_eq!(reply.body["candidates"].as_array().expect("list").len(), 1);
    // nobody by that name
    let reply = client
        .lookup(json!({"name":"Zebulon Quackenbush","company":"Acme"}))
        .await;
    assert_eq!(reply.body["status"], "none", "{}", reply.text);
    assert_eq!(reply.body["profile"], Value::Null);
    let reply = client.lookup(json!({"email":"nobody@acme.nl"})).await;
    assert_eq!(reply.body["status"], "none", "{}", reply.text);

    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_line_rejects_only_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = start(dir.path()).await;
    let long = "x".repeat(400);
    let body = [
        json!({"first_name":"Ada","last_name":"Lovelace","company":{"name":"Analytical Engines Ltd"}}).to_string(),
        "{not json".to_owned(),
        json!({"job_title":"CTO","company":{"name":"Nameless Inc"}}).to_string(),
        json!({"first_name":"Bad","last_name":"Email","email":"not-an-address","company":{"name":"X"}}).to_string(),
        json!({"first_name":"Un","last_name":"Known","company":{"name":"X"},"favourite_colour":"blue"}).to_string(),
        json!({"first_name":long,"last_name":"Long","company":{"name":"X"}}).to_string(),
        json!({"first_name":"No","last_name":"Place"}).to_string(),
        json!({"first_name":"Odd","last_name":"Time","seen_at":"last tuesday","company":{"name":"X"}}).to_string(),
        String::new(),
        json!({"first_name":"Grace","last_name":"Hopper","location":{"country":"US","city":"Arlington"}}).to_string(),
    ]
    .join("\n");
    let reply = daemon
        .client
        .post_raw(
            "/v1/ingest?refresh=wait_for",
            "application/x-ndjson",
            body.into_bytes(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["created"], 2, "{}", reply.text);
    let rejected: Vec<u64> = reply.body["rejected"]
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["line"].as_u64().expect("line"))
        .collect();
    assert_eq!(rejected, vec![2, 3, 4, 5, 6, 7, 8], "{}", reply.text);
    let reasons = reply.body["rejected"].to_string();
    for expected in [
        "malformed JSON",
        "a name is required",
        "email is not a valid address",
        "unknown field `favourite_colour`",
        "longer than",
        "company (name or domain) or a location",
        "RFC 3339",
    ] {
        assert!(reasons.contains(expected), "{expected} in {reasons}");
    }
    assert!(
        !reasons.contains("not-an-address"),
        "a rejected value is echoed: {reasons}"
    );
    for name in ["Ada Lovelace", "Grace Hopper"] {
        let reply = daemon.client.lookup(json!({"name":name})).await;
        assert_eq!(reply.body["status"], "match", "{name}: {}", reply.text);
    }
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_and_bad_requests_get_problem_json_and_keep_what_is_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut serve_args = args(dir.path());
    serve_args.max_body_bytes = Some(64 * 1024);
    let daemon = start_with(serve_args).await;
    let client = &daemon.client;
    assert_eq!(client.ingest(&people()).await.status, 200);

    let problem = |reply: &crate::support::Reply, status: u16, code: &str| {
        assert_eq!(reply.status, status, "{}", reply.text);
        assert_eq!(
            reply.content_type, "application/problem+json",
            "{}",
            reply.text
        );
        assert_eq!(reply.body["status"], status);
        assert_eq!(reply.body["code"], code, "{}", reply.text);
        assert!(reply.body["type"].as_str().expect("type").ends_with(code));
    };
    let huge = vec![b'x'; 100 * 1024];
    problem(
        &client
            .post_raw("/v1/ingest", "application/x-ndjson", huge)
            .await,
        413,
        "payload_too_large",
    );
    problem(
        &client
            .post_raw("/v1/ingest", "image/png", b"{}".to_vec())
            .await,
        415,
        "unsupported_media_type",
    );
    problem(
        &client
            .post_raw("/v1/ingest", "application/x-ndjson", b"\n\n".to_vec())
            .await,
        400,
        "invalid_request",
    );
    problem(
        &client
            .post_raw(
                "/v1/ingest?refresh=now",
                "application/x-ndjson",
                b"{}".to_vec(),
            )
            .await,
        400,
        "invalid_request",
    );
    let long_name = "a".repeat(5000);
    problem(
        &client
            .lookup(json!({"name": long_name, "company":"Acme"}))
            .await,
        400,
        "invalid_request",
    );
    problem(
        &client.lookup(json!({"company":"Acme"})).await,
        400,
        "invalid_request",
    );
    problem(
        &client.lookup(json!({"email":"jane.doe"})).await,
        400,
        "invalid_request",
    );
    problem(
        &client.lookup(json!({"email_sha256":"abc"})).await,
        400,
        "invalid_request",
    );
    problem(
        &client
            .lookup(json!({"name":"Jane Doe","country":"Netherlands"}))
            .await,
        400,
        "invalid_request",
    );
    problem(
        &client
            .lookup(json!({"name":"Jane Doe","min_confidence":2}))
            .await,
        400,
        "invalid_request",
    );
    problem(
        &client
            .lookup(json!({"name":"Jane Doe","candidates":1000}))
            .await,
        400,
        "invalid_request",
    );
    let wrong_type = client
        .lookup(json!({"name":"Jane Doe","candidates":"jane.doe@acme.nl"}))
        .await;
    problem(&wrong_type, 400, "invalid_request");
    assert!(
        !wrong_type.text.contains("jane.doe@acme.nl"),
        "{}",
        wrong_type.text
    );
    problem(
        &client
            .post_raw("/v1/lookup", "application/json", b"{".to_vec())
            .await,
        400,
        "invalid_request",
    );
    problem(
        &client
            .post_raw("/v1/lookup", "text/html", b"{}".to_vec())
            .await,
        415,
        "unsupported_media_type",
    );
    problem(
        &client.get("/v1/profiles/0000000000000000").await,
        404,
        "not_found",
    );
    problem(
        &client.get("/v1/profiles/not-an-id").await,
        404,
        "not_found",
    );
    problem(&client.get("/v2/nothing").await, 404, "not_found");
    problem(&client.get("/v1/lookup").await, 405, "method_not_allowed");

    // still serving, nothing lost
    assert_eq!(client.get("/healthz").await.body, json!({"status":"ok"}));
    let reply = client
        .lookup(json!({"name":"Jane Doe","company":"Acme"}))
        .await;
    assert_eq!(reply.body["status"], "match", "{}", reply.text);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_and_scopes_guard_every_route() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut serve_args = args(dir.path());
    serve_args.api_keys = Some(
        "extension:lookup-key-0123456789:lookup,loader:ingest-key-0123456789:ingest,ops:admin-key-0123456789:admin"
            .into(),
    );
    let daemon = start_with(serve_args).await;
    let anonymous = &daemon.client;
    let lookup = anonymous.with_key("lookup-key-0123456789");
    let loader = anonymous.with_key("ingest-key-0123456789");
    let admin = anonymous.with_key("admin-key-0123456789");

    let reply = anonymous.lookup(json!({"name":"Jane Doe"})).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.body["code"], "unauthorized");
    assert_eq!(
        anonymous
            .with_key("wrong-key-0123456789")
            .lookup(json!({"name":"Jane"}))
            .await
            .status,
        401
    );
    assert_eq!(lookup.ingest(&people()).await.status, 403);
    assert_eq!(loader.ingest(&people()).await.status, 200);
    assert_eq!(loader.lookup(json!({"name":"Jane Doe"})).await.status, 403);
    assert_eq!(
        lookup
            .lookup(json!({"name":"Jane Doe","company":"acme.nl"}))
            .await
            .status,
        200
    );
    assert_eq!(
        admin
            .lookup(json!({"name":"Jane Doe","company":"acme.nl"}))
            .await
            .status,
        200
    );
    // operational routes stay open for probes and scrapers
    assert_eq!(anonymous.get("/healthz").await.status, 200);
    assert_eq!(anonymous.get("/metrics").await.status, 200);
    assert_eq!(anonymous.get("/openapi.json").await.status, 200);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_and_openapi_describe_the_service() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = start(dir.path()).await;
    let client = &daemon.client;
    client.ingest(&people()).await;
    client
        .lookup(json!({"name":"Jane Doe","company":"Acme"}))
        .await;
    let metrics = client.get("/metrics").await.text;
    for expected in [
        "profiled_http_requests_total{route=\"/v1/lookup\",method=\"POST\",status=\"200\"} 1",
        "profiled_http_request_duration_seconds_bucket{le=",
        "profiled_profiles 5",
        "profiled_companies 3",
        "profiled_index_lag_writes 0",
    ] {
        assert!(metrics.contains(expected), "{expected} in\n{metrics}");
    }
    let openapi = client.get("/openapi.json").await.body;
    assert!(openapi["openapi"]
        .as_str()
        .expect("version")
        .starts_with("3."));
    for path in [
        "/v1/ingest",
        "/v1/lookup",
        "/v1/profiles/{id}",
        "/healthz",
        "/metrics",
    ] {
        assert!(openapi["paths"][path].is_object(), "{path} documented");
    }
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_everything() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = start(dir.path()).await;
    daemon.client.ingest(&people()).await;
    let before = daemon
        .client
        .lookup(json!({"name":"Jane Doe","company":"Acme"}))
        .await
        .body;
    daemon.stop().await;

    let daemon = start(dir.path()).await;
    let after = daemon
        .client
        .lookup(json!({"name":"Jane Doe","company":"Acme"}))
        .await
        .body;
    assert_eq!(after["status"], "match");
    assert_eq!(after["profile"]["id"], before["profile"]["id"]);
    assert_eq!(after["profile"]["email"], before["profile"]["email"]);
    let reply = daemon
        .client
        .lookup(json!({"email":"sanne.bakker@acme.nl"}))
        .await;
    assert_eq!(reply.body["profile"]["full_name"], "Sanne Bakker");
    // upserts by identity: the same people again are updates, not new profiles
    let reply = daemon.client.ingest(&people()).await;
    assert_eq!(reply.body["created"], 0, "{}", reply.text);
    assert_eq!(reply.body["updated"], 5, "{}", reply.text);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_built_with_another_schema_version_is_rebuilt_from_the_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = start(dir.path()).await;
    daemon.client.ingest(&people()).await;
    daemon.stop().await;

    // Pretend an older build wrote the index: its commit payload names another version.
    let meta_path = dir.path().join("index").join("meta.json");
    let mut meta: Value =
        serde_json::from_slice(&std::fs::read(&meta_path).expect("meta")).expect("json");
    let payload: Value =
        serde_json::from_str(meta["payload"].as_str().expect("payload")).expect("payload json");
    assert!(payload["schema_version"].as_u64().expect("version") >= 1);
    meta["payload"] = json!(json!({"schema_version": 0, "outbox_seq": 0}).to_string());
    std::fs::write(&meta_path, serde_json::to_vec(&meta).expect("json")).expect("write meta");

    let daemon = start(dir.path()).await;
    let reply = daemon
        .client
        .lookup(json!({"name":"Jurgen Muller","company":"Muller Bau"}))
        .await;
    assert_eq!(reply.body["status"], "match", "{}", reply.text);
    let metrics = daemon.client.get("/metrics").await.text;
    assert!(
        metrics.contains("profiled_indexed_documents 5"),
        "{metrics}"
    );
    daemon.stop().await;
}

/// One sample's value from the Prometheus text.
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_writes_pause_the_index_is_merged_into_one_segment_and_keeps_serving() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = start_with(ServeArgs {
        compact_after_idle_secs: Some(1),
        ..args(dir.path())
    })
    .await;
    let client = &daemon.client;
    // One commit, hence one segment, per profile.
    for person in people() {
        let reply = client.ingest(&[person]).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    let segments = || async {
        metric(
            &client.get("/metrics").await.text,
            "profiled_index_segments",
        )
        .expect("gauge")
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while segments().await > 1.0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the idle index was not merged"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let metrics = client.get("/metrics").await.text;
    assert_eq!(metric(&metrics, "profiled_indexed_documents"), Some(5.0));
    for (name, company) in [
        ("Jane Doe", "Acme"),
        ("Pieter de Vries", "acme.nl"),
        ("Jürgen Müller", "Müller Bau"),
    ] {
        matched_name(client, json!({"name": name, "company": company})).await;
    }
    // The writer goes on after the merge.
    let reply = client
        .ingest(&[
            json!({"source":"public-web","first_name":"Ada","last_name":"Lovelace",
                         "company":{"name":"Analytical Engines Ltd"}}),
        ])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let (name, _, _) = matched_name(
        client,
        json!({"name":"Ada Lovelace","company":"Analytical Engines"}),
    )
    .await;
    assert_eq!(name, "Ada Lovelace");
    daemon.stop().await;
}

#[test]
fn an_offline_compaction_leaves_one_segment_with_every_profile() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = Engine::open(
        EngineConfig::new(dir.path().to_path_buf()),
        Arc::new(SystemClock),
    )
    .expect("engine");
    for (n, person) in people().iter().enumerate() {
        let (report, seq) = engine
            .ingest_ndjson(format!("{person}\n").as_bytes(), 1)
            .expect("ingest");
        assert_eq!(report.created + report.updated, 1, "line {n}");
        engine
            .wait_searchable_blocking(seq, Duration::from_secs(30))
            .expect("searchable");
    }
    assert!(engine.index_segments() > 1, "one segment per commit");
    engine.compact().expect("compaction");
    assert_eq!(engine.index_segments(), 1);
    assert_eq!(engine.indexed_docs(), 5);
    let found = engine
        .lookup(
            &serde_json::from_value(json!({"name":"Sanne Bakker","company":"Acme"}))
                .expect("request"),
        )
        .expect("lookup");
    assert_eq!(found.profile.expect("profile").full_name, "Sanne Bakker");
    engine.shutdown().expect("shutdown");
}
