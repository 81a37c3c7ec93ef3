//! Profile routes: ingest, get by id, lookup.

use super::auth::{Authorized, IngestScope, LookupScope};
use super::error::{body_error, media_type, JsonBody};
use super::{blocking, ApiError, AppState};
use crate::config::Scope;
use crate::error::Error;
use crate::model::{IngestReport, LookupRequest, LookupResult, Profile, ProfileInput};
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap};
use axum::Json;

/// When `POST /v1/ingest` replies (documentation only: the handler reads the query).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum Refresh {
    WaitFor,
    False,
}

/// Ingest NDJSON profiles (upsert by identity).
#[utoipa::path(
    post,
    path = "/v1/ingest",
    params(("refresh" = Option<Refresh>, Query, description = "`wait_for`: reply once the changes are searchable; `false` (the default): reply once they are durable")),
    request_body(content = ProfileInput, content_type = "application/x-ndjson", description = "One ProfileInput per line"),
    responses(
        (status = 200, description = "Counts; bad lines are listed, the rest is stored", body = IngestReport),
        (status = 400, description = "Malformed request", body = super::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the limit", body = super::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Wrong content type", body = super::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["ingest"]))
)]
pub async fn ingest(
    auth: Authorized<IngestScope>,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Result<Json<IngestReport>, ApiError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
            .map_err(|_| Error::invalid("the query string is not URL-encoded"))?;
    let mut wait_for = false;
    for (name, value) in pairs {
        wait_for = match (name.as_str(), value.as_str()) {
            ("refresh", "wait_for") => true,
            ("refresh", "false") => false,
            _ => {
                return Err(
                    Error::invalid("the only query parameter is refresh=wait_for|false").into(),
                )
            }
        };
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let accepted = [
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonl",
        "application/json",
    ];
    if !accepted.contains(&media_type(content_type).as_str()) {
        return Err(
            Error::UnsupportedMediaType("send the body as application/x-ndjson".into()).into(),
        );
    }
    let body = Bytes::from_request(request, &state)
        .await
        .map_err(|rejection| body_error(&state, rejection.status()))?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::invalid("the body holds no profile").into());
    }
    let engine = state.engine.clone();
    let (report, seq) = blocking(move || engine.ingest_ndjson(&body, 1)).await?;
    tracing::info!(
        principal = %auth.principal,
        created = report.created,
        updated = report.updated,
        rejected = report.rejected.len(),
        "ingest"
    );
    if wait_for && seq > 0 {
        state
            .engine
            .wait_searchable(seq, super::WAIT_FOR_LIMIT)
            .await?;
    }
    Ok(Json(report))
}

/// A profile by id. A restricted profile is shown only to a key with the `privacy` scope
/// (the privacy desk); to every other key it does not exist (404).
#[utoipa::path(
    get,
    path = "/v1/profiles/{id}",
    params(("id" = String, Path, description = "16 hex digits")),
    responses(
        (status = 200, body = Profile),
        (status = 404, body = super::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["lookup"]))
)]
pub async fn get_profile(
    auth: Authorized<LookupScope>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Profile>, ApiError> {
    auth.charge(1)?;
    let sees_restricted = state.keys.holds(&headers, Scope::Privacy);
    let engine = state.engine.clone();
    Ok(Json(
        state
            .reads
            .run(move || engine.profile(&id, &auth.principal, sees_restricted))
            .await?,
    ))
}

/// Find the person a client describes: name + company or location, or an email.
#[utoipa::path(
    post,
    path = "/v1/lookup",
    request_body = LookupRequest,
    responses(
        (status = 200, body = LookupResult),
        (status = 400, body = super::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["lookup"]))
)]
pub async fn lookup(
    auth: Authorized<LookupScope>,
    State(state): State<AppState>,
    JsonBody(request): JsonBody<LookupRequest>,
) -> Result<Json<LookupResult>, ApiError> {
    auth.charge(1)?;
    let engine = state.engine.clone();
    Ok(Json(
        state
            .reads
            .run(move || engine.lookup(&request, &auth.principal))
            .await?,
    ))
}
