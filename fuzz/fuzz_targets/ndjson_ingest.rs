//! NDJSON ingest parsing (`profiled::engine::ingest::prepare_ndjson`, what `POST
//! /v1/ingest` and `profiled ingest` run before writing) on arbitrary bodies.
//!
//! Properties: one result per non-blank line, numbered as the body numbers them; a
//! rejected line's error has no control character and does not echo the line; an
//! accepted line has a foldable name, a trimmed source, a `seen_at` within the allowed
//! skew; and its normalised input, serialised and prepared again, is accepted with the
//! same id, names, company and time (normalisation is stable through the wire).
#![no_main]

use libfuzzer_sys::fuzz_target;
use profiled::engine::ingest::{prepare_ndjson, InputLimits};
use profiled::matching::normalize::fold;
use profiled_fuzz::{assert_no_echo, assert_not_echoed, NOW};

fuzz_target!(|data: &[u8]| {
    let limits = InputLimits::default();
    let results = prepare_ndjson(data, 1, NOW, &limits);
    let expected_lines: Vec<u64> = data
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let lines: Vec<u64> = results
        .iter()
        .map(|r| match r {
            Ok(prepared) => prepared.line,
            Err(rejected) => rejected.line,
        })
        .collect();
    assert_eq!(
        lines, expected_lines,
        "one result per non-blank line, in order"
    );

    let raw_lines: Vec<&[u8]> = data.split(|b| *b == b'\n').collect();
    for result in results {
        match result {
            Err(rejected) => {
                let raw = raw_lines[rejected.line as usize - 1];
                match serde_json::from_slice::<serde_json::Value>(raw) {
                    Ok(value) => assert_no_echo(&rejected.error, &value),
                    Err(_) => {
                        assert!(!rejected.error.chars().any(char::is_control));
                        if let Ok(text) = std::str::from_utf8(raw) {
                            assert_not_echoed(&rejected.error, text.trim());
                        }
                    }
                }
            }
            Ok(prepared) => {
                assert!(
                    !fold(&format!("{} {}", prepared.first_name, prepared.last_name)).is_empty()
                );
                assert_eq!(prepared.first_name.trim(), prepared.first_name);
                assert_eq!(prepared.last_name.trim(), prepared.last_name);
                assert!(!prepared.source.is_empty());
                assert_eq!(prepared.source.trim(), prepared.source);
                assert!(prepared.seen_at <= NOW + limits.max_future_skew_secs);

                let again = serde_json::to_vec(&prepared.input).expect("input serialises");
                let mut reparsed = prepare_ndjson(&again, 1, NOW, &limits);
                assert_eq!(reparsed.len(), 1);
                let second = match reparsed.pop() {
                    Some(Ok(second)) => second,
                    Some(Err(rejected)) => panic!(
                        "a prepared line re-serialised is rejected: {}",
                        rejected.error
                    ),
                    None => unreachable!(),
                };
                assert_eq!(second.id, prepared.id, "the id moved on re-serialising");
                assert_eq!(second.first_name, prepared.first_name);
                assert_eq!(second.last_name, prepared.last_name);
                assert_eq!(second.seen_at, prepared.seen_at);
                assert_eq!(second.source, prepared.source);
                assert_eq!(
                    second.company.as_ref().map(|(id, _)| *id),
                    prepared.company.as_ref().map(|(id, _)| *id),
                    "the company moved on re-serialising"
                );
            }
        }
    }
});
