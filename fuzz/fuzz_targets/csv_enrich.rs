//! CSV enrichment input (`profiled enrich`, src/enrich_file.rs) on arbitrary files, with
//! auto-detected columns, against an engine holding real profiles.
//!
//! Properties: the job succeeds (a bad row is reported in its place, never fails the
//! file); the output is well-formed CSV with one row per input record plus the header,
//! every row as wide as the header plus the appended columns; each input row of the
//! header's width comes back byte for byte; each status is one of match, ambiguous,
//! none, error, counted as the summary says; an error message echoes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profiled::enrich_file::{enrich_file, FileOptions, Format};
use profiled_fuzz::{assert_not_echoed, engine};

fuzz_target!(|data: &[u8]| {
    let options = FileOptions::new(Format::Csv);
    let mut output = Vec::new();
    let summary = enrich_file(engine(), data, &mut output, &options, |_| {}, |_, _| {})
        .expect("a CSV job fails only on I/O");

    let read = |bytes: &[u8]| -> Vec<csv::ByteRecord> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes)
            .byte_records()
            .collect::<Result<_, _>>()
            .expect("CSV from memory reads")
    };
    let input = read(data);
    let out = read(&output);
    let Some(header) = input.first() else {
        assert!(output.is_empty() && summary.records == 0);
        return;
    };
    assert_eq!(out.len(), input.len(), "one output row per input record");
    assert_eq!(summary.records as usize, input.len() - 1);
    let width = header.len();
    let appended = options.fields.len() + 3;
    let (mut matched, mut ambiguous, mut none, mut errors) = (0, 0, 0, 0);
    for (i, (row_in, row_out)) in input.iter().zip(&out).enumerate() {
        assert_eq!(
            row_out.len(),
            width + appended,
            "row {i} has the wrong width"
        );
        if row_in.len() == width {
            assert!(
                row_in.iter().eq(row_out.iter().take(width)),
                "row {i}: the input fields did not come back as they were"
            );
        }
        if i == 0 {
            continue;
        }
        match &row_out[width] {
            b"match" => matched += 1,
            b"ambiguous" => ambiguous += 1,
            b"none" => none += 1,
            b"error" => {
                errors += 1;
                let message = String::from_utf8_lossy(&row_out[width + appended - 1]);
                assert!(!message.is_empty() && !message.chars().any(char::is_control));
                for field in row_in.iter() {
                    assert_not_echoed(&message, String::from_utf8_lossy(field).trim());
                }
            }
            other => panic!("row {i}: status {:?}", String::from_utf8_lossy(other)),
        }
    }
    assert_eq!(
        (matched, ambiguous, none, errors),
        (
            summary.matched,
            summary.ambiguous,
            summary.none,
            summary.errors
        )
    );
});
