//! CORS for browser clients such as the extension (`chrome-extension://<id>`): the
//! configured origins may call the API, preflights are answered with the methods and
//! headers the API takes, and with no origin configured no layer is added at all, so no
//! browser origin is allowed.
//!
//! Until keys carry their own origins (per-key CORS), the allow-list is daemon-wide; a
//! browser client still needs a key with the right scope for every call.

use axum::http::{header, HeaderValue, Method};
use std::time::Duration;
use tower_http::cors::{AllowOrigin, AllowPrivateNetwork, CorsLayer};

/// How long a browser may cache a preflight answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// The CORS layer for `origins` (already validated by the configuration), or `None`
/// when no origin is allowed.
pub fn layer(origins: &[String]) -> Option<CorsLayer> {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    if allowed.is_empty() {
        return None;
    }
    let private_network = allowed.clone();
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(allowed))
            .allow_methods([Method::GET, Method::POST, Method::PATCH])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
            // Chromium asks before a public origin reaches a loopback or private address.
            .allow_private_network(AllowPrivateNetwork::predicate(move |origin, _| {
                private_network.contains(origin)
            }))
            .max_age(PREFLIGHT_MAX_AGE),
    )
}
