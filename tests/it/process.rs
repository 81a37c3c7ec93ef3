//! The daemon binary as a separate process: what survives `kill -9`, and what never
//! reaches the disk or the log.

use crate::support::{contains, files_under, ChildDaemon};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_right_after_an_acknowledged_ingest_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let log = dir.path().join("daemon.log");
    let daemon = ChildDaemon::spawn(&data, &log, &[]);
    let line = json!({"first_name":"Katherine","last_name":"Johnson","job_title":"Mathematician",
                      "location":{"country":"US","city":"Hampton"},
                      "company":{"name":"Langley Research Center","domain":"langley.example"}});
    // No wait_for: acknowledged means durable, not yet searchable.
    let reply = daemon
        .client()
        .post_raw(
            "/v1/ingest",
            "application/x-ndjson",
            format!("{line}\n").into_bytes(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["created"], 1);
    daemon.kill_9();

    let daemon = ChildDaemon::spawn(&data, &log, &[]);
    let reply = daemon
        .client()
        .lookup(json!({"name":"Katherine Johnson","company":"langley.example"}))
        .await;
    assert_eq!(reply.body["status"], "match", "{}", reply.text);
    let id = reply.body["profile"]["id"].as_str().expect("id").to_owned();
    let reply = daemon.client().get(&format!("/v1/profiles/{id}")).await;
    assert_eq!(reply.body["job_title"], "Mathematician");
    daemon.terminate();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_never_reach_a_file_or_a_log_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let log = dir.path().join("daemon.log");
    let addresses = [
        "ottoline.vandermeer@zeitgeist-holding.nl",
        "b.kowalczyk@przemysl-tech.pl",
        "oddbjorn@fjordkraft.no",
    ];
    let lines: String = [
        json!({"first_name":"Ottoline","last_name":"van der Meer","email":addresses[0],
               "company":{"name":"Zeitgeist Holding B.V.","domain":"zeitgeist-holding.nl"}}),
        json!({"first_name":"Bożena","last_name":"Kowalczyk","email":addresses[1],
               "company":{"name":"Przemysł Tech Sp. z o.o.","domain":"przemysl-tech.pl"}}),
        json!({"first_name":"Oddbjørn","last_name":"Haugen","email":addresses[2],
               "company":{"name":"Fjordkraft AS","domain":"fjordkraft.no"}}),
        // a rejected line with an email must not leak it either
        json!({"first_name":"","email":"rejected.person@leak.example"}),
    ]
    .iter()
    .map(|l| format!("{l}\n"))
    .collect();
    let env = [("PROFILED_LOG", "debug")];
    let daemon = ChildDaemon::spawn(&data, &log, &env);
    let client = daemon.client();
    let reply = client
        .post_raw(
            "/v1/ingest?refresh=wait_for",
            "application/x-ndjson",
            lines.into_bytes(),
        )
        .await;
    assert_eq!(reply.body["created"], 3, "{}", reply.text);
    for address in addresses {
        let reply = client
            .lookup(json!({"email": address.to_uppercase()}))
            .await;
        assert_eq!(reply.body["status"], "match", "{address}: {}", reply.text);
    }
    client
        .lookup(json!({"email":"unknown.person@leak.example"}))
        .await;
    daemon.terminate();
    // and after a restart (replay, rebuild paths log too)
    let daemon = ChildDaemon::spawn(&data, &log, &env);
    let reply = daemon.client().lookup(json!({"email": addresses[1]})).await;
    assert_eq!(reply.body["status"], "match", "{}", reply.text);
    daemon.terminate();

    let mut needles: Vec<String> = addresses.iter().map(|a| a.to_string()).collect();
    needles.push("rejected.person@leak.example".into());
    needles.push("unknown.person@leak.example".into());
    let files = files_under(dir.path());
    assert!(files.len() > 3, "{files:?}");
    for file in files {
        let bytes = std::fs::read(&file).expect("read");
        for needle in &needles {
            assert!(
                !contains(&bytes, needle.as_bytes())
                    && !contains(&bytes, needle.to_uppercase().as_bytes()),
                "{needle} found in {}",
                file.display()
            );
        }
    }
    let log_text = std::fs::read_to_string(&log).expect("log");
    assert!(
        log_text.contains("serving"),
        "the log was captured: {log_text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_in_the_middle_of_a_sweep_leaves_nothing_behind_after_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let log = dir.path().join("daemon.log");
    let env = [("PROFILED_API_KEYS", "ops:admin-key-0123456789:admin")];
    let daemon = ChildDaemon::spawn(&data, &log, &env);
    let client = daemon.client().with_key("admin-key-0123456789");
    let old = profiled::clock::format_rfc3339(
        profiled::clock::Clock::now(&profiled::clock::SystemClock) - 400 * 86_400,
    );
    let mut body = String::new();
    for i in 0..6_000 {
        let line = json!({"first_name":format!("Gone{i}"),"last_name":"Stale","seen_at":old,
                          "email":format!("gone{i}.stale@expired.example"),
                          "company":{"name":"Expired Ltd","domain":"expired.example"}});
        body.push_str(&format!("{line}\n"));
    }
    body.push_str(
        &json!({"first_name":"Still","last_name":"Here","company":{"name":"Fresh Ltd"}})
            .to_string(),
    );
    let reply = client
        .post_raw(
            "/v1/ingest?refresh=wait_for",
            "application/x-ndjson",
            body.into_bytes(),
        )
        .await;
    assert_eq!(reply.body["created"], 6_001, "{}", reply.text);
    // Start a sweep and kill the daemon while it runs.
    let url = format!("http://{}/v1/admin/sweep", daemon.addr);
    let sweep = tokio::spawn(async move {
        // The daemon dies under this request: its error is expected.
        let _ = reqwest::Client::new()
            .post(url)
            .bearer_auth("admin-key-0123456789")
            .send()
            .await;
    });
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    daemon.kill_9();
    sweep.abort();

    // The restarted daemon sweeps at start and finishes the job.
    let daemon = ChildDaemon::spawn(&data, &log, &env);
    let client = daemon.client().with_key("admin-key-0123456789");
    let mut profiles = String::new();
    for _ in 0..200 {
        let metrics = client.get("/metrics").await.text;
        profiles = metrics
            .lines()
            .find(|l| l.starts_with("profiled_profiles "))
            .unwrap_or_default()
            .to_owned();
        if profiles == "profiled_profiles 1" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(profiles, "profiled_profiles 1");
    daemon.terminate();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_profiled"))
        .args(["check", "--data-dir"])
        .arg(&data)
        .env("PROFILED_LOG", "warn")
        .output()
        .expect("check");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{report}");
    assert!(
        report.contains("checked 1 profiles, 1 companies, 1 index documents: 0 problems"),
        "{report}"
    );
}

/// Runs an offline `profiled` command with `env`, returning its exit status and stderr.
fn offline(args: &[&str], env: &[(&str, &str)]) -> (std::process::ExitStatus, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_profiled"));
    command
        .args(args)
        .env_remove("PROFILED_EMAIL_KEY")
        .env_remove("PROFILED_CONFIG")
        .env_remove("PROFILED_DATA_DIR")
        .stdin(std::process::Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("run profiled");
    (
        output.status,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Regression: the offline commands built their configuration by hand and ignored
/// `PROFILED_EMAIL_KEY` and `--config`, so `profiled ingest` made a second, random key and
/// the daemon started afterwards with the operator's key never found a profile by email.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_ingest_and_the_daemon_hash_emails_with_the_operators_key() {
    let key = "ab".repeat(32);
    let dir = tempfile::tempdir().expect("tempdir");
    let toml = dir.path().join("profiled.toml");
    std::fs::write(&toml, format!("email_key_hex = \"{key}\"\n")).expect("write config");
    let toml = toml.to_str().expect("utf-8 path").to_owned();
    let cases: [(&str, Vec<(&str, &str)>); 3] = [
        ("environment", vec![("PROFILED_EMAIL_KEY", key.as_str())]),
        ("toml", vec![("PROFILED_CONFIG", toml.as_str())]),
        ("key file", vec![]),
    ];
    for (case, env) in cases {
        let data = dir.path().join(format!("data-{}", case.replace(' ', "-")));
        let input = dir.path().join("people.ndjson");
        let line = json!({"first_name":"Grace","last_name":"Hopper","email":"grace.hopper@navy.example",
                          "company":{"name":"US Navy","domain":"navy.example"}});
        std::fs::write(&input, format!("{line}\n")).expect("write input");
        let data_arg = data.to_str().expect("utf-8 path");
        let (status, stderr) = offline(
            &[
                "ingest",
                "--data-dir",
                data_arg,
                input.to_str().expect("path"),
            ],
            &env,
        );
        assert!(status.success(), "{case}: {stderr}");
        assert_eq!(
            data.join("email-hash.key").exists(),
            case == "key file",
            "{case}: a key file exactly when the operator gave no key"
        );
        let daemon = ChildDaemon::spawn(&data, &dir.path().join("daemon.log"), &env);
        let reply = daemon
            .client()
            .lookup(json!({"email":"grace.hopper@navy.example"}))
            .await;
        assert_eq!(reply.body["status"], "match", "{case}: {}", reply.text);
        assert_eq!(reply.body["profile"]["last_name"], "Hopper", "{case}");
        // What the daemon writes, an offline command finds by email.
        let line = json!({"first_name":"Ada","last_name":"Lovelace","email":"ada@engines.example",
                          "company":{"name":"Analytical Engines","domain":"engines.example"}});
        let reply = daemon.client().ingest(&[line]).await;
        assert_eq!(reply.status, 200, "{case}: {}", reply.text);
        daemon.terminate();
        let crm = dir.path().join("crm.csv");
        std::fs::write(&crm, "email\nada@engines.example\n").expect("write csv");
        let out = dir.path().join("crm-out.csv");
        let (status, stderr) = offline(
            &[
                "enrich",
                "--data-dir",
                data_arg,
                "--fields",
                "full_name",
                crm.to_str().expect("path"),
                out.to_str().expect("path"),
            ],
            &env,
        );
        assert!(status.success(), "{case}: {stderr}");
        let enriched = std::fs::read_to_string(&out).expect("output");
        assert!(
            enriched.contains("match") && enriched.contains("Ada Lovelace"),
            "{case}: {enriched}"
        );
        // An offline command with a key that disagrees with the directory's refuses to run.
        let other = "cd".repeat(32);
        let (status, stderr) = offline(
            &["check", "--data-dir", data_arg],
            &[("PROFILED_EMAIL_KEY", other.as_str())],
        );
        assert!(!status.success(), "{case}: a second key was accepted");
        assert!(stderr.contains("differs"), "{case}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{case}: one line: {stderr}");
    }
}

/// Issue 12.13: a second process on a served data directory is told which store is held
/// and by which process; a fresh start logs that it built an empty index (not `index
/// rebuilt … profiles=0`); a log that is not a terminal carries no colour codes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_data_dir_names_the_store_and_the_pid_and_logs_are_plain_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let log = dir.path().join("daemon.log");
    let daemon = ChildDaemon::spawn(&data, &log, &[("PROFILED_LOG", "info")]);
    let pid = daemon.child.id();
    let err = match profiled::Engine::open(
        profiled::EngineConfig::new(data.clone()),
        std::sync::Arc::new(profiled::clock::SystemClock),
    ) {
        Ok(_) => panic!("the store is held by the daemon"),
        Err(err) => err.to_string(),
    };
    assert!(
        err.contains(&data.join("store").display().to_string()),
        "{err}"
    );
    assert!(err.contains(&format!("(pid {pid})")), "{err}");
    assert!(err.contains("--data-dir"), "{err}");
    daemon.terminate();
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(text.contains("built an empty index"), "{text}");
    assert!(!text.contains("index rebuilt"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "colour codes in a log file: {text}"
    );
}
