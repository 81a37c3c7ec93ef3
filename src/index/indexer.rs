//! The single indexer: drains the store's outbox into the one `IndexWriter` of the
//! process, commits in batches (by time and count) with the last applied outbox sequence
//! in the commit payload, reloads the reader, then trims the outbox.
//!
//! It runs on its own OS thread: tantivy indexing is blocking CPU work and must not sit on
//! the async runtime. Writers wake it with [`Indexer::notify`]; waiters for
//! `refresh=wait_for` watch [`Indexer::subscribe`].
//!
//! Once writes stop for a while it merges the index into one segment in the background
//! (and offline commands ask for that with [`Indexer::compact`]): a lookup reads each
//! term's dictionary entry and postings once per segment, so a bulk load's many segments
//! multiply the cost of every lookup.

use crate::error::{Error, Result};
use crate::index::{CommitPayload, Opened, SearchIndex};
use crate::matching::score::{MatchCompany, MatchProfile};
use crate::model::ProfileId;
use crate::store::record::ProfileRecord;
use crate::store::{CompanyCache, Store};
use rayon::prelude::*;
use std::sync::{mpsc, Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tantivy::{IndexWriter, Term};
use tokio::sync::watch;

/// How the indexer batches work.
#[derive(Clone, Debug)]
pub struct IndexerConfig {
    /// A write becomes searchable at most this long after it was acknowledged. When the
    /// outbox is drained the indexer commits sooner, but at most every tenth of this
    /// (so a trickle of small writes does not turn into a commit per write).
    pub commit_interval: Duration,
    /// Commit early once this many profile documents are pending.
    pub max_pending_docs: usize,
    pub writer_threads: usize,
    pub writer_memory_bytes: usize,
    /// Merge the index into one segment once no write has come for this long.
    pub compact_after_idle: Duration,
}

impl Default for IndexerConfig {
    fn default() -> Self {
        Self {
            commit_interval: Duration::from_secs(1),
            max_pending_docs: 200_000,
            writer_threads: 1,
            writer_memory_bytes: 128 << 20,
            compact_after_idle: Duration::from_secs(30),
        }
    }
}

#[derive(Default)]
struct Signal {
    state: Mutex<SignalState>,
    wake: Condvar,
}

/// Hears how a merge requested by [`Indexer::compact`] or [`Indexer::purge`] ended: the
/// segments it merged, or an error as text.
type CompactionWaiter = mpsc::Sender<std::result::Result<usize, String>>;

#[derive(Default)]
struct SignalState {
    written: u64,
    stop: bool,
    /// Callers of [`Indexer::compact`] waiting for the merge.
    compact_waiters: Vec<CompactionWaiter>,
    /// Callers of [`Indexer::purge`] waiting for the merge of the segments with deletes.
    purge_waiters: Vec<CompactionWaiter>,
}

/// Handle of the indexer thread.
pub struct Indexer {
    signal: Arc<Signal>,
    indexed: watch::Receiver<u64>,
    thread: Mutex<Option<JoinHandle<()>>>,
    failed_commits: Arc<std::sync::atomic::AtomicU64>,
}

impl Indexer {
    /// Brings the index up to date with the store (a full rebuild when `opened` says so,
    /// else a replay of the outbox past the index's last commit), then starts the thread.
    pub fn start(
        store: Arc<Store>,
        index: Arc<SearchIndex>,
        opened: Opened,
        config: IndexerConfig,
    ) -> Result<Self> {
        let mut writer = index.writer(config.writer_threads, config.writer_memory_bytes)?;
        let start_seq = match opened {
            Opened::NeedsRebuild => rebuild(&store, &index, &mut writer)?,
            Opened::At(seq) => {
                // Only saves space (a daemon on a full disk still starts and serves reads).
                if let Err(err) = store.outbox_trim(seq) {
                    tracing::warn!(error = %err, "could not trim the outbox; a later commit does");
                }
                load_matches(&store, &index)?;
                seq
            }
        };
        let (indexed_tx, indexed) = watch::channel(start_seq);
        let failed_commits = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let signal = Arc::new(Signal::default());
        signal
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .written = store.last_outbox_seq()?;
        let mut worker = Worker {
            store,
            index,
            writer,
            config,
            signal: signal.clone(),
            indexed_tx,
            applied: start_seq,
            last_write: Instant::now(),
            // An index left in several segments (by an older version, or a crash before
            // a merge) is merged once the daemon has been idle.
            changed_since_compaction: true,
            merging: None,
            writer_lost: false,
            failed_commits: failed_commits.clone(),
        };
        // Replay what the index has not seen before anyone can search it.
        if worker.apply_outbox()? > 0 {
            worker.commit()?;
        }
        let thread = std::thread::Builder::new()
            .name("profiled-indexer".into())
            .spawn(move || worker.run())?;
        Ok(Self {
            signal,
            indexed,
            thread: Mutex::new(Some(thread)),
            failed_commits,
        })
    }

    /// Tells the indexer that the outbox holds entries up to `seq`.
    pub fn notify(&self, seq: u64) {
        let mut state = self
            .signal
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        state.written = state.written.max(seq);
        self.signal.wake.notify_one();
    }

    /// Index commits that failed in a row (0 once one succeeds): the indexer is retrying,
    /// typically because the disk is full.
    pub fn failing_commits(&self) -> u64 {
        self.failed_commits
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The outbox sequence the searchable index reflects.
    pub fn indexed_seq(&self) -> u64 {
        *self.indexed.borrow()
    }

    /// A receiver that sees each new committed sequence.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.indexed.clone()
    }

    /// The newest outbox sequence the indexer was told about.
    pub fn written_seq(&self) -> u64 {
        self.signal
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .written
    }

    /// Applies and commits what the outbox holds, then merges the index into one segment
    /// and waits for it (offline commands, after a bulk load).
    pub fn compact(&self) -> Result<()> {
        self.merge_request(false, 3)
            .map(|_| ())
            .map_err(|err| Error::Internal(format!("merging the index: {err}")))
    }

    /// Applies and commits what the outbox holds, then rewrites every segment holding
    /// deleted documents without them and waits for it; tantivy then removes the old
    /// segments' files. After it, no index file holds a term or a stored value of a
    /// document deleted before the call. Returns how many segments were rewritten.
    pub fn purge(&self) -> Result<usize> {
        // A merge already running over some of those segments (tantivy's own policy, or
        // the idle merge into one segment, 8–11 s at 1M profiles) makes ours fail until it
        // has finished.
        self.merge_request(true, 60)
            .map_err(|err| Error::Internal(format!("purging the index: {err}")))
    }

    fn merge_request(&self, purge: bool, attempts: usize) -> Result<usize> {
        let mut outcome = Ok(0);
        for attempt in 0..attempts {
            if attempt > 0 {
                std::thread::sleep(Duration::from_secs(1));
            }
            let (done, heard) = mpsc::channel();
            {
                let mut state = self
                    .signal
                    .state
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                if state.stop {
                    return Err(Error::Unavailable);
                }
                if purge {
                    state.purge_waiters.push(done);
                } else {
                    state.compact_waiters.push(done);
                }
                self.signal.wake.notify_one();
            }
            outcome = heard.recv().map_err(|_| Error::Unavailable)?;
            if outcome.is_ok() {
                break;
            }
        }
        outcome.map_err(Error::Internal)
    }

    /// Drains the outbox, commits, and stops the thread. Later calls do nothing.
    pub fn shutdown(&self) {
        {
            let mut state = self
                .signal
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            state.stop = true;
            self.signal.wake.notify_one();
        }
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            if thread.join().is_err() {
                tracing::error!("indexer thread panicked");
            }
        }
    }
}

impl Drop for Indexer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

struct Worker {
    store: Arc<Store>,
    index: Arc<SearchIndex>,
    writer: IndexWriter,
    config: IndexerConfig,
    signal: Arc<Signal>,
    indexed_tx: watch::Sender<u64>,
    applied: u64,
    /// When the outbox last held something to apply.
    last_write: Instant,
    /// Whether a commit has added segments since the last merge into one.
    changed_since_compaction: bool,
    /// Hears whether the merge in progress (if any) succeeded.
    merging: Option<mpsc::Receiver<bool>>,
    /// The writer failed to roll back after a failed commit and must be made anew.
    writer_lost: bool,
    /// Consecutive failed commits (for the back-off and the metric).
    failed_commits: Arc<std::sync::atomic::AtomicU64>,
}

impl Worker {
    fn run(mut self) {
        let mut pending_docs = 0usize;
        let mut pending_since: Option<Instant> = None;
        let min_commit_gap = self.config.commit_interval / 10;
        let mut last_commit = Instant::now();
        loop {
            if self.writer_lost && !self.renew_writer() {
                std::thread::sleep(Duration::from_secs(1));
                continue;
            }
            match self.apply_outbox() {
                Ok(0) => {}
                Ok(docs) => {
                    pending_docs += docs;
                    pending_since.get_or_insert_with(Instant::now);
                    self.last_write = Instant::now();
                }
                Err(err) => {
                    // A writer whose worker failed (a full disk) refuses every document
                    // after: start again from the last commit.
                    self.start_over(&err, "indexer could not apply the outbox; retrying");
                    pending_docs = 0;
                    pending_since = None;
                    continue;
                }
            }
            let (stopping, drained) = self.progress();
            let due = pending_since
                .is_some_and(|since| since.elapsed() >= self.config.commit_interval)
                || pending_docs >= self.config.max_pending_docs
                || (drained && last_commit.elapsed() >= min_commit_gap);
            if pending_since.is_some() && (due || stopping) {
                match self.commit() {
                    Ok(()) => {
                        pending_docs = 0;
                        pending_since = None;
                        last_commit = Instant::now();
                    }
                    Err(err) => {
                        // Whatever the failed commit held is dropped and applied again
                        // from the outbox, which keeps every entry until a commit holds it.
                        self.start_over(&err, "index commit failed; retrying");
                        pending_docs = 0;
                        pending_since = None;
                        continue;
                    }
                }
            }
            self.note_merge_outcome();
            let signal = self.signal.clone();
            let mut state = signal.state.lock().unwrap_or_else(PoisonError::into_inner);
            let drained = state.written <= self.applied && pending_since.is_none();
            if drained && !state.compact_waiters.is_empty() {
                let waiters = std::mem::take(&mut state.compact_waiters);
                drop(state);
                self.start_compaction(waiters);
                continue;
            }
            if drained && !state.purge_waiters.is_empty() {
                let waiters = std::mem::take(&mut state.purge_waiters);
                drop(state);
                self.start_purge(waiters);
                continue;
            }
            if state.stop && drained {
                return;
            }
            let idle = self.last_write.elapsed();
            if drained
                && self.changed_since_compaction
                && self.merging.is_none()
                && idle >= self.config.compact_after_idle
            {
                drop(state);
                if self.store.disk_state().full {
                    // A merge writes a copy of what it merges: wait for room.
                    self.last_write = Instant::now();
                    continue;
                }
                self.start_compaction(Vec::new());
                continue;
            }
            if state.written <= self.applied && !state.stop {
                // Drained with work pending: commit once the gap since the last commit
                // allows; else sleep until a write comes or the index is due for a merge.
                let timeout = match pending_since {
                    Some(_) => min_commit_gap.saturating_sub(last_commit.elapsed()),
                    // Look again after a while for how the merge in progress ended.
                    None if self.merging.is_some() => self.config.compact_after_idle,
                    None if self.changed_since_compaction => {
                        self.config.compact_after_idle.saturating_sub(idle)
                    }
                    None => Duration::from_secs(3600),
                };
                state = self
                    .signal
                    .wake
                    .wait_timeout(state, timeout)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            drop(state);
        }
    }

    /// Whether the indexer is asked to stop, and whether it has applied all it was told of.
    fn progress(&self) -> (bool, bool) {
        let state = self
            .signal
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        (state.stop, state.written <= self.applied)
    }

    /// Applies outbox entries past `applied`; returns how many documents it touched.
    fn apply_outbox(&mut self) -> Result<usize> {
        let mut docs = 0;
        let mut companies = CompanyCache::default();
        loop {
            let entries = self.store.outbox_after(self.applied, 256)?;
            if entries.is_empty() {
                return Ok(docs);
            }
            for (seq, entry) in entries {
                for raw_id in entry.profiles {
                    let id = ProfileId(raw_id);
                    self.writer
                        .delete_term(Term::from_field_u64(self.index.fields().id, raw_id));
                    match self.store.profile(id)?.filter(is_indexed) {
                        Some(profile) => index_profile(
                            &self.store,
                            &self.index,
                            &mut self.writer,
                            &mut companies,
                            id,
                            &profile,
                        )?,
                        None => self.index.matches().remove_profile(id),
                    }
                    docs += 1;
                }
                self.applied = seq;
            }
            if docs >= self.config.max_pending_docs {
                return Ok(docs);
            }
        }
    }

    fn commit(&mut self) -> Result<()> {
        commit(&mut self.writer, &self.index, self.applied)?;
        self.failed_commits
            .store(0, std::sync::atomic::Ordering::Relaxed);
        // The trim only saves space: an entry left behind is trimmed by a later commit
        // (or skipped at start, being at or below the committed sequence).
        if let Err(err) = self.store.outbox_trim(self.applied) {
            tracing::warn!(error = %err, "could not trim the outbox; a later commit does");
        }
        self.indexed_tx.send_replace(self.applied);
        self.changed_since_compaction = true;
        Ok(())
    }

    /// After a failure: counts it (logging the first and every 120th), rolls back, and
    /// waits a little longer each time, up to two seconds.
    fn start_over(&mut self, err: &Error, message: &'static str) {
        let failed = self
            .failed_commits
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        if failed == 1 || failed.is_multiple_of(120) {
            tracing::error!(error = %err, failed, "{message}");
        }
        self.roll_back();
        std::thread::sleep(Duration::from_millis(250 * failed.min(8)));
    }

    /// After a failed commit: drops the writer's uncommitted work and goes back to the
    /// last committed outbox sequence, so the entries since are applied again.
    fn roll_back(&mut self) {
        self.applied = *self.indexed_tx.borrow();
        self.merging = None;
        self.changed_since_compaction = true;
        if let Err(err) = self.writer.rollback() {
            tracing::error!(error = %err, "index writer rollback failed; making a new writer");
            self.writer_lost = true;
        }
    }

    /// Replaces a writer whose rollback failed; returns whether it succeeded.
    fn renew_writer(&mut self) -> bool {
        match self
            .index
            .writer(self.config.writer_threads, self.config.writer_memory_bytes)
        {
            Ok(writer) => {
                self.writer = writer;
                self.writer_lost = false;
                self.applied = *self.indexed_tx.borrow();
                true
            }
            Err(err) => {
                tracing::error!(error = %err, "could not make a new index writer; retrying");
                false
            }
        }
    }

    /// Takes note of how the merge in progress ended: a failed one is tried again once the
    /// index has been idle for another period.
    fn note_merge_outcome(&mut self) {
        let Some(outcome) = &self.merging else { return };
        match outcome.try_recv() {
            Err(mpsc::TryRecvError::Empty) => {}
            Ok(true) => self.merging = None,
            Ok(false) | Err(mpsc::TryRecvError::Disconnected) => {
                self.merging = None;
                self.changed_since_compaction = true;
                self.last_write = Instant::now();
            }
        }
    }

    /// Starts merging every committed segment into one; a helper thread waits for the
    /// merge, reloads the reader and tells `waiters`. Commits go on meanwhile (tantivy
    /// carries deletes made during the merge over to the merged segment), so a merge of a
    /// large index never holds up freshness.
    fn start_compaction(&mut self, waiters: Vec<CompactionWaiter>) {
        self.changed_since_compaction = false;
        match self.index.segment_ids() {
            Ok(segments) if segments.len() > 1 => {
                self.start_merge(segments, waiters, "index merged into one segment")
            }
            outcome => {
                let outcome = outcome.map(|_| 0).map_err(|err| err.to_string());
                for waiter in waiters {
                    let _ = waiter.send(outcome.clone());
                }
            }
        }
    }

    /// Starts rewriting the segments that hold deleted documents (each merge drops them);
    /// the helper thread tells `waiters` once the merge, tantivy's removal of the old
    /// segments' files and the reload are done.
    fn start_purge(&mut self, waiters: Vec<CompactionWaiter>) {
        match self.index.segments_with_deletes() {
            Ok(segments) if !segments.is_empty() => {
                self.start_merge(segments, waiters, "index segments with deletes rewritten")
            }
            outcome => {
                let outcome = outcome.map(|_| 0).map_err(|err| err.to_string());
                for waiter in waiters {
                    let _ = waiter.send(outcome.clone());
                }
            }
        }
    }

    /// Merges `segments` in the background; a helper thread waits for the merge, reloads
    /// the reader and tells `waiters`.
    fn start_merge(
        &mut self,
        segments: Vec<tantivy::index::SegmentId>,
        waiters: Vec<CompactionWaiter>,
        done: &'static str,
    ) {
        let merge = self.writer.merge(&segments);
        let index = self.index.clone();
        let (merged, outcome_heard) = mpsc::channel();
        self.merging = Some(outcome_heard);
        let spawned = std::thread::Builder::new()
            .name("profiled-compaction".into())
            .spawn(move || {
                let started = Instant::now();
                let outcome = merge
                    .wait()
                    .map_err(Error::from)
                    .and_then(|_| index.reload());
                match &outcome {
                    Ok(()) => tracing::info!(
                        segments = segments.len(),
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "{done}"
                    ),
                    // Usually tantivy's own merge policy merged some of the segments
                    // meanwhile; the indexer tries again after another idle period.
                    Err(err) => tracing::info!(error = %err, "index merge did not complete"),
                }
                let _ = merged.send(outcome.is_ok());
                let outcome = outcome
                    .map(|()| segments.len())
                    .map_err(|err| err.to_string());
                for waiter in waiters {
                    let _ = waiter.send(outcome.clone());
                }
            });
        if let Err(err) = spawned {
            tracing::error!(error = %err, "could not start the index merge");
        }
    }
}

fn commit(writer: &mut IndexWriter, index: &SearchIndex, outbox_seq: u64) -> Result<()> {
    let payload = serde_json::to_string(&CommitPayload {
        schema_version: index.schema_version(),
        outbox_seq,
    })
    .map_err(|err| crate::error::Error::Internal(err.to_string()))?;
    #[cfg(feature = "failpoints")]
    fail::fail_point!("index::commit::before", |_| Err(Error::Internal(
        "fail point index::commit::before".into()
    )));
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload);
    prepared.commit()?;
    #[cfg(feature = "failpoints")]
    fail::fail_point!("index::commit::after", |_| Err(Error::Internal(
        "fail point index::commit::after".into()
    )));
    index.reload()
}

/// Rebuilds the whole index from the store; returns the outbox sequence it reflects.
pub fn rebuild(store: &Store, index: &SearchIndex, writer: &mut IndexWriter) -> Result<u64> {
    let started = Instant::now();
    // Nothing writes while the index is rebuilt (start-up or the offline command), so
    // every outbox entry up to here is covered by the scan below.
    let seq = store.last_outbox_seq()?;
    writer.delete_all_documents()?;
    index.matches().clear();
    let mut companies = CompanyCache::default();
    let mut count = 0u64;
    for item in store.profiles() {
        let (id, profile) = item?;
        if is_indexed(&profile) {
            index_profile(store, index, writer, &mut companies, id, &profile)?;
            count += 1;
        }
    }
    commit(writer, index, seq)?;
    store.outbox_trim(seq)?;
    if count == 0 {
        tracing::info!("built an empty index (the store holds no profile yet)");
    } else {
        tracing::info!(
            profiles = count,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "index rebuilt from the store"
        );
    }
    Ok(seq)
}

/// Fills the index's match table from the store at start, when the index itself is current
/// (a rebuild fills it as it goes).
fn load_matches(store: &Store, index: &SearchIndex) -> Result<()> {
    const CHUNK: usize = 8192;
    let started = Instant::now();
    let table = index.matches();
    table.clear();
    for item in store.companies() {
        let (id, company) = item?;
        table.upsert_companies([(id, MatchCompany::from_record(&company))]);
    }
    let mut chunk = Vec::with_capacity(CHUNK);
    let add = |chunk: &mut Vec<(ProfileId, ProfileRecord)>| {
        let normalised: Vec<(ProfileId, MatchProfile)> = chunk
            .par_iter()
            .map(|(id, record)| (*id, MatchProfile::from_record(record)))
            .collect();
        table.upsert_profiles(normalised);
        chunk.clear();
    };
    for item in store.profiles() {
        let (id, profile) = item?;
        if !is_indexed(&profile) {
            continue;
        }
        chunk.push((id, profile));
        if chunk.len() == CHUNK {
            add(&mut chunk);
        }
    }
    add(&mut chunk);
    tracing::info!(
        profiles = table.profile_count(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "match table loaded from the store"
    );
    Ok(())
}

/// Whether a stored profile belongs in the index and the match table. A restricted
/// profile does not: every client-facing path (lookups, candidates, search, facets)
/// starts from them, so leaving it out hides it from all of them at once.
pub fn is_indexed(profile: &ProfileRecord) -> bool {
    profile.restricted_at.is_none()
}

/// Adds a stored profile's document to the index and its scoring inputs to the match table.
fn index_profile(
    store: &Store,
    index: &SearchIndex,
    writer: &mut IndexWriter,
    companies: &mut CompanyCache,
    id: ProfileId,
    profile: &ProfileRecord,
) -> Result<()> {
    // A company read from the store also refreshes its entry in the match table.
    let company = companies.get_with(store, profile.company, |cid, record| {
        index
            .matches()
            .upsert_companies([(cid, MatchCompany::from_record(record))]);
    })?;
    writer.add_document(index.document(id, profile, company))?;
    index
        .matches()
        .upsert_profile(id, MatchProfile::from_record(profile));
    Ok(())
}
