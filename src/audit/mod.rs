//! The disclosure log: who received which profile, when, by which operation, and which
//! fields — never the query, never a personal datum. Append-only and hash-chained: each
//! entry carries the BLAKE3 hash of the one before, so `profiled audit verify` names the
//! first entry that was altered or removed.
//!
//! Profiles are named by a *reference*, a hash of the profile id with a random salt kept
//! in the profile's record: while the profile exists the privacy desk can find its
//! entries; once erasure deletes the record (and the salt), nothing links an entry to
//! the person, not even recomputing a hash of their id.
//!
//! Entries reach a dedicated writer thread through a channel and are written and synced
//! in groups (group commit), so a lookup pays for a channel send, not for a disk sync. A
//! group gathers for [`GROUP_WINDOW`] after the last write; a crash loses the entries of
//! the group not yet synced: at most the disclosures of the last 10–20 milliseconds.
//!
//! A write that fails (a full disk) loses nothing: the half-written tail is cut off, the
//! entries stay queued and are written again, every half second, once there is room;
//! recipients the store could not note are kept and noted again the same way. The queue
//! is bounded ([`MAX_BACKLOG`] profiles): past it a response that would disclose more is
//! refused ([`Error::DiskFull`]) rather than sent unrecorded. [`DisclosureLog::backlog`]
//! tells how far behind the log is (health and metrics).
//!
//! Files: `audit/<first sequence>.log`, one JSON entry per line, a new file each UTC day
//! (or every 64 MiB) so that retention drops whole files; `audit/anchor.json` holds the
//! sequence and hash of the last entry retention dropped, where verification starts.

mod verify;

pub use verify::{verify, VerifyReport};

use crate::error::{Error, Result};
use crate::model::ProfileId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The reference of a profile erased before its disclosure reached the log.
const ERASED_REFERENCE: &str = "erased";

/// The log's directory under the data directory.
pub const DIR: &str = "audit";
const ANCHOR_FILE: &str = "anchor.json";
/// A log file is closed and a new one begun past this size.
const MAX_FILE_BYTES: u64 = 64 << 20;
/// Entries written and synced together at most.
const MAX_GROUP: usize = 4096;
/// A group gathers for this long after the last write, so that the log syncs at most
/// about a hundred times a second. Nobody waits for it but `sync` (a response only queues
/// its disclosure); waking and syncing after every few requests took a fifth of a core
/// under lookup load.
const GROUP_WINDOW: Duration = Duration::from_millis(10);
/// Disclosed profiles queued and not yet on disk (with their recipients noted) at most:
/// past it, responses that disclose are refused. About 100 bytes each.
pub const MAX_BACKLOG: u64 = 1 << 20;
/// How long a failed write waits before it is tried again.
const RETRY_AFTER: Duration = Duration::from_millis(500);
/// How long [`DisclosureLog::sync`] waits for a log that cannot write.
const SYNC_TIMEOUT: Duration = Duration::from_secs(10);

/// What one response disclosed to one client.
#[derive(Clone, Debug)]
pub struct Disclosure {
    pub at: i64,
    /// The client key's name.
    pub recipient: Arc<str>,
    /// `lookup`, `enrich`, `search`, `get`, `access`.
    pub operation: &'static str,
    pub items: Vec<Disclosed>,
}

/// One profile in a disclosure.
#[derive(Clone, Debug)]
pub struct Disclosed {
    /// Never written to the log: the writer turns it into the profile's reference, and
    /// notes the recipient of the profile.
    pub profile: ProfileId,
    pub fields: Vec<&'static str>,
}

/// One disclosure of a profile, as the log holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    pub at: i64,
    pub recipient: String,
    pub operation: String,
    pub fields: Vec<String>,
}

/// The reference the log names a profile by (see the module documentation).
pub fn reference(salt: &[u8; 16], id: ProfileId) -> [u8; 16] {
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"profiled disclosure reference\0");
    hasher.update(salt);
    hasher.update(&id.to_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&hasher.finalize().as_bytes()[..16]);
    out
}

/// An entry as the log file holds it (`hash` covers every other field).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
struct Entry {
    seq: u64,
    at: i64,
    recipient: String,
    operation: String,
    disclosed: Vec<EntryItem>,
    /// The previous entry's hash (hex).
    prev: String,
    hash: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
struct EntryItem {
    #[serde(rename = "ref")]
    reference: String,
    fields: Vec<String>,
}

/// The hashed part of an entry: an [`Entry`]'s fields before `prev`, in its order, so
/// that the line the writer appends is this JSON with `prev` and `hash` spliced in
/// before its closing brace. Items are [`EntryItem`]s when verifying, [`ItemOut`]s
/// (borrowed, serialised alike) when writing.
#[derive(Serialize)]
struct Hashed<'a, Item> {
    seq: u64,
    at: i64,
    recipient: &'a str,
    operation: &'a str,
    disclosed: &'a [Item],
}

/// An [`EntryItem`] as the writer serialises it, without copying its fields.
#[derive(Serialize)]
struct ItemOut<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    fields: &'a [&'static str],
}

impl<Item: Serialize> Hashed<'_, Item> {
    fn to_json(&self) -> Result<Vec<u8>> {
        serde_json::to_vec(self).map_err(|err| Error::Internal(format!("audit entry: {err}")))
    }
}

/// The chain's next hash: of the previous one and an entry's hashed JSON.
fn chain_hash(prev: &[u8; 32], hashed_json: &[u8]) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new();
    hasher.update(prev);
    hasher.update(hashed_json);
    *hasher.finalize().as_bytes()
}

impl Entry {
    fn compute_hash(&self, prev: &[u8; 32]) -> Result<[u8; 32]> {
        let body = Hashed {
            seq: self.seq,
            at: self.at,
            recipient: &self.recipient,
            operation: &self.operation,
            disclosed: &self.disclosed,
        }
        .to_json()?;
        Ok(chain_hash(prev, &body))
    }
}

/// Where verification starts: the last entry retention dropped (zero before any).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
struct Anchor {
    seq: u64,
    hash: String,
}

/// What the writer asks of the store, off the request path.
pub trait Profiles: Send + 'static {
    /// The profile's reference salt; `None` once it is gone (erased since it was
    /// disclosed: the entry then names no one).
    fn reference_salt(&self, id: ProfileId) -> Result<Option<[u8; 16]>>;
    /// Records each synced group's `(profile, recipient, time)`, so the privacy desk can
    /// tell the recipients of a profile when it changes (Art. 19 GDPR).
    fn received(&self, received: &[(ProfileId, Arc<str>, i64)]) -> Result<()>;
    /// Whether the disk has room for the log's next write (checked before each).
    fn room(&self) -> Result<()> {
        Ok(())
    }
}

enum Message {
    Record(Disclosure),
    /// Answered once everything sent before is on disk.
    Sync(Sender<()>),
}

/// The handle the engine records disclosures through.
pub struct DisclosureLog {
    dir: PathBuf,
    /// Profiles recorded and not yet on disk with their recipients noted.
    backlog: Arc<AtomicU64>,
    /// Whether the last write failed (the entries wait for the next try).
    failing: Arc<AtomicBool>,
    sender: Mutex<Option<Sender<Message>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl DisclosureLog {
    /// Opens the log under `data_dir` (recovering a torn last line) and starts its writer.
    pub fn open(data_dir: &Path, profiles: impl Profiles) -> Result<Self> {
        let dir = data_dir.join(DIR);
        crate::fsutil::create_private_dir(&dir)?;
        let tail = Tail::recover(&dir)?;
        let (sender, receiver) = mpsc::channel();
        let writer_dir = dir.clone();
        let backlog = Arc::new(AtomicU64::new(0));
        let failing = Arc::new(AtomicBool::new(false));
        let writer_state = WriterState {
            backlog: backlog.clone(),
            failing: failing.clone(),
        };
        let writer = std::thread::Builder::new()
            .name("disclosure-log".into())
            .spawn(move || write_loop(&writer_dir, tail, receiver, &profiles, &writer_state))?;
        Ok(Self {
            dir,
            backlog,
            failing,
            sender: Mutex::new(Some(sender)),
            writer: Mutex::new(Some(writer)),
        })
    }

    /// Queues a disclosure; it is on disk within one group commit. Refused (and nothing
    /// may be disclosed) while the log is [`MAX_BACKLOG`] behind.
    pub fn record(&self, disclosure: Disclosure) -> Result<()> {
        if disclosure.items.is_empty() {
            return Ok(());
        }
        let items = disclosure.items.len() as u64;
        if self.backlog.fetch_add(items, Ordering::SeqCst) + items > MAX_BACKLOG {
            self.backlog.fetch_sub(items, Ordering::SeqCst);
            return Err(Error::DiskFull);
        }
        let sender = self.sender.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(sender) = sender.as_ref() {
            if sender.send(Message::Record(disclosure)).is_err() {
                self.backlog.fetch_sub(items, Ordering::SeqCst);
                tracing::error!("the disclosure log's writer has stopped");
                return Err(Error::Unavailable);
            }
        }
        Ok(())
    }

    /// Disclosed profiles queued and not yet on disk (a group's worth while the log keeps
    /// up: a group gathers for [`GROUP_WINDOW`]).
    pub fn backlog(&self) -> u64 {
        self.backlog.load(Ordering::SeqCst)
    }

    /// Whether the log's last write failed, so that it is behind and retrying.
    pub fn failing(&self) -> bool {
        self.failing.load(Ordering::SeqCst)
    }

    /// Waits until everything recorded so far is on disk (and its recipients noted).
    pub fn sync(&self) -> Result<()> {
        let (done, wait) = mpsc::channel();
        {
            let sender = self.sender.lock().unwrap_or_else(PoisonError::into_inner);
            let sender = sender.as_ref().ok_or(Error::Unavailable)?;
            sender
                .send(Message::Sync(done))
                .map_err(|_| Error::Internal("the disclosure log's writer has stopped".into()))?;
        }
        wait.recv_timeout(SYNC_TIMEOUT).map_err(|err| match err {
            // Writes fail (a full disk): the entries wait in the queue.
            RecvTimeoutError::Timeout => Error::DiskFull,
            RecvTimeoutError::Disconnected => {
                Error::Internal("the disclosure log's writer has stopped".into())
            }
        })
    }

    /// Every disclosure of the profile `reference` names, oldest first. Reads the files
    /// (a rights request is rare; lookups never read the log).
    pub fn find(&self, reference: &[u8; 16]) -> Result<Vec<Found>> {
        self.sync()?;
        let needle = hex::encode(reference);
        let mut out = Vec::new();
        for path in log_files(&self.dir)? {
            for line in BufReader::new(File::open(&path)?).lines() {
                let line = line?;
                if !line.contains(&needle) {
                    continue;
                }
                let Ok(entry) = serde_json::from_str::<Entry>(&line) else {
                    continue;
                };
                for item in entry.disclosed.iter().filter(|i| i.reference == needle) {
                    out.push(Found {
                        at: entry.at,
                        recipient: entry.recipient.clone(),
                        operation: entry.operation.clone(),
                        fields: item.fields.clone(),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Drops the log files whose every entry is older than `cutoff` (the log's own
    /// retention), oldest first, moving the anchor to the last entry dropped.
    /// Returns how many files went.
    pub fn expire(&self, cutoff: i64) -> Result<usize> {
        self.sync()?;
        let files = log_files(&self.dir)?;
        let mut dropped = 0;
        // The newest file stays: the writer appends to it.
        for file in files.iter().take(files.len().saturating_sub(1)) {
            let Some(last) = last_entry(file)? else {
                break;
            };
            if last.at >= cutoff {
                break;
            }
            write_anchor(
                &self.dir,
                &Anchor {
                    seq: last.seq,
                    hash: last.hash,
                },
            )?;
            std::fs::remove_file(file)?;
            dropped += 1;
        }
        if dropped > 0 {
            tracing::info!(
                files = dropped,
                "disclosure log files past retention dropped"
            );
        }
        Ok(dropped)
    }

    /// Stops the writer after it has written everything queued.
    pub fn shutdown(&self) {
        drop(
            self.sender
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        if let Some(writer) = self
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            if writer.join().is_err() {
                tracing::error!("the disclosure log's writer panicked");
            }
        }
    }
}

impl Drop for DisclosureLog {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The end of the chain the writer continues from.
struct Tail {
    seq: u64,
    hash: [u8; 32],
    /// The file being appended to, its size, and the UTC day of its first entry.
    file: Option<(File, u64, i64)>,
}

impl Tail {
    /// Finds the last whole entry. A line a crash left half-written is cut off: it was
    /// never synced, so no one relied on it.
    fn recover(dir: &Path) -> Result<Self> {
        let anchor = read_anchor(dir)?;
        let mut tail = Self {
            seq: anchor.seq,
            hash: parse_hash(&anchor.hash).unwrap_or([0; 32]),
            file: None,
        };
        let Some(last) = log_files(dir)?.pop() else {
            return Ok(tail);
        };
        let bytes = std::fs::read(&last)?;
        let mut good = 0usize;
        let mut first_day = None;
        for line in bytes.split_inclusive(|b| *b == b'\n') {
            let Some(text) = line.strip_suffix(b"\n") else {
                break;
            };
            let Ok(entry) = serde_json::from_slice::<Entry>(text) else {
                break;
            };
            first_day.get_or_insert(entry.at.div_euclid(86_400));
            tail.seq = entry.seq;
            tail.hash = parse_hash(&entry.hash)
                .ok_or_else(|| Error::Corrupt("a disclosure log entry's hash".into()))?;
            good += line.len();
        }
        let file = OpenOptions::new().append(true).open(&last)?;
        if good < bytes.len() {
            tracing::warn!(
                bytes = bytes.len() - good,
                "cut a half-written entry off the disclosure log"
            );
            file.set_len(good as u64)?;
        }
        if let Some(day) = first_day {
            tail.file = Some((file, good as u64, day));
        }
        Ok(tail)
    }
}

/// What the writer shares with the handle: how far behind it is, and whether it fails.
struct WriterState {
    backlog: Arc<AtomicU64>,
    failing: Arc<AtomicBool>,
}

fn write_loop(
    dir: &Path,
    mut tail: Tail,
    receiver: Receiver<Message>,
    profiles: &dyn Profiles,
    state: &WriterState,
) {
    let backlog = &state.backlog;
    // Disclosures not yet on disk, recipients not yet noted, and callers of `sync`.
    let mut unwritten: Vec<Disclosure> = Vec::new();
    let mut unnoted: Vec<(ProfileId, Arc<str>, i64)> = Vec::new();
    let mut waiting: Vec<Sender<()>> = Vec::new();
    let mut failing = false;
    let mut open = true;
    let mut last_write = Instant::now();
    loop {
        let behind = !unwritten.is_empty() || !unnoted.is_empty();
        if open {
            let first = match receiver.recv_timeout(if behind {
                RETRY_AFTER
            } else {
                Duration::from_secs(3600)
            }) {
                Ok(message) => Some(message),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => {
                    open = false;
                    None
                }
            };
            if matches!(first, Some(Message::Record(_))) {
                // Sleep rather than wait on the channel: a send to a writer that is not
                // waiting wakes nothing, so a lookup costs no context switch.
                std::thread::sleep(GROUP_WINDOW.saturating_sub(last_write.elapsed()));
            }
            for message in first.into_iter().chain(receiver.try_iter().take(MAX_GROUP)) {
                match message {
                    Message::Record(disclosure) => unwritten.push(disclosure),
                    Message::Sync(done) => waiting.push(done),
                }
            }
        }
        let outcome = write_pending(dir, &mut tail, profiles, &mut unwritten, &mut unnoted);
        last_write = Instant::now();
        match outcome {
            Ok(done) => {
                backlog.fetch_sub(done, Ordering::SeqCst);
                if failing {
                    failing = false;
                    state.failing.store(false, Ordering::SeqCst);
                    tracing::info!("the disclosure log writes again; it has caught up");
                }
                for done in waiting.drain(..) {
                    let _ = done.send(());
                }
            }
            Err(err) => {
                if !failing {
                    failing = true;
                    state.failing.store(true, Ordering::SeqCst);
                    tracing::error!(error = %err, "disclosure log write failed; its entries are kept and written again once it can");
                }
                if !open {
                    // Stopping: one more try, then what is left cannot be kept.
                    std::thread::sleep(RETRY_AFTER);
                    if let Ok(done) =
                        write_pending(dir, &mut tail, profiles, &mut unwritten, &mut unnoted)
                    {
                        backlog.fetch_sub(done, Ordering::SeqCst);
                        return;
                    }
                    tracing::error!(
                        disclosures = unwritten.len(),
                        recipients = unnoted.len(),
                        "stopping with disclosures the log could not write"
                    );
                    return;
                }
            }
        }
        if !open && unwritten.is_empty() && unnoted.is_empty() {
            return;
        }
    }
}

/// Writes the unwritten disclosures, then notes the recipients not yet noted. Returns how
/// many disclosed profiles are now done (on disk and noted).
fn write_pending(
    dir: &Path,
    tail: &mut Tail,
    profiles: &dyn Profiles,
    unwritten: &mut Vec<Disclosure>,
    unnoted: &mut Vec<(ProfileId, Arc<str>, i64)>,
) -> Result<u64> {
    if !unwritten.is_empty() {
        profiles
            .room()
            .and_then(|()| append(dir, tail, unwritten, profiles))?;
        for disclosure in unwritten.drain(..) {
            for item in &disclosure.items {
                unnoted.push((item.profile, disclosure.recipient.clone(), disclosure.at));
            }
        }
    }
    if unnoted.is_empty() {
        return Ok(0);
    }
    profiles.received(unnoted)?;
    let done = unnoted.len() as u64;
    unnoted.clear();
    Ok(done)
}

/// Writes `disclosures` as chained entries and syncs them.
fn append(
    dir: &Path,
    tail: &mut Tail,
    disclosures: &[Disclosure],
    profiles: &dyn Profiles,
) -> Result<()> {
    if disclosures.is_empty() {
        return Ok(());
    }
    let mut seq = tail.seq;
    let mut hash = tail.hash;
    let mut lines = Vec::with_capacity(disclosures.len() * 256);
    let mut first_at = None;
    // Popular profiles recur within a group: each salt is read (a whole record decoded)
    // once per group.
    let mut salts: HashMap<ProfileId, Option<[u8; 16]>> = HashMap::new();
    for disclosure in disclosures {
        seq += 1;
        first_at.get_or_insert(disclosure.at);
        let references = disclosure
            .items
            .iter()
            .map(|item| {
                let salt = match salts.get(&item.profile) {
                    Some(salt) => *salt,
                    None => {
                        let salt = profiles.reference_salt(item.profile)?;
                        salts.insert(item.profile, salt);
                        salt
                    }
                };
                Ok(match salt {
                    Some(salt) => hex::encode(reference(&salt, item.profile)),
                    None => ERASED_REFERENCE.to_owned(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let items: Vec<ItemOut> = disclosure
            .items
            .iter()
            .zip(&references)
            .map(|(item, reference)| ItemOut {
                reference,
                fields: &item.fields,
            })
            .collect();
        let mut json = Hashed {
            seq,
            at: disclosure.at,
            recipient: &disclosure.recipient,
            operation: disclosure.operation,
            disclosed: &items,
        }
        .to_json()?;
        let next = chain_hash(&hash, &json);
        // `{…}` becomes `{…,"prev":"…","hash":"…"}`: an `Entry` as serde writes it.
        json.pop();
        lines.extend_from_slice(&json);
        writeln!(
            lines,
            ",\"prev\":\"{}\",\"hash\":\"{}\"}}",
            hex::encode(hash),
            hex::encode(next)
        )?;
        hash = next;
    }
    let day = first_at.unwrap_or(0).div_euclid(86_400);
    let rotate = match &tail.file {
        None => true,
        Some((_, size, file_day)) => *file_day != day || *size >= MAX_FILE_BYTES,
    };
    if rotate {
        let path = dir.join(format!("{:020}.log", tail.seq + 1));
        let file = crate::fsutil::create_private_file(&path)?;
        // The new file's name must survive a crash along with its entries.
        File::open(dir)?.sync_all()?;
        tail.file = Some((file, 0, day));
    }
    let (file, size, _) = tail.file.as_mut().expect("a log file is open");
    if let Err(err) = file.write_all(&lines).and_then(|()| file.sync_data()) {
        // Cut off what part of the group reached the file: it is written again whole.
        let _ = file.set_len(*size);
        return Err(err.into());
    }
    *size += lines.len() as u64;
    tail.seq = seq;
    tail.hash = hash;
    Ok(())
}

/// The log files, oldest first (their names are zero-padded first sequences).
fn log_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries {
                let path = entry?.path();
                if path.extension().is_some_and(|e| e == "log") {
                    files.push(path);
                }
            }
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(err.into()),
    }
    files.sort();
    Ok(files)
}

/// A file's last entry, read from its end (an entry can be long: an enrichment chunk's).
fn last_entry(path: &Path) -> Result<Option<Entry>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut window = 64 << 10;
    loop {
        let start = len.saturating_sub(window);
        file.seek(SeekFrom::Start(start))?;
        let mut tail = Vec::new();
        file.read_to_end(&mut tail)?;
        let text = tail.strip_suffix(b"\n").unwrap_or(&tail);
        match text.iter().rposition(|b| *b == b'\n') {
            Some(newline) => return Ok(serde_json::from_slice(&text[newline + 1..]).ok()),
            None if start == 0 => return Ok(serde_json::from_slice(text).ok()),
            None => window *= 8,
        }
    }
}

fn read_anchor(dir: &Path) -> Result<Anchor> {
    match std::fs::read(dir.join(ANCHOR_FILE)) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|_| Error::Corrupt("the disclosure log's anchor".into())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Anchor {
            seq: 0,
            hash: hex::encode([0; 32]),
        }),
        Err(err) => Err(err.into()),
    }
}

/// Replaces the anchor atomically (write, sync, rename).
fn write_anchor(dir: &Path, anchor: &Anchor) -> Result<()> {
    let temp = dir.join("anchor.json.tmp");
    let mut file = crate::fsutil::create_private_file(&temp)?;
    file.write_all(
        &serde_json::to_vec(anchor).map_err(|err| Error::Internal(format!("anchor: {err}")))?,
    )?;
    file.sync_all()?;
    std::fs::rename(&temp, dir.join(ANCHOR_FILE))?;
    File::open(dir)?.sync_all()?;
    Ok(())
}

fn parse_hash(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Salts for every id; records nothing.
    struct Fixed;

    impl Profiles for Fixed {
        fn reference_salt(&self, id: ProfileId) -> Result<Option<[u8; 16]>> {
            Ok((id.0 != 0).then_some([7; 16]))
        }

        fn received(&self, _: &[(ProfileId, Arc<str>, i64)]) -> Result<()> {
            Ok(())
        }
    }

    fn disclosure(at: i64, id: u64) -> Disclosure {
        Disclosure {
            at,
            recipient: Arc::from("crm"),
            operation: "lookup",
            items: vec![Disclosed {
                profile: ProfileId(id),
                fields: vec!["name"],
            }],
        }
    }

    #[test]
    fn a_half_written_last_entry_is_cut_off_and_the_chain_continues() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = DisclosureLog::open(dir.path(), Fixed).expect("open");
        log.record(disclosure(100, 1)).expect("queued");
        log.record(disclosure(101, 2)).expect("queued");
        log.shutdown();
        let file = log_files(&dir.path().join(DIR)).expect("files").remove(0);
        let mut bytes = std::fs::read(&file).expect("read");
        bytes.extend_from_slice(b"{\"seq\":3,\"at\":1");
        std::fs::write(&file, bytes).expect("tear");
        let log = DisclosureLog::open(dir.path(), Fixed).expect("reopen");
        log.record(disclosure(102, 3)).expect("queued");
        log.shutdown();
        let report = verify(dir.path()).expect("verify");
        assert_eq!(report.problem, None, "{report:?}");
        assert_eq!(report.entries, 3);
        // An entry for a profile erased before it was written names no one.
        let log = DisclosureLog::open(dir.path(), Fixed).expect("reopen");
        log.record(disclosure(103, 0)).expect("queued");
        assert!(log
            .find(&reference(&[7; 16], ProfileId(0)))
            .expect("find")
            .is_empty());
        assert_eq!(
            log.find(&reference(&[7; 16], ProfileId(2)))
                .expect("find")
                .len(),
            1
        );
    }

    /// The writer splices `prev` and `hash` into the hashed JSON rather than serialising
    /// an `Entry`: its lines must be what serde writes for the entry they parse as, with
    /// names and fields that need escaping too.
    #[test]
    fn written_lines_are_entries_as_serde_writes_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = DisclosureLog::open(dir.path(), Fixed).expect("open");
        log.record(Disclosure {
            at: 7,
            recipient: Arc::from("crm \"eu\"\\ß"),
            operation: "search",
            items: vec![
                Disclosed {
                    profile: ProfileId(5),
                    fields: vec!["name", "job_title", "company"],
                },
                Disclosed {
                    profile: ProfileId(0),
                    fields: Vec::new(),
                },
            ],
        })
        .expect("queued");
        log.record(disclosure(8, 6)).expect("queued");
        log.shutdown();
        let file = log_files(&dir.path().join(DIR)).expect("files").remove(0);
        let text = std::fs::read_to_string(file).expect("read");
        let mut prev = [0u8; 32];
        for line in text.lines() {
            let entry: Entry = serde_json::from_str(line).expect("an entry");
            assert_eq!(serde_json::to_string(&entry).expect("json"), line);
            assert_eq!(entry.prev, hex::encode(prev));
            prev = entry.compute_hash(&prev).expect("hash");
            assert_eq!(entry.hash, hex::encode(prev));
        }
        assert_eq!(text.lines().count(), 2);
        assert_eq!(verify(dir.path()).expect("verify").problem, None);
    }

    /// A disk that is full for a while, then a store that cannot note recipients for a
    /// while: every entry is written once, none lost, none twice.
    struct Flaky {
        full: Arc<std::sync::atomic::AtomicBool>,
        refuse_notes: Arc<AtomicU64>,
        noted: Arc<AtomicU64>,
    }

    impl Profiles for Flaky {
        fn reference_salt(&self, _: ProfileId) -> Result<Option<[u8; 16]>> {
            Ok(Some([7; 16]))
        }

        fn received(&self, received: &[(ProfileId, Arc<str>, i64)]) -> Result<()> {
            if self.refuse_notes.load(Ordering::SeqCst) > 0 {
                self.refuse_notes.fetch_sub(1, Ordering::SeqCst);
                return Err(Error::DiskFull);
            }
            self.noted
                .fetch_add(received.len() as u64, Ordering::SeqCst);
            Ok(())
        }

        fn room(&self) -> Result<()> {
            if self.full.load(Ordering::SeqCst) {
                Err(Error::DiskFull)
            } else {
                Ok(())
            }
        }
    }

    #[test]
    fn a_log_that_cannot_write_keeps_its_entries_and_writes_them_once_it_can() {
        let dir = tempfile::tempdir().expect("tempdir");
        let full = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let refuse_notes = Arc::new(AtomicU64::new(2));
        let noted = Arc::new(AtomicU64::new(0));
        let log = DisclosureLog::open(
            dir.path(),
            Flaky {
                full: full.clone(),
                refuse_notes: refuse_notes.clone(),
                noted: noted.clone(),
            },
        )
        .expect("open");
        for at in 0..3 {
            log.record(disclosure(100 + at, 1)).expect("queued");
        }
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(log.backlog(), 3, "behind while the disk is full");
        full.store(false, Ordering::SeqCst);
        let started = std::time::Instant::now();
        while log.backlog() > 0 {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "never caught up"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(refuse_notes.load(Ordering::SeqCst), 0);
        assert_eq!(noted.load(Ordering::SeqCst), 3, "each recipient noted once");
        log.record(disclosure(200, 1)).expect("queued");
        log.shutdown();
        let report = verify(dir.path()).expect("verify");
        assert_eq!(report.problem, None, "{report:?}");
        assert_eq!(report.entries, 4, "each entry written once");
    }

    #[test]
    fn retention_drops_whole_days_and_verification_starts_at_the_anchor() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = DisclosureLog::open(dir.path(), Fixed).expect("open");
        for day in 0..3 {
            log.record(disclosure(day * 86_400 + 5, 1)).expect("queued");
            log.sync().expect("sync");
            log.record(disclosure(day * 86_400 + 6, 1)).expect("queued");
            log.sync().expect("sync");
        }
        assert_eq!(log_files(&dir.path().join(DIR)).expect("files").len(), 3);
        // Everything before day 2 is past retention; the newest file always stays.
        assert_eq!(log.expire(2 * 86_400).expect("expire"), 2);
        assert_eq!(log.expire(10 * 86_400).expect("expire"), 0);
        log.shutdown();
        let report = verify(dir.path()).expect("verify");
        assert_eq!(report.problem, None, "{report:?}");
        assert_eq!((report.anchor, report.entries, report.last), (4, 2, 6));
    }
}
