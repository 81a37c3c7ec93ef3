//! Data-subject rights on the engine: erasure that stays erased — against re-collection
//! from another source, sightings and restarts — and identification that refuses to
//! guess between several people.

use profiled::clock::SystemClock;
use profiled::engine::{Engine, EngineConfig, SightingsRequest};
use profiled::model::{EmailInput, LookupRequest, LookupStatus, PrivacyOutcome, Subject};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

fn open(dir: &std::path::Path) -> Engine {
    let mut config = EngineConfig::new(dir);
    config.indexer.commit_interval = Duration::from_millis(5);
    Engine::open(config, Arc::new(SystemClock)).expect("engine")
}

fn ingest(engine: &Engine, lines: &[Value]) -> profiled::model::IngestReport {
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let (report, seq) = engine.ingest_ndjson(body.as_bytes(), 1).expect("ingest");
    engine
        .wait_searchable_blocking(seq, Duration::from_secs(30))
        .expect("searchable");
    report
}

fn email_subject(address: &str) -> Subject {
    Subject {
        email: Some(EmailInput(address.into())),
        ..Subject::default()
    }
}

fn lookup(engine: &Engine, name: &str, company: &str) -> LookupStatus {
    engine
        .lookup(
            &LookupRequest {
                name: Some(name.into()),
                company: Some(company.into()),
                ..LookupRequest::default()
            },
            &"test".into(),
        )
        .expect("lookup")
        .status
}

#[test]
fn an_erased_person_stays_erased_across_sources_sightings_and_restarts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = open(dir.path());
    let person = json!({"person_key":"https://src-a.example/in/rosalind","source":"src-a",
        "first_name":"Rosalind","last_name":"Franklin","job_title":"Chemist",
        "email":"rosalind.franklin@kings.example","phone":"+44 20 7946 0123",
        "company":{"name":"King's College","domain":"kings.example"}});
    let colleague = json!({"first_name":"Maurice","last_name":"Wilkins","email":"maurice.wilkins@kings.example",
        "company":{"name":"King's College","domain":"kings.example"}});
    assert_eq!(ingest(&engine, &[person.clone(), colleague]).created, 2);
    let id = engine
        .lookup(
            &LookupRequest {
                email: Some(EmailInput("rosalind.franklin@kings.example".into())),
                ..LookupRequest::default()
            },
            &"test".into(),
        )
        .expect("lookup")
        .profile
        .expect("found")
        .id;

    let receipt = engine
        .erase(&email_subject("Rosalind.Franklin@kings.example "), "desk")
        .expect("erase")
        .0;
    assert_eq!(receipt.outcome, PrivacyOutcome::Erased);
    assert_eq!(receipt.request_id.len(), 16);
    assert!(
        engine.profile(&id, &"test".into(), true).is_err(),
        "the profile is gone"
    );
    assert_eq!(
        lookup(&engine, "Rosalind Franklin", "kings.example"),
        LookupStatus::None
    );
    assert_eq!(
        lookup(&engine, "Maurice Wilkins", "kings.example"),
        LookupStatus::Match,
        "nobody else is touched"
    );

    // Re-collection: the same source, another source without the key, the email alone.
    let again = [
        person.clone(),
        json!({"source":"src-b","first_name":"Rosalind","last_name":"Franklin",
               "company":{"name":"King's College London","domain":"kings.example"}}),
        json!({"source":"src-c","first_name":"R.","last_name":"Franklin-Other","email":"rosalind.franklin@kings.example",
               "company":{"name":"Elsewhere","domain":"elsewhere.example"}}),
        json!({"source":"src-d","person_key":"https://src-a.example/in/rosalind","first_name":"Rosa","last_name":"F",
               "location":{"country":"GB","city":"London"}}),
    ];
    let report = ingest(&engine, &again);
    assert_eq!(
        (report.created, report.updated, report.suppressed),
        (0, 0, 4),
        "{report:?}"
    );
    assert_eq!(
        lookup(&engine, "Rosalind Franklin", "kings.example"),
        LookupStatus::None
    );

    // A sighting finds nothing to revive.
    let (sightings, _) = engine
        .record_sightings(
            &SightingsRequest {
                source: "src-a".into(),
                ids: vec![id.clone()],
                ..SightingsRequest::default()
            },
            10,
        )
        .expect("sightings");
    assert_eq!(sightings.refreshed, 0);
    assert!(engine.profile(&id, &"test".into(), true).is_err());

    engine.shutdown().expect("shutdown");
    drop(engine);
    let engine = open(dir.path());
    assert!(
        engine.profile(&id, &"test".into(), true).is_err(),
        "still gone after a restart"
    );
    assert_eq!(ingest(&engine, &[person]).suppressed, 1, "still suppressed");
    let report = engine.check().expect("check");
    assert_eq!(report.problem_count, 0, "{:?}", report.problems);
    // The same erasure again finds nobody and changes nothing.
    let receipt = engine
        .erase(&email_subject("rosalind.franklin@kings.example"), "desk")
        .expect("erase")
        .0;
    assert_eq!(receipt.outcome, PrivacyOutcome::NotFound);
}

#[test]
fn an_identification_that_fits_several_people_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = open(dir.path());
    // Two people share a (derived) address: neither observed it.
    let lines = [
        json!({"first_name":"Ann","last_name":"Lee","email":"ann.lee@twins.example",
               "company":{"name":"Twins","domain":"twins.example"}, "location":{"city":"Leeds"}}),
        json!({"person_key":"other-ann","first_name":"Ann","last_name":"Lee",
               "company":{"name":"Twins","domain":"twins.example"}, "location":{"city":"York"}}),
    ];
    assert_eq!(ingest(&engine, &lines).created, 2);
    let receipt = engine
        .erase(
            &Subject {
                name: Some("Ann Lee".into()),
                company: Some("twins.example".into()),
                ..Subject::default()
            },
            "desk",
        )
        .expect("erase")
        .0;
    assert_eq!(receipt.outcome, PrivacyOutcome::Ambiguous, "{receipt:?}");
    assert_eq!(receipt.candidates.len(), 2, "{receipt:?}");
    assert_eq!(
        engine.counts().expect("counts").profiles,
        2,
        "nothing erased"
    );
    // The desk chooses by id.
    let chosen = receipt.candidates[1].id.clone();
    let receipt = engine
        .erase(
            &Subject {
                id: Some(chosen.clone()),
                ..Subject::default()
            },
            "desk",
        )
        .expect("erase")
        .0;
    assert_eq!(receipt.outcome, PrivacyOutcome::Erased);
    assert!(engine.profile(&chosen, &"test".into(), true).is_err());
    assert_eq!(engine.counts().expect("counts").profiles, 1);
    // Two ways to name a subject at once is a client error.
    let err = engine
        .erase(
            &Subject {
                id: Some(chosen),
                person_key: Some("other-ann".into()),
                ..Subject::default()
            },
            "desk",
        )
        .expect_err("two identifiers");
    assert_eq!(err.status(), 400);
}

/// `profiled privacy erase` as an operator runs it: the subject on standard input, the
/// receipt on standard output, and a later `profiled ingest` of the person suppressed.
#[test]
fn the_cli_erases_a_subject_read_from_standard_input() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let input = dir.path().join("people.ndjson");
    let line = json!({"first_name":"Lise","last_name":"Meitner","email":"lise@kwi.example",
                      "company":{"name":"KWI","domain":"kwi.example"}});
    std::fs::write(&input, format!("{line}\n")).expect("write");
    let profiled = |args: &[&std::ffi::OsStr], stdin: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_profiled"))
            .args(args)
            .env_remove("PROFILED_EMAIL_KEY")
            .env_remove("PROFILED_CONFIG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        let out = child.wait_with_output().expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let ingest = [
        "ingest".as_ref(),
        "--data-dir".as_ref(),
        data.as_os_str(),
        input.as_os_str(),
    ];
    assert!(profiled(&ingest, "").contains("1 created"));
    let receipt = profiled(
        &[
            "privacy".as_ref(),
            "erase".as_ref(),
            "--data-dir".as_ref(),
            data.as_os_str(),
            "-".as_ref(),
        ],
        r#"{"email":"lise@kwi.example","jurisdiction":"ccpa"}"#,
    );
    let receipt: Value = serde_json::from_str(&receipt).expect("receipt JSON");
    assert_eq!(receipt["outcome"], "erased", "{receipt}");
    assert!(profiled(&ingest, "").contains("1 suppressed"));
}

/// `POST /v1/privacy/erase` over HTTP: only a `privacy` key may erase, the receipt names
/// the outcome, and the person's next ingest is answered as suppressed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasure_over_http_needs_the_privacy_scope_and_suppresses_re_ingest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = crate::support::start_with(profiled::config::ServeArgs {
        api_keys: Some(
            "desk:privacy-key-0123456789:privacy,crm:ingest-key-0123456789ab:ingest+lookup".into(),
        ),
        ..crate::support::args(dir.path())
    })
    .await;
    let crm = daemon.client.with_key("ingest-key-0123456789ab");
    let desk = daemon.client.with_key("privacy-key-0123456789");
    let person = json!({"first_name":"Chien-Shiung","last_name":"Wu","email":"cs.wu@columbia.example",
                        "company":{"name":"Columbia","domain":"columbia.example"}});
    assert_eq!(
        crm.ingest(std::slice::from_ref(&person)).await.body["created"],
        1
    );
    let subject = json!({"email":"cs.wu@columbia.example","jurisdiction":"ccpa"});
    let refused = crm.post_json("/v1/privacy/erase", &subject).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let receipt = desk.post_json("/v1/privacy/erase", &subject).await;
    assert_eq!(receipt.status, 200, "{}", receipt.text);
    assert_eq!(receipt.body["outcome"], "erased");
    assert!(
        !receipt.text.contains("cs.wu"),
        "the receipt echoes no identifier"
    );
    let lookup = crm
        .lookup(json!({"name":"Chien-Shiung Wu","company":"columbia.example"}))
        .await;
    assert_eq!(lookup.body["status"], "none", "{}", lookup.text);
    let again = crm.ingest(&[person]).await;
    assert_eq!(again.body["suppressed"], 1, "{}", again.text);
    let bad = desk.post_json("/v1/privacy/erase", &json!({})).await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    daemon.stop().await;
}
