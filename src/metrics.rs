//! Prometheus metrics: request counts and latency per route, and gauges of the data
//! (profiles, companies, index lag) read at scrape time.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The route template (`/v1/profiles/{id}`), never the raw path.
    pub route: String,
    pub method: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

/// An API key by its name (never the key).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KeyLabels {
    pub key: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ThrottleLabels {
    pub key: String,
    /// `rate` or `quota`.
    pub limit: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The daemon's metrics registry.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    key_requests: Family<KeyLabels, Counter>,
    key_throttled: Family<ThrottleLabels, Counter>,
    key_records: Family<KeyLabels, Counter>,
    shed: Counter,
    connections_refused: Counter,
    pub profiles: Gauge,
    pub companies: Gauge,
    pub index_lag: Gauge,
    pub indexed_docs: Gauge,
    pub index_segments: Gauge,
    pub privacy_requests_open: Gauge,
    pub privacy_requests_overdue: Gauge,
    profiles_expired: Counter,
    disk_full: Gauge,
    disk_free_bytes: Gauge,
    disk_refused_writes: Counter,
    store_reopens: Counter,
    disclosure_backlog: Gauge,
    index_failing_commits: Gauge,
    oldest_sighting_age: Gauge,
    last_sweep_seconds: Gauge<f64, std::sync::atomic::AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("profiled");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route, method and status",
            requests.clone(),
        );
        let latency: LatencyFamily =
            Family::new_with_constructor(|| Histogram::new(exponential_buckets(0.000_05, 2.0, 18)));
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            latency.clone(),
        );
        let key_requests = Family::<KeyLabels, Counter>::default();
        registry.register(
            "key_requests",
            "Requests by API key name",
            key_requests.clone(),
        );
        let key_throttled = Family::<ThrottleLabels, Counter>::default();
        registry.register(
            "key_throttled",
            "Requests refused with 429 by API key name and limit (rate, quota)",
            key_throttled.clone(),
        );
        let key_records = Family::<KeyLabels, Counter>::default();
        registry.register(
            "key_records",
            "Records counted against the daily quota (lookups, profile reads, enrich records) by API key name",
            key_records.clone(),
        );
        let shed = Counter::default();
        registry.register(
            "http_shed",
            "Requests refused with 503 because the limit of requests in flight was reached",
            shed.clone(),
        );
        let connections_refused = Counter::default();
        registry.register(
            "connections_refused",
            "Connections refused with 503 because the connection limit was reached",
            connections_refused.clone(),
        );
        let profiles = Gauge::default();
        registry.register("profiles", "Profiles in the store", profiles.clone());
        let companies = Gauge::default();
        registry.register("companies", "Companies in the store", companies.clone());
        let index_lag = Gauge::default();
        registry.register(
            "index_lag_writes",
            "Acknowledged writes not yet searchable",
            index_lag.clone(),
        );
        let indexed_docs = Gauge::default();
        registry.register(
            "indexed_documents",
            "Documents in the searchable index",
            indexed_docs.clone(),
        );
        let index_segments = Gauge::default();
        registry.register(
            "index_segments",
            "Segments of the searchable index (each costs every lookup a term lookup)",
            index_segments.clone(),
        );
        let privacy_requests_open = Gauge::default();
        registry.register(
            "privacy_requests_open",
            "Data-subject requests received and not yet completed",
            privacy_requests_open.clone(),
        );
        let privacy_requests_overdue = Gauge::default();
        registry.register(
            "privacy_requests_overdue",
            "Open data-subject requests past their legal due date",
            privacy_requests_overdue.clone(),
        );
        let profiles_expired = Counter::default();
        registry.register(
            "profiles_expired",
            "Profiles deleted by the sweeper since start",
            profiles_expired.clone(),
        );
        let disk_full = Gauge::default();
        registry.register(
            "disk_full",
            "1 while writes are refused (507) for want of disk space, else 0",
            disk_full.clone(),
        );
        let disk_free_bytes = Gauge::default();
        registry.register(
            "disk_free_bytes",
            "Bytes free on the data directory's filesystem",
            disk_free_bytes.clone(),
        );
        let disk_refused_writes = Counter::default();
        registry.register(
            "disk_refused_writes",
            "Writes refused for want of disk space since start",
            disk_refused_writes.clone(),
        );
        let store_reopens = Counter::default();
        registry.register(
            "store_reopens",
            "Times the store was reopened after a failed write since start",
            store_reopens.clone(),
        );
        let disclosure_backlog = Gauge::default();
        registry.register(
            "disclosure_log_backlog",
            "Disclosed profiles the disclosure log has not yet written (0 when it keeps up)",
            disclosure_backlog.clone(),
        );
        let index_failing_commits = Gauge::default();
        registry.register(
            "index_failing_commits",
            "Index commits failed in a row; the indexer retries them (0 when it keeps up)",
            index_failing_commits.clone(),
        );
        let oldest_sighting_age = Gauge::default();
        registry.register(
            "oldest_sighting_age_seconds",
            "Seconds since the least recently seen profile was last seen",
            oldest_sighting_age.clone(),
        );
        let last_sweep_seconds = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        registry.register(
            "last_sweep_duration_seconds",
            "Duration of the last sweep",
            last_sweep_seconds.clone(),
        );
        Self {
            registry,
            profiles_expired,
            disk_full,
            disk_free_bytes,
            disk_refused_writes,
            store_reopens,
            disclosure_backlog,
            index_failing_commits,
            oldest_sighting_age,
            last_sweep_seconds,
            requests,
            latency,
            key_requests,
            key_throttled,
            key_records,
            shed,
            connections_refused,
            profiles,
            companies,
            index_lag,
            indexed_docs,
            index_segments,
            privacy_requests_open,
            privacy_requests_overdue,
        }
    }

    pub fn observe_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                method: method.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// A request carrying the key named `key`.
    pub fn key_request(&self, key: &str) {
        self.key_requests
            .get_or_create(&KeyLabels {
                key: key.to_owned(),
            })
            .inc();
    }

    /// A request of `key` refused by its `limit` (`rate` or `quota`).
    pub fn key_throttled(&self, key: &str, limit: &str) {
        self.key_throttled
            .get_or_create(&ThrottleLabels {
                key: key.to_owned(),
                limit: limit.to_owned(),
            })
            .inc();
    }

    /// Records counted against `key`'s quota.
    pub fn key_records(&self, key: &str, records: u64) {
        if records > 0 {
            self.key_records
                .get_or_create(&KeyLabels {
                    key: key.to_owned(),
                })
                .inc_by(records);
        }
    }

    /// A request shed by the limit of requests in flight.
    pub fn request_shed(&self) {
        self.shed.inc();
    }

    /// A connection refused by the connection limit.
    pub fn connection_refused(&self) {
        self.connections_refused.inc();
    }

    /// Brings the disk, disclosure log and indexer metrics up to the engine's figures.
    pub fn record_health(&self, health: &crate::engine::Health) {
        self.disk_full.set(i64::from(health.disk.full));
        self.disk_free_bytes
            .set(i64::try_from(health.disk.free_bytes).unwrap_or(i64::MAX));
        let catch_up = |counter: &Counter, total: u64| {
            let counted = counter.get();
            if total > counted {
                counter.inc_by(total - counted);
            }
        };
        catch_up(&self.disk_refused_writes, health.disk.refused_writes);
        catch_up(&self.store_reopens, health.disk.reopens);
        self.disclosure_backlog
            .set(i64::try_from(health.disclosure_backlog).unwrap_or(i64::MAX));
        self.index_failing_commits
            .set(i64::try_from(health.failing_index_commits).unwrap_or(i64::MAX));
    }

    /// Brings the freshness metrics up to the engine's figures.
    pub fn record_freshness(&self, expired_total: u64, oldest_age_secs: i64, last_sweep_ms: u64) {
        let counted = self.profiles_expired.get();
        if expired_total > counted {
            self.profiles_expired.inc_by(expired_total - counted);
        }
        self.oldest_sighting_age.set(oldest_age_secs);
        self.last_sweep_seconds.set(last_sweep_ms as f64 / 1000.0);
    }

    /// The text exposition format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            tracing::error!("metrics encoding failed");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_per_route() {
        let metrics = Metrics::new();
        metrics.observe_request("/v1/lookup", "POST", 200, Duration::from_millis(2));
        metrics.profiles.set(7);
        let text = metrics.encode();
        assert!(text.contains("profiled_http_requests_total{route=\"/v1/lookup\",method=\"POST\",status=\"200\"} 1"), "{text}");
        assert!(text.contains("profiled_profiles 7"), "{text}");
        assert!(
            text.contains("profiled_http_request_duration_seconds_bucket"),
            "{text}"
        );
    }
}
