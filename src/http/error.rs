//! Errors on the wire: every failure is `application/problem+json` (RFC 9457) with the
//! stable code from [`crate::error::Error::code`]. Server-side details are logged, never
//! sent; request bodies are parsed here so that no rejection echoes a client's value.

use super::AppState;
use crate::error::Error;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Base of the problem `type` URIs.
pub const PROBLEM_BASE: &str = "https://profiled.dev/problems/";

/// An [`Error`] on its way to a client.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        Self(err)
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let err = self.0;
        let detail = if err.is_client_error() {
            err.to_string()
        } else {
            tracing::error!(code = err.code(), error = %err, "request failed");
            "the server could not complete the request; the error was logged".to_owned()
        };
        let mut response = problem_response(err.status(), err.code(), err.title(), detail);
        if let Some(seconds) = err.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl Problem {
    pub fn new(status: u16, code: &str, title: &str, detail: String) -> Self {
        Self {
            kind: format!("{PROBLEM_BASE}{code}"),
            title: title.to_owned(),
            status,
            detail,
            code: code.to_owned(),
        }
    }

    /// The problem+json body, for answers written below axum (the connection layer).
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a problem is strings and a number")
    }
}

/// Builds a problem+json response.
pub fn problem_response(status: u16, code: &str, title: &str, detail: String) -> Response {
    let body = Problem::new(status, code, title, detail);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// Maps a body that could not be read to the right problem (413 when over the limit).
pub fn body_error(state: &AppState, status: StatusCode) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError(Error::PayloadTooLarge {
            limit: state.max_body_bytes,
        })
    } else {
        ApiError(Error::invalid("the request body could not be read"))
    }
}

/// A JSON request body, parsed with privacy-safe error messages and the body limit.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !is_json(content_type) {
            return Err(ApiError(Error::UnsupportedMediaType(
                "send the body as application/json".into(),
            )));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|rejection| body_error(state, rejection.status()))?;
        crate::json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|err| ApiError(Error::invalid(format!("invalid body: {err}"))))
    }
}

/// The media type of a `Content-Type` value, lower-cased, without its parameters.
pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Whether a content type is JSON (`application/json`, or `application/…+json`).
pub fn is_json(content_type: &str) -> bool {
    let media = media_type(content_type);
    media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
}
