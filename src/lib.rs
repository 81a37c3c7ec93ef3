//! `profiled` keeps a searchable database of business profiles (people in their work
//! role and their companies), keeps it fresh, and answers lookups over a small HTTP API.
//!
//! Data flows one way: edge → engine → store / index.
//!
//! | module | role |
//! |---|---|
//! | [`http`] | the HTTP edge: routes, bearer-key scopes, problem+json, OpenAPI |
//! | [`server`] | the daemon lifecycle: start, serve, graceful stop |
//! | [`engine`] | the one API both edges call: ingest, get, lookup |
//! | [`enrich_file`] | offline enrichment of a CSV or NDJSON file (`profiled enrich`) |
//! | [`store`] | sled, the system of record, with the outbox feeding the index |
//! | [`index`] | tantivy, a derived view, the single indexer that feeds it, candidate retrieval (every retrieval stage), and per-segment typo dictionaries |
//! | [`matching`] | normalisation, index/query terms, nicknames, the scoring model, the in-memory match table (no index types) |
//! | [`email`] | keyed email hashes and company email-pattern statistics |
//! | [`model`] | wire shapes and stored records |
//! | [`config`] | flags, `PROFILED_*` environment, TOML file; validation |
//! | [`metrics`] | Prometheus metrics |
//! | [`clock`] | injectable time |
//! | [`gen`] | the deterministic sample-data generator |
//! | [`sample`] | the built-in data set of `serve --sample` |
//! | [`error`] | the error type and its stable code → HTTP status table |

pub mod clock;
pub mod config;
pub mod email;
pub mod engine;
pub mod enrich_file;
pub mod error;
pub mod gen;
pub mod http;
pub mod index;
pub mod matching;
pub mod metrics;
pub mod model;
pub mod sample;
pub mod server;
pub mod store;

pub use engine::{Engine, EngineConfig};
pub use error::{Error, Result};
