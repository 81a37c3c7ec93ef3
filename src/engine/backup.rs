//! Backups: consistent online snapshots of the store, and a restore that never
//! resurrects an erased person.
//!
//! A **snapshot** is one file holding every live store entry (`store/copy.rs`): records,
//! keyed email hashes, suppressions, request records — no plaintext address, and not the
//! email hash key (keep the key file apart from the backups; without it a snapshot's
//! hashes cannot be tested against guessed addresses). The index is not in it: it is
//! derived, and rebuilt after a restore. The snapshot is written under the write lock, so
//! it is one consistent cut; writes wait while it is written, reads go on.
//!
//! A **restore** reads the snapshot into a fresh store generation of the target data
//! directory, then re-applies what was decided after the snapshot: it adds the
//! suppressions and request records the target's current store holds (and those of an
//! optional suppression file kept outside the backups), erases every restored profile a
//! suppression matches — as erasure does, suppressing all its identifiers — and rewrites
//! the result into the generation that becomes current, so not even the restored copy's
//! files keep a byte of an erased person. The index is removed first and rebuilt at the
//! next start.

use super::privacy::{profile_suppression_hashes, SUPPRESSED_BY_ERASURE};
use super::{Engine, EngineConfig};
use crate::email::{EmailHasher, KEY_CHECK_FILE, KEY_FILE};
use crate::error::{Error, Result};
use crate::model::{ProfileId, RestoreReport};
use crate::store::{exists_in, SnapshotInfo, Store, WriteSet, SUPPRESSION_HASH_BYTES};
use std::path::{Path, PathBuf};
use std::sync::PoisonError;

/// Profiles erased per commit during a restore.
const ERASE_BATCH: usize = 1_000;

impl Engine {
    /// Writes a snapshot of the store to `out` (which must not exist yet): written beside
    /// it and renamed once complete and synced.
    pub fn snapshot(&self, out: &Path) -> Result<SnapshotInfo> {
        write_atomically(out, |partial| {
            let _writes_wait = self
                .write_path
                .lock
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            self.store()
                .write_snapshot(partial, self.hasher().check_value(), self.clock().now())
        })
    }

    /// A snapshot for a client to download: written to a temporary file in the data
    /// directory, opened, and unlinked (the open file is all that remains of it).
    /// Returns the open file and its length.
    pub fn snapshot_for_download(&self) -> Result<(std::fs::File, u64)> {
        let mut suffix = [0u8; 8];
        getrandom::fill(&mut suffix).map_err(|err| Error::Internal(format!("random: {err}")))?;
        let path = self.data_dir().join(format!(
            "snapshot-{:016x}.download",
            u64::from_be_bytes(suffix)
        ));
        let written = self.snapshot(&path);
        let opened = written.and_then(|_| Ok(std::fs::File::open(&path)?));
        let _ = std::fs::remove_file(&path);
        let file = opened?;
        let len = file.metadata()?.len();
        Ok((file, len))
    }
}

/// A snapshot of a data directory no daemon is serving (opens only the store and the key).
pub fn snapshot_offline(config: &EngineConfig, out: &Path, now: i64) -> Result<SnapshotInfo> {
    if !exists_in(&config.data_dir) {
        return Err(Error::invalid(format!(
            "{} holds no profiled store",
            config.data_dir.display()
        )));
    }
    let store = Store::open_in(&config.data_dir, config.cache_bytes)?;
    let hasher = EmailHasher::load_or_create(&config.data_dir, config.email_key)?;
    write_atomically(out, |partial| {
        store.write_snapshot(partial, hasher.check_value(), now)
    })
}

/// Restores a snapshot into `config.data_dir` (no daemon may serve it), re-applying every
/// suppression the directory's current store holds and those in `suppressions` (a file
/// of keyed hashes, 32 hex digits a line), and erasing the restored profiles they match.
pub fn restore(
    config: &EngineConfig,
    snapshot: &Path,
    suppressions: Option<&Path>,
    now: i64,
) -> Result<RestoreReport> {
    // A damaged or foreign file is refused before anything is touched.
    let info = crate::store::verify_snapshot(snapshot)?;
    let extra = suppressions.map(read_suppression_file).transpose()?;
    let dir = &config.data_dir;
    std::fs::create_dir_all(dir)?;
    if config.email_key.is_none()
        && !dir.join(KEY_FILE).exists()
        && !dir.join(KEY_CHECK_FILE).exists()
    {
        return Err(Error::Config(format!(
            "{} has no email hash key: copy the key file ({KEY_FILE}) of the data directory the snapshot was taken from into it, or give the key (--email-key-hex, PROFILED_EMAIL_KEY)",
            dir.display()
        )));
    }
    let hasher = EmailHasher::load_or_create(dir, config.email_key)?;
    if hex::encode(hasher.check_value()) != info.key_check {
        return Err(Error::Config(format!(
            "the snapshot's hashes were made with another email hash key than {}'s: restore into a data directory with that key",
            dir.display()
        )));
    }
    // Holds the directory's lock until the restored generation is current.
    let current = if exists_in(dir) {
        Some(Store::open_in(dir, config.cache_bytes)?)
    } else {
        None
    };
    let (staged, info) = Store::stage_snapshot(dir, snapshot, config.cache_bytes)?;
    let completed = (|| {
        let mut reapplied = 0;
        if let Some(current) = &current {
            reapplied += staged.adopt_privacy_records(current)?;
        }
        if let Some(hashes) = &extra {
            reapplied += staged.adopt_suppressions(hashes, SUPPRESSED_BY_ERASURE, now)?;
        }
        let erased = erase_suppressed(&staged, &hasher, now)?;
        Ok::<_, Error>((reapplied, erased))
    })();
    let (reapplied, erased) = match completed {
        Ok(done) => done,
        Err(err) => {
            let _ = staged.remove();
            return Err(err);
        }
    };
    // The index describes the store being replaced: it goes before the switch, so that
    // a crash after the switch cannot leave an index that claims to be current.
    let index = dir.join("index");
    if index.exists() {
        std::fs::remove_dir_all(&index)?;
    }
    // Copy into the generation that becomes current: the staged one's files still hold
    // the erased profiles' bytes, and it is removed.
    staged.rewrite()?;
    let profiles = staged.counts()?.profiles.max(0) as u64;
    drop(staged);
    if let Some(current) = current {
        current.remove()?;
    }
    let report = RestoreReport {
        snapshot_taken: crate::clock::format_rfc3339(info.created_at),
        snapshot_profiles: info.profiles,
        suppressions_reapplied: reapplied,
        profiles_erased: erased,
        profiles,
    };
    tracing::info!(
        snapshot_profiles = report.snapshot_profiles,
        suppressions_reapplied = report.suppressions_reapplied,
        profiles_erased = report.profiles_erased,
        "restored a snapshot"
    );
    Ok(report)
}

/// Erases every profile one of whose identifiers is suppressed, suppressing all its
/// identifiers as erasure does; returns how many.
fn erase_suppressed(store: &Store, hasher: &EmailHasher, now: i64) -> Result<u64> {
    if !store.has_suppressions()? {
        return Ok(0);
    }
    let mut matched: Vec<(
        ProfileId,
        crate::store::record::ProfileRecord,
        Vec<[u8; 16]>,
    )> = Vec::new();
    for item in store.profiles() {
        let (id, record) = item?;
        let hashes = profile_suppression_hashes(hasher, store, id, &record)?;
        if store.any_suppressed(&hashes)? {
            matched.push((id, record, hashes));
        }
    }
    let erased = matched.len() as u64;
    for batch in matched.chunks(ERASE_BATCH) {
        let mut writes = WriteSet::default();
        for (id, record, hashes) in batch {
            for hash in hashes {
                if !store.any_suppressed(&[*hash])? {
                    writes.suppress(*hash, SUPPRESSED_BY_ERASURE, now);
                }
            }
            writes.delete_profile(*id, record);
        }
        store.commit(writes)?;
    }
    Ok(erased)
}

/// Reads a suppression file: one keyed hash a line as 32 hex digits; blank lines and
/// lines starting with `#` are skipped.
fn read_suppression_file(path: &Path) -> Result<Vec<[u8; SUPPRESSION_HASH_BYTES]>> {
    let text = std::fs::read_to_string(path)?;
    let mut out = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let hash = parse_hex16(line).ok_or_else(|| {
            Error::invalid(format!(
                "{}:{}: a suppression is a keyed hash of 32 hex digits",
                path.display(),
                number + 1
            ))
        })?;
        out.push(hash);
    }
    Ok(out)
}

fn parse_hex16(text: &str) -> Option<[u8; SUPPRESSION_HASH_BYTES]> {
    let mut out = [0u8; SUPPRESSION_HASH_BYTES];
    hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}

/// Runs `write` on a partial file beside `out`, then renames it to `out`; `out` must
/// not exist (a snapshot never replaces another).
fn write_atomically<T>(out: &Path, write: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
    if out.exists() {
        return Err(Error::invalid(format!(
            "{} exists already; a snapshot does not replace a file",
            out.display()
        )));
    }
    let name = out
        .file_name()
        .ok_or_else(|| Error::invalid(format!("{} is not a file name", out.display())))?;
    let partial: PathBuf = out.with_file_name(format!(
        ".{}.partial-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let _ = std::fs::remove_file(&partial);
    match write(&partial) {
        Ok(value) => {
            std::fs::rename(&partial, out)?;
            Ok(value)
        }
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppression_hashes_read_as_32_hex_digits() {
        let hash = parse_hex16("000102030405060708090a0b0c0d0e0f").expect("valid");
        assert_eq!(hash[15], 15);
        assert_eq!(parse_hex16("00"), None);
        assert_eq!(parse_hex16(&"zz".repeat(16)), None);
    }
}
