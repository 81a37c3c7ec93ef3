//! Operational routes: health, metrics, the OpenAPI document.

use super::{blocking, ApiError, AppState};
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;

/// Whether the daemon serves (no key needed): `{"status":"ok"}`, or `"degraded"` with
/// what is wrong while it still serves reads — the disk is full (writes get 507), the
/// disclosure log or the index is behind and retrying.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "Serving: `ok`, or `degraded` with the problems (`disk_full`, `disclosure_log_behind`, `index_commits_failing`) and their figures", body = serde_json::Value, example = json!({"status": "ok"}))))]
pub async fn healthz(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let engine = state.engine.clone();
    let health = blocking(move || Ok(engine.health())).await?;
    state.metrics.record_health(&health);
    if !health.degraded() {
        return Ok(Json(serde_json::json!({"status": "ok"})));
    }
    let mut problems = Vec::new();
    if health.disk.full {
        problems.push("disk_full");
    }
    if health.disclosure_log_failing {
        problems.push("disclosure_log_behind");
    }
    if health.failing_index_commits > 0 {
        problems.push("index_commits_failing");
    }
    Ok(Json(serde_json::json!({
        "status": "degraded",
        "problems": problems,
        "writes": if health.disk.full { "refused" } else { "accepted" },
        "reads": "served",
        "disk": {
            "free_bytes": health.disk.free_bytes,
            "reserve_bytes": health.disk.reserve_bytes,
            "store_reopen_pending": health.disk.needs_reopen,
        },
        "disclosure_log": {"backlog": health.disclosure_backlog},
        "index": {"failing_commits": health.failing_index_commits, "lag": health.index_lag},
    })))
}

/// Prometheus metrics, in the OpenMetrics text format.
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "OpenMetrics text (Prometheus scrapes it)")))]
pub async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let engine = state.engine.clone();
    // The health figures come first and never fail: a store that cannot be read (sled
    // after a failed write, until it is reopened) leaves its gauges as they were.
    let (health, figures) = blocking(move || {
        let figures = (|| {
            Ok::<_, crate::error::Error>((
                engine.counts()?,
                engine.oldest_sighting_age()?,
                engine.open_request_counts()?,
            ))
        })();
        Ok((engine.health(), figures))
    })
    .await?;
    state.metrics.record_health(&health);
    state.metrics.index_lag.set(health.index_lag as i64);
    state
        .metrics
        .indexed_docs
        .set(state.engine.indexed_docs() as i64);
    state
        .metrics
        .index_segments
        .set(state.engine.index_segments() as i64);
    match figures {
        Ok((counts, oldest, requests)) => {
            let (expired, last_sweep_ms) = state.engine.sweep_stats();
            state
                .metrics
                .record_freshness(expired, oldest, last_sweep_ms);
            state.metrics.profiles.set(counts.profiles);
            state.metrics.companies.set(counts.companies);
            state.metrics.privacy_requests_open.set(requests.0 as i64);
            state
                .metrics
                .privacy_requests_overdue
                .set(requests.1 as i64);
        }
        Err(err) => tracing::warn!(error = %err, "metrics: the store's counts could not be read"),
    }
    Ok((
        [(header::CONTENT_TYPE, super::openapi::METRICS_CONTENT_TYPE)],
        state.metrics.encode(),
    ))
}

/// This API's OpenAPI 3.1 document.
#[utoipa::path(get, path = "/openapi.json", responses((status = 200, description = "This API's OpenAPI 3.1 document", body = serde_json::Value)))]
pub async fn openapi() -> Json<&'static serde_json::Value> {
    Json(super::openapi::document())
}
