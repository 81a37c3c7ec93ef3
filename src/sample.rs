//! The built-in sample data set, so `profiled serve --sample` answers queries at once:
//! a few hand-written showcase profiles (the README's examples use them) plus profiles
//! from the deterministic generator.

use crate::engine::Engine;
use crate::error::Result;
use crate::gen::{write_ndjson, GenOptions};
use crate::ndjson::{chunks, BATCH_LINES};

/// Hand-written profiles the README's examples refer to.
pub const SHOWCASE: &str = include_str!("sample.ndjson");
/// Generated profiles added to the showcase.
pub const SAMPLE_COUNT: u64 = 10_000;
pub const SAMPLE_SEED: u64 = 42;

/// Loads the sample when the store is empty; returns how many profiles it added.
pub fn load_if_empty(engine: &Engine, now: i64) -> Result<u64> {
    if engine.counts()?.profiles > 0 {
        return Ok(0);
    }
    let mut created = 0;
    let (report, _) = engine.ingest_ndjson(SHOWCASE.as_bytes(), 1)?;
    created += report.created;
    let mut generated = Vec::new();
    write_ndjson(
        &GenOptions {
            count: SAMPLE_COUNT,
            seed: SAMPLE_SEED,
            now,
        },
        &mut generated,
    )?;
    for chunk in chunks(&generated, BATCH_LINES) {
        let (report, _) = engine.ingest_ndjson(chunk, 1)?;
        created += report.created;
    }
    tracing::info!(profiles = created, "loaded the built-in sample data set");
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn showcase_lines_parse() {
        for line in SHOWCASE.lines() {
            serde_json::from_str::<crate::model::ProfileInput>(line).expect("showcase line");
        }
    }
}
