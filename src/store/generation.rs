//! Store generations. A data directory holds its sled database in `store/` (the first
//! generation) or `store-N/` (written by a purge or a restore); the file `store.current`
//! names the current one. A rewrite writes the next generation completely, flushes it,
//! and only then replaces `store.current` (temporary file, fsync, rename, fsync of the
//! directory): a crash at any point leaves either the old or the new generation current,
//! never a half-written one. Generations that are not current are leftovers of an
//! interrupted rewrite (or the old one a rewrite could not yet remove) and are removed
//! when the store is next opened.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file naming the current generation.
const POINTER: &str = "store.current";
/// The first generation's directory (and the only one before any rewrite).
const FIRST: &str = "store";

/// The number of a generation directory's name: `store` is 0, `store-N` is N.
fn generation_number(name: &str) -> Option<u64> {
    if name == FIRST {
        return Some(0);
    }
    let digits = name.strip_prefix("store-")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The current generation's directory.
pub(super) fn current_dir(data_dir: &Path) -> Result<PathBuf> {
    match std::fs::read_to_string(data_dir.join(POINTER)) {
        Ok(text) => {
            let name = text.trim();
            if generation_number(name).is_none() {
                return Err(Error::Corrupt(format!(
                    "{} names no store generation",
                    data_dir.join(POINTER).display()
                )));
            }
            Ok(data_dir.join(name))
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(data_dir.join(FIRST)),
        Err(err) => Err(err.into()),
    }
}

/// Whether the data directory holds a store.
pub fn exists_in(data_dir: &Path) -> bool {
    current_dir(data_dir).is_ok_and(|dir| dir.is_dir())
}

/// A directory for the next generation: numbered past every generation present.
pub(super) fn next_dir(data_dir: &Path) -> Result<PathBuf> {
    let mut highest = 0;
    for entry in std::fs::read_dir(data_dir)? {
        let entry = entry?;
        if let Some(n) = entry.file_name().to_str().and_then(generation_number) {
            highest = highest.max(n);
        }
    }
    Ok(data_dir.join(format!("store-{}", highest + 1)))
}

/// Makes `dir` (a generation in `data_dir`, complete and flushed) the current one.
pub(super) fn make_current(data_dir: &Path, dir: &Path) -> Result<()> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| generation_number(n).is_some())
        .ok_or_else(|| Error::Internal("not a store generation".into()))?;
    let temporary = data_dir.join(format!("{POINTER}.tmp"));
    {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(name.as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, data_dir.join(POINTER))?;
    sync_dir(data_dir)
}

/// Removes every generation of `data_dir` other than `current`.
pub(super) fn remove_others(data_dir: &Path, current: &Path) -> Result<()> {
    for entry in std::fs::read_dir(data_dir)? {
        let entry = entry?;
        let path = entry.path();
        let is_generation = entry
            .file_name()
            .to_str()
            .and_then(generation_number)
            .is_some();
        if is_generation && path != current && entry.file_type()?.is_dir() {
            tracing::info!(dir = %path.display(), "removing a store generation that is not current");
            std::fs::remove_dir_all(&path)?;
        }
    }
    Ok(())
}

/// Makes a rename or removal in `dir` durable.
pub(super) fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generations_are_numbered_and_the_pointer_names_the_current_one() {
        assert_eq!(generation_number("store"), Some(0));
        assert_eq!(generation_number("store-12"), Some(12));
        for other in ["store-", "store-x", "stores", "index", "store.current"] {
            assert_eq!(generation_number(other), None, "{other}");
        }
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(
            current_dir(dir.path()).expect("current"),
            dir.path().join("store")
        );
        std::fs::create_dir(dir.path().join("store")).expect("first");
        let next = next_dir(dir.path()).expect("next");
        assert_eq!(next, dir.path().join("store-1"));
        std::fs::create_dir(&next).expect("second");
        make_current(dir.path(), &next).expect("pointer");
        assert_eq!(current_dir(dir.path()).expect("current"), next);
        std::fs::create_dir(dir.path().join("index")).expect("index");
        remove_others(dir.path(), &next).expect("clean");
        assert!(
            !dir.path().join("store").exists(),
            "the old generation goes"
        );
        assert!(dir.path().join("index").exists(), "nothing else is touched");
        assert!(exists_in(dir.path()));
    }
}
