//! The typed write API: callers say which records change, from what to what, and the
//! write set derives every secondary entry from the difference — email hashes, company
//! memberships, the time-ordered `by_last_seen` entries, the counters and the outbox
//! entry — so no operation can forget one.

use super::keys::{email_key, last_seen_key, member_key, recipient_key};
use super::record::{CompanyRecord, NoticeRecord, PrivacyRequestRecord, ProfileRecord};
use super::{encode, TreeName, TREE_COUNT};
use crate::error::Result;
use crate::model::{CompanyId, ProfileId};
use sled::Batch;

/// Counters kept in `meta`, changed in the same transaction as the data they count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub profiles: i64,
    pub companies: i64,
    /// Profiles whose processing is restricted (stored, shown to no client).
    pub restricted: i64,
}

/// The changes of one write, applied atomically by [`super::Store::commit`].
#[derive(Default)]
pub struct WriteSet {
    pub(super) batches: [Batch; TREE_COUNT],
    pub(super) touched: [bool; TREE_COUNT],
    /// Profiles whose index document must be refreshed.
    pub(super) reindex: Vec<u64>,
    pub(super) count_delta: Counts,
    /// Suppressions to record: `(hash, kind, time)`, numbered in the feed by the commit.
    pub(super) suppressions: Vec<([u8; 16], u8, i64)>,
    /// When the engine made this write, if it deletes a profile: the store remembers the
    /// first such time since the last purge.
    pub(super) deleted_at: Option<i64>,
    deletes_profiles: bool,
    /// Key prefixes whose entries go too: the commit lists them under the write lock.
    pub(super) remove_prefixes: Vec<(TreeName, Vec<u8>)>,
    /// Notices to append, numbered by the commit: `(key name, notice)`.
    pub(super) notices: Vec<(String, NoticeRecord)>,
    /// The daemon's own bookkeeping (recipients of disclosures), not a client's write:
    /// it may use half of the disk reserve (`space.rs`).
    pub(super) internal: bool,
}

impl WriteSet {
    /// Marks this write as the daemon's own small bookkeeping, which goes on a little
    /// past the point where clients' writes are refused for want of disk space.
    pub fn internal(&mut self) {
        self.internal = true;
    }

    pub(super) fn insert(
        &mut self,
        tree: TreeName,
        key: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) {
        self.batches[tree as usize].insert(key.as_ref(), value.as_ref());
        self.touched[tree as usize] = true;
    }

    pub(super) fn remove(&mut self, tree: TreeName, key: impl AsRef<[u8]>) {
        self.batches[tree as usize].remove(key.as_ref());
        self.touched[tree as usize] = true;
    }

    /// Stores `new` as profile `id` in place of `old` (what the store holds now; `None`
    /// for a new profile), with every secondary entry the change implies, and queues its
    /// index document. Nothing is written when nothing changed.
    pub fn put_profile(
        &mut self,
        id: ProfileId,
        old: Option<&ProfileRecord>,
        new: &ProfileRecord,
    ) -> Result<()> {
        if old == Some(new) {
            return Ok(());
        }
        self.insert(TreeName::Profiles, id.to_bytes(), encode(new)?);
        let old_keys = old.map_or(&[][..], |o| o.email_keys.as_slice());
        for key in old_keys {
            if !new.email_keys.iter().any(|k| k.hash == key.hash) {
                self.remove(TreeName::EmailHashes, email_key(&key.hash, id));
            }
        }
        for key in &new.email_keys {
            if !old_keys.contains(key) {
                self.insert(
                    TreeName::EmailHashes,
                    email_key(&key.hash, id),
                    [key.pattern, u8::from(key.observed)],
                );
            }
        }
        let old_company = old.and_then(|o| o.company);
        if old_company != new.company {
            if let Some(company) = old_company {
                self.remove(TreeName::CompanyMembers, member_key(company, id));
            }
            if let Some(company) = new.company {
                self.insert(TreeName::CompanyMembers, member_key(company, id), []);
            }
        }
        let old_seen = old.map(ProfileRecord::last_seen);
        if old_seen != Some(new.last_seen()) {
            if let Some(time) = old_seen {
                self.remove(TreeName::ByLastSeen, last_seen_key(time, id));
            }
            self.insert(TreeName::ByLastSeen, last_seen_key(new.last_seen(), id), []);
        }
        if old.is_none() {
            self.count_delta.profiles += 1;
        }
        let was_restricted = old.is_some_and(|o| o.restricted_at.is_some());
        self.count_delta.restricted +=
            i64::from(new.restricted_at.is_some()) - i64::from(was_restricted);
        self.reindex.push(id.0);
        Ok(())
    }

    /// Deletes profile `id`, which the store holds as `old`, and every entry derived from
    /// it; its index document goes too.
    pub fn delete_profile(&mut self, id: ProfileId, old: &ProfileRecord) {
        self.remove(TreeName::Profiles, id.to_bytes());
        for key in &old.email_keys {
            self.remove(TreeName::EmailHashes, email_key(&key.hash, id));
        }
        if let Some(company) = old.company {
            self.remove(TreeName::CompanyMembers, member_key(company, id));
        }
        self.remove(TreeName::ByLastSeen, last_seen_key(old.last_seen(), id));
        self.remove_prefixes
            .push((TreeName::Recipients, id.to_bytes().to_vec()));
        self.count_delta.profiles -= 1;
        self.count_delta.restricted -= i64::from(old.restricted_at.is_some());
        self.reindex.push(id.0);
        self.deletes_profiles = true;
    }

    /// Records that the store holds deleted data since `at` that a purge must remove (a
    /// purge whose index half failed keeps itself due this way).
    pub fn mark_unpurged(&mut self, at: i64) {
        self.deleted_at = Some(at);
    }

    /// Notes the time of this write: when it deletes a profile, the store then knows
    /// since when it holds deleted data that a purge must remove (the engine's write path
    /// calls it).
    pub fn note_time(&mut self, now: i64) {
        if self.deletes_profiles && self.deleted_at.is_none() {
            self.deleted_at = Some(now);
        }
    }

    /// Records that the client named `key_name` received profile `id` (which the caller
    /// read under the write lock: an entry for a deleted profile would outlive it).
    pub fn add_recipient(&mut self, id: ProfileId, key_name: &str, at: i64) {
        self.insert(
            TreeName::Recipients,
            recipient_key(id, key_name),
            at.to_be_bytes(),
        );
    }

    /// Queues a notice for the client named `key_name`.
    pub fn notify(&mut self, key_name: &str, notice: NoticeRecord) {
        self.notices.push((key_name.to_owned(), notice));
    }

    /// Drops a notice (older than the disclosure log's retention).
    pub fn delete_notice(&mut self, key: &super::NoticeKey) {
        self.remove(TreeName::Notices, &key.0);
    }

    /// Stores `new` as company `id` in place of `old` (`None` for a new company).
    pub fn put_company(
        &mut self,
        id: CompanyId,
        old: Option<&CompanyRecord>,
        new: &CompanyRecord,
    ) -> Result<()> {
        if old == Some(new) {
            return Ok(());
        }
        self.insert(TreeName::Companies, id.to_bytes(), encode(new)?);
        if old.is_none() {
            self.count_delta.companies += 1;
        }
        Ok(())
    }

    /// Deletes company `id`, which the store holds (the caller read it).
    pub fn delete_company(&mut self, id: CompanyId) {
        self.remove(TreeName::Companies, id.to_bytes());
        self.count_delta.companies -= 1;
    }

    /// Records that whoever `hash` (a keyed identifier hash) identifies must not be
    /// collected again, and appends it to the suppression feed. Suppressions are never
    /// removed; one already held is kept unless `kind` ranks above it (a lower number:
    /// an erasure replaces a listing), so suppressing again changes nothing.
    pub fn suppress(&mut self, hash: [u8; 16], kind: u8, at: i64) {
        self.suppressions.push((hash, kind, at));
    }

    /// Stores a data-subject request (new or updated).
    pub fn put_privacy_request(&mut self, id: u64, request: &PrivacyRequestRecord) -> Result<()> {
        self.insert(
            TreeName::PrivacyRequests,
            id.to_be_bytes(),
            encode(request)?,
        );
        Ok(())
    }

    /// Queues profile `id`'s index document for a refresh although its record did not
    /// change: the document also holds its company's name, aliases and facets.
    pub fn reindex(&mut self, id: ProfileId) {
        self.reindex.push(id.0);
    }

    /// Repairs a time entry `(time, id)` that does not describe its profile (what a bug
    /// in an earlier version could leave): drops it and makes sure the profile's current
    /// entry exists.
    pub fn replace_stale_time_entry(
        &mut self,
        time: i64,
        id: ProfileId,
        current: Option<&ProfileRecord>,
    ) {
        self.remove(TreeName::ByLastSeen, last_seen_key(time, id));
        if let Some(record) = current {
            self.insert(
                TreeName::ByLastSeen,
                last_seen_key(record.last_seen(), id),
                [],
            );
        }
    }
}
