//! `profiled audit verify`: recomputes the chain from the anchor and names the first
//! entry that was altered or removed.
//!
//! What it proves: no entry between the anchor and the newest entry was changed,
//! inserted or taken out. What it cannot prove alone: that no entries were cut off the
//! end, or that the whole log was rewritten consistently — for that, keep the `head` it
//! reports somewhere the daemon cannot write, and compare.

use super::{log_files, parse_hash, read_anchor, Entry, DIR};
use crate::error::Result;
use serde::Serialize;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct VerifyReport {
    /// Entries checked.
    pub entries: u64,
    /// The sequence the chain starts after (entries up to it were dropped by retention).
    pub anchor: u64,
    /// The newest entry's sequence and hash (compare with one kept elsewhere).
    pub last: u64,
    pub head: String,
    /// The first problem, naming the entry; `None` when the chain holds.
    pub problem: Option<String>,
}

/// Verifies the disclosure log of `data_dir`.
pub fn verify(data_dir: &Path) -> Result<VerifyReport> {
    let dir = data_dir.join(DIR);
    let anchor = read_anchor(&dir)?;
    let mut report = VerifyReport {
        entries: 0,
        anchor: anchor.seq,
        last: anchor.seq,
        head: anchor.hash.clone(),
        problem: None,
    };
    let mut prev = parse_hash(&anchor.hash).unwrap_or([0; 32]);
    for path in log_files(&dir)? {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (number, line) in BufReader::new(File::open(&path)?).lines().enumerate() {
            let line = line?;
            let expected = report.last + 1;
            let fail = |problem: String| Some(format!("{problem} ({name}, line {})", number + 1));
            let Ok(entry) = serde_json::from_str::<Entry>(&line) else {
                report.problem = fail(format!("entry {expected} is not a valid entry"));
                return Ok(report);
            };
            if entry.seq != expected {
                report.problem = fail(if entry.seq > expected {
                    format!(
                        "entry {expected} was removed (the chain goes on at entry {})",
                        entry.seq
                    )
                } else {
                    format!(
                        "entry {} is out of order after entry {}",
                        entry.seq, report.last
                    )
                });
                return Ok(report);
            }
            if entry.prev != hex::encode(prev) {
                report.problem = fail(format!(
                    "entry {expected} does not follow the entry before it (that one was altered or replaced)"
                ));
                return Ok(report);
            }
            let hash = entry.compute_hash(&prev)?;
            if entry.hash != hex::encode(hash) {
                report.problem = fail(format!("entry {expected} was altered"));
                return Ok(report);
            }
            prev = hash;
            report.entries += 1;
            report.last = entry.seq;
            report.head = entry.hash;
        }
    }
    Ok(report)
}
