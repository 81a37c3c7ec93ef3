//! Batch enrichment over HTTP: order, metadata, per-record errors, limits, projection,
//! NDJSON streaming — and the lookup features enrichment relies on (explain, nicknames).

use crate::support::{args, start_with};
use serde_json::{json, Value};

fn people() -> Vec<Value> {
    vec![
        json!({"first_name":"Robert","last_name":"Kowalski","job_title":"CFO","email":"robert.kowalski@vistula.pl",
               "location":{"country":"PL","city":"Warszawa","postcode":"00-001"},
               "company":{"name":"Vistula Sp. z o.o.","domain":"vistula.pl","industry":"Finance","size":"201-500"}}),
        json!({"first_name":"Elizabeth","last_name":"Hartley","job_title":"Head of Data",
               "location":{"country":"GB","city":"Leeds"},
               "company":{"name":"Hartley & Sons Ltd","domain":"hartley.co.uk"}}),
    ]
}

async fn daemon() -> (tempfile::TempDir, crate::support::TestDaemon) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut serve_args = args(dir.path());
    serve_args.max_enrich_records = Some(5);
    let daemon = start_with(serve_args).await;
    let reply = daemon.client.ingest(&people()).await;
    assert_eq!(reply.body["created"], 2, "{}", reply.text);
    (dir, daemon)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_keep_input_order_metadata_and_per_record_errors() {
    let (_dir, daemon) = daemon().await;
    let reply = daemon
        .client
        .post_json(
            "/v1/enrich",
            &json!({"records":[
                {"name":"Liz Hartley","company":"hartley.co.uk","metadata":{"row":1}},
                {"email":"not an address","metadata":{"row":2}},
                {"name":"Robert Kowalski","company":"Vistula","metadata":{"row":3,"crm":"a-17"}},
                {"name":"Robert Kowalski","company":"Vistula","metadata":{"row":4}},
                {"company":"Vistula","metadata":{"row":5}}
            ], "fields":["job_title","company"]}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let results = reply.body["results"].as_array().expect("results");
    assert_eq!(results.len(), 5);
    for (i, result) in results.iter().enumerate() {
        assert_eq!(result["metadata"]["row"], i + 1, "{result}");
    }
    assert_eq!(
        results[0]["status"], "match",
        "nickname Liz → Elizabeth: {}",
        results[0]
    );
    assert_eq!(results[0]["profile"]["job_title"], "Head of Data");
    assert_eq!(results[1]["error"]["code"], "invalid_request");
    assert_eq!(results[2]["metadata"]["crm"], "a-17");
    assert_eq!(results[2]["profile"]["company"]["domain"], "vistula.pl");
    // projection: only the selected fields and the id
    let keys: Vec<&String> = results[2]["profile"]
        .as_object()
        .expect("profile")
        .keys()
        .collect();
    assert_eq!(keys, vec!["company", "id", "job_title"], "{}", results[2]);
    // identical inputs, identical answers
    assert_eq!(results[2]["profile"], results[3]["profile"]);
    assert_eq!(results[2]["confidence"], results[3]["confidence"]);
    assert!(results[4]["error"]["message"]
        .as_str()
        .expect("message")
        .contains("needs a name"));
    // the suggested email comes from the company's pattern, even when the company is
    // not among the selected fields
    let reply = daemon
        .client
        .post_json(
            "/v1/enrich",
            &json!({"records":[{"name":"Liz Hartley","company":"hartley.co.uk"}], "fields":["email"]}),
        )
        .await;
    let profile = &reply.body["results"][0]["profile"];
    assert!(
        profile["email"]["suggested"]
            .as_str()
            .is_some_and(|address| address.ends_with("@hartley.co.uk")),
        "{}",
        reply.text
    );
    assert_eq!(profile.get("company"), None, "{}", reply.text);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_over_limit_and_malformed_batches() {
    let (_dir, daemon) = daemon().await;
    let client = &daemon.client;
    let reply = client.post_json("/v1/enrich", &json!({"records":[]})).await;
    assert_eq!(
        (reply.status, reply.body.clone()),
        (200, json!({"results":[]}))
    );
    let six: Vec<Value> = (0..6).map(|_| json!({"name":"Robert Kowalski"})).collect();
    let reply = client
        .post_json("/v1/enrich", &json!({"records": six}))
        .await;
    assert_eq!(reply.status, 413, "{}", reply.text);
    assert_eq!(reply.content_type, "application/problem+json");
    assert_eq!(reply.body["code"], "too_many_records");
    let reply = client
        .post_json("/v1/enrich", &json!({"records":[], "fields":["salary"]}))
        .await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    let reply = client
        .post_json("/v1/enrich", &json!({"records":[], "min_confidence": 7}))
        .await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    let reply = client.post_json("/v1/enrich", &json!({"rows":[]})).await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ndjson_streams_in_and_out_in_order() {
    let (_dir, daemon) = daemon().await;
    let mut body = String::new();
    for i in 0..2500 {
        let line = match i % 3 {
            0 => {
                json!({"name":"Bob Kowalski","company":"vistula.pl","metadata":{"i":i}}).to_string()
            }
            1 => "{broken".to_owned(),
            _ => json!({"email":"robert.kowalski@vistula.pl","metadata":{"i":i}}).to_string(),
        };
        body.push_str(&line);
        body.push('\n');
    }
    let reply = daemon
        .client
        .post_raw(
            "/v1/enrich?fields=job_title",
            "application/x-ndjson",
            body.into_bytes(),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type, "application/x-ndjson");
    let lines: Vec<Value> = reply
        .text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 2500);
    for (i, line) in lines.iter().enumerate() {
        match i % 3 {
            1 => assert_eq!(line["error"]["code"], "invalid_request", "{line}"),
            _ => {
                assert_eq!(line["metadata"]["i"], i, "{line}");
                assert_eq!(line["status"], "match", "{line}");
                assert_eq!(line["profile"]["job_title"], "CFO", "{line}");
            }
        }
    }
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explain_shows_each_fields_contribution() {
    let (_dir, daemon) = daemon().await;
    let reply = daemon
        .client
        .lookup(
            json!({"name":"Robert Kowalski","company":"Vistula","city":"Warszawa","explain":true}),
        )
        .await;
    assert_eq!(reply.body["status"], "match", "{}", reply.text);
    let fields: Vec<&str> = reply.body["explain"]
        .as_array()
        .expect("explain")
        .iter()
        .map(|c| c["field"].as_str().expect("field"))
        .collect();
    assert_eq!(fields, vec!["name", "company", "city"]);
    let reply = daemon
        .client
        .lookup(json!({"name":"Robert Kowalski","company":"Vistula"}))
        .await;
    assert!(reply.body.get("explain").is_none(), "{}", reply.text);
    daemon.stop().await;
}

/// Regression (issue 12.6): NDJSON enrich dropped blank lines, so output line k no longer
/// answered input line k. A blank line, like an over-long one, is answered by an error in
/// its place, and a last line without a newline still counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ndjson_blank_lines_are_answered_in_place_so_output_lines_match_input_lines() {
    let (_dir, daemon) = daemon().await;
    let good = |i: usize| json!({"name":"Bob Kowalski","company":"vistula.pl","metadata":{"i":i}});
    let over_long = json!({"name": "x".repeat(70_000), "metadata": {"i": 1}});
    let body = format!("{}\n\n{over_long}\n{}\n   \n{}", good(0), good(3), good(5));
    let reply = daemon
        .client
        .post_raw("/v1/enrich", "application/x-ndjson", body.into_bytes())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let lines: Vec<Value> = reply
        .text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 6, "one answer per input line: {}", reply.text);
    for (i, line) in lines.iter().enumerate() {
        if [0, 3, 5].contains(&i) {
            assert_eq!(line["metadata"]["i"], i, "{line}");
            assert_eq!(line["status"], "match", "{line}");
        } else {
            assert_eq!(line["error"]["code"], "invalid_request", "{line}");
        }
    }
    let message = |i: usize| {
        lines[i]["error"]["message"]
            .as_str()
            .expect("message")
            .to_owned()
    };
    assert!(message(1).contains("line 2 is blank"), "{}", message(1));
    assert!(
        message(2).contains("line 3 is longer than"),
        "{}",
        message(2)
    );
    assert!(message(4).contains("line 5 is blank"), "{}", message(4));
    daemon.stop().await;
}

/// Regression: the stream answered `200` before reading the body, so hyper never sent
/// `100 Continue` and clients that wait for it (curl, for large bodies) idled a second
/// before sending each job.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_job_that_expects_100_continue_gets_it_before_the_answer() {
    let (_dir, daemon) = daemon().await;
    let addr = daemon.daemon.addr();
    let exchange = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let body = json!({"name":"Robert Kowalski","company":"vistula.pl"}).to_string() + "\n";
        let mut socket = std::net::TcpStream::connect(addr).expect("connect");
        socket
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .expect("timeout");
        let head = format!(
            "POST /v1/enrich HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/x-ndjson\r\n\
             content-length: {}\r\nexpect: 100-continue\r\n\r\n",
            body.len()
        );
        socket.write_all(head.as_bytes()).expect("head");
        // Nothing of the body is sent until the server says to go on.
        let mut buf = vec![0u8; 4096];
        let read = socket
            .read(&mut buf)
            .expect("an interim answer before the body");
        let interim = String::from_utf8_lossy(&buf[..read]).to_string();
        socket.write_all(body.as_bytes()).expect("body");
        let mut rest = String::new();
        while !rest.contains("\"status\"") {
            let read = socket.read(&mut buf).expect("the answer");
            assert!(read > 0, "connection closed early: {interim}{rest}");
            rest.push_str(&String::from_utf8_lossy(&buf[..read]));
        }
        (interim, rest)
    });
    let (interim, rest) = exchange.await.expect("exchange");
    assert!(interim.starts_with("HTTP/1.1 100 Continue"), "{interim}");
    assert!(rest.contains("HTTP/1.1 200 OK"), "{rest}");
    assert!(rest.contains("\"status\":\"match\""), "{rest}");
    daemon.stop().await;
}

/// Regression (issue 12.5): HTTP enrich refused the dotted fields the CLI takes
/// (`company.domain`), and a JSON batch ignored `?fields=`. One syntax for both edges:
/// a dotted path keeps only that part of its field, in JSON and NDJSON, body or query.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dotted_fields_and_the_fields_query_work_for_json_and_ndjson_alike() {
    let (_dir, daemon) = daemon().await;
    let record = json!({"name":"Robert Kowalski","company":"vistula.pl"});
    let expected_profile = |profile: &Value| {
        assert_eq!(
            profile["company"],
            json!({"domain":"vistula.pl","name":"Vistula Sp. z o.o."}),
            "{profile}"
        );
        assert_eq!(profile["location"], json!({"city":"Warszawa"}), "{profile}");
        assert_eq!(profile["job_title"], "CFO", "{profile}");
        let mut keys: Vec<&str> = profile
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            vec!["company", "id", "job_title", "location"],
            "{profile}"
        );
    };
    let fields = [
        "company.domain",
        "company.name",
        "location.city",
        "job_title",
    ];
    // JSON, fields in the body
    let reply = daemon
        .client
        .post_json("/v1/enrich", &json!({"records":[record], "fields": fields}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    expected_profile(&reply.body["results"][0]["profile"]);
    // JSON, fields in the query (URL-encoded commas too)
    let query = "/v1/enrich?fields=company.domain%2Ccompany.name,location.city,job_title";
    let reply = daemon
        .client
        .post_json(query, &json!({"records":[record]}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    expected_profile(&reply.body["results"][0]["profile"]);
    // NDJSON, fields in the query
    let reply = daemon
        .client
        .post_raw(
            query,
            "application/x-ndjson",
            format!("{record}\n").into_bytes(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let line: Value = serde_json::from_str(reply.text.trim()).expect("json line");
    expected_profile(&line["profile"]);
    // An unknown head is refused the same way on every path, naming only the API's fields.
    for reply in [
        daemon
            .client
            .post_json(
                "/v1/enrich?fields=compnay.domain",
                &json!({"records":[record]}),
            )
            .await,
        daemon
            .client
            .post_json(
                "/v1/enrich",
                &json!({"records":[record], "fields":["compnay.domain"]}),
            )
            .await,
        daemon
            .client
            .post_raw(
                "/v1/enrich?fields=compnay.domain",
                "application/x-ndjson",
                format!("{record}\n").into_bytes(),
            )
            .await,
    ] {
        assert_eq!(reply.status, 400, "{}", reply.text);
        let detail = reply.body["detail"].as_str().expect("detail");
        assert!(detail.contains("company.domain"), "{detail}");
        assert!(!detail.contains("compnay"), "{detail}");
    }
    daemon.stop().await;
}
