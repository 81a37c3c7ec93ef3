//! API keys' daily quota counts, kept in the store so they survive a restart (the HTTP
//! edge counts them in memory and saves them every second).

use super::Engine;
use crate::error::Result;

impl Engine {
    /// Records the key named `name` has used on UTC day `day`.
    pub fn quota_used(&self, name: &str, day: i64) -> Result<u64> {
        self.store.quota_used(name, day)
    }

    /// Saves the count of `name` on `day`.
    pub fn save_quota_used(&self, name: &str, day: i64, used: u64) -> Result<()> {
        self.store.save_quota_used(name, day, used)
    }
}
