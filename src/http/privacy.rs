//! Privacy routes (scope `privacy`): the data-subject rights the engine implements.

use super::auth::{Authorized, PrivacyScope};
use super::error::JsonBody;
use super::{blocking, ApiError, AppState};
use crate::model::{PrivacyReceipt, Subject};
use axum::extract::State;
use axum::Json;

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
    ),
    security(("bearer" = ["privacy"]))
)]
pub async fn erase(
    auth: Authorized<PrivacyScope>,
    State(state): State<AppState>,
    JsonBody(subject): JsonBody<Subject>,
) -> Result<Json<PrivacyReceipt>, ApiError> {
    let engine = state.engine.clone();
    let principal = auth.principal.clone();
    let (receipt, seq) = blocking(move || engine.erase(&subject, &principal)).await?;
    // The receipt means the person is gone from every client-facing path, lookups too.
    state
        .engine
        .wait_searchable(seq, super::WAIT_FOR_LIMIT)
        .await?;
    Ok(Json(receipt))
}
