//! The library's error type and its stable code → HTTP status table.
//!
//! Every error has a stable machine-readable [`Error::code`] and an HTTP status. Client
//! errors carry a message written for the client (never an echo of personal data);
//! server errors are logged with their detail and reach clients only as their code.

use thiserror::Error;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Error)]
pub enum Error {
    /// The request is malformed or breaks a documented limit.
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("the request body exceeds the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("a batch holds at most {limit} records; stream larger jobs as NDJSON")]
    TooManyRecords { limit: usize },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("missing or unknown API key")]
    Unauthorized,
    #[error("this API key lacks the `{0}` scope")]
    Forbidden(&'static str),
    #[error("the daemon is shutting down")]
    Unavailable,
    #[error("the data directory is in use by another profiled process")]
    StoreLocked,
    #[error("the store has format version {found}; this build reads version {expected}")]
    StoreFormat { found: u32, expected: u32 },
    #[error("configuration: {0}")]
    Config(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("internal error: {0}")]
    Internal(String),
    #[error("storage error: {0}")]
    Storage(#[from] sled::Error),
    /// A tantivy error, converted inside `index/` (the only module that speaks tantivy).
    #[error("index error: {0}")]
    Index(String),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// Stable identifier clients can branch on; part of the API contract.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidInput(_) => "invalid_request",
            Error::NotFound(_) => "not_found",
            Error::PayloadTooLarge { .. } => "payload_too_large",
            Error::TooManyRecords { .. } => "too_many_records",
            Error::UnsupportedMediaType(_) => "unsupported_media_type",
            Error::Unauthorized => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::Unavailable => "unavailable",
            Error::StoreLocked => "store_locked",
            Error::StoreFormat { .. } => "store_format",
            Error::Config(_) => "config",
            Error::Corrupt(_) => "corrupt",
            Error::Internal(_) | Error::Storage(_) | Error::Index(_) | Error::Io(_) => "internal",
        }
    }

    /// HTTP status for this error.
    pub fn status(&self) -> u16 {
        match self {
            Error::InvalidInput(_) => 400,
            Error::Unauthorized => 401,
            Error::Forbidden(_) => 403,
            Error::NotFound(_) => 404,
            Error::PayloadTooLarge { .. } | Error::TooManyRecords { .. } => 413,
            Error::UnsupportedMediaType(_) => 415,
            Error::Unavailable | Error::StoreLocked => 503,
            _ => 500,
        }
    }

    /// Short human title per code (the problem+json `title`).
    pub fn title(&self) -> &'static str {
        match self.code() {
            "invalid_request" => "Invalid request",
            "not_found" => "Not found",
            "payload_too_large" | "too_many_records" => "Payload too large",
            "unsupported_media_type" => "Unsupported media type",
            "unauthorized" => "Unauthorized",
            "forbidden" => "Forbidden",
            "unavailable" => "Service unavailable",
            _ => "Internal error",
        }
    }

    /// Whether the message may be shown to a client (server-side details never are).
    pub fn is_client_error(&self) -> bool {
        self.status() < 500 || matches!(self, Error::Unavailable)
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidInput(message.into())
    }
}

/// Describes a JSON error by category and position only: serde's messages can quote the
/// offending value, which may be a personal datum.
pub fn describe_json_error(err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match err.classify() {
        Category::Syntax => "malformed JSON".to_owned(),
        Category::Eof => "unexpected end of JSON".to_owned(),
        Category::Io => "unreadable body".to_owned(),
        Category::Data => {
            let message = err.to_string();
            // Keep serde's structural wording ("unknown field `x`", "missing field `x`",
            // "invalid type: ..., expected ...") but drop quoted values.
            if message.contains("unknown field") {
                match unknown_field_name(&message) {
                    Some(name) => format!("unknown field `{name}`"),
                    None => "unknown field".to_owned(),
                }
            } else if let Some(start) = message.find("missing field") {
                message[start..]
                    .split(" at line")
                    .next()
                    .unwrap_or("missing field")
                    .to_owned()
            } else if let Some(expected) = message.find("expected") {
                let end = message.find(" at line").unwrap_or(message.len());
                format!("wrong type: {}", &message[expected..end.max(expected)])
            } else {
                "wrong shape".to_owned()
            }
        }
    };
    format!("{what} at line {} column {}", err.line(), err.column())
}

/// The key serde names as unknown, only when it reads as a field name: a client's key can
/// be any text (an address, control characters), and an error must not echo it.
fn unknown_field_name(message: &str) -> Option<&str> {
    const OPEN: &str = "unknown field `";
    let rest = &message[message.find(OPEN)? + OPEN.len()..];
    let name = &rest[..rest.find('`')?];
    let field_like = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    field_like.then_some(name)
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
    fn json_errors_never_quote_values() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Body {
            candidates: Option<usize>,
        }
        let err = serde_json::from_str::<Body>(r#"{"candidates":"jane.doe@acme.nl"}"#)
            .expect_err("wrong type");
        let described = describe_json_error(&err);
        assert!(!described.contains("jane"), "{described}");
        assert!(described.contains("expected"), "{described}");
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Strict {
            a: Option<u8>,
        }
        let err = serde_json::from_str::<Strict>(r#"{"b":1}"#).expect_err("unknown");
        assert!(describe_json_error(&err).contains("unknown field `b`"));
    }

    /// Found by the lookup_request fuzz target: `{"c\u007fmpany":…}` came back as
    /// "unknown field `c\u{7f}mpany`", a control character in a client's error message;
    /// a key holding an address was echoed the same way.
    #[test]
    fn unknown_field_names_with_control_characters_or_addresses_are_not_echoed() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Strict {
            company: Option<String>,
        }
        for body in [
            "{\"c\u{7f}mpany\":\"Acme\"}",
            r#"{"jane.doe@acme.nl":1}"#,
            r#"{"line\nbreak":1}"#,
        ] {
            let err = serde_json::from_str::<Strict>(body).expect_err("unknown field");
            let described = describe_json_error(&err);
            assert!(
                described.starts_with("unknown field at line 1"),
                "{described:?}"
            );
            assert!(!described.chars().any(char::is_control), "{described:?}");
        }
        let err = serde_json::from_str::<Strict>(r#"{"compnay":1}"#).expect_err("unknown");
        assert!(describe_json_error(&err).starts_with("unknown field `compnay` at line 1"));
    }
}
