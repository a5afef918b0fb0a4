//! `convoy-bench`: Convoy against SQLite with the seeds' schema, side by
//! side in one run (issue 5).
//!
//! ```sh
//! cargo run --release -p convoy-bench -- --tasks 100000
//! cargo run --release -p convoy-bench -- chart benches/results/compare-100000.json \
//!     benches/results/compare-1000000.json --out docs/compare.svg
//! ```
//!
//! Prints a Markdown table on stdout (progress on stderr), writes the
//! numbers as JSON, and exits non-zero if any answer check failed.

mod compare;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::{Args, Parser, Subcommand};

/// Convoy vs SQLite (seeds' schema): same data, same starting points,
/// answers checked, medians and p99 compared.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// A subcommand; without one, run the comparison.
    #[command(subcommand)]
    cmd: Option<Cmd>,
    /// The comparison's options.
    #[command(flatten)]
    run: RunArgs,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
enum Cmd {
    /// Writes an SVG bar chart (log-scale µs, by query, one bar per system
    /// and size) of one or more results files.
    Chart {
        /// Results JSON files, smallest size first.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Where the SVG goes.
        #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/compare.svg"))]
        out: PathBuf,
    },
    /// Internal: load one system from the run's files in this process and
    /// report its resident memory as JSON.
    #[command(name = "__footprint", hide = true)]
    Footprint {
        /// `convoy`, `sqlite-memory` or `sqlite-file`.
        system: String,
        /// Convoy's data directory or the SQLite file.
        path: PathBuf,
    },
}

/// Options of the comparison run.
#[derive(Args, Debug)]
struct RunArgs {
    /// Tasks to generate.
    #[arg(long, default_value_t = 100_000)]
    tasks: usize,
    /// Seed of the data and of the random starting points.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// JSON results file [default: benches/results/compare-<tasks>.json].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Directory for the databases (a fresh subdirectory is made and
    /// removed) [default: the system's temp dir]. Must be a real disk for
    /// the durable numbers to mean anything.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Keep the databases afterwards.
    #[arg(long)]
    keep: bool,
    /// Random starting points, cycled through by every timed query.
    #[arg(long, default_value_t = 1_000)]
    points: usize,
    /// Starting points whose full answers are compared (Q4: at most 3).
    #[arg(long, default_value_t = 100)]
    check_points: usize,
    /// Multiplies every time budget (e.g. 0.2 for a quick look).
    #[arg(long, default_value_t = 1.0)]
    budget: f64,
    /// Concurrent committers in Q7.
    #[arg(long, default_value_t = 4)]
    writers: usize,
    /// Deletes SQLite's in-memory `task_related_to` rows after loading, to
    /// show that the answer check fails (Q3, Q5) and the exit code is 1.
    #[arg(long, hide = true)]
    sabotage: bool,
}

fn main() -> Result<ExitCode> {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli.cmd {
        Some(Cmd::Chart { inputs, out: svg }) => {
            let mut runs = Vec::new();
            for path in &inputs {
                let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
                runs.push(serde_json::from_str(&text).with_context(|| format!("parse {}", path.display()))?);
            }
            if let Some(dir) = svg.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&svg, compare::chart::svg(&runs))?;
            writeln!(out, "wrote {}", svg.canonicalize().unwrap_or(svg).display())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Cmd::Footprint { system, path }) => {
            compare::memory::child(&system, &path, &mut out)?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let a = cli.run;
            let args: Vec<String> = std::env::args().skip(1).collect();
            let cfg = compare::Config {
                tasks: a.tasks,
                seed: a.seed,
                out: a.out.unwrap_or_else(|| {
                    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("results/compare-{}.json", a.tasks))
                }),
                dir: a.dir.unwrap_or_else(std::env::temp_dir),
                keep: a.keep,
                points: a.points.max(1),
                check_points: a.check_points,
                budget: a.budget,
                writers: a.writers.max(1),
                sabotage: a.sabotage,
                command: format!("cargo run --release -p convoy-bench -- {}", args.join(" ")).trim_end().to_owned(),
            };
            let passed = compare::run(&cfg, &mut out)?;
            Ok(if passed { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
    }
}
