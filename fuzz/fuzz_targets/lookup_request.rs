//! Lookup request parsing and validation: the JSON body of `POST /v1/lookup` parsed as
//! the HTTP edge parses it, then answered by an engine holding real profiles.
//!
//! Properties: a parsed request re-serialises to JSON that parses to the same request;
//! a parse error's message has no control character and echoes nothing; the engine
//! answers a valid request with a confidence in [0, 1], a profile exactly when the status
//! is not `none`, at most the asked number of candidates (each in [0, 1], best first), or
//! rejects it as `invalid_request` with a message that echoes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profiled::model::{LookupRequest, LookupStatus};
use profiled_fuzz::{assert_no_echo, assert_not_echoed, engine};

fuzz_target!(|data: &[u8]| {
    let request: LookupRequest = match profiled::json::from_slice(data) {
        Ok(request) => request,
        Err(err) => {
            let message = err.0;
            assert!(!message.chars().any(char::is_control));
            match serde_json::from_slice::<serde_json::Value>(data) {
                Ok(value) => assert_no_echo(&message, &value),
                Err(_) => {
                    if let Ok(text) = std::str::from_utf8(data) {
                        assert_not_echoed(&message, text.trim());
                    }
                }
            }
            return;
        }
    };
    let json = serde_json::to_value(&request).expect("a request serialises");
    let again: LookupRequest =
        serde_json::from_value(json.clone()).expect("a serialised request parses");
    assert_eq!(
        serde_json::to_value(&again).expect("serialises"),
        json,
        "a request does not survive re-serialising"
    );

    match engine().lookup(&request, &"fuzz".into()) {
        Ok(result) => {
            assert!(
                (0.0..=1.0).contains(&result.confidence),
                "{}",
                result.confidence
            );
            assert_eq!(
                result.profile.is_some(),
                result.status != LookupStatus::None,
                "status {:?} with profile {}",
                result.status,
                result.profile.is_some()
            );
            let asked = request.candidates.unwrap_or(3);
            assert!(result.candidates.len() <= asked, "{asked} asked");
            for pair in result.candidates.windows(2) {
                assert!(
                    pair[0].confidence >= pair[1].confidence,
                    "candidates out of order"
                );
            }
            for candidate in &result.candidates {
                assert!((0.0..=1.0).contains(&candidate.confidence));
            }
            serde_json::to_vec(&result).expect("a result serialises");
        }
        Err(err) => {
            assert_eq!(err.code(), "invalid_request", "{err}");
            assert_no_echo(&err.to_string(), &json);
        }
    }
});
