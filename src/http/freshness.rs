//! Freshness routes: sightings refresh profiles; an admin can run a sweep now.

use super::auth::{AdminScope, Authorized, IngestScope};
use super::error::JsonBody;
use super::{blocking, ApiError, AppState};
use crate::engine::{SightingsReport, SightingsRequest, SweepReport};
use axum::extract::State;
use axum::Json;

/// A source showed these profiles again: refresh their `last_seen` without resending them.
#[utoipa::path(
    post,
    path = "/v1/sightings",
    request_body = SightingsRequest,
    responses(
        (status = 200, body = SightingsReport, description = "Refreshed count; unknown ids and keys are listed"),
        (status = 400, body = super::Problem, content_type = "application/problem+json"),
        (status = 413, body = super::Problem, content_type = "application/problem+json", description = "More ids than allowed in one request"),
    ),
    security(("bearer" = ["ingest"]))
)]
pub async fn sightings(
    _auth: Authorized<IngestScope>,
    State(state): State<AppState>,
    JsonBody(request): JsonBody<SightingsRequest>,
) -> Result<Json<SightingsReport>, ApiError> {
    let engine = state.engine.clone();
    let limit = state.max_sightings;
    let (report, _) = blocking(move || engine.record_sightings(&request, limit)).await?;
    Ok(Json(report))
}

/// Run one sweep of expired profiles now and report what it removed.
#[utoipa::path(
    post,
    path = "/v1/admin/sweep",
    responses((status = 200, body = SweepReport)),
    security(("bearer" = ["admin"]))
)]
pub async fn sweep(
    _auth: Authorized<AdminScope>,
    State(state): State<AppState>,
) -> Result<Json<SweepReport>, ApiError> {
    let engine = state.engine.clone();
    Ok(Json(blocking(move || engine.sweep(None)).await?))
}
