//! The ceiling reference of `scripts/bench`: a bare axum/hyper server that does what any
//! lookup server must do at the HTTP edge and nothing else. It parses `POST /v1/lookup`
//! into a struct of the lookup request's fields and answers with a fixed JSON body (a real
//! answer captured from profiled, so the bytes on the wire are the same size). profiled ÷
//! this is the share of the HTTP stack's best that the daemon reaches.
//!
//! ```sh
//! cargo run --release --example bench-ceiling -- --listen 127.0.0.1:7990 --body answer.json
//! ```
//!
//! `GET /healthz` answers `{"status":"ok"}` for readiness polling.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::net::SocketAddr;
use std::process::ExitCode;

/// The fields of profiled's `LookupRequest`, parsed the same way (all optional).
#[derive(Deserialize)]
struct LookupRequest {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    company: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_sha256: Option<String>,
    #[serde(default)]
    city: Option<String>,
    #[serde(default)]
    postcode: Option<String>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    min_confidence: Option<f64>,
    #[serde(default)]
    candidates: Option<usize>,
    #[serde(default)]
    explain: Option<bool>,
}

impl LookupRequest {
    /// The same minimal check profiled makes first: something to look up by.
    fn is_valid(&self) -> bool {
        let named = self.name.is_some() || (self.first_name.is_some() && self.last_name.is_some());
        let located = self.company.is_some()
            || self.city.is_some()
            || self.postcode.is_some()
            || self.country.is_some();
        let options_ok = self.min_confidence.is_none_or(|c| (0.0..=1.0).contains(&c))
            && self.candidates.is_none_or(|c| c <= 20);
        std::hint::black_box(self.explain);
        options_ok && ((named && located) || self.email.is_some() || self.email_sha256.is_some())
    }
}

#[derive(Clone)]
struct Answer(Bytes);

async fn lookup(State(answer): State<Answer>, Json(request): Json<LookupRequest>) -> Response {
    if !std::hint::black_box(&request).is_valid() {
        return (
            StatusCode::BAD_REQUEST,
            "a lookup needs a name with a company or location, or an email",
        )
            .into_response();
    }
    let mut response = answer.0.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({"status": "ok"}))
}

fn usage() -> ExitCode {
    eprintln!("usage: bench-ceiling --listen ADDR:PORT --body FILE");
    ExitCode::FAILURE
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut listen: Option<SocketAddr> = None;
    let mut body_path: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--listen", Some(value)) => match value.parse() {
                Ok(addr) => listen = Some(addr),
                Err(_) => {
                    eprintln!("bench-ceiling: --listen {value:?} is not an address:port");
                    return ExitCode::FAILURE;
                }
            },
            ("--body", Some(value)) => body_path = Some(value),
            _ => return usage(),
        }
    }
    let (Some(listen), Some(body_path)) = (listen, body_path) else {
        return usage();
    };
    let body = match std::fs::read(&body_path) {
        Ok(body) => body,
        Err(err) => {
            eprintln!("bench-ceiling: reading {body_path}: {err}");
            return ExitCode::FAILURE;
        }
    };
    if serde_json::from_slice::<serde_json::Value>(&body).is_err() {
        eprintln!("bench-ceiling: {body_path} does not hold JSON");
        return ExitCode::FAILURE;
    }
    let app = Router::new()
        .route("/v1/lookup", post(lookup))
        .route("/healthz", get(healthz))
        .with_state(Answer(Bytes::from(body)));
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("bench-ceiling: binding {listen}: {err}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("bench-ceiling listening on http://{listen}");
    if let Err(err) = axum::serve(listener, app).await {
        eprintln!("bench-ceiling: {err}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
