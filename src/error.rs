//! The library's error type and its stable code → HTTP status table.
//!
//! Every error has a stable machine-readable [`Error::code`] and an HTTP status. Client
//! errors carry a message written for the client (never an echo of personal data);
//! server errors are logged with their detail and reach clients only as their code.

use thiserror::Error;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The error table: one row per code — the stable code clients branch on, its HTTP
/// status and its problem+json `title`. The OpenAPI document's `Problem.code` enum is
/// generated from [`Code::ALL`], so the table and the document cannot drift apart.
macro_rules! codes {
    ($($name:ident => ($code:literal, $status:literal, $title:literal),)*) => {
        /// A stable error code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Code {
            $($name,)*
        }

        impl Code {
            /// Every code, in table order.
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$name => $code,)*
                }
            }

            pub fn status(self) -> u16 {
                match self {
                    $(Code::$name => $status,)*
                }
            }

            pub fn title(self) -> &'static str {
                match self {
                    $(Code::$name => $title,)*
                }
            }
        }
    };
}

codes! {
    InvalidRequest => ("invalid_request", 400, "Invalid request"),
    Unauthorized => ("unauthorized", 401, "Unauthorized"),
    Forbidden => ("forbidden", 403, "Forbidden"),
    OriginNotAllowed => ("origin_not_allowed", 403, "Forbidden"),
    HostNotAllowed => ("host_not_allowed", 403, "Forbidden"),
    NotFound => ("not_found", 404, "Not found"),
    MethodNotAllowed => ("method_not_allowed", 405, "Method not allowed"),
    Conflict => ("conflict", 409, "Conflict"),
    PayloadTooLarge => ("payload_too_large", 413, "Payload too large"),
    TooManyRecords => ("too_many_records", 413, "Payload too large"),
    UriTooLong => ("uri_too_long", 414, "URI too long"),
    UnsupportedMediaType => ("unsupported_media_type", 415, "Unsupported media type"),
    RateLimited => ("rate_limited", 429, "Too many requests"),
    QuotaExceeded => ("quota_exceeded", 429, "Too many requests"),
    HeadersTooLarge => ("headers_too_large", 431, "Request header fields too large"),
    Unavailable => ("unavailable", 503, "Service unavailable"),
    Overloaded => ("overloaded", 503, "Service unavailable"),
    StoreLocked => ("store_locked", 503, "Service unavailable"),
    DiskFull => ("disk_full", 507, "Insufficient storage"),
    StoreFormat => ("store_format", 500, "Internal error"),
    Config => ("config", 500, "Internal error"),
    Corrupt => ("corrupt", 500, "Internal error"),
    Internal => ("internal", 500, "Internal error"),
}

#[derive(Debug, Error)]
pub enum Error {
    /// The request is malformed or breaks a documented limit.
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("this route does not accept that method")]
    MethodNotAllowed,
    /// The request contradicts what is stored (e.g. completing a completed request).
    #[error("{0}")]
    Conflict(String),
    #[error("the request body exceeds the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("a batch holds at most {limit} records; stream larger jobs as NDJSON")]
    TooManyRecords { limit: usize },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("missing or unknown API key; send it as `Authorization: Bearer <key>`")]
    Unauthorized,
    #[error("this API key lacks the `{0}` scope")]
    Forbidden(&'static str),
    #[error("requests from this browser origin are not allowed (with this key); list the origin in the key's cors_origins, or in cors_origins for the open mode")]
    OriginNotAllowed,
    #[error("the Host header names no address this daemon answers to; use the listen address or localhost, or list the name in allowed_hosts")]
    HostNotAllowed,
    #[error("this API key's rate limit is reached; retry in {retry_after} s")]
    RateLimited { retry_after: u64 },
    #[error("this API key's daily quota of {limit} records has {remaining} left, fewer than the request needs; it renews at 00:00 UTC, in {retry_after} s")]
    QuotaExceeded {
        limit: u64,
        remaining: u64,
        retry_after: u64,
    },
    #[error("the daemon is shutting down")]
    Unavailable,
    #[error("the daemon is at its limit of requests in flight; retry in {retry_after} s")]
    Overloaded { retry_after: u64 },
    /// The data directory's disk has too little room for the write (or sled failed one
    /// and waits for room to be reopened). Reads go on; writes resume once space is freed.
    #[error("the data directory's disk is full: writes are refused until space is freed (reads go on); nothing acknowledged is lost")]
    DiskFull,
    #[error("the store {} is in use by another profiled process{}; stop it or choose another --data-dir", dir.display(), pid.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    StoreLocked {
        dir: std::path::PathBuf,
        pid: Option<u32>,
    },
    #[error("the store has format version {found}; this build reads version {expected}")]
    StoreFormat { found: u32, expected: u32 },
    #[error("configuration: {0}")]
    Config(String),
    /// The listen address could not be bound (named once; the cause is not a `source`,
    /// so `{:#}` chains do not repeat it).
    #[error("cannot listen on {addr}: {reason}")]
    Listen {
        addr: std::net::SocketAddr,
        reason: std::io::Error,
    },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("internal error: {0}")]
    Internal(String),
    // The wrapped errors are shown in the message and deliberately not chained as a
    // `source`: `{:#}` would print them twice ("…(os error 98): …(os error 98)").
    #[error("storage error: {0}")]
    Storage(sled::Error),
    /// A tantivy error, converted inside `index/` (the only module that speaks tantivy).
    #[error("index error: {0}")]
    Index(String),
    #[error("i/o error: {0}")]
    Io(std::io::Error),
}

impl From<sled::Error> for Error {
    fn from(err: sled::Error) -> Self {
        match err {
            sled::Error::Io(io) if is_disk_full(&io) => Error::DiskFull,
            other => Error::Storage(other),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        if is_disk_full(&err) {
            Error::DiskFull
        } else {
            Error::Io(err)
        }
    }
}

impl Error {
    /// This error's row of the table.
    pub fn kind(&self) -> Code {
        match self {
            Error::InvalidInput(_) => Code::InvalidRequest,
            Error::NotFound(_) => Code::NotFound,
            Error::MethodNotAllowed => Code::MethodNotAllowed,
            Error::Conflict(_) => Code::Conflict,
            Error::PayloadTooLarge { .. } => Code::PayloadTooLarge,
            Error::TooManyRecords { .. } => Code::TooManyRecords,
            Error::UnsupportedMediaType(_) => Code::UnsupportedMediaType,
            Error::Unauthorized => Code::Unauthorized,
            Error::Forbidden(_) => Code::Forbidden,
            Error::OriginNotAllowed => Code::OriginNotAllowed,
            Error::HostNotAllowed => Code::HostNotAllowed,
            Error::RateLimited { .. } => Code::RateLimited,
            Error::QuotaExceeded { .. } => Code::QuotaExceeded,
            Error::Unavailable => Code::Unavailable,
            Error::Overloaded { .. } => Code::Overloaded,
            Error::StoreLocked { .. } => Code::StoreLocked,
            Error::DiskFull => Code::DiskFull,
            Error::StoreFormat { .. } => Code::StoreFormat,
            Error::Config(_) => Code::Config,
            Error::Corrupt(_) => Code::Corrupt,
            Error::Listen { .. }
            | Error::Internal(_)
            | Error::Storage(_)
            | Error::Index(_)
            | Error::Io(_) => Code::Internal,
        }
    }

    /// Stable identifier clients can branch on; part of the API contract.
    pub fn code(&self) -> &'static str {
        self.kind().as_str()
    }

    /// HTTP status for this error.
    pub fn status(&self) -> u16 {
        self.kind().status()
    }

    /// Short human title per code (the problem+json `title`).
    pub fn title(&self) -> &'static str {
        self.kind().title()
    }

    /// Whether the message may be shown to a client (server-side details never are).
    pub fn is_client_error(&self) -> bool {
        self.status() < 500
            || matches!(
                self,
                Error::Unavailable | Error::Overloaded { .. } | Error::DiskFull
            )
    }

    /// Seconds after which a refused request may succeed (`Retry-After`), where known.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Error::RateLimited { retry_after }
            | Error::QuotaExceeded { retry_after, .. }
            | Error::Overloaded { retry_after } => Some(*retry_after),
            Error::DiskFull => Some(DISK_FULL_RETRY_AFTER),
            _ => None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidInput(message.into())
    }

    /// The data directory's store is held by another process: names the directory and,
    /// where the system tells (Linux's `/proc/locks`), the process holding it.
    pub fn store_locked(dir: &std::path::Path) -> Self {
        Error::StoreLocked {
            dir: dir.to_path_buf(),
            pid: lock_holder(&dir.join("db")),
        }
    }
}

/// Seconds a client refused for a full disk is told to wait.
const DISK_FULL_RETRY_AFTER: u64 = 30;

/// Whether an I/O error says the disk (or the user's quota on it) is full. sled hands on
/// a copy of its first error that keeps only the kind, so the kind is what is compared.
pub fn is_disk_full(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    ) || matches!(err.raw_os_error(), Some(libc::ENOSPC | libc::EDQUOT))
}

/// The process holding a lock on `file`, read from `/proc/locks` (Linux; else `None`).
fn lock_holder(file: &std::path::Path) -> Option<u32> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let inode = std::fs::metadata(file).ok()?.ino();
        let locks = std::fs::read_to_string("/proc/locks").ok()?;
        // "1: FLOCK  ADVISORY  WRITE 12345 08:01:1234567 0 EOF"
        locks.lines().find_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let pid = fields.get(4)?.parse::<u32>().ok()?;
            let lock_inode = fields.get(5)?.rsplit(':').next()?.parse::<u64>().ok()?;
            (lock_inode == inode && pid != std::process::id()).then_some(pid)
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = file;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_stable_statuses() {
        assert_eq!(Error::invalid("x").status(), 400);
        assert_eq!(Error::NotFound("profile").status(), 404);
        assert_eq!(Error::PayloadTooLarge { limit: 1 }.status(), 413);
        assert_eq!(Error::Internal("boom".into()).status(), 500);
        assert_eq!(Error::Internal("boom".into()).code(), "internal");
        assert!(!Error::Internal("boom".into()).is_client_error());
    }

    #[test]
    fn every_code_is_in_the_table_once() {
        let mut codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Code::ALL.len());
        assert_eq!(Error::MethodNotAllowed.status(), 405);
        assert_eq!(Error::Unauthorized.status(), 401);
    }

    #[test]
    fn a_full_disk_is_507_wherever_it_is_met() {
        let enospc = || std::io::Error::from_raw_os_error(libc::ENOSPC);
        assert_eq!(Error::DiskFull.status(), 507);
        assert_eq!(Error::from(enospc()).code(), "disk_full");
        // sled's copy of its first error keeps only the kind.
        let copied = std::io::Error::new(enospc().kind(), format!("{:?}", enospc()));
        assert_eq!(Error::from(sled::Error::Io(copied)).status(), 507);
        assert!(Error::DiskFull.is_client_error());
        assert_eq!(Error::DiskFull.retry_after(), Some(DISK_FULL_RETRY_AFTER));
        assert_eq!(
            Error::from(std::io::Error::from(std::io::ErrorKind::NotFound)).status(),
            500
        );
    }

    #[test]
    fn a_wrapped_error_is_named_once_in_a_chain() {
        let err = anyhow::Error::from(Error::from(std::io::Error::from(
            std::io::ErrorKind::AddrInUse,
        )));
        let chain = format!("{err:#}");
        assert_eq!(chain.matches("in use").count(), 1, "{chain}");
    }
}
