//! Privacy routes (scope `privacy`): the data-subject rights the engine implements.

use super::auth::{AnyKey, Authorized, PrivacyScope};
use super::error::JsonBody;
use super::{blocking, ApiError, AppState};
use crate::engine::Engine;
use crate::error::Error;
use crate::model::{
    AccessExport, Notices, OpenRequest, PrivacyReceipt, PrivacyRequests, Rectification,
    RestrictRequest, Subject,
};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

/// Erase the person a subject identifies (GDPR Art. 17, a CCPA deletion, an objection to
/// direct marketing): the profile and everything derived from it go, and keyed hashes of
/// its identifiers are kept so that no source brings the person back. When several
/// profiles fit, nothing changes and the receipt lists them; erase one by `id`. Answers
/// once the person is gone from lookups and search too.
#[utoipa::path(
    post,
    path = "/v1/privacy/erase",
    request_body = Subject,
    responses(
        (status = 200, body = PrivacyReceipt, description = "The request's receipt: erased, not_found, or ambiguous with the candidates"),
        (status = 400, body = super::Problem, content_type = "application/problem+json", description = "No identifier, or more than one"),
        (status = 404, body = super::Problem, content_type = "application/problem+json", description = "`request_id` names no request"),
        (status = 409, body = super::Problem, content_type = "application/problem+json", description = "`request_id` names a completed request, or one of another kind"),
    ),
    security(("bearer" = ["privacy"]))
)]
pub async fn erase(
    auth: Authorized<PrivacyScope>,
    State(state): State<AppState>,
    JsonBody(subject): JsonBody<Subject>,
) -> Result<Json<PrivacyReceipt>, ApiError> {
    carry_out_visibly(&state, move |engine| {
        engine.erase(&subject, &auth.principal)
    })
    .await
}

/// Runs a rights operation off the async threads, then waits until the index shows its
/// effect: a receipt means every client-facing path, lookups too, has changed.
async fn carry_out_visibly(
    state: &AppState,
    operation: impl FnOnce(&Engine) -> crate::error::Result<(PrivacyReceipt, u64)> + Send + 'static,
) -> Result<Json<PrivacyReceipt>, ApiError> {
    let engine = state.engine.clone();
    let (receipt, seq) = blocking(move || operation(&engine)).await?;
    state
        .engine
        .wait_searchable(seq, super::WAIT_FOR_LIMIT)
        .await?;
    Ok(Json(receipt))
}

/// Open a data-subject request before the subject's identity is verified; carry it out
/// later by passing its `request_id` to the operation (erase, restrict, access, rectify).
#[utoipa::path(
    post,
    path = "/v1/privacy/requests",
    request_body = OpenRequest,
    responses(
        (status = 200, body = PrivacyReceipt, description = "The open request's receipt, with its due date"),
        (status = 400, body = super::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["privacy"]))
)]
pub async fn open_request(
    auth: Authorized<PrivacyScope>,
    State(state): State<AppState>,
    JsonBody(request): JsonBody<OpenRequest>,
) -> Result<Json<PrivacyReceipt>, ApiError> {
    let engine = state.engine.clone();
    Ok(Json(
        blocking(move || engine.open_request(&request, &auth.principal)).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RequestsQuery {
    /// `open` (default): not yet completed; `all`: every request.
    #[serde(default)]
    status: Option<String>,
}

/// The data-subject requests with received, due and completed dates and their outcome.
#[utoipa::path(
    get,
    path = "/v1/privacy/requests",
    params(RequestsQuery),
    responses(
        (status = 200, body = PrivacyRequests),
        (status = 400, body = super::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["privacy"]))
)]
pub async fn list_requests(
    _auth: Authorized<PrivacyScope>,
    State(state): State<AppState>,
    Query(query): Query<RequestsQuery>,
) -> Result<Json<PrivacyRequests>, ApiError> {
    let open_only = match query.status.as_deref() {
        None | Some("open") => true,
        Some("all") => false,
        Some(_) => return Err(Error::invalid("status must be `open` or `all`").into()),
    };
    let engine = state.engine.clone();
    Ok(Json(
        blocking(move || engine.privacy_requests(open_only)).await?,
    ))
}

/// Everything held about the person a subject identifies (GDPR Art. 15, the CCPA right
/// to know): every field with its provenance, the email hashes held, flags, the
/// processing facts and rights, and every disclosure with its named recipient. With
/// `Accept: text/plain`, the same export as a letter a privacy officer can send as it is.
#[utoipa::path(
    post,
    path = "/v1/privacy/access",
    request_body = Subject,
    responses(
        (status = 200, body = AccessExport, description = "The export (JSON), or its plain-text rendering with `Accept: text/plain`"),
        (status = 400, body = super::Problem, content_type = "application/problem+json"),
        (status = 404, body = super::Problem, content_type = "application/problem+json", description = "`request_id` names no request"),
        (status = 409, body = super::Problem, content_type = "application/problem+json", description = "`request_id` names a completed request, or one of another kind"),
    ),
    security(("bearer" = ["privacy"]))
)]
pub async fn access(
    auth: Authorized<PrivacyScope>,
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(subject): JsonBody<Subject>,
) -> Result<Response, ApiError> {
    let as_text = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.starts_with("text/plain"));
    let engine = state.engine.clone();
    let export = blocking(move || engine.access(&subject, &auth.principal)).await?;
    Ok(if as_text {
        (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            export.text,
        )
            .into_response()
    } else {
        Json(export).into_response()
    })
}

/// Restrict processing of the person a subject identifies (GDPR Art. 18; with `opt_out`,
/// a CCPA opt-out of sale or sharing), or lift it with `"restricted": false`. The profile
/// stays stored but no lookup, candidate list, search, facet, count, enrichment or `GET`
/// shows it to any key without the `privacy` scope. Answers once that holds.
#[utoipa::path(
    post,
    path = "/v1/privacy/restrict",
    request_body = RestrictRequest,
    responses(
        (status = 200, body = PrivacyReceipt, description = "restricted, unrestricted, not_found, or ambiguous with the candidates"),
        (status = 400, body = super::Problem, content_type = "application/problem+json"),
        (status = 404, body = super::Problem, content_type = "application/problem+json", description = "`request_id` names no request"),
        (status = 409, body = super::Problem, content_type = "application/problem+json", description = "`request_id` names a completed request, or one of another kind"),
    ),
    security(("bearer" = ["privacy"]))
)]
pub async fn restrict(
    auth: Authorized<PrivacyScope>,
    State(state): State<AppState>,
    JsonBody(request): JsonBody<RestrictRequest>,
) -> Result<Json<PrivacyReceipt>, ApiError> {
    carry_out_visibly(&state, move |engine| {
        engine.restrict(&request, &auth.principal)
    })
    .await
}

/// Rectify a profile (GDPR Art. 16): each given field takes the subject's value and is
/// marked rectified, so no later ingest overwrites it; its recipients are told.
#[utoipa::path(
    patch,
    path = "/v1/profiles/{id}",
    params(("id" = String, Path, description = "16 hex digits")),
    request_body = Rectification,
    responses(
        (status = 200, body = PrivacyReceipt, description = "rectified, or not_found"),
        (status = 400, body = super::Problem, content_type = "application/problem+json"),
        (status = 404, body = super::Problem, content_type = "application/problem+json", description = "`request_id` names no request"),
        (status = 409, body = super::Problem, content_type = "application/problem+json", description = "`request_id` names a completed request, or one of another kind"),
    ),
    security(("bearer" = ["privacy"]))
)]
pub async fn rectify(
    auth: Authorized<PrivacyScope>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(change): JsonBody<Rectification>,
) -> Result<Json<PrivacyReceipt>, ApiError> {
    carry_out_visibly(&state, move |engine| {
        engine.rectify(&id, &change, &auth.principal)
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NoticesQuery {
    /// The `next` cursor of an earlier answer (digits); from the beginning when absent.
    #[serde(default)]
    #[param(pattern = "^[0-9]*$")]
    since: Option<String>,
    /// At most this many notices (1..=1000, default 100).
    #[serde(default)]
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
}

/// For the calling key (any scope): the profiles it received that were since erased,
/// rectified or restricted, with what changed and when (GDPR Art. 19), so that a system
/// downstream can delete or fix its copy. Poll with the `next` cursor.
#[utoipa::path(
    get,
    path = "/v1/privacy/notices",
    params(NoticesQuery),
    responses(
        (status = 200, body = Notices),
        (status = 400, body = super::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn notices(
    auth: AnyKey,
    State(state): State<AppState>,
    Query(query): Query<NoticesQuery>,
) -> Result<Json<Notices>, ApiError> {
    let limit = query.limit.unwrap_or(100);
    // `since=` with nothing after it is the same as leaving it out.
    let since = query.since.filter(|s| !s.trim().is_empty());
    if !(1..=1000).contains(&limit) {
        return Err(Error::invalid("limit must lie in 1..=1000").into());
    }
    let engine = state.engine.clone();
    Ok(Json(
        blocking(move || engine.notices(&auth.principal, since.as_deref(), limit)).await?,
    ))
}
