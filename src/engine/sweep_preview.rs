//! What a sweep would delete, without deleting anything (`profiled sweep --dry-run`).
//!
//! A read of the time-ordered `by_last_seen` tree up to the cut-off, like the sweep's own
//! walk, so its cost follows what would expire. It applies the sweep's rules: a time entry
//! that is out of date (the profile was seen again since) or has no profile is not an
//! expiry, and a company goes only when every member it has expires and the company
//! itself was not seen after the cut-off.

use super::Engine;
use crate::error::Result;
use crate::model::CompanyId;
use serde::Serialize;
use std::collections::HashMap;

/// What a sweep with the engine's retention window would delete now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SweepPreview {
    pub expiring_profiles: u64,
    pub expiring_companies: u64,
    /// Keyed email hashes held by the expiring profiles.
    pub email_hashes: u64,
    /// Profiles whose newest sighting is older than this (RFC 3339) would go.
    pub cutoff: String,
    /// The newest sighting of the least recently seen expiring profile (RFC 3339).
    pub oldest_sighting: Option<String>,
}

impl Engine {
    /// Counts what [`Engine::sweep`] would delete now; writes nothing.
    pub fn sweep_preview(&self) -> Result<SweepPreview> {
        let cutoff = self.clock().now() - self.retention().window_secs;
        let store = self.store();
        let mut preview = SweepPreview {
            cutoff: crate::clock::format_rfc3339(cutoff),
            ..SweepPreview::default()
        };
        let mut leaving: HashMap<CompanyId, usize> = HashMap::new();
        // 16 bytes per expiring entry: a million of them take 16 MB.
        for (time, id) in store.expired(cutoff, usize::MAX)? {
            let Some(record) = store.profile(id)? else {
                continue;
            };
            if record.last_seen() != time {
                continue;
            }
            if preview.expiring_profiles == 0 {
                preview.oldest_sighting = Some(crate::clock::format_rfc3339(time));
            }
            preview.expiring_profiles += 1;
            preview.email_hashes += record.email_keys.len() as u64;
            if let Some(company) = record.company {
                *leaving.entry(company).or_default() += 1;
            }
        }
        for (company, leavers) in leaving {
            if super::retention::expires_with_its_leavers(store, company, leavers, cutoff)? {
                preview.expiring_companies += 1;
            }
        }
        Ok(preview)
    }
}

#[cfg(test)]
mod tests {
    use crate::clock::ManualClock;
    use crate::engine::{Engine, EngineConfig};
    use std::sync::Arc;

    #[test]
    fn a_preview_counts_what_the_sweep_then_deletes_and_deletes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let day = 86_400;
        let now = 1_800_000_000;
        let clock = Arc::new(ManualClock::new(now));
        let engine =
            Engine::open(EngineConfig::new(dir.path()), clock.clone()).expect("open engine");
        let seen = |days_ago: i64| crate::clock::format_rfc3339(now - days_ago * day);
        let lines = [
            // Two stale people at one company: both and the company go.
            format!(
                r#"{{"first_name":"Old","last_name":"One","seen_at":"{}","email":"old.one@gone.example","company":{{"name":"Gone Ltd","domain":"gone.example"}}}}"#,
                seen(400)
            ),
            format!(
                r#"{{"first_name":"Old","last_name":"Two","seen_at":"{}","company":{{"name":"Gone Ltd","domain":"gone.example"}}}}"#,
                seen(500)
            ),
            // A stale person at a company that keeps a fresh member: only the person goes.
            format!(
                r#"{{"first_name":"Stale","last_name":"Member","seen_at":"{}","company":{{"name":"Kept Ltd","domain":"kept.example"}}}}"#,
                seen(380)
            ),
            format!(
                r#"{{"first_name":"Fresh","last_name":"Member","seen_at":"{}","company":{{"name":"Kept Ltd","domain":"kept.example"}}}}"#,
                seen(3)
            ),
        ];
        let (report, _) = engine
            .ingest_ndjson(lines.join("\n").as_bytes(), 1)
            .expect("ingest");
        assert_eq!(report.created, 4, "{report:?}");

        let preview = engine.sweep_preview().expect("preview");
        assert_eq!(preview.expiring_profiles, 3, "{preview:?}");
        assert_eq!(preview.expiring_companies, 1, "{preview:?}");
        assert_eq!(preview.oldest_sighting, Some(seen(500)));
        assert_eq!(engine.counts().expect("counts").profiles, 4);
        assert_eq!(engine.sweep_preview().expect("again"), preview);

        let swept = engine.sweep(None).expect("sweep");
        assert_eq!(swept.expired_profiles, preview.expiring_profiles);
        assert_eq!(swept.expired_companies, preview.expiring_companies);
        assert_eq!(swept.email_hashes_removed, preview.email_hashes);
        assert_eq!(swept.cutoff, preview.cutoff);
        let after = engine.sweep_preview().expect("after");
        assert_eq!((after.expiring_profiles, after.expiring_companies), (0, 0));
        engine.shutdown().expect("shutdown");
    }
}
