//! The `profiled` command: the daemon and its offline tools. Each subcommand parses its
//! flags, calls the library, and prints a summary; errors end in one line and exit 1.

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use profiled::clock::{Clock, SystemClock};
use profiled::config::{Config, ServeArgs, DEFAULT_DATA_DIR};
use profiled::engine::{Engine, EngineConfig};
use profiled::gen::{write_ndjson, GenOptions};
use profiled::sample::BATCH_LINES;
use profiled::server::{shutdown_signal, Daemon};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

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
        #[arg(long, env = "PROFILED_DATA_DIR", default_value = DEFAULT_DATA_DIR)]
        data_dir: PathBuf,
        /// NDJSON files, one ProfileInput per line; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Rebuild the search index from the store.
    Reindex {
        #[arg(long, env = "PROFILED_DATA_DIR", default_value = DEFAULT_DATA_DIR)]
        data_dir: PathBuf,
    },
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

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PROFILED_LOG")
                // tantivy narrates every commit at info; its warnings still show.
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tantivy=warn")),
        )
        .with_writer(std::io::stderr)
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
        Command::Ingest { data_dir, files } => ingest(data_dir, &files),
        Command::Reindex { data_dir } => reindex(data_dir),
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

fn open_engine(data_dir: PathBuf) -> anyhow::Result<Engine> {
    Engine::open(EngineConfig::new(data_dir), Arc::new(SystemClock))
        .context("opening the data directory")
}

fn ingest(data_dir: PathBuf, files: &[PathBuf]) -> anyhow::Result<()> {
    let engine = open_engine(data_dir)?;
    let started = Instant::now();
    let total_bytes: u64 = files
        .iter()
        .filter(|f| f.as_os_str() != "-")
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let bar = ProgressBar::new(total_bytes);
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {msg} [{elapsed_precise}, eta {eta}]",
        )
        .context("progress template")?,
    );
    let (mut created, mut updated, mut rejected) = (0u64, 0u64, 0u64);
    let mut last_seq = 0;
    for file in files {
        let reader: Box<dyn Read> = if file.as_os_str() == "-" {
            Box::new(std::io::stdin())
        } else {
            Box::new(
                std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?,
            )
        };
        let mut reader = BufReader::with_capacity(1 << 20, reader);
        let mut line_no = 1u64;
        loop {
            let mut chunk = Vec::with_capacity(BATCH_LINES * 600);
            let mut lines = 0;
            while lines < BATCH_LINES {
                let read = reader
                    .read_until(b'\n', &mut chunk)
                    .with_context(|| format!("reading {}", file.display()))?;
                if read == 0 {
                    break;
                }
                lines += 1;
            }
            if lines == 0 {
                break;
            }
            let (report, seq) = engine.ingest_ndjson(&chunk, line_no)?;
            for bad in &report.rejected {
                bar.suspend(|| eprintln!("{}:{}: {}", file.display(), bad.line, bad.error));
            }
            created += report.created;
            updated += report.updated;
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
    engine.shutdown()?;
    let total = started.elapsed();
    println!(
        "ingested {} profiles ({created} created, {updated} updated, {rejected} rejected) in {:.1}s: {:.0} profiles/s stored, {:.0} profiles/s stored and indexed",
        created + updated,
        total.as_secs_f64(),
        (created + updated) as f64 / stored.as_secs_f64().max(1e-3),
        (created + updated) as f64 / total.as_secs_f64().max(1e-3),
    );
    if rejected > 0 && created + updated == 0 {
        bail!("every line was rejected");
    }
    Ok(())
}

fn reindex(data_dir: PathBuf) -> anyhow::Result<()> {
    if !data_dir.join("store").is_dir() {
        bail!("{} holds no profiled store", data_dir.display());
    }
    let index_dir = data_dir.join("index");
    if index_dir.exists() {
        std::fs::remove_dir_all(&index_dir).context("removing the old index")?;
    }
    let started = Instant::now();
    let engine = open_engine(data_dir)?;
    let docs = engine.indexed_docs();
    engine.shutdown()?;
    println!(
        "reindexed {docs} profiles in {:.1}s",
        started.elapsed().as_secs_f64()
    );
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
