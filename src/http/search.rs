//! Search and statistics routes (scope `search`).

use super::auth::{Authorized, SearchScope};
use super::error::JsonBody;
use super::{blocking, ApiError, AppState};
use crate::engine::{SearchRequest, SearchResponse, Stats};
use axum::extract::State;
use axum::Json;

/// Search profiles: free text, filters, facet counts, cursor pagination.
///
/// Every word of `query` must match the name, job title, skills or company name (words
/// of 4+ characters also match with one typo, for at most 8 words per request); hits
/// are ranked by relevance, then by id, and paged with `next_cursor`. Filters are AND
/// between fields and OR within a list; `country`, `city`, `industry` and `size` ignore
/// case, diacritics and punctuation.
#[utoipa::path(
    post,
    path = "/v1/search",
    request_body = SearchRequest,
    responses(
        (status = 200, body = SearchResponse),
        (status = 400, description = "Invalid request: unknown filter or facet, limit outside 1..=100, query over 200 characters, malformed cursor", body = super::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["search"]))
)]
pub async fn search(
    auth: Authorized<SearchScope>,
    State(state): State<AppState>,
    JsonBody(request): JsonBody<SearchRequest>,
) -> Result<Json<SearchResponse>, ApiError> {
    let engine = state.engine.clone();
    Ok(Json(
        state
            .reads
            .run(move || engine.search(&request, &auth.principal))
            .await?,
    ))
}

/// Profile and company counts, and profiles per country, industry and company size band.
#[utoipa::path(
    get,
    path = "/v1/stats",
    responses((status = 200, body = Stats)),
    security(("bearer" = ["search"]))
)]
pub async fn stats(
    _auth: Authorized<SearchScope>,
    State(state): State<AppState>,
) -> Result<Json<Stats>, ApiError> {
    let engine = state.engine.clone();
    Ok(Json(blocking(move || engine.stats()).await?))
}
