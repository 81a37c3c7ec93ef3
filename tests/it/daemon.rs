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
        // issue 12.9: the client's own unknown field names are not echoed; the fields
        // the API defines are named instead.
        "unknown field; the fields here are person_key",
        // issue 12.10: the body's line and the column, not the line within the line.
        "malformed JSON at line 2 column 2",
        "longer than",
        "company (name or domain) or a location",
        "RFC 3339",
    ] {
        assert!(reasons.contains(expected), "{expected} in {reasons}");
    }
    for echoed in ["not-an-address", "favourite_colour", "line 1 column"] {
        assert!(!reasons.contains(echoed), "{echoed} in {reasons}");
    }
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
            &"test".into(),
        )
        .expect("lookup");
    assert_eq!(found.profile.expect("profile").full_name, "Sanne Bakker");
    engine.shutdown().expect("shutdown");
}

/// The error statuses the served document lists for one operation.
fn documented(openapi: &Value, path: &str, method: &str) -> Vec<u16> {
    openapi["paths"][path][method]["responses"]
        .as_object()
        .unwrap_or_else(|| panic!("{method} {path} documented"))
        .keys()
        .map(|s| s.parse().expect("status"))
        .collect()
}

/// Issue 12.8: every route's real error responses are in the served document — the
/// statuses, the problem+json content type, a `code` from the document's enum — and each
/// operation's documented scope is the one the server enforces.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_routes_real_error_responses_are_in_the_openapi_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut serve_args = args(dir.path());
    serve_args.max_body_bytes = Some(4096);
    serve_args.api_keys = Some(
        [
            "l:lookup-key-0123456789:lookup",
            "e:enrich-key-0123456789:enrich",
            "s:search-key-0123456789:search",
            "i:ingest-key-0123456789:ingest",
            "p:privacy-key-0123456789:privacy",
            "a:admin-key-0123456789:admin",
        ]
        .join(","),
    );
    let daemon = start_with(serve_args).await;
    let anonymous = &daemon.client;
    let key_of = |scope: &str| anonymous.with_key(&format!("{scope}-key-0123456789"));
    let openapi = anonymous.get("/openapi.json").await.body;
    let codes: Vec<&str> = openapi["components"]["schemas"]["Problem"]["properties"]["code"]
        ["enum"]
        .as_array()
        .expect("Problem.code is an enum")
        .iter()
        .map(|c| c.as_str().expect("code"))
        .collect();
    assert!(codes.contains(&"invalid_request") && codes.contains(&"method_not_allowed"));
    let check = |reply: &crate::support::Reply, path: &str, method: &str, what: &str| {
        let statuses = documented(&openapi, path, method);
        assert!(
            statuses.contains(&reply.status),
            "{method} {path} {what}: {} is not documented ({statuses:?}): {}",
            reply.status,
            reply.text
        );
        if reply.status >= 400 {
            assert_eq!(reply.content_type, "application/problem+json", "{what}");
            let code = reply.body["code"].as_str().expect("code");
            assert!(codes.contains(&code), "{code} not in the enum");
            let content = &openapi["paths"][path][method]["responses"][reply.status.to_string()]
                ["content"]["application/problem+json"];
            assert!(
                content.is_object(),
                "{method} {path} {}: no problem+json",
                reply.status
            );
        }
    };
    let scopes = ["lookup", "enrich", "search", "ingest", "privacy", "admin"];
    let mut operations = 0;
    for (path, item) in openapi["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            operations += 1;
            let url = path.replace("{id}", "0123456789abcdef");
            let scope = operation["x-required-scope"].as_str();
            let send = |client: crate::support::Client, body: Option<(&'static str, Vec<u8>)>| {
                let url = url.clone();
                let method = method.clone();
                async move {
                    match (method.as_str(), body) {
                        ("get", _) => client.get(&url).await,
                        (method, Some((content_type, body))) => {
                            client.send_raw(method, &url, content_type, body).await
                        }
                        (method, None) => {
                            client
                                .send_raw(method, &url, "application/json", b"{}".to_vec())
                                .await
                        }
                    }
                }
            };
            let Some(scope) = scope else {
                assert_eq!(
                    send(anonymous.clone(), None).await.status,
                    200,
                    "{path} is open"
                );
                continue;
            };
            // `any`: the route takes every valid key (a client's own notices).
            let any_key = scope == "any";
            assert_eq!(
                operation["security"],
                if any_key {
                    json!([{"bearer": []}])
                } else {
                    json!([{"bearer": [scope]}])
                },
                "{path}: the security requirement names the scope"
            );
            // no key, another scheme, an unknown key: 401 with the hint
            for client in [
                anonymous.clone(),
                anonymous.with_key("wrong-key-0123456789"),
            ] {
                let reply = send(client, None).await;
                assert_eq!(reply.status, 401, "{path}");
                assert!(reply.body["detail"]
                    .as_str()
                    .expect("detail")
                    .contains("Authorization: Bearer <key>"));
                check(&reply, path, method, "no key");
            }
            // every other scope: 403; the documented one (and admin): not 401/403
            for other in scopes {
                let reply = send(key_of(other), None).await;
                if any_key || other == scope || other == "admin" {
                    assert!(
                        ![401, 403].contains(&reply.status),
                        "{path} with {other}: {}",
                        reply.text
                    );
                } else {
                    assert_eq!(reply.status, 403, "{path} with {other}: {}", reply.text);
                }
                check(&reply, path, method, other);
            }
            let admin = key_of("admin");
            // a method no route of the path takes: 405
            let reply = admin
                .send_raw("delete", &url, "application/json", b"{}".to_vec())
                .await;
            assert_eq!(reply.status, 405, "{path}");
            check(&reply, path, method, "wrong method");
            if operation.get("requestBody").is_some() {
                let json_body = operation["requestBody"]["content"]["application/json"].is_object();
                let body_type = if json_body {
                    "application/json"
                } else if operation["requestBody"]["content"]["text/csv"].is_object() {
                    "text/csv"
                } else {
                    "application/x-ndjson"
                };
                let reply = send(admin.clone(), Some(("text/html", b"{}".to_vec()))).await;
                assert_eq!(reply.status, 415, "{path}");
                check(&reply, path, method, "wrong content type");
                let reply = send(admin.clone(), Some((body_type, vec![b' '; 8192]))).await;
                assert_eq!(reply.status, 413, "{path}");
                check(&reply, path, method, "too large");
                if json_body {
                    let reply = send(admin.clone(), Some((body_type, b"[]".to_vec()))).await;
                    assert_eq!(reply.status, 400, "{path}: an array is not an object");
                    check(&reply, path, method, "array");
                }
            }
        }
    }
    assert!(operations >= 11, "{operations} operations");
    // every reference resolves
    fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    out.push(target);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut targets = Vec::new();
    refs(&openapi, &mut targets);
    for target in targets {
        let pointer = target.strip_prefix('#').expect("local reference");
        assert!(
            openapi.pointer(pointer).is_some(),
            "{target} does not resolve"
        );
    }
    // the metrics content type is the one served
    let reply = anonymous.get("/metrics").await;
    assert!(
        openapi["paths"]["/metrics"]["get"]["responses"]["200"]["content"][&reply.content_type]
            .is_object(),
        "{} documented",
        reply.content_type
    );
    // the limits the server enforces
    let lookup = &openapi["components"]["schemas"]["LookupRequest"]["properties"];
    assert_eq!(lookup["candidates"]["maximum"], 20);
    let limit = &openapi["components"]["schemas"]["SearchRequest"]["properties"]["limit"];
    assert_eq!(
        (limit["minimum"].clone(), limit["maximum"].clone()),
        (json!(1), json!(100))
    );
    let search = key_of("search");
    for (value, status) in [(0, 400), (1, 200), (100, 200), (101, 400)] {
        let reply = search
            .post_json("/v1/search", &json!({"limit": value}))
            .await;
        assert_eq!(reply.status, status, "limit {value}: {}", reply.text);
    }
    // the enrich record and the NDJSON forms
    let records = &openapi["components"]["schemas"]["EnrichRequest"]["properties"]["records"];
    assert_eq!(
        records["items"]["$ref"],
        "#/components/schemas/EnrichRecord"
    );
    let record = &openapi["components"]["schemas"]["EnrichRecord"]["properties"];
    assert!(record["metadata"].is_object() && record["name"].is_object());
    let enrich = &openapi["paths"]["/v1/enrich"]["post"];
    assert!(enrich["requestBody"]["content"]["application/x-ndjson"].is_object());
    assert!(enrich["responses"]["200"]["content"]["application/x-ndjson"].is_object());
    daemon.stop().await;
}

/// Issue 12.9: 400s say what to send, naming only the API's fields — never serde's
/// internals (`expected usize`, `expected struct …`, `expected a sequence`) nor the
/// client's own unknown field names or values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_request_messages_name_api_fields_and_never_leak_internals_or_echo_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = start(dir.path()).await;
    let client = &daemon.client;
    let cases = [
        (
            "/v1/lookup",
            json!({"name":"Jane","candidates":"jane@acme.nl"}),
            "`candidates`: must be a whole number ≥ 0",
        ),
        (
            "/v1/lookup",
            json!({"name":"Jane","candidates":-3}),
            "`candidates`: must be a whole number ≥ 0",
        ),
        (
            "/v1/lookup",
            json!({"name":"Jane","secret_jane_field":1}),
            "unknown field; the fields here are name, first_name",
        ),
        (
            "/v1/lookup",
            json!(["Jane Doe", "Acme"]),
            "must be an object",
        ),
        (
            "/v1/enrich",
            json!({"records":{"name":"Jane"}}),
            "`records`: must be a list",
        ),
        ("/v1/enrich", json!([{"name":"Jane"}]), "must be an object"),
        (
            "/v1/search",
            json!({"filters":["jane"]}),
            "`filters`: must be an object",
        ),
        (
            "/v1/search",
            json!({"filters":{"jane_filter":"x"}}),
            "`filters`: unknown field; the fields here are country",
        ),
        (
            "/v1/search",
            json!({"limit":"ten"}),
            "`limit`: must be a whole number ≥ 0",
        ),
        (
            "/v1/search",
            json!({"filters":{"city":7}}),
            "`filters.city`: must be a string or a list of strings",
        ),
        (
            "/v1/sightings",
            json!({"source":"x","ids":"jane"}),
            "`ids`: must be a list",
        ),
    ];
    for (path, body, expected) in cases {
        let reply = client.post_json(path, &body).await;
        assert_eq!(reply.status, 400, "{path} {body}: {}", reply.text);
        let detail = reply.body["detail"].as_str().expect("detail");
        assert!(detail.contains(expected), "{path} {body}: {detail}");
        for leak in [
            "usize",
            "struct",
            "sequence",
            "expected",
            "invalid type",
            "jane",
            "Jane",
            "Acme",
            "ten",
            "secret",
        ] {
            assert!(!detail.contains(leak), "{path} {body}: {leak} in {detail}");
        }
    }
    let reply = client
        .post_raw(
            "/v1/lookup",
            "application/json",
            b"{\n \"name\": \"Jane\",\n \"city\" \n}".to_vec(),
        )
        .await;
    assert_eq!(
        reply.body["detail"], "invalid body: malformed JSON at line 4 column 1",
        "{}",
        reply.text
    );
    daemon.stop().await;
}

/// Issue 12.11: the listen address is bound before the data directory is touched; a port
/// in use names the address once (it was `Address already in use (os error 98)` twice,
/// after the data directory had been created and indexed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_port_in_use_fails_before_the_data_dir_is_created_and_names_the_address_once() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr");
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let mut serve_args = args(&data);
    serve_args.listen = Some(addr);
    let config = profiled::config::Config::resolve(&serve_args).expect("config");
    let err = match profiled::server::Daemon::start(
        config,
        std::sync::Arc::new(profiled::clock::SystemClock),
    )
    .await
    {
        Ok(_) => panic!("a taken port must fail"),
        Err(err) => err,
    };
    let chain = format!("{:#}", anyhow::Error::from(err));
    assert!(
        chain.contains(&format!("cannot listen on {addr}")),
        "{chain}"
    );
    assert_eq!(chain.matches("in use").count(), 1, "{chain}");
    assert!(
        !data.exists(),
        "the data directory was created before the bind failed"
    );
}

/// Issue 12.12: the `Bearer` scheme is case-insensitive (RFC 9110).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bearer_scheme_is_case_insensitive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut serve_args = args(dir.path());
    serve_args.api_keys = Some("ext:lookup-key-0123456789:lookup".into());
    let daemon = start_with(serve_args).await;
    let url = format!("http://{}/v1/lookup", daemon.daemon.addr());
    let http = reqwest::Client::new();
    for (header, status) in [
        ("Bearer lookup-key-0123456789", 200),
        ("bearer lookup-key-0123456789", 200),
        ("BEARER  lookup-key-0123456789", 200),
        ("Basic lookup-key-0123456789", 401),
        ("lookup-key-0123456789", 401),
    ] {
        let reply = http
            .post(&url)
            .header("authorization", header)
            .json(&json!({"name":"Jane Doe"}))
            .send()
            .await
            .expect("request");
        assert_eq!(reply.status().as_u16(), status, "{header}");
    }
    daemon.stop().await;
}

/// Regression: NUL, bidi overrides and other invisible controls were stored and served
/// verbatim, so a name could spoof how an extension shows it; and a search of punctuation
/// alone matched every profile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_text_is_display_safe_and_a_wordless_search_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = crate::support::start(dir.path()).await;
    let client = &daemon.client;
    let reply = client
        .ingest(&[
            json!({"first_name":"Ma\u{0}ria","last_name":"Ro\u{202e}ssi\u{200b}",
                         "job_title":"Head\tof\u{2066} Sales",
                         "company":{"name":"Acme\u{feff}"}}),
        ])
        .await;
    assert_eq!(reply.body["created"], 1, "{}", reply.text);
    let found = client
        .lookup(json!({"name":"Maria Rossi","company":"Acme"}))
        .await;
    assert_eq!(found.body["status"], "match", "{}", found.text);
    let profile = &found.body["profile"];
    assert_eq!(profile["full_name"], "Maria Rossi");
    assert_eq!(profile["job_title"], "Head of Sales");
    assert_eq!(profile["company"]["name"], "Acme");
    for wordless in ["!!!", "🚀"] {
        let reply = client
            .post_json("/v1/search", &json!({"query": wordless}))
            .await;
        assert_eq!(reply.status, 400, "{wordless}: {}", reply.text);
    }
    daemon.stop().await;
}

/// Regression: the store was world-readable (`store/db` 0644) and the email hash key lay
/// beside the hashes it protects. Now everything under the data directory is owner-only,
/// and the key can live in a file elsewhere.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_directory_is_owner_only_and_the_key_can_live_elsewhere() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = tempfile::tempdir().expect("tempdir");
    let key_file = secrets.path().join("email.key");
    std::fs::write(&key_file, format!("{}\n", "ab".repeat(32))).expect("key");
    let data = dir.path().join("data");
    let mut args = crate::support::args(&data);
    args.data.email_key_file = Some(key_file);
    let daemon = crate::support::start_with(args).await;
    let reply = daemon
        .client
        .ingest(&[
            json!({"first_name":"Lise","last_name":"Meitner","email":"lise@kwi.example",
                         "company":{"name":"KWI","domain":"kwi.example"}}),
        ])
        .await;
    assert_eq!(reply.body["created"], 1, "{}", reply.text);
    daemon
        .client
        .lookup(json!({"name":"Lise Meitner","company":"KWI"}))
        .await;
    daemon.stop().await;
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&data), 0o700);
    let files = crate::support::files_under(&data);
    assert!(files.len() > 3, "{files:?}");
    for file in &files {
        assert_eq!(
            mode(file) & 0o077,
            0,
            "{} is readable by others",
            file.display()
        );
    }
    assert!(
        !data.join(profiled::email::KEY_FILE).exists(),
        "no key file beside the hashes"
    );
}
