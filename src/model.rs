//! The shapes of the data: what clients send (`*Input`, [`LookupRequest`]), what is kept in
//! sled (`*Record`, compact postcard), and what clients receive ([`Profile`], [`LookupResult`]).
//!
//! Wire types and stored types are kept apart on purpose: the stored form can change with a
//! store format version while the HTTP contract (`../shared/API.md`) stays put.

use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// A profile id: the xxh3 hash of the profile's identity. Shown to clients as 16 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ProfileId(pub u64);

impl ProfileId {
    pub fn to_bytes(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        Some(Self(u64::from_be_bytes(bytes.try_into().ok()?)))
    }

    /// Parses the 16-hex-digit form clients see; anything else is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() != 16 {
            return None;
        }
        u64::from_str_radix(text, 16).ok().map(Self)
    }
}

impl fmt::Display for ProfileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// A company id: the xxh3 hash of the normalised domain (or of the normalised name when the
/// company has no known domain).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct CompanyId(pub u64);

impl CompanyId {
    pub fn to_bytes(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }
}

impl fmt::Display for CompanyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// An email address as a client sent it. It is consumed during ingest and never stored;
/// `Debug` is redacted so it cannot reach a log line by accident.
#[derive(Clone, Default, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(transparent)]
pub struct EmailInput(pub String);

impl fmt::Debug for EmailInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmailInput(<redacted>)")
    }
}

/// One NDJSON line of `POST /v1/ingest` / `profiled ingest`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    /// The source's stable identifier (e.g. a public profile URL); the identity when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_key: Option<String>,
    /// Where this sighting comes from; `"unknown"` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When the source showed the profile (RFC 3339); defaults to now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Accepted instead of `first_name` + `last_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<String>,
    /// Consumed: teaches the company's email pattern and is kept only as a keyed hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub email: Option<EmailInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<CompanyInput>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEntry>,
}

/// An office location. `country` is ISO 3166-1 alpha-2.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Location {
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub postcode: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    /// Size band, e.g. `"51-200"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employees: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub technologies: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// One past or current position.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    /// `YYYY-MM`.
    #[serde(default)]
    pub from: Option<String>,
    /// `YYYY-MM`; absent while current.
    #[serde(default)]
    pub to: Option<String>,
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

/// A profile as sled keeps it (postcard-encoded in the `profiles` tree).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct ProfileRecord {
    pub person_key: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub job_title: Option<String>,
    pub skills: Vec<String>,
    pub phone: Option<String>,
    pub location: Option<Location>,
    pub company: Option<CompanyId>,
    pub history: Vec<HistoryEntry>,
    pub sources: Vec<Sighting>,
    pub email_keys: Vec<EmailKey>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ProfileRecord {
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

/// A company as sled keeps it (postcard-encoded in the `companies` tree).
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

// ---- responses -------------------------------------------------------------------------

/// A profile as clients see it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Profile {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_key: Option<String>,
    pub full_name: String,
    pub first_name: String,
    pub last_name: String,
    pub job_title: Option<String>,
    pub skills: Vec<String>,
    pub location: Option<Location>,
    pub phone: Option<String>,
    pub company: Option<CompanyView>,
    pub history: Vec<HistoryEntry>,
    /// Built on the fly from the company's email pattern; never stored.
    pub email: Option<EmailSuggestion>,
    pub sources: Vec<SourceView>,
    pub created_at: String,
    pub updated_at: String,
}

impl Profile {
    /// One field as it appears in the profile's JSON (`None` when the JSON leaves it out or
    /// there is no such field): enrichment serialises only the fields a job asked for.
    pub fn field(&self, name: &str) -> Option<serde_json::Value> {
        fn json<T: Serialize>(value: &T) -> Option<serde_json::Value> {
            serde_json::to_value(value).ok()
        }
        match name {
            "id" => json(&self.id),
            "person_key" => self.person_key.as_ref().and_then(json),
            "full_name" => json(&self.full_name),
            "first_name" => json(&self.first_name),
            "last_name" => json(&self.last_name),
            "job_title" => json(&self.job_title),
            "skills" => json(&self.skills),
            "location" => json(&self.location),
            "phone" => json(&self.phone),
            "company" => json(&self.company),
            "history" => json(&self.history),
            "email" => json(&self.email),
            "sources" => json(&self.sources),
            "created_at" => json(&self.created_at),
            "updated_at" => json(&self.updated_at),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CompanyView {
    pub id: String,
    pub name: String,
    pub domain: Option<String>,
    pub aliases: Vec<String>,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub employees: Option<u32>,
    pub technologies: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct EmailSuggestion {
    pub suggested: String,
    pub pattern: String,
    pub confidence: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct SourceView {
    pub name: String,
    pub first_seen: String,
    pub last_seen: String,
}

/// Reply of an ingest.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct IngestReport {
    pub created: u64,
    pub updated: u64,
    /// Lines that matched an erasure suppression entry and were dropped.
    pub suppressed: u64,
    pub rejected: Vec<RejectedLine>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RejectedLine {
    /// 1-based line number in the request body or file.
    pub line: u64,
    pub error: String,
}

// ---- lookup ----------------------------------------------------------------------------

/// What a client knows about the person it asks for.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LookupRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    /// A company name, a domain or a URL.
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub email: Option<EmailInput>,
    /// Hex SHA-256 of the lower-cased address.
    #[serde(default)]
    pub email_sha256: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub postcode: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    /// Answers below this confidence are reported as `none`.
    #[serde(default)]
    pub min_confidence: Option<f64>,
    /// How many alternatives to return (default 3, at most 20).
    #[serde(default)]
    pub candidates: Option<usize>,
    /// Add each field's contribution to the answer (`explain`).
    #[serde(default)]
    pub explain: Option<bool>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LookupStatus {
    Match,
    Ambiguous,
    None,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LookupResult {
    pub status: LookupStatus,
    pub confidence: f64,
    pub matched_on: Vec<String>,
    pub profile: Option<Profile>,
    pub candidates: Vec<Candidate>,
    /// With `explain: true`: each field's contribution (log-odds) to the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<Vec<Contribution>>,
}

/// How much one field spoke for (positive) or against (negative) a match, in log-odds.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Contribution {
    pub field: String,
    pub log_odds: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub confidence: f64,
    pub full_name: String,
    pub company: Option<String>,
    /// With `explain: true`: this candidate's field contributions (log-odds), to compare
    /// with the answer's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<Vec<Contribution>>,
}
