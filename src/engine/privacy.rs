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
use crate::clock::format_rfc3339;
use crate::email::{normalize_address, parse_sha256_hex, EmailHasher};
use crate::error::{Error, Result};
use crate::matching::normalize::{company_key, domain_from, fold};
use crate::model::{
    Candidate, Jurisdiction, LookupRequest, LookupStatus, Notice, Notices, OpenRequest,
    PrivacyOutcome, PrivacyReceipt, PrivacyRequestView, PrivacyRequests, ProfileId, Rectification,
    RequestKind, RestrictRequest, Subject,
};
use crate::store::record::{NoticeRecord, PrivacyRequestRecord, ProfileRecord};
use crate::store::{Store, WriteSet};
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Kinds of suppression entry (the first byte of its value).
pub const SUPPRESSED_BY_ERASURE: u8 = 1;

/// Keyed-hash domains of the identifiers a suppression holds (emails use the email
/// hash itself, so a regulator's SHA-256 list meets the same entries).
const ID_KIND: &str = "profile-id";
const PERSON_KEY_KIND: &str = "person-key";
const PHONE_KIND: &str = "phone";
const SUBJECT_KIND: &str = "subject";

/// Seconds a request may take under each law.
pub(super) fn allowed_secs(jurisdiction: Jurisdiction) -> i64 {
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

/// The request a rights operation completes: an open one it names, or a new one.
struct RequestSlot {
    id: u64,
    record: PrivacyRequestRecord,
}

impl Engine {
    /// Records a request before the subject's identity is verified (Art. 12(6) GDPR
    /// lets the controller ask for proof first); the operation that carries it out names
    /// its id. The due date runs from now.
    pub fn open_request(&self, request: &OpenRequest, opened_by: &str) -> Result<PrivacyReceipt> {
        if request.subject.request_id.is_some() {
            return Err(Error::invalid(
                "subject.request_id names a request to carry out; opening one takes none",
            ));
        }
        let now = self.clock().now();
        let slot = self.new_request(request.kind, &request.subject, opened_by, now)?;
        self.write(|_, writes| writes.put_privacy_request(slot.id, &slot.record))?;
        tracing::info!(request = %format!("{:016x}", slot.id), kind = request.kind.name(), "privacy request opened");
        Ok(receipt(&slot, PrivacyOutcome::Open, Vec::new()))
    }

    /// The requests, newest first; only the open ones when `open_only`.
    pub fn privacy_requests(&self, open_only: bool) -> Result<PrivacyRequests> {
        let now = self.clock().now();
        let mut requests: Vec<PrivacyRequestView> = self
            .store()
            .privacy_requests()?
            .into_iter()
            .filter(|(_, r)| !open_only || r.completed.is_none())
            .map(|(id, r)| PrivacyRequestView {
                request_id: format!("{id:016x}"),
                kind: r.kind.clone(),
                jurisdiction: r.jurisdiction.clone(),
                received: format_rfc3339(r.received),
                due: format_rfc3339(r.due),
                completed: r.completed.map(format_rfc3339),
                outcome: r.outcome.clone(),
                overdue: r.completed.is_none() && r.due < now,
                opened_by: r.opened_by,
            })
            .collect();
        requests.sort_by(|a, b| b.received.cmp(&a.received));
        Ok(PrivacyRequests { requests })
    }

    /// Open requests, and how many of them are past their due date (for metrics).
    pub fn open_request_counts(&self) -> Result<(u64, u64)> {
        let now = self.clock().now();
        let mut open = 0;
        let mut overdue = 0;
        for (_, request) in self.store().privacy_requests()? {
            if request.completed.is_none() {
                open += 1;
                overdue += u64::from(request.due < now);
            }
        }
        Ok((open, overdue))
    }

    /// Erases the person a subject identifies (Art. 17 GDPR; a CCPA deletion; an
    /// objection to direct marketing, Art. 21(2), which is absolute): when exactly one
    /// profile fits, it is deleted with everything derived from it and its identifiers are
    /// suppressed, and every client that received it is told; when several fit, nothing
    /// changes and the receipt lists them.
    ///
    /// Returns the receipt and the outcome's outbox sequence, which
    /// [`Engine::wait_searchable`] waits for before the person is gone from lookups too.
    pub fn erase(&self, subject: &Subject, opened_by: &str) -> Result<(PrivacyReceipt, u64)> {
        self.carry_out(
            RequestKind::Erase,
            subject,
            opened_by,
            |store, writes, id, record, now| {
                self.erase_profile(store, writes, id, record, now)?;
                Ok(PrivacyOutcome::Erased)
            },
        )
    }

    /// Restricts processing of the person a subject identifies (Art. 18 GDPR; a CCPA
    /// opt-out of sale or sharing), or lifts the restriction. A restricted profile stays
    /// stored (access shows it, retention still applies) but leaves the index, so no
    /// lookup, candidate list, search, facet or enrichment shows it, and `GET` answers 404
    /// to every key without the `privacy` scope.
    pub fn restrict(
        &self,
        request: &RestrictRequest,
        opened_by: &str,
    ) -> Result<(PrivacyReceipt, u64)> {
        let kind = match (request.restricted, request.opt_out) {
            (true, true) => RequestKind::OptOut,
            (true, false) => RequestKind::Restrict,
            (false, _) => RequestKind::Unrestrict,
        };
        self.carry_out(
            kind,
            &request.subject,
            opened_by,
            |store, writes, id, record, now| {
                let mut changed = record.clone();
                changed.restricted_at = request
                    .restricted
                    .then(|| record.restricted_at.unwrap_or(now));
                if changed.restricted_at != record.restricted_at {
                    let change = if request.restricted {
                        "restricted"
                    } else {
                        "unrestricted"
                    };
                    notify_recipients(store, writes, id, change, Vec::new(), now)?;
                    changed.updated_at = now;
                    writes.put_profile(id, Some(record), &changed)?;
                }
                Ok(if request.restricted {
                    PrivacyOutcome::Restricted
                } else {
                    PrivacyOutcome::Unrestricted
                })
            },
        )
    }

    /// Rectifies profile `id` (Art. 16 GDPR): each given field takes the subject's value
    /// and is marked rectified, so no later ingest overwrites it; the clients that
    /// received the profile are told which fields changed.
    pub fn rectify(
        &self,
        id: &str,
        change: &Rectification,
        opened_by: &str,
    ) -> Result<(PrivacyReceipt, u64)> {
        let patch = rectified_fields(change, self.limits().max_field_chars)?;
        let subject = Subject {
            id: Some(id.to_owned()),
            jurisdiction: change.jurisdiction,
            request_id: change.request_id.clone(),
            ..Subject::default()
        };
        self.carry_out(
            RequestKind::Rectify,
            &subject,
            opened_by,
            |store, writes, id, record, now| {
                let mut changed = record.clone();
                let mut fields = Vec::new();
                for (field, apply) in &patch {
                    apply(&mut changed);
                    if !changed.is_rectified(field) {
                        changed.rectified.push((*field).to_owned());
                    }
                    fields.push((*field).to_owned());
                }
                let company = match changed.company {
                    Some(cid) => store.company(cid)?,
                    None => None,
                };
                // A changed name changes the addresses its company's patterns derive.
                changed.email_keys = super::ingest::email_keys(
                    self.hasher(),
                    &changed,
                    company.as_ref(),
                    Vec::new(),
                );
                changed.updated_at = now;
                notify_recipients(store, writes, id, "rectified", fields, now)?;
                writes.put_profile(id, Some(record), &changed)?;
                Ok(PrivacyOutcome::Rectified)
            },
        )
    }

    /// The one shape of every rights operation: identify the subject; when exactly one
    /// profile fits, `operate` on it under the write lock (reading it again there: a write
    /// since the identification may have changed it); record the request's outcome in the
    /// same atomic write.
    pub(super) fn carry_out(
        &self,
        kind: RequestKind,
        subject: &Subject,
        opened_by: &str,
        operate: impl FnOnce(
            &Store,
            &mut WriteSet,
            ProfileId,
            &ProfileRecord,
            i64,
        ) -> Result<PrivacyOutcome>,
    ) -> Result<(PrivacyReceipt, u64)> {
        let identified = self.identify(subject)?;
        // Disclosures still queued must reach the recipient index before the notices are
        // written from it.
        self.disclosures.sync()?;
        let now = self.clock().now();
        let mut slot = self.request_slot(kind, subject, opened_by, now)?;
        let mut candidates = Vec::new();
        let (outcome, seq) = self.write(|store, writes| {
            let outcome = match identified {
                Identified::Nobody => PrivacyOutcome::NotFound,
                Identified::Several(found) => {
                    candidates = found;
                    PrivacyOutcome::Ambiguous
                }
                Identified::One(id) => match store.profile(id)? {
                    None => PrivacyOutcome::NotFound,
                    Some(record) => operate(store, writes, id, &record, now)?,
                },
            };
            // An ambiguous identification leaves an opened request open: the desk chooses.
            if outcome != PrivacyOutcome::Ambiguous || slot.record.completed.is_none() {
                slot.record.completed = (outcome != PrivacyOutcome::Ambiguous).then_some(now);
                slot.record.outcome = Some(outcome.name().into());
            }
            writes.put_privacy_request(slot.id, &slot.record)?;
            Ok(outcome)
        })?;
        tracing::info!(
            request = %format!("{:016x}", slot.id),
            kind = kind.name(),
            outcome = outcome.name(),
            "privacy request"
        );
        Ok((receipt(&slot, outcome, candidates), seq))
    }

    /// The open request `subject.request_id` names, or a new one received now.
    fn request_slot(
        &self,
        kind: RequestKind,
        subject: &Subject,
        opened_by: &str,
        now: i64,
    ) -> Result<RequestSlot> {
        let Some(text) = &subject.request_id else {
            return self.new_request(kind, subject, opened_by, now);
        };
        let id = u64::from_str_radix(text.trim(), 16)
            .ok()
            .filter(|_| text.trim().len() == 16)
            .ok_or_else(|| Error::invalid("request_id must be 16 hex digits"))?;
        let record = self
            .store()
            .privacy_request(id)?
            .ok_or(Error::NotFound("privacy request"))?;
        if record.completed.is_some() {
            return Err(Error::Conflict(
                "the privacy request is already completed".into(),
            ));
        }
        if record.kind != kind.name()
            && !(kind == RequestKind::Erase && record.kind == RequestKind::Object.name())
            && !(kind == RequestKind::Restrict && record.kind == RequestKind::OptOut.name())
        {
            return Err(Error::Conflict(format!(
                "the privacy request is a `{}` request, not `{}`",
                record.kind,
                kind.name()
            )));
        }
        Ok(RequestSlot { id, record })
    }

    fn new_request(
        &self,
        kind: RequestKind,
        subject: &Subject,
        opened_by: &str,
        now: i64,
    ) -> Result<RequestSlot> {
        let jurisdiction = subject.jurisdiction.unwrap_or_default();
        Ok(RequestSlot {
            id: request_id()?,
            record: PrivacyRequestRecord {
                kind: kind.name().into(),
                jurisdiction: jurisdiction_name(jurisdiction).into(),
                received: now,
                due: now + allowed_secs(jurisdiction),
                completed: None,
                outcome: None,
                subject_ref: self.subject_ref(subject),
                opened_by: opened_by.to_owned(),
            },
        })
    }

    /// The notices for `recipient` after `since` (a cursor from an earlier answer).
    pub fn notices(&self, recipient: &str, since: Option<&str>, limit: usize) -> Result<Notices> {
        let after = match since {
            None => 0,
            Some(text) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
                // A cursor past every sequence there can be has nothing after it.
                text.parse::<u64>().unwrap_or(u64::MAX)
            }
            Some(_) => {
                return Err(Error::invalid(
                    "since must be a cursor from an earlier answer",
                ))
            }
        };
        let found = self.store().notices_after(recipient, after, limit)?;
        let next = found.last().map_or(after, |(seq, _)| *seq).to_string();
        Ok(Notices {
            notices: found
                .into_iter()
                .map(|(seq, notice)| Notice {
                    cursor: seq.to_string(),
                    profile_id: ProfileId(notice.profile).to_string(),
                    change: notice.change,
                    fields: notice.fields,
                    at: format_rfc3339(notice.at),
                })
                .collect(),
            next,
        })
    }

    /// Deletes profile `id` (read under the write lock as `record`) with everything
    /// derived from it, suppresses every identifier it had, and tells every client that
    /// received it. Erasure and the regulator's deletion lists both erase through here
    /// (sync the disclosure log first, `self.disclosures.sync()`, so that every
    /// recipient is known).
    pub(super) fn erase_profile(
        &self,
        store: &Store,
        writes: &mut WriteSet,
        id: ProfileId,
        record: &ProfileRecord,
        now: i64,
    ) -> Result<()> {
        for hash in self.suppression_hashes(store, id, record)? {
            writes.suppress(hash, SUPPRESSED_BY_ERASURE, now);
        }
        notify_recipients(store, writes, id, "erased", Vec::new(), now)?;
        writes.delete_profile(id, record);
        Ok(())
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
            request_id: None,
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
                let answer = super::lookup::lookup(
                    self,
                    &LookupRequest {
                        name: Some(name.clone()),
                        company: Some(company.clone()),
                        candidates: Some(5),
                        ..LookupRequest::default()
                    },
                    true,
                )?;
                // Restricted profiles are in neither the index nor the match table, so
                // the lookup cannot see them; the desk must, to lift or erase them.
                let restricted = self.restricted_named(name, company)?;
                if !restricted.is_empty() {
                    let mut ids = restricted;
                    if let Some(profile) = &answer.profile {
                        ids.extend(ProfileId::parse(&profile.id));
                    }
                    ids.extend(
                        answer
                            .candidates
                            .iter()
                            .filter_map(|c| ProfileId::parse(&c.id)),
                    );
                    return self.one_of(ids);
                }
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

    /// The restricted profiles with this name (folded) at this company (its name, an alias
    /// or its domain). A scan, like the phone's: rights requests are rare, and there is
    /// nothing to scan while no profile is restricted.
    fn restricted_named(&self, name: &str, company: &str) -> Result<Vec<ProfileId>> {
        let store = self.store();
        if store.counts()?.restricted == 0 {
            return Ok(Vec::new());
        }
        let name = fold(name);
        let wanted_company = company_key(company);
        let domain = domain_from(company);
        let mut ids = Vec::new();
        for item in store.profiles() {
            let (id, record) = item?;
            if record.restricted_at.is_none() || fold(&record.full_name()) != name {
                continue;
            }
            let Some(held) = record.company.map(|cid| store.company(cid)).transpose()? else {
                continue;
            };
            let Some(held) = held else { continue };
            let same_company = (!wanted_company.is_empty()
                && std::iter::once(&held.name)
                    .chain(&held.aliases)
                    .any(|n| company_key(n) == wanted_company))
                || (domain.is_some() && held.domain == domain);
            if same_company {
                ids.push(id);
            }
        }
        Ok(ids)
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
        hashes.push(phone_hash(
            hasher,
            &Sha256::digest(digits.as_bytes()).into(),
        ));
    }
    hashes
}

/// The keyed hash of a phone number from the SHA-256 of its digits (see
/// [`phone_digits`]): the form a regulator's deletion list carries, so that its entries
/// meet the same suppressions.
pub(crate) fn phone_hash(hasher: &EmailHasher, digest: &[u8; 32]) -> [u8; 16] {
    hasher.hash_identifier(PHONE_KIND, digest)
}

pub(super) fn jurisdiction_name(jurisdiction: Jurisdiction) -> &'static str {
    match jurisdiction {
        Jurisdiction::Gdpr => "gdpr",
        Jurisdiction::Ccpa => "ccpa",
    }
}

/// The receipt of a request in `slot` that ended in `outcome`.
fn receipt(
    slot: &RequestSlot,
    outcome: PrivacyOutcome,
    candidates: Vec<Candidate>,
) -> PrivacyReceipt {
    PrivacyReceipt {
        request_id: format!("{:016x}", slot.id),
        outcome,
        received: format_rfc3339(slot.record.received),
        due: format_rfc3339(slot.record.due),
        candidates,
    }
}

/// Tells every client that received profile `id` what changed (Art. 19 GDPR).
fn notify_recipients(
    store: &Store,
    writes: &mut WriteSet,
    id: ProfileId,
    change: &str,
    fields: Vec<String>,
    now: i64,
) -> Result<()> {
    for (recipient, _) in store.recipients(id)? {
        writes.notify(
            &recipient,
            NoticeRecord {
                profile: id.0,
                change: change.to_owned(),
                fields: fields.clone(),
                at: now,
            },
        );
    }
    Ok(())
}

/// A rectification's fields as `(wire name, how it changes the record)`, validated.
#[allow(clippy::type_complexity)]
fn rectified_fields(
    change: &Rectification,
    max_chars: usize,
) -> Result<Vec<(&'static str, Box<dyn Fn(&mut ProfileRecord) + '_>)>> {
    let text = |field: &'static str, value: &Option<String>| -> Result<Option<String>> {
        let Some(value) = value else { return Ok(None) };
        let mut value = value.clone();
        super::rules::make_display_safe(&mut value);
        match value.trim() {
            "" => Err(Error::invalid(format!("{field} must not be empty"))),
            value if value.chars().count() > max_chars => Err(Error::invalid(format!(
                "{field} is longer than {max_chars} characters"
            ))),
            value => Ok(Some(value.to_owned())),
        }
    };
    let mut out: Vec<(&'static str, Box<dyn Fn(&mut ProfileRecord)>)> = Vec::new();
    if let Some(value) = text("first_name", &change.first_name)? {
        out.push((
            "first_name",
            Box::new(move |r| r.first_name = value.clone()),
        ));
    }
    if let Some(value) = text("last_name", &change.last_name)? {
        out.push(("last_name", Box::new(move |r| r.last_name = value.clone())));
    }
    if let Some(value) = text("job_title", &change.job_title)? {
        out.push((
            "job_title",
            Box::new(move |r| r.job_title = Some(value.clone())),
        ));
    }
    if let Some(value) = text("phone", &change.phone)? {
        out.push(("phone", Box::new(move |r| r.phone = Some(value.clone()))));
    }
    if let Some(skills) = &change.skills {
        let skills = skills
            .iter()
            .map(|skill| text("skills", &Some(skill.clone())))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect::<Vec<String>>();
        out.push(("skills", Box::new(move |r| r.skills = skills.clone())));
    }
    if let Some(location) = &change.location {
        let location = super::ingest::normalize_location(location).map_err(Error::invalid)?;
        out.push((
            "location",
            Box::new(move |r| r.location = Some(location.clone())),
        ));
    }
    if out.is_empty() {
        return Err(Error::invalid(
            "give at least one field to rectify: first_name, last_name, job_title, phone, skills, location",
        ));
    }
    Ok(out)
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
