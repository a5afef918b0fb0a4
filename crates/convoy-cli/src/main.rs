//! The `convoy` command.

mod demo;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Convoy: an embedded knowledge graph for project work, giving AI agents
/// deterministic context in microseconds.
#[derive(Parser, Debug)]
#[command(name = "convoy", version, about)]
struct Cli {
    /// Data directory (default: $CONVOY_DATA_DIR, else ./convoy-data).
    #[arg(long, global = true, env = "CONVOY_DATA_DIR", default_value = "convoy-data")]
    data_dir: PathBuf,
    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Generate a realistic dataset through the durable path, snapshot,
    /// reopen, and show what Convoy answers for one task, with latencies.
    Demo {
        /// Tasks to generate.
        #[arg(long, default_value_t = 100_000)]
        tasks: usize,
        /// Generator seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Replace an earlier store in the data directory (only if the
        /// directory holds nothing but Convoy's own files).
        #[arg(long)]
        replace: bool,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo { tasks, seed, replace } => demo::run(&cli.data_dir, tasks, seed, replace, cli.json),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            let message = format!("{e:#}");
            if cli.json {
                let doc = serde_json::json!({ "error": { "code": "demo_failed", "message": message } });
                let _ = std::io::Write::write_all(&mut std::io::stdout(), format!("{doc}\n").as_bytes());
            }
            let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("convoy: {message}\n").as_bytes());
            std::process::ExitCode::FAILURE
        }
    }
}
