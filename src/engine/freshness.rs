//! How fresh the data is: profiles by days since a source last showed them, against the
//! retention window, and how many expire soon (`GET /v1/stats`, the console's chart).

use super::Engine;
use crate::error::Result;
use crate::model::{AgeBucket, Freshness};

const DAY: i64 = 86_400;
/// The two horizons reported as `expiring_30_days` and `expiring_90_days`.
const HORIZONS_DAYS: [i64; 2] = [30, 90];
/// Most age buckets: wider windows get wider buckets.
const MAX_BUCKETS: i64 = 24;

impl Engine {
    /// The freshness histogram at the engine clock's now: one ordered pass over the
    /// store's last-seen entries.
    pub fn freshness(&self) -> Result<Freshness> {
        let now = self.clock().now();
        let window = self.retention().window_secs;
        let window_days = (window + DAY - 1) / DAY;
        let bucket_days = ((window_days + MAX_BUCKETS - 1) / MAX_BUCKETS).max(30);
        // Ages (seconds) at which the counts must be split: bucket bounds, the window, and
        // the window less each horizon. A sighting older than an age is before `now - age`.
        let mut ages: Vec<i64> = (1..)
            .map(|i| i * bucket_days * DAY)
            .take_while(|age| *age < window)
            .chain([window])
            .chain(HORIZONS_DAYS.map(|days| (window - days * DAY).max(0)))
            .collect();
        ages.sort_unstable();
        ages.dedup();
        let edges: Vec<i64> = ages.iter().rev().map(|age| now - age).collect();
        let counts = self.store().last_seen_histogram(&edges)?;
        // counts[0]: older than the largest age (the window); counts[last]: younger than
        // the smallest. Profiles older than `age`:
        let older_than = |age: i64| -> u64 {
            if age <= 0 {
                return counts.iter().sum();
            }
            let split = ages.iter().rev().take_while(|a| **a >= age).count();
            counts[..split].iter().sum()
        };
        let mut by_age = Vec::new();
        let mut from = 0;
        while from < window {
            let to = (from + bucket_days * DAY).min(window);
            by_age.push(AgeBucket {
                from_days: (from / DAY) as u32,
                to_days: ((to + DAY - 1) / DAY) as u32,
                profiles: older_than(from) - older_than(to),
            });
            from = to;
        }
        let [soon, later] = HORIZONS_DAYS.map(|days| older_than((window - days * DAY).max(0)));
        Ok(Freshness {
            retention_days: window_days as u32,
            bucket_days: bucket_days as u32,
            by_age,
            overdue: older_than(window),
            expiring_30_days: soon,
            expiring_90_days: later,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{format_rfc3339, ManualClock};
    use crate::engine::{EngineConfig, Retention};
    use std::sync::Arc;

    #[test]
    fn sighting_ages_are_bucketed_against_the_retention_window() {
        let dir = tempfile::tempdir().expect("tempdir");
        let now = 1_800_000_000;
        let mut config = EngineConfig::new(dir.path());
        config.retention = Retention {
            window_secs: 365 * DAY,
        };
        let engine = Engine::open(config, Arc::new(ManualClock::new(now))).expect("open");
        let ages_hours = [
            1,
            29 * 24,
            31 * 24,
            301 * 24,
            340 * 24,
            364 * 24 + 12,
            400 * 24,
        ];
        let body: String = ages_hours
            .iter()
            .enumerate()
            .map(|(i, hours)| {
                format!(
                    "{{\"first_name\":\"Person\",\"last_name\":\"Number{i}\",\"company\":{{\"name\":\"Firm {i}\"}},\"seen_at\":\"{}\"}}\n",
                    format_rfc3339(now - hours * 3600)
                )
            })
            .collect();
        let (report, _) = engine.ingest_ndjson(body.as_bytes(), 1).expect("ingest");
        assert_eq!(report.created, 7, "{report:?}");

        let freshness = engine.freshness().expect("freshness");
        assert_eq!(freshness.retention_days, 365);
        assert_eq!(freshness.bucket_days, 30);
        assert_eq!(freshness.by_age.len(), 13);
        assert_eq!(
            (freshness.by_age[12].from_days, freshness.by_age[12].to_days),
            (360, 365)
        );
        let profiles: Vec<u64> = freshness.by_age.iter().map(|b| b.profiles).collect();
        assert_eq!(profiles, [2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
        assert_eq!(freshness.overdue, 1);
        // Expiring within 30 days: seen more than 335 days ago (340, 364.5, 400).
        assert_eq!(freshness.expiring_30_days, 3);
        // Within 90 days: more than 275 days ago (301 too).
        assert_eq!(freshness.expiring_90_days, 4);
        engine.shutdown().expect("shutdown");
    }

    #[test]
    fn a_short_window_gets_its_horizons_capped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let now = 1_800_000_000;
        let mut config = EngineConfig::new(dir.path());
        config.retention = Retention {
            window_secs: 45 * DAY,
        };
        let engine = Engine::open(config, Arc::new(ManualClock::new(now))).expect("open");
        let line = format!(
            "{{\"first_name\":\"Ada\",\"last_name\":\"Fresh\",\"company\":{{\"name\":\"Firm\"}},\"seen_at\":\"{}\"}}\n",
            format_rfc3339(now - 3600)
        );
        engine.ingest_ndjson(line.as_bytes(), 1).expect("ingest");
        let freshness = engine.freshness().expect("freshness");
        assert_eq!(freshness.bucket_days, 30);
        let bounds: Vec<(u32, u32)> = freshness
            .by_age
            .iter()
            .map(|b| (b.from_days, b.to_days))
            .collect();
        assert_eq!(bounds, [(0, 30), (30, 45)]);
        assert_eq!(freshness.by_age[0].profiles, 1);
        // An hour-old sighting in a 45-day window expires in about 45 days: after 30, before 90.
        assert_eq!(freshness.expiring_30_days, 0);
        assert_eq!(freshness.expiring_90_days, 1);
        engine.shutdown().expect("shutdown");
    }
}
