//! The data-subject rights over HTTP, as the privacy desk and a client key use them:
//! restriction that hides a person from every client path and can be lifted,
//! rectification that survives re-ingest, access exports that name every recipient, the
//! Art. 19 notices, request records, and a disclosure log whose tampering is detected.

use crate::support::{start_with, Client, TestDaemon};
use serde_json::{json, Value};

const DESK_KEY: &str = "desk-key-0123456789abcdef";
const CRM_KEY: &str = "crm-key-0123456789abcdef0";

async fn daemon(dir: &std::path::Path) -> TestDaemon {
    start_with(profiled::config::ServeArgs {
        api_keys: Some(format!(
            "desk:{DESK_KEY}:privacy+lookup,crm:{CRM_KEY}:ingest+lookup+search+enrich"
        )),
        ..crate::support::args(dir)
    })
    .await
}

fn people() -> Vec<Value> {
    vec![
        json!({"person_key":"src-1","first_name":"Grete","last_name":"Hermann","job_title":"Philosopher",
               "email":"grete.hermann@goettingen.example","phone":"+49 551 0100 200",
               "company":{"name":"Goettingen Institute","domain":"goettingen.example"},
               "location":{"country":"DE","city":"Göttingen"},"source":"crawl-a"}),
        json!({"person_key":"src-2","first_name":"Emmy","last_name":"Noether","job_title":"Mathematician",
               "email":"emmy.noether@goettingen.example",
               "company":{"name":"Goettingen Institute","domain":"goettingen.example"},
               "location":{"country":"DE","city":"Göttingen"},"source":"crawl-a"}),
    ]
}

async fn setup(dir: &std::path::Path) -> (TestDaemon, Client, Client) {
    let daemon = daemon(dir).await;
    let crm = daemon.client.with_key(CRM_KEY);
    let desk = daemon.client.with_key(DESK_KEY);
    let reply = crm.ingest(&people()).await;
    assert_eq!(reply.body["created"], 2, "{}", reply.text);
    (daemon, crm, desk)
}

fn grete() -> Value {
    json!({"name":"Grete Hermann","company":"Goettingen Institute"})
}

async fn id_of(crm: &Client, request: Value) -> String {
    let found = crm.lookup(request).await;
    assert_eq!(found.body["status"], "match", "{}", found.text);
    found.body["profile"]["id"].as_str().expect("id").to_owned()
}

fn hit_ids(reply: &Value) -> Vec<String> {
    reply["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restriction_hides_a_person_from_every_client_path_and_lifting_restores_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (daemon, crm, desk) = setup(dir.path()).await;
    let id = id_of(&crm, grete()).await;
    let search = json!({"query":"Goettingen","facets":["country"]});
    let before = crm.post_json("/v1/search", &search).await;
    assert!(hit_ids(&before.body).contains(&id), "{}", before.text);
    let stats_before = crm.get("/v1/stats").await.body["profiles"].as_u64();

    let receipt = desk
        .post_json(
            "/v1/privacy/restrict",
            &json!({"subject":{"email":"grete.hermann@goettingen.example"},"restricted":true}),
        )
        .await;
    assert_eq!(receipt.status, 200, "{}", receipt.text);
    assert_eq!(receipt.body["outcome"], "restricted");

    // By name, by email, by hash, among another lookup's candidates.
    assert_eq!(crm.lookup(grete()).await.body["status"], "none");
    let by_email = crm
        .lookup(json!({"email":"grete.hermann@goettingen.example"}))
        .await;
    assert_eq!(by_email.body["status"], "none", "{}", by_email.text);
    let digest = sha256_hex("grete.hermann@goettingen.example");
    let by_hash = crm.lookup(json!({"email_sha256": digest})).await;
    assert_eq!(by_hash.body["status"], "none", "{}", by_hash.text);
    let other = crm
        .lookup(json!({"name":"G. Hermann","company":"Goettingen Institute","candidates":5}))
        .await;
    assert!(!other.text.contains(&id), "{}", other.text);
    // Search hits, facet counts and the stats.
    let after = crm.post_json("/v1/search", &search).await;
    assert!(!hit_ids(&after.body).contains(&id), "{}", after.text);
    assert_eq!(
        after.body["total"].as_u64().expect("total") + 1,
        before.body["total"].as_u64().expect("total")
    );
    assert_eq!(
        after.body["facets"]["country"]["DE"]
            .as_u64()
            .expect("facet")
            + 1,
        before.body["facets"]["country"]["DE"]
            .as_u64()
            .expect("facet")
    );
    let stats = crm.get("/v1/stats").await;
    assert_eq!(stats.body["profiles"].as_u64(), stats_before.map(|n| n - 1));
    // Enrichment and a direct read by a client key; the desk still sees it.
    let enriched = crm
        .post_json("/v1/enrich", &json!({"records":[grete()]}))
        .await;
    assert_eq!(
        enriched.body["results"][0]["status"], "none",
        "{}",
        enriched.text
    );
    assert_eq!(crm.get(&format!("/v1/profiles/{id}")).await.status, 404);
    assert_eq!(desk.get(&format!("/v1/profiles/{id}")).await.status, 200);
    // Access still shows it, flagged.
    let export = desk
        .post_json("/v1/privacy/access", &json!({"id": id}))
        .await;
    assert_eq!(export.status, 200, "{}", export.text);
    assert!(
        export.body["data"]["restricted_since"].is_string(),
        "{}",
        export.text
    );

    // Lifting restores every path.
    let lifted = desk
        .post_json(
            "/v1/privacy/restrict",
            &json!({"subject":{"id": id},"restricted":false}),
        )
        .await;
    assert_eq!(lifted.body["outcome"], "unrestricted", "{}", lifted.text);
    assert_eq!(id_of(&crm, grete()).await, id);
    let restored = crm.post_json("/v1/search", &search).await;
    assert!(hit_ids(&restored.body).contains(&id));
    assert_eq!(
        crm.get("/v1/stats").await.body["profiles"].as_u64(),
        stats_before
    );
    assert_eq!(crm.get(&format!("/v1/profiles/{id}")).await.status, 200);
    daemon.stop().await;
}

/// Regression: identification by name and company went through the lookup, which cannot
/// see a restricted profile, so the desk could not find the person to lift the restriction.
#[tokio::test]
async fn a_restricted_person_is_identified_by_name_and_company_to_lift_the_restriction() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (daemon, crm, desk) = setup(dir.path()).await;
    let id = id_of(&crm, grete()).await;
    let restricted = desk
        .post_json(
            "/v1/privacy/restrict",
            &json!({"subject": grete(), "restricted": true}),
        )
        .await;
    assert_eq!(
        restricted.body["outcome"], "restricted",
        "{}",
        restricted.text
    );
    assert_eq!(crm.lookup(grete()).await.body["status"], "none");

    // Folded name, the company by another spelling of its name.
    let subject = json!({"name": "grete HERMANN", "company": "Goettingen Institute GmbH"});
    let lifted = desk
        .post_json(
            "/v1/privacy/restrict",
            &json!({"subject": subject, "restricted": false}),
        )
        .await;
    assert_eq!(lifted.body["outcome"], "unrestricted", "{}", lifted.text);
    assert_eq!(id_of(&crm, grete()).await, id);
    daemon.stop().await;
}

/// Regression: `/healthz` called the disclosure log "behind" whenever a disclosure was
/// queued, so with the log gathering each group for a few milliseconds a daemon under
/// lookup load reported itself degraded. Behind means its writes fail.
#[tokio::test]
async fn health_is_ok_while_disclosures_wait_for_their_group() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (daemon, crm, _desk) = setup(dir.path()).await;
    for _ in 0..5 {
        assert_eq!(crm.lookup(grete()).await.body["status"], "match");
        let health = crm.get("/healthz").await;
        assert_eq!(health.body, json!({"status": "ok"}), "{}", health.text);
    }
    daemon.stop().await;
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rectified_field_survives_re_ingest_and_its_recipients_are_told() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (daemon, crm, desk) = setup(dir.path()).await;
    let id = id_of(&crm, grete()).await;
    let patched = desk
        .patch_json(
            &format!("/v1/profiles/{id}"),
            &json!({"job_title":"Physicist and Philosopher"}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.body["outcome"], "rectified");
    // The crawl still shows the old title: the subject's one stays.
    let again = crm.ingest(&people()[..1]).await;
    assert_eq!(again.body["updated"], 1, "{}", again.text);
    let profile = crm.get(&format!("/v1/profiles/{id}")).await;
    assert_eq!(profile.body["job_title"], "Physicist and Philosopher");
    // The client that received the profile is told, with the field.
    let notices = crm.get("/v1/privacy/notices").await;
    assert_eq!(notices.status, 200, "{}", notices.text);
    let list = notices.body["notices"].as_array().expect("notices");
    assert_eq!(list.len(), 1, "{}", notices.text);
    assert_eq!(list[0]["profile_id"], id.as_str());
    assert_eq!(list[0]["change"], "rectified");
    assert_eq!(list[0]["fields"], json!(["job_title"]));
    // Nothing new after the cursor.
    let next = notices.body["next"].as_str().expect("next");
    let later = crm.get(&format!("/v1/privacy/notices?since={next}")).await;
    assert_eq!(later.body["notices"], json!([]), "{}", later.text);
    // Access shows it rectified, from the subject.
    let export = desk
        .post_json("/v1/privacy/access", &json!({"id": id}))
        .await;
    assert_eq!(export.body["data"]["rectified"], json!(["job_title"]));
    let provenance = export.body["data"]["provenance"]
        .as_array()
        .expect("provenance");
    let title = provenance
        .iter()
        .find(|p| p["field"] == "job_title")
        .expect("job_title provenance");
    assert_eq!(title["source"], "subject");
    let bad = desk
        .patch_json(&format!("/v1/profiles/{id}"), &json!({"job_title":"  "}))
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    let refused = crm
        .patch_json(&format!("/v1/profiles/{id}"), &json!({"job_title":"x"}))
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_names_every_recipient_and_erasure_tells_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (daemon, crm, desk) = setup(dir.path()).await;
    let id = id_of(&crm, grete()).await;
    let enriched = crm
        .post_json(
            "/v1/enrich",
            &json!({"records":[grete()],"fields":["job_title"]}),
        )
        .await;
    assert_eq!(
        enriched.body["results"][0]["status"], "match",
        "{}",
        enriched.text
    );
    let export = desk
        .post_json(
            "/v1/privacy/access",
            &json!({"email":"grete.hermann@goettingen.example"}),
        )
        .await;
    assert_eq!(export.status, 200, "{}", export.text);
    let disclosures = export.body["data"]["disclosures"]
        .as_array()
        .expect("disclosures");
    let by = |operation: &str| {
        disclosures
            .iter()
            .find(|d| d["operation"] == operation && d["recipient"] == "crm")
            .cloned()
    };
    let lookup = by("lookup").expect("the lookup is disclosed");
    assert!(lookup["fields"]
        .as_array()
        .expect("fields")
        .contains(&json!("job_title")));
    let enrich = by("enrich").expect("the enrichment is disclosed");
    assert_eq!(
        enrich["fields"],
        json!(["job_title"]),
        "only the fields it received"
    );
    // No address is held: the only one shown is the suggestion built on the fly.
    let held = export.body["data"].to_string();
    assert_eq!(held.matches("grete.hermann@").count(), 1, "{held}");
    assert_eq!(
        export.body["data"]["profile"]["email"]["suggested"],
        "grete.hermann@goettingen.example"
    );
    assert!(export.body["data"]["email_hashes"]
        .as_array()
        .is_some_and(|h| !h.is_empty()));
    assert!(export.body["data"]["processing"]["rights"]
        .as_array()
        .is_some_and(|r| r.len() > 3));
    // The letter says the same.
    let letter = desk
        .post_json_accepting("/v1/privacy/access", "text/plain", &json!({"id": id}))
        .await;
    assert!(
        letter.content_type.starts_with("text/plain"),
        "{}",
        letter.content_type
    );
    assert!(letter.text.contains("Grete Hermann"), "{}", letter.text);
    assert!(letter.text.contains("crm"), "{}", letter.text);
    assert!(letter.text.contains("YOUR RIGHTS"), "{}", letter.text);

    let erased = desk
        .post_json("/v1/privacy/erase", &json!({"id": id}))
        .await;
    assert_eq!(erased.body["outcome"], "erased", "{}", erased.text);
    let notices = crm.get("/v1/privacy/notices").await;
    let erasures: Vec<&Value> = notices.body["notices"]
        .as_array()
        .expect("notices")
        .iter()
        .filter(|n| n["change"] == "erased")
        .collect();
    assert_eq!(erasures.len(), 1, "{}", notices.text);
    assert_eq!(erasures[0]["profile_id"], id.as_str());
    // The desk itself received only the export; the other person's recipients are untouched.
    let desk_notices = desk.get("/v1/privacy/notices").await;
    assert_eq!(
        desk_notices.body["notices"].as_array().map(Vec::len),
        Some(1),
        "{}",
        desk_notices.text
    );
    assert_eq!(daemon.client.get("/v1/privacy/notices").await.status, 401);
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_opened_before_verification_is_listed_as_open_until_carried_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (daemon, crm, desk) = setup(dir.path()).await;
    let opened = desk
        .post_json(
            "/v1/privacy/requests",
            &json!({"kind":"erase","subject":{"email":"emmy.noether@goettingen.example","jurisdiction":"ccpa"}}),
        )
        .await;
    assert_eq!(opened.status, 200, "{}", opened.text);
    assert_eq!(opened.body["outcome"], "open");
    let request_id = opened.body["request_id"].as_str().expect("id").to_owned();
    let open = desk.get("/v1/privacy/requests?status=open").await;
    let listed = open.body["requests"].as_array().expect("requests");
    assert_eq!(listed.len(), 1, "{}", open.text);
    assert_eq!(listed[0]["request_id"], request_id.as_str());
    assert_eq!(listed[0]["kind"], "erase");
    assert_eq!(listed[0]["overdue"], false);
    let received =
        profiled::clock::parse_rfc3339(listed[0]["received"].as_str().expect("received"))
            .expect("time");
    let due =
        profiled::clock::parse_rfc3339(listed[0]["due"].as_str().expect("due")).expect("time");
    assert_eq!(due - received, 45 * 86_400, "CCPA: 45 days");
    assert!(
        !open.text.contains("noether"),
        "requests hold no identifier"
    );
    let metrics = daemon.client.get("/metrics").await.text;
    assert!(
        metrics.contains("profiled_privacy_requests_open 1"),
        "{metrics}"
    );
    // Still findable until carried out.
    assert_eq!(
        crm.lookup(json!({"name":"Emmy Noether","company":"Goettingen Institute"}))
            .await
            .body["status"],
        "match"
    );
    let done = desk
        .post_json(
            "/v1/privacy/erase",
            &json!({"email":"emmy.noether@goettingen.example","request_id": request_id}),
        )
        .await;
    assert_eq!(done.body["outcome"], "erased", "{}", done.text);
    assert_eq!(done.body["request_id"], request_id.as_str());
    assert_eq!(
        desk.get("/v1/privacy/requests").await.body["requests"],
        json!([])
    );
    let all = desk.get("/v1/privacy/requests?status=all").await;
    assert_eq!(all.body["requests"][0]["outcome"], "erased", "{}", all.text);
    let twice = desk
        .post_json(
            "/v1/privacy/erase",
            &json!({"email":"emmy.noether@goettingen.example","request_id": request_id}),
        )
        .await;
    assert_eq!(twice.status, 409, "{}", twice.text);
    let wrong = desk.get("/v1/privacy/requests?status=maybe").await;
    assert_eq!(wrong.status, 400, "{}", wrong.text);
    daemon.stop().await;
}

/// `profiled audit verify` recomputes the chain: an edited entry and a removed one are
/// each named; the untouched log verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_names_an_edited_and_a_removed_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (daemon, crm, _desk) = setup(dir.path()).await;
    for _ in 0..4 {
        id_of(&crm, grete()).await;
    }
    daemon.stop().await;
    let verify = |dir: &std::path::Path| {
        std::process::Command::new(crate::support::daemon_binary())
            .args(["audit", "verify", "--data-dir"])
            .arg(dir)
            .output()
            .expect("run profiled audit verify")
    };
    let clean = verify(dir.path());
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    let report: Value = serde_json::from_slice(&clean.stdout).expect("report");
    assert_eq!(report["entries"], 4, "{report}");
    let log = crate::support::files_under(&dir.path().join("audit"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "log"))
        .expect("a log file");
    let original = std::fs::read_to_string(&log).expect("read log");
    assert!(
        !original.contains("Grete") && !original.contains("Hermann"),
        "no personal datum"
    );
    let lines: Vec<&str> = original.lines().collect();

    let edited = original.replacen("\"recipient\":\"crm\"", "\"recipient\":\"someone\"", 2);
    let second_edited = edited.lines().nth(1).expect("line 2").to_owned();
    std::fs::write(
        &log,
        format!(
            "{}\n{second_edited}\n{}\n{}\n",
            lines[0], lines[2], lines[3]
        ),
    )
    .expect("write");
    let altered = verify(dir.path());
    assert!(!altered.status.success());
    let report: Value = serde_json::from_slice(&altered.stdout).expect("report");
    assert!(
        report["problem"]
            .as_str()
            .expect("problem")
            .contains("entry 2 was altered"),
        "{report}"
    );

    std::fs::write(&log, format!("{}\n{}\n{}\n", lines[0], lines[1], lines[3])).expect("write");
    let removed = verify(dir.path());
    assert!(!removed.status.success());
    let report: Value = serde_json::from_slice(&removed.stdout).expect("report");
    assert!(
        report["problem"]
            .as_str()
            .expect("problem")
            .contains("entry 3 was removed"),
        "{report}"
    );
    assert!(String::from_utf8_lossy(&removed.stderr).contains("entry 3 was removed"));
}
