//! Typed read of the time-ordered `by_last_seen` tree: how many profiles were last seen
//! in each time range (the console's freshness chart, `GET /v1/stats`).

use super::{parse_last_seen_key, Store, TreeName};
use crate::error::{Error, Result};

impl Store {
    /// Profiles counted by the time of their newest sighting, split at `edges` (Unix
    /// seconds, ascending): entry 0 counts sightings before `edges[0]`, entry `i` those in
    /// `edges[i - 1]..edges[i]`, the last one those at or after the last edge. One ordered
    /// pass over the tree's keys.
    pub fn last_seen_histogram(&self, edges: &[i64]) -> Result<Vec<u64>> {
        if edges.windows(2).any(|pair| pair[0] > pair[1]) {
            return Err(Error::Internal("histogram edges out of order".into()));
        }
        let mut counts = vec![0u64; edges.len() + 1];
        let mut bucket = 0;
        for key in self.tree(TreeName::ByLastSeen)?.iter().keys() {
            let key = key?;
            let (time, _) =
                parse_last_seen_key(&key).ok_or_else(|| Error::Corrupt("last-seen key".into()))?;
            while bucket < edges.len() && time >= edges[bucket] {
                bucket += 1;
            }
            counts[bucket] += 1;
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::super::keys::last_seen_key;
    use super::super::WriteSet;
    use super::*;
    use crate::model::ProfileId;

    #[test]
    fn sightings_are_counted_between_edges() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path(), 1 << 20).expect("open");
        assert_eq!(
            store.last_seen_histogram(&[0, 10]).expect("read"),
            [0, 0, 0]
        );
        let mut writes = WriteSet::default();
        for (id, time) in [(1, -5), (2, 0), (3, 9), (4, 9), (5, 10), (6, 400)] {
            writes.insert(TreeName::ByLastSeen, last_seen_key(time, ProfileId(id)), []);
        }
        store.commit(writes).expect("commit");
        assert_eq!(
            store.last_seen_histogram(&[0, 10]).expect("read"),
            [1, 3, 2]
        );
        assert_eq!(store.last_seen_histogram(&[]).expect("read"), [6]);
        // Equal edges make an empty range; times past every edge land in the last entry.
        assert_eq!(
            store.last_seen_histogram(&[9, 9, 11, 500]).expect("read"),
            [2, 0, 3, 1, 0]
        );
        assert!(store.last_seen_histogram(&[10, 0]).is_err());
    }
}
