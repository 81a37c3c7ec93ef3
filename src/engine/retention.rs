//! Freshness: sightings refresh `last_seen` without resending records; the sweeper
//! deletes what no source has shown within the retention window.
//!
//! The sweep reads the time-ordered `by_last_seen` tree from its oldest entry up to the
//! cut-off and stops there, so its cost is proportional to what expires, not to the
//! database size. It deletes in batches, each one atomic store commit (profile, email
//! hashes, membership, time entry, index outbox entry), so a crash leaves whole batches
//! done or not done; the next sweep finishes the job.

use super::Engine;
use crate::error::{Error, Result};
use crate::model::{CompanyId, ProfileId, SightingsReport, SightingsRequest, SweepReport};
use crate::store::record::Sighting;
use crate::store::{Store, WriteSet};
use std::collections::{HashMap, HashSet};
use std::time::Instant;

/// Profiles deleted per atomic sweep batch.
const SWEEP_BATCH: usize = 1_000;

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
        let seen_at = super::rules::seen_at(request.seen_at.as_deref(), now, self.limits())
            .map_err(Error::invalid)?;
        let mut report = SightingsReport::default();
        let mut targets: Vec<(ProfileId, &str)> = Vec::with_capacity(total);
        for id in &request.ids {
            match ProfileId::parse(id) {
                Some(parsed) => targets.push((parsed, id)),
                None => report.unknown.push(id.clone()),
            }
        }
        for key in &request.person_keys {
            targets.push((super::ingest::person_key_id(key), key));
        }
        let ((), seq) = self.write(|store, writes| {
            let mut seen = HashSet::new();
            for (id, name) in targets {
                if !seen.insert(id) {
                    continue;
                }
                let Some(old) = store.profile(id)? else {
                    report.unknown.push(name.to_owned());
                    continue;
                };
                let mut record = old.clone();
                record_sighting(&mut record.sources, source, seen_at);
                writes.put_profile(id, Some(&old), &record)?;
                report.refreshed += 1;
            }
            Ok(())
        })?;
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
            let (expired, _) = self.write(|store, writes| {
                let expired = store.expired(cutoff, SWEEP_BATCH)?;
                delete_expired(store, writes, &expired, cutoff, &mut report)?;
                Ok(expired.len())
            })?;
            if expired == 0 {
                break;
            }
            batches += 1;
        }
        self.expire_disclosure_records(now)?;
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
}

impl Engine {
    /// The disclosure log and the notices have their own retention
    /// (`privacy.audit_retention_days`): older log files and notices go.
    fn expire_disclosure_records(&self, now: i64) -> Result<()> {
        let cutoff = now - i64::from(self.privacy.audit_retention_days) * 86_400;
        self.disclosures.expire(cutoff)?;
        loop {
            let old = self.store().notices_before(cutoff, SWEEP_BATCH)?;
            if old.is_empty() {
                return Ok(());
            }
            self.write(|_, writes| {
                for key in &old {
                    writes.delete_notice(key);
                }
                Ok(())
            })?;
        }
    }
}

/// Adds one batch of expired time entries to `writes`: their profiles, and companies left
/// without profiles and without a recent sighting.
fn delete_expired(
    store: &Store,
    writes: &mut WriteSet,
    expired: &[(i64, ProfileId)],
    cutoff: i64,
    report: &mut SweepReport,
) -> Result<()> {
    let mut leaving: HashMap<CompanyId, usize> = HashMap::new();
    for &(time, id) in expired {
        let record = store.profile(id)?;
        match record {
            Some(record) if record.last_seen() == time => {
                writes.delete_profile(id, &record);
                report.expired_profiles += 1;
                report.email_hashes_removed += record.email_keys.len() as u64;
                if let Some(company) = record.company {
                    *leaving.entry(company).or_default() += 1;
                }
            }
            // A time entry without its profile, or an out-of-date one.
            current => writes.replace_stale_time_entry(time, id, current.as_ref()),
        }
    }
    for (company, leavers) in leaving {
        if expires_with_its_leavers(store, company, leavers, cutoff)? {
            writes.delete_company(company);
            report.expired_companies += 1;
        }
    }
    Ok(())
}

/// Whether a company goes when `leavers` of its members expire: when nobody else is
/// left and no source showed the company itself since the cut-off.
pub(crate) fn expires_with_its_leavers(
    store: &Store,
    company: CompanyId,
    leavers: usize,
    cutoff: i64,
) -> Result<bool> {
    // Count at most one member past the leavers: big companies stay cheap.
    let members = store.member_count_at_most(company, leavers + 1)?;
    Ok(members <= leavers
        && store
            .company(company)?
            .is_some_and(|c| c.last_seen < cutoff))
}

/// Merges one sighting into a profile's per-source sightings: the rule ingest and
/// `POST /v1/sightings` share.
pub(crate) fn record_sighting(sources: &mut Vec<Sighting>, source: &str, seen_at: i64) {
    match sources.iter_mut().find(|s| s.source == source) {
        Some(sighting) => {
            sighting.first_seen = sighting.first_seen.min(seen_at);
            sighting.last_seen = sighting.last_seen.max(seen_at);
        }
        None => sources.push(Sighting {
            source: source.to_owned(),
            first_seen: seen_at,
            last_seen: seen_at,
        }),
    }
}
