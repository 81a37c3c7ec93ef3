//! Regulator deletion lists: California's DROP (the Delete Request and Opt-out Platform,
//! Delete Act, Cal. Civ. Code § 1798.99.80 ff.). A data broker downloads the lists at
//! least every 45 days, deletes and suppresses the consumers on them, and uploads a status
//! per work item.
//!
//! A list is CSV `ID,Hash`: a work item id and the Base64 SHA-256 of the consumer's
//! identifier as the CPPA standardises it — an email address trimmed and lower-cased
//! (dots and `+tags` kept), a phone number's digits, the last ten. profiled keeps no
//! unkeyed digest: a stored email hash is `BLAKE3-keyed(secret, SHA-256(trimmed,
//! lower-cased address))` and a phone's suppression hash is keyed over the SHA-256 of its
//! digits the same way, so a list entry is keyed once on arrival and meets the stored
//! entries directly.
//!
//! Every entry becomes a suppression (kind [`SUPPRESSED_BY_DELETION_LIST`]) whether it
//! matched or not, so a consumer collected later is never stored. Matches are erased as
//! by [`Engine::erase`] — the same deletions and the same suppressions, which replace the
//! listing — and the status file answers 3 (deleted) for a work item whose identifier is
//! suppressed by an erasure (now or earlier) and 5 (not found) for the rest. Importing a
//! list again therefore answers the same and changes nothing.

use super::privacy::{
    allowed_secs, jurisdiction_name, phone_digits, phone_hash, SUPPRESSED_BY_ERASURE,
};
use super::Engine;
use crate::error::{Error, Result};
use crate::model::{Jurisdiction, PrivacyOutcome, ProfileId};
use crate::store::record::PrivacyRequestRecord;
use crate::store::{Store, WriteSet};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io::{Read, Write};

/// Kind of suppression entry: the identifier is on a regulator's deletion list. Ranks
/// below [`SUPPRESSED_BY_ERASURE`], which replaces it when the person is erased.
pub const SUPPRESSED_BY_DELETION_LIST: u8 = 2;

/// DROP status: a match was found and its non-exempt personal information deleted.
pub const STATUS_DELETED: u8 = 3;
/// DROP status: no match after the matching process.
pub const STATUS_NOT_FOUND: u8 = 5;

/// The header of a DROP list and of the status file that answers it.
const LIST_HEADER: [&str; 2] = ["ID", "Hash"];
const STATUS_HEADER: &str = "Id,Status";

/// Work items per atomic write: bounds a write's size and lets other writes in between.
const BATCH_ROWS: usize = 1_000;
/// Longest work item id accepted (DROP's are 12 Base62 characters).
const MAX_ID_LEN: usize = 64;

/// Which identifier a deletion list carries (the DROP list types profiled holds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeletionListType {
    Email,
    Phone,
}

impl DeletionListType {
    fn name(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }
}

/// What an import did (the status file itself goes to the caller's writer).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeletionListReport {
    /// The request record of this list (the same for the same list imported again).
    pub request_id: String,
    /// Work items on the list.
    pub items: u64,
    /// Work items answered 3 (deleted).
    pub deleted: u64,
    /// Work items answered 5 (not found).
    pub not_found: u64,
    /// Profiles this import erased (0 when the list was imported before).
    pub erased_profiles: u64,
}

/// One work item, its identifier already keyed.
struct Item {
    id: Box<str>,
    hash: [u8; 16],
}

/// The SHA-256 of an email address as DROP standardises it: trimmed, lower-cased.
pub fn drop_email_digest(address: &str) -> [u8; 32] {
    Sha256::digest(address.trim().to_lowercase().as_bytes()).into()
}

/// The SHA-256 of a phone number as DROP standardises it: its digits, the last ten.
/// `None` for a number too short to be one (see [`phone_digits`]).
pub fn drop_phone_digest(phone: &str) -> Option<[u8; 32]> {
    phone_digits(phone).map(|digits| Sha256::digest(digits.as_bytes()).into())
}

impl Engine {
    /// Imports a DROP deletion list from `list` (CSV `ID,Hash`) and writes the status file
    /// to upload back (CSV `Id,Status`) to `status`, in the list's order.
    ///
    /// The whole list is read and checked before anything changes: a malformed line is an
    /// error naming its line number, and nothing is stored. Then the work items are
    /// processed in batches of [`BATCH_ROWS`], each one atomic write: matches erased,
    /// every identifier suppressed. Returns the report and the outbox sequence of the
    /// last erasure, which [`Engine::wait_searchable`] waits for (0 when none).
    pub fn import_deletion_list(
        &self,
        list_type: DeletionListType,
        list: impl Read,
        status: &mut impl Write,
        opened_by: &str,
    ) -> Result<(DeletionListReport, u64)> {
        let items = self.read_list(list_type, list)?;
        let now = self.clock().now();
        let (erased_profiles, last_seq) = match list_type {
            DeletionListType::Email => self.erase_email_matches(&items, now)?,
            DeletionListType::Phone => self.erase_phone_matches(&items, now)?,
        };
        let mut report = DeletionListReport {
            items: items.len() as u64,
            erased_profiles,
            ..DeletionListReport::default()
        };
        writeln!(status, "{STATUS_HEADER}")?;
        for item in &items {
            let code = if self.store().suppression_kind(&item.hash)? == Some(SUPPRESSED_BY_ERASURE)
            {
                report.deleted += 1;
                STATUS_DELETED
            } else {
                report.not_found += 1;
                STATUS_NOT_FOUND
            };
            writeln!(status, "{},{code}", item.id)?;
        }
        status.flush()?;
        let request_id = self.record_list_request(list_type, &items, &report, now, opened_by)?;
        report.request_id = format!("{request_id:016x}");
        tracing::info!(
            request = %report.request_id,
            list = list_type.name(),
            items = report.items,
            deleted = report.deleted,
            not_found = report.not_found,
            erased_profiles = report.erased_profiles,
            "deletion list imported"
        );
        Ok((report, last_seq))
    }

    /// Reads and checks the whole list, keying each identifier as it is read.
    fn read_list(&self, list_type: DeletionListType, list: impl Read) -> Result<Vec<Item>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(list);
        let mut record = csv::ByteRecord::new();
        let mut items = Vec::new();
        let mut header_seen = false;
        loop {
            let more = reader.read_byte_record(&mut record).map_err(|err| {
                let line = err.position().map_or(0, csv::Position::line);
                Error::invalid(format!("line {line}: not readable as CSV"))
            })?;
            if !more {
                break;
            }
            let line = record.position().map_or(0, csv::Position::line);
            if !header_seen {
                let first = record
                    .get(0)
                    .map(|f| f.strip_prefix(b"\xef\xbb\xbf").unwrap_or(f));
                let header_fits = record.len() == LIST_HEADER.len()
                    && first.is_some_and(|f| f.eq_ignore_ascii_case(LIST_HEADER[0].as_bytes()))
                    && record
                        .get(1)
                        .is_some_and(|f| f.eq_ignore_ascii_case(LIST_HEADER[1].as_bytes()));
                if !header_fits {
                    return Err(Error::invalid(format!(
                        "line {line}: a deletion list starts with the header ID,Hash{}",
                        if record.len() == 3 {
                            " (a Removed file, ID,Hash,ListType, is not imported)"
                        } else {
                            ""
                        }
                    )));
                }
                header_seen = true;
                continue;
            }
            if record.len() != 2 {
                return Err(Error::invalid(format!(
                    "line {line}: expected 2 fields (ID,Hash), found {}",
                    record.len()
                )));
            }
            let id = &record[0];
            if id.is_empty() || id.len() > MAX_ID_LEN || !id.iter().all(u8::is_ascii_alphanumeric) {
                return Err(Error::invalid(format!(
                    "line {line}: the ID must be 1 to {MAX_ID_LEN} letters and digits"
                )));
            }
            let digest: [u8; 32] = base64::engine::general_purpose::STANDARD
                .decode(&record[1])
                .ok()
                .and_then(|bytes| bytes.try_into().ok())
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "line {line}: the Hash must be a Base64 SHA-256 (44 characters)"
                    ))
                })?;
            items.push(Item {
                // Checked ASCII above.
                id: String::from_utf8_lossy(id).into(),
                hash: self.list_key(list_type, &digest),
            });
        }
        if !header_seen {
            return Err(Error::invalid(
                "line 1: the list is empty; a deletion list starts with the header ID,Hash",
            ));
        }
        Ok(items)
    }

    /// The keyed hash a list entry's digest is stored and compared as.
    fn list_key(&self, list_type: DeletionListType, digest: &[u8; 32]) -> [u8; 16] {
        match list_type {
            DeletionListType::Email => self.hasher().hash_sha256(digest),
            DeletionListType::Phone => phone_hash(self.hasher(), digest),
        }
    }

    /// Email lists: the store indexes email hashes, so each batch finds and erases its
    /// matches and suppresses its entries in one atomic write. Every profile holding the
    /// hash matches, observed or pattern-derived; so once a list was imported nobody holds
    /// its addresses, and importing it again erases nobody.
    fn erase_email_matches(&self, items: &[Item], now: i64) -> Result<(u64, u64)> {
        self.erase_in_batches(items, |store, writes, item, done| {
            // Every holder, observed or derived: a profile profiled would suggest the
            // listed address for would go on disclosing it.
            for (id, _, _) in store.email_matches(&item.hash)? {
                self.erase_once(store, writes, id, now, done)?;
            }
            writes.suppress(item.hash, SUPPRESSED_BY_DELETION_LIST, now);
            Ok(())
        })
    }

    /// Phone lists: phone numbers are not indexed, so every entry is suppressed first —
    /// from then on no ingest stores a listed number — and one scan of the profiles then
    /// finds everyone holding one, who is erased in batches.
    fn erase_phone_matches(&self, items: &[Item], now: i64) -> Result<(u64, u64)> {
        self.erase_in_batches(items, |_, writes, item, _| {
            writes.suppress(item.hash, SUPPRESSED_BY_DELETION_LIST, now);
            Ok(())
        })?;
        let listed: HashSet<[u8; 16]> = items.iter().map(|item| item.hash).collect();
        let holds_listed = |phone: Option<&str>| {
            phone
                .and_then(drop_phone_digest)
                .is_some_and(|digest| listed.contains(&phone_hash(self.hasher(), &digest)))
        };
        let mut found = Vec::new();
        for entry in self.store().profiles() {
            let (id, record) = entry?;
            if holds_listed(record.phone.as_deref()) {
                found.push(id);
            }
        }
        self.erase_in_batches(&found, |store, writes, id, done| {
            // Read again under the write lock: the number may have changed since.
            let still = store
                .profile(*id)?
                .is_some_and(|record| holds_listed(record.phone.as_deref()));
            if still {
                self.erase_once(store, writes, *id, now, done)?;
            }
            Ok(())
        })
    }

    /// Runs `each` over `items`, [`BATCH_ROWS`] to an atomic write. Returns how many
    /// profiles the writes erased and the outbox sequence of the last that erased any.
    fn erase_in_batches<T>(
        &self,
        items: &[T],
        each: impl Fn(&Store, &mut WriteSet, &T, &mut HashSet<ProfileId>) -> Result<()>,
    ) -> Result<(u64, u64)> {
        let (mut erased, mut last_seq) = (0, 0);
        for batch in items.chunks(BATCH_ROWS) {
            // Disclosures still queued must reach the recipient index before an erasure
            // writes its notices from it.
            self.disclosures.sync()?;
            let (count, seq) = self.write(|store, writes| {
                let mut done = HashSet::new();
                for item in batch {
                    each(store, writes, item, &mut done)?;
                }
                Ok(done.len() as u64)
            })?;
            erased += count;
            if count > 0 {
                last_seq = seq;
            }
        }
        Ok((erased, last_seq))
    }

    /// Erases profile `id` unless this write already did (two entries of one list can
    /// name the same person) or it is gone.
    fn erase_once(
        &self,
        store: &Store,
        writes: &mut WriteSet,
        id: ProfileId,
        now: i64,
        done: &mut HashSet<ProfileId>,
    ) -> Result<()> {
        if done.contains(&id) {
            return Ok(());
        }
        if let Some(record) = store.profile(id)? {
            self.erase_profile(store, writes, id, &record, now)?;
            done.insert(id);
        }
        Ok(())
    }

    /// Records the import as one CCPA request, whose id is a keyed hash of the list's
    /// contents: the same list imported again finds its request and leaves it as it is
    /// unless this import erased someone.
    fn record_list_request(
        &self,
        list_type: DeletionListType,
        items: &[Item],
        report: &DeletionListReport,
        now: i64,
        opened_by: &str,
    ) -> Result<u64> {
        let mut contents = blake3::Hasher::new();
        contents.update(list_type.name().as_bytes());
        for item in items {
            contents.update(item.id.as_bytes());
            contents.update(&[0]);
            contents.update(&item.hash);
        }
        let subject_ref = self
            .hasher()
            .hash_identifier(REQUEST_KIND, contents.finalize().as_bytes());
        let mut id_bytes = [0u8; 8];
        id_bytes.copy_from_slice(&subject_ref[..8]);
        let request_id = u64::from_be_bytes(id_bytes);
        if report.erased_profiles == 0 && self.store().privacy_request(request_id)?.is_some() {
            return Ok(request_id);
        }
        let outcome = if report.deleted > 0 {
            PrivacyOutcome::Erased
        } else {
            PrivacyOutcome::NotFound
        };
        self.write(|_, writes| {
            writes.put_privacy_request(
                request_id,
                &PrivacyRequestRecord {
                    kind: REQUEST_KIND.into(),
                    jurisdiction: jurisdiction_name(Jurisdiction::Ccpa).into(),
                    received: now,
                    due: now + allowed_secs(Jurisdiction::Ccpa),
                    completed: Some(now),
                    outcome: Some(outcome.name().into()),
                    subject_ref,
                    opened_by: opened_by.to_owned(),
                },
            )
        })?;
        Ok(request_id)
    }
}

/// The request kind of an import, and the keyed-hash domain of its contents.
const REQUEST_KIND: &str = "deletion-list";

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(digest: [u8; 32]) -> String {
        base64::engine::general_purpose::STANDARD.encode(digest)
    }

    /// The CPPA's worked examples ("Working with the data", DROP technical
    /// documentation 1.2.0): the email and phone entries of its hashing table.
    #[test]
    fn the_cppa_test_vectors_reproduce() {
        assert_eq!(
            b64(drop_email_digest("Anna.Smith@Domain.com")),
            "KA18MT/ph6IHYjzT9zwETySDQyvSh87YuoSBpOQtkhE="
        );
        assert_eq!(
            b64(drop_phone_digest("+1(415)555-9317").expect("a number")),
            "vGM7y5n+hBXRSEAklhHDPCbysyNgYTmXdMcagGUOY8E="
        );
        assert_eq!(
            b64(drop_phone_digest("+84(90)123 4567").expect("a number")),
            "ptzVkgbv9DonwvPCHmXmJ2SEOaolSh37z3ZzY/Gmm+U="
        );
    }

    /// The stored email hash is keyed over the SHA-256 of the address as profiled
    /// normalises it; for every address it accepts, that is DROP's standardisation, so a
    /// list entry meets the stored hash.
    #[test]
    fn a_stored_email_hash_is_keyed_over_the_drop_digest() {
        let hasher = crate::email::EmailHasher::new([7; 32]);
        for raw in [
            "Anna.Smith@Domain.com",
            "  j.doe+news@Example.ORG ",
            "first.last@gmail.com",
            "ÅSA.ÖBERG@Exempel.se",
        ] {
            let ours = crate::email::normalize_address(raw).expect("an address");
            assert_eq!(
                hasher.hash_address(&ours.full()),
                hasher.hash_sha256(&drop_email_digest(raw)),
                "{raw}"
            );
        }
    }
}
