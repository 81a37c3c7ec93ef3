//! Admin routes for the data directory's files (scope `admin`): a physical purge now, and
//! a consistent snapshot for `profiled snapshot` to download.

use super::auth::{AdminScope, Authorized};
use super::{blocking, ApiError, AppState};
use crate::model::PurgeReport;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::io::Read;

/// Bytes read from the snapshot file per body chunk.
const CHUNK: usize = 1 << 20;

/// Physically purge deleted data now: every live store entry is copied into a fresh store
/// generation that replaces the old one, and every index segment holding deleted documents
/// is rewritten without them. Afterwards no file under the data directory holds a byte of
/// a person erased (or a profile deleted) before the call. Lookups and searches keep
/// answering meanwhile; writes wait while the store is copied. The daemon also purges on
/// its own within the purge window of an erasure.
#[utoipa::path(
    post,
    path = "/v1/admin/purge",
    responses((status = 200, body = PurgeReport, description = "What the purge rewrote")),
    security(("bearer" = ["admin"]))
)]
pub async fn purge(
    _auth: Authorized<AdminScope>,
    State(state): State<AppState>,
) -> Result<Json<PurgeReport>, ApiError> {
    let engine = state.engine.clone();
    Ok(Json(blocking(move || engine.purge()).await?))
}

/// A consistent snapshot of the store, for `profiled snapshot` (restore it with `profiled
/// restore`). It holds email addresses only as keyed hashes and not the email hash key;
/// the index is not in it (a restore rebuilds it). Writes wait while it is taken, reads go
/// on; the download itself holds nothing up.
#[utoipa::path(
    post,
    path = "/v1/admin/snapshot",
    responses((status = 200, description = "The snapshot file", content_type = "application/octet-stream", body = Vec<u8>)),
    security(("bearer" = ["admin"]))
)]
pub async fn snapshot(
    _auth: Authorized<AdminScope>,
    State(state): State<AppState>,
) -> Result<Response, ApiError> {
    let engine = state.engine.clone();
    let (file, len) = blocking(move || engine.snapshot_for_download()).await?;
    let (chunks, body) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(4);
    tokio::task::spawn_blocking(move || {
        let mut file = file;
        loop {
            let mut buffer = vec![0u8; CHUNK];
            let chunk = match file.read(&mut buffer) {
                Ok(0) => return,
                Ok(read) => {
                    buffer.truncate(read);
                    Ok(Bytes::from(buffer))
                }
                Err(err) => Err(err),
            };
            let failed = chunk.is_err();
            // The client went away: stop reading.
            if chunks.blocking_send(chunk).is_err() || failed {
                return;
            }
        }
    });
    let stream = futures_util::stream::unfold(body, |mut body| async move {
        body.recv().await.map(|chunk| (chunk, body))
    });
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_LENGTH, len.to_string()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
