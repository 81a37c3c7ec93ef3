//! Physical purge: after it, no byte of data deleted before it (an erased person, an
//! expired profile) remains in any file under the data directory.
//!
//! Deleting is logical in both engines below: sled's log-structured files keep old values
//! until their segments are reused, and tantivy marks deleted documents in a bitset while
//! their terms and values stay in the segment files. A purge therefore
//!
//! 1. rewrites the store: under the write lock (writes wait, reads go on), every live
//!    entry is copied into a fresh sled database, the next *generation*, which then
//!    atomically becomes the current one; the old generation's directory is removed
//!    (`store/copy.rs`, `store/generation.rs`);
//! 2. rewrites every index segment holding deleted documents (once the indexer has
//!    committed every delete made before step 1): tantivy's merge drops the deleted
//!    documents and the terms only they had, and removes the old segment files.
//!
//! The store remembers since when it holds unpurged deletes (the first profile delete
//! after the last purge); the daemon purges on its own once that is half the purge
//! window old, so deleted data is physically gone within the window.

use super::Engine;
use crate::error::Result;
use crate::model::PurgeReport;
use std::sync::PoisonError;
use std::time::{Duration, Instant};

/// Longest a purge waits for the indexer to commit the deletes it covers.
const INDEX_CATCH_UP: Duration = Duration::from_secs(600);

impl Engine {
    /// Purges now (one purge at a time; a second caller waits for the first and then
    /// runs its own, covering what was deleted meanwhile).
    pub fn purge(&self) -> Result<PurgeReport> {
        let _one_at_a_time = self
            .purge_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let started = Instant::now();
        let since = self.store().unpurged_since()?;
        let (seq, rewritten) = {
            let _writes_wait = self
                .write_path
                .lock
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let seq = self.store().last_outbox_seq()?;
            (seq, self.store().rewrite()?)
        };
        let segments = self
            .wait_searchable_blocking(seq, INDEX_CATCH_UP)
            .and_then(|()| self.indexer.purge());
        let segments = match segments {
            Ok(segments) => segments,
            Err(err) => {
                // The index may still hold deleted documents: the purge stays due.
                let at = since.unwrap_or_else(|| self.clock().now());
                self.write(|_, writes| {
                    writes.mark_unpurged(at);
                    Ok(())
                })?;
                return Err(err);
            }
        };
        let report = PurgeReport {
            unpurged_since: since.map(crate::clock::format_rfc3339),
            store_entries: rewritten.entries,
            store_bytes_before: rewritten.bytes_before,
            store_bytes_after: rewritten.bytes_after,
            index_segments_rewritten: segments as u64,
            duration_ms: started.elapsed().as_millis() as u64,
        };
        tracing::info!(
            store_entries = report.store_entries,
            store_bytes_before = report.store_bytes_before,
            store_bytes_after = report.store_bytes_after,
            index_segments_rewritten = report.index_segments_rewritten,
            duration_ms = report.duration_ms,
            "purge"
        );
        Ok(report)
    }

    /// Purges when deleted data has waited half the purge window (the daemon's periodic
    /// task calls it); `None` when nothing is due.
    pub fn purge_if_due(&self) -> Result<Option<PurgeReport>> {
        match self.store().unpurged_since()? {
            Some(since) if self.clock().now() - since >= self.purge_window_secs / 2 => {
                self.purge().map(Some)
            }
            _ => Ok(None),
        }
    }

    /// The purge window: deleted data is physically gone at most this long after.
    pub fn purge_window_secs(&self) -> i64 {
        self.purge_window_secs
    }

    /// Since when deleted data waits for a purge (Unix seconds), if any does.
    pub fn unpurged_since(&self) -> Result<Option<i64>> {
        self.store().unpurged_since()
    }
}
