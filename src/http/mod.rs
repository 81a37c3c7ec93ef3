//! The HTTP edge: routes, authorization, problem+json errors, metrics and the OpenAPI
//! document. Handlers parse, authorize, call the [`Engine`] off the async runtime, and
//! map the result — nothing more.

mod admission;
mod auth;
mod backup;
mod conn;
mod console;
mod cors;
mod deletion_lists;
mod enrich;
mod error;
mod freshness;
mod guard;
mod limits;
mod openapi;
mod ops;
mod privacy;

/// Longest a write waits for the index before answering (`refresh=wait_for`, erasure).
const WAIT_FOR_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);
mod profiles;
mod read_pool;
mod search;

pub use admission::Admission;
pub use auth::{Keys, Principal};
pub use conn::{serve, ConnLimits};
pub use error::{ApiError, Problem, PROBLEM_BASE};
pub use guard::Guard;
pub use limits::day_of as quota_day;
pub use openapi::document as openapi_document;
pub use read_pool::ReadPool;

use crate::engine::Engine;
use crate::error::{Code, Error};
use crate::metrics::Metrics;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower_http::timeout::TimeoutLayer;
use utoipa::OpenApi;

/// What every handler can reach. One `Arc`: axum clones the state for each extractor and
/// middleware of every request, and cloning a struct of `Arc`s touched each count (a
/// cache line the cores fought over) several times per lookup.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// The state handlers reach, shared by every request.
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct Shared {
    pub engine: Arc<Engine>,
    pub keys: Arc<Keys>,
    pub metrics: Arc<Metrics>,
    pub max_body_bytes: usize,
    /// Most records in one JSON enrich batch.
    pub max_enrich_records: usize,
    /// Most profiles named in one sightings request.
    pub max_sightings: usize,
    /// Host, origin and body-type checks before any route (see `guard`).
    pub guard: Arc<Guard>,
    /// Slots for requests in flight; none left within a short wait sheds the request.
    pub admission: admission::Admission,
    /// The threads lookups, searches and profile reads run on (see `read_pool`).
    pub reads: ReadPool,
}

/// The OpenAPI document, generated from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(title = "profiled", description = "Business profile lookups, ingest and privacy operations."),
    paths(
        profiles::ingest,
        profiles::get_profile,
        profiles::lookup,
        enrich::enrich,
        search::search,
        search::stats,
        freshness::sightings,
        freshness::sweep,
        backup::purge,
        backup::snapshot,
        privacy::erase,
        privacy::restrict,
        privacy::access,
        privacy::open_request,
        privacy::list_requests,
        privacy::notices,
        privacy::rectify,
        deletion_lists::import,
        deletion_lists::suppressions,
        ops::healthz,
        ops::metrics,
        ops::openapi
    ),
    components(schemas(
        crate::model::ProfileInput,
        profiles::Refresh,
        crate::model::Location,
        crate::model::CompanyInput,
        crate::model::HistoryEntry,
        crate::model::Profile,
        crate::model::CompanyView,
        crate::model::EmailSuggestion,
        crate::model::SourceView,
        crate::model::IngestReport,
        crate::model::RejectedLine,
        crate::model::LookupRequest,
        crate::model::LookupResult,
        crate::model::LookupStatus,
        crate::model::Candidate,
        enrich::EnrichRequest,
        enrich::EnrichResponse,
        crate::engine::EnrichResult,
        crate::engine::RecordError,
        crate::engine::SearchRequest,
        crate::engine::SearchFilters,
        crate::engine::OneOrMany,
        crate::engine::SearchResponse,
        crate::engine::Stats,
        crate::engine::Freshness,
        crate::engine::AgeBucket,
        crate::engine::SightingsRequest,
        crate::engine::SightingsReport,
        crate::engine::SweepReport,
        crate::model::PurgeReport,
        crate::model::Subject,
        crate::model::OpenRequest,
        crate::model::RequestKind,
        crate::model::RestrictRequest,
        crate::model::Rectification,
        crate::model::PrivacyRequests,
        crate::model::PrivacyRequestView,
        crate::model::Notices,
        crate::model::Notice,
        crate::model::AccessExport,
        crate::model::HeldData,
        crate::model::FieldProvenance,
        crate::model::HeldEmailHash,
        crate::model::Processing,
        crate::model::DisclosureView,
        crate::model::Jurisdiction,
        crate::model::PrivacyOutcome,
        crate::model::PrivacyReceipt,
        crate::engine::DeletionListType,
        deletion_lists::DeletionListCsv,
        deletion_lists::StatusCsv,
        crate::engine::SuppressionPage,
        crate::engine::SuppressionView,
        Problem
    )),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// All routes with their limits, timeout and metrics. The guard (host, origin, body type,
/// key, rate limit) runs before every route, so preflights are answered before anything
/// else and every answer, errors included, carries its CORS and rate-limit headers.
/// The purge and the snapshot take as long as the store is large (minutes at millions of
/// profiles): they are exempt from the request timeout.
pub fn router(state: AppState, request_timeout: Duration) -> Router {
    let timed = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(ops::openapi))
        .route("/v1/ingest", post(profiles::ingest))
        .route("/v1/lookup", post(profiles::lookup))
        .route("/v1/enrich", post(enrich::enrich))
        .route("/v1/search", post(search::search))
        .route("/v1/stats", get(search::stats))
        .route("/v1/sightings", post(freshness::sightings))
        .route("/v1/admin/sweep", post(freshness::sweep))
        .route("/v1/privacy/erase", post(privacy::erase))
        .route("/v1/privacy/deletion-lists", post(deletion_lists::import))
        .route(
            "/v1/privacy/suppressions",
            get(deletion_lists::suppressions),
        )
        .route("/v1/privacy/restrict", post(privacy::restrict))
        .route("/v1/privacy/access", post(privacy::access))
        .route(
            "/v1/privacy/requests",
            post(privacy::open_request).get(privacy::list_requests),
        )
        .route("/v1/privacy/notices", get(privacy::notices))
        .route(
            "/v1/profiles/{id}",
            get(profiles::get_profile).patch(privacy::rectify),
        )
        .merge(console::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            request_timeout,
        ));
    let long = Router::new()
        .route("/v1/admin/purge", post(backup::purge))
        .route("/v1/admin/snapshot", post(backup::snapshot))
        .method_not_allowed_fallback(method_not_allowed);
    timed
        .merge(long)
        .layer(DefaultBodyLimit::max(state.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), guard::guard))
        .layer(middleware::from_fn_with_state(state.clone(), shed))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(middleware::map_response(problem_for_bare_errors))
        .with_state(state)
}

/// Counts and times each request by route template. Logs carry no request content.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state
        .metrics
        .observe_request(&route, &method, status, elapsed);
    tracing::debug!(%route, %method, status, micros = elapsed.as_micros() as u64, "request");
    response
}

/// Load shedding: past `max_in_flight` requests being served (a streamed answer until
/// its body ends), a new one waits a few service times at most for a slot, then is
/// answered 503 with `Retry-After` instead of queueing without bound (see [`admission`]).
/// `/healthz` and `/metrics` are exempt, so an overloaded daemon stays observable.
async fn shed(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(request.uri().path(), "/healthz" | "/metrics") {
        return next.run(request).await;
    }
    let Some(slot) = state.admission.admit().await else {
        state.metrics.request_shed();
        return axum::response::IntoResponse::into_response(ApiError(Error::Overloaded {
            retry_after: 1,
        }));
    };
    let started = Instant::now();
    let response = next.run(request).await;
    // A streamed answer (no known length) is work in flight until its body ends; it is
    // not timed (an enrichment stream says nothing of how long a lookup takes).
    if axum::body::HttpBody::size_hint(response.body())
        .exact()
        .is_some()
    {
        state.admission.served(started.elapsed());
        return response;
    }
    response.map(|body| {
        axum::body::Body::from_stream(futures_util::StreamExt::map(
            body.into_data_stream(),
            move |chunk| {
                let _held = &slot;
                chunk
            },
        ))
    })
}

/// Errors produced below the handlers (timeouts, framework rejections) arrive without a
/// problem body; give them one so clients see one error format.
async fn problem_for_bare_errors(response: Response) -> Response {
    let status = response.status();
    let is_problem = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if (status.is_client_error() || status.is_server_error()) && !is_problem {
        let (code, detail) = match status.as_u16() {
            413 => (
                Code::PayloadTooLarge,
                "the request body is over the size limit",
            ),
            // The request timeout is the only layer that answers 503 without a body.
            503 => (
                Code::Unavailable,
                "the request did not finish within the request timeout",
            ),
            s if s < 500 => (
                Code::InvalidRequest,
                status.canonical_reason().unwrap_or("invalid request"),
            ),
            _ => (Code::Internal, "the server could not complete the request"),
        };
        return error::problem_response(
            status.as_u16(),
            code.as_str(),
            code.title(),
            detail.to_owned(),
        );
    }
    response
}

async fn not_found() -> ApiError {
    ApiError(Error::NotFound("route"))
}

async fn method_not_allowed() -> ApiError {
    ApiError(Error::MethodNotAllowed)
}

/// Runs blocking engine work off the async runtime.
pub(crate) async fn blocking<T, F>(work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> crate::error::Result<T> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| ApiError(Error::Internal("blocking task failed".into())))?
        .map_err(ApiError)
}
