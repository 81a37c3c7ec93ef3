//! Batch enrichment: many lookups at once, each record's result (or error) in input
//! order with its `metadata` echoed. Identical inputs are matched once; matching runs on
//! the rayon pool, off the async runtime.

use super::Engine;
use crate::error::{describe_json_error, Error};
use crate::model::{Candidate, LookupRequest, LookupResult, LookupStatus};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use utoipa::ToSchema;

/// Options that apply to every record of a batch.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct EnrichOptions {
    /// Default `min_confidence` for records that do not set their own.
    #[serde(default)]
    pub min_confidence: Option<f64>,
    /// Profile fields to return (default: all). `id` is always returned.
    #[serde(default)]
    pub fields: Option<Vec<String>>,
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
            if let Some(unknown) = fields
                .iter()
                .find(|f| !PROFILE_FIELDS.contains(&f.as_str()))
            {
                return Err(Error::invalid(format!(
                    "unknown profile field `{unknown}` in fields"
                )));
            }
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
    ) -> Vec<EnrichResult> {
        // Parsing, matching and assembling all run on the rayon pool: done on the calling
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
        let answers: Vec<Result<Answer, RecordError>> = work
            .par_iter()
            .map(|request| {
                self.lookup(request)
                    .map(|result| project(result, options.fields.as_deref()))
                    .map_err(|err| record_error(&err))
            })
            .collect();
        parsed
            .par_iter()
            .map(|(request, metadata)| {
                let metadata = metadata.clone();
                match request {
                    Ok((key, _)) => match &answers[unique[key.as_str()]] {
                        Ok(answer) => EnrichResult::Matched {
                            status: answer.status,
                            confidence: answer.confidence,
                            matched_on: answer.matched_on.clone(),
                            profile: answer.profile.clone(),
                            candidates: answer.candidates.clone(),
                            metadata,
                        },
                        Err(error) => EnrichResult::Failed {
                            error: error.clone(),
                            metadata,
                        },
                    },
                    Err(error) => EnrichResult::Failed {
                        error: error.clone(),
                        metadata,
                    },
                }
            })
            .collect()
    }
}

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
    let key = Value::Object(fields.clone()).to_string();
    let request = serde_json::from_value::<LookupRequest>(Value::Object(fields))
        .map(|request| (key, request))
        .map_err(|err| {
            RecordError::invalid(format!("invalid record: {}", describe_json_error(&err)))
        });
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
struct Answer {
    status: LookupStatus,
    confidence: f64,
    matched_on: Vec<String>,
    profile: Option<Value>,
    candidates: Vec<Candidate>,
}

/// Keeps only the selected profile fields (and `id`).
fn project(result: LookupResult, fields: Option<&[String]>) -> Answer {
    let profile = result
        .profile
        .and_then(|p| serde_json::to_value(p).ok())
        .map(|value| match (value, fields) {
            (Value::Object(all), Some(fields)) => Value::Object(
                all.into_iter()
                    .filter(|(k, _)| k == "id" || fields.iter().any(|f| f == k))
                    .collect::<Map<String, Value>>(),
            ),
            (value, _) => value,
        });
    Answer {
        status: result.status,
        confidence: result.confidence,
        matched_on: result.matched_on,
        profile,
        candidates: result.candidates,
    }
}
