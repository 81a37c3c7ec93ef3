//! The system of record: sled trees holding profiles, companies, keyed email hashes, the
//! secondary entries that keep deletes cheap, and the outbox that feeds the derived index.
//!
//! Every change goes through [`Store::commit`]: one sled transaction over all trees that
//! also appends one outbox entry, followed by a flush, so a write the caller sees
//! acknowledged is durable and the indexer will see it (even after a crash).

mod freshness;
mod keys;

pub use keys::*;

use crate::error::{Error, Result};
use crate::model::{CompanyId, CompanyRecord, ProfileId, ProfileRecord};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::{Batch, Tree};
use std::path::Path;

/// Version of the on-disk record encoding; a store written by another version is refused.
pub const STORE_FORMAT_VERSION: u32 = 1;

/// The sled trees, in the order [`WriteSet`] addresses them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
pub enum TreeName {
    /// `profile id → ProfileRecord`
    Profiles,
    /// `company id → CompanyRecord`
    Companies,
    /// `keyed email hash (16) ‖ profile id → pattern`
    EmailHashes,
    /// `company id ‖ profile id → ()`: who works where, for company-wide recomputation.
    CompanyMembers,
    /// `last seen (i64 BE, sign-flipped) ‖ profile id → ()`: lets expiry cost what expires.
    ByLastSeen,
    /// `sequence (u64 BE) → OutboxEntry`: changes the index has not committed yet.
    Outbox,
    /// format version, counters, last outbox sequence.
    Meta,
}

const TREE_NAMES: [&str; 7] = [
    "profiles",
    "companies",
    "email_hashes",
    "company_members",
    "by_last_seen",
    "outbox",
    "meta",
];

/// What the indexer must bring up to date: the listed profiles are re-read from sled
/// and re-indexed, or removed from the index when they no longer exist.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutboxEntry {
    pub profiles: Vec<u64>,
}

/// Counters kept in `meta`, changed in the same transaction as the data they count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub profiles: i64,
    pub companies: i64,
}

/// The changes of one write, applied atomically by [`Store::commit`].
#[derive(Default)]
pub struct WriteSet {
    batches: [Batch; 7],
    touched: [bool; 7],
    /// Profiles whose index document must be refreshed.
    pub reindex: Vec<u64>,
    pub count_delta: Counts,
}

impl WriteSet {
    pub fn put(&mut self, tree: TreeName, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) {
        self.batches[tree as usize].insert(key.as_ref(), value.as_ref());
        self.touched[tree as usize] = true;
    }

    pub fn delete(&mut self, tree: TreeName, key: impl AsRef<[u8]>) {
        self.batches[tree as usize].remove(key.as_ref());
        self.touched[tree as usize] = true;
    }
}

/// The sled database and its trees.
pub struct Store {
    db: sled::Db,
    trees: [Tree; 7],
}

impl Store {
    /// Opens (or creates) the store under `dir`, checking its format version.
    /// `cache_bytes` bounds sled's page cache.
    pub fn open(dir: &Path, cache_bytes: u64) -> Result<Self> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(cache_bytes)
            .mode(sled::Mode::LowSpace)
            .open()
            .map_err(|err| match err {
                sled::Error::Io(io) if io.kind() == std::io::ErrorKind::WouldBlock => {
                    Error::StoreLocked
                }
                // sled reports the held lock as a generic io error on some platforms.
                sled::Error::Io(io) if io.to_string().contains("lock") => Error::StoreLocked,
                other => Error::from(other),
            })?;
        let mut trees = Vec::with_capacity(TREE_NAMES.len());
        for name in TREE_NAMES {
            trees.push(db.open_tree(name)?);
        }
        let trees: [Tree; 7] = trees
            .try_into()
            .map_err(|_| Error::Internal("tree count".into()))?;
        let store = Self { db, trees };
        store.check_format()?;
        Ok(store)
    }

    fn check_format(&self) -> Result<()> {
        let meta = self.tree(TreeName::Meta);
        match meta.get(META_FORMAT)? {
            None => {
                meta.insert(META_FORMAT, &STORE_FORMAT_VERSION.to_be_bytes())?;
                self.db.flush()?;
                Ok(())
            }
            Some(raw) => {
                let found = u32::from_be_bytes(
                    raw.as_ref()
                        .try_into()
                        .map_err(|_| Error::Corrupt("format version".into()))?,
                );
                if found == STORE_FORMAT_VERSION {
                    Ok(())
                } else {
                    Err(Error::StoreFormat {
                        found,
                        expected: STORE_FORMAT_VERSION,
                    })
                }
            }
        }
    }

    pub fn tree(&self, name: TreeName) -> &Tree {
        &self.trees[name as usize]
    }

    /// Applies `writes` and one outbox entry atomically, then flushes to disk.
    /// Returns the outbox sequence of this write (0 when nothing needed indexing).
    ///
    /// Callers serialise writes (the engine holds its write lock), so the sequence read
    /// here cannot race with another commit.
    pub fn commit(&self, mut writes: WriteSet) -> Result<u64> {
        let mut seq = self.last_outbox_seq()?;
        if !writes.reindex.is_empty() {
            writes.reindex.sort_unstable();
            writes.reindex.dedup();
            seq += 1;
            let entry = OutboxEntry {
                profiles: std::mem::take(&mut writes.reindex),
            };
            writes.put(TreeName::Outbox, seq.to_be_bytes(), encode(&entry)?);
            writes.put(TreeName::Meta, META_OUTBOX_SEQ, seq.to_be_bytes());
        }
        if writes.count_delta != Counts::default() {
            let counts = self.counts()?;
            let delta = writes.count_delta;
            writes.put(
                TreeName::Meta,
                META_PROFILE_COUNT,
                (counts.profiles + delta.profiles).to_be_bytes(),
            );
            writes.put(
                TreeName::Meta,
                META_COMPANY_COUNT,
                (counts.companies + delta.companies).to_be_bytes(),
            );
        }
        let touched: Vec<usize> = (0..TREE_NAMES.len())
            .filter(|i| writes.touched[*i])
            .collect();
        if touched.is_empty() {
            return Ok(0);
        }
        let trees: Vec<Tree> = touched.iter().map(|i| self.trees[*i].clone()).collect();
        let batches: Vec<&Batch> = touched.iter().map(|i| &writes.batches[*i]).collect();
        use sled::Transactional;
        let started = std::time::Instant::now();
        trees
            .as_slice()
            .transaction(|tx| {
                for (tree, batch) in tx.iter().zip(&batches) {
                    tree.apply_batch(batch)?;
                }
                Ok::<(), ConflictableTransactionError<Error>>(())
            })
            .map_err(|err| match err {
                TransactionError::Abort(err) => err,
                TransactionError::Storage(err) => Error::from(err),
            })?;
        let applied = started.elapsed();
        self.db.flush()?;
        tracing::debug!(
            transaction_us = applied.as_micros() as u64,
            flush_us = (started.elapsed() - applied).as_micros() as u64,
            "store commit"
        );
        Ok(if touched.contains(&(TreeName::Outbox as usize)) {
            seq
        } else {
            0
        })
    }

    pub fn last_outbox_seq(&self) -> Result<u64> {
        Ok(self
            .tree(TreeName::Meta)
            .get(META_OUTBOX_SEQ)?
            .map(|raw| read_u64(&raw))
            .transpose()?
            .unwrap_or(0))
    }

    pub fn counts(&self) -> Result<Counts> {
        let meta = self.tree(TreeName::Meta);
        let read = |key: &[u8]| -> Result<i64> {
            Ok(meta
                .get(key)?
                .map(|raw| read_u64(&raw).map(|v| v as i64))
                .transpose()?
                .unwrap_or(0))
        };
        Ok(Counts {
            profiles: read(META_PROFILE_COUNT)?,
            companies: read(META_COMPANY_COUNT)?,
        })
    }

    pub fn profile(&self, id: ProfileId) -> Result<Option<ProfileRecord>> {
        self.tree(TreeName::Profiles)
            .get(id.to_bytes())?
            .map(|raw| decode(&raw))
            .transpose()
    }

    pub fn company(&self, id: CompanyId) -> Result<Option<CompanyRecord>> {
        self.tree(TreeName::Companies)
            .get(id.to_bytes())?
            .map(|raw| decode(&raw))
            .transpose()
    }

    /// Profiles stored under one keyed email hash, with the pattern that derived it and
    /// whether the address was observed.
    pub fn email_matches(&self, hash: &[u8; 16]) -> Result<Vec<(ProfileId, u8, bool)>> {
        let mut out = Vec::new();
        for item in self.tree(TreeName::EmailHashes).scan_prefix(hash) {
            let (key, value) = item?;
            let id = ProfileId::from_bytes(&key[16..])
                .ok_or_else(|| Error::Corrupt("email hash key".into()))?;
            let (pattern, observed) = match value.as_ref() {
                [pattern, observed] => (*pattern, *observed == 1),
                _ => return Err(Error::Corrupt("email hash value".into())),
            };
            out.push((id, pattern, observed));
        }
        Ok(out)
    }

    /// Ids of the profiles at a company.
    pub fn company_members(&self, company: CompanyId) -> Result<Vec<ProfileId>> {
        let mut out = Vec::new();
        for item in self
            .tree(TreeName::CompanyMembers)
            .scan_prefix(company.to_bytes())
        {
            let (key, _) = item?;
            out.push(
                ProfileId::from_bytes(&key[8..])
                    .ok_or_else(|| Error::Corrupt("company member key".into()))?,
            );
        }
        Ok(out)
    }

    /// Outbox entries with a sequence above `after`, oldest first, at most `limit`.
    pub fn outbox_after(&self, after: u64, limit: usize) -> Result<Vec<(u64, OutboxEntry)>> {
        let mut out = Vec::new();
        for item in self
            .tree(TreeName::Outbox)
            .range((after + 1).to_be_bytes()..)
            .take(limit)
        {
            let (key, value) = item?;
            out.push((read_u64(&key)?, decode(&value)?));
        }
        Ok(out)
    }

    /// Drops outbox entries up to and including `through` once the index committed them.
    pub fn outbox_trim(&self, through: u64) -> Result<()> {
        let outbox = self.tree(TreeName::Outbox);
        let mut batch = Batch::default();
        for item in outbox.range(..=through.to_be_bytes()) {
            let (key, _) = item?;
            batch.remove(key);
        }
        outbox.apply_batch(batch)?;
        Ok(())
    }

    /// Every profile, for rebuilding the index.
    pub fn profiles(&self) -> impl Iterator<Item = Result<(ProfileId, ProfileRecord)>> + '_ {
        self.tree(TreeName::Profiles).iter().map(|item| {
            let (key, value) = item?;
            let id =
                ProfileId::from_bytes(&key).ok_or_else(|| Error::Corrupt("profile key".into()))?;
            Ok((id, decode(&value)?))
        })
    }

    /// Every company.
    pub fn companies(&self) -> impl Iterator<Item = Result<(CompanyId, CompanyRecord)>> + '_ {
        self.tree(TreeName::Companies).iter().map(|item| {
            let (key, value) = item?;
            let id = read_u64(&key).map_err(|_| Error::Corrupt("company key".into()))?;
            Ok((CompanyId(id), decode(&value)?))
        })
    }

    pub fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }

    /// Bytes sled occupies on disk.
    pub fn size_on_disk(&self) -> Result<u64> {
        Ok(self.db.size_on_disk()?)
    }
}

pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    postcard::to_stdvec(value).map_err(|err| Error::Internal(format!("encode: {err}")))
}

pub fn decode<T: DeserializeOwned>(raw: &[u8]) -> Result<T> {
    postcard::from_bytes(raw).map_err(|err| Error::Corrupt(format!("decode: {err}")))
}

fn read_u64(raw: &[u8]) -> Result<u64> {
    Ok(u64::from_be_bytes(
        raw.try_into()
            .map_err(|_| Error::Corrupt("u64 value".into()))?,
    ))
}
