//! A full disk, for real: the `profiled serve` binary with its data directory on a small
//! tmpfs (in a mount namespace of its own, inside a user namespace, so it needs no root
//! and leaves no mount behind). Ingests fill it until a write gets 507; every
//! acknowledged profile must still be found by email and by name; once the tmpfs is
//! grown, writes and indexing must resume without a restart; after a restart
//! `profiled check` and `profiled audit verify` must be clean and every acknowledged
//! profile there.
//!
//! Skipped, with the reason printed, only where no namespace or tmpfs can be made.

use crate::support::{daemon_binary, log_tail, ChildDaemon, Client, Reply};
use futures_util::stream::{self, StreamExt};
use serde_json::{json, Value};
use std::ffi::{OsStr, OsString};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The tmpfs's size at first, and once grown.
const SMALL_MB: u64 = 10;
const GROWN_MB: u64 = 64;
/// The daemon's disk reserve.
const RESERVE_MB: &str = "2";
/// Profiles per ingest.
const BATCH: usize = 100;
/// Lookups in flight at once while checking reads.
const PARALLEL: usize = 8;

/// The file [`Tmpfs::fill_beyond`] writes.
const FILLER: &str = "filler-of-the-test";

/// A tmpfs mounted at `dir` in a mount namespace that lives as long as its holder process.
struct Tmpfs {
    holder: Child,
    dir: PathBuf,
}

impl Tmpfs {
    fn mount(dir: &Path, size_mb: u64) -> Result<Self, String> {
        let script = format!(
            "mount -t tmpfs -o size={size_mb}m,mode=0700 profiled-disk-test '{}' && echo mounted && exec sleep 900",
            dir.display()
        );
        let mut holder = Command::new("unshare")
            .args(["--user", "--map-root-user", "--mount", "sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|err| format!("unshare: {err}"))?;
        let mut line = String::new();
        let stdout = holder.stdout.take().expect("stdout");
        let _ = BufReader::new(stdout).read_line(&mut line);
        if line.trim() != "mounted" {
            let _ = holder.kill();
            let _ = holder.wait();
            let mut stderr = String::new();
            if let Some(mut pipe) = holder.stderr.take() {
                let _ = pipe.read_to_string(&mut stderr);
            }
            return Err(stderr.trim().to_owned());
        }
        Ok(Self {
            holder,
            dir: dir.to_path_buf(),
        })
    }

    /// The command prefix that runs a program inside the namespace.
    fn enter(&self) -> Vec<OsString> {
        ["nsenter", "--target", &self.holder.id().to_string()]
            .into_iter()
            .chain(["--user", "--mount", "--"])
            .map(OsString::from)
            .collect()
    }

    /// `program args…` inside the namespace.
    fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let prefix = self.enter();
        let mut command = Command::new(&prefix[0]);
        command.args(&prefix[1..]).arg(program);
        command
    }

    fn resize(&self, size_mb: u64) {
        let status = self
            .command("mount")
            .arg("-o")
            .arg(format!("remount,size={size_mb}m"))
            .arg(&self.dir)
            .status()
            .expect("nsenter mount");
        assert!(status.success(), "remounting the tmpfs failed");
    }

    /// Takes up what the disk has free beyond `keep` bytes, in a file removed by
    /// [`Tmpfs::unfill`]: a daemon's stop may free some space (a last index commit, a
    /// flush), and a restart meant to find the disk full must find it full.
    fn fill_beyond(&self, keep: u64) {
        let dir = self.dir.display();
        let script = format!(
            "avail=$(df -B1 --output=avail '{dir}' | tail -n 1); n=$((avail - {keep})); \
             if [ $n -gt 0 ]; then head -c $n /dev/zero > '{dir}/{FILLER}'; fi"
        );
        let status = self
            .command("sh")
            .args(["-c", &script])
            .status()
            .expect("nsenter sh");
        assert!(status.success(), "filling the tmpfs failed");
    }

    fn unfill(&self) {
        let status = self
            .command("rm")
            .arg("-f")
            .arg(self.dir.join(FILLER))
            .status()
            .expect("nsenter rm");
        assert!(status.success(), "removing the filler failed");
    }

    fn daemon(&self, log: &Path, reserve_mb: &str) -> ChildDaemon {
        let prefix = self.enter();
        let prefix: Vec<&OsStr> = prefix.iter().map(OsString::as_os_str).collect();
        // A slot for each of the checks' lookups: what is tested is the full disk, not
        // load shedding (two slots per core by default would shed some of them).
        let slots = PARALLEL.to_string();
        ChildDaemon::spawn_via(
            &prefix,
            &self.dir,
            log,
            &[("PROFILED_LOG", "info")],
            &["--disk-reserve-mb", reserve_mb, "--max-in-flight", &slots],
        )
    }

    /// Runs an offline `profiled` command on the data directory; its stdout.
    fn profiled(&self, args: &[&str]) -> String {
        let output = self
            .command(daemon_binary())
            .args(args)
            .arg("--data-dir")
            .arg(&self.dir)
            .env("PROFILED_LOG", "warn")
            .output()
            .expect("profiled runs");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "profiled {args:?}: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = self.holder.kill();
        let _ = self.holder.wait();
    }
}

/// A unique, letters-only first name for profile `i`.
fn first_name(i: usize) -> String {
    let mut name = String::from("Zed");
    let mut n = i;
    loop {
        name.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            return name;
        }
    }
}

fn line(i: usize) -> Value {
    let first = first_name(i);
    json!({
        "first_name": first,
        "last_name": "Fuller",
        "job_title": "Storage Engineer",
        "email": format!("{}.fuller@firm{i}.example", first.to_lowercase()),
        "company": {"name": format!("Firm{i} Holdings"), "domain": format!("firm{i}.example")},
        "source": "disk-test",
    })
}

fn batch(from: usize) -> Vec<Value> {
    (from..from + BATCH).map(line).collect()
}

fn full_name(i: usize) -> String {
    format!("{} Fuller", first_name(i))
}

/// Looks every profile in `ids` up by email and by name and company; returns what failed.
async fn unanswered(client: &Client, ids: &[usize], by_name: bool) -> Vec<String> {
    let requests = ids.iter().flat_map(|&i| {
        let first = first_name(i).to_lowercase();
        let mut requests = vec![(
            i,
            json!({"email": format!("{first}.fuller@firm{i}.example")}),
        )];
        if by_name {
            requests.push((
                i,
                json!({"name": full_name(i), "company": format!("firm{i}.example")}),
            ));
        }
        requests
    });
    stream::iter(requests)
        .map(|(i, request)| async move {
            let reply = client.lookup(request.clone()).await;
            let found = reply.status == 200
                && reply.body["status"] == "match"
                && reply.body["profile"]["full_name"] == full_name(i).as_str();
            (!found).then(|| format!("{request} → {} {}", reply.status, reply.text))
        })
        .buffer_unordered(PARALLEL)
        .filter_map(|failure| async move { failure })
        .collect()
        .await
}

/// Ingests profiles `from..from + BATCH`, waiting until they are searchable when `wait`.
async fn ingest(client: &Client, from: usize, wait: bool) -> Reply {
    let body: String = batch(from).iter().map(|l| format!("{l}\n")).collect();
    let path = if wait {
        "/v1/ingest?refresh=wait_for"
    } else {
        "/v1/ingest"
    };
    client
        .post_raw(path, "application/x-ndjson", body.into_bytes())
        .await
}

/// Polls `check` every 200 ms until it holds or `within` passes.
async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < within {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

/// What the log said about the disk, the store, the index and the disclosure log.
fn notable(log: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut seen: Vec<(String, usize)> = Vec::new();
    for line in text
        .lines()
        .filter(|l| l.contains("WARN") || l.contains("ERROR"))
    {
        // The message, without the time and the fields.
        let message = line
            .split_once(": ")
            .map_or(line, |(_, rest)| rest)
            .split(" error=")
            .next()
            .unwrap_or(line)
            .to_owned();
        match seen.iter_mut().find(|(m, _)| *m == message) {
            Some((_, count)) => *count += 1,
            None => seen.push((message, 1)),
        }
    }
    seen.into_iter()
        .map(|(message, count)| format!("{count}× {message}"))
        .collect()
}

/// The reserve keeps sled away from the full disk: reads answer throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_with_507_keeps_reads_and_heals_without_a_restart() {
    full_disk(RESERVE_MB, true).await;
}

/// Without a reserve sled and tantivy meet the full disk themselves (as when a write
/// outgrows the reserve): writes get 507, and once there is room the store is reopened
/// in-process, the indexer catches up, and writes resume, nothing acknowledged lost.
/// (Writes do not wait to be searchable here: the index cannot write on the full disk.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_met_a_full_disk_is_reopened_once_there_is_room() {
    full_disk("0", false).await;
}

async fn full_disk(reserve_mb: &str, reads_while_full: bool) {
    let started = Instant::now();
    let temp = tempfile::tempdir().expect("tempdir");
    let data = temp.path().join("data");
    std::fs::create_dir(&data).expect("mount point");
    let tmpfs = match Tmpfs::mount(&data, SMALL_MB) {
        Ok(tmpfs) => tmpfs,
        Err(reason) => {
            println!("skipped: no tmpfs can be mounted in a namespace here ({reason})");
            return;
        }
    };
    let log = temp.path().join("daemon.log");
    let daemon = tmpfs.daemon(&log, reserve_mb);
    let client = daemon.client();

    // Fill the disk until a write is refused.
    let mut acknowledged: Vec<usize> = Vec::new();
    let mut next = 0;
    let refused = loop {
        let reply = ingest(&client, next, reads_while_full).await;
        match reply.status {
            200 => {
                assert_eq!(reply.body["created"], BATCH, "{}", reply.text);
                acknowledged.extend(next..next + BATCH);
            }
            507 => break reply,
            other => panic!(
                "ingest {other}: {}\nthe daemon's log ends:\n{}",
                reply.text,
                log_tail(&log)
            ),
        }
        next += BATCH;
        assert!(next < 100_000, "a {SMALL_MB} MiB tmpfs never filled");
    };
    assert!(!acknowledged.is_empty(), "the first write was refused");
    assert_eq!(refused.content_type, "application/problem+json");
    assert_eq!(refused.body["code"], "disk_full", "{}", refused.text);
    assert_eq!(refused.body["status"], 507);
    assert!(
        refused.text.contains("disk is full"),
        "the problem says why: {}",
        refused.text
    );
    let raw = reqwest::Client::new()
        .post(format!("http://{}/v1/ingest", daemon.addr))
        .header("content-type", "application/x-ndjson")
        .body(format!("{}\n", line(next)))
        .send()
        .await
        .expect("ingest");
    assert_eq!(raw.status().as_u16(), 507);
    assert_eq!(
        crate::support::header(&raw, "retry-after").as_deref(),
        Some("30")
    );
    let health = client.get("/healthz").await;
    assert_eq!(health.status, 200, "reads are served: {}", health.text);
    assert_eq!(health.body["status"], "degraded", "{}", health.text);
    assert!(
        health.body["problems"]
            .as_array()
            .expect("problems")
            .contains(&json!("disk_full")),
        "{}",
        health.text
    );
    assert_eq!(health.body["writes"], "refused");
    let metrics = client.get("/metrics").await.text;
    assert!(metrics.contains("profiled_disk_full 1"), "{metrics}");
    let filled = started.elapsed();

    // Every acknowledged profile is found, by email and by name, on the full disk.
    let failed = if reads_while_full {
        unanswered(&client, &acknowledged, true).await
    } else {
        Vec::new()
    };
    assert!(
        failed.is_empty(),
        "{} of {} lookups failed on the full disk, e.g. {:?}\nthe daemon's log ends:\n{}",
        failed.len(),
        2 * acknowledged.len(),
        &failed[..failed.len().min(3)],
        log_tail(&log)
    );
    assert_eq!(
        ingest(&client, next, reads_while_full).await.status,
        507,
        "still full: still refused"
    );
    // A daemon restarted on the full disk starts, serves reads and refuses writes.
    let (daemon, client) = if reads_while_full {
        daemon.terminate();
        // Below the reserve, with a little room to start in.
        let reserve_bytes: u64 = reserve_mb.parse::<u64>().expect("MiB") << 20;
        tmpfs.fill_beyond(reserve_bytes.saturating_sub(256 << 10));
        let daemon = tmpfs.daemon(&log, reserve_mb);
        let client = daemon.client();
        let sample: Vec<usize> = acknowledged.iter().copied().step_by(97).collect();
        let failed = unanswered(&client, &sample, true).await;
        assert!(
            failed.is_empty(),
            "after a restart on the full disk: {failed:?}"
        );
        assert_eq!(ingest(&client, next, true).await.status, 507);
        tmpfs.unfill();
        (daemon, client)
    } else {
        (daemon, client)
    };

    // Room again: writes and indexing resume by themselves.
    tmpfs.resize(GROWN_MB);
    let grown = Instant::now();
    loop {
        let reply = ingest(&client, next, reads_while_full).await;
        if reply.status == 200 {
            break;
        }
        assert_eq!(reply.status, 507, "{}", reply.text);
        assert!(
            grown.elapsed() < Duration::from_secs(20),
            "writes did not resume after the disk was grown; the daemon's log ends:\n{}",
            log_tail(&log)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    acknowledged.extend(next..next + BATCH);
    next += BATCH;
    assert_eq!(ingest(&client, next, reads_while_full).await.status, 200);
    acknowledged.extend(next..next + BATCH);
    // The index has caught up once the newest profile is found by name; then all are.
    let newest = [*acknowledged.last().expect("acknowledged")];
    let caught_up = eventually(Duration::from_secs(20), || {
        let (client, newest) = (&client, &newest);
        async move { unanswered(client, newest, true).await.is_empty() }
    })
    .await;
    let failed = unanswered(&client, &acknowledged, true).await;
    assert!(
        caught_up && failed.is_empty(),
        "{} lookups of acknowledged profiles fail once the disk has room, e.g. {:?}\nthe daemon's log ends:\n{}",
        failed.len(),
        &failed[..failed.len().min(3)],
        log_tail(&log)
    );
    let ok = eventually(Duration::from_secs(20), || async {
        client.get("/healthz").await.body == json!({"status": "ok"})
    })
    .await;
    assert!(
        ok,
        "health did not return to ok: {}",
        client.get("/healthz").await.text
    );
    assert!(client
        .get("/metrics")
        .await
        .text
        .contains("profiled_disk_full 0"));

    // After a restart: a clean store, a clean log, every acknowledged profile.
    daemon.terminate();
    let report = tmpfs.profiled(&["check"]);
    assert!(report.contains(": 0 problems"), "profiled check: {report}");
    let verified = tmpfs.profiled(&["audit", "verify"]);
    println!("audit verify: {}", verified.trim());
    let daemon = tmpfs.daemon(&log, reserve_mb);
    let client = daemon.client();
    let failed = unanswered(&client, &acknowledged, false).await;
    assert!(
        failed.is_empty(),
        "{} acknowledged profiles are missing after the restart: {:?}",
        failed.len(),
        &failed[..failed.len().min(3)]
    );
    let stats = client.get("/v1/stats").await;
    assert!(
        stats.body["profiles"].as_u64().expect("count") >= acknowledged.len() as u64,
        "{}",
        stats.text
    );
    daemon.terminate();
    println!("the daemon logged: {:#?}", notable(&log));
    println!(
        "disk full (reserve {reserve_mb} MiB): {} profiles acknowledged on a {SMALL_MB} MiB tmpfs (filled in {:.1} s), all found after the restart; {:.1} s in all",
        acknowledged.len(),
        filled.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}
