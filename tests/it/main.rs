//! The integration tests: one binary (one link, one build) that starts the real daemon —
//! in-process on port 0 over a temp dir, or as the `profiled` binary — and uses it as a
//! client would. One module per user-visible area; `support` holds the shared helpers.

mod clients;
mod crash_loop;
mod daemon;
mod deletion_lists;
mod disk_full;
mod enrich;
mod enrich_cli;
mod freshness;
mod model;
mod privacy;
mod process;
mod purge;
mod rights;
mod search;
mod security;
mod support;
