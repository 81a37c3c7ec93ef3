//! Daemon configuration: command-line flags, each with a `PROFILED_*` environment
//! fallback, over an optional TOML file, over defaults — validated once at start.
//! Secrets (API keys, the email hash key) are redacted from `Debug`.

use crate::engine::{cores, EngineConfig, InputLimits, PrivacyPolicy, Retention};
use crate::error::{Error, Result};
use crate::index::indexer::IndexerConfig;
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// What an API key may do. `admin` implies every other scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Lookup,
    Search,
    Enrich,
    Ingest,
    Privacy,
    Admin,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Lookup => "lookup",
            Scope::Search => "search",
            Scope::Enrich => "enrich",
            Scope::Ingest => "ingest",
            Scope::Privacy => "privacy",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        Ok(match text.trim() {
            "lookup" => Scope::Lookup,
            "search" => Scope::Search,
            "enrich" => Scope::Enrich,
            "ingest" => Scope::Ingest,
            "privacy" => Scope::Privacy,
            "admin" => Scope::Admin,
            other => return Err(Error::Config(format!("unknown scope `{other}`"))),
        })
    }
}

/// How a key is given: its BLAKE3 hash (what `profiled keys new` prints), or the key
/// itself (the development form `--api-keys name:key:scopes`, which logs a warning).
#[derive(Clone)]
pub enum KeySecret {
    /// BLAKE3 of the key. Keys made by `profiled keys new` carry 256 random bits, so a
    /// fast hash is enough: no one can search a 2^256 space, however cheap each try.
    Hash([u8; 32]),
    /// The key in plain text (it shows in the process list and the config file).
    Plain(String),
}

impl KeySecret {
    /// The hash a presented key is compared with.
    pub fn hash(&self) -> [u8; 32] {
        match self {
            KeySecret::Hash(hash) => *hash,
            KeySecret::Plain(key) => hash_key(key),
        }
    }

    pub fn is_plain(&self) -> bool {
        matches!(self, KeySecret::Plain(_))
    }
}

/// The hash under which a key is configured and checked.
pub fn hash_key(key: &str) -> [u8; 32] {
    *blake3::hash(key.as_bytes()).as_bytes()
}

/// What one key may use: requests per second (a token bucket of `burst` tokens) and
/// records per UTC day (lookups, profile reads and enrich records). `None`: unlimited.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct KeyLimits {
    pub rate_per_second: Option<f64>,
    pub burst: Option<u32>,
    pub daily_quota: Option<u64>,
}

impl KeyLimits {
    /// The bucket size: `burst`, else one second's worth of requests (at least 1).
    pub fn bucket(&self) -> Option<(f64, f64)> {
        let rate = self.rate_per_second?;
        let burst = self.burst.map_or_else(|| rate.ceil().max(1.0), f64::from);
        Some((rate, burst))
    }
}

/// One client's key. The key itself never appears in `Debug` output or logs.
#[derive(Clone)]
pub struct ApiKey {
    /// Who holds the key: recorded as the recipient of what it reads.
    pub name: String,
    pub secret: KeySecret,
    pub scopes: Vec<Scope>,
    pub limits: KeyLimits,
    /// Browser origins this key may be used from; `None` takes the daemon-wide
    /// `cors_origins` (empty by default: no browser origin).
    pub cors_origins: Option<Vec<String>>,
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("name", &self.name)
            .field("secret", &"<redacted>")
            .field("scopes", &self.scopes)
            .field("limits", &self.limits)
            .field("cors_origins", &self.cors_origins)
            .finish()
    }
}

/// An `[[api_keys]]` entry of the TOML file: `hash` (from `profiled keys new`) or, for
/// development, `key` in plain text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileApiKey {
    name: String,
    #[serde(default)]
    hash: Option<String>,
    #[serde(default)]
    key: Option<String>,
    scopes: Vec<Scope>,
    #[serde(default)]
    rate_per_second: Option<f64>,
    #[serde(default)]
    burst: Option<u32>,
    #[serde(default)]
    daily_quota: Option<u64>,
    #[serde(default)]
    cors_origins: Option<Vec<String>>,
}

impl FileApiKey {
    fn into_key(self) -> Result<ApiKey> {
        let secret = match (self.hash, self.key) {
            (Some(hash), None) => KeySecret::Hash(parse_key_hash(&hash).ok_or_else(|| {
                Error::Config(format!(
                    "API key `{}`: `hash` must be `blake3:` and 64 hex digits, as `profiled keys new` prints it",
                    self.name
                ))
            })?),
            (None, Some(key)) => KeySecret::Plain(key),
            _ => {
                return Err(Error::Config(format!(
                    "API key `{}` needs exactly one of `hash` (from `profiled keys new`) and `key`",
                    self.name
                )))
            }
        };
        Ok(ApiKey {
            name: self.name,
            secret,
            scopes: self.scopes,
            limits: KeyLimits {
                rate_per_second: self.rate_per_second,
                burst: self.burst,
                daily_quota: self.daily_quota,
            },
            cors_origins: self.cors_origins,
        })
    }
}

/// A new random key: 256 bits from the operating system, `pfd_` and base64url.
pub fn generate_key() -> Result<String> {
    use base64::Engine as _;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|err| Error::Internal(format!("no randomness for a key: {err}")))?;
    Ok(format!(
        "pfd_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

impl ApiKey {
    /// A new key for `name` (letters, digits, `.`, `_`, `-`): returns the key, to be shown
    /// once, and its configuration, which holds only the key's hash.
    pub fn generate(
        name: &str,
        scopes: &[String],
        limits: KeyLimits,
        cors_origins: Vec<String>,
    ) -> Result<(String, ApiKey)> {
        if name.is_empty()
            || name.len() > 64
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Err(Error::Config(
                "a key's name is 1 to 64 letters, digits, `.`, `_` or `-` (it names the key in logs, metrics and disclosure records)".into(),
            ));
        }
        let scopes = scopes
            .iter()
            .flat_map(|s| s.split([',', '+']))
            .filter(|s| !s.trim().is_empty())
            .map(Scope::parse)
            .collect::<Result<Vec<_>>>()?;
        if scopes.is_empty() {
            return Err(Error::Config(
                "give the key at least one scope: lookup, search, enrich, ingest, privacy or admin"
                    .into(),
            ));
        }
        validate_limits(name, &limits)?;
        if let Some(bad) = cors_origins.iter().find(|o| !is_origin(o)) {
            return Err(Error::Config(format!(
                "CORS origin `{bad}` is not an origin: write `scheme://host[:port]`, without a path"
            )));
        }
        let key = generate_key()?;
        let config = ApiKey {
            name: name.to_owned(),
            secret: KeySecret::Hash(hash_key(&key)),
            scopes,
            limits,
            cors_origins: (!cors_origins.is_empty()).then_some(cors_origins),
        };
        Ok((key, config))
    }

    /// The `[[api_keys]]` block that configures this key by its hash (the key itself is
    /// never written: a plain-text key is written as its hash too).
    pub fn to_toml(&self) -> String {
        let hex = hex::encode(self.secret.hash());
        let scopes: Vec<String> = self.scopes.iter().map(|s| toml_string(s.name())).collect();
        let mut out = format!(
            "[[api_keys]]\nname = {}\nhash = \"blake3:{hex}\"\nscopes = [{}]\n",
            toml_string(&self.name),
            scopes.join(", ")
        );
        if let Some(rate) = self.limits.rate_per_second {
            out.push_str(&format!("rate_per_second = {rate:?}\n"));
        }
        if let Some(burst) = self.limits.burst {
            out.push_str(&format!("burst = {burst}\n"));
        }
        if let Some(quota) = self.limits.daily_quota {
            out.push_str(&format!("daily_quota = {quota}\n"));
        }
        if let Some(origins) = &self.cors_origins {
            let origins: Vec<String> = origins.iter().map(|o| toml_string(o)).collect();
            out.push_str(&format!("cors_origins = [{}]\n", origins.join(", ")));
        }
        out
    }
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `blake3:<64 hex digits>`.
fn parse_key_hash(text: &str) -> Option<[u8; 32]> {
    crate::email::parse_sha256_hex(text.trim().strip_prefix("blake3:")?)
}

/// The optional TOML file; every entry may be omitted.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    /// `host:port`, resolved like `--listen`.
    pub listen: Option<String>,
    pub commit_interval_ms: Option<u64>,
    pub compact_after_idle_secs: Option<u64>,
    pub cache_mb: Option<u64>,
    pub disk_reserve_mb: Option<u64>,
    pub max_body_bytes: Option<usize>,
    pub max_line_bytes: Option<usize>,
    pub max_field_chars: Option<usize>,
    pub request_timeout_ms: Option<u64>,
    pub header_read_timeout_ms: Option<u64>,
    pub stall_timeout_ms: Option<u64>,
    pub max_connections: Option<usize>,
    pub max_in_flight: Option<usize>,
    pub read_threads: Option<usize>,
    pub max_enrich_records: Option<usize>,
    pub retention_days: Option<u32>,
    pub purge_window_hours: Option<u32>,
    pub sweep_interval_secs: Option<u64>,
    pub max_sightings: Option<usize>,
    pub email_key_hex: Option<String>,
    pub email_key_file: Option<PathBuf>,
    #[serde(default)]
    api_keys: Vec<FileApiKey>,
    pub cors_origins: Option<Vec<String>>,
    /// Host names the open (keyless, loopback) mode answers to besides the listen
    /// address and `localhost`.
    pub allowed_hosts: Option<Vec<String>>,
    /// What access exports state about the processing (`[privacy]`).
    #[serde(default)]
    pub privacy: PrivacyPolicy,
}

/// The options every command shares: where the data lives and how to read it. The
/// offline commands take only these; `serve` takes them and [`ServeArgs`]'s own.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct DataArgs {
    /// Directory holding the store, the index and the email hash key [default: ./profiled-data].
    #[arg(long, env = "PROFILED_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Optional TOML configuration file.
    #[arg(long, env = "PROFILED_CONFIG")]
    pub config: Option<PathBuf>,
    /// sled page cache, in MiB [default: 256 for serve, 1024 for offline commands].
    #[arg(long, env = "PROFILED_CACHE_MB")]
    pub cache_mb: Option<u64>,
    /// MiB of the data directory's disk that writes leave free: below it a client's write
    /// is refused with 507 (reads go on), so the store never meets a full disk
    /// [default: 64].
    #[arg(long, env = "PROFILED_DISK_RESERVE_MB")]
    pub disk_reserve_mb: Option<u64>,
    /// Email hash key as 64 hex digits (else the data directory's key file is used).
    #[arg(long, env = "PROFILED_EMAIL_KEY", hide_env_values = true)]
    pub email_key_hex: Option<String>,
    /// File holding the email hash key as 64 hex digits, kept apart from the data
    /// directory (e.g. a secrets mount), so that a copy of the data alone cannot test
    /// guessed addresses against its hashes.
    #[arg(
        long,
        env = "PROFILED_EMAIL_KEY_FILE",
        conflicts_with = "email_key_hex"
    )]
    pub email_key_file: Option<PathBuf>,
    /// Profiles no source has shown for this many days are deleted [default: 365].
    #[arg(long, env = "PROFILED_RETENTION_DAYS")]
    pub retention_days: Option<u32>,
    /// Deleted data (erased people, expired profiles) is physically purged from every file
    /// of the data directory within this many hours [default: 24].
    #[arg(long, env = "PROFILED_PURGE_WINDOW_HOURS")]
    pub purge_window_hours: Option<u32>,
}

/// Flags of `profiled serve`.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Address to listen on, `host:port` (an IP address or a name such as `localhost`).
    #[arg(long, env = "PROFILED_LISTEN", value_parser = parse_listen)]
    pub listen: Option<SocketAddr>,
    /// Load the built-in sample data set when the data directory is empty.
    #[arg(long, env = "PROFILED_SAMPLE")]
    pub sample: bool,
    /// Longest time from an acknowledged write to searchable, in milliseconds.
    #[arg(long, env = "PROFILED_COMMIT_INTERVAL_MS")]
    pub commit_interval_ms: Option<u64>,
    /// Seconds without writes after which the index is merged into one segment (faster
    /// lookups after a bulk load).
    #[arg(long, env = "PROFILED_COMPACT_AFTER_IDLE_SECS")]
    pub compact_after_idle_secs: Option<u64>,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "PROFILED_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Per-request time limit, in milliseconds.
    #[arg(long, env = "PROFILED_REQUEST_TIMEOUT_MS")]
    pub request_timeout_ms: Option<u64>,
    /// Time for a request's headers to arrive once a connection waits for them (new or
    /// kept alive), in milliseconds; also how long an idle connection is kept.
    #[arg(long, env = "PROFILED_HEADER_READ_TIMEOUT_MS")]
    pub header_read_timeout_ms: Option<u64>,
    /// A connection on which no byte moves either way for this long while the daemon
    /// waits on it is closed (a client that stops reading or sending), in milliseconds.
    #[arg(long, env = "PROFILED_STALL_TIMEOUT_MS")]
    pub stall_timeout_ms: Option<u64>,
    /// Most connections open at once; more are answered 503 and closed.
    #[arg(long, env = "PROFILED_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Most requests served at once; more wait about one service time for a slot, then
    /// are answered 503 (load shedding) [default: two per core].
    #[arg(long, env = "PROFILED_MAX_IN_FLIGHT")]
    pub max_in_flight: Option<usize>,
    /// Threads that run lookups, searches and profile reads [default: one per core].
    #[arg(long, env = "PROFILED_READ_THREADS")]
    pub read_threads: Option<usize>,
    /// Most records in one JSON `POST /v1/enrich` batch (NDJSON streams are unbounded).
    #[arg(long, env = "PROFILED_MAX_ENRICH_RECORDS")]
    pub max_enrich_records: Option<usize>,
    /// Seconds between background sweeps of expired profiles.
    #[arg(long, env = "PROFILED_SWEEP_INTERVAL_SECS")]
    pub sweep_interval_secs: Option<u64>,
    /// Most profiles named in one `POST /v1/sightings`.
    #[arg(long, env = "PROFILED_MAX_SIGHTINGS")]
    pub max_sightings: Option<usize>,
    /// API keys as `name:key:scope+scope,...`.
    #[arg(long, env = "PROFILED_API_KEYS", hide_env_values = true)]
    pub api_keys: Option<String>,
    /// Origins browsers may call the API from (CORS), e.g. the extension's
    /// `chrome-extension://<id>`; repeat the flag or separate with commas. None by default.
    #[arg(
        long = "cors-origin",
        env = "PROFILED_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
    /// Host names the open mode (no keys, loopback) answers to besides the listen address
    /// and `localhost`; repeat the flag or separate with commas.
    #[arg(
        long = "allowed-host",
        env = "PROFILED_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
}

/// The options of `profiled keys list`: where the keys are configured.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct KeysArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// API keys as `name:key:scope+scope,...` (development form; prefer hashed keys in the file).
    #[arg(long, env = "PROFILED_API_KEYS", hide_env_values = true)]
    pub api_keys: Option<String>,
}

/// Which command the configuration is for: the few defaults and checks that differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The daemon: shares the machine, listens on a socket.
    Serve,
    /// `ingest`, `enrich`, `sweep`, `check`, `reindex`: open the data directory alone.
    Offline,
}

/// The resolved, validated configuration.
#[derive(Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub sample: bool,
    pub commit_interval: Duration,
    pub compact_after_idle: Duration,
    pub cache_bytes: u64,
    pub disk_reserve_bytes: u64,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    pub header_read_timeout: Duration,
    pub stall_timeout: Duration,
    pub max_connections: usize,
    pub max_in_flight: usize,
    pub read_threads: usize,
    pub max_enrich_records: usize,
    pub retention: Retention,
    /// Deleted data is physically purged within this window.
    pub purge_window: Duration,
    pub sweep_interval: Duration,
    pub max_sightings: usize,
    pub limits: InputLimits,
    pub email_key: Option<[u8; 32]>,
    pub api_keys: Vec<ApiKey>,
    /// Browser origins allowed to call the API (CORS) in the open mode and with keys
    /// that name no origins of their own; empty allows none.
    pub cors_origins: Vec<String>,
    /// Host names the open mode answers to besides the listen address and `localhost`.
    pub allowed_hosts: Vec<String>,
    pub privacy: PrivacyPolicy,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .field("sample", &self.sample)
            .field("commit_interval", &self.commit_interval)
            .field("compact_after_idle", &self.compact_after_idle)
            .field("cache_bytes", &self.cache_bytes)
            .field("disk_reserve_bytes", &self.disk_reserve_bytes)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("request_timeout", &self.request_timeout)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("stall_timeout", &self.stall_timeout)
            .field("max_connections", &self.max_connections)
            .field("max_in_flight", &self.max_in_flight)
            .field("read_threads", &self.read_threads)
            .field("max_enrich_records", &self.max_enrich_records)
            .field("retention", &self.retention)
            .field("purge_window", &self.purge_window)
            .field("sweep_interval", &self.sweep_interval)
            .field("max_sightings", &self.max_sightings)
            .field("limits", &self.limits)
            .field("email_key", &self.email_key.map(|_| "<redacted>"))
            .field("api_keys", &self.api_keys)
            .field("cors_origins", &self.cors_origins)
            .field("allowed_hosts", &self.allowed_hosts)
            .field("privacy", &self.privacy)
            .finish()
    }
}

pub const DEFAULT_DATA_DIR: &str = "./profiled-data";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7878";
/// sled page cache of the daemon, which shares the machine, in MiB.
const DEFAULT_CACHE_MB: u64 = 256;
/// sled page cache of the offline commands, which have the machine to themselves.
const OFFLINE_CACHE_MB: u64 = 1024;

/// Requests served at once by default: two per core. More at once only queue on the
/// cores, and the latency of every admitted request grows with them (`scripts/
/// bench-overload`: at twice the load it can serve, the admitted p99 grew with the
/// slots; README, "Connections and overload").
fn default_max_in_flight() -> usize {
    2 * cores()
}

/// The purge window, in hours.
const DEFAULT_PURGE_WINDOW_HOURS: u32 = 24;

impl Config {
    /// The daemon's configuration: flags over environment (clap did that) over the file
    /// over defaults; then validated.
    pub fn resolve(args: &ServeArgs) -> Result<Self> {
        Self::resolve_for(args, Mode::Serve)
    }

    /// An offline command's configuration, resolved the same way from the shared options.
    pub fn resolve_offline(args: &DataArgs) -> Result<Self> {
        let args = ServeArgs {
            data: args.clone(),
            ..ServeArgs::default()
        };
        Self::resolve_for(&args, Mode::Offline)
    }

    /// The configuration `profiled keys list` reads: the offline one, with the keys of
    /// `--api-keys`/`PROFILED_API_KEYS` when given (as `serve` would take them).
    pub fn resolve_keys(args: &KeysArgs) -> Result<Self> {
        let args = ServeArgs {
            data: args.data.clone(),
            api_keys: args.api_keys.clone(),
            ..ServeArgs::default()
        };
        Self::resolve_for(&args, Mode::Offline)
    }

    fn resolve_for(args: &ServeArgs, mode: Mode) -> Result<Self> {
        let data = &args.data;
        let file = match &data.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|err| {
                    Error::Config(format!("cannot read {}: {err}", path.display()))
                })?;
                toml::from_str::<FileConfig>(&text)
                    .map_err(|err| Error::Config(format!("{}: {err}", path.display())))?
            }
            None => FileConfig::default(),
        };
        let defaults = InputLimits::default();
        let key_file = data
            .email_key_file
            .as_ref()
            .or(file.email_key_file.as_ref());
        let email_key = match (data.email_key_hex.as_deref(), key_file) {
            (Some(hex), _) => Some(parse_key_hex(hex)?),
            (None, Some(path)) => {
                let text = std::fs::read_to_string(path).map_err(|err| {
                    Error::Config(format!(
                        "cannot read the email key file {}: {err}",
                        path.display()
                    ))
                })?;
                Some(parse_key_hex(text.trim())?)
            }
            (None, None) => file
                .email_key_hex
                .as_deref()
                .map(parse_key_hex)
                .transpose()?,
        };
        let api_keys = match &args.api_keys {
            Some(text) => parse_api_keys(text)?,
            None => file
                .api_keys
                .into_iter()
                .map(FileApiKey::into_key)
                .collect::<Result<_>>()?,
        };
        let default_cache_mb = match mode {
            Mode::Serve => DEFAULT_CACHE_MB,
            Mode::Offline => OFFLINE_CACHE_MB,
        };
        let config = Config {
            data_dir: data
                .data_dir
                .clone()
                .or(file.data_dir)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
            listen: match (args.listen, &file.listen) {
                (Some(addr), _) => addr,
                (None, Some(text)) => parse_listen(text).map_err(Error::Config)?,
                (None, None) => DEFAULT_LISTEN.parse().expect("valid default address"),
            },
            sample: args.sample,
            commit_interval: Duration::from_millis(
                args.commit_interval_ms
                    .or(file.commit_interval_ms)
                    .unwrap_or(1000),
            ),
            compact_after_idle: Duration::from_secs(
                args.compact_after_idle_secs
                    .or(file.compact_after_idle_secs)
                    .unwrap_or(30),
            ),
            cache_bytes: data.cache_mb.or(file.cache_mb).unwrap_or(default_cache_mb) << 20,
            disk_reserve_bytes: data
                .disk_reserve_mb
                .or(file.disk_reserve_mb)
                .map_or(crate::engine::DEFAULT_DISK_RESERVE_BYTES, |mb| {
                    mb.saturating_mul(1 << 20)
                }),
            max_body_bytes: args
                .max_body_bytes
                .or(file.max_body_bytes)
                .unwrap_or(16 << 20),
            request_timeout: Duration::from_millis(
                args.request_timeout_ms
                    .or(file.request_timeout_ms)
                    .unwrap_or(30_000),
            ),
            header_read_timeout: Duration::from_millis(
                args.header_read_timeout_ms
                    .or(file.header_read_timeout_ms)
                    .unwrap_or(10_000),
            ),
            stall_timeout: Duration::from_millis(
                args.stall_timeout_ms
                    .or(file.stall_timeout_ms)
                    .unwrap_or(60_000),
            ),
            max_connections: args.max_connections.or(file.max_connections).unwrap_or(512),
            max_in_flight: args
                .max_in_flight
                .or(file.max_in_flight)
                .unwrap_or_else(default_max_in_flight),
            read_threads: args
                .read_threads
                .or(file.read_threads)
                .unwrap_or_else(cores),
            max_enrich_records: args
                .max_enrich_records
                .or(file.max_enrich_records)
                .unwrap_or(1000),
            retention: Retention {
                window_secs: i64::from(data.retention_days.or(file.retention_days).unwrap_or(365))
                    * 86_400,
            },
            purge_window: Duration::from_secs(
                u64::from(
                    data.purge_window_hours
                        .or(file.purge_window_hours)
                        .unwrap_or(DEFAULT_PURGE_WINDOW_HOURS),
                ) * 3600,
            ),
            sweep_interval: Duration::from_secs(
                args.sweep_interval_secs
                    .or(file.sweep_interval_secs)
                    .unwrap_or(3600),
            ),
            max_sightings: args.max_sightings.or(file.max_sightings).unwrap_or(10_000),
            limits: InputLimits {
                max_line_bytes: file.max_line_bytes.unwrap_or(defaults.max_line_bytes),
                max_field_chars: file.max_field_chars.unwrap_or(defaults.max_field_chars),
                ..defaults
            },
            email_key,
            api_keys,
            cors_origins: if args.cors_origins.is_empty() {
                file.cors_origins.unwrap_or_default()
            } else {
                // An empty `PROFILED_CORS_ORIGINS=` allows none, like leaving it out.
                args.cors_origins
                    .iter()
                    .map(|origin| origin.trim().to_owned())
                    .filter(|origin| !origin.is_empty())
                    .collect()
            },
            allowed_hosts: if args.allowed_hosts.is_empty() {
                file.allowed_hosts.unwrap_or_default()
            } else {
                args.allowed_hosts
                    .iter()
                    .map(|host| host.trim().to_ascii_lowercase())
                    .filter(|host| !host.is_empty())
                    .collect()
            },
            privacy: file.privacy,
        };
        config.validate(mode)?;
        Ok(config)
    }

    fn validate(&self, mode: Mode) -> Result<()> {
        if mode == Mode::Serve && self.api_keys.is_empty() && !self.listen.ip().is_loopback() {
            return Err(Error::Config(format!(
                "no API key is configured: refusing to serve unauthenticated on the non-loopback address {}; \
                 give keys with --api-keys or PROFILED_API_KEYS (or api_keys in the config file), \
                 or listen on a loopback address such as 127.0.0.1",
                self.listen
            )));
        }
        for (i, key) in self.api_keys.iter().enumerate() {
            // Names are stored (recipients, notices, quotas) with a NUL as separator and
            // shown in access exports: printable text only.
            if key.name.is_empty() || key.name.chars().any(char::is_control) {
                return Err(Error::Config(format!(
                    "API key name {:?} must be non-empty printable text",
                    key.name
                )));
            }
            if self.api_keys[..i].iter().any(|k| k.name == key.name) {
                return Err(Error::Config(format!(
                    "API key name `{}` is given twice; each key needs its own name",
                    key.name
                )));
            }
            if self.api_keys[..i]
                .iter()
                .any(|k| k.secret.hash() == key.secret.hash())
            {
                return Err(Error::Config(format!(
                    "API keys `{}` and another share one key; each key must be its own",
                    key.name
                )));
            }
            if key.name.is_empty() || key.name.chars().any(char::is_control) {
                return Err(Error::Config(
                    "an API key's name must be non-empty, without control characters".into(),
                ));
            }
            if let KeySecret::Plain(plain) = &key.secret {
                if plain.contains(':')
                    || plain.contains(',')
                    || plain.chars().any(char::is_whitespace)
                {
                    return Err(Error::Config(format!(
                        "API key `{}` contains `:`, `,` or a space, which the `name:key:scope` form cannot carry; use letters and digits (`profiled keys new` makes one)",
                        key.name
                    )));
                }
                if plain.len() < 16 {
                    return Err(Error::Config(format!(
                        "API key `{}` is shorter than 16 characters",
                        key.name
                    )));
                }
            }
            validate_limits(&key.name, &key.limits)?;
            if let Some(bad) = key.cors_origins.iter().flatten().find(|o| !is_origin(o)) {
                return Err(Error::Config(format!(
                    "API key `{}`: CORS origin `{bad}` is not an origin: write `scheme://host[:port]`, without a path",
                    key.name
                )));
            }
            if key.scopes.is_empty() {
                return Err(Error::Config(format!(
                    "API key `{}` has no scope",
                    key.name
                )));
            }
        }
        if self.commit_interval.is_zero() || self.commit_interval > Duration::from_secs(60) {
            return Err(Error::Config(
                "commit interval must lie between 1 ms and 60 s".into(),
            ));
        }
        if self.compact_after_idle.is_zero() {
            return Err(Error::Config(
                "compact_after_idle_secs must be positive".into(),
            ));
        }
        if self.max_body_bytes < 1024 || self.limits.max_line_bytes < 256 {
            return Err(Error::Config(
                "max_body_bytes must be at least 1024 and max_line_bytes at least 256".into(),
            ));
        }
        if self.limits.max_field_chars < 16 {
            return Err(Error::Config("max_field_chars must be at least 16".into()));
        }
        if !(86_400..=3650 * 86_400).contains(&self.retention.window_secs) {
            return Err(Error::Config(
                "retention_days must lie between 1 and 3650".into(),
            ));
        }
        if !(Duration::from_secs(3600)..=Duration::from_secs(720 * 3600))
            .contains(&self.purge_window)
        {
            return Err(Error::Config(
                "purge_window_hours must lie between 1 and 720".into(),
            ));
        }
        if self.sweep_interval.is_zero() || self.max_sightings == 0 {
            return Err(Error::Config(
                "sweep_interval_secs and max_sightings must be positive".into(),
            ));
        }
        if self.max_enrich_records == 0 {
            return Err(Error::Config("max_enrich_records must be positive".into()));
        }
        if self.privacy.audit_retention_days == 0 {
            return Err(Error::Config(
                "privacy.audit_retention_days must be positive".into(),
            ));
        }
        if self.request_timeout.is_zero() || self.header_read_timeout.is_zero() {
            return Err(Error::Config(
                "the request and header-read timeouts must be positive".into(),
            ));
        }
        if self.stall_timeout <= self.request_timeout {
            return Err(Error::Config(
                "stall_timeout_ms must be longer than request_timeout_ms (a request still working must be answered before its connection counts as stalled)".into(),
            ));
        }
        if self.max_connections == 0 || self.max_in_flight == 0 || self.read_threads == 0 {
            return Err(Error::Config(
                "max_connections, max_in_flight and read_threads must be positive".into(),
            ));
        }
        if let Some(bad) = self.cors_origins.iter().find(|o| !is_origin(o)) {
            return Err(Error::Config(format!(
                "CORS origin `{bad}` is not an origin: write `scheme://host[:port]`, without a path"
            )));
        }
        if let Some(bad) = self
            .allowed_hosts
            .iter()
            .find(|h| h.is_empty() || h.contains(['/', ' ', ',', '@', '*']))
        {
            return Err(Error::Config(format!(
                "allowed host `{bad}` is not a host name: write `name` or `name:port`"
            )));
        }
        Ok(())
    }

    /// The names of the keys given in plain text (they log a warning at start).
    pub fn plain_text_keys(&self) -> Vec<&str> {
        self.api_keys
            .iter()
            .filter(|k| k.secret.is_plain())
            .map(|k| k.name.as_str())
            .collect()
    }

    /// The engine's part of the configuration.
    pub fn engine(&self) -> EngineConfig {
        EngineConfig {
            data_dir: self.data_dir.clone(),
            cache_bytes: self.cache_bytes,
            indexer: IndexerConfig {
                commit_interval: self.commit_interval,
                compact_after_idle: self.compact_after_idle,
                ..IndexerConfig::default()
            },
            email_key: self.email_key,
            limits: self.limits.clone(),
            retention: self.retention,
            purge_window_secs: self.purge_window.as_secs() as i64,
            privacy: self.privacy.clone(),
            disk_reserve_bytes: self.disk_reserve_bytes,
        }
    }
}

/// A key's limits must be positive, and a burst needs a rate.
pub fn validate_limits(name: &str, limits: &KeyLimits) -> Result<()> {
    if let Some(rate) = limits.rate_per_second {
        if !(rate.is_finite() && rate > 0.0 && rate <= 1e6) {
            return Err(Error::Config(format!(
                "API key `{name}`: rate_per_second must lie between 0 (exclusive) and 1000000"
            )));
        }
    }
    match (limits.burst, limits.rate_per_second) {
        (Some(0), _) => Err(Error::Config(format!(
            "API key `{name}`: burst must be at least 1"
        ))),
        (Some(_), None) => Err(Error::Config(format!(
            "API key `{name}`: burst needs rate_per_second"
        ))),
        _ if limits.daily_quota == Some(0) => Err(Error::Config(format!(
            "API key `{name}`: daily_quota must be at least 1 (leave it out for no quota)"
        ))),
        _ => Ok(()),
    }
}

/// `scheme://host[:port]` with nothing after it: what a browser sends as `Origin`.
pub fn is_origin(text: &str) -> bool {
    match text.split_once("://") {
        Some((scheme, rest)) => {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !rest.is_empty()
                && !rest.contains(['/', '?', '#', '*', ' ', ','])
        }
        None => false,
    }
}

fn parse_key_hex(text: &str) -> Result<[u8; 32]> {
    crate::email::parse_sha256_hex(text)
        .ok_or_else(|| Error::Config("the email key must be 64 hex digits".into()))
}

/// Parses a listen address `host:port`: an IP address (`127.0.0.1:7878`, `[::1]:7878`)
/// or a name that resolves (`localhost:7878`; the first address it resolves to).
pub fn parse_listen(text: &str) -> std::result::Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    let text = text.trim();
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let expected =
        "give the listen address as host:port, e.g. 127.0.0.1:7878, [::1]:7878 or localhost:7878";
    let Some((host, port)) = text.rsplit_once(':') else {
        return Err(format!("`{text}` has no port; {expected}"));
    };
    if host.is_empty() || port.parse::<u16>().is_err() {
        return Err(format!("`{text}` is not host:port; {expected}"));
    }
    let mut addrs = text
        .to_socket_addrs()
        .map_err(|err| format!("cannot resolve `{host}`: {err}; {expected}"))?;
    addrs
        .next()
        .ok_or_else(|| format!("`{host}` resolves to no address; {expected}"))
}

/// Parses `name:key:scope+scope,...`.
pub fn parse_api_keys(text: &str) -> Result<Vec<ApiKey>> {
    text.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let parts: Vec<&str> = entry.split(':').collect();
            match parts[..] {
                [name, key, scopes] if !name.is_empty() && !key.is_empty() => Ok(ApiKey {
                    name: name.to_owned(),
                    secret: KeySecret::Plain(key.to_owned()),
                    scopes: scopes.split('+').map(Scope::parse).collect::<Result<_>>()?,
                    limits: KeyLimits::default(),
                    cors_origins: None,
                }),
                [name, _, _, _, ..] => Err(Error::Config(format!(
                    "API key `{name}` has more than two `:`; a key cannot contain `:` (keys are written `name:key:scope+scope`)"
                ))),
                _ => Err(Error::Config(
                    "API keys are written `name:key:scope+scope`, comma-separated".into(),
                )),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_parse_and_never_show_in_debug() {
        let keys = parse_api_keys(
            "ext:0123456789abcdef0123:lookup+enrich, ops:fedcba9876543210fedc:admin",
        )
        .expect("valid");
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].scopes, vec![Scope::Lookup, Scope::Enrich]);
        assert!(!format!("{keys:?}").contains("0123456789abcdef"));
        assert!(parse_api_keys("nocolon").is_err());
        let colon = parse_api_keys("ext:0123:456789abcdef0123:lookup").expect_err("colon");
        assert!(colon.to_string().contains("cannot contain `:`"), "{colon}");
        assert!(!colon.to_string().contains("0123"), "{colon}");
        assert!(parse_api_keys("a:b:flying").is_err());
    }

    #[test]
    fn unauthenticated_public_bind_is_refused() {
        let args = ServeArgs {
            listen: Some("0.0.0.0:7878".parse().expect("addr")),
            ..ServeArgs::default()
        };
        let err = Config::resolve(&args).expect_err("must refuse");
        assert!(err.to_string().contains("refusing"), "{err}");
        assert!(err.to_string().contains("--api-keys"), "{err}");
        assert!(err.to_string().contains("PROFILED_API_KEYS"), "{err}");
        let args = ServeArgs {
            listen: Some("0.0.0.0:7878".parse().expect("addr")),
            api_keys: Some("ops:fedcba9876543210fedc:admin".into()),
            ..ServeArgs::default()
        };
        assert!(Config::resolve(&args).is_ok());
    }

    #[test]
    fn read_threads_default_to_one_per_core_and_zero_is_a_start_up_error() {
        let config = Config::resolve(&ServeArgs::default()).expect("defaults");
        assert_eq!(config.read_threads, cores());
        let args = ServeArgs {
            read_threads: Some(3),
            ..ServeArgs::default()
        };
        assert_eq!(Config::resolve(&args).expect("three").read_threads, 3);
        let args = ServeArgs {
            read_threads: Some(0),
            ..ServeArgs::default()
        };
        let err = Config::resolve(&args).expect_err("zero threads");
        assert!(
            err.to_string().contains("read_threads must be positive"),
            "{err}"
        );
    }

    #[test]
    fn a_key_name_with_a_control_character_is_a_start_up_error() {
        let args = ServeArgs {
            api_keys: Some("e\u{0}xt:0123456789abcdef0123:lookup".into()),
            ..ServeArgs::default()
        };
        let err = Config::resolve(&args).expect_err("control character");
        assert!(err.to_string().contains("printable"), "{err}");
    }

    #[test]
    fn a_duplicate_key_name_is_a_start_up_error() {
        let args = ServeArgs {
            api_keys: Some("ext:0123456789abcdef0123:lookup,ext:fedcba9876543210fedc:admin".into()),
            ..ServeArgs::default()
        };
        let err = Config::resolve(&args).expect_err("duplicate name");
        assert!(err.to_string().contains("`ext` is given twice"), "{err}");
    }

    fn resolve_file(text: &str) -> Result<Config> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("profiled.toml");
        std::fs::write(&path, text).expect("write");
        Config::resolve(&ServeArgs {
            data: DataArgs {
                config: Some(path),
                ..DataArgs::default()
            },
            ..ServeArgs::default()
        })
    }

    #[test]
    fn file_keys_take_a_hash_or_a_key_and_their_limits_are_checked() {
        let key = generate_key().expect("key");
        assert!(key.starts_with("pfd_") && key.len() == 47, "{key}");
        let (_, generated) = ApiKey::generate(
            "ext",
            &["lookup,enrich".into()],
            KeyLimits {
                rate_per_second: Some(5.0),
                burst: Some(10),
                daily_quota: Some(1000),
            },
            vec!["chrome-extension://abc".into()],
        )
        .expect("generated");
        let config = resolve_file(&generated.to_toml()).expect("the printed block is valid");
        let parsed = &config.api_keys[0];
        assert_eq!(parsed.secret.hash(), generated.secret.hash());
        assert!(!parsed.secret.is_plain());
        assert_eq!(parsed.scopes, vec![Scope::Lookup, Scope::Enrich]);
        assert_eq!(parsed.limits, generated.limits);
        assert_eq!(
            parsed.cors_origins.as_deref(),
            Some(&["chrome-extension://abc".to_owned()][..])
        );
        assert!(config.plain_text_keys().is_empty());
        let hash = format!("blake3:{}", hex::encode(hash_key("0123456789abcdef0123")));
        let plain =
            "[[api_keys]]\nname = \"dev\"\nkey = \"0123456789abcdef0123\"\nscopes = [\"admin\"]\n";
        assert_eq!(
            resolve_file(plain).expect("plain").plain_text_keys(),
            ["dev"]
        );
        for (bad, says) in [
            (
                format!("[[api_keys]]\nname = \"a\"\nhash = \"{hash}\"\nkey = \"0123456789abcdef0123\"\nscopes = [\"lookup\"]\n"),
                "exactly one of",
            ),
            (
                "[[api_keys]]\nname = \"a\"\nscopes = [\"lookup\"]\n".to_owned(),
                "exactly one of",
            ),
            (
                "[[api_keys]]\nname = \"a\"\nhash = \"sha1:00\"\nscopes = [\"lookup\"]\n".to_owned(),
                "blake3:",
            ),
            (
                format!("[[api_keys]]\nname = \"a\"\nhash = \"{hash}\"\nscopes = [\"lookup\"]\nburst = 5\n"),
                "burst needs rate_per_second",
            ),
            (
                format!("[[api_keys]]\nname = \"a\"\nhash = \"{hash}\"\nscopes = [\"lookup\"]\ndaily_quota = 0\n"),
                "daily_quota",
            ),
            (
                format!("[[api_keys]]\nname = \"a\"\nhash = \"{hash}\"\nscopes = [\"lookup\"]\nrate_per_second = -1.0\n"),
                "rate_per_second",
            ),
            (
                format!("[[api_keys]]\nname = \"a\"\nhash = \"{hash}\"\nscopes = [\"lookup\"]\ncors_origins = [\"*\"]\n"),
                "not an origin",
            ),
            (
                format!("[[api_keys]]\nname = \"a\"\nhash = \"{hash}\"\nscopes = [\"lookup\"]\n[[api_keys]]\nname = \"a\"\nhash = \"{}\"\nscopes = [\"admin\"]\n", generated.to_toml().lines().nth(2).and_then(|l| l.split('"').nth(1)).expect("hash")),
                "`a` is given twice",
            ),
            (
                format!("{plain}[[api_keys]]\nname = \"b\"\nhash = \"{hash}\"\nscopes = [\"lookup\"]\n"),
                "share one key",
            ),
        ] {
            let err = resolve_file(&bad).expect_err(&bad);
            assert!(err.to_string().contains(says), "{bad}: {err}");
            assert!(!err.to_string().contains("0123456789abcdef0123"), "{err}");
        }
        assert!(ApiKey::generate("a b", &["lookup".into()], KeyLimits::default(), vec![]).is_err());
        assert!(ApiKey::generate("a", &[], KeyLimits::default(), vec![]).is_err());
        assert!(ApiKey::generate(
            "a",
            &["lookup".into()],
            KeyLimits::default(),
            vec!["x".into()]
        )
        .is_err());
    }

    #[test]
    fn listen_takes_a_host_name_and_says_what_form_it_expects() {
        let addr = parse_listen("localhost:7878").expect("resolves");
        assert!(addr.ip().is_loopback(), "{addr}");
        assert_eq!(addr.port(), 7878);
        assert_eq!(
            parse_listen("[::1]:80").expect("v6"),
            "[::1]:80".parse::<SocketAddr>().expect("addr")
        );
        for bad in ["localhost", "7878", ":7878", "localhost:http99"] {
            let err = parse_listen(bad).expect_err(bad);
            assert!(err.contains("host:port"), "{err}");
        }
    }

    #[test]
    fn cors_origins_come_from_flags_over_the_file_and_must_be_origins() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("profiled.toml");
        std::fs::write(&path, "cors_origins = [\"chrome-extension://abc\"]\n").expect("write");
        let data = DataArgs {
            config: Some(path),
            ..DataArgs::default()
        };
        let args = ServeArgs {
            data: data.clone(),
            ..ServeArgs::default()
        };
        let config = Config::resolve(&args).expect("valid");
        assert_eq!(config.cors_origins, vec!["chrome-extension://abc"]);
        let args = ServeArgs {
            data,
            cors_origins: vec!["http://localhost:3000".into()],
            ..ServeArgs::default()
        };
        let config = Config::resolve(&args).expect("valid");
        assert_eq!(config.cors_origins, vec!["http://localhost:3000"]);
        assert!(Config::resolve(&ServeArgs::default())
            .expect("valid")
            .cors_origins
            .is_empty());
        for bad in [
            "*",
            "chrome-extension://abc/",
            "localhost:3000",
            "https://a.b/path",
        ] {
            let args = ServeArgs {
                cors_origins: vec![bad.into()],
                ..ServeArgs::default()
            };
            assert!(Config::resolve(&args).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn the_purge_window_defaults_to_a_day_and_comes_from_one_path() {
        let config = Config::resolve(&ServeArgs::default()).expect("valid");
        assert_eq!(config.purge_window, Duration::from_secs(24 * 3600));
        assert_eq!(config.engine().purge_window_secs, 24 * 3600);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("profiled.toml");
        std::fs::write(&path, "purge_window_hours = 6\n").expect("write");
        let data = DataArgs {
            config: Some(path),
            ..DataArgs::default()
        };
        let offline = Config::resolve_offline(&data).expect("valid");
        assert_eq!(offline.purge_window, Duration::from_secs(6 * 3600));
        let flagged = Config::resolve_offline(&DataArgs {
            purge_window_hours: Some(2),
            ..data
        })
        .expect("valid");
        assert_eq!(flagged.purge_window, Duration::from_secs(2 * 3600));
        let zero = Config::resolve_offline(&DataArgs {
            purge_window_hours: Some(0),
            ..DataArgs::default()
        });
        assert!(zero.is_err());
    }

    #[test]
    fn file_values_apply_below_flags() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("profiled.toml");
        std::fs::write(&path, "commit_interval_ms = 250\ncache_mb = 64\n").expect("write");
        let args = ServeArgs {
            data: DataArgs {
                config: Some(path),
                cache_mb: Some(32),
                ..DataArgs::default()
            },
            ..ServeArgs::default()
        };
        let config = Config::resolve(&args).expect("valid");
        assert_eq!(config.commit_interval, Duration::from_millis(250));
        assert_eq!(config.cache_bytes, 32 << 20);
    }
}
