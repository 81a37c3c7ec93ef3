//! Data-subject rights as engine operations. Every operation is recorded as a request
//! (kind, jurisdiction, received, due, completed, outcome) that references its subject
//! only by a keyed hash — never by the identifiers themselves.
//!
//! **Erasure** deletes the profile and every entry derived from it (the store's write set
//! derives them, as for any delete) and, in the same atomic write, records a
//! *suppression* made only of keyed hashes of every identifier the person had: the
//! profile id, the name-and-company identity (so a source without the person key finds
//! the same person), the source's person key, every observed and pattern-derived email
//! hash, the phone number. A later ingest line that carries any of them is skipped and
//! counted as `suppressed`; a sighting finds nothing to refresh.

use super::Engine;
use crate::email::{normalize_address, parse_sha256_hex, EmailHasher};
use crate::error::{Error, Result};
use crate::matching::normalize::fold;
use crate::model::{
    Candidate, Jurisdiction, LookupRequest, LookupStatus, PrivacyOutcome, PrivacyReceipt,
    ProfileId, Subject,
};
use crate::store::record::{PrivacyRequestRecord, ProfileRecord};
use crate::store::Store;
use base64::Engine as _;

/// Kinds of suppression entry (the first byte of its value).
pub const SUPPRESSED_BY_ERASURE: u8 = 1;

/// Keyed-hash domains of the identifiers a suppression holds (emails use the email
/// hash itself, so a regulator's SHA-256 list meets the same entries).
const ID_KIND: &str = "profile-id";
const PERSON_KEY_KIND: &str = "person-key";
const PHONE_KIND: &str = "phone";
const SUBJECT_KIND: &str = "subject";

/// Seconds a request may take under each law.
fn allowed_secs(jurisdiction: Jurisdiction) -> i64 {
    match jurisdiction {
        // "Within one month of receipt" (GDPR Art. 12(3)), counted as 30 days.
        Jurisdiction::Gdpr => 30 * 86_400,
        Jurisdiction::Ccpa => 45 * 86_400,
    }
}

/// Whom a subject's identification fits.
enum Identified {
    One(ProfileId),
    Several(Vec<Candidate>),
    Nobody,
}

/// The phone number as deletion lists compare it: its digits, the last ten.
pub fn phone_digits(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 7).then(|| digits[digits.len().saturating_sub(10)..].to_owned())
}

/// A SHA-256 digest written as 64 hex digits or as base64 (44 characters, padded).
fn parse_digest(text: &str) -> Option<[u8; 32]> {
    parse_sha256_hex(text).or_else(|| {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .ok()?;
        bytes.try_into().ok()
    })
}

impl Engine {
    /// Erases the person a subject identifies (Art. 17 GDPR; a CCPA deletion; an
    /// objection to direct marketing, Art. 21(2), which is absolute): when exactly one
    /// profile fits, it is deleted with everything derived from it and its identifiers are
    /// suppressed; when several fit, nothing changes and the receipt lists them.
    ///
    /// Returns the receipt and the outcome's outbox sequence, which
    /// [`Engine::wait_searchable`] waits for before the person is gone from lookups too.
    pub fn erase(&self, subject: &Subject, opened_by: &str) -> Result<(PrivacyReceipt, u64)> {
        let identified = self.identify(subject)?;
        let now = self.clock().now();
        let jurisdiction = subject.jurisdiction.unwrap_or_default();
        let request_id = request_id()?;
        let mut candidates = Vec::new();
        let (outcome, seq) = self.write(|store, writes| {
            let outcome = match identified {
                Identified::Nobody => PrivacyOutcome::NotFound,
                Identified::Several(found) => {
                    candidates = found;
                    PrivacyOutcome::Ambiguous
                }
                // Read again under the write lock: a write since the identification may
                // have changed the record, and the delete must remove what it holds now.
                Identified::One(id) => match store.profile(id)? {
                    None => PrivacyOutcome::NotFound,
                    Some(record) => {
                        for hash in self.suppression_hashes(store, id, &record)? {
                            writes.suppress(hash, SUPPRESSED_BY_ERASURE, now);
                        }
                        writes.delete_profile(id, &record);
                        PrivacyOutcome::Erased
                    }
                },
            };
            writes.put_privacy_request(
                request_id,
                &PrivacyRequestRecord {
                    kind: "erase".into(),
                    jurisdiction: jurisdiction_name(jurisdiction).into(),
                    received: now,
                    due: now + allowed_secs(jurisdiction),
                    completed: Some(now),
                    outcome: Some(outcome_name(outcome).into()),
                    subject_ref: self.subject_ref(subject),
                    opened_by: opened_by.to_owned(),
                },
            )?;
            Ok(outcome)
        })?;
        tracing::info!(
            request = %format!("{request_id:016x}"),
            outcome = outcome_name(outcome),
            "erasure request"
        );
        let receipt = PrivacyReceipt {
            request_id: format!("{request_id:016x}"),
            outcome,
            received: crate::clock::format_rfc3339(now),
            due: crate::clock::format_rfc3339(now + allowed_secs(jurisdiction)),
            candidates,
        };
        Ok((receipt, seq))
    }

    /// Every identifier of a stored profile, as keyed hashes.
    fn suppression_hashes(
        &self,
        store: &Store,
        id: ProfileId,
        record: &ProfileRecord,
    ) -> Result<Vec<[u8; 16]>> {
        profile_suppression_hashes(self.hasher(), store, id, record)
    }

    /// A keyed reference to how the subject was named: lets a request be matched to a
    /// later one about the same identification without keeping the identifier.
    fn subject_ref(&self, subject: &Subject) -> [u8; 16] {
        let canonical = serde_json::to_vec(&Subject {
            jurisdiction: None,
            ..subject.clone()
        })
        .unwrap_or_default();
        self.hasher().hash_identifier(SUBJECT_KIND, &canonical)
    }

    /// Finds the profiles a subject's identification fits.
    fn identify(&self, subject: &Subject) -> Result<Identified> {
        let given = [
            subject.email.is_some(),
            subject.email_sha256.is_some(),
            subject.phone.is_some(),
            subject.name.is_some() || subject.company.is_some(),
            subject.id.is_some(),
            subject.person_key.is_some(),
        ]
        .into_iter()
        .filter(|g| *g)
        .count();
        if given != 1 {
            return Err(Error::invalid(
                "identify the subject by exactly one of: email, email_sha256, phone, name with company, id, person_key",
            ));
        }
        let store = self.store();
        if let Some(id) = &subject.id {
            return match ProfileId::parse(id.trim()) {
                Some(id) => self.one_of(vec![id]),
                None => Err(Error::invalid("id must be 16 hex digits")),
            };
        }
        if let Some(key) = &subject.person_key {
            if key.trim().is_empty() {
                return Err(Error::invalid("person_key is empty"));
            }
            return self.one_of(vec![super::ingest::person_key_id(key)]);
        }
        let email_hash = match (&subject.email, &subject.email_sha256) {
            (Some(email), _) => Some(
                self.hasher().hash_address(
                    &normalize_address(&email.0)
                        .ok_or_else(|| Error::invalid("email is not a valid address"))?
                        .full(),
                ),
            ),
            (None, Some(digest)) => Some(self.hasher().hash_sha256(
                &parse_digest(digest).ok_or_else(|| {
                    Error::invalid("email_sha256 must be 64 hex digits or 44 base64 characters")
                })?,
            )),
            (None, None) => None,
        };
        if let Some(hash) = email_hash {
            let matches = store.email_matches(&hash)?;
            // An address a source showed identifies; one derived from a pattern only when
            // no profile has it observed.
            let observed: Vec<ProfileId> = matches
                .iter()
                .filter(|(_, _, observed)| *observed)
                .map(|(id, _, _)| *id)
                .collect();
            let ids = if observed.is_empty() {
                matches.iter().map(|(id, _, _)| *id).collect()
            } else {
                observed
            };
            return self.one_of(ids);
        }
        if let Some(phone) = &subject.phone {
            let digits =
                phone_digits(phone).ok_or_else(|| Error::invalid("phone holds too few digits"))?;
            let mut ids = Vec::new();
            // Phones are not indexed: a rights request is rare enough to scan for.
            for item in store.profiles() {
                let (id, record) = item?;
                if record.phone.as_deref().and_then(phone_digits).as_deref() == Some(&digits) {
                    ids.push(id);
                }
            }
            return self.one_of(ids);
        }
        match (&subject.name, &subject.company) {
            (Some(name), Some(company)) if !fold(name).is_empty() => {
                let answer = self.lookup(&LookupRequest {
                    name: Some(name.clone()),
                    company: Some(company.clone()),
                    candidates: Some(5),
                    ..LookupRequest::default()
                })?;
                match (answer.status, answer.profile) {
                    (LookupStatus::Match, Some(profile)) => {
                        let id = ProfileId::parse(&profile.id)
                            .ok_or_else(|| Error::Internal("a profile id".into()))?;
                        self.one_of(vec![id])
                    }
                    (LookupStatus::Ambiguous, Some(profile)) => {
                        let mut candidates = vec![Candidate {
                            id: profile.id.clone(),
                            confidence: answer.confidence,
                            full_name: profile.full_name.clone(),
                            company: profile.company.as_ref().map(|c| c.name.clone()),
                            explain: None,
                        }];
                        candidates.extend(answer.candidates);
                        Ok(Identified::Several(candidates))
                    }
                    _ => Ok(Identified::Nobody),
                }
            }
            _ => Err(Error::invalid(
                "name goes with company, and both must be given",
            )),
        }
    }

    /// One profile, several (as candidates), or nobody.
    fn one_of(&self, mut ids: Vec<ProfileId>) -> Result<Identified> {
        ids.sort_unstable();
        ids.dedup();
        let store = self.store();
        match ids.as_slice() {
            [] => Ok(Identified::Nobody),
            [id] => Ok(if store.profile(*id)?.is_some() {
                Identified::One(*id)
            } else {
                Identified::Nobody
            }),
            _ => {
                let mut candidates = Vec::new();
                for id in ids {
                    if let Some(record) = store.profile(id)? {
                        let company = match record.company {
                            Some(cid) => store.company(cid)?.map(|c| c.name),
                            None => None,
                        };
                        candidates.push(Candidate {
                            id: id.to_string(),
                            confidence: 0.0,
                            full_name: record.full_name(),
                            company,
                            explain: None,
                        });
                    }
                }
                Ok(Identified::Several(candidates))
            }
        }
    }
}

/// Every identifier of a stored profile, as keyed hashes: what erasure suppresses, and
/// what a restore compares with the suppressions.
pub(crate) fn profile_suppression_hashes(
    hasher: &EmailHasher,
    store: &Store,
    id: ProfileId,
    record: &ProfileRecord,
) -> Result<Vec<[u8; 16]>> {
    let company = match record.company {
        Some(cid) => store.company(cid)?,
        None => None,
    };
    let name_id = super::ingest::name_identity(
        &record.first_name,
        &record.last_name,
        company.as_ref(),
        record.location.as_ref(),
    );
    let mut hashes = identifier_hashes(
        hasher,
        [id, name_id],
        record.person_key.as_deref(),
        record.phone.as_deref(),
    );
    hashes.extend(record.email_keys.iter().map(|k| k.hash));
    Ok(hashes)
}

/// The keyed hashes of a person's identifiers other than email: the profile ids (the
/// identity it was stored under and the name-and-company one), the source's person key
/// and the phone number. Ingest checks a line's against the suppressions; erasure
/// suppresses a profile's.
pub(crate) fn identifier_hashes(
    hasher: &EmailHasher,
    ids: [ProfileId; 2],
    person_key: Option<&str>,
    phone: Option<&str>,
) -> Vec<[u8; 16]> {
    let mut hashes: Vec<[u8; 16]> = ids
        .iter()
        .map(|id| hasher.hash_identifier(ID_KIND, &id.to_bytes()))
        .collect();
    if let Some(key) = person_key.map(str::trim).filter(|k| !k.is_empty()) {
        hashes.push(hasher.hash_identifier(PERSON_KEY_KIND, key.as_bytes()));
    }
    if let Some(digits) = phone.and_then(phone_digits) {
        hashes.push(hasher.hash_identifier(PHONE_KIND, digits.as_bytes()));
    }
    hashes
}

fn jurisdiction_name(jurisdiction: Jurisdiction) -> &'static str {
    match jurisdiction {
        Jurisdiction::Gdpr => "gdpr",
        Jurisdiction::Ccpa => "ccpa",
    }
}

fn outcome_name(outcome: PrivacyOutcome) -> &'static str {
    match outcome {
        PrivacyOutcome::Erased => "erased",
        PrivacyOutcome::NotFound => "not_found",
        PrivacyOutcome::Ambiguous => "ambiguous",
    }
}

/// A new random request id.
fn request_id() -> Result<u64> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|err| Error::Internal(format!("random id: {err}")))?;
    Ok(u64::from_be_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_compare_by_their_last_ten_digits() {
        assert_eq!(
            phone_digits("+1 (415) 555-0100").as_deref(),
            Some("4155550100")
        );
        assert_eq!(phone_digits("415-555-0100").as_deref(), Some("4155550100"));
        assert_eq!(phone_digits("12"), None);
    }

    #[test]
    fn digests_are_read_as_hex_or_base64() {
        let hex = "a".repeat(64);
        let bytes = parse_digest(&hex).expect("hex");
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        assert_eq!(parse_digest(&b64), Some(bytes));
        assert_eq!(parse_digest("not a digest"), None);
    }
}
