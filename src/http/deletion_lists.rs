//! Regulator deletion lists and the suppression feed (scope `privacy`).

use super::auth::{Authorized, PrivacyScope};
use super::error::body_error;
use super::{blocking, ApiError, AppState};
use crate::engine::{DeletionListType, SuppressionPage, MAX_SUPPRESSION_PAGE};
use crate::error::Error;
use axum::body::Bytes;
use axum::extract::{FromRequest, RawQuery, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// Import a California DROP deletion list — CSV `ID,Hash`, the hash the Base64 SHA-256
/// of the email address trimmed and lower-cased (`type=email`) or of the phone number's
/// digits, the last ten (`type=phone`). Every listed person profiled holds is erased as
/// by `/v1/privacy/erase`, and every hash, matched or not, becomes a suppression, so a
/// person collected later is never stored. The reply is the status file to upload back
/// to DROP: CSV `Id,Status`, 3 (deleted) or 5 (not found) per work item, in the list's
/// order. Importing the same list again answers the same and changes nothing. A
/// malformed line is refused (400, naming the line) before anything changes.
#[utoipa::path(
    post,
    path = "/v1/privacy/deletion-lists",
    params(("type" = DeletionListType, Query, description = "The list's identifier: `email` or `phone`")),
    request_body(
        content = DeletionListCsv,
        content_type = "text/csv",
        description = "The DROP list as downloaded: header `ID,Hash`, one work item a line"
    ),
    responses(
        (status = 200, body = StatusCsv, content_type = "text/csv", description = "The status file: `Id,Status` with 3 (deleted) or 5 (not found) per work item; answered once the erased are gone from lookups"),
        (status = 400, body = super::Problem, content_type = "application/problem+json", description = "Missing or unknown `type`, or a malformed list (the detail names the line)"),
        (status = 413, body = super::Problem, content_type = "application/problem+json", description = "Body over the limit: import a larger list with `profiled privacy import-deletion-list`, or in parts"),
        (status = 415, body = super::Problem, content_type = "application/problem+json", description = "Not sent as text/csv"),
    ),
    security(("bearer" = ["privacy"]))
)]
pub async fn import(
    auth: Authorized<PrivacyScope>,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Result<Response, ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.is_empty()
        && !["text/csv", "application/csv", "text/plain"]
            .iter()
            .any(|accepted| content_type.starts_with(accepted))
    {
        return Err(Error::UnsupportedMediaType("send the list as text/csv".into()).into());
    }
    let body = Bytes::from_request(request, &state)
        .await
        .map_err(|rejection| body_error(&state, rejection.status()))?;
    let mut list_type = None;
    for (name, value) in query_pairs(query.as_deref())? {
        list_type = match (name.as_str(), value.as_str()) {
            ("type", "email") => Some(DeletionListType::Email),
            ("type", "phone") => Some(DeletionListType::Phone),
            _ => return Err(Error::invalid("the only query parameter is type=email|phone").into()),
        };
    }
    let list_type = list_type
        .ok_or_else(|| Error::invalid("give the list's type: type=email or type=phone"))?;
    let engine = state.engine.clone();
    let principal = auth.principal.clone();
    let (status, seq) = blocking(move || {
        let mut status = Vec::new();
        let (_, seq) =
            engine.import_deletion_list(list_type, &body[..], &mut status, &principal)?;
        Ok((status, seq))
    })
    .await?;
    if seq > 0 {
        state
            .engine
            .wait_searchable(seq, super::WAIT_FOR_LIMIT)
            .await?;
    }
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], status).into_response())
}

/// The suppression feed for downstream systems: every suppression as it was made, oldest
/// first — keyed hashes only (keyed with this data directory's hash key), with why and
/// when. Suppressions never expire. Follow it by passing each page's `next_cursor` as
/// `since`; a page shorter than `limit` means there is nothing more for now.
#[utoipa::path(
    get,
    path = "/v1/privacy/suppressions",
    params(
        ("since" = Option<String>, Query, pattern = "^[0-9]{1,19}$", description = "The `next_cursor` of an earlier page; absent: from the first"),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 10000, description = "Most entries to return, 1 to 10000 (default 1000)"),
    ),
    responses(
        (status = 200, body = SuppressionPage, description = "A page of the feed"),
        (status = 400, body = super::Problem, content_type = "application/problem+json", description = "Malformed cursor or limit, or an unknown parameter"),
    ),
    security(("bearer" = ["privacy"]))
)]
pub async fn suppressions(
    _auth: Authorized<PrivacyScope>,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<SuppressionPage>, ApiError> {
    let (mut since, mut limit) = (None, None);
    for (name, value) in query_pairs(query.as_deref())? {
        match name.as_str() {
            "since" => since = Some(value),
            "limit" => {
                let number = (value.len() <= 5 && value.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| value.parse::<usize>().ok())
                    .flatten();
                limit = Some(number.ok_or_else(|| {
                    Error::invalid("limit must be a whole number between 1 and 10000")
                })?)
            }
            _ => return Err(Error::invalid("the query parameters are since and limit").into()),
        }
    }
    let engine = state.engine.clone();
    let page = blocking(move || engine.suppressions(since.as_deref(), limit)).await?;
    Ok(Json(page))
}

const _: () = assert!(
    MAX_SUPPRESSION_PAGE == 10_000,
    "the annotation of `suppressions` and its error message state the limit"
);

fn query_pairs(query: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str(query.unwrap_or(""))
        .map_err(|_| Error::invalid("the query string is not URL-encoded").into())
}

/// A DROP deletion list (documentation only): CSV with the header `ID,Hash`, then one
/// work item a line — its id and the Base64 SHA-256 of the standardised identifier (the
/// canonical encoding of 32 bytes: the last character before `=` carries 4 bits).
#[derive(utoipa::ToSchema)]
#[schema(
    value_type = String,
    pattern = r"^ID,Hash(\r?\n[A-Za-z0-9]{12},[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=)*\r?\n?$",
    example = "ID,Hash\nA7kP2xQ9Lm4R,KA18MT/ph6IHYjzT9zwETySDQyvSh87YuoSBpOQtkhE=\n"
)]
#[allow(dead_code)]
pub struct DeletionListCsv(String);

/// The status file to upload to DROP (documentation only): CSV `Id,Status`, one work
/// item a line, 3 (deleted) or 5 (not found).
#[derive(utoipa::ToSchema)]
#[schema(
    value_type = String,
    pattern = r"^Id,Status(\r?\n[A-Za-z0-9]+,[35])*\r?\n?$",
    example = "Id,Status\nA7kP2xQ9Lm4R,3\n"
)]
#[allow(dead_code)]
pub struct StatusCsv(String);
