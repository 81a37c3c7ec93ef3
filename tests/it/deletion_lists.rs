//! California DROP deletion lists and the suppression feed, as a privacy desk runs them:
//! import a list over HTTP (or with the CLI), upload the status file it answers, and see
//! that listed people — held or not — stay out of the store, across re-imports,
//! restarts and sweeps.

use crate::support::{args, start_with, Client, TestDaemon};
use base64::Engine as _;
use profiled::engine::{drop_email_digest, drop_phone_digest};
use serde_json::{json, Value};
use std::path::Path;

const DESK_KEY: &str = "privacy-key-0123456789";
const CRM_KEY: &str = "ingest-key-0123456789ab";

async fn start(dir: &Path) -> TestDaemon {
    start_with(profiled::config::ServeArgs {
        api_keys: Some(format!(
            "desk:{DESK_KEY}:privacy,crm:{CRM_KEY}:ingest+lookup"
        )),
        ..args(dir)
    })
    .await
}

fn b64(digest: [u8; 32]) -> String {
    base64::engine::general_purpose::STANDARD.encode(digest)
}

/// A DROP email list line: the work item id and the hash of the address as DROP
/// standardises it.
fn email_item(id: &str, address: &str) -> String {
    format!("{id},{}\n", b64(drop_email_digest(address)))
}

fn phone_item(id: &str, phone: &str) -> String {
    format!(
        "{id},{}\n",
        b64(drop_phone_digest(phone).expect("a number"))
    )
}

async fn import(desk: &Client, list_type: &str, list: &str) -> crate::support::Reply {
    desk.post_raw(
        &format!("/v1/privacy/deletion-lists?type={list_type}"),
        "text/csv",
        list.as_bytes().to_vec(),
    )
    .await
}

/// Every entry of the suppression feed, walking it `page` entries at a time.
async fn feed(desk: &Client, page: usize) -> (Vec<Value>, String) {
    let mut entries = Vec::new();
    let mut cursor = String::new();
    loop {
        let since = if cursor.is_empty() {
            String::new()
        } else {
            format!("since={cursor}&")
        };
        let reply = desk
            .get(&format!("/v1/privacy/suppressions?{since}limit={page}"))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let got = reply.body["suppressions"].as_array().expect("list").clone();
        let next = reply.body["next_cursor"]
            .as_str()
            .expect("cursor")
            .to_owned();
        assert!(got.len() <= page);
        if got.is_empty() {
            let kept = if cursor.is_empty() {
                "0"
            } else {
                cursor.as_str()
            };
            assert_eq!(next, kept, "an empty page keeps the cursor");
            return (entries, next);
        }
        entries.extend(got);
        cursor = next;
    }
}

fn ada() -> Value {
    json!({"person_key":"https://src-a.example/in/ada","source":"src-a",
           "first_name":"Ada","last_name":"Lovelace","job_title":"Analyst",
           "email":"ada.lovelace@analytical.example",
           "company":{"name":"Analytical Engines","domain":"analytical.example"}})
}

fn charles() -> Value {
    // No address: the company's pattern ({first}.{last}, learnt from Ada's) derives one.
    json!({"first_name":"Charles","last_name":"Babbage","job_title":"Engineer",
           "company":{"name":"Analytical Engines","domain":"analytical.example"}})
}

fn mary() -> Value {
    json!({"first_name":"Mary","last_name":"Somerville","job_title":"Astronomer",
           "email":"mary.somerville@royal.example",
           "company":{"name":"Royal Society","domain":"royal.example"}})
}

/// Issue 13.9 / 13.11: a list with matched and unmatched hashes gives the right status
/// file; the matched are gone, the unmatched person ingested later is suppressed, and
/// importing the list again answers the same and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_list_erases_the_held_answers_every_item_and_suppresses_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = start(dir.path()).await;
    let crm = daemon.client.with_key(CRM_KEY);
    let desk = daemon.client.with_key(DESK_KEY);
    let bystander = json!({"first_name":"Michael","last_name":"Faraday",
        "email":"michael.faraday@royal-institution.example",
        "company":{"name":"Royal Institution","domain":"royal-institution.example"}});
    // A second Ada Lovelace (another source, no address): the company's pattern derives
    // the listed address for her too. Regression: a re-import used to erase such a
    // namesake once the observed holder was gone (the import matched observed holders
    // first); now every holder goes on the first import, and a re-import erases nobody.
    let namesake = json!({"source":"src-c","first_name":"Ada","last_name":"Lovelace",
        "job_title":"Countess","company":{"name":"Analytical Engines","domain":"analytical.example"}});
    let stored = crm.ingest(&[ada(), charles(), bystander, namesake]).await;
    assert_eq!(stored.body["created"], 4, "{}", stored.text);

    // DROP standardises before hashing: the consumer typed the address in another case.
    let list = format!(
        "ID,Hash\n{}{}{}",
        email_item("A7kP2xQ9Lm4R", "  Ada.Lovelace@Analytical.Example "),
        email_item("B8mQ3yR0Nn5S", "mary.somerville@royal.example"),
        email_item("C9nR4zS1Oo6T", "charles.babbage@analytical.example"),
    );
    let refused = import(&crm, "email", &list).await;
    assert_eq!(refused.status, 403, "the privacy scope is needed");
    let reply = import(&desk, "email", &list).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(
        reply.content_type.starts_with("text/csv"),
        "{}",
        reply.content_type
    );
    assert_eq!(
        reply.text,
        "Id,Status\nA7kP2xQ9Lm4R,3\nB8mQ3yR0Nn5S,5\nC9nR4zS1Oo6T,3\n"
    );
    for (name, company) in [
        ("Ada Lovelace", "analytical.example"),
        ("Charles Babbage", "analytical.example"),
    ] {
        let found = crm.lookup(json!({"name":name,"company":company})).await;
        assert_eq!(found.body["status"], "none", "{name}: {}", found.text);
    }
    let bystander = crm
        .lookup(json!({"name":"Michael Faraday","company":"royal-institution.example"}))
        .await;
    assert_eq!(bystander.body["status"], "match", "nobody else is touched");
    let (entries, cursor) = feed(&desk, 1000).await;

    // Collected later, from any source: the unmatched person and the erased ones.
    let ada_elsewhere = json!({"source":"src-b","first_name":"A.","last_name":"Lovelace",
        "email":"ADA.LOVELACE@analytical.example","company":{"name":"AE Ltd"}});
    let later = crm.ingest(&[mary(), ada(), ada_elsewhere]).await;
    assert_eq!(later.status, 200, "{}", later.text);
    assert_eq!(
        (&later.body["created"], &later.body["suppressed"]),
        (&json!(0), &json!(3)),
        "{}",
        later.text
    );

    let again = import(&desk, "email", &list).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.text, reply.text, "a re-import answers the same");
    let (entries_again, cursor_again) = feed(&desk, 1000).await;
    assert_eq!(
        (entries_again, cursor_again),
        (entries.clone(), cursor),
        "and adds no suppression"
    );
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert!(
        kinds.contains(&"erasure") && kinds.contains(&"deletion_list"),
        "{kinds:?}"
    );
    daemon.stop().await;
}

/// A phone list: DROP's standardisation (digits, the last ten) meets the profile's
/// number however it was written; the unmatched number blocks its holder later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_list_erases_the_holder_of_a_listed_number_and_blocks_the_unmatched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = start(dir.path()).await;
    let crm = daemon.client.with_key(CRM_KEY);
    let desk = daemon.client.with_key(DESK_KEY);
    let grace = json!({"first_name":"Grace","last_name":"Hopper","phone":"+1 (415) 555-9317",
        "company":{"name":"Navy Labs","domain":"navylabs.example"}});
    let alan = json!({"first_name":"Alan","last_name":"Turing","phone":"+44 161 555 0199",
        "company":{"name":"Manchester Computing","domain":"mancomp.example"}});
    assert_eq!(crm.ingest(&[grace, alan]).await.body["created"], 2);
    // The CPPA's phone test vector, and a number nobody here holds.
    let list = format!(
        "ID,Hash\nP1aaaaaaaaaa,vGM7y5n+hBXRSEAklhHDPCbysyNgYTmXdMcagGUOY8E=\n{}",
        phone_item("P2bbbbbbbbbb", "+84 (90) 123 4567")
    );
    let reply = import(&desk, "phone", &list).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.text, "Id,Status\nP1aaaaaaaaaa,3\nP2bbbbbbbbbb,5\n");
    let grace_found = crm
        .lookup(json!({"name":"Grace Hopper","company":"navylabs.example"}))
        .await;
    assert_eq!(grace_found.body["status"], "none", "{}", grace_found.text);
    let alan_found = crm
        .lookup(json!({"name":"Alan Turing","company":"mancomp.example"}))
        .await;
    assert_eq!(alan_found.body["status"], "match", "{}", alan_found.text);
    let later = crm
        .ingest(&[
            json!({"source":"other","first_name":"Grace","last_name":"Hopper","phone":"14155559317",
                   "company":{"name":"Remington Rand"}}),
            json!({"first_name":"Nguyen","last_name":"Van A","phone":"0084 90 1234567",
                   "company":{"name":"Hanoi Works"}}),
        ])
        .await;
    assert_eq!(later.body["suppressed"], 2, "{}", later.text);
    assert_eq!(later.body["created"], 0, "{}", later.text);
    let again = import(&desk, "phone", &list).await;
    assert_eq!(again.text, reply.text);
    daemon.stop().await;
}

/// A malformed list is refused with the line that is wrong, before anything changes:
/// nobody erased, nothing suppressed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_list_is_refused_naming_the_line_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = start(dir.path()).await;
    let crm = daemon.client.with_key(CRM_KEY);
    let desk = daemon.client.with_key(DESK_KEY);
    crm.ingest(&[ada()]).await;
    let good = email_item("A7kP2xQ9Lm4R", "ada.lovelace@analytical.example");
    let cases = [
        (good.clone(), "line 1"),
        (
            format!("ID,Hash\n{good}B8mQ3yR0Nn5S,not-a-hash\n"),
            "line 3",
        ),
        (format!("ID,Hash\n{good}{good}C9nR4zS1Oo6T\n"), "line 4"),
        (format!("ID,Hash\n{good}a-b,{}\n", b64([0; 32])), "line 3"),
        (
            format!("ID,Hash,ListType\nA7kP2xQ9Lm4R,{},Email\n", b64([0; 32])),
            "Removed",
        ),
        (String::new(), "line 1"),
    ];
    for (list, names) in cases {
        let reply = import(&desk, "email", &list).await;
        assert_eq!(reply.status, 400, "{list:?}: {}", reply.text);
        assert_eq!(reply.content_type, "application/problem+json");
        let detail = reply.body["detail"].as_str().expect("detail");
        assert!(detail.contains(names), "{list:?}: {detail}");
        assert!(!detail.contains("A7kP2xQ9Lm4R"), "no value is echoed");
    }
    for query in ["", "?type=maid", "?type=email&x=1"] {
        let reply = desk
            .post_raw(
                &format!("/v1/privacy/deletion-lists{query}"),
                "text/csv",
                format!("ID,Hash\n{good}").into_bytes(),
            )
            .await;
        assert_eq!(reply.status, 400, "{query}: {}", reply.text);
    }
    let (entries, _) = feed(&desk, 10).await;
    assert!(entries.is_empty(), "nothing suppressed: {entries:?}");
    let found = crm
        .lookup(json!({"name":"Ada Lovelace","company":"analytical.example"}))
        .await;
    assert_eq!(found.body["status"], "match", "nobody erased");
    daemon.stop().await;
}

/// Issue 13.10: the feed lists every suppression once, hashes only, page by page with its
/// cursor; it survives a restart, and the suppressed stay suppressed after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suppression_feed_pages_by_cursor_and_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = start(dir.path()).await;
    let crm = daemon.client.with_key(CRM_KEY);
    let desk = daemon.client.with_key(DESK_KEY);
    crm.ingest(&[ada()]).await;
    let erased = desk
        .post_json(
            "/v1/privacy/erase",
            &json!({"person_key":"https://src-a.example/in/ada"}),
        )
        .await;
    assert_eq!(erased.body["outcome"], "erased", "{}", erased.text);
    let list = format!(
        "ID,Hash\n{}{}",
        email_item("B8mQ3yR0Nn5S", "mary.somerville@royal.example"),
        email_item("D0oS5aT2Pp7U", "someone@elsewhere.example"),
    );
    assert_eq!(import(&desk, "email", &list).await.status, 200);
    let (all, last) = feed(&desk, 1000).await;
    let (paged, last_paged) = feed(&desk, 2).await;
    assert_eq!(
        (&paged, &last_paged),
        (&all, &last),
        "pages add up to the whole feed"
    );
    // Ada's profile id, name identity, person key and observed and pattern email hashes,
    // and the two listed addresses.
    assert!(all.len() >= 5, "{all:?}");
    let mut hashes: Vec<&str> = all
        .iter()
        .map(|e| e["hash"].as_str().expect("hash"))
        .collect();
    for entry in &all {
        let hash = entry["hash"].as_str().expect("hash");
        assert!(
            hash.len() == 32 && hash.chars().all(|c| c.is_ascii_hexdigit()),
            "{hash}"
        );
        assert!(entry["suppressed_at"]
            .as_str()
            .expect("time")
            .ends_with('Z'));
    }
    let text = serde_json::to_string(&all).expect("json");
    assert!(
        !text.contains("lovelace") && !text.contains("somerville"),
        "hashes only"
    );
    let listed = b64(drop_email_digest("mary.somerville@royal.example"));
    assert!(!text.contains(&listed), "no unkeyed digest either");
    hashes.sort_unstable();
    hashes.dedup();
    assert_eq!(hashes.len(), all.len(), "each suppression once");
    let tail = desk
        .get(&format!("/v1/privacy/suppressions?since={last}"))
        .await;
    assert_eq!(tail.body["suppressions"], json!([]));
    for bad in [
        "?since=abc",
        "?since=",
        "?since=+1",
        "?limit=0",
        "?limit=+5",
        "?limit=10001",
        "?cursor=1",
    ] {
        let reply = desk.get(&format!("/v1/privacy/suppressions{bad}")).await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.text);
    }
    let refused = crm.get("/v1/privacy/suppressions").await;
    assert_eq!(refused.status, 403);
    daemon.stop().await;

    let daemon = start(dir.path()).await;
    let crm = daemon.client.with_key(CRM_KEY);
    let desk = daemon.client.with_key(DESK_KEY);
    let (after_restart, last_after) = feed(&desk, 1000).await;
    assert_eq!((after_restart, last_after), (all, last.clone()));
    let later = crm.ingest(&[ada(), mary()]).await;
    assert_eq!(later.body["suppressed"], 2, "{}", later.text);
    assert_eq!(
        import(&desk, "email", &list).await.text,
        "Id,Status\nB8mQ3yR0Nn5S,5\nD0oS5aT2Pp7U,5\n"
    );
    daemon.stop().await;
}

/// Suppressions never expire: a sweep years later, which deletes every profile no source
/// has shown, leaves every suppression and the feed as they were.
#[test]
fn the_sweeper_never_touches_suppressions() {
    use profiled::clock::{Clock, ManualClock, SystemClock};
    use profiled::engine::{DeletionListType, Engine, EngineConfig};
    use std::sync::Arc;
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    let engine = Engine::open(EngineConfig::new(dir.path()), clock.clone()).expect("engine");
    let lines: String = [ada(), mary()].iter().map(|l| format!("{l}\n")).collect();
    engine.ingest_ndjson(lines.as_bytes(), 1).expect("ingest");
    let list = format!(
        "ID,Hash\n{}",
        email_item("A7kP2xQ9Lm4R", "ada.lovelace@analytical.example")
    );
    let mut status = Vec::new();
    let (report, _) = engine
        .import_deletion_list(
            DeletionListType::Email,
            list.as_bytes(),
            &mut status,
            "test",
        )
        .expect("import");
    assert_eq!((report.deleted, report.erased_profiles), (1, 1));
    let before = engine.suppressions(None, None).expect("feed");
    assert!(!before.suppressions.is_empty());
    clock.advance(10 * 365 * 86_400);
    let swept = engine.sweep(None).expect("sweep");
    assert_eq!(swept.expired_profiles, 1, "Mary expired");
    assert_eq!(engine.suppressions(None, None).expect("feed"), before);
    let mut again = Vec::new();
    engine
        .import_deletion_list(DeletionListType::Email, list.as_bytes(), &mut again, "test")
        .expect("import");
    assert_eq!(again, status, "still answered as deleted");
    engine.shutdown().expect("shutdown");
}

/// `profiled privacy import-deletion-list` as an operator runs it on a data directory:
/// the list from a file, the status file to `--out`, a summary on standard error.
#[test]
fn the_cli_imports_a_list_and_writes_the_status_file() {
    use std::process::Command;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let people = dir.path().join("people.ndjson");
    std::fs::write(&people, format!("{}\n", ada())).expect("write");
    let list = dir.path().join("20260312_4821_Email.csv");
    std::fs::write(
        &list,
        format!(
            "ID,Hash\r\n{}{}",
            email_item("A7kP2xQ9Lm4R", "ada.lovelace@analytical.example").replace('\n', "\r\n"),
            email_item("B8mQ3yR0Nn5S", "mary.somerville@royal.example").replace('\n', "\r\n")
        ),
    )
    .expect("write");
    let status = dir.path().join("status.csv");
    let run = |args: &[&std::ffi::OsStr]| {
        let out = Command::new(env!("CARGO_BIN_EXE_profiled"))
            .args(args)
            .env_remove("PROFILED_EMAIL_KEY")
            .env_remove("PROFILED_CONFIG")
            .output()
            .expect("run");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, _, err) = run(&[
        "ingest".as_ref(),
        "--data-dir".as_ref(),
        data.as_os_str(),
        people.as_os_str(),
    ]);
    assert!(ok, "{err}");
    let import = [
        "privacy".as_ref(),
        "import-deletion-list".as_ref(),
        "--type".as_ref(),
        "email".as_ref(),
        "--data-dir".as_ref(),
        data.as_os_str(),
        "--out".as_ref(),
        status.as_os_str(),
        list.as_os_str(),
    ];
    let (ok, _, err) = run(&import);
    assert!(ok, "{err}");
    assert!(
        err.contains("1 deleted") && err.contains("1 not found"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&status).expect("status file"),
        "Id,Status\nA7kP2xQ9Lm4R,3\nB8mQ3yR0Nn5S,5\n"
    );
    std::fs::write(&list, "ID,Hash\nA7kP2xQ9Lm4R,short\n").expect("write");
    std::fs::remove_file(&status).expect("remove");
    let (ok, _, err) = run(&import);
    assert!(!ok && err.contains("line 2"), "{err}");
    assert!(!status.exists(), "no status file for a refused list");
}
