//! The records as sled keeps them (postcard-encoded), apart from the wire types clients
//! send and receive: an API change (a new optional field, a renamed one) cannot change
//! the disk format by accident, and a change of these types is a change of
//! [`super::STORE_FORMAT_VERSION`].
//!
//! postcard is not self-describing: the encoding is the field order and types below. The
//! test at the end pins it to a committed byte string.

use crate::error::{Error, Result};
use crate::model::CompanyId;
use serde::{Deserialize, Serialize};

/// 16 random bytes for a [`ProfileRecord::reference_salt`].
pub fn random_salt() -> Result<[u8; 16]> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|err| Error::Internal(format!("random salt: {err}")))?;
    Ok(salt)
}

/// When one source last showed a profile. Times are Unix seconds.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Sighting {
    pub source: String,
    pub first_seen: i64,
    pub last_seen: i64,
}

/// One stored keyed email hash of a profile, so deleting the profile can delete its entries.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct EmailKey {
    pub hash: [u8; 16],
    /// Index into [`crate::email::PATTERNS`], or [`crate::email::OBSERVED`].
    pub pattern: u8,
    /// The address was seen in a source (not only derived from the company's pattern).
    pub observed: bool,
}

/// An office location as stored; `country` is ISO 3166-1 alpha-2, upper case.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct LocationRecord {
    pub country: Option<String>,
    pub city: Option<String>,
    pub postcode: Option<String>,
    pub region: Option<String>,
}

/// One past or current position as stored.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct HistoryRecord {
    pub company: Option<String>,
    pub domain: Option<String>,
    pub title: Option<String>,
    /// `YYYY-MM`.
    pub from: Option<String>,
    /// `YYYY-MM`; absent while current.
    pub to: Option<String>,
}

/// A profile as sled keeps it (the `profiles` tree).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct ProfileRecord {
    pub person_key: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub job_title: Option<String>,
    pub skills: Vec<String>,
    pub phone: Option<String>,
    pub location: Option<LocationRecord>,
    pub company: Option<CompanyId>,
    pub history: Vec<HistoryRecord>,
    pub sources: Vec<Sighting>,
    pub email_keys: Vec<EmailKey>,
    pub created_at: i64,
    pub updated_at: i64,
    /// When the subject restricted processing (Art. 18 GDPR, a CCPA opt-out): the
    /// profile stays stored but no client-facing path shows it.
    pub restricted_at: Option<i64>,
    /// Fields the subject asserted (Art. 16 GDPR), by wire name: ingests do not overwrite
    /// them.
    pub rectified: Vec<String>,
    /// Keys the disclosure log's references to this profile: the log cannot be linked to
    /// the person once erasure deletes this record (and with it the salt).
    pub reference_salt: [u8; 16],
}

/// A profile as format version 1 stored it, before restriction, rectification and the
/// disclosure reference salt: read only by the migration to version 2.
#[derive(Clone, Debug, Deserialize)]
pub(super) struct ProfileRecordV1 {
    pub person_key: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub job_title: Option<String>,
    pub skills: Vec<String>,
    pub phone: Option<String>,
    pub location: Option<LocationRecord>,
    pub company: Option<CompanyId>,
    pub history: Vec<HistoryRecord>,
    pub sources: Vec<Sighting>,
    pub email_keys: Vec<EmailKey>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ProfileRecordV1 {
    pub(super) fn upgrade(self, reference_salt: [u8; 16]) -> ProfileRecord {
        ProfileRecord {
            person_key: self.person_key,
            first_name: self.first_name,
            last_name: self.last_name,
            job_title: self.job_title,
            skills: self.skills,
            phone: self.phone,
            location: self.location,
            company: self.company,
            history: self.history,
            sources: self.sources,
            email_keys: self.email_keys,
            created_at: self.created_at,
            updated_at: self.updated_at,
            restricted_at: None,
            rectified: Vec::new(),
            reference_salt,
        }
    }
}

impl ProfileRecord {
    /// A record for a profile seen for the first time, with a fresh reference salt.
    pub fn new_at(now: i64) -> Result<Self> {
        Ok(Self {
            created_at: now,
            updated_at: now,
            reference_salt: random_salt()?,
            ..Self::default()
        })
    }

    pub fn is_rectified(&self, field: &str) -> bool {
        self.rectified.iter().any(|f| f == field)
    }

    pub fn full_name(&self) -> String {
        match (self.first_name.is_empty(), self.last_name.is_empty()) {
            (false, false) => format!("{} {}", self.first_name, self.last_name),
            (true, _) => self.last_name.clone(),
            (_, true) => self.first_name.clone(),
        }
    }

    /// The newest sighting across all sources.
    pub fn last_seen(&self) -> i64 {
        self.sources.iter().map(|s| s.last_seen).max().unwrap_or(0)
    }
}

/// A company as sled keeps it (the `companies` tree).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct CompanyRecord {
    pub name: String,
    pub domain: Option<String>,
    pub aliases: Vec<String>,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub employees: Option<u32>,
    pub technologies: Vec<String>,
    /// Observed email pattern counts at this domain: (pattern index, count).
    pub patterns: Vec<(u8, u32)>,
    /// The newest sighting of any profile naming this company (Unix seconds).
    pub last_seen: i64,
}

/// A data-subject request as stored: what was asked and how it ended, with a keyed
/// reference to the subject — never the identifiers themselves.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PrivacyRequestRecord {
    /// What was asked: `erase`, `access`, `restrict`, `rectify`, … .
    pub kind: String,
    /// `gdpr` or `ccpa`: decides the due date.
    pub jurisdiction: String,
    pub received: i64,
    pub due: i64,
    pub completed: Option<i64>,
    /// `erased`, `not_found`, `ambiguous`, … (the operation's outcome).
    pub outcome: Option<String>,
    /// Keyed hash of how the subject was identified.
    pub subject_ref: [u8; 16],
    /// The name of the key that opened it.
    pub opened_by: String,
}

/// What one client must be told about a profile it received (Art. 19 GDPR).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct NoticeRecord {
    pub profile: u64,
    /// `erased`, `rectified`, `restricted` or `unrestricted`.
    pub change: String,
    /// The rectified fields' wire names (empty for the other changes).
    pub fields: Vec<String>,
    pub at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{decode, encode};

    const V1_PROFILE: &str = "01016b03416461014c000101780001010247420001024e31000182020100000101540000010173020101090909090909090909090909090909090301d804da04";

    /// The disk format of format version 2: a change of a stored type that changes these
    /// bytes needs a new store format version (and a migration), not a silent change.
    #[test]
    fn the_stored_encoding_is_pinned() {
        let profile = ProfileRecord {
            person_key: Some("k".into()),
            first_name: "Ada".into(),
            last_name: "L".into(),
            job_title: None,
            skills: vec!["x".into()],
            phone: None,
            location: Some(LocationRecord {
                country: Some("GB".into()),
                city: None,
                postcode: Some("N1".into()),
                region: None,
            }),
            company: Some(CompanyId(258)),
            history: vec![HistoryRecord {
                title: Some("T".into()),
                ..HistoryRecord::default()
            }],
            sources: vec![Sighting {
                source: "s".into(),
                first_seen: 1,
                last_seen: -1,
            }],
            email_keys: vec![EmailKey {
                hash: [9; 16],
                pattern: 3,
                observed: true,
            }],
            created_at: 300,
            updated_at: 301,
            restricted_at: Some(5),
            rectified: vec!["job_title".into()],
            reference_salt: [7; 16],
        };
        let bytes = encode(&profile).expect("encode");
        assert_eq!(
            hex::encode(&bytes),
            format!("{V1_PROFILE}010a01096a6f625f7469746c65{}", "07".repeat(16))
        );
        assert_eq!(decode::<ProfileRecord>(&bytes).expect("decode"), profile);
        // A version 1 record is not a version 2 record, and upgrades to one.
        let v1 = hex::decode(V1_PROFILE).expect("hex");
        assert!(decode::<ProfileRecord>(&v1).is_err());
        let upgraded = decode::<ProfileRecordV1>(&v1)
            .expect("decode v1")
            .upgrade([7; 16]);
        assert_eq!(
            upgraded,
            ProfileRecord {
                restricted_at: None,
                rectified: Vec::new(),
                ..profile
            }
        );
        let company = CompanyRecord {
            name: "Acme".into(),
            domain: Some("acme.example".into()),
            patterns: vec![(0, 5)],
            last_seen: 7,
            ..CompanyRecord::default()
        };
        let bytes = encode(&company).expect("encode");
        assert_eq!(
            hex::encode(bytes),
            "0441636d65010c61636d652e6578616d706c6500000000000100050e"
        );
    }
}
