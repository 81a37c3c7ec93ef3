//! The served OpenAPI document: utoipa's, generated from the handlers' annotations, then
//! completed from the code so that it cannot drift from what the server does:
//!
//! - every operation lists the errors the edge can answer it with — 401/403 where the
//!   route needs a key (the scope from its `security` requirement, also given as
//!   `x-required-scope`), 400/413/415 where it takes a body, 400 where it takes
//!   parameters, 507 (a full disk) where it needs a key, and 405/500/503 everywhere — each as a problem+json [`Problem`];
//! - `Problem.code` is the enum of the error table's codes ([`Code::ALL`]);
//! - the limits the engine enforces (`candidates`, `limit`, `min_confidence`) come from
//!   its constants;
//! - the enrich record (a lookup request with `metadata`) and the NDJSON enrich and
//!   ingest bodies are described.
//!
//! [`Problem`]: super::Problem

use super::ApiDoc;
use crate::error::Code;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;
use utoipa::OpenApi;

/// The content type `/metrics` serves.
pub const METRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// `x-required-scope` of a route that takes any valid key, whatever its scopes.
pub const ANY_KEY: &str = "any";

/// The completed document (built once).
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).expect("the document serialises");
        complete(&mut doc);
        doc
    })
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    })
}

/// Title of the first code with this status in the error table.
fn title_of(status: u16) -> &'static str {
    Code::ALL
        .iter()
        .find(|c| c.status() == status)
        .map_or("Error", |c| c.title())
}

fn complete(doc: &mut Value) {
    complete_schemas(doc);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (_method, operation) in item.iter_mut() {
            if let Some(operation) = operation.as_object_mut() {
                complete_operation(path, operation);
            }
        }
    }
}

fn complete_operation(path: &str, operation: &mut Map<String, Value>) {
    // A bearer requirement without a scope takes any valid key.
    let scope = operation
        .get("security")
        .and_then(Value::as_array)
        .and_then(|reqs| reqs.iter().find_map(|r| r.get("bearer")))
        .and_then(Value::as_array)
        .map(|scopes| {
            scopes
                .first()
                .and_then(Value::as_str)
                .unwrap_or(ANY_KEY)
                .to_owned()
        });
    let takes_body = operation.contains_key("requestBody");
    let takes_parameters = operation
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|p| !p.is_empty());
    let responses = operation
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("responses is an object");
    let mut add = |status: u16, description: &str| {
        let entry = responses
            .entry(status.to_string())
            .or_insert_with(|| problem(description));
        if entry.get("description").and_then(Value::as_str) == Some("") {
            entry["description"] = Value::from(description);
        }
    };
    if let Some(scope) = &scope {
        add(
            401,
            "No key, or an unknown one: send `Authorization: Bearer <key>` (when the daemon has keys configured)",
        );
        let needs = match scope.as_str() {
            ANY_KEY => None,
            "admin" => Some("The key lacks the `admin` scope".to_owned()),
            scope => Some(format!("The key lacks the `{scope}` scope (or `admin`)")),
        };
        let guard = "the key may not be used from the request's browser origin (`origin_not_allowed`), or (open mode) the Host is not one the daemon answers to (`host_not_allowed`)";
        match needs {
            Some(needs) => add(403, &format!("{needs}, {guard}")),
            None => add(
                403,
                &format!("The key {}", guard.trim_start_matches("the key ")),
            ),
        }
        add(
            507,
            "The data directory's disk is full (`disk_full`, with `Retry-After`): writes are refused until space is freed, and nothing acknowledged is lost; a read is refused only while the disclosure log is too far behind to record what it would disclose",
        );
        add(
            429,
            "The key's rate limit (`rate_limited`) or daily quota (`quota_exceeded`) is reached; `Retry-After` says when to retry, `RateLimit-Limit`/`RateLimit-Remaining`/`RateLimit-Reset` describe the limit",
        );
    } else {
        add(
            403,
            "A browser origin no CORS list allows (`origin_not_allowed`), or (open mode) a Host the daemon does not answer to (`host_not_allowed`)",
        );
    }
    if takes_body || takes_parameters {
        add(400, "Invalid request: the detail says what to send instead");
    }
    if takes_body {
        add(413, "The body is over the size limit");
        add(415, "The body's content type is not one this route takes");
    }
    if path.contains('{') {
        add(404, title_of(404));
    }
    add(405, "This path does not take that method");
    add(
        500,
        "The server could not complete the request; the error was logged",
    );
    add(
        503,
        "The daemon is shutting down, is at its limit of requests in flight (`overloaded`, with `Retry-After`), or the request took longer than the request timeout",
    );
    // Fill any description utoipa left empty (an OpenAPI response needs one).
    for (status, response) in responses.iter_mut() {
        if response.get("description").and_then(Value::as_str) == Some("") {
            let status = status.parse().unwrap_or(200);
            response["description"] = Value::from(if status < 300 {
                "Success"
            } else {
                title_of(status)
            });
        }
    }
    if let Some(scope) = scope {
        let quota = match path {
            "/v1/lookup" => " Counts one record against the key's daily quota.",
            "/v1/profiles/{id}" if scope == "lookup" => {
                " Counts one record against the key's daily quota."
            }
            "/v1/enrich" => " Counts each record against the key's daily quota: a JSON batch that does not fit is refused whole (429), a streamed job's records past the quota are answered with `quota_exceeded` errors in their place.",
            _ => "",
        };
        let needs = match scope.as_str() {
            ANY_KEY => "Needs a valid key, whatever its scopes.".to_owned(),
            "admin" => "Needs a key with the `admin` scope.".to_owned(),
            scope => format!("Needs a key with the `{scope}` scope (or `admin`)."),
        };
        let description = operation
            .get("description")
            .and_then(Value::as_str)
            .map(|d| format!("{d}\n\n"))
            .unwrap_or_default();
        operation.insert(
            "description".into(),
            Value::from(format!("{description}{needs}{quota}")),
        );
        operation.insert("x-required-scope".into(), Value::from(scope));
    }
    match path {
        "/v1/enrich" => {
            complete_enrich(operation);
            if let Some(fields) = operation
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
                .and_then(|ps| ps.iter_mut().find(|p| p["name"] == "fields"))
            {
                fields["schema"]["pattern"] = Value::from(format!(
                    "^({0}(,{0})*)?$",
                    field_pattern()
                        .trim_start_matches('^')
                        .trim_end_matches('$')
                ));
            }
        }
        "/metrics" => {
            operation["responses"]["200"]["content"] =
                json!({ METRICS_CONTENT_TYPE: {"schema": {"type": "string"}} });
        }
        _ => {}
    }
}

/// The NDJSON forms of enrich: a record a line in, a result a line out.
fn complete_enrich(operation: &mut Map<String, Value>) {
    operation["requestBody"]["content"]["application/x-ndjson"] = json!({
        "schema": {"$ref": "#/components/schemas/EnrichRecord"}
    });
    operation["responses"]["200"]["content"]["application/x-ndjson"] = json!({
        "schema": {"$ref": "#/components/schemas/EnrichResult"}
    });
}

fn complete_schemas(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    if let Some(code) = schemas
        .get_mut("Problem")
        .and_then(|p| p.pointer_mut("/properties/code"))
    {
        let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        *code = json!({"type": "string", "enum": codes, "description": "Stable error code; see the README's error table"});
    }
    if let Some(status) = schemas
        .get_mut("Problem")
        .and_then(|p| p.pointer_mut("/properties/status"))
    {
        let mut statuses: Vec<u16> = Code::ALL.iter().map(|c| c.status()).collect();
        statuses.sort_unstable();
        statuses.dedup();
        *status = json!({"type": "integer", "enum": statuses});
    }
    let confidence = json!({"type": ["number", "null"], "minimum": 0.0, "maximum": 1.0});
    if let Some(lookup) = schemas.get_mut("LookupRequest") {
        lookup["properties"]["candidates"]["maximum"] =
            Value::from(crate::index::retrieval::MAX_CANDIDATES);
        set_range(&mut lookup["properties"]["min_confidence"], &confidence);
    }
    if let Some(search) = schemas.get_mut("SearchRequest") {
        search["properties"]["limit"]["minimum"] = Value::from(1);
        search["properties"]["limit"]["maximum"] = Value::from(crate::engine::search::MAX_LIMIT);
    }
    if let Some(enrich) = schemas.get_mut("EnrichRequest") {
        enrich["properties"]["records"]["items"] =
            json!({"$ref": "#/components/schemas/EnrichRecord"});
        set_range(&mut enrich["properties"]["min_confidence"], &confidence);
        enrich["properties"]["fields"]["description"] = Value::from(FIELDS_DESCRIPTION);
        enrich["properties"]["fields"]["items"] =
            json!({"type": "string", "pattern": field_pattern()});
    }
    // An enrich record is a lookup request with an optional `metadata`, echoed back.
    if let Some(mut record) = schemas.get("LookupRequest").cloned() {
        record["description"] = Value::from(
            "A lookup request with an optional `metadata` value, echoed back with its result",
        );
        record["properties"]["metadata"] =
            json!({"description": "Any JSON value; returned unchanged with the record's result"});
        schemas.insert("EnrichRecord".into(), record);
    }
}

/// A field selection's syntax as a regular expression, from the selectable fields.
fn field_pattern() -> String {
    format!(
        "^(id|{})(\\.[a-z_]+)*$",
        crate::engine::enrich::PROFILE_FIELDS.join("|")
    )
}

/// Copies `minimum`/`maximum` from `range` onto a numeric property.
fn set_range(property: &mut Value, range: &Value) {
    if let Some(property) = property.as_object_mut() {
        property.insert("minimum".into(), range["minimum"].clone());
        property.insert("maximum".into(), range["maximum"].clone());
    }
}

/// How `fields` is written, on every edge.
pub const FIELDS_DESCRIPTION: &str = "Profile fields to return (default all; `id` always): a top-level field (`company`) or a dotted path into one (`company.domain`, `location.city`)";
