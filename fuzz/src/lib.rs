//! What the fuzz targets share: one small engine per fuzzing process (a temp data
//! directory with generated profiles, so lookups and enrichment find real candidates),
//! and the property checks more than one target asserts.

use profiled::clock::SystemClock;
use profiled::gen::{write_ndjson, GenOptions};
use profiled::{Engine, EngineConfig};
use serde_json::Value;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Unix seconds the targets treat as now (2026-09-21), so runs are repeatable.
pub const NOW: i64 = 1_790_000_000;

struct Fixture {
    _dir: tempfile::TempDir,
    engine: Engine,
}

/// The shared engine: 2,000 generated profiles plus a few hand-written ones, searchable.
pub fn engine() -> &'static Engine {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    &FIXTURE
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("a temp dir for the fuzz engine");
            let config = EngineConfig {
                cache_bytes: 16 << 20,
                ..EngineConfig::new(dir.path())
            };
            let engine =
                Engine::open(config, Arc::new(SystemClock)).expect("the fuzz engine opens");
            let mut data = Vec::new();
            let options = GenOptions {
                count: 2_000,
                seed: 15,
                now: NOW,
            };
            write_ndjson(&options, &mut data).expect("generated profiles");
            data.extend_from_slice(FIXED_PROFILES.as_bytes());
            let (report, seq) = engine.ingest_ndjson(&data, 1).expect("fixture ingest");
            assert!(report.rejected.is_empty(), "{:?}", report.rejected);
            engine
                .wait_searchable_blocking(seq, Duration::from_secs(120))
                .expect("fixture searchable");
            Fixture { _dir: dir, engine }
        })
        .engine
}

/// Profiles the seed corpora name, so seeds reach `match` and `ambiguous` answers.
const FIXED_PROFILES: &str = r#"{"first_name":"Jane","last_name":"Doe","job_title":"Head of Sales","email":"jane.doe@acme.nl","location":{"country":"NL","city":"Rotterdam","postcode":"3013 AK"},"company":{"name":"Acme B.V.","domain":"acme.nl"}}
{"first_name":"Jürgen","last_name":"Müller","job_title":"CTO","location":{"country":"DE","city":"München"},"company":{"name":"Müller Bau GmbH & Co. KG","domain":"mueller-bau.de"}}
{"first_name":"John","last_name":"Smith","location":{"country":"GB","city":"London"},"company":{"name":"Smith Ltd"}}
{"first_name":"John","last_name":"Smith","location":{"country":"GB","city":"Leeds"},"company":{"name":"Smith Ltd"}}
"#;

/// Asserts `message` (an error a client or a report gets) carries no control character
/// and does not echo any distinctive string value of `input` (a JSON value the caller
/// sent): errors name fields, lines and limits, never a personal datum. Object keys
/// that read as field names are structure, not data: "unknown field `x`" may name them.
pub fn assert_no_echo(message: &str, input: &Value) {
    assert!(
        !message.chars().any(char::is_control),
        "control character in an error message: {message:?}"
    );
    let mut strings = Vec::new();
    collect_strings(input, &mut strings);
    for text in strings {
        assert_not_echoed(message, text);
    }
}

/// Asserts `message` does not contain `text` when `text` is distinctive: at least 8
/// characters and holding one (non-ASCII, `@`, `"`) that no fixed error wording has, so a
/// match cannot be a coincidence with the wording (upper case is not distinctive: the
/// fuzzer found the wording "malformed JSON at line 1 column 2" itself as an input).
pub fn assert_not_echoed(message: &str, text: &str) {
    let distinctive = text.chars().count() >= 8
        && text
            .chars()
            .any(|c| !c.is_ascii() || matches!(c, '@' | '"'));
    assert!(
        !(distinctive && message.contains(text)),
        "an error message echoes input: {message:?}"
    );
}

fn collect_strings<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => {
            for (key, v) in map {
                // Keys are structure ("unknown field `x`" may name one), unless they hold
                // what no field name does.
                if !key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
                {
                    out.push(key);
                }
                collect_strings(v, out);
            }
        }
        _ => {}
    }
}
