//! Room on the disk: the free space of the data directory's filesystem, the reserve that
//! writes leave free, and whether sled gave up after a failed write.
//!
//! sled (0.34) turns the first I/O error of its log writer — `ENOSPC` on a full disk —
//! into a global error that every later operation returns, reads included (a read that
//! helps finish a node split writes), until the database is opened again. So the store
//! keeps sled away from a full disk: a client's write is refused with
//! [`Error::DiskFull`] while less than the reserve is free, before sled sees it; the
//! daemon's own small writes (recipients of disclosures, quota counts, the outbox trim)
//! may use half of the reserve; what remains is room for sled's background flushes, the
//! index's commits and the disclosure log. Should sled still hit a full disk (another
//! process filled it), the store marks itself broken and [`Store::reopen`] opens the
//! database again once there is room.
//!
//! [`Store::reopen`]: super::Store::reopen

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A store is not reopened on less free space than this, even with no reserve: half of a
/// zero reserve is always free, so the healer reopened sled on a disk still full and let
/// the next client write reach it. Regression: with `--disk-reserve-mb 0`, a write on
/// the full disk was answered 500 instead of 507 (once in CI; the daemon's log was not
/// kept, so which error sled returned is not known — this is the one path found that
/// lets a client write reach sled on a full disk).
const MIN_ROOM_TO_REOPEN: u64 = 1 << 20;

/// Who asks for room: a client's write stops at the reserve, the daemon's own small
/// writes at half of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    Client,
    Internal,
}

/// The disk as the store last saw it (for health and metrics).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiskState {
    /// Bytes free to an unprivileged writer on the data directory's filesystem.
    pub free_bytes: u64,
    pub reserve_bytes: u64,
    /// Client writes are refused: less than the reserve is free, or sled must be reopened.
    pub full: bool,
    /// sled failed a write and waits to be reopened.
    pub needs_reopen: bool,
    /// Writes refused for want of room since start.
    pub refused_writes: u64,
    /// Times sled was reopened after a failed write since start.
    pub reopens: u64,
}

pub(super) struct Space {
    path: PathBuf,
    reserve: AtomicU64,
    free: AtomicU64,
    full: AtomicBool,
    broken: AtomicBool,
    refused: AtomicU64,
    pub(super) reopens: AtomicU64,
}

impl Space {
    pub(super) fn new(path: &Path, reserve: u64) -> Self {
        let space = Self {
            path: path.to_path_buf(),
            reserve: AtomicU64::new(reserve),
            free: AtomicU64::new(u64::MAX),
            full: AtomicBool::new(false),
            broken: AtomicBool::new(false),
            refused: AtomicU64::new(0),
            reopens: AtomicU64::new(0),
        };
        space.measure();
        space
    }

    pub(super) fn set_reserve(&self, bytes: u64) {
        self.reserve.store(bytes, Ordering::Relaxed);
        self.measure();
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    pub(super) fn reserve(&self) -> u64 {
        self.reserve.load(Ordering::Relaxed)
    }

    /// The free space a store that sled gave up on needs before it is opened again: half
    /// the reserve, and never less than [`MIN_ROOM_TO_REOPEN`].
    pub(super) fn room_to_reopen(&self) -> u64 {
        (self.reserve() / 2).max(MIN_ROOM_TO_REOPEN)
    }

    /// Measures the free space now and updates the full flag from it (logging each change).
    pub(super) fn measure(&self) -> u64 {
        let free = free_bytes(&self.path).unwrap_or(u64::MAX);
        self.free.store(free, Ordering::Relaxed);
        let full = free < self.reserve() || self.is_broken();
        if self.full.swap(full, Ordering::Relaxed) != full {
            if full {
                tracing::error!(
                    free_bytes = free,
                    reserve_bytes = self.reserve(),
                    "disk full: writes are refused (507) until space is freed; reads go on"
                );
            } else {
                tracing::info!(
                    free_bytes = free,
                    "disk has room again: writes are accepted"
                );
            }
        }
        free
    }

    /// Whether a write of this priority may go to sled now.
    pub(super) fn admit(&self, priority: Priority) -> Result<()> {
        if self.is_broken() {
            self.refused.fetch_add(1, Ordering::Relaxed);
            return Err(Error::DiskFull);
        }
        let free = self.measure();
        let floor = match priority {
            Priority::Client => self.reserve(),
            Priority::Internal => self.reserve() / 2,
        };
        if free < floor {
            self.refused.fetch_add(1, Ordering::Relaxed);
            return Err(Error::DiskFull);
        }
        Ok(())
    }

    /// Notes a failed sled operation: an I/O error leaves sled unusable until reopened.
    pub(super) fn sled_failed(&self, err: sled::Error) -> Error {
        if matches!(err, sled::Error::Io(_)) && !self.broken.swap(true, Ordering::SeqCst) {
            tracing::error!(error = %err, "the store failed a write; it is reopened once the disk has room");
            self.full.store(true, Ordering::Relaxed);
        }
        Error::from(err)
    }

    pub(super) fn is_broken(&self) -> bool {
        self.broken.load(Ordering::SeqCst)
    }

    pub(super) fn mended(&self) {
        self.broken.store(false, Ordering::SeqCst);
        self.reopens.fetch_add(1, Ordering::Relaxed);
        self.measure();
    }

    pub(super) fn state(&self) -> DiskState {
        DiskState {
            free_bytes: self.free.load(Ordering::Relaxed),
            reserve_bytes: self.reserve(),
            full: self.full.load(Ordering::Relaxed),
            needs_reopen: self.is_broken(),
            refused_writes: self.refused.load(Ordering::Relaxed),
            reopens: self.reopens.load(Ordering::Relaxed),
        }
    }
}

/// Bytes available to unprivileged writers on the filesystem holding `path`.
pub fn free_bytes(path: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c_path` is a valid NUL-terminated string and `stat` points to writable
    // memory of the right type; statvfs fills it on success.
    let rc = unsafe { libc::statvfs(c_path.as_ptr(), stat.as_mut_ptr()) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: statvfs returned 0, so it initialised `stat`.
    let stat = unsafe { stat.assume_init() };
    #[allow(clippy::unnecessary_cast)]
    Ok((stat.f_bavail as u64).saturating_mul(stat.f_frsize as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_store_needs_a_mebibyte_free_to_reopen_even_without_a_reserve() {
        let dir = tempfile::tempdir().expect("tempdir");
        let space = Space::new(dir.path(), 0);
        assert_eq!(space.room_to_reopen(), MIN_ROOM_TO_REOPEN);
        space.set_reserve(64 << 20);
        assert_eq!(space.room_to_reopen(), 32 << 20);
    }

    #[test]
    fn a_reserve_above_the_free_space_refuses_client_writes_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let free = free_bytes(dir.path()).expect("statvfs");
        assert!(free > 0);
        let space = Space::new(dir.path(), 0);
        space.admit(Priority::Client).expect("room");
        // Between the free space and twice it: client writes stop, internal ones go on.
        space.set_reserve(free.saturating_add(free / 2).max(1));
        assert!(matches!(
            space.admit(Priority::Client),
            Err(Error::DiskFull)
        ));
        space
            .admit(Priority::Internal)
            .expect("half the reserve is free");
        assert!(space.state().full);
        space.set_reserve(0);
        assert!(!space.state().full);
        assert_eq!(space.state().refused_writes, 1);
    }
}
