//! Freshness: sightings refresh `last_seen` without resending records; the sweeper
//! deletes what no source has shown within the retention window.
//!
//! The sweep reads the time-ordered `by_last_seen` tree from its oldest entry up to the
//! cut-off and stops there, so its cost is proportional to what expires, not to the
//! database size. It deletes in batches, each one atomic store commit (profile, email
//! hashes, membership, time entry, index outbox entry), so a crash leaves whole batches
//! done or not done; the next sweep finishes the job.

use super::Engine;
use crate::clock::parse_rfc3339;
use crate::error::{Error, Result};
use crate::model::{CompanyId, ProfileId, ProfileRecord};
use crate::store::{
    email_key, last_seen_key, member_key, parse_last_seen_key, Store, TreeName, WriteSet,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::PoisonError;
use std::time::Instant;
use utoipa::ToSchema;
use xxhash_rust::xxh3::xxh3_64;

/// Profiles deleted per atomic sweep batch.
const SWEEP_BATCH: usize = 1_000;

/// `POST /v1/sightings`: a source showed these profiles again.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SightingsRequest {
    pub source: String,
    /// When the source showed them (RFC 3339); defaults to now.
    #[serde(default)]
    pub seen_at: Option<String>,
    /// Profile ids (16 hex digits).
    #[serde(default)]
    pub ids: Vec<String>,
    /// Or the sources' stable identifiers (`person_key` at ingest).
    #[serde(default)]
    pub person_keys: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct SightingsReport {
    pub refreshed: u64,
    /// Ids and keys that name no stored profile; the rest of the batch is applied.
    pub unknown: Vec<String>,
}

/// What one sweep removed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct SweepReport {
    pub expired_profiles: u64,
    pub expired_companies: u64,
    pub email_hashes_removed: u64,
    /// Profiles whose newest sighting is older than this (RFC 3339) were removed.
    pub cutoff: String,
    pub duration_ms: u64,
}

/// Retention settings.
#[derive(Clone, Copy, Debug)]
pub struct Retention {
    /// A profile no source has shown for this long is deleted.
    pub window_secs: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            window_secs: 365 * 86_400,
        }
    }
}

impl Engine {
    /// Refreshes `last_seen` of the named profiles for one source.
    pub fn record_sightings(
        &self,
        request: &SightingsRequest,
        max_ids: usize,
    ) -> Result<(SightingsReport, u64)> {
        let source = request.source.trim();
        if source.is_empty() || source.chars().count() > self.limits().max_field_chars {
            return Err(Error::invalid(format!(
                "source must hold 1 to {} characters",
                self.limits().max_field_chars
            )));
        }
        let total = request.ids.len() + request.person_keys.len();
        if total == 0 {
            return Err(Error::invalid(
                "name at least one profile in ids or person_keys",
            ));
        }
        if total > max_ids {
            return Err(Error::TooManyRecords { limit: max_ids });
        }
        let now = self.clock().now();
        let seen_at = match &request.seen_at {
            None => now,
            Some(text) => parse_rfc3339(text)
                .ok_or_else(|| Error::invalid("seen_at is not an RFC 3339 timestamp"))?,
        };
        if seen_at > now + self.limits().max_future_skew_secs {
            return Err(Error::invalid("seen_at lies in the future"));
        }
        let mut report = SightingsReport::default();
        let mut targets: Vec<(ProfileId, &str)> = Vec::with_capacity(total);
        for id in &request.ids {
            match ProfileId::parse(id) {
                Some(parsed) => targets.push((parsed, id)),
                None => report.unknown.push(id.clone()),
            }
        }
        for key in &request.person_keys {
            let identity = format!("k\0{}", key.trim());
            targets.push((ProfileId(xxh3_64(identity.as_bytes())), key));
        }
        let store = self.store();
        let _guard = self
            .write_lock()
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut writes = WriteSet::default();
        let mut seen = HashSet::new();
        for (id, name) in targets {
            if !seen.insert(id) {
                continue;
            }
            let Some(mut record) = store.profile(id)? else {
                report.unknown.push(name.to_owned());
                continue;
            };
            let before = record.last_seen();
            match record.sources.iter_mut().find(|s| s.source == source) {
                Some(sighting) => {
                    sighting.first_seen = sighting.first_seen.min(seen_at);
                    sighting.last_seen = sighting.last_seen.max(seen_at);
                }
                None => record.sources.push(crate::model::Sighting {
                    source: source.to_owned(),
                    first_seen: seen_at,
                    last_seen: seen_at,
                }),
            }
            let after = record.last_seen();
            if after != before {
                writes.delete(TreeName::ByLastSeen, last_seen_key(before, id));
                writes.put(TreeName::ByLastSeen, last_seen_key(after, id), []);
                writes.reindex.push(id.0);
            }
            writes.put(
                TreeName::Profiles,
                id.to_bytes(),
                crate::store::encode(&record)?,
            );
            report.refreshed += 1;
        }
        let seq = store.commit(writes)?;
        if seq > 0 {
            self.notify_indexer(seq);
        }
        Ok((report, seq))
    }

    /// Deletes every profile no source has shown within the window, and companies left
    /// without profiles and without a recent sighting. Stops early (between atomic
    /// batches) when the engine is shutting down or after `max_batches`.
    pub fn sweep(&self, max_batches: Option<usize>) -> Result<SweepReport> {
        let started = Instant::now();
        let now = self.clock().now();
        let cutoff = now - self.retention().window_secs;
        let mut report = SweepReport {
            cutoff: crate::clock::format_rfc3339(cutoff),
            ..SweepReport::default()
        };
        let mut batches = 0;
        loop {
            if self.is_closing() || max_batches.is_some_and(|max| batches >= max) {
                break;
            }
            let _guard = self
                .write_lock()
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let expired = expired_batch(self.store(), cutoff)?;
            if expired.is_empty() {
                break;
            }
            let seq = self.delete_batch(&expired, cutoff, &mut report)?;
            drop(_guard);
            if seq > 0 {
                self.notify_indexer(seq);
            }
            batches += 1;
        }
        report.duration_ms = started.elapsed().as_millis() as u64;
        self.record_sweep(&report);
        tracing::info!(
            expired_profiles = report.expired_profiles,
            expired_companies = report.expired_companies,
            duration_ms = report.duration_ms,
            "sweep"
        );
        Ok(report)
    }

    fn delete_batch(
        &self,
        expired: &[(i64, ProfileId)],
        cutoff: i64,
        report: &mut SweepReport,
    ) -> Result<u64> {
        let store = self.store();
        let mut writes = WriteSet::default();
        let mut leaving: HashMap<CompanyId, usize> = HashMap::new();
        for &(time, id) in expired {
            writes.delete(TreeName::ByLastSeen, last_seen_key(time, id));
            let Some(record) = store.profile(id)? else {
                // A time entry without its profile: drop the orphan.
                continue;
            };
            if record.last_seen() != time {
                // Out of date entry (the profile was refreshed): keep the profile, and
                // make sure its current entry exists.
                writes.put(
                    TreeName::ByLastSeen,
                    last_seen_key(record.last_seen(), id),
                    [],
                );
                continue;
            }
            delete_profile(&mut writes, id, &record);
            report.expired_profiles += 1;
            report.email_hashes_removed += record.email_keys.len() as u64;
            if let Some(company) = record.company {
                *leaving.entry(company).or_default() += 1;
            }
        }
        for (company, leavers) in leaving {
            // Count at most one member past the leavers: big companies stay cheap.
            let remaining = store
                .tree(TreeName::CompanyMembers)
                .scan_prefix(company.to_bytes())
                .take(leavers + 1)
                .count()
                .saturating_sub(leavers);
            let stale = store
                .company(company)?
                .is_some_and(|c| c.last_seen < cutoff);
            if remaining == 0 && stale {
                writes.delete(TreeName::Companies, company.to_bytes());
                writes.count_delta.companies -= 1;
                report.expired_companies += 1;
            }
        }
        store.commit(writes)
    }
}

/// Removes a profile and every entry derived from it.
fn delete_profile(writes: &mut WriteSet, id: ProfileId, record: &ProfileRecord) {
    writes.delete(TreeName::Profiles, id.to_bytes());
    for key in &record.email_keys {
        writes.delete(TreeName::EmailHashes, email_key(&key.hash, id));
    }
    if let Some(company) = record.company {
        writes.delete(TreeName::CompanyMembers, member_key(company, id));
    }
    writes.count_delta.profiles -= 1;
    writes.reindex.push(id.0);
}

/// The oldest time entries before `cutoff`, at most one batch.
fn expired_batch(store: &Store, cutoff: i64) -> Result<Vec<(i64, ProfileId)>> {
    let end = last_seen_key(cutoff, ProfileId(0));
    let mut out = Vec::new();
    for item in store
        .tree(TreeName::ByLastSeen)
        .range(..end)
        .take(SWEEP_BATCH)
    {
        let (key, _) = item?;
        out.push(parse_last_seen_key(&key).ok_or_else(|| Error::Corrupt("time entry".into()))?);
    }
    Ok(out)
}

/// The newest-sighting time of the least recently seen profile.
pub fn oldest_sighting(store: &Store) -> Result<Option<i64>> {
    match store.tree(TreeName::ByLastSeen).first()? {
        Some((key, _)) => Ok(parse_last_seen_key(&key).map(|(time, _)| time)),
        None => Ok(None),
    }
}
