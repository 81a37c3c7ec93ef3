//! Physical purge and backups: after an erasure and a purge, no file under the data
//! directory holds a byte of the erased person while everyone else is intact; the daemon
//! purges on its own within the window; a snapshot taken while the daemon serves, restored
//! after the person was erased, does not bring them back.

use crate::support::{self, contains, daemon_binary, files_under};
use profiled::clock::{Clock, ManualClock, SystemClock};
use profiled::engine::{Engine, EngineConfig};
use profiled::model::{LookupRequest, LookupStatus, Subject};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

/// The erased person: every string distinctive, so a byte scan finds only them.
const NAME_FIRST: &str = "Quillonora";
const NAME_LAST: &str = "Vexbrandtsen";
const TITLE: &str = "Zyzzogeton Wrangler";
const PERSON_KEY: &str = "https://src-a.example/in/qvx-purge-4471";
const EMAIL: &str = "quillonora.vexbrandtsen@purgeco.example";

fn erased_person(source: &str) -> Value {
    json!({"person_key": PERSON_KEY, "source": source,
        "first_name": NAME_FIRST, "last_name": NAME_LAST, "job_title": TITLE,
        "email": EMAIL, "phone": "+31 20 555 0147",
        "location": {"country": "NL", "city": "Utrecht"},
        "company": {"name": "Purgeco", "domain": "purgeco.example"}})
}

/// Colleagues at the same company (so the company and its pattern stay) and elsewhere.
fn others() -> Vec<Value> {
    (0..40)
        .map(|i| {
            json!({"first_name": format!("Keeper{i}"), "last_name": "Stayhere",
                "job_title": "Analyst", "email": format!("keeper{i}.stayhere@purgeco.example"),
                "company": {"name": "Purgeco", "domain": "purgeco.example"}})
        })
        .collect()
}

/// The byte strings of the erased person a scan looks for: as written, and as the index
/// folds them.
fn needles() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = [NAME_FIRST, NAME_LAST, TITLE, PERSON_KEY, EMAIL]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
    for word in [NAME_FIRST, NAME_LAST, "Zyzzogeton"] {
        out.push(word.to_lowercase().into_bytes());
    }
    out
}

/// The files under `dir` that hold any of the needles, with the needle.
fn holders(dir: &Path) -> Vec<String> {
    let needles = needles();
    let mut found = Vec::new();
    for file in files_under(dir) {
        let Ok(bytes) = std::fs::read(&file) else {
            continue; // removed meanwhile
        };
        for needle in &needles {
            if contains(&bytes, needle) {
                found.push(format!(
                    "{}: {}",
                    file.display(),
                    String::from_utf8_lossy(needle)
                ));
            }
        }
    }
    found
}

fn check_is_clean(dir: &Path) -> profiled::engine::CheckReport {
    let engine = Engine::open(EngineConfig::new(dir), Arc::new(SystemClock)).expect("opens");
    let report = engine.check().expect("check");
    engine.shutdown().expect("shutdown");
    assert_eq!(report.problem_count, 0, "{:?}", report.problems);
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_erase_and_purge_no_file_under_the_data_dir_holds_the_person() {
    let dir = tempfile::tempdir().expect("tempdir");
    let daemon = support::start(dir.path()).await;
    let client = daemon.client.clone();
    let mut lines = others();
    lines.push(erased_person("src-a"));
    let reply = client.ingest(&lines).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let erased = client
        .post_json("/v1/privacy/erase", &json!({"person_key": PERSON_KEY}))
        .await;
    assert_eq!(erased.body["outcome"], "erased", "{}", erased.text);
    // Erasure alone is logical: sled's log keeps the old record (else this test could not
    // fail).
    assert!(
        !holders(dir.path()).is_empty(),
        "the erased record is still in the files before the purge"
    );

    // The daemon keeps answering while the purge runs.
    let purging = {
        let client = client.clone();
        tokio::spawn(async move { client.post_json("/v1/admin/purge", &json!({})).await })
    };
    for i in 0..20 {
        let reply = client
            .lookup(
                json!({"name": format!("Keeper{} Stayhere", i % 40), "company": "purgeco.example"}),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.body["status"], "match", "{}", reply.text);
    }
    let purged = purging.await.expect("purge task");
    assert_eq!(purged.status, 200, "{}", purged.text);
    assert!(
        purged.body["store_entries"].as_u64().unwrap_or(0) > 40,
        "{}",
        purged.text
    );

    let found = holders(dir.path());
    assert!(found.is_empty(), "after the purge: {found:?}");
    // Everyone else is intact, by name, email and search.
    let by_email = client
        .lookup(json!({"email": "keeper7.stayhere@purgeco.example"}))
        .await;
    assert_eq!(by_email.body["status"], "match", "{}", by_email.text);
    let hits = client
        .post_json("/v1/search", &json!({"query": "Stayhere", "limit": 100}))
        .await;
    assert_eq!(hits.body["total"], 40, "{}", hits.text);
    let gone = client
        .lookup(json!({"name": format!("{NAME_FIRST} {NAME_LAST}"), "company": "purgeco.example"}))
        .await;
    assert_eq!(gone.body["status"], "none", "{}", gone.text);
    // And the person stays suppressed after the store was rewritten.
    let again = client.ingest(&[erased_person("src-b")]).await;
    assert_eq!(again.body["suppressed"], 1, "{}", again.text);
    daemon.stop().await;

    let report = check_is_clean(dir.path());
    assert_eq!(report.profiles, 40);
    assert!(holders(dir.path()).is_empty());
}

#[test]
fn the_daemon_purges_on_its_own_once_an_erasure_waited_half_the_window() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::new(1_780_000_000));
    let mut config = EngineConfig::new(dir.path());
    config.indexer.commit_interval = Duration::from_millis(5);
    config.purge_window_secs = 24 * 3600;
    let engine = Engine::open(config, clock.clone()).expect("engine");
    let mut lines = others();
    lines.push(erased_person("src-a"));
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let (_, seq) = engine.ingest_ndjson(body.as_bytes(), 1).expect("ingest");
    engine
        .wait_searchable_blocking(seq, Duration::from_secs(30))
        .expect("searchable");
    assert!(
        engine.purge_if_due().expect("check").is_none(),
        "nothing deleted yet"
    );
    let subject = Subject {
        person_key: Some(PERSON_KEY.into()),
        ..Subject::default()
    };
    engine.erase(&subject, "desk").expect("erase");
    let erased_at = clock.now();
    assert_eq!(engine.unpurged_since().expect("mark"), Some(erased_at));
    clock.advance(11 * 3600);
    assert!(
        engine.purge_if_due().expect("check").is_none(),
        "not due yet"
    );
    assert!(!holders(dir.path()).is_empty(), "still in the files");
    clock.advance(3600);
    let report = engine
        .purge_if_due()
        .expect("purge")
        .expect("due after half the window");
    assert_eq!(
        report.unpurged_since.as_deref(),
        Some(profiled::clock::format_rfc3339(erased_at).as_str())
    );
    assert_eq!(engine.unpurged_since().expect("mark"), None);
    let found = holders(dir.path());
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(
        engine
            .lookup(
                &LookupRequest {
                    name: Some("Keeper3 Stayhere".into()),
                    company: Some("purgeco.example".into()),
                    ..LookupRequest::default()
                },
                &Arc::from("test")
            )
            .expect("lookup")
            .status,
        LookupStatus::Match
    );
    engine.shutdown().expect("shutdown");
}

/// Runs the `profiled` binary and returns (success, stdout, stderr).
fn profiled(args: &[&std::ffi::OsStr]) -> (bool, String, String) {
    let out = Command::new(daemon_binary())
        .args(args)
        .env_remove("PROFILED_EMAIL_KEY")
        .env_remove("PROFILED_CONFIG")
        .env_remove("PROFILED_API_KEYS")
        .env_remove("PROFILED_API_KEY")
        .env_remove("PROFILED_URL")
        .output()
        .expect("run profiled");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_never_resurrects_a_person_erased_after_the_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let snap = dir.path().join("before-erasure.snap");
    let key = "backup-admin-key-0123456789";
    let mut args = support::args(&data);
    args.api_keys = Some(format!("ops:{key}:admin+ingest+lookup+privacy"));
    let daemon = support::start_with(args.clone()).await;
    let client = daemon.client.with_key(key);
    let mut lines = others();
    lines.push(erased_person("src-a"));
    let reply = client.ingest(&lines).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let id = client.lookup(json!({"email": EMAIL})).await.body["profile"]["id"]
        .as_str()
        .expect("the person's id")
        .to_owned();

    // The snapshot is taken by the running daemon (it holds the store's lock), which keeps
    // serving; a key without `admin` is refused.
    let url = format!("http://{}", daemon.daemon.addr());
    let snapshot_args = |key: &str| {
        let data = data.clone();
        let snap = snap.clone();
        let url = url.clone();
        let key = key.to_owned();
        move || {
            profiled(&[
                "snapshot".as_ref(),
                "--data-dir".as_ref(),
                data.as_os_str(),
                "--out".as_ref(),
                snap.as_os_str(),
                "--url".as_ref(),
                url.as_ref(),
                "--api-key".as_ref(),
                key.as_ref(),
            ])
        }
    };
    let (ok, _, stderr) = tokio::task::spawn_blocking(snapshot_args("not-the-key-0123456789"))
        .await
        .expect("cli");
    assert!(!ok && stderr.contains("401"), "{stderr}");
    assert!(!snap.exists(), "a refused snapshot leaves no file");
    let (ok, stdout, stderr) = tokio::task::spawn_blocking(snapshot_args(key))
        .await
        .expect("cli");
    assert!(ok, "{stderr}");
    assert!(stdout.contains("41 profiles"), "{stdout}");
    let bytes = std::fs::read(&snap).expect("the snapshot");
    assert!(
        contains(&bytes, NAME_LAST.as_bytes()),
        "the snapshot holds the person"
    );
    assert!(
        !contains(&bytes, EMAIL.as_bytes()) && !contains(&bytes, b"keeper7.stayhere@"),
        "a snapshot holds no email address, only keyed hashes"
    );

    // After the snapshot: the person is erased, and the store purged.
    let erased = client
        .post_json("/v1/privacy/erase", &json!({"person_key": PERSON_KEY}))
        .await;
    assert_eq!(erased.body["outcome"], "erased", "{}", erased.text);
    assert_eq!(
        client.post_json("/v1/admin/purge", &json!({})).await.status,
        200
    );
    daemon.stop().await;

    // A restore into a directory without the snapshot's email hash key is refused.
    let elsewhere = dir.path().join("elsewhere");
    let (ok, _, stderr) = profiled(&[
        "restore".as_ref(),
        "--data-dir".as_ref(),
        elsewhere.as_os_str(),
        snap.as_os_str(),
    ]);
    assert!(!ok && stderr.contains("email-hash.key"), "{stderr}");

    let (ok, stdout, stderr) = profiled(&[
        "restore".as_ref(),
        "--data-dir".as_ref(),
        data.as_os_str(),
        snap.as_os_str(),
    ]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("1 restored profiles erased again"),
        "{stdout}"
    );
    // Not even the restored store's files keep a byte of the person.
    let found = holders(&data);
    assert!(found.is_empty(), "{found:?}");
    let (ok, stdout, stderr) =
        profiled(&["check".as_ref(), "--data-dir".as_ref(), data.as_os_str()]);
    assert!(ok, "{stdout}{stderr}");

    let daemon = support::start_with(args).await;
    let client = daemon.client.with_key(key);
    let gone = client.get(&format!("/v1/profiles/{id}")).await;
    assert_eq!(gone.status, 404, "{}", gone.text);
    let by_email = client.lookup(json!({"email": EMAIL})).await;
    assert_eq!(by_email.body["status"], "none", "{}", by_email.text);
    let kept = client
        .lookup(json!({"email": "keeper7.stayhere@purgeco.example"}))
        .await;
    assert_eq!(kept.body["status"], "match", "{}", kept.text);
    // The suppression survived the restore: a new source cannot bring the person back.
    let again = client.ingest(&[erased_person("src-b")]).await;
    assert_eq!(again.body["suppressed"], 1, "{}", again.text);
    daemon.stop().await;
}

/// A restore into a directory that lost its store (a new machine with only the key) is
/// given the suppressions kept outside the backups as a file.
#[test]
fn a_suppression_file_keeps_an_erased_person_out_of_a_restore_into_an_empty_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let snap = dir.path().join("snap");
    let config = {
        let mut config = EngineConfig::new(&data);
        config.indexer.commit_interval = Duration::from_millis(5);
        config
    };
    let engine = Engine::open(config.clone(), Arc::new(SystemClock)).expect("engine");
    let mut lines = others();
    lines.push(erased_person("src-a"));
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    engine.ingest_ndjson(body.as_bytes(), 1).expect("ingest");
    engine.snapshot(&snap).expect("snapshot");
    assert!(
        engine.snapshot(&snap).is_err(),
        "a snapshot does not replace a file"
    );
    engine
        .erase(
            &Subject {
                person_key: Some(PERSON_KEY.into()),
                ..Subject::default()
            },
            "desk",
        )
        .expect("erase");
    engine.shutdown().expect("shutdown");
    drop(engine);
    let hashes = {
        let store = profiled::store::Store::open_in(&data, 1 << 20).expect("store");
        store.suppression_hashes().expect("hashes")
    };
    assert!(!hashes.is_empty());
    let list = dir.path().join("suppressions.txt");
    let text: String = hashes
        .iter()
        .map(|h| h.iter().map(|b| format!("{b:02x}")).collect::<String>() + "\n")
        .collect();
    std::fs::write(&list, format!("# kept off-site\n{text}")).expect("write");

    // The new machine: only the key file.
    let fresh = dir.path().join("fresh");
    std::fs::create_dir_all(&fresh).expect("dir");
    std::fs::copy(data.join("email-hash.key"), fresh.join("email-hash.key")).expect("key");
    let mut restored_config = config.clone();
    restored_config.data_dir = fresh.clone();
    let report =
        profiled::engine::backup::restore(&restored_config, &snap, Some(&list), SystemClock.now())
            .expect("restore");
    assert_eq!(report.snapshot_profiles, 41);
    assert_eq!(report.profiles_erased, 1);
    assert_eq!(report.profiles, 40);
    assert!(holders(&fresh).is_empty());
    let report = check_is_clean(&fresh);
    assert_eq!(report.profiles, 40);
}
