//! Batch enrichment: a JSON batch (bounded), or NDJSON streamed in and out for jobs of
//! any size, processed in chunks as the body arrives.

use super::auth::{Authorized, EnrichScope};
use super::error::JsonBody;
use super::{blocking, ApiError, AppState};
use crate::engine::{EnrichOptions, EnrichResult, RecordError};
use crate::error::Error;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, RawQuery, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// Records matched per chunk of a streamed job.
const STREAM_CHUNK: usize = 1_000;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrichRequest {
    /// Lookup requests, each with optional `metadata` that is echoed back.
    pub records: Vec<Value>,
    #[serde(default)]
    pub min_confidence: Option<f64>,
    /// Profile fields to return (default all).
    #[serde(default)]
    pub fields: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct EnrichResponse {
    pub results: Vec<EnrichResult>,
}

/// Enrich many records: JSON in and out (at most the configured number of records), or
/// `application/x-ndjson` in and out (options as query parameters
/// `min_confidence` and `fields=a,b`).
#[utoipa::path(
    post,
    path = "/v1/enrich",
    request_body(content = EnrichRequest, description = "JSON batch; or NDJSON records streamed"),
    params(
        ("min_confidence" = Option<f64>, Query, description = "NDJSON only"),
        ("fields" = Option<String>, Query, description = "NDJSON only: comma-separated profile fields"),
    ),
    responses(
        (status = 200, body = EnrichResponse, description = "Results in input order (NDJSON in gives NDJSON out)"),
        (status = 400, body = super::Problem, content_type = "application/problem+json"),
        (status = 413, body = super::Problem, content_type = "application/problem+json", description = "More records than allowed in one JSON batch"),
    ),
    security(("bearer" = []))
)]
pub async fn enrich(
    _auth: Authorized<EnrichScope>,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Result<Response, ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_owned();
    if content_type.starts_with("application/x-ndjson")
        || content_type.starts_with("application/ndjson")
    {
        let options = stream_options(query.as_deref())?;
        return Ok(stream(state, options, request.into_body()));
    }
    let JsonBody(batch) = JsonBody::<EnrichRequest>::from_request(request, &state).await?;
    if batch.records.len() > state.max_enrich_records {
        return Err(Error::TooManyRecords {
            limit: state.max_enrich_records,
        }
        .into());
    }
    let options = EnrichOptions {
        min_confidence: batch.min_confidence,
        fields: batch.fields,
    };
    options.validate()?;
    let engine = state.engine.clone();
    let records = batch.records.into_iter().map(Ok).collect();
    let results = blocking(move || Ok(engine.enrich(records, &options))).await?;
    Ok(Json(EnrichResponse { results }).into_response())
}

fn stream_options(query: Option<&str>) -> Result<EnrichOptions, ApiError> {
    let mut options = EnrichOptions::default();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("min_confidence", value)) => {
                options.min_confidence = Some(
                    value
                        .parse()
                        .map_err(|_| Error::invalid("min_confidence must be a number in [0, 1]"))?,
                )
            }
            Some(("fields", value)) => {
                options.fields = Some(value.split(',').map(str::to_owned).collect())
            }
            _ => {
                return Err(
                    Error::invalid("the query parameters are min_confidence and fields").into(),
                )
            }
        }
    }
    options.validate()?;
    Ok(options)
}

/// Streams NDJSON results as chunks of input lines arrive.
fn stream(state: AppState, options: EnrichOptions, body: Body) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let max_line = state.engine.limits().max_line_bytes;
    tokio::spawn(async move {
        let mut input = body.into_data_stream();
        let mut pending: Vec<u8> = Vec::new();
        let mut lines: Vec<Result<Value, RecordError>> = Vec::with_capacity(STREAM_CHUNK);
        let mut finished = false;
        while !finished {
            match input.next().await {
                Some(Ok(bytes)) => pending.extend_from_slice(&bytes),
                Some(Err(_)) => {
                    let _ = tx
                        .send(Err(std::io::Error::other("request body interrupted")))
                        .await;
                    return;
                }
                None => finished = true,
            }
            while let Some(end) = pending.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = pending.drain(..=end).collect();
                push_line(&line, max_line, &mut lines);
            }
            if finished && !pending.is_empty() {
                let line = std::mem::take(&mut pending);
                push_line(&line, max_line, &mut lines);
            }
            if pending.len() > max_line {
                // An over-long line: answer it with an error and skip to its end.
                lines.push(too_long(max_line));
                pending.clear();
                skip_to_newline(&mut input, &mut pending).await;
            }
            if lines.len() >= STREAM_CHUNK || (finished && !lines.is_empty()) {
                let chunk = std::mem::take(&mut lines);
                let engine = state.engine.clone();
                let options = options.clone();
                let results =
                    tokio::task::spawn_blocking(move || engine.enrich(chunk, &options)).await;
                let Ok(results) = results else { return };
                let mut out = Vec::with_capacity(results.len() * 256);
                for result in results {
                    if serde_json::to_writer(&mut out, &result).is_err() {
                        return;
                    }
                    out.push(b'\n');
                }
                if tx.send(Ok(Bytes::from(out))).await.is_err() {
                    return;
                }
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let mut response = Body::from_stream(stream).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/x-ndjson"),
    );
    response
}

/// Adds one NDJSON line as a record, or as the error that answers it in its place.
fn push_line(line: &[u8], max_line: usize, lines: &mut Vec<Result<Value, RecordError>>) {
    if line.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    if line.len() > max_line {
        lines.push(too_long(max_line));
        return;
    }
    lines.push(serde_json::from_slice(line).map_err(|err| {
        RecordError::invalid(format!(
            "invalid record: {}",
            crate::error::describe_json_error(&err)
        ))
    }));
}

fn too_long(max_line: usize) -> Result<Value, RecordError> {
    Err(RecordError::invalid(format!(
        "line longer than {max_line} bytes"
    )))
}

async fn skip_to_newline(input: &mut axum::body::BodyDataStream, pending: &mut Vec<u8>) {
    while let Some(Ok(bytes)) = input.next().await {
        if let Some(end) = bytes.iter().position(|b| *b == b'\n') {
            pending.extend_from_slice(&bytes[end + 1..]);
            return;
        }
    }
}
