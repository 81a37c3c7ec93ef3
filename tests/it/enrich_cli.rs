//! `profiled enrich` as a user runs it: the real binary over a data directory filled by
//! `profiled ingest`, on CSV and NDJSON files.

use serde_json::Value;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PEOPLE: &str = r#"{"first_name":"Jane","last_name":"Doe","job_title":"Head of Sales","email":"jane.doe@acme.nl","location":{"country":"NL","city":"Amsterdam","postcode":"1012 AB"},"company":{"name":"Acme B.V.","domain":"acme.nl"}}
{"first_name":"Sanne","last_name":"Bakker","job_title":"Marketing Manager","email":"sanne.bakker@acme.nl","location":{"country":"NL","city":"Amsterdam"},"company":{"name":"Acme B.V.","domain":"acme.nl"}}
{"first_name":"Jürgen","last_name":"Müller","job_title":"Bauleiter","email":"juergen.mueller@mueller-bau.de","location":{"country":"DE","city":"München","postcode":"80331"},"company":{"name":"Müller Bau GmbH","domain":"mueller-bau.de"}}
{"first_name":"Ada","last_name":"Lovelace","job_title":"Analyst","location":{"country":"GB","city":"London"},"company":{"name":"Analytical Engines Ltd","domain":"engines.example"}}
"#;

/// A temp dir with a data directory that holds [`PEOPLE`].
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let people = dir.path().join("people.ndjson");
        std::fs::write(&people, PEOPLE).expect("write people");
        let fixture = Self { dir };
        let out = fixture.profiled("ingest", &[people.as_os_str()]);
        assert!(out.status.success(), "ingest: {}", stderr(&out));
        fixture
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, text).expect("write input");
        path
    }

    /// Runs `profiled SUBCOMMAND --data-dir DATA ARGS…`.
    fn profiled(&self, subcommand: &str, args: &[&OsStr]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_profiled"))
            .arg(subcommand)
            .arg("--data-dir")
            .arg(self.path("data"))
            .args(args)
            .env("PROFILED_LOG", "warn")
            .output()
            .expect("run profiled")
    }

    fn enrich(&self, input: &Path, output: &Path, flags: &[&str]) -> Output {
        let mut args = vec![input.as_os_str(), output.as_os_str()];
        args.extend(flags.iter().map(OsStr::new));
        self.profiled("enrich", &args)
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn csv_rows_keep_their_order_and_columns_and_gain_results() {
    let fixture = Fixture::new();
    let input = fixture.write(
        "leads.csv",
        "Lead ID,Full Name,Company,Website,E-mail,Notes\n\
         1,Jane Doe,ACME BV,,,\"met at a fair, call back\"\n\
         2,,,,jane.doe@acme.nl,email only\n\
         3,Jürgen Müller,,mueller-bau.de,,name and domain\n\
         4,Quentin Nobody,Acme B.V.,,,unknown person\n\
         5,,Acme B.V.,,,neither name nor email\n",
    );
    let output = fixture.path("leads-enriched.csv");
    let out = fixture.enrich(&input, &output, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = stdout(&out);
    assert!(
        summary.starts_with("enriched 5 records in "),
        "summary: {summary}"
    );
    assert!(
        summary
            .trim_end()
            .ends_with("records/s): 3 match, 0 ambiguous, 1 none, 1 errors"),
        "summary: {summary}"
    );

    let mut reader = csv::Reader::from_path(&output).expect("read output");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "Lead ID",
            "Full Name",
            "Company",
            "Website",
            "E-mail",
            "Notes",
            "profiled_status",
            "profiled_confidence",
            "profiled_full_name",
            "profiled_job_title",
            "profiled_company_name",
            "profiled_company_domain",
            "profiled_location_city",
            "profiled_location_country",
            "profiled_email_suggested",
            "profiled_email_confidence",
            "profiled_id",
            "profiled_error",
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let cells = |name: &str| -> Vec<&str> { rows.iter().map(|r| &r[column(name)]).collect() };

    assert_eq!(cells("Lead ID"), ["1", "2", "3", "4", "5"]);
    assert_eq!(rows[0][5], *"met at a fair, call back");
    assert_eq!(rows[2][1], *"Jürgen Müller");
    assert_eq!(
        cells("profiled_status"),
        ["match", "match", "match", "none", "error"]
    );
    assert_eq!(
        cells("profiled_job_title"),
        ["Head of Sales", "Head of Sales", "Bauleiter", "", ""]
    );
    assert_eq!(
        cells("profiled_company_domain"),
        ["acme.nl", "acme.nl", "mueller-bau.de", "", ""]
    );
    assert_eq!(cells("profiled_location_city")[2], "München");
    assert_eq!(cells("profiled_email_suggested")[0], "jane.doe@acme.nl");
    for row in &rows[..3] {
        let confidence: f64 = row[column("profiled_confidence")]
            .parse()
            .expect("confidence");
        assert!(confidence >= 0.5, "{confidence}");
        assert_eq!(row[column("profiled_id")].len(), 16, "{row:?}");
        assert_eq!(&row[column("profiled_error")], "");
    }
    assert_eq!(
        rows[0][column("profiled_id")],
        rows[1][column("profiled_id")]
    );
    assert_eq!(&rows[3][column("profiled_full_name")], "");
    assert!(
        rows[4][column("profiled_error")].contains("no name and no email"),
        "{:?}",
        rows[4]
    );
}

#[test]
fn ndjson_objects_keep_their_text_and_gain_a_profiled_key() {
    let fixture = Fixture::new();
    let lines = [
        r#"{"ref":1,"person":"Jane Doe","employer":{"name":"Acme B.V."},"name":"decoy"}"#,
        "this line is not JSON",
        r#"{"ref":3,"person":"Jürgen Müller","employer":{"name":"Müller Bau GmbH"}}"#,
        r#"{"ref":4,"mail":"sanne.bakker@acme.nl"}"#,
        r#"{"ref":5,"person":"Ada Lovelace","employer":{"name":"Nowhere Shipping Co"},"city":"Lima"}"#,
    ];
    let input = fixture.write("in.jsonl", &(lines.join("\n") + "\n"));
    let output = fixture.path("out.ndjson");
    let out = fixture.enrich(
        &input,
        &output,
        &[
            "--name-col",
            "person",
            "--company-col",
            "employer.name",
            "--email-col",
            "mail",
            "--fields",
            "job_title,company.domain",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(": 3 match, 0 ambiguous, 1 none, 1 errors"),
        "{}",
        stdout(&out)
    );

    let text = std::fs::read_to_string(&output).expect("output");
    let written: Vec<&str> = text.lines().collect();
    assert_eq!(written.len(), lines.len());
    // Input objects are kept byte for byte, `profiled` appended last.
    for i in [0, 2, 3, 4] {
        let kept = lines[i].strip_suffix('}').expect("object");
        assert!(
            written[i].starts_with(&format!("{kept},\"profiled\":")),
            "{}",
            written[i]
        );
    }
    let parsed: Vec<Value> = written
        .iter()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let status = |v: &Value| v["profiled"]["status"].as_str().map(str::to_owned);
    assert_eq!(status(&parsed[0]).as_deref(), Some("match"));
    assert_eq!(
        parsed[0]["profiled"]["profile"]["job_title"],
        "Head of Sales"
    );
    assert_eq!(
        parsed[0]["profiled"]["profile"]["company"]["domain"],
        "acme.nl"
    );
    // Only the selected fields (and `id`) are returned.
    let profile = parsed[0]["profiled"]["profile"]
        .as_object()
        .expect("profile");
    let mut keys: Vec<&str> = profile.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["company", "id", "job_title"]);

    assert_eq!(
        parsed[1]["profiled"]["error"]["code"], "invalid_request",
        "{}",
        written[1]
    );
    assert_eq!(parsed[2]["profiled"]["profile"]["job_title"], "Bauleiter");
    assert_eq!(parsed[2]["ref"], 3);
    assert_eq!(
        parsed[3]["profiled"]["profile"]["job_title"],
        "Marketing Manager"
    );
    assert_eq!(status(&parsed[4]).as_deref(), Some("none"));
}

#[test]
fn a_missing_named_column_fails_the_job_in_one_line() {
    let fixture = Fixture::new();
    let input = fixture.write("in.csv", "name,company\nJane Doe,Acme B.V.\n");
    let output = fixture.path("out.csv");
    let out = fixture.enrich(&input, &output, &["--email-col", "Work Email"]);
    assert!(!out.status.success());
    let message = stderr(&out);
    assert_eq!(message.trim_end().lines().count(), 1, "{message}");
    assert!(message.contains("`Work Email`"), "{message}");
    assert!(!output.exists(), "a failed job leaves no output");
}

#[test]
fn standard_streams_need_a_format() {
    let fixture = Fixture::new();
    let out = fixture.enrich(Path::new("-"), Path::new("-"), &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--format"), "{}", stderr(&out));

    let mut child = Command::new(env!("CARGO_BIN_EXE_profiled"))
        .args(["enrich", "--format", "csv", "--data-dir"])
        .arg(fixture.path("data"))
        .args(["-", "-"])
        .env("PROFILED_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(b"email\njane.doe@acme.nl\n")
            .expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("email,profiled_status,"), "{text}");
    assert!(
        text.lines()
            .nth(1)
            .expect("row")
            .starts_with("jane.doe@acme.nl,match,"),
        "{text}"
    );
    // The summary goes to stderr when stdout carries the records.
    assert!(
        stderr(&out).contains("enriched 1 records"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn chunks_matched_side_by_side_come_back_in_input_order() {
    let fixture = Fixture::new();
    // Several chunks of rows, each with its answer (match, none or error) known by index.
    let rows = 2 * 1000 + 517;
    let mut csv_text = String::from("n,name,company\n");
    let mut ndjson_text = String::new();
    for i in 0..rows {
        let (name, company) = match i % 3 {
            0 => ("Jane Doe", "Acme B.V."),
            1 => ("Quentin Nobody", "Acme B.V."),
            _ => ("", "Acme B.V."),
        };
        csv_text.push_str(&format!("{i},{name},{company}\n"));
        ndjson_text.push_str(&format!(
            "{{\"n\":{i},\"name\":\"{name}\",\"company\":\"{company}\"}}\n"
        ));
    }
    let expected = |i: usize| ["match", "none", "error"][i % 3];
    let input = fixture.write("many.csv", &csv_text);
    let output = fixture.path("many-out.csv");
    let out = fixture.enrich(&input, &output, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut reader = csv::Reader::from_path(&output).expect("read output");
    let status = reader
        .headers()
        .expect("header")
        .iter()
        .position(|h| h == "profiled_status")
        .expect("status column");
    let written: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(written.len(), rows);
    for (i, row) in written.iter().enumerate() {
        assert_eq!(row[0].parse::<usize>().expect("n"), i);
        assert_eq!(&row[status], expected(i), "row {i}");
    }
    let input = fixture.write("many.ndjson", &ndjson_text);
    let output = fixture.path("many-out.ndjson");
    let out = fixture.enrich(&input, &output, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&output).expect("read output");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), rows);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["n"], i, "{line}");
        let answer = &line["profiled"];
        let status = match answer["status"].as_str() {
            Some(status) => status,
            None if answer["error"].is_object() => "error",
            None => "",
        };
        assert_eq!(status, expected(i), "{line}");
    }
}
