//! The guard every request passes before its route: it decides who is calling and from
//! where, before any handler reads the body.
//!
//! 1. **Host** (open mode only: no keys, loopback): the `Host` header must name the listen
//!    address, `localhost`, `127.0.0.1` or `[::1]`, or a name in `allowed_hosts` — else
//!    403 `host_not_allowed`. This stops DNS rebinding, where a page's own name comes to
//!    resolve to 127.0.0.1 and the browser treats the daemon as that page's origin. The
//!    name is what matters: a browser sends the name of the page's URL, so only a page
//!    already served from a loopback name can send one, and any port is accepted (an
//!    `ssh -L` forward arrives with its own). An `allowed_hosts` entry `name:port` admits
//!    that port only.
//! 2. **Origin**: a request whose `Origin` is not the daemon's own must come from an
//!    origin some CORS list allows (the open mode's list, or some key's) — else 403
//!    `origin_not_allowed`. Preflights from allowed origins are answered here.
//! 3. **Body type**: a body must be declared JSON, NDJSON or CSV (415 otherwise), so a
//!    cross-site HTML form (which can only send form or `text/plain` bodies without a
//!    preflight) cannot write.
//! 4. **Key**: the `Authorization` key is verified once; its holder must be allowed the
//!    request's origin (403) and have a request token (429). The holder goes into the
//!    request's extensions for `Authorized<Scope>`; answers carry the key's `RateLimit-*`
//!    headers and, for an allowed origin, the CORS headers.

use super::auth::{refused, Keys};
use super::cors;
use super::error::{is_json, media_type, ApiError};
use super::AppState;
use crate::error::Error;
use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_REQUEST_METHOD, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST, ORIGIN,
    TRANSFER_ENCODING,
};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::Instant;

/// The request-level access policy.
pub struct Guard {
    /// The host names the open mode answers to; `None` with keys.
    hosts: Option<Hosts>,
    /// Origins that may call at all (the open mode's list, or every key's).
    origins: HashSet<String>,
}

impl Guard {
    pub fn new(
        keys: &Keys,
        listen: SocketAddr,
        cors_origins: &[String],
        allowed_hosts: &[String],
    ) -> Self {
        let origins = if keys.is_open() {
            cors_origins.iter().cloned().collect()
        } else {
            keys.origins().map(str::to_owned).collect()
        };
        Self {
            hosts: keys.is_open().then(|| Hosts::new(listen, allowed_hosts)),
            origins,
        }
    }
}

/// Host names with their port (`None`: any port).
struct Hosts {
    names: Vec<(String, Option<u16>)>,
}

impl Hosts {
    fn new(listen: SocketAddr, allowed: &[String]) -> Self {
        let own = match listen {
            SocketAddr::V4(v4) => v4.ip().to_string(),
            SocketAddr::V6(v6) => format!("[{}]", v6.ip()),
        };
        let mut names: Vec<(String, Option<u16>)> =
            [own.as_str(), "localhost", "127.0.0.1", "[::1]"]
                .into_iter()
                .map(|name| (name.to_owned(), None))
                .collect();
        names.extend(allowed.iter().filter_map(|entry| split_host(entry)));
        Self { names }
    }

    fn allows(&self, host: Option<&str>) -> bool {
        let Some((name, port)) = host.and_then(split_host) else {
            return false;
        };
        // A Host without a port names the scheme's default, 80 for http.
        let port = port.unwrap_or(80);
        self.names
            .iter()
            .any(|(n, p)| *n == name && p.is_none_or(|p| p == port))
    }
}

/// `name[:port]` or `[v6][:port]`, the name lower-cased without a trailing dot.
fn split_host(host: &str) -> Option<(String, Option<u16>)> {
    let host = host.trim();
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let (name, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            after => Some(after.strip_prefix(':')?.parse().ok()?),
        };
        (format!("[{name}]"), port)
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) => (name.to_owned(), Some(port.parse().ok()?)),
            None => (host.to_owned(), None),
        }
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    (!name.is_empty()).then_some((name, port))
}

/// Body media types the API reads.
fn is_body_type(content_type: &str) -> bool {
    is_json(content_type)
        || matches!(
            media_type(content_type).as_str(),
            "application/x-ndjson" | "application/ndjson" | "application/jsonl" | "text/csv"
        )
}

/// A body's content type must be one the API reads.
fn check_body_type(headers: &HeaderMap) -> Result<(), Error> {
    let has_body = headers.contains_key(TRANSFER_ENCODING)
        || headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|len| len.trim() != "0");
    if !has_body {
        return Ok(());
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if is_body_type(content_type) {
        Ok(())
    } else {
        Err(Error::UnsupportedMediaType(
            "send the body as application/json (or application/x-ndjson, or text/csv, where the route takes it)"
                .into(),
        ))
    }
}

fn header(headers: &HeaderMap, name: axum::http::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The middleware (see the module documentation for the order of the checks).
pub async fn guard(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = header(headers, HOST).map(str::to_owned);
    if let Some(hosts) = &state.guard.hosts {
        if !hosts.allows(host.as_deref()) {
            return ApiError(Error::HostNotAllowed).into_response();
        }
    }
    let cross = header(headers, ORIGIN)
        .filter(|origin| !cors::same_origin(origin, host.as_deref()))
        .map(str::to_owned);
    if let Some(origin) = &cross {
        if !state.guard.origins.contains(origin) {
            return ApiError(Error::OriginNotAllowed).into_response();
        }
        if request.method() == Method::OPTIONS
            && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
        {
            return cors::preflight(origin, headers);
        }
    }
    let key = state.keys.verify(header(headers, AUTHORIZATION));
    let checked = check_body_type(headers);
    let mut response = match (&key, checked) {
        (_, Err(err)) => ApiError(err).into_response(),
        (None, Ok(())) => next.run(request).await,
        (Some(key), Ok(())) => {
            state.metrics.key_request(&key.name);
            if cross.as_deref().is_some_and(|o| !key.allows_origin(o)) {
                ApiError(Error::OriginNotAllowed).into_response()
            } else if let Err(refusal) = key.usage.take_token(Instant::now()) {
                state.metrics.key_throttled(&key.name, "rate");
                ApiError(refused(refusal)).into_response()
            } else {
                request.extensions_mut().insert(key.clone());
                next.run(request).await
            }
        }
    };
    if let Some(window) = key
        .as_ref()
        .and_then(|key| key.usage.window(Instant::now(), state.keys.now()))
    {
        let headers = response.headers_mut();
        for (name, value) in [
            ("ratelimit-limit", window.limit),
            ("ratelimit-remaining", window.remaining),
            ("ratelimit-reset", window.reset),
        ] {
            headers.insert(name, HeaderValue::from(value));
        }
    }
    if let Some(origin) = &cross {
        cors::allow(&mut response, origin);
    }
    if !state.guard.origins.is_empty() {
        cors::vary(&mut response);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_mode_answers_to_its_own_names_only() {
        let hosts = Hosts::new(
            "127.0.0.1:7878".parse().expect("addr"),
            &["profiled.local".into(), "dev.example:9000".into()],
        );
        for ok in [
            "127.0.0.1:7878",
            "localhost:7878",
            "LOCALHOST:7878",
            "localhost.:7878",
            "localhost",
            "127.0.0.1:9999",
            "[::1]:7878",
            "profiled.local",
            "profiled.local:1234",
            "dev.example:9000",
        ] {
            assert!(hosts.allows(Some(ok)), "{ok}");
        }
        for bad in [
            "rebind.attacker.example:7878",
            "127.0.0.2:7878",
            "dev.example:9001",
            "dev.example",
            "",
            "[::1",
            "localhost:port",
        ] {
            assert!(!hosts.allows(Some(bad)), "{bad}");
        }
        assert!(!hosts.allows(None));
    }

    #[test]
    fn bodies_must_be_json_ndjson_or_csv() {
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/x-ndjson",
            "text/csv",
            "application/merge-patch+json",
        ] {
            assert!(is_body_type(ok), "{ok}");
        }
        for bad in [
            "",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonx",
        ] {
            assert!(!is_body_type(bad), "{bad}");
        }
        let mut headers = HeaderMap::new();
        assert!(check_body_type(&headers).is_ok());
        headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        assert!(check_body_type(&headers).is_ok());
        headers.insert(CONTENT_LENGTH, HeaderValue::from_static("2"));
        assert!(check_body_type(&headers).is_err());
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        assert!(check_body_type(&headers).is_ok());
    }
}
