//! `POST /v1/search` and `GET /v1/stats` over a small hand-written data set: each filter,
//! combinations, free text, facets, cursor pagination (with equal scores), validation,
//! statistics and scopes.

use crate::support::{args, start, start_with, Client, Reply};
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn person(
    first: &str,
    last: &str,
    title: &str,
    skills: &[&str],
    country: &str,
    city: &str,
    company: &str,
) -> Value {
    let (name, domain, industry, size) = match company {
        "acme" => ("Acme B.V.", "acme.nl", "Software", "51-200"),
        "brightwave" => ("Brightwave GmbH", "brightwave.de", "Energy", "201-500"),
        "coquelicot" => ("Coquelicot SA", "coquelicot.fr", "Finance", "11-50"),
        other => panic!("unknown company {other}"),
    };
    json!({"source":"test","first_name":first,"last_name":last,"job_title":title,"skills":skills,
           "location":{"country":country,"city":city},
           "company":{"name":name,"domain":domain,"industry":industry,"size":size}})
}

/// 12 profiles: 3 countries (NL 3, DE 5, FR 4), 3 companies / industries / size bands
/// (4 each; Daan works for the Dutch company from Berlin).
fn people() -> Vec<Value> {
    vec![
        person(
            "Jane",
            "Doe",
            "Head of Sales",
            &["negotiation", "saas sales"],
            "NL",
            "Rotterdam",
            "acme",
        ),
        person(
            "Pieter",
            "de Vries",
            "CTO",
            &["rust", "distributed systems"],
            "NL",
            "Rotterdam",
            "acme",
        ),
        person(
            "Sanne",
            "Bakker",
            "Marketing Manager",
            &["content marketing"],
            "NL",
            "Utrecht",
            "acme",
        ),
        person(
            "Daan",
            "Visser",
            "Account Executive",
            &["negotiation"],
            "DE",
            "Berlin",
            "acme",
        ),
        person(
            "Jürgen",
            "Müller",
            "Geschäftsführer",
            &["leadership"],
            "DE",
            "München",
            "brightwave",
        ),
        person(
            "Anna",
            "Schmidt",
            "Software Engineer",
            &["rust", "kubernetes"],
            "DE",
            "Berlin",
            "brightwave",
        ),
        person(
            "Lukas",
            "Weber",
            "Sales Manager",
            &["negotiation", "energy trading"],
            "DE",
            "Berlin",
            "brightwave",
        ),
        person(
            "Mia",
            "Fischer",
            "Data Analyst",
            &["python", "statistics"],
            "DE",
            "München",
            "brightwave",
        ),
        person(
            "Camille",
            "Laurent",
            "Data Engineer",
            &["python", "spark"],
            "FR",
            "Paris",
            "coquelicot",
        ),
        person(
            "Hugo",
            "Moreau",
            "Chief Financial Officer",
            &["accounting"],
            "FR",
            "Lyon",
            "coquelicot",
        ),
        person(
            "Léa",
            "Girard",
            "Software Engineer",
            &["rust", "python"],
            "FR",
            "Paris",
            "coquelicot",
        ),
        person(
            "Louis",
            "Bernard",
            "Head of Marketing",
            &["content marketing", "seo"],
            "FR",
            "Lyon",
            "coquelicot",
        ),
    ]
}

async fn daemon() -> (tempfile::TempDir, crate::support::TestDaemon) {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = start(dir.path()).await;
    let reply = daemon.client.ingest(&people()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["created"], 12, "{}", reply.text);
    (dir, daemon)
}

async fn search(client: &Client, body: Value) -> Reply {
    client.post_json("/v1/search", &body).await
}

/// Full names of the hits, as a set; asserts `total` agrees with an unpaged result.
fn names(reply: &Reply) -> BTreeSet<String> {
    assert_eq!(reply.status, 200, "{}", reply.text);
    let hits = reply.body["hits"].as_array().expect("hits");
    assert_eq!(reply.body["total"], hits.len(), "{}", reply.text);
    hits.iter()
        .map(|h| h["full_name"].as_str().expect("full_name").to_owned())
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

fn ids(reply: &Reply) -> Vec<String> {
    reply.body["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().expect("id").to_owned())
        .collect()
}

fn assert_invalid(reply: &Reply, needle: &str) {
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(
        reply.content_type.starts_with("application/problem+json"),
        "{}",
        reply.content_type
    );
    assert_eq!(reply.body["code"], "invalid_request", "{}", reply.text);
    let detail = reply.body["detail"].as_str().expect("detail");
    assert!(detail.contains(needle), "{needle:?} in {detail:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_filter_alone_and_combined() {
    let (_dir, daemon) = daemon().await;
    let c = &daemon.client;
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (
            json!({"country":"fr"}),
            vec![
                "Camille Laurent",
                "Hugo Moreau",
                "Léa Girard",
                "Louis Bernard",
            ],
        ),
        (
            json!({"country":["NL","XX"]}),
            vec!["Jane Doe", "Pieter de Vries", "Sanne Bakker"],
        ),
        // city: case, diacritics and punctuation ignored
        (
            json!({"city":"MUNCHEN"}),
            vec!["Jürgen Müller", "Mia Fischer"],
        ),
        (
            json!({"city":["münchen","Paris"]}),
            vec![
                "Jürgen Müller",
                "Mia Fischer",
                "Camille Laurent",
                "Léa Girard",
            ],
        ),
        (
            json!({"industry":"software"}),
            vec!["Jane Doe", "Pieter de Vries", "Sanne Bakker", "Daan Visser"],
        ),
        (
            json!({"size":"201-500"}),
            vec![
                "Jürgen Müller",
                "Anna Schmidt",
                "Lukas Weber",
                "Mia Fischer",
            ],
        ),
        // company: a name (legal form ignored), a domain, a URL
        (
            json!({"company":"Coquelicot S.A."}),
            vec![
                "Camille Laurent",
                "Hugo Moreau",
                "Léa Girard",
                "Louis Bernard",
            ],
        ),
        (
            json!({"company":"acme.nl"}),
            vec!["Jane Doe", "Pieter de Vries", "Sanne Bakker", "Daan Visser"],
        ),
        (
            json!({"company":"https://www.brightwave.de/team"}),
            vec![
                "Jürgen Müller",
                "Anna Schmidt",
                "Lukas Weber",
                "Mia Fischer",
            ],
        ),
        (
            json!({"title":"engineer"}),
            vec!["Anna Schmidt", "Camille Laurent", "Léa Girard"],
        ),
        (
            json!({"title":"Software ENGINEER"}),
            vec!["Anna Schmidt", "Léa Girard"],
        ),
        (
            json!({"skills":"python"}),
            vec!["Mia Fischer", "Camille Laurent", "Léa Girard"],
        ),
        (json!({"skills":["rust","python"]}), vec!["Léa Girard"]),
        (
            json!({"skills":["content marketing"]}),
            vec!["Sanne Bakker", "Louis Bernard"],
        ),
        // combined: AND between fields
        (
            json!({"country":"DE","industry":"Software"}),
            vec!["Daan Visser"],
        ),
        (
            json!({"country":"FR","skills":"python"}),
            vec!["Camille Laurent", "Léa Girard"],
        ),
        (
            json!({"city":"Berlin","title":"manager"}),
            vec!["Lukas Weber"],
        ),
        (json!({"country":"NL","size":"11-50"}), vec![]),
        (json!({"city":"Atlantis"}), vec![]),
    ];
    for (filters, expected) in cases {
        let reply = search(c, json!({"filters": filters})).await;
        assert_eq!(names(&reply), set(&expected), "filters {filters}");
    }
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn free_text_matches_titles_skills_companies_and_names() {
    let (_dir, daemon) = daemon().await;
    let c = &daemon.client;
    let cases: Vec<(&str, Vec<&str>)> = vec![
        // a title word
        (
            "engineer",
            vec!["Anna Schmidt", "Camille Laurent", "Léa Girard"],
        ),
        // every word must match
        ("Software Engineer", vec!["Anna Schmidt", "Léa Girard"]),
        // a skill
        ("kubernetes", vec!["Anna Schmidt"]),
        (
            "Python",
            vec!["Mia Fischer", "Camille Laurent", "Léa Girard"],
        ),
        // a company name
        (
            "brightwave",
            vec![
                "Jürgen Müller",
                "Anna Schmidt",
                "Lukas Weber",
                "Mia Fischer",
            ],
        ),
        // a person's name, diacritics folded
        ("Camille", vec!["Camille Laurent"]),
        ("lea girard", vec!["Léa Girard"]),
        ("MULLER", vec!["Jürgen Müller"]),
        // one typo in a word of 4+ characters
        (
            "Brightwav",
            vec![
                "Jürgen Müller",
                "Anna Schmidt",
                "Lukas Weber",
                "Mia Fischer",
            ],
        ),
        ("kubernets", vec!["Anna Schmidt"]),
        // no typo tolerance below 4 characters
        ("cta", vec![]),
        // query syntax is just text: no field injection, no syntax error
        ("+cto*", vec!["Pieter de Vries"]),
        (
            "-rust",
            vec!["Pieter de Vries", "Anna Schmidt", "Léa Girard"],
        ),
        ("title:cto", vec![]),
        ("\"unbalanced (", vec![]),
        ("nobody", vec![]),
    ];
    for (query, expected) in cases {
        let reply = search(c, json!({"query": query})).await;
        assert_eq!(names(&reply), set(&expected), "query {query:?}");
    }
    // Free text and filters together; an exact match outranks a typo match.
    let reply = search(c, json!({"query":"engineer","filters":{"country":"FR"}})).await;
    assert_eq!(names(&reply), set(&["Camille Laurent", "Léa Girard"]));
    let reply = search(c, json!({"query":"sales"})).await;
    assert_eq!(names(&reply), set(&["Jane Doe", "Lukas Weber"]));
    assert_eq!(
        reply.body["hits"][0]["full_name"], "Jane Doe",
        "two mentions of sales rank first: {}",
        reply.text
    );
    // Hits are full profiles.
    let hit = &search(c, json!({"query":"kubernetes"})).await.body["hits"][0];
    assert_eq!(hit["company"]["domain"], "brightwave.de");
    assert_eq!(hit["location"]["city"], "Berlin");
    assert_eq!(hit["skills"], json!(["rust", "kubernetes"]));
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facets_count_all_matches_exactly() {
    let (_dir, daemon) = daemon().await;
    let c = &daemon.client;
    let reply = search(
        c,
        json!({"facets":["country","city","industry","size"],"limit":1}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["total"], 12);
    assert_eq!(reply.body["hits"].as_array().expect("hits").len(), 1);
    assert_eq!(
        reply.body["facets"],
        json!({
            "country": {"DE":5,"FR":4,"NL":3},
            "city": {"Berlin":3,"Lyon":2,"München":2,"Paris":2,"Rotterdam":2,"Utrecht":1},
            "industry": {"Energy":4,"Finance":4,"Software":4},
            "size": {"11-50":4,"201-500":4,"51-200":4}
        })
    );
    // Most frequent first in the JSON text.
    let facets = &reply.text[reply.text.find("\"facets\"").expect("facets")..];
    assert!(facets.find("\"DE\"") < facets.find("\"NL\""), "{facets}");

    // Over the filtered, queried set only; only the asked facets.
    let reply = search(
        c,
        json!({"query":"python","filters":{"size":["201-500","11-50"]},"facets":["country","city","country"]}),
    )
    .await;
    assert_eq!(reply.body["total"], 3, "{}", reply.text);
    assert_eq!(
        reply.body["facets"],
        json!({"country":{"FR":2,"DE":1},"city":{"Paris":2,"München":1}})
    );
    // No facets asked: an empty object.
    let reply = search(c, json!({"query":"python"})).await;
    assert_eq!(reply.body["facets"], json!({}));
    daemon.stop().await;
}

/// Walks every page with `limit` and returns the ids in order.
async fn walk(c: &Client, body: Value, limit: u64) -> (Vec<String>, usize) {
    let mut all = Vec::new();
    let mut pages = 0;
    let mut cursor: Option<String> = None;
    loop {
        let mut request = body.clone();
        request["limit"] = json!(limit);
        if let Some(cursor) = &cursor {
            request["cursor"] = json!(cursor);
        }
        let reply = search(c, request).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        pages += 1;
        let page = ids(&reply);
        assert!(page.len() as u64 <= limit);
        all.extend(page);
        match reply.body.get("next_cursor").and_then(Value::as_str) {
            Some(next) => {
                assert!(!reply.body["hits"].as_array().expect("hits").is_empty());
                cursor = Some(next.to_owned());
            }
            None => break,
        }
        assert!(pages < 100, "pagination does not end");
    }
    (all, pages)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cursor_pages_walk_every_hit_once_in_a_stable_order() {
    let (_dir, daemon) = daemon().await;
    let c = &daemon.client;
    // No free text: every score is equal, so the order is the id order.
    let (walked, pages) = walk(c, json!({}), 2).await;
    assert_eq!(pages, 6, "12 hits, 2 a page, no empty last page");
    let mut sorted = walked.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(walked, sorted, "ascending ids, no duplicates");
    assert_eq!(walked.len(), 12);
    let everything = search(c, json!({"limit":100})).await;
    assert_eq!(ids(&everything), walked);
    assert!(everything.body.get("next_cursor").is_none());

    // With free text the pages follow the one-page ranking exactly.
    for query in [
        json!({"query":"negotiation"}),
        json!({"query":"brightwave"}),
        json!({"query":"rust","filters":{"country":["DE","FR"]}}),
    ] {
        let one_page = search(c, {
            let mut q = query.clone();
            q["limit"] = json!(100);
            q
        })
        .await;
        let (walked, _) = walk(c, query.clone(), 1).await;
        assert_eq!(walked, ids(&one_page), "{query}");
    }
    // Nothing matches: one empty page without a cursor.
    let reply = search(c, json!({"query":"nobody","limit":2})).await;
    assert_eq!(reply.body["total"], 0);
    assert!(reply.body.get("next_cursor").is_none());
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn equal_scores_still_paginate_without_gaps_or_duplicates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = start(dir.path()).await;
    let c = &daemon.client;
    // Seven welders whose documents differ only in the first name (same lengths, same
    // terms elsewhere): identical scores for "welder". Two more mention it twice.
    let mut lines = Vec::new();
    for first in ["Ada", "Bea", "Cor", "Dirk", "Eva", "Finn", "Gus"] {
        lines.push(json!({"first_name":first,"last_name":"Smith","job_title":"Welder","skills":["welding"],
                          "location":{"country":"NL","city":"Delft"},"company":{"name":"Forge","domain":"forge.example"}}));
    }
    for first in ["Hein", "Ida"] {
        lines.push(json!({"first_name":first,"last_name":"Smith","job_title":"Welder","skills":["welder"],
                          "location":{"country":"NL","city":"Delft"},"company":{"name":"Forge","domain":"forge.example"}}));
    }
    let reply = c.ingest(&lines).await;
    assert_eq!(reply.body["created"], 9, "{}", reply.text);

    let all = search(c, json!({"query":"welder","limit":100})).await;
    assert_eq!(all.body["total"], 9);
    let ranked = ids(&all);
    let top: BTreeSet<&str> = all.body["hits"].as_array().expect("hits")[..2]
        .iter()
        .map(|h| h["first_name"].as_str().expect("first"))
        .collect();
    assert_eq!(top, BTreeSet::from(["Hein", "Ida"]), "{}", all.text);
    // Within each group of equal scores, ids ascend.
    assert!(ranked[0] < ranked[1], "{ranked:?}");
    assert!(ranked[2..].windows(2).all(|w| w[0] < w[1]), "{ranked:?}");
    for limit in [1, 2, 3, 4] {
        let (walked, _) = walk(c, json!({"query":"welder"}), limit).await;
        assert_eq!(walked, ranked, "limit {limit}");
    }
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_requests_are_400_problems() {
    let (_dir, daemon) = daemon().await;
    let c = &daemon.client;
    assert_invalid(&search(c, json!({"limit":101})).await, "limit");
    assert_invalid(&search(c, json!({"limit":0})).await, "limit");
    assert_eq!(search(c, json!({"limit":100})).await.status, 200);
    // issue 12.9: an unknown field is named by the fields the API defines, never by the
    // client's own name for it.
    let reply = search(c, json!({"filters":{"colour":"red"}})).await;
    assert_invalid(
        &reply,
        "`filters`: unknown field; the fields here are country, city, industry, company, title, skills, size",
    );
    assert!(!reply.text.contains("colour"), "{}", reply.text);
    let reply = search(c, json!({"sort":"name"})).await;
    assert_invalid(&reply, "unknown field; the fields here are query, filters");
    assert!(!reply.text.contains("sort"), "{}", reply.text);
    assert_invalid(
        &search(c, json!({"facets":["country","colour"]})).await,
        "facets[1]",
    );
    assert_invalid(&search(c, json!({"cursor":"not-a-cursor"})).await, "cursor");
    assert_invalid(
        &search(c, json!({"cursor":"0".repeat(31) + "g"})).await,
        "cursor",
    );
    // a cursor of another query
    let first = search(c, json!({"query":"engineer","limit":1})).await;
    let cursor = first.body["next_cursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    assert_invalid(
        &search(c, json!({"query":"rust","limit":1,"cursor":cursor})).await,
        "cursor",
    );
    assert_eq!(
        search(c, json!({"query":"engineer","limit":5,"cursor":cursor}))
            .await
            .status,
        200,
        "the limit may change between pages"
    );
    assert_invalid(
        &search(c, json!({"query":"a".repeat(201)})).await,
        "200 characters",
    );
    assert_eq!(
        search(c, json!({"query":"a ".repeat(100)})).await.status,
        200
    );
    assert_invalid(
        &search(c, json!({"filters":{"country":"France"}})).await,
        "alpha-2",
    );
    assert_invalid(&search(c, json!({"filters":{"skills":[]}})).await, "empty");
    assert_invalid(
        &search(c, json!({"filters":{"company":"  "}})).await,
        "company",
    );
    assert_invalid(&search(c, json!({"filters":{"title":"--"}})).await, "title");
    assert_invalid(&search(c, json!({"query":17})).await, "invalid body");
    let reply = c
        .post_raw("/v1/search", "application/json", b"{\"query\":".to_vec())
        .await;
    assert_invalid(&reply, "invalid body");
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_count_profiles_companies_and_aggregates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = start(dir.path()).await;
    let c = &daemon.client;
    let mut empty = c.get("/v1/stats").await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    let freshness = empty.body["freshness"].take();
    assert_eq!(freshness["overdue"], 0);
    assert_eq!(freshness["by_age"][0]["profiles"], 0);
    empty
        .body
        .as_object_mut()
        .expect("object")
        .remove("freshness");
    assert_eq!(
        empty.body,
        json!({"profiles":0,"companies":0,"by_country":{},"by_industry":{},"by_size":{}})
    );
    let reply = c.ingest(&people()).await;
    assert_eq!(reply.body["created"], 12, "{}", reply.text);
    let mut stats = c.get("/v1/stats").await;
    assert_eq!(stats.status, 200, "{}", stats.text);
    // All twelve were seen just now: the freshest bucket, nothing expiring.
    let freshness = stats.body["freshness"].take();
    assert_eq!(freshness["by_age"][0]["profiles"], 12, "{freshness}");
    assert_eq!(freshness["expiring_90_days"], 0);
    stats
        .body
        .as_object_mut()
        .expect("object")
        .remove("freshness");
    assert_eq!(
        stats.body,
        json!({
            "profiles": 12,
            "companies": 3,
            "by_country": {"DE":5,"FR":4,"NL":3},
            "by_industry": {"Energy":4,"Finance":4,"Software":4},
            "by_size": {"11-50":4,"201-500":4,"51-200":4}
        })
    );
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_and_stats_need_the_search_scope() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut serve_args = args(dir.path());
    serve_args.api_keys =
        Some("ext:lookup-key-0123456789:lookup,crm:search-key-0123456789:search".into());
    let daemon = start_with(serve_args).await;
    let anonymous = &daemon.client;
    let lookup = anonymous.with_key("lookup-key-0123456789");
    let searcher = anonymous.with_key("search-key-0123456789");
    assert_eq!(search(anonymous, json!({})).await.status, 401);
    let forbidden = search(&lookup, json!({})).await;
    assert_eq!(forbidden.status, 403);
    assert_eq!(forbidden.body["code"], "forbidden");
    assert_eq!(lookup.get("/v1/stats").await.status, 403);
    assert_eq!(search(&searcher, json!({})).await.status, 200);
    assert_eq!(searcher.get("/v1/stats").await.status, 200);
    let openapi = anonymous.get("/openapi.json").await;
    assert!(openapi.body["paths"]["/v1/search"]["post"].is_object());
    assert!(openapi.body["paths"]["/v1/stats"]["get"].is_object());
    assert!(openapi.body["components"]["schemas"]["SearchRequest"].is_object());
    daemon.stop().await;
}

/// Regression (issue 15.4, found by schemathesis): serde reads a JSON array into a struct
/// by position, so `POST /v1/search` with `[]` was a search with no query and returned
/// every profile; `{"filters":[]}` likewise dropped the filters. An array where an object
/// belongs is a 400, at any depth.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_array_is_not_read_as_a_search_request_or_as_its_filters() {
    let (_dir, daemon) = daemon().await;
    for body in [
        json!([]),
        json!(["ada"]),
        json!({"filters": []}),
        json!({"filters": ["NL"]}),
    ] {
        let reply = search(&daemon.client, body.clone()).await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.text);
        assert_eq!(reply.body["code"], "invalid_request");
        assert!(
            reply.body["detail"]
                .as_str()
                .expect("detail")
                .contains("must be an object"),
            "{}",
            reply.text
        );
    }
    daemon.stop().await;
}
