//! The one API both edges (HTTP and CLI) call: ingest, get, lookup, and the lifecycle of
//! the store, the index and the indexer under one data directory.
//!
//! Engine methods are synchronous and may block (sled, tantivy, rayon); async callers run
//! them off the runtime (the HTTP edge: reads on its read pool, the rest through
//! `spawn_blocking`). Writes are serialised by one lock, so the outbox order is
//! the commit order.

mod access;
pub mod backup;
mod check;
mod deletion_list;
pub mod enrich;
mod freshness;
pub mod ingest;
mod lookup;
mod privacy;
mod purge;
mod quota;
pub mod retention;
mod rules;
pub mod search;
mod suppression_feed;
mod sweep_preview;
mod view;

pub use crate::model::{
    AgeBucket, Freshness, OneOrMany, SearchFilters, SearchRequest, SearchResponse, Stats,
};
pub use crate::model::{SightingsReport, SightingsRequest, SweepReport};
pub use check::CheckReport;
pub use deletion_list::{
    drop_email_digest, drop_phone_digest, DeletionListReport, DeletionListType, STATUS_DELETED,
    STATUS_NOT_FOUND, SUPPRESSED_BY_DELETION_LIST,
};
pub use enrich::{EnrichOptions, EnrichResult, RecordError};
pub use ingest::InputLimits;
pub use retention::Retention;
pub use suppression_feed::{
    SuppressionPage, SuppressionView, DEFAULT_SUPPRESSION_PAGE, MAX_SUPPRESSION_PAGE,
};
pub use sweep_preview::SweepPreview;

use crate::audit::{self, DisclosureLog};
use crate::clock::Clock;
use crate::email::EmailHasher;
use crate::error::{Error, Result};
use crate::index::indexer::{Indexer, IndexerConfig};
use crate::index::SearchIndex;
use crate::model::{IngestReport, LookupRequest, LookupResult, Profile, ProfileId};
use crate::store::{Counts, DiskState, Store, WriteSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Everything an engine needs to open a data directory.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub data_dir: PathBuf,
    /// sled page cache size.
    pub cache_bytes: u64,
    pub indexer: IndexerConfig,
    /// The email hash key given by the operator; else the data directory's key file.
    pub email_key: Option<[u8; 32]>,
    pub limits: InputLimits,
    pub retention: Retention,
    /// Deleted data is physically purged from the data directory within this window.
    pub purge_window_secs: i64,
    /// What the access export tells a subject about the processing.
    pub privacy: PrivacyPolicy,
    /// Bytes of the data directory's disk that client writes leave free (507 below it).
    pub disk_reserve_bytes: u64,
}

/// The processing facts an access export states (Art. 15(1) GDPR), from the
/// configuration's `[privacy]` table.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacyPolicy {
    pub controller: String,
    pub contact: String,
    pub purposes: Vec<String>,
    pub legal_basis: String,
    /// Days the disclosure log (and the notices) are kept.
    pub audit_retention_days: u32,
}

impl Default for PrivacyPolicy {
    fn default() -> Self {
        Self {
            controller: "the operator of this profiled instance".into(),
            contact: "the operator's privacy contact".into(),
            purposes: vec![
                "business-to-business contact: finding the work role and company of professionals"
                    .into(),
                "enriching business contact records with professional information".into(),
            ],
            legal_basis: "legitimate interests (Art. 6(1)(f) GDPR) in business-to-business contact"
                .into(),
            audit_retention_days: 730,
        }
    }
}

/// The purge window's default: 24 hours.
pub const DEFAULT_PURGE_WINDOW_SECS: i64 = 24 * 3600;

impl EngineConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            cache_bytes: 256 << 20,
            indexer: IndexerConfig::default(),
            email_key: None,
            limits: InputLimits::default(),
            retention: Retention::default(),
            purge_window_secs: DEFAULT_PURGE_WINDOW_SECS,
            privacy: PrivacyPolicy::default(),
            disk_reserve_bytes: DEFAULT_DISK_RESERVE_BYTES,
        }
    }
}

/// The disk reserve's default: 64 MiB (room for sled's flushes, index commits and the
/// disclosure log once client writes are refused).
pub const DEFAULT_DISK_RESERVE_BYTES: u64 = 64 << 20;

/// How the daemon is doing, beyond serving: what `/healthz` and the metrics report.
#[derive(Clone, Debug, Default)]
pub struct Health {
    pub disk: DiskState,
    /// Disclosed profiles the disclosure log has not yet written (a group's worth when
    /// it keeps up).
    pub disclosure_backlog: u64,
    /// Whether the disclosure log's last write failed (it is behind and retrying).
    pub disclosure_log_failing: bool,
    /// Index commits that failed in a row (the indexer retries them).
    pub failing_index_commits: u64,
    /// Outbox entries written but not yet searchable.
    pub index_lag: u64,
}

impl Health {
    /// Whether anything is wrong: writes refused, the log or the index failing to write.
    pub fn degraded(&self) -> bool {
        self.disk.full || self.disclosure_log_failing || self.failing_index_commits > 0
    }
}

/// The one write path's lock and store, shared with the disclosure log's writer (which
/// records recipients) so that it too writes under the lock.
struct WritePath {
    store: Arc<Store>,
    lock: Mutex<()>,
}

impl WritePath {
    /// Under the lock, `build` reads what it needs and names the records that change; the
    /// store derives every secondary entry and commits it all atomically and durably.
    fn write<T>(&self, build: impl FnOnce(&Store, &mut WriteSet) -> Result<T>) -> Result<(T, u64)> {
        let _guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        let mut writes = WriteSet::default();
        let value = build(&self.store, &mut writes)?;
        let seq = self.store.commit(writes)?;
        Ok((value, seq))
    }
}

/// What the disclosure log's writer reads and writes, through the write path.
struct LogProfiles {
    write_path: Arc<WritePath>,
    index: Arc<SearchIndex>,
}

impl audit::Profiles for LogProfiles {
    fn reference_salt(&self, id: ProfileId) -> Result<Option<[u8; 16]>> {
        // The match table holds the salt of every indexed profile: reading the record
        // (decoding all of it) for each disclosed profile was a third of the writer's
        // time. A profile the table does not hold yet (just written) or any more
        // (restricted, erased) is read from the store.
        if let Some(salt) = self.index.matches().with_profile(id, |p| p.reference_salt) {
            return Ok(Some(salt));
        }
        Ok(self
            .write_path
            .store
            .profile(id)?
            .map(|record| record.reference_salt))
    }

    fn room(&self) -> Result<()> {
        self.write_path.store.internal_room()
    }

    fn received(&self, received: &[(ProfileId, Arc<str>, i64)]) -> Result<()> {
        let mut seen = std::collections::HashSet::new();
        // Most pairs are known already: look before taking the write lock.
        let mut new = Vec::new();
        for (id, name, at) in received {
            if seen.insert((*id, name.clone())) && !self.write_path.store.is_recipient(*id, name)? {
                new.push((*id, name, *at));
            }
        }
        if new.is_empty() {
            return Ok(());
        }
        self.write_path.write(|store, writes| {
            writes.internal();
            for (id, name, at) in new {
                // Read under the lock: an entry for a profile erased meanwhile would
                // outlive it.
                if store.profile(id)?.is_some() {
                    writes.add_recipient(id, name, at);
                }
            }
            Ok(())
        })?;
        Ok(())
    }
}

/// The profile database: sled records, the derived tantivy index, and their indexer.
pub struct Engine {
    store: Arc<Store>,
    index: Arc<SearchIndex>,
    indexer: Indexer,
    hasher: EmailHasher,
    clock: Arc<dyn Clock>,
    limits: InputLimits,
    /// One purge at a time.
    purge_lock: Mutex<()>,
    purge_window_secs: i64,
    write_path: Arc<WritePath>,
    disclosures: DisclosureLog,
    privacy: PrivacyPolicy,
    data_dir: PathBuf,
    retention: Retention,
    /// Set when shutting down: long jobs (sweeps) stop between atomic batches.
    closing: AtomicBool,
    /// Profiles expired since start, and the last sweep's duration (for metrics).
    expired_total: AtomicU64,
    last_sweep_ms: AtomicU64,
    /// Batch enrichment's threads (see `enrich::enrich_pool`).
    enrich_pool: rayon::ThreadPool,
}

/// This machine's cores (1 when unknown): the base of the read threads' default (reads
/// are CPU work, see `http::read_pool`), of `max_in_flight`'s and of the enrichment pool's.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

impl Engine {
    /// Opens (creating if needed) the data directory, replays or rebuilds the index,
    /// and starts the indexer.
    pub fn open(config: EngineConfig, clock: Arc<dyn Clock>) -> Result<Self> {
        // Profiles are personal data: nothing under the data directory is for other users.
        crate::fsutil::private_by_default();
        crate::fsutil::create_private_dir(&config.data_dir)?;
        crate::fsutil::make_private(&config.data_dir)?;
        let store = Arc::new(Store::open_in(&config.data_dir, config.cache_bytes)?);
        store.set_disk_reserve(config.disk_reserve_bytes);
        let hasher = EmailHasher::load_or_create(&config.data_dir, config.email_key)?;
        let (index, opened) = SearchIndex::open(&config.data_dir.join("index"))?;
        let index = Arc::new(index);
        let indexer = Indexer::start(store.clone(), index.clone(), opened, config.indexer)?;
        let write_path = Arc::new(WritePath {
            store: store.clone(),
            lock: Mutex::new(()),
        });
        let disclosures = DisclosureLog::open(
            &config.data_dir,
            LogProfiles {
                write_path: write_path.clone(),
                index: index.clone(),
            },
        )?;
        Ok(Self {
            store,
            index,
            indexer,
            hasher,
            clock,
            limits: config.limits,
            purge_lock: Mutex::new(()),
            purge_window_secs: config.purge_window_secs,
            write_path,
            disclosures,
            privacy: config.privacy,
            data_dir: config.data_dir,
            retention: config.retention,
            closing: AtomicBool::new(false),
            expired_total: AtomicU64::new(0),
            last_sweep_ms: AtomicU64::new(0),
            enrich_pool: enrich::enrich_pool()?,
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn limits(&self) -> &InputLimits {
        &self.limits
    }

    /// Ingests an NDJSON body. Each line succeeds or is rejected on its own; the accepted
    /// ones are durable when this returns. The returned sequence is what
    /// [`Engine::wait_searchable`] waits for.
    pub fn ingest_ndjson(&self, body: &[u8], first_line: u64) -> Result<(IngestReport, u64)> {
        let now = self.clock.now();
        let prepared = ingest::prepare_ndjson(body, first_line, now, &self.limits);
        self.apply_prepared(prepared, now)
    }

    fn apply_prepared(
        &self,
        prepared: Vec<std::result::Result<ingest::Prepared, crate::model::RejectedLine>>,
        now: i64,
    ) -> Result<(IngestReport, u64)> {
        let mut report = IngestReport::default();
        let mut accepted = Vec::with_capacity(prepared.len());
        for item in prepared {
            match item {
                Ok(p) => accepted.push(p),
                Err(rejected) => report.rejected.push(rejected),
            }
        }
        if accepted.is_empty() {
            return Ok((report, 0));
        }
        let started = std::time::Instant::now();
        let lines = accepted.len();
        let ((), seq) = self.write(|store, writes| {
            ingest::apply(store, &self.hasher, accepted, now, &mut report, writes)
        })?;
        tracing::debug!(
            lines,
            apply_us = started.elapsed().as_micros() as u64,
            "ingest batch"
        );
        Ok((report, seq))
    }

    /// The one write path: under the write lock (so the outbox order is the commit
    /// order), `build` reads what it needs and names the records that change; the store
    /// derives every secondary entry and commits it all atomically and durably; then the
    /// indexer is told. Returns `build`'s value and the outbox sequence of the write (0
    /// when nothing needs indexing), which [`Engine::wait_searchable`] waits for.
    pub(crate) fn write<T>(
        &self,
        build: impl FnOnce(&Store, &mut WriteSet) -> Result<T>,
    ) -> Result<(T, u64)> {
        let now = self.clock.now();
        let (value, seq) = self.write_path.write(|store, writes| {
            let value = build(store, writes)?;
            writes.note_time(now);
            Ok(value)
        })?;
        if seq > 0 {
            self.indexer.notify(seq);
        }
        Ok((value, seq))
    }

    /// Records what a response disclosed to `recipient` (the client key's name). Fails
    /// — and the response must not be sent — while the disclosure log is too far behind.
    pub(crate) fn disclose(
        &self,
        recipient: &Arc<str>,
        operation: &'static str,
        items: Vec<audit::Disclosed>,
    ) -> Result<()> {
        self.disclosures.record(audit::Disclosure {
            at: self.clock.now(),
            recipient: recipient.clone(),
            operation,
            items,
        })
    }

    /// Waits until the index reflects outbox sequence `seq` (or `timeout` passes).
    pub async fn wait_searchable(&self, seq: u64, timeout: Duration) -> Result<()> {
        let mut indexed = self.indexer.subscribe();
        let wait = async move {
            indexed
                .wait_for(|current| *current >= seq)
                .await
                .map(|_| ())
        };
        // The index cannot catch up on a full disk: say so instead of waiting it out (the
        // write itself is durable; sending it again once there is room changes nothing).
        let full = async {
            let mut ticks = tokio::time::interval(Duration::from_millis(250));
            loop {
                ticks.tick().await;
                if self.store.last_disk_state().full {
                    return;
                }
            }
        };
        tokio::select! {
            waited = tokio::time::timeout(timeout, wait) => match waited {
                Ok(Ok(())) => Ok(()),
                Ok(Err(_)) => Err(Error::Unavailable),
                Err(_) => Err(Error::Internal("the index did not catch up in time".into())),
            },
            () = full => Err(Error::DiskFull),
        }
    }

    /// Blocks until the index reflects `seq` (offline commands and tests).
    pub fn wait_searchable_blocking(&self, seq: u64, timeout: Duration) -> Result<()> {
        let started = std::time::Instant::now();
        while self.indexer.indexed_seq() < seq {
            if started.elapsed() > timeout {
                return Err(Error::Internal("the index did not catch up in time".into()));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(())
    }

    /// A profile by its public id, for `recipient`. A restricted profile is shown only
    /// to the privacy desk (`sees_restricted`); to anyone else it does not exist.
    pub fn profile(
        &self,
        id: &str,
        recipient: &Arc<str>,
        sees_restricted: bool,
    ) -> Result<Profile> {
        let id = ProfileId::parse(id).ok_or(Error::NotFound("profile"))?;
        let record = self
            .store
            .profile(id)?
            .filter(|record| sees_restricted || record.restricted_at.is_none())
            .ok_or(Error::NotFound("profile"))?;
        let company = match record.company {
            Some(cid) => self.store.company(cid)?,
            None => None,
        };
        let profile = view::profile(id, &record, company.as_ref(), &self.hasher);
        self.disclose(recipient, "get", vec![view::disclosed(id, &profile)])?;
        Ok(profile)
    }

    /// Finds the person a client (`recipient`) describes.
    pub fn lookup(&self, request: &LookupRequest, recipient: &Arc<str>) -> Result<LookupResult> {
        let result = lookup::lookup(self, request, true)?;
        self.disclose(
            recipient,
            "lookup",
            view::disclosed_by_answer(&result.profile, &result.candidates),
        )?;
        Ok(result)
    }

    /// The disk, the disclosure log and the indexer as they stand now.
    pub fn health(&self) -> Health {
        Health {
            disk: self.store.disk_state(),
            disclosure_backlog: self.disclosures.backlog(),
            disclosure_log_failing: self.disclosures.failing(),
            failing_index_commits: self.indexer.failing_commits(),
            index_lag: self.index_lag(),
        }
    }

    /// Heals what a full disk broke, once there is room again: reopens the store if sled
    /// gave up after a failed write (under the write lock, so no commit runs meanwhile),
    /// and tells the indexer what the reopened store holds. The daemon calls it every
    /// second; it does nothing while all is well.
    pub fn heal(&self) -> Result<()> {
        if !self.store.disk_state().needs_reopen {
            return Ok(());
        }
        let reopened = {
            let _guard = self
                .write_path
                .lock
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            self.store.reopen()?
        };
        if reopened {
            self.indexer.notify(self.store.last_outbox_seq()?);
        }
        Ok(())
    }

    /// Counts kept transactionally with the data.
    pub fn counts(&self) -> Result<Counts> {
        self.store.counts()
    }

    /// Outbox entries written but not yet searchable.
    pub fn index_lag(&self) -> u64 {
        self.indexer
            .written_seq()
            .saturating_sub(self.indexer.indexed_seq())
    }

    pub fn indexed_docs(&self) -> u64 {
        self.index.num_docs()
    }

    /// Segments of the searchable index.
    pub fn index_segments(&self) -> usize {
        self.index.segment_count()
    }

    /// Makes everything written so far searchable and merges the index into one segment,
    /// waiting for it: offline commands call it after a bulk load (the daemon merges on
    /// its own once writes pause).
    pub fn compact(&self) -> Result<()> {
        self.indexer.compact()
    }

    /// Drains the indexer (final commit) and flushes the store. Writes after this are
    /// durable but no longer indexed until the next start.
    pub fn shutdown(&self) -> Result<()> {
        self.begin_closing();
        // Wait for a write in progress (e.g. a sweep batch) to finish.
        drop(
            self.write_path
                .lock
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        self.indexer.shutdown();
        self.disclosures.shutdown();
        match self.store.flush() {
            // Every acknowledged write was made durable before it was answered; what a
            // last flush on a full disk leaves behind is the daemon's own bookkeeping not
            // yet flushed (quota counts, recipients noted since the last sync), which a
            // crash would lose as well. The stop is still an orderly one.
            Err(Error::DiskFull) => {
                tracing::error!(
                    "the store's last flush met a full disk: every acknowledged write was already on disk; quota counts and recipients noted since the last sync may be lost"
                );
                Ok(())
            }
            flushed => flushed,
        }
    }

    /// Profiles expired since start and the last sweep's duration in milliseconds.
    pub fn sweep_stats(&self) -> (u64, u64) {
        (
            self.expired_total.load(Ordering::Relaxed),
            self.last_sweep_ms.load(Ordering::Relaxed),
        )
    }

    /// Seconds since the least recently seen profile was last seen (0 when empty).
    pub fn oldest_sighting_age(&self) -> Result<i64> {
        Ok(self
            .store
            .oldest_sighting()?
            .map_or(0, |oldest| (self.clock.now() - oldest).max(0)))
    }

    pub fn retention(&self) -> Retention {
        self.retention
    }

    pub(crate) fn record_sweep(&self, report: &SweepReport) {
        self.expired_total
            .fetch_add(report.expired_profiles, Ordering::Relaxed);
        self.last_sweep_ms
            .store(report.duration_ms, Ordering::Relaxed);
    }

    /// Tells long jobs (sweeps) to stop at their next batch boundary.
    pub fn begin_closing(&self) {
        self.closing.store(true, Ordering::SeqCst);
    }

    pub(crate) fn is_closing(&self) -> bool {
        self.closing.load(Ordering::SeqCst)
    }

    pub(crate) fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn search_index(&self) -> &SearchIndex {
        &self.index
    }

    pub(crate) fn hasher(&self) -> &EmailHasher {
        &self.hasher
    }
}
