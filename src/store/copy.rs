//! Copies of the store, written once for three uses:
//!
//! - **rewrite** (the purge): every live entry is copied into a fresh sled database (the
//!   next generation, `generation.rs`), which then replaces the current one. sled's files
//!   are log-structured and keep old values of deleted and overwritten entries until
//!   their segments are reused; a fresh database holds none, so after a rewrite no byte
//!   of deleted data remains in the store's files.
//! - **snapshot**: every live entry is written to one file (a JSON header, framed
//!   entries, a BLAKE3 checksum of it all). The entries are the store's own — keyed
//!   hashes, never an address — and the email hash key is not in it.
//! - **restore**: a snapshot file is read into a fresh generation (not yet current), then
//!   checked, completed and made current by the engine.
//!
//! The caller serialises writes during a rewrite or a snapshot (the engine holds its
//! write lock), so each is a consistent cut of the store.

use super::generation;
use super::keys::META_UNPURGED_SINCE;
use super::{Db, Store, TreeName, STORE_FORMAT_VERSION, TREE_COUNT, TREE_NAMES};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use sled::Batch;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

/// Entries per batch applied to a fresh database.
const LOAD_BATCH: usize = 10_000;
/// The first bytes of a snapshot file.
const SNAPSHOT_MAGIC: &[u8] = b"PROFILED-SNAPSHOT\n";
/// Version of the snapshot file layout.
const SNAPSHOT_FORMAT: u32 = 1;
/// The frame tag that ends the entries.
const END_OF_ENTRIES: u8 = 0xFF;
/// Length of a suppression's keyed hash.
pub const SUPPRESSION_HASH_BYTES: usize = 16;

/// What a snapshot file says about itself.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SnapshotInfo {
    pub format: u32,
    pub store_format: u32,
    /// The check value of the email hash key its hashes were made with (tells keys apart,
    /// reveals nothing about them), hex.
    pub key_check: String,
    /// When it was taken (Unix seconds).
    pub created_at: i64,
    /// The trees, in the order the entries' tags index.
    pub trees: Vec<String>,
    /// Entries written (filled in when read back; 0 in the header).
    #[serde(default)]
    pub entries: u64,
    /// Profiles among them (idem).
    #[serde(default)]
    pub profiles: u64,
}

/// What a rewrite did.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rewritten {
    pub entries: u64,
    /// Bytes of the generation before and after.
    pub bytes_before: u64,
    pub bytes_after: u64,
}

/// Loads entries into a fresh database in batches.
struct Loader<'a> {
    db: &'a Db,
    batches: Vec<Batch>,
    pending: usize,
    entries: u64,
}

impl<'a> Loader<'a> {
    fn new(db: &'a Db) -> Self {
        Self {
            db,
            batches: (0..TREE_COUNT).map(|_| Batch::default()).collect(),
            pending: 0,
            entries: 0,
        }
    }

    fn put(&mut self, tree: usize, key: &[u8], value: &[u8]) -> Result<()> {
        self.batches[tree].insert(key, value);
        self.pending += 1;
        self.entries += 1;
        if self.pending >= LOAD_BATCH {
            self.apply()?;
        }
        Ok(())
    }

    fn apply(&mut self) -> Result<()> {
        for (tree, batch) in self.batches.iter_mut().enumerate() {
            self.db.trees[tree].apply_batch(std::mem::take(batch))?;
        }
        self.pending = 0;
        Ok(())
    }

    fn finish(mut self) -> Result<u64> {
        self.apply()?;
        self.db.db.flush()?;
        Ok(self.entries)
    }
}

/// Calls `visit` with every entry of every tree (tree index, key, value), leaving out
/// the purge mark (a copy holds no deleted data).
fn each_entry(db: &Db, mut visit: impl FnMut(usize, &[u8], &[u8]) -> Result<()>) -> Result<()> {
    for (index, tree) in db.trees.iter().enumerate() {
        for item in tree.iter() {
            let (key, value) = item?;
            if index == TreeName::Meta as usize && key.as_ref() == META_UNPURGED_SINCE {
                continue;
            }
            visit(index, &key, &value)?;
        }
    }
    Ok(())
}

/// Bytes of the files under `dir`.
pub(crate) fn dir_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for entry in entries.flatten() {
            match entry.metadata() {
                Ok(meta) if meta.is_dir() => stack.push(entry.path()),
                Ok(meta) => total += meta.len(),
                Err(_) => {}
            }
        }
    }
    total
}

impl Store {
    fn home(&self) -> Result<&Path> {
        self.home
            .as_deref()
            .ok_or_else(|| Error::Internal("this store was not opened in a data directory".into()))
    }

    /// Copies every live entry into a fresh generation and makes it the current one; the
    /// old generation's directory is removed once no read uses it any more. The caller
    /// holds the write lock (writes made meanwhile would be lost).
    pub fn rewrite(&self) -> Result<Rewritten> {
        let home = self.home()?.to_path_buf();
        let old = self.db()?;
        let bytes_before = dir_bytes(&old.dir);
        let dir = generation::next_dir(&home)?;
        let fresh = Db::open(&dir, self.cache_bytes)?;
        let copied = (|| {
            let mut loader = Loader::new(&fresh);
            each_entry(&old, |tree, key, value| loader.put(tree, key, value))?;
            loader.finish()
        })();
        let entries = match copied {
            Ok(entries) => entries,
            Err(err) => {
                drop(fresh);
                let _ = std::fs::remove_dir_all(&dir);
                return Err(err);
            }
        };
        generation::make_current(&home, &dir)?;
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(fresh));
        let bytes_after = dir_bytes(&dir);
        retire(old);
        Ok(Rewritten {
            entries,
            bytes_before,
            bytes_after,
        })
    }

    /// Writes a snapshot of the store to `out` (a new file). The caller holds the write
    /// lock, so the snapshot is one consistent cut.
    pub fn write_snapshot(
        &self,
        out: &Path,
        key_check: [u8; 32],
        created_at: i64,
    ) -> Result<SnapshotInfo> {
        let db = self.db()?;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(out)?;
        let mut writer = HashingWriter {
            inner: BufWriter::with_capacity(1 << 20, file),
            hasher: blake3::Hasher::new(),
        };
        let mut info = SnapshotInfo {
            format: SNAPSHOT_FORMAT,
            store_format: STORE_FORMAT_VERSION,
            key_check: hex::encode(key_check),
            created_at,
            trees: TREE_NAMES.iter().map(|name| (*name).to_owned()).collect(),
            entries: 0,
            profiles: 0,
        };
        let header = serde_json::to_vec(&info).map_err(|err| Error::Internal(err.to_string()))?;
        writer.write_all(SNAPSHOT_MAGIC)?;
        writer.write_all(&(header.len() as u32).to_be_bytes())?;
        writer.write_all(&header)?;
        each_entry(&db, |tree, key, value| {
            writer.write_all(&[tree as u8])?;
            writer.write_all(&(key.len() as u32).to_be_bytes())?;
            writer.write_all(key)?;
            writer.write_all(&(value.len() as u32).to_be_bytes())?;
            writer.write_all(value)?;
            info.entries += 1;
            if tree == TreeName::Profiles as usize {
                info.profiles += 1;
            }
            Ok(())
        })?;
        writer.write_all(&[END_OF_ENTRIES])?;
        let checksum = writer.hasher.finalize();
        let mut file = writer.inner;
        file.write_all(checksum.as_bytes())?;
        file.flush()?;
        file.get_ref().sync_all()?;
        Ok(info)
    }

    /// Reads a snapshot file into a fresh generation of `data_dir` that is not current
    /// yet: the caller completes it and makes it current with [`Store::rewrite`] (which
    /// also removes it). A damaged or foreign file leaves nothing behind.
    pub fn stage_snapshot(
        data_dir: &Path,
        snapshot: &Path,
        cache_bytes: u64,
    ) -> Result<(Store, SnapshotInfo)> {
        let dir = generation::next_dir(data_dir)?;
        let db = Db::open(&dir, cache_bytes)?;
        let loaded = (|| {
            let mut loader = Loader::new(&db);
            let info = read_snapshot(snapshot, |tree, key, value| loader.put(tree, key, value))?;
            loader.finish()?;
            Ok(info)
        })();
        match loaded {
            Ok(info) => {
                let store = Store::with_db(db, Some(data_dir), cache_bytes);
                store.check_format()?;
                Ok((store, info))
            }
            Err(err) => {
                drop(db);
                let _ = std::fs::remove_dir_all(&dir);
                Err(err)
            }
        }
    }

    /// Copies the suppressions and the privacy request records of `other` that this store
    /// lacks (a restore keeps what was decided after the snapshot). Returns how many
    /// suppressions were added.
    pub fn adopt_privacy_records(&self, other: &Store) -> Result<u64> {
        let mut added = 0;
        for name in [TreeName::Suppressions, TreeName::PrivacyRequests] {
            let mine = self.tree(name)?;
            let mut batch = Batch::default();
            for item in other.tree(name)?.iter() {
                let (key, value) = item?;
                if !mine.contains_key(&key)? {
                    batch.insert(key, value);
                    if name == TreeName::Suppressions {
                        added += 1;
                    }
                }
            }
            mine.apply_batch(batch)?;
        }
        self.flush()?;
        Ok(added)
    }

    /// Adds suppressions given as keyed hashes (e.g. from a list kept outside the backup)
    /// that this store lacks; returns how many were added.
    pub fn adopt_suppressions(
        &self,
        hashes: &[[u8; SUPPRESSION_HASH_BYTES]],
        kind: u8,
        at: i64,
    ) -> Result<u64> {
        let tree = self.tree(TreeName::Suppressions)?;
        let mut batch = Batch::default();
        let mut added = 0;
        let mut value = vec![kind];
        value.extend_from_slice(&at.to_be_bytes());
        for hash in hashes {
            if !tree.contains_key(hash)? {
                batch.insert(&hash[..], value.as_slice());
                added += 1;
            }
        }
        tree.apply_batch(batch)?;
        self.flush()?;
        Ok(added)
    }

    /// The keyed hashes of every suppression.
    pub fn suppression_hashes(&self) -> Result<Vec<[u8; SUPPRESSION_HASH_BYTES]>> {
        let mut out = Vec::new();
        for item in self.tree(TreeName::Suppressions)?.iter() {
            let (key, _) = item?;
            out.push(
                key.as_ref()
                    .try_into()
                    .map_err(|_| Error::Corrupt("suppression key".into()))?,
            );
        }
        Ok(out)
    }

    /// Closes the store and removes its directory (a restore's staged generation, or the
    /// generation a restore replaced).
    pub fn remove(self) -> Result<()> {
        let db = self
            .current
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .ok_or_else(|| Error::Internal("the store is not open".into()))?;
        let dir = db.dir.clone();
        drop(db);
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}

/// Reads and checks a snapshot file without loading it: its header and counts.
pub fn verify_snapshot(snapshot: &Path) -> Result<SnapshotInfo> {
    read_snapshot(snapshot, |_, _, _| Ok(()))
}

/// Reads a snapshot file, giving each entry to `visit` (tree index in this build's
/// order, key, value); fails on a foreign, damaged or truncated file (the checksum is
/// checked at the end, so the caller discards what it loaded then).
fn read_snapshot(
    snapshot: &Path,
    mut visit: impl FnMut(usize, &[u8], &[u8]) -> Result<()>,
) -> Result<SnapshotInfo> {
    let bad = |what: &str| {
        Error::invalid(format!(
            "{} is not a profiled snapshot, or it is damaged: {what}",
            snapshot.display()
        ))
    };
    let file = std::fs::File::open(snapshot)?;
    let mut reader = HashingReader {
        inner: BufReader::with_capacity(1 << 20, file),
        hasher: blake3::Hasher::new(),
    };
    let mut magic = vec![0u8; SNAPSHOT_MAGIC.len()];
    reader
        .read_exact(&mut magic)
        .map_err(|_| bad("too short"))?;
    if magic != SNAPSHOT_MAGIC {
        return Err(bad("unknown file type"));
    }
    let header_len = read_u32(&mut reader).map_err(|_| bad("truncated header"))? as usize;
    if header_len > 1 << 20 {
        return Err(bad("header too long"));
    }
    let mut header = vec![0u8; header_len];
    reader
        .read_exact(&mut header)
        .map_err(|_| bad("truncated header"))?;
    let mut info: SnapshotInfo =
        serde_json::from_slice(&header).map_err(|_| bad("unreadable header"))?;
    if info.format != SNAPSHOT_FORMAT {
        return Err(bad(&format!(
            "snapshot format {}, this build reads {SNAPSHOT_FORMAT}",
            info.format
        )));
    }
    if info.store_format != STORE_FORMAT_VERSION {
        return Err(Error::StoreFormat {
            found: info.store_format,
            expected: STORE_FORMAT_VERSION,
        });
    }
    // The snapshot's tree order, mapped onto this build's.
    let mut order = Vec::with_capacity(info.trees.len());
    for name in &info.trees {
        order.push(
            TREE_NAMES
                .iter()
                .position(|known| known == name)
                .ok_or_else(|| bad("a tree this build does not know"))?,
        );
    }
    let mut key = Vec::new();
    let mut value = Vec::new();
    loop {
        let mut tag = [0u8; 1];
        reader
            .read_exact(&mut tag)
            .map_err(|_| bad("truncated entries"))?;
        if tag[0] == END_OF_ENTRIES {
            break;
        }
        let tree = *order
            .get(tag[0] as usize)
            .ok_or_else(|| bad("an entry of no tree"))?;
        read_frame(&mut reader, &mut key).map_err(|_| bad("truncated entry"))?;
        read_frame(&mut reader, &mut value).map_err(|_| bad("truncated entry"))?;
        visit(tree, &key, &value)?;
        info.entries += 1;
        if tree == TreeName::Profiles as usize {
            info.profiles += 1;
        }
    }
    let computed = reader.hasher.finalize();
    let mut stored = [0u8; 32];
    reader
        .inner
        .read_exact(&mut stored)
        .map_err(|_| bad("no checksum"))?;
    if computed.as_bytes() != &stored {
        return Err(bad("checksum mismatch"));
    }
    let mut rest = [0u8; 1];
    if reader.inner.read(&mut rest)? != 0 {
        return Err(bad("bytes after the checksum"));
    }
    Ok(info)
}

fn read_u32(reader: &mut impl Read) -> std::io::Result<u32> {
    let mut raw = [0u8; 4];
    reader.read_exact(&mut raw)?;
    Ok(u32::from_be_bytes(raw))
}

fn read_frame(reader: &mut impl Read, into: &mut Vec<u8>) -> std::io::Result<()> {
    let len = read_u32(reader)? as usize;
    if len > 64 << 20 {
        return Err(std::io::ErrorKind::InvalidData.into());
    }
    into.resize(len, 0);
    reader.read_exact(into)
}

/// Drops the last use of a replaced generation and removes its directory. Reads still
/// running on it finish first (they hold it); a removal that fails leaves the directory
/// to the next open, which removes generations that are not current.
fn retire(old: Arc<Db>) {
    let started = Instant::now();
    while Arc::strong_count(&old) > 1 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let dir: PathBuf = old.dir.clone();
    drop(old);
    if let Err(err) = std::fs::remove_dir_all(&dir) {
        tracing::warn!(dir = %dir.display(), error = %err, "could not remove the replaced store generation; the next start removes it");
    } else if let Some(parent) = dir.parent() {
        let _ = generation::sync_dir(parent);
    }
}

struct HashingWriter<W> {
    inner: W,
    hasher: blake3::Hasher,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

struct HashingReader<R> {
    inner: R,
    hasher: blake3::Hasher,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.hasher.update(&buf[..read]);
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::super::record::ProfileRecord;
    use super::super::WriteSet;
    use super::*;
    use crate::model::ProfileId;

    fn person(name: &str) -> ProfileRecord {
        ProfileRecord {
            first_name: name.into(),
            last_name: "Testperson".into(),
            ..ProfileRecord::default()
        }
    }

    fn files_hold(dir: &Path, needle: &[u8]) -> bool {
        let mut stack = vec![dir.to_path_buf()];
        while let Some(next) = stack.pop() {
            for entry in std::fs::read_dir(&next).expect("read dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let bytes = std::fs::read(&path).expect("read");
                    if bytes.windows(needle.len()).any(|w| w == needle) {
                        return true;
                    }
                }
            }
        }
        false
    }

    #[test]
    fn a_rewrite_leaves_no_byte_of_a_deleted_record_and_keeps_the_rest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_in(dir.path(), 1 << 20).expect("open");
        let mut writes = WriteSet::default();
        writes
            .put_profile(ProfileId(1), None, &person("Quorandelia"))
            .expect("put");
        writes
            .put_profile(ProfileId(2), None, &person("Keepmeinside"))
            .expect("put");
        store.commit(writes).expect("commit");
        let gone = store.profile(ProfileId(1)).expect("read").expect("there");
        let mut writes = WriteSet::default();
        writes.delete_profile(ProfileId(1), &gone);
        writes.note_time(77);
        store.commit(writes).expect("commit");
        assert_eq!(store.unpurged_since().expect("mark"), Some(77));
        assert!(
            files_hold(dir.path(), b"Quorandelia"),
            "sled keeps the deleted value (else this test proves nothing)"
        );
        let rewritten = store.rewrite().expect("rewrite");
        assert!(rewritten.entries > 0);
        assert!(!files_hold(dir.path(), b"Quorandelia"));
        assert!(files_hold(dir.path(), b"Keepmeinside"));
        assert_eq!(store.unpurged_since().expect("mark"), None);
        assert_eq!(
            store.profile(ProfileId(2)).expect("read"),
            Some(person("Keepmeinside"))
        );
        let mut problems = Vec::new();
        store.check(&mut |p| problems.push(p)).expect("check");
        problems.retain(|p| !p.contains("outbox"));
        assert!(problems.is_empty(), "{problems:?}");
        drop(store);
        let reopened = Store::open_in(dir.path(), 1 << 20).expect("reopen");
        assert!(reopened.dir().ends_with("store-1"));
        assert_eq!(reopened.counts().expect("counts").profiles, 1);
    }

    #[test]
    fn a_snapshot_restores_every_entry_and_a_damaged_one_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("a")).expect("dir");
        let store = Store::open_in(&dir.path().join("a"), 1 << 20).expect("open");
        let mut writes = WriteSet::default();
        writes
            .put_profile(ProfileId(5), None, &person("Snapshotted"))
            .expect("put");
        writes.suppress([3; 16], 1, 9);
        store.commit(writes).expect("commit");
        let snap = dir.path().join("snap");
        let info = store.write_snapshot(&snap, [7; 32], 11).expect("snapshot");
        assert_eq!(info.profiles, 1);
        let verified = verify_snapshot(&snap).expect("verifies");
        assert_eq!(verified.entries, info.entries);
        assert_eq!(verified.key_check, hex::encode([7; 32]));
        let target = dir.path().join("b");
        std::fs::create_dir_all(&target).expect("dir");
        let (staged, _) = Store::stage_snapshot(&target, &snap, 1 << 20).expect("stage");
        assert_eq!(
            staged.profile(ProfileId(5)).expect("read"),
            Some(person("Snapshotted"))
        );
        assert!(staged.any_suppressed(&[[3; 16]]).expect("read"));
        assert_eq!(
            staged.counts().expect("counts"),
            store.counts().expect("counts")
        );
        let mut bytes = std::fs::read(&snap).expect("read");
        let middle = bytes.len() / 2;
        bytes[middle] ^= 1;
        let damaged = dir.path().join("damaged");
        std::fs::write(&damaged, &bytes).expect("write");
        assert!(verify_snapshot(&damaged).is_err());
        let before: Vec<_> = std::fs::read_dir(&target).expect("ls").collect();
        assert!(Store::stage_snapshot(&target, &damaged, 1 << 20).is_err());
        let after: Vec<_> = std::fs::read_dir(&target).expect("ls").collect();
        assert_eq!(
            before.len(),
            after.len(),
            "a refused snapshot leaves nothing"
        );
    }
}
