//! One comparison run, start to end (see the parent module for the order).

use super::{commit, memory, report, spec, sqlite, system};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, ensure};
use convoy_core::Graph;
use convoy_store::{Db, FsyncPolicy, Options};
use rand::SeedableRng as _;
use rand::rngs::StdRng;

use super::check::{QueryCheck, check, check_timed};
use super::commit::CommitBudget;
use super::convoy::ConvoySide;
use super::measure::{Budget, stats, time};
use super::report::{Durability, QueryResult, Results};
use super::spec::Query;
use super::sql::SqlSide;

/// What to run.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    /// Tasks to generate.
    pub(crate) tasks: usize,
    /// Seed of the generator and of the starting points.
    pub(crate) seed: u64,
    /// Where the JSON results go.
    pub(crate) out: PathBuf,
    /// Where the working directory is made (a fresh subdirectory).
    pub(crate) dir: PathBuf,
    /// Keep the working directory afterwards.
    pub(crate) keep: bool,
    /// Random starting points (cycled through by every timed query).
    pub(crate) points: usize,
    /// Starting points whose answers are compared in full (Q4: at most 3).
    pub(crate) check_points: usize,
    /// Multiplies every time budget.
    pub(crate) budget: f64,
    /// Concurrent committers for Q7.
    pub(crate) writers: usize,
    /// Damage SQLite's in-memory copy to prove the answer check fails.
    pub(crate) sabotage: bool,
    /// The command line, for the report.
    pub(crate) command: String,
}

/// Progress on stderr.
fn note(msg: &str) {
    let _ = writeln!(std::io::stderr().lock(), "[compare] {msg}");
}

/// A working directory removed on drop unless kept.
struct WorkDir {
    path: PathBuf,
    keep: bool,
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Total size of the files under `path`.
fn du(path: &Path) -> u64 {
    let Ok(meta) = std::fs::metadata(path) else { return 0 };
    if !meta.is_dir() {
        return meta.len();
    }
    std::fs::read_dir(path).map_or(0, |entries| entries.flatten().map(|e| du(&e.path())).sum())
}

/// Bytes of a SQLite database file plus its WAL.
fn sqlite_bytes(path: &Path) -> u64 {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    du(path) + du(Path::new(&wal))
}

/// Runs the comparison, prints the Markdown report on `out` and writes the
/// JSON. Returns whether every answer check passed.
///
/// # Errors
/// Any load, query or I/O failure.
pub(crate) fn run(cfg: &Config, out: &mut impl Write) -> Result<bool> {
    let started = Instant::now();
    let work = WorkDir { path: cfg.dir.join(format!("convoy-compare-{}", std::process::id())), keep: cfg.keep };
    std::fs::create_dir_all(&work.path)?;
    let mut r = Results {
        tasks: cfg.tasks,
        seed: cfg.seed,
        date: convoy_core::Timestamp::now().to_string(),
        command: cfg.command.clone(),
        machine: system::machine(&work.path),
        ..Results::default()
    };
    note(&format!("generating {} tasks (seed {}) in {}", cfg.tasks, cfg.seed, work.path.display()));
    let t = Instant::now();
    let mut data = convoy_workload::generate(cfg.tasks, cfg.seed)?;
    r.load.generate_secs = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let mut graph = Graph::new();
    for batch in &data.batches {
        graph.apply(batch)?;
    }
    r.load.convoy_memory_secs = t.elapsed().as_secs_f64();
    r.dataset.tasks = data.tasks.len();
    r.dataset.entities = graph.entity_count();
    r.dataset.relationships = graph.relationship_count();
    drop(graph);
    note(&format!("Convoy in memory: {:.2} s", r.load.convoy_memory_secs));

    // Q8: durable bulk loads.
    let convoy_dir = work.path.join("convoy");
    let options = || Options::new().fsync(FsyncPolicy::Always).snapshot_every(None, None);
    let db = Db::open(&convoy_dir, options())?;
    let batches = std::mem::take(&mut data.batches);
    r.load.convoy_batches = batches.len();
    let t = Instant::now();
    for batch in batches {
        db.commit(batch)?;
    }
    r.load.convoy_durable_secs = t.elapsed().as_secs_f64();
    r.disk.convoy_after_load = du(&convoy_dir);
    note(&format!("Q8 Convoy durable load: {:.2} s", r.load.convoy_durable_secs));

    let sqlite_path = work.path.join("seeds.sqlite");
    let mut file = sqlite::open_file(&sqlite_path)?;
    let t = Instant::now();
    let loaded = sqlite::load(&mut file, &db.read(), cfg.seed)?;
    r.load.sqlite_file_secs = t.elapsed().as_secs_f64();
    r.dataset.sqlite_rows = loaded.rows;
    r.disk.sqlite_file = sqlite_bytes(&sqlite_path);
    note(&format!("Q8 SQLite file load: {:.2} s ({} rows)", r.load.sqlite_file_secs, loaded.rows));

    let t = Instant::now();
    let mem = sqlite::copy_to_memory(&sqlite_path)?;
    r.load.sqlite_memory_secs = t.elapsed().as_secs_f64();
    note(&format!("SQLite in memory, copied from the file: {:.2} s", r.load.sqlite_memory_secs));
    if cfg.sabotage {
        let n = mem.execute("DELETE FROM relationships WHERE relationship_type = 'task_related_to'", [])?;
        note(&format!("SABOTAGE: deleted {n} related_to rows from SQLite in memory; Q3 and Q5 must fail"));
    }

    // Q1–Q6, Q9: check, then time.
    let points = spec::points(&data, cfg.points, cfg.seed);
    ensure!(!points.is_empty(), "no starting points");
    {
        let convoy = ConvoySide::new(&db);
        let peers = [("sqlite-memory", SqlSide::new(&mem)), ("sqlite-file", SqlSide::new(&file))];
        for q in Query::ALL {
            r.queries.push(read_query(cfg, q, &points, &convoy, &peers)?);
        }
    }
    r.checks_passed = r.queries.iter().all(|q| q.check.as_ref().is_none_or(QueryCheck::passed));

    // Snapshot, close, footprints, recovery.
    let t = Instant::now();
    let info = db.snapshot()?;
    r.durability = Durability {
        snapshot_secs: t.elapsed().as_secs_f64(),
        snapshot_rebuild_secs: info.rebuild.as_secs_f64(),
        snapshot_write_secs: info.write.as_secs_f64(),
        snapshot_bytes: info.bytes,
        ..Durability::default()
    };
    r.disk.convoy_after_snapshot = du(&convoy_dir);
    note(&format!("snapshot: {:.2} s, {}", r.durability.snapshot_secs, report::bytes(info.bytes)));
    let entities = db.read().entity_count();
    db.close()?;
    drop(mem);
    drop(file);
    r.memory.convoy = memory::measure("convoy", &convoy_dir)?;
    r.memory.sqlite_memory = memory::measure("sqlite-memory", &sqlite_path)?;
    r.memory.sqlite_file = memory::measure("sqlite-file", &sqlite_path)?;
    note(&format!(
        "RSS after load: Convoy {}, SQLite in memory {}, SQLite file {}",
        report::bytes(r.memory.convoy.rss),
        report::bytes(r.memory.sqlite_memory.rss),
        report::bytes(r.memory.sqlite_file.rss)
    ));
    let t = Instant::now();
    let db = Db::open(&convoy_dir, options())?;
    r.durability.recovery_secs = t.elapsed().as_secs_f64();
    r.durability.recovered_entities = db.read().entity_count();
    ensure!(r.durability.recovered_entities == entities, "recovery lost entities: {entities} before");
    note(&format!("recovery: {:.2} s", r.durability.recovery_secs));

    // Q7.
    let budget =
        CommitBudget { per_writer: 4_000, time: Duration::from_secs_f64(3.0 * cfg.budget), writers: cfg.writers };
    let mut rng = StdRng::seed_from_u64(cfg.seed ^ 0x00c0_3317);
    let news = commit::new_tasks(&db.read(), &data.tasks, budget.per_writer * (2 + budget.writers), &mut rng)?;
    let (one, rest) = news.split_at(budget.per_writer);
    let (extra, many) = rest.split_at(budget.per_writer);
    r.commits.convoy = commit::convoy(&db, one, many, &budget)?;
    note(&format!("Q7 Convoy: {:.3} ms median", r.commits.convoy.single.median_us / 1e3));
    db.close()?;
    let db = Db::open(&convoy_dir, options().fsync(FsyncPolicy::Never))?;
    r.commits.convoy.single_nosync = commit::convoy_nosync(&db, extra, &budget)?;
    db.close()?;
    let file = sqlite::open_file(&sqlite_path)?;
    r.commits.sqlite = commit::sqlite(&file, &sqlite_path, one, many, extra, &budget, &mut rng)?;
    note(&format!("Q7 SQLite: {:.3} ms median", r.commits.sqlite.single.median_us / 1e3));
    drop(file);

    r.run_secs = started.elapsed().as_secs_f64();
    r.machine.load_end = system::load_average();
    if let Some(dir) = cfg.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&cfg.out, serde_json::to_string_pretty(&r)?)
        .with_context(|| format!("write {}", cfg.out.display()))?;
    write!(out, "{}", report::markdown(&r))?;
    writeln!(out, "\nResults: {}", cfg.out.display())?;
    Ok(r.checks_passed)
}

/// Checks one read query, times it on every system, and works out ratios.
fn read_query(
    cfg: &Config,
    q: Query,
    points: &[spec::Point],
    convoy: &ConvoySide<'_>,
    peers: &[(&str, SqlSide<'_>); 2],
) -> Result<QueryResult> {
    let mut result = QueryResult { id: q.id().into(), title: q.title().into(), ..QueryResult::default() };
    let sample = cfg.check_points.min(if q == Query::Workspace { 3 } else { usize::MAX }).min(points.len());
    let mut verdict = if q.has_peer() { Some(check(q, &points[..sample], convoy, peers)?) } else { None };
    let ours = time(points, &Budget::fast(cfg.budget), |p, d| convoy.run(q, p, q.page(), d))?;
    result.convoy = stats(&ours.nanos, ours.rows);
    if let Some(v) = &mut verdict {
        let mut medians = Vec::new();
        for (name, peer) in peers {
            let theirs = time(points, &Budget::slow(cfg.budget), |p, d| peer.run(q, p, q.page(), d))?;
            check_timed(v, q, name, &ours.digests, &theirs.digests);
            let s = stats(&theirs.nanos, theirs.rows);
            medians.push(s.median_us);
            if *name == "sqlite-memory" {
                result.sqlite_memory = Some(s);
            } else {
                result.sqlite_file = Some(s);
            }
        }
        if v.passed() {
            let base = result.convoy.median_us.max(1e-6);
            result.ratio_memory = result.sqlite_memory.map(|s| s.median_us / base);
            result.ratio_file = result.sqlite_file.map(|s| s.median_us / base);
        } else {
            note(&format!("{} ANSWER CHECK FAILED: {} mismatches", q.id(), v.mismatches));
            for e in &v.examples {
                note(&format!("  {e}"));
            }
            if v.non_empty == 0 {
                note("  (every sampled answer was empty: the check would prove nothing)");
            }
        }
    }
    result.check = verdict;
    note(&format!(
        "{} {}: Convoy {} µs, SQLite mem {} µs, file {} µs",
        q.id(),
        q.title(),
        report::us(result.convoy.median_us),
        result.sqlite_memory.map_or_else(|| "—".into(), |s| report::us(s.median_us)),
        result.sqlite_file.map_or_else(|| "—".into(), |s| report::us(s.median_us))
    ));
    Ok(result)
}
