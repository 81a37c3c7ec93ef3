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

/// Runs `profiled ARGS…` with quiet logs.
fn run_profiled(args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_profiled"))
        .args(args)
        .env("PROFILED_LOG", "warn")
        .output()
        .expect("run profiled")
}

/// Issue 12.2: an offline command other than `ingest` on a directory without a store used
/// to create an empty store and answer from it (`enrich`: every record `none`, exit 0).
#[test]
fn offline_commands_refuse_a_data_dir_without_a_store_and_create_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("leads.csv");
    std::fs::write(&input, "name,company\nJane Doe,Acme B.V.\n").expect("write input");
    let output = dir.path().join("out.csv");
    for data in [dir.path().join("missing"), dir.path().join("empty")] {
        if data.ends_with("empty") {
            std::fs::create_dir(&data).expect("empty dir");
        }
        let before = data.exists();
        let commands: [Vec<&OsStr>; 4] = [
            vec![
                "enrich".as_ref(),
                "--data-dir".as_ref(),
                data.as_os_str(),
                input.as_os_str(),
                output.as_os_str(),
            ],
            vec!["sweep".as_ref(), "--data-dir".as_ref(), data.as_os_str()],
            vec![
                "sweep".as_ref(),
                "--dry-run".as_ref(),
                "--data-dir".as_ref(),
                data.as_os_str(),
            ],
            vec!["check".as_ref(), "--data-dir".as_ref(), data.as_os_str()],
        ];
        for args in commands {
            let out = run_profiled(&args);
            let message = stderr(&out);
            assert!(!out.status.success(), "{args:?}: {message}");
            assert_eq!(message.trim_end().lines().count(), 1, "{args:?}: {message}");
            assert!(message.contains("holds no profiled store"), "{message}");
            assert_eq!(data.exists(), before, "{args:?} changed {}", data.display());
            if before {
                let entries = std::fs::read_dir(&data).expect("read dir").count();
                assert_eq!(entries, 0, "{args:?} wrote into {}", data.display());
            }
        }
        assert!(!output.exists());
    }
}

/// Issue 12.2: `ingest` of a mistyped file name used to create the data directory first.
#[test]
fn ingest_of_a_missing_file_creates_no_data_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let good = dir.path().join("people.ndjson");
    std::fs::write(&good, PEOPLE).expect("write people");
    let missing = dir.path().join("no-such-file.ndjson");
    let out = run_profiled(&[
        "ingest".as_ref(),
        "--data-dir".as_ref(),
        data.as_os_str(),
        good.as_os_str(),
        missing.as_os_str(),
    ]);
    let message = stderr(&out);
    assert!(!out.status.success(), "{message}");
    assert!(message.contains("no-such-file.ndjson"), "{message}");
    assert_eq!(message.trim_end().lines().count(), 1, "{message}");
    assert!(!data.exists(), "the data dir was created");
}

/// Issue 12.4: a Salesforce/HubSpot export used to be matched on the name alone.
#[test]
fn a_crm_export_is_read_by_its_usual_headers_and_the_mapping_is_printed() {
    let fixture = Fixture::new();
    let input = fixture.write(
        "salesforce.csv",
        "Lead ID,First Name,Last Name,Account Name,Work Email,Job Title,Mailing City,\
         Mailing Zip/Postal Code,Mailing Country,Website URL,Country/Region,Personal Email\n\
         1,Jane,Doe,ACME BV,,,Amsterdam,1012 AB,Netherlands,https://www.acme.nl,NL,\n\
         2,,,,sanne.bakker@acme.nl,,,,,,,\n\
         3,Jurgen,Muller,,,Bauleiter,Munchen,80331,Germany,mueller-bau.de,DE,\n",
    );
    let output = fixture.path("out.csv");
    let out = fixture.enrich(&input, &output, &["--fields", "job_title"]);
    let messages = stderr(&out);
    assert!(out.status.success(), "{messages}");
    let mut lines = messages.lines();
    assert_eq!(
        lines.next(),
        Some(
            "columns: first name ← `First Name`, last name ← `Last Name`, company ← `Account Name`, \
             domain ← `Website URL`, email ← `Work Email`, city ← `Mailing City`, \
             postcode ← `Mailing Zip/Postal Code`, country ← `Mailing Country`"
        ),
        "{messages}"
    );
    assert_eq!(
        lines.next(),
        Some("not read: `Lead ID`, `Job Title`, `Country/Region`, `Personal Email`"),
        "{messages}"
    );
    assert!(
        messages.contains(
            "warning: column `Country/Region` also looks like the country; it comes from `Mailing Country` (--country-col chooses)"
        ),
        "{messages}"
    );
    assert!(
        messages.contains(
            "warning: column `Personal Email` also looks like the email; it comes from `Work Email` (--email-col chooses)"
        ),
        "{messages}"
    );
    assert!(
        stdout(&out).contains(": 3 match, 0 ambiguous, 0 none, 0 errors"),
        "{}",
        stdout(&out)
    );
    let mut reader = csv::Reader::from_path(&output).expect("read output");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let titles: Vec<&str> = rows.iter().map(|r| &r[14]).collect();
    assert_eq!(titles, ["Head of Sales", "Marketing Manager", "Bauleiter"]);
    // The company and the place took part: the answers are as sure as name + company.
    for row in &rows {
        let confidence: f64 = row[13].parse().expect("confidence");
        assert!(confidence > 0.9, "{row:?}");
    }
}

/// Issue 12.7: `sweep` deleted at once; `--dry-run` says what would expire and deletes
/// nothing, and the summary of a real sweep says what it deleted.
#[test]
fn sweep_dry_run_counts_what_would_expire_and_deletes_nothing() {
    let fixture = Fixture::new();
    let old = profiled::clock::format_rfc3339(
        profiled::clock::Clock::now(&profiled::clock::SystemClock) - 400 * 86_400,
    );
    let stale: String = (0..3)
        .map(|i| {
            format!(
                "{{\"first_name\":\"Gone{i}\",\"last_name\":\"Stale\",\"seen_at\":\"{old}\",\
                 \"email\":\"gone{i}.stale@expired.example\",\
                 \"company\":{{\"name\":\"Expired Ltd\",\"domain\":\"expired.example\"}}}}\n"
            )
        })
        .collect();
    let stale_file = fixture.write("stale.ndjson", &stale);
    let out = fixture.profiled("ingest", &[stale_file.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));

    for _ in 0..2 {
        let out = fixture.profiled("sweep", &["--dry-run".as_ref()]);
        assert!(out.status.success(), "{}", stderr(&out));
        let summary = stdout(&out);
        assert!(
            summary.starts_with(
                "dry run, nothing deleted: a sweep would delete 3 profiles and 1 companies not seen since "
            ),
            "{summary}"
        );
        assert!(summary.contains("the oldest last seen "), "{summary}");
    }
    let out = fixture.profiled("check", &[]);
    assert!(
        stdout(&out).contains("checked 7 profiles, 4 companies"),
        "{}",
        stdout(&out)
    );

    let out = fixture.profiled("sweep", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = stdout(&out);
    assert!(
        summary.contains(": deleted 3 profiles and 1 companies not seen since "),
        "{summary}"
    );
    let out = fixture.profiled("sweep", &["--dry-run".as_ref()]);
    assert!(
        stdout(&out).contains("would delete 0 profiles and 0 companies"),
        "{}",
        stdout(&out)
    );
    let out = fixture.profiled("check", &[]);
    assert!(
        stdout(&out).contains("checked 4 profiles, 3 companies"),
        "{}",
        stdout(&out)
    );
}

/// Issue 12.1: Jürgen Müller, observed as `j.mueller@mueller-bau.de`, was suggested
/// `j.muller@mueller-bau.de` at 0.99. The suggestion now spells a name the way the
/// person's own address or the domain's addresses do, its confidence says how sure that
/// spelling is, and a lookup by either spelling finds the person.
#[test]
fn the_suggested_email_spells_umlauts_as_the_domain_does() {
    let fixture = Fixture::new();
    let people = [
        // A domain that transliterates (ö → oe, ä → ae), with a colleague never seen by email.
        r#"{"first_name":"Jörg","last_name":"Schäfer","email":"j.schaefer@schaefer-holz.de","company":{"name":"Schäfer Holz GmbH","domain":"schaefer-holz.de"}}"#,
        r#"{"first_name":"Petra","last_name":"Lang","email":"p.lang@schaefer-holz.de","company":{"name":"Schäfer Holz GmbH","domain":"schaefer-holz.de"}}"#,
        r#"{"first_name":"Günter","last_name":"Köhler","company":{"name":"Schäfer Holz GmbH","domain":"schaefer-holz.de"}}"#,
        // A domain that drops the marks (ö → o, å → a).
        r#"{"first_name":"Björn","last_name":"Åberg","email":"bjorn.aberg@nordplank.se","company":{"name":"Nordplank AB","domain":"nordplank.se"}}"#,
        r#"{"first_name":"Sören","last_name":"Möller","company":{"name":"Nordplank AB","domain":"nordplank.se"}}"#,
    ];
    let file = fixture.write("umlauts.ndjson", &(people.join("\n") + "\n"));
    let out = fixture.profiled("ingest", &[file.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));

    let input = fixture.write(
        "lookups.csv",
        "Full Name,Company,Email\n\
         Jürgen Müller,Müller Bau GmbH,\n\
         ,,juergen.mueller@mueller-bau.de\n\
         ,,jurgen.muller@mueller-bau.de\n\
         Jörg Schäfer,schaefer-holz.de,\n\
         ,,j.schafer@schaefer-holz.de\n\
         Günter Köhler,Schäfer Holz,\n\
         ,,g.koehler@schaefer-holz.de\n\
         ,,g.kohler@schaefer-holz.de\n\
         Sören Möller,Nordplank AB,\n\
         ,,soren.moller@nordplank.se\n\
         ,,soeren.moeller@nordplank.se\n",
    );
    let output = fixture.path("lookups-out.csv");
    let out = fixture.enrich(
        &input,
        &output,
        &[
            "--fields",
            "full_name,email.suggested,email.confidence",
            "--min-confidence",
            "0.1",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut reader = csv::Reader::from_path(&output).expect("read output");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let answers: Vec<(&str, &str, &str)> = rows.iter().map(|r| (&r[5], &r[6], &r[3])).collect();
    let expected = [
        ("Jürgen Müller", "juergen.mueller@mueller-bau.de"),
        ("Jürgen Müller", "juergen.mueller@mueller-bau.de"),
        ("Jürgen Müller", "juergen.mueller@mueller-bau.de"),
        ("Jörg Schäfer", "j.schaefer@schaefer-holz.de"),
        ("Jörg Schäfer", "j.schaefer@schaefer-holz.de"),
        ("Günter Köhler", "g.koehler@schaefer-holz.de"),
        ("Günter Köhler", "g.koehler@schaefer-holz.de"),
        ("Günter Köhler", "g.koehler@schaefer-holz.de"),
        ("Sören Möller", "soren.moller@nordplank.se"),
        ("Sören Möller", "soren.moller@nordplank.se"),
        ("Sören Möller", "soren.moller@nordplank.se"),
    ];
    for (i, ((name, suggested, status), (want_name, want_address))) in
        answers.iter().zip(expected).enumerate()
    {
        assert_eq!(
            (*name, *suggested),
            (want_name, want_address),
            "row {i} ({status}): {:?}",
            rows[i]
        );
    }
    let confidence = |row: usize| -> f64 { rows[row][7].parse().expect("email confidence") };
    // Their own addresses: as sure as an observed pattern.
    assert_eq!(confidence(0), 0.99);
    assert_eq!(confidence(3), 0.99);
    // A colleague: the pattern's probability times the spelling's, below both.
    let pattern_only = 0.525; // {f}.{last} seen twice, blended with its prior
    assert!(
        confidence(5) < pattern_only && confidence(5) > 0.5 * pattern_only,
        "{}",
        confidence(5)
    );
    assert!(confidence(8) < 0.99 * 0.8, "{}", confidence(8));
}

/// Regression: offline NDJSON enrichment read lines of any length, while the daemon
/// refuses lines over `max_line_bytes`: a line over the one limit is answered in place.
#[test]
fn an_ndjson_line_over_the_line_limit_is_answered_with_an_error_in_its_place() {
    let fixture = Fixture::new();
    let long = format!(
        r#"{{"name":"Jane Doe","company":"Acme B.V.","note":"{}"}}"#,
        "x".repeat(70_000)
    );
    let lines = [
        long.as_str(),
        r#"{"name":"Jane Doe","company":"Acme B.V."}"#,
    ];
    let input = fixture.write("in.ndjson", &(lines.join("\n") + "\n"));
    let output = fixture.path("out.ndjson");
    let out = fixture.enrich(&input, &output, &["--fields", "job_title"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&output).expect("output");
    let written: Vec<&str> = text.lines().collect();
    assert_eq!(written.len(), 2, "one output line per input line");
    assert!(
        written[0].contains("the limit is 65536") && !written[0].contains("xxxx"),
        "{}",
        &written[0][..written[0].len().min(300)]
    );
    assert!(written[1].contains("Head of Sales"), "{}", written[1]);
}
