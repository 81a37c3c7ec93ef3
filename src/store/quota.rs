//! The `quotas` tree: how many records each API key has used on a UTC day, so daily
//! quotas survive a restart. Keyed by day then key name (`keys::quota_key`); days before
//! yesterday are dropped as the counts are saved. Not profile data: it is written
//! directly, outside the outbox and `WriteSet`, and nothing indexes it.

use super::keys::quota_key;
use super::{Store, TreeName};
use crate::error::{Error, Result};
use sled::Tree;

/// A day number as stored (days since the epoch; times before 1970 count as day 0).
fn stored_day(day: i64) -> u32 {
    u32::try_from(day.max(0)).unwrap_or(u32::MAX)
}

impl Store {
    fn quotas(&self) -> Result<Tree> {
        self.tree(TreeName::Quotas)
    }

    /// Records the key named `name` has used on `day` (0 when none are recorded).
    pub fn quota_used(&self, name: &str, day: i64) -> Result<u64> {
        match self.quotas()?.get(quota_key(stored_day(day), name))? {
            None => Ok(0),
            Some(raw) => Ok(u64::from_be_bytes(
                raw.as_ref()
                    .try_into()
                    .map_err(|_| Error::Corrupt("quota count".into()))?,
            )),
        }
    }

    /// Sets the count of `name` on `day`, and drops the counts of days before yesterday.
    pub fn save_quota_used(&self, name: &str, day: i64, used: u64) -> Result<()> {
        self.internal_room()?;
        let tree = self.quotas()?;
        let day = stored_day(day);
        (|| {
            tree.insert(quota_key(day, name), &used.to_be_bytes())?;
            let oldest_kept = day.saturating_sub(1).to_be_bytes();
            for old in tree.range(..oldest_kept.as_slice()).keys() {
                tree.remove(old?)?;
            }
            Ok::<(), sled::Error>(())
        })()
        .map_err(|err| self.space.sled_failed(err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_kept_per_key_and_day_and_old_days_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path(), 1 << 20).expect("store");
        store.save_quota_used("ext", 100, 7).expect("save");
        store.save_quota_used("ops", 100, 2).expect("save");
        assert_eq!(store.quota_used("ext", 100).expect("read"), 7);
        assert_eq!(store.quota_used("ops", 100).expect("read"), 2);
        assert_eq!(store.quota_used("ext", 101).expect("read"), 0);
        store.save_quota_used("ext", 101, 1).expect("save");
        assert_eq!(store.quota_used("ext", 100).expect("yesterday kept"), 7);
        store.save_quota_used("ext", 102, 1).expect("save");
        assert_eq!(store.quota_used("ext", 100).expect("dropped"), 0);
        assert_eq!(store.quota_used("ops", 100).expect("dropped"), 0);
        assert_eq!(store.quota_used("ext", 101).expect("kept"), 1);
    }
}
