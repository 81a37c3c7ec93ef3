//! CORS for browser clients such as the extension (`chrome-extension://<id>`).
//!
//! Each key names the origins it may be used from (`cors_origins` in its `[[api_keys]]`
//! entry); a key that names none takes the daemon-wide `cors_origins`, which is also the
//! allow-list of the open mode. Both are empty by default: no browser origin may call.
//!
//! A preflight carries no key, so it is answered for any origin some key (or the open
//! mode) allows — with the methods and headers the API takes — and refused (403) for any
//! other. The request itself is then checked against its key's own list by the guard.

use crate::error::Error;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// How long a browser may cache a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE: &str = "600";
const ALLOW_METHODS: &str = "GET, POST, PATCH";
const ALLOW_HEADERS: &str = "authorization, content-type, accept";
/// What a browser client may read of an answer besides the CORS-safelisted headers.
const EXPOSE_HEADERS: &str =
    "retry-after, ratelimit-limit, ratelimit-remaining, ratelimit-reset, www-authenticate";

/// The answer to a preflight from an allowed origin.
pub fn preflight(origin: &str, request_headers: &HeaderMap) -> Response {
    let Ok(origin) = HeaderValue::from_str(origin) else {
        return super::error::ApiError(Error::OriginNotAllowed).into_response();
    };
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOW_METHODS),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(ALLOW_HEADERS),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(PREFLIGHT_MAX_AGE),
    );
    // Chromium asks before a public origin reaches a loopback or private address.
    if request_headers
        .get("access-control-request-private-network")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true"))
    {
        headers.insert(
            "access-control-allow-private-network",
            HeaderValue::from_static("true"),
        );
    }
    headers.insert(header::VARY, HeaderValue::from_static("origin"));
    response
}

/// Lets the allowed `origin` read `response` (errors included).
pub fn allow(response: &mut Response, origin: &str) {
    let Ok(origin) = HeaderValue::from_str(origin) else {
        return;
    };
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
}

/// Marks an answer as depending on `Origin` (caches must not share it across origins).
pub fn vary(response: &mut Response) {
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("origin"));
}

/// Whether `origin` names the host the request was sent to (the console's own calls).
pub fn same_origin(origin: &str, host: Option<&str>) -> bool {
    let Some(host) = host else {
        return false;
    };
    match origin.split_once("://") {
        Some((scheme, rest)) => {
            (scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"))
                && rest.eq_ignore_ascii_case(host)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_origin_compares_scheme_host_and_port() {
        assert!(same_origin("http://127.0.0.1:7878", Some("127.0.0.1:7878")));
        assert!(same_origin(
            "https://Profiled.Example",
            Some("profiled.example")
        ));
        assert!(!same_origin(
            "http://127.0.0.1:7879",
            Some("127.0.0.1:7878")
        ));
        assert!(!same_origin("null", Some("127.0.0.1:7878")));
        assert!(!same_origin("chrome-extension://abc", Some("abc")));
        assert!(!same_origin("http://127.0.0.1:7878", None));
    }
}
