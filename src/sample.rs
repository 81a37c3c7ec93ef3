//! The built-in sample data set, so `profiled serve --sample` answers queries at once:
//! a few hand-written showcase profiles (the README's examples use them) plus profiles
//! from the deterministic generator.

use crate::engine::Engine;
use crate::error::Result;
use crate::gen::{write_ndjson, GenOptions};

/// Hand-written profiles the README's examples refer to.
pub const SHOWCASE: &str = include_str!("sample.ndjson");
/// Generated profiles added to the showcase.
pub const SAMPLE_COUNT: u64 = 10_000;
pub const SAMPLE_SEED: u64 = 42;
/// Lines per ingest batch when loading files or samples.
pub const BATCH_LINES: usize = 5_000;

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
    for chunk in line_chunks(&generated, BATCH_LINES) {
        let (report, _) = engine.ingest_ndjson(chunk, 1)?;
        created += report.created;
    }
    tracing::info!(profiles = created, "loaded the built-in sample data set");
    Ok(created)
}

/// Splits NDJSON into slices of at most `lines` whole lines.
pub fn line_chunks(data: &[u8], lines: usize) -> impl Iterator<Item = &[u8]> {
    let mut rest = data;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut end = 0;
        for _ in 0..lines.max(1) {
            match rest[end..].iter().position(|b| *b == b'\n') {
                Some(i) => end += i + 1,
                None => {
                    end = rest.len();
                    break;
                }
            }
            if end >= rest.len() {
                break;
            }
        }
        let (chunk, tail) = rest.split_at(end);
        rest = tail;
        Some(chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_whole_lines() {
        let data = b"a\nb\nc\nd";
        let chunks: Vec<&[u8]> = line_chunks(data, 2).collect();
        assert_eq!(chunks, vec![&b"a\nb\n"[..], &b"c\nd"[..]]);
        assert_eq!(line_chunks(b"", 3).count(), 0);
    }

    #[test]
    fn showcase_lines_parse() {
        for line in SHOWCASE.lines() {
            serde_json::from_str::<crate::model::ProfileInput>(line).expect("showcase line");
        }
    }
}
