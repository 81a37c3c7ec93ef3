//! Offline enrichment of a whole file (`profiled enrich`): read a CSV or NDJSON file,
//! map its columns to lookups, run them through [`Engine::enrich`] in chunks, and write
//! every input record back, in order, with its result appended.
//!
//! A record that cannot be looked up (no name and no email, a malformed row or line) gets
//! an error in its place; only an unreadable input, an unwritable output or bad options
//! fail the job. Nothing here logs or reports a record's content: error messages name
//! lines, columns and counts only.

use crate::engine::enrich::parse_fields;
use crate::engine::{Engine, EnrichOptions, EnrichResult, RecordError};
use crate::error::{Error, Result};
use crate::model::LookupStatus;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::{BufRead, BufWriter, Write};
use std::path::Path;
use std::sync::{mpsc, Arc};

/// Records per [`Engine::enrich`] call: enough to keep the rayon pool busy and to share
/// work between duplicate rows, small enough to keep memory flat.
pub const CHUNK_RECORDS: usize = 1000;

/// Chunks being matched at once (see [`enrich_chunks`]).
const CHUNKS_IN_FLIGHT: usize = 2;

/// One chunk's records as lookups (or the errors that answer them in their place).
type Records = Vec<std::result::Result<Value, RecordError>>;

/// The next chunk read, with what writing it back needs; `None` at the end of the input.
type NextChunk<C> = Result<Option<(C, Records)>>;

/// Enriches the chunks `read` yields, [`CHUNKS_IN_FLIGHT`] at a time on their own threads,
/// and hands each chunk's results with its `context` to `write` in input order. Reading
/// and writing then overlap the matching, and a chunk's slowest records no longer leave a
/// core idle while the next chunk waits (one chunk at a time was ~10% slower).
/// Who receives what `profiled enrich` discloses, in the disclosure log: the operator
/// running it.
pub const OFFLINE_RECIPIENT: &str = "operator:profiled-enrich";

fn enrich_chunks<C>(
    engine: &Engine,
    options: &EnrichOptions,
    mut read: impl FnMut() -> NextChunk<C>,
    mut write: impl FnMut(C, Vec<EnrichResult>) -> Result<()>,
) -> Result<()> {
    let stopped = || Error::Internal("an enrichment worker stopped".into());
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..CHUNKS_IN_FLIGHT)
            .map(|_| {
                let (jobs, incoming) = mpsc::sync_channel::<Records>(1);
                let (finished, results) = mpsc::sync_channel(1);
                scope.spawn(move || {
                    let recipient: Arc<str> = Arc::from(OFFLINE_RECIPIENT);
                    for records in incoming {
                        if finished
                            .send(engine.enrich(records, options, &recipient))
                            .is_err()
                        {
                            return;
                        }
                    }
                });
                (jobs, results)
            })
            .collect();
        let mut waiting: VecDeque<C> = VecDeque::with_capacity(CHUNKS_IN_FLIGHT);
        let (mut sent, mut written, mut more) = (0, 0, true);
        loop {
            while more && sent - written < CHUNKS_IN_FLIGHT {
                match read()? {
                    Some((context, records)) => {
                        let (jobs, _) = &workers[sent % CHUNKS_IN_FLIGHT];
                        jobs.send(records).map_err(|_| stopped())?;
                        waiting.push_back(context);
                        sent += 1;
                    }
                    None => more = false,
                }
            }
            let Some(context) = waiting.pop_front() else {
                return Ok(());
            };
            let (_, results) = &workers[written % CHUNKS_IN_FLIGHT];
            let results = results.recv().map_err(|_| stopped())?;
            written += 1;
            write(context, results)?;
        }
    })
}

/// Profile fields appended when none are chosen, comma-separated as `--fields` takes them.
pub const DEFAULT_FIELDS: &str = "full_name,job_title,company.name,company.domain,location.city,location.country,email.suggested,email.confidence,id";

/// The file formats `profiled enrich` reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Ndjson,
}

impl Format {
    /// The format a file's extension implies (`.csv`, `.ndjson`, `.jsonl`).
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            _ => None,
        }
    }

    /// The one format of a job: `explicit` if given, else both paths' extensions, which
    /// must agree (`-`, standard input or output, has none).
    pub fn resolve(input: &Path, output: &Path, explicit: Option<Format>) -> Result<Self> {
        if let Some(format) = explicit {
            return Ok(format);
        }
        let detect = |path: &Path| {
            if path.as_os_str() == "-" {
                return Err(Error::invalid(
                    "standard input and output have no extension; pass --format csv|ndjson",
                ));
            }
            Format::from_path(path).ok_or_else(|| {
                Error::invalid(format!(
                    "cannot tell the format of {} from its extension (.csv, .ndjson, .jsonl); pass --format csv|ndjson",
                    path.display()
                ))
            })
        };
        let (from_input, from_output) = (detect(input)?, detect(output)?);
        if from_input != from_output {
            return Err(Error::invalid(
                "the input and output extensions name different formats; the output has the input's format",
            ));
        }
        Ok(from_input)
    }
}

/// What an input column feeds into the lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Name,
    FirstName,
    LastName,
    Company,
    /// A company domain or website; used as the company when no company name is given.
    Domain,
    Email,
    City,
    Postcode,
    Country,
}

/// How many [`Role`]s there are; slots are indexed by `role as usize`.
const ROLES: usize = 9;

impl Role {
    /// Every role, in slot order.
    pub const ALL: [Role; ROLES] = [
        Role::Name,
        Role::FirstName,
        Role::LastName,
        Role::Company,
        Role::Domain,
        Role::Email,
        Role::City,
        Role::Postcode,
        Role::Country,
    ];

    /// A short human name, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Name => "name",
            Role::FirstName => "first name",
            Role::LastName => "last name",
            Role::Company => "company",
            Role::Domain => "domain",
            Role::Email => "email",
            Role::City => "city",
            Role::Postcode => "postcode",
            Role::Country => "country",
        }
    }

    /// Header names this role is detected from, folded (see [`header_words`]): the
    /// usual CRM exports' (Salesforce, HubSpot, Pipedrive, Dynamics) headers.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Role::Name => &[
                "name",
                "fullname",
                "contactname",
                "contactfullname",
                "personname",
                "leadname",
                "displayname",
            ],
            Role::FirstName => &["firstname", "givenname", "forename", "first", "fname"],
            Role::LastName => &["lastname", "surname", "familyname", "last", "lname"],
            Role::Company => &[
                "company",
                "companyname",
                "organization",
                "organisation",
                "organizationname",
                "organisationname",
                "org",
                "orgname",
                "account",
                "accountname",
                "employer",
                "employername",
                "businessname",
            ],
            Role::Domain => &[
                "domain",
                "domainname",
                "website",
                "websiteurl",
                "web",
                "webaddress",
                "url",
                "homepage",
                "companydomain",
                "companywebsite",
                "companyurl",
                "emaildomain",
            ],
            Role::Email => &["email", "emailaddress", "mail", "emailaddr"],
            Role::City => &["city", "town", "locality", "citytown"],
            Role::Postcode => &[
                "postcode",
                "zip",
                "zipcode",
                "postalcode",
                "zippostalcode",
                "postalcodezip",
                "postcodezip",
                "plz",
            ],
            Role::Country => &[
                "country",
                "countryregion",
                "countrycode",
                "countryname",
                "countryiso",
            ],
        }
    }

    fn by_alias(folded: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|role| role.aliases().contains(&folded))
    }

    /// The role a header name implies. Case, spacing and punctuation are folded
    /// ("Zip/Postal Code", "ZIP code", "zip_code"); a trailing number ("Email 2") and a
    /// leading qualifier ("Mailing City", "Work Email", "Contact First Name", "Account
    /// Website") are ignored.
    pub fn detect(header: &str) -> Option<Role> {
        let mut words = header_words(header);
        if let Some(role) = Role::by_alias(&words.concat()) {
            return Some(role);
        }
        if words.len() > 1
            && words
                .last()
                .is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit()))
        {
            words.pop();
            if let Some(role) = Role::by_alias(&words.concat()) {
                return Some(role);
            }
        }
        let (qualifier, rest) = words.split_first()?;
        if rest.is_empty() {
            return None;
        }
        let role = Role::by_alias(&rest.concat())?;
        let fits = if PERSON_QUALIFIERS.contains(&qualifier.as_str()) {
            true
        } else if COMPANY_QUALIFIERS.contains(&qualifier.as_str()) {
            // "Company City", "Account Website"; not "Account Email" (whose address?).
            matches!(
                role,
                Role::Domain | Role::City | Role::Postcode | Role::Country
            )
        } else {
            false
        };
        fits.then_some(role)
    }

    /// The role an unmapped header seems to be about, for a warning: what [`Role::detect`]
    /// finds, else a telling word ("Personal Email", "Home Town", "Location"), unless a
    /// word says it is something else ("Email Opt Out", "Account ID", "Company Size").
    fn resembles(header: &str) -> Option<Role> {
        if let Some(role) = Role::detect(header) {
            return Some(role);
        }
        let words = header_words(header);
        if words
            .iter()
            .any(|w| NOT_A_LOOKUP_INPUT.contains(&w.as_str()))
        {
            return None;
        }
        words.iter().find_map(|word| match word.as_str() {
            "company" | "account" | "organization" | "organisation" | "org" | "employer"
            | "firm" | "business" | "corporation" => Some(Role::Company),
            "website" | "domain" | "url" | "homepage" => Some(Role::Domain),
            "email" | "mail" => Some(Role::Email),
            "city" | "town" | "locality" | "location" => Some(Role::City),
            "zip" | "zipcode" | "postcode" | "postal" | "plz" => Some(Role::Postcode),
            "country" => Some(Role::Country),
            _ => None,
        })
    }

    /// The flag that names this role's column.
    fn flag(self) -> &'static str {
        match self {
            Role::Name => "--name-col",
            Role::FirstName => "--first-col",
            Role::LastName => "--last-col",
            Role::Company => "--company-col",
            Role::Domain => "--domain-col",
            Role::Email => "--email-col",
            Role::City => "--city-col",
            Role::Postcode => "--postcode-col",
            Role::Country => "--country-col",
        }
    }

    /// The [`crate::model::LookupRequest`] field this role fills (domains fill `company`).
    fn lookup_key(self) -> &'static str {
        match self {
            Role::Name => "name",
            Role::FirstName => "first_name",
            Role::LastName => "last_name",
            Role::Company | Role::Domain => "company",
            Role::Email => "email",
            Role::City => "city",
            Role::Postcode => "postcode",
            Role::Country => "country",
        }
    }
}

/// Leading words of a header that say whose value it is, not what it is ("Mailing City",
/// "Work Email", "Contact Last Name").
const PERSON_QUALIFIERS: &[&str] = &[
    "mailing", "billing", "shipping", "primary", "main", "work", "business", "contact", "lead",
    "person", "current",
];

/// Leading words that make a header the company's ("Company City", "Account Website").
const COMPANY_QUALIFIERS: &[&str] = &["company", "account", "organization", "organisation"];

/// Words that make a header something other than a lookup input although it names a
/// company, a place or an email ("Account Owner", "Email Opt Out", "Mailing Street").
const NOT_A_LOOKUP_INPUT: &[&str] = &[
    "id",
    "phone",
    "fax",
    "mobile",
    "type",
    "size",
    "industry",
    "revenue",
    "owner",
    "number",
    "employees",
    "source",
    "status",
    "date",
    "opt",
    "optout",
    "bounced",
    "bounce",
    "consent",
    "count",
    "rating",
    "stage",
    "score",
    "street",
    "state",
    "region",
    "province",
    "county",
    "unsubscribed",
    "description",
    "notes",
];

/// A header's words, lower-cased: split at every character that is not a letter or a
/// digit and where a lower-case letter meets an upper-case one ("MailingCity").
fn header_words(header: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in header.chars() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        previous_lower = c.is_lowercase();
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The columns (CSV) or keys (NDJSON, as the first record has them) a job reads its
/// lookups from, what it leaves unread, and warnings about unread ones that look like a
/// lookup input: shown before the job starts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnReport {
    /// Each mapped role with its column, and whether the column was named by a flag.
    pub mapped: Vec<(Role, String, bool)>,
    pub unused: Vec<String>,
    pub warnings: Vec<String>,
    /// NDJSON: keys are read from every record; the report shows the first record's.
    pub per_record: bool,
}

/// At most this many unused columns are named in the report.
const UNUSED_SHOWN: usize = 12;

impl ColumnReport {
    /// `header` holds the input's column names (NDJSON: the keys, then any dotted key a
    /// flag named); `also_read` columns feed a dotted key and are not reported unused.
    fn new(
        header: &[impl AsRef<str>],
        columns: &[Option<usize>; ROLES],
        explicit: &[(Role, String)],
        also_read: &[usize],
    ) -> Self {
        let mut report = ColumnReport::default();
        for role in Role::ALL {
            if let Some(i) = columns[role as usize] {
                let named = explicit.iter().any(|(r, _)| *r == role);
                report
                    .mapped
                    .push((role, header[i].as_ref().to_owned(), named));
            }
        }
        for (i, name) in header.iter().enumerate() {
            let name = name.as_ref();
            if columns.contains(&Some(i)) || also_read.contains(&i) {
                continue;
            }
            report.unused.push(name.to_owned());
            let Some(role) = Role::resembles(name) else {
                continue;
            };
            report.warnings.push(match columns[role as usize] {
                Some(used) => format!(
                    "column `{name}` also looks like the {}; it comes from `{}` ({} chooses)",
                    role.label(),
                    header[used].as_ref(),
                    role.flag()
                ),
                None => format!(
                    "column `{name}` looks like the {} but is not read; pass {} to use it",
                    role.label(),
                    role.flag()
                ),
            });
        }
        report
    }
}

impl std::fmt::Display for ColumnReport {
    /// One line of mapped columns, one of unused ones, then one line per warning.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.per_record {
            "keys (as in the first record)"
        } else {
            "columns"
        };
        if self.mapped.is_empty() {
            write!(f, "{what}: none recognised")?;
        } else {
            let mapped: Vec<String> = self
                .mapped
                .iter()
                .map(|(role, column, named)| {
                    let how = if *named { " (named)" } else { "" };
                    format!("{} ← `{column}`{how}", role.label())
                })
                .collect();
            write!(f, "{what}: {}", mapped.join(", "))?;
        }
        if !self.unused.is_empty() {
            let shown: Vec<String> = self
                .unused
                .iter()
                .take(UNUSED_SHOWN)
                .map(|c| format!("`{c}`"))
                .collect();
            write!(f, "\nnot read: {}", shown.join(", "))?;
            if self.unused.len() > UNUSED_SHOWN {
                write!(f, " and {} more", self.unused.len() - UNUSED_SHOWN)?;
            }
        }
        for warning in &self.warnings {
            write!(f, "\nwarning: {warning}")?;
        }
        Ok(())
    }
}

/// How to read, look up and write one file.
#[derive(Clone, Debug)]
pub struct FileOptions {
    pub format: Format,
    /// Columns (CSV) or keys (NDJSON; dotted for nested values) named explicitly; the
    /// other roles are detected from the header or the keys.
    pub columns: Vec<(Role, String)>,
    /// Answers below this confidence are reported as `none` (default: the lookup's).
    pub min_confidence: Option<f64>,
    /// Profile fields to append, dotted for nested values (`company.domain`).
    pub fields: Vec<String>,
}

impl FileOptions {
    /// Options with auto-detected columns and the default fields.
    pub fn new(format: Format) -> Self {
        Self {
            format,
            columns: Vec::new(),
            min_confidence: None,
            fields: DEFAULT_FIELDS.split(',').map(str::to_owned).collect(),
        }
    }

    /// Checks the fields and the confidence, and derives the engine's options.
    pub fn enrich_options(&self) -> Result<EnrichOptions> {
        // One field syntax for both edges: the HTTP API reads `fields` the same way.
        let mut heads: Vec<String> = Vec::new();
        for field in parse_fields(&self.fields)? {
            let head = field.split('.').next().unwrap_or_default();
            // `id` always comes back; asking the engine for only the heads spares it
            // serialising the rest of every profile.
            if head != "id" && !heads.iter().any(|h| h == head) {
                heads.push(head.to_owned());
            }
        }
        let options = EnrichOptions {
            min_confidence: self.min_confidence,
            fields: Some(heads),
        };
        options.validate()?;
        Ok(options)
    }
}

/// How many records a job read, and how they came out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EnrichSummary {
    pub records: u64,
    pub matched: u64,
    pub ambiguous: u64,
    pub none: u64,
    pub errors: u64,
}

impl EnrichSummary {
    fn count(&mut self, result: &EnrichResult) {
        self.records += 1;
        match result {
            EnrichResult::Matched { status, .. } => match status {
                LookupStatus::Match => self.matched += 1,
                LookupStatus::Ambiguous => self.ambiguous += 1,
                LookupStatus::None => self.none += 1,
            },
            EnrichResult::Failed { .. } => self.errors += 1,
        }
    }
}

/// Enriches every record of `input` into `output` (buffered here). Before the first
/// lookup it hands the column mapping to `columns` (NDJSON: as the first record's keys
/// give it), and it calls `progress(input bytes read, records done)` after each chunk.
pub fn enrich_file(
    engine: &Engine,
    input: impl BufRead,
    output: impl Write,
    options: &FileOptions,
    columns: impl FnOnce(&ColumnReport),
    progress: impl FnMut(u64, u64),
) -> Result<EnrichSummary> {
    let enrich_options = options.enrich_options()?;
    let job = Job {
        engine,
        options,
        enrich_options: &enrich_options,
    };
    match options.format {
        Format::Csv => enrich_csv(&job, input, output, columns, progress),
        Format::Ndjson => enrich_ndjson(&job, input, output, columns, progress),
    }
}

/// What every chunk of one job is enriched with.
struct Job<'a> {
    engine: &'a Engine,
    options: &'a FileOptions,
    enrich_options: &'a EnrichOptions,
}

// ---- CSV -------------------------------------------------------------------------------

fn enrich_csv(
    job: &Job,
    input: impl BufRead,
    output: impl Write,
    report_columns: impl FnOnce(&ColumnReport),
    mut progress: impl FnMut(u64, u64),
) -> Result<EnrichSummary> {
    let options = job.options;
    // Byte records, flexible: a row with a wrong field count or invalid UTF-8 is then
    // ours to report in place, and input fields are written back byte for byte.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut writer = csv::Writer::from_writer(output);
    let mut summary = EnrichSummary::default();
    let mut header = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut header).map_err(csv_error)? {
        return Ok(summary);
    }
    let names: Vec<Cow<str>> = header.iter().map(String::from_utf8_lossy).collect();
    let columns = csv_columns(&names, &options.columns)?;
    report_columns(&ColumnReport::new(&names, &columns, &options.columns, &[]));
    let mut out = header.clone();
    out.push_field(b"profiled_status");
    out.push_field(b"profiled_confidence");
    for field in &options.fields {
        out.push_field(format!("profiled_{}", field.replace('.', "_")).as_bytes());
    }
    out.push_field(b"profiled_error");
    writer.write_byte_record(&out).map_err(csv_error)?;

    let width = header.len();
    let read = || -> NextChunk<(Vec<csv::ByteRecord>, u64)> {
        let mut rows = Vec::with_capacity(CHUNK_RECORDS);
        let mut row = csv::ByteRecord::new();
        while rows.len() < CHUNK_RECORDS && reader.read_byte_record(&mut row).map_err(csv_error)? {
            rows.push(std::mem::take(&mut row));
        }
        if rows.is_empty() {
            return Ok(None);
        }
        let records = rows
            .iter()
            .map(|row| csv_record(row, width, &columns))
            .collect();
        Ok(Some(((rows, reader.position().byte()), records)))
    };
    let write = |(rows, position): (Vec<csv::ByteRecord>, u64), results: Vec<EnrichResult>| {
        for (row, result) in rows.iter().zip(&results) {
            summary.count(result);
            out.clear();
            // Rows of the wrong width are cut or padded so the appended columns line up;
            // their error says so.
            for i in 0..width {
                out.push_field(row.get(i).unwrap_or_default());
            }
            for value in appended_values(result, &options.fields) {
                out.push_field(value.as_bytes());
            }
            writer.write_byte_record(&out).map_err(csv_error)?;
        }
        progress(position, summary.records);
        Ok(())
    };
    enrich_chunks(job.engine, job.enrich_options, read, write)?;
    writer.flush()?;
    Ok(summary)
}

/// Header positions for each role: explicit columns first (exact name, else
/// case-insensitive), then auto-detection among the remaining columns.
fn csv_columns(
    header: &[impl AsRef<str>],
    explicit: &[(Role, String)],
) -> Result<[Option<usize>; ROLES]> {
    let mut columns = [None; ROLES];
    for (role, name) in explicit {
        let position = header
            .iter()
            .position(|h| h.as_ref() == name)
            .or_else(|| {
                header
                    .iter()
                    .position(|h| h.as_ref().trim().eq_ignore_ascii_case(name.trim()))
            })
            .ok_or_else(|| {
                Error::invalid(format!(
                    "the {} column `{name}` is not in the input's header",
                    role.label()
                ))
            })?;
        columns[*role as usize] = Some(position);
    }
    for (i, name) in header.iter().enumerate() {
        if columns.contains(&Some(i)) {
            continue;
        }
        if let Some(role) = Role::detect(name.as_ref()) {
            let is_explicit = explicit.iter().any(|(r, _)| *r == role);
            // The left-most matching column wins.
            if !is_explicit && columns[role as usize].is_none() {
                columns[role as usize] = Some(i);
            }
        }
    }
    Ok(columns)
}

fn csv_record(
    row: &csv::ByteRecord,
    width: usize,
    columns: &[Option<usize>; ROLES],
) -> std::result::Result<Value, RecordError> {
    let line = row.position().map_or(0, |p| p.line());
    if row.len() != width {
        return Err(RecordError::invalid(format!(
            "line {line}: the row has {} fields; the header has {width}",
            row.len()
        )));
    }
    let mut values: [Option<Cow<str>>; ROLES] = Default::default();
    for (slot, column) in values.iter_mut().zip(columns) {
        if let Some(bytes) = column.and_then(|i| row.get(i)) {
            let text = std::str::from_utf8(bytes).map_err(|_| {
                RecordError::invalid(format!("line {line}: the row is not valid UTF-8"))
            })?;
            *slot = Some(Cow::Borrowed(text));
        }
    }
    lookup_record(&values)
}

fn csv_error(err: csv::Error) -> Error {
    Error::Io(err.into())
}

// ---- NDJSON ----------------------------------------------------------------------------

fn enrich_ndjson(
    job: &Job,
    mut input: impl BufRead,
    output: impl Write,
    report_columns: impl FnOnce(&ColumnReport),
    mut progress: impl FnMut(u64, u64),
) -> Result<EnrichSummary> {
    let options = job.options;
    let mut report_columns = Some(report_columns);
    let mut writer = BufWriter::with_capacity(1 << 16, output);
    let mut summary = EnrichSummary::default();
    let (mut bytes, mut line_no) = (0u64, 0u64);
    let read = || -> NextChunk<(Vec<InputLine>, u64)> {
        let mut lines = Vec::with_capacity(CHUNK_RECORDS);
        let mut records = Vec::with_capacity(CHUNK_RECORDS);
        while lines.len() < CHUNK_RECORDS {
            let mut line = Vec::new();
            let read = input.read_until(b'\n', &mut line)?;
            if read == 0 {
                break;
            }
            bytes += read as u64;
            line_no += 1;
            if line.trim_ascii().is_empty() {
                continue;
            }
            // The daemon's one line limit: a line over it is answered in its place.
            if let Err(message) =
                crate::ndjson::check_length(line.len(), job.engine.limits().max_line_bytes)
            {
                lines.push(InputLine {
                    text: line,
                    object: None,
                });
                records.push(Err(RecordError::invalid(format!(
                    "line {line_no}: {message}"
                ))));
                continue;
            }
            let (object, record) = match serde_json::from_slice::<Value>(&line) {
                Ok(Value::Object(object)) => {
                    if let Some(report) = report_columns.take() {
                        report(&ndjson_columns(&object, &options.columns));
                    }
                    let record = ndjson_record(&object, &options.columns, line_no);
                    (Some(object), record)
                }
                Ok(_) => (
                    None,
                    Err(RecordError::invalid(format!(
                        "line {line_no}: a record must be a JSON object"
                    ))),
                ),
                // The column only: serde's message could quote the line's content.
                Err(err) => (
                    None,
                    Err(RecordError::invalid(format!(
                        "line {line_no}: not valid JSON (column {})",
                        err.column()
                    ))),
                ),
            };
            lines.push(InputLine { text: line, object });
            records.push(record);
        }
        Ok((!lines.is_empty()).then_some(((lines, bytes), records)))
    };
    let write = |(mut lines, position): (Vec<InputLine>, u64), results: Vec<EnrichResult>| {
        for (line, result) in lines.iter_mut().zip(&results) {
            summary.count(result);
            write_ndjson_line(&mut writer, &line.text, line.object.take(), result)?;
        }
        progress(position, summary.records);
        Ok(())
    };
    enrich_chunks(job.engine, job.enrich_options, read, write)?;
    writer.flush()?;
    if let Some(report) = report_columns.take() {
        report(&ColumnReport {
            per_record: true,
            ..ColumnReport::default()
        });
    }
    Ok(summary)
}

/// The column report of an NDJSON job from one record: the keys that record would be
/// looked up by (explicit keys, then detected ones as [`ndjson_record`] picks them).
fn ndjson_columns(object: &Map<String, Value>, explicit: &[(Role, String)]) -> ColumnReport {
    let mut header: Vec<&str> = object.keys().map(String::as_str).collect();
    let keys = header.len();
    let mut columns = [None; ROLES];
    let mut also_read = Vec::new();
    for (role, key) in explicit {
        if let Some(i) = header.iter().position(|k| k == key) {
            columns[*role as usize] = Some(i);
            continue;
        }
        let head = key.split('.').next().unwrap_or_default();
        also_read.extend(header[..keys].iter().position(|k| *k == head));
        columns[*role as usize] = Some(header.len());
        header.push(key);
    }
    for (i, key) in object.keys().enumerate() {
        if let Some(role) = Role::detect(key) {
            let taken = columns[role as usize].is_some() || columns.contains(&Some(i));
            if !taken && scalar_text(&object[key]).is_some_and(|t| t.is_some()) {
                columns[role as usize] = Some(i);
            }
        }
    }
    ColumnReport {
        per_record: true,
        ..ColumnReport::new(&header, &columns, explicit, &also_read)
    }
}

/// One non-blank NDJSON line, with its object when it parsed as one.
struct InputLine {
    text: Vec<u8>,
    object: Option<Map<String, Value>>,
}

/// Writes the input object with a `profiled` key appended. The object's text is kept as
/// it was (key order, spacing, number forms) by splicing before its closing brace.
fn write_ndjson_line(
    writer: &mut impl Write,
    line: &[u8],
    object: Option<Map<String, Value>>,
    result: &EnrichResult,
) -> Result<()> {
    match object {
        Some(object) if !object.contains_key("profiled") => {
            let text = line.trim_ascii();
            // The line parsed as an object, so after trimming it ends with its `}`.
            writer.write_all(&text[..text.len() - 1])?;
            if !object.is_empty() {
                writer.write_all(b",")?;
            }
            writer.write_all(b"\"profiled\":")?;
            serde_json::to_writer(&mut *writer, result).map_err(std::io::Error::from)?;
            writer.write_all(b"}\n")?;
        }
        // An earlier `profiled` key (re-enriching an output) is replaced.
        Some(mut object) => {
            object.insert("profiled".into(), result_value(result));
            serde_json::to_writer(&mut *writer, &object).map_err(std::io::Error::from)?;
            writer.write_all(b"\n")?;
        }
        // Not an object: there is nothing to append to, only the result to report.
        None => {
            let object = Map::from_iter([("profiled".to_owned(), result_value(result))]);
            serde_json::to_writer(&mut *writer, &object).map_err(std::io::Error::from)?;
            writer.write_all(b"\n")?;
        }
    }
    Ok(())
}

fn result_value(result: &EnrichResult) -> Value {
    serde_json::to_value(result).unwrap_or(Value::Null)
}

/// Maps one NDJSON object: explicit keys (exact, else dotted paths into nested objects),
/// then top-level keys detected like CSV headers.
fn ndjson_record(
    object: &Map<String, Value>,
    explicit: &[(Role, String)],
    line_no: u64,
) -> std::result::Result<Value, RecordError> {
    let mut values: [Option<Cow<str>>; ROLES] = Default::default();
    for (role, key) in explicit {
        let value = object.get(key).or_else(|| lookup_path(object, key));
        match value.map(scalar_text) {
            None | Some(Some(None)) => {}
            Some(Some(text)) => values[*role as usize] = text,
            Some(None) => {
                return Err(RecordError::invalid(format!(
                    "line {line_no}: the {} value is not text",
                    role.label()
                )))
            }
        }
    }
    for (key, value) in object {
        let Some(role) = Role::detect(key) else {
            continue;
        };
        if explicit.iter().any(|(r, _)| *r == role) || values[role as usize].is_some() {
            continue;
        }
        // An auto-detected key holding an object or a list is most likely something
        // else that happens to share the name; it is not an error.
        if let Some(Some(text)) = scalar_text(value) {
            values[role as usize] = Some(text);
        }
    }
    lookup_record(&values)
}

/// A JSON value as lookup text: `Some(None)` for null, `None` for non-scalars.
fn scalar_text(value: &Value) -> Option<Option<Cow<'_, str>>> {
    match value {
        Value::Null => Some(None),
        Value::String(s) => Some(Some(Cow::Borrowed(s))),
        Value::Number(n) => Some(Some(Cow::Owned(n.to_string()))),
        _ => None,
    }
}

fn lookup_path<'a>(object: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let (first, rest) = path.split_once('.')?;
    rest.split('.')
        .try_fold(object.get(first)?, |value, key| value.get(key))
}

// ---- shared ----------------------------------------------------------------------------

/// Builds the lookup for one record from its role values (trimmed; empty is absent).
fn lookup_record(values: &[Option<Cow<str>>; ROLES]) -> std::result::Result<Value, RecordError> {
    let get = |role: Role| {
        values[role as usize]
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let has_name = [Role::Name, Role::FirstName, Role::LastName]
        .into_iter()
        .any(|role| get(role).is_some());
    if !has_name && get(Role::Email).is_none() {
        return Err(RecordError::invalid(
            "the record has no name and no email to look up",
        ));
    }
    let mut record = Map::new();
    for role in Role::ALL {
        if role == Role::Domain && get(Role::Company).is_some() {
            continue;
        }
        // CRM exports often hold country names ("Germany"); lookups take ISO codes, and
        // a name would make the record an error, so only a code is passed on.
        let is_code = |v: &str| v.len() == 2 && v.bytes().all(|b| b.is_ascii_alphabetic());
        if let Some(value) = get(role).filter(|v| role != Role::Country || is_code(v)) {
            record.insert(role.lookup_key().to_owned(), Value::from(value));
        }
    }
    Ok(Value::Object(record))
}

/// The CSV columns appended to a row: status, confidence, each field, error.
fn appended_values(result: &EnrichResult, fields: &[String]) -> Vec<String> {
    let mut values = Vec::with_capacity(fields.len() + 3);
    match result {
        EnrichResult::Matched {
            status,
            confidence,
            profile,
            ..
        } => {
            values.push(
                match status {
                    LookupStatus::Match => "match",
                    LookupStatus::Ambiguous => "ambiguous",
                    LookupStatus::None => "none",
                }
                .to_owned(),
            );
            values.push(confidence.to_string());
            for field in fields {
                values.push(
                    profile
                        .as_ref()
                        .map(|p| field_text(p, field))
                        .unwrap_or_default(),
                );
            }
            values.push(String::new());
        }
        EnrichResult::Failed { error, .. } => {
            values.push("error".to_owned());
            values.push(String::new());
            values.extend(fields.iter().map(|_| String::new()));
            values.push(error.message.clone());
        }
    }
    values
}

/// A dotted field of a profile as cell text: strings as they are, lists joined with
/// `; `, objects as JSON, absent or null as empty.
fn field_text(profile: &Value, path: &str) -> String {
    let value = path
        .split('.')
        .try_fold(profile, |value, key| value.get(key));
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn headers_are_detected_case_and_separator_insensitively() {
        let cases = [
            ("Full Name", Role::Name),
            ("name", Role::Name),
            ("first_name", Role::FirstName),
            ("FirstName", Role::FirstName),
            ("Given Name", Role::FirstName),
            ("Surname", Role::LastName),
            ("family name", Role::LastName),
            ("Company_Name", Role::Company),
            ("Organization", Role::Company),
            ("account", Role::Company),
            ("Website", Role::Domain),
            ("company_domain", Role::Domain),
            ("E-mail", Role::Email),
            ("Email Address", Role::Email),
            (" City ", Role::City),
            ("ZIP code", Role::Postcode),
            ("postal_code", Role::Postcode),
            ("COUNTRY", Role::Country),
        ];
        for (header, role) in cases {
            assert_eq!(Role::detect(header), Some(role), "{header}");
        }
        assert_eq!(Role::detect("notes"), None);
        assert_eq!(Role::detect("id"), None);
    }

    #[test]
    fn crm_export_headers_are_recognised() {
        let salesforce = [
            ("First Name", Some(Role::FirstName)),
            ("Last Name", Some(Role::LastName)),
            ("Account Name", Some(Role::Company)),
            ("Work Email", Some(Role::Email)),
            ("Mailing City", Some(Role::City)),
            ("Mailing Zip/Postal Code", Some(Role::Postcode)),
            ("Mailing Country", Some(Role::Country)),
            ("Website URL", Some(Role::Domain)),
            ("Country/Region", Some(Role::Country)),
            ("Company Name", Some(Role::Company)),
            ("Organization", Some(Role::Company)),
            ("Email Address", Some(Role::Email)),
            ("Business Email", Some(Role::Email)),
            ("Zip", Some(Role::Postcode)),
            ("Postal Code", Some(Role::Postcode)),
            ("POSTAL-CODE", Some(Role::Postcode)),
            ("Email 2", Some(Role::Email)),
            ("MailingCity", Some(Role::City)),
            ("contact.first_name", Some(Role::FirstName)),
            ("Contact Name", Some(Role::Name)),
            ("Account Website", Some(Role::Domain)),
            ("Company City", Some(Role::City)),
            ("Employer", Some(Role::Company)),
            ("State/Region", None),
            ("Job Title", None),
            ("Account Owner", None),
            ("Account ID", None),
            ("Account Email", None),
            ("Email Opt Out", None),
            ("Mailing Street", None),
            ("Personal Email", None),
            ("Last Activity", None),
        ];
        for (header, role) in salesforce {
            assert_eq!(Role::detect(header), role, "{header}");
        }
    }

    #[test]
    fn unread_columns_that_look_like_inputs_are_warned_about() {
        let header = [
            "Lead ID",
            "First Name",
            "Last Name",
            "Account Name",
            "Employer Org",
            "Personal Email",
            "Home Town",
            "Other City",
            "Mailing City",
            "Email Opt Out",
            "State/Region",
        ];
        let columns = csv_columns(&header, &[]).expect("columns");
        let report = ColumnReport::new(&header, &columns, &[], &[]);
        assert_eq!(
            report.mapped,
            vec![
                (Role::FirstName, "First Name".to_owned(), false),
                (Role::LastName, "Last Name".into(), false),
                (Role::Company, "Account Name".into(), false),
                (Role::City, "Mailing City".into(), false),
            ]
        );
        assert_eq!(
            report.warnings,
            [
                "column `Employer Org` also looks like the company; it comes from `Account Name` (--company-col chooses)",
                "column `Personal Email` looks like the email but is not read; pass --email-col to use it",
                "column `Home Town` also looks like the city; it comes from `Mailing City` (--city-col chooses)",
                "column `Other City` also looks like the city; it comes from `Mailing City` (--city-col chooses)",
            ]
        );
        assert_eq!(
            report.unused,
            [
                "Lead ID",
                "Employer Org",
                "Personal Email",
                "Home Town",
                "Other City",
                "Email Opt Out",
                "State/Region"
            ]
        );
        let text = report.to_string();
        assert!(
            text.starts_with(
                "columns: first name ← `First Name`, last name ← `Last Name`, company ← `Account Name`, city ← `Mailing City`\nnot read: `Lead ID`"
            ),
            "{text}"
        );
        assert_eq!(text.lines().count(), 2 + report.warnings.len(), "{text}");
    }

    #[test]
    fn country_names_are_left_out_of_the_lookup() {
        let mut values: [Option<Cow<str>>; ROLES] = Default::default();
        values[Role::Name as usize] = Some("Jane Doe".into());
        values[Role::Country as usize] = Some("Netherlands".into());
        assert_eq!(
            lookup_record(&values).expect("record"),
            json!({"name": "Jane Doe"})
        );
        values[Role::Country as usize] = Some(" nl ".into());
        assert_eq!(
            lookup_record(&values).expect("record"),
            json!({"name": "Jane Doe", "country": "nl"})
        );
    }

    #[test]
    fn ndjson_column_reports_come_from_the_first_record() {
        let object = json!({"person": "Jane Doe", "employer": {"name": "Acme"},
                            "work_email": "j@acme.nl", "home_city": "Delft", "notes": null});
        let Value::Object(object) = object else {
            unreachable!()
        };
        let explicit = [
            (Role::Name, "person".to_owned()),
            (Role::Company, "employer.name".to_owned()),
        ];
        let report = ndjson_columns(&object, &explicit);
        assert!(report.per_record);
        assert_eq!(
            report.mapped,
            [
                (Role::Name, "person".to_owned(), true),
                (Role::Company, "employer.name".into(), true),
                (Role::Email, "work_email".into(), false),
            ]
        );
        assert_eq!(report.unused, ["home_city", "notes"]);
        assert_eq!(
            report.warnings,
            ["column `home_city` looks like the city but is not read; pass --city-col to use it"]
        );
    }

    #[test]
    fn explicit_columns_win_and_the_leftmost_detected_column_is_used() {
        let header = ["id", "Name", "Contact", "company", "Company Name", "zip"];
        let columns = csv_columns(&header, &[(Role::Name, "contact".into())]).expect("columns");
        assert_eq!(columns[Role::Name as usize], Some(2));
        assert_eq!(columns[Role::Company as usize], Some(3));
        assert_eq!(columns[Role::Postcode as usize], Some(5));
        assert_eq!(columns[Role::Email as usize], None);

        let err = csv_columns(&header, &[(Role::Email, "mail".into())]).expect_err("missing");
        assert_eq!(
            err.to_string(),
            "the email column `mail` is not in the input's header"
        );
    }

    #[test]
    fn dotted_fields_are_pulled_from_the_profile() {
        let profile = json!({
            "id": "p1",
            "full_name": "Jane Doe",
            "job_title": null,
            "skills": ["sales", "negotiation"],
            "company": {"name": "Acme B.V.", "domain": "acme.nl", "employees": 120},
            "email": {"suggested": "jane.doe@acme.nl", "confidence": 0.99},
        });
        assert_eq!(field_text(&profile, "full_name"), "Jane Doe");
        assert_eq!(field_text(&profile, "company.domain"), "acme.nl");
        assert_eq!(field_text(&profile, "company.employees"), "120");
        assert_eq!(field_text(&profile, "email.confidence"), "0.99");
        assert_eq!(field_text(&profile, "skills"), "sales; negotiation");
        assert_eq!(field_text(&profile, "job_title"), "");
        assert_eq!(field_text(&profile, "location.city"), "");
        assert_eq!(field_text(&profile, "company.name.first"), "");
    }

    #[test]
    fn records_need_a_name_or_an_email_and_domains_stand_in_for_companies() {
        let mut values: [Option<Cow<str>>; ROLES] = Default::default();
        values[Role::Domain as usize] = Some("acme.nl".into());
        values[Role::Name as usize] = Some("  ".into());
        assert!(lookup_record(&values).is_err());

        values[Role::Name as usize] = Some(" Jane Doe ".into());
        assert_eq!(
            lookup_record(&values).expect("record"),
            json!({"name": "Jane Doe", "company": "acme.nl"})
        );
        values[Role::Company as usize] = Some("Acme B.V.".into());
        assert_eq!(
            lookup_record(&values).expect("record"),
            json!({"name": "Jane Doe", "company": "Acme B.V."})
        );
    }

    #[test]
    fn ndjson_keys_map_explicitly_by_dotted_path_or_by_detection() {
        let object = json!({"who": "Jane Doe", "org": {"name": "Acme"}, "E-Mail": "j@acme.nl",
                            "city": {"nested": true}, "zip": 1234});
        let Value::Object(object) = object else {
            unreachable!()
        };
        let explicit = [
            (Role::Name, "who".to_owned()),
            (Role::Company, "org.name".to_owned()),
        ];
        assert_eq!(
            ndjson_record(&object, &explicit, 1).expect("record"),
            json!({"name": "Jane Doe", "company": "Acme", "email": "j@acme.nl", "postcode": "1234"})
        );
        let err =
            ndjson_record(&object, &[(Role::Company, "org".to_owned())], 7).expect_err("not text");
        assert_eq!(err.message, "line 7: the company value is not text");
    }

    #[test]
    fn formats_come_from_extensions_or_the_flag() {
        let p = Path::new;
        assert_eq!(
            Format::resolve(p("in.CSV"), p("out.csv"), None).expect("csv"),
            Format::Csv
        );
        assert_eq!(
            Format::resolve(p("in.jsonl"), p("out.ndjson"), None).expect("ndjson"),
            Format::Ndjson
        );
        assert!(Format::resolve(p("-"), p("out.csv"), None).is_err());
        assert!(Format::resolve(p("in.csv"), p("out.ndjson"), None).is_err());
        assert!(Format::resolve(p("in.txt"), p("out.txt"), None).is_err());
        assert_eq!(
            Format::resolve(p("-"), p("-"), Some(Format::Ndjson)).expect("flag"),
            Format::Ndjson
        );
    }

    #[test]
    fn fields_are_checked_and_reduced_to_their_heads() {
        let mut options = FileOptions::new(Format::Csv);
        assert_eq!(
            options.enrich_options().expect("defaults").fields,
            Some(vec![
                "full_name".to_owned(),
                "job_title".into(),
                "company".into(),
                "location".into(),
                "email".into()
            ])
        );
        options.fields = vec!["compnay.name".into()];
        assert!(options.enrich_options().is_err());
        options.fields = vec!["id".into()];
        options.min_confidence = Some(1.5);
        assert!(options.enrich_options().is_err());
    }
}
