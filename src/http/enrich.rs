//! Batch enrichment: a JSON batch (bounded), or NDJSON streamed in and out for jobs of
//! any size, processed in chunks as the body arrives.

use super::auth::{Authorized, EnrichScope};
use super::error::JsonBody;
use super::{blocking, ApiError, AppState};
use crate::engine::enrich::parse_fields;
use crate::engine::{EnrichOptions, EnrichResult, RecordError};
use crate::error::Error;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, RawQuery, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use rayon::prelude::*;
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
/// `application/x-ndjson` in and out, one result line for each input line (options as
/// query parameters `min_confidence` and `fields=a,b.c`, which JSON batches take too).
#[utoipa::path(
    post,
    path = "/v1/enrich",
    request_body(content = EnrichRequest, description = "A JSON batch (at most the configured number of records), or NDJSON: one EnrichRecord a line, streamed, each answered by one EnrichResult line in order"),
    params(
        ("min_confidence" = Option<f64>, Query, minimum = 0.0, maximum = 1.0, description = "Default `min_confidence` of the records (a JSON body's own wins)"),
        ("fields" = Option<String>, Query, description = "Comma-separated profile fields, each a top-level field or a dotted path into one (`company.domain`); a JSON body's own `fields` wins"),
    ),
    responses(
        (status = 200, body = EnrichResponse, description = "Results in input order (NDJSON in gives NDJSON out)"),
        (status = 400, body = super::Problem, content_type = "application/problem+json"),
        (status = 413, body = super::Problem, content_type = "application/problem+json", description = "More records than allowed in one JSON batch"),
    ),
    security(("bearer" = ["enrich"]))
)]
pub async fn enrich(
    auth: Authorized<EnrichScope>,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Result<Response, ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let query = query_options(query.as_deref())?;
    if content_type.starts_with("application/x-ndjson")
        || content_type.starts_with("application/ndjson")
    {
        // A job that cannot answer one record is refused before it starts.
        auth.require_quota()?;
        return Ok(stream(state, query, auth, request.into_body()).await);
    }
    let JsonBody(batch) = JsonBody::<EnrichRequest>::from_request(request, &state).await?;
    if batch.records.len() > state.max_enrich_records {
        return Err(Error::TooManyRecords {
            limit: state.max_enrich_records,
        }
        .into());
    }
    auth.charge(batch.records.len() as u64)?;
    // The body's options win over the query's.
    let options = EnrichOptions {
        min_confidence: batch.min_confidence.or(query.min_confidence),
        fields: match batch.fields {
            Some(fields) => Some(parse_fields(&fields)?),
            None => query.fields,
        },
    };
    options.validate()?;
    let engine = state.engine.clone();
    let records = batch.records.into_iter().map(Ok).collect();
    let principal = auth.principal;
    let results = blocking(move || Ok(engine.enrich(records, &options, &principal))).await?;
    Ok(Json(EnrichResponse { results }).into_response())
}

/// The query parameters `min_confidence` and `fields=a,b.c` (for JSON and NDJSON alike).
fn query_options(query: Option<&str>) -> Result<EnrichOptions, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
        .map_err(|_| Error::invalid("the query string is not URL-encoded"))?;
    let mut options = EnrichOptions::default();
    for (name, value) in pairs {
        match name.as_str() {
            "min_confidence" => {
                options.min_confidence = Some(
                    value
                        .parse()
                        .map_err(|_| Error::invalid("min_confidence must be a number in [0, 1]"))?,
                )
            }
            "fields" => {
                // `fields=` selects no field (only `id`), like `"fields": []`.
                let fields: Vec<&str> = value.split(',').filter(|f| !f.trim().is_empty()).collect();
                options.fields = Some(parse_fields(&fields)?)
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

/// Chunks of a streamed job being matched at once: the next chunk is read and split while
/// the previous one is matched, so the cores do not wait on the connection.
const CHUNKS_IN_FLIGHT: usize = 2;

/// One input line with its number in the body, or the error that answers it in its place.
type Line = (u64, Result<Vec<u8>, RecordError>);

/// Streams NDJSON results as chunks of input lines arrive. The async task only splits
/// lines; parsing, matching and writing the results run on the blocking pool (rayon).
async fn stream(
    state: AppState,
    options: EnrichOptions,
    auth: Authorized<EnrichScope>,
    body: Body,
) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let max_line = state.engine.limits().max_line_bytes;
    let mut input = body.into_data_stream();
    // The body is read before the answer starts: that is when hyper sends `100 Continue`
    // to a client that asked for it (curl does for large bodies). Answered first, such a
    // client waits a second before it sends anything (regression: every streamed job
    // took a second longer than its work).
    let mut first_frame = Some(input.next().await);
    tokio::spawn(async move {
        let mut pending: Vec<u8> = Vec::new();
        let mut lines: Vec<Line> = Vec::with_capacity(STREAM_CHUNK);
        let mut in_flight = std::collections::VecDeque::with_capacity(CHUNKS_IN_FLIGHT);
        let mut finished = false;
        let mut line_no = 0u64;
        while !finished {
            let frame = match first_frame.take() {
                Some(frame) => frame,
                None => input.next().await,
            };
            match frame {
                Some(Ok(bytes)) => pending.extend_from_slice(&bytes),
                Some(Err(_)) => {
                    let _ = tx
                        .send(Err(std::io::Error::other("request body interrupted")))
                        .await;
                    return;
                }
                None => finished = true,
            }
            let mut start = 0;
            while let Some(end) = pending[start..].iter().position(|b| *b == b'\n') {
                push_line(
                    &pending[start..=start + end],
                    max_line,
                    &mut line_no,
                    &mut lines,
                );
                start += end + 1;
            }
            pending.drain(..start);
            if finished && !pending.is_empty() {
                let line = std::mem::take(&mut pending);
                push_line(&line, max_line, &mut line_no, &mut lines);
            }
            if pending.len() > max_line {
                // An over-long line: answer it with an error and skip to its end.
                line_no += 1;
                lines.push((line_no, Err(too_long(line_no, max_line))));
                pending.clear();
                skip_to_newline(&mut input, &mut pending).await;
            }
            if lines.len() >= STREAM_CHUNK || (finished && !lines.is_empty()) {
                let mut chunk = std::mem::take(&mut lines);
                charge_quota(&auth, &mut chunk);
                let engine = state.engine.clone();
                let options = options.clone();
                let principal = auth.principal.clone();
                in_flight.push_back(tokio::task::spawn_blocking(move || {
                    let records = chunk.into_par_iter().map(parse_line).collect();
                    ndjson(engine.enrich(records, &options, &principal))
                }));
            }
            while in_flight.len() >= CHUNKS_IN_FLIGHT || (finished && !in_flight.is_empty()) {
                let Some(chunk) = in_flight.pop_front() else {
                    break;
                };
                let Ok(Ok(out)) = chunk.await else {
                    return;
                };
                if tx.send(Ok(out)).await.is_err() {
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

/// Counts a chunk's records against the key's daily quota; the records it cannot hold
/// are answered with a `quota_exceeded` error in their place.
fn charge_quota(auth: &Authorized<EnrichScope>, chunk: &mut [Line]) {
    let records = chunk.iter().filter(|(_, line)| line.is_ok()).count() as u64;
    let granted = auth.charge_up_to(records);
    if granted == records {
        return;
    }
    for (_, line) in chunk
        .iter_mut()
        .filter(|(_, line)| line.is_ok())
        .skip(granted as usize)
    {
        *line = Err(RecordError {
            code: "quota_exceeded".into(),
            message: "this API key's daily quota is used up; it renews at 00:00 UTC".into(),
        });
    }
}

/// Results as NDJSON, written in parallel.
fn ndjson(results: Vec<EnrichResult>) -> serde_json::Result<Bytes> {
    let lines = results
        .par_iter()
        .map(|result| {
            let mut line = serde_json::to_vec(result)?;
            line.push(b'\n');
            Ok(line)
        })
        .collect::<serde_json::Result<Vec<Vec<u8>>>>()?;
    Ok(Bytes::from(lines.concat()))
}

/// Adds one NDJSON line; a blank or over-long one becomes its error, in its place, so
/// that output line k answers input line k.
fn push_line(line: &[u8], max_line: usize, line_no: &mut u64, lines: &mut Vec<Line>) {
    *line_no += 1;
    let record = if line.iter().all(u8::is_ascii_whitespace) {
        Err(RecordError::invalid(format!(
            "line {line_no} is blank; send one record (a JSON object) per line"
        )))
    } else if line.len() > max_line {
        Err(too_long(*line_no, max_line))
    } else {
        Ok(line.to_vec())
    };
    lines.push((*line_no, record));
}

/// A line as a record, or the error that answers it in its place.
fn parse_line((line_no, line): Line) -> Result<Value, RecordError> {
    crate::json::parse_line(&line?, line_no)
        .map_err(|err| RecordError::invalid(format!("invalid record: {err}")))
}

fn too_long(line_no: u64, max_line: usize) -> RecordError {
    RecordError::invalid(format!("line {line_no} is longer than {max_line} bytes"))
}

async fn skip_to_newline(input: &mut axum::body::BodyDataStream, pending: &mut Vec<u8>) {
    while let Some(Ok(bytes)) = input.next().await {
        if let Some(end) = bytes.iter().position(|b| *b == b'\n') {
            pending.extend_from_slice(&bytes[end + 1..]);
            return;
        }
    }
}
