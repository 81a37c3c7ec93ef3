//! Batch enrichment: many lookups at once, each record's result (or error) in input
//! order with its `metadata` echoed. Identical inputs are matched once; matching runs on
//! the rayon pool, off the async runtime.

use super::{lookup, view, Engine};
use crate::audit::Disclosed;
use crate::error::Error;
use crate::model::{Candidate, LookupRequest, LookupResult, LookupStatus};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::ToSchema;

/// Options that apply to every record of a batch.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct EnrichOptions {
    /// Default `min_confidence` for records that do not set their own.
    #[serde(default)]
    pub min_confidence: Option<f64>,
    /// Profile fields to return (default: all), each a top-level field (`company`) or a
    /// dotted path into one (`company.domain`); see [`parse_fields`]. `id` is always
    /// returned.
    #[serde(default)]
    pub fields: Option<Vec<String>>,
}

/// Reads a field selection as both edges take it (`--fields`, `?fields=`, the JSON
/// `fields`): a top-level profile field (`company`) or a dotted path into one
/// (`company.domain`, `location.city`, `history.title`). Checks each path's head and
/// returns the paths trimmed, in order, without repeats.
pub fn parse_fields<S: AsRef<str>>(fields: &[S]) -> Result<Vec<String>, Error> {
    let mut out: Vec<String> = Vec::with_capacity(fields.len());
    for field in fields {
        let field = field.as_ref().trim();
        let head = field_head(field);
        let well_formed = !field.split('.').any(str::is_empty);
        if !well_formed || (head != "id" && !PROFILE_FIELDS.contains(&head)) {
            return Err(Error::invalid(format!(
                "unknown profile field in fields; a field is one of id, {} or a dotted path into one (company.domain)",
                PROFILE_FIELDS.join(", ")
            )));
        }
        if !out.iter().any(|f| f == field) {
            out.push(field.to_owned());
        }
    }
    Ok(out)
}

/// The top-level profile field a path starts with.
fn field_head(path: &str) -> &str {
    path.split('.').next().unwrap_or(path)
}

impl EnrichOptions {
    /// Whether the selected fields show anything of the company record: its view, or
    /// the email address suggested from its pattern. Without them the answer's company
    /// is not read (a sled read and a decode per record).
    fn shows_company(&self) -> bool {
        self.fields.as_ref().is_none_or(|fields| {
            fields
                .iter()
                .any(|f| matches!(field_head(f), "company" | "email"))
        })
    }
}

/// One record's outcome: a lookup result (with the profile reduced to the selected
/// fields), or the record's error.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(untagged)]
pub enum EnrichResult {
    Matched {
        status: LookupStatus,
        confidence: f64,
        matched_on: Vec<String>,
        profile: Option<Value>,
        candidates: Vec<Candidate>,
        #[serde(skip_serializing_if = "Option::is_none")]
        metadata: Option<Value>,
    },
    Failed {
        error: RecordError,
        #[serde(skip_serializing_if = "Option::is_none")]
        metadata: Option<Value>,
    },
}

/// Why one record could not be looked up; the batch goes on.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RecordError {
    pub code: String,
    pub message: String,
}

/// Profile fields a client may select with `fields`.
pub const PROFILE_FIELDS: &[&str] = &[
    "person_key",
    "full_name",
    "first_name",
    "last_name",
    "job_title",
    "skills",
    "location",
    "phone",
    "company",
    "history",
    "email",
    "sources",
    "created_at",
    "updated_at",
];

impl RecordError {
    pub fn invalid(message: impl Into<String>) -> Self {
        Self {
            code: "invalid_request".into(),
            message: message.into(),
        }
    }
}

impl EnrichOptions {
    /// Checks the options once per batch.
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(min) = self.min_confidence {
            if !(0.0..=1.0).contains(&min) {
                return Err(Error::invalid("min_confidence must lie in [0, 1]"));
            }
        }
        if let Some(fields) = &self.fields {
            parse_fields(fields)?;
        }
        Ok(())
    }
}

impl Engine {
    /// Looks up every record; results come back in input order.
    /// A record may arrive already failed (e.g. a malformed NDJSON line): its error is
    /// reported in its place.
    pub fn enrich(
        &self,
        records: Vec<Result<Value, RecordError>>,
        options: &EnrichOptions,
        recipient: &Arc<str>,
    ) -> Vec<EnrichResult> {
        self.enrich_pool
            .install(|| self.enrich_on_pool(records, options, recipient))
    }

    /// [`Engine::enrich`], run on the enrichment pool (see [`enrich_pool`]).
    fn enrich_on_pool(
        &self,
        records: Vec<Result<Value, RecordError>>,
        options: &EnrichOptions,
        recipient: &Arc<str>,
    ) -> Vec<EnrichResult> {
        // Parsing, matching and assembling all run on the pool: done on the calling
        // thread, parsing and assembling alone would hold enrichment to one core's pace.
        let parsed: Vec<ParsedRecord> = records
            .into_par_iter()
            .map(|record| match record {
                Ok(record) => parse_record(record, options),
                Err(error) => (Err(error), None),
            })
            .collect();
        // Identical inputs are matched once.
        let mut unique: HashMap<&str, usize> = HashMap::new();
        let mut work: Vec<&LookupRequest> = Vec::new();
        for (request, _) in &parsed {
            if let Ok((key, request)) = request {
                unique.entry(key.as_str()).or_insert_with(|| {
                    work.push(request);
                    work.len() - 1
                });
            }
        }
        let mut answers: Vec<Result<Answer, RecordError>> = work
            .par_iter()
            .map(|request| {
                lookup::lookup(self, request, options.shows_company())
                    .map(|result| project(result, options.fields.as_deref()))
                    .map_err(|err| record_error(&err))
            })
            .collect();
        let disclosed = answers
            .iter_mut()
            .filter_map(|answer| answer.as_mut().ok())
            .flat_map(|answer| std::mem::take(&mut answer.disclosed))
            .collect();
        if let Err(err) = self.disclose(recipient, "enrich", disclosed) {
            // Nothing is sent that the disclosure log could not record.
            let error = record_error(&err);
            for answer in answers.iter_mut().filter(|answer| answer.is_ok()) {
                *answer = Err(error.clone());
            }
        }
        // Each answer is moved into the last record that asked for it and cloned for the
        // others: most records of a job are unique, and a profile is the bulk of a result.
        let slots: Vec<Result<usize, RecordError>> = parsed
            .iter()
            .map(|(request, _)| match request {
                Ok((key, _)) => Ok(unique[key.as_str()]),
                Err(error) => Err(error.clone()),
            })
            .collect();
        let mut last_use = vec![0; answers.len()];
        for (i, slot) in slots.iter().enumerate() {
            if let Ok(answer) = slot {
                last_use[*answer] = i;
            }
        }
        let metadata = parsed.into_iter().map(|(_, metadata)| metadata);
        slots
            .into_iter()
            .zip(metadata)
            .enumerate()
            .map(|(i, (slot, metadata))| {
                let outcome = match slot {
                    Err(error) => Err(error),
                    Ok(answer) if last_use[answer] == i => std::mem::replace(
                        &mut answers[answer],
                        Err(RecordError::invalid(String::new())),
                    ),
                    Ok(answer) => answers[answer].clone(),
                };
                match outcome {
                    Ok(answer) => EnrichResult::Matched {
                        status: answer.status,
                        confidence: answer.confidence,
                        matched_on: answer.matched_on,
                        profile: answer.profile,
                        candidates: answer.candidates,
                        metadata,
                    },
                    Err(error) => EnrichResult::Failed { error, metadata },
                }
            })
            .collect()
    }
}

/// Threads of the enrichment pool per core.
///
/// A batch's records are mostly people no lookup has touched lately, so each answer's
/// sled read is often a disk read: at 1M profiles with the page cache dropped, the first
/// enrichment of 20,000 records read ~350 MB and left the cores 30% idle. With more
/// threads than cores, some compute while others wait: 2 threads gave 4,648–4,711
/// records/s, 8 threads 9,769–10,162 and 16 threads 7,511–13,364 (two runs each); with
/// the store cached, 8 threads gave the same as 2 (19,847–20,820 against 18,877–20,614).
const ENRICH_THREADS_PER_CORE: usize = 4;
/// Niceness of the enrichment threads: a batch job's CPU goes to interactive lookups
/// first.
const ENRICH_NICENESS: libc::c_int = 5;

/// The threads batch enrichment runs on (the HTTP routes and `profiled enrich`), apart
/// from rayon's global pool.
pub(crate) fn enrich_pool() -> Result<rayon::ThreadPool, Error> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(super::cores() * ENRICH_THREADS_PER_CORE)
        .thread_name(|i| format!("enrich-{i}"))
        .start_handler(|_| lower_priority())
        .build()
        .map_err(|err| Error::Internal(format!("enrichment threads: {err}")))
}

/// Raises the calling thread's niceness; a failure only leaves it at the process's. Only
/// on Linux, whose niceness is per thread: elsewhere `PRIO_PROCESS` would lower the
/// whole daemon's.
#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: gettid and setpriority take and return plain integers.
    let failed = unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        // Never less nice than the daemon was started.
        let started = libc::getpriority(libc::PRIO_PROCESS, tid);
        libc::setpriority(libc::PRIO_PROCESS, tid, started.max(ENRICH_NICENESS)) != 0
    };
    if failed {
        tracing::debug!("enrichment thread keeps the process's priority");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

/// A record read as a lookup (keyed by its canonical text for de-duplication), with its
/// `metadata`.
type ParsedRecord = (Result<(String, LookupRequest), RecordError>, Option<Value>);

/// Splits off `metadata`, reads the rest as a lookup, and keys it for de-duplication.
fn parse_record(record: Value, options: &EnrichOptions) -> ParsedRecord {
    let Value::Object(mut fields) = record else {
        return (
            Err(RecordError::invalid("a record must be a JSON object")),
            None,
        );
    };
    let metadata = fields.remove("metadata");
    if options.min_confidence.is_some() && !fields.contains_key("min_confidence") {
        fields.insert(
            "min_confidence".into(),
            options
                .min_confidence
                .map(Value::from)
                .unwrap_or(Value::Null),
        );
    }
    let key = serde_json::to_string(&fields).unwrap_or_default();
    let request = crate::json::from_value::<LookupRequest>(&Value::Object(fields))
        .map(|request| (key, request))
        .map_err(|err| RecordError::invalid(format!("invalid record: {err}")));
    (request, metadata)
}

fn record_error(err: &Error) -> RecordError {
    if err.is_client_error() {
        RecordError {
            code: err.code().into(),
            message: err.to_string(),
        }
    } else {
        tracing::error!(code = err.code(), error = %err, "enrich record failed");
        RecordError {
            code: err.code().into(),
            message: "the server could not complete this record; the error was logged".into(),
        }
    }
}

/// A lookup result with the profile as JSON, reduced to the selected fields.
#[derive(Clone)]
struct Answer {
    status: LookupStatus,
    confidence: f64,
    matched_on: Vec<String>,
    profile: Option<Value>,
    candidates: Vec<Candidate>,
    /// What this answer discloses, for the disclosure log.
    disclosed: Vec<Disclosed>,
}

/// Keeps only the selected profile fields (and `id`); a dotted path keeps only that part
/// of its field (`company.domain` → `{"company":{"domain":…}}`).
fn project(result: LookupResult, fields: Option<&[String]>) -> Answer {
    let mut disclosed = view::disclosed_by_answer(&result.profile, &result.candidates);
    if let (Some(fields), Some(_), Some(item)) = (fields, &result.profile, disclosed.first_mut()) {
        // The log names fields as `view::disclosed` does: the name's parts are `name`.
        let heads: Vec<&str> = fields
            .iter()
            .map(|f| match field_head(f) {
                "full_name" | "first_name" | "last_name" => "name",
                head => head,
            })
            .collect();
        item.fields.retain(|field| heads.contains(field));
    }
    let profile = result.profile.and_then(|profile| match fields {
        None => serde_json::to_value(profile).ok(),
        Some(fields) => {
            let mut out = Map::new();
            if let Some(id) = profile.field("id") {
                out.insert("id".to_owned(), id);
            }
            for field in fields {
                let head = field_head(field);
                if out.contains_key(head) {
                    continue;
                }
                let Some(value) = profile.field(head) else {
                    continue;
                };
                out.insert(head.to_owned(), prune(value, &under(fields, head)));
            }
            Some(Value::Object(out))
        }
    });
    Answer {
        status: result.status,
        confidence: result.confidence,
        matched_on: result.matched_on,
        profile,
        candidates: result.candidates,
        disclosed,
    }
}

/// What the paths starting with `head` name below it (`company.domain` → `domain`; the
/// bare `company` → the empty path, all of it).
fn under<'a, S: AsRef<str>>(paths: &'a [S], head: &str) -> Vec<&'a str> {
    paths
        .iter()
        .map(AsRef::as_ref)
        .filter(|p| field_head(p) == head)
        .map(|p| p.get(head.len() + 1..).unwrap_or(""))
        .collect()
}

/// Keeps the parts of `value` the dotted `paths` name (an empty path keeps it whole);
/// lists are pruned element by element.
fn prune(value: Value, paths: &[&str]) -> Value {
    if paths.iter().any(|p| p.is_empty()) {
        return value;
    }
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(|v| prune(v, paths)).collect()),
        Value::Object(mut object) => {
            let mut out = Map::new();
            for path in paths {
                let key = field_head(path);
                let Some(inner) = object.remove(key) else {
                    continue;
                };
                out.insert(key.to_owned(), prune(inner, &under(paths, key)));
            }
            Value::Object(out)
        }
        scalar => scalar,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CompanyView, EmailSuggestion, Location, Profile, SourceView};

    /// The pool's threads run below the caller's priority, so lookups come first.
    #[cfg(target_os = "linux")]
    #[test]
    fn enrichment_threads_are_niced() {
        let own_niceness = || {
            // SAFETY: gettid and getpriority take and return plain integers.
            unsafe {
                let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
                libc::getpriority(libc::PRIO_PROCESS, tid)
            }
        };
        let caller = own_niceness();
        let pool = enrich_pool().unwrap();
        let on_pool = pool.install(own_niceness);
        // A daemon started nicer than that keeps its own.
        assert_eq!(on_pool, caller.max(ENRICH_NICENESS));
        assert!(pool.current_num_threads() >= ENRICH_THREADS_PER_CORE);
    }

    fn profile(person_key: Option<&str>) -> Profile {
        Profile {
            id: "0123456789abcdef".into(),
            person_key: person_key.map(str::to_owned),
            full_name: "Jane Doe".into(),
            first_name: "Jane".into(),
            last_name: "Doe".into(),
            job_title: None,
            skills: vec!["sales".into()],
            location: Some(Location {
                city: Some("Rotterdam".into()),
                ..Location::default()
            }),
            phone: None,
            company: Some(CompanyView {
                id: "fedcba9876543210".into(),
                name: "Acme B.V.".into(),
                domain: Some("acme.nl".into()),
                aliases: Vec::new(),
                industry: None,
                size: None,
                employees: None,
                technologies: Vec::new(),
            }),
            history: Vec::new(),
            email: Some(EmailSuggestion {
                suggested: "jane.doe@acme.nl".into(),
                pattern: "{first}.{last}".into(),
                confidence: 0.9,
            }),
            sources: vec![SourceView {
                name: "public-web".into(),
                first_seen: "2026-01-01T00:00:00Z".into(),
                last_seen: "2026-02-01T00:00:00Z".into(),
            }],
            created_at: "2026-01-01T00:00:00Z".into(),
            updated_at: "2026-02-01T00:00:00Z".into(),
        }
    }

    /// Field-by-field projection must give exactly what the whole profile's JSON holds.
    #[test]
    fn each_selectable_field_is_serialised_as_in_the_whole_profile() {
        for person_key in [None, Some("https://profiles.example/in/jane")] {
            let profile = profile(person_key);
            let Value::Object(whole) = serde_json::to_value(&profile).expect("json") else {
                panic!("a profile is an object");
            };
            for (name, value) in &whole {
                assert!(
                    name == "id" || PROFILE_FIELDS.contains(&name.as_str()),
                    "{name} is selectable"
                );
                assert_eq!(profile.field(name).as_ref(), Some(value), "{name}");
            }
            for name in PROFILE_FIELDS {
                assert_eq!(profile.field(name).as_ref(), whole.get(*name), "{name}");
            }
            let fields = ["company".to_owned(), "person_key".to_owned()];
            let result = LookupResult {
                status: LookupStatus::Match,
                confidence: 0.9,
                matched_on: Vec::new(),
                profile: Some(profile),
                candidates: Vec::new(),
                explain: None,
            };
            let projected = project(result, Some(&fields)).profile.expect("profile");
            let expected: Map<String, Value> = whole
                .into_iter()
                .filter(|(name, _)| ["id", "company", "person_key"].contains(&name.as_str()))
                .collect();
            assert_eq!(projected, Value::Object(expected));
        }
    }

    #[test]
    fn dotted_fields_keep_only_that_part_of_their_field() {
        let fields = parse_fields(&["company.domain", " location.city", "company.name", "id"])
            .expect("valid");
        let result = LookupResult {
            status: LookupStatus::Match,
            confidence: 0.9,
            matched_on: Vec::new(),
            profile: Some(profile(None)),
            candidates: Vec::new(),
            explain: None,
        };
        let projected = project(result, Some(&fields)).profile.expect("profile");
        assert_eq!(
            projected,
            serde_json::json!({"id": "0123456789abcdef",
                "company": {"domain": "acme.nl", "name": "Acme B.V."},
                "location": {"city": "Rotterdam"}})
        );
        for bad in ["compnay.name", "company..name", "", "company."] {
            assert!(parse_fields(&[bad]).is_err(), "{bad}");
        }
    }
}
