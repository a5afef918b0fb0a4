//! The `convoy` command: the demo, import/export in the seeds' table
//! format, NDJSON mutations, every query, and store maintenance.

mod cli;
mod commands;
mod failure;
mod open;
mod output;
mod parse;
mod progress;

use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Command};
use crate::commands::{demo, diagram, entity, maintain, search, transfer, walk};
use crate::failure::Failure;

fn run(cli: &Cli) -> Result<(), Failure> {
    let (dir, json) = (cli.data_dir.as_path(), cli.json);
    // Commands that manage the directory themselves.
    match &cli.command {
        Command::Demo { tasks, seed, replace } => return Ok(demo::run(dir, *tasks, *seed, *replace, json)?),
        Command::Verify => return maintain::verify_command(dir, json),
        Command::Repair => return maintain::repair(dir, json),
        Command::Import { file } => return transfer::import(&open::or_create(dir)?, file, json),
        Command::Apply { file } => return transfer::apply(&open::or_create(dir)?, file.as_deref()),
        Command::Snapshot => {
            let db = open::existing(dir, false)?;
            maintain::snapshot(&db, json)?;
            return Ok(db.close()?);
        }
        _ => {}
    }
    let store = open::read_only(dir)?;
    let graph = store.graph();
    match &cli.command {
        Command::Export { file } => transfer::export(graph, file, json),
        Command::Stats => maintain::stats(&store, dir, json),
        command => {
            match command {
                Command::Get { id } => entity::get(graph, id, json)?,
                Command::Context(args) => entity::context(graph, args, json)?,
                Command::Rollup { id } => entity::rollup_command(graph, id, json)?,
                Command::Ancestors { id } => walk::ancestors_command(graph, id, json)?,
                Command::Descendants { id, kind, depth } => {
                    walk::descendants_command(graph, id, kind.as_deref(), *depth, json)?;
                }
                Command::Related { id, rel, kind, direction } => {
                    walk::related_command(graph, id, rel.as_deref(), kind.as_deref(), *direction, json)?;
                }
                Command::Traverse { id, rel, hops, direction, kind } => {
                    walk::traverse_command(graph, id, rel, *hops, *direction, kind.as_deref(), json)?;
                }
                Command::Rank { id, top } => walk::rank_command(graph, id, *top, json)?,
                Command::Find(args) => search::find_command(graph, args, json)?,
                Command::Ready { project, workspace, limit } => {
                    search::ready_command(graph, project.as_deref(), workspace.as_deref(), *limit, json)?;
                }
                Command::Graph { id, depth, format, limit } => {
                    diagram::graph_command(graph, id, *depth, *format, *limit, json)?;
                }
                _ => {}
            }
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            failure.report(cli.json);
            ExitCode::FAILURE
        }
    }
}
