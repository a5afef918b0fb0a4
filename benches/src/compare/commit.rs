//! Q7: durable commits of one new task with its relationships — Convoy's
//! `Db` under `FsyncPolicy::Always` against SQLite file-backed WAL with
//! `synchronous=FULL` — by one writer, and by four concurrent writers.
//!
//! Each commit creates a task in the place of a random existing task (its
//! project, milestone, slice and workstream), blocked by that task and
//! following the workflow, with one `CREATED` feed entry. SQLite writes the
//! same in one `BEGIN IMMEDIATE` transaction: the task row, both directions
//! of each relationship, the `task_dependencies` row and the feed row.
//! Batches and SQL values are built before the clock starts.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use convoy_core::model::{Activity, EntityKind, Priority, Task};
use convoy_core::{ActivityId, Batch, EntityId, Graph, Op, Relation, RelationType, Slot, Timestamp};
use convoy_store::Db;
use rand::Rng as _;
use rand::rngs::StdRng;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use super::measure::{Stats, stats};
use super::sqlite::{open_file, text};

/// One new task and where it goes.
#[derive(Clone, Debug)]
pub(crate) struct NewTask {
    id: EntityId,
    activity: ActivityId,
    at: Timestamp,
    title: String,
    links: Vec<(EntityId, EntityKind, Relation, EntityId, EntityKind)>,
    blocker: EntityId,
    project: EntityId,
    milestone: EntityId,
    slice: EntityId,
    workstream: Option<EntityId>,
    workflow: Option<EntityId>,
}

/// `n` new tasks placed beside random existing ones of `tasks`.
///
/// # Errors
/// A sampled task without a project, milestone or slice (a generator bug).
pub(crate) fn new_tasks(graph: &Graph, tasks: &[EntityId], n: usize, rng: &mut StdRng) -> Result<Vec<NewTask>> {
    let workflow = graph.ids_of_kind(EntityKind::Workflow).iter().next().copied();
    let base = Timestamp::now().as_micros();
    (0..n)
        .map(|i| {
            let beside = *tasks.get(rng.random_range(0..tasks.len().max(1))).context("no tasks")?;
            let project = graph.parent(beside, Slot::Project).context("task without project")?;
            let milestone = graph.parent(beside, Slot::Milestone).context("task without milestone")?;
            let slice = graph.parent(beside, Slot::Slice).context("task without slice")?;
            let workstream = graph.parent(beside, Slot::Workstream);
            let id = EntityId::from_uuid(uuid::Uuid::from_u128(rng.random()));
            let (t, p, m, s, w) = (
                EntityKind::Task,
                EntityKind::Project,
                EntityKind::Milestone,
                EntityKind::Slice,
                EntityKind::Workstream,
            );
            let mut links = vec![
                (project, p, Relation::Contains, id, t),
                (milestone, m, Relation::Contains, id, t),
                (slice, s, Relation::Contains, id, t),
            ];
            if let Some(ws) = workstream {
                links.push((ws, w, Relation::Contains, id, t));
            }
            links.push((beside, t, Relation::Blocks, id, t));
            if let Some(wf) = workflow {
                links.push((id, t, Relation::Follows, wf, EntityKind::Workflow));
            }
            Ok(NewTask {
                id,
                activity: ActivityId::from_uuid(uuid::Uuid::from_u128(rng.random())),
                at: Timestamp::from_micros(base + i64::try_from(i)?),
                title: format!("Committed task {i}"),
                links,
                blocker: beside,
                project,
                milestone,
                slice,
                workstream,
                workflow,
            })
        })
        .collect()
}

impl NewTask {
    /// The Convoy batch.
    fn batch(&self) -> Result<Batch> {
        let mut task = Task::new(&self.title)?;
        task.priority = Some(Priority::Medium);
        let mut ops = vec![Op::Create { id: self.id, at: self.at, data: task.into() }];
        for &(source, _, relation, target, _) in &self.links {
            ops.push(Op::Link { source, relation, target, weight: None, metadata: None, at: self.at });
        }
        ops.push(Op::RecordActivity(Activity::new(self.activity, self.id, "CREATED", self.at)?));
        Ok(Batch::from(ops))
    }

    /// The same, as SQL values.
    fn rows(&self, rng: &mut StdRng) -> Result<SqlTask> {
        let mut rels = Vec::new();
        for &(source, sk, relation, target, tk) in &self.links {
            let forward = RelationType::new(sk, relation, tk).context("bad link")?;
            let weight = relation.default_weight().get();
            for (a, ak, ty, b, bk) in [(source, sk, forward, target, tk), (target, tk, forward.inverse(), source, sk)] {
                let rid = uuid::Uuid::from_u128(rng.random()).to_string();
                rels.push([
                    rid,
                    ak.as_str().into(),
                    text(a),
                    ty.to_string(),
                    bk.as_str().into(),
                    text(b),
                    weight.to_string(),
                ]);
            }
        }
        Ok(SqlTask {
            id: text(self.id),
            at: self.at.to_string(),
            title: self.title.clone(),
            project: text(self.project),
            milestone: text(self.milestone),
            slice: text(self.slice),
            workstream: self.workstream.map(text),
            workflow: self.workflow.map(text),
            blocker: text(self.blocker),
            dependency: uuid::Uuid::from_u128(rng.random()).to_string(),
            activity: self.activity.to_string(),
            rels,
        })
    }
}

/// A new task's SQL values, prepared before timing.
#[derive(Clone, Debug)]
pub(crate) struct SqlTask {
    id: String,
    at: String,
    title: String,
    project: String,
    milestone: String,
    slice: String,
    workstream: Option<String>,
    workflow: Option<String>,
    blocker: String,
    dependency: String,
    activity: String,
    rels: Vec<[String; 7]>,
}

/// Writes one new task in one durable transaction.
fn sql_commit(conn: &Connection, t: &SqlTask) -> Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| -> Result<()> {
        conn.prepare_cached(
            "INSERT INTO tasks (id, project_id, workstream_id, milestone_id, slice_id, title, status, priority, \
             labels, workflow_id, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'TODO', 'MEDIUM', '[]', ?7, ?8, ?8)",
        )?
        .execute(params![t.id, t.project, t.workstream, t.milestone, t.slice, t.title, t.workflow, t.at])?;
        let mut rel = conn
            .prepare_cached("INSERT INTO relationships VALUES (?1, ?2, ?3, ?4, ?5, ?6, CAST(?7 AS REAL), '{}', ?8)")?;
        for r in &t.rels {
            rel.execute(params![r[0], r[1], r[2], r[3], r[4], r[5], r[6], t.at])?;
        }
        conn.prepare_cached("INSERT INTO task_dependencies VALUES (?1, ?2, ?3, ?4)")?.execute(params![
            t.dependency,
            t.id,
            t.blocker,
            t.at
        ])?;
        conn.prepare_cached(
            "INSERT INTO activity_feed (id, task_id, type, created_at) VALUES (?1, ?2, 'CREATED', ?3)",
        )?
        .execute(params![t.activity, t.id, t.at])?;
        Ok(())
    })();
    match result {
        Ok(()) => Ok(conn.execute_batch("COMMIT")?),
        Err(e) => {
            conn.execute_batch("ROLLBACK")?;
            Err(e)
        }
    }
}

/// Commits by one writer, then by several at once, on one system.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub(crate) struct CommitResult {
    /// One writer: latency per commit.
    pub(crate) single: Stats,
    /// One writer: commits per second.
    pub(crate) single_per_sec: f64,
    /// Concurrent writers.
    pub(crate) writers: usize,
    /// Concurrent: latency per commit (over all writers).
    pub(crate) concurrent: Stats,
    /// Concurrent: commits per second, all writers together.
    pub(crate) concurrent_per_sec: f64,
    /// Log syncs per commit under concurrency (Convoy's group commit).
    pub(crate) syncs_per_commit: Option<f64>,
    /// One writer without waiting for the disk (Convoy
    /// `FsyncPolicy::Never`, SQLite `synchronous=OFF`): the commit path's
    /// own cost, for telling CPU from fsync.
    pub(crate) single_nosync: Stats,
}

/// How long and how many commits each run may take.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CommitBudget {
    /// At most this many commits per writer…
    pub(crate) per_writer: usize,
    /// …within this long (at least 20 commits by the single writer).
    pub(crate) time: Duration,
    /// Concurrent writers.
    pub(crate) writers: usize,
}

/// A duration in nanoseconds (saturating).
fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Untimed commits before timing starts, per writer: the first commits
/// on a fresh connection or handle warm caches a long-running writer has.
const WARMUP: usize = 20;

/// Runs `commit` over `items` on `writers` threads (items dealt round
/// robin). Each writer warms up, all start together at a barrier, then
/// commit until their items or the time run out; returns latencies and
/// the longest writer's wall time.
fn concurrent<T: Send>(
    items: Vec<T>,
    writers: usize,
    time: Duration,
    commit: impl Fn(usize, T) -> Result<()> + Sync,
) -> Result<(Vec<u64>, Duration)> {
    let mut shares: Vec<Vec<T>> = (0..writers.max(1)).map(|_| Vec::new()).collect();
    let n = shares.len();
    for (i, item) in items.into_iter().enumerate() {
        if let Some(share) = shares.get_mut(i % n) {
            share.push(item);
        }
    }
    let barrier = std::sync::Barrier::new(n);
    let results: Vec<Result<(Vec<u64>, Duration)>> = std::thread::scope(|s| {
        let handles: Vec<_> = shares
            .into_iter()
            .enumerate()
            .map(|(w, mine)| {
                let (commit, barrier) = (&commit, &barrier);
                s.spawn(move || -> Result<(Vec<u64>, Duration)> {
                    let mut items = mine.into_iter();
                    let warm = items.by_ref().take(WARMUP / 4).try_for_each(|item| commit(w, item));
                    barrier.wait();
                    warm?;
                    timed(items, time, 5, |item| commit(w, item))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(anyhow::anyhow!("writer panicked")))).collect()
    });
    let mut all = Vec::new();
    let mut wall = Duration::ZERO;
    for r in results {
        let (lat, took) = r?;
        all.extend(lat);
        wall = wall.max(took);
    }
    Ok((all, wall))
}

/// Runs `commit` over `items` on this thread: a warm-up, then timed until
/// the items or the time run out (at least 20); returns latencies and wall
/// time.
fn single<T>(items: Vec<T>, time: Duration, mut commit: impl FnMut(T) -> Result<()>) -> Result<(Vec<u64>, Duration)> {
    let mut items = items.into_iter();
    items.by_ref().take(WARMUP).try_for_each(&mut commit)?;
    timed(items, time, 20, commit)
}

/// Times `commit` on each item until the items run out, or `time` has
/// passed and at least `min` were timed; returns latencies and wall time.
fn timed<T>(
    items: impl Iterator<Item = T>,
    time: Duration,
    min: usize,
    mut commit: impl FnMut(T) -> Result<()>,
) -> Result<(Vec<u64>, Duration)> {
    let start = Instant::now();
    let mut lat = Vec::new();
    for item in items {
        if start.elapsed() >= time && lat.len() >= min {
            break;
        }
        let t = Instant::now();
        commit(item)?;
        lat.push(nanos(t.elapsed()));
    }
    Ok((lat, start.elapsed()))
}

/// `n` events over `wall` as a rate per second.
fn per_sec(n: usize, wall: Duration) -> f64 {
    n as f64 / wall.as_secs_f64().max(1e-9)
}

/// Q7 on Convoy: `tasks` split into one writer's share and the writers'.
///
/// # Errors
/// A refused or failed commit.
pub(crate) fn convoy(db: &Db, one: &[NewTask], many: &[NewTask], budget: &CommitBudget) -> Result<CommitResult> {
    let batches: Vec<Batch> = one.iter().map(NewTask::batch).collect::<Result<_>>()?;
    let (lat, wall) = single(batches, budget.time, |b| Ok(db.commit(b).map(drop)?))?;
    let many_batches: Vec<Batch> = many.iter().map(NewTask::batch).collect::<Result<_>>()?;
    let before = db.stats();
    let (clat, cwall) = concurrent(many_batches, budget.writers, budget.time, |_, b| Ok(db.commit(b).map(drop)?))?;
    let after = db.stats();
    let commits = after.commits.saturating_sub(before.commits);
    let syncs = after.syncs.saturating_sub(before.syncs);
    Ok(CommitResult {
        single: stats(&lat, 0),
        single_per_sec: per_sec(lat.len(), wall),
        writers: budget.writers,
        concurrent: stats(&clat, 0),
        concurrent_per_sec: per_sec(clat.len(), cwall),
        syncs_per_commit: (commits > 0).then(|| syncs as f64 / commits as f64),
        single_nosync: Stats::default(),
    })
}

/// Q7 on SQLite: `conn` for the single writer, a connection per thread for
/// the concurrent ones (all on the file at `path`); then `extra` without
/// fsync.
///
/// # Errors
/// SQLite errors.
pub(crate) fn sqlite(
    conn: &Connection,
    path: &Path,
    one: &[NewTask],
    many: &[NewTask],
    extra: &[NewTask],
    budget: &CommitBudget,
    rng: &mut StdRng,
) -> Result<CommitResult> {
    let rows: Vec<SqlTask> = one.iter().map(|t| t.rows(rng)).collect::<Result<_>>()?;
    let (lat, wall) = single(rows, budget.time, |t| sql_commit(conn, &t))?;
    let many_rows: Vec<SqlTask> = many.iter().map(|t| t.rows(rng)).collect::<Result<_>>()?;
    let conns: Vec<std::sync::Mutex<Connection>> =
        (0..budget.writers).map(|_| open_file(path).map(std::sync::Mutex::new)).collect::<Result<_>>()?;
    let (clat, cwall) = concurrent(many_rows, budget.writers, budget.time, |w, t| {
        let conn = conns.get(w).context("no connection")?.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
        sql_commit(&conn, &t)
    })?;
    Ok(CommitResult {
        single: stats(&lat, 0),
        single_per_sec: per_sec(lat.len(), wall),
        writers: budget.writers,
        concurrent: stats(&clat, 0),
        concurrent_per_sec: per_sec(clat.len(), cwall),
        syncs_per_commit: None,
        single_nosync: sqlite_nosync(conn, extra, budget, rng)?,
    })
}

/// One writer on SQLite with `synchronous=OFF` (restored to `FULL` after).
fn sqlite_nosync(conn: &Connection, items: &[NewTask], budget: &CommitBudget, rng: &mut StdRng) -> Result<Stats> {
    let rows: Vec<SqlTask> = items.iter().map(|t| t.rows(rng)).collect::<Result<_>>()?;
    conn.execute_batch("PRAGMA synchronous = OFF")?;
    let result = single(rows, budget.time, |t| sql_commit(conn, &t));
    conn.execute_batch("PRAGMA synchronous = FULL")?;
    let (lat, _) = result?;
    Ok(stats(&lat, 0))
}

/// One writer on a Convoy `Db` opened with `FsyncPolicy::Never`.
///
/// # Errors
/// A refused or failed commit.
pub(crate) fn convoy_nosync(db: &Db, items: &[NewTask], budget: &CommitBudget) -> Result<Stats> {
    let batches: Vec<Batch> = items.iter().map(NewTask::batch).collect::<Result<_>>()?;
    let (lat, _) = single(batches, budget.time, |b| Ok(db.commit(b).map(drop)?))?;
    Ok(stats(&lat, 0))
}
