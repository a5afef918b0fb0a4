//! The command line: every subcommand and its arguments (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Convoy: an embedded knowledge graph for project work, giving AI agents
/// deterministic context in microseconds.
///
/// Every command works on one data directory. With --json, each prints one
/// JSON document on stdout (errors as {"error":{"code":…,"message":…}});
/// without it, readable text. Ids are UUIDs; relation names take the seeds'
/// spelling (task_blocks) or the short one (blocks).
#[derive(Parser, Debug)]
#[command(name = "convoy", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    /// Data directory (default: $CONVOY_DATA_DIR, else ./convoy-data).
    #[arg(long, global = true, env = "CONVOY_DATA_DIR", default_value = "convoy-data")]
    pub(crate) data_dir: PathBuf,
    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// The main job: generate a realistic dataset through the durable path,
    /// snapshot, reopen (recovery), and show what Convoy answers for one
    /// task, with each query's latency and the store's figures.
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
    /// Import a JSON document in the seeds' table format (keys are table
    /// names, values arrays of rows), all or nothing; every bad row is
    /// reported with its table, index and column.
    Import {
        /// The file ("-" for standard input).
        file: PathBuf,
    },
    /// Export the whole store in the seeds' table format.
    Export {
        /// The file to write ("-" for standard output).
        file: PathBuf,
    },
    /// Apply newline-delimited JSON mutations, one atomic batch per line (an
    /// op object or an array of ops); prints one acknowledgement line per
    /// input line once the batch is durable. Ops: create, update, delete,
    /// link, unlink, activity, stage, claim (see README).
    Apply {
        /// The file ("-" or nothing for standard input).
        file: Option<PathBuf>,
    },
    /// One entity as the seeds' row, plus its kind.
    Get {
        /// The entity's id.
        id: String,
    },
    /// A context bundle: for a task, its containers, parent and subtasks,
    /// blockers, related tasks, workflow stage, patterns, best practices and
    /// recent activity; for a container, what it sits in, its children and
    /// roll-up.
    Context(ContextArgs),
    /// The containers above an entity, nearest first, with their depth.
    Ancestors {
        /// The entity's id.
        id: String,
    },
    /// Everything under a container, by depth then id.
    Descendants {
        /// The container's id.
        id: String,
        /// Only this kind (task, slice, …).
        #[arg(long)]
        kind: Option<String>,
        /// Stop after this many levels.
        #[arg(long)]
        depth: Option<u32>,
    },
    /// One-hop neighbours of an entity.
    Related {
        /// The entity's id.
        id: String,
        /// Only this relation (blocks, task_blocks, …).
        #[arg(long)]
        rel: Option<String>,
        /// Only neighbours of this kind.
        #[arg(long)]
        kind: Option<String>,
        /// Which edges: out, in, or both.
        #[arg(long, value_enum, default_value_t = DirectionArg::Both)]
        direction: DirectionArg,
    },
    /// Multi-hop traversal over chosen relations, each result with its
    /// distance and path.
    Traverse {
        /// The starting entity's id.
        id: String,
        /// Relations to follow, comma-separated (blocks,related_to).
        #[arg(long, value_delimiter = ',', required = true)]
        rel: Vec<String>,
        /// Most hops.
        #[arg(long, default_value_t = 3)]
        hops: u32,
        /// Which edges: out, in, or both.
        #[arg(long, value_enum, default_value_t = DirectionArg::Out)]
        direction: DirectionArg,
        /// Only results of this kind.
        #[arg(long)]
        kind: Option<String>,
    },
    /// The entities most relevant to a focus, by relation weights and hop
    /// decay, each with the path that earned its score.
    Rank {
        /// The focus entity's id.
        id: String,
        /// How many.
        #[arg(long, default_value_t = 20)]
        top: usize,
    },
    /// Filtered find over tasks, projects and workstreams, by page.
    Find(FindArgs),
    /// Ready work: open tasks nothing open blocks, most urgent first.
    Ready {
        /// Only under this project.
        #[arg(long, conflicts_with = "workspace")]
        project: Option<String>,
        /// Only under this workspace.
        #[arg(long)]
        workspace: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Task counts by status under a container (or for one task).
    Rollup {
        /// The entity's id.
        id: String,
    },
    /// The neighbourhood of an entity as a Mermaid or Graphviz diagram.
    Graph {
        /// The centre entity's id.
        id: String,
        /// Hops from the centre.
        #[arg(long, default_value_t = 1)]
        depth: u32,
        /// Diagram language.
        #[arg(long, value_enum, default_value_t = DiagramFormat::Mermaid)]
        format: DiagramFormat,
        /// Most entities drawn (the nearest are kept).
        #[arg(long, default_value_t = 60)]
        limit: usize,
    },
    /// Write a snapshot now (bounds the next recovery's replay).
    Snapshot,
    /// Check every file's checksums, the log's sequence, every snapshot
    /// against the log and the graph's invariants, changing nothing. Exits
    /// non-zero on any fault.
    Verify,
    /// Entity, relationship and file figures of the store.
    Stats,
    /// Open with repair: cut the log at the last good record if it is
    /// damaged in the middle, and report what was cut. Records after the
    /// damage are lost; run `verify` first.
    Repair,
}

/// Arguments of `context`.
#[derive(Args, Debug)]
pub(crate) struct ContextArgs {
    /// The entity's id.
    pub(crate) id: String,
    /// Recent activity entries to include (tasks).
    #[arg(long, default_value_t = convoy_query::DEFAULT_ACTIVITY)]
    pub(crate) activity: usize,
    /// Output: json (full rows; compact when --budget is given) or
    /// markdown (for a prompt). Default: markdown, or json with --json.
    #[arg(long, value_enum)]
    pub(crate) format: Option<ContextFormat>,
    /// Fit the output in this many characters, dropping the least
    /// important parts first.
    #[arg(long)]
    pub(crate) budget: Option<usize>,
}

/// Arguments of `find`.
#[derive(Args, Debug)]
pub(crate) struct FindArgs {
    /// What to find: task, project or workstream (any kind works, with
    /// fewer filters).
    pub(crate) kind: String,
    /// Status (repeatable: any of them).
    #[arg(long)]
    pub(crate) status: Vec<String>,
    /// Priority (repeatable: any of them; "none" for unset).
    #[arg(long)]
    pub(crate) priority: Vec<String>,
    /// Label (repeatable: all of them).
    #[arg(long)]
    pub(crate) label: Vec<String>,
    /// Under this project.
    #[arg(long, group = "within")]
    pub(crate) project: Option<String>,
    /// Under this workstream.
    #[arg(long, group = "within")]
    pub(crate) workstream: Option<String>,
    /// Under this milestone.
    #[arg(long, group = "within")]
    pub(crate) milestone: Option<String>,
    /// Under this workspace.
    #[arg(long, group = "within")]
    pub(crate) workspace: Option<String>,
    /// Owned by this user.
    #[arg(long)]
    pub(crate) owner: Option<String>,
    /// Text in the title or name (case-insensitive).
    #[arg(long)]
    pub(crate) text: Option<String>,
    /// Page size.
    #[arg(long, default_value_t = 50)]
    pub(crate) limit: usize,
    /// Continue after this cursor (each result carries the cursor that
    /// continues after it).
    #[arg(long)]
    pub(crate) cursor: Option<String>,
}

/// Edge direction, as typed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub(crate) enum DirectionArg {
    /// Edges leaving the entity.
    Out,
    /// Edges arriving at it.
    In,
    /// Both.
    Both,
}

/// `context --format`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub(crate) enum ContextFormat {
    /// JSON.
    Json,
    /// Markdown.
    Markdown,
}

/// `graph --format`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub(crate) enum DiagramFormat {
    /// Mermaid flowchart.
    Mermaid,
    /// Graphviz dot.
    Dot,
}
