//! The wire types: what clients send (`*Input`, [`LookupRequest`]) and what they receive
//! ([`Profile`], [`LookupResult`]), and the ids both sides share.
//!
//! The stored records are apart, in [`crate::store::record`]: the stored form changes only
//! with a store format version while the HTTP contract (`../shared/API.md`) stays put.

use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;
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

// ---- search -----------------------------------------------------------------------------

/// `POST /v1/search`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    /// Free text over name, job title, skills and company name; every word must match.
    /// At most 200 characters; no query syntax.
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub filters: Option<SearchFilters>,
    /// Fields to count values of among all matches: `country`, `city`, `industry`, `size`.
    #[serde(default)]
    pub facets: Vec<String>,
    /// Hits per page: default 20, at most 100.
    #[serde(default)]
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page (same query and filters).
    #[serde(default)]
    pub cursor: Option<String>,
}

/// Filters: AND between fields, OR within a list. Each value is a string or a list of
/// strings (at most 20).
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchFilters {
    /// ISO 3166-1 alpha-2 code, any case.
    #[serde(default)]
    pub country: Option<OneOrMany>,
    /// The whole city name; case, diacritics and punctuation are ignored.
    #[serde(default)]
    pub city: Option<OneOrMany>,
    /// The whole industry; case, diacritics and punctuation are ignored.
    #[serde(default)]
    pub industry: Option<OneOrMany>,
    /// Company name, domain or URL (a name matches companies whose name or alias holds all
    /// of its words, legal forms ignored; a domain or URL matches that domain).
    #[serde(default)]
    pub company: Option<OneOrMany>,
    /// Free text: every word must be in the job title.
    #[serde(default)]
    pub title: Option<String>,
    /// Every listed skill must match (all of its words).
    #[serde(default)]
    pub skills: Option<OneOrMany>,
    /// Company size band, e.g. `"51-200"`.
    #[serde(default)]
    pub size: Option<OneOrMany>,
}

/// A string, or a list of strings.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn values(&self) -> &[String] {
        match self {
            OneOrMany::One(value) => std::slice::from_ref(value),
            OneOrMany::Many(values) => values,
        }
    }
}

/// Value → number of profiles, most frequent first (ties by value).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValueCounts(pub Vec<(String, u64)>);

impl Serialize for ValueCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(value, count)| (value, count)))
    }
}

/// One page of search results.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    /// Profiles matching the query and filters (all pages).
    pub total: u64,
    /// Best first: score descending, then id ascending.
    pub hits: Vec<Profile>,
    /// Per requested facet: value → count among all matches, top 20.
    #[schema(value_type = HashMap<String, HashMap<String, u64>>)]
    pub facets: BTreeMap<String, ValueCounts>,
    /// Present only when more hits follow; pass it back as `cursor`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `GET /v1/stats`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Stats {
    pub profiles: u64,
    pub companies: u64,
    /// Profiles per country code, most first.
    #[schema(value_type = HashMap<String, u64>)]
    pub by_country: ValueCounts,
    /// Profiles per company industry, most first.
    #[schema(value_type = HashMap<String, u64>)]
    pub by_industry: ValueCounts,
    /// Profiles per company size band, most first.
    #[schema(value_type = HashMap<String, u64>)]
    pub by_size: ValueCounts,
    /// Days since profiles were last seen, against the retention window.
    pub freshness: Freshness,
}

/// Profiles by age of their newest sighting, against the retention window.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct Freshness {
    /// Profiles no source has shown for this many days are deleted by the sweeper.
    pub retention_days: u32,
    /// Width of each age bucket in days (the last one may be narrower).
    pub bucket_days: u32,
    /// Profiles by days since their newest sighting, newest first, covering the window.
    pub by_age: Vec<AgeBucket>,
    /// Older than the window: the next sweep deletes them.
    pub overdue: u64,
    /// Deleted within 30 days unless a source shows them again (overdue included).
    pub expiring_30_days: u64,
    /// Deleted within 90 days unless a source shows them again (overdue included).
    pub expiring_90_days: u64,
}

/// Profiles last seen more than `from_days` and at most `to_days` days ago (the first
/// bucket also holds sightings dated now or later).
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct AgeBucket {
    pub from_days: u32,
    pub to_days: u32,
    pub profiles: u64,
}

// ---- freshness --------------------------------------------------------------------------

/// `POST /v1/sightings`: a source showed these profiles again.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SightingsRequest {
    pub source: String,
    /// When the source showed them (RFC 3339); defaults to now.
    #[serde(default)]
    pub seen_at: Option<String>,
    /// Profile ids (16 hex digits).
    #[serde(default)]
    pub ids: Vec<String>,
    /// Or the sources' stable identifiers (`person_key` at ingest).
    #[serde(default)]
    pub person_keys: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct SightingsReport {
    pub refreshed: u64,
    /// Ids and keys that name no stored profile; the rest of the batch is applied.
    pub unknown: Vec<String>,
}

/// What one sweep removed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct SweepReport {
    pub expired_profiles: u64,
    pub expired_companies: u64,
    pub email_hashes_removed: u64,
    /// Profiles whose newest sighting is older than this (RFC 3339) were removed.
    pub cutoff: String,
    pub duration_ms: u64,
}

// ---- privacy ----------------------------------------------------------------------------

/// Who a data-subject request is about, by exactly one of: `email`, `email_sha256` (hex,
/// or base64 as in the CPPA's deletion lists), `phone`, `name` with `company`, `id`, or
/// `person_key`; and under which law it is made.
#[derive(Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub email: Option<EmailInput>,
    /// SHA-256 of the trimmed, lower-cased address: 64 hex digits or 44 base64 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The full name; goes with `company`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A company name, domain or URL; goes with `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// A profile id (16 hex digits), e.g. one of the candidates of an earlier answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The source's stable identifier of the person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_key: Option<String>,
    /// `gdpr` (default; due in one month) or `ccpa` (due in 45 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<Jurisdiction>,
    /// An open request (from `POST /v1/privacy/requests`) that this operation carries
    /// out, once the subject's identity is verified; without it the operation is
    /// recorded as a new request, received and completed now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// `Debug` names only which identifiers were given, never their values.
impl fmt::Debug for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subject")
            .field("email", &self.email.is_some())
            .field("email_sha256", &self.email_sha256.is_some())
            .field("phone", &self.phone.is_some())
            .field("name", &self.name.is_some())
            .field("company", &self.company.is_some())
            .field("id", &self.id.is_some())
            .field("person_key", &self.person_key.is_some())
            .field("jurisdiction", &self.jurisdiction)
            .field("request_id", &self.request_id.is_some())
            .finish()
    }
}

/// The law a data-subject request is made under.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Jurisdiction {
    /// GDPR Art. 12(3): within one month of receipt.
    #[default]
    Gdpr,
    /// CCPA/CPRA: within 45 days.
    Ccpa,
}

/// How a data-subject request ended.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PrivacyOutcome {
    /// The profile and everything derived from it are gone; its identifiers are suppressed.
    Erased,
    /// No profile fits the identification; nothing changed.
    NotFound,
    /// Several profiles fit; nothing changed. Choose one of `candidates` by `id`.
    Ambiguous,
    /// The profile is kept but hidden from every client-facing path.
    Restricted,
    /// The restriction was lifted.
    Unrestricted,
    /// The given fields now hold what the subject asserted.
    Rectified,
    /// The access export was produced.
    Disclosed,
    /// The request is recorded and waits to be carried out.
    Open,
}

impl PrivacyOutcome {
    pub fn name(self) -> &'static str {
        match self {
            Self::Erased => "erased",
            Self::NotFound => "not_found",
            Self::Ambiguous => "ambiguous",
            Self::Restricted => "restricted",
            Self::Unrestricted => "unrestricted",
            Self::Rectified => "rectified",
            Self::Disclosed => "disclosed",
            Self::Open => "open",
        }
    }
}

/// The right a data-subject request exercises.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// Art. 15 GDPR, the CCPA right to know.
    Access,
    /// Art. 17 GDPR, a CCPA deletion.
    Erase,
    /// Art. 21(2) GDPR: an objection to direct marketing, carried out as erasure.
    Object,
    /// Art. 18 GDPR.
    Restrict,
    /// A CCPA opt-out of sale or sharing, carried out as restriction.
    OptOut,
    /// Lifting a restriction.
    Unrestrict,
    /// Art. 16 GDPR.
    Rectify,
}

impl RequestKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Erase => "erase",
            Self::Object => "object",
            Self::Restrict => "restrict",
            Self::OptOut => "opt_out",
            Self::Unrestrict => "unrestrict",
            Self::Rectify => "rectify",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::Access,
            Self::Erase,
            Self::Object,
            Self::Restrict,
            Self::OptOut,
            Self::Unrestrict,
            Self::Rectify,
        ]
        .into_iter()
        .find(|kind| kind.name() == name)
    }
}

/// `POST /v1/privacy/requests`: records a request before the subject's identity is
/// verified; the operation that carries it out later names its `request_id`.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenRequest {
    pub kind: RequestKind,
    pub subject: Subject,
}

/// `POST /v1/privacy/restrict`.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestrictRequest {
    pub subject: Subject,
    /// `true` restricts (also a CCPA opt-out: say so with `opt_out`); `false` lifts it.
    pub restricted: bool,
    /// The restriction is a CCPA opt-out of sale or sharing (recorded as such).
    #[serde(default)]
    pub opt_out: bool,
}

/// `PATCH /v1/profiles/{id}`: the fields the subject asserts. Each given field replaces
/// the stored one and no later ingest overwrites it (until erasure).
#[derive(Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rectification {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<Jurisdiction>,
    /// An open request this carries out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// `Debug` names only which fields were given.
impl fmt::Debug for Rectification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rectification")
            .field("first_name", &self.first_name.is_some())
            .field("last_name", &self.last_name.is_some())
            .field("job_title", &self.job_title.is_some())
            .field("phone", &self.phone.is_some())
            .field("skills", &self.skills.is_some())
            .field("location", &self.location.is_some())
            .finish()
    }
}

/// A data-subject request as `GET /v1/privacy/requests` lists it.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct PrivacyRequestView {
    pub request_id: String,
    pub kind: String,
    pub jurisdiction: String,
    /// RFC 3339.
    pub received: String,
    pub due: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Open past its due date.
    pub overdue: bool,
    /// The name of the key that opened it.
    pub opened_by: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct PrivacyRequests {
    pub requests: Vec<PrivacyRequestView>,
}

/// One thing a client must be told about a profile it received (Art. 19 GDPR).
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct Notice {
    /// Pass as `since` to get what came after.
    pub cursor: String,
    pub profile_id: String,
    /// `erased`, `rectified`, `restricted` or `unrestricted`.
    pub change: String,
    /// The rectified fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// RFC 3339.
    pub at: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct Notices {
    pub notices: Vec<Notice>,
    /// The cursor to ask with next time (the last notice's, or the one asked with).
    pub next: String,
}

/// The receipt of a data-subject request.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct PrivacyReceipt {
    /// The request's id, to quote and to find it in `GET /v1/privacy/requests`.
    pub request_id: String,
    pub outcome: PrivacyOutcome,
    /// RFC 3339.
    pub received: String,
    /// When the law wants it answered (RFC 3339).
    pub due: String,
    /// The profiles the identification fits when it fits several.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<Candidate>,
}

/// `POST /v1/privacy/access`: everything held about a subject (Art. 15 GDPR, the CCPA
/// right to know).
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct AccessExport {
    pub receipt: PrivacyReceipt,
    /// RFC 3339.
    pub generated: String,
    /// Absent when the identification fits nobody or several (see the receipt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<HeldData>,
    /// The same export as plain text, a letter a privacy officer can send as it is (also
    /// served alone with `Accept: text/plain`).
    pub text: String,
}

/// What is held about one person.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct HeldData {
    /// The profile as clients receive it (company record and suggested email included).
    pub profile: Profile,
    /// Where each field came from.
    pub provenance: Vec<FieldProvenance>,
    /// The keyed email hashes held (never an address): which pattern derived each, and
    /// whether a source showed it.
    pub email_hashes: Vec<HeldEmailHash>,
    /// Restricted since (RFC 3339), when restricted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted_since: Option<String>,
    /// Fields the subject rectified.
    pub rectified: Vec<String>,
    pub processing: Processing,
    /// Every disclosure of this profile: the named recipient (client key), when, by
    /// which operation, and which fields.
    pub disclosures: Vec<DisclosureView>,
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct FieldProvenance {
    pub field: String,
    /// A source name, or `subject` for a rectified field.
    pub source: String,
    /// When that source first and last showed the profile (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct HeldEmailHash {
    /// The keyed hash (hex).
    pub hash: String,
    /// The company pattern that derived it, or `observed`.
    pub pattern: String,
    pub observed: bool,
}

/// The processing facts (from the operator's configuration) and the subject's rights.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct Processing {
    pub controller: String,
    pub contact: String,
    pub purposes: Vec<String>,
    pub legal_basis: String,
    /// Profiles no source has shown for this many days are deleted.
    pub retention_days: i64,
    /// Disclosure records are kept this many days.
    pub disclosure_log_retention_days: u32,
    pub source_category: String,
    pub rights: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct DisclosureView {
    pub recipient: String,
    /// RFC 3339.
    pub at: String,
    pub operation: String,
    pub fields: Vec<String>,
}
