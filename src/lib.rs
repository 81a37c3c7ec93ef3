//! `profiled` keeps a searchable database of business profiles (people in their work
//! role and their companies), keeps it fresh, and answers lookups over a small HTTP API.
//!
//! Data flows one way: edge → engine → store / index. `ARCHITECTURE.md` at the root says
//! which module answers which question and follows a write and a lookup through them.
//!
//! | module | role |
//! |---|---|
//! | [`http`] | the HTTP edge: routes, bearer-key scopes, problem+json, OpenAPI, CORS, the embedded console |
//! | [`server`] | the daemon lifecycle: start, serve, graceful stop |
//! | [`engine`] | the one API both edges call (ingest, sightings, sweep, lookup, enrich, search, check), its one write path, and the domain rules |
//! | [`enrich_file`] | offline enrichment of a CSV or NDJSON file (`profiled enrich`) |
//! | [`store`] | sled, the system of record: stored record types, a typed write set that derives every secondary entry, typed reads, the outbox feeding the index, its own consistency check |
//! | [`index`] | tantivy (the only module that calls it), a derived view: schema, the single indexer that feeds it and the match table, search and facets, candidate retrieval (every retrieval stage), per-segment typo dictionaries |
//! | [`matching`] | normalisation, index/query terms, nicknames, the scoring model, the in-memory match table (no index types) |
//! | [`email`] | keyed email hashes and company email-pattern statistics |
//! | [`ndjson`] | NDJSON framing: numbered lines, chunks, the one line-length limit |
//! | [`model`] | the wire types (requests, responses) and ids; stored records are in [`store::record`] |
//! | [`config`] | one resolution for every command: flags, `PROFILED_*` environment, TOML file, defaults; validation |
//! | [`audit`] | the hash-chained disclosure log (who received which profile), its group-commit writer, retention and verification |
//! | [`fsutil`] | owner-only files and directories |
//! | [`metrics`] | Prometheus metrics |
//! | [`clock`] | injectable time |
//! | [`gen`] | the deterministic sample-data generator |
//! | [`sample`] | the built-in data set of `serve --sample` |
//! | [`json`] | strict decoding of client JSON, with messages that name only the API's fields |
//! | [`error`] | the error type and its stable code → HTTP status table |

pub mod audit;
pub mod clock;
pub mod config;
pub mod email;
pub mod engine;
pub mod enrich_file;
pub mod error;
pub mod fsutil;
pub mod gen;
pub mod http;
pub mod index;
pub mod json;
pub mod matching;
pub mod metrics;
pub mod model;
pub mod ndjson;
pub mod sample;
pub mod server;
pub mod store;

pub use engine::{Engine, EngineConfig};
pub use error::{Error, Result};
