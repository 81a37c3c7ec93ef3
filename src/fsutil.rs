//! Files only the daemon's user may read: what the data directory holds is personal data
//! (or, for the disclosure log, who received it).

use crate::error::Result;
use std::fs::{File, OpenOptions};
use std::path::Path;

/// Creates `dir` (and its parents) readable by the owner only.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    Ok(())
}

/// Creates `path` (which must not exist) for writing, readable by the owner only.
pub fn create_private_file(path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options.append(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    Ok(options.open(path)?)
}
