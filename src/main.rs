//! The `profiled` command: the daemon and its offline tools. Each subcommand parses its
//! flags, calls the library, and prints a summary; errors end in one line and exit 1.

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use profiled::clock::{Clock, SystemClock};
use profiled::config::{ApiKey, Config, DataArgs, KeyLimits, KeysArgs, ServeArgs};
use profiled::engine::Engine;
use profiled::enrich_file::{
    enrich_file, ColumnReport, EnrichSummary, FileOptions, Format, Role, DEFAULT_FIELDS,
};
use profiled::gen::{write_ndjson, GenOptions};
use profiled::ndjson::{read_chunk, BATCH_LINES};
use profiled::server::{shutdown_signal, Daemon};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(
    name = "profiled",
    version,
    about = "A fresh, privacy-respecting database of business profiles"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the daemon.
    Serve(ServeArgs),
    /// Load NDJSON files into a data directory (the daemon must not be running on it).
    Ingest {
        #[command(flatten)]
        data: DataArgs,
        /// NDJSON files, one ProfileInput per line; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Enrich a CSV or NDJSON file with the matching profiles (the daemon must not be
    /// running on the data directory).
    Enrich(EnrichArgs),
    /// Rebuild the search index from the store.
    Reindex {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Delete the profiles no source has shown within the retention window.
    Sweep {
        #[command(flatten)]
        data: DataArgs,
        /// Say what would expire and how much, and delete nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Check the store's secondary entries and the index against the profiles.
    Check {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Data-subject rights on a data directory (the daemon must not be running on it).
    #[command(subcommand)]
    Privacy(PrivacyCommand),
    /// Physically purge deleted data (erased people, expired profiles) from every file of
    /// the data directory now (the daemon must not be running on it; a running daemon
    /// purges with `POST /v1/admin/purge`, and on its own within the purge window).
    Purge {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Take a consistent snapshot of the store. When a daemon serves the data directory,
    /// it is asked for it (`POST /v1/admin/snapshot`) and keeps serving.
    Snapshot {
        #[command(flatten)]
        data: DataArgs,
        /// The snapshot file to write (it must not exist).
        #[arg(long)]
        out: PathBuf,
        /// The running daemon's URL [default: http:// and the configured listen address].
        #[arg(long, env = "PROFILED_URL")]
        url: Option<String>,
        /// An API key with the `admin` scope, when the daemon has keys configured.
        #[arg(long, env = "PROFILED_API_KEY", hide_env_values = true)]
        api_key: Option<String>,
    },
    /// Restore a snapshot into a data directory (the daemon must not be running on it).
    /// Suppressions the directory holds (erasures made after the snapshot) and those of
    /// `--suppressions` are re-applied: no erased person comes back.
    Restore {
        #[command(flatten)]
        data: DataArgs,
        /// The snapshot file.
        snapshot: PathBuf,
        /// A file of further suppressions kept outside the backups: keyed hashes, 32 hex
        /// digits a line.
        #[arg(long)]
        suppressions: Option<PathBuf>,
    },
    /// Make API keys, and list the configured ones.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// The disclosure log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Write deterministic sample profiles as NDJSON.
    Gen {
        #[arg(long, default_value_t = 1000)]
        count: u64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Sightings fall in the 180 days before this RFC 3339 time (default: today 00:00 UTC).
        #[arg(long)]
        now: Option<String>,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum PrivacyCommand {
    /// Erase the person a subject identifies and suppress their identifiers. The subject
    /// is read as JSON (`{"email":"…"}`, `{"id":"…"}`, `{"name":"…","company":"…"}`, …)
    /// from FILE or standard input (`-`), so no identifier shows in the process list.
    Erase {
        #[command(flatten)]
        data: DataArgs,
        /// JSON file with the subject; `-` reads standard input.
        subject: PathBuf,
    },
    /// Restrict processing of the person a subject identifies (or lift it with
    /// `--lift`): kept, but shown to no client. The subject is read as for `erase`.
    Restrict {
        #[command(flatten)]
        data: DataArgs,
        /// Lift the restriction instead.
        #[arg(long)]
        lift: bool,
        /// Record it as a CCPA opt-out of sale or sharing.
        #[arg(long)]
        opt_out: bool,
        subject: PathBuf,
    },
    /// Everything held about the person a subject identifies, as JSON, or with `--text`
    /// as a letter to send. The subject is read as for `erase`.
    Access {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        text: bool,
        subject: PathBuf,
    },
    /// The data-subject requests with their due dates (open ones unless `--all`).
    Requests {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        all: bool,
    },
    /// Import a California DROP deletion list (CSV `ID,Hash`): erase the listed people
    /// profiled holds, suppress every listed identifier, and write the status file to
    /// upload back to DROP (CSV `Id,Status`; 3 deleted, 5 not found).
    ImportDeletionList {
        #[command(flatten)]
        data: DataArgs,
        /// The list's identifier.
        #[arg(long = "type", value_enum)]
        list_type: ListTypeArg,
        /// The list as downloaded from DROP; `-` reads standard input.
        list: PathBuf,
        /// Where to write the status file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ListTypeArg {
    Email,
    Phone,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the disclosure log's hash chain and name the first entry that was
    /// altered or removed (exit status 1 then).
    Verify {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Make a key: prints the key on the first line (shown this once), then the
    /// `[[api_keys]]` block for the config file, which holds only the key's hash.
    New {
        /// Who holds the key (named in logs, metrics and disclosure records).
        #[arg(long)]
        name: String,
        /// Comma-separated: lookup, search, enrich, ingest, privacy, admin.
        #[arg(long, value_delimiter = ',', required = true)]
        scopes: Vec<String>,
        /// Requests per second (a token bucket) [default: unlimited].
        #[arg(long)]
        rate_per_second: Option<f64>,
        /// Requests the bucket holds, for bursts [default: one second's worth].
        #[arg(long)]
        burst: Option<u32>,
        /// Records per UTC day: lookups, profile reads and enrich records [default: unlimited].
        #[arg(long)]
        daily_quota: Option<u64>,
        /// A browser origin the key may be used from (repeat for more) [default: none].
        #[arg(long = "cors-origin", value_delimiter = ',')]
        cors_origins: Vec<String>,
    },
    /// List the configured keys: names, scopes, limits and origins, never a key or its hash.
    List(KeysArgs),
}

#[derive(clap::Args)]
struct EnrichArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Input file (.csv, .ndjson or .jsonl); `-` reads standard input.
    input: PathBuf,
    /// Output file, in the input's format; `-` writes standard output.
    output: PathBuf,
    /// The format of both files, instead of their extensions (required with `-`).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Column (CSV) or key (NDJSON; dotted for nested) with the full name [default: detected].
    #[arg(long, value_name = "COLUMN")]
    name_col: Option<String>,
    /// Column or key with the first name [default: detected].
    #[arg(long, value_name = "COLUMN")]
    first_col: Option<String>,
    /// Column or key with the last name [default: detected].
    #[arg(long, value_name = "COLUMN")]
    last_col: Option<String>,
    /// Column or key with the company name [default: detected].
    #[arg(long, value_name = "COLUMN")]
    company_col: Option<String>,
    /// Column or key with the company domain or website, used when no company name is given [default: detected].
    #[arg(long, value_name = "COLUMN")]
    domain_col: Option<String>,
    /// Column or key with the email address [default: detected].
    #[arg(long, value_name = "COLUMN")]
    email_col: Option<String>,
    /// Column or key with the city [default: detected].
    #[arg(long, value_name = "COLUMN")]
    city_col: Option<String>,
    /// Column or key with the postcode [default: detected].
    #[arg(long, value_name = "COLUMN")]
    postcode_col: Option<String>,
    /// Column or key with the ISO country code [default: detected].
    #[arg(long, value_name = "COLUMN")]
    country_col: Option<String>,
    /// Answers below this confidence are reported as `none` [default: the lookup's, 0.5].
    #[arg(long, value_name = "X")]
    min_confidence: Option<f64>,
    /// Profile fields to append (CSV: as `profiled_<field>` columns), dotted for nested values.
    #[arg(long, value_delimiter = ',', default_value = DEFAULT_FIELDS)]
    fields: Vec<String>,
}

/// mimalloc instead of glibc malloc: lookups allocate many small, short-lived strings
/// from several threads, and glibc's arena locking and consolidation took about a
/// quarter of enrichment's CPU time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PROFILED_LOG")
                // tantivy narrates every commit at info; its warnings still show.
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tantivy=warn")),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a terminal: a log file or a collector gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("profiled: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(&args),
        Command::Ingest { data, files } => ingest(&data, &files),
        Command::Enrich(args) => enrich(args),
        Command::Reindex { data } => reindex(&data),
        Command::Sweep { data, dry_run } => sweep(&data, dry_run),
        Command::Check { data } => check(&data),
        Command::Privacy(PrivacyCommand::ImportDeletionList {
            data,
            list_type,
            list,
            out,
        }) => import_deletion_list(&data, list_type, &list, out.as_deref()),
        Command::Privacy(command) => privacy(command),
        Command::Purge { data } => purge(&data),
        Command::Snapshot {
            data,
            out,
            url,
            api_key,
        } => snapshot(&data, &out, url, api_key.as_deref()),
        Command::Restore {
            data,
            snapshot,
            suppressions,
        } => restore(&data, &snapshot, suppressions.as_deref()),
        Command::Audit(AuditCommand::Verify { data }) => audit_verify(&data),
        Command::Keys(KeysCommand::New {
            name,
            scopes,
            rate_per_second,
            burst,
            daily_quota,
            cors_origins,
        }) => new_key(
            &name,
            &scopes,
            KeyLimits {
                rate_per_second,
                burst,
                daily_quota,
            },
            cors_origins,
        ),
        Command::Keys(KeysCommand::List(args)) => list_keys(&args),
        Command::Gen {
            count,
            seed,
            now,
            out,
        } => gen(count, seed, now, out),
    }
}

fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    let config = Config::resolve(args)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let daemon = Daemon::start(config, Arc::new(SystemClock)).await?;
        eprintln!("profiled listening on http://{}", daemon.addr());
        daemon.run_until(shutdown_signal()).await?;
        Ok(())
    })
}

/// Opens the data directory an offline command works on, configured as the daemon would
/// be (flags over environment over the TOML file).
fn open_engine(data: &DataArgs) -> anyhow::Result<Engine> {
    let config = Config::resolve_offline(data)?;
    Engine::open(config.engine(), Arc::new(SystemClock)).context("opening the data directory")
}

/// The data directory an offline command names, for its checks before opening it.
fn data_dir(data: &DataArgs) -> anyhow::Result<PathBuf> {
    Ok(Config::resolve_offline(data)?.data_dir)
}

/// Merges the index into one segment after a bulk load. A failed merge only costs lookup
/// speed (the daemon merges once idle), so it is reported, not fatal.
fn compact(engine: &Engine) {
    if let Err(err) = engine.compact() {
        tracing::warn!(error = %err, "the index is left in several segments; the daemon merges it once idle");
    }
}

/// Commits the index and flushes the store, then leaves the memory to the exiting
/// process: freeing a million profiles' match table entry by entry took 1.7 s.
fn close(engine: Engine) -> anyhow::Result<()> {
    engine.shutdown()?;
    std::mem::forget(engine);
    Ok(())
}

fn ingest(data: &DataArgs, files: &[PathBuf]) -> anyhow::Result<()> {
    // Every input opens before the data directory does: a mistyped file name must not
    // leave a new, empty data directory behind.
    let mut inputs: Vec<(&Path, Box<dyn Read>)> = Vec::with_capacity(files.len());
    let mut total_bytes = 0;
    for file in files {
        if file.as_os_str() == "-" {
            inputs.push((file, Box::new(std::io::stdin())));
        } else {
            let opened =
                std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
            total_bytes += opened.metadata().map_or(0, |m| m.len());
            inputs.push((file, Box::new(opened)));
        }
    }
    let engine = open_engine(data)?;
    let started = Instant::now();
    let bar = ProgressBar::new(total_bytes);
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {msg} [{elapsed_precise}, eta {eta}]",
        )
        .context("progress template")?,
    );
    let (mut created, mut updated, mut suppressed, mut rejected) = (0u64, 0u64, 0u64, 0u64);
    let mut last_seq = 0;
    for (file, reader) in inputs {
        let mut reader = BufReader::with_capacity(1 << 20, reader);
        let mut line_no = 1u64;
        let mut chunk = Vec::with_capacity(BATCH_LINES * 600);
        loop {
            let lines = read_chunk(&mut reader, BATCH_LINES, &mut chunk)
                .with_context(|| format!("reading {}", file.display()))?;
            if lines == 0 {
                break;
            }
            let (report, seq) = engine.ingest_ndjson(&chunk, line_no)?;
            for bad in &report.rejected {
                bar.suspend(|| eprintln!("{}:{}: {}", file.display(), bad.line, bad.error));
            }
            created += report.created;
            updated += report.updated;
            suppressed += report.suppressed;
            rejected += report.rejected.len() as u64;
            last_seq = last_seq.max(seq);
            line_no += lines as u64;
            bar.inc(chunk.len() as u64);
            let rate = (created + updated) as f64 / started.elapsed().as_secs_f64().max(1e-3);
            bar.set_message(format!("{} profiles, {rate:.0}/s", created + updated));
        }
    }
    bar.finish_and_clear();
    let stored = started.elapsed();
    engine.wait_searchable_blocking(last_seq, Duration::from_secs(3600))?;
    let indexed = started.elapsed();
    compact(&engine);
    close(engine)?;
    println!(
        "ingested {} profiles ({created} created, {updated} updated, {suppressed} suppressed, {rejected} rejected) in {:.1}s: {:.0} profiles/s stored, {:.0} profiles/s stored and indexed; index merged in {:.1}s",
        created + updated,
        indexed.as_secs_f64(),
        (created + updated) as f64 / stored.as_secs_f64().max(1e-3),
        (created + updated) as f64 / indexed.as_secs_f64().max(1e-3),
        (started.elapsed() - indexed).as_secs_f64(),
    );
    if rejected > 0 && created + updated == 0 {
        bail!("every line was rejected");
    }
    Ok(())
}

fn enrich(args: EnrichArgs) -> anyhow::Result<()> {
    let format = Format::resolve(&args.input, &args.output, args.format)?;
    let columns = [
        (Role::Name, args.name_col),
        (Role::FirstName, args.first_col),
        (Role::LastName, args.last_col),
        (Role::Company, args.company_col),
        (Role::Domain, args.domain_col),
        (Role::Email, args.email_col),
        (Role::City, args.city_col),
        (Role::Postcode, args.postcode_col),
        (Role::Country, args.country_col),
    ]
    .into_iter()
    .filter_map(|(role, column)| column.map(|column| (role, column)))
    .collect();
    let options = FileOptions {
        format,
        columns,
        min_confidence: args.min_confidence,
        fields: args.fields,
    };
    // Bad options fail before the (slower) opening of the data directory.
    options.enrich_options()?;
    let (input, total_bytes): (Box<dyn BufRead>, Option<u64>) = if args.input.as_os_str() == "-" {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let file = std::fs::File::open(&args.input)
            .with_context(|| format!("opening {}", args.input.display()))?;
        let len = file.metadata().ok().map(|m| m.len());
        (Box::new(BufReader::with_capacity(1 << 20, file)), len)
    };
    require_store(&args.data)?;
    let engine = open_engine(&args.data)?;
    let to_stdout = args.output.as_os_str() == "-";
    let bar = match total_bytes {
        Some(total) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {msg} [{elapsed_precise}, eta {eta}]",
            )
            .context("progress template")?,
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {bytes} {msg} [{elapsed_precise}]")
                .context("progress template")?,
        ),
    };
    let started = Instant::now();
    // Before the first lookup: which columns the job reads, and which it leaves unread.
    let on_columns = |report: &ColumnReport| bar.suspend(|| eprintln!("{report}"));
    let on_progress = |bytes: u64, records: u64| {
        bar.set_position(bytes);
        let rate = records as f64 / started.elapsed().as_secs_f64().max(1e-3);
        bar.set_message(format!("{records} records, {rate:.0}/s"));
    };
    let result = if to_stdout {
        enrich_file(
            &engine,
            input,
            std::io::stdout().lock(),
            &options,
            on_columns,
            on_progress,
        )
        .map_err(anyhow::Error::from)
    } else {
        enrich_to_file(
            &engine,
            input,
            &args.output,
            &options,
            on_columns,
            on_progress,
        )
    };
    bar.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    close(engine)?;
    let summary = result.with_context(|| match args.input.to_str() {
        Some("-") => "enriching standard input".to_owned(),
        _ => format!("enriching {}", args.input.display()),
    })?;
    let line = format!(
        "enriched {} records in {elapsed:.1}s ({:.0} records/s): {} match, {} ambiguous, {} none, {} errors",
        summary.records,
        summary.records as f64 / elapsed.max(1e-3),
        summary.matched,
        summary.ambiguous,
        summary.none,
        summary.errors,
    );
    // Standard output may be carrying the enriched records.
    if to_stdout {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
    Ok(())
}

/// Writes beside `path` and renames on success, so a failed job leaves no half-written
/// output and an earlier output (or the input itself) is not clobbered.
fn enrich_to_file(
    engine: &Engine,
    input: Box<dyn BufRead>,
    path: &Path,
    options: &FileOptions,
    columns: impl FnOnce(&ColumnReport),
    progress: impl FnMut(u64, u64),
) -> anyhow::Result<EnrichSummary> {
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let partial = path.with_file_name(format!(
        ".{}.partial-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let file =
        std::fs::File::create(&partial).with_context(|| format!("creating {}", path.display()))?;
    let finish = || -> anyhow::Result<_> {
        let summary = enrich_file(engine, input, &file, options, columns, progress)?;
        file.sync_all()
            .with_context(|| format!("writing {}", path.display()))?;
        std::fs::rename(&partial, path).with_context(|| format!("writing {}", path.display()))?;
        Ok(summary)
    };
    let result = finish();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// Offline commands other than `ingest` work on an existing store: opening the engine
/// would create an empty one and answer from it.
fn require_store(data: &DataArgs) -> anyhow::Result<()> {
    let dir = data_dir(data)?;
    if !profiled::store::exists_in(&dir) {
        bail!(
            "{} holds no profiled store (create one with `profiled ingest --data-dir {} FILE` or `profiled serve`)",
            dir.display(),
            dir.display()
        );
    }
    Ok(())
}

fn sweep(data: &DataArgs, dry_run: bool) -> anyhow::Result<()> {
    require_store(data)?;
    let engine = open_engine(data)?;
    if dry_run {
        let preview = engine.sweep_preview()?;
        close(engine)?;
        let oldest = preview
            .oldest_sighting
            .map(|t| format!(", the oldest last seen {t}"))
            .unwrap_or_default();
        println!(
            "dry run, nothing deleted: a sweep would delete {} profiles and {} companies not seen since {} ({} email hashes){oldest}",
            preview.expiring_profiles,
            preview.expiring_companies,
            preview.cutoff,
            preview.email_hashes,
        );
        return Ok(());
    }
    let report = engine.sweep(None)?;
    close(engine)?;
    println!(
        "swept in {} ms: deleted {} profiles and {} companies not seen since {}, and their {} email hashes",
        report.duration_ms,
        report.expired_profiles,
        report.expired_companies,
        report.cutoff,
        report.email_hashes_removed
    );
    Ok(())
}

fn check(data: &DataArgs) -> anyhow::Result<()> {
    require_store(data)?;
    let engine = open_engine(data)?;
    let report = engine.check()?;
    close(engine)?;
    for problem in &report.problems {
        println!("{problem}");
    }
    println!(
        "checked {} profiles, {} companies, {} index documents: {} problems",
        report.profiles, report.companies, report.indexed, report.problem_count
    );
    if report.problem_count > 0 {
        bail!("the data directory is inconsistent");
    }
    Ok(())
}

fn reindex(data: &DataArgs) -> anyhow::Result<()> {
    require_store(data)?;
    let index_dir = data_dir(data)?.join("index");
    if index_dir.exists() {
        std::fs::remove_dir_all(&index_dir).context("removing the old index")?;
    }
    let started = Instant::now();
    let engine = open_engine(data)?;
    let docs = engine.indexed_docs();
    compact(&engine);
    close(engine)?;
    println!(
        "reindexed {docs} profiles in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The privacy desk's commands: each reads its subject from a file or standard input,
/// runs the engine's operation under the key name `cli`, and prints the result.
fn privacy(command: PrivacyCommand) -> anyhow::Result<()> {
    let operator: std::sync::Arc<str> = std::sync::Arc::from("cli");
    let data = match &command {
        PrivacyCommand::Erase { data, .. }
        | PrivacyCommand::Restrict { data, .. }
        | PrivacyCommand::Access { data, .. }
        | PrivacyCommand::Requests { data, .. }
        | PrivacyCommand::ImportDeletionList { data, .. } => data,
    };
    let subject = match &command {
        PrivacyCommand::Erase { subject, .. }
        | PrivacyCommand::Restrict { subject, .. }
        | PrivacyCommand::Access { subject, .. } => Some(read_subject(subject)?),
        PrivacyCommand::Requests { .. } | PrivacyCommand::ImportDeletionList { .. } => None,
    };
    require_store(data)?;
    let engine = open_engine(data)?;
    let result = match (&command, subject) {
        (PrivacyCommand::Erase { .. }, Some(subject)) => engine
            .erase(&subject, &operator)
            .map(|(receipt, _)| serde_json::to_string_pretty(&receipt)),
        (PrivacyCommand::Restrict { lift, opt_out, .. }, Some(subject)) => engine
            .restrict(
                &profiled::model::RestrictRequest {
                    subject,
                    restricted: !lift,
                    opt_out: *opt_out,
                },
                &operator,
            )
            .map(|(receipt, _)| serde_json::to_string_pretty(&receipt)),
        (PrivacyCommand::Access { text, .. }, Some(subject)) => {
            engine.access(&subject, &operator).map(|export| {
                if *text {
                    Ok(export.text)
                } else {
                    serde_json::to_string_pretty(&export)
                }
            })
        }
        (PrivacyCommand::Requests { all, .. }, _) => engine
            .privacy_requests(!all)
            .map(|requests| serde_json::to_string_pretty(&requests)),
        _ => unreachable!("every command but `requests` reads a subject, and `run` imports lists"),
    };
    close(engine)?;
    println!("{}", result??);
    Ok(())
}

fn read_subject(subject: &Path) -> anyhow::Result<profiled::model::Subject> {
    let text = if subject.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the subject from standard input")?;
        text
    } else {
        std::fs::read_to_string(subject)
            .with_context(|| format!("reading {}", subject.display()))?
    };
    profiled::json::from_slice(text.as_bytes()).map_err(|err| {
        anyhow::anyhow!(
            "the subject is not valid: {err} (give one of email, email_sha256, phone, name with company, id, person_key)"
        )
    })
}

fn audit_verify(data: &DataArgs) -> anyhow::Result<()> {
    let config = Config::resolve_offline(data)?;
    let report = profiled::audit::verify(&config.data_dir)?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    match &report.problem {
        None => Ok(()),
        Some(problem) => anyhow::bail!("the disclosure log was tampered with: {problem}"),
    }
}

fn new_key(
    name: &str,
    scopes: &[String],
    limits: KeyLimits,
    cors_origins: Vec<String>,
) -> anyhow::Result<()> {
    let (key, config) = ApiKey::generate(name, scopes, limits, cors_origins)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{key}")?;
    write!(out, "{}", config.to_toml())?;
    out.flush()?;
    eprintln!(
        "profiled: the first line is the key, shown only now: give it to `{name}`; add the [[api_keys]] block to the config file (it holds the key's hash, not the key)"
    );
    Ok(())
}

fn import_deletion_list(
    data: &DataArgs,
    list_type: ListTypeArg,
    list: &Path,
    out: Option<&Path>,
) -> anyhow::Result<()> {
    let list_type = match list_type {
        ListTypeArg::Email => profiled::engine::DeletionListType::Email,
        ListTypeArg::Phone => profiled::engine::DeletionListType::Phone,
    };
    let input: Box<dyn Read> = if list.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(list).with_context(|| format!("opening {}", list.display()))?)
    };
    require_store(data)?;
    let engine = open_engine(data)?;
    // The status file is written only once the whole list was imported.
    let mut status = Vec::new();
    let imported = engine.import_deletion_list(
        list_type,
        BufReader::with_capacity(1 << 20, input),
        &mut status,
        "cli",
    );
    close(engine)?;
    let (report, _) = imported?;
    match out {
        Some(path) => {
            std::fs::write(path, &status).with_context(|| format!("writing {}", path.display()))?
        }
        None => std::io::stdout()
            .lock()
            .write_all(&status)
            .context("writing the status file")?,
    }
    eprintln!(
        "deletion list imported (request {}): {} work items, {} deleted (status 3), {} not found (status 5); {} profiles erased now",
        report.request_id, report.items, report.deleted, report.not_found, report.erased_profiles
    );
    Ok(())
}

fn purge(data: &DataArgs) -> anyhow::Result<()> {
    require_store(data)?;
    let engine = open_engine(data)?;
    let report = engine.purge();
    close(engine)?;
    let report = report?;
    println!(
        "purged in {} ms: the store was rewritten ({} entries, {} → {} bytes) and {} index segments without their deleted documents",
        report.duration_ms,
        report.store_entries,
        report.store_bytes_before,
        report.store_bytes_after,
        report.index_segments_rewritten
    );
    Ok(())
}

fn snapshot(
    data: &DataArgs,
    out: &Path,
    url: Option<String>,
    api_key: Option<&str>,
) -> anyhow::Result<()> {
    let config = Config::resolve_offline(data)?;
    let started = Instant::now();
    let info = match profiled::engine::backup::snapshot_offline(
        &config.engine(),
        out,
        SystemClock.now(),
    ) {
        Ok(info) => info,
        Err(err) if err.kind() == profiled::error::Code::StoreLocked => {
            // A daemon serves the directory: it takes the snapshot and keeps serving.
            let url = url.unwrap_or_else(|| format!("http://{}", config.listen));
            let name = out
                .file_name()
                .with_context(|| format!("{} is not a file name", out.display()))?;
            let partial = out.with_file_name(format!(
                ".{}.partial-{}",
                name.to_string_lossy(),
                std::process::id()
            ));
            if out.exists() {
                bail!(
                    "{} exists already; a snapshot does not replace a file",
                    out.display()
                );
            }
            let downloaded =
                profiled::admin_client::post_to_file(&url, "/v1/admin/snapshot", api_key, &partial)
                    .and_then(|_| profiled::store::verify_snapshot(&partial));
            match downloaded {
                Ok(info) => {
                    std::fs::rename(&partial, out)
                        .with_context(|| format!("writing {}", out.display()))?;
                    info
                }
                Err(err) => {
                    let _ = std::fs::remove_file(&partial);
                    return Err(
                        anyhow::Error::from(err).context("taking the snapshot from the daemon")
                    );
                }
            }
        }
        Err(err) => return Err(anyhow::Error::from(err).context("taking the snapshot")),
    };
    println!(
        "snapshot {} taken in {:.1}s: {} profiles, {} entries (email addresses only as keyed hashes; keep the email hash key apart from it)",
        out.display(),
        started.elapsed().as_secs_f64(),
        info.profiles,
        info.entries
    );
    Ok(())
}

fn restore(data: &DataArgs, snapshot: &Path, suppressions: Option<&Path>) -> anyhow::Result<()> {
    let config = Config::resolve_offline(data)?;
    let started = Instant::now();
    let report = profiled::engine::backup::restore(
        &config.engine(),
        snapshot,
        suppressions,
        SystemClock.now(),
    )
    .with_context(|| format!("restoring {}", snapshot.display()))?;
    // Rebuild the index now, so the directory is complete (and `check` clean) at once.
    let engine = open_engine(data)?;
    compact(&engine);
    close(engine)?;
    println!(
        "restored the snapshot of {} in {:.1}s: {} profiles; {} suppressions made since re-applied, {} restored profiles erased again; index rebuilt",
        report.snapshot_taken,
        started.elapsed().as_secs_f64(),
        report.profiles,
        report.suppressions_reapplied,
        report.profiles_erased
    );
    Ok(())
}

fn list_keys(args: &KeysArgs) -> anyhow::Result<()> {
    let config = Config::resolve_keys(args)?;
    if config.api_keys.is_empty() {
        println!("no API keys are configured: the daemon serves without keys, on a loopback address only");
        return Ok(());
    }
    let or_none = |value: Option<String>| value.unwrap_or_else(|| "-".to_owned());
    let rows: Vec<[String; 7]> = config
        .api_keys
        .iter()
        .map(|key| {
            let scopes: Vec<&str> = key.scopes.iter().map(|s| s.name()).collect();
            [
                key.name.clone(),
                scopes.join(","),
                or_none(key.limits.rate_per_second.map(|r| r.to_string())),
                or_none(key.limits.bucket().map(|(_, burst)| burst.to_string())),
                or_none(key.limits.daily_quota.map(|q| q.to_string())),
                match &key.cors_origins {
                    Some(origins) if !origins.is_empty() => origins.join(","),
                    Some(_) => "-".to_owned(),
                    None if config.cors_origins.is_empty() => "-".to_owned(),
                    None => format!("{} (daemon-wide)", config.cors_origins.join(",")),
                },
                if key.secret.is_plain() {
                    "plain text".to_owned()
                } else {
                    "hash".to_owned()
                },
            ]
        })
        .collect();
    let header = [
        "NAME",
        "SCOPES",
        "RATE/S",
        "BURST",
        "DAILY QUOTA",
        "CORS ORIGINS",
        "GIVEN AS",
    ]
    .map(str::to_owned);
    let mut widths = [0usize; 7];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        println!("{}", cells.join("  ").trim_end());
    }
    Ok(())
}

fn gen(count: u64, seed: u64, now: Option<String>, out: Option<PathBuf>) -> anyhow::Result<()> {
    let now = match now {
        Some(text) => profiled::clock::parse_rfc3339(&text)
            .with_context(|| format!("--now {text:?} is not an RFC 3339 time"))?,
        None => {
            let now = SystemClock.now();
            now - now.rem_euclid(86_400)
        }
    };
    let options = GenOptions { count, seed, now };
    match out {
        Some(path) => {
            let file = std::fs::File::create(&path)
                .with_context(|| format!("creating {}", path.display()))?;
            let mut writer = std::io::BufWriter::with_capacity(1 << 20, file);
            write_ndjson(&options, &mut writer)?;
            writer.flush()?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut writer = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
            write_ndjson(&options, &mut writer)?;
            writer.flush()?;
        }
    }
    Ok(())
}
