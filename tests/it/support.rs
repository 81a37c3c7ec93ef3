//! Shared helpers: the real daemon in-process on port 0 over a temp dir, or as a child
//! process (for kill -9 and log capture), and a small JSON client.

use profiled::clock::SystemClock;
use profiled::config::{Config, DataArgs, ServeArgs};
use profiled::server::Daemon;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Test defaults: a short commit interval so `refresh=wait_for` is quick.
pub fn args(data_dir: &Path) -> ServeArgs {
    ServeArgs {
        data: DataArgs {
            data_dir: Some(data_dir.to_path_buf()),
            ..DataArgs::default()
        },
        listen: Some("127.0.0.1:0".parse().expect("addr")),
        commit_interval_ms: Some(50),
        ..ServeArgs::default()
    }
}

pub async fn start(data_dir: &Path) -> TestDaemon {
    start_with(args(data_dir)).await
}

pub async fn start_with(args: ServeArgs) -> TestDaemon {
    let config = Config::resolve(&args).expect("config");
    let daemon = Daemon::start(config, Arc::new(SystemClock))
        .await
        .expect("daemon starts");
    TestDaemon {
        client: Client::new(daemon.addr()),
        daemon,
    }
}

pub struct TestDaemon {
    pub daemon: Daemon,
    pub client: Client,
}

impl TestDaemon {
    pub async fn stop(self) {
        self.daemon.stop().await.expect("graceful stop");
    }
}

/// A JSON-over-HTTP client bound to one daemon.
#[derive(Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    key: Option<String>,
}

pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
    pub text: String,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
            key: None,
        }
    }

    pub fn with_key(&self, key: &str) -> Self {
        Self {
            key: Some(key.to_owned()),
            ..self.clone()
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        self.try_send(request).await.expect("request and reply")
    }

    /// The reply, or `None` when the connection failed (the daemon was killed).
    async fn try_send(&self, request: reqwest::RequestBuilder) -> Option<Reply> {
        let request = match &self.key {
            Some(key) => request.bearer_auth(key),
            None => request,
        };
        let response = request.send().await.ok()?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = response.text().await.ok()?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Some(Reply {
            status,
            content_type,
            body,
            text,
        })
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Reply {
        self.send(self.http.post(format!("{}{path}", self.base)).json(body))
            .await
    }

    /// A request with any method and a raw body.
    pub async fn send_raw(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
            .expect("an HTTP method");
        self.send(
            self.http
                .request(method, format!("{}{path}", self.base))
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }

    pub async fn patch_json(&self, path: &str, body: &Value) -> Reply {
        self.send(self.http.patch(format!("{}{path}", self.base)).json(body))
            .await
    }

    /// A JSON POST that asks for another representation (`Accept`).
    pub async fn post_json_accepting(&self, path: &str, accept: &str, body: &Value) -> Reply {
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header("accept", accept)
                .json(body),
        )
        .await
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        self.send(self.raw_request(path, content_type, body)).await
    }

    /// [`Client::post_raw`] that tolerates a daemon dying under the request.
    pub async fn try_post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Option<Reply> {
        self.try_send(self.raw_request(path, content_type, body))
            .await
    }

    /// [`Client::post_json`] that tolerates a daemon dying under the request.
    pub async fn try_post_json(&self, path: &str, body: &Value) -> Option<Reply> {
        self.try_send(self.http.post(format!("{}{path}", self.base)).json(body))
            .await
    }

    fn raw_request(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body)
    }

    /// Ingests lines and waits until they are searchable.
    pub async fn ingest(&self, lines: &[Value]) -> Reply {
        let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
        self.post_raw(
            "/v1/ingest?refresh=wait_for",
            "application/x-ndjson",
            body.into_bytes(),
        )
        .await
    }

    pub async fn lookup(&self, request: Value) -> Reply {
        self.post_json("/v1/lookup", &request).await
    }
}

/// The `profiled` binary child processes run: `PROFILED_BIN` when set (scripts/crash-loop
/// runs a frozen copy, so a rebuild during a long run does not swap the daemon under it),
/// else the one cargo built with the tests.
pub fn daemon_binary() -> PathBuf {
    std::env::var_os("PROFILED_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_profiled")))
}

/// The daemon binary as a child process, its stderr (the log) copied to a file.
pub struct ChildDaemon {
    pub child: Child,
    pub addr: SocketAddr,
    log: PathBuf,
}

/// The last 30 lines of a daemon's log.
pub fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

impl ChildDaemon {
    pub fn spawn(data_dir: &Path, log: &Path, extra_env: &[(&str, &str)]) -> Self {
        Self::spawn_via(&[], data_dir, log, extra_env, &[])
    }

    /// [`ChildDaemon::spawn`] run through `prefix` (e.g. `nsenter …` to run it in another
    /// mount namespace), with `extra_args` after the usual flags.
    pub fn spawn_via(
        prefix: &[&std::ffi::OsStr],
        data_dir: &Path,
        log: &Path,
        extra_env: &[(&str, &str)],
        extra_args: &[&str],
    ) -> Self {
        let binary = daemon_binary();
        let mut command = match prefix.split_first() {
            Some((program, rest)) => {
                let mut command = Command::new(program);
                command.args(rest).arg(&binary);
                command
            }
            None => Command::new(&binary),
        };
        command
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--commit-interval-ms",
                "200",
            ])
            .arg("--data-dir")
            .arg(data_dir)
            .args(extra_args)
            .env_remove("PROFILED_API_KEYS")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, value) in extra_env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("spawn profiled");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        let log_path = log.to_path_buf();
        std::thread::spawn(move || {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log_path)
                .expect("log file");
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                writeln!(file, "{line}").expect("write log");
                if let Some(addr) = line.strip_prefix("profiled listening on http://") {
                    let _ = tx.send(addr.parse::<SocketAddr>().expect("address"));
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|err| {
                panic!(
                    "the daemon did not announce its address ({err}); its log ends:\n{}",
                    log_tail(log)
                )
            });
        Self {
            child,
            addr,
            log: log.to_path_buf(),
        }
    }

    pub fn client(&self) -> Client {
        Client::new(self.addr)
    }

    /// SIGKILL: no chance to flush or commit anything.
    pub fn kill_9(mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reaped");
    }

    /// SIGTERM and wait for the graceful exit.
    pub fn terminate(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(status.success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(
                    status.success(),
                    "daemon exited with {status}; its log ends:\n{}",
                    log_tail(&self.log)
                );
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no graceful exit"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// Whether `needle` occurs in `haystack` (bytes).
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A response header as text.
pub fn header(
    response: &reqwest::Response,
    name: impl reqwest::header::AsHeaderName,
) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().expect("ascii header").to_owned())
}

/// A browser's CORS preflight for a POST with a key and a JSON body, from `origin`.
pub async fn preflight(url: &str, origin: &str) -> reqwest::Response {
    use reqwest::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
    reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, url)
        .header(ORIGIN, origin)
        .header(ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization, content-type",
        )
        .send()
        .await
        .expect("preflight")
}
