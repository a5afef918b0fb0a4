//! Resident memory of each system in isolation: the harness re-executes its
//! own binary with a hidden subcommand that loads ONE system from the files
//! the main run wrote, and reports `VmRSS` / `VmHWM` from
//! `/proc/self/status` as one JSON line. Nothing else (no generator, no
//! other system) lives in that process.
//!
//! - `convoy`: `Db::open` on the data directory (snapshot + log recovery).
//! - `sqlite-memory`: an in-memory database filled from the file with
//!   SQLite's backup API (the source connection is closed afterwards).
//! - `sqlite-file`: the file opened with the harness's settings and warmed
//!   by one run of Q4 (its working set is the OS page cache, which is not
//!   resident memory of the process).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, Result, bail, ensure};
use convoy_store::{Db, Options};
use serde::{Deserialize, Serialize};

use super::sqlite::{copy_to_memory, open_file};

/// What a child reports.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Footprint {
    /// `VmRSS` before loading, bytes (the bare process).
    pub(crate) baseline_rss: u64,
    /// `VmRSS` after loading, bytes.
    pub(crate) rss: u64,
    /// `VmHWM` (peak resident) after loading, bytes.
    pub(crate) hwm: u64,
    /// Time to load, seconds.
    pub(crate) load_secs: f64,
    /// Entities (Convoy) or task rows (SQLite) seen, as a sanity check.
    pub(crate) items: u64,
}

/// `VmRSS` and `VmHWM` of this process, bytes.
///
/// # Errors
/// `/proc/self/status` unreadable or without the fields (not Linux).
pub(crate) fn status() -> Result<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/self/status").context("read /proc/self/status")?;
    let field = |name: &str| -> Result<u64> {
        let line = text.lines().find(|l| l.starts_with(name)).with_context(|| format!("{name} missing"))?;
        let kib: u64 = line.trim_start_matches(name).trim().trim_end_matches("kB").trim().parse()?;
        Ok(kib * 1024)
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

/// The hidden subcommand's body: loads `system` from `path` and prints the
/// [`Footprint`] as JSON on stdout.
///
/// # Errors
/// An unknown system, or a load that fails.
pub(crate) fn child(system: &str, path: &Path, out: &mut impl std::io::Write) -> Result<()> {
    let (baseline_rss, _) = status()?;
    let start = Instant::now();
    let count = |conn: &rusqlite::Connection| -> Result<u64> {
        Ok(u64::try_from(conn.query_row("SELECT count(*) FROM tasks", [], |r| r.get::<_, i64>(0))?)?)
    };
    let (items, keep): (u64, Box<dyn std::any::Any>) = match system {
        "convoy" => {
            let db = Db::open(path, Options::new().snapshot_every(None, None))?;
            let n = db.read().entity_count() as u64;
            (n, Box::new(db))
        }
        "sqlite-memory" => {
            let conn = copy_to_memory(path)?;
            let n = count(&conn)?;
            (n, Box::new(conn))
        }
        "sqlite-file" => {
            let conn = open_file(path)?;
            let ws: String = conn.query_row("SELECT id FROM workspaces ORDER BY id LIMIT 1", [], |r| r.get(0))?;
            let id: convoy_core::EntityId = ws.parse()?;
            let point = super::spec::Point {
                task: id,
                project: id,
                workspace: id,
                status: convoy_core::model::TaskStatus::Todo,
                priority: convoy_core::model::Priority::Low,
            };
            let mut digest = super::answer::Digest::new();
            super::sql::SqlSide::new(&conn).run(super::spec::Query::Workspace, &point, None, &mut digest)?;
            let n = count(&conn)?;
            (n, Box::new(conn))
        }
        other => bail!("unknown system {other:?}"),
    };
    let load_secs = start.elapsed().as_secs_f64();
    let (rss, hwm) = status()?;
    drop(keep);
    let report = Footprint { baseline_rss, rss, hwm, load_secs, items };
    writeln!(out, "{}", serde_json::to_string(&report)?)?;
    Ok(())
}

/// Runs the child for `system` on `path` and reads its report.
///
/// # Errors
/// The child failed or printed something else.
pub(crate) fn measure(system: &str, path: &Path) -> Result<Footprint> {
    // `/proc/self/exe` runs this very binary even if a rebuild has
    // replaced the file since the run started.
    let proc_exe = Path::new("/proc/self/exe");
    let exe = if proc_exe.exists() { proc_exe.to_path_buf() } else { std::env::current_exe()? };
    let output = Command::new(&exe)
        .arg("__footprint")
        .arg(system)
        .arg(path)
        .output()
        .with_context(|| format!("run {} __footprint {system}", exe.display()))?;
    ensure!(
        output.status.success(),
        "footprint child for {system} failed: {}",
        String::from_utf8_lossy(&output.stderr).trim()
    );
    let text = String::from_utf8(output.stdout)?;
    let line = text.lines().last().context("footprint child printed nothing")?;
    Ok(serde_json::from_str(line)?)
}
